//! Charts (issue 7): plain series in, SVG and PNG bytes out, with the table and CSV of the same
//! figures. Never touches the database; depends only on plotters, the embedded font and pure values.
//!
//! A chart is described by a [`ChartSpec`] (title, x categories, one or more panels of bars, each with
//! its unit, and reference lines such as a baseline or a target). The functions in [`kinds`] build the
//! spec for each chart the council uses from plain data; [`render::svg`] and [`render::png`] draw any
//! spec; [`ChartSpec::table`] and [`ChartSpec::csv`] give the figures behind it, for the data table
//! beside each chart (accessibility) and the CSV download.

pub mod format;
pub mod kinds;
pub mod render;
pub mod style;

use rust_decimal::Decimal;
use serde::Serialize;

/// The unit of a panel's values: how they are labelled and rounded for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    Kwh,
    Gbp,
    TonnesCo2e,
    Kg,
    Count,
}

impl Unit {
    /// As written after a quantity: "kWh", "£", "tCO2e", "kg", "" for a count.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Kwh => "kWh",
            Unit::Gbp => "£",
            Unit::TonnesCo2e => "tCO2e",
            Unit::Kg => "kg",
            Unit::Count => "number",
        }
    }

    /// Decimals shown in tables: £ to the penny, tonnes to 0.01 t (10 kg), kWh and kg to one place.
    pub fn table_dp(self) -> u32 {
        match self {
            Unit::Gbp | Unit::TonnesCo2e => 2,
            Unit::Kwh | Unit::Kg => 1,
            Unit::Count => 0,
        }
    }

    /// A value for a table cell: "£1,234.56", "12,345.6", "3".
    pub fn show(self, v: Decimal) -> String {
        match self {
            Unit::Gbp => format::money(v, 2),
            other => format::grouped(v, other.table_dp()),
        }
    }

    /// An axis tick: "£25,000", "1,500", "0.5".
    pub fn tick(self, v: f64, step: f64) -> String {
        let s = format::tick(v, step);
        match self {
            Unit::Gbp => match s.strip_prefix('-') {
                Some(rest) => format!("-£{rest}"),
                None => format!("£{s}"),
            },
            _ => s,
        }
    }
}

/// A point on the x axis: what people read ("Apr", "2025/26", "Desktop") and the key written to CSV
/// ("2025-04", "2025/26", "desktop").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct XCategory {
    pub label: String,
    pub key: String,
}

impl XCategory {
    pub fn new(label: impl Into<String>, key: impl Into<String>) -> XCategory {
        XCategory { label: label.into(), key: key.into() }
    }

    pub fn same(label: impl Into<String>) -> XCategory {
        let label = label.into();
        XCategory { key: label.clone(), label }
    }
}

/// One named series: a value for each x category, `None` where there is no figure (not zero).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<Decimal>>,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<Option<Decimal>>) -> Series {
        Series { name: name.into(), values }
    }
}

/// How a panel's bar series sit: on top of each other (parts of a whole) or side by side (compared).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Bars {
    Stacked,
    Grouped,
}

/// A reference line's look: solid (a baseline, a measured figure) or dashed (a target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LineStyle {
    Solid,
    Dashed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub series: Series,
    pub style: LineStyle,
}

/// One set of axes: bars and lines sharing a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Panel {
    /// The quantity, without unit: "Electricity", "Refresh budget".
    pub quantity: String,
    pub unit: Unit,
    pub bars: Bars,
    pub series: Vec<Series>,
    pub lines: Vec<Line>,
}

impl Panel {
    /// "Electricity (kWh)", "Refresh budget (£)", "Assets due (number)".
    pub fn y_label(&self) -> String {
        format!("{} ({})", self.quantity, self.unit.symbol())
    }
}

/// Everything a chart shows, and nothing about how it was worked out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartSpec {
    /// With the unit and the period: "Electricity by month and device category, 2025/26 (kWh)".
    pub title: String,
    /// What the x axis is: "Month", "Financial year", "Device category".
    pub x_label: String,
    pub categories: Vec<XCategory>,
    pub panels: Vec<Panel>,
    /// Said under the table: which figures are missing and why, what a line means.
    pub notes: Vec<String>,
}

/// The table beside a chart: a header row and one row per x category, already formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    /// First cell is the category label (a row header); the rest are figures.
    pub rows: Vec<Vec<String>>,
}

/// Shown in a table where there is no figure.
pub const NO_FIGURE: &str = "—";

