//! The asset list: filters, free-text search, sorting, and keyset pagination. A cursor holds the last
//! row's sort value and id, so page 2,000 is as quick as page 1 and rows inserted meanwhile neither
//! repeat nor skip an existing row.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Func, NullOrdering, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select, Statement,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::str::FromStr;

use super::assets::AssetView;
use crate::domain::{Category, LifecycleState, MacAddress};
use crate::error::{AppError, AppResult};
use crate::store::{asset, DirectReads};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    AssetTag,
    Hostname,
    PurchaseDate,
    RefreshDue,
    WarrantyEnd,
    UpdatedAt,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::AssetTag,
        SortKey::Hostname,
        SortKey::PurchaseDate,
        SortKey::RefreshDue,
        SortKey::WarrantyEnd,
        SortKey::UpdatedAt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::AssetTag => "asset_tag",
            SortKey::Hostname => "hostname",
            SortKey::PurchaseDate => "purchase_date",
            SortKey::RefreshDue => "refresh_due",
            SortKey::WarrantyEnd => "warranty_end",
            SortKey::UpdatedAt => "updated_at",
        }
    }

    fn column(self) -> asset::Column {
        match self {
            SortKey::AssetTag => asset::Column::AssetTag,
            SortKey::Hostname => asset::Column::Hostname,
            SortKey::PurchaseDate => asset::Column::PurchaseDate,
            SortKey::RefreshDue => asset::Column::RefreshDue,
            SortKey::WarrantyEnd => asset::Column::WarrantyEnd,
            SortKey::UpdatedAt => asset::Column::UpdatedAt,
        }
    }

    /// The row's sort value as the cursor carries it.
    fn value_of(self, m: &asset::Model) -> Option<String> {
        match self {
            SortKey::AssetTag => Some(m.asset_tag.clone()),
            SortKey::Hostname => m.hostname.clone(),
            SortKey::PurchaseDate => m.purchase_date.map(|d| d.to_string()),
            SortKey::RefreshDue => m.refresh_due.map(|d| d.to_string()),
            SortKey::WarrantyEnd => m.warranty_end.map(|d| d.to_string()),
            SortKey::UpdatedAt => Some(m.updated_at.to_rfc3339()),
        }
    }

    /// The cursor's value back as a typed SQL value, so comparisons match the column's type.
    fn sql_value(self, raw: &str) -> Option<sea_orm::Value> {
        match self {
            SortKey::AssetTag | SortKey::Hostname => Some(raw.to_string().into()),
            SortKey::PurchaseDate | SortKey::RefreshDue | SortKey::WarrantyEnd => {
                NaiveDate::from_str(raw).ok().map(Into::into)
            }
            SortKey::UpdatedAt => {
                chrono::DateTime::parse_from_rfc3339(raw).ok().map(|d| d.with_timezone(&chrono::Utc).into())
            }
        }
    }
}

impl FromStr for SortKey {
    type Err = String;
    fn from_str(s: &str) -> Result<SortKey, String> {
        SortKey::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = SortKey::ALL.iter().map(|k| k.as_str()).collect();
            format!("cannot sort by '{s}'; use one of: {}", names.join(", "))
        })
    }
}

#[derive(Debug, Clone)]
pub struct AssetQuery {
    pub site_id: Option<i32>,
    pub department_id: Option<i32>,
    pub category: Option<Category>,
    pub state: Option<LifecycleState>,
    pub model_id: Option<i32>,
    pub refresh_due_before: Option<NaiveDate>,
    pub warranty_end_before: Option<NaiveDate>,
    /// Free text over tag, hostname, serial, MAC addresses and assigned user.
    pub q: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    pub limit: u64,
    pub cursor: Option<String>,
}

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 500;

