//! The agent's configuration: a TOML file, then command-line flags over it, validated once. Pure apart
//! from reading the file.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// What the agent runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentConfig {
    /// The service's base URL, e.g. `https://greenict.council.gov.uk`.
    pub server_url: String,
    pub interval_seconds: u32,
    /// Where the device token is kept (created with owner-only permissions).
    pub token_file: PathBuf,
    pub log_file: Option<PathBuf>,
    /// Everything but the final operating-system command, which is logged instead.
    pub dry_run: bool,
    /// Enrolment: the token ICT staff gave, and optionally the asset this device is.
    pub enrolment_token: Option<String>,
    pub asset_tag: Option<String>,
    /// Where a user's deferral request is read from (`greenict-agent --defer MINUTES` writes it).
    pub defer_file: PathBuf,
    /// Dry run only: the user defers every command by this many minutes.
    pub simulate_defer_minutes: Option<u32>,
    /// Dry run only: every command fails with this reason.
    pub simulate_failure: Option<String>,
    /// Stop after this many check-ins (for tests and one-off runs); none = run until stopped.
    pub max_checkins: Option<u64>,
}

/// The file's keys: all optional; flags win.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub server_url: Option<String>,
    pub interval_seconds: Option<u32>,
    pub token_file: Option<PathBuf>,
    pub log_file: Option<PathBuf>,
    pub dry_run: Option<bool>,
    pub enrolment_token_file: Option<PathBuf>,
    pub asset_tag: Option<String>,
    pub defer_file: Option<PathBuf>,
}

/// The flags given on the command line (each overrides the file's value).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flags {
    pub server_url: Option<String>,
    pub interval_seconds: Option<u32>,
    pub token_file: Option<PathBuf>,
    pub log_file: Option<PathBuf>,
    pub dry_run: bool,
    pub enrolment_token: Option<String>,
    pub enrolment_token_file: Option<PathBuf>,
    pub asset_tag: Option<String>,
    pub defer_file: Option<PathBuf>,
    pub simulate_defer_minutes: Option<u32>,
    pub simulate_failure: Option<String>,
    pub max_checkins: Option<u64>,
}

pub const DEFAULT_INTERVAL_SECONDS: u32 = 60;
pub use super::protocol::INTERVAL_SECONDS as INTERVAL_RANGE;

/// Where the agent keeps its state by default.
pub fn default_state_dir() -> PathBuf {
    if cfg!(windows) {
        let base =
            std::env::var_os("ProgramData").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(r"C:\ProgramData"));
        base.join("greenict-agent")
    } else {
        PathBuf::from("/var/lib/greenict-agent")
    }
}

/// Parses the TOML text of a config file.
pub fn parse_file(text: &str) -> Result<FileConfig, String> {
    toml::from_str(text).map_err(|e| format!("config file: {e}"))
}

