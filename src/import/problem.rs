//! A problem found in an import file, placed by line and column, with what is wrong and how to fix it.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// 1-based line in the file where the record starts; absent for problems with the whole file.
    pub line: Option<u64>,
    /// The column's header as written in the file.
    pub column: Option<String>,
    /// The offending value as written.
    pub value: Option<String>,
    pub message: String,
    pub fix: String,
}

impl Problem {
    pub fn file(message: impl Into<String>, fix: impl Into<String>) -> Problem {
        Problem { line: None, column: None, value: None, message: message.into(), fix: fix.into() }
    }

    pub fn at(line: u64, message: impl Into<String>, fix: impl Into<String>) -> Problem {
        Problem { line: Some(line), column: None, value: None, message: message.into(), fix: fix.into() }
    }

    pub fn cell(line: u64, column: &str, value: &str, message: impl Into<String>, fix: impl Into<String>) -> Problem {
        Problem {
            line: Some(line),
            column: Some(column.to_string()),
            value: Some(value.to_string()),
            message: message.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}")?;
            if let Some(col) = &self.column {
                write!(f, ", column \"{col}\"")?;
            }
            if let Some(v) = &self.value {
                write!(f, " (value \"{v}\")")?;
            }
            f.write_str(": ")?;
        }
        write!(f, "{}. Fix: {}", self.message.trim_end_matches('.'), self.fix)
    }
}
