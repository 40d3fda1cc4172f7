//! The Semeru memory node (DESIGN.md §9).