/// Reads and parses the config file at `path`.
pub fn read_file(path: &Path) -> Result<FileConfig, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
    parse_file(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The flags over the file, with defaults for the rest, validated. `read` reads an enrolment token
/// file (given so tests need no files).
pub fn resolve(
    file: FileConfig,
    flags: Flags,
    read: impl Fn(&Path) -> Result<String, String>,
) -> Result<AgentConfig, String> {
    let server_url = flags
        .server_url
        .or(file.server_url)
        .ok_or("no server URL: give --server https://... or server_url in the config file")?;
    let server_url = server_url.trim().trim_end_matches('/').to_string();
    let parsed = url::Url::parse(&server_url).map_err(|e| format!("server URL '{server_url}': {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!("server URL '{server_url}' must be http:// or https:// with a host"));
    }
    let interval_seconds = flags.interval_seconds.or(file.interval_seconds).unwrap_or(DEFAULT_INTERVAL_SECONDS);
    if !INTERVAL_RANGE.contains(&interval_seconds) {
        return Err(format!(
            "check-in interval {interval_seconds} s is outside {}–{} s",
            INTERVAL_RANGE.start(),
            INTERVAL_RANGE.end()
        ));
    }
    let state = default_state_dir();
    let dry_run = flags.dry_run || file.dry_run.unwrap_or(false);
    if !dry_run && (flags.simulate_defer_minutes.is_some() || flags.simulate_failure.is_some()) {
        return Err("--simulate-defer-minutes and --simulate-failure need --dry-run".into());
    }
    if flags.simulate_defer_minutes == Some(0) {
        return Err("--simulate-defer-minutes must be at least 1".into());
    }
    let enrolment_token = match (flags.enrolment_token, flags.enrolment_token_file.or(file.enrolment_token_file)) {
        (Some(t), _) => Some(t),
        (None, Some(path)) => Some(read(&path)?),
        (None, None) => None,
    }
    .map(|t| t.trim().to_string())
    .filter(|t| !t.is_empty());
    Ok(AgentConfig {
        server_url,
        interval_seconds,
        token_file: flags.token_file.or(file.token_file).unwrap_or_else(|| state.join("device-token.json")),
        log_file: flags.log_file.or(file.log_file),
        dry_run,
        enrolment_token,
        asset_tag: flags.asset_tag.or(file.asset_tag).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
        defer_file: flags.defer_file.or(file.defer_file).unwrap_or_else(|| state.join("defer-request")),
        simulate_defer_minutes: flags.simulate_defer_minutes,
        simulate_failure: flags.simulate_failure.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()),
        max_checkins: flags.max_checkins,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_files(p: &Path) -> Result<String, String> {
        Err(format!("unexpected read of {}", p.display()))
    }

    #[test]
    fn flags_win_over_the_file_and_defaults_fill_the_rest() {
        let file = parse_file(
            "server_url = \"https://greenict.example.gov.uk/\"\ninterval_seconds = 300\nlog_file = \"/tmp/a.log\"\n",
        )
        .unwrap();
        let flags = Flags { interval_seconds: Some(30), ..Flags::default() };
        let c = resolve(file, flags, no_files).unwrap();
        assert_eq!(c.server_url, "https://greenict.example.gov.uk");
        assert_eq!(c.interval_seconds, 30);
        assert_eq!(c.log_file, Some(PathBuf::from("/tmp/a.log")));
        assert!(!c.dry_run);
        assert_eq!(c.token_file, default_state_dir().join("device-token.json"));
    }

    #[test]
    fn the_file_refuses_unknown_keys() {
        let err = parse_file("server = \"https://x\"").unwrap_err();
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn bad_values_are_refused_with_the_fix() {
        let with = |flags: Flags| resolve(FileConfig::default(), flags, no_files);
        let url = |u: &str| Flags { server_url: Some(u.into()), ..Flags::default() };
        assert!(with(Flags::default()).unwrap_err().contains("--server"));
        assert!(with(url("ftp://x")).unwrap_err().contains("http"));
        assert!(with(Flags { interval_seconds: Some(5), ..url("http://127.0.0.1:8000") }).is_err());
        // Simulations only in a dry run, so a real PC is never told a made-up outcome.
        let simulated = Flags { simulate_failure: Some("disk busy".into()), ..url("http://127.0.0.1:8000") };
        assert!(with(simulated.clone()).unwrap_err().contains("--dry-run"));
        let c = with(Flags { dry_run: true, ..simulated }).unwrap();
        assert_eq!(c.simulate_failure.as_deref(), Some("disk busy"));
    }

    #[test]
    fn an_enrolment_token_comes_from_a_flag_or_a_file() {
        let flags = Flags {
            server_url: Some("http://127.0.0.1:1".into()),
            enrolment_token_file: Some(PathBuf::from("/etc/greenict/enrol")),
            ..Flags::default()
        };
        let c = resolve(FileConfig::default(), flags, |_| Ok("gie_abc\n".into())).unwrap();
        assert_eq!(c.enrolment_token.as_deref(), Some("gie_abc"));
    }
}
