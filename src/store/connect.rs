//! Opening the database: an SQLite file in the data directory (created on first start) or PostgreSQL.

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use std::time::Duration;

/// The database handle shared by every request; cheap to clone.
pub type Store = DatabaseConnection;

/// Connects to `url`. For PostgreSQL, `schema` sets the search path (tests give each test its own).
pub async fn connect(url: &str, schema: Option<&str>) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        // WAL lets readers carry on while one writer writes; the busy timeout queues writers
        // instead of failing them. A file connection cannot be dropped by a server or a firewall, so
        // the pool does not ping it before each use (a round trip to SQLite's worker thread per query).
        opts.max_connections(8).test_before_acquire(false).map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // A larger page cache (KiB when negative; SQLite's default is 2 MiB) keeps a big import's
                // index pages in memory instead of spilling them to the WAL and reading them back.
                .pragma("cache_size", "-32768")
                // SQLite runs on its own thread and hands rows over through a channel this many deep; at
                // sqlx's 50 a long read (the energy estimate's 100,000 assets) switched threads every few
                // rows (BENCHMARKS.md, energy).
                .row_buffer_size(4096)
        });
    } else {
        // Ping only a connection idle long enough for a server, proxy or firewall to have dropped it,
        // not every connection on every checkout.
        opts.max_connections(16).test_before_acquire_if_idle_for(Duration::from_secs(30));
        if let Some(s) = schema {
            opts.set_schema_search_path(s.to_string());
        }
    }
    Database::connect(opts).await
}

/// Applies pending migrations, then seeds the energy reference data not yet seeded (see `energy_seed`).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await?;
    super::energy_seed::seed(db).await
}

/// Names of migrations this build knows but the database has not applied.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.iter().map(|m| m.name().to_string()).collect())
}

pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}

pub fn is_postgres(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// Refreshes the query planner's statistics after a bulk load. Without them SQLite pages a filtered
/// list by scanning a whole site's rows and sorting them (≈20 ms at 100,000 assets) instead of walking
/// the sort's index (<1 ms): BENCHMARKS.md, HTTP.
pub async fn analyze(db: &DatabaseConnection) -> Result<(), DbErr> {
    // The asset table is the one lists filter and sort; analysing only it costs ≈0.2 s at 100,000 rows.
    db.execute_unprepared("ANALYZE asset").await?;
    drop_value_samples(db).await
}

/// The tables the direct read path looks up by a bound value on every request.
const DIRECT_READ_TABLES: &str = "'asset', 'api_token'";

/// Keeps the per-table statistics (`sqlite_stat1`) and, for the tables read on every request, drops the
/// samples of indexed values (`sqlite_stat4`) that ANALYZE also writes in this build of SQLite. With
/// samples, a statement whose plan looked at a bound value is marked to be compiled again each time a
/// value is bound, so even a cached `asset_tag = ?` lookup re-parsed its SQL on every request (half its
/// cost: BENCHMARKS.md, HTTP). Those tables' indexes are unique or evenly spread, where the per-table
/// figures choose the plan. Other tables keep their samples: without them the scheduler's first tick
/// on a just-emptied `power_action` took three times as long (BENCHMARKS.md, power scheduling).
async fn drop_value_samples(db: &DatabaseConnection) -> Result<(), DbErr> {
    if is_postgres(db) {
        return Ok(());
    }
    let has_samples = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat4'",
        ))
        .await?
        .is_some();
    if has_samples {
        db.execute_unprepared(&format!("DELETE FROM sqlite_stat4 WHERE tbl IN ({})", DIRECT_READ_TABLES)).await?;
    }
    Ok(())
}

/// At start: SQLite analyses the tables whose statistics are missing or stale (cheap when they are
/// current). PostgreSQL's autovacuum keeps its own.
pub async fn optimize(db: &DatabaseConnection) -> Result<(), DbErr> {
    if is_postgres(db) {
        return Ok(());
    }
    db.execute_unprepared("PRAGMA optimize=0x10002").await?;
    drop_value_samples(db).await
}

/// A connection of its own for one large all-or-nothing write (an import). On SQLite it does not check
/// foreign keys statement by statement: SQLite checks them before each row but must then be able to undo
/// a multi-row statement halfway, so it copies every page such a statement touches into a statement
/// journal first, most of a bulk insert's disk writes. The writer checks them all at once instead with
/// [`check_foreign_keys`] before it commits. Close it when done. On PostgreSQL it is the shared pool.
pub async fn bulk_writer(db: &DatabaseConnection) -> Result<DatabaseConnection, DbErr> {
    if is_postgres(db) {
        return Ok(db.clone());
    }
    let options = (*db.get_sqlite_connection_pool().connect_options()).clone().foreign_keys(false);
    let pool = sea_orm::sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(e))))?;
    Ok(sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// On a [`bulk_writer`]'s transaction before it commits: an error naming the first row of `table` whose
/// foreign key points at nothing. PostgreSQL has checked every row already.
pub async fn check_foreign_keys<C: ConnectionTrait>(conn: &C, table: &str) -> Result<(), DbErr> {
    if conn.get_database_backend() == DbBackend::Postgres {
        return Ok(());
    }
    let sql = format!("PRAGMA foreign_key_check(\"{table}\")");
    match conn.query_one_raw(Statement::from_string(DbBackend::Sqlite, sql)).await? {
        None => Ok(()),
        Some(row) => {
            let id: i64 = row.try_get_by_index(1).unwrap_or_default();
            let parent: String = row.try_get_by_index(2).unwrap_or_default();
            Err(DbErr::Custom(format!("{table} {id} refers to a row of {parent} that does not exist")))
        }
    }
}

/// Starting a transaction that will write.
///
/// On SQLite, `BEGIN IMMEDIATE` takes the write lock at the start. A plain (deferred) transaction that
/// reads first and then writes cannot wait for the lock: if another connection (the scheduler's tick, say)
/// is writing at that moment, SQLite answers "database is locked" at once instead of applying the busy
/// timeout, and the user's change fails. On PostgreSQL this is a plain `BEGIN`.
pub trait BeginWrite {
    fn begin_write(&self) -> impl std::future::Future<Output = Result<DatabaseTransaction, DbErr>> + Send;
}

impl BeginWrite for DatabaseConnection {
    fn begin_write(&self) -> impl std::future::Future<Output = Result<DatabaseTransaction, DbErr>> + Send {
        self.begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
    }
}
