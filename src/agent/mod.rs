//! `greenict-agent`, the PC agent (issue 5): enrols with a token from ICT staff, checks in every N
//! seconds with what it can tell about the device, receives shutdown and sleep commands, warns the user,
//! runs the operating system's command (or in a dry run logs it) and reports the outcome.
//!
//! Small on purpose: a blocking HTTP client (ureq), serde, toml and chrono; no async runtime. The
//! service side lives in `services::agents`; the two share [`protocol`].
//!
//! - [`protocol`]: the JSON exchanged with the service.
//! - [`config`]: TOML file and flags, validated.
//! - [`system`]: hostname, MACs, uptime, idle, user, battery (best effort; unknown is said).
//! - [`command`]: what to do with a command: warn, wait, defer, run or fail (pure, tested with a fake device).
//! - [`client`]: the HTTP calls.
//! - [`run`]: the check-in loop, the token file and the log file.

pub mod client;
pub mod command;
pub mod config;
pub mod protocol;
pub mod run;
pub mod system;
