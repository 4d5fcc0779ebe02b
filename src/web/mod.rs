//! HTTP on Rocket: the JSON API under `/api/v1`, HTML pages, static assets, health checks and the
//! request log. Depends on services; never on store internals beyond the connection handle.

pub mod access;
pub mod api;
pub mod catchers;
pub mod guards;
pub mod health;
pub mod pages;
pub mod request_log;
pub mod security_headers;

use rocket::fs::{FileServer, Options};
use rocket::{Build, Rocket};
use sea_orm::DatabaseConnection;
use std::path::PathBuf;

pub use request_log::request_id;

/// The whole app, for `serve` and for tests. `db` must already be migrated (or `/readyz` says not).
pub fn build_rocket(figment: rocket::figment::Figment, db: DatabaseConnection) -> Rocket<Build> {
    // `secure_cookies`: set (from the configuration) when served over HTTPS, so the session cookie is
    // never sent in clear.
    let settings = access::AuthSettings {
        secure_cookies: figment.extract_inner::<bool>("secure_cookies").unwrap_or(false),
        ..Default::default()
    };
    let direct_reads = crate::store::DirectReads::for_db(&db);
    rocket::custom(figment)
        .manage(db)
        .manage(direct_reads)
        .manage(settings)
        .manage(crate::services::charts::EstimateCache::default())
        .attach(request_log::RequestLog)
        .attach(access::Csrf)
        .attach(security_headers::SecurityHeaders)
        .attach(crate::scheduler::fairing())
        .mount("/", health::routes())
        .mount("/api/v1", api::routes())
        .mount("/", api::docs_routes())
        .mount("/", pages::routes())
        .mount("/static", FileServer::new(static_dir(), Options::Missing | Options::NormalizeDirs))
        .register("/", catchers::catchers())
}

/// Rocket settings for serving: our address and port, request size limits, and Rocket's own logging
/// quietened because the request log fairing writes one line per request.
pub fn figment(address: std::net::IpAddr, port: u16) -> rocket::figment::Figment {
    use rocket::data::{Limits, ToByteUnit};
    rocket::Config::figment()
        .merge(("address", address))
        .merge(("port", port))
        .merge(("log_level", rocket::config::LogLevel::Critical))
        .merge(("cli_colors", false))
        .merge(("ident", "greenict"))
        // The client address (for sign-in throttling) is the socket peer: a header such as X-Real-IP is
        // whatever the client says it is, unless a trusted proxy sets it.
        .merge(("ip_header", false))
        .merge((
            "limits",
            Limits::default()
                .limit("json", 1.mebibytes())
                .limit("form", 1.mebibytes())
                // Import uploads: a whole register, and its mapping file.
                .limit("file", api::imports::MAX_IMPORT_BYTES.bytes())
                .limit("data-form", (api::imports::MAX_IMPORT_BYTES + (1 << 20)).bytes()),
        ))
}

/// `assets/static`, found beside the crate so `cargo run` works from any directory.
pub fn static_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/static")
}
