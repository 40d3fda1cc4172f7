//! The VM's interrupt flag (the REPL's Ctrl-C): a loop stops at a backward
//! branch, loop-free recursion at a call. One test in its own binary, since the
//! flag is process-wide.

use semeru_vm::interp::interrupt;
use semeru_vm::{Vm, VmError};
use std::time::{Duration, Instant};

fn run_interrupted(src: &str) -> (Result<i32, VmError>, Duration) {
    let program = semeru_lang::compile_source("Spin.sem", src).expect("compiles");
    let mut vm = Vm::new(program, Default::default()).expect("loads");
    vm.capture_output();
    interrupt::clear();
    let start = Instant::now();
    let stopper = std::thread::spawn(|| {
        std::thread::sleep(Duration::from_millis(200));
        interrupt::request();
    });
    let r = vm.run_main(&[]);
    let _ = stopper.join();
    interrupt::clear();
    (r, start.elapsed())
}

#[test]
fn loops_and_calls_stop_when_interrupted() {
    let (r, t) = run_interrupted(
        "public class Spin { public static void main(String[] a) { int x = 0; while (true) { x++; } } }",
    );
    assert!(r.as_ref().is_err_and(|e| e.is_interrupted()), "{r:?}");
    assert!(t < Duration::from_secs(30), "{t:?}");

    // 2^60 calls and no backward branch: only the check at calls can stop it.
    let (r, _) = run_interrupted(
        "public class Spin { static void f(int n) { if (n > 0) { f(n - 1); f(n - 1); } } \
         public static void main(String[] a) { f(60); } }",
    );
    assert!(r.as_ref().is_err_and(|e| e.is_interrupted()), "{r:?}");

    // The flag cleared, the same kind of program runs to the end.
    let program = semeru_lang::compile_source(
        "Spin.sem",
        "public class Spin { public static void main(String[] a) { int x = 0; while (x < 1000) { x++; } } }",
    )
    .expect("compiles");
    let mut vm = Vm::new(program, Default::default()).expect("loads");
    assert_eq!(vm.run_main(&[]), Ok(0));
}
