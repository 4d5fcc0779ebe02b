//! A change that reads before it writes must wait for another connection's write, not fail. On SQLite a
//! deferred transaction that has read cannot wait for the write lock: it gets "database is locked" at once
//! (this is what made the background scheduler's test fail now and then, and would fail an officer's
//! edit while the scheduler ticks). Services therefore begin their transactions with
//! `store::BeginWrite::begin_write` (BEGIN IMMEDIATE on SQLite). Real database, real second connection.

mod common;

use greenict::domain::Patch;
use greenict::services::sites::{self, SiteChanges};
use greenict::services::Actor;
use greenict::store::BeginWrite;
use sea_orm::{ConnectionTrait, TransactionTrait};
use std::time::Duration;

#[rocket::async_test]
async fn a_change_waits_for_another_writer_instead_of_failing() {
    let (db, _backend, _dir) = common::fresh_db().await;
    let named = |n: &str| SiteChanges { name: Patch::Value(n.into()), ..Default::default() };
    // The other writer: a transaction holding the write lock (it has written) for a while.
    let other = db.begin_write().await.unwrap();
    sites::create_in(&other, &Actor::system(), named("Depot")).await.unwrap();
    let change = {
        let db = db.clone();
        tokio::spawn(async move { sites::create(&db, &Actor::system(), named("Civic Offices")).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sqlite = db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    if sqlite {
        // SQLite has one writer at a time; PostgreSQL lets both go ahead (they touch different rows).
        assert!(!change.is_finished(), "the change waits while the other transaction holds the lock");
    }
    other.commit().await.unwrap();
    let created = change.await.unwrap().expect("the change goes through once the other writer is done");
    assert_eq!(created.name, "Civic Offices");
    let n = db
        .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) AS n FROM site"))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(n, 2);
    // A plain deferred transaction that reads, then writes while another holds the lock, fails at once on
    // SQLite: the reason for begin_write. (PostgreSQL waits on row locks only, so it has nothing to show.)
    if sqlite {
        let other = db.begin_write().await.unwrap();
        sites::create_in(&other, &Actor::system(), named("Library")).await.unwrap();
        let deferred = db.begin().await.unwrap();
        deferred.execute_unprepared("SELECT COUNT(*) FROM site").await.unwrap();
        let started = std::time::Instant::now();
        let err = deferred.execute_unprepared("DELETE FROM bank_holiday WHERE date = '2099-01-01'").await;
        assert!(err.is_err(), "a read transaction cannot take the write lock while another holds it");
        assert!(started.elapsed() < Duration::from_secs(5), "and it fails at once, without the busy timeout");
        drop(deferred);
        other.commit().await.unwrap();
    }
}
