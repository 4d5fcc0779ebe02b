//! The members' report as people read it: every figure formatted once, the UK way (£1,234.56;
//! 12.3 tCO2e; 31/03/2025; 2025/26), for both the HTML and the PDF. Pure.

use rust_decimal::{Decimal, RoundingStrategy};

use super::{definition, Section};
use crate::charts::format::{grouped, money};
use crate::charts::{ChartSpec, Table};
use crate::domain::disposal::Route;
use crate::services::energy::{factor_notes, EnergyFigures};
use crate::services::reports::{is_carried_out, MembersReport, RefreshDisposalReport, YearEnergy};

/// A chart in the report: its heading, its figures as a table, and notes. The drawing is made from `spec`.
pub struct ChartView {
    pub id: String,
    pub heading: String,
    pub spec: ChartSpec,
    pub table: Table,
    pub notes: Vec<String>,
}

/// Everything the members' report shows, formatted.
pub struct MembersView {
    pub title: String,
    /// "2025/26"
    pub year: String,
    /// "01/04/2025 to 31/03/2026"
    pub period: String,
    /// "23/11/2026"
    pub generated_on: String,
    pub sections: Vec<Section>,
    /// Key sentences at the top, in plain words.
    pub key_points: Vec<String>,
    /// kWh, £ and tCO2e this year, last year and the baseline, with the changes.
    pub headline: Table,
    /// Why a year has no figures (a missing tariff or factor set), named.
    pub problems: Vec<String>,
    pub target: String,
    pub charts: Vec<ChartView>,
    pub ewaste_summary: Vec<String>,
    pub ewaste: Table,
    pub ewaste_method: String,
    pub policies: Table,
    pub actions: Table,
    pub actions_summary: String,
    pub method: Vec<String>,
    pub factor_sets: Table,
    pub tariffs: Table,
}

/// Tonnes to 0.1 t ("12.3 tCO2e"); below a tonne to the kilogram ("0.044 tCO2e") so a small estate
/// does not read as zero.
pub fn tonnes(v: Decimal) -> String {
    let dp = if v.abs() < Decimal::ONE { 3 } else { 1 };
    format!("{} tCO2e", grouped(v, dp))
}

pub fn kwh(v: Decimal) -> String {
    format!("{} kWh", grouped(v, 0))
}

pub fn gbp(v: Decimal) -> String {
    money(v, 2)
}

