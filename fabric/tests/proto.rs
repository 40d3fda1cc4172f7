//! Encode/decode round trips, bad frames, and property tests of the decoder.

use proptest::prelude::*;
use semeru_fabric::proto::{self, frame_body, mark_kind, region_kind, ty};
use semeru_fabric::*;

fn samples() -> Vec<Msg> {
    vec![
        Msg::Hello {
            magic: MAGIC,
            version: VERSION,
            tenant: 42,
            role: Role::Data,
            nonce: [7; 32],
        },
        Msg::Challenge {
            version: VERSION,
            nonce: [9; 32],
        },
        Msg::Auth { mac: [1; 32] },
        Msg::Welcome {
            mac: [2; 32],
            info: NodeInfo {
                name: "embedded#0".into(),
                capacity: 1 << 30,
                used: 4096,
                region_bytes_max: 1 << 20,
            },
        },
        Msg::PageIo {
            writes: vec![(
                PageRef {
                    region: 3,
                    offset: 4096,
                    len: 4,
                },
                vec![1, 2, 3, 4],
            )],
            reads: vec![PageRef {
                region: 1,
                offset: 0,
                len: 4096,
            }],
        },
        Msg::PageIo {
            writes: vec![],
            reads: vec![],
        },
        Msg::PageData { data: vec![5; 100] },
        Msg::AllocRegion {
            region: 17,
            bytes: 1 << 20,
        },
        Msg::ReleaseRegions {
            regions: vec![1, 2, 3],
        },
        Msg::UploadLayouts {
            blob: vec![0xAB; 33],
        },
        Msg::Goodbye,
        Msg::Ping,
        Msg::Ok,
        Msg::GetStatus,
        Msg::Status(NodeStatus {
            name: "n1".into(),
            capacity: 8 << 30,
            used: 123,
            uptime_ms: 99,
            tenants: vec![TenantStatus {
                tenant: 5,
                regions: 2,
                bytes: 2 << 20,
                connections: 2,
                pages_read: 10,
                pages_written: 11,
                bytes_read: 40960,
                bytes_written: 45056,
                layouts: 12,
                gc_cycles: 3,
                gc_marked_bytes: 4096,
                gc_evacuated_bytes: 512,
                gc_peer_bytes: 64,
            }],
            frames_in: 1,
            frames_out: 2,
            bytes_in: 3,
            bytes_out: 4,
            rejected_connections: 5,
        }),
        Msg::Error {
            code: ErrorCode::BadAddress,
            message: "région 5 ✗".into(),
        },
        Msg::Hello {
            magic: MAGIC,
            version: VERSION,
            tenant: 9,
            role: Role::Peer,
            nonce: [3; 32],
        },
        Msg::GcBegin {
            cycle: 7,
            log_region: 20,
            young_refs: 1 << 24,
            self_index: 1,
            peers: vec!["embedded#0".into(), "10.0.0.2:7070".into()],
            regions: vec![
                GcRegion {
                    region: 3,
                    tams: 4096,
                    kind: region_kind::OLD,
                    span: 1,
                    owner: 0,
                },
                GcRegion {
                    region: 4,
                    tams: 0,
                    kind: region_kind::HUMONGOUS_START,
                    span: 2,
                    owner: 1,
                },
                GcRegion {
                    region: 5,
                    tams: 0,
                    kind: region_kind::CONTINUATION,
                    span: 1,
                    owner: 1,
                },
            ],
        },
        Msg::GcBegin {
            cycle: 0,
            log_region: 0,
            young_refs: 0,
            self_index: 0,
            peers: vec![],
            regions: vec![],
        },
        Msg::MarkRefs {
            cycle: 7,
            kind: mark_kind::PEER,
            refs: vec![1, 2, 0xFFFF_FFFF],
        },
        Msg::GcPoll { cycle: 7 },
        Msg::GcProgress {
            idle: true,
            sent: 1,
            received: 2,
            marked_bytes: 3,
            marked_objects: 4,
            peer_bytes: 5,
            waiting: 6,
        },
        Msg::GcLiveness { cycle: 7 },
        Msg::GcLive {
            regions: vec![(3, 1 << 40, 9), (4, 0, 0)],
        },
        Msg::GcEvacuate {
            cycle: 7,
            sources: vec![3, 8],
            dests: vec![11],
        },
        Msg::GcEvacuated {
            copied_bytes: 4000,
            moved_objects: 20,
            dests: vec![(11, 4000, vec![0, 0, 1, 0]), (12, 0, vec![])],
            young_cards: vec![11 << 19, (11 << 19) + 64],
        },
        Msg::GcFixup {
            cycle: 7,
            tops: vec![(4, 1 << 20), (9, 64)],
            resident: vec![(4, 3), (9, 0)],
            skip: vec![(4, 8192, 12320), (9, 0, 64)],
        },
        Msg::GcFixed {
            fixed_refs: 77,
            pages: vec![(4, 0), (4, 255)],
            patches: vec![(4, 12300, 99), (9, 8, 0)],
        },
        Msg::GcPending {
            cycle: 7,
            pages: vec![(4, 1), (9, 0)],
        },
        Msg::GcForward {
            cycle: 7,
            refs: vec![5, 6],
        },
        Msg::GcForwarded { refs: vec![50, 6] },
        Msg::GcPeek {
            cycle: 7,
            refs: vec![5, 6],
        },
        Msg::GcPeeked {
            words: vec![3, 0, 12, 4, 0, 0],
        },
        Msg::GcEnd { cycle: 7 },
        Msg::GetForwarding { cycle: 7 },
        Msg::Forwarding {
            pairs: vec![(1, 2), (3, 4)],
        },
    ]
}

