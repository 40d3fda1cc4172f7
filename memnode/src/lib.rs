//! The Semeru memory node (DESIGN.md §9): holds the old-space regions of many
//! VMs (tenants) in anonymous memory maps and serves their page reads and writes
//! over the fabric protocol.
//!
//! | concept | module |
//! |---|---|
//! | tenants, regions, capacity, grace release; the `fabric::Service` | [`node`] |
//! | one connection's requests (`fabric::Session`) | [`session`] |
//! | the TCP daemon: bind, loopback policy, accept loop, traffic figures | [`server`] |
//! | `semeru memnode --status`: the admin query and its text | [`status`] |
//! | tracing to stderr | [`logging`] |
//! | region memory shared by page I/O and GC workers | [`region`] |
//! | the offloaded collector: marking, evacuation, fixup, peer links | [`gc`] |
//!
//! A tenant is alive while it has connections. `Goodbye` releases its regions at
//! once; when its last connection drops without one, they are released after the
//! grace period unless it reconnects first. A tenant addresses only its own
//! regions: any range outside them is `Error{BadAddress}` and the connection
//! closes, so no peer can read or write another tenant's pages.

pub mod gc;
pub mod logging;
pub mod node;
pub mod region;
pub mod server;
pub mod session;
pub mod status;

pub use gc::{InprocPeers, PeerConnector, TcpPeers};
pub use logging::init_logging;
pub use node::{Memnode, MemnodeConfig, REGION_BYTES_MAX};
pub use server::{check_listen, serve, Server};
pub use status::{format_status, status_text};
