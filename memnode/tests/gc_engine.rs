//! The memnode side of the offloaded collector, driven through the fabric as
//! the VM drives it: small heaps built directly in a tenant's regions (objects
//! laid out with semeru_gc's layout code), GcBegin / MarkRefs / GcPoll to
//! termination, liveness, evacuation with block-offset entries, fixup, and
//! two memnodes marking across in-process peer links.

use semeru_fabric::proto::{mark_kind, region_kind};
use semeru_fabric::{
    inproc, Client, ErrorCode, FabricError, GcRegion, Msg, PageRef, Purpose, Role, Service,
    TcpTransport, TenantId, Token,
};
use semeru_gc::addr::Addr;
use semeru_gc::classes::ClassTable;
use semeru_gc::layout::{ClassId, ElemKind, InstanceLayout, Layout};
use semeru_gc::metadata::bot::BlockOffsetTable;
use semeru_memnode::{format_status, InprocPeers, Memnode, MemnodeConfig, Server};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const LOG_REGION: u8 = 16;
const RB: usize = 1 << LOG_REGION;
/// Regions 0 and 1 are the nursery.
const YOUNG_REFS: u32 = ((2 * RB) >> 3) as u32;
const TENANT: TenantId = 0x5e3e_0005;
const NODE: ClassId = ClassId(5);
const REFS: ClassId = ClassId(6);
const BYTES: ClassId = ClassId(7);
/// Node: two refs (offsets 8, 12) and a long (16): 24 bytes.
const NODE_SIZE: usize = 24;

fn token() -> Arc<Token> {
    Arc::new(Token::new(b"gc-test".to_vec()))
}

fn classes() -> ClassTable {
    let mut t = ClassTable::default();
    t.define(ClassId(0), InstanceLayout::default().to_layout());
    let (l, off) =
        InstanceLayout::default().extend(&[ElemKind::Ref, ElemKind::Ref, ElemKind::Long]);
    assert_eq!(off, vec![8, 12, 16]);
    t.define(NODE, l.to_layout());
    t.define(
        REFS,
        Layout::Array {
            elem: ElemKind::Ref,
        },
    );
    t.define(
        BYTES,
        Layout::Array {
            elem: ElemKind::Byte,
        },
    );
    t
}

fn nodes(n: usize, threads: usize) -> Vec<Arc<Memnode>> {
    let v: Vec<Arc<Memnode>> = (0..n)
        .map(|i| {
            Memnode::new(MemnodeConfig {
                name: format!("embedded#{i}"),
                capacity: 64 << 20,
                threads,
                grace: Duration::from_secs(5),
            })
        })
        .collect();
    InprocPeers::install(&v);
    v
}

fn link(n: &Arc<Memnode>, role: Role) -> Client {
    let svc: Arc<dyn Service> = n.clone();
    let t = inproc(svc, token(), n.name().to_string());
    Client::connect(t, &token(), TENANT, role).expect("link")
}

fn call(c: &mut Client, m: Msg) -> Result<Msg, FabricError> {
    c.call(&m, Purpose::GcControl)
}

fn ok(c: &mut Client, m: Msg) {
    let name = m.name();
    assert_eq!(
        call(c, m).unwrap_or_else(|e| panic!("{name}: {e}")),
        Msg::Ok
    );
}

/// A heap image: regions of bytes, each with a home memnode and a bump top.
struct Heap {
    regions: BTreeMap<u32, (usize, Vec<u8>, usize)>,
}

impl Heap {
    fn new() -> Heap {
        Heap {
            regions: BTreeMap::new(),
        }
    }

    fn region(&mut self, r: u32, home: usize) {
        self.regions.insert(r, (home, vec![0; RB], 0));
    }

    fn base(r: u32) -> u64 {
        u64::from(r) << LOG_REGION
    }

    fn alloc(&mut self, r: u32, class: ClassId, size: usize) -> u32 {
        let (_, bytes, top) = self.regions.get_mut(&r).expect("region");
        let off = *top;
        assert!(off + size <= RB, "region {r} full");
        bytes[off..off + 8].copy_from_slice(&u64::from(class.0).to_le_bytes());
        *top += size;
        ((Self::base(r) + off as u64) >> 3) as u32
    }

    fn node(&mut self, r: u32, payload: u64) -> u32 {
        let o = self.alloc(r, NODE, NODE_SIZE);
        self.put_u64(o, 16, payload);
        o
    }

    fn refs(&mut self, r: u32, len: u32) -> u32 {
        let size = (16 + 4 * len as usize).div_ceil(8) * 8;
        let o = self.alloc(r, REFS, size);
        self.put_u32(o, 8, len);
        o
    }

    fn loc(&mut self, obj: u32, field: usize) -> (&mut Vec<u8>, usize) {
        let a = (u64::from(obj) << 3) as usize + field;
        let r = (a >> LOG_REGION) as u32;
        let (_, bytes, _) = self.regions.get_mut(&r).expect("region");
        (bytes, a & (RB - 1))
    }

    fn put_u32(&mut self, obj: u32, field: usize, v: u32) {
        let (b, o) = self.loc(obj, field);
        b[o..o + 4].copy_from_slice(&v.to_le_bytes());
    }

    fn put_u64(&mut self, obj: u32, field: usize, v: u64) {
        let (b, o) = self.loc(obj, field);
        b[o..o + 8].copy_from_slice(&v.to_le_bytes());
    }

