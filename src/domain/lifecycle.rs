//! `LifecycleState` and the moves allowed between states:
//! on order → in stock → deployed ⇄ in repair → retired → awaiting disposal → disposed.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleState {
    OnOrder,
    InStock,
    Deployed,
    InRepair,
    Retired,
    AwaitingDisposal,
    Disposed,
}

use LifecycleState::*;

impl LifecycleState {
    pub const ALL: [LifecycleState; 7] = [OnOrder, InStock, Deployed, InRepair, Retired, AwaitingDisposal, Disposed];

    pub fn as_str(self) -> &'static str {
        match self {
            OnOrder => "on_order",
            InStock => "in_stock",
            Deployed => "deployed",
            InRepair => "in_repair",
            Retired => "retired",
            AwaitingDisposal => "awaiting_disposal",
            Disposed => "disposed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OnOrder => "On order",
            InStock => "In stock",
            Deployed => "Deployed",
            InRepair => "In repair",
            Retired => "Retired",
            AwaitingDisposal => "Awaiting disposal",
            Disposed => "Disposed",
        }
    }

    /// The states an asset may move to next. Besides the main line, a device may go back to stock
    /// (a returned laptop is redeployed), and a retirement or pending disposal may be undone before the
    /// device has left; nothing leaves `Disposed`.
    pub fn next_states(self) -> &'static [LifecycleState] {
        match self {
            OnOrder => &[InStock],
            InStock => &[Deployed, Retired],
            Deployed => &[InRepair, InStock, Retired],
            InRepair => &[Deployed, InStock, Retired],
            Retired => &[AwaitingDisposal, InStock],
            AwaitingDisposal => &[Disposed, Retired],
            Disposed => &[],
        }
    }

    pub fn can_move_to(self, to: LifecycleState) -> bool {
        self == to || self.next_states().contains(&to)
    }

    /// A disposed asset has left the estate: its record is kept as it was, for audit.
    pub fn is_read_only(self) -> bool {
        self == Disposed
    }
}

impl fmt::Display for LifecycleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LifecycleState {
    type Err = String;
    fn from_str(s: &str) -> Result<LifecycleState, String> {
        // Stored values are already in this form: match them before making a normalised copy (the TCO of
        // 100,000 assets parses a few hundred thousand).
        if let Some(exact) = LifecycleState::ALL.into_iter().find(|c| c.as_str() == s) {
            return Ok(exact);
        }
        let key = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        LifecycleState::ALL.into_iter().find(|c| c.as_str() == key).ok_or_else(|| {
            let names: Vec<&str> = LifecycleState::ALL.iter().map(|c| c.as_str()).collect();
            format!("'{s}' is not a lifecycle state; use one of: {}", names.join(", "))
        })
    }
}

/// The message for a refused move, naming where the asset may go instead.
pub fn refused_move_message(from: LifecycleState, to: LifecycleState) -> String {
    let next: Vec<&str> = from.next_states().iter().map(|s| s.as_str()).collect();
    if next.is_empty() {
        format!("cannot move a {from} asset to {to}: a disposed asset is read-only")
    } else {
        format!("cannot move a {from} asset to {to}; allowed next states: {}", next.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_line_is_allowed_and_skips_are_not() {
        let line = [OnOrder, InStock, Deployed, InRepair, Deployed, Retired, AwaitingDisposal, Disposed];
        for w in line.windows(2) {
            assert!(w[0].can_move_to(w[1]), "{} -> {}", w[0], w[1]);
        }
        assert!(!OnOrder.can_move_to(Deployed));
        assert!(!InStock.can_move_to(Disposed));
        assert!(!Deployed.can_move_to(AwaitingDisposal));
        for s in LifecycleState::ALL {
            assert_eq!(Disposed.can_move_to(s), s == Disposed);
        }
    }

    #[test]
    fn refusal_names_the_allowed_states() {
        assert_eq!(
            refused_move_message(OnOrder, Deployed),
            "cannot move a on_order asset to deployed; allowed next states: in_stock"
        );
        assert!(refused_move_message(Disposed, InStock).contains("read-only"));
    }
}
