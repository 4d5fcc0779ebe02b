//! A fixed-rate (open-loop) load generator for agent check-ins, run as its own process by
//! `benches/agent_checkin.sh`. Request i is due at start + i / RATE whatever happened to the requests
//! before it, and its latency is counted from that due time, not from when a worker got round to sending
//! it: a slow server makes later requests late, and that lateness is in the figures (what wrk2 calls
//! correcting for coordinated omission). wrk's own pacing waits before each request on top of the
//! response time, so it never offers the rate it is asked for; oha can pace but sends one
//! Authorization header for every request, and each check-in here must carry its own device's token.
//!
//! Usage: checkin_load BASE_URL TOKENS_FILE RATE SECONDS [WORKERS] [WARMUP_SECONDS]
//! The first WARMUP_SECONDS (default 0) are offered at the same rate but left out of the figures, as
//! wrk2 leaves out its calibration: they see the server's connection pools filled and its statements
//! prepared, once per process, not what a running service does.
//! TOKENS_FILE holds "ASSET_TAG DEVICE_TOKEN" lines (benches/agent_checkin.sh writes it). Loopback only.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Device {
    tag: String,
    token: String,
}

/// What one worker saw: latencies in microseconds from each request's due time, and from its send.
#[derive(Default)]
struct Seen {
    from_due_us: Vec<u64>,
    from_send_us: Vec<u64>,
    /// (second the request was due in, its latency from due), for the timeline.
    by_second: Vec<(u32, u64)>,
    ok: u64,
    non_2xx: u64,
    errors: u64,
    last_done: Option<Instant>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: checkin_load BASE_URL TOKENS_FILE RATE SECONDS [WORKERS] [WARMUP_SECONDS]");
        std::process::exit(2);
    }
    let base = args[1].trim_end_matches('/').to_string();
    let host = url::Url::parse(&base).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
    if !matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]" | "::1") && !host.starts_with("127.") {
        eprintln!("checkin_load: {host} is not a loopback address; the benchmark only sends to this machine");
        std::process::exit(2);
    }
    let devices = Arc::new(read_devices(&args[2]));
    let rate: f64 = args[3].parse().expect("RATE: requests per second");
    let seconds: f64 = args[4].parse().expect("SECONDS: how long to offer the rate");
    let workers: usize = args.get(5).map_or(64, |w| w.parse().expect("WORKERS: a number"));
    let warmup: f64 = args.get(6).map_or(0.0, |w| w.parse().expect("WARMUP_SECONDS: a number"));
    let first_counted = (rate * warmup).round() as u64;
    let total = first_counted + (rate * seconds).round() as u64;
    let period_ns = 1e9 / rate;
    let next = Arc::new(AtomicU64::new(0));
    let url = format!("{base}/api/v1/agent/checkin");
    // A moment to let every worker start before the first request is due.
    let start = Instant::now() + Duration::from_millis(200);
    let counted_from = start + Duration::from_nanos((first_counted as f64 * period_ns) as u64);
    let counted_from_wall = std::time::SystemTime::now() + counted_from.duration_since(Instant::now());
    let seconds_counted = seconds.ceil() as u32;
    let cpu_sampler = std::thread::spawn(move || sample_cpu(counted_from, seconds_counted));
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (devices, next, url) = (devices.clone(), next.clone(), url.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
                let mut seen = Seen::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let due = start + Duration::from_nanos((i as f64 * period_ns) as u64);
                    let now = Instant::now();
                    if due > now {
                        std::thread::sleep(due - now);
                    }
                    let sent = Instant::now();
                    let d = &devices[(splitmix64(i) % devices.len() as u64) as usize];
                    let answer = checkin(&agent, &url, d);
                    let done = Instant::now();
                    if i < first_counted {
                        continue;
                    }
                    match answer {
                        Ok(()) => seen.ok += 1,
                        Err(Some(_status)) => seen.non_2xx += 1,
                        Err(None) => seen.errors += 1,
                    }
                    seen.from_due_us.push(done.duration_since(due).as_micros() as u64);
                    seen.from_send_us.push(done.duration_since(sent).as_micros() as u64);
                    seen.by_second.push((
                        ((i - first_counted) as f64 / rate) as u32,
                        done.duration_since(due).as_micros() as u64,
                    ));
                    seen.last_done = Some(done);
                }
                seen
            })
        })
        .collect();
    let mut all = Seen::default();
    for h in handles {
        let s = h.join().expect("worker");
        all.from_due_us.extend(s.from_due_us);
        all.from_send_us.extend(s.from_send_us);
        all.by_second.extend(s.by_second);
        all.ok += s.ok;
        all.non_2xx += s.non_2xx;
        all.errors += s.errors;
        all.last_done = all.last_done.max(s.last_done);
    }
    let elapsed = all.last_done.map_or(0.0, |t| t.duration_since(counted_from).as_secs_f64());
    let done = all.from_due_us.len() as f64;
    all.from_due_us.sort_unstable();
    all.from_send_us.sort_unstable();
    let ms = |v: &[u64], q: f64| percentile(v, q) as f64 / 1000.0;
    let cpu = cpu_sampler.join().expect("CPU sampler");
    let whole = cpu.first().zip(cpu.last()).map(|(a, b)| b.since(a));
    let pct = |f: fn(&CpuTicks) -> f64| whole.as_ref().map_or("?".to_string(), |w| format!("{:.1}", f(w)));
    println!(
        "offered_rps={rate} warmup_s={warmup} achieved_rps={:.0} requests={} ok={} non2xx={} errors={} \
         p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} p999_ms={:.2} max_ms={:.2} service_p99_ms={:.2} \
         cpu_idle_pct={} cpu_steal_pct={}",
        done / elapsed.max(1e-9),
        done,
        all.ok,
        all.non_2xx,
        all.errors,
        ms(&all.from_due_us, 0.50),
        ms(&all.from_due_us, 0.90),
        ms(&all.from_due_us, 0.99),
        ms(&all.from_due_us, 0.999),
        ms(&all.from_due_us, 1.0),
        ms(&all.from_send_us, 0.99),
        pct(CpuTicks::idle_pct),
        pct(CpuTicks::steal_pct),
    );
    if std::env::var_os("TIMELINE").is_some() {
        print_timeline(&mut all.by_second, counted_from_wall, &cpu);
    }
}

