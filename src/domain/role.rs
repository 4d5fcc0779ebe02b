//! Who may do what. Roles are ordered: each one may do everything the one before it may.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything and runs reports.
    Viewer,
    /// + meter readings, tariffs, grid factors, usage profiles.
    Facilities,
    /// + assets, the catalogue, imports, power policies and actions, disposals.
    Ict,
    /// + users, API tokens of others, settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Facilities, Role::Ict, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Facilities => "facilities",
            Role::Ict => "ict",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Whether someone holding `self` may do what needs `needed`.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_includes_the_ones_below_it_and_not_above() {
        assert!(Role::Admin.allows(Role::Ict));
        assert!(Role::Ict.allows(Role::Facilities));
        assert!(Role::Facilities.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Facilities));
        assert!(!Role::Facilities.allows(Role::Ict));
        assert!(!Role::Ict.allows(Role::Admin));
    }

    #[test]
    fn parses_its_own_names_only() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse(" ICT "), Some(Role::Ict));
        assert_eq!(Role::parse("root"), None);
    }
}
