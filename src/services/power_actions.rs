//! Power actions in the database: planning a window of policy actions idempotently (insert, ignoring the
//! unique (asset, kind, time) conflicts), claiming due wakes with a conditional UPDATE so that exactly one
//! instance sends each, recording what was sent, expiring what is too late, manual "wake now" /
//! "shut down now", the action log and success rates by site. Sending packets is the scheduler's job
//! (`crate::scheduler`); shutdowns and sleeps are delivered by the agent (issue 5, agent branch).

use crate::store::BeginWrite;
use chrono::{DateTime, Duration, DurationRound, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, NotSet, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::IpAddr;

use super::audit::{self, Action, NewEvent};
use super::power_policies::{assignment, planning_inputs, tags_by_id, PlanningInputs};
use super::Actor;
use crate::domain::{MacAddress, MacAddresses};
use crate::error::{AppError, AppResult};
use crate::scheduling::plan::{due, for_asset, lookback, policy_actions, PlannedAction};
use crate::scheduling::wake::{broadcasts_for, Segment};
use crate::scheduling::{ActionKind, CatchUp, Due};
use crate::store::{asset, network_segment, power_action, power_exclusion, power_policy, scheduler_state, site};

/// An asset as a wake needs it: id, tag, MAC addresses, IP address, site.
type WakeRow = (i32, String, Option<String>, Option<String>, Option<i32>);

/// How the scheduler plans and catches up.
#[derive(Debug, Clone, Copy)]
pub struct PlanRules {
    pub catch_up: CatchUp,
    /// How far ahead each tick plans.
    pub horizon: Duration,
    /// At most this many rows written per tick; the rest wait, earliest first, for the next ticks, so
    /// that no tick stalls on a 100,000-asset day (BENCHMARKS.md, issue 5).
    pub max_rows: usize,
}

/// The planning window for a tick at `now`: from as far back as a missed action is still useful, to the
/// horizon.
pub fn window(now: DateTime<Utc>, rules: PlanRules) -> (DateTime<Utc>, DateTime<Utc>) {
    (now - lookback(rules.catch_up), now + rules.horizon)
}

/// What planning last read, kept between ticks so a steady tick plans only the slice of the window that is
/// new since the previous one, without re-reading the register. It is only a cache: it is used only while
/// the [`Epoch`] of everything planning reads is unchanged, a new or restarted instance starts without it,
/// and rows are inserted idempotently whatever it says.
pub struct PlanState {
    epoch: String,
    /// Actions before this have been planned.
    until: DateTime<Utc>,
    inputs: PlanningInputs,
    /// The assets each policy covers, by the policy's index in `inputs.policies`, ascending.
    covered: Vec<Vec<i32>>,
    /// Decided but not yet written, earliest first: (policy index, action, assets).
    pending: VecDeque<(usize, PlannedAction, Vec<i32>)>,
}

/// A fingerprint of everything planning reads: counts and latest changes of policies, their asset lists,
/// exclusions, opt-outs, bank holidays and the register. Any change to what should be planned changes it.
async fn epoch<C: ConnectionTrait>(conn: &C) -> AppResult<String> {
    let parts: Vec<String> =
        ["power_policy", "power_policy_asset", "power_exclusion", "power_opt_out", "bank_holiday", "asset"]
            .iter()
            .map(|t| {
                let latest = if *t == "power_policy_asset" {
                    "''".to_string()
                } else {
                    format!("(SELECT CAST(MAX(updated_at) AS TEXT) FROM {t})")
                };
                format!("CAST((SELECT COUNT(*) FROM {t}) AS TEXT) || '/' || COALESCE({latest}, '-')")
            })
            .collect();
    let sql = format!("SELECT {} AS epoch", parts.join(" || ';' || "));
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?
        .ok_or_else(|| AppError::Internal("epoch query returned no row".into()))?;
    Ok(row.try_get::<String>("", "epoch")?)
}

/// Reads the register and decides each deployed, not excluded asset's policy.
async fn fresh_state(db: &DatabaseConnection, epoch: String, from: DateTime<Utc>) -> AppResult<PlanState> {
    let inputs = planning_inputs(db, from).await?;
    let covered = assignment(db, &inputs).await?;
    Ok(PlanState { epoch, until: from, inputs, covered, pending: VecDeque::new() })
}

/// Deletes future, still `planned` policy actions that no longer fit: the asset moved to another policy's
/// group, was excluded, retired, or its policy went. (Services withdraw them when a policy, exclusion or
/// opt-out changes; this catches changes made through the register, such as an asset moving site.)
async fn withdraw_stale(db: &DatabaseConnection, now: DateTime<Utc>, st: &PlanState) -> AppResult<u64> {
    use power_action::Column as C;
    let future: Vec<(i32, i32, Option<i32>)> = power_action::Entity::find()
        .select_only()
        .columns([C::Id, C::AssetId, C::PolicyId])
        .filter(C::State.eq("planned"))
        .filter(C::Cause.ne("manual"))
        .filter(C::ScheduledAt.gt(now))
        .into_tuple()
        .all(db)
        .await?;
    if future.is_empty() {
        return Ok(0);
    }
    let current: HashMap<i32, i32> = st
        .covered
        .iter()
        .enumerate()
        .flat_map(|(pi, ids)| ids.iter().map(move |&asset| (asset, pi)))
        .map(|(asset, pi)| (asset, st.inputs.policies[pi].id))
        .collect();
    let stale: Vec<i32> = future
        .into_iter()
        .filter(|(_, asset, policy)| current.get(asset).copied() != *policy)
        .map(|(id, _, _)| id)
        .collect();
    let mut n = 0;
    for chunk in stale.chunks(1000) {
        n += power_action::Entity::delete_many()
            .filter(C::Id.is_in(chunk.iter().copied()))
            .filter(C::State.eq("planned"))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok(n)
}

const PLAN_EPOCH: &str = "plan_epoch";

/// The epoch stale planned actions were last withdrawn under, by any instance.
async fn withdrawn_under<C: ConnectionTrait>(conn: &C) -> AppResult<Option<String>> {
    Ok(scheduler_state::Entity::find_by_id(PLAN_EPOCH.to_string()).one(conn).await?.map(|r| r.value))
}

async fn record_withdrawn_under<C: ConnectionTrait>(conn: &C, epoch: &str, now: DateTime<Utc>) -> AppResult<()> {
    use scheduler_state::Column as C;
    let row = scheduler_state::ActiveModel {
        name: Set(PLAN_EPOCH.to_string()),
        value: Set(epoch.to_string()),
        updated_at: Set(now),
    };
    scheduler_state::Entity::insert(row)
        .on_conflict(OnConflict::column(C::Name).update_columns([C::Value, C::UpdatedAt]).to_owned())
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Plans every deployed asset's policy actions in the tick's window, all of them (in as many writes of
/// `rules.max_rows` as it takes). Idempotent: actions already planned
/// (by this or another instance, before or after a restart) are left as they are. Past actions in the
/// window that are already too late are not planned at all. Returns how many rows were new.
#[tracing::instrument(skip(db, rules))]
pub async fn plan(db: &DatabaseConnection, now: DateTime<Utc>, rules: PlanRules) -> AppResult<u64> {
    let mut state = None;
    let mut n = plan_from(db, now, rules, &mut state).await?;
    while state.as_ref().is_some_and(|s| !s.pending.is_empty()) {
        n += plan_from(db, now, rules, &mut state).await?;
    }
    Ok(n)
}

/// Decides the policy actions with `from <= at < to` for every covered asset and queues them on
/// `st.pending`, grouped by what they share ((policy, action) → assets) and in time order. Each group goes
/// to the database as one statement with the asset ids as a JSON array (`bulk::insert_each_or_ignore`).
fn decide(st: &mut PlanState, from: DateTime<Utc>, to: DateTime<Utc>, now: DateTime<Utc>, rules: PlanRules) {
    let by_policy: Vec<Vec<_>> = st
        .inputs
        .policies
        .iter()
        .map(|p| {
            let mut a = policy_actions(p, from, to, &st.inputs.bank_holidays);
            a.retain(|x| due(x.kind, x.at, now, rules.catch_up) != Due::TooLate);
            a
        })
        .collect();
    if by_policy.iter().all(Vec::is_empty) {
        return;
    }
    let opt_outs = &st.inputs.opt_outs;
    let mut groups: BTreeMap<(PlannedAction, usize), Vec<i32>> = BTreeMap::new();
    for (pi, ids) in st.covered.iter().enumerate() {
        for a in &by_policy[pi] {
            // Only assets with an opt-out can lose an action; the rest all take it.
            let kept: Vec<i32> = if opt_outs.is_empty() {
                ids.clone()
            } else {
                let keeps =
                    |id: &i32| opt_outs.get(id).is_none_or(|o| for_asset(std::slice::from_ref(a), o).next().is_some());
                ids.iter().copied().filter(keeps).collect()
            };
            if !kept.is_empty() {
                groups.insert((*a, pi), kept);
            }
        }
    }
    st.pending.extend(groups.into_iter().map(|((a, pi), ids)| (pi, a, ids)));
}

/// One tick's planning: [`plan`], but writing at most `rules.max_rows` rows, the earliest first, and
/// keeping the rest in `state` for the next tick. `state` from the previous tick is reused when nothing
/// planning reads has changed: then only the part of the window after the previous tick's is decided.
/// A new or restarted instance starts without it and re-decides its whole window; rows already there are
/// left as they are, so nothing is lost or doubled when an instance dies with rows still waiting.
pub async fn plan_from(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    rules: PlanRules,
    state: &mut Option<PlanState>,
) -> AppResult<u64> {
    let (from, to) = window(now, rules);
    let current = epoch(db).await?;
    let reusable = state.as_ref().is_some_and(|s| s.epoch == current && s.until >= from);
    if !reusable {
        // A new or restarted instance may trust the planned rows when stale ones were last withdrawn
        // under these very inputs. An instance that planned under other inputs withdraws whatever they
        // say: rows it wrote after another instance's withdrawal may no longer fit.
        let trusted = state.is_none() && withdrawn_under(db).await?.as_deref() == Some(current.as_str());
        let fresh = fresh_state(db, current, from).await?;
        if !trusted {
            withdraw_stale(db, now, &fresh).await?;
            record_withdrawn_under(db, &fresh.epoch, now).await?;
        }
        *state = Some(fresh);
    }
    let Some(st) = state.as_mut() else { return Ok(0) };
    let slice_from = std::cmp::max(st.until, from);
    st.until = std::cmp::max(st.until, to);
    if slice_from < to && st.covered.iter().any(|ids| !ids.is_empty()) {
        decide(st, slice_from, to, now, rules);
    }
    // Written earliest first, at most `max_rows` a tick; anything too late by now is dropped unwritten.
    let mut batch: Vec<(usize, PlannedAction, Vec<i32>)> = Vec::new();
    let mut budget = rules.max_rows.max(1);
    while budget > 0 {
        let Some((pi, a, mut ids)) = st.pending.pop_front() else { break };
        if due(a.kind, a.at, now, rules.catch_up) == Due::TooLate {
            continue;
        }
        if ids.len() > budget {
            let rest = ids.split_off(budget);
            st.pending.push_front((pi, a, rest));
        }
        budget -= ids.len();
        batch.push((pi, a, ids));
    }
    if batch.is_empty() {
        return Ok(0);
    }
    use power_action::Column as C;
    let txn = db.begin_write().await?;
    let mut n = 0;
    for (pi, a, ids) in batch {
        let p = &st.inputs.policies[pi];
        let off = a.kind.is_off();
        let may_defer = off && p.deferral.allowed;
        let none_at: Option<DateTime<Utc>> = None;
        let constants: Vec<(C, sea_orm::Value)> = vec![
            (C::Kind, a.kind.as_str().into()),
            (C::ScheduledAt, a.at.into()),
            (C::Cause, a.cause.as_str().into()),
            (C::PolicyId, Some(p.id).into()),
            (C::RequestedBy, "scheduler".into()),
            (C::State, "planned".into()),
            (C::WarningMinutes, off.then_some(p.warning_minutes).into()),
            (C::MayDefer, may_defer.into()),
            (C::MaxDeferMinutes, may_defer.then_some(p.deferral.max_minutes).into()),
            (C::ClaimedBy, Option::<String>::None.into()),
            (C::ClaimedUntil, none_at.into()),
            (C::Attempts, 0i32.into()),
            (C::SentAt, none_at.into()),
            (C::DeliveredAt, none_at.into()),
            (C::ConfirmedAt, none_at.into()),
            (C::FinishedAt, none_at.into()),
            (C::Detail, Option::<String>::None.into()),
            (C::CreatedAt, now.into()),
            (C::UpdatedAt, now.into()),
        ];
        n += crate::store::bulk::insert_each_or_ignore::<power_action::Entity, _>(
            &txn,
            C::AssetId,
            &ids,
            constants,
            &[C::AssetId, C::Kind, C::ScheduledAt],
        )
        .await?;
    }
    txn.commit().await?;
    Ok(n)
}

/// Claims wakes that are due and still useful: planned ones, and ones claimed by an instance whose claim
/// ran out (it died mid-send). One conditional UPDATE: on PostgreSQL a row another instance claims first
/// no longer matches when this UPDATE reaches it, so each row is claimed by exactly one instance. `token`
/// names this claim (instance id and a sequence number). Returns the claimed rows.
pub async fn claim_due_wakes(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
    lease: Duration,
    rules: CatchUp,
    only_ids: Option<&[i32]>,
) -> AppResult<Vec<power_action::Model>> {
    use power_action::Column as C;
    let claimable = Condition::any()
        .add(C::State.eq("planned"))
        .add(Condition::all().add(C::State.eq("claimed")).add(C::ClaimedUntil.lt(now)));
    let mut q = power_action::Entity::update_many()
        .col_expr(C::State, Expr::value("claimed"))
        .col_expr(C::ClaimedBy, Expr::value(token))
        .col_expr(C::ClaimedUntil, Expr::value(now + lease))
        .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .filter(C::Kind.eq("wake"))
        .filter(C::ScheduledAt.lte(now))
        .filter(C::ScheduledAt.gte(now - rules.wake_late))
        .filter(claimable);
    if let Some(ids) = only_ids {
        q = q.filter(C::Id.is_in(ids.iter().copied()));
    }
    q.exec(db).await?;
    Ok(power_action::Entity::find()
        .filter(C::State.eq("claimed"))
        .filter(C::ClaimedBy.eq(token))
        .order_by_asc(C::Id)
        .all(db)
        .await?)
}

/// One claimed wake, ready to send: the packets' destinations, or why it cannot be sent.
#[derive(Debug, Clone)]
pub struct WakeJob {
    pub action_id: i32,
    pub asset_tag: String,
    pub targets: Result<Vec<(MacAddress, IpAddr)>, String>,
    /// Said beside the outcome, e.g. that a segment asks for a port other than 9, which wol-rs cannot use.
    pub note: Option<String>,
}

/// Where each claimed wake's packets go: every MAC of the asset to its segment's broadcast address.
pub async fn wake_jobs<C: ConnectionTrait>(conn: &C, claimed: &[power_action::Model]) -> AppResult<Vec<WakeJob>> {
    if claimed.is_empty() {
        return Ok(vec![]);
    }
    let segments: Vec<Segment> = network_segment::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| Segment {
            id: s.id,
            site_id: s.site_id,
            cidr: s.cidr.parse().ok(),
            broadcast: s.broadcast_address.parse().ok(),
            wol_port: s.wol_port,
        })
        .collect();
    let mut assets: HashMap<i32, WakeRow> = HashMap::new();
    let ids: Vec<i32> = claimed.iter().map(|a| a.asset_id).collect();
    for chunk in ids.chunks(1000) {
        let rows: Vec<WakeRow> = asset::Entity::find()
            .select_only()
            .columns([
                asset::Column::Id,
                asset::Column::AssetTag,
                asset::Column::MacAddresses,
                asset::Column::IpAddress,
                asset::Column::SiteId,
            ])
            .filter(asset::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        assets.extend(rows.into_iter().map(|r| (r.0, r)));
    }
    Ok(claimed
        .iter()
        .map(|action| {
            let Some((_, tag, macs, ip, site_id)) = assets.get(&action.asset_id) else {
                return WakeJob {
                    action_id: action.id,
                    asset_tag: String::new(),
                    targets: Err("the asset no longer exists".into()),
                    note: None,
                };
            };
            let macs: Vec<MacAddress> = macs
                .as_deref()
                .map(|m| m.split(',').filter_map(|x| x.trim().parse().ok()).collect())
                .map(|v: Vec<MacAddress>| MacAddresses::new(v).as_slice().to_vec())
                .unwrap_or_default();
            let targets = if macs.is_empty() {
                Err(format!("asset {tag} has no MAC address, so no Wake-on-LAN packet can reach it; record its MAC"))
            } else {
                let ip = ip.as_deref().and_then(|i| i.parse().ok());
                broadcasts_for(ip, *site_id, &segments)
                    .map(|bs| macs.iter().flat_map(|m| bs.iter().map(move |b| (*m, *b))).collect::<Vec<_>>())
            };
            let ports: Vec<String> = match &targets {
                Ok(t) => segments
                    .iter()
                    .filter(|s| s.wol_port != 9 && t.iter().any(|(_, b)| s.broadcast == Some(*b)))
                    .map(|s| s.wol_port.to_string())
                    .collect(),
                Err(_) => vec![],
            };
            let note = (!ports.is_empty())
                .then(|| format!("the segment asks for port {}, but wol-rs always sends to port 9", ports.join(", ")));
            WakeJob { action_id: action.id, asset_tag: tag.clone(), targets, note }
        })
        .collect())
}

/// Records the outcome of sending claimed wakes: `Ok(detail)` → sent, `Err(reason)` → failed. Only rows
/// still held by this claim are changed.
pub async fn record_sent(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
    outcomes: Vec<(i32, Result<String, String>)>,
) -> AppResult<(usize, usize)> {
    use power_action::Column as C;
    let mut groups: BTreeMap<(bool, String), Vec<i32>> = BTreeMap::new();
    for (id, r) in outcomes {
        let (ok, detail) = match r {
            Ok(d) => (true, d),
            Err(e) => (false, e),
        };
        groups.entry((ok, detail)).or_default().push(id);
    }
    let (mut sent, mut failed) = (0, 0);
    let txn = db.begin_write().await?;
    for ((ok, detail), ids) in groups {
        for chunk in ids.chunks(1000) {
            let mut q = power_action::Entity::update_many()
                .col_expr(C::State, Expr::value(if ok { "sent" } else { "failed" }))
                .col_expr(C::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
                .col_expr(C::Detail, Expr::value(detail.clone()))
                .col_expr(C::UpdatedAt, Expr::value(now));
            q = if ok { q.col_expr(C::SentAt, Expr::value(now)) } else { q.col_expr(C::FinishedAt, Expr::value(now)) };
            let n = q
                .filter(C::Id.is_in(chunk.iter().copied()))
                .filter(C::State.eq("claimed"))
                .filter(C::ClaimedBy.eq(token))
                .exec(&txn)
                .await?
                .rows_affected as usize;
            if ok {
                sent += n
            } else {
                failed += n
            }
        }
    }
    txn.commit().await?;
    Ok((sent, failed))
}

/// Expires what is too late to be useful: shutdowns and sleeps no agent took within the grace period
/// (never sent the next morning), and wakes more than the late limit past their time.
pub async fn expire_stale(db: &DatabaseConnection, now: DateTime<Utc>, rules: CatchUp) -> AppResult<u64> {
    use power_action::Column as C;
    let off = power_action::Entity::update_many()
        .col_expr(C::State, Expr::value("expired"))
        .col_expr(C::FinishedAt, Expr::value(now))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .col_expr(
            C::Detail,
            Expr::value(format!(
                "no agent took it within the {}-minute grace period; not sent late",
                rules.off_grace.num_minutes()
            )),
        )
        .filter(C::Kind.is_in(["shutdown", "sleep"]))
        .filter(C::State.eq("planned"))
        .filter(C::ScheduledAt.lt(now - rules.off_grace))
        .exec(db)
        .await?
        .rows_affected;
    let wakes = power_action::Entity::update_many()
        .col_expr(C::State, Expr::value("expired"))
        .col_expr(C::FinishedAt, Expr::value(now))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .col_expr(C::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(
            C::Detail,
            Expr::value(format!(
                "not sent within {} hours of its time; too late to be useful",
                rules.wake_late.num_hours()
            )),
        )
        .filter(C::Kind.eq("wake"))
        .filter(
            Condition::any()
                .add(C::State.eq("planned"))
                .add(Condition::all().add(C::State.eq("claimed")).add(C::ClaimedUntil.lt(now))),
        )
        .filter(C::ScheduledAt.lt(now - rules.wake_late))
        .exec(db)
        .await?
        .rows_affected;
    Ok(off + wakes)
}

// ---- manual actions ----

/// Who a manual action is for: one asset, or every deployed asset at a site or in a department.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualRequest {
    /// wake | shutdown | sleep
    #[schema(example = "wake")]
    pub kind: String,
    pub asset_tag: Option<String>,
    pub site_id: Option<i32>,
    pub department_id: Option<i32>,
    /// For a shutdown or sleep: minutes of warning the user gets (default 5).
    pub warning_minutes: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ManualOutcome {
    /// The actions made, one per asset.
    pub action_ids: Vec<i32>,
    /// Assets left out, each with why (excluded from power management, already asked this second).
    pub skipped: Vec<String>,
}

/// Records a manual action for each asset asked for, in one transaction with an audit event each. Wakes
/// are then sent by the caller (see `scheduler::wake_now`); shutdowns wait for the agent. Excluded assets
/// are never shut down or put to sleep, even by hand: they are skipped and named.
pub async fn create_manual(db: &DatabaseConnection, actor: &Actor, req: &ManualRequest) -> AppResult<ManualOutcome> {
    let kind = ActionKind::parse(req.kind.trim()).ok_or_else(|| {
        AppError::field("kind", "invalid", format!("'{}' is not an action; use wake, shutdown or sleep", req.kind))
    })?;
    let warning = req.warning_minutes.unwrap_or(5);
    if !(0..=120).contains(&warning) {
        return Err(AppError::field("warning_minutes", "out_of_range", "warning_minutes must be 0 to 120"));
    }
    let given = [req.asset_tag.is_some(), req.site_id.is_some(), req.department_id.is_some()];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(AppError::field(
            "asset_tag",
            "required",
            "name exactly one of asset_tag, site_id or department_id: who the action is for",
        ));
    }
    let txn = db.begin_write().await?;
    let mut q = asset::Entity::find().select_only().columns([asset::Column::Id, asset::Column::AssetTag]);
    if let Some(tag) = &req.asset_tag {
        // Any state but disposed: a PC in stock or in repair may be woken for imaging or updates.
        q = q.filter(asset::Column::AssetTag.eq(tag.trim())).filter(asset::Column::LifecycleState.ne("disposed"));
    } else {
        q = q.filter(asset::Column::LifecycleState.eq("deployed"));
        if let Some(s) = req.site_id {
            if site::Entity::find_by_id(s).one(&txn).await?.is_none() {
                return Err(AppError::field("site_id", "not_found", format!("there is no site with id {s}")));
            }
            q = q.filter(asset::Column::SiteId.eq(s));
        }
        if let Some(d) = req.department_id {
            q = q.filter(asset::Column::DepartmentId.eq(d));
        }
    }
    let targets: Vec<(i32, String)> = q.order_by_asc(asset::Column::Id).into_tuple().all(&txn).await?;
    if targets.is_empty() {
        return Err(match &req.asset_tag {
            Some(t) => AppError::not_found("asset (not disposed)", t.trim()),
            None => AppError::field(
                if req.site_id.is_some() { "site_id" } else { "department_id" },
                "empty",
                "there are no deployed assets in that group",
            ),
        });
    }
    let excluded: HashMap<i32, String> = if kind.is_off() {
        power_exclusion::Entity::find()
            .filter(power_exclusion::Column::AssetId.is_in(targets.iter().map(|t| t.0)))
            .all(&txn)
            .await?
            .into_iter()
            .map(|e| (e.asset_id, e.reason))
            .collect()
    } else {
        HashMap::new()
    };
    let now = Utc::now().duration_trunc(Duration::seconds(1)).unwrap_or_else(|_| Utc::now());
    let mut skipped = vec![];
    let mut action_ids = vec![];
    let mut events = vec![];
    for (id, tag) in &targets {
        if let Some(why) = excluded.get(id) {
            skipped.push(format!("{tag}: excluded from power management ({why})"));
            continue;
        }
        let row = power_action::ActiveModel {
            id: NotSet,
            asset_id: Set(*id),
            kind: Set(kind.as_str().to_string()),
            scheduled_at: Set(now),
            cause: Set("manual".into()),
            policy_id: Set(None),
            requested_by: Set(actor.name.chars().take(100).collect()),
            state: Set("planned".into()),
            warning_minutes: Set(kind.is_off().then_some(warning)),
            may_defer: Set(false),
            max_defer_minutes: Set(None),
            claimed_by: Set(None),
            claimed_until: Set(None),
            attempts: Set(0),
            sent_at: Set(None),
            delivered_at: Set(None),
            confirmed_at: Set(None),
            finished_at: Set(None),
            detail: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        use power_action::Column as C;
        let inserted = crate::store::bulk::insert_all_or_ignore::<power_action::Entity, _>(
            &txn,
            vec![row],
            &[C::AssetId, C::Kind, C::ScheduledAt],
        )
        .await?;
        if inserted == 0 {
            skipped.push(format!("{tag}: the same action was already asked for this second"));
            continue;
        }
        let saved = power_action::Entity::find()
            .filter(C::AssetId.eq(*id))
            .filter(C::Kind.eq(kind.as_str()))
            .filter(C::ScheduledAt.eq(now))
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::Internal("manual action vanished after insert".into()))?;
        action_ids.push(saved.id);
        let after =
            serde_json::json!({"asset_tag": tag, "kind": kind.as_str(), "scheduled_at": now, "cause": "manual"});
        events.push(NewEvent {
            action: Action::Create,
            entity_type: "power_action",
            entity_id: saved.id.to_string(),
            before_json: None,
            after_json: Some(after.to_string()),
        });
    }
    audit::record_many(&txn, actor, events).await?;
    txn.commit().await?;
    Ok(ManualOutcome { action_ids, skipped })
}

/// Cancels a planned action (a person changed their mind), with its audit event.
pub async fn cancel(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<ActionView> {
    use power_action::Column as C;
    let txn = db.begin_write().await?;
    let before =
        power_action::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| AppError::not_found("power_action", id))?;
    let n = power_action::Entity::update_many()
        .col_expr(C::State, Expr::value("cancelled"))
        .col_expr(C::FinishedAt, Expr::value(Utc::now()))
        .col_expr(C::UpdatedAt, Expr::value(Utc::now()))
        .col_expr(C::Detail, Expr::value(format!("cancelled by {}", actor.name)))
        .filter(C::Id.eq(id))
        .filter(C::State.eq("planned"))
        .exec(&txn)
        .await?
        .rows_affected;
    if n == 0 {
        return Err(AppError::conflict(
            "illegal_transition",
            format!("action {id} is {}; only a planned action can be cancelled", before.state),
            Some("state"),
        ));
    }
    let views = views(&txn, vec![before.clone()]).await?;
    let after_row =
        power_action::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| AppError::not_found("power_action", id))?;
    let after = views_one(&txn, after_row).await?;
    audit::record(&txn, actor, Action::Update, "power_action", id, views.first(), Some(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

// ---- the log and success rates ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActionView {
    pub id: i32,
    pub asset_tag: String,
    pub site_name: Option<String>,
    pub kind: String,
    pub scheduled_at: DateTime<Utc>,
    /// policy | patch_window | manual
    pub cause: String,
    pub policy_id: Option<i32>,
    pub policy_name: Option<String>,
    /// The person who asked, for a manual action; "scheduler" otherwise.
    pub requested_by: String,
    pub state: String,
    pub attempts: i32,
    pub claimed_by: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub detail: Option<String>,
}

async fn views_one<C: ConnectionTrait>(conn: &C, row: power_action::Model) -> AppResult<ActionView> {
    views(conn, vec![row]).await?.pop().ok_or_else(|| AppError::Internal("no view".into()))
}

async fn views<C: ConnectionTrait>(conn: &C, rows: Vec<power_action::Model>) -> AppResult<Vec<ActionView>> {
    let tags = tags_by_id(conn, rows.iter().map(|r| r.asset_id).collect()).await?;
    let site_of: HashMap<i32, Option<i32>> = if rows.is_empty() {
        HashMap::new()
    } else {
        asset::Entity::find()
            .select_only()
            .columns([asset::Column::Id, asset::Column::SiteId])
            .filter(asset::Column::Id.is_in(tags.keys().copied()))
            .into_tuple::<(i32, Option<i32>)>()
            .all(conn)
            .await?
            .into_iter()
            .collect()
    };
    let sites: HashMap<i32, String> =
        site::Entity::find().all(conn).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let policies: HashMap<i32, String> =
        power_policy::Entity::find().all(conn).await?.into_iter().map(|p| (p.id, p.name)).collect();
    Ok(rows
        .into_iter()
        .map(|r| ActionView {
            id: r.id,
            asset_tag: tags.get(&r.asset_id).cloned().unwrap_or_default(),
            site_name: site_of.get(&r.asset_id).copied().flatten().and_then(|s| sites.get(&s).cloned()),
            kind: r.kind,
            scheduled_at: r.scheduled_at,
            cause: r.cause,
            policy_name: r.policy_id.and_then(|p| policies.get(&p).cloned()),
            policy_id: r.policy_id,
            requested_by: r.requested_by,
            state: r.state,
            attempts: r.attempts,
            claimed_by: r.claimed_by,
            sent_at: r.sent_at,
            delivered_at: r.delivered_at,
            confirmed_at: r.confirmed_at,
            finished_at: r.finished_at,
            detail: r.detail,
        })
        .collect())
}

/// Filters for the log. Blank means any.
#[derive(Debug, Clone, Default, Deserialize, rocket::FromForm, utoipa::IntoParams)]
pub struct LogFilter {
    pub kind: Option<String>,
    pub state: Option<String>,
    pub cause: Option<String>,
    pub site_id: Option<i32>,
    pub asset_tag: Option<String>,
    /// Scheduled on or after this instant (ISO 8601).
    pub from: Option<String>,
    /// Scheduled before this instant.
    pub to: Option<String>,
    /// At most this many, newest first (default 200, at most 1000).
    pub limit: Option<u64>,
}

fn instant(field: &str, raw: &Option<String>) -> AppResult<Option<DateTime<Utc>>> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<DateTime<Utc>>()
            .or_else(|_| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(|d| crate::scheduling::schedule::uk_local_to_utc(d, chrono::NaiveTime::MIN))
            })
            .map(Some)
            .map_err(|_| AppError::BadRequest {
                code: "invalid_parameter",
                message: format!("{field} '{s}' is not a date (2026-01-14) or instant (2026-01-14T19:00:00Z)"),
                field: Some(field.into()),
            }),
    }
}

pub async fn log<C: ConnectionTrait>(conn: &C, f: &LogFilter) -> AppResult<Vec<ActionView>> {
    use power_action::Column as C;
    let blank = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let mut q = power_action::Entity::find();
    if let Some(k) = blank(&f.kind) {
        q = q.filter(C::Kind.eq(k));
    }
    if let Some(s) = blank(&f.state) {
        q = q.filter(C::State.eq(s));
    }
    if let Some(c) = blank(&f.cause) {
        q = q.filter(C::Cause.eq(c));
    }
    if let Some(s) = f.site_id {
        q = q.filter(
            C::AssetId.in_subquery(
                Query::select()
                    .column(asset::Column::Id)
                    .from(asset::Entity)
                    .and_where(asset::Column::SiteId.eq(s))
                    .to_owned(),
            ),
        );
    }
    if let Some(t) = blank(&f.asset_tag) {
        q = q.filter(
            C::AssetId.in_subquery(
                Query::select()
                    .column(asset::Column::Id)
                    .from(asset::Entity)
                    .and_where(asset::Column::AssetTag.eq(t))
                    .to_owned(),
            ),
        );
    }
    if let Some(from) = instant("from", &f.from)? {
        q = q.filter(C::ScheduledAt.gte(from));
    }
    if let Some(to) = instant("to", &f.to)? {
        q = q.filter(C::ScheduledAt.lt(to));
    }
    let rows = q
        .order_by_desc(C::ScheduledAt)
        .order_by_desc(C::Id)
        .limit(f.limit.unwrap_or(200).clamp(1, 1000))
        .all(conn)
        .await?;
    views(conn, rows).await
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<ActionView> {
    let row =
        power_action::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::not_found("power_action", id))?;
    views_one(conn, row).await
}

/// Per site: of the wakes sent, how many the asset's next check-in confirmed; of the shutdowns and sleeps
/// that reached an outcome, how many were confirmed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SiteSuccess {
    pub site_id: Option<i32>,
    pub site_name: String,
    /// Wakes that were sent or ended (sent, delivered, confirmed, failed, expired).
    pub wakes: i64,
    pub wakes_confirmed: i64,
    /// Shutdowns and sleeps that were due (delivered, confirmed, deferred, failed, expired).
    pub offs: i64,
    pub offs_confirmed: i64,
}

impl SiteSuccess {
    pub fn wake_rate(&self) -> Option<f64> {
        (self.wakes > 0).then(|| self.wakes_confirmed as f64 / self.wakes as f64)
    }

    pub fn off_rate(&self) -> Option<f64> {
        (self.offs > 0).then(|| self.offs_confirmed as f64 / self.offs as f64)
    }
}

/// Folds (site, kind, state, count) rows into a line per site. Pending states (planned, claimed) and
/// cancelled actions are not counted: they have no outcome yet, or were never meant to happen.
pub fn fold_success(
    rows: &[(Option<i32>, String, String, i64)],
    site_names: &HashMap<i32, String>,
) -> Vec<SiteSuccess> {
    let mut by: BTreeMap<Option<i32>, SiteSuccess> = BTreeMap::new();
    for (site_id, kind, state, n) in rows {
        if matches!(state.as_str(), "planned" | "claimed" | "cancelled") {
            continue;
        }
        let e = by.entry(*site_id).or_insert_with(|| SiteSuccess {
            site_id: *site_id,
            site_name: site_id.and_then(|s| site_names.get(&s).cloned()).unwrap_or_else(|| "(no site)".into()),
            ..Default::default()
        });
        let confirmed = if state == "confirmed" { *n } else { 0 };
        if kind == "wake" {
            e.wakes += n;
            e.wakes_confirmed += confirmed;
        } else {
            e.offs += n;
            e.offs_confirmed += confirmed;
        }
    }
    let mut out: Vec<SiteSuccess> = by.into_values().collect();
    out.sort_by(|a, b| a.site_name.cmp(&b.site_name));
    out
}

pub async fn success_by_site<C: ConnectionTrait>(conn: &C, since: DateTime<Utc>) -> AppResult<Vec<SiteSuccess>> {
    let backend = conn.get_database_backend();
    let p = if backend == DbBackend::Postgres { "$1" } else { "?" };
    let sql = format!(
        "SELECT a.site_id, p.kind, p.state, COUNT(*) AS n FROM power_action p JOIN asset a ON a.id = p.asset_id \
         WHERE p.scheduled_at >= {p} GROUP BY a.site_id, p.kind, p.state"
    );
    let rows = conn.query_all_raw(Statement::from_sql_and_values(backend, sql, [since.into()])).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push((
            r.try_get::<Option<i32>>("", "site_id")?,
            r.try_get::<String>("", "kind")?,
            r.try_get::<String>("", "state")?,
            r.try_get::<i64>("", "n")?,
        ));
    }
    let names: HashMap<i32, String> =
        site::Entity::find().all(conn).await?.into_iter().map(|s| (s.id, s.name)).collect();
    Ok(fold_success(&out, &names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_counts_outcomes_only() {
        let names: HashMap<i32, String> = [(1, "Library".to_string()), (2, "Civic Offices".to_string())].into();
        let rows = vec![
            (Some(1), "wake".to_string(), "confirmed".to_string(), 8),
            (Some(1), "wake".to_string(), "sent".to_string(), 2),
            (Some(1), "wake".to_string(), "planned".to_string(), 50),
            (Some(1), "shutdown".to_string(), "confirmed".to_string(), 3),
            (Some(1), "sleep".to_string(), "expired".to_string(), 1),
            (Some(2), "shutdown".to_string(), "cancelled".to_string(), 4),
            (None, "wake".to_string(), "failed".to_string(), 1),
        ];
        let s = fold_success(&rows, &names);
        // Sorted by name: "(no site)", "Civic Offices", "Library".
        assert_eq!(s.iter().map(|x| x.site_name.as_str()).collect::<Vec<_>>(), ["(no site)", "Library"]);
        let lib = &s[1];
        // Wakes: 8 confirmed of 10 with an outcome (planned ones not counted) = 80%.
        assert_eq!((lib.wakes, lib.wakes_confirmed), (10, 8));
        assert_eq!(lib.wake_rate(), Some(0.8));
        // Offs: 3 confirmed of 4 (a sleep expired) = 75%.
        assert_eq!((lib.offs, lib.offs_confirmed, lib.off_rate()), (4, 3, Some(0.75)));
        assert_eq!(s[0].wake_rate(), Some(0.0));
        assert_eq!(s[0].off_rate(), None);
    }
}