#[test]
fn gc_messages_are_gc() {
    for m in samples() {
        assert_eq!(
            m.is_gc(),
            m.name().starts_with("Gc")
                || matches!(
                    m,
                    Msg::MarkRefs { .. } | Msg::GetForwarding { .. } | Msg::Forwarding { .. }
                ),
            "{m:?}"
        );
    }
}

#[test]
fn packed_refs() {
    // Sorted references take about one or two bytes each, the extremes of
    // u32 round-trip, and the frame length is known without encoding.
    let sorted: Vec<u32> = (0..1000u32).map(|i| 1_000_000 + 37 * i).collect();
    for refs in [
        sorted.clone(),
        vec![u32::MAX, 0, u32::MAX, 1 << 31, 7, 7],
        vec![],
    ] {
        let m = Msg::MarkRefs {
            cycle: 9,
            kind: mark_kind::PEER,
            refs: refs.clone(),
        };
        let f = m.to_frame();
        assert_eq!(proto::mark_refs_frame_len(&refs), f.len());
        assert_eq!(Msg::decode(&f[4..]).unwrap(), m);
    }
    let f = Msg::GcForward {
        cycle: 1,
        refs: sorted,
    }
    .to_frame();
    assert!(f.len() < 1000 + 3 + 13, "{} bytes", f.len());
    // A varint of more than 32 bits is invalid.
    let mut f = Msg::GcPeek {
        cycle: 1,
        refs: vec![1 << 31],
    }
    .to_frame();
    assert_eq!(f[f.len() - 5..], [0xff, 0xff, 0xff, 0xff, 0x0f]);
    *f.last_mut().unwrap() = 0x1f;
    assert!(matches!(Msg::decode(&f[4..]), Err(ProtoError::Invalid(_))));
}

