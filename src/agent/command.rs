//! What the agent does with a power command: warn the user, wait for the time (or a deferral), then run
//! the operating system's command — or in a dry run, log it — and say how it ended. The decisions are
//! here, pure; the side effects go through [`Device`], so tests drive them with a fake.

use chrono::{DateTime, Utc};

use super::protocol::{CommandKind, Outcome, OutcomeRequest, PowerCommand};
use crate::domain::deferral::DeferralAllowance;

/// The operating system family, for the command to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Windows,
}

impl Os {
    pub fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        }
    }
}

/// A program and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsCommand {
    pub program: &'static str,
    pub args: &'static [&'static str],
}

impl std::fmt::Display for OsCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.program)?;
        for a in self.args {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}

/// The command that shuts down or sleeps the machine.
pub fn os_command(kind: CommandKind, os: Os) -> OsCommand {
    match (os, kind) {
        (Os::Linux, CommandKind::Shutdown) => OsCommand { program: "systemctl", args: &["poweroff"] },
        (Os::Linux, CommandKind::Sleep) => OsCommand { program: "systemctl", args: &["suspend"] },
        (Os::Windows, CommandKind::Shutdown) => OsCommand { program: "shutdown", args: &["/s", "/t", "0"] },
        // Sleeps (not hibernates) when hibernation is off, which is how councils' images are usually set.
        (Os::Windows, CommandKind::Sleep) => {
            OsCommand { program: "rundll32.exe", args: &["powrprof.dll,SetSuspendState", "0,1,0"] }
        }
    }
}

/// The message shown to the logged-in user.
pub fn warning_text(cmd: &PowerCommand, now: DateTime<Utc>) -> String {
    let what = match cmd.kind {
        CommandKind::Shutdown => "shut down",
        CommandKind::Sleep => "go to sleep",
    };
    let local = cmd.at.with_timezone(&chrono_tz::Europe::London).format("%H:%M");
    let minutes = (cmd.at - now).num_minutes().max(0);
    let mut text = format!("This PC will {what} at {local} (in {minutes} minutes) to save energy. Save your work.");
    let allowance = DeferralAllowance { may_defer: cmd.may_defer, max_defer_minutes: cmd.max_defer_minutes };
    if allowance.remaining_minutes() > 0 {
        text.push_str(&format!(
            " To put it off by up to {} minutes, run: greenict-agent --defer MINUTES",
            allowance.remaining_minutes()
        ));
    }
    text
}

/// The device, as far as a command needs it.
pub trait Device {
    fn now(&self) -> DateTime<Utc>;
    fn log(&mut self, line: &str);
    fn warn_user(&mut self, message: &str);
    /// Waits until `at`; returns early with the minutes a user asked to defer by, if they did.
    fn wait_until(&mut self, at: DateTime<Utc>) -> Option<u32>;
    fn run(&mut self, command: &OsCommand) -> Result<(), String>;
}

/// How the agent runs: for real, or a dry run that may pretend the user deferred or the command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mode {
    pub os: Os,
    pub dry_run: bool,
    pub simulate_defer_minutes: Option<u32>,
    pub simulate_failure: Option<String>,
}

fn report(cmd: &PowerCommand, outcome: Outcome, mode: &Mode) -> OutcomeRequest {
    OutcomeRequest { action_id: cmd.action_id, outcome, defer_minutes: None, reason: None, dry_run: mode.dry_run }
}

