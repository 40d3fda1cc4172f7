//! The server state machine, the handshake (real and scripted), bad frames
//! before and after it, and the counters.

mod common;

use common::{Mock, MockService};
use semeru_fabric::auth::{self, AUTH_LABEL, WELCOME_LABEL};
use semeru_fabric::proto::frame_body;
use semeru_fabric::*;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn service(m: &Arc<Mock>) -> Arc<dyn Service> {
    Arc::new(MockService(m.clone()))
}

fn hello(tenant: TenantId, role: Role) -> Msg {
    Msg::Hello {
        magic: MAGIC,
        version: VERSION,
        tenant,
        role,
        nonce: [3; 32],
    }
}

fn reply(frame: &[u8]) -> Msg {
    Msg::decode(frame_body(frame).unwrap()).unwrap()
}

fn feed(conn: &mut ServerConn, m: &Msg) -> (Msg, bool) {
    let f = m.to_frame();
    let (r, close) = conn.on_frame(&f[4..]);
    (reply(&r), close)
}

fn code_of(m: &Msg) -> ErrorCode {
    match m {
        Msg::Error { code, .. } => *code,
        other => panic!("expected an Error, got {other:?}"),
    }
}

/// Drives a ServerConn through the handshake by hand; returns it open.
fn open_conn(mock: &Arc<Mock>, token: &Token, tenant: TenantId, role: Role) -> ServerConn {
    let mut conn = ServerConn::new(service(mock), Arc::new(token.clone()));
    let (ch, close) = feed(&mut conn, &hello(tenant, role));
    assert!(!close);
    let Msg::Challenge { nonce: sn, .. } = ch else {
        panic!("{ch:?}")
    };
    let mac = auth::mac(token, AUTH_LABEL, &[3; 32], &sn, tenant, role).unwrap();
    let (w, close) = feed(&mut conn, &Msg::Auth { mac });
    assert!(!close);
    let Msg::Welcome { mac, info } = w else {
        panic!("{w:?}")
    };
    assert!(auth::verify(
        token,
        WELCOME_LABEL,
        &[3; 32],
        &sn,
        tenant,
        role,
        &mac
    ));
    assert_eq!(info.name, "mock");
    assert!(conn.is_open());
    conn
}

#[test]
fn handshake_by_hand_then_requests() {
    let mock = Mock::new(1 << 20);
    let token = Token::new(b"secret".to_vec());
    let mut conn = open_conn(&mock, &token, 7, Role::Control);
    assert_eq!(mock.open_sessions.load(Ordering::SeqCst), 1);
    assert_eq!(feed(&mut conn, &Msg::Ping), (Msg::Ok, false));
    // Capacity errors keep the connection open.
    let (r, close) = feed(
        &mut conn,
        &Msg::AllocRegion {
            region: 1,
            bytes: 2 << 20,
        },
    );
    assert_eq!((code_of(&r), close), (ErrorCode::Capacity, false));
    assert!(conn.is_open());
    // Other session errors close it and drop the session.
    let (r, close) = feed(&mut conn, &Msg::ReleaseRegions { regions: vec![] });
    assert_eq!(r, Msg::Ok);
    assert!(!close);
    let (r, close) = feed(&mut conn, &Msg::PageData { data: vec![] });
    assert_eq!((code_of(&r), close), (ErrorCode::State, true));
    assert_eq!(mock.open_sessions.load(Ordering::SeqCst), 0);
    // Anything after the close is refused.
    let (r, close) = feed(&mut conn, &Msg::Ping);
    assert_eq!((code_of(&r), close), (ErrorCode::State, true));
}

#[test]
fn handshake_messages_after_welcome_close() {
    let mock = Mock::new(1 << 20);
    let mut conn = open_conn(&mock, &Token::empty(), 7, Role::Data);
    let (r, close) = feed(&mut conn, &hello(7, Role::Data));
    assert_eq!((code_of(&r), close), (ErrorCode::State, true));
    assert_eq!(mock.open_sessions.load(Ordering::SeqCst), 0);
    assert!(mock.handled().is_empty());
}