/// "down 12.5%", "up 3.0%", "no change"; none when the earlier figure is zero.
pub fn change(now: Decimal, then: Decimal) -> Option<String> {
    if then.is_zero() {
        return None;
    }
    let c =
        ((now - then) / then * Decimal::ONE_HUNDRED).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    Some(if c.is_zero() {
        "no change".into()
    } else if c.is_sign_negative() {
        format!("down {}%", grouped(c.abs(), 1))
    } else {
        format!("up {}%", grouped(c, 1))
    })
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn share(v: Option<f64>) -> String {
    match v {
        Some(s) => format!("{}%", grouped(Decimal::from_f64_retain(s * 100.0).unwrap_or_default(), 1)),
        None => "no figure".into(),
    }
}

/// "1 device", "3 devices".
fn devices(n: u64) -> String {
    format!("{} device{}", grouped(Decimal::from(n), 0), if n == 1 { "" } else { "s" })
}

fn kg(v: f64) -> String {
    format!("{} kg", grouped(Decimal::from_f64_retain(v).unwrap_or_default(), 1))
}

type Pick = fn(&EnergyFigures) -> Decimal;
type Show = fn(Decimal) -> String;

fn measures() -> [(&'static str, Pick, Show); 3] {
    [
        ("Electricity", |f| f.kwh, kwh),
        ("Electricity cost", |f| f.cost_gbp.decimal(), gbp),
        ("Carbon (location-based, generation and T&D)", |f| f.kg_co2e_total / Decimal::ONE_THOUSAND, tonnes),
    ]
}

fn headline(r: &MembersReport) -> Table {
    let years = [&r.this_year, &r.last_year, &r.baseline];
    let headers = vec![
        "Measure".to_string(),
        r.this_year.fy.label(),
        format!("Last year, {}", r.last_year.fy.label()),
        "Change on last year".to_string(),
        format!("Baseline, {}", r.baseline.fy.label()),
        "Change on baseline".to_string(),
    ];
    let rows = measures()
        .iter()
        .map(|(name, pick, show)| {
            let value =
                |y: &YearEnergy| y.figures.as_ref().map(|f| show(pick(f))).unwrap_or_else(|_| "no figure".into());
            let vs = |then: &YearEnergy| match (&r.this_year.figures, &then.figures) {
                (Ok(now), Ok(then)) => change(pick(now), pick(then)).unwrap_or_else(|| "—".into()),
                _ => "—".into(),
            };
            vec![name.to_string(), value(years[0]), value(years[1]), vs(years[1]), value(years[2]), vs(years[2])]
        })
        .collect();
    Table { caption: format!("Headline figures, {}", r.fy.label()), headers, rows }
}

fn key_points(r: &MembersReport) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(now) = &r.this_year.figures {
        let t = now.kg_co2e_total / Decimal::ONE_THOUSAND;
        out.push(format!(
            "In {} the council's ICT used an estimated {} of electricity, costing {} and emitting {}.",
            r.fy.label(),
            kwh(now.kwh),
            gbp(now.cost_gbp.decimal()),
            tonnes(t)
        ));
        // Carbon at an earlier year's factors is said at once, beside the figure.
        out.extend(factor_notes(&r.factor_sets).into_iter().map(|n| format!("{n}.")));
        if let Ok(base) = &r.baseline.figures {
            let b = base.kg_co2e_total / Decimal::ONE_THOUSAND;
            let saved = b - t;
            out.push(if saved >= Decimal::ZERO {
                format!("That is {} less carbon than in the baseline year {}.", tonnes(saved), r.baseline.fy.label())
            } else {
                format!("That is {} more carbon than in the baseline year {}.", tonnes(-saved), r.baseline.fy.label())
            });
        }
        if let Some(target) = r.target_tonnes_this_year {
            out.push(if t <= target {
                format!("Carbon is on or below this year's target of {}.", tonnes(target))
            } else {
                format!("Carbon is {} above this year's target of {}.", tonnes(t - target), tonnes(target))
            });
        }
    }
    let f = &r.ewaste.figures;
    if f.count > 0 {
        out.push(format!(
            "{} ({}) left the estate through completed disposals; {} of the weight was reused.",
            devices(f.count),
            kg(f.weight_kg),
            share(f.share_reused)
        ));
    }
    out
}

fn ewaste(r: &crate::services::disposals::EwasteReport, fy: crate::energy::FinancialYear) -> (Vec<String>, Table) {
    let f = &r.figures;
    let summary = vec![
        format!(
            "Completed disposals dated {} to {}: {} ({}, {}).",
            date(r.from),
            date(r.to),
            grouped(Decimal::from(r.disposals_counted), 0),
            devices(f.count),
            kg(f.weight_kg)
        ),
        format!(
            "Reused (internal reuse, donation, resale): {} ({} by weight).",
            kg(f.reused_weight_kg),
            share(f.share_reused)
        ),
        format!(
            "Diverted from landfill: {} ({} by weight).",
            kg(f.diverted_weight_kg),
            share(f.share_diverted_from_landfill)
        ),
        format!(
            "Data-bearing devices with a sanitisation certificate: {} of {} ({}).",
            grouped(Decimal::from(f.with_certificate_count), 0),
            grouped(Decimal::from(f.storage_bearing_count), 0),
            share(f.share_with_certificate)
        ),
    ];
    let rows = Route::ALL
        .iter()
        .map(|route| {
            let (count, weight) =
                f.by_route.iter().find(|x| x.route == *route).map_or((0, 0.0), |x| (x.count, x.weight_kg));
            vec![route.label().to_string(), grouped(Decimal::from(count), 0), kg(weight)]
        })
        .chain(std::iter::once(vec!["Total".to_string(), grouped(Decimal::from(f.count), 0), kg(f.weight_kg)]))
        .collect();
    let table = Table {
        caption: format!("Disposals by route, {}", fy.label()),
        headers: vec!["Route".into(), "Devices".into(), "Weight".into()],
        rows,
    };
    (summary, table)
}

fn policies(r: &MembersReport) -> Table {
    let rows = r
        .policies_in_force
        .iter()
        .map(|(p, applies)| {
            vec![
                p.name.clone(),
                applies.clone(),
                p.schedule.clone(),
                p.off_action.clone(),
                if p.bank_holidays_off { "off".into() } else { "as scheduled".into() },
            ]
        })
        .collect();
    Table {
        caption: "Power policies in force".into(),
        headers: vec![
            "Policy".into(),
            "Applies to".into(),
            "On hours (UK time)".into(),
            "Out of hours".into(),
            "Bank holidays".into(),
        ],
        rows,
    }
}

fn actions(r: &MembersReport) -> (Table, String) {
    let rows = r
        .actions
        .iter()
        .map(|a| {
            vec![
                a.kind.replace('_', " "),
                a.cause.replace('_', " "),
                a.state.clone(),
                grouped(Decimal::from(a.count), 0),
            ]
        })
        .collect();
    let done: u64 = r.actions.iter().filter(|a| is_carried_out(&a.state)).map(|a| a.count).sum();
    let confirmed: u64 = r.actions.iter().filter(|a| a.state == "confirmed").map(|a| a.count).sum();
    let all: u64 = r.actions.iter().map(|a| a.count).sum();
    let summary = format!(
        "{} power actions were scheduled in {}; {} were carried out (sent, delivered or confirmed), of which {} \
         were confirmed by the device.",
        grouped(Decimal::from(all), 0),
        r.fy.label(),
        grouped(Decimal::from(done), 0),
        grouped(Decimal::from(confirmed), 0)
    );
    let table = Table {
        caption: format!("Power actions, {}", r.fy.label()),
        headers: vec!["Action".into(), "Cause".into(), "Outcome".into(), "Number".into()],
        rows,
    };
    (table, summary)
}

fn method(r: &MembersReport) -> (Vec<String>, Table, Table) {
    let mut text = vec![
        format!("Energy, cost and carbon: {}", r.energy_method),
        format!(
            "Assets counted in {}: {} deployed. Figures are estimates unless a device's agent reported the \
             hours it was on.",
            r.fy.label(),
            devices(r.assets_counted as u64)
        ),
        format!(
            "Target: {}% below the baseline year {} by {}, on a straight line from the baseline; this year's \
             point on that line is the year's target.",
            grouped(r.target.reduction_percent, 0),
            r.baseline.fy.label(),
            r.target.by.label()
        ),
        format!("Disposals: {}", r.ewaste.method),
    ];
    if r.factor_method == "majority_year" {
        text.push(
            "Grid factors: one set per period, for the calendar year holding most of it (DESNZ/BEIS UK greenhouse \
             gas conversion factors for company reporting, UK electricity)."
                .into(),
        );
    }
    text.extend(factor_notes(&r.factor_sets).into_iter().map(|n| {
        format!("{n}: UK reporting practice is to use the latest published factors until the year's own appear.")
    }));
    (text, factor_table(&r.factor_sets), tariff_table(&r.tariffs))
}

fn factor_table(sets: &[crate::services::energy::FactorSetUsed]) -> Table {
    let rows = sets
        .iter()
        .map(|f| {
            vec![
                f.year.to_string(),
                format!("{}", f.generation_kg_co2e_per_kwh.normalize()),
                format!("{}", f.td_kg_co2e_per_kwh.normalize()),
                f.source.clone(),
            ]
        })
        .collect();
    Table {
        caption: "Grid carbon factors used (kgCO2e per kWh)".into(),
        headers: vec!["Year".into(), "Generation (Scope 2)".into(), "T&D losses (Scope 3)".into(), "Source".into()],
        rows,
    }
}

fn tariff_table(tariffs: &[crate::services::energy::TariffUsed]) -> Table {
    let rows = tariffs
        .iter()
        .map(|t| {
            vec![t.applies_to.clone(), date(t.effective_from), format!("{}p", grouped(t.unit_rate_pence_per_kwh, 2))]
        })
        .collect();
    Table {
        caption: "Electricity tariffs used".into(),
        headers: vec!["Applies to".into(), "From".into(), "Unit rate per kWh".into()],
        rows,
    }
}

const CHART_HEADINGS: [(&str, &str); 4] = [
    ("energy-by-month", "Electricity by month"),
    ("carbon-by-year", "Carbon against the baseline and target"),
    ("cost-by-category", "Electricity cost by device category"),
    ("ewaste-by-route", "E-waste by route"),
];

pub fn members(r: &MembersReport) -> MembersView {
    let def = definition("members");
    let problems = [&r.this_year, &r.last_year, &r.baseline]
        .iter()
        .filter_map(|y| y.figures.as_ref().err().map(|why| format!("No figures for {}: {why}.", y.fy.label())))
        .collect();
    let target = match r.target_tonnes_this_year {
        Some(t) => format!(
            "Target: {}% below the {} baseline by {}; this year's point on the way: {}.",
            grouped(r.target.reduction_percent, 0),
            r.baseline.fy.label(),
            r.target.by.label(),
            tonnes(t)
        ),
        None => format!(
            "Target: {}% below the {} baseline by {} (no baseline figure, so no target for this year).",
            grouped(r.target.reduction_percent, 0),
            r.baseline.fy.label(),
            r.target.by.label()
        ),
    };
    let charts = r
        .charts
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let (id, heading) = CHART_HEADINGS.get(i).copied().unwrap_or(("chart", "Chart"));
            ChartView {
                id: id.to_string(),
                heading: heading.to_string(),
                table: spec.table(),
                notes: spec.notes.clone(),
                spec: spec.clone(),
            }
        })
        .collect();
    let (ewaste_summary, ewaste) = ewaste(&r.ewaste, r.fy);
    let (actions, actions_summary) = actions(r);
    let (method, factor_sets, tariffs) = method(r);
    MembersView {
        title: def.as_ref().map_or("ICT carbon report to members".into(), |d| d.title.clone()),
        year: r.fy.label(),
        period: format!("{} to {}", date(r.fy.first_day()), date(r.fy.last_day())),
        generated_on: date(r.generated_on),
        sections: def.map(|d| d.sections).unwrap_or_default(),
        key_points: key_points(r),
        headline: headline(r),
        problems,
        target,
        charts,
        ewaste_summary,
        ewaste,
        ewaste_method: r.ewaste.method.clone(),
        policies: policies(r),
        actions,
        actions_summary,
        method,
        factor_sets,
        tariffs,
    }
}

