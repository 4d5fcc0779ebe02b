//! `/healthz`: the process is alive. `/readyz`: the database answers and its migrations are current,
//! so a load balancer sends traffic only to instances that can serve it.

use rocket::http::Status;
use rocket::serde::json::Json;
use serde::Serialize;

use super::guards::Db;
use crate::store::connect;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[rocket::get("/healthz")]
fn healthz() -> Json<Health> {
    Json(Health { status: "ok", reason: None })
}

#[rocket::get("/readyz")]
async fn readyz(db: Db<'_>) -> (Status, Json<Health>) {
    let not_ready =
        |reason: String| (Status::ServiceUnavailable, Json(Health { status: "not_ready", reason: Some(reason) }));
    if let Err(e) = connect::ping(db).await {
        tracing::warn!(error = %e, "readiness: database unreachable");
        return not_ready("database unreachable".into());
    }
    match connect::pending_migrations(db).await {
        Ok(p) if p.is_empty() => (Status::Ok, Json(Health { status: "ready", reason: None })),
        Ok(p) => not_ready(format!("{} pending migrations: run `greenict migrate`", p.len())),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: cannot read migrations");
            not_ready("cannot read migration state".into())
        }
    }
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![healthz, readyz]
}