#[test]
fn bad_frames_before_the_handshake_are_rejected_and_closed() {
    let mock = Mock::new(1 << 20);
    let cases: Vec<(Vec<u8>, ErrorCode)> = vec![
        (vec![], ErrorCode::Malformed),
        (vec![99, 1, 2], ErrorCode::UnknownType),
        (
            hello(1, Role::Data).to_frame()[4..20].to_vec(),
            ErrorCode::Malformed,
        ),
        (
            Msg::Hello {
                magic: *b"JAVA",
                version: VERSION,
                tenant: 1,
                role: Role::Data,
                nonce: [0; 32],
            }
            .to_frame()[4..]
                .to_vec(),
            ErrorCode::Malformed,
        ),
        (
            Msg::Hello {
                magic: MAGIC,
                version: VERSION + 1,
                tenant: 1,
                role: Role::Data,
                nonce: [0; 32],
            }
            .to_frame()[4..]
                .to_vec(),
            ErrorCode::Version,
        ),
        (Msg::Ping.to_frame()[4..].to_vec(), ErrorCode::State),
        (
            Msg::PageIo {
                writes: vec![],
                reads: vec![PageRef {
                    region: 0,
                    offset: 0,
                    len: 8,
                }],
            }
            .to_frame()[4..]
                .to_vec(),
            ErrorCode::State,
        ),
    ];
    let n = cases.len();
    for (body, want) in cases {
        let mut conn = ServerConn::new(service(&mock), Arc::new(Token::empty()));
        let (r, close) = conn.on_frame(&body);
        assert_eq!(code_of(&reply(&r)), want, "{body:?}");
        assert!(close);
        assert!(conn.is_closed());
    }
    assert_eq!(mock.rejected.load(Ordering::SeqCst), n);
    assert_eq!(mock.opened.load(Ordering::SeqCst), 0);
    assert!(mock.handled().is_empty());
}

#[test]
fn bad_frames_after_the_handshake_close() {
    let mock = Mock::new(1 << 20);
    for body in [vec![], vec![77u8], vec![proto::ty::PAGE_IO, 1, 0]] {
        let mut conn = open_conn(&mock, &Token::empty(), 1, Role::Data);
        let (r, close) = conn.on_frame(&body);
        assert!(matches!(reply(&r), Msg::Error { .. }));
        assert!(close);
    }
    assert_eq!(mock.open_sessions.load(Ordering::SeqCst), 0);
    assert_eq!(mock.rejected.load(Ordering::SeqCst), 0);
    assert!(mock.handled().is_empty());
}

#[test]
fn open_refused_by_the_service() {
    let mock = Mock::new(1 << 20);
    let err = Client::connect(
        inproc(
            service(&mock),
            Arc::new(Token::empty()),
            "embedded#0".into(),
        ),
        &Token::empty(),
        666,
        Role::Data,
    )
    .unwrap_err();
    assert!(err.to_string().contains("banned"), "{err}");
}

