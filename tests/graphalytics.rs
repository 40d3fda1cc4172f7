//! The six LDBC Graphalytics algorithms of `examples/graph/graphalytics/` (BFS,
//! PageRank, WCC, CDLP, LCC, SSSP) against the reference outputs of the Graphalytics
//! validation graphs in `tests/graphalytics/data/` (Apache-2.0; see its README for the
//! formats, the parameters and the matching rules used here).
//!
//! Every algorithm runs under `semeru run` on every graph that has a reference output
//! for it, and on the two `example/` graphs in both input forms (adjacency list and
//! `.v`/`.e` lists). Matching, as Graphalytics validates: BFS and CDLP exactly, WCC up
//! to a renaming of the labels, PageRank, LCC and SSSP within a relative error of 1e-4.
//! When `java` is on PATH, `java --source 17` must also print byte for byte what
//! `semeru` prints on the example graphs.

mod common;

use common::run_with_timeout;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_semeru");
const TIMEOUT: Duration = Duration::from_secs(60);
const RELATIVE_ERROR: f64 = 1e-4;

/// How an output must agree with the reference, per the Graphalytics rules.
#[derive(Clone, Copy)]
enum Match {
    Exact,
    UpToRelabelling,
    Within(f64),
}

/// One algorithm: its program and how its values are matched.
#[derive(Clone, Copy)]
struct Algorithm {
    name: &'static str,
    program: &'static str,
    matching: Match,
}

const BFS: Algorithm = Algorithm {
    name: "BFS",
    program: "Bfs.sem",
    matching: Match::Exact,
};
const CDLP: Algorithm = Algorithm {
    name: "CDLP",
    program: "Cdlp.sem",
    matching: Match::Exact,
};
const WCC: Algorithm = Algorithm {
    name: "WCC",
    program: "Wcc.sem",
    matching: Match::UpToRelabelling,
};
const PR: Algorithm = Algorithm {
    name: "PR",
    program: "PageRank.sem",
    matching: Match::Within(RELATIVE_ERROR),
};
const LCC: Algorithm = Algorithm {
    name: "LCC",
    program: "Lcc.sem",
    matching: Match::Within(RELATIVE_ERROR),
};
const SSSP: Algorithm = Algorithm {
    name: "SSSP",
    program: "Sssp.sem",
    matching: Match::Within(RELATIVE_ERROR),
};

/// One run: the program's arguments (data paths relative to the data folder) and the
/// reference output it must match.
struct Case {
    alg: Algorithm,
    graph: String,
    inputs: Vec<&'static str>,
    mode: &'static str,
    params: Vec<&'static str>,
    reference: String,
}

fn data() -> PathBuf {
    common::repo().join("tests/graphalytics/data")
}

fn program(alg: &Algorithm) -> PathBuf {
    common::repo()
        .join("examples/graph/graphalytics")
        .join(alg.program)
}