#[test]
fn bad_gc_messages() {
    // Unknown kinds and flags are invalid, not silently kept.
    let mut f = Msg::MarkRefs {
        cycle: 1,
        kind: mark_kind::ROOT,
        refs: vec![],
    }
    .to_frame();
    f[4 + 1 + 4] = 3;
    assert!(matches!(Msg::decode(&f[4..]), Err(ProtoError::Invalid(_))));
    let mut f = Msg::GcProgress {
        idle: false,
        sent: 0,
        received: 0,
        marked_bytes: 0,
        marked_objects: 0,
        peer_bytes: 0,
        waiting: 0,
    }
    .to_frame();
    f[5] = 2;
    assert!(matches!(Msg::decode(&f[4..]), Err(ProtoError::Invalid(_))));
    let mut f = Msg::GcBegin {
        cycle: 1,
        log_region: 20,
        young_refs: 0,
        self_index: 0,
        peers: vec![],
        regions: vec![GcRegion {
            region: 1,
            tams: 0,
            kind: region_kind::OLD,
            span: 1,
            owner: 0,
        }],
    }
    .to_frame();
    // body: type, cycle 4, log 1, young 4, self 2, peers 4, count 4, region 4, tams 4, kind
    f[4 + 1 + 4 + 1 + 4 + 2 + 4 + 4 + 4 + 4] = 3;
    assert!(matches!(Msg::decode(&f[4..]), Err(ProtoError::Invalid(_))));
    // Odd block-offset bytes.
    let f = Msg::GcEvacuated {
        copied_bytes: 0,
        moved_objects: 0,
        dests: vec![(1, 0, vec![1, 2, 3])],
        young_cards: vec![],
    }
    .to_frame();
    assert!(matches!(Msg::decode(&f[4..]), Err(ProtoError::Invalid(_))));
    // Huge counts allocate nothing.
    for t in [ty::GC_LIVE, ty::GC_FORWARDED, ty::GC_PEEKED, ty::FORWARDING] {
        let mut body = vec![t];
        body.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            matches!(Msg::decode(&body), Err(ProtoError::Truncated { .. })),
            "type {t}"
        );
    }
    let mut body = vec![ty::MARK_REFS];
    body.extend_from_slice(&1u32.to_le_bytes());
    body.push(0);
    body.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        Msg::decode(&body),
        Err(ProtoError::Truncated { .. })
    ));
}

#[test]
fn every_message_round_trips() {
    for m in samples() {
        let frame = m.to_frame();
        let body = frame_body(&frame).expect("frame prefix");
        assert_eq!(body[0], m.type_byte());
        assert_eq!(Msg::decode(body), Ok(m.clone()), "{m:?}");
    }
}

#[test]
fn encode_appends_whole_frames() {
    let mut out = vec![0xEE];
    Msg::Ping.encode(&mut out);
    Msg::Ok.encode(&mut out);
    assert_eq!(out, vec![0xEE, 1, 0, 0, 0, ty::PING, 1, 0, 0, 0, ty::OK]);
}

#[test]
fn encode_page_io_matches_the_message() {
    let p = PageRef {
        region: 1,
        offset: 8,
        len: 3,
    };
    let bytes = [9u8, 8, 7];
    let mut a = Vec::new();
    Msg::encode_page_io(&mut a, &[(p, &bytes)], &[p, p]);
    let b = Msg::PageIo {
        writes: vec![(p, bytes.to_vec())],
        reads: vec![p, p],
    }
    .to_frame();
    assert_eq!(a, b);
}

#[test]
fn every_truncation_is_an_error() {
    for m in samples() {
        let frame = m.to_frame();
        let body = &frame[4..];
        for cut in 0..body.len() {
            assert!(Msg::decode(&body[..cut]).is_err(), "{m:?} cut at {cut}");
        }
    }
}

#[test]
fn trailing_bytes_are_rejected() {
    for m in samples() {
        let mut frame = m.to_frame();
        frame.push(0);
        assert_eq!(
            Msg::decode(&frame[4..]),
            Err(ProtoError::Trailing(1)),
            "{m:?}"
        );
    }
}

