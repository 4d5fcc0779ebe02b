//! The PC agent's side of the service (issue 5): enrolment tokens (ICT staff), enrolment of a device to
//! an asset, authentication by device token, check-ins (delivering due shutdowns and sleeps, confirming
//! wakes), outcomes, the hourly roll-up of check-ins, observed on-hours and the "left on overnight" list.
//! Depends on store entities, `domain::deferral`, `energy::observed` and the shared wire types in
//! `agent::protocol`.
//!
//! Tokens: 256 random bits from the operating system, written as hex after a prefix (`gie_` for
//! enrolment, `gid_` for devices); only their SHA-256 is stored, and stored hashes are compared in
//! constant time. A device token acts only for its own asset.

use crate::store::BeginWrite;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Func, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult,
    IdenStatic, NotSet, QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set, Statement,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use subtle::ConstantTimeEq;

use super::audit::{self, Action};
use super::Actor;
use crate::agent::protocol::{
    CheckinRequest, CheckinResponse, CommandKind, EnrolRequest, EnrolResponse, Outcome, OutcomeRequest,
    OutcomeResponse, PowerCommand,
};
use crate::domain::deferral::{self, DeferralAllowance};
use crate::domain::{AssetTag, FieldError, FieldErrors, MacAddress, MacAddresses};
use crate::energy::observed::{self, CheckinSample, HourFigures, ObservedOn};
use crate::energy::Period;
use crate::error::{AppError, AppResult};
use crate::store::{agent_checkin, agent_device, agent_enrolment_token, agent_hour, asset, power_action, site};

/// A planned shutdown or sleep not delivered within this long after its time is no longer wanted (a
/// shutdown due at 19:00 is not sent at 09:00 the next morning): it is marked expired.
pub const DELIVERY_GRACE_MINUTES: i64 = 60;
use crate::agent::protocol::INTERVAL_SECONDS;
/// Raw check-ins are kept at least this long, so every hour is rolled up from all its check-ins.
pub const MIN_RAW_RETENTION_HOURS: i64 = 2;
/// How long raw check-ins are kept by the periodic roll-up.
pub const DEFAULT_RAW_RETENTION_HOURS: i64 = 3;

// ------------------------------------------------------------------------------------------- tokens

/// The stored form of a token: its SHA-256, hex.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

fn new_token(prefix: &str) -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness for a token: {e}")))?;
    Ok(format!("{prefix}{}", hex::encode(bytes)))
}

fn same_hash(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// What ICT staff ask for: a label, optionally a site the token is bound to, how long it lasts, and
/// optionally how many devices may enrol with it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnrolmentToken {
    /// What the token is for, e.g. "Civic Offices floor 2 rollout".
    pub label: String,
    #[serde(default)]
    pub site_id: Option<i32>,
    /// Days until it expires: 1–90, default 7.
    #[serde(default)]
    pub valid_days: Option<i64>,
    #[serde(default)]
    pub max_uses: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnrolmentTokenView {
    pub id: i32,
    pub label: String,
    pub site_id: Option<i32>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub max_uses: Option<i32>,
    pub uses: i32,
    pub revoked_at: Option<DateTime<Utc>>,
    /// usable | expired | revoked | used_up
    pub status: String,
}

impl EnrolmentTokenView {
    fn of(m: agent_enrolment_token::Model, now: DateTime<Utc>) -> EnrolmentTokenView {
        let status = if m.revoked_at.is_some() {
            "revoked"
        } else if m.expires_at <= now {
            "expired"
        } else if m.max_uses.is_some_and(|max| m.uses >= max) {
            "used_up"
        } else {
            "usable"
        };
        EnrolmentTokenView {
            id: m.id,
            label: m.label,
            site_id: m.site_id,
            created_by: m.created_by,
            created_at: m.created_at,
            expires_at: m.expires_at,
            max_uses: m.max_uses,
            uses: m.uses,
            revoked_at: m.revoked_at,
            status: status.into(),
        }
    }
}

/// A new enrolment token: the token itself is in this answer only, never again.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedEnrolmentToken {
    pub token: String,
    #[serde(flatten)]
    pub view: EnrolmentTokenView,
}

