//! semeru-vm
