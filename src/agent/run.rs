//! The agent's main loop: load (or get by enrolling) the device token, then check in every interval,
//! carrying out any command received and reporting how it ended. Also the token file (owner-only
//! permissions), the log file and the real [`Device`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use super::client::{Client, ClientError};
use super::command::{carry_out, parse_defer_request, Device, Mode, Os, OsCommand};
use super::config::AgentConfig;
use super::protocol::{CheckinRequest, EnrolRequest, OutcomeRequest};
use super::system;

/// What enrolment gave this device, kept in the token file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub asset_tag: String,
    pub device_token: String,
}

/// Writes the identity so only the file's owner (the agent's account) can read it.
pub fn save_identity(path: &Path, id: &Identity) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string(id).map_err(|e| e.to_string())?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    f.write_all(text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        // A file that already existed keeps its old mode through `open`: set it.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("cannot restrict {}: {e}", path.display()))?;
    }
    #[cfg(windows)]
    {
        // Only SYSTEM and Administrators: drop the inherited rights (Users may read ProgramData).
        let _ = std::process::Command::new("icacls")
            .arg(path)
            .args(["/inheritance:r", "/grant:r", "*S-1-5-18:F", "*S-1-5-32-544:F"])
            .output();
    }
    Ok(())
}

pub fn load_identity(path: &Path) -> Option<Identity> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// The log: lines with a UTC timestamp, to the log file when one is set (and always to stderr).
pub struct Log {
    file: Option<Mutex<std::fs::File>>,
}

impl Log {
    pub fn open(path: Option<&Path>) -> Result<Log, String> {
        let file = match path {
            None => None,
            Some(p) => {
                if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|e| format!("cannot open log file {}: {e}", p.display()))?;
                Some(Mutex::new(f))
            }
        };
        Ok(Log { file })
    }

    pub fn line(&self, text: &str) {
        let line = format!("{} {text}\n", Utc::now().format("%Y-%m-%dT%H:%M:%SZ"));
        eprint!("{line}");
        if let Some(f) = &self.file {
            if let Ok(mut f) = f.lock() {
                let _ = f.write_all(line.as_bytes());
                let _ = f.flush();
            }
        }
    }
}

/// The machine itself.
struct RealDevice<'a> {
    log: &'a Log,
    defer_file: PathBuf,
}

impl Device for RealDevice<'_> {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn log(&mut self, line: &str) {
        self.log.line(line);
    }

    fn warn_user(&mut self, message: &str) {
        // Best effort: whichever of these exists and works.
        let tried: Vec<(&str, Vec<&str>)> = if cfg!(windows) {
            vec![("msg", vec!["*", "/time:600", message])]
        } else {
            vec![("wall", vec![message]), ("notify-send", vec!["-u", "critical", "greenict", message])]
        };
        for (program, args) in tried {
            match std::process::Command::new(program).args(&args).output() {
                Ok(out) if out.status.success() => self.log.line(&format!("warned the user with {program}")),
                Ok(out) => self.log.line(&format!("{program} did not warn the user ({})", out.status)),
                Err(e) => self.log.line(&format!("{program} not available: {e}")),
            }
        }
    }

    fn wait_until(&mut self, at: DateTime<Utc>) -> Option<u32> {
        loop {
            if let Ok(text) = std::fs::read_to_string(&self.defer_file) {
                let _ = std::fs::remove_file(&self.defer_file);
                match parse_defer_request(&text) {
                    Some(m) => return Some(m),
                    None => self.log.line(&format!("ignored an unreadable deferral request: {:?}", text.trim())),
                }
            }
            let left = at - Utc::now();
            if left <= chrono::Duration::zero() {
                return None;
            }
            std::thread::sleep(left.to_std().unwrap_or_default().min(Duration::from_secs(1)));
        }
    }

    fn run(&mut self, command: &OsCommand) -> Result<(), String> {
        let out = std::process::Command::new(command.program)
            .args(command.args)
            .output()
            .map_err(|e| format!("could not start: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            let stderr = String::from_utf8_lossy(&out.stderr);
            Err(format!("{} {}", out.status, stderr.trim()).trim().to_string())
        }
    }
}