/// Everything the refresh and disposal report shows, formatted.
pub struct RefreshDisposalView {
    pub title: String,
    pub year: String,
    pub period: String,
    pub generated_on: String,
    pub sections: Vec<Section>,
    pub key_points: Vec<String>,
    pub charts: Vec<ChartView>,
    pub disposals: Table,
    pub ewaste_summary: Vec<String>,
    pub ewaste: Table,
    pub method: Vec<String>,
}

pub fn refresh_disposal(r: &RefreshDisposalReport) -> RefreshDisposalView {
    let def = definition("refresh-disposal");
    let rows = &r.refresh.0;
    let mut key_points = Vec::new();
    if let (Some(overdue), Some(this)) = (rows.first(), rows.get(1)) {
        key_points.push(format!(
            "{} due for refresh in {}, with a replacement budget of {}{}.",
            devices(this.count),
            r.fy.label(),
            gbp(this.budget_gbp),
            if this.unpriced > 0 { format!(" ({} without a price)", devices(this.unpriced)) } else { String::new() }
        ));
        key_points.push(format!("{} overdue from earlier years.", devices(overdue.count)));
    }
    key_points.push(format!(
        "Disposals completed in {}: {} ({}, {}); {} of the weight reused.",
        r.fy.label(),
        grouped(Decimal::from(r.disposals.len() as u64), 0),
        devices(r.ewaste.figures.count),
        kg(r.ewaste.figures.weight_kg),
        share(r.ewaste.figures.share_reused)
    ));
    let chart = |id: &str, heading: &str, spec: &ChartSpec| ChartView {
        id: id.into(),
        heading: heading.into(),
        table: spec.table(),
        notes: spec.notes.clone(),
        spec: spec.clone(),
    };
    let disposals = Table {
        caption: format!("Completed disposals, {}", r.fy.label()),
        headers: vec!["Reference".into(), "Date".into(), "Route".into(), "Received by".into(), "Devices".into()],
        rows: r
            .disposals
            .iter()
            .map(|d| {
                vec![
                    d.reference.clone(),
                    date(d.disposal_date),
                    d.route.label().to_string(),
                    d.receiving_organisation.clone().unwrap_or_else(|| "—".into()),
                    grouped(Decimal::from(d.asset_count), 0),
                ]
            })
            .collect(),
    };
    let (ewaste_summary, ewaste) = ewaste(&r.ewaste, r.fy);
    RefreshDisposalView {
        title: def.as_ref().map_or("Refresh and disposal report".into(), |d| d.title.clone()),
        year: r.fy.label(),
        period: format!("{} to {}", date(r.fy.first_day()), date(r.fy.last_day())),
        generated_on: date(r.generated_on),
        sections: def.map(|d| d.sections).unwrap_or_default(),
        key_points,
        charts: vec![
            chart("refresh-forecast", "Refresh forecast", &r.refresh_chart),
            chart("ewaste-by-route", "E-waste by route", &r.ewaste_chart),
        ],
        disposals,
        ewaste_summary,
        ewaste,
        method: vec![
            "Refresh: an asset is due on its refresh date (its own, else purchase date + its model's life); only \
             assets on order, in stock, deployed or in repair count; the budget is each model's current \
             replacement price."
                .into(),
            format!("Disposals: {}", r.ewaste.method),
        ],
    }
}

