//! semeru-lang
