//! Meters at sites and their readings: create, change and delete a meter (audited), list its readings by
//! day, and find the meter a readings file is for. Importing readings is `import::meter_import`; comparing
//! them with the estimate is `services::metered`.

use crate::store::BeginWrite;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use super::audited::{self, Audited};
use super::{text_field, Actor};
use crate::domain::{FieldError, FieldErrors, Patch};
use crate::error::{AppError, AppResult};
use crate::import::meter_time::{uk_date, uk_midnight};
use crate::store::{meter, meter_reading, site};

pub use crate::energy::metered::Measures;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeterView {
    pub id: i32,
    pub site_id: i32,
    pub name: String,
    pub measures: Measures,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<meter::Model> for MeterView {
    fn from(m: meter::Model) -> MeterView {
        MeterView {
            id: m.id,
            site_id: m.site_id,
            name: m.name,
            measures: Measures::parse(&m.measures).unwrap_or(Measures::WholeSite),
            description: m.description,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A meter as the list shows it: with its site's name and how many readings it holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeterListItem {
    #[serde(flatten)]
    pub meter: MeterView,
    pub site: String,
    pub readings: u64,
}

/// A new meter, or changes to one: absent fields are left as they are, `null` clears.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeterChanges {
    #[serde(default)]
    #[schema(value_type = Option<i32>)]
    pub site_id: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Server room DB2")]
    pub name: Patch<String>,
    /// whole_site, ict or server_room.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "ict")]
    pub measures: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Patch<String>,
}

impl MeterChanges {
    fn apply(self, m: &mut meter::Model) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        match self.site_id.apply(Some(m.site_id).filter(|s| *s != 0)) {
            Some(s) => m.site_id = s,
            None => errs.push(FieldError::required("site_id")),
        }
        match crate::domain::text::required("name", self.name.apply(Some(m.name.clone())), 200) {
            Ok(n) => m.name = n,
            Err(e) => errs.push(e),
        }
        match self.measures.apply(Some(m.measures.clone())).as_deref().map(|s| (s, Measures::parse(s))) {
            Some((_, Some(k))) => m.measures = k.as_str().to_string(),
            Some((s, None)) => errs.push(FieldError::new(
                "measures",
                "invalid",
                format!("'{s}' is not what a meter measures: use whole_site, ict or server_room"),
            )),
            None => errs.push(FieldError::required("measures")),
        }
        m.description = text_field(&mut errs, "description", self.description.apply(m.description.clone()), 10_000);
        errs.into_result(())
    }
}

impl Audited for meter::Model {
    const ENTITY: &'static str = "meter";
    type View = MeterView;

    fn id(&self) -> i32 {
        self.id
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
    }

    fn duplicate_message(&self) -> String {
        format!("this site already has a meter named '{}'", self.name)
    }
}

/// Meters by site name then meter name; `site_id` narrows to one site.
pub async fn list<C: ConnectionTrait>(conn: &C, site_id: Option<i32>) -> AppResult<Vec<MeterListItem>> {
    let mut q = meter::Entity::find();
    if let Some(s) = site_id {
        q = q.filter(meter::Column::SiteId.eq(s));
    }
    let meters = q.all(conn).await?;
    let sites: HashMap<i32, String> =
        site::Entity::find().all(conn).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let mut out = Vec::with_capacity(meters.len());
    for m in meters {
        let readings =
            meter_reading::Entity::find().filter(meter_reading::Column::MeterId.eq(m.id)).count(conn).await?;
        let site = sites.get(&m.site_id).cloned().unwrap_or_default();
        out.push(MeterListItem { meter: m.into(), site, readings });
    }
    out.sort_by(|a, b| (&a.site, &a.meter.name).cmp(&(&b.site, &b.meter.name)));
    Ok(out)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<MeterView> {
    audited::find::<meter::Model, _>(conn, id).await.map(MeterView::from)
}

async fn check<C: ConnectionTrait>(conn: &C, m: &meter::Model) -> AppResult<()> {
    if site::Entity::find_by_id(m.site_id).one(conn).await?.is_none() {
        return Err(AppError::field("site_id", "unknown_reference", format!("no site with id {}", m.site_id)));
    }
    let same = meter::Entity::find()
        .filter(meter::Column::SiteId.eq(m.site_id))
        .filter(meter::Column::Name.eq(m.name.clone()))
        .filter(meter::Column::Id.ne(m.id))
        .count(conn)
        .await?;
    if same > 0 {
        return Err(AppError::conflict("duplicate", m.duplicate_message(), Some("name")));
    }
    Ok(())
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, changes: MeterChanges) -> AppResult<MeterView> {
    let txn = db.begin_write().await?;
    let view = create_in(&txn, actor, changes).await?;
    txn.commit().await?;
    Ok(view)
}

/// [`create`] inside the caller's transaction (the demo loader, an import creating its meter).
pub async fn create_in(txn: &DatabaseTransaction, actor: &Actor, changes: MeterChanges) -> AppResult<MeterView> {
    let now = Utc::now();
    let mut m = meter::Model {
        id: 0,
        site_id: 0,
        name: String::new(),
        measures: String::new(),
        description: None,
        created_at: now,
        updated_at: now,
    };
    changes.apply(&mut m)?;
    check(txn, &m).await?;
    audited::insert(txn, actor, m).await
}

pub async fn update(db: &DatabaseConnection, actor: &Actor, id: i32, changes: MeterChanges) -> AppResult<MeterView> {
    let txn = db.begin_write().await?;
    let before: meter::Model = audited::find(&txn, id).await?;
    let mut m = before.clone();
    changes.apply(&mut m)?;
    check(&txn, &m).await?;
    let (view, _) = audited::update_if_changed(&txn, actor, before, m).await?;
    txn.commit().await?;
    Ok(view)
}

/// Deletes a meter and its readings (they mean nothing without it); the audit event says how many.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<u64> {
    let txn = db.begin_write().await?;
    let before: meter::Model = audited::find(&txn, id).await?;
    let gone = meter_reading::Entity::delete_many()
        .filter(meter_reading::Column::MeterId.eq(id))
        .exec(&txn)
        .await?
        .rows_affected;
    audited::delete(&txn, actor, before).await?;
    txn.commit().await?;
    Ok(gone)
}

/// The meters at a site, by name (to name them when a site cannot be deleted).
pub async fn names_at_site<C: ConnectionTrait>(conn: &C, site_id: i32) -> AppResult<Vec<String>> {
    let rows = meter::Entity::find()
        .filter(meter::Column::SiteId.eq(site_id))
        .order_by_asc(meter::Column::Name)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|m| m.name).collect())
}

