//! `semeru memnode`: the memory-node daemon (`--listen`) and its status query
//! (`--status`).

use crate::size::parse_size;
use clap::Args;
use semeru_fabric::Token;
use semeru_memnode::MemnodeConfig;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Usage error (sysexits `EX_USAGE`).
const EXIT_USAGE: u8 = 64;
/// The token file cannot be read (`EX_NOINPUT`).
const EXIT_NO_INPUT: u8 = 66;
/// The memnode cannot be reached, or cannot listen (`EX_UNAVAILABLE`).
const EXIT_UNAVAILABLE: u8 = 69;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    semeru memnode --capacity 8g\n  \
    semeru memnode --listen 0.0.0.0:7070 --capacity 8g --token-file /etc/semeru/token\n  \
    semeru memnode --status 127.0.0.1:7070")]
pub struct MemnodeArgs {
    /// Address to listen on. A non-loopback address needs --token-file.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7070")]
    listen: String,
    /// Region memory to hand out, over all VMs (sizes take k, m, g, t).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, required_unless_present = "status")]
    capacity: Option<usize>,
    /// Print the capacity, use, tenants and traffic of the memnode at ADDR, and exit.
    #[arg(long, value_name = "ADDR", conflicts_with_all = ["capacity", "threads", "grace"])]
    status: Option<String>,
    /// Shared secret (the file's bytes, trailing whitespace trimmed). VMs and
    /// --status must present the same token; it never travels in clear.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Requests served at the same time (page I/O and control; further ones
    /// wait), and the worker threads of each offloaded collection (marking and
    /// evacuation). Default: the number of CPUs.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=4096))]
    threads: Option<u32>,
    /// Seconds a VM's regions outlive its last connection (a VM that says
    /// goodbye is released at once).
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    grace: Duration,
    /// Log filter: error, warn, info, debug, trace (or a tracing directive list).
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    log_level: String,
}

fn parse_secs(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("invalid number of seconds `{s}`"))?;
    Duration::try_from_secs_f64(v).map_err(|_| format!("invalid number of seconds `{s}`"))
}

fn token(path: Option<&Path>) -> Result<Token, u8> {
    match path {
        None => Ok(Token::empty()),
        Some(p) => Token::from_file(p).map_err(|e| {
            eprintln!("error: cannot read token file {}: {e}", p.display());
            EXIT_NO_INPUT
        }),
    }
}

pub fn main(a: MemnodeArgs) -> u8 {
    let token = match token(a.token_file.as_deref()) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if let Some(addr) = &a.status {
        return match semeru_memnode::status_text(addr, &token) {
            Ok(text) => {
                print!("{text}");
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                EXIT_UNAVAILABLE
            }
        };
    }
    if let Err(e) = semeru_memnode::init_logging(&a.log_level) {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    if let Err(e) = semeru_memnode::check_listen(&a.listen, &token) {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    if a.capacity == Some(0) {
        eprintln!("error: --capacity must be more than 0");
        return EXIT_USAGE;
    }
    let cfg = MemnodeConfig {
        name: String::new(),
        capacity: a.capacity.unwrap_or(0) as u64,
        threads: a.threads.map_or_else(
            || {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            },
            |n| n as usize,
        ),
        grace: a.grace,
    };
    // The daemon reaches the other memnodes of a VM (offloaded marking,
    // forwarding tables) over TCP with this same token (`TcpPeers`).
    match semeru_memnode::serve(&a.listen, cfg, token) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_UNAVAILABLE
        }
    }
}
