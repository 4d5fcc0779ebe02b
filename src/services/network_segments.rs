//! Network segments: a site's subnets, with the address and port Wake-on-LAN packets are sent to.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};

use super::audited::{self, Audited};
use super::{text_field, Actor};
use crate::domain::network::Cidr;
use crate::domain::{FieldError, FieldErrors, Patch};
use crate::error::{AppError, AppResult};
use crate::store::{network_segment, site};

/// The UDP port Wake-on-LAN magic packets go to unless a segment says otherwise (the discard port).
pub const DEFAULT_WOL_PORT: i32 = 9;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NetworkSegmentView {
    pub id: i32,
    pub site_id: i32,
    pub name: String,
    /// The network address and prefix length, e.g. `192.168.10.0/24`.
    #[schema(example = "192.168.10.0/24")]
    pub cidr: String,
    /// Where Wake-on-LAN packets are sent: the directed broadcast for IPv4, a chosen address for IPv6.
    #[schema(example = "192.168.10.255")]
    pub broadcast_address: String,
    #[schema(example = 9)]
    pub wol_port: i32,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<network_segment::Model> for NetworkSegmentView {
    fn from(m: network_segment::Model) -> NetworkSegmentView {
        NetworkSegmentView {
            id: m.id,
            site_id: m.site_id,
            name: m.name,
            cidr: m.cidr,
            broadcast_address: m.broadcast_address,
            wol_port: m.wol_port,
            notes: m.notes,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A new network segment, or changes to one: absent fields are left as they are, `null` clears.
/// Leave `broadcast_address` out (or `null`) on an IPv4 segment to use its directed broadcast.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSegmentChanges {
    #[serde(default)]
    #[schema(value_type = Option<i32>, example = 1)]
    pub site_id: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Civic Offices floor 2 staff")]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "192.168.10.0/24")]
    pub cidr: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "192.168.10.255")]
    pub broadcast_address: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<i32>, example = 9)]
    pub wol_port: Patch<i32>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub notes: Patch<String>,
}

impl NetworkSegmentChanges {
    fn apply(self, m: &mut network_segment::Model) -> Result<(), FieldErrors> {
        let mut errs = FieldErrors::default();
        // A new segment (id 0) has no site yet; an existing one keeps its site unless told otherwise.
        let current_site = (m.id != 0).then_some(m.site_id);
        match self.site_id.apply(current_site) {
            Some(id) => m.site_id = id,
            None => errs.push(FieldError::new(
                "site_id",
                "required",
                "site_id is required: say which site the segment is at",
            )),
        }
        match crate::domain::text::required("name", self.name.apply(Some(m.name.clone())), 200) {
            Ok(n) => m.name = n,
            Err(e) => errs.push(e),
        }

        let old_cidr: Option<Cidr> = m.cidr.parse().ok();
        let cidr = match crate::domain::text::required("cidr", self.cidr.apply(Some(m.cidr.clone())), 64) {
            Ok(raw) => errs.take("cidr", raw.parse::<Cidr>()),
            Err(e) => {
                errs.push(e);
                None
            }
        };
        if let Some(c) = cidr {
            m.cidr = c.to_string();
            let given = match self.broadcast_address {
                Patch::Value(s) if !s.trim().is_empty() => Some(s),
                Patch::Value(_) | Patch::Null => None,
                Patch::Missing => match old_cidr {
                    None => None,
                    Some(old) if old == c => Some(m.broadcast_address.clone()),
                    // The network changed: a derived broadcast follows it, a chosen address is re-checked.
                    Some(old) => match old.directed_broadcast() {
                        Ok(b) if b.to_string() == m.broadcast_address => None,
                        _ => Some(m.broadcast_address.clone()),
                    },
                },
            };
            match given {
                Some(raw) => {
                    if let Some(ip) = errs.take("broadcast_address", c.check_broadcast(&raw)) {
                        m.broadcast_address = ip.to_string();
                    }
                }
                None => match c.directed_broadcast() {
                    Ok(ip) => m.broadcast_address = ip.to_string(),
                    Err(e) => errs.push(FieldError::new("broadcast_address", "required", e.to_string())),
                },
            }
        }

        match self.wol_port.apply(Some(m.wol_port)).unwrap_or(DEFAULT_WOL_PORT) {
            p @ 1..=65535 => m.wol_port = p,
            p => errs.push(FieldError::new(
                "wol_port",
                "out_of_range",
                format!("port {p} is not a UDP port; use 1–65535 (Wake-on-LAN usually uses 9, sometimes 7)"),
            )),
        }
        m.notes = text_field(&mut errs, "notes", self.notes.apply(m.notes.clone()), 10_000);
        errs.into_result(())
    }
}

impl Audited for network_segment::Model {
    const ENTITY: &'static str = "network_segment";
    type View = NetworkSegmentView;

    fn id(&self) -> i32 {
        self.id
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
    }

    fn duplicate_message(&self) -> String {
        format!("this site already has a network segment named '{}'; pick another name or edit that segment", self.name)
    }
}

