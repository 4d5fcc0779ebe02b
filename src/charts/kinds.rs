//! The charts the council uses, each a pure function from plain figures to a [`ChartSpec`]. Money and
//! quantities come in as `Decimal` so the table and CSV beside a chart carry them exactly; only the
//! drawing turns them into floats.

use rust_decimal::Decimal;

use super::style::OTHER_NAME;
use super::{Bars, ChartSpec, Line, LineStyle, Panel, Series, Unit, XCategory};
use crate::domain::Category;
use crate::energy::{CalendarMonth, FinancialYear};

/// Most series a chart draws in their own colour; the smallest of the rest are summed into "Other".
pub const MAX_SERIES: usize = 8;
/// Most bars along a breakdown's x axis; the rest are summed into one "Other" bar.
pub const MAX_GROUPS: usize = 15;

fn total(s: &Series) -> Decimal {
    s.values.iter().flatten().map(|v| v.abs()).sum()
}

/// Keeps the `max - 1` largest series (by the sum of their absolute values, order kept) and sums the
/// rest into one "Other" series, so no chart needs more colours than the palette has.
pub fn keep_largest(series: Vec<Series>, max: usize) -> Vec<Series> {
    if series.len() <= max || max < 2 {
        return series;
    }
    let mut by_size: Vec<(usize, Decimal)> = series.iter().enumerate().map(|(i, s)| (i, total(s))).collect();
    by_size.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let kept: std::collections::HashSet<usize> = by_size.iter().take(max - 1).map(|(i, _)| *i).collect();
    let n = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let mut other: Vec<Option<Decimal>> = vec![None; n];
    let mut out = Vec::with_capacity(max);
    for (i, s) in series.into_iter().enumerate() {
        if kept.contains(&i) {
            out.push(s);
        } else {
            for (slot, v) in other.iter_mut().zip(&s.values) {
                if let Some(v) = v {
                    *slot = Some(slot.unwrap_or_default() + v);
                }
            }
        }
    }
    out.push(Series::new(OTHER_NAME, other));
    out
}

fn month_name(m: CalendarMonth) -> &'static str {
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .get((m.month as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("?")
}

/// One device category's electricity in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCategoryKwh {
    pub month: CalendarMonth,
    pub category: Category,
    pub kwh: Decimal,
}

/// Electricity by month, stacked by device category (kWh). `months` are the x axis in order (all the
/// period's months, so a month without figures shows as a gap); `period` names it ("2025/26").
/// Within one financial year months read "Apr".."Mar"; across years "Apr 2025".
pub fn energy_by_month(period: &str, months: &[CalendarMonth], rows: &[MonthCategoryKwh]) -> ChartSpec {
    let one_year = months.first().is_some_and(|first| {
        let fy = FinancialYear::containing(first.first_day());
        months.iter().all(|m| FinancialYear::containing(m.first_day()) == fy)
    });
    let categories: Vec<XCategory> = months
        .iter()
        .map(|m| {
            let label = if one_year { month_name(*m).to_string() } else { format!("{} {}", month_name(*m), m.year) };
            XCategory::new(label, m.to_string())
        })
        .collect();
    let index = |m: CalendarMonth| months.iter().position(|x| *x == m);
    let months_with_figures: std::collections::HashSet<usize> = rows.iter().filter_map(|r| index(r.month)).collect();
    let mut series = Vec::new();
    for c in Category::ALL {
        let of_category: Vec<&MonthCategoryKwh> = rows.iter().filter(|r| r.category == c).collect();
        if of_category.is_empty() {
            continue;
        }
        // A month the estimate covered but this category used nothing in is a zero, not a gap.
        let mut values: Vec<Option<Decimal>> =
            (0..months.len()).map(|i| months_with_figures.contains(&i).then_some(Decimal::ZERO)).collect();
        for r in of_category {
            if let Some(i) = index(r.month) {
                values[i] = Some(values[i].unwrap_or_default() + r.kwh);
            }
        }
        series.push(Series::new(c.label(), values));
    }
    ChartSpec {
        title: format!("Electricity by month and device category, {period} (kWh)"),
        x_label: if one_year { format!("Month ({period})") } else { "Month".to_string() },
        categories,
        panels: vec![Panel {
            quantity: "Electricity".into(),
            unit: Unit::Kwh,
            bars: Bars::Stacked,
            series: keep_largest(series, MAX_SERIES),
            lines: vec![],
        }],
        notes: vec![],
    }
}

