//! The hottest reads on SQLite (an API token, an asset by tag, a page of the asset list) through a
//! direct, synchronous connection to the same file.
//!
//! Through sqlx every SQLite query is handed to the connection's own thread and its rows handed back,
//! which on two cores costs more than the query itself: an asset by tag ran at ≈2,300 requests/s while
//! the lookup takes 14 µs (BENCHMARKS.md, HTTP). Here the query runs on the calling thread with a cached
//! prepared statement. Only reads of single rows or one page come here; they take tens of microseconds,
//! short enough to run on an async worker without starving it. Everything else, and every write, stays
//! on sea-orm; on PostgreSQL there is no direct path at all.
//!
//! Statements are built by sea-query exactly as sea-orm would build them, and values are encoded as
//! sqlx encodes them, so both paths compare the same text (dates, timestamps) and return the same
//! `Model`s: `tests/direct_reads.rs` checks that row for row.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use rusqlite::types::{FromSqlError, Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags, Row};
use sea_orm::{DatabaseConnection, DbBackend, DbErr, EntityTrait, Iterable, Statement, Value};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{api_token, asset};

/// Connections kept for reuse; more are opened under a burst and closed after it.
const KEEP: usize = 8;

/// Direct read connections to the SQLite file, or none (PostgreSQL, or an in-memory database).
#[derive(Default)]
pub struct DirectReads(Option<SqliteReader>);

pub struct SqliteReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl DirectReads {
    /// Readers for the file behind `db`, if it is an SQLite file on disk.
    pub fn for_db(db: &DatabaseConnection) -> DirectReads {
        if db.get_database_backend() != DbBackend::Sqlite {
            return DirectReads(None);
        }
        let path = db.get_sqlite_connection_pool().connect_options().get_filename().to_path_buf();
        if !path.is_file() {
            return DirectReads(None);
        }
        DirectReads(Some(SqliteReader { path, idle: Mutex::new(Vec::new()) }))
    }

    /// Never read directly: for comparing the two paths in tests, and for callers without the state.
    pub const fn none() -> DirectReads {
        DirectReads(None)
    }

    pub fn sqlite(&self) -> Option<&SqliteReader> {
        self.0.as_ref()
    }
}

impl SqliteReader {
    fn open(path: &Path) -> Result<Connection, DbErr> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(db_err)?;
        // A reader waits out a checkpoint's brief lock rather than failing the request.
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(db_err)?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, DbErr>) -> Result<T, DbErr> {
        let taken = self.idle.lock().map_err(|_| DbErr::Custom("direct reader pool poisoned".into()))?.pop();
        let conn = match taken {
            Some(c) => c,
            None => Self::open(&self.path)?,
        };
        let out = f(&conn);
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < KEEP {
                idle.push(conn);
            }
        }
        out
    }

    /// Every row of `stmt`, a `SELECT` of `M`'s columns in their declared order (as sea-orm's `find`
    /// builds it), possibly followed by `extra` more columns handed to `tail`.
    pub fn rows<M: DirectModel, X>(
        &self,
        stmt: &Statement,
        extra: usize,
        tail: impl Fn(&Row<'_>, usize) -> rusqlite::Result<X>,
    ) -> Result<Vec<(M, X)>, DbErr> {
        self.with(|conn| {
            let mut prepared = conn.prepare_cached(&stmt.sql).map_err(db_err)?;
            let width = check_columns::<M>(&prepared.column_names(), extra, &stmt.sql)?;
            let params = params(stmt)?;
            let mut rows = prepared.query(rusqlite::params_from_iter(params.iter())).map_err(db_err)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(db_err)? {
                out.push((M::from_row(row).map_err(db_err)?, tail(row, width).map_err(db_err)?));
            }
            Ok(out)
        })
    }

    /// Every row of `stmt`, a `SELECT` of exactly `M`'s columns in their declared order.
    pub fn models<M: DirectModel>(&self, stmt: &Statement) -> Result<Vec<M>, DbErr> {
        Ok(self.rows::<M, ()>(stmt, 0, |_, _| Ok(()))?.into_iter().map(|(m, ())| m).collect())
    }

    /// The single integer `stmt` answers (a count).
    pub fn count(&self, stmt: &Statement) -> Result<u64, DbErr> {
        self.with(|conn| {
            let mut prepared = conn.prepare_cached(&stmt.sql).map_err(db_err)?;
            let params = params(stmt)?;
            let n: i64 = prepared.query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0)).map_err(db_err)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }
}

/// An entity's `Model` read straight from a row whose first columns are the entity's, in order.
pub trait DirectModel: Sized {
    type Entity: EntityCount;
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self>;
}

pub trait EntityCount {
    fn column_names() -> Vec<&'static str>;
}

