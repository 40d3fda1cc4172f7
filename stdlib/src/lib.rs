//! semeru-stdlib
