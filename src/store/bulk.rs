//! Many rows at once: multi-row INSERT statements with the values bound, written out directly rather
//! than through sea-orm's per-row query building, which dominated a 100,000-asset import's time
//! (BENCHMARKS.md); and rows that differ only in one id column, sent as one JSON array of ids per
//! statement (the scheduler's planned actions). Works on SQLite and PostgreSQL alike.

use sea_orm::{
    ActiveModelTrait, ActiveValue, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, IdenStatic,
    Iterable, PrimaryKeyToColumn, Statement, Value,
};

/// SQLite allows 32,766 bound values in a statement and PostgreSQL 65,535; stay well inside both.
const MAX_VALUES_PER_STATEMENT: usize = 30_000;

/// Inserts the models, every column but the auto-increment primary key, which the database assigns.
/// Every model must have each of those columns set.
pub async fn insert_all<E, C>(conn: &C, models: Vec<E::ActiveModel>) -> Result<u64, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    insert_rows::<E, C>(conn, models, "INSERT INTO", "").await
}

/// [`insert_all`] inside a transaction that is rolled back whole if any statement fails (the type
/// says so: only a transaction can be passed). On SQLite each statement is `INSERT OR FAIL`: a failing
/// statement keeps the rows it had already added instead of undoing them, which SQLite would otherwise
/// prepare for by copying every page the statement touches into a statement journal first (148,000 pages,
/// ≈600 MB of temporary-file writes, for a 100,000-asset import; BENCHMARKS.md, issue 3). The transaction's rollback
/// undoes them anyway. Foreign keys checked statement by statement need that journal all the same, so
/// the import writes on a connection that checks them once before commit ([`super::connect::bulk_writer`]).
pub async fn insert_all_in<E>(txn: &DatabaseTransaction, models: Vec<E::ActiveModel>) -> Result<u64, DbErr>
where
    E: EntityTrait,
{
    let rows = models.len() as u64;
    run(txn, insert_all_in_statements::<E>(txn.get_database_backend(), models)?).await?;
    Ok(rows)
}

/// [`insert_all`], skipping rows that clash with a unique key on `conflict_columns`
/// (`ON CONFLICT (...) DO NOTHING`, the same on SQLite and PostgreSQL). Returns the rows actually inserted.
pub async fn insert_all_or_ignore<E, C>(
    conn: &C,
    models: Vec<E::ActiveModel>,
    conflict_columns: &[E::Column],
) -> Result<u64, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let cols: Vec<String> = conflict_columns.iter().map(|c| quote(c.as_str())).collect();
    insert_rows::<E, C>(conn, models, "INSERT INTO", &format!(" ON CONFLICT ({}) DO NOTHING", cols.join(", "))).await
}

async fn insert_rows<E, C>(conn: &C, models: Vec<E::ActiveModel>, verb: &str, suffix: &str) -> Result<u64, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut inserted = 0;
    for (rows, statement) in statements::<E>(conn.get_database_backend(), models, verb, suffix)? {
        let done = conn.execute_raw(statement).await?;
        inserted += if suffix.is_empty() { rows as u64 } else { done.rows_affected() };
    }
    Ok(inserted)
}

/// The statements [`insert_all_in`] runs, built ahead so a caller can build the next rows' while the
/// database writes the last ones (run them with [`run`], in the same kind of transaction).
pub fn insert_all_in_statements<E: EntityTrait>(
    backend: DbBackend,
    models: Vec<E::ActiveModel>,
) -> Result<Vec<Statement>, DbErr> {
    Ok(statements::<E>(backend, models, insert_in_transaction(backend), "")?.into_iter().map(|(_, s)| s).collect())
}

/// How [`insert_all_in`] and the statements built for it begin: `INSERT OR FAIL INTO` on SQLite.
pub(crate) fn insert_in_transaction(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Sqlite => "INSERT OR FAIL INTO",
        _ => "INSERT INTO",
    }
}

/// Runs statements built ahead, in order.
pub async fn run(txn: &DatabaseTransaction, statements: Vec<Statement>) -> Result<(), DbErr> {
    for s in statements {
        txn.execute_raw(s).await?;
    }
    Ok(())
}

