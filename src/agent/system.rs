//! What the agent reports about its device: hostname, MAC addresses, uptime, idle time, whether a user
//! is active, whether it runs on battery. Best effort: anything it cannot tell is `None` ("unknown"),
//! never guessed. Linux reads /proc, /sys and `who -u`; Windows reads the environment, `getmac` and
//! `quser`. The parsers are pure and tested; the readers are thin.

use std::path::Path;
use std::process::Command;

/// A snapshot of the device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub hostname: Option<String>,
    pub mac_addresses: Vec<String>,
    pub uptime_seconds: Option<u64>,
    pub idle_seconds: Option<u64>,
    pub user_active: Option<bool>,
    pub on_battery: Option<bool>,
}

/// A user idle for less than this counts as active.
pub const ACTIVE_IF_IDLE_UNDER_SECONDS: u64 = 10 * 60;

impl Facts {
    /// The facts, with any unknown ones named, for the log.
    pub fn unknowns(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.hostname.is_none() {
            out.push("hostname");
        }
        if self.mac_addresses.is_empty() {
            out.push("MAC addresses");
        }
        if self.uptime_seconds.is_none() {
            out.push("uptime");
        }
        if self.idle_seconds.is_none() {
            out.push("idle time");
        }
        if self.user_active.is_none() {
            out.push("user active");
        }
        if self.on_battery.is_none() {
            out.push("on battery");
        }
        out
    }
}

/// `/proc/uptime`: "12345.67 54321.00" → 12345 seconds.
pub fn parse_proc_uptime(text: &str) -> Option<u64> {
    let first = text.split_whitespace().next()?;
    let secs: f64 = first.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then_some(secs as u64)
}

/// The idle column of `who -u`: "." (active in the last minute), "old" (over a day), or "HH:MM".
pub fn parse_who_idle(field: &str) -> Option<u64> {
    match field {
        "." => Some(0),
        "old" => Some(24 * 3600),
        hm => {
            let (h, m) = hm.split_once(':')?;
            Some(h.parse::<u64>().ok()? * 3600 + m.parse::<u64>().ok()? * 60)
        }
    }
}

/// The least idle time of any session in `who -u` output, or `None` when nobody is logged in.
/// Lines look like `alice    tty2   2026-01-14 08:58 00:12   1234 (:0)`.
pub fn least_idle_from_who(text: &str) -> Option<u64> {
    let is_clock =
        |f: &str| f.len() == 5 && f.as_bytes()[2] == b':' && f.chars().filter(char::is_ascii_digit).count() == 4;
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // The login time (HH:MM, after the date in either ISO or "Jan 14" form) is followed by idle.
            let login = fields.iter().skip(2).position(|f| is_clock(f))? + 2;
            parse_who_idle(fields.get(login + 1)?)
        })
        .min()
}

/// Battery state from /sys/class/power_supply entries (type, online, status): on battery when some
/// battery is discharging and no mains supply is online. `None` when there is no battery or mains
/// information at all.
pub fn on_battery_from_supplies(supplies: &[(String, Option<String>, Option<String>)]) -> Option<bool> {
    if supplies.is_empty() {
        return None;
    }
    let mains_online = supplies.iter().any(|(kind, online, _)| kind == "Mains" && online.as_deref() == Some("1"));
    let discharging =
        supplies.iter().any(|(kind, _, status)| kind == "Battery" && status.as_deref() == Some("Discharging"));
    let has_battery = supplies.iter().any(|(kind, _, _)| kind == "Battery");
    if !has_battery {
        // Desktop: mains only.
        return Some(false);
    }
    Some(discharging && !mains_online)
}

/// A MAC address is worth reporting when it is a real device's: not all zeros (loopback), not empty.
pub fn is_reportable_mac(mac: &str) -> bool {
    let m = mac.trim();
    m.len() == 17 && m != "00:00:00:00:00:00"
}

/// `getmac /fo csv /nh` lines: "\"AA-BB-CC-DD-EE-FF\",\"\\Device\\Tcpip_{...}\"".
pub fn parse_getmac(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split(',').next())
        .map(|f| f.trim().trim_matches('"').to_string())
        .filter(|m| m.len() == 17 && m.chars().filter(|c| *c == '-').count() == 5)
        .collect()
}

