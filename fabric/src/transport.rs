//! What connections move frames over: the [`Transport`] trait, TCP, and the
//! in-process transport (a memnode server inside the VM's own process).

use std::collections::VecDeque;
use std::io::{self, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use crate::auth::Token;
use crate::error::FabricError;
use crate::proto::{frame_body, frame_len, MAX_FRAME};
use crate::server::{ServerConn, Service};

/// The default connect, read and write timeout of TCP connections.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// What a connection moves frames over.
pub trait Transport: Send {
    /// Sends one whole encoded frame (length prefix included).
    fn send(&mut self, frame: &[u8]) -> Result<(), FabricError>;
    /// Receives one frame body (type + payload, no length prefix).
    fn recv(&mut self) -> Result<Vec<u8>, FabricError>;
    /// The peer's name: `127.0.0.1:7071`, `embedded#0`.
    fn peer(&self) -> String;
}

/// Why [`read_frame`] did not return a body.
#[derive(Debug)]
pub enum FrameReadError {
    /// The stream ended cleanly between frames.
    Eof,
    /// The length prefix announces more than the limit (nothing was allocated).
    TooLarge(usize),
    /// The stream failed or ended inside a frame.
    Io(io::Error),
}

/// Reads one frame body of at most `max` bytes. The length is checked before
/// anything is allocated, and the body buffer grows only as bytes arrive, so a
/// peer that announces a large frame and sends nothing costs nothing.
pub fn read_frame(r: &mut impl Read, max: usize) -> Result<Vec<u8>, FrameReadError> {
    let mut prefix = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut prefix[got..]) {
            Ok(0) if got == 0 => return Err(FrameReadError::Eof),
            Ok(0) => {
                return Err(FrameReadError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed inside a frame",
                )))
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FrameReadError::Io(e)),
        }
    }
    let n = frame_len(prefix);
    if n > max {
        return Err(FrameReadError::TooLarge(n));
    }
    let mut body = Vec::with_capacity(n.min(64 << 10));
    match r.take(n as u64).read_to_end(&mut body) {
        Ok(k) if k == n => Ok(body),
        Ok(_) => Err(FrameReadError::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed inside a frame",
        ))),
        Err(e) => Err(FrameReadError::Io(e)),
    }
}

/// Turns an I/O error on a connection to `who` ("memnode 127.0.0.1:7071") into
/// a user-facing fabric error.
pub fn classify_io(
    who: &str,
    e: io::Error,
    timeout: Option<Duration>,
    sending: bool,
) -> FabricError {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            let secs = timeout.map(|t| t.as_secs_f64()).unwrap_or(0.0);
            if sending {
                FabricError::Timeout(format!("{who}: could not send within {secs} s"))
            } else {
                FabricError::Timeout(format!("{who}: no reply within {secs} s"))
            }
        }
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::NotConnected => FabricError::Closed(format!("{who}: connection closed")),
        kind => FabricError::Io(io::Error::new(kind, format!("{who}: {e}"))),
    }
}

/// A TCP connection (TCP_NODELAY, read and write timeouts).
pub struct TcpTransport {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    peer: String,
    who: String,
    timeout: Option<Duration>,
}