/// Everything the energy audit report shows, formatted.
pub struct EnergyAuditView {
    pub title: String,
    /// "Civic Offices"
    pub site: String,
    pub year: String,
    pub period: String,
    pub generated_on: String,
    pub sections: Vec<Section>,
    pub key_points: Vec<String>,
    pub problems: Vec<String>,
    /// kWh, £ and tCO2e for the site, its devices and PUE.
    pub summary: Table,
    /// Said when the site has no meters, or no readings in the year.
    pub metered_note: Option<String>,
    pub metered: Table,
    pub charts: Vec<ChartView>,
    pub categories: Table,
    pub models: Table,
    pub tariff_text: Vec<String>,
    pub tariffs: Table,
    pub factor_sets: Table,
    pub method: Vec<String>,
}

/// A 0–1 share as a percentage to one place: "42.5%".
fn percent(v: Decimal) -> String {
    format!(
        "{}%",
        grouped((v * Decimal::ONE_HUNDRED).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero), 1)
    )
}

fn pue(v: Option<f64>) -> String {
    match v.and_then(Decimal::from_f64_retain) {
        Some(p) => grouped(p.round_dp(2), 2),
        None => "not set (1.00 assumed)".into(),
    }
}

/// kWh with one decimal place, for meter readings and the months compared.
fn kwh1(v: Decimal) -> String {
    format!("{} kWh", grouped(v, 1))
}

