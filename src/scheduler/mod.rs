//! The background scheduler: a tokio task started when Rocket lifts off that, every `interval_seconds`,
//! plans the policies' actions idempotently, expires what is too late, claims due wakes (exactly one
//! instance per action, even with several on one PostgreSQL database) and sends their Wake-on-LAN packets.
//! Shutdowns and sleeps wait in the table for the asset's agent to check in. Depends on services and the
//! pure `scheduling` maths; nothing here holds state that matters for correctness.

pub mod wol;

use chrono::{DateTime, Duration, Utc};
use rocket::fairing::AdHoc;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{AppError, AppResult};
use crate::scheduling::CatchUp;
use crate::services::power_actions::{self, ManualOutcome, ManualRequest, PlanRules};
use crate::services::Actor;

/// `[scheduler]` in the configuration file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SchedulerConfig {
    /// Run the background task. Off in tests unless a test turns it on (or calls `tick` itself).
    pub enabled: bool,
    pub interval_seconds: u64,
    /// Names this instance in claims (`claimed_by`); must differ between instances sharing a database.
    pub instance_id: String,
    /// Magic packets per MAC and broadcast address for each wake.
    pub wake_repeats: u32,
    /// A wake up to this late is still sent; later, it expires.
    pub wake_late_hours: i64,
    /// A shutdown or sleep no agent took within this many minutes of its time expires.
    pub shutdown_grace_minutes: i64,
    /// How far ahead each tick plans.
    pub horizon_hours: i64,
    /// How long a claim holds before another instance may take the action over.
    pub claim_seconds: i64,
    /// At most this many planned actions written per tick (the earliest first; the rest on later ticks),
    /// so a tick stays short however many assets share a wake time.
    pub plan_rows_per_tick: usize,
}

fn default_instance_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "greenict".into());
    format!("{host}-{}", std::process::id())
}

impl Default for SchedulerConfig {
    fn default() -> SchedulerConfig {
        SchedulerConfig {
            enabled: true,
            interval_seconds: 60,
            instance_id: default_instance_id(),
            wake_repeats: 3,
            wake_late_hours: 2,
            shutdown_grace_minutes: 30,
            horizon_hours: 24,
            claim_seconds: 120,
            plan_rows_per_tick: 5_000,
        }
    }
}

impl SchedulerConfig {
    pub fn validate(&self) -> Result<(), String> {
        let bad = |what: &str| Err(format!("configuration: scheduler.{what}"));
        if self.interval_seconds == 0 {
            return bad("interval_seconds must be at least 1");
        }
        if self.instance_id.trim().is_empty() || self.instance_id.len() > 80 {
            return bad("instance_id must be 1 to 80 characters");
        }
        if !(1..=10).contains(&self.wake_repeats) {
            return bad("wake_repeats must be 1 to 10");
        }
        if !(0..=24).contains(&self.wake_late_hours) || !(0..=24 * 60).contains(&self.shutdown_grace_minutes) {
            return bad("wake_late_hours must be 0 to 24 and shutdown_grace_minutes 0 to 1440");
        }
        if !(1..=24 * 7).contains(&self.horizon_hours) || self.claim_seconds < 5 {
            return bad("horizon_hours must be 1 to 168 and claim_seconds at least 5");
        }
        if !(1..=1_000_000).contains(&self.plan_rows_per_tick) {
            return bad("plan_rows_per_tick must be 1 to 1000000");
        }
        Ok(())
    }
}

/// What a tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TickReport {
    pub planned: u64,
    pub expired: u64,
    pub sent: usize,
    pub failed: usize,
}

