//! The TCP daemon behind `semeru memnode --listen`.

use crate::node::{Memnode, MemnodeConfig};
use semeru_fabric::transport::{read_frame, FrameReadError};
use semeru_fabric::{
    ErrorCode, Msg, NodeInfo, Role, ServerConn, Service, Session, TenantId, Token, MAX_FRAME,
};
use std::io::{self, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How long a peer has to complete the handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Frames before the handshake completes are small (Hello, Auth).
pub const MAX_HANDSHAKE_FRAME: usize = 4096;
/// A peer that stops reading its replies is dropped after this long.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Resolves `addr` and refuses a non-loopback address without a token: an
/// empty token lets any peer that speaks the protocol in.
pub fn check_listen(addr: &str, token: &Token) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| format!("invalid listen address `{addr}`: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("listen address `{addr}` resolves to nothing"));
    }
    if token.is_empty() {
        if let Some(a) = addrs.iter().find(|a| !a.ip().is_loopback()) {
            return Err(format!(
                "refusing to listen on {a} without --token-file: any host that can reach it \
                 could read and write the regions it holds (use a loopback address, or give a token file)"
            ));
        }
    }
    Ok(addrs)
}

/// A bound memnode that has not started serving yet.
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    node: Arc<Memnode>,
    token: Arc<Token>,
}

impl Server {
    /// Binds `addr` (after [`check_listen`]). An empty `cfg.name` becomes the
    /// bound address (with the real port when `addr` asked for port 0).
    pub fn bind(addr: &str, mut cfg: MemnodeConfig, token: Token) -> Result<Server, String> {
        let addrs = check_listen(addr, &token)?;
        let listener =
            TcpListener::bind(&addrs[..]).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        if cfg.name.is_empty() {
            cfg.name = local.to_string();
        }
        let node = Memnode::new(cfg);
        // Other memnodes of a tenant are reached over TCP with the same token
        // (`semeru memnode` may install another connector).
        node.set_peer_connector(Arc::new(crate::gc::TcpPeers {
            token: token.clone(),
        }));
        Ok(Server {
            listener,
            addr: local,
            node,
            token: Arc::new(token),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn node(&self) -> &Arc<Memnode> {
        &self.node
    }

    /// The accept loop: one thread per connection. Blocks; returns only if
    /// accepting keeps failing.
    pub fn run(self) -> Result<(), String> {
        let mut failures = 0u32;
        loop {
            match self.listener.accept() {
                Ok((stream, peer)) => {
                    failures = 0;
                    let node = self.node.clone();
                    let token = self.token.clone();
                    let spawned = std::thread::Builder::new()
                        .name(format!("memnode-conn-{peer}"))
                        .spawn(move || {
                            if let Err(e) = serve_conn(stream, peer, node, token) {
                                tracing::debug!("connection from {peer} ended: {e}");
                            }
                        });
                    if let Err(e) = spawned {
                        tracing::warn!("cannot start a thread for {peer}: {e}");
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // e.g. too many open files: back off and keep serving the others.
                    failures += 1;
                    tracing::warn!("accept failed: {e}");
                    if failures > 1000 {
                        return Err(format!("memnode {}: accept keeps failing: {e}", self.addr));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    /// Serves on a background thread (tests, embedding); returns the address.
    pub fn spawn(self) -> Result<SocketAddr, String> {
        let addr = self.addr;
        std::thread::Builder::new()
            .name(format!("memnode-{addr}"))
            .spawn(move || {
                if let Err(e) = self.run() {
                    tracing::error!("{e}");
                }
            })
            .map_err(|e| format!("cannot start the memnode thread: {e}"))?;
        Ok(addr)
    }
}

/// `semeru memnode --listen`: binds, says `semeru memnode listening on ADDR
/// (capacity C)` on stderr, and serves until killed.
pub fn serve(addr: &str, cfg: MemnodeConfig, token: Token) -> Result<(), String> {
    let server = Server::bind(addr, cfg, token)?;
    let cfg = server.node().config();
    tracing::info!(
        "memnode {}: capacity {} bytes, {} request threads, grace {:?}, {}",
        cfg.name,
        cfg.capacity,
        cfg.threads,
        cfg.grace,
        if server.token.is_empty() {
            "no token"
        } else {
            "token required"
        }
    );
    eprintln!(
        "semeru memnode listening on {} (capacity {})",
        server.local_addr(),
        crate::status::human_bytes(cfg.capacity)
    );
    server.run()
}

/// The node as one connection sees it: remembers whether the handshake was
/// rejected, so a peer that hangs up mid-handshake is counted once.
struct ConnService {
    node: Arc<Memnode>,
    peer: SocketAddr,
    rejected: AtomicBool,
}

impl Service for ConnService {
    fn info(&self) -> NodeInfo {
        self.node.info()
    }

    fn open(&self, tenant: TenantId, role: Role) -> Result<Box<dyn Session>, String> {
        tracing::debug!("{} authenticated as tenant {tenant:016x}", self.peer);
        self.node.open(tenant, role)
    }

    fn rejected(&self) {
        if !self.rejected.swap(true, Ordering::Relaxed) {
            self.node.count_rejected();
        }
    }

    fn traffic(&self, bytes_in: usize, bytes_out: usize) {
        self.node.traffic(bytes_in, bytes_out);
    }
}

fn serve_conn(
    stream: TcpStream,
    peer: SocketAddr,
    node: Arc<Memnode>,
    token: Arc<Token>,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(64 << 10, stream);
    let svc = Arc::new(ConnService {
        node: node.clone(),
        peer,
        rejected: AtomicBool::new(false),
    });
    let mut conn = ServerConn::new(svc.clone(), token);
    let mut opened = false;
    let reject = |opened: bool, why: &str| {
        if !opened {
            tracing::warn!("rejected {peer}: {why}");
            svc.rejected();
        }
    };
    loop {
        let max = if opened {
            MAX_FRAME
        } else {
            MAX_HANDSHAKE_FRAME
        };
        let body = match read_frame(&mut reader, max) {
            Ok(b) => b,
            Err(FrameReadError::Eof) => {
                reject(opened, "it hung up during the handshake");
                return Ok(());
            }
            Err(FrameReadError::TooLarge(n)) => {
                reject(opened, "oversized frame");
                let msg = format!("frame of {n} bytes exceeds the limit of {max} bytes");
                tracing::warn!("{peer}: {msg}; closing");
                let _ = writer.write_all(
                    &Msg::Error {
                        code: ErrorCode::Malformed,
                        message: msg,
                    }
                    .to_frame(),
                );
                return Ok(());
            }
            Err(FrameReadError::Io(e)) => {
                reject(opened, &e.to_string());
                return Err(e);
            }
        };
        // ServerConn reports the frame's bytes through Service::traffic.
        let (reply, close) = conn.on_frame(&body);
        writer.write_all(&reply)?;
        if close {
            if !opened {
                // ServerConn reports a failed handshake through Service::rejected;
                // count it here too in case it did not (counted once either way).
                let why = match reply.get(4..).map(Msg::decode) {
                    Some(Ok(Msg::Error { message, .. })) => message,
                    _ => "handshake failed".into(),
                };
                reject(opened, &why);
            }
            let _ = writer.shutdown(std::net::Shutdown::Both);
            return Ok(());
        }
        if !opened && conn.is_open() {
            opened = true;
            // Authenticated: an idle VM may keep its connection for a long time.
            reader.get_ref().set_read_timeout(None)?;
        }
    }
}
