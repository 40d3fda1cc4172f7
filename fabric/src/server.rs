//! The server side: the [`Service`] a memnode implements, the per-connection
//! protocol state machine ([`ServerConn`]) and the TCP accept loop.

use std::io::{self, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{self, Token, AUTH_LABEL, WELCOME_LABEL};
use crate::proto::{ErrorCode, Msg, NodeInfo, Role, TenantId, MAGIC, MAX_FRAME, VERSION};
use crate::transport::{read_frame, FrameReadError};

/// The largest frame accepted before the handshake completes.
pub const MAX_HANDSHAKE_FRAME: usize = 4096;
/// How long a peer may take to complete the handshake (TCP).
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a reply may take to be written (TCP).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// The server side, implemented by the memnode.
pub trait Service: Send + Sync + 'static {
    fn info(&self) -> NodeInfo;
    /// After a successful handshake. `Err(message)` → `Error{State}` and close.
    fn open(&self, tenant: TenantId, role: Role) -> Result<Box<dyn Session>, String>;
    /// A peer failed authentication or sent garbage before it (for `--status`).
    fn rejected(&self) {}
    /// One frame of `bytes_in` wire bytes (length prefix included) was received
    /// and answered by one of `bytes_out` bytes (for `--status` figures).
    fn traffic(&self, bytes_in: usize, bytes_out: usize) {
        let _ = (bytes_in, bytes_out);
    }
}

/// One authenticated connection's server side. Dropping it means the
/// connection closed.
pub trait Session: Send {
    /// One request → one reply.
    ///
    /// - `Ok(reply)` is sent and the connection stays open; this includes
    ///   `Ok(Msg::Error{..})`, an error the client may recover from.
    /// - `Err((code, message))` sends that `Error` and closes the connection,
    ///   except for `ErrorCode::Capacity`, which never closes (the VM may try
    ///   another memnode).
    fn handle(&mut self, req: Msg) -> Result<Msg, (ErrorCode, String)>;
}

enum State {
    AwaitHello,
    AwaitAuth {
        tenant: TenantId,
        role: Role,
        client_nonce: [u8; 32],
        server_nonce: [u8; 32],
    },
    Open(Box<dyn Session>),
    Closed,
}

/// Server-side protocol state machine for one connection: the handshake, then
/// the [`Session`].
pub struct ServerConn {
    service: Arc<dyn Service>,
    token: Arc<Token>,
    state: State,
}

fn error_frame(code: ErrorCode, message: impl Into<String>) -> Vec<u8> {
    Msg::Error {
        code,
        message: message.into(),
    }
    .to_frame()
}

impl ServerConn {
    pub fn new(service: Arc<dyn Service>, token: Arc<Token>) -> ServerConn {
        ServerConn {
            service,
            token,
            state: State::AwaitHello,
        }
    }

    /// Whether the handshake completed and the connection is still open.
    pub fn is_open(&self) -> bool {
        matches!(self.state, State::Open(_))
    }

    /// Whether the connection is closed (after an error).
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Whether the handshake has not completed yet.
    pub fn in_handshake(&self) -> bool {
        matches!(self.state, State::AwaitHello | State::AwaitAuth { .. })
    }

    /// Closes the connection of a peer that never authenticated: it counts as
    /// rejected.
    fn reject(&mut self, code: ErrorCode, message: impl Into<String>) -> (Vec<u8>, bool) {
        self.service.rejected();
        self.fail(code, message)
    }

    /// Closes the connection (drops the session) and answers with an error.
    fn fail(&mut self, code: ErrorCode, message: impl Into<String>) -> (Vec<u8>, bool) {
        self.state = State::Closed;
        (error_frame(code, message), true)
    }

    /// Feeds one received frame body; returns the encoded reply frame and
    /// whether to close the connection after sending it.
    pub fn on_frame(&mut self, body: &[u8]) -> (Vec<u8>, bool) {
        let (reply, close) = self.step(body);
        self.service.traffic(body.len() + 4, reply.len());
        (reply, close)
    }

