//! Prints the AST (or the diagnostics) of a `.sem` file: `cargo run -p semeru-lang --example parse_dump FILE`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_dump FILE");
        std::process::exit(2);
    };
    let src = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let (unit, diags) = semeru_lang::parser::parse(&src);
    if let Some(unit) = unit {
        println!("{unit:#?}");
    }
    eprint!("{}", semeru_lang::diag::render(&path, &src, &diags));
}
