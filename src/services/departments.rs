//! Departments: who owns and pays for devices, with their finance cost centre.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};

use super::audited::{self, Audited};
use super::{text_field, Actor};
use crate::domain::{FieldErrors, Patch};
use crate::error::{AppError, AppResult};
use crate::store::{asset, department};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentView {
    pub id: i32,
    pub name: String,
    /// The finance system's cost centre code, if the department has one.
    pub cost_centre: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<department::Model> for DepartmentView {
    fn from(m: department::Model) -> DepartmentView {
        DepartmentView {
            id: m.id,
            name: m.name,
            cost_centre: m.cost_centre,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new department, or changes to one: absent fields are left as they are, `null` clears.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentChanges {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Revenues and Benefits")]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "RB1200")]
    pub cost_centre: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
}

impl DepartmentChanges {
    fn apply(self, m: &mut department::Model) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        match crate::domain::text::required("name", self.name.apply(Some(m.name.clone())), 200) {
            Ok(n) => m.name = n,
            Err(e) => errs.push(e),
        }
        m.cost_centre = text_field(&mut errs, "cost_centre", self.cost_centre.apply(m.cost_centre.clone()), 64);
        m.notes = text_field(&mut errs, "notes", self.notes.apply(m.notes.clone()), 10_000);
        errs.into_result(())
    }
}

impl Audited for department::Model {
    const ENTITY: &'static str = "department";
    type View = DepartmentView;

    fn id(&self) -> i32 {
        self.id
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
    }

    fn duplicate_message(&self) -> String {
        match &self.cost_centre {
            Some(cc) => format!("a department named '{}' or with cost centre '{cc}' already exists", self.name),
            None => format!("a department named '{}' already exists", self.name),
        }
    }
}

pub async fn list<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<DepartmentView>> {
    let rows = department::Entity::find().order_by_asc(department::Column::Name).all(conn).await?;
    Ok(rows.into_iter().map(DepartmentView::from).collect())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<DepartmentView> {
    audited::find::<department::Model, _>(conn, id).await.map(DepartmentView::from)
}

async fn check_unique<C: ConnectionTrait>(conn: &C, m: &department::Model) -> AppResult<()> {
    let clash = department::Entity::find()
        .filter(department::Column::Name.eq(m.name.clone()))
        .filter(department::Column::Id.ne(m.id))
        .count(conn)
        .await?;
    if clash > 0 {
        return Err(AppError::conflict(
            "duplicate",
            format!("a department named '{}' already exists; pick another name or edit that department", m.name),
            Some("name"),
        ));
    }
    if let Some(cc) = &m.cost_centre {
        let owner = department::Entity::find()
            .filter(department::Column::CostCentre.eq(cc.clone()))
            .filter(department::Column::Id.ne(m.id))
            .one(conn)
            .await?;
        if let Some(other) = owner {
            return Err(AppError::conflict(
                "duplicate",
                format!(
                    "cost centre '{cc}' already belongs to department '{}'; check the code or leave it blank",
                    other.name
                ),
                Some("cost_centre"),
            ));
        }
    }
    Ok(())
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, changes: DepartmentChanges) -> AppResult<DepartmentView> {
    let txn = db.begin_write().await?;
    let view = create_in(&txn, actor, changes).await?;
    txn.commit().await?;
    Ok(view)
}

/// [`create`] inside the caller's transaction (the demo loader creates many rows in one).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    changes: DepartmentChanges,
) -> AppResult<DepartmentView> {
    let now = Utc::now();
    let mut m = department::Model {
        id: 0,
        name: String::new(),
        cost_centre: None,
        notes: None,
        created_at: now,
        updated_at: now,
    };
    changes.apply(&mut m)?;
    check_unique(txn, &m).await?;
    audited::insert(txn, actor, m).await
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: DepartmentChanges,
) -> AppResult<DepartmentView> {
    let txn = db.begin_write().await?;
    let (after, _) = update_in(&txn, actor, id, changes).await?;
    txn.commit().await?;
    Ok(after)
}

/// [`update`] inside the caller's transaction (imports), and whether anything changed: when nothing
/// did, nothing is written.
pub async fn update_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: i32,
    changes: DepartmentChanges,
) -> AppResult<(DepartmentView, bool)> {
    let before: department::Model = audited::find(txn, id).await?;
    let mut m = before.clone();
    changes.apply(&mut m)?;
    check_unique(txn, &m).await?;
    audited::update_if_changed(txn, actor, before, m).await
}

/// Deletes a department that no asset belongs to.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let before: department::Model = audited::find(&txn, id).await?;
    let assets = asset::Entity::find().filter(asset::Column::DepartmentId.eq(id)).count(&txn).await?;
    if assets > 0 {
        return Err(AppError::conflict(
            "in_use",
            format!(
                "department '{}' still has {assets} assets; move them to another department (or clear their \
                 department) first",
                before.name
            ),
            None,
        ));
    }
    audited::delete(&txn, actor, before).await?;
    txn.commit().await?;
    Ok(())
}