/// A financial year's emissions, or why there is no figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearTonnes {
    pub fy: FinancialYear,
    pub tonnes_co2e: Result<Decimal, String>,
}

/// A reduction target: `reduction_percent` below the baseline by the end of financial year `by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CarbonTarget {
    pub reduction_percent: Decimal,
    pub by: FinancialYear,
}

/// The target trajectory's value for `year`: a straight line from the baseline's figure in the
/// baseline year to (100 − reduction)% of it in the target year, flat after it; none before the
/// baseline year. `baseline_tonnes × (1 − p/100 × (y − b)/(t − b))`.
pub fn target_tonnes(
    baseline: FinancialYear,
    baseline_tonnes: Decimal,
    target: CarbonTarget,
    year: FinancialYear,
) -> Option<Decimal> {
    if year < baseline {
        return None;
    }
    let share = target.reduction_percent / Decimal::ONE_HUNDRED;
    let span = target.by.0 - baseline.0;
    let progress = if span <= 0 || year >= target.by {
        Decimal::ONE
    } else {
        Decimal::from(year.0 - baseline.0) / Decimal::from(span)
    };
    Some(baseline_tonnes * (Decimal::ONE - share * progress))
}

/// Emissions by financial year (tCO2e) as bars, with the baseline year's figure as a solid line and the
/// target trajectory dashed. Years without a figure are gaps, and the notes say why.
pub fn carbon_by_year(years: &[YearTonnes], baseline: FinancialYear, target: Option<CarbonTarget>) -> ChartSpec {
    let categories = years.iter().map(|y| XCategory::same(y.fy.label())).collect();
    let values: Vec<Option<Decimal>> = years.iter().map(|y| y.tonnes_co2e.as_ref().ok().copied()).collect();
    let mut notes: Vec<String> = years
        .iter()
        .filter_map(|y| y.tonnes_co2e.as_ref().err().map(|why| format!("{}: no figure ({why})", y.fy.label())))
        .collect();
    let baseline_tonnes = years.iter().find(|y| y.fy == baseline).and_then(|y| y.tonnes_co2e.as_ref().ok().copied());
    let mut lines = Vec::new();
    match baseline_tonnes {
        Some(b) => {
            lines.push(Line {
                series: Series::new(format!("Baseline {}", baseline.label()), years.iter().map(|_| Some(b)).collect()),
                style: LineStyle::Solid,
            });
            if let Some(t) = target {
                lines.push(Line {
                    series: Series::new(
                        format!("Target: −{}% by {}", t.reduction_percent.normalize(), t.by.label()),
                        years.iter().map(|y| target_tonnes(baseline, b, t, y.fy)).collect(),
                    ),
                    style: LineStyle::Dashed,
                });
                notes.push(format!(
                    "Target: a straight line from the baseline ({}) to {}% below it in {}.",
                    baseline.label(),
                    t.reduction_percent.normalize(),
                    t.by.label()
                ));
            }
        }
        None => notes.push(format!(
            "No baseline or target line: there is no figure for the baseline year {}.",
            baseline.label()
        )),
    }
    ChartSpec {
        title: format!(
            "Carbon from ICT electricity by financial year, against the {} baseline (tCO2e)",
            baseline.label()
        ),
        x_label: "Financial year".into(),
        categories,
        panels: vec![Panel {
            quantity: "Emissions".into(),
            unit: Unit::TonnesCo2e,
            bars: Bars::Grouped,
            series: vec![Series::new("Estimated emissions", values)],
            lines,
        }],
        notes,
    }
}

/// One bar of a cost breakdown: a category or model, and its amount for each component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostGroup {
    pub name: String,
    /// One amount (£) per component, in the components' order.
    pub amounts: Vec<Decimal>,
}

