//! Links between memnodes: a memnode marking for tenant T opens a peer
//! connection (`Role::Peer`, same token handshake) to another memnode of T to
//! send it marking refs and to pull its forwarding table.
//!
//! How the links are made is pluggable ([`PeerConnector`]): TCP for daemons
//! ([`TcpPeers`]), in-process for memnodes embedded in one VM
//! ([`InprocPeers`]). Peer names are what the VM calls its memnodes
//! (`embedded#0`, or the `HOST:PORT` the user gave).

use crate::node::{lock, Memnode};
use semeru_fabric::proto::mark_kind;
use semeru_fabric::{
    inproc, Client, Msg, Purpose, Role, Service, TcpTransport, TenantId, Token, Transport,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// How long a peer connection may take to open.
pub const PEER_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens transports to other memnodes.
pub trait PeerConnector: Send + Sync {
    /// A transport to memnode `peer` for tenant `tenant` (the handshake, with
    /// [`PeerConnector::token`], follows on it).
    fn connect(&self, peer: &str, tenant: TenantId) -> Result<Box<dyn Transport>, String>;
    /// The token proven on peer links (contract addition: the memnode runs
    /// the handshake itself). Empty by default.
    fn token(&self) -> Token {
        Token::empty()
    }
}

/// TCP links to memnode daemons, authenticated with the daemons' shared token.
pub struct TcpPeers {
    pub token: Token,
}

impl PeerConnector for TcpPeers {
    fn connect(&self, peer: &str, _tenant: TenantId) -> Result<Box<dyn Transport>, String> {
        TcpTransport::connect(peer, PEER_CONNECT_TIMEOUT)
            .map(|t| Box::new(t) as Box<dyn Transport>)
            .map_err(|e| e.to_string())
    }

    fn token(&self) -> Token {
        self.token.clone()
    }
}

/// In-process links between memnodes embedded in one process, by name.
pub struct InprocPeers {
    token: Arc<Token>,
    nodes: Mutex<HashMap<String, Weak<Memnode>>>,
}

impl Default for InprocPeers {
    fn default() -> Self {
        InprocPeers::new()
    }
}

impl InprocPeers {
    pub fn new() -> InprocPeers {
        InprocPeers {
            token: Arc::new(Token::new(b"semeru-inproc-peers".to_vec())),
            nodes: Mutex::new(HashMap::new()),
        }
    }

    /// Makes `node` reachable as `name` (e.g. `embedded#0`).
    pub fn register(&self, name: &str, node: &Arc<Memnode>) {
        lock(&self.nodes).insert(name.to_string(), Arc::downgrade(node));
    }

    /// A registry of `nodes`, named `embedded#0`, `embedded#1`, …, installed
    /// as every one's peer connector.
    pub fn install(nodes: &[Arc<Memnode>]) -> Arc<InprocPeers> {
        let peers = Arc::new(InprocPeers::new());
        for (i, n) in nodes.iter().enumerate() {
            peers.register(&format!("embedded#{i}"), n);
        }
        for n in nodes {
            n.set_peer_connector(peers.clone());
        }
        peers
    }
}

impl PeerConnector for InprocPeers {
    fn connect(&self, peer: &str, _tenant: TenantId) -> Result<Box<dyn Transport>, String> {
        let node = lock(&self.nodes)
            .get(peer)
            .and_then(Weak::upgrade)
            .ok_or_else(|| format!("no embedded memnode named {peer}"))?;
        let svc: Arc<dyn Service> = node;
        Ok(inproc(svc, self.token.clone(), peer.to_string()))
    }

    fn token(&self) -> Token {
        (*self.token).clone()
    }
}

/// One open peer link.
pub(crate) trait Link: Send {
    /// `MarkRefs kind=peer`, answered `Ok` once the peer queued them; the
    /// bytes of the frame sent.
    fn mark_refs(&mut self, cycle: u32, refs: &[u32]) -> Result<u64, String>;
    /// `GetForwarding`.
    fn get_forwarding(&mut self, cycle: u32) -> Result<Vec<(u32, u32)>, String>;
}

/// Opens a peer link for `tenant` to `peer`.
pub(crate) fn connect(
    connector: Option<&dyn PeerConnector>,
    peer: &str,
    tenant: TenantId,
) -> Result<Box<dyn Link>, String> {
    let c = connector.ok_or_else(|| "this memnode has no peer connector".to_string())?;
    let t = c.connect(peer, tenant)?;
    let client = handshake(t, &c.token(), tenant)?;
    Ok(Box::new(ClientLink { client }))
}

struct ClientLink {
    client: Client,
}

fn handshake(t: Box<dyn Transport>, token: &Token, tenant: TenantId) -> Result<Client, String> {
    Client::connect(t, token, tenant, Role::Peer).map_err(|e| e.to_string())
}

impl ClientLink {
    fn call(&mut self, req: &Msg) -> Result<Msg, String> {
        match self.client.call(req, Purpose::PeerMark) {
            Ok(Msg::Error { message, .. }) => Err(message),
            Ok(m) => Ok(m),
            Err(e) => Err(e.to_string()),
        }
    }
}

impl Link for ClientLink {
    fn mark_refs(&mut self, cycle: u32, refs: &[u32]) -> Result<u64, String> {
        // Sorted, the packed refs take fewer bytes (order does not matter).
        let mut refs = refs.to_vec();
        refs.sort_unstable();
        let bytes = semeru_fabric::proto::mark_refs_frame_len(&refs) as u64;
        let req = Msg::MarkRefs {
            cycle,
            kind: mark_kind::PEER,
            refs,
        };
        match self.call(&req)? {
            Msg::Ok => Ok(bytes),
            other => Err(format!("answered MarkRefs with {}", other.name())),
        }
    }

    fn get_forwarding(&mut self, cycle: u32) -> Result<Vec<(u32, u32)>, String> {
        match self.call(&Msg::GetForwarding { cycle })? {
            Msg::Forwarding { pairs } => Ok(pairs),
            other => Err(format!("answered GetForwarding with {}", other.name())),
        }
    }
}
