//! The demo estate: a fictional UK council (Wexcombe City Council) with 4 sites and their subnets, 12
//! departments, 20 device models and as many assets as asked for, loaded only into an empty register.
//!
//! Deterministic: the estate is worked out in memory ([`plan`]) from a seeded generator ([`rng`]) and a
//! fixed "as at" date ([`ESTATE_DATE`]), never the clock, so the same count always gives the same
//! register. Everything is written through the services, so it is validated and audited (actor
//! `system`), in one transaction. Besides the register: tariffs and usage profiles, meters ([`meters`]),
//! power policies ([`power`]), completed disposals ([`disposals`]) and four weeks of agent-observed hours
//! up to the real now ([`observed`], the one part that follows the clock). Depends on: services, domain.

pub mod catalogue;
mod disposals;
mod meters;
mod observed;
mod plan;
mod power;
mod rng;

use crate::store::BeginWrite;
use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use std::collections::HashMap;
use std::net::IpAddr;

use crate::domain::{AssetTag, Category, Gbp, MacAddress, MacAddresses, Patch};
use crate::error::{AppError, AppResult};
use crate::services::asset_list::{self, AssetQuery};
use crate::services::assets::{self, AssetChanges};
use crate::services::departments::{self, DepartmentChanges};
use crate::services::device_models::{self, DeviceModelChanges};
use crate::services::energy_reference::{self, DecimalInput, TariffChanges};
use crate::services::network_segments::{self, NetworkSegmentChanges};
use crate::services::sites::{self, SiteChanges};
use crate::services::usage_profiles::{self, UsageProfileChanges};
use crate::services::Actor;
use catalogue::{DEPARTMENTS, MODELS, SITES};

/// About the size of a district council's end-user estate.
pub const DEFAULT_ASSETS: usize = 1500;

/// The day the demo estate describes: purchases run up to it, so the oldest kit is overdue for refresh.
pub fn estate_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).expect("a valid date")
}

/// Loads the demo estate of `n_assets` assets if the register holds no assets yet, and says in one
/// line what it did. Sites, departments, models and segments already present under the demo's names are
/// used rather than duplicated.
pub async fn load(db: &DatabaseConnection, n_assets: usize) -> Result<String, AppError> {
    let existing = asset_count(db).await?;
    if existing > 0 {
        return Ok(format!("demo estate not loaded: the register already holds {existing} assets"));
    }
    let plan = plan::plan(n_assets, estate_date());
    let actor = Actor::system();
    let started = std::time::Instant::now();

    // Sites first, each in its own transaction: the sites service has no `create_in` yet. A failed load
    // leaves at most these four rows, which the next attempt finds and uses.
    let mut reused = 0;

    let txn = db.begin_write().await?;
    let site_ids = ensure_sites(&txn, &actor, &mut reused).await?;
    let department_ids = ensure_departments(&txn, &actor, &mut reused).await?;
    let model_ids = ensure_models(&txn, &actor, &mut reused).await?;
    ensure_segments(&txn, &actor, &plan, &site_ids, &mut reused).await?;
    let mut public_pcs = Vec::new();
    let mut asset_ids = Vec::with_capacity(plan.assets.len());
    for (i, a) in plan.assets.iter().enumerate() {
        let changes = asset_changes(&plan, a, &site_ids, &department_ids, &model_ids)?;
        let id = assets::create_in(&txn, &actor, changes).await?.id;
        asset_ids.push(id);
        if a.public_access {
            public_pcs.push(id);
        }
        if (i + 1) % 10_000 == 0 {
            tracing::info!("demo: {} of {} assets written ({:.0?})", i + 1, plan.assets.len(), started.elapsed());
        }
    }
    ensure_energy(&txn, &actor, &public_pcs).await?;
    let by_name: HashMap<&str, i32> = SITES.iter().map(|s| s.name).zip(site_ids.iter().copied()).collect();
    meters::ensure_meters(&txn, &actor, &by_name).await?;
    // After the meters, whose readings are scaled from the estimate of the estate before any disposal.
    let targets =
        power::Targets { plan: &plan, asset_ids: &asset_ids, site_ids: &site_ids, department_ids: &department_ids };
    power::ensure_policies(&txn, &actor, &targets).await?;
    disposals::ensure_disposals(&txn, &actor, &plan).await?;
    observed::ensure_observed(&txn, &plan, &asset_ids, chrono::Utc::now()).await?;
    txn.commit().await?;
    crate::store::connect::analyze(db).await?;

    let reused = if reused > 0 { format!(" ({reused} already present were reused)") } else { String::new() };
    Ok(format!(
        "demo estate loaded: {} sites, {} departments, {} models, {} assets{reused}",
        SITES.len(),
        DEPARTMENTS.len(),
        MODELS.len(),
        plan.assets.len()
    ))
}

