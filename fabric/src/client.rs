//! The client side of a connection: the handshake, request/reply calls and
//! the page-I/O hot path, with traffic counted by purpose.

use std::sync::Arc;

use crate::auth::{self, Token, AUTH_LABEL, WELCOME_LABEL};
use crate::counters::{CounterSnapshot, Counters, Purpose};
use crate::error::FabricError;
use crate::proto::{
    ty, ErrorCode, Msg, NodeInfo, PageRef, Role, TenantId, MAGIC, MAX_FRAME, VERSION,
};
use crate::transport::Transport;

/// One authenticated connection to a memnode.
pub struct Client {
    t: Box<dyn Transport>,
    info: NodeInfo,
    tenant: TenantId,
    role: Role,
    counters: Arc<Counters>,
    /// Set once the connection can no longer be trusted (timeout, close,
    /// protocol error): a late reply could otherwise answer the wrong request.
    broken: Option<String>,
    /// A `PageIo` sent and not yet answered: (bytes expected, purpose).
    pending: Option<(u64, Purpose)>,
    /// A request sent by [`Client::start_call`] and not yet answered.
    pending_call: Option<Purpose>,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("peer", &self.t.peer())
            .field("tenant", &self.tenant)
            .field("role", &self.role)
            .finish()
    }
}

fn who(t: &dyn Transport) -> String {
    format!("memnode {}", t.peer())
}

/// An `Error` reply as a fabric error.
fn remote(who: &str, code: ErrorCode, message: String) -> FabricError {
    if code == ErrorCode::Auth {
        return FabricError::Auth(format!("{who}: {message}"));
    }
    let message = if message.starts_with("memnode ") {
        message
    } else {
        format!("{who}: {message}")
    };
    FabricError::Remote { code, message }
}

impl Client {
    /// Runs the handshake over `t`.
    pub fn connect(
        t: Box<dyn Transport>,
        token: &Token,
        tenant: TenantId,
        role: Role,
    ) -> Result<Client, FabricError> {
        let who = who(t.as_ref());
        let nonce = auth::nonce().map_err(FabricError::Protocol)?;
        let mut c = Client {
            t,
            info: NodeInfo {
                name: String::new(),
                capacity: 0,
                used: 0,
                region_bytes_max: 0,
            },
            tenant,
            role,
            counters: Arc::new(Counters::new()),
            broken: None,
            pending: None,
            pending_call: None,
            buf: Vec::new(),
        };
        let hello = Msg::Hello {
            magic: MAGIC,
            version: VERSION,
            tenant,
            role,
            nonce,
        };
        let server_nonce = match c.exchange(&hello, Purpose::Control)? {
            Msg::Challenge { version, nonce: sn } if version == VERSION => sn,
            Msg::Challenge { version, .. } => {
                return Err(FabricError::Protocol(format!(
                    "{who}: speaks protocol version {version}, this VM speaks {VERSION}"
                )))
            }
            Msg::Error { code, message } => return Err(remote(&who, code, message)),
            other => {
                return Err(FabricError::Protocol(format!(
                    "{who}: answered Hello with {}",
                    other.name()
                )))
            }
        };
        let mac = auth::mac(token, AUTH_LABEL, &nonce, &server_nonce, tenant, role)
            .ok_or_else(|| FabricError::Auth(format!("{who}: cannot compute the token proof")))?;
        match c.exchange(&Msg::Auth { mac }, Purpose::Control)? {
            Msg::Welcome { mac, info } => {
                if !auth::verify(
                    token,
                    WELCOME_LABEL,
                    &nonce,
                    &server_nonce,
                    tenant,
                    role,
                    &mac,
                ) {
                    c.broken = Some("handshake failed".into());
                    return Err(FabricError::Auth(format!(
                        "{who}: the memnode could not prove it knows the token (wrong token on one side?)"
                    )));
                }
                c.info = info;
                Ok(c)
            }
            Msg::Error {
                code: ErrorCode::Auth,
                ..
            } => Err(FabricError::Auth(format!(
                "{who}: authentication failed (wrong token?)"
            ))),
            Msg::Error { code, message } => Err(remote(&who, code, message)),
            other => Err(FabricError::Protocol(format!(
                "{who}: answered Auth with {}",
                other.name()
            ))),
        }
    }

