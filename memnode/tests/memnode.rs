//! The memnode through the fabric: in-process links for most tests (same frames,
//! same code as TCP), and a real TCP server on 127.0.0.1:0.

use semeru_fabric::{
    inproc, Client, ErrorCode, FabricError, Msg, PageRef, Purpose, Role, ServerConn, Service,
    TcpTransport, TenantId, Token, MAGIC, VERSION,
};
use semeru_gc::classes::ClassTable;
use semeru_gc::layout::{ClassId, ElemKind, InstanceLayout, Layout};
use semeru_memnode::{check_listen, format_status, status_text, Memnode, MemnodeConfig, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PAGE: u32 = 4096;
const REGION: u32 = 64 * 1024;

fn node(capacity: u64, grace: Duration) -> Arc<Memnode> {
    Memnode::new(MemnodeConfig {
        name: "test".into(),
        capacity,
        threads: 2,
        grace,
    })
}

fn secret() -> Token {
    Token::new(b"s3cret".to_vec())
}

fn link(
    n: &Arc<Memnode>,
    token: &Token,
    tenant: TenantId,
    role: Role,
) -> Result<Client, FabricError> {
    let svc: Arc<dyn Service> = n.clone();
    // The server's token is always the right one; `token` is what the client believes.
    let t = inproc(svc, Arc::new(secret()), "test".into());
    Client::connect(t, token, tenant, role)
}

fn data(n: &Arc<Memnode>, tenant: TenantId) -> Client {
    link(n, &secret(), tenant, Role::Data).expect("data link")
}

fn control(n: &Arc<Memnode>, tenant: TenantId) -> Client {
    link(n, &secret(), tenant, Role::Control).expect("control link")
}

fn alloc(c: &mut Client, region: u32, bytes: u32) -> Result<Msg, FabricError> {
    c.call(&Msg::AllocRegion { region, bytes }, Purpose::Control)
}

fn page(region: u32, n: u32) -> PageRef {
    PageRef {
        region,
        offset: n * PAGE,
        len: PAGE,
    }
}

fn write(c: &mut Client, r: PageRef, fill: u8) {
    let bytes = vec![fill; r.len as usize];
    let mut out = Vec::new();
    c.page_io(&[(r, &bytes)], &[], &mut out, false)
        .expect("write");
    assert!(out.is_empty());
}

fn read(c: &mut Client, r: PageRef) -> Result<Vec<u8>, FabricError> {
    let mut out = Vec::new();
    c.page_io(&[], &[r], &mut out, false)?;
    Ok(out)
}

fn code(e: &FabricError) -> Option<ErrorCode> {
    e.remote_code()
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn pages_round_trip_and_fresh_regions_are_zero() {
    let n = node(1 << 20, Duration::from_secs(5));
    let mut ctl = control(&n, 1);
    let mut d = data(&n, 1);
    assert_eq!(alloc(&mut ctl, 7, REGION).expect("alloc"), Msg::Ok);
    assert_eq!(
        read(&mut d, page(7, 3)).expect("read"),
        vec![0; PAGE as usize]
    );
    write(&mut d, page(7, 3), 0xAB);
    // Writes first, then reads, in one batch; reads come back in order.
    let w = vec![0x11u8; 16];
    let small = PageRef {
        region: 7,
        offset: 100,
        len: 16,
    };
    let mut out = Vec::new();
    d.page_io(
        &[(small, &w)],
        &[
            page(7, 3),
            small,
            PageRef {
                region: 7,
                offset: REGION - 1,
                len: 1,
            },
        ],
        &mut out,
        false,
    )
    .expect("batch");
    assert_eq!(out.len(), PAGE as usize + 16 + 1);
    assert!(out[..PAGE as usize].iter().all(|&b| b == 0xAB));
    assert_eq!(&out[PAGE as usize..PAGE as usize + 16], &w[..]);
    assert_eq!(out[out.len() - 1], 0);
    let st = n.status();
    assert_eq!(st.used, u64::from(REGION));
    assert_eq!(st.tenants.len(), 1);
    let t = &st.tenants[0];
    assert_eq!(
        (t.tenant, t.regions, t.bytes, t.connections),
        (1, 1, u64::from(REGION), 2)
    );
    assert_eq!(t.pages_written, 2);
    assert_eq!(t.bytes_written, u64::from(PAGE) + 16);
    assert_eq!(t.pages_read, 4);
    // In-process links count their frames too: 2 handshakes of 2 frames, 1 alloc, 3 page I/O.
    assert_eq!((st.frames_in, st.frames_out), (8, 8));
    assert!(st.bytes_out > 2 * u64::from(PAGE));
}

#[test]
fn two_tenants_are_isolated() {
    let n = node(1 << 20, Duration::from_secs(5));
    let (mut ca, mut da) = (control(&n, 0xA), data(&n, 0xA));
    let (mut cb, mut db) = (control(&n, 0xB), data(&n, 0xB));
    // The same region number names different memory for each tenant.
    alloc(&mut ca, 1, REGION).expect("a alloc");
    alloc(&mut cb, 1, REGION).expect("b alloc");
    alloc(&mut ca, 2, REGION).expect("a alloc 2");
    write(&mut da, page(1, 0), 0xAA);
    write(&mut db, page(1, 0), 0xBB);
    assert!(read(&mut da, page(1, 0))
        .expect("a")
        .iter()
        .all(|&b| b == 0xAA));
    assert!(read(&mut db, page(1, 0))
        .expect("b")
        .iter()
        .all(|&b| b == 0xBB));
    // B cannot reach A's region 2: BadAddress, and B's data link is closed.
    let e = read(&mut db, page(2, 0)).expect_err("b reads a's region");
    assert_eq!(code(&e), Some(ErrorCode::BadAddress), "{e}");
    assert!(read(&mut db, page(1, 0)).is_err(), "the link is closed");
    // Nor can it write there, nor release it.
    let mut db = data(&n, 0xB);
    let mut out = Vec::new();
    let e = db
        .page_io(
            &[(page(2, 0), &[0xEE; PAGE as usize][..])],
            &[],
            &mut out,
            false,
        )
        .expect_err("b writes a's region");
    assert_eq!(code(&e), Some(ErrorCode::BadAddress));
    let e = cb
        .call(&Msg::ReleaseRegions { regions: vec![2] }, Purpose::Control)
        .expect_err("b releases a's region");
    assert_eq!(code(&e), Some(ErrorCode::State));
    assert!(read(&mut da, page(2, 0))
        .expect("a")
        .iter()
        .all(|&b| b == 0));
    // A's own out-of-range access is refused too, and changes nothing.
    let mut out = Vec::new();
    let e = da
        .page_io(
            &[(page(1, 0), &[0x77; PAGE as usize][..])],
            &[PageRef {
                region: 1,
                offset: REGION - 8,
                len: 16,
            }],
            &mut out,
            false,
        )
        .expect_err("past the end");
    assert_eq!(code(&e), Some(ErrorCode::BadAddress));
    let mut da = data(&n, 0xA);
    assert!(
        read(&mut da, page(1, 0))
            .expect("a")
            .iter()
            .all(|&b| b == 0xAA),
        "a bad batch writes nothing"
    );
    let e = read(
        &mut da,
        PageRef {
            region: 1,
            offset: u32::MAX,
            len: u32::MAX,
        },
    )
    .expect_err("overflow");
    assert_eq!(code(&e), Some(ErrorCode::BadAddress));
}

#[test]
fn a_client_with_the_wrong_token_reads_no_page() {
    let n = node(1 << 20, Duration::from_secs(5));
    let mut ctl = control(&n, 42);
    let mut d = data(&n, 42);
    alloc(&mut ctl, 1, REGION).expect("alloc");
    write(&mut d, page(1, 0), 0x5A);
    // Same tenant id, wrong token: the handshake fails.
    for role in [Role::Data, Role::Control, Role::Admin] {
        let e = link(&n, &Token::new(b"guess".to_vec()), 42, role).expect_err("wrong token");
        assert!(matches!(e, FabricError::Auth(_)), "{e}");
        let e = link(&n, &Token::empty(), 42, role).expect_err("no token");
        assert!(matches!(e, FabricError::Auth(_)), "{e}");
    }
    assert!(n.rejected_connections() >= 1);
    // At the frame level: a PageIo after a bad Auth, or instead of the handshake,
    // never gets page data.
    let svc: Arc<dyn Service> = n.clone();
    let page_io = Msg::PageIo {
        writes: vec![],
        reads: vec![page(1, 0)],
    }
    .to_frame();
    let mut conn = ServerConn::new(svc.clone(), Arc::new(secret()));
    let hello = Msg::Hello {
        magic: MAGIC,
        version: VERSION,
        tenant: 42,
        role: Role::Data,
        nonce: [7; 32],
    }
    .to_frame();
    let (reply, close) = conn.on_frame(&hello[4..]);
    assert!(matches!(
        Msg::decode(&reply[4..]),
        Ok(Msg::Challenge { .. })
    ));
    assert!(!close);
    let (reply, close) = conn.on_frame(&Msg::Auth { mac: [0; 32] }.to_frame()[4..]);
    assert!(matches!(
        Msg::decode(&reply[4..]),
        Ok(Msg::Error {
            code: ErrorCode::Auth,
            ..
        })
    ));
    assert!(close);
    let (reply, close) = conn.on_frame(&page_io[4..]);
    assert!(
        matches!(Msg::decode(&reply[4..]), Ok(Msg::Error { .. })),
        "no page data after a failed handshake"
    );
    assert!(close);
    let mut conn = ServerConn::new(svc, Arc::new(secret()));
    let (reply, close) = conn.on_frame(&page_io[4..]);
    assert!(
        matches!(Msg::decode(&reply[4..]), Ok(Msg::Error { .. })),
        "no page data without a handshake"
    );
    assert!(close);
    // An authenticated other tenant gets BadAddress.
    let mut other = data(&n, 43);
    let e = read(&mut other, page(1, 0)).expect_err("other tenant");
    assert_eq!(code(&e), Some(ErrorCode::BadAddress));
    // The owner still has its page.
    assert!(read(&mut d, page(1, 0))
        .expect("owner")
        .iter()
        .all(|&b| b == 0x5A));
}

#[test]
fn capacity_exhaustion_is_an_error_not_a_close() {
    let n = node(3 * u64::from(REGION), Duration::from_secs(5));
    let mut a = control(&n, 1);
    let mut b = control(&n, 2);
    alloc(&mut a, 0, REGION).expect("1");
    alloc(&mut a, 1, REGION).expect("2");
    alloc(&mut b, 0, REGION).expect("3");
    for c in [&mut a, &mut b] {
        let e = alloc(c, 9, REGION).expect_err("full");
        assert_eq!(code(&e), Some(ErrorCode::Capacity), "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains("capacity exhausted (used 196608 of 196608 bytes)"),
            "{msg}"
        );
        assert!(msg.contains("memnode test"), "{msg}");
        // The link stays up.
        assert_eq!(c.call(&Msg::Ping, Purpose::Control).expect("ping"), Msg::Ok);
    }
    a.call(&Msg::ReleaseRegions { regions: vec![1] }, Purpose::Control)
        .expect("release");
    assert_eq!(n.used(), 2 * u64::from(REGION));
    alloc(&mut b, 9, REGION).expect("room again");
    // A region larger than the whole node, or empty, is refused without a close.
    assert_eq!(
        code(&alloc(&mut b, 10, u32::MAX).expect_err("huge")),
        Some(ErrorCode::State)
    );
    assert_eq!(
        code(&alloc(&mut b, 10, 0).expect_err("empty")),
        Some(ErrorCode::State)
    );
    assert_eq!(b.call(&Msg::Ping, Purpose::Control).expect("ping"), Msg::Ok);
}

#[test]
fn state_errors_keep_the_link() {
    let n = node(1 << 20, Duration::from_secs(5));
    let mut c = control(&n, 5);
    alloc(&mut c, 1, REGION).expect("alloc");
    assert_eq!(
        code(&alloc(&mut c, 1, REGION).expect_err("again")),
        Some(ErrorCode::State)
    );
    let e = c
        .call(&Msg::ReleaseRegions { regions: vec![2] }, Purpose::Control)
        .expect_err("missing");
    assert_eq!(code(&e), Some(ErrorCode::State));
    // A release naming a region twice releases nothing.
    let e = c
        .call(
            &Msg::ReleaseRegions {
                regions: vec![1, 1],
            },
            Purpose::Control,
        )
        .expect_err("twice");
    assert_eq!(code(&e), Some(ErrorCode::State));
    assert_eq!(n.used(), u64::from(REGION));
    c.call(&Msg::ReleaseRegions { regions: vec![1] }, Purpose::Control)
        .expect("release");
    assert_eq!(n.used(), 0);
    // Replies are not requests: that closes.
    let e = c
        .call(&Msg::Ok, Purpose::Control)
        .expect_err("ok is no request");
    assert_eq!(code(&e), Some(ErrorCode::State));
    assert!(c.call(&Msg::Ping, Purpose::Control).is_err());
}

#[test]
fn goodbye_releases_at_once() {
    let n = node(1 << 20, Duration::from_secs(60));
    let mut c = control(&n, 9);
    let d = data(&n, 9);
    alloc(&mut c, 1, REGION).expect("alloc");
    alloc(&mut c, 2, REGION).expect("alloc");
    assert_eq!(n.used(), 2 * u64::from(REGION));
    assert_eq!(
        c.call(&Msg::Goodbye, Purpose::Control).expect("goodbye"),
        Msg::Ok
    );
    assert_eq!(n.used(), 0);
    let st = n.status();
    assert_eq!((st.tenants[0].regions, st.tenants[0].connections), (0, 2));
    drop(c);
    drop(d);
    // Nothing left to keep: the tenant is forgotten without waiting for the grace.
    assert!(n.status().tenants.is_empty());
}

#[test]
fn regions_are_released_after_the_grace_period() {
    let grace = Duration::from_millis(300);
    let n = node(1 << 20, grace);
    let mut c = control(&n, 3);
    let mut d = data(&n, 3);
    alloc(&mut c, 1, REGION).expect("alloc");
    write(&mut d, page(1, 1), 0x33);
    drop(c);
    drop(d);
    // Still held right after the drop...
    assert_eq!(n.used(), u64::from(REGION));
    assert_eq!(n.status().tenants[0].connections, 0);
    // ...and a tenant that comes back within the grace finds its pages.
    let mut d = data(&n, 3);
    std::thread::sleep(grace * 2);
    assert!(read(&mut d, page(1, 1))
        .expect("back")
        .iter()
        .all(|&b| b == 0x33));
    assert_eq!(n.used(), u64::from(REGION));
    // Gone for good: released once the grace has passed.
    drop(d);
    let start = Instant::now();
    wait_until("the grace release", || n.used() == 0);
    assert!(start.elapsed() >= grace - Duration::from_millis(50));
    assert!(n.status().tenants.is_empty());
    // A new link of the same tenant starts empty.
    let mut d = data(&n, 3);
    assert_eq!(
        code(&read(&mut d, page(1, 1)).expect_err("released")),
        Some(ErrorCode::BadAddress)
    );
}

#[test]
fn zero_grace_releases_on_the_last_close() {
    let n = node(1 << 20, Duration::ZERO);
    let mut c = control(&n, 3);
    alloc(&mut c, 1, REGION).expect("alloc");
    drop(c);
    assert_eq!(n.used(), 0);
}

#[test]
fn admin_links_may_only_ask_for_status() {
    let n = node(1 << 20, Duration::from_secs(5));
    let mut adm = link(&n, &secret(), 0, Role::Admin).expect("admin");
    assert_eq!(
        adm.call(&Msg::Ping, Purpose::Control).expect("ping"),
        Msg::Ok
    );
    assert!(matches!(
        adm.call(&Msg::GetStatus, Purpose::Control),
        Ok(Msg::Status(_))
    ));
    // An admin is not a tenant.
    assert!(n.status().tenants.is_empty());
    let e = alloc(&mut adm, 1, REGION).expect_err("admin alloc");
    assert_eq!(code(&e), Some(ErrorCode::State));
    assert_eq!(n.used(), 0);
    let mut adm = link(&n, &secret(), 0, Role::Admin).expect("admin");
    let e = read(&mut adm, page(1, 0)).expect_err("admin read");
    assert_eq!(code(&e), Some(ErrorCode::State));
}

#[test]
fn layouts_are_kept_per_tenant() {
    let n = node(1 << 20, Duration::from_secs(5));
    let mut t = ClassTable::default();
    t.define(ClassId(0), InstanceLayout::default().to_layout());
    t.define(
        ClassId(4),
        Layout::Array {
            elem: ElemKind::Int,
        },
    );
    let mut c = control(&n, 8);
    let _other = control(&n, 9);
    c.call(
        &Msg::UploadLayouts {
            blob: t.encode_table(),
        },
        Purpose::Control,
    )
    .expect("upload");
    let got = n.layouts(8).expect("kept");
    assert_eq!(got.len(), 5);
    assert_eq!(
        got.get(ClassId(4)),
        Some(&Layout::Array {
            elem: ElemKind::Int
        })
    );
    assert!(n.layouts(9).is_none());
    assert_eq!(n.status().tenants[0].layouts, 5);
    let e = c
        .call(
            &Msg::UploadLayouts {
                blob: vec![1, 0, 0, 0, 255, 255, 255, 255],
            },
            Purpose::Control,
        )
        .expect_err("garbage");
    assert_eq!(code(&e), Some(ErrorCode::Malformed));
    assert!(c.call(&Msg::Ping, Purpose::Control).is_err(), "closed");
}

#[test]
fn status_text_lists_tenants_and_totals() {
    let n = node(1 << 30, Duration::from_secs(5));
    let mut c = control(&n, 0xDEAD_BEEF);
    let mut d = data(&n, 0xDEAD_BEEF);
    alloc(&mut c, 1, REGION).expect("alloc");
    write(&mut d, page(1, 0), 1);
    let text = format_status("127.0.0.1:7070", &n.status());
    for want in [
        "memnode test (127.0.0.1:7070)",
        "capacity     1.00 GiB (1073741824 bytes)",
        "used         64.00 KiB (65536 bytes, 0.0%)",
        "tenants      1",
        "00000000deadbeef",
        "total",
        "rejected     0 connections",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
}

#[test]
fn check_listen_wants_a_token_off_loopback() {
    assert!(check_listen("127.0.0.1:0", &Token::empty()).is_ok());
    assert!(check_listen("[::1]:0", &Token::empty()).is_ok());
    let e = check_listen("0.0.0.0:0", &Token::empty()).expect_err("open to the world");
    assert!(e.contains("--token-file"), "{e}");
    assert!(check_listen("0.0.0.0:0", &secret()).is_ok());
    assert!(check_listen("not an address", &secret()).is_err());
    assert!(Server::bind("0.0.0.0:0", MemnodeConfig::default(), Token::empty()).is_err());
}

fn tcp_server(capacity: u64, token: Token) -> (String, Arc<Memnode>) {
    let server = Server::bind(
        "127.0.0.1:0",
        MemnodeConfig {
            name: String::new(),
            capacity,
            threads: 2,
            grace: Duration::from_millis(200),
        },
        token,
    )
    .expect("bind");
    let node = server.node().clone();
    let addr = server.spawn().expect("spawn").to_string();
    assert_eq!(node.name(), addr, "an empty name becomes the bound address");
    (addr, node)
}

fn tcp(addr: &str, token: &Token, tenant: TenantId, role: Role) -> Result<Client, FabricError> {
    let t = TcpTransport::connect(addr, Duration::from_secs(5))?;
    Client::connect(Box::new(t), token, tenant, role)
}

#[test]
fn serves_over_tcp() {
    let (addr, node) = tcp_server(1 << 20, secret());
    let mut c = tcp(&addr, &secret(), 1, Role::Control).expect("control");
    let mut d = tcp(&addr, &secret(), 1, Role::Data).expect("data");
    assert_eq!(c.info().capacity, 1 << 20);
    alloc(&mut c, 1, REGION).expect("alloc");
    write(&mut d, page(1, 2), 0x42);
    assert!(read(&mut d, page(1, 2))
        .expect("read")
        .iter()
        .all(|&b| b == 0x42));
    // Several tenants at once, each on its own threads.
    let handles: Vec<_> = (10..14u64)
        .map(|t| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut c = tcp(&addr, &secret(), t, Role::Control).expect("control");
                let mut d = tcp(&addr, &secret(), t, Role::Data).expect("data");
                alloc(&mut c, 1, REGION).expect("alloc");
                for i in 0..16u32 {
                    write(&mut d, page(1, i), t as u8 ^ i as u8);
                }
                for i in 0..16u32 {
                    assert!(read(&mut d, page(1, i))
                        .expect("read")
                        .iter()
                        .all(|&b| b == t as u8 ^ i as u8));
                }
                c.call(&Msg::Goodbye, Purpose::Control).expect("goodbye");
            })
        })
        .collect();
    for h in handles {
        h.join().expect("tenant thread");
    }
    // The wrong token gets nothing, and is counted.
    let e = tcp(&addr, &Token::new(b"nope".to_vec()), 1, Role::Data).expect_err("wrong token");
    assert!(matches!(e, FabricError::Auth(_)), "{e}");
    wait_until("the rejection count", || node.rejected_connections() == 1);
    // --status over TCP.
    let text = status_text(&addr, &secret()).expect("status");
    assert!(text.starts_with(&format!("memnode {addr}\n")), "{text}");
    assert!(text.contains("0000000000000001"), "{text}");
    assert!(text.contains("rejected     1 connections"), "{text}");
    // The four that said goodbye and hung up hold nothing and are forgotten.
    wait_until("goodbye tenants to go", || node.status().tenants.len() == 1);
    let st = node.status();
    assert!(
        st.frames_in > 0 && st.bytes_in > st.frames_in * 4 && st.bytes_out > 16 * u64::from(PAGE)
    );
    assert!(status_text(&addr, &Token::empty()).is_err());
    // Disconnecting starts the grace; then tenant 1's region goes.
    drop(c);
    drop(d);
    wait_until("the grace release over TCP", || node.used() == 0);
}

