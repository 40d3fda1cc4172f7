//! `semeru`: run, check and disassemble Sem programs.
//!
//! | concept | module |
//! |---|---|
//! | command line (clap), Java-style flag aliases | [`cli`] |
//! | byte sizes (`256m`) | [`size`] |
//! | heap modes: local, embedded memnodes, remote daemons | [`heapmode`] |
//! | `--stats` and `--stats-json` | [`stats`] |
//! | `semeru repl` | [`repl`] |
//! | `semeru memnode` | [`memnode_cmd`] |

mod cli;
mod heapmode;
mod memnode_cmd;
mod repl;
mod size;
mod stats;

use std::process::ExitCode;

/// Exit status for a program that does not compile (sysexits `EX_DATAERR`, as clox).
pub const EXIT_COMPILE_ERROR: u8 = 65;
/// Exit status for an input file that cannot be read (`EX_NOINPUT`).
pub const EXIT_NO_INPUT: u8 = 66;
/// Exit status for an internal fault (`EX_SOFTWARE`).
pub const EXIT_INTERNAL: u8 = 70;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("semeru: internal error: {info}");
        // Honours RUST_BACKTRACE, as the default hook does.
        let bt = std::backtrace::Backtrace::capture();
        if bt.status() == std::backtrace::BacktraceStatus::Captured {
            eprintln!("{bt}");
        }
        eprintln!(
            "semeru: this is a bug in Semeru; please report it with the program that caused it"
        );
    }));
    let args = cli::java_aliases(std::env::args_os().collect());
    // The compiler recurses over the syntax tree: give it room for deeply nested programs.
    let worker = std::thread::Builder::new()
        .name("main".into())
        .stack_size(512 << 20)
        .spawn(move || cli::main(args));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => ExitCode::from(EXIT_INTERNAL),
    }
}