impl TcpTransport {
    /// Connects to a memnode within `timeout`; reads and writes then time out
    /// after [`DEFAULT_TIMEOUT`] (see [`TcpTransport::set_timeout`]).
    pub fn connect(addr: &str, timeout: Duration) -> Result<TcpTransport, FabricError> {
        let who = format!("memnode {addr}");
        let addrs: Vec<_> = addr
            .to_socket_addrs()
            .map_err(|e| {
                FabricError::Io(io::Error::new(
                    e.kind(),
                    format!("{who}: cannot resolve the address: {e}"),
                ))
            })?
            .collect();
        let mut last = None;
        for sa in addrs {
            match TcpStream::connect_timeout(&sa, timeout) {
                Ok(s) => {
                    return TcpTransport::from_stream(s, addr.to_string(), Some(DEFAULT_TIMEOUT))
                }
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            None => FabricError::Io(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{who}: the address resolves to nothing"),
            )),
            Some(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                FabricError::Timeout(format!(
                    "{who}: no answer to connect within {} s",
                    timeout.as_secs_f64()
                ))
            }
            Some(e) => FabricError::Io(io::Error::new(
                e.kind(),
                format!("{who}: cannot connect: {e}"),
            )),
        })
    }

    /// Wraps a connected stream (either side). `peer` names the other end.
    pub fn from_stream(
        stream: TcpStream,
        peer: String,
        timeout: Option<Duration>,
    ) -> Result<TcpTransport, FabricError> {
        let who = format!("memnode {peer}");
        let io_err =
            |e: io::Error| FabricError::Io(io::Error::new(e.kind(), format!("{who}: {e}")));
        stream.set_nodelay(true).map_err(io_err)?;
        let writer = stream.try_clone().map_err(io_err)?;
        let mut t = TcpTransport {
            reader: BufReader::with_capacity(64 << 10, stream),
            writer,
            peer,
            who,
            timeout: None,
        };
        t.set_timeout(timeout)?;
        Ok(t)
    }

    /// Sets the read and write timeout (`None`: wait forever).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<(), FabricError> {
        let timeout = timeout.filter(|t| !t.is_zero());
        let r = self
            .writer
            .set_read_timeout(timeout)
            .and_then(|()| self.writer.set_write_timeout(timeout));
        r.map_err(|e| FabricError::Io(io::Error::new(e.kind(), format!("{}: {e}", self.who))))?;
        self.timeout = timeout;
        Ok(())
    }
}

impl Transport for TcpTransport {
    fn send(&mut self, frame: &[u8]) -> Result<(), FabricError> {
        self.writer
            .write_all(frame)
            .map_err(|e| classify_io(&self.who, e, self.timeout, true))
    }

    fn recv(&mut self) -> Result<Vec<u8>, FabricError> {
        match read_frame(&mut self.reader, MAX_FRAME) {
            Ok(b) => Ok(b),
            Err(FrameReadError::Eof) => Err(FabricError::Closed(format!(
                "{}: connection closed",
                self.who
            ))),
            Err(FrameReadError::TooLarge(n)) => Err(FabricError::Protocol(format!(
                "{}: sent a frame of {n} bytes (the limit is {MAX_FRAME})",
                self.who
            ))),
            Err(FrameReadError::Io(e)) => Err(classify_io(&self.who, e, self.timeout, false)),
        }
    }

    fn peer(&self) -> String {
        self.peer.clone()
    }
}

/// The in-process transport: `send` runs the server's [`ServerConn`] in the
/// caller's thread and queues its reply for `recv`. Same frames, same code as
/// TCP, no sockets.
struct InProc {
    conn: Option<ServerConn>,
    replies: VecDeque<Vec<u8>>,
    name: String,
}

impl Transport for InProc {
    fn send(&mut self, frame: &[u8]) -> Result<(), FabricError> {
        let Some(conn) = self.conn.as_mut() else {
            return Err(FabricError::Closed(format!(
                "memnode {}: connection closed",
                self.name
            )));
        };
        let body = frame_body(frame).map_err(|e| {
            FabricError::Protocol(format!(
                "memnode {}: cannot send a bad frame: {e}",
                self.name
            ))
        })?;
        let (reply, close) = conn.on_frame(body);
        self.replies.push_back(reply);
        if close {
            // Dropping the connection drops its Session: the server sees the close.
            self.conn = None;
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Vec<u8>, FabricError> {
        match self.replies.pop_front() {
            Some(mut frame) if frame.len() >= 4 => {
                frame.drain(..4);
                Ok(frame)
            }
            Some(_) => Err(FabricError::Protocol(format!(
                "memnode {}: empty reply",
                self.name
            ))),
            None if self.conn.is_none() => Err(FabricError::Closed(format!(
                "memnode {}: connection closed",
                self.name
            ))),
            None => Err(FabricError::Protocol(format!(
                "memnode {}: nothing to receive (no request pending)",
                self.name
            ))),
        }
    }

    fn peer(&self) -> String {
        self.name.clone()
    }
}

/// An in-process connection to `service`, named `name` (e.g. `embedded#0`).
pub fn inproc(service: Arc<dyn Service>, token: Arc<Token>, name: String) -> Box<dyn Transport> {
    Box::new(InProc {
        conn: Some(ServerConn::new(service, token)),
        replies: VecDeque::new(),
        name,
    })
}
