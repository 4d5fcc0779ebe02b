//! Many rows at once: multi-row INSERT statements with the values bound, written out directly rather
//! than through sea-orm's per-row query building, which dominated a 100,000-asset import's time
//! (BENCHMARKS.md). Works on SQLite and PostgreSQL alike.

use sea_orm::{
    ActiveModelTrait, ActiveValue, ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic, Iterable,
    PrimaryKeyToColumn, Statement, Value,
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
    insert_with_suffix::<E, C>(conn, models, "").await
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
    insert_with_suffix::<E, C>(conn, models, &format!(" ON CONFLICT ({}) DO NOTHING", cols.join(", "))).await
}

async fn insert_with_suffix<E, C>(conn: &C, models: Vec<E::ActiveModel>, suffix: &str) -> Result<u64, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let primary: Vec<String> = E::PrimaryKey::iter().map(|k| k.into_column().as_str().to_string()).collect();
    let columns: Vec<E::Column> = E::Column::iter().filter(|c| !primary.contains(&c.as_str().to_string())).collect();
    let per_statement = (MAX_VALUES_PER_STATEMENT / columns.len().max(1)).max(1);
    let backend = conn.get_database_backend();
    let head = format!(
        "INSERT INTO {} ({}) VALUES ",
        quote(E::default().table_name()),
        columns.iter().map(|c| quote(c.as_str())).collect::<Vec<_>>().join(", ")
    );
    let mut models = models.into_iter().peekable();
    let mut inserted = 0;
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
        let done = conn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
        inserted += if suffix.is_empty() { rows as u64 } else { done.rows_affected() };
    }
    Ok(inserted)
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// `(?, ?), (?, ?)` for SQLite; `($1, $2), ($3, $4)` for PostgreSQL.
fn placeholders(backend: DbBackend, rows: usize, columns: usize) -> String {
    let mut s = String::with_capacity(rows * columns * 5);
    let mut n = 0;
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
    }
}
