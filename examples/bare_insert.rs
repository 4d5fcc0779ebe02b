//! The import benchmark's baseline: the same CSV rows put into the same `asset` table by the plainest
//! route there is — read with the csv crate, no checks, no references resolved, no audit, multi-row
//! INSERTs of 500 rows in one transaction on raw sqlx. `greenict import` is compared with this.
//! Usage: bare_insert FILE.csv DATA_DIR

use greenict::store::connect;
use sea_orm::sqlx::{self, QueryBuilder, Sqlite};

const COLUMNS: &str = "asset_tag, serial, hostname, mac_addresses, ip_address, category, assigned_user, \
    purchase_date, purchase_cost_pence, supplier, warranty_end, lifecycle_state, created_at, updated_at";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (file, dir) = (&args[1], std::path::Path::new(&args[2]));
    std::fs::create_dir_all(dir).expect("data dir");
    let url = format!("sqlite://{}?mode=rwc", dir.join("greenict.sqlite").display());
    let db = connect::connect(&url, None).await.expect("open");
    connect::migrate(&db).await.expect("migrate");
    let pool = db.get_sqlite_connection_pool().clone();
    let mut reader = csv::Reader::from_path(file).expect("csv");
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    let now = chrono::Utc::now();
    let mut tx = pool.begin().await.expect("begin");
    for chunk in records.chunks(500) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!("INSERT INTO asset ({COLUMNS}) "));
        q.push_values(chunk, |mut b, r| {
            let pence: i64 = r[12].replace('.', "").parse().unwrap_or(0);
            b.push_bind(&r[0])
                .push_bind(&r[6])
                .push_bind(&r[7])
                .push_bind(&r[8])
                .push_bind(&r[9])
                .push_bind(&r[1])
                .push_bind(&r[10])
                .push_bind(&r[11])
                .push_bind(pence)
                .push_bind(&r[13])
                .push_bind(&r[14])
                .push_bind(&r[17])
                .push_bind(now)
                .push_bind(now);
        });
        q.build().execute(&mut *tx).await.expect("insert");
    }
    tx.commit().await.expect("commit");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM asset").fetch_one(&pool).await.expect("count");
    println!("{n} rows");
}
