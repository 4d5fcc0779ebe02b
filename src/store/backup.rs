//! `greenict backup` and `greenict restore`: a consistent copy of the SQLite database and the documents
//! directory while the service runs, and putting one back.
//!
//! SQLite's `VACUUM INTO` writes a transactionally consistent snapshot of the live database (readers and
//! the writer carry on). Documents are copied after the snapshot: a document is written before the row
//! naming it commits, so every document the snapshot names is already on disk. PostgreSQL is backed up
//! with its own tools (`pg_dump`), which do the same job better than we could.

use std::path::{Path, PathBuf};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

pub const DB_FILE: &str = "greenict.sqlite";
pub const DOCUMENTS: &str = "documents";

pub struct BackupReport {
    pub dir: PathBuf,
    pub db_bytes: u64,
    pub documents: usize,
}

impl std::fmt::Display for BackupReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "backup written to {}: database {} bytes, {} document(s); restore with `greenict restore --from {}`",
            self.dir.display(),
            self.db_bytes,
            self.documents,
            self.dir.display()
        )
    }
}

pub async fn backup(db: &DatabaseConnection, data_dir: &Path, out: &Path) -> Result<BackupReport, String> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err("backup copies the embedded SQLite database; for PostgreSQL use pg_dump (see README)".into());
    }
    if out.join(DB_FILE).exists() {
        return Err(format!("{} already holds a backup; choose a new directory", out.display()));
    }
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let target = out.join(DB_FILE);
    let path = target.to_str().ok_or("the backup path must be valid UTF-8")?;
    db.execute_unprepared(&format!("VACUUM INTO '{}'", path.replace('\'', "''")))
        .await
        .map_err(|e| format!("copying the database: {e}"))?;
    check_integrity(&target).await?;
    let documents = copy_tree(&data_dir.join(DOCUMENTS), &out.join(DOCUMENTS))?;
    let db_bytes = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
    Ok(BackupReport { dir: out.to_path_buf(), db_bytes, documents })
}

/// Puts a backup in place of the data directory's database and documents. The service must be stopped;
/// what was there is kept beside it, renamed with `.before-restore`.
pub async fn restore(from: &Path, data_dir: &Path) -> Result<String, String> {
    let source = from.join(DB_FILE);
    if !source.exists() {
        return Err(format!("{} holds no {DB_FILE}: not a greenict backup", from.display()));
    }
    check_integrity(&source).await?;
    std::fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let live = data_dir.join(DB_FILE);
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut kept = Vec::new();
    for name in [DB_FILE.to_string(), format!("{DB_FILE}-wal"), format!("{DB_FILE}-shm"), DOCUMENTS.to_string()] {
        let p = data_dir.join(&name);
        if p.exists() {
            let aside = data_dir.join(format!("{name}.before-restore-{stamp}"));
            std::fs::rename(&p, &aside).map_err(|e| format!("cannot move {} aside: {e}", p.display()))?;
            kept.push(aside.display().to_string());
        }
    }
    std::fs::copy(&source, &live).map_err(|e| format!("cannot copy the database: {e}"))?;
    let documents = copy_tree(&from.join(DOCUMENTS), &data_dir.join(DOCUMENTS))?;
    Ok(format!(
        "restored {} and {documents} document(s) into {}{}",
        DB_FILE,
        data_dir.display(),
        if kept.is_empty() { String::new() } else { format!("; the previous files were kept as {}", kept.join(", ")) }
    ))
}

async fn check_integrity(file: &Path) -> Result<(), String> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let copy = sea_orm::Database::connect(&url).await.map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    let row = copy
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA integrity_check"))
        .await
        .map_err(|e| format!("checking {}: {e}", file.display()))?;
    let verdict: String = row.and_then(|r| r.try_get_by_index(0).ok()).unwrap_or_default();
    let _ = copy.close().await;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(format!("{} failed SQLite's integrity check: {verdict}", file.display()))
    }
}

/// Copies a directory tree; a missing source is an empty one. Returns the number of files copied.
fn copy_tree(from: &Path, to: &Path) -> Result<usize, String> {
    if !from.exists() {
        return Ok(0);
    }
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let mut n = 0;
    for entry in std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            n += copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).map_err(|e| format!("cannot copy {}: {e}", src.display()))?;
            n += 1;
        }
    }
    Ok(n)
}