#[test]
fn wrong_token_is_rejected_and_never_reaches_the_session() {
    let mock = Mock::new(1 << 20);
    let server_token = Arc::new(Token::new(b"right".to_vec()));
    let t = inproc(service(&mock), server_token.clone(), "embedded#0".into());
    let err = Client::connect(t, &Token::new(b"wrong".to_vec()), 5, Role::Data).unwrap_err();
    assert!(matches!(err, FabricError::Auth(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "memnode embedded#0: authentication failed (wrong token?)"
    );
    assert_eq!(mock.rejected.load(Ordering::SeqCst), 1);
    assert_eq!(mock.opened.load(Ordering::SeqCst), 0);

    // A peer that ignores the rejection and sends PageIo anyway gets nothing.
    let mut conn = ServerConn::new(service(&mock), server_token);
    let (ch, _) = feed(&mut conn, &hello(5, Role::Data));
    let Msg::Challenge { nonce: sn, .. } = ch else {
        panic!()
    };
    let mac = auth::mac(
        &Token::new(b"wrong".to_vec()),
        AUTH_LABEL,
        &[3; 32],
        &sn,
        5,
        Role::Data,
    )
    .unwrap();
    let (r, close) = feed(&mut conn, &Msg::Auth { mac });
    assert_eq!((code_of(&r), close), (ErrorCode::Auth, true));
    let io = Msg::PageIo {
        writes: vec![],
        reads: vec![PageRef {
            region: 0,
            offset: 0,
            len: 4096,
        }],
    };
    let (r, close) = feed(&mut conn, &io);
    assert_eq!((code_of(&r), close), (ErrorCode::State, true));
    assert!(mock.handled().is_empty());
    assert_eq!(mock.opened.load(Ordering::SeqCst), 0);

    // An empty-token client against a token server is rejected too.
    let t = inproc(
        service(&mock),
        Arc::new(Token::new(b"right".to_vec())),
        "e".into(),
    );
    assert!(matches!(
        Client::connect(t, &Token::empty(), 5, Role::Data),
        Err(FabricError::Auth(_))
    ));
    assert!(mock.handled().is_empty());
}

/// A transport that plays a scripted server: each reply is computed from the
/// frames the client sent so far.
type Step = Box<dyn FnMut(&[Msg]) -> Vec<u8> + Send>;

struct Scripted {
    sent: Vec<Msg>,
    script: VecDeque<Step>,
    replies: VecDeque<Vec<u8>>,
}

impl Transport for Scripted {
    fn send(&mut self, frame: &[u8]) -> Result<(), FabricError> {
        self.sent
            .push(Msg::decode(frame_body(frame).unwrap()).unwrap());
        let mut step = self.script.pop_front().expect("unscripted send");
        let r = step(&self.sent);
        self.replies.push_back(r);
        Ok(())
    }
    fn recv(&mut self) -> Result<Vec<u8>, FabricError> {
        match self.replies.pop_front() {
            Some(b) => Ok(b),
            None => Err(FabricError::Closed(
                "memnode scripted: connection closed".into(),
            )),
        }
    }
    fn peer(&self) -> String {
        "scripted".into()
    }
}

fn scripted_server(token: Token, welcome_token: Token) -> Scripted {
    let sn = [0x5A; 32];
    let hello_nonce = |sent: &[Msg]| match &sent[0] {
        Msg::Hello {
            magic,
            version,
            tenant,
            role,
            nonce,
        } => {
            assert_eq!((*magic, *version), (MAGIC, VERSION));
            (*nonce, *tenant, *role)
        }
        other => panic!("{other:?}"),
    };
    let mut script: VecDeque<Step> = VecDeque::new();
    script.push_back(Box::new(move |_| {
        Msg::Challenge {
            version: VERSION,
            nonce: sn,
        }
        .to_frame()[4..]
            .to_vec()
    }));
    script.push_back(Box::new(move |sent| {
        let (cn, tenant, role) = hello_nonce(sent);
        let Msg::Auth { mac } = &sent[1] else {
            panic!()
        };
        if !auth::verify(&token, AUTH_LABEL, &cn, &sn, tenant, role, mac) {
            return Msg::Error {
                code: ErrorCode::Auth,
                message: "no".into(),
            }
            .to_frame()[4..]
                .to_vec();
        }
        let mac = auth::mac(&welcome_token, WELCOME_LABEL, &cn, &sn, tenant, role).unwrap();
        Msg::Welcome {
            mac,
            info: NodeInfo {
                name: "scripted".into(),
                capacity: 10,
                used: 1,
                region_bytes_max: 4096,
            },
        }
        .to_frame()[4..]
            .to_vec()
    }));
    script.push_back(Box::new(|_| Msg::Ok.to_frame()[4..].to_vec()));
    Scripted {
        sent: vec![],
        script,
        replies: VecDeque::new(),
    }
}

#[test]
fn peer_role_handshake_and_what_the_service_allows() {
    let mock = Mock::new(1 << 20);
    let token = Token::new(b"secret".to_vec());
    let mut conn = open_conn(&mock, &token, 7, Role::Peer);
    let refs = Msg::MarkRefs {
        cycle: 3,
        kind: proto::mark_kind::PEER,
        refs: vec![1, 2, 3],
    };
    assert_eq!(feed(&mut conn, &refs), (Msg::Ok, false));
    let (r, close) = feed(&mut conn, &Msg::GetForwarding { cycle: 4 });
    assert_eq!((code_of(&r), close), (ErrorCode::State, false));
    assert!(conn.is_open());
    // The service refuses what a peer may not send.
    let (r, close) = feed(
        &mut conn,
        &Msg::AllocRegion {
            region: 1,
            bytes: 8,
        },
    );
    assert_eq!((code_of(&r), close), (ErrorCode::State, true));
    assert_eq!(mock.handled().len(), 3);

    // The same over the in-process transport with a real client.
    let tok = Arc::new(token);
    let mut c = Client::connect(
        inproc(service(&mock), tok.clone(), "embedded#1".into()),
        &tok,
        7,
        Role::Peer,
    )
    .unwrap();
    assert_eq!(c.role(), Role::Peer);
    assert_eq!(c.call(&refs, Purpose::PeerMark).unwrap(), Msg::Ok);
    let e = c
        .call(&Msg::GetForwarding { cycle: 4 }, Purpose::PeerMark)
        .unwrap_err();
    assert_eq!(e.remote_code(), Some(ErrorCode::State));
    assert_eq!(c.call(&Msg::Ping, Purpose::PeerMark).unwrap(), Msg::Ok);
    assert!(c.counters().bytes(Purpose::PeerMark) > 0);
}

#[test]
fn split_calls_and_pending_requests() {
    let mock = Mock::new(1 << 20);
    let tok = Arc::new(Token::new(b"t".to_vec()));
    let mut c = Client::connect(
        inproc(service(&mock), tok.clone(), "embedded#0".into()),
        &tok,
        1,
        Role::Control,
    )
    .unwrap();
    assert!(c.finish_call().is_err());
    c.start_call(&Msg::Ping, Purpose::GcControl).unwrap();
    // Nothing else may be sent while a request is pending.
    assert!(c.start_call(&Msg::Ping, Purpose::GcControl).is_err());
    assert!(c.call(&Msg::Ping, Purpose::Control).is_err());
    assert_eq!(c.finish_call().unwrap(), Msg::Ok);
    // An Error reply is a remote error; a soft one keeps the connection.
    c.start_call(&Msg::GetForwarding { cycle: 1 }, Purpose::GcControl)
        .unwrap();
    let e = c.finish_call().unwrap_err();
    assert_eq!(e.remote_code(), Some(ErrorCode::State));
    assert_eq!(c.call(&Msg::Ping, Purpose::Control).unwrap(), Msg::Ok);
    let s = c.counters();
    assert_eq!(s.round_trips(Purpose::GcControl), 2);
    assert_eq!(s.messages(Purpose::GcControl), 4);
}

#[test]
fn handshake_over_a_scripted_transport() {
    let tok = Token::new(b"k".to_vec());
    let t = scripted_server(tok.clone(), tok.clone());
    let mut c = Client::connect(Box::new(t), &tok, 99, Role::Control).unwrap();
    assert_eq!(c.info().capacity, 10);
    assert_eq!(c.peer(), "scripted");
    assert_eq!(c.call(&Msg::Ping, Purpose::Control).unwrap(), Msg::Ok);
    // Handshake (2 round trips) + ping, all Control.
    let s = c.counters();
    assert_eq!(s.round_trips(Purpose::Control), 3);
    assert_eq!(s.messages(Purpose::Control), 6);
}

#[test]
fn a_server_that_cannot_prove_the_token_is_refused() {
    let tok = Token::new(b"k".to_vec());
    // The server accepts the client's proof but signs Welcome with another key
    // (a server that accepts anything without knowing the token).
    let t = scripted_server(tok.clone(), Token::new(b"other".to_vec()));
    let err = Client::connect(Box::new(t), &tok, 99, Role::Control).unwrap_err();
    assert!(matches!(err, FabricError::Auth(_)), "{err:?}");
    assert!(err.to_string().contains("could not prove"), "{err}");
}

#[test]
fn inproc_end_to_end_and_counters() {
    let mock = Mock::new(1 << 20);
    let tok = Arc::new(Token::new(b"t".to_vec()));
    let mut ctl = Client::connect(
        inproc(service(&mock), tok.clone(), "embedded#0".into()),
        &tok,
        1,
        Role::Control,
    )
    .unwrap();
    let mut data = Client::connect(
        inproc(service(&mock), tok.clone(), "embedded#0".into()),
        &tok,
        1,
        Role::Data,
    )
    .unwrap();
    assert_eq!(data.peer(), "embedded#0");
    assert_eq!(
        ctl.call(
            &Msg::AllocRegion {
                region: 4,
                bytes: 8192
            },
            Purpose::Control
        )
        .unwrap(),
        Msg::Ok
    );
    let base = data.counters();
    let p = |offset, len| PageRef {
        region: 4,
        offset,
        len,
    };
    let page = vec![0xAB; 4096];
    let mut out = Vec::new();
    // Write only.
    data.page_io(&[(p(4096, 4096), &page)], &[], &mut out, false)
        .unwrap();
    assert!(out.is_empty());
    // Read only: two ranges, in order.
    data.page_io(&[], &[p(4096, 2), p(0, 3)], &mut out, false)
        .unwrap();
    assert_eq!(out, vec![0xAB, 0xAB, 0, 0, 0]);
    // Both, for the collector.
    out.clear();
    data.page_io(&[(p(0, 4), &[1, 2, 3, 4])], &[p(0, 4)], &mut out, true)
        .unwrap();
    assert_eq!(out, vec![1, 2, 3, 4]);

    let s = data.counters();
    assert_eq!(
        s.round_trips(Purpose::WriteBack) - base.round_trips(Purpose::WriteBack),
        1
    );
    assert_eq!(s.round_trips(Purpose::Fetch), 1);
    assert_eq!(s.round_trips(Purpose::GcFetch), 1);
    assert_eq!(s.round_trips(Purpose::GcWriteBack), 0);
    // The write-only request: 4+1 header, 4 count, 12 ref, 4 len, 4096 bytes, 4 read count;
    // its reply: an empty PageData (4+1+4).
    assert_eq!(
        s.bytes_sent[Purpose::WriteBack.index()],
        5 + 4 + 12 + 4 + 4096 + 4
    );
    assert_eq!(s.bytes_received[Purpose::WriteBack.index()], 9);
    assert_eq!(s.bytes_sent[Purpose::Fetch.index()], 5 + 4 + 4 + 24);
    assert_eq!(s.bytes_received[Purpose::Fetch.index()], 9 + 5);
    assert_eq!(
        s.bytes_sent[Purpose::GcWriteBack.index()],
        5 + 4 + 12 + 4 + 4
    );
    assert_eq!(s.bytes_sent[Purpose::GcFetch.index()], 4 + 12);
    assert_eq!(s.bytes_received[Purpose::GcFetch.index()], 9 + 4);
    assert_eq!(s.messages(Purpose::Fetch), 2);
    assert_eq!(s.bytes(Purpose::Control), base.bytes(Purpose::Control));
    let sum = s + ctl.counters();
    assert_eq!(
        sum.total_round_trips(),
        s.total_round_trips() + ctl.counters().total_round_trips()
    );

    // A bad address closes the data connection; the client then says so.
    let err = data
        .page_io(&[], &[p(8190, 4)], &mut out, false)
        .unwrap_err();
    assert_eq!(err.remote_code(), Some(ErrorCode::BadAddress));
    assert!(err.to_string().starts_with("memnode embedded#0: "), "{err}");
    let err = data.page_io(&[], &[p(0, 4)], &mut out, false).unwrap_err();
    assert!(matches!(err, FabricError::Closed(_)), "{err:?}");
    assert_eq!(err.to_string(), "memnode embedded#0: connection closed");
    // The server saw exactly the frames and bytes the clients counted.
    let all = data.counters() + ctl.counters();
    assert_eq!(
        mock.frames.load(Ordering::SeqCst) as u64 * 2,
        all.total_messages()
    );
    let sent: u64 = all.bytes_sent.iter().sum();
    let received: u64 = all.bytes_received.iter().sum();
    assert_eq!(mock.bytes_in.load(Ordering::SeqCst) as u64, sent);
    assert_eq!(mock.bytes_out.load(Ordering::SeqCst) as u64, received);
    drop(ctl);
    drop(data);
    assert_eq!(mock.open_sessions.load(Ordering::SeqCst), 0);
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn arb_body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..80),
            // Well-formed handshake frames, to get past the first state.
            Just(hello(1, Role::Data).to_frame()[4..].to_vec()),
            any::<[u8; 32]>().prop_map(|mac| Msg::Auth { mac }.to_frame()[4..].to_vec()),
            Just(Msg::Ping.to_frame()[4..].to_vec()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Any sequence of frames from an unauthenticated peer: no panic, an
        /// Error closes for good, and nothing reaches a Session.
        #[test]
        fn server_conn_survives_garbage(bodies in prop::collection::vec(arb_body(), 1..6)) {
            let mock = Mock::new(1 << 20);
            let mut conn = ServerConn::new(service(&mock), Arc::new(Token::new(b"k".to_vec())));
            let mut closed = false;
            for b in &bodies {
                let (r, close) = conn.on_frame(b);
                let m = Msg::decode(frame_body(&r).unwrap()).unwrap();
                if closed {
                    prop_assert!(close);
                }
                if close {
                    let is_error = matches!(m, Msg::Error { .. });
                    prop_assert!(is_error);
                    closed = true;
                }
            }
            prop_assert!(mock.handled().is_empty());
            prop_assert_eq!(mock.opened.load(Ordering::SeqCst), 0);
        }
    }
}
