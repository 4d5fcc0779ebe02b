//! Who is acting, for the audit trail: a signed-in person, an API token, someone at the server's
//! command line, or the system itself.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub name: String,
    pub kind: ActorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// Named, not proven: the operating-system user running a command-line import on the server.
    Declared,
    /// The service itself: demo loading, migrations, the scheduler.
    System,
    /// A person signed in with a password (or, later, single sign-on): their username.
    User,
    /// An API token: `token:<name>`.
    Token,
    /// An enrolled PC agent, authenticated by its device token: named `agent:<asset tag>`.
    Agent,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Declared => "declared",
            ActorKind::System => "system",
            ActorKind::User => "user",
            ActorKind::Token => "token",
            ActorKind::Agent => "agent",
        }
    }
}

impl Actor {
    pub fn system() -> Actor {
        Actor { name: "system".into(), kind: ActorKind::System }
    }

    pub fn user(username: &str) -> Actor {
        Actor { name: username.to_string(), kind: ActorKind::User }
    }

    pub fn token(token_name: &str) -> Actor {
        Actor { name: format!("token:{token_name}"), kind: ActorKind::Token }
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
