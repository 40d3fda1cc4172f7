//! The handshake's secret: the token, nonces and HMAC-SHA256 proofs.
//!
//! The client proves the token with `HMAC-SHA256(token, "semeru-auth-v1" ‖
//! client_nonce ‖ server_nonce ‖ tenant LE ‖ role byte)`, the server answers with
//! the same MAC over `"semeru-welcome-v1"` (mutual proof). The token itself never
//! travels. MACs are compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;

use crate::proto::{Role, TenantId};

type HmacSha256 = Hmac<Sha256>;

/// Domain separation of the client's proof.
pub const AUTH_LABEL: &[u8] = b"semeru-auth-v1";
/// Domain separation of the server's proof.
pub const WELCOME_LABEL: &[u8] = b"semeru-welcome-v1";

/// The shared secret. An empty token lets any peer that knows the protocol in.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Vec<u8>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Token({} bytes)", self.0.len())
    }
}

impl Token {
    pub fn new(bytes: Vec<u8>) -> Token {
        Token(bytes)
    }

    pub fn empty() -> Token {
        Token(Vec::new())
    }

    /// The bytes of the file with trailing whitespace trimmed.
    pub fn from_file(path: impl AsRef<Path>) -> std::io::Result<Token> {
        let mut b = std::fs::read(path)?;
        while b.last().is_some_and(|c| c.is_ascii_whitespace()) {
            b.pop();
        }
        Ok(Token(b))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn keyed(&self) -> Option<HmacSha256> {
        // HMAC accepts keys of any length; the error case cannot happen.
        <HmacSha256 as Mac>::new_from_slice(&self.0).ok()
    }
}

fn feed(
    m: &mut HmacSha256,
    label: &[u8],
    client_nonce: &[u8; 32],
    server_nonce: &[u8; 32],
    tenant: TenantId,
    role: Role,
) {
    m.update(label);
    m.update(client_nonce);
    m.update(server_nonce);
    m.update(&tenant.to_le_bytes());
    m.update(&[role.to_byte()]);
}

/// The proof for `label` (`AUTH_LABEL` or `WELCOME_LABEL`).
pub fn mac(
    token: &Token,
    label: &[u8],
    client_nonce: &[u8; 32],
    server_nonce: &[u8; 32],
    tenant: TenantId,
    role: Role,
) -> Option<[u8; 32]> {
    let mut m = token.keyed()?;
    feed(&mut m, label, client_nonce, server_nonce, tenant, role);
    Some(m.finalize().into_bytes().into())
}

/// Checks a proof in constant time.
pub fn verify(
    token: &Token,
    label: &[u8],
    client_nonce: &[u8; 32],
    server_nonce: &[u8; 32],
    tenant: TenantId,
    role: Role,
    got: &[u8; 32],
) -> bool {
    let Some(mut m) = token.keyed() else {
        return false;
    };
    feed(&mut m, label, client_nonce, server_nonce, tenant, role);
    m.verify_slice(got).is_ok()
}

/// 32 random bytes from the OS.
pub fn nonce() -> Result<[u8; 32], String> {
    let mut n = [0u8; 32];
    getrandom::fill(&mut n).map_err(|e| format!("no randomness from the OS: {e}"))?;
    Ok(n)
}

/// A random tenant id (never 0).
pub fn random_tenant() -> Result<TenantId, String> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| format!("no randomness from the OS: {e}"))?;
    Ok(u64::from_le_bytes(b).max(1))
}
