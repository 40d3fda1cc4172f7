//! Side metadata: tables beside the regions, never in object headers.
//! [`spec`] declares them all; one module per table.

pub mod bitmap;
pub mod bot;
pub mod cards;
pub mod forwarding;
pub mod spec;
