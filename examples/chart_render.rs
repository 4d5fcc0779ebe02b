//! Times drawing each chart kind (SVG and PNG) from plain series, no database: the "each chart under
//! 100 ms" target of issue 7. Run in release: `cargo run --release --example chart_render [runs]`.
//! Prints the median and the slowest of `runs` draws per chart and format.

use std::str::FromStr;
use std::time::Instant;

use greenict::charts::kinds::{
    self, CarbonTarget, CostGroup, MonthCategoryKwh, PolicySaving, RefreshYear, SiteEnergy, YearTonnes,
};
use greenict::charts::{render, ChartSpec};
use greenict::domain::Category;
use greenict::energy::{CalendarMonth, FinancialYear};
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// Charts the size a 100,000-asset council gives: every category by month, 15 years of carbon,
/// 300 models, 10 years of refreshes, 6 routes over 8 years, 40 policies, 60 sites.
fn charts() -> Vec<(&'static str, ChartSpec)> {
    let fy = FinancialYear(2025);
    let months: Vec<CalendarMonth> = fy.period().months().into_iter().map(|(m, _)| m).collect();
    let rows: Vec<MonthCategoryKwh> = months
        .iter()
        .enumerate()
        .flat_map(|(i, m)| {
            Category::ALL.into_iter().enumerate().map(move |(j, c)| MonthCategoryKwh {
                month: *m,
                category: c,
                kwh: Decimal::from(150_000 + i as i64 * 1_000 + j as i64 * 20_000),
            })
        })
        .collect();
    let years: Vec<YearTonnes> = (2011..=2025)
        .map(|y| YearTonnes { fy: FinancialYear(y), tonnes_co2e: Ok(Decimal::from(2_000 - (y - 2011) * 60)) })
        .collect();
    let models: Vec<CostGroup> = (0..300)
        .map(|i| CostGroup {
            name: format!("Manufacturer Model {i}"),
            amounts: vec![Decimal::from(10_000 + i * 7), Decimal::from(2_000 + i), dec("500.00"), dec("-25.00")],
        })
        .collect();
    let refresh: Vec<RefreshYear> = std::iter::once(None)
        .chain((2025..2035).map(|y| Some(FinancialYear(y))))
        .map(|fy| RefreshYear { fy, count: 20_000, budget_gbp: dec("13200000.00"), unpriced: 10 })
        .collect();
    let ew_years: Vec<FinancialYear> = (2018..=2025).map(FinancialYear).collect();
    let routes: Vec<(String, Vec<Decimal>)> = ["Reuse", "Donation", "Resale", "Take-back", "Recycling", "Landfill"]
        .iter()
        .enumerate()
        .map(|(r, n)| (n.to_string(), ew_years.iter().map(|_| Decimal::from(1_000 * (r as i64 + 1))).collect()))
        .collect();
    let policies: Vec<PolicySaving> = (0..40)
        .map(|i| PolicySaving {
            policy: format!("Policy {i}"),
            before_kwh: Decimal::from(50_000 + i * 100),
            after_kwh: Decimal::from(35_000 + i * 80),
            observed_saving_kwh: Some(Decimal::from(14_000)),
        })
        .collect();
    let sites: Vec<SiteEnergy> = (0..60)
        .map(|i| SiteEnergy {
            site: format!("Site {i}"),
            metered_kwh: Some(Decimal::from(100_000 + i * 1_000)),
            estimated_kwh: Some(Decimal::from(95_000 + i * 900)),
        })
        .collect();
    vec![
        ("energy_by_month", kinds::energy_by_month(&fy.label(), &months, &rows)),
        (
            "carbon_by_year",
            kinds::carbon_by_year(
                &years,
                FinancialYear(2011),
                Some(CarbonTarget { reduction_percent: dec("50"), by: FinancialYear(2030) }),
            ),
        ),
        (
            "tco_by_model",
            kinds::cost_breakdown(
                "TCO by model",
                "Model",
                &["Purchase", "Electricity", "Support", "Disposal"],
                &models,
            ),
        ),
        ("refresh_forecast", kinds::refresh_forecast(&refresh)),
        ("ewaste_by_route", kinds::ewaste_by_route(&ew_years, &routes)),
        ("policy_savings", kinds::policy_savings("2025/26", &policies)),
        ("metered_vs_estimated", kinds::metered_vs_estimated("2025/26", &sites)),
    ]
}

fn median_and_max(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(|a, b| a.total_cmp(b));
    (ms[ms.len() / 2], ms[ms.len() - 1])
}

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(20);
    // Register the font and warm the allocator once, untimed.
    let _ = render::svg(&charts()[0].1);
    println!("chart,format,runs,median_ms,max_ms,bytes");
    for (name, spec) in charts() {
        for format in ["svg", "png"] {
            let mut times = Vec::with_capacity(runs);
            let mut bytes = 0;
            for _ in 0..runs {
                let start = Instant::now();
                bytes = match format {
                    "svg" => render::svg(&spec).expect("svg").len(),
                    _ => render::png(&spec).expect("png").len(),
                };
                times.push(start.elapsed().as_secs_f64() * 1000.0);
            }
            let (median, max) = median_and_max(times);
            println!("{name},{format},{runs},{median:.2},{max:.2},{bytes}");
        }
    }
}