    /// Node field 0 or 1.
    fn set(&mut self, obj: u32, i: usize, to: u32) {
        self.put_u32(obj, 8 + 4 * i, to);
    }

    /// Ref array element.
    fn set_elem(&mut self, arr: u32, i: usize, to: u32) {
        self.put_u32(arr, 16 + 4 * i, to);
    }

    fn top(&self, r: u32) -> u32 {
        self.regions[&r].2 as u32
    }

    /// Creates the regions on their homes, writes their bytes.
    fn upload(&self, ctl: &mut [Client]) {
        for (&r, (home, bytes, _)) in &self.regions {
            let c = &mut ctl[*home];
            ok(
                c,
                Msg::AllocRegion {
                    region: r,
                    bytes: RB as u32,
                },
            );
            let page = PageRef {
                region: r,
                offset: 0,
                len: RB as u32,
            };
            let mut out = Vec::new();
            c.page_io(&[(page, bytes)], &[], &mut out, false)
                .expect("write region");
        }
    }

    /// `GcBegin` regions: every region, TAMS = its top now.
    fn gc_regions(&self) -> Vec<GcRegion> {
        self.regions
            .iter()
            .map(|(&r, (home, _, top))| GcRegion {
                region: r,
                tams: *top as u32,
                kind: region_kind::OLD,
                span: 1,
                owner: *home as u16,
            })
            .collect()
    }
}

fn read_region(c: &mut Client, r: u32) -> Vec<u8> {
    let mut out = Vec::new();
    c.page_io(
        &[],
        &[PageRef {
            region: r,
            offset: 0,
            len: RB as u32,
        }],
        &mut out,
        false,
    )
    .expect("read region");
    out
}

fn u32_at(bytes: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(bytes[off..off + 4].try_into().expect("4 bytes"))
}

fn u64_at(bytes: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(bytes[off..off + 8].try_into().expect("8 bytes"))
}

fn off_of(obj: u32) -> usize {
    ((u64::from(obj) << 3) as usize) & (RB - 1)
}

fn region_of(obj: u32) -> u32 {
    ((u64::from(obj) << 3) >> LOG_REGION) as u32
}

/// Sets up `n` memnodes with the layouts uploaded and one control link each.
fn setup(n: usize, threads: usize) -> (Vec<Arc<Memnode>>, Vec<Client>) {
    let ns = nodes(n, threads);
    let mut ctl: Vec<Client> = ns.iter().map(|n| link(n, Role::Control)).collect();
    let blob = classes().encode_table();
    for c in &mut ctl {
        ok(c, Msg::UploadLayouts { blob: blob.clone() });
    }
    (ns, ctl)
}

fn begin(ctl: &mut [Client], cycle: u32, regions: Vec<GcRegion>) {
    let peers: Vec<String> = (0..ctl.len()).map(|i| format!("embedded#{i}")).collect();
    begin_named(ctl, cycle, regions, peers)
}

fn begin_named(ctl: &mut [Client], cycle: u32, regions: Vec<GcRegion>, peers: Vec<String>) {
    for (i, c) in ctl.iter_mut().enumerate() {
        ok(
            c,
            Msg::GcBegin {
                cycle,
                log_region: LOG_REGION,
                young_refs: YOUNG_REFS,
                self_index: i as u16,
                peers: peers.clone(),
                regions: regions.clone(),
            },
        );
    }
}

/// Sends `refs` to their homes (by region owner) as `kind`.
fn mark(ctl: &mut [Client], heap: &Heap, cycle: u32, kind: u8, refs: &[u32]) {
    let mut by: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    for &r in refs {
        let home = heap.regions.get(&region_of(r)).map_or(0, |x| x.0);
        by.entry(home).or_default().push(r);
    }
    for (home, refs) in by {
        ok(&mut ctl[home], Msg::MarkRefs { cycle, kind, refs });
    }
}

type Round = Vec<(bool, u64, u64, u64)>;

fn poll(ctl: &mut [Client], cycle: u32) -> Round {
    ctl.iter_mut()
        .map(|c| match call(c, Msg::GcPoll { cycle }).expect("poll") {
            Msg::GcProgress {
                idle,
                sent,
                received,
                marked_objects,
                waiting,
                ..
            } => (idle && waiting == 0, sent, received, marked_objects),
            other => panic!("GcPoll answered {}", other.name()),
        })
        .collect()
}