#[test]
fn tcp_rejects_bad_frames_without_harm() {
    let (addr, node) = tcp_server(1 << 20, secret());
    // An oversized length prefix before the handshake: Error{Malformed}, closed.
    let mut s = TcpStream::connect(&addr).expect("connect");
    s.write_all(&(u32::MAX).to_le_bytes()).expect("send");
    let mut buf = Vec::new();
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s.read_to_end(&mut buf).expect("read until close");
    assert!(
        matches!(
            Msg::decode(&buf[4..]),
            Ok(Msg::Error {
                code: ErrorCode::Malformed,
                ..
            })
        ),
        "{buf:?}"
    );
    // Garbage, a truncated frame, and a hang-up mid-handshake.
    for junk in [
        &b"\x05\x00\x00\x00\xffhello"[..],
        &b"\x10\x00\x00\x00\x01"[..],
        &b"GET / HTTP/1.1\r\n\r\n"[..],
    ] {
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.write_all(junk).expect("send");
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut buf = Vec::new();
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let _ = s.read_to_end(&mut buf);
    }
    wait_until("rejections", || node.rejected_connections() == 4);
    // The node still serves.
    let mut c = tcp(&addr, &secret(), 1, Role::Control).expect("still serving");
    assert_eq!(c.call(&Msg::Ping, Purpose::Control).expect("ping"), Msg::Ok);
}

