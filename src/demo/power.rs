//! The demo's power policies and exclusions, so the policy pages and the "Savings from power policies"
//! chart have something to show. Written through `services::power_policies` (validated, audited).
//!
//! No Wake-on-LAN from the demo: the scheduler runs by default in `greenict serve` and sends a magic
//! packet for every planned wake to the segment's directed broadcast, and the demo's segments are
//! fictional RFC 1918 subnets (10.11.0.0/24 …) whose broadcasts (10.11.0.255 …) would leave the machine
//! onto whatever network a newcomer happens to be on. So the enabled policies only shut down (schedules
//! written "-19:00": no wake time, no patch window), which the scheduler leaves for agents to collect; the
//! policy with wakes and a patch window is disabled, and says why. Depends on: services.

use sea_orm::DatabaseTransaction;
use std::collections::HashSet;

use super::catalogue::{self, SITES};
use super::plan::Plan;
use crate::domain::{Category, LifecycleState, Patch};
use crate::error::AppResult;
use crate::services::power_policies::{self, NewExclusion, PolicyChanges};
use crate::services::Actor;

/// Why the enabled demo policies have no wake times; shown in each policy's notes.
const NO_WAKES: &str = "Demo policy: shuts down only. It has no wake times, so the scheduler sends no Wake-on-LAN \
     packets to the demo's fictional subnets; once your network segments are real, add wake times \
     (e.g. mon-fri 07:30-19:00).";

/// The assets the policies act on, by index into the plan, and the ids the load gave them.
pub(super) struct Targets<'a> {
    pub plan: &'a Plan,
    pub asset_ids: &'a [i32],
    pub site_ids: &'a [i32],
    pub department_ids: &'a [i32],
}

pub(super) async fn ensure_policies(txn: &DatabaseTransaction, actor: &Actor, t: &Targets<'_>) -> AppResult<()> {
    let present: HashSet<String> = power_policies::list(txn).await?.into_iter().map(|p| p.name).collect();
    let policy = |name: &str, target: &str, schedule: &str, notes: String| PolicyChanges {
        name: Patch::Value(name.to_string()),
        target: Patch::Value(target.to_string()),
        off_action: Patch::Value("shutdown".into()),
        schedule: Patch::Value(schedule.to_string()),
        warning_minutes: Patch::Value(10),
        may_defer: Patch::Value(true),
        max_defer_minutes: Patch::Value(60),
        bank_holidays_off: Patch::Value(true),
        notes: Patch::Value(notes),
        ..PolicyChanges::default()
    };
    let wanted = [
        PolicyChanges {
            category: Patch::Value(Category::Desktop.as_str().to_string()),
            ..policy(
                "Desktops: evenings and weekends",
                "category",
                "mon-fri -19:00",
                format!("Staff desktops shut down at 19:00 on weekdays (10 minutes' warning, up to an hour's deferral); they stay off at weekends and on bank holidays. {NO_WAKES}"),
            )
        },
        PolicyChanges {
            site_id: Patch::Value(t.site_ids[catalogue::LIBRARY]),
            ..policy(
                "Central Library: after closing",
                "site",
                "mon-sat -20:30",
                format!("The library closes later than the offices (09:00-20:00, Monday to Saturday), so everything there on the register (public and staff PCs, their monitors, the printers) shuts down at 20:30; its servers and switches are excluded. {NO_WAKES}"),
            )
        },
        PolicyChanges {
            enabled: Patch::Value(false),
            department_id: Patch::Value(t.department_ids[catalogue::FINANCE]),
            patch_windows: Patch::Value("wed 02:00-04:00".into()),
            ..policy(
                "Finance: office hours with a Wednesday patch window",
                "department",
                "mon-fri 07:30-19:00",
                "Demo policy, disabled: it wakes Finance PCs at 07:30 and from 02:00 to 04:00 on Wednesdays for \
                 patching. Enabled, the scheduler would send Wake-on-LAN packets to the demo segments' broadcast \
                 addresses (10.x.0.255) on whatever network this machine is on; enable it only once the \
                 segments are your own."
                    .to_string(),
            )
        },
    ];
    for changes in wanted {
        if let Patch::Value(name) = &changes.name {
            if present.contains(name) {
                continue;
            }
        }
        power_policies::create_in(txn, actor, changes).await?;
    }
    ensure_exclusions(txn, actor, t).await
}

/// The library's servers and switches (the site policy would otherwise shut them down), and two named
/// desktops that must stay on. The reasons are demo text.
async fn ensure_exclusions(txn: &DatabaseTransaction, actor: &Actor, t: &Targets<'_>) -> AppResult<()> {
    let present: HashSet<i32> = power_policies::list_exclusions(txn).await?.into_iter().map(|e| e.asset_id).collect();
    let deployed = |i: &usize| t.plan.assets[*i].state == LifecycleState::Deployed;
    let mut wanted: Vec<(usize, &str)> = (0..t.plan.assets.len())
        .filter(|i| t.plan.assets[*i].site == catalogue::LIBRARY)
        .filter_map(|i| match t.plan.assets[i].category {
            Category::Server => Some((i, "Library server: runs the library management system round the clock.")),
            Category::Switch => Some((i, "Network switch: keeps the library's network and public Wi-Fi up.")),
            _ => None,
        })
        .collect();
    let desktop_at = |site: &str| {
        (0..t.plan.assets.len()).filter(deployed).find(|i| {
            let a = &t.plan.assets[*i];
            a.category == Category::Desktop && SITES[a.site].name == site && !a.public_access
        })
    };
    if let Some(i) = desktop_at("Northgate Depot") {
        wanted.push((i, "CCTV viewing PC in the depot gatehouse: must stay on overnight for the security contractor."));
    }
    if let Some(i) = desktop_at("Civic Offices") {
        wanted.push((i, "Runs the overnight revenues and benefits batch jobs (until they move to the server)."));
    }
    for (i, reason) in wanted {
        if present.contains(&t.asset_ids[i]) {
            continue;
        }
        let new = NewExclusion { asset_tag: t.plan.assets[i].tag.clone(), reason: reason.to_string() };
        power_policies::create_exclusion_in(txn, actor, new).await?;
    }
    Ok(())
}
