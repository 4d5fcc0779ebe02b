//! The process's memory at a phase's end, for the import's debug log: its peak (VmHWM) and current
//! (VmRSS) resident size from /proc, so where a large import's peak falls can be read from one run.
//! Elsewhere than Linux it says so. Read only when the debug line is logged (tracing evaluates a
//! field only for an enabled event).

pub fn usage() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return "unknown".into();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().map_or(0, |kb| kb / 1024))
    };
    match (field("VmHWM:"), field("VmRSS:")) {
        (Some(peak), Some(now)) => format!("peak {peak} MiB, now {now} MiB"),
        _ => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn reads_peak_and_current_size() {
        let s = super::usage();
        assert!(s.starts_with("peak ") && s.contains(" MiB, now ") && s.ends_with(" MiB"), "{s}");
    }
}