fn month_label(m: &str) -> String {
    // "2024-04" → "04/2024"
    match m.split_once('-') {
        Some((y, mm)) => format!("{mm}/{y}"),
        None => m.to_string(),
    }
}

fn signed_kwh(v: Decimal) -> String {
    if v.is_sign_negative() && !v.is_zero() {
        format!("−{}", kwh1(v.abs()))
    } else {
        format!("+{}", kwh1(v))
    }
}

fn breakdown(caption: String, first: &str, lines: &[crate::services::reports::AuditLine], total: Decimal) -> Table {
    let rows = lines
        .iter()
        .map(|l| {
            let share = if total.is_zero() { "—".to_string() } else { percent(l.figures.kwh / total) };
            vec![
                l.name.clone(),
                grouped(Decimal::from(l.devices), 0),
                kwh(l.figures.kwh),
                gbp(l.figures.cost_gbp.decimal()),
                format!("{} kgCO2e", grouped(l.figures.kg_co2e_total, 1)),
                share,
            ]
        })
        .collect();
    Table {
        caption,
        headers: vec![
            first.to_string(),
            "Devices".into(),
            "Electricity".into(),
            "Cost".into(),
            "Carbon".into(),
            "Share of the site's kWh".into(),
        ],
        rows,
    }
}