#[test]
fn sessions_refuse_inconsistent_or_oversized_batches() {
    let n = node(1 << 30, Duration::from_secs(5));
    let mut s = n.open(4, Role::Control).expect("session");
    let big = 32 << 20;
    assert_eq!(
        s.handle(Msg::AllocRegion {
            region: 1,
            bytes: big
        }),
        Ok(Msg::Ok)
    );
    // A write whose bytes do not match its range (the decoder rejects these on
    // the wire; the session checks again).
    let r = PageRef {
        region: 1,
        offset: 0,
        len: 8,
    };
    let e = s.handle(Msg::PageIo {
        writes: vec![(r, vec![1; 4])],
        reads: vec![],
    });
    assert!(matches!(e, Err((ErrorCode::Malformed, _))), "{e:?}");
    // Reads that would not fit in one reply frame.
    let whole = PageRef {
        region: 1,
        offset: 0,
        len: big,
    };
    let e = s.handle(Msg::PageIo {
        writes: vec![],
        reads: vec![whole, whole],
    });
    assert!(matches!(e, Err((ErrorCode::Malformed, _))), "{e:?}");
    // One whole region is fine.
    match s.handle(Msg::PageIo {
        writes: vec![],
        reads: vec![whole],
    }) {
        Ok(Msg::PageData { data }) => assert_eq!(data.len(), big as usize),
        other => panic!("{:?}", other.map(|m| m.name())),
    }
    drop(s);
    assert_eq!(n.status().tenants[0].connections, 0);
}

