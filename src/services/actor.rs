//! Who is acting: a person named by the request, or the system itself. Signed-in users and API
//! tokens slot in here as further kinds.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub name: String,
    pub kind: ActorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// Named by the `X-Greenict-User` request header (until sign-in exists: not yet authenticated).
    Declared,
    /// The service itself: demo loading, migrations, the scheduler.
    System,
    /// An enrolled PC agent, authenticated by its device token: named `agent:<asset tag>`.
    Agent,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Declared => "declared",
            ActorKind::System => "system",
            ActorKind::Agent => "agent",
        }
    }
}

impl Actor {
    pub fn system() -> Actor {
        Actor { name: "system".into(), kind: ActorKind::System }
    }

    /// The agent enrolled for the asset with this tag.
    pub fn agent(asset_tag: &str) -> Actor {
        Actor { name: format!("agent:{asset_tag}"), kind: ActorKind::Agent }
    }

    /// A name from a request header: printable, at most 100 characters, else not accepted.
    pub fn declared(name: &str) -> Option<Actor> {
        let name = name.trim();
        let ok = !name.is_empty() && name.chars().count() <= 100 && !name.chars().any(char::is_control);
        ok.then(|| Actor { name: name.to_string(), kind: ActorKind::Declared })
    }
}
