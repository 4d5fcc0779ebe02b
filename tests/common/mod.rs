//! Test helpers: the real app on a fresh database per test. By default a new SQLite file in a temp
//! directory; with `GREENICT_TEST_DATABASE_URL=postgres://...`, a new PostgreSQL schema per test, so
//! tests run in parallel on both.
#![allow(dead_code)]

use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::Value;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct TestApp {
    pub client: Client,
    pub db: DatabaseConnection,
    pub backend: &'static str,
    /// The signed-in session's anti-forgery token ("" when not signed in).
    pub csrf: String,
    _dir: Option<tempfile::TempDir>,
}

static SCHEMA_COUNTER: AtomicU32 = AtomicU32::new(0);

pub async fn fresh_db() -> (DatabaseConnection, &'static str, Option<tempfile::TempDir>) {
    match std::env::var("GREENICT_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => {
            let schema = format!(
                "t_{}_{}_{}",
                std::process::id(),
                SCHEMA_COUNTER.fetch_add(1, Ordering::Relaxed),
                chrono::Utc::now().timestamp_micros() % 1_000_000
            );
            let admin = greenict::store::connect::connect(&url, None).await.expect("PostgreSQL reachable");
            admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
            admin.close().await.ok();
            let db = greenict::store::connect::connect(&url, Some(&schema)).await.expect("connect to schema");
            greenict::store::connect::migrate(&db).await.expect("migrate");
            (db, "postgres", None)
        }
        None => {
            let dir = tempfile::tempdir().expect("tempdir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.sqlite").display());
            let db = greenict::store::connect::connect(&url, None).await.expect("open sqlite");
            greenict::store::connect::migrate(&db).await.expect("migrate");
            (db, "sqlite", Some(dir))
        }
    }
}

/// The app with `WHO` signed in as an administrator, through the real sign-in page.
pub async fn app() -> TestApp {
    app_as(greenict::domain::Role::Admin).await
}

/// The app with `WHO` signed in with `role`.
pub async fn app_as(role: greenict::domain::Role) -> TestApp {
    let mut app = anonymous_app().await;
    add_user(&app.db, WHO, role).await;
    app.sign_in(WHO, PASSWORD).await;
    app
}

/// The app with nobody signed in.
pub async fn anonymous_app() -> TestApp {
    let (db, backend, dir) = fresh_db().await;
    // Documents go to a data directory of the test's own (the SQLite file's, or a new one).
    let dir = dir.or_else(|| tempfile::tempdir().ok());
    let data_dir = dir.as_ref().map(|d| d.path().to_path_buf()).unwrap_or_default();
    let figment = greenict::web::figment([127, 0, 0, 1].into(), 0).merge(("data_dir", data_dir));
    let rocket = greenict::build_rocket(figment, db.clone());
    let client = Client::tracked(rocket).await.expect("valid rocket");
    TestApp { client, db, backend, csrf: String::new(), _dir: dir }
}

pub const WHO: &str = "alice.smith";
pub const PASSWORD: &str = "kettle lantern orchard";

pub async fn add_user(db: &DatabaseConnection, username: &str, role: greenict::domain::Role) {
    let new = greenict::services::users::NewUser {
        username: username.into(),
        display_name: Some(format!("{username} (test)")),
        role,
        password: PASSWORD.into(),
    };
    greenict::services::users::create(db, &greenict::services::Actor::system(), new).await.expect("create user");
}

/// An API token with `role`, issued as the system would at the command line.
pub async fn token(db: &DatabaseConnection, name: &str, role: greenict::domain::Role) -> String {
    let new = greenict::services::api_tokens::NewToken { name: name.into(), role, expires_in_days: 30 };
    let actor = greenict::services::Actor::system();
    greenict::services::api_tokens::issue(db, &actor, greenict::domain::Role::Admin, None, new)
        .await
        .expect("issue token")
        .secret
}

