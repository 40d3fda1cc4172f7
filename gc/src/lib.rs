//! semeru-gc