impl ChartSpec {
    /// True when nothing would be drawn: no categories, or every value missing.
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
            || self.panels.iter().all(|p| {
                p.series.iter().chain(p.lines.iter().map(|l| &l.series)).all(|s| s.values.iter().all(Option::is_none))
            })
    }

    /// Columns after the category: each panel's bars (with a total for stacked bars of several series),
    /// then its lines. Each is (header, unit, value per category).
    fn columns(&self) -> Vec<(String, Unit, Vec<Option<Decimal>>)> {
        let mut out = Vec::new();
        let n = self.categories.len();
        for p in &self.panels {
            let symbol = p.unit.symbol();
            for s in &p.series {
                out.push((format!("{} ({symbol})", s.name), p.unit, fit(&s.values, n)));
            }
            if p.bars == Bars::Stacked && p.series.len() > 1 {
                let totals = (0..n)
                    .map(|i| {
                        let present: Vec<Decimal> =
                            p.series.iter().filter_map(|s| s.values.get(i).copied().flatten()).collect();
                        (!present.is_empty()).then(|| present.iter().sum())
                    })
                    .collect();
                out.push((format!("{} total ({symbol})", p.quantity), p.unit, totals));
            }
            for l in &p.lines {
                out.push((format!("{} ({symbol})", l.series.name), p.unit, fit(&l.series.values, n)));
            }
        }
        out
    }

    /// The figures for people: UK formatting, a dash for a missing figure.
    pub fn table(&self) -> Table {
        let columns = self.columns();
        let mut headers = vec![self.x_label.clone()];
        headers.extend(columns.iter().map(|c| c.0.clone()));
        let rows = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut row = vec![c.label.clone()];
                row.extend(columns.iter().map(|(_, unit, values)| match values[i] {
                    Some(v) => unit.show(v),
                    None => NO_FIGURE.to_string(),
                }));
                row
            })
            .collect();
        Table { caption: self.title.clone(), headers, rows }
    }

    /// The figures for machines: the category key, then each column's value in full (no separators,
    /// no £, a blank where there is no figure).
    pub fn csv(&self) -> Result<Vec<u8>, String> {
        let columns = self.columns();
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec![self.x_label.clone()];
        header.extend(columns.iter().map(|c| c.0.clone()));
        w.write_record(&header).map_err(|e| e.to_string())?;
        for (i, c) in self.categories.iter().enumerate() {
            let mut row = vec![c.key.clone()];
            row.extend(columns.iter().map(|(_, _, v)| v[i].map(|d| d.normalize().to_string()).unwrap_or_default()));
            w.write_record(&row).map_err(|e| e.to_string())?;
        }
        w.into_inner().map_err(|e| e.to_string())
    }

    /// One sentence for an image's alt text: the title and where the figures are.
    pub fn alt_text(&self) -> String {
        if self.is_empty() {
            format!("{}: no figures to show.", self.title)
        } else {
            format!("{}. The figures are in the table beside the chart.", self.title)
        }
    }
}

/// `values` padded with `None` (or cut) to `n`, so a short series cannot index out of range.
fn fit(values: &[Option<Decimal>], n: usize) -> Vec<Option<Decimal>> {
    (0..n).map(|i| values.get(i).copied().flatten()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn spec() -> ChartSpec {
        ChartSpec {
            title: "Electricity by month (kWh)".into(),
            x_label: "Month".into(),
            categories: vec![XCategory::new("Apr", "2025-04"), XCategory::new("May", "2025-05")],
            panels: vec![Panel {
                quantity: "Electricity".into(),
                unit: Unit::Kwh,
                bars: Bars::Stacked,
                series: vec![
                    Series::new("Desktop", vec![Some(dec("1234.56")), None]),
                    Series::new("Monitor", vec![Some(dec("100.04")), Some(dec("50"))]),
                ],
                lines: vec![],
            }],
            notes: vec![],
        }
    }

    #[test]
    fn table_formats_the_uk_way_with_a_total_and_a_dash_for_no_figure() {
        let t = spec().table();
        assert_eq!(t.headers, ["Month", "Desktop (kWh)", "Monitor (kWh)", "Electricity total (kWh)"]);
        // Apr: 1234.56 → "1,234.6" (1 dp for kWh); total 1234.56 + 100.04 = 1334.60.
        assert_eq!(t.rows[0], ["Apr", "1,234.6", "100.0", "1,334.6"]);
        // May: no desktop figure, so the total is the monitors' alone.
        assert_eq!(t.rows[1], ["May", NO_FIGURE, "50.0", "50.0"]);
    }

    #[test]
    fn csv_has_keys_and_full_values() {
        let csv = String::from_utf8(spec().csv().unwrap()).unwrap();
        assert_eq!(
            csv,
            "Month,Desktop (kWh),Monitor (kWh),Electricity total (kWh)\n2025-04,1234.56,100.04,1334.6\n2025-05,,50,50\n"
        );
    }

    #[test]
    fn empty_means_nothing_to_draw() {
        assert!(!spec().is_empty());
        let mut s = spec();
        for series in &mut s.panels[0].series {
            series.values = vec![None, None];
        }
        assert!(s.is_empty());
        assert!(ChartSpec { categories: vec![], ..spec() }.is_empty());
    }
}