/// The value of the first `_csrf` hidden field in a page.
pub fn csrf_in(page: &str) -> Option<String> {
    let at = page.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    Some(page[at..].chars().take_while(|c| *c != '"').collect())
}

impl TestApp {
    /// Signs in through the form, as a browser does; the client keeps the session cookie.
    pub async fn sign_in(&mut self, username: &str, password: &str) {
        let form = format!("username={username}&password={}&next=/account", password.replace(' ', "+"));
        let res = self.client.post("/sign-in").header(ContentType::Form).body(form).dispatch().await;
        assert_eq!(res.status(), Status::SeeOther, "sign-in as {username}");
        let (_, account) = self.page("/account").await;
        self.csrf = csrf_in(&account).expect("the account page carries an anti-forgery token");
    }

    pub async fn get(&self, path: &str) -> (Status, Value) {
        let res = self.client.get(path.to_string()).dispatch().await;
        body(res).await
    }

    pub async fn send(&self, method: &str, path: &str, json: Value) -> (Status, Value) {
        let req = match method {
            "POST" => self.client.post(path.to_string()),
            "PATCH" => self.client.patch(path.to_string()),
            "PUT" => self.client.put(path.to_string()),
            other => panic!("unsupported method {other}"),
        };
        let res = req
            .header(ContentType::JSON)
            .header(Header::new("X-CSRF-Token", self.csrf.clone()))
            .body(json.to_string())
            .dispatch()
            .await;
        body(res).await
    }

    pub async fn post(&self, path: &str, json: Value) -> (Status, Value) {
        self.send("POST", path, json).await
    }

    pub async fn patch(&self, path: &str, json: Value) -> (Status, Value) {
        self.send("PATCH", path, json).await
    }

    pub async fn delete(&self, path: &str) -> (Status, Value) {
        let res = self
            .client
            .delete(path.to_string())
            .header(Header::new("X-CSRF-Token", self.csrf.clone()))
            .dispatch()
            .await;
        body(res).await
    }

    pub async fn raw_post(&self, path: &str, text: &str) -> (Status, Value) {
        let res = self
            .client
            .post(path.to_string())
            .header(ContentType::JSON)
            .header(Header::new("X-CSRF-Token", self.csrf.clone()))
            .body(text)
            .dispatch()
            .await;
        body(res).await
    }

    /// An HTML page: its status and text.
    pub async fn page(&self, path: &str) -> (Status, String) {
        let res = self.client.get(path.to_string()).dispatch().await;
        (res.status(), res.into_string().await.unwrap_or_default())
    }

    /// Posts a form as a browser would (`a=1&b=2`, already encoded), with the session's anti-forgery
    /// token first as the page's form has it: the status, where a redirect goes, and the page. The
    /// client keeps cookies, so a redirect's message shows on the next page.
    pub async fn post_form(&self, path: &str, form: &str) -> (Status, Option<String>, String) {
        let body = if form.is_empty() { format!("_csrf={}", self.csrf) } else { format!("_csrf={}&{form}", self.csrf) };
        let res = self.client.post(path.to_string()).header(ContentType::Form).body(body).dispatch().await;
        let location = res.headers().get_one("Location").map(str::to_string);
        (res.status(), location, res.into_string().await.unwrap_or_default())
    }

    /// A site, a department and a desktop model to hang assets on: returns their ids.
    pub async fn seed_refs(&self) -> (i64, i64, i64) {
        let (s, site) = self.post("/api/v1/sites", serde_json::json!({"name": "Civic Offices", "pue": 1.8})).await;
        assert_eq!(s, Status::Created, "{site}");
        let (s, dept) =
            self.post("/api/v1/departments", serde_json::json!({"name": "Planning", "cost_centre": "PL100"})).await;
        assert_eq!(s, Status::Created, "{dept}");
        let (s, model) = self
            .post(
                "/api/v1/models",
                serde_json::json!({"manufacturer": "Dell", "name": "OptiPlex 7010", "category": "desktop",
                    "on_watts": 70, "sleep_watts": 3, "off_watts": 0.5, "default_life_months": 60}),
            )
            .await;
        assert_eq!(s, Status::Created, "{model}");
        (site["id"].as_i64().unwrap(), dept["id"].as_i64().unwrap(), model["id"].as_i64().unwrap())
    }

