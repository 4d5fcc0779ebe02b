//! Reads the shipped grid factor file (`assets/reference/uk_grid_factors.csv`) into [`GridFactors`]. Pure:
//! text in, factor sets out, with the line of any bad row named.

use rust_decimal::Decimal;
use std::str::FromStr;

use super::carbon::{GridFactorSet, GridFactors};

/// Parses CSV with a header naming at least `year`, `generation_kgco2e_per_kwh`, `td_losses_kgco2e_per_kwh`
/// and `source` (and optionally `source_url`, appended to the source text). Fields may be double-quoted,
/// with `""` for a quote inside; other columns are ignored.
pub fn parse_grid_factors_csv(text: &str) -> Result<GridFactors, String> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or("the grid factor file is empty")?;
    let header = split_csv_line(header).map_err(|e| format!("line 1: {e}"))?;
    let column = |name: &str| {
        header.iter().position(|h| h.trim() == name).ok_or_else(|| format!("the header has no '{name}' column"))
    };
    let (year, generation, td, source) =
        (column("year")?, column("generation_kgco2e_per_kwh")?, column("td_losses_kgco2e_per_kwh")?, column("source")?);
    let url = column("source_url").ok();
    let mut sets = Vec::new();
    for (index, line) in lines {
        let at = |e: String| format!("line {}: {e}", index + 1);
        let fields = split_csv_line(line).map_err(at)?;
        let field = |i: usize| fields.get(i).map(|s| s.trim()).unwrap_or("");
        let number = |i: usize| {
            Decimal::from_str(field(i)).map_err(|_| at(format!("'{}' is not a number ({})", field(i), header[i])))
        };
        let mut source_text = field(source).to_string();
        if let Some(u) = url.map(field).filter(|u| !u.is_empty()) {
            source_text = format!("{source_text} ({u})");
        }
        sets.push(GridFactorSet {
            year: field(year).parse().map_err(|_| at(format!("'{}' is not a year", field(year))))?,
            generation_kg_co2e_per_kwh: number(generation)?,
            td_kg_co2e_per_kwh: number(td)?,
            source: source_text,
        });
    }
    GridFactors::new(sets)
}

/// One CSV record on one line (the shipped files have no line breaks inside fields).
fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    fields.push(field);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../assets/reference/uk_grid_factors.csv");

    #[test]
    fn reads_the_shipped_file() {
        // The 2024 row of uk_grid_factors.csv / SOURCES.md §1 (DESNZ GHG conversion factors 2024):
        // generation 0.20705, T&D 0.01830 kgCO2e/kWh; 2015-2025, eleven years.
        let factors = parse_grid_factors_csv(SHIPPED).unwrap();
        assert_eq!(factors.years().collect::<Vec<_>>(), (2015..=2025).collect::<Vec<_>>());
        let y2024 = factors.for_year(2024).unwrap();
        assert_eq!(y2024.generation_kg_co2e_per_kwh, Decimal::from_str("0.20705").unwrap());
        assert_eq!(y2024.td_kg_co2e_per_kwh, Decimal::from_str("0.01830").unwrap());
        assert_eq!(y2024.total_kg_co2e_per_kwh(), Decimal::from_str("0.22535").unwrap());
        assert!(
            y2024.source.starts_with("DESNZ Greenhouse gas reporting: conversion factors 2024"),
            "{}",
            y2024.source
        );
        assert!(y2024
            .source
            .contains("https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2024"));
        // A quoted source holding commas stays one field: 2015's names two sheets.
        assert!(factors
            .for_year(2015)
            .unwrap()
            .source
            .contains("'UK electricity' and 'Transmission and distribution'"));
    }

    #[test]
    fn names_the_bad_line() {
        let text = "year,generation_kgco2e_per_kwh,td_losses_kgco2e_per_kwh,source\n2024,0.2,0.01,x\n2025,abc,0.01,y\n";
        let err = parse_grid_factors_csv(text).unwrap_err();
        assert!(err.contains("line 3") && err.contains("abc"), "{err}");
        assert!(parse_grid_factors_csv("year,source\n2024,x\n").unwrap_err().contains("generation_kgco2e_per_kwh"));
        assert!(parse_grid_factors_csv("").is_err());
        assert_eq!(split_csv_line(r#"a,"b, ""c""",d"#).unwrap(), ["a", "b, \"c\"", "d"]);
        assert!(split_csv_line(r#"a,"b"#).is_err());
    }
}
