//! The framework's own ceiling on this machine: a bare Rocket route returning a constant JSON body,
//! with the same Rocket settings as the service. `benches/http.sh` measures it beside greenict.

use rocket::serde::json::{json, Value};

#[rocket::get("/ceiling")]
fn ceiling() -> Value {
    json!({"asset_tag": "WCC-050000", "category": "desktop", "lifecycle_state": "deployed"})
}

#[rocket::launch]
fn rocket() -> _ {
    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8001);
    // Release builds need a cookie key (the service's sessions); this route sets no cookie, so any will do.
    let key = greenict::auth::secret::hash_token(&greenict::auth::secret::new_token(""));
    rocket::custom(greenict::web::figment([127, 0, 0, 1].into(), port).merge(("secret_key", key)))
        .mount("/", rocket::routes![ceiling])
}
