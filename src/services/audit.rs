//! The audit trail: every create, change and delete writes one event in the caller's transaction.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, NotSet, QueryFilter,
    QueryOrder, Set, Statement, Value,
};
use serde::Serialize;

use super::Actor;
use crate::error::AppResult;
use crate::store::audit_event;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    /// A whole file imported: one event for the file, beside the events for each record it changed.
    Import,
    /// Someone signed in (failures are counted for throttling, not audited one by one).
    SignIn,
    /// An API token was issued or revoked.
    Revoke,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Import => "import",
            Action::SignIn => "sign_in",
            Action::Revoke => "revoke",
        }
    }
}

pub async fn record<C: ConnectionTrait, T: Serialize>(
    conn: &C,
    actor: &Actor,
    action: Action,
    entity_type: &str,
    entity_id: impl ToString,
    before: Option<&T>,
    after: Option<&T>,
) -> AppResult<()> {
    let json = |v: Option<&T>| v.map(|v| serde_json::to_string(v).unwrap_or_default());
    audit_event::ActiveModel {
        id: NotSet,
        occurred_at: Set(Utc::now()),
        actor: Set(actor.name.clone()),
        actor_kind: Set(actor.kind.as_str().to_string()),
        action: Set(action.as_str().to_string()),
        entity_type: Set(entity_type.to_string()),
        entity_id: Set(entity_id.to_string()),
        before_json: Set(json(before)),
        after_json: Set(json(after)),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// An event for [`record_many`]: the JSON is already written, so a caller can build many cheaply.
pub struct NewEvent {
    pub action: Action,
    pub entity_type: &'static str,
    pub entity_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// Writes many events in a few statements (imports of thousands of records), in the caller's transaction.
pub async fn record_many<C: ConnectionTrait>(conn: &C, actor: &Actor, events: Vec<NewEvent>) -> AppResult<()> {
    for rows in event_rows(actor, events) {
        crate::store::bulk::insert_all::<audit_event::Entity, _>(conn, rows).await?;
    }
    Ok(())
}

/// [`record_many`] in a transaction rolled back whole on any error (see `store::bulk::insert_all_in`).
pub async fn record_many_in(txn: &DatabaseTransaction, actor: &Actor, events: Vec<NewEvent>) -> AppResult<()> {
    for rows in event_rows(actor, events) {
        crate::store::bulk::insert_all_in::<audit_event::Entity>(txn, rows).await?;
    }
    Ok(())
}

/// Statements recording a `create` event for each new row of `table` named by its unique text column
/// `key` (an asset's tag), with its after-JSON. The database looks each row's id up by its key, so the
/// statements can be built before the rows are written: an import builds the next chunk's while the last
/// one is written. Run them with `store::bulk::run` after the rows, in a transaction rolled back whole
/// on any error (on SQLite each is `INSERT OR FAIL`, see `store::bulk::insert_all_in`).
pub fn created_by_key(
    backend: DbBackend,
    actor: &Actor,
    entity_type: &str,
    table: &str,
    key: &str,
    rows: Vec<(String, String)>,
) -> Vec<Statement> {
    use crate::store::bulk::{insert_in_transaction, placeholder, placeholders_after, quote};
    let verb = insert_in_transaction(backend);
    let now = Utc::now();
    let mut statements = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<(String, String)> = rows.by_ref().take(5_000).collect();
        let constants = (1..=5).map(|n| placeholder(backend, n)).collect::<Vec<_>>().join(", ");
        // A VALUES list's columns are column1, column2, ... on SQLite and PostgreSQL alike.
        let sql = format!(
            "{verb} audit_event (occurred_at, actor, actor_kind, action, entity_type, entity_id, before_json, \
             after_json) SELECT {constants}, CAST(t.id AS TEXT), NULL, v.column2 FROM (VALUES {}) AS v \
             JOIN {} AS t ON t.{} = v.column1",
            placeholders_after(backend, 5, chunk.len(), 2),
            quote(table),
            quote(key)
        );
        let mut values: Vec<Value> = vec![
            now.into(),
            actor.name.clone().into(),
            actor.kind.as_str().into(),
            Action::Create.as_str().into(),
            entity_type.into(),
        ];
        for (k, json) in chunk {
            values.push(k.into());
            values.push(json.into());
        }
        statements.push(Statement::from_sql_and_values(backend, sql, values));
    }
    statements
}

/// The events as rows, 5,000 to a batch.
fn event_rows(actor: &Actor, events: Vec<NewEvent>) -> impl Iterator<Item = Vec<audit_event::ActiveModel>> + '_ {
    let now = Utc::now();
    let mut events = events.into_iter();
    std::iter::from_fn(move || {
        let rows: Vec<audit_event::ActiveModel> = events
            .by_ref()
            .take(5_000)
            .map(|e| audit_event::ActiveModel {
                id: NotSet,
                occurred_at: Set(now),
                actor: Set(actor.name.clone()),
                actor_kind: Set(actor.kind.as_str().to_string()),
                action: Set(e.action.as_str().to_string()),
                entity_type: Set(e.entity_type.to_string()),
                entity_id: Set(e.entity_id),
                before_json: Set(e.before_json),
                after_json: Set(e.after_json),
            })
            .collect();
        (!rows.is_empty()).then_some(rows)
    })
}

/// One entity's history, newest first.
pub async fn history<C: ConnectionTrait>(conn: &C, entity_type: &str, entity_id: &str) -> AppResult<Vec<AuditView>> {
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq(entity_type))
        .filter(audit_event::Column::EntityId.eq(entity_id))
        .order_by_desc(audit_event::Column::Id)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(AuditView::from).collect())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditView {
    pub id: i64,
    pub occurred_at: chrono::DateTime<Utc>,
    pub actor: String,
    pub actor_kind: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

impl AuditView {
    /// The fields whose values differ between before and after, for a readable history.
    pub fn changed_fields(&self) -> Vec<(String, String, String)> {
        let empty = serde_json::Map::new();
        let before = self.before.as_ref().and_then(|v| v.as_object()).unwrap_or(&empty);
        let after = self.after.as_ref().and_then(|v| v.as_object()).unwrap_or(&empty);
        let show = |v: Option<&serde_json::Value>| match v {
            None | Some(serde_json::Value::Null) => "—".to_string(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| !matches!(k.as_str(), "updated_at" | "created_at" | "allowed_next_states"))
            .filter(|k| before.get(*k) != after.get(*k))
            .map(|k| (k.clone(), show(before.get(k)), show(after.get(k))))
            .collect()
    }
}

impl From<audit_event::Model> for AuditView {
    fn from(m: audit_event::Model) -> AuditView {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditView {
            id: m.id,
            occurred_at: m.occurred_at,
            actor: m.actor,
            actor_kind: m.actor_kind,
            action: m.action,
            entity_type: m.entity_type,
            entity_id: m.entity_id,
            before: parse(m.before_json),
            after: parse(m.after_json),
        }
    }
}

/// Which events to list: each filter narrows; `before_id` pages back through history (newest first).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Part of the actor's name, any case.
    pub actor: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
    pub before_id: Option<i64>,
}

pub async fn search<C: ConnectionTrait>(conn: &C, f: &AuditFilter, limit: u64) -> AppResult<Vec<AuditView>> {
    use sea_orm::QuerySelect;
    let mut q = audit_event::Entity::find().order_by_desc(audit_event::Column::Id).limit(limit);
    if let Some(a) = f.actor.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        use sea_orm::sea_query::{Expr, ExprTrait, Func};
        let pattern = format!("%{}%", a.to_lowercase().replace(['%', '_'], ""));
        q = q.filter(Expr::expr(Func::lower(Expr::col(audit_event::Column::Actor))).like(pattern));
    }
    if let Some(t) = f.entity_type.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q = q.filter(audit_event::Column::EntityType.eq(t));
    }
    if let Some(i) = f.entity_id.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
        q = q.filter(audit_event::Column::EntityId.eq(i));
    }
    if let Some(a) = f.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        q = q.filter(audit_event::Column::Action.eq(a));
    }
    if let Some(t) = f.from {
        q = q.filter(audit_event::Column::OccurredAt.gte(t));
    }
    if let Some(t) = f.to {
        q = q.filter(audit_event::Column::OccurredAt.lt(t));
    }
    if let Some(id) = f.before_id {
        q = q.filter(audit_event::Column::Id.lt(id));
    }
    Ok(q.all(conn).await?.into_iter().map(AuditView::from).collect())
}

