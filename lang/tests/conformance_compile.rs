//! Runs every `tests/conformance/**/*.sem` program through the parser, the
//! compiler and the VM in-process, and compares stdout, the first line of
//! stderr and the exit status with what `java` recorded. A quicker loop for
//! compiler work than the CLI-based suite at the root.
//!
//! `SEM_FILTER=substring` restricts the programs, `SEM_ROOT=dir` reads another
//! folder; failures are listed together.

use semeru_gc::HeapConfig;
use semeru_lang::compile::compile_with_source;
use semeru_lang::parser::parse;
use semeru_vm::Vm;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "sem") {
            out.push(p);
        }
    }
}

struct Got {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    code: i32,
}

fn run_one(path: &Path) -> Result<Got, String> {
    let src = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (unit, diags) = parse(&src);
    let rendered = |d: &[semeru_lang::diag::Diagnostic]| semeru_lang::diag::render(&name, &src, d);
    let unit = match unit {
        Some(u) if diags.is_empty() => u,
        _ => {
            return Ok(Got {
                stdout: Vec::new(),
                stderr: format!("PARSE {}", rendered(&diags)).into_bytes(),
                code: 65,
            });
        }
    };
    let program = match compile_with_source(&name, &src, &unit) {
        Ok(p) => p,
        Err(d) => {
            return Ok(Got {
                stdout: Vec::new(),
                stderr: rendered(&d).into_bytes(),
                code: 65,
            })
        }
    };
    let args: Vec<String> = std::fs::read_to_string(path.with_extension("args"))
        .map(|s| s.split_whitespace().map(String::from).collect())
        .unwrap_or_default();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let r = (|| {
                let mut vm =
                    Vm::new(program, HeapConfig::default()).map_err(|e| format!("load: {e:?}"))?;
                vm.capture_output();
                let code = vm.run_main(&args).map_err(|e| format!("vm fault: {e:?}"))?;
                let out = vm.take_output().ok_or("no output")?;
                Ok(Got {
                    stdout: out.stdout,
                    stderr: out.stderr,
                    code,
                })
            })();
            let _ = tx.send(r);
        })
        .map_err(|e| e.to_string())?;
    rx.recv_timeout(Duration::from_secs(180))
        .map_err(|_| "timeout".to_string())?
}

/// Programs that need more than issue 2 gives them.
const KNOWN: &[(&str, &str)] = &[];

/// As the root harness: Java's "helpful" NPE details and CCE module suffixes
/// need not match.
fn same_first_line(expected: &str, got: &str) -> bool {
    const NPE: &str = "Exception in thread \"main\" java.lang.NullPointerException";
    const CCE: &str = "Exception in thread \"main\" java.lang.ClassCastException";
    if expected.starts_with(NPE) {
        return got.starts_with(NPE);
    }
    if expected.starts_with(CCE) {
        let core = |s: &str| s.split(" (").next().unwrap_or("").to_string();
        return core(expected) == core(got);
    }
    expected == got
}

#[test]
fn conformance_programs() {
    let root = match std::env::var("SEM_ROOT") {
        Ok(r) => PathBuf::from(r),
        Err(_) => Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance"),
    };
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let filter = std::env::var("SEM_FILTER").unwrap_or_default();
    let mut failures = Vec::new();
    let mut total = 0;
    for f in files {
        let rel = f.strip_prefix(&root).unwrap_or(&f).display().to_string();
        if !rel.contains(&filter) {
            continue;
        }
        // Programs that read stdin (X.in) or data files beside them (io/, io3/) need their
        // own process and working directory: tests/conformance.rs runs those.
        if f.with_extension("in").exists() || rel.starts_with("io/") || rel.starts_with("io3/") {
            continue;
        }
        let (Ok(out), Ok(err), Ok(exit)) = (
            std::fs::read(f.with_extension("out")),
            std::fs::read_to_string(f.with_extension("err")),
            std::fs::read_to_string(f.with_extension("exit")),
        ) else {
            continue;
        };
        total += 1;
        let exit: i32 = exit.trim().parse().unwrap_or(-1);
        let got = match run_one(&f) {
            Ok(g) => g,
            Err(e) => {
                failures.push(format!("{rel}: {e}"));
                continue;
            }
        };
        let err1 = err.lines().next().unwrap_or("");
        let gerr = String::from_utf8_lossy(&got.stderr).to_string();
        let gerr1 = gerr.lines().next().unwrap_or("");
        let mut problems = Vec::new();
        if exit == 65 || got.code == 65 {
            if exit != got.code {
                problems.push(format!(
                    "exit {exit} expected, got {}: {}",
                    got.code,
                    gerr.lines().take(8).collect::<Vec<_>>().join("\n    ")
                ));
            }
        } else {
            if got.stdout != out {
                let (e, g) = (
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&got.stdout),
                );
                let line = e
                    .lines()
                    .zip(g.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(e.lines().count().min(g.lines().count()));
                problems.push(format!(
                    "stdout differs at line {}: expected {:?}, got {:?}",
                    line + 1,
                    e.lines().nth(line),
                    g.lines().nth(line)
                ));
            }
            if !same_first_line(err1, gerr1) {
                problems.push(format!("stderr: expected {err1:?}, got {gerr1:?}"));
            }
            if exit != got.code {
                problems.push(format!("exit {exit} expected, got {}", got.code));
            }
        }
        if let Some((_, why)) = KNOWN.iter().find(|(k, _)| *k == rel) {
            eprintln!("known: {rel}: {why}");
            continue;
        }
        if !problems.is_empty() {
            failures.push(format!("{rel}: {}", problems.join("; ")));
        }
    }
    eprintln!(
        "{} of {total} conformance programs pass",
        total - failures.len()
    );
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    assert!(failures.is_empty(), "{} failures", failures.len());
}
