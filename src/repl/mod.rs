//! `semeru repl`: an interactive Sem session, in the manner of jshell.
//!
//! | concept | module |
//! |---|---|
//! | reading lines: rustyline or a pipe, continuation, history | [`input`] |
//! | what an input is (classes, methods, variables, expression, statements) | [`classify`] |
//! | the session as source text, and the program built from it | [`session`] |
//! | the synthetic source and its map back to what was typed | [`synth`] |
//! | turning an input into session changes and code to run | [`exec`] |
//! | compiling, replaying and running | [`run`] |
//!
//! Design: the session is kept as source text, not as a live heap. Each input is
//! compiled into a fresh program holding every accepted declaration; session
//! variables are static fields of the session class, and the statements that ran
//! successfully before are replayed (their output discarded) on a fresh VM to
//! rebuild those variables before the new input runs with its output shown.

/// `println!` to stdout that ignores a closed pipe (`semeru repl | head`).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// `print!` to stdout that ignores a closed pipe.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}

/// `eprintln!` that ignores a closed stderr.
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

mod classify;
mod exec;
mod input;
mod run;
mod session;
mod synth;

use exec::{Engine, Flow};
use input::{Lines, Read};
use semeru_gc::HeapConfig;
use semeru_vm::interp::interrupt;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Help for `semeru repl --help` (after the options) and `:help`.
pub const HELP: &str = "\
Type Sem (Java 17 subset) code; an input ends at the end of a line once its
brackets are closed and it is not cut short (an open `{`, `(` or `[`, or an
input such as `x +`, continues on the next line).

  class Point { int x; }              declares (or replaces) a class or interface
  int sq(int v) { return v * v; }     declares (or replaces) a method of the session
  int x = 2;                          declares (or replaces) a session variable: x ==> 2
  x * 21                              evaluates an expression: $1 ==> 42 ($1 is a variable)
                                      (strings and chars are shown quoted, arrays as
                                      int[3] { 1, 2, 3 } up to 100 elements)
  for (int i = 0; i < 3; i++) ...     runs statements (a missing final `;` is added)

Commands:
  :help             this text
  :quit             end the session (also :exit, Ctrl-D)
  :list             the session's classes, methods, variables and replayed statements
  :disasm [NAME]    bytecode of a session method or class NAME (all of them without NAME)
  :heap             heap size and GC statistics of the last run
  :reset            forget everything

A method or class that uses something not declared yet is kept (with a note)
and joins the session once that is declared.

Tab completes commands, keywords and the session's names. Ctrl-C stops a
running snippet (or clears the line being typed). A compile error or an
uncaught exception leaves the session as it was; System.exit(n) ends it with
status n.

How state is kept: every input runs as a new program on a fresh VM. Session
variables are static fields of a session class, and the statements that ran
successfully before are replayed first, their output discarded. So earlier
side effects are repeated silently (time, unseeded Random and input differ on
replay), and a long-running earlier statement slows every later input. A
redefinition drops the earlier snippets that no longer compile, and a replayed
statement that now throws is dropped; each with a note. Session methods see
session variables; session classes reach them as $Repl.name.

With stdin not a terminal (`printf 'int x = 2;\\nx * 21\\n' | semeru repl`) there
are no prompts and no \"created ...\" feedback: stdout carries only the program's
output and the echoed values; diagnostics and exceptions go to stderr.";

/// Whether a snippet (or its compilation) is in progress: Ctrl-C then
/// interrupts it instead of ending a piped session.
static BUSY: AtomicBool = AtomicBool::new(false);

pub fn main(heap: HeapConfig) -> u8 {
    let tty = std::io::stdin().is_terminal();
    // Ctrl-C: at the prompt rustyline sees it as a key (raw mode); while code runs
    // it arrives as SIGINT. A piped session that is not running code just ends.
    let _ = ctrlc::set_handler(move || {
        if BUSY.load(Ordering::SeqCst) {
            interrupt::request();
        } else if !tty {
            std::process::exit(130);
        }
    });
    let mut lines = Lines::open(tty);
    let mut engine = Engine::new(heap, tty);
    if tty {
        outln!("Semeru REPL: Sem, a subset of Java 17. Type :help for help, :quit to leave.");
    }
    let mut buf = String::new();
    loop {
        let prompt = if !tty {
            ""
        } else if buf.is_empty() {
            input::PROMPT
        } else {
            input::CONTINUE
        };
        let line = match lines.read(prompt) {
            Read::Line(l) => l,
            Read::Interrupted => {
                buf.clear();
                continue;
            }
            Read::Eof if buf.trim().is_empty() => break,
            // End of input inside an open bracket: evaluate it (to say what is missing).
            Read::Eof => {
                let text = std::mem::take(&mut buf);
                if let Flow::Exit(c) = eval(&mut engine, &text) {
                    return (c & 0xff) as u8;
                }
                break;
            }
        };
        if buf.is_empty() && line.trim_start().starts_with(':') {
            lines.remember(line.trim());
            match command(&mut engine, &mut lines, line.trim()) {
                Flow::Continue => continue,
                Flow::Exit(c) => return (c & 0xff) as u8,
            }
        }
        if !buf.is_empty() {
            buf.push('\n');
        }
        buf.push_str(&line);
        if input::needs_more(&buf) || classify::incomplete(&buf) {
            continue;
        }
        let text = std::mem::take(&mut buf);
        lines.remember(&text);
        if let Flow::Exit(c) = eval(&mut engine, &text) {
            return (c & 0xff) as u8;
        }
        lines.set_names(engine.session.names());
    }
    if tty {
        outln!();
    }
    0
}

