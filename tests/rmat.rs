//! `examples/graph/RMat.sem`, the Graph500 R-MAT generator: the graph it prints is a
//! valid Graphalytics `.v`/`.e` pair (no self loops or duplicates, sorted, every id a
//! vertex), its summary adds up, `graphalytics/Bfs.sem` runs on it, and when `java`
//! is on PATH, `java --source 17` prints the same bytes for every part.
//!
//! RMat prints one part (`summary`, `v` or `e`) to stdout, and this test writes the
//! parts to a temporary folder; its `write` mode, which writes both files itself, is
//! checked against those printed parts.

mod common;

use common::run_with_timeout;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_semeru");
const TIMEOUT: Duration = Duration::from_secs(60);
const SCALE: u32 = 10;
const EDGE_FACTOR: u64 = 16;
const PARTS: [&str; 3] = ["summary", "v", "e"];

/// A folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("semeru-rmat-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn example(rel: &str) -> String {
    common::repo()
        .join("examples/graph")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// Runs `launcher… program args…`; panics unless it exits with status 0.
fn run_ok(launcher: &[&str], program: &str, args: &[&str]) -> Vec<u8> {
    let mut cmd = Command::new(launcher[0]);
    cmd.args(&launcher[1..]).arg(program).args(args);
    let out = run_with_timeout(cmd, TIMEOUT).unwrap_or_else(|e| panic!("{program}: {e}"));
    assert_eq!(
        out.code,
        0,
        "{launcher:?} {program} {args:?} exited with {}:\n{}",
        out.code,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The three parts of the scale-10 graph as printed by `launcher`.
fn generate(launcher: &[&str]) -> Vec<Vec<u8>> {
    let scale = SCALE.to_string();
    PARTS
        .iter()
        .map(|part| run_ok(launcher, &example("RMat.sem"), &[&scale, part]))
        .collect()
}

fn have_java() -> bool {
    Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The number after `key: ` in the summary.
fn summary_value(summary: &str, key: &str) -> u64 {
    summary
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
        .unwrap_or_else(|| panic!("no `{key}:` line in the summary:\n{summary}"))
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("`{key}` is not a number: {e}"))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write generated part");
    p.to_string_lossy().into_owned()
}

#[test]
fn generated_graph_is_valid_and_bfs_runs_on_it() {
    let parts = generate(&[BIN, "run"]);
    let summary = String::from_utf8_lossy(&parts[0]).into_owned();
    let n = 1u64 << SCALE;
    assert_eq!(summary_value(&summary, "vertices"), n);
    let generated = summary_value(&summary, "generated edges");
    let self_loops = summary_value(&summary, "self loops dropped");
    let duplicates = summary_value(&summary, "duplicates dropped");
    let kept = summary_value(&summary, "kept edges");
    assert_eq!(generated, EDGE_FACTOR * n);
    assert_eq!(generated, kept + self_loops + duplicates, "{summary}");
    // R-MAT at scale 10 repeats many edges, but most survive.
    assert!(kept * 2 > generated && kept < generated, "{summary}");

    // The vertex file: 0..n-1, one per line, ascending.
    let vertices: Vec<u64> = String::from_utf8_lossy(&parts[1])
        .lines()
        .map(|l| l.parse().expect("vertex id"))
        .collect();
    assert_eq!(vertices, (0..n).collect::<Vec<_>>());
    let ids: HashSet<u64> = vertices.iter().copied().collect();

    // The edge file: `src dst`, sorted, no self loops, no duplicates, known ids.
    let edges: Vec<(u64, u64)> = String::from_utf8_lossy(&parts[2])
        .lines()
        .map(|l| {
            let f: Vec<u64> = l.split(' ').map(|x| x.parse().expect("id")).collect();
            assert_eq!(f.len(), 2, "edge line {l:?}");
            (f[0], f[1])
        })
        .collect();
    assert_eq!(edges.len() as u64, kept);
    assert!(parts[2].ends_with(b"\n"));
    for w in edges.windows(2) {
        assert!(
            w[0] < w[1],
            "not sorted or repeated: {:?} then {:?}",
            w[0],
            w[1]
        );
    }
    for &(s, d) in &edges {
        assert_ne!(s, d, "self loop {s}");
        assert!(ids.contains(&s) && ids.contains(&d), "edge {s} {d}");
    }
    // The id permutation spreads the hubs: the top 1% of ids hold some edges.
    assert!(edges.iter().any(|&(s, _)| s >= n - n / 100));

    // BFS from graphalytics/ reads the pair and prints one line per vertex.
    let dir = TempDir::new("bfs");
    let v = write(&dir.0, "g.v", &parts[1]);
    let e = write(&dir.0, "g.e", &parts[2]);
    let source = edges[0].0.to_string();
    let out = run_ok(
        &[BIN, "run"],
        &example("graphalytics/Bfs.sem"),
        &[&v, &e, "directed", &source],
    );
    let out = String::from_utf8_lossy(&out);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len() as u64, n);
    let mut reached = 0;
    for (line, id) in lines.iter().zip(&vertices) {
        let (vid, hops) = line.split_once(' ').expect("`id hops`");
        assert_eq!(vid, id.to_string());
        let hops: i64 = hops.parse().expect("hops");
        if vid == source {
            assert_eq!(hops, 0);
        }
        if hops != i64::MAX {
            reached += 1;
        }
    }
    // R-MAT has one giant component: BFS from a vertex with an out-edge reaches far.
    assert!(reached > 1 && reached <= n, "reached {reached}");
}

#[test]
fn java_prints_the_same_graph() {
    if !have_java() {
        println!("rmat: `java` is not on PATH; not comparing with java --source 17");
        return;
    }
    let (semeru, java) = std::thread::scope(|s| {
        let j = s.spawn(|| generate(&["java", "--source", "17"]));
        let m = generate(&[BIN, "run"]);
        (m, j.join().expect("java thread"))
    });
    for ((part, m), j) in PARTS.iter().zip(&semeru).zip(&java) {
        assert!(
            m == j,
            "part {part}: semeru and java differ:\n{}",
            common::first_difference(j, m)
        );
    }
}

/// `RMatKernel.sem` generates the same graph in memory and feeds it straight to
/// PageRank, BFS and WCC: its summary counts equal RMat's, and its `all` output is
/// byte for byte what the graphalytics/ programs print on RMat's files (BFS from
/// the source RMatKernel names). With java on PATH, java prints the same bytes.
#[test]
fn in_memory_kernels_match_graphalytics_on_the_printed_graph() {
    let parts = generate(&[BIN, "run"]);
    let dir = TempDir::new("kernel");
    let v = write(&dir.0, "g.v", &parts[1]);
    let e = write(&dir.0, "g.e", &parts[2]);
    let scale = SCALE.to_string();
    let kernel = example("RMatKernel.sem");

    let summary = run_ok(&[BIN, "run"], &kernel, &[&scale, "bfs"]);
    let summary = String::from_utf8_lossy(&summary).into_owned();
    let rmat = String::from_utf8_lossy(&parts[0]).into_owned();
    for key in [
        "vertices",
        "generated edges",
        "self loops dropped",
        "duplicates dropped",
        "kept edges",
    ] {
        assert_eq!(
            summary_value(&summary, key),
            summary_value(&rmat, key),
            "{key}"
        );
    }
    let source = summary
        .lines()
        .find_map(|l| l.strip_prefix("bfs: source "))
        .unwrap_or_else(|| panic!("no `bfs: source` line:\n{summary}"))
        .to_string();

    let cases: [(&str, &str, Vec<&str>); 3] = [
        (
            "pagerank",
            "graphalytics/PageRank.sem",
            vec![&v, &e, "directed", "0.85", "10"],
        ),
        (
            "bfs",
            "graphalytics/Bfs.sem",
            vec![&v, &e, "directed", &source],
        ),
        ("wcc", "graphalytics/Wcc.sem", vec![&v, &e, "directed"]),
    ];
    let java = have_java();
    for (algo, program, args) in &cases {
        let reference = run_ok(&[BIN, "run"], &example(program), args);
        assert_eq!(
            String::from_utf8_lossy(&reference).lines().count() as u64,
            1u64 << SCALE
        );
        let ours = run_ok(&[BIN, "run"], &kernel, &[&scale, algo, "all"]);
        assert!(
            ours == reference,
            "{algo}: RMatKernel differs from {program}:\n{}",
            common::first_difference(&reference, &ours)
        );
        if java {
            let j = run_ok(&["java", "--source", "17"], &kernel, &[&scale, algo]);
            let m = run_ok(&[BIN, "run"], &kernel, &[&scale, algo]);
            assert!(
                j == m,
                "{algo} summary: semeru and java differ:\n{}",
                common::first_difference(&j, &m)
            );
        }
    }
}

/// `RMat SCALE write OUT_PREFIX` writes `OUT_PREFIX.v` and `OUT_PREFIX.e` itself
/// (through BufferedWriter and FileWriter): byte for byte the `v` and `e` parts it
/// prints, with the summary on stdout. With java on PATH, java writes the same files.
#[test]
fn write_mode_writes_the_printed_parts_to_files() {
    let parts = generate(&[BIN, "run"]);
    let dir = TempDir::new("write");
    let scale = SCALE.to_string();
    let mut launchers: Vec<(&str, Vec<&str>)> = vec![("semeru", vec![BIN, "run"])];
    if have_java() {
        launchers.push(("java", vec!["java", "--source", "17"]));
    }
    for (who, launcher) in &launchers {
        let prefix = dir.0.join(who).to_string_lossy().into_owned();
        let summary = run_ok(launcher, &example("RMat.sem"), &[&scale, "write", &prefix]);
        assert!(
            summary == parts[0],
            "{who}: the write summary differs from the summary part:\n{}",
            common::first_difference(&parts[0], &summary)
        );
        for (ext, printed) in [("v", &parts[1]), ("e", &parts[2])] {
            let path = format!("{prefix}.{ext}");
            let written = std::fs::read(&path).unwrap_or_else(|e| panic!("{who}: {path}: {e}"));
            assert!(
                written == *printed,
                "{who}: {path} differs from the printed `{ext}` part:\n{}",
                common::first_difference(printed, &written)
            );
        }
    }
}