/// With TIMELINE set: for each second of the run, the p99 and worst latency of the requests due in it, and
/// the machine's idle and stolen CPU in that second, on standard error, so a stall can be lined up with what
/// the server, the database and the hypervisor were doing then (`unix` is the wall-clock second the
/// requests were due from, in seconds since 1970, UTC).
fn print_timeline(by_second: &mut [(u32, u64)], counted_from: std::time::SystemTime, cpu: &[CpuTicks]) {
    let unix0 = counted_from.duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    by_second.sort_unstable();
    for group in by_second.chunk_by(|a, b| a.0 == b.0) {
        let lat: Vec<u64> = group.iter().map(|&(_, l)| l).collect();
        let s = group[0].0 as usize;
        let shares = cpu.get(s).zip(cpu.get(s + 1)).map(|(a, b)| b.since(a));
        eprintln!(
            "second={} unix={:.1} requests={} p99_ms={:.1} max_ms={:.1} cpu_idle_pct={} cpu_steal_pct={}",
            group[0].0,
            unix0 + f64::from(group[0].0),
            lat.len(),
            percentile(&lat, 0.99) as f64 / 1000.0,
            percentile(&lat, 1.0) as f64 / 1000.0,
            shares.as_ref().map_or("?".to_string(), |c| format!("{:.0}", c.idle_pct())),
            shares.as_ref().map_or("?".to_string(), |c| format!("{:.0}", c.steal_pct())),
        );
    }
}

/// The machine's CPU time in clock ticks, as /proc/stat's first line counts it since boot (or, from
/// `since`, over an interval): all of it, the idle part (idle and I/O wait) and the part the hypervisor
/// gave to other guests (steal). On a shared virtual machine, steal is CPU this run asked for and did not
/// get, whatever the service does.
#[derive(Clone, Copy)]
struct CpuTicks {
    total: u64,
    idle: u64,
    steal: u64,
}

impl CpuTicks {
    fn read() -> Option<CpuTicks> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is in user's).
        let ticks: Vec<u64> =
            stat.lines().next()?.split_whitespace().skip(1).take(8).map(|t| t.parse().ok()).collect::<Option<_>>()?;
        (ticks.len() == 8).then(|| CpuTicks { total: ticks.iter().sum(), idle: ticks[3] + ticks[4], steal: ticks[7] })
    }

    fn since(&self, earlier: &CpuTicks) -> CpuTicks {
        CpuTicks {
            total: self.total.saturating_sub(earlier.total),
            idle: self.idle.saturating_sub(earlier.idle),
            steal: self.steal.saturating_sub(earlier.steal),
        }
    }

    fn idle_pct(&self) -> f64 {
        100.0 * self.idle as f64 / self.total.max(1) as f64
    }

    fn steal_pct(&self) -> f64 {
        100.0 * self.steal as f64 / self.total.max(1) as f64
    }
}

/// Reads the CPU counters at the start of the counted window and after each of its seconds, so entry s to
/// s + 1 covers second s. Empty where /proc/stat cannot be read (not Linux).
fn sample_cpu(from: Instant, seconds: u32) -> Vec<CpuTicks> {
    let mut samples = Vec::new();
    for s in 0..=seconds {
        let at = from + Duration::from_secs(u64::from(s));
        let now = Instant::now();
        if at > now {
            std::thread::sleep(at - now);
        }
        match CpuTicks::read() {
            Some(t) => samples.push(t),
            None => return Vec::new(),
        }
    }
    samples
}

/// One check-in as the agent sends it; the body is read to the end so the connection is kept.
fn checkin(agent: &ureq::Agent, url: &str, d: &Device) -> Result<(), Option<u16>> {
    let body = format!(
        r#"{{"asset_tag":"{tag}","hostname":"{tag}","mac_addresses":[],"interval_seconds":60,"uptime_seconds":3600,"idle_seconds":5,"user_active":true,"on_battery":false}}"#,
        tag = d.tag
    );
    let answer = agent
        .post(url)
        .set("Content-Type", "application/json")
        .set("Authorization", &format!("Bearer {}", d.token))
        .send_string(&body);
    match answer {
        Ok(r) => {
            let _ = r.into_string();
            Ok(())
        }
        Err(ureq::Error::Status(code, r)) => {
            let _ = r.into_string();
            Err(Some(code))
        }
        Err(_) => Err(None),
    }
}

fn read_devices(path: &str) -> Vec<Device> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let devices: Vec<Device> = text
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            Some(Device { tag: parts.next()?.to_string(), token: parts.next()?.to_string() })
        })
        .collect();
    assert!(!devices.is_empty(), "{path}: no \"TAG TOKEN\" lines");
    devices
}

/// The q-quantile (nearest rank) of sorted values.
fn percentile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// A well-mixed device index for each request, the same every run.
fn splitmix64(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