pub async fn create_enrolment_token(
    db: &DatabaseConnection,
    actor: &Actor,
    req: NewEnrolmentToken,
) -> AppResult<CreatedEnrolmentToken> {
    let mut errs = FieldErrors::default();
    let label = match crate::domain::text::optional("label", Some(req.label), 200) {
        Ok(Some(l)) => Some(l),
        Ok(None) => {
            errs.push(FieldError::required("label"));
            None
        }
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let days = req.valid_days.unwrap_or(7);
    if !(1..=90).contains(&days) {
        errs.push(FieldError::new("valid_days", "out_of_range", "valid_days must be 1 to 90 days"));
    }
    if req.max_uses.is_some_and(|m| m < 1) {
        errs.push(FieldError::new("max_uses", "out_of_range", "max_uses must be at least 1, or left out"));
    }
    if let Some(site_id) = req.site_id {
        if site::Entity::find_by_id(site_id).one(db).await?.is_none() {
            errs.push(FieldError::new("site_id", "not_found", format!("there is no site {site_id}")));
        }
    }
    errs.clone().into_result(())?;
    let label = label.unwrap_or_default();
    let token = new_token("gie_")?;
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let saved = agent_enrolment_token::ActiveModel {
        id: NotSet,
        token_hash: Set(hash_token(&token)),
        label: Set(label),
        site_id: Set(req.site_id),
        created_by: Set(actor.name.clone()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(days)),
        max_uses: Set(req.max_uses),
        uses: Set(0),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let view = EnrolmentTokenView::of(saved, now);
    audit::record(&txn, actor, Action::Create, "agent_enrolment_token", view.id, None, Some(&view)).await?;
    txn.commit().await?;
    Ok(CreatedEnrolmentToken { token, view })
}

pub async fn list_enrolment_tokens<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<EnrolmentTokenView>> {
    let now = Utc::now();
    let rows = agent_enrolment_token::Entity::find().order_by_desc(agent_enrolment_token::Column::Id).all(conn).await?;
    Ok(rows.into_iter().map(|m| EnrolmentTokenView::of(m, now)).collect())
}

/// Stops a token enrolling any more devices (devices already enrolled keep their own tokens).
pub async fn revoke_enrolment_token(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<EnrolmentTokenView> {
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let row = agent_enrolment_token::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("agent_enrolment_token", id))?;
    if row.revoked_at.is_some() {
        return Ok(EnrolmentTokenView::of(row, now));
    }
    let before = EnrolmentTokenView::of(row.clone(), now);
    let mut m: agent_enrolment_token::ActiveModel = row.into();
    m.revoked_at = Set(Some(now));
    let after = EnrolmentTokenView::of(m.update(&txn).await?, now);
    audit::record(&txn, actor, Action::Update, "agent_enrolment_token", id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

// ------------------------------------------------------------------------------------------ devices

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeviceView {
    pub id: i32,
    pub asset_id: i32,
    pub asset_tag: String,
    pub hostname: Option<String>,
    pub mac_addresses: Option<String>,
    pub os: Option<String>,
    pub agent_version: Option<String>,
    pub enrolled_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl DeviceView {
    fn of(m: agent_device::Model, asset_tag: String) -> DeviceView {
        DeviceView {
            id: m.id,
            asset_id: m.asset_id,
            asset_tag,
            hostname: m.hostname,
            mac_addresses: m.mac_addresses,
            os: m.os,
            agent_version: m.agent_version,
            enrolled_at: m.enrolled_at,
            last_seen_at: m.last_seen_at,
            revoked_at: m.revoked_at,
        }
    }
}

async fn tags_of<C: ConnectionTrait>(conn: &C, ids: Vec<i32>) -> AppResult<HashMap<i32, String>> {
    let rows: Vec<(i32, String)> = asset::Entity::find()
        .select_only()
        .columns([asset::Column::Id, asset::Column::AssetTag])
        .filter(asset::Column::Id.is_in(ids))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

pub async fn list_devices<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<DeviceView>> {
    let rows = agent_device::Entity::find().order_by_asc(agent_device::Column::Id).all(conn).await?;
    let tags = tags_of(conn, rows.iter().map(|d| d.asset_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|d| {
            let tag = tags.get(&d.asset_id).cloned().unwrap_or_default();
            DeviceView::of(d, tag)
        })
        .collect())
}

/// Revokes a device's token: its agent gets 401 until it is enrolled again.
pub async fn revoke_device(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<DeviceView> {
    let txn = db.begin_write().await?;
    let row =
        agent_device::Entity::find_by_id(id).one(&txn).await?.ok_or_else(|| AppError::not_found("agent_device", id))?;
    let tag = tags_of(&txn, vec![row.asset_id]).await?.remove(&row.asset_id).unwrap_or_default();
    let before = DeviceView::of(row.clone(), tag.clone());
    if row.revoked_at.is_some() {
        return Ok(before);
    }
    let now = Utc::now();
    let mut m: agent_device::ActiveModel = row.into();
    m.revoked_at = Set(Some(now));
    m.updated_at = Set(now);
    let after = DeviceView::of(m.update(&txn).await?, tag);
    audit::record(&txn, actor, Action::Update, "agent_device", id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------------------------------- enrolment

fn bearer(header: Option<&str>) -> AppResult<&str> {
    header
        .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::unauthorized("missing_token", "send Authorization: Bearer <token>"))
}

/// Enrols a device with an enrolment token (the `Authorization` header's value): finds its asset (by the
/// tag given, else its MAC addresses, else its hostname), gives it a new device token (replacing any the
/// asset had) and records the enrolment, naming the agent.
pub async fn enrol(
    db: &DatabaseConnection,
    authorization: Option<&str>,
    req: EnrolRequest,
) -> AppResult<EnrolResponse> {
    use sea_orm::sea_query::ExprTrait;
    let presented = hash_token(bearer(authorization)?);
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let token = agent_enrolment_token::Entity::find()
        .filter(agent_enrolment_token::Column::TokenHash.eq(presented.as_str()))
        .one(&txn)
        .await?
        .filter(|t| same_hash(&t.token_hash, &presented))
        .ok_or_else(|| AppError::unauthorized("invalid_token", "that enrolment token is not known; ask ICT for one"))?;
    if token.revoked_at.is_some() {
        return Err(AppError::unauthorized("revoked_token", "that enrolment token was revoked; ask ICT for a new one"));
    }
    if token.expires_at <= now {
        return Err(AppError::unauthorized("expired_token", "that enrolment token has expired; ask ICT for a new one"));
    }
    if token.max_uses.is_some_and(|max| token.uses >= max) {
        return Err(AppError::unauthorized(
            "used_up_token",
            "that enrolment token has been used up; ask ICT for another",
        ));
    }

    let found = find_asset(&txn, &req).await?;
    if let Some(site_id) = token.site_id {
        if found.site_id != Some(site_id) {
            return Err(AppError::NotYours {
                message: format!(
                    "asset {} is not at the site this enrolment token is for; use that site's token",
                    found.asset_tag
                ),
            });
        }
    }
    let device_token = new_token("gid_")?;
    let macs = normalise_macs(&req.mac_addresses);
    let hostname = crate::domain::text::optional("hostname", Some(req.hostname.clone()), 255).ok().flatten();
    let existing = agent_device::Entity::find().filter(agent_device::Column::AssetId.eq(found.id)).one(&txn).await?;
    let actor = Actor::agent(&found.asset_tag);
    let mut fresh = agent_device::ActiveModel {
        id: NotSet,
        asset_id: Set(found.id),
        token_hash: Set(hash_token(&device_token)),
        hostname: Set(hostname),
        mac_addresses: Set(macs),
        os: Set(req.os.map(|s| s.chars().take(100).collect())),
        agent_version: Set(req.agent_version.map(|s| s.chars().take(50).collect())),
        enrolment_token_id: Set(Some(token.id)),
        enrolled_at: Set(now),
        last_seen_at: Set(None),
        revoked_at: Set(None),
        updated_at: Set(now),
    };
    match existing {
        Some(old) => {
            let before = DeviceView::of(old.clone(), found.asset_tag.clone());
            fresh.id = Set(old.id);
            let after = DeviceView::of(fresh.update(&txn).await?, found.asset_tag.clone());
            audit::record(&txn, &actor, Action::Update, "agent_device", after.id, Some(&before), Some(&after)).await?;
        }
        None => {
            let after = DeviceView::of(fresh.insert(&txn).await?, found.asset_tag.clone());
            audit::record(&txn, &actor, Action::Create, "agent_device", after.id, None::<&DeviceView>, Some(&after))
                .await?;
        }
    }
    // Counted only while uses remain, so two devices racing for a token's last use cannot both have it.
    let counted =
        agent_enrolment_token::Entity::update_many()
            .col_expr(agent_enrolment_token::Column::Uses, Expr::col(agent_enrolment_token::Column::Uses).add(1))
            .filter(agent_enrolment_token::Column::Id.eq(token.id))
            .filter(sea_orm::Condition::any().add(agent_enrolment_token::Column::MaxUses.is_null()).add(
                Expr::col(agent_enrolment_token::Column::Uses).lt(Expr::col(agent_enrolment_token::Column::MaxUses)),
            ))
            .exec(&txn)
            .await?;
    if counted.rows_affected != 1 {
        return Err(AppError::unauthorized(
            "used_up_token",
            "that enrolment token has been used up; ask ICT for another",
        ));
    }
    txn.commit().await?;
    Ok(EnrolResponse { asset_tag: found.asset_tag, device_token })
}

fn normalise_macs(raw: &[String]) -> Option<String> {
    let list: Vec<MacAddress> = raw.iter().filter_map(|m| m.parse().ok()).collect();
    MacAddresses::new(list).to_column()
}

async fn find_asset<C: ConnectionTrait>(conn: &C, req: &EnrolRequest) -> AppResult<asset::Model> {
    use sea_orm::sea_query::ExprTrait;
    if let Some(raw) = req.asset_tag.as_deref().filter(|t| !t.trim().is_empty()) {
        let tag: AssetTag =
            raw.parse().map_err(|e| AppError::field("asset_tag", "invalid", format!("asset_tag '{raw}': {e}")))?;
        return asset::Entity::find().filter(asset::Column::AssetTag.eq(tag.as_str())).one(conn).await?.ok_or_else(
            || AppError::field("asset_tag", "not_found", format!("there is no asset {tag} in the register")),
        );
    }
    let macs: Vec<MacAddress> = req.mac_addresses.iter().filter_map(|m| m.parse().ok()).collect();
    let mut matches: Vec<asset::Model> = Vec::new();
    for mac in &macs {
        let text = mac.to_string();
        let candidates =
            asset::Entity::find().filter(asset::Column::MacAddresses.contains(text.as_str())).all(conn).await?;
        for a in candidates {
            let holds = MacAddresses::from_column(a.mac_addresses.as_deref()).as_slice().contains(mac);
            if holds && !matches.iter().any(|m| m.id == a.id) {
                matches.push(a);
            }
        }
    }
    if matches.is_empty() && !req.hostname.trim().is_empty() {
        let host = req.hostname.trim().to_lowercase();
        matches = asset::Entity::find()
            .filter(Expr::expr(Func::lower(Expr::col(asset::Column::Hostname))).eq(host))
            .all(conn)
            .await?;
    }
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(AppError::field(
            "mac_addresses",
            "no_matching_asset",
            format!(
                "no asset in the register has the MAC addresses {:?} or the hostname '{}': record one of them on the \
                 asset, or enrol with --asset-tag",
                req.mac_addresses, req.hostname
            ),
        )),
        _ => Err(AppError::conflict(
            "ambiguous_asset",
            format!(
                "assets {} all match this device; enrol with --asset-tag to say which it is",
                matches.iter().map(|a| a.asset_tag.as_str()).collect::<Vec<_>>().join(", ")
            ),
            Some("asset_tag"),
        )),
    }
}

// ----------------------------------------------------------------------------------- authentication

/// An authenticated agent: its device and asset.
#[derive(Debug, Clone)]
pub struct AgentAuth {
    pub device_id: i32,
    pub asset_id: i32,
    pub asset_tag: String,
    hostname: Option<String>,
    mac_addresses: Option<String>,
    last_seen_at: Option<DateTime<Utc>>,
}

impl AgentAuth {
    pub fn actor(&self) -> Actor {
        Actor::agent(&self.asset_tag)
    }
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct DeviceRow {
    id: i32,
    asset_id: i32,
    token_hash: String,
    hostname: Option<String>,
    mac_addresses: Option<String>,
    last_seen_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    asset_tag: String,
}

/// The device whose token is in the `Authorization` header: 401 when there is none, it is unknown, or
/// it was revoked.
pub async fn authenticate<C: ConnectionTrait>(conn: &C, authorization: Option<&str>) -> AppResult<AgentAuth> {
    let presented = hash_token(bearer(authorization)?);
    // One query: the device and its asset's tag.
    let device = agent_device::Entity::find()
        .select_only()
        .columns([
            agent_device::Column::Id,
            agent_device::Column::AssetId,
            agent_device::Column::TokenHash,
            agent_device::Column::Hostname,
            agent_device::Column::MacAddresses,
            agent_device::Column::LastSeenAt,
            agent_device::Column::RevokedAt,
        ])
        .column_as(asset::Column::AssetTag, "asset_tag")
        .join(sea_orm::JoinType::InnerJoin, agent_device::Relation::Asset.def())
        .filter(agent_device::Column::TokenHash.eq(presented.as_str()))
        .into_model::<DeviceRow>()
        .one(conn)
        .await?;
    AgentAuth::of(device, &presented)
}

impl AgentAuth {
    /// The device found for the presented token's hash, if it is that device's and not revoked.
    fn of(device: Option<DeviceRow>, presented: &str) -> AppResult<AgentAuth> {
        let device = device.filter(|d| same_hash(&d.token_hash, presented)).ok_or_else(|| {
            AppError::unauthorized("invalid_token", "that device token is not known; enrol the agent again")
        })?;
        if device.revoked_at.is_some() {
            return Err(AppError::unauthorized(
                "revoked_token",
                "this device's token was revoked; enrol the agent again",
            ));
        }
        Ok(AgentAuth {
            device_id: device.id,
            asset_id: device.asset_id,
            asset_tag: device.asset_tag,
            hostname: device.hostname,
            mac_addresses: device.mac_addresses,
            last_seen_at: device.last_seen_at,
        })
    }
}

// ------------------------------------------------------------------------------------------ check-in

/// The audit trail's picture of a power action.
#[derive(Debug, Clone, Serialize)]
struct ActionAudit {
    id: i32,
    asset_id: i32,
    kind: String,
    scheduled_at: DateTime<Utc>,
    cause: String,
    state: String,
    sent_at: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
    confirmed_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    detail: Option<String>,
}

impl From<&power_action::Model> for ActionAudit {
    fn from(m: &power_action::Model) -> ActionAudit {
        ActionAudit {
            id: m.id,
            asset_id: m.asset_id,
            kind: m.kind.clone(),
            scheduled_at: m.scheduled_at,
            cause: m.cause.clone(),
            state: m.state.clone(),
            sent_at: m.sent_at,
            delivered_at: m.delivered_at,
            confirmed_at: m.confirmed_at,
            finished_at: m.finished_at,
            detail: m.detail.clone(),
        }
    }
}

/// Moves `before` to `after` if the row is still in `before.state` (another instance may have got there
/// first: then nothing is written and false is returned), and records it.
async fn transition<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    before: &power_action::Model,
    after: power_action::Model,
) -> AppResult<bool> {
    let changed = power_action::Entity::update_many()
        .col_expr(power_action::Column::State, Expr::value(after.state.clone()))
        .col_expr(power_action::Column::DeliveredAt, Expr::value(after.delivered_at))
        .col_expr(power_action::Column::ConfirmedAt, Expr::value(after.confirmed_at))
        .col_expr(power_action::Column::FinishedAt, Expr::value(after.finished_at))
        .col_expr(power_action::Column::Detail, Expr::value(after.detail.clone()))
        .col_expr(power_action::Column::UpdatedAt, Expr::value(after.updated_at))
        .filter(power_action::Column::Id.eq(before.id))
        .filter(power_action::Column::State.eq(before.state.as_str()))
        .exec(conn)
        .await?
        .rows_affected;
    if changed == 1 {
        let (b, a) = (ActionAudit::from(before), ActionAudit::from(&after));
        audit::record(conn, actor, Action::Update, "power_action", before.id, Some(&b), Some(&a)).await?;
    }
    Ok(changed == 1)
}

/// What a check-in does to one of the asset's open actions, at `now`. Pure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckinEffect {
    /// A sent wake, and the device is on after it: confirmed.
    ConfirmWake,
    /// A planned shutdown or sleep whose warning has begun: delivered to the agent now.
    Deliver,
    /// A planned shutdown or sleep whose time has long passed: no longer wanted.
    Expire,
    /// A delivered shutdown never reported, and the device has started up since it was delivered (its
    /// uptime is shorter than the time since): it did shut down, and the report was lost with it.
    ConfirmByRestart,
    Nothing,
}

/// `uptime_seconds` is what the agent reports now, if it can tell.
pub fn checkin_effect(action: &power_action::Model, now: DateTime<Utc>, uptime_seconds: Option<u64>) -> CheckinEffect {
    let booted = uptime_seconds.and_then(|u| i64::try_from(u).ok()).map(|u| now - Duration::seconds(u));
    match (action.kind.as_str(), action.state.as_str()) {
        ("wake", "sent") if action.sent_at.is_some_and(|s| s < now) => CheckinEffect::ConfirmWake,
        ("shutdown", "delivered") => match (action.delivered_at, booted) {
            (Some(delivered), Some(booted)) if booted > delivered => CheckinEffect::ConfirmByRestart,
            _ => CheckinEffect::Nothing,
        },
        ("shutdown" | "sleep", "planned") => {
            let warning = Duration::minutes(i64::from(action.warning_minutes.unwrap_or(0).max(0)));
            if now >= action.scheduled_at + Duration::minutes(DELIVERY_GRACE_MINUTES) {
                CheckinEffect::Expire
            } else if now >= action.scheduled_at - warning {
                CheckinEffect::Deliver
            } else {
                CheckinEffect::Nothing
            }
        }
        _ => CheckinEffect::Nothing,
    }
}

/// The states of an action not yet over. The check-in's read names them as literals, as the partial
/// index over them does (migration m20261207_000001), so that PostgreSQL can use it.
const OPEN_STATES: [&str; 3] = ["planned", "sent", "delivered"];

/// The check-in row for the asset at `now`, as the request reports it.
fn checkin_row(asset_id: i32, now: DateTime<Utc>, req: &CheckinRequest) -> agent_checkin::ActiveModel {
    let clamp = |v: Option<u64>| v.map(|v| v.min(i64::MAX as u64) as i64);
    agent_checkin::ActiveModel {
        id: NotSet,
        asset_id: Set(asset_id),
        seen_at: Set(now),
        interval_seconds: Set(req.interval_seconds as i32),
        uptime_seconds: Set(clamp(req.uptime_seconds)),
        idle_seconds: Set(clamp(req.idle_seconds)),
        user_active: Set(req.user_active),
        on_battery: Set(req.on_battery),
    }
}

/// What a check-in's body must satisfy beyond its shape: it names the token's own asset (403), and its
/// interval is in range (422).
fn check_checkin(auth: &AgentAuth, req: &CheckinRequest) -> AppResult<()> {
    if req.asset_tag.trim() != auth.asset_tag {
        return Err(AppError::NotYours {
            message: format!("this device's token is for asset {}, not {}", auth.asset_tag, req.asset_tag.trim()),
        });
    }
    if !INTERVAL_SECONDS.contains(&req.interval_seconds) {
        return Err(AppError::field(
            "interval_seconds",
            "out_of_range",
            format!("interval_seconds must be {} to {}", INTERVAL_SECONDS.start(), INTERVAL_SECONDS.end()),
        ));
    }
    Ok(())
}

/// The check-in endpoint's whole work: authenticates the token in the `Authorization` header, records
/// the check-in and answers with any commands now due.
///
/// On PostgreSQL the token's device is found, the check-in stored and the asset's open actions read in
/// one statement. Most of a check-in's cost there was its round trips to the database (each a send, a
/// wake-up of a database process and a reply); two became one (BENCHMARKS.md, issue 5). The insert
/// is guarded in the statement itself, so a revoked token or another asset's tag stores nothing.
pub async fn checkin_with_token(
    db: &DatabaseConnection,
    authorization: Option<&str>,
    req: CheckinRequest,
) -> AppResult<CheckinResponse> {
    if db.get_database_backend() != DbBackend::Postgres || !INTERVAL_SECONDS.contains(&req.interval_seconds) {
        let auth = authenticate(db, authorization).await?;
        return checkin(db, &auth, req).await;
    }
    let presented = hash_token(bearer(authorization)?);
    let now = Utc::now();
    let tag = req.asset_tag.trim();
    // The asset is the token's device's, found in the statement; only the measured columns are taken.
    let row = checkin_row(0, now, &req);
    use agent_checkin::Column as K;
    let measured = [K::SeenAt, K::IntervalSeconds, K::UptimeSeconds, K::IdleSeconds, K::UserActive, K::OnBattery];
    let mut values: Vec<sea_orm::Value> = vec![presented.as_str().into(), tag.into()];
    for c in measured {
        values.push(
            row.get(c).into_value().ok_or_else(|| AppError::Internal(format!("check-in {} not set", c.as_str())))?,
        );
    }
    let sql = CHECKIN_SQL.get_or_init(|| checkin_sql(&measured));
    let rows = db.query_all_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql.as_str(), values)).await?;
    let device = rows.first().map(|r| DeviceRow::from_query_result(r, "device_")).transpose()?;
    let auth = AgentAuth::of(device, &presented)?;
    check_checkin(&auth, &req)?;
    let mut open = Vec::with_capacity(rows.len());
    for r in &rows {
        // The left join's row for an asset with no open action has no action in it.
        if r.try_get::<Option<i32>>("", "id")?.is_some() {
            open.push(power_action::Model::from_query_result(r, "")?);
        }
    }
    answer(db, &auth, &req, now, open).await
}

/// The check-in's one statement on PostgreSQL, made once: $1 the token's hash, $2 the asset tag the body
/// names, then the `measured` columns' values.
///
/// Its commit does not wait for the WAL to reach the disk (`synchronous_commit` off for this transaction
/// only; `relaxed` is joined into the insert so that it is evaluated). A check-in is a sample: if
/// PostgreSQL crashed, at most the last fraction of a second of check-ins (three `wal_writer_delay`s)
/// would be lost, and the next ones, a minute later, carry on; nothing is left half-written. Waiting for
/// the flush made every check-in queue behind this VM's slow, uneven disk syncs, the last stalls of the
/// benchmark (BENCHMARKS.md, issue 5). Everything that matters more (an action delivered or confirmed,
/// the audit trail) is written in its own transaction, which still waits.
static CHECKIN_SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn checkin_sql(measured: &[agent_checkin::Column]) -> String {
    let names: Vec<&str> = measured.iter().map(|c| c.as_str()).collect();
    let marks: Vec<String> = (3..3 + measured.len()).map(|n| format!("${n}")).collect();
    format!(
        "WITH device AS (\
           SELECT d.id AS device_id, d.asset_id AS device_asset_id, d.token_hash AS device_token_hash, \
             d.hostname AS device_hostname, d.mac_addresses AS device_mac_addresses, \
             d.last_seen_at AS device_last_seen_at, d.revoked_at AS device_revoked_at, \
             a.asset_tag AS device_asset_tag \
           FROM agent_device d JOIN asset a ON a.id = d.asset_id WHERE d.token_hash = $1), \
         relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), \
         checkin AS (\
           INSERT INTO agent_checkin (asset_id, {names}) \
           SELECT device_asset_id, {marks} FROM device, relaxed \
           WHERE device_revoked_at IS NULL AND device_asset_tag = $2) \
         SELECT device.*, power_action.* FROM device \
         LEFT JOIN power_action ON power_action.asset_id = device.device_asset_id \
           AND power_action.state IN ('{open}') \
         ORDER BY power_action.scheduled_at",
        names = names.join(", "),
        marks = marks.join(", "),
        open = OPEN_STATES.join("', '"),
    )
}

/// Records a check-in by an authenticated agent and answers with any commands now due. The body must
/// name the token's own asset.
pub async fn checkin(db: &DatabaseConnection, auth: &AgentAuth, req: CheckinRequest) -> AppResult<CheckinResponse> {
    check_checkin(auth, &req)?;
    let now = Utc::now();
    agent_checkin::Entity::insert(checkin_row(auth.asset_id, now, &req)).exec_without_returning(db).await?;
    let open = power_action::Entity::find()
        .filter(power_action::Column::AssetId.eq(auth.asset_id))
        .filter(power_action::Column::State.is_in(OPEN_STATES))
        .order_by_asc(power_action::Column::ScheduledAt)
        .all(db)
        .await?;
    answer(db, auth, &req, now, open).await
}

/// After the check-in is stored: brings the device row up to date, and moves each open action as the
/// check-in implies (confirming a wake, delivering a shutdown now due, ...), answering with those
/// delivered.
async fn answer(
    db: &DatabaseConnection,
    auth: &AgentAuth,
    req: &CheckinRequest,
    now: DateTime<Utc>,
    open: Vec<power_action::Model>,
) -> AppResult<CheckinResponse> {
    // The device row: written when what it reports changes, or every few minutes for "last seen".
    let hostname =
        req.hostname.as_deref().map(str::trim).filter(|h| !h.is_empty()).map(|h| h.chars().take(255).collect());
    let macs = normalise_macs(&req.mac_addresses).or_else(|| auth.mac_addresses.clone());
    let stale = auth.last_seen_at.is_none_or(|t| now - t >= Duration::minutes(5));
    if stale || (hostname.is_some() && hostname != auth.hostname) || macs != auth.mac_addresses {
        agent_device::Entity::update_many()
            .col_expr(agent_device::Column::LastSeenAt, Expr::value(Some(now)))
            .col_expr(agent_device::Column::Hostname, Expr::value(hostname.or_else(|| auth.hostname.clone())))
            .col_expr(agent_device::Column::MacAddresses, Expr::value(macs))
            .col_expr(agent_device::Column::UpdatedAt, Expr::value(now))
            .filter(agent_device::Column::Id.eq(auth.device_id))
            .exec(db)
            .await?;
    }

    let mut commands = Vec::new();
    let actor = auth.actor();
    for action in open {
        let effect = checkin_effect(&action, now, req.uptime_seconds);
        if effect == CheckinEffect::Nothing {
            continue;
        }
        let mut after = action.clone();
        after.updated_at = now;
        match effect {
            CheckinEffect::ConfirmWake => {
                after.state = "confirmed".into();
                after.confirmed_at = Some(now);
                after.finished_at = Some(now);
                after.detail = Some("the agent checked in after the wake was sent".into());
            }
            CheckinEffect::Deliver => {
                after.state = "delivered".into();
                after.delivered_at = Some(now);
            }
            CheckinEffect::Expire => {
                after.state = "expired".into();
                after.finished_at = Some(now);
                after.detail = Some(format!(
                    "the agent did not check in within {DELIVERY_GRACE_MINUTES} minutes of the scheduled time"
                ));
            }
            CheckinEffect::ConfirmByRestart => {
                after.state = "confirmed".into();
                after.confirmed_at = Some(now);
                after.finished_at = Some(now);
                after.detail =
                    Some("no report came, but the device has started up since the shutdown was delivered".into());
            }
            CheckinEffect::Nothing => {}
        }
        let txn = db.begin_write().await?;
        let moved = transition(&txn, &actor, &action, after.clone()).await?;
        txn.commit().await?;
        if moved && effect == CheckinEffect::Deliver {
            if let Some(kind) = CommandKind::parse(&after.kind) {
                commands.push(PowerCommand {
                    action_id: after.id,
                    kind,
                    at: after.scheduled_at,
                    warning_minutes: after.warning_minutes.unwrap_or(0).max(0) as u32,
                    may_defer: after.may_defer,
                    max_defer_minutes: after.max_defer_minutes,
                });
            }
        }
    }
    Ok(CheckinResponse { commands })
}

// ------------------------------------------------------------------------------------------- outcome

/// Records how a delivered command ended on the device: confirmed, deferred (with a new planned action
/// when the deferral is allowed) or failed with the agent's reason.
pub async fn outcome(db: &DatabaseConnection, auth: &AgentAuth, req: OutcomeRequest) -> AppResult<OutcomeResponse> {
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let action = power_action::Entity::find_by_id(req.action_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::not_found("power_action", req.action_id))?;
    if action.asset_id != auth.asset_id {
        return Err(AppError::NotYours {
            message: format!("power action {} is not for asset {}", action.id, auth.asset_tag),
        });
    }
    if action.state != "delivered" {
        return Err(AppError::conflict(
            "not_delivered",
            format!("power action {} is {}, not awaiting an outcome", action.id, action.state),
            Some("action_id"),
        ));
    }
    let reason =
        req.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(|r| r.chars().take(500).collect::<String>());
    let dry = if req.dry_run { " (dry run: the command was logged, not run)" } else { "" };
    let mut after = action.clone();
    after.updated_at = now;
    let mut deferred_to = None;
    match req.outcome {
        Outcome::Done => {
            after.state = "confirmed".into();
            after.confirmed_at = Some(now);
            after.finished_at = Some(now);
            after.detail = Some(format!("the agent ran the {}{dry}", action.kind));
        }
        Outcome::Failed => {
            after.state = "failed".into();
            after.finished_at = Some(now);
            after.detail = Some(format!("{}{dry}", reason.unwrap_or_else(|| "the agent gave no reason".into())));
        }
        Outcome::Deferred => {
            let minutes = req
                .defer_minutes
                .ok_or_else(|| AppError::field("defer_minutes", "required", "a deferral needs defer_minutes"))?;
            after.state = "deferred".into();
            after.finished_at = Some(now);
            let allowance =
                DeferralAllowance { may_defer: action.may_defer, max_defer_minutes: action.max_defer_minutes };
            match deferral::decide(action.scheduled_at, allowance, i64::from(minutes)) {
                Ok(d) => {
                    let new = power_action::ActiveModel {
                        id: NotSet,
                        asset_id: Set(action.asset_id),
                        kind: Set(action.kind.clone()),
                        scheduled_at: Set(d.new_scheduled_at),
                        cause: Set(action.cause.clone()),
                        policy_id: Set(action.policy_id),
                        requested_by: Set(action.requested_by.clone()),
                        state: Set("planned".into()),
                        warning_minutes: Set(action.warning_minutes),
                        may_defer: Set(d.allowance.may_defer),
                        max_defer_minutes: Set(d.allowance.max_defer_minutes),
                        claimed_by: Set(None),
                        claimed_until: Set(None),
                        attempts: Set(0),
                        sent_at: Set(None),
                        delivered_at: Set(None),
                        confirmed_at: Set(None),
                        finished_at: Set(None),
                        detail: Set(Some(format!("deferred by the user from action {}", action.id))),
                        created_at: Set(now),
                        updated_at: Set(now),
                    };
                    let clash = power_action::Entity::find()
                        .filter(power_action::Column::AssetId.eq(action.asset_id))
                        .filter(power_action::Column::Kind.eq(action.kind.as_str()))
                        .filter(power_action::Column::ScheduledAt.eq(d.new_scheduled_at))
                        .one(&txn)
                        .await?;
                    match clash {
                        None => {
                            let new = new.insert(&txn).await.map_err(|e| {
                                super::unique_violation(e, "defer_minutes", "an action was planned meanwhile".into())
                            })?;
                            let view = ActionAudit::from(&new);
                            audit::record(
                                &txn,
                                &auth.actor(),
                                Action::Create,
                                "power_action",
                                new.id,
                                None,
                                Some(&view),
                            )
                            .await?;
                            after.detail =
                                Some(format!("deferred by the user for {minutes} minutes, to action {}{dry}", new.id));
                        }
                        Some(existing) => {
                            after.detail = Some(format!(
                                "deferred by the user for {minutes} minutes; action {} was already planned then{dry}",
                                existing.id
                            ));
                        }
                    }
                    deferred_to = Some(d.new_scheduled_at);
                }
                Err(why) => {
                    after.detail = Some(format!("the user deferred it, but {why}; no new action was planned{dry}"));
                }
            }
        }
    }
    if !transition(&txn, &auth.actor(), &action, after.clone()).await? {
        return Err(AppError::conflict("not_delivered", "the action changed meanwhile; nothing recorded", None));
    }
    txn.commit().await?;
    Ok(OutcomeResponse { state: after.state, deferred_to, detail: after.detail })
}

// -------------------------------------------------------------------------------------------- roll-up

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RollupReport {
    pub hours_written: usize,
    pub checkins_deleted: u64,
}

/// Rolls raw check-ins up into hours and deletes those older than `raw_retention_hours` (at least
/// [`MIN_RAW_RETENTION_HOURS`]). Every hour that still has all its check-ins is recomputed from them
/// and written over (so running it twice, or on two instances at once, gives the same rows). Call it
/// every few minutes from a periodic task; the hours it writes are what observed on-time reads.
pub async fn rollup(db: &DatabaseConnection, now: DateTime<Utc>, raw_retention_hours: i64) -> AppResult<RollupReport> {
    Ok(rollup_after(db, now, raw_retention_hours, None).await?.0)
}

/// How long after an hour (and the check-ins that may vouch for its last minutes) no check-in can still
/// arrive for it: check-ins are stamped with the receiving instance's clock, which may run a little
/// behind another's.
const SETTLE_SECONDS: i64 = observed::MAX_VOUCH_SECONDS + 300;

/// [`rollup`], skipping the hours before `settled`: an earlier run wrote them when all their check-ins
/// were in, and they cannot change. Also answers the start of the first hour this run could not settle.
/// The periodic task passes each run's answer to the next, so a steady service reads each hour's
/// check-ins a few more times while it is open and then no more, instead of rereading the whole
/// retention window every run.
pub async fn rollup_after(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    raw_retention_hours: i64,
    settled: Option<DateTime<Utc>>,
) -> AppResult<(RollupReport, DateTime<Utc>)> {
    let retention = raw_retention_hours.max(MIN_RAW_RETENTION_HOURS);
    let cutoff = now - Duration::hours(retention);
    // The first whole hour all of whose check-ins are still kept.
    let first_hour = observed::hour_floor(cutoff) + Duration::hours(1);
    // Hour by hour, so memory holds one hour's check-ins (and the next quarter hour's, which may vouch for
    // its last minutes), however many devices there are.
    let mut hours_written = 0;
    let mut hour = settled.map_or(first_hour, |s| s.max(first_hour));
    let mut now_settled = hour;
    while hour <= now {
        let until = hour + Duration::hours(1) + Duration::seconds(observed::MAX_VOUCH_SECONDS);
        let rows: Vec<CheckinColumns> = agent_checkin::Entity::find()
            .select_only()
            .columns([
                agent_checkin::Column::AssetId,
                agent_checkin::Column::SeenAt,
                agent_checkin::Column::IntervalSeconds,
                agent_checkin::Column::UptimeSeconds,
                agent_checkin::Column::UserActive,
            ])
            .filter(agent_checkin::Column::SeenAt.gte(hour))
            .filter(agent_checkin::Column::SeenAt.lt(until))
            .into_tuple()
            .all(db)
            .await?;
        let samples: Vec<CheckinSample> = rows
            .into_iter()
            .map(|(asset_id, seen_at, interval, uptime_seconds, user_active)| CheckinSample {
                asset_id,
                seen_at,
                interval_seconds: i64::from(interval),
                uptime_seconds,
                user_active,
            })
            .collect();
        // A busy hour is hundreds of thousands of check-ins: worked through off the threads that answer
        // requests, so that check-ins arriving meanwhile are not held up behind it.
        let figures: Vec<HourFigures> = tokio::task::spawn_blocking(move || {
            observed::hour_figures(&samples).into_iter().filter(|h| h.hour_start == hour).collect()
        })
        .await
        .map_err(|e| AppError::Internal(format!("rolling up check-ins stopped: {e}")))?;
        write_hours(db, &figures).await?;
        hours_written += figures.len();
        hour += Duration::hours(1);
        if hour + Duration::seconds(SETTLE_SECONDS) <= now {
            now_settled = hour;
        }
    }
    let deleted =
        agent_checkin::Entity::delete_many().filter(agent_checkin::Column::SeenAt.lt(cutoff)).exec(db).await?;
    Ok((RollupReport { hours_written, checkins_deleted: deleted.rows_affected }, now_settled))
}

/// asset_id, seen_at, interval_seconds, uptime_seconds, user_active: what the roll-up reads of a check-in.
type CheckinColumns = (i32, DateTime<Utc>, i32, Option<i64>, Option<bool>);

/// Writes hour figures over any already there, in one transaction.
async fn write_hours(db: &DatabaseConnection, hours: &[HourFigures]) -> AppResult<()> {
    let txn = db.begin_write().await?;
    for chunk in hours.chunks(1000) {
        let models = chunk.iter().map(|h| agent_hour::ActiveModel {
            id: NotSet,
            asset_id: Set(h.asset_id),
            hour_start: Set(h.hour_start),
            local_date: Set(h.local_date),
            checkins: Set(h.checkins as i32),
            minutes_on: Set(h.minutes_on as i32),
            minutes_user_active: Set(h.minutes_user_active as i32),
        });
        agent_hour::Entity::insert_many(models)
            .on_conflict(
                OnConflict::columns([agent_hour::Column::AssetId, agent_hour::Column::HourStart])
                    .update_columns([
                        agent_hour::Column::Checkins,
                        agent_hour::Column::MinutesOn,
                        agent_hour::Column::MinutesUserActive,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The periodic task: rolls check-ins up every `period` for as long as the service runs. Safe on several
/// instances at once (see [`rollup`]).
pub async fn rollup_every(db: DatabaseConnection, period: std::time::Duration) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut settled = None;
    loop {
        tick.tick().await;
        match rollup_after(&db, Utc::now(), DEFAULT_RAW_RETENTION_HOURS, settled).await {
            Ok((r, now_settled)) => {
                settled = Some(now_settled);
                tracing::debug!(hours = r.hours_written, deleted = r.checkins_deleted, "agent check-ins rolled up")
            }
            Err(e) => tracing::warn!("rolling up agent check-ins failed: {e:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------- observed on-time

/// Minutes seen on by asset and UK day over `period`, from the rolled-up hours (for the energy estimate).
pub async fn observed_on<C: ConnectionTrait>(conn: &C, period: &Period, only: Option<&[i32]>) -> AppResult<ObservedOn> {
    let mut q = agent_hour::Entity::find()
        .select_only()
        .column(agent_hour::Column::AssetId)
        .column(agent_hour::Column::LocalDate)
        .column_as(agent_hour::Column::MinutesOn.sum(), "minutes_on")
        .filter(agent_hour::Column::LocalDate.gte(period.from()))
        .filter(agent_hour::Column::LocalDate.lt(period.to()))
        .group_by(agent_hour::Column::AssetId)
        .group_by(agent_hour::Column::LocalDate);
    if let Some(ids) = only {
        q = q.filter(agent_hour::Column::AssetId.is_in(ids.to_vec()));
    }
    let rows: Vec<(i32, NaiveDate, i64)> = q.into_tuple().all(conn).await?;
    let mut out = ObservedOn::default();
    for (asset_id, date, minutes) in rows {
        out.add(asset_id, date, minutes.clamp(0, i64::from(u32::MAX)) as u32);
    }
    Ok(out)
}

/// One day of an asset's observed on-time.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ObservedDay {
    pub date: NaiveDate,
    pub minutes_on: u32,
    pub minutes_user_active: u32,
    pub checkins: u32,
}

impl ObservedDay {
    pub fn hours_on(&self) -> String {
        format!("{}:{:02}", self.minutes_on / 60, self.minutes_on % 60)
    }
}

/// An asset's observed days, newest first, over `period`.
pub async fn observed_days<C: ConnectionTrait>(
    conn: &C,
    asset_id: i32,
    period: &Period,
) -> AppResult<Vec<ObservedDay>> {
    let rows = agent_hour::Entity::find()
        .filter(agent_hour::Column::AssetId.eq(asset_id))
        .filter(agent_hour::Column::LocalDate.gte(period.from()))
        .filter(agent_hour::Column::LocalDate.lt(period.to()))
        .all(conn)
        .await?;
    let mut days: BTreeMap<NaiveDate, ObservedDay> = BTreeMap::new();
    for h in rows {
        let d = days.entry(h.local_date).or_insert(ObservedDay {
            date: h.local_date,
            minutes_on: 0,
            minutes_user_active: 0,
            checkins: 0,
        });
        d.minutes_on += h.minutes_on.max(0) as u32;
        d.minutes_user_active += h.minutes_user_active.max(0) as u32;
        d.checkins += h.checkins.max(0) as u32;
    }
    Ok(days.into_values().rev().collect())
}

/// An asset's observed days by tag: the API's and asset page's view.
pub async fn observed_days_by_tag<C: ConnectionTrait>(
    conn: &C,
    tag: &AssetTag,
    period: &Period,
) -> AppResult<Vec<ObservedDay>> {
    let id: Option<i32> = asset::Entity::find()
        .select_only()
        .column(asset::Column::Id)
        .filter(asset::Column::AssetTag.eq(tag.as_str()))
        .into_tuple()
        .one(conn)
        .await?;
    let id = id.ok_or_else(|| AppError::not_found("asset", tag.as_str()))?;
    observed_days(conn, id, period).await
}

/// An asset seen on during a night.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeftOn {
    pub asset_tag: String,
    pub hostname: Option<String>,
    pub site: Option<String>,
    pub assigned_user: Option<String>,
    /// Minutes seen on between 22:00 and 05:00 UK time.
    pub minutes_on: u32,
    pub minutes_user_active: u32,
}

/// The night, its window and the assets seen on in it, most minutes first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeftOnOvernight {
    /// The evening the night starts on.
    pub night_of: NaiveDate,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub assets: Vec<LeftOn>,
}

pub async fn left_on_overnight<C: ConnectionTrait>(conn: &C, evening: NaiveDate) -> AppResult<LeftOnOvernight> {
    let (from, to) = observed::overnight_window(evening);
    let rows: Vec<(i32, Option<i64>, Option<i64>)> = agent_hour::Entity::find()
        .select_only()
        .column(agent_hour::Column::AssetId)
        .column_as(agent_hour::Column::MinutesOn.sum(), "minutes_on")
        .column_as(agent_hour::Column::MinutesUserActive.sum(), "minutes_user_active")
        .filter(agent_hour::Column::HourStart.gte(from))
        .filter(agent_hour::Column::HourStart.lt(to))
        .filter(agent_hour::Column::MinutesOn.gt(0))
        .group_by(agent_hour::Column::AssetId)
        .into_tuple()
        .all(conn)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let assets: HashMap<i32, asset::Model> = asset::Entity::find()
        .filter(asset::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let sites: HashMap<i32, String> =
        site::Entity::find().all(conn).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let mut out: Vec<LeftOn> = rows
        .into_iter()
        .filter_map(|(id, on, active)| {
            let a = assets.get(&id)?;
            Some(LeftOn {
                asset_tag: a.asset_tag.clone(),
                hostname: a.hostname.clone(),
                site: a.site_id.and_then(|s| sites.get(&s).cloned()),
                assigned_user: a.assigned_user.clone(),
                minutes_on: on.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32,
                minutes_user_active: active.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32,
            })
        })
        .collect();
    out.sort_by(|a, b| b.minutes_on.cmp(&a.minutes_on).then_with(|| a.asset_tag.cmp(&b.asset_tag)));
    Ok(LeftOnOvernight { night_of: evening, from, to, assets: out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn action(kind: &str, state: &str, at: DateTime<Utc>, warning: Option<i32>) -> power_action::Model {
        power_action::Model {
            id: 1,
            asset_id: 1,
            kind: kind.into(),
            scheduled_at: at,
            cause: "policy".into(),
            policy_id: None,
            requested_by: "scheduler".into(),
            state: state.into(),
            warning_minutes: warning,
            may_defer: false,
            max_defer_minutes: None,
            claimed_by: None,
            claimed_until: None,
            attempts: 0,
            sent_at: None,
            delivered_at: None,
            confirmed_at: None,
            finished_at: None,
            detail: None,
            created_at: at,
            updated_at: at,
        }
    }

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 14, h, m, 0).unwrap()
    }

    #[test]
    fn a_shutdown_is_delivered_from_its_warning_until_it_expires() {
        // Shutdown at 19:00 with a 10-minute warning: not before 18:50, delivered 18:50–19:59, expired from
        // 20:00 (the 60-minute grace).
        let a = action("shutdown", "planned", t(19, 0), Some(10));
        assert_eq!(checkin_effect(&a, t(18, 49), None), CheckinEffect::Nothing);
        assert_eq!(checkin_effect(&a, t(18, 50), None), CheckinEffect::Deliver);
        assert_eq!(checkin_effect(&a, t(19, 59), None), CheckinEffect::Deliver);
        assert_eq!(checkin_effect(&a, t(20, 0), None), CheckinEffect::Expire);
        // Already delivered: nothing more.
        assert_eq!(
            checkin_effect(&action("sleep", "delivered", t(19, 0), None), t(19, 0), None),
            CheckinEffect::Nothing
        );
    }

    #[test]
    fn a_delivered_shutdown_is_confirmed_when_the_device_has_restarted_since() {
        // Delivered at 19:00; at 07:30 the next day the device reports 30 minutes up (booted 07:00): it
        // shut down. Reporting 13 hours up (booted 18:30, before delivery): it did not.
        let mut a = action("shutdown", "delivered", t(19, 0), Some(10));
        a.delivered_at = Some(t(19, 0));
        let next_morning = t(7, 30) + Duration::days(1);
        assert_eq!(checkin_effect(&a, next_morning, Some(30 * 60)), CheckinEffect::ConfirmByRestart);
        assert_eq!(checkin_effect(&a, next_morning, Some(13 * 3600)), CheckinEffect::Nothing);
        assert_eq!(checkin_effect(&a, next_morning, None), CheckinEffect::Nothing, "uptime unknown: no guess");
        // A sleep does not reset uptime, so it is never confirmed this way.
        let mut s = action("sleep", "delivered", t(19, 0), None);
        s.delivered_at = Some(t(19, 0));
        assert_eq!(checkin_effect(&s, next_morning, Some(60)), CheckinEffect::Nothing);
    }

    #[test]
    fn a_wake_is_confirmed_by_a_check_in_after_it_was_sent() {
        let mut wake = action("wake", "sent", t(7, 0), None);
        wake.sent_at = Some(t(7, 0));
        assert_eq!(checkin_effect(&wake, t(6, 59), None), CheckinEffect::Nothing);
        assert_eq!(checkin_effect(&wake, t(7, 1), None), CheckinEffect::ConfirmWake);
        // A planned wake is the scheduler's to send, not the agent's.
        assert_eq!(
            checkin_effect(&action("wake", "planned", t(7, 0), None), t(7, 1), Some(60)),
            CheckinEffect::Nothing
        );
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token("gid_").unwrap();
        let b = new_token("gid_").unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 64);
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(same_hash(&hash_token(&a), &hash_token(&a)));
        assert!(!same_hash(&hash_token(&a), &hash_token(&b)));
        assert!(bearer(Some("Bearer  xyz ")).is_ok_and(|t| t == "xyz"));
        assert!(bearer(Some("Basic xyz")).is_err());
        assert!(bearer(None).is_err());
    }
}