/// Every matching event as CSV (ISO 8601 times, the before/after records as JSON), newest first.
pub async fn write_csv<C: ConnectionTrait, W: std::io::Write>(conn: &C, f: &AuditFilter, out: W) -> AppResult<usize> {
    let mut w = csv::Writer::from_writer(out);
    let io = |e: csv::Error| crate::error::AppError::Internal(format!("writing audit CSV: {e}"));
    w.write_record([
        "id",
        "occurred_at",
        "actor",
        "actor_kind",
        "action",
        "entity_type",
        "entity_id",
        "before",
        "after",
    ])
    .map_err(io)?;
    let mut f = f.clone();
    let mut n = 0;
    loop {
        let page = search(conn, &f, 2_000).await?;
        let Some(last) = page.last() else { break };
        f.before_id = Some(last.id);
        for e in &page {
            let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
            w.write_record([
                e.id.to_string(),
                e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                e.actor.clone(),
                e.actor_kind.clone(),
                e.action.clone(),
                e.entity_type.clone(),
                e.entity_id.clone(),
                json(&e.before),
                json(&e.after),
            ])
            .map_err(io)?;
            n += 1;
        }
    }
    w.flush().map_err(|e| crate::error::AppError::Internal(format!("writing audit CSV: {e}")))?;
    Ok(n)
}