/// The demo's tariff rates, pence per kWh, council-wide from each date. DEMO FIGURES: no sourced
/// non-domestic price for 2024–2026 is in shared/reference/electricity_prices_nondomestic.csv, so these are
/// the domestic price-cap unit rates of April–June and July–September 2024 (House of Commons Library
/// CBP-9714), used only so the demo shows a change of rate within a year. A council enters its contract rates.
pub const DEMO_TARIFFS: [(&str, &str); 2] = [("2024-04-01", "24.50"), ("2024-07-01", "22.40")];

/// Usage profiles: office hours for staff kit (each category's default), always on for servers and switches,
/// and longer opening hours for the library's public PCs (their own profile). Demo assumptions, not survey data.
async fn ensure_energy(txn: &DatabaseTransaction, actor: &Actor, public_pcs: &[i32]) -> AppResult<()> {
    if energy_reference::list_tariffs(txn, None).await?.is_empty() {
        for (from, pence) in DEMO_TARIFFS {
            let changes = TariffChanges {
                effective_from: Patch::Value(
                    from.parse().map_err(|e| AppError::Internal(format!("demo tariff date {from}: {e}")))?,
                ),
                unit_rate_pence_per_kwh: Patch::Value(DecimalInput(pence.to_string())),
                supplier: Patch::Value("Demo Energy Ltd (fictional)".into()),
                notes: Patch::Value(
                    "Demo figure: the domestic price-cap unit rate for the quarter (House of Commons Library \
                     CBP-9714), not a council contract price. Replace with your supplier's rates."
                        .into(),
                ),
                ..TariffChanges::default()
            };
            energy_reference::create_tariff_in(txn, actor, changes).await?;
        }
    }
    let present: HashMap<String, i32> = usage_profiles::list(txn).await?.into_iter().map(|p| (p.name, p.id)).collect();
    let profile =
        |name: &str, days: &[&str], start: &str, end: &str, out_of_hours: &str, always_on: bool, notes: &str| {
            UsageProfileChanges {
                name: Patch::Value(name.to_string()),
                always_on: Patch::Value(always_on),
                working_days: Patch::Value(days.iter().map(|d| d.to_string()).collect()),
                start_time: Patch::Value(start.to_string()),
                end_time: Patch::Value(end.to_string()),
                out_of_hours: Patch::Value(out_of_hours.to_string()),
                bank_holidays_off: Patch::Value(true),
                notes: Patch::Value(notes.to_string()),
            }
        };
    let weekdays = ["mon", "tue", "wed", "thu", "fri"];
    let wanted = [
        profile("Office hours", &weekdays, "08:00", "18:00", "sleep", false, "Staff PCs, laptops, monitors and printers: Monday to Friday 08:00-18:00, asleep out of hours, bank holidays off. A demo assumption."),
        profile("Always on", &weekdays, "00:00", "24:00", "left_on", true, "Servers and network switches run round the clock."),
        profile("Library opening hours", &["mon", "tue", "wed", "thu", "fri", "sat"], "09:00", "20:00", "off", false, "Central Library public PCs: Monday to Saturday 09:00-20:00, shut down when the library closes. A demo assumption."),
    ];
    let mut ids = Vec::new();
    for changes in wanted {
        let name = match &changes.name {
            Patch::Value(n) => n.clone(),
            _ => String::new(),
        };
        let id = match present.get(&name) {
            Some(id) => *id,
            None => usage_profiles::create_in(txn, actor, changes).await?.id,
        };
        ids.push(id);
    }
    let (office, always, library) = (ids[0], ids[1], ids[2]);
    for category in Category::ALL {
        let id = if matches!(category, Category::Server | Category::Switch) { always } else { office };
        usage_profiles::set_category_default_in(txn, actor, category, Some(id)).await?;
    }
    if !public_pcs.is_empty() {
        usage_profiles::assign_to_assets_in(txn, actor, library, public_pcs).await?;
    }
    Ok(())
}

async fn asset_count(db: &DatabaseConnection) -> AppResult<u64> {
    let page = asset_list::list(db, &AssetQuery { limit: 1, ..AssetQuery::default() }).await?;
    Ok(page.total)
}

async fn ensure_sites(db: &DatabaseTransaction, actor: &Actor, reused: &mut usize) -> AppResult<Vec<i32>> {
    let present: HashMap<String, i32> = sites::list(db).await?.into_iter().map(|s| (s.name, s.id)).collect();
    let mut ids = Vec::with_capacity(SITES.len());
    for s in &SITES {
        if let Some(id) = present.get(s.name) {
            *reused += 1;
            ids.push(*id);
            continue;
        }
        let changes = SiteChanges {
            name: Patch::Value(s.name.to_string()),
            address: Patch::Value(s.address.to_string()),
            postcode: Patch::Value(s.postcode.to_string()),
            pue: s.pue.into(),
            notes: s.notes.map(str::to_string).into(),
        };
        ids.push(sites::create_in(db, actor, changes).await?.id);
    }
    Ok(ids)
}