    /// What the memnode said about itself in `Welcome`.
    pub fn info(&self) -> &NodeInfo {
        &self.info
    }

    pub fn peer(&self) -> String {
        self.t.peer()
    }

    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    pub fn role(&self) -> Role {
        self.role
    }

    fn who(&self) -> String {
        who(self.t.as_ref())
    }

    fn check(&self) -> Result<(), FabricError> {
        match &self.broken {
            Some(why) => Err(FabricError::Closed(format!(
                "{}: connection closed ({why})",
                self.who()
            ))),
            None => Ok(()),
        }
    }

    /// No request may be in flight.
    fn check_idle(&self) -> Result<(), FabricError> {
        if self.pending.is_some() || self.pending_call.is_some() {
            return Err(FabricError::Protocol(format!(
                "{}: a request is pending",
                self.who()
            )));
        }
        Ok(())
    }

    /// Remembers a transport failure: the connection is unusable afterwards.
    fn poison<T>(&mut self, r: Result<T, FabricError>) -> Result<T, FabricError> {
        if let Err(e) = &r {
            if !matches!(e, FabricError::Remote { .. }) {
                self.broken = Some(e.to_string());
            }
        }
        r
    }

    /// Encodes and sends `req`, counting it under `purpose`.
    fn send_request(&mut self, req: &Msg, purpose: Purpose) -> Result<(), FabricError> {
        self.check()?;
        self.check_idle()?;
        self.buf.clear();
        req.encode(&mut self.buf);
        if self.buf.len() > MAX_FRAME + 4 {
            return Err(FabricError::Protocol(format!(
                "{}: request of {} bytes exceeds the frame limit of {MAX_FRAME}",
                self.who(),
                self.buf.len()
            )));
        }
        let r = self.t.send(&self.buf);
        self.poison(r)?;
        self.counters.sent(purpose, self.buf.len());
        Ok(())
    }

    /// Receives and decodes the reply to a request sent under `purpose`.
    fn recv_reply(&mut self, purpose: Purpose) -> Result<Msg, FabricError> {
        let r = self.t.recv();
        let body = self.poison(r)?;
        self.counters.received(purpose, body.len() + 4);
        self.counters.round_trip(purpose);
        let r = Msg::decode(&body)
            .map_err(|e| FabricError::Protocol(format!("{}: bad reply: {e}", self.who())));
        self.poison(r)
    }

    /// One request, one reply, decoded; `Error` replies are returned as messages.
    fn exchange(&mut self, req: &Msg, purpose: Purpose) -> Result<Msg, FabricError> {
        self.send_request(req, purpose)?;
        self.recv_reply(purpose)
    }

    /// An `Error` reply as `FabricError::Remote` (`FabricError::Auth` for
    /// `ErrorCode::Auth`).
    fn reply(&self, m: Msg) -> Result<Msg, FabricError> {
        match m {
            Msg::Error { code, message } => Err(remote(&self.who(), code, message)),
            m => Ok(m),
        }
    }

    /// One request, one reply. An `Error` reply becomes `FabricError::Remote`
    /// (`FabricError::Auth` for `ErrorCode::Auth`).
    pub fn call(&mut self, req: &Msg, purpose: Purpose) -> Result<Msg, FabricError> {
        let m = self.exchange(req, purpose)?;
        self.reply(m)
    }

    /// The first half of [`Client::call`]: sends the request. Lets a caller
    /// with several memnodes send every request before waiting for any reply.
    /// Until [`Client::finish_call`], no other request may be sent.
    pub fn start_call(&mut self, req: &Msg, purpose: Purpose) -> Result<(), FabricError> {
        self.send_request(req, purpose)?;
        self.pending_call = Some(purpose);
        Ok(())
    }

    /// The second half of [`Client::call`]: waits for the reply. An `Error`
    /// reply becomes `FabricError::Remote`.
    pub fn finish_call(&mut self) -> Result<Msg, FabricError> {
        let Some(purpose) = self.pending_call.take() else {
            return Err(FabricError::Protocol(format!(
                "{}: no request is pending",
                self.who()
            )));
        };
        let m = self.recv_reply(purpose)?;
        self.reply(m)
    }

