//! Matching a file's header line to our fields: our own column names, the names other tools export
//! (Snipe-IT, GLPI, NetBox, Lansweeper, Configuration Manager), and an optional mapping file that
//! overrides the guesses.

use std::collections::{BTreeMap, HashMap};

use super::Problem;

/// A field an import can fill, with the header names it answers to, best first.
pub trait ImportField: Copy + Eq + std::hash::Hash + 'static {
    const ALL: &'static [Self];
    /// Our own column name, as written by the export.
    fn name(self) -> &'static str;
    /// Other names, compared after [`normalise`]; earlier ones win when a file has several.
    fn aliases(self) -> &'static [&'static str];
}

/// Lower case with every run of spaces, underscores, hyphens, dots and slashes made one space:
/// "Asset_Tag", "asset-tag" and "Asset  Tag" all become "asset tag".
pub fn normalise(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for word in header.trim().split(|c: char| c.is_whitespace() || "_-./".contains(c)).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// A mapping file (TOML) that names, for headers in the file, the field to fill or `ignore`:
/// ```toml
/// [columns]
/// "Inventory No" = "asset_tag"
/// "Order Number" = "ignore"
/// ```
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

impl Mapping {
    pub fn parse(text: &str) -> Result<Mapping, Problem> {
        toml::from_str(text).map_err(|e| {
            Problem::file(
                format!("the mapping file is not valid: {}", e.message()),
                "write it as a [columns] table of \"Header in file\" = \"our_field\" (or \"ignore\") lines",
            )
        })
    }
}

/// Which field each column of the file fills (`None`: not imported), and what the user should hear.
#[derive(Debug, Clone)]
pub struct Header<F> {
    pub names: Vec<String>,
    pub fields: Vec<Option<F>>,
    pub warnings: Vec<String>,
}

impl<F: ImportField> Header<F> {
    pub fn column_of(&self, field: F) -> Option<usize> {
        self.fields.iter().position(|f| *f == Some(field))
    }

    pub fn has(&self, field: F) -> bool {
        self.column_of(field).is_some()
    }

    /// The header as written for a column (for messages).
    pub fn name_of(&self, field: F) -> &str {
        self.column_of(field).map_or(field.name(), |i| self.names[i].as_str())
    }
}

pub fn match_header<F: ImportField>(names: &[String], mapping: &Mapping) -> Result<Header<F>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let by_name: HashMap<&str, F> = F::ALL.iter().map(|f| (f.name(), *f)).collect();
    let explicit: HashMap<String, &String> = mapping.columns.iter().map(|(k, v)| (normalise(k), v)).collect();
    for (header, target) in &mapping.columns {
        if !names.iter().any(|n| normalise(n) == normalise(header)) {
            problems.push(Problem::file(
                format!("the mapping file names column \"{header}\", which is not in the file's header line"),
                "correct the name in the mapping file (case and spacing do not matter) or remove the line",
            ));
        }
        if target != "ignore" && !by_name.contains_key(target.as_str()) {
            let known: Vec<&str> = F::ALL.iter().map(|f| f.name()).collect();
            problems.push(Problem::file(
                format!("the mapping file maps \"{header}\" to \"{target}\", which is not a field"),
                format!("use one of: {}, or ignore", known.join(", ")),
            ));
        }
    }
    // For each column: an explicit mapping, else the best-ranked alias it matches.
    let mut fields: Vec<Option<(F, usize)>> = Vec::with_capacity(names.len());
    for name in names {
        let n = normalise(name);
        let chosen = match explicit.get(&n) {
            Some(t) if t.as_str() == "ignore" => None,
            Some(t) => by_name.get(t.as_str()).map(|f| (*f, 0)),
            None => F::ALL.iter().find_map(|f| {
                if normalise(f.name()) == n {
                    return Some((*f, 0));
                }
                f.aliases().iter().position(|a| *a == n).map(|rank| (*f, rank + 1))
            }),
        };
        if chosen.is_none() && !explicit.contains_key(&n) {
            if n.is_empty() {
                warnings.push("a column with an empty header is not imported".to_string());
            } else {
                warnings.push(format!(
                    "column \"{name}\" is not imported: no field matches it; map it in a mapping file if it holds one"
                ));
            }
        }
        fields.push(chosen);
    }
    // Two columns for one field: the better-ranked name wins, the other is reported.
    for field in F::ALL {
        let mut cols: Vec<(usize, usize)> =
            fields.iter().enumerate().filter_map(|(i, c)| c.filter(|(f, _)| f == field).map(|(_, r)| (r, i))).collect();
        if cols.len() > 1 {
            cols.sort();
            for &(_, i) in &cols[1..] {
                warnings.push(format!(
                    "column \"{}\" is not imported: \"{}\" already gives {}",
                    names[i],
                    names[cols[0].1],
                    field.name()
                ));
                fields[i] = None;
            }
        }
    }
    if problems.is_empty() {
        Ok(Header { names: names.to_vec(), fields: fields.into_iter().map(|c| c.map(|(f, _)| f)).collect(), warnings })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    enum F {
        Tag,
        Model,
    }

    impl ImportField for F {
        const ALL: &'static [F] = &[F::Tag, F::Model];
        fn name(self) -> &'static str {
            match self {
                F::Tag => "asset_tag",
                F::Model => "model",
            }
        }
        fn aliases(self) -> &'static [&'static str] {
            match self {
                F::Tag => &["asset tag", "inventory number"],
                F::Model => &["model name", "model no"],
            }
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_match_in_any_case_and_spacing() {
        assert_eq!(normalise("  Asset_TAG "), "asset tag");
        assert_eq!(normalise("Model No."), "model no");
        let h = match_header::<F>(&names(&["Inventory number", "MODEL-NAME", "Order Number"]), &Mapping::default())
            .unwrap();
        assert_eq!(h.fields, vec![Some(F::Tag), Some(F::Model), None]);
        assert_eq!(h.warnings.len(), 1);
        assert!(h.warnings[0].contains("Order Number"));
    }

    #[test]
    fn the_better_name_wins_and_the_other_is_reported() {
        let h = match_header::<F>(&names(&["Model No.", "Asset Tag", "Model Name"]), &Mapping::default()).unwrap();
        assert_eq!(h.fields, vec![None, Some(F::Tag), Some(F::Model)]);
        assert!(h.warnings[0].contains("\"Model No.\" is not imported: \"Model Name\" already gives model"));
    }

    #[test]
    fn a_mapping_file_overrides_and_is_checked() {
        let m = Mapping::parse("[columns]\n\"Kit\" = \"asset_tag\"\n\"Asset Tag\" = \"ignore\"\n").unwrap();
        let h = match_header::<F>(&names(&["Asset Tag", "Kit"]), &m).unwrap();
        assert_eq!(h.fields, vec![None, Some(F::Tag)]);
        assert!(h.warnings.is_empty());
        let bad = Mapping::parse("[columns]\n\"Nope\" = \"asset_tag\"\n\"Kit\" = \"colour\"\n").unwrap();
        let problems = match_header::<F>(&names(&["Kit"]), &bad).unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(problems.iter().any(|p| p.message.contains("column \"Nope\", which is not in")), "{problems:?}");
        assert!(problems.iter().any(|p| p.message.contains("\"colour\"") && p.fix.contains("asset_tag, model")));
        assert!(Mapping::parse("columns = 3").is_err());
    }
}