    /// Office hours (Mon–Fri 08:00–18:00, asleep out of hours, bank holidays off) as the desktops'
    /// default profile, the one the hand-worked energy figures assume. Returns the profile's id.
    /// A monitor (MON-0001, an Iiyama ProLite 24 of 3.9 kg) reused within the council: disposal
    /// DSP-2024-01 of 30/06/2024, completed.
    pub async fn reused_monitor(&self) {
        use serde_json::json;
        let (s, model) = self
            .post(
                "/api/v1/models",
                json!({"manufacturer": "Iiyama", "name": "ProLite 24", "category": "monitor",
                    "on_watts": 18, "sleep_watts": 0.3, "off_watts": 0.3, "weight_kg": 3.9}),
            )
            .await;
        assert_eq!(s, Status::Created, "{model}");
        let (s, a) = self
            .post(
                "/api/v1/assets",
                json!({"asset_tag": "MON-0001", "model_id": model["id"], "lifecycle_state": "awaiting_disposal"}),
            )
            .await;
        assert_eq!(s, Status::Created, "{a}");
        let (s, d) = self
            .post(
                "/api/v1/disposals",
                json!({"reference": "DSP-2024-01", "disposal_date": "2024-06-30", "route": "internal_reuse"}),
            )
            .await;
        assert_eq!(s, Status::Created, "{d}");
        let id = d["disposal"]["id"].as_i64().unwrap();
        let (s, v) = self.send("PUT", &format!("/api/v1/disposals/{id}/assets/MON-0001"), json!({})).await;
        assert_eq!(s, Status::Ok, "{v}");
        let (s, v) = self.post(&format!("/api/v1/disposals/{id}/complete"), json!({})).await;
        assert_eq!(s, Status::Ok, "{v}");
    }

    pub async fn office_hours_for_desktops(&self) -> i64 {
        let (s, p) = self
            .post(
                "/api/v1/energy/usage-profiles",
                serde_json::json!({"name": "Office hours", "working_days": ["mon", "tue", "wed", "thu", "fri"],
                    "start_time": "08:00", "end_time": "18:00", "out_of_hours": "sleep", "bank_holidays_off": true}),
            )
            .await;
        assert_eq!(s, Status::Created, "{p}");
        let id = p["id"].as_i64().unwrap();
        let (s, v) = self
            .send("PUT", "/api/v1/energy/category-profiles/desktop", serde_json::json!({"usage_profile_id": id}))
            .await;
        assert_eq!(s, Status::Ok, "{v}");
        id
    }
}

pub async fn body(res: LocalResponse<'_>) -> (Status, Value) {
    let status = res.status();
    let text = res.into_string().await.unwrap_or_default();
    let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, value)
}

/// The error body's code and field, asserting the one error shape.
pub fn error_of(v: &Value) -> (String, Option<String>) {
    let e = &v["error"];
    assert!(e["message"].is_string(), "error shape: {v}");
    (e["code"].as_str().unwrap_or_default().to_string(), e["field"].as_str().map(str::to_string))
}

/// (action, actor) of each audit event recorded for one entity, oldest first as stored.
pub async fn audit_actions(t: &TestApp, entity_type: &str, id: i64) -> Vec<(String, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    greenict::store::audit_event::Entity::find()
        .filter(greenict::store::audit_event::Column::EntityType.eq(entity_type))
        .filter(greenict::store::audit_event::Column::EntityId.eq(id.to_string()))
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor))
        .collect()
}