/// The scheduler of one instance: its settings and the sequence its claim tokens are numbered from.
#[derive(Clone)]
pub struct Scheduler {
    pub config: SchedulerConfig,
    seq: Arc<AtomicU64>,
    /// What the last tick's planning read (a cache; see `power_actions::PlanState`).
    plan_state: Arc<Mutex<Option<power_actions::PlanState>>>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Scheduler {
    pub fn new(config: SchedulerConfig) -> Scheduler {
        Scheduler { config, seq: Arc::new(AtomicU64::new(0)), plan_state: Arc::new(Mutex::new(None)) }
    }

    pub fn catch_up(&self) -> CatchUp {
        CatchUp {
            wake_late: Duration::hours(self.config.wake_late_hours),
            off_grace: Duration::minutes(self.config.shutdown_grace_minutes),
        }
    }

    pub fn rules(&self) -> PlanRules {
        PlanRules {
            catch_up: self.catch_up(),
            horizon: Duration::hours(self.config.horizon_hours),
            max_rows: self.config.plan_rows_per_tick,
        }
    }

    /// A claim token unique to this instance and claim: "<instance id>#<n>".
    fn token(&self) -> String {
        format!("{}#{}", self.config.instance_id, self.seq.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// One round: plan, expire what is too late, claim and send due wakes.
    pub async fn tick(&self, db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<TickReport> {
        // Taken out while planning (never held across an await); a failed plan leaves no state behind.
        let mut state = self.plan_state.lock().unwrap_or_else(|e| e.into_inner()).take();
        let planned = power_actions::plan_from(db, now, self.rules(), &mut state).await?;
        *self.plan_state.lock().unwrap_or_else(|e| e.into_inner()) = state;
        let expired = power_actions::expire_stale(db, now, self.catch_up()).await?;
        let (sent, failed) = self.send_wakes(db, now, None).await?;
        Ok(TickReport { planned, expired, sent, failed })
    }

    /// Claims due wakes (all, or just `only_ids`) and sends them. Returns (sent, failed).
    pub async fn send_wakes(
        &self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
        only_ids: Option<&[i32]>,
    ) -> AppResult<(usize, usize)> {
        let token = self.token();
        let lease = Duration::seconds(self.config.claim_seconds);
        let claimed = power_actions::claim_due_wakes(db, &token, now, lease, self.catch_up(), only_ids).await?;
        if claimed.is_empty() {
            return Ok((0, 0));
        }
        let jobs = power_actions::wake_jobs(db, &claimed).await?;
        let repeats = self.config.wake_repeats;
        let outcomes = tokio::task::spawn_blocking(move || wol::send_all(jobs, repeats))
            .await
            .map_err(|e| AppError::Internal(format!("wake sender stopped: {e}")))?;
        power_actions::record_sent(db, &token, Utc::now(), outcomes).await
    }
}

/// "Wake now" / "shut down now": records the manual actions (with their audit events), then sends the
/// wakes at once rather than waiting for the next tick.
pub async fn manual(
    scheduler: &Scheduler,
    db: &DatabaseConnection,
    actor: &Actor,
    req: &ManualRequest,
) -> AppResult<ManualOutcome> {
    let outcome = power_actions::create_manual(db, actor, req).await?;
    if req.kind.trim() == "wake" && !outcome.action_ids.is_empty() {
        scheduler.send_wakes(db, Utc::now(), Some(&outcome.action_ids)).await?;
    }
    Ok(outcome)
}

/// Puts a `Scheduler` in Rocket's state (from the figment's `scheduler` table; absent means disabled, as
/// in tests) and, when enabled, starts its loop at lift-off, stopping with Rocket.
pub fn fairing() -> AdHoc {
    AdHoc::on_ignite("power scheduler", |rocket| async move {
        let config = rocket
            .figment()
            .extract_inner::<SchedulerConfig>("scheduler")
            .unwrap_or_else(|_| SchedulerConfig { enabled: false, ..SchedulerConfig::default() });
        rocket.manage(Scheduler::new(config)).attach(AdHoc::on_liftoff("power scheduler loop", |rocket| {
            Box::pin(async move {
                let (Some(s), Some(db)) = (rocket.state::<Scheduler>(), rocket.state::<DatabaseConnection>()) else {
                    return;
                };
                if !s.config.enabled {
                    return;
                }
                let (s, db, mut shutdown) = (s.clone(), db.clone(), rocket.shutdown());
                tracing::info!(instance = %s.config.instance_id, every = s.config.interval_seconds, "power scheduler started");
                tokio::spawn(async move {
                    let every = std::time::Duration::from_secs(s.config.interval_seconds);
                    loop {
                        match s.tick(&db, Utc::now()).await {
                            Ok(r) if r != TickReport::default() => tracing::info!(?r, "power scheduler tick"),
                            Ok(_) => {}
                            Err(e) => tracing::error!(error = ?e, "power scheduler tick failed"),
                        }
                        tokio::select! {
                            _ = &mut shutdown => break,
                            _ = tokio::time::sleep(every) => {}
                        }
                    }
                });
            })
        }))
    })
}
