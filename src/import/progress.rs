//! The command line's progress bar for long imports (indicatif), drawn on standard error: how much of
//! the file has been read and written, in bytes (the rows are not counted before they are read).

use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Mutex;

use super::Progress;

pub struct Bar(Mutex<Option<ProgressBar>>);

impl Bar {
    pub fn new() -> Bar {
        Bar(Mutex::new(None))
    }
}

impl Default for Bar {
    fn default() -> Bar {
        Bar::new()
    }
}

impl Progress for Bar {
    fn step(&self, phase: &str, total: u64) {
        let bar = ProgressBar::new(total);
        let style = ProgressStyle::with_template("{msg:>9} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(phase.to_string());
        if let Ok(mut slot) = self.0.lock() {
            if let Some(old) = slot.replace(bar) {
                old.finish_and_clear();
            }
        }
    }

    fn advance(&self, units: u64) {
        if let Ok(slot) = self.0.lock() {
            if let Some(bar) = slot.as_ref() {
                bar.inc(units);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.0.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}
