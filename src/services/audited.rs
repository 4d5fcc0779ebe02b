//! The steps that sites, departments, network segments and models share: find a row by id (or say it
//! is not found), and insert, update or delete it with its audit event in the caller's transaction.
//! Each entity's module keeps what is its own: validation, uniqueness and in-use checks, its view.
//! Depends on the store's entities (through sea-orm's traits) and on `audit`.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, Iterable, ModelTrait,
    PrimaryKeyToColumn, PrimaryKeyTrait,
};
use serde::Serialize;

use super::audit::{self, Action};
use super::{unique_violation, Actor};
use crate::error::{AppError, AppResult};

/// A row of the register whose every change is recorded in the audit trail.
pub trait Audited: ModelTrait + Send + Sync {
    /// Its name in audit events and "not found" errors, e.g. `"site"`.
    const ENTITY: &'static str;
    /// What the API shows, and what an audit event records before and after.
    type View: From<Self> + Serialize;

    fn id(&self) -> i32;

    /// Stamps the row as changed at `now`.
    fn touch(&mut self, now: DateTime<Utc>);

    /// Said when the database refuses the row as a duplicate of another: two requests raced past the
    /// module's own check. The error names the `name` field.
    fn duplicate_message(&self) -> String;
}

type ActiveModelOf<M> = <<M as ModelTrait>::Entity as EntityTrait>::ActiveModel;
type IdOf<M> = <<<M as ModelTrait>::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType;

/// The row with this id, or a 404 naming the entity.
pub async fn find<M, C>(conn: &C, id: i32) -> AppResult<M>
where
    M: Audited,
    M::Entity: EntityTrait<Model = M>,
    IdOf<M>: From<i32>,
    C: ConnectionTrait,
{
    M::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::not_found(M::ENTITY, id))
}

/// Inserts `row` as a new record (the database picks its id) and records its creation.
pub async fn insert<M>(txn: &DatabaseTransaction, actor: &Actor, row: M) -> AppResult<M::View>
where
    M: Audited + IntoActiveModel<ActiveModelOf<M>>,
    M::Entity: EntityTrait<Model = M>,
    ActiveModelOf<M>: Send,
{
    let duplicate = row.duplicate_message();
    let mut new = row.into_active_model().reset_all();
    for key in <M::Entity as EntityTrait>::PrimaryKey::iter() {
        new.not_set(key.into_column());
    }
    let saved = new.insert(txn).await.map_err(|e| unique_violation(e, "name", duplicate))?;
    let id = saved.id();
    let view = M::View::from(saved);
    audit::record(txn, actor, Action::Create, M::ENTITY, id, None, Some(&view)).await?;
    Ok(view)
}

/// Saves `after` over `before`, stamping it as changed now, and records the change.
pub async fn update<M>(txn: &DatabaseTransaction, actor: &Actor, before: M, mut after: M) -> AppResult<M::View>
where
    M: Audited + IntoActiveModel<ActiveModelOf<M>>,
    M::Entity: EntityTrait<Model = M>,
    ActiveModelOf<M>: Send,
{
    after.touch(Utc::now());
    let duplicate = after.duplicate_message();
    let saved =
        after.into_active_model().reset_all().update(txn).await.map_err(|e| unique_violation(e, "name", duplicate))?;
    let id = saved.id();
    let (before, after) = (M::View::from(before), M::View::from(saved));
    audit::record(txn, actor, Action::Update, M::ENTITY, id, Some(&before), Some(&after)).await?;
    Ok(after)
}

/// [`update`], unless the changes left the row as it was: then nothing is written and no event is
/// recorded. Returns the row's view and whether it changed.
pub async fn update_if_changed<M>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    before: M,
    after: M,
) -> AppResult<(M::View, bool)>
where
    M: Audited + PartialEq + IntoActiveModel<ActiveModelOf<M>>,
    M::Entity: EntityTrait<Model = M>,
    ActiveModelOf<M>: Send,
{
    if after == before {
        return Ok((M::View::from(before), false));
    }
    update(txn, actor, before, after).await.map(|view| (view, true))
}

/// Deletes the row and records what it was.
pub async fn delete<M>(txn: &DatabaseTransaction, actor: &Actor, row: M) -> AppResult<()>
where
    M: Audited + IntoActiveModel<ActiveModelOf<M>>,
    M::Entity: EntityTrait<Model = M>,
    ActiveModelOf<M>: Send,
{
    let id = row.id();
    row.clone().delete(txn).await?;
    audit::record(txn, actor, Action::Delete, M::ENTITY, id, Some(&M::View::from(row)), None).await?;
    Ok(())
}