/// Cost (or TCO) by category or model (£), stacked by component (e.g. purchase, electricity,
/// maintenance, disposal). Largest first; past [`MAX_GROUPS`] the rest are one "Other" bar.
pub fn cost_breakdown(title: &str, x_label: &str, components: &[&str], groups: &[CostGroup]) -> ChartSpec {
    let sum = |g: &CostGroup| g.amounts.iter().copied().sum::<Decimal>();
    let mut sorted: Vec<&CostGroup> = groups.iter().collect();
    sorted.sort_by(|a, b| sum(b).cmp(&sum(a)).then(a.name.cmp(&b.name)));
    let mut bars: Vec<CostGroup> = sorted.iter().take(MAX_GROUPS).map(|g| (*g).clone()).collect();
    if sorted.len() > MAX_GROUPS {
        let rest = &sorted[MAX_GROUPS - 1..];
        bars.truncate(MAX_GROUPS - 1);
        let mut amounts = vec![Decimal::ZERO; components.len()];
        for g in rest {
            for (a, v) in amounts.iter_mut().zip(&g.amounts) {
                *a += v;
            }
        }
        bars.push(CostGroup { name: format!("{OTHER_NAME} ({} more)", rest.len()), amounts });
    }
    let series = components
        .iter()
        .enumerate()
        .map(|(j, c)| {
            Series::new(*c, bars.iter().map(|g| Some(g.amounts.get(j).copied().unwrap_or_default())).collect())
        })
        .collect();
    ChartSpec {
        title: format!("{title} (£)"),
        x_label: x_label.into(),
        categories: bars.iter().map(|g| XCategory::same(g.name.clone())).collect(),
        panels: vec![Panel {
            quantity: "Cost".into(),
            unit: Unit::Gbp,
            bars: Bars::Stacked,
            series: keep_largest(series, MAX_SERIES),
            lines: vec![],
        }],
        notes: vec![],
    }
}

/// Assets due for refresh in one financial year (or overdue), and what replacing them would cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshYear {
    /// `None`: already overdue (due before the first year shown).
    pub fy: Option<FinancialYear>,
    pub count: u64,
    /// Σ the replacement price of those whose model has one.
    pub budget_gbp: Decimal,
    /// Of `count`, those with no replacement price, left out of the budget.
    pub unpriced: u64,
}

/// Refresh forecast by financial year: assets due (number) above, budget (£) below.
pub fn refresh_forecast(years: &[RefreshYear]) -> ChartSpec {
    let first = years.iter().filter_map(|y| y.fy).min();
    let categories = years
        .iter()
        .map(|y| match (y.fy, first) {
            (Some(fy), _) => XCategory::same(fy.label()),
            (None, _) => XCategory::new("Overdue", "overdue"),
        })
        .collect();
    let unpriced: u64 = years.iter().map(|y| y.unpriced).sum();
    let mut notes = Vec::new();
    if let Some(f) = first {
        notes.push(format!("Overdue: due before {} and not yet replaced.", f.label()));
    }
    notes.push(
        "Due date: the asset's own refresh date, else purchase date + its life (asset, model, \
        category default). Budget: each asset's model's current replacement price."
            .to_string(),
    );
    if unpriced > 0 {
        notes.push(format!(
            "{unpriced} of these assets have no replacement price on their model, so the budget leaves them out."
        ));
    }
    ChartSpec {
        title: "Refresh forecast by financial year: assets due and budget".into(),
        x_label: "Financial year due".into(),
        categories,
        panels: vec![
            Panel {
                quantity: "Assets due".into(),
                unit: Unit::Count,
                bars: Bars::Grouped,
                series: vec![Series::new("Assets due", years.iter().map(|y| Some(Decimal::from(y.count))).collect())],
                lines: vec![],
            },
            Panel {
                quantity: "Refresh budget".into(),
                unit: Unit::Gbp,
                bars: Bars::Grouped,
                series: vec![Series::new("Replacement cost", years.iter().map(|y| Some(y.budget_gbp)).collect())],
                lines: vec![],
            },
        ],
        notes,
    }
}