#[test]
fn bad_frames() {
    assert_eq!(Msg::decode(&[]), Err(ProtoError::Empty));
    assert_eq!(Msg::decode(&[200]), Err(ProtoError::UnknownType(200)));
    assert_eq!(ProtoError::UnknownType(200).code(), ErrorCode::UnknownType);
    // A huge vector count with nothing behind it allocates nothing and fails.
    let mut body = vec![ty::RELEASE_REGIONS];
    body.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        Msg::decode(&body),
        Err(ProtoError::Truncated { .. })
    ));
    let mut body = vec![ty::PAGE_DATA];
    body.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        Msg::decode(&body),
        Err(ProtoError::Truncated { .. })
    ));
    // A write whose byte count disagrees with its range.
    let mut body = vec![ty::PAGE_IO];
    body.extend_from_slice(&1u32.to_le_bytes());
    for v in [0u32, 0, 8, 2] {
        body.extend_from_slice(&v.to_le_bytes());
    }
    body.extend_from_slice(&[1, 2]);
    body.extend_from_slice(&0u32.to_le_bytes());
    assert!(matches!(Msg::decode(&body), Err(ProtoError::Invalid(_))));
    // Bad role, bad error code, bad UTF-8.
    let mut hello = Msg::Hello {
        magic: MAGIC,
        version: 1,
        tenant: 1,
        role: Role::Admin,
        nonce: [0; 32],
    }
    .to_frame();
    hello[4 + 1 + 4 + 2 + 8] = 9;
    assert!(matches!(
        Msg::decode(&hello[4..]),
        Err(ProtoError::Invalid(_))
    ));
    let mut err = Msg::Error {
        code: ErrorCode::Auth,
        message: "x".into(),
    }
    .to_frame();
    err[5] = 99;
    assert!(matches!(
        Msg::decode(&err[4..]),
        Err(ProtoError::Invalid(_))
    ));
    let mut err = Msg::Error {
        code: ErrorCode::Auth,
        message: "x".into(),
    }
    .to_frame();
    let last = err.len() - 1;
    err[last] = 0xFF;
    assert!(matches!(
        Msg::decode(&err[4..]),
        Err(ProtoError::Invalid(_))
    ));
}

#[test]
fn frame_body_checks_the_prefix() {
    let f = Msg::Ping.to_frame();
    assert!(frame_body(&f).is_ok());
    assert!(frame_body(&f[..3]).is_err());
    assert!(frame_body(&f[..4]).is_err());
    let mut long = f.clone();
    long.push(1);
    assert!(frame_body(&long).is_err());
    let huge = ((MAX_FRAME + 1) as u32).to_le_bytes();
    assert!(frame_body(&huge).is_err());
}

fn arb_ref() -> impl Strategy<Value = PageRef> {
    (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(region, offset, len)| PageRef {
        region,
        offset,
        len,
    })
}

fn arb_role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Data),
        Just(Role::Control),
        Just(Role::Admin),
        Just(Role::Peer)
    ]
}

fn arb_code() -> impl Strategy<Value = ErrorCode> {
    (1u16..=8).prop_map(|c| ErrorCode::from_u16(c).unwrap())
}

fn arb_tenant_status() -> impl Strategy<Value = TenantStatus> {
    (any::<[u64; 11]>(), any::<u32>(), any::<u32>()).prop_map(|(v, c, l)| TenantStatus {
        tenant: v[0],
        regions: v[1],
        bytes: v[2],
        connections: c,
        pages_read: v[3],
        pages_written: v[4],
        bytes_read: v[5],
        bytes_written: v[6],
        layouts: l,
        gc_cycles: v[7],
        gc_marked_bytes: v[8],
        gc_evacuated_bytes: v[9],
        gc_peer_bytes: v[10],
    })
}

fn arb_gc_region() -> impl Strategy<Value = GcRegion> {
    (
        any::<u32>(),
        any::<u32>(),
        0..=region_kind::MAX,
        any::<u32>(),
        any::<u16>(),
    )
        .prop_map(|(region, tams, kind, span, owner)| GcRegion {
            region,
            tams,
            kind,
            span,
            owner,
        })
}

fn arb_u32s() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(any::<u32>(), 0..10)
}

