//! The demo's completed WEEE disposals, one in each of the three financial years up to the estate's date,
//! so the disposals register, the "E-waste by route" chart and the e-waste reused card have figures:
//! laptops donated to a charity with erasure certificates (2024/25), monitors recycled through a waste
//! carrier (2025/26) and desktops reused inside the council (2026/27, before `estate_date()`). Written through
//! `services::disposals` (validated as a user's would be, audited), taking old assets the plan already
//! retired or set aside for disposal. Every organisation, registration and note number is fictional and
//! says so; no documents are attached. Depends on: services.

use chrono::{Days, Months, NaiveDate};
use sea_orm::DatabaseTransaction;

use super::plan::Plan;
use crate::domain::disposal::{Route, SanitisationMethod};
use crate::domain::{Category, Gbp, LifecycleState, Patch};
use crate::error::{AppError, AppResult};
use crate::services::disposals::{self, DisposalChanges, LineChanges};
use crate::services::Actor;

struct Batch {
    reference: &'static str,
    date: (i32, u32, u32),
    route: Route,
    category: Category,
    /// At most this many assets, whatever the size of the estate.
    most: usize,
    receiver: Option<&'static str>,
    /// Waste carrier, its registration and the waste transfer note (recycling routes need all three).
    carrier: Option<(&'static str, &'static str, &'static str)>,
    cost_pence: Option<i64>,
    sanitisation: Option<(SanitisationMethod, &'static str)>,
    notes: &'static str,
}

const BATCHES: [Batch; 3] = [
    Batch {
        reference: "DSP-2024-006",
        date: (2024, 9, 12),
        route: Route::Donation,
        category: Category::Laptop,
        most: 12,
        receiver: Some("Wexcombe Digital Inclusion Trust (fictional charity, demo data)"),
        carrier: None,
        cost_pence: None,
        sanitisation: Some((SanitisationMethod::Purge, "DEMO-ERASE-2024")),
        notes: "Demo disposal: laptops wiped (NIST SP 800-88 purge, one certificate each) and donated for digital inclusion.",
    },
    Batch {
        reference: "DSP-2026-002",
        date: (2026, 2, 12),
        route: Route::Recycling,
        category: Category::Monitor,
        most: 20,
        receiver: Some("Wexcombe WEEE Treatment Ltd (fictional, demo data)"),
        carrier: Some(("Wexcombe WEEE Services Ltd (fictional, demo data)", "DEMO-CBDU-000001", "DEMO-WTN-2026-0212")),
        cost_pence: Some(8_500),
        sanitisation: None,
        notes: "Demo disposal: old LCD monitors, no data, collected for recycling at an approved treatment facility.",
    },
    // In the estate's own financial year (before its date), so the dashboard's current-year card has figures.
    Batch {
        reference: "DSP-2026-014",
        date: (2026, 7, 9),
        route: Route::InternalReuse,
        category: Category::Desktop,
        most: 6,
        receiver: Some("Wexcombe Youth Service (a council service; demo data)"),
        carrier: None,
        cost_pence: None,
        sanitisation: Some((SanitisationMethod::Clear, "DEMO-ERASE-2026")),
        notes: "Demo disposal: desktops wiped and passed to the youth service's drop-in centre.",
    },
];

fn date((y, m, d): (i32, u32, u32)) -> AppResult<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| AppError::Internal(format!("demo disposal date {y}-{m}-{d}")))
}

/// The plan's assets a batch takes: of its category, retired or awaiting disposal, bought at least three
/// years before it left; never more than two thirds of those, so both states still show in the register.
fn members(plan: &Plan, b: &Batch, left: NaiveDate) -> Vec<usize> {
    let bought_by = left.checked_sub_months(Months::new(36)).unwrap_or(left);
    let candidates: Vec<usize> = (0..plan.assets.len())
        .filter(|i| {
            let a = &plan.assets[*i];
            a.category == b.category
                && matches!(a.state, LifecycleState::Retired | LifecycleState::AwaitingDisposal)
                && a.purchase_date <= bought_by
        })
        .collect();
    let take = b.most.min(candidates.len() * 2 / 3);
    candidates.into_iter().take(take).collect()
}

/// Creates and completes the batches not already present (by reference); returns how many it completed.
pub(super) async fn ensure_disposals(txn: &DatabaseTransaction, actor: &Actor, plan: &Plan) -> AppResult<usize> {
    let mut done = 0;
    for b in &BATCHES {
        if disposals::find_by_reference(txn, b.reference).await?.is_some() {
            continue;
        }
        let left = date(b.date)?;
        let assets = members(plan, b, left);
        if assets.is_empty() {
            continue;
        }
        let (carrier, registration, note) = match b.carrier {
            Some((c, r, n)) => (Patch::Value(c.into()), Patch::Value(r.into()), Patch::Value(n.into())),
            None => (Patch::Missing, Patch::Missing, Patch::Missing),
        };
        let changes = DisposalChanges {
            reference: Patch::Value(b.reference.into()),
            disposal_date: Patch::Value(left),
            route: Patch::Value(b.route),
            receiving_organisation: b.receiver.map(str::to_string).into(),
            waste_carrier: carrier,
            carrier_registration: registration,
            waste_transfer_note: note,
            cost_gbp: b.cost_pence.map(Gbp::from_pence).into(),
            notes: Patch::Value(b.notes.into()),
            ..DisposalChanges::default()
        };
        let id = disposals::create_in(txn, actor, changes).await?.disposal.id;
        for (n, i) in assets.iter().enumerate() {
            let line = match b.sanitisation {
                Some((method, certificate)) => LineChanges {
                    sanitisation_method: Patch::Value(method),
                    sanitisation_standard: Patch::Value("NIST SP 800-88 Rev. 1".into()),
                    sanitised_by: Patch::Value("ICT Service Desk (demo)".into()),
                    sanitised_on: Patch::Value(left - Days::new(7)),
                    certificate_number: Patch::Value(format!("{certificate}-{:04}", n + 1)),
                    ..LineChanges::default()
                },
                None => LineChanges::default(),
            };
            disposals::put_asset_in(txn, actor, id, &plan.assets[*i].tag, line).await?;
        }
        disposals::complete_in(txn, actor, id).await?;
        done += 1;
    }
    Ok(done)
}