impl Default for AssetQuery {
    fn default() -> AssetQuery {
        AssetQuery {
            site_id: None,
            department_id: None,
            category: None,
            state: None,
            model_id: None,
            refresh_due_before: None,
            warranty_end_before: None,
            q: None,
            sort: SortKey::AssetTag,
            descending: false,
            limit: DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssetPage {
    pub items: Vec<AssetView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many assets match the filters, across all pages, as counted for the first page (later
    /// pages repeat that count).
    pub total: u64,
}

/// What a cursor holds: the sort it belongs to, the last row's sort value, its id, and the total the
/// first page counted (later pages repeat it rather than count the whole filtered set again).
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Cursor {
    s: String,
    d: bool,
    v: Option<String>,
    id: i32,
    #[serde(default)]
    t: Option<u64>,
}

fn encode_cursor(c: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(c).unwrap_or_default())
}

fn decode_cursor(raw: &str, q: &AssetQuery) -> AppResult<Cursor> {
    let bad = || AppError::BadRequest {
        code: "invalid_cursor",
        message: "the cursor is not one this list gave out; start again from the first page".into(),
        field: Some("cursor".into()),
    };
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| bad())?;
    let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if c.s != q.sort.as_str() || c.d != q.descending {
        return Err(AppError::BadRequest {
            code: "cursor_mismatch",
            message: "the cursor belongs to a different sort order; start again from the first page".into(),
            field: Some("cursor".into()),
        });
    }
    Ok(c)
}

pub(crate) fn filters(q: &AssetQuery) -> Condition {
    let mut c = Condition::all();
    if let Some(v) = q.site_id {
        c = c.add(asset::Column::SiteId.eq(v));
    }
    if let Some(v) = q.department_id {
        c = c.add(asset::Column::DepartmentId.eq(v));
    }
    if let Some(v) = q.model_id {
        c = c.add(asset::Column::ModelId.eq(v));
    }
    if let Some(v) = q.category {
        c = c.add(asset::Column::Category.eq(v.as_str()));
    }
    if let Some(v) = q.state {
        c = c.add(asset::Column::LifecycleState.eq(v.as_str()));
    }
    if let Some(v) = q.refresh_due_before {
        c = c.add(asset::Column::RefreshDue.lt(v));
    }
    if let Some(v) = q.warranty_end_before {
        c = c.add(asset::Column::WarrantyEnd.lt(v));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        c = c.add(search(text));
    }
    c
}

/// Case-insensitive substring search on both databases (PostgreSQL's LIKE is case-sensitive). A term
/// that parses as a MAC address in any written form is searched in its stored, normalised form.
fn search(text: &str) -> Condition {
    let needle = match text.parse::<MacAddress>() {
        Ok(mac) => mac.to_string(),
        Err(_) => text.to_lowercase(),
    };
    let escaped = needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let like = |col: asset::Column| -> SimpleExpr {
        Expr::expr(Func::lower(Expr::col(col))).like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
    };
    Condition::any()
        .add(like(asset::Column::AssetTag))
        .add(like(asset::Column::Hostname))
        .add(like(asset::Column::Serial))
        .add(like(asset::Column::MacAddresses))
        .add(like(asset::Column::AssignedUser))
}

/// Rows after the cursor in (sort value, id) order, nulls last in either direction.
fn after_cursor(q: &AssetQuery, c: &Cursor) -> AppResult<Condition> {
    let col = q.sort.column();
    let id = asset::Column::Id;
    let past_id = if q.descending { id.lt(c.id) } else { id.gt(c.id) };
    match &c.v {
        None => Ok(Condition::all().add(col.is_null()).add(past_id)),
        Some(raw) => {
            let v = q.sort.sql_value(raw).ok_or_else(|| AppError::BadRequest {
                code: "invalid_cursor",
                message: "the cursor is damaged; start again from the first page".into(),
                field: Some("cursor".into()),
            })?;
            let beyond = if q.descending { Expr::col(col).lt(v.clone()) } else { Expr::col(col).gt(v.clone()) };
            Ok(Condition::any()
                .add(beyond)
                .add(Condition::all().add(Expr::col(col).eq(v)).add(past_id))
                .add(col.is_null()))
        }
    }
}

pub async fn list<C: ConnectionTrait>(conn: &C, q: &AssetQuery) -> AppResult<AssetPage> {
    list_with(conn, &DirectReads::none(), q).await
}

/// The list, its queries on SQLite taking the direct path when `direct` has one for `conn`'s file.
pub async fn list_with<C: ConnectionTrait>(conn: &C, direct: &DirectReads, q: &AssetQuery) -> AppResult<AssetPage> {
    let limit = q.limit.clamp(1, MAX_LIMIT);
    let base = asset::Entity::find().filter(filters(q));
    let cursor = q.cursor.as_deref().map(|raw| decode_cursor(raw, q)).transpose()?;
    let total = match (cursor.as_ref().and_then(|c| c.t), direct.sqlite()) {
        (Some(t), _) => t,
        (None, Some(r)) => {
            let ids = base.clone().select_only().column(asset::Column::Id).build(DbBackend::Sqlite);
            let sql = format!("SELECT COUNT(*) FROM ({}) AS \"sub_query\"", ids.sql);
            r.count(&Statement::from_sql_and_values(
                DbBackend::Sqlite,
                sql,
                ids.values.map(|v| v.0).unwrap_or_default(),
            ))?
        }
        (None, None) => base.clone().count(conn).await?,
    };
    let mut select = base;
    if let Some(cursor) = &cursor {
        select = select.filter(after_cursor(q, cursor)?);
    }
    let order = if q.descending { Order::Desc } else { Order::Asc };
    let select = select
        .order_by_with_nulls(q.sort.column(), order.clone(), NullOrdering::Last)
        .order_by(asset::Column::Id, order)
        .limit(limit + 1);
    let rows = fetch(conn, direct, select).await?;
    let has_more = rows.len() as u64 > limit;
    let rows: Vec<asset::Model> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = match (has_more, rows.last()) {
        (true, Some(last)) => Some(encode_cursor(&Cursor {
            s: q.sort.as_str().to_string(),
            d: q.descending,
            v: q.sort.value_of(last),
            id: last.id,
            t: Some(total),
        })),
        _ => None,
    };
    let parents = parent_tags(conn, direct, &rows).await?;
    let items = rows
        .into_iter()
        .map(|m| {
            let parent = m.parent_asset_id.and_then(|p| parents.get(&p).cloned());
            AssetView::from_model(m, parent)
        })
        .collect();
    Ok(AssetPage { items, next_cursor, total })
}

/// Parent tags for a page of rows in one query.
async fn parent_tags<C: ConnectionTrait>(
    conn: &C,
    direct: &DirectReads,
    rows: &[asset::Model],
) -> AppResult<HashMap<i32, String>> {
    let ids: Vec<i32> = rows.iter().filter_map(|m| m.parent_asset_id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let parents = fetch(conn, direct, asset::Entity::find().filter(asset::Column::Id.is_in(ids))).await?;
    Ok(parents.into_iter().map(|p| (p.id, p.asset_tag)).collect())
}

async fn fetch<C: ConnectionTrait>(
    conn: &C,
    direct: &DirectReads,
    select: Select<asset::Entity>,
) -> AppResult<Vec<asset::Model>> {
    Ok(match direct.sqlite() {
        Some(r) => r.models(&select.build(DbBackend::Sqlite))?,
        None => select.all(conn).await?,
    })
}