/// Multi-row INSERTs of the models, each with the number of rows it holds.
fn statements<E: EntityTrait>(
    backend: DbBackend,
    models: Vec<E::ActiveModel>,
    verb: &str,
    suffix: &str,
) -> Result<Vec<(usize, Statement)>, DbErr> {
    let primary: Vec<String> = E::PrimaryKey::iter().map(|k| k.into_column().as_str().to_string()).collect();
    let columns: Vec<E::Column> = E::Column::iter().filter(|c| !primary.contains(&c.as_str().to_string())).collect();
    let per_statement = (MAX_VALUES_PER_STATEMENT / columns.len().max(1)).max(1);
    let head = format!(
        "{verb} {} ({}) VALUES ",
        quote(E::default().table_name()),
        columns.iter().map(|c| quote(c.as_str())).collect::<Vec<_>>().join(", ")
    );
    let mut models = models.into_iter().peekable();
    let mut out = Vec::new();
    while models.peek().is_some() {
        let mut values: Vec<Value> = Vec::with_capacity(per_statement * columns.len());
        let mut rows = 0;
        for mut am in models.by_ref().take(per_statement) {
            for c in &columns {
                match am.take(*c) {
                    ActiveValue::Set(v) | ActiveValue::Unchanged(v) => values.push(v),
                    ActiveValue::NotSet => {
                        return Err(DbErr::Custom(format!("bulk insert: column {} not set", c.as_str())))
                    }
                }
            }
            rows += 1;
        }
        let sql = format!("{head}{}{suffix}", placeholders(backend, rows, columns.len()));
        out.push((rows, Statement::from_sql_and_values(backend, sql, values)));
    }
    Ok(out)
}

/// The ids sent in one statement by [`insert_each_or_ignore`]: about 700 KB of JSON at 100,000.
const IDS_PER_STATEMENT: usize = 100_000;

/// Inserts one row per id in `ids`: `id_column` takes the id and every other column the same value from
/// `constants`; rows that clash with a unique key on `conflict_columns` are skipped. The ids travel as
/// one JSON array per statement, unpacked by the database (`json_each` on SQLite,
/// `json_array_elements_text` on PostgreSQL), so a row costs only its insert: no per-row values to
/// build, bind or format, which is where a multi-row INSERT of the same rows spent most of its time
/// (BENCHMARKS.md, issue 5). Returns the rows actually inserted.
pub async fn insert_each_or_ignore<E, C>(
    conn: &C,
    id_column: E::Column,
    ids: &[i32],
    constants: Vec<(E::Column, Value)>,
    conflict_columns: &[E::Column],
) -> Result<u64, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let backend = conn.get_database_backend();
    let mut columns = vec![quote(id_column.as_str())];
    columns.extend(constants.iter().map(|(c, _)| quote(c.as_str())));
    let mut select = Vec::with_capacity(columns.len());
    select.push(match backend {
        DbBackend::Postgres => "CAST(value AS integer)".to_string(),
        _ => "value".to_string(),
    });
    for n in 1..=constants.len() {
        select.push(placeholder(backend, n));
    }
    let ids_param = placeholder(backend, constants.len() + 1);
    let from = match backend {
        DbBackend::Postgres => format!("json_array_elements_text(CAST({ids_param} AS json))"),
        _ => format!("json_each({ids_param})"),
    };
    let conflict: Vec<String> = conflict_columns.iter().map(|c| quote(c.as_str())).collect();
    // `WHERE true` keeps SQLite from reading ON CONFLICT as a join's ON clause (its documented parsing
    // ambiguity for INSERT ... SELECT ... ON CONFLICT).
    let sql = format!(
        "INSERT INTO {} ({}) SELECT {} FROM {from} WHERE true ON CONFLICT ({}) DO NOTHING",
        quote(E::default().table_name()),
        columns.join(", "),
        select.join(", "),
        conflict.join(", ")
    );
    let mut inserted = 0;
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let json = serde_json::to_string(chunk).map_err(|e| DbErr::Custom(format!("ids as JSON: {e}")))?;
        let mut values: Vec<Value> = constants.iter().map(|(_, v)| v.clone()).collect();
        values.push(json.into());
        inserted +=
            conn.execute_raw(Statement::from_sql_and_values(backend, sql.clone(), values)).await?.rows_affected();
    }
    Ok(inserted)
}

pub(crate) fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_string(),
    }
}

pub(crate) fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// `(?, ?), (?, ?)` for SQLite; `($1, $2), ($3, $4)` for PostgreSQL.
fn placeholders(backend: DbBackend, rows: usize, columns: usize) -> String {
    placeholders_after(backend, 0, rows, columns)
}

/// [`placeholders`] for values that follow `before` others in the statement (PostgreSQL numbers them).
pub(crate) fn placeholders_after(backend: DbBackend, before: usize, rows: usize, columns: usize) -> String {
    let mut s = String::with_capacity(rows * columns * 5);
    let mut n = before;
    for r in 0..rows {
        s.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                s.push_str(", ");
            }
            n += 1;
            match backend {
                DbBackend::Postgres => {
                    s.push('$');
                    s.push_str(&n.to_string());
                }
                _ => s.push('?'),
            }
        }
        s.push(')');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_per_backend() {
        assert_eq!(placeholders(DbBackend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(placeholders(DbBackend::Postgres, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders_after(DbBackend::Postgres, 5, 1, 2), "($6, $7)");
    }
}
