//! The Semeru fabric: the wire protocol between the VM and its memnodes, and
//! its transports (DESIGN.md §8).
//!
//! | concept | module |
//! |---|---|
//! | frames, messages, encode/decode | [`proto`] |
//! | token, nonces, HMAC-SHA256 proofs | [`auth`] |
//! | the `Transport` trait, TCP, in-process | [`transport`] |
//! | the client: handshake, calls, page I/O | [`client`] |
//! | the server: `Service`, `Session`, `ServerConn`, accept loop | [`server`] |
//! | traffic by purpose | [`counters`] |
//!
//! A connection starts with a mutual challenge handshake (`Hello`,
//! `Challenge`, `Auth`, `Welcome`); then every request gets exactly one reply.
//! Bad input (malformed, truncated, oversized frames, unknown types, wrong
//! versions, bad tokens) gets an `Error` frame and a closed connection, never a
//! panic.

pub mod auth;
pub mod client;
pub mod counters;
pub mod error;
pub mod proto;
pub mod server;
pub mod transport;

pub use auth::Token;
pub use client::Client;
pub use counters::{CounterSnapshot, Counters, Purpose};
pub use error::FabricError;
pub use proto::{
    ErrorCode, GcRegion, Msg, NodeInfo, NodeStatus, PageRef, ProtoError, Role, TenantId,
    TenantStatus, MAGIC, MAX_FRAME, VERSION,
};
pub use server::{serve_connection, serve_tcp, ServerConn, Service, Session};
pub use transport::{inproc, TcpTransport, Transport, DEFAULT_TIMEOUT};
