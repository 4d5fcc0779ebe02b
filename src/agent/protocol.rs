//! The wire contract between `greenict-agent` and the service (`/api/v1/agent/...`), shared by both
//! sides so they cannot drift. Plain serde types; no I/O.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The shortest and longest check-in intervals an agent may use, in seconds.
pub const INTERVAL_SECONDS: std::ops::RangeInclusive<u32> = 10..=3600;

/// `POST /api/v1/agent/enrol`, with `Authorization: Bearer <enrolment token>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    pub hostname: String,
    /// The device's Ethernet addresses, any common form.
    #[serde(default)]
    pub mac_addresses: Vec<String>,
    /// Names the asset explicitly; otherwise it is found by MAC address, then hostname.
    #[serde(default)]
    pub asset_tag: Option<String>,
    #[serde(default)]
    pub os: Option<String>,
    #[serde(default)]
    pub agent_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EnrolResponse {
    pub asset_tag: String,
    /// The device's own token: shown once, kept by the agent, sent as `Authorization: Bearer`.
    pub device_token: String,
}

/// `POST /api/v1/agent/checkin`: the device is on. Unknown facts are null, never guessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinRequest {
    /// The asset the agent believes it is (from enrolment); another asset's tag is refused with 403.
    pub asset_tag: String,
    pub hostname: Option<String>,
    #[serde(default)]
    pub mac_addresses: Vec<String>,
    /// How often the agent checks in: each check-in vouches for the device being on that long.
    pub interval_seconds: u32,
    pub uptime_seconds: Option<u64>,
    pub idle_seconds: Option<u64>,
    pub user_active: Option<bool>,
    pub on_battery: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckinResponse {
    /// Shutdowns and sleeps now due (their warning has begun), each sent once.
    pub commands: Vec<PowerCommand>,
}

/// What the agent is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    Shutdown,
    Sleep,
}

impl CommandKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::Shutdown => "shutdown",
            CommandKind::Sleep => "sleep",
        }
    }

    pub fn parse(s: &str) -> Option<CommandKind> {
        match s {
            "shutdown" => Some(CommandKind::Shutdown),
            "sleep" => Some(CommandKind::Sleep),
            _ => None,
        }
    }
}

/// Shut down or sleep at `at`, warning the user `warning_minutes` before; the user may put it off by up
/// to `max_defer_minutes` in all when `may_defer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PowerCommand {
    pub action_id: i32,
    pub kind: CommandKind,
    pub at: DateTime<Utc>,
    pub warning_minutes: u32,
    pub may_defer: bool,
    pub max_defer_minutes: Option<i32>,
}

/// How a command ended on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The operating system's command ran (or, in a dry run, would have).
    Done,
    /// The user put it off by `defer_minutes`.
    Deferred,
    /// It could not be done; `reason` says why.
    Failed,
}

/// `POST /api/v1/agent/outcome`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    pub action_id: i32,
    pub outcome: Outcome,
    #[serde(default)]
    pub defer_minutes: Option<u32>,
    #[serde(default)]
    pub reason: Option<String>,
    /// True when the agent ran in dry-run mode and only logged the command.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutcomeResponse {
    /// The action's state now: confirmed, deferred or failed.
    pub state: String,
    /// The new action a deferral planned, if one was allowed.
    pub deferred_to: Option<DateTime<Utc>>,
    pub detail: Option<String>,
}
