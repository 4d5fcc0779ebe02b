//! Departments: who owns and pays for devices, with their finance cost centre.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, NotSet, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::audit::{self, Action};
use super::{text_field, unique_violation, Actor};
use crate::domain::{FieldErrors, Patch};
use crate::error::{AppError, AppResult};
use crate::store::{asset, department};

const ENTITY: &str = "department";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentView {
    pub id: i32,
    pub name: String,
    /// The finance system's cost centre code, if the department has one.
    pub cost_centre: Option<String>,
    pub notes: Option<String>,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
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

pub async fn list<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<DepartmentView>> {
    let rows = department::Entity::find().order_by_asc(department::Column::Name).all(conn).await?;
    Ok(rows.into_iter().map(DepartmentView::from).collect())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<DepartmentView> {
    find(conn, id).await.map(DepartmentView::from)
}

async fn find<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<department::Model> {
    department::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::not_found(ENTITY, id))
}

fn duplicate_message(m: &department::Model) -> String {
    match &m.cost_centre {
        Some(cc) => format!("a department named '{}' or with cost centre '{cc}' already exists", m.name),
        None => format!("a department named '{}' already exists", m.name),
    }
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
    let txn = db.begin().await?;
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
    let mut am = m.clone().into_active_model().reset_all();
    am.id = NotSet;
    let saved = am.insert(txn).await.map_err(|e| unique_violation(e, "name", duplicate_message(&m)))?;
    let view = DepartmentView::from(saved);
    audit::record(txn, actor, Action::Create, ENTITY, view.id, None, Some(&view)).await?;
    Ok(view)
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: DepartmentChanges,
) -> AppResult<DepartmentView> {
    let txn = db.begin().await?;
    let before = find(&txn, id).await?;
    let mut m = before.clone();
    changes.apply(&mut m)?;
    check_unique(&txn, &m).await?;
    m.updated_at = Utc::now();
    let message = duplicate_message(&m);
    let saved =
        m.into_active_model().reset_all().update(&txn).await.map_err(|e| unique_violation(e, "name", message))?;
    let (before, after) = (DepartmentView::from(before), DepartmentView::from(saved));
    audit::record(&txn, actor, Action::Update, ENTITY, id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin().await?;
    let before = find(&txn, id).await?;
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
    department::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(&txn, actor, Action::Delete, ENTITY, id, Some(&DepartmentView::from(before)), None).await?;
    txn.commit().await?;
    Ok(())
}