pub fn energy_audit(r: &crate::services::reports::EnergyAuditReport) -> EnergyAuditView {
    use crate::energy::metered::Measures;
    let def = definition("energy-audit");
    let fy = r.fy.label();
    let mut key_points = Vec::new();
    let mut problems = Vec::new();
    let total_kwh = r.figures.as_ref().map(|f| f.kwh).unwrap_or_default();
    match &r.figures {
        Ok(f) => {
            key_points.push(format!(
                "In {fy} the ICT at {} used an estimated {} of electricity, costing {} and emitting {}.",
                r.site,
                kwh(f.kwh),
                gbp(f.cost_gbp.decimal()),
                tonnes(f.kg_co2e_total / Decimal::ONE_THOUSAND)
            ));
            key_points.extend(factor_notes(&r.factor_sets).into_iter().map(|n| format!("{n}.")));
        }
        Err(why) => problems.push(format!("No estimate for {fy}: {why}.")),
    }
    key_points.push(format!(
        "{} deployed at the site; its PUE (power usage effectiveness, applied to servers and switches) is {}.",
        devices(r.devices),
        pue(r.pue)
    ));
    let covered: Vec<_> = r.metered.iter().filter(|m| m.coverage > Decimal::ZERO).collect();
    let metered_note = if r.meters.is_empty() {
        key_points.push(format!("{} has no meter readings, so the figures are estimates only.", r.site));
        Some("No meter readings: add a meter and import its readings on the Energy page.".to_string())
    } else if covered.is_empty() {
        key_points.push(format!("{}'s meters ({}) have no readings in {fy}.", r.site, r.meters.join(", ")));
        Some(format!(
            "No meter readings in {fy} for {}: import its meters' readings on the Energy page.",
            r.meters.join(", ")
        ))
    } else {
        let basis = covered[0].basis;
        let metered: Decimal = covered.iter().map(|m| m.metered_kwh).sum();
        let estimated: Decimal = covered.iter().filter_map(|m| m.estimated_kwh).sum();
        let months = covered.len();
        let complete: Vec<_> = covered.iter().filter(|m| m.difference_kwh.is_some() || m.ict_share.is_some()).collect();
        key_points.push(format!(
            "Metered ({}): {} over {} month{} with readings, against an estimated {} for those months.",
            basis.label(),
            kwh1(metered),
            months,
            if months == 1 { "" } else { "s" },
            kwh1(estimated)
        ));
        if basis == Measures::WholeSite {
            let site_kwh: Decimal = complete.iter().map(|m| m.metered_kwh).sum();
            let ict: Decimal = complete.iter().filter_map(|m| m.estimated_kwh).sum();
            if !site_kwh.is_zero() {
                key_points.push(format!(
                    "Over the complete months, ICT is an estimated {} of the site's metered electricity.",
                    percent(ict / site_kwh)
                ));
            }
        } else if !complete.is_empty() {
            let diff: Decimal = complete.iter().filter_map(|m| m.difference_kwh).sum();
            key_points.push(format!(
                "Over the {} complete month{}, the meter read {} {} than the estimate.",
                complete.len(),
                if complete.len() == 1 { "" } else { "s" },
                kwh1(diff.abs()),
                if diff.is_sign_negative() { "less" } else { "more" }
            ));
        } else {
            key_points.push("No month is complete, so no difference is given.".into());
        }
        None
    };
    let summary = Table {
        caption: format!("{}, {fy}", r.site),
        headers: vec!["Measure".into(), "Figure".into()],
        rows: {
            let mut rows = Vec::new();
            if let Ok(f) = &r.figures {
                rows.push(vec!["Estimated electricity".into(), kwh(f.kwh)]);
                rows.push(vec!["Estimated cost".into(), gbp(f.cost_gbp.decimal())]);
                rows.push(vec![
                    "Estimated carbon (generation and T&D)".into(),
                    tonnes(f.kg_co2e_total / Decimal::ONE_THOUSAND),
                ]);
            }
            rows.push(vec!["Deployed devices".into(), grouped(Decimal::from(r.devices), 0)]);
            rows.push(vec!["PUE".into(), pue(r.pue)]);
            if !covered.is_empty() {
                rows.push(vec!["Metered electricity".into(), kwh1(covered.iter().map(|m| m.metered_kwh).sum())]);
            }
            rows
        },
    };
    let metered = Table {
        caption: format!("Metered against estimated by month, {fy}"),
        headers: vec![
            "Month".into(),
            "Basis".into(),
            "Metered".into(),
            "Estimated".into(),
            "Coverage".into(),
            "Difference".into(),
            "Ratio or ICT share".into(),
        ],
        rows: r
            .metered
            .iter()
            .map(|m| {
                vec![
                    month_label(&m.month),
                    m.basis.label().to_string(),
                    if m.coverage.is_zero() { "no readings".into() } else { kwh1(m.metered_kwh) },
                    m.estimated_kwh.map_or("no figure".into(), kwh1),
                    percent(m.coverage),
                    m.difference_kwh.map_or("—".into(), signed_kwh),
                    match (m.ratio, m.ict_share) {
                        (Some(ratio), _) => format!("{}×", grouped(ratio, 2)),
                        (None, Some(share)) => format!("ICT {}", percent(share)),
                        _ => "—".into(),
                    },
                ]
            })
            .collect(),
    };
    let spec = &r.month_chart;
    let charts = vec![ChartView {
        id: "energy-by-month".into(),
        heading: format!("Estimated electricity by month, {}", r.site),
        table: spec.table(),
        notes: spec.notes.clone(),
        spec: spec.clone(),
    }];
    let (factor_sets, tariffs) = (factor_table(&r.factor_sets), tariff_table(&r.tariffs));
    let mut tariff_text = vec![if r.tariffs.iter().any(|t| t.site_id == Some(r.site_id)) {
        format!("{} has its own tariff; it priced the site's electricity from the date it took effect.", r.site)
    } else {
        format!("{} has no tariff of its own: the council-wide tariff priced its electricity.", r.site)
    }];
    tariff_text.push(format!("PUE: {}, applied to the site's servers and switches.", pue(r.pue)));
    tariff_text.extend(factor_notes(&r.factor_sets).into_iter().map(|n| {
        format!("{n}: UK reporting practice is to use the latest published factors until the year's own appear.")
    }));
    let mut method_text = vec![format!("Energy, cost and carbon: {}", r.energy_method), r.metered_method.clone()];
    if r.factor_method == "majority_year" {
        method_text.push(
            "Grid factors: one set per period, for the calendar year holding most of it (DESNZ/BEIS UK greenhouse \
             gas conversion factors for company reporting, UK electricity)."
                .into(),
        );
    }
    method_text.extend(r.factor_sets.iter().map(|f| format!("Factor source ({}): {}.", f.year, f.source)));
    EnergyAuditView {
        title: def.as_ref().map_or("Energy audit report for a site".into(), |d| d.title.clone()),
        site: r.site.clone(),
        year: fy.clone(),
        period: format!("{} to {}", date(r.fy.first_day()), date(r.fy.last_day())),
        generated_on: date(r.generated_on),
        sections: def.map(|d| d.sections).unwrap_or_default(),
        key_points,
        problems,
        summary,
        metered_note,
        metered,
        charts,
        categories: breakdown(format!("By device category, {fy}"), "Category", &r.by_category, total_kwh),
        models: breakdown(format!("By model, {fy}"), "Model", &r.by_model, total_kwh),
        tariff_text,
        tariffs,
        factor_sets,
        method: method_text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn uk_formatting_of_the_headline_units() {
        assert_eq!(kwh(dec("1234567.4")), "1,234,567 kWh");
        assert_eq!(gbp(dec("1234.567")), "£1,234.57");
        assert_eq!(tonnes(dec("12.34")), "12.3 tCO2e");
        assert_eq!(tonnes(dec("0.044272261")), "0.044 tCO2e");
    }

    #[test]
    fn changes_are_worded_with_one_decimal() {
        // (90 − 100) / 100 = −10% → "down 10.0%"; (105 − 100) / 100 = +5% → "up 5.0%".
        assert_eq!(change(dec("90"), dec("100")).as_deref(), Some("down 10.0%"));
        assert_eq!(change(dec("105"), dec("100")).as_deref(), Some("up 5.0%"));
        assert_eq!(change(dec("100"), dec("100")).as_deref(), Some("no change"));
        assert_eq!(change(dec("1"), dec("0")), None);
    }
}
