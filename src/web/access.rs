//! Who may call a route. Every route takes one of these guards: `Viewer` for reading, `Facilities`,
//! `Ict` or `Admin` for changes. Each derefs to the `Actor` the audit trail names.
//!
//! A caller proves who they are with an API token (`Authorization: Bearer gict_…`) or a session cookie
//! set by the sign-in page. A cookie is sent by the browser on its own, so a change made with one must
//! also carry the session's anti-forgery token: the form's first field `_csrf` (read by the `Csrf`
//! fairing from the start of the body, before the route runs) or an `X-CSRF-Token` header.

use std::ops::Deref;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Cookie, CookieJar, Method, SameSite, Status};
use rocket::request::{self, FromRequest, Request};
use rocket::{Data, State};
use sea_orm::DatabaseConnection;

use crate::auth::secret;
use crate::domain::Role;
use crate::error::AppError;
use crate::services::sessions::SessionRule;
use crate::services::{api_tokens, sessions, Actor};
use crate::store::DirectReads;

static NO_DIRECT_READS: DirectReads = DirectReads::none();

pub const SESSION_COOKIE: &str = "greenict_session";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// How sessions behave here: their lifetime, and whether cookies are marked Secure (behind HTTPS).
#[derive(Debug, Clone, Copy, Default)]
pub struct AuthSettings {
    pub sessions: SessionRule,
    pub secure_cookies: bool,
}

/// The person or token behind a request, and the role they hold.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub role: Role,
    /// Shown to people: their display name, or the token's name.
    pub display_name: String,
    /// The anti-forgery token to put in forms, for a browser session.
    pub csrf: Option<String>,
}

impl Caller {
    pub fn may(&self, role: Role) -> bool {
        self.role.allows(role)
    }
}

#[derive(Debug, Clone)]
enum Denied {
    NoCredentials,
    BadToken,
    Csrf,
    Internal(String),
}

impl Denied {
    fn error(&self) -> (Status, AppError) {
        match self {
            Denied::NoCredentials => (
                Status::Unauthorized,
                AppError::unauthorized(
                    "sign_in_required",
                    "sign in, or send an API token as Authorization: Bearer <token>",
                ),
            ),
            Denied::BadToken => (
                Status::Unauthorized,
                AppError::unauthorized(
                    "invalid_token",
                    "the API token is not valid: it is unknown, revoked or expired; ask for a new one",
                ),
            ),
            Denied::Csrf => (
                Status::Forbidden,
                AppError::Forbidden {
                    needed: Role::Viewer,
                    message: "the form had expired or did not come from this site (missing or wrong anti-forgery \
                              token); reload the page and try again"
                        .into(),
                },
            ),
            Denied::Internal(e) => (Status::InternalServerError, AppError::Internal(e.clone())),
        }
    }
}

fn is_change(method: Method) -> bool {
    !matches!(method, Method::Get | Method::Head | Method::Options)
}

async fn resolve(req: &Request<'_>) -> Result<Caller, Denied> {
    let db = match req.guard::<&State<DatabaseConnection>>().await {
        request::Outcome::Success(db) => db.inner(),
        _ => return Err(Denied::Internal("database handle not managed".into())),
    };
    let settings = req.rocket().state::<AuthSettings>().copied().unwrap_or_default();
    if let Some(auth) = req.headers().get_one("Authorization") {
        let token = auth.strip_prefix("Bearer ").map(str::trim).ok_or(Denied::BadToken)?;
        let direct = req.rocket().state::<DirectReads>().unwrap_or(&NO_DIRECT_READS);
        return match api_tokens::resolve(db, direct, token).await {
            Ok(Some((name, role))) => Ok(Caller { actor: Actor::token(&name), role, display_name: name, csrf: None }),
            Ok(None) => Err(Denied::BadToken),
            Err(e) => Err(Denied::Internal(format!("{e:?}"))),
        };
    }
    let jar = req.cookies();
    let Some(token) = jar.get_private(SESSION_COOKIE).map(|c| c.value().to_string()) else {
        return Err(Denied::NoCredentials);
    };
    let who = match sessions::resolve(db, &token, &settings.sessions).await {
        Ok(Some(who)) => who,
        Ok(None) => {
            jar.remove_private(SESSION_COOKIE);
            return Err(Denied::NoCredentials);
        }
        Err(e) => return Err(Denied::Internal(format!("{e:?}"))),
    };
    let csrf = secret::csrf_for_session(&token);
    if is_change(req.method()) {
        let given = req
            .headers()
            .get_one(CSRF_HEADER)
            .map(str::to_string)
            .or_else(|| req.local_cache(|| PeekedCsrf(None)).0.clone());
        if !given.is_some_and(|g| secret::same(&g, &csrf)) {
            return Err(Denied::Csrf);
        }
    }
    Ok(Caller { actor: Actor::user(&who.username), role: who.role, display_name: who.display_name, csrf: Some(csrf) })
}

