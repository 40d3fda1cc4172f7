//! `semeru`: the command line. The full CLI (src/cli.rs) is wired in once the
//! compiler and the interpreter have landed.
fn main() {
    eprintln!("semeru: not built yet");
    std::process::exit(70);
}