async fn ensure_departments(txn: &DatabaseTransaction, actor: &Actor, reused: &mut usize) -> AppResult<Vec<i32>> {
    let present: HashMap<String, i32> = departments::list(txn).await?.into_iter().map(|d| (d.name, d.id)).collect();
    let mut ids = Vec::with_capacity(DEPARTMENTS.len());
    for (name, cost_centre) in DEPARTMENTS {
        if let Some(id) = present.get(name) {
            *reused += 1;
            ids.push(*id);
            continue;
        }
        let changes = DepartmentChanges {
            name: Patch::Value(name.to_string()),
            cost_centre: Patch::Value(cost_centre.to_string()),
            notes: Patch::Missing,
        };
        ids.push(departments::create_in(txn, actor, changes).await?.id);
    }
    Ok(ids)
}

async fn ensure_models(txn: &DatabaseTransaction, actor: &Actor, reused: &mut usize) -> AppResult<Vec<i32>> {
    let present: HashMap<(String, String), i32> =
        device_models::list(txn, None).await?.into_iter().map(|m| ((m.manufacturer, m.name), m.id)).collect();
    let mut ids = Vec::with_capacity(MODELS.len());
    for m in &MODELS {
        if let Some(id) = present.get(&(m.manufacturer.to_string(), m.name.to_string())) {
            *reused += 1;
            ids.push(*id);
            continue;
        }
        let (on, sleep, off) = m.power.watts();
        let (embodied, source) = m.embodied.figure(m.manufacturer, m.name, m.weight_kg);
        let changes = DeviceModelChanges {
            manufacturer: Patch::Value(m.manufacturer.to_string()),
            name: Patch::Value(m.name.to_string()),
            category: Patch::Value(m.category),
            on_watts: Patch::Value(on),
            sleep_watts: Patch::Value(sleep),
            off_watts: Patch::Value(off),
            tec_kwh_per_year: m.tec_kwh_per_year.into(),
            embodied_kg_co2e: Patch::Value(embodied),
            embodied_source: Patch::Value(source),
            weight_kg: Patch::Value(m.weight_kg),
            default_life_months: Patch::Value(m.life_months),
            replacement_price: Patch::Value(Gbp::from_pence(m.price_pence)),
            notes: Patch::Value(m.power.note()),
        };
        ids.push(device_models::create_in(txn, actor, changes).await?.id);
    }
    Ok(ids)
}

async fn ensure_segments(
    txn: &DatabaseTransaction,
    actor: &Actor,
    plan: &plan::Plan,
    site_ids: &[i32],
    reused: &mut usize,
) -> AppResult<()> {
    for (site, site_id) in site_ids.iter().enumerate() {
        let present: Vec<String> =
            network_segments::list(txn, Some(*site_id)).await?.into_iter().map(|s| s.name).collect();
        for seg in plan.segments.iter().filter(|s| s.site == site) {
            if present.iter().any(|name| name == seg.name) {
                *reused += 1;
                continue;
            }
            let changes = NetworkSegmentChanges {
                site_id: Patch::Value(*site_id),
                name: Patch::Value(seg.name.to_string()),
                cidr: Patch::Value(seg.cidr()),
                broadcast_address: Patch::Missing,
                wol_port: Patch::Missing,
                notes: Patch::Value("Demo data: a fictional private subnet.".to_string()),
            };
            network_segments::create_in(txn, actor, changes).await?;
        }
    }
    Ok(())
}

fn tag(raw: &str) -> AppResult<AssetTag> {
    raw.parse().map_err(|e| AppError::Internal(format!("demo asset tag {raw}: {e}")))
}

fn asset_changes(
    plan: &plan::Plan,
    a: &plan::PlannedAsset,
    site_ids: &[i32],
    department_ids: &[i32],
    model_ids: &[i32],
) -> AppResult<AssetChanges> {
    let macs = MacAddresses::new(a.macs.iter().map(|m| MacAddress(*m)).collect());
    let parent = match a.parent {
        Some(p) => Patch::Value(tag(&plan.assets[p].tag)?),
        None => Patch::Missing,
    };
    Ok(AssetChanges {
        asset_tag: Patch::Value(tag(&a.tag)?),
        serial: Patch::Value(a.serial.clone()),
        hostname: a.hostname.clone().into(),
        mac_addresses: if macs.is_empty() { Patch::Missing } else { Patch::Value(macs) },
        ip_address: a.ip.map(IpAddr::V4).into(),
        category: Patch::Value(a.category),
        model_id: Patch::Value(model_ids[a.model]),
        site_id: Patch::Value(site_ids[a.site]),
        department_id: Patch::Value(department_ids[a.department]),
        assigned_user: a.assigned_user.clone().into(),
        purchase_date: Patch::Value(a.purchase_date),
        purchase_cost: Patch::Value(Gbp::from_pence(a.purchase_cost_pence)),
        supplier: Patch::Value(a.supplier.to_string()),
        warranty_end: Patch::Value(a.warranty_end),
        life_months: a.life_months.into(),
        refresh_date: Patch::Missing,
        lifecycle_state: Patch::Value(a.state),
        on_watts: Patch::Missing,
        sleep_watts: Patch::Missing,
        off_watts: Patch::Missing,
        parent_asset_tag: parent,
        notes: a.notes.clone().into(),
    })
}