    /// `PageIo` → `PageData` in one round trip: stores `writes`, then appends
    /// the bytes of `reads` to `out`, in order. The request's write part counts
    /// as `WriteBack` (`GcWriteBack` when `gc`), its read part and the reply as
    /// `Fetch` (`GcFetch`); the round trip counts as `Fetch` if anything is
    /// read, else `WriteBack`.
    pub fn page_io(
        &mut self,
        writes: &[(PageRef, &[u8])],
        reads: &[PageRef],
        out: &mut Vec<u8>,
        gc: bool,
    ) -> Result<(), FabricError> {
        self.start_page_io(writes, reads, gc)?;
        self.finish_page_io(out)
    }

    /// The first half of [`Client::page_io`]: sends the request. Lets a caller
    /// with several memnodes send every request before waiting for any reply.
    /// Until [`Client::finish_page_io`], no other request may be sent.
    pub fn start_page_io(
        &mut self,
        writes: &[(PageRef, &[u8])],
        reads: &[PageRef],
        gc: bool,
    ) -> Result<(), FabricError> {
        self.check()?;
        self.check_idle()?;
        let (fetch, wb) = if gc {
            (Purpose::GcFetch, Purpose::GcWriteBack)
        } else {
            (Purpose::Fetch, Purpose::WriteBack)
        };
        self.buf.clear();
        Msg::encode_page_io(&mut self.buf, writes, reads);
        if self.buf.len() > MAX_FRAME + 4 {
            return Err(FabricError::Protocol(format!(
                "{}: request of {} bytes exceeds the frame limit of {MAX_FRAME}",
                self.who(),
                self.buf.len()
            )));
        }
        let read_part = 4 + 12 * reads.len();
        let main = if reads.is_empty() { wb } else { fetch };
        let expect: u64 = reads.iter().map(|p| u64::from(p.len)).sum();
        let r = self.t.send(&self.buf);
        self.poison(r)?;
        if writes.is_empty() || reads.is_empty() {
            self.counters.sent(main, self.buf.len());
        } else {
            self.counters.sent(wb, self.buf.len() - read_part);
            self.counters.add_bytes(fetch, read_part, 0);
        }
        self.pending = Some((expect, main));
        Ok(())
    }

    /// The second half of [`Client::page_io`]: waits for the `PageData` and
    /// appends it to `out`.
    pub fn finish_page_io(&mut self, out: &mut Vec<u8>) -> Result<(), FabricError> {
        let Some((expect, main)) = self.pending.take() else {
            return Err(FabricError::Protocol(format!(
                "{}: no PageIo is pending",
                self.who()
            )));
        };
        let r = self.t.recv();
        let body = self.poison(r)?;
        self.counters.received(main, body.len() + 4);
        self.counters.round_trip(main);
        if body.first() == Some(&ty::PAGE_DATA) && body.len() >= 5 {
            let n = u32::from_le_bytes([body[1], body[2], body[3], body[4]]) as u64;
            let data = &body[5..];
            if n == data.len() as u64 && n == expect {
                out.extend_from_slice(data);
                return Ok(());
            }
            let r = Err(FabricError::Protocol(format!(
                "{}: page data of {} bytes for reads of {expect} bytes",
                self.who(),
                data.len()
            )));
            return self.poison(r);
        }
        let r = match Msg::decode(&body) {
            Ok(Msg::Error { code, message }) => Err(remote(&self.who(), code, message)),
            Ok(other) => Err(FabricError::Protocol(format!(
                "{}: answered PageIo with {}",
                self.who(),
                other.name()
            ))),
            Err(e) => Err(FabricError::Protocol(format!(
                "{}: bad reply: {e}",
                self.who()
            ))),
        };
        self.poison(r)
    }

    /// Traffic of this connection so far.
    pub fn counters(&self) -> CounterSnapshot {
        self.counters.snapshot()
    }

    /// The live counters (to read them from another thread).
    pub fn counters_handle(&self) -> Arc<Counters> {
        self.counters.clone()
    }
}