impl<E: EntityTrait> EntityCount for E {
    fn column_names() -> Vec<&'static str> {
        E::Column::iter().map(|c| sea_orm::IdenStatic::as_str(&c)).collect()
    }
}

/// A statement whose columns are not the model's, in order, would fill the wrong fields: refuse it.
/// Answers how many columns the model takes (where the extra ones start).
fn check_columns<M: DirectModel>(names: &[&str], extra: usize, sql: &str) -> Result<usize, DbErr> {
    let expected = M::Entity::column_names();
    if names.len() != expected.len() + extra || names.iter().zip(&expected).any(|(n, e)| n != e) {
        return Err(DbErr::Custom(format!(
            "direct read: columns {names:?} are not {expected:?} (+{extra}) in order, in: {sql}"
        )));
    }
    Ok(expected.len())
}

fn db_err(e: rusqlite::Error) -> DbErr {
    DbErr::Custom(format!("SQLite (direct read): {e}"))
}

fn params(stmt: &Statement) -> Result<Vec<SqlValue>, DbErr> {
    stmt.values.as_ref().map_or(Ok(Vec::new()), |vs| vs.0.iter().map(encode).collect())
}

/// A value as sqlx binds it on SQLite, so text comparisons (dates, timestamps) match stored values.
fn encode(v: &Value) -> Result<SqlValue, DbErr> {
    let int = |i: Option<i64>| i.map_or(SqlValue::Null, SqlValue::Integer);
    Ok(match v {
        Value::Bool(b) => int(b.map(i64::from)),
        Value::TinyInt(i) => int(i.map(i64::from)),
        Value::SmallInt(i) => int(i.map(i64::from)),
        Value::Int(i) => int(i.map(i64::from)),
        Value::BigInt(i) => int(*i),
        Value::TinyUnsigned(i) => int(i.map(i64::from)),
        Value::SmallUnsigned(i) => int(i.map(i64::from)),
        Value::Unsigned(i) => int(i.map(i64::from)),
        // A LIMIT is one of these.
        Value::BigUnsigned(Some(i)) => SqlValue::Integer(
            i64::try_from(*i).map_err(|_| DbErr::Custom(format!("direct read: {i} is too large for SQLite")))?,
        ),
        Value::BigUnsigned(None) => SqlValue::Null,
        Value::Float(f) => f.map_or(SqlValue::Null, |f| SqlValue::Real(f.into())),
        Value::Double(f) => f.map_or(SqlValue::Null, SqlValue::Real),
        Value::String(s) => s.clone().map_or(SqlValue::Null, SqlValue::Text),
        Value::ChronoDate(d) => d.map_or(SqlValue::Null, |d| SqlValue::Text(d.format("%F").to_string())),
        Value::ChronoDateTimeUtc(d) => {
            d.map_or(SqlValue::Null, |d| SqlValue::Text(d.to_rfc3339_opts(SecondsFormat::AutoSi, false)))
        }
        other => return Err(DbErr::Custom(format!("direct read: no SQLite encoding for {other:?}"))),
    })
}

fn date(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    match row.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => iso_date(t)
            .or_else(|| std::str::from_utf8(t).ok().and_then(|s| NaiveDate::parse_from_str(s, "%F").ok()))
            .map(Some)
            .ok_or_else(|| conversion(i, "a date")),
        _ => Err(conversion(i, "a date")),
    }
}