fn arb_pairs() -> impl Strategy<Value = Vec<(u32, u32)>> {
    prop::collection::vec((any::<u32>(), any::<u32>()), 0..10)
}

/// The offloaded-collection messages.
fn arb_gc_msg() -> impl Strategy<Value = Msg> {
    prop_oneof![
        (
            any::<u32>(),
            any::<u8>(),
            any::<u32>(),
            any::<u16>(),
            prop::collection::vec(".{0,12}", 0..4),
            prop::collection::vec(arb_gc_region(), 0..6)
        )
            .prop_map(
                |(cycle, log_region, young_refs, self_index, peers, regions)| Msg::GcBegin {
                    cycle,
                    log_region,
                    young_refs,
                    self_index,
                    peers,
                    regions
                }
            ),
        (any::<u32>(), 0..=mark_kind::MAX, arb_u32s())
            .prop_map(|(cycle, kind, refs)| Msg::MarkRefs { cycle, kind, refs }),
        any::<u32>().prop_map(|cycle| Msg::GcPoll { cycle }),
        (any::<bool>(), any::<[u64; 6]>()).prop_map(|(idle, v)| Msg::GcProgress {
            idle,
            sent: v[0],
            received: v[1],
            marked_bytes: v[2],
            marked_objects: v[3],
            peer_bytes: v[4],
            waiting: v[5],
        }),
        any::<u32>().prop_map(|cycle| Msg::GcLiveness { cycle }),
        prop::collection::vec((any::<u32>(), any::<u64>(), any::<u64>()), 0..6)
            .prop_map(|regions| Msg::GcLive { regions }),
        (any::<u32>(), arb_u32s(), arb_u32s()).prop_map(|(cycle, sources, dests)| {
            Msg::GcEvacuate {
                cycle,
                sources,
                dests,
            }
        }),
        (
            any::<u64>(),
            any::<u64>(),
            prop::collection::vec(
                (
                    any::<u32>(),
                    any::<u32>(),
                    prop::collection::vec(any::<u16>(), 0..8)
                ),
                0..4
            ),
            prop::collection::vec(any::<u32>(), 0..8)
        )
            .prop_map(
                |(copied_bytes, moved_objects, ds, young_cards)| Msg::GcEvacuated {
                    copied_bytes,
                    moved_objects,
                    dests: ds
                        .into_iter()
                        .map(|(r, top, bot)| (
                            r,
                            top,
                            bot.iter().flat_map(|e| e.to_le_bytes()).collect()
                        ))
                        .collect(),
                    young_cards,
                }
            ),
        (
            any::<u32>(),
            arb_pairs(),
            arb_pairs(),
            prop::collection::vec(any::<(u32, u32, u32)>(), 0..8)
        )
            .prop_map(|(cycle, tops, resident, skip)| Msg::GcFixup {
                cycle,
                tops,
                resident,
                skip,
            }),
        (
            any::<u64>(),
            arb_pairs(),
            prop::collection::vec(any::<(u32, u32, u32)>(), 0..8)
        )
            .prop_map(|(fixed_refs, pages, patches)| Msg::GcFixed {
                fixed_refs,
                pages,
                patches
            }),
        (any::<u32>(), arb_u32s()).prop_map(|(cycle, refs)| Msg::GcForward { cycle, refs }),
        arb_u32s().prop_map(|refs| Msg::GcForwarded { refs }),
        any::<u32>().prop_map(|cycle| Msg::GcEnd { cycle }),
        (any::<u32>(), arb_u32s()).prop_map(|(cycle, refs)| Msg::GcPeek { cycle, refs }),
        arb_u32s().prop_map(|words| Msg::GcPeeked { words }),
        (any::<u32>(), arb_pairs()).prop_map(|(cycle, pages)| Msg::GcPending { cycle, pages }),
        any::<u32>().prop_map(|cycle| Msg::GetForwarding { cycle }),
        arb_pairs().prop_map(|pairs| Msg::Forwarding { pairs }),
    ]
}

