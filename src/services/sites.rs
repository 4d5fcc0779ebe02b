//! Sites: the council's buildings.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};

use super::audited::{self, Audited};
use super::{text_field, Actor};
use crate::domain::{FieldError, FieldErrors, Patch};
use crate::error::{AppError, AppResult};
use crate::store::{asset, network_segment, site};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SiteView {
    pub id: i32,
    pub name: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    /// Power usage effectiveness of the site's server room (facility energy ÷ IT energy), if it has one.
    pub pue: Option<f64>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<site::Model> for SiteView {
    fn from(m: site::Model) -> SiteView {
        SiteView {
            id: m.id,
            name: m.name,
            address: m.address,
            postcode: m.postcode,
            pue: m.pue,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new site, or changes to one: absent fields are left as they are, `null` clears.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteChanges {
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Civic Offices")]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub address: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "WC1A 1AA")]
    pub postcode: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<f64>, example = 1.8)]
    pub pue: Patch<f64>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
}

impl SiteChanges {
    fn apply(self, m: &mut site::Model) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        match crate::domain::text::required("name", self.name.apply(Some(m.name.clone())), 200) {
            Ok(n) => m.name = n,
            Err(e) => errs.push(e),
        }
        m.address = text_field(&mut errs, "address", self.address.apply(m.address.clone()), 1000);
        m.postcode =
            text_field(&mut errs, "postcode", self.postcode.apply(m.postcode.clone()), 16).map(|p| p.to_uppercase());
        m.pue = self.pue.apply(m.pue);
        if let Some(p) = m.pue {
            if !(1.0..=5.0).contains(&p) || !p.is_finite() {
                errs.push(FieldError::new(
                    "pue",
                    "out_of_range",
                    format!(
                        "PUE {p} is outside 1.0–5.0; it is facility energy ÷ IT energy (typical server rooms 1.4–2.5)"
                    ),
                ));
            }
        }
        m.notes = text_field(&mut errs, "notes", self.notes.apply(m.notes.clone()), 10_000);
        errs.into_result(())
    }
}

impl Audited for site::Model {
    const ENTITY: &'static str = "site";
    type View = SiteView;

    fn id(&self) -> i32 {
        self.id
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
    }

    fn duplicate_message(&self) -> String {
        format!("a site named '{}' already exists", self.name)
    }
}

pub async fn list<C: ConnectionTrait>(conn: &C) -> AppResult<Vec<SiteView>> {
    let rows = site::Entity::find().order_by_asc(site::Column::Name).all(conn).await?;
    Ok(rows.into_iter().map(SiteView::from).collect())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<SiteView> {
    audited::find::<site::Model, _>(conn, id).await.map(SiteView::from)
}

async fn check_unique<C: ConnectionTrait>(conn: &C, m: &site::Model) -> AppResult<()> {
    let clash = site::Entity::find()
        .filter(site::Column::Name.eq(m.name.clone()))
        .filter(site::Column::Id.ne(m.id))
        .count(conn)
        .await?;
    if clash > 0 {
        return Err(AppError::conflict("duplicate", m.duplicate_message(), Some("name")));
    }
    Ok(())
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, changes: SiteChanges) -> AppResult<SiteView> {
    let txn = db.begin_write().await?;
    let view = create_in(&txn, actor, changes).await?;
    txn.commit().await?;
    Ok(view)
}

/// Creates a site inside the caller's transaction (the demo loader creates its whole estate in one).
pub async fn create_in(txn: &DatabaseTransaction, actor: &Actor, changes: SiteChanges) -> AppResult<SiteView> {
    let now = Utc::now();
    let mut m = site::Model {
        id: 0,
        name: String::new(),
        address: None,
        postcode: None,
        pue: None,
        notes: None,
        created_at: now,
        updated_at: now,
    };
    changes.apply(&mut m)?;
    check_unique(txn, &m).await?;
    audited::insert(txn, actor, m).await
}

pub async fn update(db: &DatabaseConnection, actor: &Actor, id: i32, changes: SiteChanges) -> AppResult<SiteView> {
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
    changes: SiteChanges,
) -> AppResult<(SiteView, bool)> {
    let before: site::Model = audited::find(txn, id).await?;
    let mut m = before.clone();
    changes.apply(&mut m)?;
    check_unique(txn, &m).await?;
    audited::update_if_changed(txn, actor, before, m).await
}

/// Deletes a site that no asset, network segment or meter refers to (a meter's readings are the site's
/// energy record, so they are not deleted with it by accident).
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let before: site::Model = audited::find(&txn, id).await?;
    let assets = asset::Entity::find().filter(asset::Column::SiteId.eq(id)).count(&txn).await?;
    let segments = network_segment::Entity::find().filter(network_segment::Column::SiteId.eq(id)).count(&txn).await?;
    let meters = super::meters::names_at_site(&txn, id).await?;
    if !meters.is_empty() && assets + segments == 0 {
        return Err(AppError::conflict(
            "in_use",
            format!(
                "site '{}' still has {} meter(s) ({}); delete them (and their readings) on the Meters page first",
                before.name,
                meters.len(),
                meters.join(", ")
            ),
            None,
        ));
    }
    if assets + segments > 0 {
        return Err(AppError::conflict(
            "in_use",
            format!(
                "site '{}' still has {assets} assets and {segments} network segments; move or delete them first",
                before.name
            ),
            None,
        ));
    }
    audited::delete(&txn, actor, before).await?;
    txn.commit().await?;
    Ok(())
}
