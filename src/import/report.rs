//! An import's summary as plain text, for the command line.

use std::fmt::Write;

use super::ImportSummary;

pub fn text(s: &ImportSummary, file: &str) -> String {
    let mut out = String::new();
    if s.is_refused() {
        let _ = writeln!(out, "{file}: nothing was imported. {} problem(s) to fix:", s.problems.len());
        for p in &s.problems {
            let _ = writeln!(out, "  {file}: {p}");
        }
    } else {
        let verb = if s.dry_run { "would be" } else { "were" };
        let _ = writeln!(
            out,
            "{file}: {} {}: {} created, {} updated, {} unchanged{}",
            s.kind,
            if s.dry_run { "checked (dry run, nothing written)" } else { "imported" },
            s.created,
            s.updated,
            s.unchanged,
            if s.dry_run { "" } else { "." }
        );
        for (what, list) in
            [("sites", &s.created_sites), ("departments", &s.created_departments), ("models", &s.created_models)]
        {
            if !list.is_empty() {
                let _ = writeln!(out, "  new {what} {verb} created: {}", list.join(", "));
            }
        }
    }
    for w in &s.warnings {
        let _ = writeln!(out, "  note: {w}");
    }
    out
}
