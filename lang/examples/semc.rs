//! Dev tool: `cargo run -p semeru-lang --example semc -- FILE [--disasm] [args…]`.
use semeru_gc::HeapConfig;
use semeru_lang::compile::compile_with_source;
use semeru_lang::diag::render;
use semeru_lang::parser::parse;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!("usage: semc FILE [--disasm] [args...]");
        std::process::exit(64);
    }
    let file = args.remove(0);
    let dis = args.first().is_some_and(|a| a == "--disasm");
    if dis {
        args.remove(0);
    }
    let src = std::fs::read_to_string(&file).expect("read");
    let (unit, diags) = parse(&src);
    if !diags.is_empty() {
        eprint!("{}", render(&file, &src, &diags));
        std::process::exit(65);
    }
    let Some(unit) = unit else {
        std::process::exit(65)
    };
    let p = match compile_with_source("Main.sem", &src, &unit) {
        Ok(p) => p,
        Err(d) => {
            eprint!("{}", render(&file, &src, &d));
            std::process::exit(65);
        }
    };
    if dis {
        print!("{}", semeru_vm::disassemble(&p));
        return;
    }
    let out = semeru_vm::run(
        &p,
        semeru_vm::RunConfig {
            heap: HeapConfig::default(),
            args,
            trace: false,
        },
    );
    match out {
        Ok(o) => std::process::exit(o.exit_code),
        Err(e) => {
            eprintln!("fault: {e:?}");
            std::process::exit(70);
        }
    }
}