/// Carries out one command and says how it ended.
pub fn carry_out(cmd: &PowerCommand, mode: &Mode, device: &mut dyn Device) -> OutcomeRequest {
    let now = device.now();
    device.log(&format!(
        "command: action {} {} at {} (warning {} min, may defer: {}, up to {:?} min)",
        cmd.action_id,
        cmd.kind.as_str(),
        cmd.at.to_rfc3339(),
        cmd.warning_minutes,
        cmd.may_defer,
        cmd.max_defer_minutes
    ));
    if cmd.warning_minutes > 0 || cmd.at > now {
        let text = warning_text(cmd, now);
        device.log(&format!("warning the user: {text}"));
        device.warn_user(&text);
    }
    let asked = match mode.simulate_defer_minutes {
        Some(m) if mode.dry_run => {
            device.log(&format!("dry run: simulating the user asking to defer by {m} minutes"));
            Some(m)
        }
        _ => device.wait_until(cmd.at),
    };
    if let Some(asked) = asked {
        let allowance = DeferralAllowance { may_defer: cmd.may_defer, max_defer_minutes: cmd.max_defer_minutes };
        match allowance.offer(asked) {
            Some(minutes) => {
                device.log(&format!("the user deferred action {} by {minutes} minutes", cmd.action_id));
                return OutcomeRequest { defer_minutes: Some(minutes), ..report(cmd, Outcome::Deferred, mode) };
            }
            None => {
                device.log("the user asked to defer, but this action may not be deferred (any further): going ahead");
                device.warn_user("This action cannot be put off any further.");
                if !mode.dry_run {
                    device.wait_until(cmd.at);
                }
            }
        }
    }
    let os_cmd = os_command(cmd.kind, mode.os);
    if mode.dry_run {
        device.log(&format!("dry run: would run `{os_cmd}`"));
        return match &mode.simulate_failure {
            Some(reason) => {
                device.log(&format!("dry run: simulating failure: {reason}"));
                OutcomeRequest { reason: Some(reason.clone()), ..report(cmd, Outcome::Failed, mode) }
            }
            None => report(cmd, Outcome::Done, mode),
        };
    }
    device.log(&format!("running `{os_cmd}`"));
    match device.run(&os_cmd) {
        Ok(()) => report(cmd, Outcome::Done, mode),
        Err(reason) => {
            device.log(&format!("`{os_cmd}` failed: {reason}"));
            OutcomeRequest {
                reason: Some(format!("`{os_cmd}` failed: {reason}")),
                ..report(cmd, Outcome::Failed, mode)
            }
        }
    }
}

