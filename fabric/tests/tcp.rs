//! The TCP transport and accept loop end to end on 127.0.0.1:0.

mod common;

use common::{Mock, MockService};
use semeru_fabric::proto::frame_body;
use semeru_fabric::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn start(mock: &Arc<Mock>, token: Token) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let svc: Arc<dyn Service> = Arc::new(MockService(mock.clone()));
    std::thread::spawn(move || serve_tcp(l, svc, Arc::new(token)));
    addr
}

fn connect(addr: &str, token: &Token, tenant: TenantId, role: Role) -> Result<Client, FabricError> {
    let t = TcpTransport::connect(addr, Duration::from_secs(2))?;
    Client::connect(Box::new(t), token, tenant, role)
}

fn wait_for(mut f: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !f() {
        assert!(t0.elapsed() < Duration::from_secs(5), "timed out waiting");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn end_to_end_over_tcp() {
    let mock = Mock::new(64 << 20);
    let tok = Token::new(b"s3cret".to_vec());
    let addr = start(&mock, tok.clone());
    let mut ctl = connect(&addr, &tok, 11, Role::Control).unwrap();
    let mut data = connect(&addr, &tok, 11, Role::Data).unwrap();
    assert_eq!(ctl.peer(), addr);
    assert_eq!(ctl.info().name, "mock");
    assert_eq!(
        ctl.call(
            &Msg::AllocRegion {
                region: 2,
                bytes: 1 << 20
            },
            Purpose::Control
        )
        .unwrap(),
        Msg::Ok
    );
    // A batch of pages larger than the socket buffers.
    let pages: Vec<Vec<u8>> = (0..64u8).map(|i| vec![i; 4096]).collect();
    let writes: Vec<(PageRef, &[u8])> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                PageRef {
                    region: 2,
                    offset: i as u32 * 4096,
                    len: 4096,
                },
                &p[..],
            )
        })
        .collect();
    let reads: Vec<PageRef> = writes.iter().rev().map(|w| w.0).collect();
    let mut out = Vec::new();
    data.page_io(&writes, &reads, &mut out, false).unwrap();
    assert_eq!(out.len(), 64 * 4096);
    for (i, chunk) in out.chunks(4096).enumerate() {
        assert!(chunk.iter().all(|&b| b == 63 - i as u8));
    }
    let s = data.counters();
    assert_eq!(s.round_trips(Purpose::Fetch), 1);
    assert!(s.bytes_received[Purpose::Fetch.index()] >= 64 * 4096);
    assert!(s.bytes_sent[Purpose::WriteBack.index()] >= 64 * 4096);
    match ctl.call(&Msg::GetStatus, Purpose::Control).unwrap() {
        Msg::Status(st) => assert_eq!(st.name, "mock"),
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.open_sessions.load(Ordering::SeqCst), 2);
    drop(data);
    drop(ctl);
    wait_for(|| mock.open_sessions.load(Ordering::SeqCst) == 0);
}

#[test]
fn wrong_token_over_tcp() {
    let mock = Mock::new(1 << 20);
    let addr = start(&mock, Token::new(b"right".to_vec()));
    let err = connect(&addr, &Token::new(b"wrong".to_vec()), 1, Role::Data).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("memnode {addr}: authentication failed (wrong token?)")
    );
    wait_for(|| mock.rejected.load(Ordering::SeqCst) == 1);
    assert_eq!(mock.opened.load(Ordering::SeqCst), 0);
    assert!(mock.handled().is_empty());
}