fn enrol(config: &AgentConfig, client: &Client, log: &Log) -> Result<Identity, String> {
    let token = config.enrolment_token.as_deref().ok_or(
        "this device is not enrolled: give --enrol-token (or enrolment_token_file in the config) with a token from ICT",
    )?;
    let facts = system::gather();
    let req = EnrolRequest {
        hostname: facts.hostname.clone().unwrap_or_default(),
        mac_addresses: facts.mac_addresses.clone(),
        asset_tag: config.asset_tag.clone(),
        os: Some(std::env::consts::OS.to_string()),
        agent_version: Some(env!("CARGO_PKG_VERSION").to_string()),
    };
    let answer = loop {
        match client.enrol(token, &req) {
            Ok(a) => break a,
            // The service may be down or the network not up yet (at boot): try again later.
            Err(e @ ClientError::Unreachable(_)) => {
                log.line(&format!("enrolment failed ({e}); trying again in {} s", config.interval_seconds));
                std::thread::sleep(Duration::from_secs(u64::from(config.interval_seconds)));
            }
            Err(e) => return Err(format!("enrolment failed: {e}")),
        }
    };
    let id = Identity { asset_tag: answer.asset_tag, device_token: answer.device_token };
    save_identity(&config.token_file, &id)?;
    log.line(&format!("enrolled as asset {}; device token kept in {}", id.asset_tag, config.token_file.display()));
    Ok(id)
}

/// Writes a user's deferral request for the running agent to pick up.
pub fn request_deferral(defer_file: &Path, minutes: u32) -> Result<(), String> {
    std::fs::write(defer_file, minutes.to_string())
        .map_err(|e| format!("cannot write the deferral request to {}: {e}", defer_file.display()))
}

/// Runs the agent until stopped (or for `max_checkins` check-ins).
pub fn run(config: &AgentConfig) -> Result<(), String> {
    let log = Log::open(config.log_file.as_deref())?;
    log.line(&format!(
        "greenict-agent {} starting: server {}, every {} s{}",
        env!("CARGO_PKG_VERSION"),
        config.server_url,
        config.interval_seconds,
        if config.dry_run { ", DRY RUN (no command will be run)" } else { "" }
    ));
    let client = Client::new(&config.server_url);
    let mut identity = match load_identity(&config.token_file) {
        Some(id) => id,
        None => enrol(config, &client, &log)?,
    };
    let mode = Mode {
        os: Os::current(),
        dry_run: config.dry_run,
        simulate_defer_minutes: config.simulate_defer_minutes,
        simulate_failure: config.simulate_failure.clone(),
    };
    let mut checkins = 0u64;
    let mut reported_unknowns = false;
    loop {
        let facts = system::gather();
        if !reported_unknowns {
            let unknown = facts.unknowns();
            if !unknown.is_empty() {
                log.line(&format!("cannot tell on this device (reported as unknown): {}", unknown.join(", ")));
            }
            reported_unknowns = true;
        }
        let req = CheckinRequest {
            asset_tag: identity.asset_tag.clone(),
            hostname: facts.hostname,
            mac_addresses: facts.mac_addresses,
            interval_seconds: config.interval_seconds,
            uptime_seconds: facts.uptime_seconds,
            idle_seconds: facts.idle_seconds,
            user_active: facts.user_active,
            on_battery: facts.on_battery,
        };
        match client.checkin(&identity.device_token, &req) {
            Ok(answer) => {
                for cmd in answer.commands {
                    let mut device = RealDevice { log: &log, defer_file: config.defer_file.clone() };
                    let outcome = carry_out(&cmd, &mode, &mut device);
                    report(&client, &identity, &outcome, &log);
                }
            }
            Err(ClientError::Unauthorized(m)) if config.enrolment_token.is_some() => {
                log.line(&format!("device token refused ({m}); enrolling again"));
                identity = enrol(config, &client, &log)?;
            }
            Err(ClientError::Unauthorized(m)) => {
                return Err(format!("device token refused ({m}); enrol again with --enrol-token"));
            }
            Err(e) => log.line(&format!("check-in failed: {e}")),
        }
        checkins += 1;
        if config.max_checkins.is_some_and(|max| checkins >= max) {
            log.line(&format!("stopping after {checkins} check-in(s)"));
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(u64::from(config.interval_seconds)));
    }
}

fn report(client: &Client, identity: &Identity, outcome: &OutcomeRequest, log: &Log) {
    for attempt in 1..=3 {
        match client.outcome(&identity.device_token, outcome) {
            Ok(answer) => {
                log.line(&format!(
                    "reported action {} {:?}: now {}{}",
                    outcome.action_id,
                    outcome.outcome,
                    answer.state,
                    answer.detail.map(|d| format!(" ({d})")).unwrap_or_default()
                ));
                return;
            }
            Err(e @ ClientError::Unreachable(_)) if attempt < 3 => {
                log.line(&format!("reporting action {} failed ({e}); trying again", outcome.action_id));
                std::thread::sleep(Duration::from_secs(2));
            }
            Err(e) => {
                log.line(&format!("reporting action {} failed: {e}", outcome.action_id));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_file_is_for_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/device-token.json");
        let id = Identity { asset_tag: "WCC-000001".into(), device_token: "gid_abc".into() };
        save_identity(&path, &id).unwrap();
        assert_eq!(load_identity(&path), Some(id));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
