//! Opening the database: an SQLite file in the data directory (created on first start) or PostgreSQL.

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};
use std::time::Duration;

/// The database handle shared by every request; cheap to clone.
pub type Store = DatabaseConnection;

/// Connects to `url`. For PostgreSQL, `schema` sets the search path (tests give each test its own).
pub async fn connect(url: &str, schema: Option<&str>) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        // WAL lets readers carry on while one writer writes; the busy timeout queues writers
        // instead of failing them.
        opts.max_connections(8).map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // A larger page cache (KiB when negative; SQLite's default is 2 MiB) keeps a big import's
                // index pages in memory instead of spilling them to the WAL and reading them back.
                .pragma("cache_size", "-32768")
        });
    } else {
        opts.max_connections(16);
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
