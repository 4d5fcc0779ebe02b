//! Who may call a route. Every route takes one of these guards: `Viewer` for reading, `Facilities`,
//! `Ict` or `Admin` for changes. Each derefs to the `Actor` the audit trail names.

use std::ops::Deref;

use rocket::request::{self, FromRequest, Request};

use crate::domain::Role;
use crate::error::AppError;
use crate::services::Actor;

/// The person or token behind a request, and the role they hold.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub role: Role,
}

async fn caller<'r>(req: &'r Request<'_>) -> request::Outcome<Caller, AppError> {
    // Until sign-in lands, a request acts as the declared (or system) actor with every role.
    Actor::from_request(req).await.map(|actor| Caller { actor, role: Role::Admin })
}

macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Caller);

        impl $name {
            pub const ROLE: Role = $role;
        }

        impl Deref for $name {
            type Target = Actor;
            fn deref(&self) -> &Actor {
                &self.0.actor
            }
        }

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = AppError;

            async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
                caller(req).await.and_then(|c| {
                    if c.role.allows($role) {
                        request::Outcome::Success($name(c))
                    } else {
                        request::Outcome::Error((
                            rocket::http::Status::Forbidden,
                            AppError::forbidden($role),
                        ))
                    }
                })
            }
        }
    };
}

role_guard!(
    /// Signed in with any role: reads, reports, charts.
    Viewer,
    Role::Viewer
);
role_guard!(
    /// Meter readings, tariffs, grid factors, usage profiles.
    Facilities,
    Role::Facilities
);
role_guard!(
    /// Assets, catalogue, imports, power policies and actions, disposals.
    Ict,
    Role::Ict
);
role_guard!(
    /// Users, tokens, settings.
    Admin,
    Role::Admin
);
