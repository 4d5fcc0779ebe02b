//! `greenict-agent`: the PC agent. See `greenict::agent` for what it does.

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

use greenict::agent::config::{self, Flags};

/// Checks in with the greenict service, and shuts down or sleeps this PC when asked.
#[derive(Parser, Debug)]
#[command(name = "greenict-agent", version)]
struct Args {
    /// TOML config file (keys: server_url, interval_seconds, token_file, log_file, dry_run,
    /// enrolment_token_file, asset_tag, defer_file). Flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The service's URL, e.g. https://greenict.council.gov.uk
    #[arg(long = "server")]
    server_url: Option<String>,
    /// Seconds between check-ins (10–3600; default 60).
    #[arg(long = "interval")]
    interval_seconds: Option<u32>,
    /// Where the device token is kept.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Where the agent logs (also to stderr).
    #[arg(long)]
    log_file: Option<PathBuf>,
    /// Do everything except the final shutdown or sleep command, which is logged instead.
    #[arg(long)]
    dry_run: bool,
    /// The enrolment token from ICT staff (needed once, to enrol).
    #[arg(long = "enrol-token", env = "GREENICT_ENROL_TOKEN")]
    enrolment_token: Option<String>,
    /// A file holding the enrolment token (keeps it off the command line).
    #[arg(long = "enrol-token-file")]
    enrolment_token_file: Option<PathBuf>,
    /// Enrol as this asset instead of matching by MAC address or hostname.
    #[arg(long)]
    asset_tag: Option<String>,
    /// Where deferral requests are read from.
    #[arg(long)]
    defer_file: Option<PathBuf>,
    /// As a user: put off the pending shutdown or sleep by this many minutes, then exit.
    #[arg(long, value_name = "MINUTES")]
    defer: Option<u32>,
    /// Dry run only: pretend the user defers every command by this many minutes.
    #[arg(long)]
    simulate_defer_minutes: Option<u32>,
    /// Dry run only: pretend every command fails with this reason.
    #[arg(long)]
    simulate_failure: Option<String>,
    /// Stop after this many check-ins.
    #[arg(long)]
    max_checkins: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let file = match &args.config {
        Some(path) => match config::read_file(path) {
            Ok(f) => f,
            Err(e) => return fail(&e),
        },
        None => config::FileConfig::default(),
    };
    if let Some(minutes) = args.defer {
        let defer_file =
            args.defer_file.or(file.defer_file).unwrap_or_else(|| config::default_state_dir().join("defer-request"));
        return match greenict::agent::run::request_deferral(&defer_file, minutes) {
            Ok(()) => {
                println!("asked to put off the pending shutdown or sleep by {minutes} minutes");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    let flags = Flags {
        server_url: args.server_url,
        interval_seconds: args.interval_seconds,
        token_file: args.token_file,
        log_file: args.log_file,
        dry_run: args.dry_run,
        enrolment_token: args.enrolment_token,
        enrolment_token_file: args.enrolment_token_file,
        asset_tag: args.asset_tag,
        defer_file: args.defer_file,
        simulate_defer_minutes: args.simulate_defer_minutes,
        simulate_failure: args.simulate_failure,
        max_checkins: args.max_checkins,
    };
    let read =
        |p: &std::path::Path| std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let config = match config::resolve(file, flags, read) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    match greenict::agent::run::run(&config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("greenict-agent: {message}");
    ExitCode::FAILURE
}