/// Evaluates one input with Ctrl-C routed to the interpreter.
fn eval(engine: &mut Engine, text: &str) -> Flow {
    interrupt::clear();
    BUSY.store(true, Ordering::SeqCst);
    let flow = engine.eval(text);
    BUSY.store(false, Ordering::SeqCst);
    interrupt::clear();
    let _ = std::io::stdout().flush();
    flow
}

fn command(engine: &mut Engine, lines: &mut Lines, line: &str) -> Flow {
    let (cmd, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let arg = arg.trim();
    match cmd {
        ":help" | ":h" | ":?" => outln!("{HELP}"),
        ":quit" | ":exit" | ":q" => return Flow::Exit(0),
        ":list" | ":l" => out!("{}", engine.session.listing()),
        ":reset" => {
            engine.session = session::Session::default();
            lines.set_names(Vec::new());
            engine.last_vm = None;
            if engine.feedback {
                outln!("|  session reset");
            }
        }
        ":heap" => out!("{}", heap_report(engine)),
        ":disasm" | ":d" => disasm(engine, arg),
        _ => errln!("error: unknown command {cmd} (try :help)"),
    }
    Flow::Continue
}

fn heap_report(engine: &Engine) -> String {
    let cfg = &engine.heap;
    let mut out = format!(
        "heap: max {}, young {}, region {}\n",
        size(cfg.heap_bytes as u64),
        size(cfg.young_bytes as u64),
        size(cfg.region_bytes as u64)
    );
    let s = &engine.session;
    out.push_str(&format!(
        "session: {} classes, {} methods, {} variables, {} statements replayed per input\n",
        s.classes.len(),
        s.methods.len(),
        s.vars.len(),
        s.stmts.len()
    ));
    match &engine.last_vm {
        None => out.push_str("no snippet has run yet\n"),
        Some(vm) => {
            let heap = vm.heap();
            let s = heap.stats();
            out.push_str(&format!(
                "last run: used {}, allocated {}, promoted {}\n",
                size(heap.used_bytes() as u64),
                size(s.bytes_allocated),
                size(s.bytes_promoted)
            ));
            out.push_str(&format!(
                "GC: {} young, {} full pauses; total {:.3} ms, max {:.3} ms\n",
                s.young_pauses, s.full_pauses, s.pause_ms_total, s.pause_ms_max
            ));
        }
    }
    out
}

/// `1.5 MiB`-style sizes.
fn size(b: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn disasm(engine: &Engine, name: &str) {
    let Some(p) = engine.program() else { return };
    let session_class = p
        .classes
        .iter()
        .position(|c| c.name == session::SESSION_CLASS);
    let mut out = String::new();
    if name.is_empty() {
        // The session's own methods (not its helpers), then the session classes.
        for (mid, m) in p.methods.iter().enumerate() {
            let own = !m.name.starts_with('$') && !m.name.starts_with('<') && m.name != "main";
            if own && Some(m.class.0 as usize) == session_class {
                out.push_str(&semeru_vm::disassemble_method(&p, mid));
            }
        }
        for c in &engine.session.classes {
            out.push_str(&class_disasm(&p, &c.name));
        }
    } else if let Some(c) = p
        .classes
        .iter()
        .find(|c| c.name == name || c.name == name.replace('.', "$"))
    {
        // `Outer.Inner` names the nested class `Outer$Inner`.
        out = class_disasm(&p, &c.name);
    } else {
        for (mid, m) in p.methods.iter().enumerate() {
            if m.name == name && Some(m.class.0 as usize) == session_class {
                out.push_str(&semeru_vm::disassemble_method(&p, mid));
            }
        }
        if out.is_empty() {
            errln!("error: no session method or class named `{name}`");
            return;
        }
    }
    out!("{out}");
}

/// A class and its methods, as `semeru disasm` lists them.
fn class_disasm(p: &semeru_vm::program::Program, name: &str) -> String {
    let mut out = String::new();
    let Some(cid) = p.classes.iter().position(|c| c.name == name) else {
        return out;
    };
    let c = &p.classes[cid];
    out.push_str(&format!("class {} (#{cid})", c.name));
    if let Some(s) = c.super_class.and_then(|s| p.classes.get(s.0 as usize)) {
        out.push_str(&format!(" extends {}", s.name));
    }
    out.push('\n');
    for (mid, m) in p.methods.iter().enumerate() {
        if m.class.0 as usize == cid {
            out.push_str(&semeru_vm::disassemble_method(p, mid));
        }
    }
    out
}