/// Every segment, or one site's, by site then name.
pub async fn list<C: ConnectionTrait>(conn: &C, site_id: Option<i32>) -> AppResult<Vec<NetworkSegmentView>> {
    let mut q = network_segment::Entity::find();
    if let Some(s) = site_id {
        q = q.filter(network_segment::Column::SiteId.eq(s));
    }
    let rows =
        q.order_by_asc(network_segment::Column::SiteId).order_by_asc(network_segment::Column::Name).all(conn).await?;
    Ok(rows.into_iter().map(NetworkSegmentView::from).collect())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<NetworkSegmentView> {
    audited::find::<network_segment::Model, _>(conn, id).await.map(NetworkSegmentView::from)
}

async fn check_site<C: ConnectionTrait>(conn: &C, site_id: i32) -> AppResult<()> {
    if site::Entity::find_by_id(site_id).count(conn).await? == 0 {
        return Err(AppError::field(
            "site_id",
            "unknown_reference",
            format!("no site with id {site_id}; create the site first or pick another"),
        ));
    }
    Ok(())
}

async fn check_unique<C: ConnectionTrait>(conn: &C, m: &network_segment::Model) -> AppResult<()> {
    let clash = network_segment::Entity::find()
        .filter(network_segment::Column::SiteId.eq(m.site_id))
        .filter(network_segment::Column::Name.eq(m.name.clone()))
        .filter(network_segment::Column::Id.ne(m.id))
        .count(conn)
        .await?;
    if clash > 0 {
        return Err(AppError::conflict("duplicate", m.duplicate_message(), Some("name")));
    }
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    changes: NetworkSegmentChanges,
) -> AppResult<NetworkSegmentView> {
    let txn = db.begin_write().await?;
    let view = create_in(&txn, actor, changes).await?;
    txn.commit().await?;
    Ok(view)
}

/// [`create`] inside the caller's transaction (the demo loader creates many rows in one).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    changes: NetworkSegmentChanges,
) -> AppResult<NetworkSegmentView> {
    let now = Utc::now();
    let mut m = network_segment::Model {
        id: 0,
        site_id: 0,
        name: String::new(),
        cidr: String::new(),
        broadcast_address: String::new(),
        wol_port: DEFAULT_WOL_PORT,
        notes: None,
        created_at: now,
        updated_at: now,
    };
    changes.apply(&mut m)?;
    check_site(txn, m.site_id).await?;
    check_unique(txn, &m).await?;
    audited::insert(txn, actor, m).await
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i32,
    changes: NetworkSegmentChanges,
) -> AppResult<NetworkSegmentView> {
    let txn = db.begin_write().await?;
    let before: network_segment::Model = audited::find(&txn, id).await?;
    let mut m = before.clone();
    changes.apply(&mut m)?;
    if m.site_id != before.site_id {
        check_site(&txn, m.site_id).await?;
    }
    check_unique(&txn, &m).await?;
    let after = audited::update(&txn, actor, before, m).await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: i32) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let before: network_segment::Model = audited::find(&txn, id).await?;
    audited::delete(&txn, actor, before).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_model() -> network_segment::Model {
        let now = Utc::now();
        network_segment::Model {
            id: 0,
            site_id: 0,
            name: String::new(),
            cidr: String::new(),
            broadcast_address: String::new(),
            wol_port: DEFAULT_WOL_PORT,
            notes: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn changes(json: &str) -> NetworkSegmentChanges {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn ipv4_broadcast_is_derived_and_port_defaults() {
        let mut m = new_model();
        changes(r#"{"site_id":1,"name":"Staff","cidr":"10.1.2.0/23"}"#).apply(&mut m).unwrap();
        assert_eq!((m.cidr.as_str(), m.broadcast_address.as_str(), m.wol_port), ("10.1.2.0/23", "10.1.3.255", 9));
    }

    #[test]
    fn every_problem_is_named() {
        let mut m = new_model();
        let errs = changes(r#"{"cidr":"192.168.10.7/24","wol_port":70000}"#).apply(&mut m).unwrap_err();
        assert_eq!(errs.for_field("site_id").unwrap().code, "required");
        assert_eq!(errs.for_field("name").unwrap().code, "required");
        assert!(errs.for_field("cidr").unwrap().message.contains("192.168.10.0/24"));
        assert_eq!(errs.for_field("wol_port").unwrap().code, "out_of_range");

        let mut m = new_model();
        let errs = changes(r#"{"site_id":1,"name":"v6","cidr":"2001:db8::/64"}"#).apply(&mut m).unwrap_err();
        assert_eq!(errs.for_field("broadcast_address").unwrap().code, "required");

        let mut m = new_model();
        let errs = changes(r#"{"site_id":1,"name":"x","cidr":"10.0.0.0/24","broadcast_address":"10.0.1.255"}"#)
            .apply(&mut m)
            .unwrap_err();
        assert!(errs.for_field("broadcast_address").unwrap().message.contains("10.0.0.255"));
    }

    #[test]
    fn derived_broadcast_follows_a_new_cidr_and_a_chosen_one_is_kept() {
        let mut m = new_model();
        changes(r#"{"site_id":1,"name":"Staff","cidr":"10.0.0.0/24"}"#).apply(&mut m).unwrap();
        m.id = 5;
        changes(r#"{"cidr":"10.0.0.0/23"}"#).apply(&mut m).unwrap();
        assert_eq!(m.broadcast_address, "10.0.1.255");

        changes(r#"{"broadcast_address":"10.0.0.63"}"#).apply(&mut m).unwrap();
        changes(r#"{"cidr":"10.0.0.0/22"}"#).apply(&mut m).unwrap();
        assert_eq!(m.broadcast_address, "10.0.0.63", "a chosen address inside the new network is kept");
        let errs = changes(r#"{"cidr":"10.9.0.0/24"}"#).apply(&mut m.clone()).unwrap_err();
        assert!(errs.for_field("broadcast_address").is_some());

        changes(r#"{"broadcast_address":null,"wol_port":null}"#).apply(&mut m).unwrap();
        assert_eq!((m.broadcast_address.as_str(), m.wol_port), ("10.0.3.255", 9));
    }
}