/// A meter's readings from `from` to `to` (UK dates, both inclusive), as stored.
pub async fn readings<C: ConnectionTrait>(
    conn: &C,
    meter_ids: &[i32],
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<(i32, crate::import::meter_file::Reading)>> {
    let (start, end) = (uk_midnight(from), uk_midnight(to.succ_opt().unwrap_or(to)));
    let rows = meter_reading::Entity::find()
        .filter(meter_reading::Column::MeterId.is_in(meter_ids.to_vec()))
        .filter(meter_reading::Column::StartsAt.gte(start))
        .filter(meter_reading::Column::StartsAt.lt(end))
        .order_by_asc(meter_reading::Column::StartsAt)
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|r| {
            let kwh = Decimal::from_str(&r.kwh)
                .map_err(|e| AppError::Internal(format!("meter reading {} kWh '{}': {e}", r.id, r.kwh)))?;
            let reading = crate::import::meter_file::Reading {
                starts_at: r.starts_at,
                interval_minutes: r.interval_minutes,
                kwh,
            };
            Ok((r.meter_id, reading))
        })
        .collect()
}

/// One UK day's readings of a meter: total kWh and how many intervals it holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DayTotal {
    pub date: NaiveDate,
    #[schema(value_type = String, example = "182.5")]
    pub kwh: Decimal,
    /// Readings that day: 48 for a full half-hourly day (46 or 50 on clock-change days), 1 for a daily one.
    pub readings: u32,
}

/// A meter's readings by UK day over a period.
pub async fn daily_totals<C: ConnectionTrait>(
    conn: &C,
    id: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<DayTotal>> {
    get(conn, id).await?;
    let mut days: BTreeMap<NaiveDate, (Decimal, u32)> = BTreeMap::new();
    for (_, r) in readings(conn, &[id], from, to).await? {
        let e = days.entry(uk_date(r.starts_at)).or_default();
        e.0 += r.kwh;
        e.1 += 1;
    }
    Ok(days.into_iter().map(|(date, (kwh, readings))| DayTotal { date, kwh: kwh.normalize(), readings }).collect())
}

/// The meter a file is for, by name (and site name when two sites have a meter of that name).
pub enum Found {
    Meter(meter::Model),
    /// No meter of that name: the known meters, "name (site)", to list in the message.
    Missing(Vec<String>),
    /// More than one site has it: their names.
    Ambiguous(Vec<String>),
}

pub async fn find_by_name<C: ConnectionTrait>(conn: &C, name: &str, site_name: Option<&str>) -> AppResult<Found> {
    let sites: HashMap<i32, String> =
        site::Entity::find().all(conn).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let all = meter::Entity::find().order_by_asc(meter::Column::Name).all(conn).await?;
    let site_of = |m: &meter::Model| sites.get(&m.site_id).cloned().unwrap_or_default();
    let mut matching: Vec<meter::Model> = all
        .iter()
        .filter(|m| m.name.eq_ignore_ascii_case(name.trim()))
        .filter(|m| site_name.is_none_or(|s| site_of(m).eq_ignore_ascii_case(s.trim())))
        .cloned()
        .collect();
    Ok(match matching.len() {
        1 => Found::Meter(matching.remove(0)),
        0 => Found::Missing(all.iter().map(|m| format!("{} ({})", m.name, site_of(m))).collect()),
        _ => Found::Ambiguous(matching.iter().map(site_of).collect()),
    })
}
