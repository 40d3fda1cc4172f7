//! Logs go through `tracing`; the daemon prints them on stderr.

/// Installs a `tracing-subscriber` fmt subscriber writing to stderr. `level` is
/// a level (`info`, `debug`, …) or any `EnvFilter` directive list
/// (`semeru_memnode=debug,warn`). Installing twice is harmless (the first wins).
pub fn init_logging(level: &str) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .map_err(|e| format!("invalid --log-level `{level}`: {e}"))?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    Ok(())
}
