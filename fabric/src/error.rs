//! The one error type of the fabric.

use crate::proto::ErrorCode;

/// A fabric failure. The messages are user-facing and name the peer, e.g.
/// `memnode 127.0.0.1:7071: connection closed`.
#[derive(Debug, thiserror::Error)]
pub enum FabricError {
    /// An I/O error the transport could not classify further.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A read or write took longer than the transport's timeout.
    #[error("{0}")]
    Timeout(String),
    /// The peer closed the connection (or it was closed after an error).
    #[error("{0}")]
    Closed(String),
    /// The peer sent something that is not the protocol.
    #[error("{0}")]
    Protocol(String),
    /// The handshake failed (wrong token, or the peer did not prove it).
    #[error("{0}")]
    Auth(String),
    /// The peer answered with an `Error` message.
    #[error("{message} ({code})")]
    Remote { code: ErrorCode, message: String },
}

impl FabricError {
    /// The remote error code, if the peer answered with `Error`.
    pub fn remote_code(&self) -> Option<ErrorCode> {
        match self {
            FabricError::Remote { code, .. } => Some(*code),
            _ => None,
        }
    }
}
