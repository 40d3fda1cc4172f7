//! Interpreter dispatch: two tiny Sem programs compiled once from source with
//! `semeru_lang::compile_source`, each run to completion in a fresh VM (VM
//! creation is not timed). `count_loop` is a 1M-iteration `for` loop whose body
//! is a few int ops (about 6 bytecodes per iteration: compare-and-branch, shift,
//! xor, add, increment, jump); `call_loop` adds a static call and return per
//! iteration. Throughput is in loop iterations, so criterion's `thrpt` is
//! iterations/s and ns per iteration is 1e3 / (Melem/s); the fixed cost of
//! `main` (class init, one `println`) is well under 1% of a run.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use semeru_gc::HeapConfig;
use semeru_vm::program::Program;
use semeru_vm::Vm;

const ITERS: u64 = 1_000_000;

const COUNT_LOOP: &str = r#"
public class Main {
    public static void main(String[] args) {
        int s = 0;
        for (int i = 0; i < 1000000; i++) {
            s += i ^ (s >> 3);
        }
        System.out.println(s);
    }
}
"#;

const CALL_LOOP: &str = r#"
public class Main {
    static int step(int s, int i) {
        return s + (i ^ (s >> 3));
    }

    public static void main(String[] args) {
        int s = 0;
        for (int i = 0; i < 1000000; i++) {
            s = step(s, i);
        }
        System.out.println(s);
    }
}
"#;

fn heap() -> HeapConfig {
    HeapConfig {
        heap_bytes: 16 << 20,
        young_bytes: 2 << 20,
        ..HeapConfig::default()
    }
}

fn vm(p: &Program) -> Vm {
    let mut vm = Vm::new(p.clone(), heap()).expect("vm");
    vm.capture_output();
    vm
}

/// Runs `p` once and returns its stdout (checks the program works).
fn stdout_of(p: &Program) -> String {
    let mut v = vm(p);
    assert_eq!(v.run_main(&[]).expect("run"), 0);
    let out = v.take_output().expect("captured");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("interp_1M_iterations");
    g.throughput(Throughput::Elements(ITERS));
    g.sample_size(20);
    for (name, src) in [("count_loop", COUNT_LOOP), ("call_loop", CALL_LOOP)] {
        let p = semeru_lang::compile_source("Main.sem", src)
            .unwrap_or_else(|d| panic!("{name} does not compile: {d:?}"));
        eprintln!("{name} prints {}", stdout_of(&p).trim());
        g.bench_function(name, |b| {
            b.iter_batched(
                || vm(&p),
                |mut v| {
                    black_box(v.run_main(&[]).expect("run"));
                    v
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