/// The VM's four-counter termination test; returns marked objects in all.
fn terminate(ctl: &mut [Client], cycle: u32) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut prev: Option<Round> = None;
    loop {
        let cur = poll(ctl, cycle);
        let sent: u64 = cur.iter().map(|x| x.1).sum();
        let recv: u64 = cur.iter().map(|x| x.2).sum();
        let quiet = cur.iter().all(|x| x.0) && sent == recv;
        if quiet && prev.as_ref() == Some(&cur) {
            return cur.iter().map(|x| x.3).sum();
        }
        prev = quiet.then_some(cur);
        assert!(Instant::now() < deadline, "marking did not terminate");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn liveness(c: &mut Client, cycle: u32) -> BTreeMap<u32, (u64, u64)> {
    match call(c, Msg::GcLiveness { cycle }).expect("liveness") {
        Msg::GcLive { regions } => regions.into_iter().map(|(r, b, o)| (r, (b, o))).collect(),
        other => panic!("GcLiveness answered {}", other.name()),
    }
}

fn marked(n: &Arc<Memnode>, r: u32) -> bool {
    n.gc_cycle(TENANT).expect("cycle").is_marked(r)
}

#[test]
fn marks_what_the_roots_reach_and_counts_live_bytes() {
    let (ns, mut ctl) = setup(1, 2);
    let mut h = Heap::new();
    h.region(2, 0);
    h.region(3, 0);
    let a = h.node(2, 1);
    let b = h.node(2, 2);
    let c = h.node(3, 3);
    let dead = h.node(2, 4);
    let dead_child = h.node(3, 5);
    h.set(a, 0, b);
    h.set(b, 1, c);
    h.set(c, 0, a); // a cycle
    h.set(c, 1, 8); // a young ref: ignored
    h.set(dead, 0, dead_child);
    let arr = h.refs(3, 3);
    h.set_elem(arr, 0, a);
    h.set_elem(arr, 2, c);
    h.set(b, 0, arr);
    let regions = h.gc_regions();
    // Allocated black after initial mark: above TAMS, never traced.
    let black = h.node(2, 6);
    let only_from_black = h.node(3, 7);
    h.set(black, 0, only_from_black);
    h.upload(&mut ctl);
    // TAMS excludes `black` and `only_from_black`.
    begin(&mut ctl, 1, regions);
    mark(&mut ctl, &h, 1, mark_kind::ROOT, &[a, 0, 3, a]);
    let n = terminate(&mut ctl, 1);
    assert_eq!(n, 4);
    for o in [a, b, c, arr] {
        assert!(marked(&ns[0], o), "{o:#x} live");
    }
    for o in [dead, dead_child, black, only_from_black] {
        assert!(!marked(&ns[0], o), "{o:#x} not marked");
    }
    let live = liveness(&mut ctl[0], 1);
    let arr_size = 32;
    assert_eq!(live[&2], (2 * NODE_SIZE as u64, 2));
    assert_eq!(live[&3], ((NODE_SIZE + arr_size) as u64, 2));

    // SATB entries after the memnode went idle: the snapshot's objects that
    // only the logged value reached are marked, with their children.
    mark(&mut ctl, &h, 1, mark_kind::SATB, &[dead, black]);
    assert_eq!(terminate(&mut ctl, 1), 6);
    assert!(marked(&ns[0], dead) && marked(&ns[0], dead_child));
    assert!(!marked(&ns[0], only_from_black));
    ok(&mut ctl[0], Msg::GcEnd { cycle: 1 });
    assert!(ns[0].gc_cycle(TENANT).is_none());
    let tot = ns[0].gc_totals(TENANT).expect("totals");
    assert_eq!(tot.cycles, 1);
    assert_eq!(
        tot.marked_bytes,
        4 * NODE_SIZE as u64 + arr_size as u64 + NODE_SIZE as u64
    );
}

#[test]
fn bad_cycles_are_state_errors_and_peers_are_restricted() {
    let (ns, mut ctl) = setup(1, 1);
    let mut h = Heap::new();
    h.region(2, 0);
    let a = h.node(2, 1);
    h.upload(&mut ctl);
    let code = |r: Result<Msg, FabricError>| r.err().and_then(|e| e.remote_code());
    let c = &mut ctl[0];
    let m = Msg::MarkRefs {
        cycle: 1,
        kind: mark_kind::ROOT,
        refs: vec![a],
    };
    assert_eq!(code(call(c, m)), Some(ErrorCode::State));
    assert_eq!(
        code(call(c, Msg::GcPoll { cycle: 1 })),
        Some(ErrorCode::State)
    );
    assert_eq!(
        code(call(c, Msg::GcEnd { cycle: 1 })),
        Some(ErrorCode::State)
    );
    begin(&mut ctl, 7, h.gc_regions());
    let c = &mut ctl[0];
    assert_eq!(
        code(call(c, Msg::GcPoll { cycle: 6 })),
        Some(ErrorCode::State)
    );
    assert_eq!(
        code(call(c, Msg::GcLiveness { cycle: 8 })),
        Some(ErrorCode::State)
    );
    let again = Msg::GcBegin {
        cycle: 8,
        log_region: LOG_REGION,
        young_refs: YOUNG_REFS,
        self_index: 0,
        peers: vec!["embedded#0".into()],
        regions: vec![],
    };
    assert_eq!(code(call(c, again)), Some(ErrorCode::State));
    // A peer-kind batch from the VM is refused; the connection stays.
    let m = Msg::MarkRefs {
        cycle: 7,
        kind: mark_kind::PEER,
        refs: vec![a],
    };
    assert_eq!(code(call(c, m)), Some(ErrorCode::State));
    // Evacuation into a region that is not fresh.
    let m = Msg::GcEvacuate {
        cycle: 7,
        sources: vec![2],
        dests: vec![2],
    };
    assert_eq!(code(call(c, m)), Some(ErrorCode::State));
    assert_eq!(call(c, Msg::Ping).expect("still open"), Msg::Ok);

    // A peer link: marking and forwarding only, and it is not a connection
    // of the tenant.
    let mut p = link(&ns[0], Role::Peer);
    let m = Msg::MarkRefs {
        cycle: 7,
        kind: mark_kind::PEER,
        refs: vec![a],
    };
    assert_eq!(call(&mut p, m).expect("peer mark"), Msg::Ok);
    assert!(matches!(
        call(&mut p, Msg::GetForwarding { cycle: 7 }),
        Ok(Msg::Forwarding { pairs }) if pairs.is_empty()
    ));
    let status = ns[0].status();
    assert_eq!(status.tenants[0].connections, 1);
    let m = Msg::MarkRefs {
        cycle: 7,
        kind: mark_kind::ROOT,
        refs: vec![a],
    };
    assert_eq!(code(call(&mut p, m)), Some(ErrorCode::State));
    let e = call(&mut p, Msg::GcEnd { cycle: 7 });
    assert_eq!(code(e), Some(ErrorCode::State));
    assert!(
        call(&mut p, Msg::Ping).is_err(),
        "a peer that oversteps is closed"
    );
    // A peer link for a tenant this memnode does not know is refused.
    let svc: Arc<dyn Service> = ns[0].clone();
    let t = inproc(svc, token(), "x".into());
    assert!(Client::connect(t, &token(), 0x1234, Role::Peer).is_err());
    // The fake peer's batch counts as received (no memnode sent it).
    let deadline = Instant::now() + Duration::from_secs(10);
    while poll(&mut ctl, 7) != vec![(true, 0, 1, 1)] {
        assert!(Instant::now() < deadline, "{:?}", poll(&mut ctl, 7));
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(marked(&ns[0], a));
    ok(&mut ctl[0], Msg::GcEnd { cycle: 7 });
}

/// A long list alternating between two memnodes, plus an array whose
/// elements all live on the other memnode: many peer batches both ways.
#[test]
fn two_memnodes_mark_across_peer_links() {
    let (ns, mut ctl) = setup(2, 2);
    let mut h = Heap::new();
    for r in 2..8 {
        h.region(r, (r % 2) as usize);
    }
    let mut list = Vec::new();
    for i in 0..4000u32 {
        let r = 2 + (i % 2) + 2 * ((i / 1200) % 3);
        list.push(h.node(r, u64::from(i)));
    }
    for w in list.windows(2) {
        h.set(w[0], 0, w[1]);
    }
    // A big array on memnode 0 (region 2) pointing at new objects on memnode 1.
    let arr = h.refs(2, 5000);
    let mut far = Vec::new();
    for i in 0..5000 {
        let r = [3, 5, 7][i % 3];
        let o = h.node(r, 9);
        far.push(o);
        h.set_elem(arr, i, o);
    }
    h.set(list[3999], 1, arr);
    let garbage: Vec<u32> = (0..100).map(|i| h.node(2 + (i % 6), 0)).collect();
    h.upload(&mut ctl);
    begin(&mut ctl, 3, h.gc_regions());
    mark(&mut ctl, &h, 3, mark_kind::ROOT, &[list[0]]);
    let n = terminate(&mut ctl, 3);
    assert_eq!(n, 4000 + 1 + 5000);
    let home = |o: u32| &ns[h.regions[&region_of(o)].0];
    for &o in list.iter().chain(&far).chain([&arr]) {
        assert!(marked(home(o), o), "{o:#x}");
    }
    for &o in &garbage {
        assert!(!marked(home(o), o));
    }
    let status0 = ns[0].status();
    assert_eq!(
        status0.tenants[0].connections, 1,
        "peer links are not tenant connections"
    );
    let t0 = ns[0].gc_totals(TENANT).expect("totals");
    let t1 = ns[1].gc_totals(TENANT).expect("totals");
    assert!(t0.peer_bytes > 0 && t1.peer_bytes > 0);
    for c in &mut ctl {
        ok(c, Msg::GcEnd { cycle: 3 });
    }
}

fn base(r: u32) -> u64 {
    Heap::base(r)
}

/// Compressed ref of offset `off` in region `r`.
fn at(r: u32, off: u64) -> u32 {
    ((base(r) + off) >> 3) as u32
}

#[test]
fn evacuation_and_fixup_across_two_memnodes() {
    let (ns, mut ctl) = setup(2, 2);
    let mut h = Heap::new();
    h.region(2, 0); // the sparse source
    h.region(4, 0); // stays
    h.region(3, 1); // stays, on the other memnode
    let s1 = h.node(2, 11);
    let s_dead = h.node(2, 12);
    let s2 = h.node(2, 22);
    let arr = h.refs(2, 3);
    let p = h.node(3, 33);
    let x3 = h.node(3, 34);
    let q = h.node(4, 44);
    let d = h.node(4, 45);
    h.set_elem(arr, 0, s1);
    h.set_elem(arr, 1, x3);
    h.set_elem(arr, 2, s2);
    h.set(p, 0, s1);
    h.set(p, 1, s2);
    h.set(q, 0, arr);
    h.set(d, 0, s1);
    h.set(d, 1, x3);
    h.set(s_dead, 0, s2);
    // s2 refers to a nursery object: the edge moves with it.
    let young = YOUNG_REFS - 8;
    h.set(s2, 1, young);
    let regions = h.gc_regions();
    let nb = h.node(4, 46); // promoted during the cycle: above TAMS
    h.set(nb, 0, s2);
    h.upload(&mut ctl);
    begin(&mut ctl, 9, regions);
    mark(&mut ctl, &h, 9, mark_kind::ROOT, &[p, q]);
    assert_eq!(terminate(&mut ctl, 9), 6);
    assert_eq!(liveness(&mut ctl[0], 9)[&2], (2 * NODE_SIZE as u64 + 32, 3));

    // The VM creates the destination on the same memnode, then evacuates.
    ok(
        &mut ctl[0],
        Msg::AllocRegion {
            region: 6,
            bytes: RB as u32,
        },
    );
    ok(
        &mut ctl[0],
        Msg::AllocRegion {
            region: 8,
            bytes: RB as u32,
        },
    );
    let ev = call(
        &mut ctl[0],
        Msg::GcEvacuate {
            cycle: 9,
            sources: vec![2],
            dests: vec![6, 8],
        },
    )
    .expect("evacuate");
    let Msg::GcEvacuated {
        copied_bytes,
        moved_objects,
        dests,
        young_cards,
    } = ev
    else {
        panic!("GcEvacuate answered {}", ev.name())
    };
    assert_eq!((copied_bytes, moved_objects), (80, 3));
    assert_eq!(dests.len(), 2);
    let (r6, top6, bot6) = &dests[0];
    assert_eq!((*r6, *top6), (6, 80));
    // The BOT entries are the VM's own for these objects.
    let mut vm = BlockOffsetTable::new(Addr(base(6)), RB);
    vm.record(Addr(base(6)), 24);
    vm.record(Addr(base(6) + 24), 24);
    vm.record(Addr(base(6) + 48), 32);
    let want: Vec<u8> = vm
        .export(Addr(base(6)), Addr(base(6) + 80))
        .iter()
        .flat_map(|e| e.to_le_bytes())
        .collect();
    assert_eq!(bot6, &want);
    assert_eq!((dests[1].0, dests[1].1, dests[1].2.len()), (8, 0, 0));
    // s2 lands at offset 24 of region 6: its young slot is on card 0.
    assert_eq!(young_cards, vec![at(6, 0)]);
    let (n1, n2, narr) = (at(6, 0), at(6, 24), at(6, 48));

    // Every memnode fixes its regions with everyone's forwarding.
    let fixed0 = call(
        &mut ctl[0],
        Msg::GcFixup {
            cycle: 9,
            tops: vec![(2, h.top(2)), (4, h.top(4)), (6, 80)],
            // The VM caches page 0 of region 4 (and an unchanged page).
            resident: vec![(4, 0), (4, 9)],
            skip: vec![],
        },
    )
    .expect("fixup 0");
    let fixed1 = call(
        &mut ctl[1],
        Msg::GcFixup {
            cycle: 9,
            tops: vec![(3, h.top(3))],
            resident: vec![],
            skip: vec![],
        },
    )
    .expect("fixup 1");
    let Msg::GcFixed {
        fixed_refs,
        pages,
        patches,
    } = fixed0
    else {
        panic!("GcFixup answered {}", fixed0.name())
    };
    // q→arr, nb→s2, and arr's two moved elements.
    assert_eq!(fixed_refs, 4);
    // Region 4's page comes back as patches of its changed slots: the two
    // fixed refs and the dead object's two nulled ones.
    assert_eq!(pages, vec![(6, 0)]);
    let off = |o: u32, k: usize| (off_of(o) + k) as u32;
    assert_eq!(
        patches,
        vec![
            (4, off(q, 8), narr),
            (4, off(d, 8), 0),
            (4, off(d, 12), 0),
            (4, off(nb, 8), n2)
        ]
    );
    let Msg::GcFixed {
        fixed_refs,
        pages,
        patches,
    } = fixed1
    else {
        panic!("GcFixup answered {}", fixed1.name())
    };
    assert_eq!((fixed_refs, pages), (2, vec![(3, 0)]));
    assert!(patches.is_empty());

    let r3 = read_region(&mut ctl[1], 3);
    assert_eq!(u32_at(&r3, off_of(p) + 8), n1);
    assert_eq!(u32_at(&r3, off_of(p) + 12), n2);
    let r4 = read_region(&mut ctl[0], 4);
    assert_eq!(u32_at(&r4, off_of(q) + 8), narr);
    assert_eq!(u32_at(&r4, off_of(d) + 8), 0, "a dead object keeps no refs");
    assert_eq!(u32_at(&r4, off_of(d) + 12), 0);
    assert_eq!(
        u64_at(&r4, off_of(d)),
        u64::from(NODE.0),
        "its header stays"
    );
    assert_eq!(u32_at(&r4, off_of(nb) + 8), n2);
    let r6 = read_region(&mut ctl[0], 6);
    assert_eq!(u64_at(&r6, 0), u64::from(NODE.0));
    assert_eq!(u64_at(&r6, 16), 11);
    assert_eq!(u64_at(&r6, 24 + 16), 22);
    assert_eq!(
        u32_at(&r6, 24 + 12),
        young,
        "a young reference is not forwarded"
    );
    assert_eq!(u64_at(&r6, 48), u64::from(REFS.0));
    assert_eq!(u32_at(&r6, 48 + 8), 3);
    assert_eq!([16, 20, 24].map(|o| u32_at(&r6, 48 + o)), [n1, x3, n2]);
    // The VM forwards its roots.
    match call(
        &mut ctl[0],
        Msg::GcForward {
            cycle: 9,
            refs: vec![s1, p, 0, arr],
        },
    )
    .expect("forward")
    {
        Msg::GcForwarded { refs } => assert_eq!(refs, vec![n1, p, 0, narr]),
        other => panic!("GcForward answered {}", other.name()),
    }
    // The VM peeks at the heads of objects that stay: header and the next
    // 32 bits, from this memnode's copy.
    let h = |o: u32| u64_at(&r4, off_of(o));
    match call(
        &mut ctl[0],
        Msg::GcPeek {
            cycle: 9,
            refs: vec![q, d],
        },
    )
    .expect("peek")
    {
        Msg::GcPeeked { words } => assert_eq!(
            words,
            vec![
                h(q) as u32,
                (h(q) >> 32) as u32,
                u32_at(&r4, off_of(q) + 8),
                h(d) as u32,
                (h(d) >> 32) as u32,
                u32_at(&r4, off_of(d) + 8),
            ]
        ),
        other => panic!("GcPeek answered {}", other.name()),
    }
    // Outside the tenant's regions here: refused, the link stays.
    match call(
        &mut ctl[0],
        Msg::GcPeek {
            cycle: 9,
            refs: vec![0],
        },
    ) {
        Ok(Msg::Error { .. }) | Err(_) => {}
        Ok(other) => panic!("a peek at null answered {}", other.name()),
    }
    ok(
        &mut ctl[0],
        Msg::ReleaseRegions {
            regions: vec![2, 8],
        },
    );
    for c in &mut ctl {
        ok(c, Msg::GcEnd { cycle: 9 });
    }
    let t0 = ns[0].gc_totals(TENANT).expect("totals");
    assert_eq!((t0.cycles, t0.evacuated_bytes), (1, 80));
    let st = ns[0].status();
    assert_eq!(
        (st.tenants[0].gc_cycles, st.tenants[0].gc_evacuated_bytes),
        (1, 80)
    );
    let text = format_status("embedded#0", &st);
    assert!(
        text.contains("gc cycles") && text.contains("80 B"),
        "{text}"
    );
}

/// Two TCP daemons: peer links are TCP connections with the daemons' token.
#[test]
fn tcp_memnodes_mark_and_fix_across_peer_links() {
    let tok = Token::new(b"tcp-peers".to_vec());
    let mut addrs = Vec::new();
    let mut ns = Vec::new();
    for _ in 0..2 {
        let server = Server::bind(
            "127.0.0.1:0",
            MemnodeConfig {
                name: String::new(),
                capacity: 64 << 20,
                threads: 2,
                grace: Duration::from_secs(5),
            },
            tok.clone(),
        )
        .expect("bind");
        ns.push(server.node().clone());
        addrs.push(server.spawn().expect("spawn").to_string());
    }
    let mut ctl: Vec<Client> = addrs
        .iter()
        .map(|a| {
            let t = TcpTransport::connect(a, Duration::from_secs(5)).expect("connect");
            Client::connect(Box::new(t), &tok, TENANT, Role::Control).expect("handshake")
        })
        .collect();
    let blob = classes().encode_table();
    for c in &mut ctl {
        ok(c, Msg::UploadLayouts { blob: blob.clone() });
    }
    let mut h = Heap::new();
    h.region(2, 0);
    h.region(3, 1);
    let mut list = Vec::new();
    for i in 0..3000u32 {
        list.push(h.node(2 + i % 2, u64::from(i)));
    }
    for w in list.windows(2) {
        h.set(w[0], 0, w[1]);
    }
    h.upload(&mut ctl);
    begin_named(&mut ctl, 4, h.gc_regions(), addrs.clone());
    mark(&mut ctl, &h, 4, mark_kind::ROOT, &[list[0]]);
    assert_eq!(terminate(&mut ctl, 4), 3000);
    // Evacuate region 3 (memnode 1) and fix memnode 0's refs into it.
    ok(
        &mut ctl[1],
        Msg::AllocRegion {
            region: 5,
            bytes: RB as u32,
        },
    );
    let ev = call(
        &mut ctl[1],
        Msg::GcEvacuate {
            cycle: 4,
            sources: vec![3],
            dests: vec![5],
        },
    )
    .expect("evacuate");
    assert!(matches!(
        ev,
        Msg::GcEvacuated {
            moved_objects: 1500,
            ..
        }
    ));
    let f0 = call(
        &mut ctl[0],
        Msg::GcFixup {
            cycle: 4,
            tops: vec![(2, h.top(2))],
            resident: vec![],
            skip: vec![],
        },
    )
    .expect("fixup");
    assert!(
        matches!(
            f0,
            Msg::GcFixed {
                fixed_refs: 1500,
                ..
            }
        ),
        "{f0:?}"
    );
    let r2 = read_region(&mut ctl[0], 2);
    // list[0] (region 2) → list[1], the first object moved: now at region 5's base.
    assert_eq!(u32_at(&r2, off_of(list[0]) + 8), at(5, 0));
    assert_eq!(ns[0].status().tenants[0].connections, 1);
    for c in &mut ctl {
        ok(c, Msg::GcEnd { cycle: 4 });
    }
}

/// A humongous reference array spanning two regions, its last elements in
/// the continuation region; and the age bits of a copied header are reset.
#[test]
fn humongous_objects_are_traced_whole() {
    let (ns, mut ctl) = setup(1, 3);
    let mut h = Heap::new();
    h.region(2, 0);
    h.region(10, 0);
    h.region(11, 0);
    let len = (RB / 4 + 1000) as u32; // a bit over one region of elements
    let big = {
        // Lay the array out by hand across regions 10 and 11.
        let (_, b10, t10) = h.regions.get_mut(&10).expect("10");
        b10[0..8].copy_from_slice(&u64::from(REFS.0).to_le_bytes());
        b10[8..12].copy_from_slice(&len.to_le_bytes());
        *t10 = RB;
        at(10, 0)
    };
    let early = h.node(2, 1);
    let late = h.node(2, 2);
    let unreached = h.node(2, 3);
    h.put_u64(early, 0, u64::from(NODE.0) | (5 << 32)); // age 5
                                                        // Element 0 (region 10) and the last element (in region 11).
    h.put_u32(big, 16, early);
    let last = 16 + 4 * (len as usize - 1);
    let (_, b11, t11) = h.regions.get_mut(&11).expect("11");
    let o = last - RB;
    b11[o..o + 4].copy_from_slice(&late.to_le_bytes());
    *t11 = (o + 4).div_ceil(8) * 8;
    let mut regions = h.gc_regions();
    for g in &mut regions {
        match g.region {
            10 => (g.kind, g.span) = (region_kind::HUMONGOUS_START, 2),
            11 => g.kind = region_kind::CONTINUATION,
            _ => {}
        }
    }
    h.upload(&mut ctl);
    begin(&mut ctl, 2, regions);
    mark(&mut ctl, &h, 2, mark_kind::ROOT, &[big]);
    assert_eq!(terminate(&mut ctl, 2), 3);
    assert!(marked(&ns[0], early) && marked(&ns[0], late) && !marked(&ns[0], unreached));
    let live = liveness(&mut ctl[0], 2);
    assert_eq!(live[&10].1, 1);
    assert!(!live.contains_key(&11));
    ok(
        &mut ctl[0],
        Msg::AllocRegion {
            region: 12,
            bytes: RB as u32,
        },
    );
    let ev = call(
        &mut ctl[0],
        Msg::GcEvacuate {
            cycle: 2,
            sources: vec![2],
            dests: vec![12],
        },
    )
    .expect("evacuate");
    assert!(matches!(
        ev,
        Msg::GcEvacuated {
            moved_objects: 2,
            ..
        }
    ));
    let tops = vec![(10, RB as u32), (11, h.top(11)), (12, 48)];
    let fixed = call(
        &mut ctl[0],
        Msg::GcFixup {
            cycle: 2,
            tops,
            resident: vec![],
            skip: vec![],
        },
    )
    .expect("fixup");
    assert!(
        matches!(fixed, Msg::GcFixed { fixed_refs: 2, .. }),
        "{fixed:?}"
    );
    let r10 = read_region(&mut ctl[0], 10);
    let r11 = read_region(&mut ctl[0], 11);
    let r12 = read_region(&mut ctl[0], 12);
    assert_eq!(u32_at(&r10, 16), at(12, 0));
    assert_eq!(u32_at(&r11, o), at(12, 24));
    assert_eq!(u64_at(&r12, 0), u64::from(NODE.0), "age reset");
    ok(&mut ctl[0], Msg::GcEnd { cycle: 2 });
}

/// xorshift64*.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Random graphs over three memnodes with several workers each: the marked
/// set is exactly the set reachable from the roots (computed here), whatever
/// the interleaving of workers, peer batches and polls; then SATB entries for
/// random unreached objects extend it exactly by what they reach.
#[test]
fn random_graphs_mark_exactly_the_reachable_set() {
    for seed in 1..=6u64 {
        let (ns, mut ctl) = setup(3, 3);
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut h = Heap::new();
        for r in 2..11 {
            h.region(r, (r % 3) as usize);
        }
        let n = 2500;
        let objs: Vec<u32> = (0..n)
            .map(|i| h.node(2 + rng.below(9) as u32, i as u64))
            .collect();
        let mut edges: Vec<[Option<usize>; 2]> = vec![[None, None]; n];
        for (i, e) in edges.iter_mut().enumerate() {
            for (k, slot) in e.iter_mut().enumerate() {
                if rng.below(10) < 7 {
                    let j = rng.below(n as u64) as usize;
                    *slot = Some(j);
                    h.set(objs[i], k, objs[j]);
                }
            }
        }
        let reach = |from: &[usize], seen: &mut Vec<bool>| {
            let mut stack: Vec<usize> = from.to_vec();
            while let Some(i) = stack.pop() {
                if std::mem::replace(&mut seen[i], true) {
                    continue;
                }
                stack.extend(edges[i].iter().flatten().copied());
            }
        };
        let roots: Vec<usize> = (0..4).map(|_| rng.below(n as u64) as usize).collect();
        let mut seen = vec![false; n];
        reach(&roots, &mut seen);
        h.upload(&mut ctl);
        let cycle = 100 + seed as u32;
        begin(&mut ctl, cycle, h.gc_regions());
        let root_refs: Vec<u32> = roots.iter().map(|&i| objs[i]).collect();
        mark(&mut ctl, &h, cycle, mark_kind::ROOT, &root_refs);
        let total = terminate(&mut ctl, cycle);
        let home = |o: u32| &ns[h.regions[&region_of(o)].0];
        let check = |seen: &[bool]| {
            for (i, &o) in objs.iter().enumerate() {
                assert_eq!(marked(home(o), o), seen[i], "seed {seed} object {i}");
            }
        };
        check(&seen);
        assert_eq!(total, seen.iter().filter(|&&s| s).count() as u64);
        let satb: Vec<usize> = (0..20).map(|_| rng.below(n as u64) as usize).collect();
        reach(&satb, &mut seen);
        let satb_refs: Vec<u32> = satb.iter().map(|&i| objs[i]).collect();
        mark(&mut ctl, &h, cycle, mark_kind::SATB, &satb_refs);
        let total = terminate(&mut ctl, cycle);
        check(&seen);
        assert_eq!(total, seen.iter().filter(|&&s| s).count() as u64);
        for c in &mut ctl {
            ok(c, Msg::GcEnd { cycle });
        }
    }
}

/// A page the VM holds dirty at initial mark (`GcPending`) is older here than
/// the snapshot: marking waits for it, and is not idle, until the VM writes
/// it back.
#[test]
fn pending_pages_defer_marking_until_written_back() {
    // Released by a write-back of the page, then by a GcPending that no
    // longer lists it (the VM's remark, after its flush).
    for by_write in [true, false] {
        let (ns, mut ctl) = setup(1, 2);
        let mut h = Heap::new();
        h.region(2, 0);
        let a = h.node(2, 1);
        let _filler = h.refs(2, 1100); // pushes b onto page 1
        let b = h.node(2, 2);
        let c = h.node(2, 3);
        assert_eq!(off_of(b) / 4096, 1);
        h.set(a, 0, b);
        h.set(b, 0, c);
        let regions = h.gc_regions();
        h.upload(&mut ctl);
        begin(&mut ctl, 5, regions);
        ok(
            &mut ctl[0],
            Msg::GcPending {
                cycle: 5,
                pages: vec![(2, 1), (2, 7)],
            },
        );
        mark(&mut ctl, &h, 5, mark_kind::ROOT, &[a]);
        // a is marked; b waits for its page, and marking is not over.
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline && !marked(&ns[0], a) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(marked(&ns[0], a));
        std::thread::sleep(Duration::from_millis(50));
        assert!(!marked(&ns[0], b) && !marked(&ns[0], c));
        assert!(poll(&mut ctl, 5).iter().all(|x| !x.0), "not done");
        if by_write {
            // The VM writes page 1 back: marking goes on.
            let bytes = h.regions[&2].1[4096..8192].to_vec();
            let page = PageRef {
                region: 2,
                offset: 4096,
                len: 4096,
            };
            let mut out = Vec::new();
            ctl[0]
                .page_io(&[(page, &bytes)], &[], &mut out, false)
                .expect("write back");
        } else {
            // Page 7 stays pending; page 1 is released.
            ok(
                &mut ctl[0],
                Msg::GcPending {
                    cycle: 5,
                    pages: vec![(2, 7)],
                },
            );
        }
        assert_eq!(terminate(&mut ctl, 5), 3);
        assert!(marked(&ns[0], b) && marked(&ns[0], c));
        ok(&mut ctl[0], Msg::GcEnd { cycle: 5 });
    }
}

/// The VM's skip ranges: the memnode neither parses nor changes them (its
/// copy there may be stale, even unparseable), and fixes the rest.
#[test]
fn fixup_passes_over_skip_ranges() {
    let (_ns, mut ctl) = setup(1, 2);
    let mut h = Heap::new();
    h.region(2, 0);
    h.region(3, 0);
    let n = 2000usize;
    let holders: Vec<u32> = (0..n).map(|i| h.node(2, i as u64)).collect();
    let targets: Vec<u32> = (0..n).map(|i| h.node(3, i as u64)).collect();
    for (&a, &b) in holders.iter().zip(&targets) {
        h.set(a, 0, b);
    }
    h.upload(&mut ctl);
    begin(&mut ctl, 6, h.gc_regions());
    mark(&mut ctl, &h, 6, mark_kind::ROOT, &holders);
    assert_eq!(terminate(&mut ctl, 6), 2 * n as u64);
    ok(
        &mut ctl[0],
        Msg::AllocRegion {
            region: 5,
            bytes: RB as u32,
        },
    );
    call(
        &mut ctl[0],
        Msg::GcEvacuate {
            cycle: 6,
            sources: vec![3],
            dests: vec![5],
        },
    )
    .expect("evacuate");
    // Holders 300..1500 are the VM's: the memnode's copy of the pages wholly
    // inside them is zeroed (no object parses there).
    let (k, m) = (300, 1500);
    let (from, to) = (off_of(holders[k]), off_of(holders[m]));
    let (p0, p1) = (from.div_ceil(4096), to / 4096);
    assert!(p1 > p0);
    let zeros = vec![0u8; (p1 - p0) * 4096];
    let page = PageRef {
        region: 2,
        offset: (p0 * 4096) as u32,
        len: zeros.len() as u32,
    };
    let mut out = Vec::new();
    ctl[0]
        .page_io(&[(page, &zeros)], &[], &mut out, false)
        .expect("write");
    // A range past the region's top is refused.
    let bad = call(
        &mut ctl[0],
        Msg::GcFixup {
            cycle: 6,
            tops: vec![(2, h.top(2))],
            resident: vec![],
            skip: vec![(2, from as u32, h.top(2) + 8)],
        },
    );
    assert!(bad.is_err(), "{bad:?}");
    let f = call(
        &mut ctl[0],
        Msg::GcFixup {
            cycle: 6,
            tops: vec![(2, h.top(2))],
            resident: vec![],
            skip: vec![(2, from as u32, to as u32)],
        },
    )
    .expect("fixup");
    let fixed = (n - (m - k)) as u64;
    assert!(
        matches!(f, Msg::GcFixed { fixed_refs, .. } if fixed_refs == fixed),
        "{f:?}"
    );
    let r2 = read_region(&mut ctl[0], 2);
    // Outside the range: forwarded into region 5, in order.
    assert_eq!(u32_at(&r2, off_of(holders[0]) + 8), at(5, 0));
    let moved = u32_at(&r2, off_of(holders[m]) + 8);
    assert_eq!(moved, at(5, (m * NODE_SIZE) as u64));
    // Inside: untouched (the old target where the copy was not zeroed).
    assert_eq!(u32_at(&r2, off_of(holders[k]) + 8), targets[k]);
    ok(&mut ctl[0], Msg::GcEnd { cycle: 6 });
}