impl Case {
    /// `bfs/dir-input` with `bfs/dir-output`, and so on: the per-algorithm folders.
    fn folder(alg: Algorithm, dir: &str, directed: bool, params: &[&'static str]) -> Case {
        let side = if directed { "dir" } else { "undir" };
        let inputs = if dir == "sssp" {
            vec![
                leak(format!("sssp/{side}-input.v")),
                leak(format!("sssp/{side}-input.e")),
            ]
        } else {
            vec![leak(format!("{dir}/{side}-input"))]
        };
        Case {
            alg,
            graph: format!("{dir}/{side}"),
            inputs,
            mode: if directed { "directed" } else { "undirected" },
            params: params.to_vec(),
            reference: format!("{dir}/{side}-output"),
        }
    }

    /// `example/example-{directed,undirected}` read as an adjacency list (`adjacency`)
    /// or as its `.v`/`.e` lists.
    fn example(alg: Algorithm, directed: bool, adjacency: bool, params: &[&'static str]) -> Case {
        let name = if directed {
            "example-directed"
        } else {
            "example-undirected"
        };
        let inputs = if adjacency {
            vec![leak(format!("example/{name}-input"))]
        } else {
            vec![
                leak(format!("example/{name}.v")),
                leak(format!("example/{name}.e")),
            ]
        };
        Case {
            alg,
            graph: format!(
                "{name} ({})",
                if adjacency { "adjacency list" } else { ".v/.e" }
            ),
            inputs,
            mode: if directed { "directed" } else { "undirected" },
            params: params.to_vec(),
            reference: format!("example/{name}-{}", alg.name),
        }
    }

    fn args(&self) -> Vec<String> {
        let mut a: Vec<String> = self
            .inputs
            .iter()
            .map(|p| data().join(p).to_string_lossy().into_owned())
            .collect();
        a.push(self.mode.to_string());
        a.extend(self.params.iter().map(|p| p.to_string()));
        a
    }

    fn label(&self) -> String {
        format!("{} on {}", self.alg.name, self.graph)
    }

    /// Runs `cmd_prefix… PROGRAM args…` and returns its standard output.
    fn run(&self, cmd_prefix: &[&str]) -> Result<String, String> {
        let mut cmd = Command::new(cmd_prefix[0]);
        cmd.args(&cmd_prefix[1..])
            .arg(program(&self.alg))
            .args(self.args());
        let o = run_with_timeout(cmd, TIMEOUT).map_err(|e| format!("{}: {e}", self.label()))?;
        if o.code != 0 {
            return Err(format!(
                "{}: `{}` exited with {}:\n{}",
                self.label(),
                cmd_prefix.join(" "),
                o.code,
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        String::from_utf8(o.stdout)
            .map_err(|e| format!("{}: output is not UTF-8: {e}", self.label()))
    }

    /// Runs the program under semeru and matches its output with the reference.
    fn check(&self) -> Result<(), String> {
        let got = self.run(&[BIN, "run"])?;
        let reference = std::fs::read_to_string(data().join(&self.reference))
            .map_err(|e| format!("{}: cannot read {}: {e}", self.label(), self.reference))?;
        compare(self.alg.matching, &parse(&reference), &parse(&got))
            .map_err(|e| format!("{} (reference {}): {e}", self.label(), self.reference))
    }
}

/// Paths live for the whole test run; leaking a handful keeps `Case` simple.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// `vertex value` lines, empty lines skipped.
fn parse(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut w = l.split_whitespace();
            let id = w.next().unwrap_or("").to_string();
            let value = w.collect::<Vec<_>>().join(" ");
            (id, value)
        })
        .collect()
}

fn number(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .map_err(|_| format!("{s:?} is not a number"))
}

/// Checks `got` against `expected` under a matching rule, naming the first vertex
/// that differs.
fn compare(
    matching: Match,
    expected: &[(String, String)],
    got: &[(String, String)],
) -> Result<(), String> {
    let mut forward: HashMap<&str, &str> = HashMap::new();
    let mut backward: HashMap<&str, &str> = HashMap::new();
    for i in 0..expected.len().max(got.len()) {
        let (Some((eid, ev)), Some((gid, gv))) = (expected.get(i), got.get(i)) else {
            return Err(format!(
                "{} vertices expected, {} printed (line {} is the first unmatched one)",
                expected.len(),
                got.len(),
                i + 1
            ));
        };
        if eid != gid {
            return Err(format!(
                "line {}: expected vertex {eid}, got vertex {gid}",
                i + 1
            ));
        }
        let ok = match matching {
            Match::Exact => ev == gv,
            Match::UpToRelabelling => {
                let f = *forward.entry(ev.as_str()).or_insert(gv.as_str());
                let b = *backward.entry(gv.as_str()).or_insert(ev.as_str());
                f == gv && b == ev
            }
            Match::Within(eps) => {
                let (e, g) = (number(ev)?, number(gv)?);
                if e.is_infinite() || g.is_infinite() {
                    e == g
                } else {
                    (e - g).abs() <= eps * e.abs()
                }
            }
        };
        if !ok {
            let how = match matching {
                Match::Exact => "exactly".to_string(),
                Match::UpToRelabelling => "up to relabelling (labels must map one to one)".into(),
                Match::Within(eps) => format!("within relative error {eps}"),
            };
            return Err(format!(
                "vertex {eid}: expected {ev}, got {gv} (matching {how})"
            ));
        }
    }
    Ok(())
}

/// The cases of one algorithm: its own folder's two graphs (if it has references
/// there) and the two example graphs in both input forms.
fn cases(alg: Algorithm) -> Vec<Case> {
    let mut v = Vec::new();
    let (dir, dir_params, undir_params): (&str, Vec<&'static str>, Vec<&'static str>) =
        match alg.name {
            "BFS" => ("bfs", vec!["1"], vec!["1"]),
            "CDLP" => ("cdlp", vec!["5"], vec!["5"]),
            "PR" => ("pr", vec!["0.85", "14"], vec!["0.85", "26"]),
            "SSSP" => ("sssp", vec!["1"], vec!["1"]),
            "WCC" => ("wcc", vec![], vec![]),
            // The data README says the lcc/ folders ship inputs only, but they hold
            // lcc/{dir,undir}-output too, so LCC is checked there as well.
            _ => ("lcc", vec![], vec![]),
        };
    v.push(Case::folder(alg, dir, true, &dir_params));
    v.push(Case::folder(alg, dir, false, &undir_params));
    let (ex_dir, ex_undir): (Vec<&'static str>, Vec<&'static str>) = match alg.name {
        "BFS" | "SSSP" => (vec!["1"], vec!["2"]),
        "CDLP" => (vec!["2"], vec!["2"]),
        "PR" => (vec!["0.85", "2"], vec!["0.85", "2"]),
        _ => (vec![], vec![]),
    };
    for adjacency in [true, false] {
        // SSSP needs weights, which only the .v/.e form carries.
        if adjacency && alg.name == "SSSP" {
            continue;
        }
        v.push(Case::example(alg, true, adjacency, &ex_dir));
        v.push(Case::example(alg, false, adjacency, &ex_undir));
    }
    v
}

fn check_all(alg: Algorithm) {
    let cases = cases(alg);
    let failures: Vec<String> = cases.iter().filter_map(|c| c.check().err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} {} runs disagree with the Graphalytics reference:\n{}",
        failures.len(),
        cases.len(),
        alg.name,
        failures.join("\n")
    );
}

#[test]
fn bfs_matches_the_reference() {
    check_all(BFS);
}

#[test]
fn cdlp_matches_the_reference() {
    check_all(CDLP);
}

#[test]
fn wcc_matches_the_reference() {
    check_all(WCC);
}

#[test]
fn pagerank_matches_the_reference() {
    check_all(PR);
}

#[test]
fn lcc_matches_the_reference() {
    check_all(LCC);
}

#[test]
fn sssp_matches_the_reference() {
    check_all(SSSP);
}

#[test]
fn the_matching_rules_catch_differences() {
    let rows = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let reference = rows(&[("1", "1"), ("2", "1"), ("3", "3")]);
    assert!(compare(
        Match::UpToRelabelling,
        &reference,
        &rows(&[("1", "7"), ("2", "7"), ("3", "2")])
    )
    .is_ok());
    let merged = compare(
        Match::UpToRelabelling,
        &reference,
        &rows(&[("1", "7"), ("2", "7"), ("3", "7")]),
    );
    assert!(merged.unwrap_err().contains("vertex 3"));
    let split = compare(
        Match::UpToRelabelling,
        &reference,
        &rows(&[("1", "7"), ("2", "8"), ("3", "9")]),
    );
    assert!(split.unwrap_err().contains("vertex 2"));
    assert!(compare(
        Match::Exact,
        &reference,
        &rows(&[("1", "1"), ("2", "2"), ("3", "3")])
    )
    .is_err());
    assert!(compare(Match::Exact, &reference, &rows(&[("1", "1"), ("2", "1")])).is_err());
    let real = rows(&[("1", "0.5"), ("2", "Infinity")]);
    assert!(compare(
        Match::Within(1e-4),
        &real,
        &rows(&[("1", "0.500001"), ("2", "Infinity")])
    )
    .is_ok());
    assert!(compare(
        Match::Within(1e-4),
        &real,
        &rows(&[("1", "0.5001"), ("2", "Infinity")])
    )
    .is_err());
    assert!(compare(
        Match::Within(1e-4),
        &real,
        &rows(&[("1", "0.5"), ("2", "1e308")])
    )
    .is_err());
}

/// `java --source 17` prints exactly what semeru prints, for every algorithm on both
/// example graphs (the directed one read as an adjacency list, the undirected one as
/// `.v`/`.e` lists, so both readers are covered).
#[test]
fn java_prints_the_same_on_the_example_graphs() {
    let have_java = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_java {
        println!("graphalytics: `java` is not on PATH; not comparing with java --source 17");
        return;
    }
    let mut runs = Vec::new();
    for alg in [BFS, CDLP, WCC, PR, LCC, SSSP] {
        for c in cases(alg) {
            let adjacency = c.inputs.len() == 1;
            let directed = c.mode == "directed";
            if c.graph.starts_with("example") && (directed == adjacency || alg.name == "SSSP") {
                runs.push(c);
            }
        }
    }
    assert_eq!(runs.len(), 12);
    // Each JVM start costs about a second of CPU: two at a time on two cores.
    let failures: Vec<String> = std::thread::scope(|s| {
        let halves: Vec<_> = runs
            .chunks(runs.len().div_ceil(2))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|c| {
                            let semeru = c.run(&[BIN, "run"]);
                            let java = c.run(&["java", "--source", "17"]);
                            match (java, semeru) {
                                (Ok(j), Ok(s)) if j == s => None,
                                (Ok(j), Ok(s)) => Some(format!(
                                    "{}: semeru and java differ:\n{}",
                                    c.label(),
                                    common::first_difference(j.as_bytes(), s.as_bytes())
                                )),
                                (j, s) => Some(format!("{j:?}\n{s:?}")),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| vec!["a thread panicked".into()])
            })
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