/// E-waste by route per financial year (kg), stacked: `routes` are (route name, kg per year in the
/// order of `years`), in the order they should stack (reuse first).
pub fn ewaste_by_route(years: &[FinancialYear], routes: &[(String, Vec<Decimal>)]) -> ChartSpec {
    let series = routes
        .iter()
        .map(|(name, kg)| Series::new(name.clone(), (0..years.len()).map(|i| kg.get(i).copied()).collect()))
        .collect();
    ChartSpec {
        title: "E-waste by route and financial year (kg)".into(),
        x_label: "Financial year".into(),
        categories: years.iter().map(|y| XCategory::same(y.label())).collect(),
        panels: vec![Panel {
            quantity: "Weight".into(),
            unit: Unit::Kg,
            bars: Bars::Stacked,
            series: keep_largest(series, MAX_SERIES),
            lines: vec![],
        }],
        notes: vec![],
    }
}

/// A power policy's effect over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySaving {
    pub policy: String,
    /// Estimated use without the policy (the usage profiles alone).
    pub before_kwh: Decimal,
    /// Estimated use with it.
    pub after_kwh: Decimal,
    /// Saving observed from agent check-ins, where devices report.
    pub observed_saving_kwh: Option<Decimal>,
}

/// Policy savings (kWh): before and after each policy above; estimated against observed saving below.
pub fn policy_savings(period: &str, policies: &[PolicySaving]) -> ChartSpec {
    let column = |f: &dyn Fn(&PolicySaving) -> Option<Decimal>| policies.iter().map(f).collect::<Vec<_>>();
    ChartSpec {
        title: format!("Savings from power policies, {period} (kWh)"),
        x_label: "Power policy".into(),
        categories: policies.iter().map(|p| XCategory::same(p.policy.clone())).collect(),
        panels: vec![
            Panel {
                quantity: "Electricity".into(),
                unit: Unit::Kwh,
                bars: Bars::Grouped,
                series: vec![
                    Series::new("Without the policy", column(&|p| Some(p.before_kwh))),
                    Series::new("With the policy", column(&|p| Some(p.after_kwh))),
                ],
                lines: vec![],
            },
            Panel {
                quantity: "Saving".into(),
                unit: Unit::Kwh,
                bars: Bars::Grouped,
                series: vec![
                    Series::new("Estimated saving", column(&|p| Some(p.before_kwh - p.after_kwh))),
                    Series::new("Observed saving", column(&|p| p.observed_saving_kwh)),
                ],
                lines: vec![],
            },
        ],
        notes: vec!["Estimated saving = estimated use without the policy − with it. Observed saving comes from \
            the agents' check-ins; a dash where no devices reported."
            .into()],
    }
}

/// A site's metered and estimated electricity over the same period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteEnergy {
    pub site: String,
    pub metered_kwh: Option<Decimal>,
    pub estimated_kwh: Option<Decimal>,
}