fn arb_msg() -> impl Strategy<Value = Msg> {
    prop_oneof![arb_base_msg(), arb_gc_msg()]
}

fn arb_base_msg() -> impl Strategy<Value = Msg> {
    prop_oneof![
        (
            any::<[u8; 4]>(),
            any::<u16>(),
            any::<u64>(),
            arb_role(),
            any::<[u8; 32]>()
        )
            .prop_map(|(magic, version, tenant, role, nonce)| Msg::Hello {
                magic,
                version,
                tenant,
                role,
                nonce
            }),
        (any::<u16>(), any::<[u8; 32]>())
            .prop_map(|(version, nonce)| Msg::Challenge { version, nonce }),
        any::<[u8; 32]>().prop_map(|mac| Msg::Auth { mac }),
        (
            any::<[u8; 32]>(),
            ".{0,20}",
            any::<u64>(),
            any::<u64>(),
            any::<u32>()
        )
            .prop_map(
                |(mac, name, capacity, used, region_bytes_max)| Msg::Welcome {
                    mac,
                    info: NodeInfo {
                        name,
                        capacity,
                        used,
                        region_bytes_max
                    }
                }
            ),
        (
            prop::collection::vec(
                (
                    any::<u32>(),
                    any::<u32>(),
                    prop::collection::vec(any::<u8>(), 0..64)
                ),
                0..5
            ),
            prop::collection::vec(arb_ref(), 0..5)
        )
            .prop_map(|(ws, reads)| Msg::PageIo {
                writes: ws
                    .into_iter()
                    .map(|(region, offset, b)| (
                        PageRef {
                            region,
                            offset,
                            len: b.len() as u32
                        },
                        b
                    ))
                    .collect(),
                reads
            }),
        prop::collection::vec(any::<u8>(), 0..200).prop_map(|data| Msg::PageData { data }),
        (any::<u32>(), any::<u32>()).prop_map(|(region, bytes)| Msg::AllocRegion { region, bytes }),
        prop::collection::vec(any::<u32>(), 0..10)
            .prop_map(|regions| Msg::ReleaseRegions { regions }),
        prop::collection::vec(any::<u8>(), 0..100).prop_map(|blob| Msg::UploadLayouts { blob }),
        Just(Msg::Goodbye),
        Just(Msg::Ping),
        Just(Msg::Ok),
        Just(Msg::GetStatus),
        (
            ".{0,10}",
            any::<[u64; 3]>(),
            prop::collection::vec(arb_tenant_status(), 0..3),
            any::<[u64; 5]>()
        )
            .prop_map(|(name, a, tenants, b)| Msg::Status(NodeStatus {
                name,
                capacity: a[0],
                used: a[1],
                uptime_ms: a[2],
                tenants,
                frames_in: b[0],
                frames_out: b[1],
                bytes_in: b[2],
                bytes_out: b[3],
                rejected_connections: b[4],
            })),
        (arb_code(), ".{0,30}").prop_map(|(code, message)| Msg::Error { code, message }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decode_of_arbitrary_bytes_never_panics(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Msg::decode(&body);
    }

    #[test]
    fn decode_of_typed_garbage_never_panics(t in 0u8..70, payload in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut body = vec![t];
        body.extend_from_slice(&payload);
        if let Ok(m) = Msg::decode(&body) {
            // Whatever decodes re-encodes to exactly the same bytes.
            let f = m.to_frame();
            prop_assert_eq!(&f[4..], &body[..]);
        }
    }

    #[test]
    fn arbitrary_messages_round_trip(m in arb_msg()) {
        let f = m.to_frame();
        let body = frame_body(&f).unwrap();
        prop_assert_eq!(Msg::decode(body), Ok(m));
    }

    #[test]
    fn mutated_frames_never_panic(m in arb_msg(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut f = m.to_frame();
        let i = at.index(f.len() - 4) + 4;
        f[i] = byte;
        let _ = Msg::decode(&f[4..]);
    }
}