fn read_trimmed(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

fn run(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Reads the facts now.
pub fn gather() -> Facts {
    if cfg!(windows) {
        gather_windows()
    } else {
        gather_linux()
    }
}

fn gather_linux() -> Facts {
    let hostname = read_trimmed(Path::new("/proc/sys/kernel/hostname"))
        .or_else(|| read_trimmed(Path::new("/etc/hostname")))
        .filter(|h| !h.is_empty());
    let mut mac_addresses = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/sys/class/net") {
        for e in entries.flatten() {
            if e.file_name() == "lo" {
                continue;
            }
            if let Some(mac) = read_trimmed(&e.path().join("address")).filter(|m| is_reportable_mac(m)) {
                mac_addresses.push(mac);
            }
        }
    }
    mac_addresses.sort();
    mac_addresses.dedup();
    let uptime_seconds = read_trimmed(Path::new("/proc/uptime")).and_then(|t| parse_proc_uptime(&t));
    let (idle_seconds, user_active) = match run("who", &["-u"]) {
        Some(text) if text.trim().is_empty() => (None, Some(false)),
        Some(text) => {
            let idle = least_idle_from_who(&text);
            (idle, idle.map(|i| i < ACTIVE_IF_IDLE_UNDER_SECONDS))
        }
        None => (None, None),
    };
    let mut supplies = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/sys/class/power_supply") {
        for e in entries.flatten() {
            let p = e.path();
            if let Some(kind) = read_trimmed(&p.join("type")) {
                supplies.push((kind, read_trimmed(&p.join("online")), read_trimmed(&p.join("status"))));
            }
        }
    }
    Facts {
        hostname,
        mac_addresses,
        uptime_seconds,
        idle_seconds,
        user_active,
        on_battery: on_battery_from_supplies(&supplies),
    }
}

fn gather_windows() -> Facts {
    let hostname = std::env::var("COMPUTERNAME").ok().filter(|h| !h.is_empty());
    let mac_addresses = run("getmac", &["/fo", "csv", "/nh"]).map(|t| parse_getmac(&t)).unwrap_or_default();
    // `quser` lists sessions; an "Active" one means a user is logged in at the console or remotely.
    let user_active = run("quser", &[]).map(|t| t.lines().any(|l| l.contains("Active")));
    Facts { hostname, mac_addresses, uptime_seconds: None, idle_seconds: None, user_active, on_battery: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_from_proc() {
        assert_eq!(parse_proc_uptime("350735.47 234388.90\n"), Some(350_735));
        assert_eq!(parse_proc_uptime(""), None);
        assert_eq!(parse_proc_uptime("x y"), None);
    }

    #[test]
    fn idle_from_who() {
        assert_eq!(parse_who_idle("."), Some(0));
        assert_eq!(parse_who_idle("00:12"), Some(720));
        assert_eq!(parse_who_idle("old"), Some(86_400));
        let who = "alice    tty2         2026-01-14 08:58 00:12        1234 (:0)\n\
                   bob      pts/0        2026-01-14 09:30   .          5678 (10.0.0.5)\n";
        assert_eq!(least_idle_from_who(who), Some(0));
        let idle_only = "alice    tty2         2026-01-14 08:58 01:05        1234 (:0)\n";
        assert_eq!(least_idle_from_who(idle_only), Some(3900));
        assert_eq!(least_idle_from_who(""), None);
    }

    #[test]
    fn battery_from_power_supplies() {
        let s = |k: &str, online: Option<&str>, status: Option<&str>| {
            (k.to_string(), online.map(str::to_string), status.map(str::to_string))
        };
        assert_eq!(on_battery_from_supplies(&[]), None);
        assert_eq!(on_battery_from_supplies(&[s("Mains", Some("1"), None)]), Some(false));
        let laptop_unplugged = [s("Mains", Some("0"), None), s("Battery", None, Some("Discharging"))];
        assert_eq!(on_battery_from_supplies(&laptop_unplugged), Some(true));
        let laptop_charging = [s("Mains", Some("1"), None), s("Battery", None, Some("Charging"))];
        assert_eq!(on_battery_from_supplies(&laptop_charging), Some(false));
    }

    #[test]
    fn macs_worth_reporting() {
        assert!(is_reportable_mac("52:54:00:12:34:56"));
        assert!(!is_reportable_mac("00:00:00:00:00:00"));
        assert!(!is_reportable_mac(""));
        let getmac = "\"AA-BB-CC-DD-EE-01\",\"\\Device\\Tcpip_{1}\"\r\n\"N/A\",\"Disconnected\"\r\n";
        assert_eq!(parse_getmac(getmac), vec!["AA-BB-CC-DD-EE-01".to_string()]);
    }

    #[test]
    fn unknown_facts_are_named() {
        let f = Facts { hostname: Some("pc1".into()), ..Facts::default() };
        assert_eq!(f.unknowns(), vec!["MAC addresses", "uptime", "idle time", "user active", "on battery"]);
    }
}