/// Metered against estimated electricity per site (kWh), side by side.
pub fn metered_vs_estimated(period: &str, sites: &[SiteEnergy]) -> ChartSpec {
    ChartSpec {
        title: format!("Metered and estimated ICT electricity by site, {period} (kWh)"),
        x_label: "Site".into(),
        categories: sites.iter().map(|s| XCategory::same(s.site.clone())).collect(),
        panels: vec![Panel {
            quantity: "Electricity".into(),
            unit: Unit::Kwh,
            bars: Bars::Grouped,
            series: vec![
                Series::new("Metered", sites.iter().map(|s| s.metered_kwh).collect()),
                Series::new("Estimated", sites.iter().map(|s| s.estimated_kwh).collect()),
            ],
            lines: vec![],
        }],
        notes: vec!["A dash: no meter readings (metered) or no estimate for that site.".into()],
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
    fn target_line_by_hand() {
        // Baseline 2022/23 at 100 t, 50% less by 2030/31 (8 years): 2026/27 is half way through, so
        // 100 × (1 − 0.5 × 4/8) = 75 t; 2030/31 and after 50 t; the baseline year itself 100 t.
        let t = CarbonTarget { reduction_percent: dec("50"), by: FinancialYear(2030) };
        let b = FinancialYear(2022);
        assert_eq!(target_tonnes(b, dec("100"), t, FinancialYear(2026)), Some(dec("75")));
        assert_eq!(target_tonnes(b, dec("100"), t, FinancialYear(2022)), Some(dec("100")));
        assert_eq!(target_tonnes(b, dec("100"), t, FinancialYear(2030)), Some(dec("50")));
        assert_eq!(target_tonnes(b, dec("100"), t, FinancialYear(2032)), Some(dec("50")));
        assert_eq!(target_tonnes(b, dec("100"), t, FinancialYear(2021)), None);
        // 2023/24: 100 × (1 − 0.5 × 1/8) = 93.75.
        assert_eq!(target_tonnes(b, dec("100"), t, FinancialYear(2023)), Some(dec("93.75")));
    }

    #[test]
    fn carbon_chart_has_baseline_and_target_lines_and_names_missing_years() {
        let years = vec![
            YearTonnes { fy: FinancialYear(2022), tonnes_co2e: Ok(dec("80")) },
            YearTonnes { fy: FinancialYear(2023), tonnes_co2e: Err("no grid factor set for 2023".into()) },
            YearTonnes { fy: FinancialYear(2024), tonnes_co2e: Ok(dec("60")) },
        ];
        let t = CarbonTarget { reduction_percent: dec("40"), by: FinancialYear(2026) };
        let spec = carbon_by_year(&years, FinancialYear(2022), Some(t));
        let p = &spec.panels[0];
        assert_eq!(p.series[0].values, [Some(dec("80")), None, Some(dec("60"))]);
        assert_eq!(p.lines[0].series.values, [Some(dec("80")); 3]);
        // 80 × (1 − 0.4 × 2/4) = 64 in 2024/25.
        assert_eq!(p.lines[1].series.values[2], Some(dec("64")));
        assert!(spec.notes[0].contains("2023/24: no figure (no grid factor set for 2023)"), "{:?}", spec.notes);
        let no_base = carbon_by_year(&years[1..], FinancialYear(2023), Some(t));
        assert!(no_base.panels[0].lines.is_empty());
    }

    #[test]
    fn series_past_the_palette_are_summed_into_other() {
        let series: Vec<Series> =
            (1..=10).map(|i| Series::new(format!("s{i}"), vec![Some(Decimal::from(i)), None])).collect();
        let kept = keep_largest(series, 8);
        assert_eq!(kept.len(), 8);
        // s4..s10 kept (the 7 largest, in their order); s1 + s2 + s3 = 6 in Other.
        assert_eq!(kept[0].name, "s4");
        assert_eq!(kept[7].name, OTHER_NAME);
        assert_eq!(kept[7].values, [Some(dec("6")), None]);
    }

    #[test]
    fn cost_breakdown_sorts_largest_first_and_sums_the_tail() {
        let groups: Vec<CostGroup> = (1..=20)
            .map(|i| CostGroup { name: format!("Model {i:02}"), amounts: vec![Decimal::from(i), dec("0.50")] })
            .collect();
        let spec = cost_breakdown("TCO by model", "Model", &["Purchase", "Electricity"], &groups);
        assert_eq!(spec.categories.len(), MAX_GROUPS);
        assert_eq!(spec.categories[0].label, "Model 20");
        // Kept: models 20..7 (14 bars); Other: models 6..1, purchase 6+5+4+3+2+1 = 21, electricity 6 × 0.50 = 3.
        assert_eq!(spec.categories[14].label, "Others (6 more)");
        assert_eq!(spec.panels[0].series[0].values[14], Some(dec("21")));
        assert_eq!(spec.panels[0].series[1].values[14], Some(dec("3.00")));
    }

    #[test]
    fn energy_months_label_within_a_year_and_zero_where_covered() {
        let months: Vec<CalendarMonth> = FinancialYear(2025).period().months().into_iter().map(|(m, _)| m).collect();
        let rows = vec![
            MonthCategoryKwh { month: months[0], category: Category::Desktop, kwh: dec("10") },
            MonthCategoryKwh { month: months[1], category: Category::Monitor, kwh: dec("2") },
        ];
        let spec = energy_by_month("2025/26", &months, &rows);
        assert_eq!(spec.categories[0], XCategory::new("Apr", "2025-04"));
        assert_eq!(spec.categories[11], XCategory::new("Mar", "2026-03"));
        let desktop = &spec.panels[0].series[0];
        assert_eq!(desktop.name, "Desktop PC");
        assert_eq!(desktop.values[..3], [Some(dec("10")), Some(Decimal::ZERO), None]);
    }
}