/// A deferral request as a user writes it (`greenict-agent --defer 30`): whole minutes, 1 to 1440.
pub fn parse_defer_request(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok().filter(|m| (1..=1440).contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    struct Fake {
        now: DateTime<Utc>,
        log: Vec<String>,
        warned: Vec<String>,
        waited_until: Vec<DateTime<Utc>>,
        user_defers: Option<u32>,
        ran: Vec<String>,
        run_result: Result<(), String>,
    }

    impl Fake {
        fn new() -> Fake {
            Fake {
                now: Utc.with_ymd_and_hms(2026, 1, 14, 18, 50, 0).unwrap(),
                log: vec![],
                warned: vec![],
                waited_until: vec![],
                user_defers: None,
                ran: vec![],
                run_result: Ok(()),
            }
        }
    }

    impl Device for Fake {
        fn now(&self) -> DateTime<Utc> {
            self.now
        }
        fn log(&mut self, line: &str) {
            self.log.push(line.to_string());
        }
        fn warn_user(&mut self, message: &str) {
            self.warned.push(message.to_string());
        }
        fn wait_until(&mut self, at: DateTime<Utc>) -> Option<u32> {
            self.waited_until.push(at);
            self.user_defers.take()
        }
        fn run(&mut self, command: &OsCommand) -> Result<(), String> {
            self.ran.push(command.to_string());
            self.run_result.clone()
        }
    }

    fn shutdown_at_19(may_defer: bool) -> PowerCommand {
        PowerCommand {
            action_id: 42,
            kind: CommandKind::Shutdown,
            at: Utc.with_ymd_and_hms(2026, 1, 14, 19, 0, 0).unwrap(),
            warning_minutes: 10,
            may_defer,
            max_defer_minutes: Some(60),
        }
    }

    fn real(os: Os) -> Mode {
        Mode { os, dry_run: false, simulate_defer_minutes: None, simulate_failure: None }
    }

    #[test]
    fn commands_for_each_os() {
        assert_eq!(os_command(CommandKind::Shutdown, Os::Linux).to_string(), "systemctl poweroff");
        assert_eq!(os_command(CommandKind::Sleep, Os::Linux).to_string(), "systemctl suspend");
        assert_eq!(os_command(CommandKind::Shutdown, Os::Windows).to_string(), "shutdown /s /t 0");
        assert_eq!(
            os_command(CommandKind::Sleep, Os::Windows).to_string(),
            "rundll32.exe powrprof.dll,SetSuspendState 0,1,0"
        );
    }

    #[test]
    fn warns_waits_runs_and_reports_done() {
        let mut d = Fake::new();
        let out = carry_out(&shutdown_at_19(false), &real(Os::Linux), &mut d);
        assert_eq!(out.outcome, Outcome::Done);
        assert!(!out.dry_run);
        assert_eq!(d.ran, vec!["systemctl poweroff"]);
        assert_eq!(d.waited_until, vec![shutdown_at_19(false).at]);
        // 19:00 UTC in January is 19:00 in the UK; 10 minutes from 18:50. No deferral offered.
        assert_eq!(d.warned[0], "This PC will shut down at 19:00 (in 10 minutes) to save energy. Save your work.");
    }

    #[test]
    fn a_failed_command_reports_its_reason() {
        let mut d = Fake { run_result: Err("exit status 1".into()), ..Fake::new() };
        let out = carry_out(&shutdown_at_19(false), &real(Os::Windows), &mut d);
        assert_eq!(out.outcome, Outcome::Failed);
        assert_eq!(out.reason.as_deref(), Some("`shutdown /s /t 0` failed: exit status 1"));
    }

    #[test]
    fn a_user_deferral_is_reported_within_the_allowance() {
        let mut d = Fake { user_defers: Some(90), ..Fake::new() };
        let out = carry_out(&shutdown_at_19(true), &real(Os::Linux), &mut d);
        assert_eq!((out.outcome, out.defer_minutes), (Outcome::Deferred, Some(60)));
        assert!(d.ran.is_empty());
        assert!(d.warned[0].contains("up to 60 minutes"));
    }

    #[test]
    fn a_deferral_that_is_not_allowed_goes_ahead() {
        let mut d = Fake { user_defers: Some(30), ..Fake::new() };
        let out = carry_out(&shutdown_at_19(false), &real(Os::Linux), &mut d);
        assert_eq!(out.outcome, Outcome::Done);
        assert_eq!(d.ran.len(), 1);
    }

    #[test]
    fn a_dry_run_never_runs_the_command_and_can_simulate() {
        let dry = Mode { os: Os::Linux, dry_run: true, simulate_defer_minutes: None, simulate_failure: None };
        let mut d = Fake::new();
        let out = carry_out(&shutdown_at_19(true), &dry, &mut d);
        assert_eq!((out.outcome, out.dry_run), (Outcome::Done, true));
        assert!(d.ran.is_empty());
        assert!(d.log.iter().any(|l| l == "dry run: would run `systemctl poweroff`"));

        let failing = Mode { simulate_failure: Some("disk busy".into()), ..dry.clone() };
        let out = carry_out(&shutdown_at_19(true), &failing, &mut Fake::new());
        assert_eq!((out.outcome, out.reason.as_deref()), (Outcome::Failed, Some("disk busy")));

        let deferring = Mode { simulate_defer_minutes: Some(15), ..dry };
        let mut d = Fake::new();
        let out = carry_out(&shutdown_at_19(true), &deferring, &mut d);
        assert_eq!((out.outcome, out.defer_minutes), (Outcome::Deferred, Some(15)));
        assert!(d.waited_until.is_empty(), "a simulated deferral does not wait");
    }

    #[test]
    fn defer_requests() {
        assert_eq!(parse_defer_request("30\n"), Some(30));
        assert_eq!(parse_defer_request("0"), None);
        assert_eq!(parse_defer_request("soon"), None);
    }
}