fn raw(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// Reads one reply frame, then expects the server to have closed.
fn reply_then_eof(s: &mut TcpStream) -> Msg {
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    Msg::decode(frame_body(&all).unwrap()).unwrap()
}

#[test]
fn oversized_frames_are_refused_before_allocation() {
    let mock = Mock::new(1 << 20);
    let addr = start(&mock, Token::empty());
    // Before the handshake: the limit is small.
    let mut s = raw(&addr);
    s.write_all(&(1u32 << 20).to_le_bytes()).unwrap();
    match reply_then_eof(&mut s) {
        Msg::Error { code, message } => {
            assert_eq!(code, ErrorCode::Malformed);
            assert!(message.contains("exceeds the limit"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // Anything above MAX_FRAME at any time.
    let mut s = raw(&addr);
    s.write_all(&u32::MAX.to_le_bytes()).unwrap();
    assert!(matches!(
        reply_then_eof(&mut s),
        Msg::Error {
            code: ErrorCode::Malformed,
            ..
        }
    ));
    wait_for(|| mock.rejected.load(Ordering::SeqCst) == 2);
}

#[test]
fn garbage_and_wrong_versions_over_tcp() {
    let mock = Mock::new(1 << 20);
    let addr = start(&mock, Token::empty());
    let cases: Vec<(Vec<u8>, ErrorCode)> = vec![
        (vec![3, 0, 0, 0, 200, 1, 2], ErrorCode::UnknownType),
        (vec![2, 0, 0, 0, 1, 1], ErrorCode::Malformed),
        (
            Msg::Hello {
                magic: MAGIC,
                version: 9,
                tenant: 1,
                role: Role::Data,
                nonce: [0; 32],
            }
            .to_frame(),
            ErrorCode::Version,
        ),
        (
            Msg::Hello {
                magic: *b"HTTP",
                version: VERSION,
                tenant: 1,
                role: Role::Data,
                nonce: [0; 32],
            }
            .to_frame(),
            ErrorCode::Malformed,
        ),
    ];
    for (bytes, code) in cases {
        let mut s = raw(&addr);
        s.write_all(&bytes).unwrap();
        match reply_then_eof(&mut s) {
            Msg::Error { code: c, .. } => assert_eq!(c, code),
            other => panic!("{other:?}"),
        }
    }
    // A truncated frame followed by a close: nothing to answer, no crash.
    let mut s = raw(&addr);
    s.write_all(&[50, 0, 0, 0, 1, 2]).unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    // The server still serves.
    let mut c = connect(&addr, &Token::empty(), 3, Role::Control).unwrap();
    assert_eq!(c.call(&Msg::Ping, Purpose::Control).unwrap(), Msg::Ok);
}

#[test]
fn a_silent_peer_times_out_with_a_clear_message() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let hold = std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        std::thread::sleep(Duration::from_secs(2));
        drop(s);
    });
    let mut t = TcpTransport::connect(&addr, Duration::from_secs(1)).unwrap();
    t.set_timeout(Some(Duration::from_millis(200))).unwrap();
    let t0 = Instant::now();
    let err = Client::connect(Box::new(t), &Token::empty(), 1, Role::Data).unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(2));
    assert!(matches!(err, FabricError::Timeout(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("memnode {addr}: no reply within 0.2 s")
    );
    hold.join().unwrap();
}

#[test]
fn a_dead_peer_is_a_clear_error() {
    // Nothing listens: connect fails at once.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    drop(l);
    let err = TcpTransport::connect(&addr, Duration::from_secs(1))
        .map(|_| ())
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("memnode {addr}: cannot connect")),
        "{err}"
    );

    // A server that dies mid-session: the next call says the connection closed.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let mock = Mock::new(1 << 20);
    let svc: Arc<dyn Service> = Arc::new(MockService(mock.clone()));
    let server = std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut conn = ServerConn::new(svc, Arc::new(Token::empty()));
        let mut r = s.try_clone().unwrap();
        let mut w = s;
        // Serve the two handshake frames only, then die.
        for _ in 0..2 {
            let body = semeru_fabric::transport::read_frame(&mut r, MAX_FRAME).unwrap();
            let (reply, _) = conn.on_frame(&body);
            w.write_all(&reply).unwrap();
        }
    });
    let mut c = connect(&addr, &Token::empty(), 1, Role::Control).unwrap();
    server.join().unwrap();
    let err = c.call(&Msg::Ping, Purpose::Control).unwrap_err();
    assert!(matches!(err, FabricError::Closed(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("memnode {addr}: connection closed")),
        "{err}"
    );
    // The client stays closed.
    assert!(matches!(
        c.call(&Msg::Ping, Purpose::Control),
        Err(FabricError::Closed(_))
    ));
}
