//! Signing in and proving who you are: password hashing, random tokens, the throttling rule. Pure or
//! CPU-only; the services in `services::{users, sessions, api_tokens}` store what these produce.
//!
//! Roles live on our own `app_user` rows, not in the credential, so an organisation's single sign-on
//! (OpenID Connect, e.g. Microsoft Entra ID) can later be one more way to reach the same user — matched
//! by `external_issuer` + `external_subject` — without changing roles, guards or the audit trail.

pub mod password;
pub mod secret;
pub mod throttle;
