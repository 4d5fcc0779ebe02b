//! The chart module on its own (no database): SVG snapshots of every chart kind over a fixed dataset,
//! PNGs that decode to the stated size, and every chart drawn for no data, one point and a large
//! dataset without a panic.
//!
//! Snapshots live in `tests/snapshots/charts/*.svg`. A changed drawing fails the test with the file
//! named; after checking the new drawing by eye (the PNGs of the same charts are written to
//! `target/chart-artifacts/`), regenerate with `UPDATE_SNAPSHOTS=1 cargo test --test charts`.

use std::path::{Path, PathBuf};
use std::str::FromStr;

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

fn months_of(fy: FinancialYear) -> Vec<CalendarMonth> {
    fy.period().months().into_iter().map(|(m, _)| m).collect()
}

/// The fixed dataset: a small council's year, figures made up to be plausible and easy to check.
fn fixed_charts() -> Vec<(&'static str, ChartSpec)> {
    let fy = FinancialYear(2025);
    let months = months_of(fy);
    // Desktops use more in winter months (lights-on hours do not matter here; the figures are made up).
    let shape = [96, 100, 92, 88, 90, 101, 104, 97, 86, 103, 95, 100];
    let mut rows = Vec::new();
    for (i, m) in months.iter().enumerate() {
        for (c, base) in [
            (Category::Desktop, 41),
            (Category::Laptop, 12),
            (Category::Monitor, 9),
            (Category::Server, 55),
            (Category::Switch, 7),
            (Category::Printer, 3),
        ] {
            let kwh = if matches!(c, Category::Server | Category::Switch) {
                Decimal::from(base * 100)
            } else {
                Decimal::from(base * shape[i])
            };
            rows.push(MonthCategoryKwh { month: *m, category: c, kwh });
        }
    }
    let energy = kinds::energy_by_month(&fy.label(), &months, &rows);

    let carbon = kinds::carbon_by_year(
        &[
            YearTonnes { fy: FinancialYear(2021), tonnes_co2e: Ok(dec("58.4")) },
            YearTonnes { fy: FinancialYear(2022), tonnes_co2e: Ok(dec("52.9")) },
            YearTonnes { fy: FinancialYear(2023), tonnes_co2e: Err("no grid electricity factor set for 2023".into()) },
            YearTonnes { fy: FinancialYear(2024), tonnes_co2e: Ok(dec("44.1")) },
            YearTonnes { fy: FinancialYear(2025), tonnes_co2e: Ok(dec("39.75")) },
        ],
        FinancialYear(2021),
        Some(CarbonTarget { reduction_percent: dec("50"), by: FinancialYear(2030) }),
    );

    let cost = kinds::cost_breakdown(
        "Electricity cost by device category, 2025/26",
        "Device category",
        &["Electricity"],
        &[
            CostGroup { name: "Desktop PC".into(), amounts: vec![dec("11823.40")] },
            CostGroup { name: "Server".into(), amounts: vec![dec("16170.00")] },
            CostGroup { name: "Laptop".into(), amounts: vec![dec("3459.60")] },
            CostGroup { name: "Monitor".into(), amounts: vec![dec("2594.70")] },
            CostGroup { name: "Network switch".into(), amounts: vec![dec("2058.00")] },
        ],
    );

    let models: Vec<CostGroup> = (1..=18)
        .map(|i| CostGroup {
            name: format!("Dell OptiPlex {}", 3000 + i * 10),
            amounts: vec![
                Decimal::from(400 + i * 37) * Decimal::from(20),
                Decimal::from(60 + i * 3) * Decimal::from(20),
                Decimal::from(25) * Decimal::from(20),
                Decimal::from(-5) * Decimal::from(20),
            ],
        })
        .collect();
    let tco = kinds::cost_breakdown(
        "Total cost of ownership by model, to date",
        "Model",
        &["Purchase", "Electricity", "Support", "Disposal (net)"],
        &models,
    );

    let refresh = kinds::refresh_forecast(&[
        RefreshYear { fy: None, count: 37, budget_gbp: dec("24420.00"), unpriced: 4 },
        RefreshYear { fy: Some(FinancialYear(2025)), count: 212, budget_gbp: dec("139920.00"), unpriced: 0 },
        RefreshYear { fy: Some(FinancialYear(2026)), count: 148, budget_gbp: dec("97680.00"), unpriced: 0 },
        RefreshYear { fy: Some(FinancialYear(2027)), count: 305, budget_gbp: dec("201300.00"), unpriced: 12 },
        RefreshYear { fy: Some(FinancialYear(2028)), count: 96, budget_gbp: dec("63360.00"), unpriced: 0 },
        RefreshYear { fy: Some(FinancialYear(2029)), count: 0, budget_gbp: Decimal::ZERO, unpriced: 0 },
    ]);

    let years: Vec<FinancialYear> = (2022..=2025).map(FinancialYear).collect();
    let ewaste = kinds::ewaste_by_route(
        &years,
        &[
            ("Internal reuse".to_string(), vec![dec("420"), dec("510"), dec("655.5"), dec("700")]),
            ("Donation".to_string(), vec![dec("300"), dec("280"), dec("410"), dec("520")]),
            ("Resale".to_string(), vec![dec("120"), dec("90"), dec("60"), dec("150")]),
            ("Recycling".to_string(), vec![dec("880"), dec("760"), dec("610"), dec("540")]),
            ("Landfill".to_string(), vec![dec("45"), dec("20"), dec("5"), dec("0")]),
        ],
    );

    let policy = kinds::policy_savings(
        "2025/26",
        &[
            PolicySaving {
                policy: "Offices overnight".into(),
                before_kwh: dec("41250"),
                after_kwh: dec("29870"),
                observed_saving_kwh: Some(dec("10240")),
            },
            PolicySaving {
                policy: "Libraries weekends".into(),
                before_kwh: dec("8800"),
                after_kwh: dec("6120"),
                observed_saving_kwh: None,
            },
            PolicySaving {
                policy: "Depot".into(),
                before_kwh: dec("3050"),
                after_kwh: dec("2990"),
                observed_saving_kwh: Some(dec("-15")),
            },
        ],
    );

    let metered = kinds::metered_vs_estimated(
        "2025/26",
        &[
            SiteEnergy {
                site: "Civic Offices".into(),
                metered_kwh: Some(dec("98400")),
                estimated_kwh: Some(dec("91250.5")),
            },
            SiteEnergy {
                site: "Central Library".into(),
                metered_kwh: Some(dec("15020")),
                estimated_kwh: Some(dec("17110")),
            },
            SiteEnergy { site: "Leisure Centre".into(), metered_kwh: None, estimated_kwh: Some(dec("6200")) },
            SiteEnergy { site: "Depot".into(), metered_kwh: Some(dec("2210")), estimated_kwh: Some(dec("2050")) },
        ],
    );

    vec![
        ("energy_by_month", energy),
        ("carbon_by_year", carbon),
        ("cost_by_category", cost),
        ("tco_by_model", tco),
        ("refresh_forecast", refresh),
        ("ewaste_by_route", ewaste),
        ("policy_savings", policy),
        ("metered_vs_estimated", metered),
    ]
}

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/charts")
}

fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/chart-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/chart-artifacts");
    dir
}

#[test]
fn svg_snapshots_of_every_chart_kind() {
    let update = std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1");
    let mut failures = Vec::new();
    for (name, spec) in fixed_charts() {
        let svg = render::svg(&spec).expect("draws");
        let png = render::png(&spec).expect("draws");
        std::fs::write(artifacts_dir().join(format!("{name}.png")), &png).expect("write png");
        std::fs::write(artifacts_dir().join(format!("{name}.svg")), &svg).expect("write svg");
        let file = snapshot_dir().join(format!("{name}.svg"));
        if update {
            std::fs::create_dir_all(snapshot_dir()).expect("snapshot dir");
            std::fs::write(&file, &svg).expect("write snapshot");
            continue;
        }
        match std::fs::read_to_string(&file) {
            Ok(expected) if expected == svg => {}
            Ok(_) => failures.push(format!(
                "{} differs from the drawing (new one in target/chart-artifacts/{name}.svg)",
                file.display()
            )),
            Err(_) => failures.push(format!("{} is missing", file.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nCheck the new drawings by eye, then run UPDATE_SNAPSHOTS=1 cargo test --test charts",
        failures.join("\n")
    );
}

#[test]
fn svgs_are_accessible_and_carry_their_text() {
    for (name, spec) in fixed_charts() {
        let svg = render::svg(&spec).expect("draws");
        assert!(svg.contains(r#"<svg role="img""#), "{name}: role");
        assert!(svg.contains("<title>"), "{name}: title element");
        assert!(svg.contains("DejaVu Sans, sans-serif"), "{name}: the embedded font's family is named");
        // Titles say their unit; the legend names each series.
        let unit = ["(kWh)", "(tCO2e)", "(£)", "(kg)", "budget"].iter().any(|u| spec.title.contains(u));
        assert!(unit, "{name}: title names its unit: {}", spec.title);
        for p in &spec.panels {
            for s in &p.series {
                let shown = svg.contains(&s.name.replace('&', "&amp;")) || svg.contains('…');
                assert!(shown, "{name}: legend entry {}", s.name);
            }
        }
    }
    let carbon = render::svg(&fixed_charts()[1].1).expect("draws");
    // Financial years on the axis, and the target named in the legend.
    assert!(carbon.contains("\n2021/22\n</text>") && carbon.contains("\n2025/26\n</text>"), "{carbon}");
    assert!(carbon.contains("Target: −50% by 2030/31"), "target legend");
    let refresh = render::svg(&fixed_charts()[4].1).expect("draws");
    // UK money on the budget axis.
    assert!(refresh.contains("\n£100,000\n</text>"), "£ ticks: {refresh}");
}

#[test]
fn pngs_decode_to_the_stated_size() {
    for (name, spec) in fixed_charts() {
        let png = render::png(&spec).expect("draws");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}: PNG signature");
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png).expect("decodes");
        assert_eq!((img.width(), img.height()), render::size(&spec), "{name}");
        // Not blank: some pixels are the first palette colour or black text.
        let rgb = img.to_rgb8();
        let dark = rgb.pixels().filter(|p| p.0.iter().all(|c| *c < 80)).count();
        assert!(dark > 500, "{name}: text and axes drawn ({dark} dark pixels)");
    }
}

/// Every kind for no data, one point, and many series and points.
fn edge_charts() -> Vec<(String, ChartSpec)> {
    let mut out = Vec::new();
    let fy = FinancialYear(2025);
    let months = months_of(fy);
    // Empty.
    out.push(("energy empty".into(), kinds::energy_by_month("2025/26", &months, &[])));
    out.push(("energy no months".into(), kinds::energy_by_month("2025/26", &[], &[])));
    out.push(("carbon empty".into(), kinds::carbon_by_year(&[], fy, None)));
    out.push(("cost empty".into(), kinds::cost_breakdown("Cost", "Model", &["Purchase"], &[])));
    out.push(("refresh empty".into(), kinds::refresh_forecast(&[])));
    out.push(("ewaste empty".into(), kinds::ewaste_by_route(&[], &[])));
    out.push(("policy empty".into(), kinds::policy_savings("2025/26", &[])));
    out.push(("metered empty".into(), kinds::metered_vs_estimated("2025/26", &[])));
    // One point.
    let one = [MonthCategoryKwh { month: months[0], category: Category::Laptop, kwh: dec("0.001") }];
    out.push(("energy one".into(), kinds::energy_by_month("2025/26", &months[..1], &one)));
    let carbon_one = [YearTonnes { fy, tonnes_co2e: Ok(dec("12.5")) }];
    out.push((
        "carbon one".into(),
        kinds::carbon_by_year(
            &carbon_one,
            fy,
            Some(CarbonTarget { reduction_percent: dec("50"), by: FinancialYear(2030) }),
        ),
    ));
    out.push((
        "cost one".into(),
        kinds::cost_breakdown(
            "Cost",
            "Model",
            &["Purchase"],
            &[CostGroup { name: "X".into(), amounts: vec![dec("0")] }],
        ),
    ));
    out.push((
        "refresh one".into(),
        kinds::refresh_forecast(&[RefreshYear { fy: Some(fy), count: 1, budget_gbp: dec("499.99"), unpriced: 0 }]),
    ));
    out.push(("ewaste one".into(), kinds::ewaste_by_route(&[fy], &[("Recycling".into(), vec![dec("3.2")])])));
    out.push((
        "policy one".into(),
        kinds::policy_savings(
            "2025/26",
            &[PolicySaving {
                policy: "P".into(),
                before_kwh: dec("5"),
                after_kwh: dec("6"),
                observed_saving_kwh: Some(dec("-1")),
            }],
        ),
    ));
    out.push((
        "metered one".into(),
        kinds::metered_vs_estimated(
            "2025/26",
            &[SiteEnergy { site: "S".into(), metered_kwh: None, estimated_kwh: Some(dec("1")) }],
        ),
    ));
    // Large: ten years of months for every category at 100,000-asset scale; 1,000 models; 200 routes;
    // 500 policies and sites; figures up to tens of millions.
    let long: Vec<CalendarMonth> = (2016..2026).flat_map(|y| months_of(FinancialYear(y))).collect();
    let rows: Vec<MonthCategoryKwh> = long
        .iter()
        .enumerate()
        .flat_map(|(i, m)| {
            Category::ALL.into_iter().map(move |c| MonthCategoryKwh {
                month: *m,
                category: c,
                kwh: Decimal::from(1_000_000 + i as i64 * 977),
            })
        })
        .collect();
    out.push(("energy large".into(), kinds::energy_by_month("2016/17 to 2025/26", &long, &rows)));
    let years: Vec<YearTonnes> = (1990..2100)
        .map(|y| YearTonnes { fy: FinancialYear(y), tonnes_co2e: Ok(Decimal::from(100_000 - (y - 1990) * 500)) })
        .collect();
    out.push((
        "carbon large".into(),
        kinds::carbon_by_year(
            &years,
            FinancialYear(1990),
            Some(CarbonTarget { reduction_percent: dec("100"), by: FinancialYear(2050) }),
        ),
    ));
    let models: Vec<CostGroup> = (0..1000)
        .map(|i| CostGroup {
            name: format!("A manufacturer with a very long name Model {i} with an even longer description"),
            amounts: (0..12).map(|j| Decimal::from(i * 1000 + j)).collect(),
        })
        .collect();
    let components: Vec<String> = (0..12).map(|j| format!("Component {j}")).collect();
    let component_refs: Vec<&str> = components.iter().map(String::as_str).collect();
    out.push(("cost large".into(), kinds::cost_breakdown("TCO", "Model", &component_refs, &models)));
    let refresh: Vec<RefreshYear> = (0..60)
        .map(|i| RefreshYear {
            fy: Some(FinancialYear(2025 + i)),
            count: 100_000,
            budget_gbp: dec("99999999.99"),
            unpriced: 1,
        })
        .collect();
    out.push(("refresh large".into(), kinds::refresh_forecast(&refresh)));
    let ew_years: Vec<FinancialYear> = (2000..2030).map(FinancialYear).collect();
    let routes: Vec<(String, Vec<Decimal>)> =
        (0..200).map(|r| (format!("Route {r}"), ew_years.iter().map(|_| Decimal::from(r)).collect())).collect();
    out.push(("ewaste large".into(), kinds::ewaste_by_route(&ew_years, &routes)));
    let policies: Vec<PolicySaving> = (0..500)
        .map(|i| PolicySaving {
            policy: format!("Policy {i}"),
            before_kwh: Decimal::from(i * 10),
            after_kwh: Decimal::from(i * 7),
            observed_saving_kwh: (i % 3 == 0).then(|| Decimal::from(i * 2)),
        })
        .collect();
    out.push(("policy large".into(), kinds::policy_savings("2025/26", &policies)));
    let sites: Vec<SiteEnergy> = (0..500)
        .map(|i| SiteEnergy {
            site: format!("Site {i}"),
            metered_kwh: Some(Decimal::from(i * 1000)),
            estimated_kwh: Some(Decimal::from(i * 900)),
        })
        .collect();
    out.push(("metered large".into(), kinds::metered_vs_estimated("2025/26", &sites)));
    out
}

#[test]
fn every_chart_draws_for_no_data_one_point_and_a_large_dataset() {
    for (name, spec) in edge_charts() {
        let svg = render::svg(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        let png = render::png(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{name}");
        assert!(png.len() > 1000, "{name}");
        let csv = spec.csv().expect("csv");
        assert_eq!(
            csv.iter().filter(|b| **b == b'\n').count(),
            spec.categories.len() + 1,
            "{name}: a CSV row a category"
        );
        assert_eq!(spec.table().rows.len(), spec.categories.len(), "{name}");
        if name.ends_with("empty") || name == "energy no months" {
            assert!(svg.contains("No figures to show"), "{name} says it has nothing to show");
        } else {
            assert!(!svg.contains("No figures to show"), "{name} has something to show");
        }
    }
    std::fs::write(
        artifacts_dir().join("large-energy.png"),
        render::png(&edge_charts().into_iter().find(|(n, _)| n == "energy large").expect("large").1).expect("png"),
    )
    .expect("write");
}

#[test]
fn large_breakdowns_are_capped_to_what_a_reader_can_tell_apart() {
    let charts = edge_charts();
    let cost = &charts.iter().find(|(n, _)| n == "cost large").expect("cost").1;
    assert_eq!(cost.categories.len(), kinds::MAX_GROUPS);
    assert_eq!(cost.categories.last().map(|c| c.label.as_str()), Some("Others (986 more)"));
    assert_eq!(cost.panels[0].series.len(), kinds::MAX_SERIES);
    let ewaste = &charts.iter().find(|(n, _)| n == "ewaste large").expect("ewaste").1;
    assert_eq!(ewaste.panels[0].series.len(), kinds::MAX_SERIES);
    // The 7 largest routes kept (199..193) and the other 193 summed: Σ 0..=192 = 192 × 193 / 2 = 18,528 kg a year.
    assert_eq!(ewaste.panels[0].series[7].values[0], Some(Decimal::from(18_528)));
}

#[test]
fn png_text_comes_from_the_embedded_font() {
    // The same chart with and without its title: the title's glyphs must add dark pixels, which only
    // happens if the embedded DejaVu Sans was registered and drawn (plotters' ab_glyph backend never
    // looks at the machine's fonts).
    let (_, spec) = fixed_charts().remove(0);
    let dark = |s: &ChartSpec| {
        let png = render::png(s).expect("draws");
        let img = image::load_from_memory(&png).expect("decodes").to_rgb8();
        img.pixels().filter(|p| p.0.iter().all(|c| *c < 80)).count()
    };
    let untitled = ChartSpec { title: String::new(), ..spec.clone() };
    let with_title = dark(&spec);
    let without = dark(&untitled);
    assert!(with_title > without + 300, "title glyphs drawn: {with_title} vs {without} dark pixels");
}