    fn step(&mut self, body: &[u8]) -> (Vec<u8>, bool) {
        if self.is_closed() {
            return (error_frame(ErrorCode::State, "connection closed"), true);
        }
        let msg = match Msg::decode(body) {
            Ok(m) => m,
            Err(e) if self.in_handshake() => return self.reject(e.code(), e.to_string()),
            Err(e) => return self.fail(e.code(), e.to_string()),
        };
        match std::mem::replace(&mut self.state, State::Closed) {
            State::AwaitHello => match msg {
                Msg::Hello {
                    magic,
                    version,
                    tenant,
                    role,
                    nonce,
                } => {
                    if magic != MAGIC {
                        return self.reject(ErrorCode::Malformed, "bad magic: not a Semeru peer");
                    }
                    if version != VERSION {
                        return self.reject(
                            ErrorCode::Version,
                            format!("protocol version {version} is not supported (this memnode speaks {VERSION})"),
                        );
                    }
                    let server_nonce = match auth::nonce() {
                        Ok(n) => n,
                        Err(e) => return self.reject(ErrorCode::Internal, e),
                    };
                    self.state = State::AwaitAuth {
                        tenant,
                        role,
                        client_nonce: nonce,
                        server_nonce,
                    };
                    (
                        Msg::Challenge {
                            version: VERSION,
                            nonce: server_nonce,
                        }
                        .to_frame(),
                        false,
                    )
                }
                other => self.reject(
                    ErrorCode::State,
                    format!("expected Hello, got {}", other.name()),
                ),
            },
            State::AwaitAuth {
                tenant,
                role,
                client_nonce,
                server_nonce,
            } => match msg {
                Msg::Auth { mac } => {
                    let ok = auth::verify(
                        &self.token,
                        AUTH_LABEL,
                        &client_nonce,
                        &server_nonce,
                        tenant,
                        role,
                        &mac,
                    );
                    if !ok {
                        return self.reject(ErrorCode::Auth, "authentication failed (wrong token)");
                    }
                    let Some(mac) = auth::mac(
                        &self.token,
                        WELCOME_LABEL,
                        &client_nonce,
                        &server_nonce,
                        tenant,
                        role,
                    ) else {
                        return self
                            .reject(ErrorCode::Internal, "cannot compute the welcome proof");
                    };
                    match self.service.open(tenant, role) {
                        Ok(session) => {
                            let info = self.service.info();
                            self.state = State::Open(session);
                            (Msg::Welcome { mac, info }.to_frame(), false)
                        }
                        Err(m) => {
                            self.state = State::Closed;
                            (error_frame(ErrorCode::State, m), true)
                        }
                    }
                }
                other => self.reject(
                    ErrorCode::State,
                    format!("expected Auth, got {}", other.name()),
                ),
            },
            State::Open(mut session) => {
                if msg.is_handshake() {
                    return self.fail(
                        ErrorCode::State,
                        format!("unexpected {} after the handshake", msg.name()),
                    );
                }
                match session.handle(msg) {
                    Ok(reply) => {
                        self.state = State::Open(session);
                        (reply.to_frame(), false)
                    }
                    Err((ErrorCode::Capacity, m)) => {
                        self.state = State::Open(session);
                        (error_frame(ErrorCode::Capacity, m), false)
                    }
                    Err((code, m)) => {
                        drop(session);
                        (error_frame(code, m), true)
                    }
                }
            }
            State::Closed => (error_frame(ErrorCode::State, "connection closed"), true),
        }
    }
}

/// Serves one accepted TCP connection until it closes (blocking). Reads check
/// the length prefix against the limit before allocating: an oversized frame
/// gets `Error{Malformed}` and the connection closes. Before the handshake
/// completes, frames are limited to [`MAX_HANDSHAKE_FRAME`] bytes and the peer
/// has [`HANDSHAKE_TIMEOUT`]; afterwards an idle connection may stay open.
pub fn serve_connection(
    stream: TcpStream,
    service: Arc<dyn Service>,
    token: Arc<Token>,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(64 << 10, stream);
    let mut conn = ServerConn::new(service.clone(), token);
    loop {
        let handshake = conn.in_handshake();
        let max = if handshake {
            MAX_HANDSHAKE_FRAME
        } else {
            MAX_FRAME
        };
        let body = match read_frame(&mut reader, max) {
            Ok(b) => b,
            Err(FrameReadError::Eof) => {
                if handshake {
                    service.rejected();
                }
                return Ok(());
            }
            Err(FrameReadError::TooLarge(n)) => {
                if handshake {
                    service.rejected();
                }
                let msg = format!("frame of {n} bytes exceeds the limit of {max} bytes");
                let _ = writer.write_all(&error_frame(ErrorCode::Malformed, msg));
                return Ok(());
            }
            Err(FrameReadError::Io(e)) => {
                if handshake {
                    service.rejected();
                }
                return Err(e);
            }
        };
        let (reply, close) = conn.on_frame(&body);
        writer.write_all(&reply)?;
        if close {
            let _ = writer.shutdown(std::net::Shutdown::Both);
            return Ok(());
        }
        if handshake && conn.is_open() {
            // Authenticated: an idle VM may keep its connection for a long time.
            reader.get_ref().set_read_timeout(None)?;
        }
    }
}

/// The accept loop: one thread per connection, each running a [`ServerConn`]
/// over the socket. Blocks; returns only if accepting fails persistently.
pub fn serve_tcp(
    listener: TcpListener,
    service: Arc<dyn Service>,
    token: Arc<Token>,
) -> io::Result<()> {
    let mut failures = 0u32;
    loop {
        match listener.accept() {
            Ok((stream, addr)) => {
                failures = 0;
                let service = service.clone();
                let token = token.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("fabric-conn-{addr}"))
                    .spawn(move || {
                        if let Err(e) = serve_connection(stream, service, token) {
                            tracing::debug!("connection from {addr} ended: {e}");
                        }
                    });
                if let Err(e) = spawned {
                    tracing::warn!("cannot start a thread for {addr}: {e}");
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                // e.g. too many open files: back off, keep serving the others.
                failures += 1;
                tracing::warn!("accept failed: {e}");
                if failures > 1000 {
                    return Err(e);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}