/// The VM's side (`gc::remote::Memnodes`) against real memnodes: placement,
/// batched I/O, capacity fallback, layouts, Goodbye on shutdown.
#[test]
fn the_vm_backend_runs_against_real_memnodes() {
    use semeru_gc::backend::{AcquireError, PageAddr, PageBackend};
    use semeru_gc::remote::Memnodes;
    use semeru_gc::RegionId;
    let a = node(2 * u64::from(REGION), Duration::from_secs(60));
    let (addr, b) = tcp_server(2 * u64::from(REGION), secret());
    let mut links = Vec::new();
    let inproc_link = |role| {
        let svc: Arc<dyn Service> = a.clone();
        Client::connect(
            inproc(svc, Arc::new(secret()), "embedded#0".into()),
            &secret(),
            77,
            role,
        )
        .expect("link")
    };
    links.push((inproc_link(Role::Data), inproc_link(Role::Control)));
    links.push((
        tcp(&addr, &secret(), 77, Role::Data).expect("data"),
        tcp(&addr, &secret(), 77, Role::Control).expect("control"),
    ));
    let mut vm = Memnodes::new(links);
    for r in 0..4 {
        vm.acquire(RegionId(r), REGION).expect("acquire");
    }
    // Equal memnodes stripe: two regions each.
    assert_eq!(
        (a.used(), b.used()),
        (2 * u64::from(REGION), 2 * u64::from(REGION))
    );
    match vm.acquire(RegionId(4), REGION) {
        Err(AcquireError::CapacityExhausted(m)) => assert!(m.contains("capacity"), "{m}"),
        other => panic!("expected capacity exhaustion, got {other:?}"),
    }
    let at = |r: u32, n: u32| PageAddr {
        region: RegionId(r),
        offset: n * PAGE,
        len: PAGE,
    };
    let pages: Vec<Vec<u8>> = (0..4u8).map(|i| vec![0x10 + i; PAGE as usize]).collect();
    let writes: Vec<(PageAddr, &[u8])> = (0..4u32)
        .map(|r| (at(r, r), &pages[r as usize][..]))
        .collect();
    let mut out = Vec::new();
    vm.page_io(
        &writes,
        &[at(3, 3), at(0, 0), at(2, 2), at(1, 1)],
        &mut out,
        false,
    )
    .expect("page io");
    let want: Vec<u8> = [3usize, 0, 2, 1]
        .iter()
        .flat_map(|&i| pages[i].clone())
        .collect();
    assert_eq!(out, want, "reads come back in order across memnodes");
    let mut t = ClassTable::default();
    t.define(
        ClassId(2),
        Layout::Array {
            elem: ElemKind::Ref,
        },
    );
    vm.upload_layouts(&t.encode_table()).expect("layouts");
    assert_eq!(a.layouts(77).map(|l| l.len()), Some(3));
    assert_eq!(b.layouts(77).map(|l| l.len()), Some(3));
    vm.release(&[RegionId(0), RegionId(1)]).expect("release");
    assert_eq!(a.used() + b.used(), 2 * u64::from(REGION));
    vm.shutdown();
    assert_eq!(a.used(), 0);
    wait_until("goodbye over TCP", || b.used() == 0);
}