struct CallerCache(Result<Caller, Denied>);

/// Why a guard refused this request, for the catcher that answers it (Rocket passes catchers only the
/// status): the status, the error code and the message.
#[derive(Debug, Clone, Default)]
pub struct Refusal(pub Option<(Status, &'static str, String)>);

fn refuse(req: &Request<'_>, status: Status, e: AppError) -> request::Outcome<Caller, AppError> {
    let (code, message) = match &e {
        AppError::Forbidden { message, .. } => ("forbidden", message.clone()),
        AppError::Unauthorized { code, message } => (*code, message.clone()),
        _ => ("internal", String::new()),
    };
    req.local_cache(|| Refusal(Some((status, code, message))));
    request::Outcome::Error((status, e))
}

/// The refusal recorded for this request, if a guard refused it.
pub fn refusal(req: &Request<'_>) -> Option<(Status, &'static str, String)> {
    req.local_cache(Refusal::default).0.clone()
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Caller {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let r = req.local_cache_async(async { CallerCache(resolve(req).await) }).await;
        match &r.0 {
            Ok(c) => request::Outcome::Success(c.clone()),
            Err(d) => {
                let (status, e) = d.error();
                refuse(req, status, e)
            }
        }
    }
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
                match Caller::from_request(req).await {
                    request::Outcome::Success(c) if c.role.allows($role) => request::Outcome::Success($name(c)),
                    request::Outcome::Success(_) => match refuse(req, Status::Forbidden, AppError::forbidden($role)) {
                        request::Outcome::Error(e) => request::Outcome::Error(e),
                        _ => unreachable!("refuse always refuses"),
                    },
                    request::Outcome::Error(e) => request::Outcome::Error(e),
                    request::Outcome::Forward(s) => request::Outcome::Forward(s),
                }
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

/// The session cookie: encrypted and signed by Rocket (private), HttpOnly, SameSite=Lax so links from
/// e-mail still arrive signed in, Secure behind HTTPS.
pub fn session_cookie(token: String, settings: &AuthSettings) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .path("/")
        .max_age(rocket::time::Duration::seconds(settings.sessions.absolute.num_seconds()))
        .build()
}

pub fn end_session_cookie(jar: &CookieJar<'_>) {
    jar.remove_private(Cookie::build(SESSION_COOKIE).path("/"));
}

struct PeekedCsrf(Option<String>);

/// Reads the anti-forgery field from the start of a form body without consuming it, so the role guard
/// can refuse a forged change before the route runs. Forms put `_csrf` first (`csrf.html`).
pub struct Csrf;

#[rocket::async_trait]
impl Fairing for Csrf {
    fn info(&self) -> Info {
        Info { name: "anti-forgery token", kind: Kind::Request }
    }

    async fn on_request(&self, req: &mut Request<'_>, data: &mut Data<'_>) {
        if !is_change(req.method()) || req.headers().get_one(CSRF_HEADER).is_some() {
            return;
        }
        let Some(ct) = req.content_type().cloned() else { return };
        let head = data.peek(512).await;
        let token = if ct.is_form() {
            form_field(head)
        } else if ct.is_form_data() {
            multipart_field(head)
        } else {
            None
        };
        req.local_cache(|| PeekedCsrf(token));
    }
}

/// `_csrf=<token>&…` at the very start of a URL-encoded body.
fn form_field(head: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(head).ok().or_else(|| {
        // The peek may end inside a multi-byte character further on; the token is ASCII at the start.
        let valid = std::str::from_utf8(head).err()?.valid_up_to();
        std::str::from_utf8(&head[..valid]).ok()
    })?;
    let rest = text.strip_prefix(CSRF_FIELD)?.strip_prefix('=')?;
    let value: String = rest.chars().take_while(|c| *c != '&').collect();
    (value.len() < rest.len() || !value.is_empty())
        .then_some(value)
        .filter(|v| v.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The first part of a multipart body, when it is `name="_csrf"`.
fn multipart_field(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(head);
    let after_name = text.split_once("\r\n")?.1;
    let (headers, body) = after_name.split_once("\r\n\r\n")?;
    if !headers.contains(&format!("name=\"{CSRF_FIELD}\"")) {
        return None;
    }
    let value = body.split("\r\n").next()?;
    value.chars().all(|c| c.is_ascii_hexdigit()).then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_token_first_in_a_url_encoded_form() {
        assert_eq!(form_field(b"_csrf=ab12&name=Civic+Centre").as_deref(), Some("ab12"));
        assert_eq!(form_field(b"name=x&_csrf=ab12"), None, "only first: the peek covers the start");
        assert_eq!(form_field(b"_csrf=<script>&a=b"), None);
    }

    #[test]
    fn finds_the_token_in_the_first_multipart_part() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nbeef01\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n";
        assert_eq!(multipart_field(body).as_deref(), Some("beef01"));
        let other = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nbeef01\r\n";
        assert_eq!(multipart_field(other), None);
    }
}