/// `YYYY-MM-DD`, the form sqlx writes, without chrono's general format parser (a list page reads 200 dates).
fn iso_date(t: &[u8]) -> Option<NaiveDate> {
    if t.len() != 10 || t[4] != b'-' || t[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        t[r].iter().try_fold(0u32, |n, &b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

fn timestamp(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match row.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(timestamp_from_text)
            .map(Some)
            .ok_or_else(|| conversion(i, "a timestamp")),
        ValueRef::Integer(s) => Utc.timestamp_opt(s, 0).single().map(Some).ok_or_else(|| conversion(i, "a timestamp")),
        _ => Err(conversion(i, "a timestamp")),
    }
}

fn required<T>(i: usize, v: rusqlite::Result<Option<T>>) -> rusqlite::Result<T> {
    v?.ok_or(rusqlite::Error::InvalidColumnType(i, "NULL".into(), rusqlite::types::Type::Null))
}

fn conversion(i: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        i,
        rusqlite::types::Type::Text,
        Box::new(FromSqlError::Other(format!("not {what}").into())),
    )
}

/// The text forms sqlx reads as a timestamp (its own writes are RFC 3339; older rows and SQL defaults
/// may use SQLite's `YYYY-MM-DD HH:MM:SS`).
fn timestamp_from_text(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    const FORMATS: [&str; 12] = [
        "%F %T%.f",
        "%F %R",
        "%F %RZ",
        "%F %R%:z",
        "%F %T%.fZ",
        "%F %T%.f%:z",
        "%FT%R",
        "%FT%RZ",
        "%FT%R%:z",
        "%FT%T%.f",
        "%FT%T%.fZ",
        "%FT%T%.f%:z",
    ];
    FORMATS.iter().find_map(|f| {
        DateTime::<FixedOffset>::parse_from_str(s, f)
            .map(|dt| dt.with_timezone(&Utc))
            .ok()
            .or_else(|| NaiveDateTime::parse_from_str(s, f).ok().map(|n| Utc.from_utc_datetime(&n)))
    })
}

impl DirectModel for asset::Model {
    type Entity = asset::Entity;
    fn from_row(r: &Row<'_>) -> rusqlite::Result<asset::Model> {
        Ok(asset::Model {
            id: r.get(0)?,
            asset_tag: r.get(1)?,
            serial: r.get(2)?,
            hostname: r.get(3)?,
            mac_addresses: r.get(4)?,
            ip_address: r.get(5)?,
            category: r.get(6)?,
            model_id: r.get(7)?,
            site_id: r.get(8)?,
            department_id: r.get(9)?,
            assigned_user: r.get(10)?,
            purchase_date: date(r, 11)?,
            purchase_cost_pence: r.get(12)?,
            supplier: r.get(13)?,
            warranty_end: date(r, 14)?,
            life_months: r.get(15)?,
            refresh_date: date(r, 16)?,
            refresh_due: date(r, 17)?,
            lifecycle_state: r.get(18)?,
            on_watts: r.get(19)?,
            sleep_watts: r.get(20)?,
            off_watts: r.get(21)?,
            parent_asset_id: r.get(22)?,
            usage_profile_id: r.get(23)?,
            notes: r.get(24)?,
            created_at: required(25, timestamp(r, 25))?,
            updated_at: required(26, timestamp(r, 26))?,
        })
    }
}

impl DirectModel for api_token::Model {
    type Entity = api_token::Entity;
    fn from_row(r: &Row<'_>) -> rusqlite::Result<api_token::Model> {
        Ok(api_token::Model {
            id: r.get(0)?,
            name: r.get(1)?,
            token_hash: r.get(2)?,
            prefix: r.get(3)?,
            role: r.get(4)?,
            user_id: r.get(5)?,
            created_by: r.get(6)?,
            created_at: required(7, timestamp(r, 7))?,
            expires_at: required(8, timestamp(r, 8))?,
            last_used_at: timestamp(r, 9)?,
            revoked_at: timestamp(r, 10)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_the_forms_sqlx_writes_and_sqlite_defaults_use() {
        let at = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap();
        assert_eq!(timestamp_from_text("2026-03-29T01:30:00+00:00"), Some(at));
        assert_eq!(timestamp_from_text("2026-03-29T02:30:00+01:00"), Some(at));
        assert_eq!(timestamp_from_text("2026-03-29 01:30:00"), Some(at));
        assert_eq!(timestamp_from_text("2026-03-29 01:30"), Some(at));
        assert_eq!(
            timestamp_from_text("2026-03-29T01:30:00.250+00:00"),
            Some(at + chrono::Duration::milliseconds(250))
        );
        assert_eq!(timestamp_from_text("29/03/2026"), None);
    }

    #[test]
    fn iso_dates_read_fast_and_strictly() {
        assert_eq!(iso_date(b"2024-03-31"), NaiveDate::from_ymd_opt(2024, 3, 31));
        assert_eq!(iso_date(b"2024-02-30"), None);
        assert_eq!(iso_date(b"2024-3-31"), None);
        assert_eq!(iso_date(b"2024/03/31"), None);
        assert_eq!(iso_date(b"20a4-03-31"), None);
    }

    #[test]
    fn values_are_bound_as_sqlx_binds_them() {
        let at = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap() + chrono::Duration::microseconds(5);
        assert_eq!(
            encode(&Value::ChronoDateTimeUtc(Some(at))).unwrap(),
            SqlValue::Text("2026-03-29T01:30:00.000005+00:00".into())
        );
        assert_eq!(
            encode(&Value::ChronoDate(NaiveDate::from_ymd_opt(2024, 3, 31))).unwrap(),
            SqlValue::Text("2024-03-31".into())
        );
        assert_eq!(encode(&Value::Int(None)).unwrap(), SqlValue::Null);
        assert_eq!(encode(&Value::Bool(Some(true))).unwrap(), SqlValue::Integer(1));
        assert!(encode(&Value::Bytes(Some(vec![1]))).is_err());
    }
}
