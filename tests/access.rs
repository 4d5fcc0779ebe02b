//! Who may do what (issue 8): every route × every role, sign-in, sessions, the anti-forgery token,
//! throttling, API tokens, the append-only audit trail, security headers, and backup and restore.

mod common;

use common::{anonymous_app, app, app_as, token, TestApp, PASSWORD, WHO};
use greenict::domain::Role;
use rocket::http::{ContentType, Header, Method, Status};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::json;

/// Who a route is for: the policy, written out here independently of the code that enforces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Anyone, signed in or not (health checks, sign-in, static files, API docs).
    Anyone,
    /// A device token, not a person (the agent's own endpoints; tested in agent_api.rs).
    Device,
    Role(Role),
}

fn needs(method: Method, path: &str) -> Needs {
    use Needs::{Anyone, Device};
    let public = ["/healthz", "/readyz", "/sign-in", "/sign-in/link", "/api/v1/openapi.json"];
    if public.contains(&path) || path.starts_with("/static") || path.starts_with("/api/docs") {
        return Anyone;
    }
    if ["/api/v1/agent/enrol", "/api/v1/agent/checkin", "/api/v1/agent/outcome"].contains(&path) {
        return Device;
    }
    if path.starts_with("/users") || path.starts_with("/api/v1/users") {
        return Needs::Role(Role::Admin);
    }
    // Everyone signed in manages their own session and tokens, and may ask "what if".
    if path == "/sign-out" || path.starts_with("/account") || path.starts_with("/api/v1/tokens") {
        return Needs::Role(Role::Viewer);
    }
    if path == "/api/v1/energy/what-if" || path == "/api/v1/refresh/what-if" {
        return Needs::Role(Role::Viewer);
    }
    let facilities = [
        "/api/v1/energy/tariffs",
        "/api/v1/energy/grid-factors",
        "/api/v1/energy/bank-holidays",
        "/api/v1/energy/usage-profiles",
        "/api/v1/energy/category-profiles",
        "/api/v1/meters",
        // Their pages: the lists are for every viewer, the forms and changes for facilities, as the API's.
        "/energy/tariffs",
        "/energy/grid-factors",
        "/energy/usage-profiles",
        "/energy/category-profiles",
        "/energy/meters",
    ];
    let form = path.ends_with("/new") || path.ends_with("/edit") || path.ends_with("/delete") || path == "/import";
    if method == Method::Get && form && facilities.iter().any(|p| path.starts_with(p)) {
        return Needs::Role(Role::Facilities);
    }
    if method == Method::Get {
        // The forms that change things, and ICT's agent enrolment, are for those who may change them.
        let ict_only = path.starts_with("/agents") && path != "/agents/left-on-overnight"
            || path.starts_with("/api/v1/agent-enrolment-tokens");
        return if form || ict_only { Needs::Role(Role::Ict) } else { Needs::Role(Role::Viewer) };
    }
    if facilities.iter().any(|p| path.starts_with(p)) {
        return Needs::Role(Role::Facilities);
    }
    Needs::Role(Role::Ict)
}

/// A concrete address for a route: each `<param>` becomes `1`, the query is dropped.
fn concrete(uri: &str) -> String {
    let path = uri.split('?').next().unwrap_or(uri);
    path.split('/')
        .map(|seg| if seg.starts_with('<') { "1".to_string() } else { seg.replace("<_..>", "x") })
        .collect::<Vec<_>>()
        .join("/")
}

fn refused(s: Status) -> bool {
    s == Status::Unauthorized || s == Status::Forbidden
}

#[rocket::async_test]
async fn every_route_allows_exactly_the_roles_it_should() {
    let t = anonymous_app().await;
    // No cookie jar: each request stands alone, as each caller's would.
    let figment = greenict::web::figment([127, 0, 0, 1].into(), 0);
    let client = rocket::local::asynchronous::Client::untracked(greenict::build_rocket(figment, t.db.clone()))
        .await
        .expect("valid rocket");
    // Routes are called with id 1: let that be a token nobody here uses, so revoking it harms no caller.
    token(&t.db, "sacrificial", Role::Viewer).await;
    let mut callers: Vec<(String, Option<Role>, Option<String>)> = vec![("anonymous".into(), None, None)];
    for role in Role::ALL {
        callers.push((role.to_string(), Some(role), Some(token(&t.db, &format!("matrix-{role}"), role).await)));
    }
    let mut routes: Vec<(Method, String)> =
        t.client.rocket().routes().map(|r| (r.method, concrete(&r.uri.to_string()))).collect();
    routes.sort_by(|a, b| (a.1.clone(), a.0.as_str()).cmp(&(b.1.clone(), b.0.as_str())));
    routes.dedup();
    assert!(routes.len() > 100, "the whole app is mounted: {}", routes.len());
    let mut wrong = Vec::new();
    for (method, path) in &routes {
        let need = needs(*method, path);
        if need == Needs::Device {
            continue;
        }
        for (name, role, secret) in &callers {
            let mut req = client.req(*method, path.clone()).header(ContentType::JSON).body("{}");
            if let Some(s) = secret {
                req.add_header(Header::new("Authorization", format!("Bearer {s}")));
            }
            let res = req.dispatch().await;
            // A page sends a person who is not signed in to the sign-in page.
            let to_sign_in = res.headers().get_one("Location").is_some_and(|l| l.starts_with("/sign-in?next="));
            let status = if to_sign_in { Status::Unauthorized } else { res.status() };
            let expect_allowed = match need {
                Needs::Anyone => true,
                Needs::Role(r) => role.is_some_and(|mine| mine.allows(r)),
                Needs::Device => unreachable!(),
            };
            if expect_allowed == refused(status) {
                let location = res.headers().get_one("Location").unwrap_or_default().to_string();
                let body = res.into_string().await.unwrap_or_default();
                let body: String = body.chars().take(300).collect();
                wrong.push(format!(
                    "{method} {path} as {name}: {status} {location} (expected {}) {body}",
                    if expect_allowed { "allowed" } else { "refused" }
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{} wrong answers:\n{}", wrong.len(), wrong.join("\n"));
}

#[rocket::async_test]
async fn a_user_token_cannot_speak_for_a_device_and_a_device_route_needs_a_device_token() {
    let t = anonymous_app().await;
    let admin = token(&t.db, "not-a-device", Role::Admin).await;
    for path in ["/api/v1/agent/checkin", "/api/v1/agent/outcome"] {
        let res = t
            .client
            .post(path)
            .header(ContentType::JSON)
            .header(Header::new("Authorization", format!("Bearer {admin}")))
            .body("{}")
            .dispatch()
            .await;
        assert!(refused(res.status()) || res.status() == Status::UnprocessableEntity, "{path}: {}", res.status());
        assert_ne!(res.status(), Status::Ok, "{path}");
    }
}

#[rocket::async_test]
async fn anonymous_people_are_sent_to_sign_in_and_come_back() {
    let mut t = anonymous_app().await;
    let res = t.client.get("/assets?site_id=2").dispatch().await;
    assert_eq!(res.status(), Status::SeeOther);
    assert_eq!(res.headers().get_one("Location"), Some("/sign-in?next=%2Fassets%3Fsite_id%3D2"));
    drop(res);
    let (s, v) = t.get("/api/v1/assets").await;
    assert_eq!((s, common::error_of(&v).0.as_str()), (Status::Unauthorized, "sign_in_required"));
    common::add_user(&t.db, "amy.jones", Role::Viewer).await;
    let res = t
        .client
        .post("/sign-in")
        .header(ContentType::Form)
        .body(format!("username=amy.jones&password={}&next=%2Fassets%3Fsite_id%3D2", PASSWORD.replace(' ', "+")))
        .dispatch()
        .await;
    assert_eq!(res.status(), Status::SeeOther);
    assert_eq!(res.headers().get_one("Location"), Some("/assets?site_id=2"), "back where they were going");
    let cookie = res.headers().get("Set-Cookie").find(|c| c.starts_with("greenict_session=")).unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    drop(res);
    t.sign_in("amy.jones", PASSWORD).await;
    let (s, me) = t.get("/api/v1/me").await;
    assert_eq!((s, me["role"].as_str(), me["kind"].as_str()), (Status::Ok, Some("viewer"), Some("user")));
    // Only a path on this site is followed after sign-in.
    let res = t
        .client
        .post("/sign-in")
        .header(ContentType::Form)
        .body(format!("username=amy.jones&password={}&next=%2F%2Fevil.example", PASSWORD.replace(' ', "+")))
        .dispatch()
        .await;
    assert_eq!(res.headers().get_one("Location"), Some("/"));
}

#[rocket::async_test]
async fn a_viewer_sees_no_change_buttons_and_cannot_change_anything() {
    let t = app_as(Role::Viewer).await;
    let (s, page) = t.page("/assets").await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains(WHO) && page.contains("(viewer)"), "the header names who is signed in");
    assert!(!page.contains("href=\"/assets/new\"") && !page.contains("Import a file"), "no change buttons");
    greenict::services::sites::create(
        &t.db,
        &greenict::services::Actor::system(),
        serde_json::from_value(json!({"name": "Civic Offices"})).unwrap(),
    )
    .await
    .unwrap();
    let (_, sites) = t.page("/sites").await;
    assert!(sites.contains("Civic Offices"), "{sites}");
    assert!(!sites.contains("/edit\"") && !sites.contains("/delete\"") && !sites.contains("Add a site"), "{sites}");
    let (s, v) = t.post("/api/v1/sites", json!({"name": "Depot"})).await;
    assert_eq!((s, common::error_of(&v).0.as_str()), (Status::Forbidden, "forbidden"));
    assert!(v["error"]["message"].as_str().unwrap().contains("ict role"), "{v}");
    let (s, _, page) = t.post_form("/sites", "name=Depot").await;
    assert_eq!(s, Status::Forbidden);
    assert!(page.contains("ict role"), "{page}");
    let sites = greenict::store::site::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(sites.len(), 1, "nothing was written");
}

#[rocket::async_test]
async fn a_form_without_the_anti_forgery_token_is_refused_and_changes_nothing() {
    let t = app().await;
    // What a page on another site could make the signed-in browser send: the cookie, no token.
    let res = t.client.post("/sites").header(ContentType::Form).body("name=Depot").dispatch().await;
    assert_eq!(res.status(), Status::Forbidden);
    let res =
        t.client.post("/sites").header(ContentType::Form).body("_csrf=0123456789abcdef&name=Depot").dispatch().await;
    assert_eq!(res.status(), Status::Forbidden, "a wrong token is refused too");
    assert!(greenict::store::site::Entity::find().all(&t.db).await.unwrap().is_empty());
    let (s, _, _) = t.post_form("/sites", "name=Depot").await;
    assert_eq!(s, Status::SeeOther, "with the page's token it works");
}

async fn sql(t: &TestApp, stmt: &str) -> Result<sea_orm::ExecResult, sea_orm::DbErr> {
    t.db.execute_unprepared(stmt).await
}

#[rocket::async_test]
async fn sessions_end_when_they_expire_idle_or_sign_out() {
    let mut t = app().await;
    assert_eq!(t.get("/api/v1/me").await.0, Status::Ok);
    sql(&t, "UPDATE user_session SET expires_at = '2000-01-01T00:00:00Z'").await.unwrap();
    assert_eq!(t.get("/api/v1/me").await.0, Status::Unauthorized, "past its absolute expiry");
    t.sign_in(WHO, PASSWORD).await;
    assert_eq!(t.get("/api/v1/me").await.0, Status::Ok);
    sql(&t, "UPDATE user_session SET last_seen_at = '2000-01-01T00:00:00Z'").await.unwrap();
    assert_eq!(t.get("/api/v1/me").await.0, Status::Unauthorized, "idle too long");
    t.sign_in(WHO, PASSWORD).await;
    let (s, _, _) = t.post_form("/sign-out", "").await;
    assert_eq!(s, Status::SeeOther);
    assert_eq!(t.get("/api/v1/me").await.0, Status::Unauthorized, "signed out");
    let rows = greenict::store::user_session::Entity::find().all(&t.db).await.unwrap();
    assert!(rows.is_empty(), "ended sessions are deleted: {rows:?}");
}

#[rocket::async_test]
async fn passwords_are_stored_as_argon2_and_wrong_ones_are_throttled() {
    let t = anonymous_app().await;
    common::add_user(&t.db, "amy.jones", Role::Ict).await;
    common::add_user(&t.db, "bob.smith", Role::Ict).await;
    let amy = greenict::services::users::by_username(&t.db, "amy.jones").await.unwrap().unwrap();
    let stored = amy.password_hash.unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains(PASSWORD), "{stored}");
    let try_as = |user: &'static str, pw: &'static str| {
        let client = &t.client;
        async move {
            let body = format!("username={user}&password={}", pw.replace(' ', "+"));
            client.post("/sign-in").header(ContentType::Form).body(body).dispatch().await.status()
        }
    };
    for _ in 0..5 {
        assert_eq!(try_as("amy.jones", "wrong guess here").await, Status::Unauthorized);
    }
    assert_eq!(try_as("amy.jones", PASSWORD).await, Status::TooManyRequests, "locked even with the right password");
    assert_eq!(try_as("bob.smith", PASSWORD).await, Status::SeeOther, "another account is not locked");
    // An unknown username is answered like a wrong password.
    assert_eq!(try_as("nobody.here", "wrong guess here").await, Status::Unauthorized);
}

#[rocket::async_test]
async fn tokens_act_with_their_role_until_revoked_or_expired_and_are_named_in_the_audit() {
    let t = app().await;
    let (s, issued) =
        t.post("/api/v1/tokens", json!({"name": "Power BI", "role": "viewer", "expires_in_days": 30})).await;
    assert_eq!(s, Status::Created, "{issued}");
    let secret = issued["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("gict_"));
    let stored = greenict::store::api_token::Entity::find().all(&t.db).await.unwrap();
    assert!(
        stored.iter().all(|r| r.token_hash != secret && !r.token_hash.contains(&secret[5..])),
        "only a hash is kept"
    );
    let (_, list) = t.get("/api/v1/tokens").await;
    assert!(!list.to_string().contains(&secret), "the secret is never shown again");

    let call = |method: Method, path: &'static str, secret: String| {
        let client = &t.client;
        async move {
            client
                .req(method, path)
                .header(ContentType::JSON)
                .header(Header::new("Authorization", format!("Bearer {secret}")))
                .body(r#"{"name":"Depot"}"#)
                .dispatch()
                .await
                .status()
        }
    };
    assert_eq!(call(Method::Get, "/api/v1/sites", secret.clone()).await, Status::Ok);
    assert_eq!(
        call(Method::Post, "/api/v1/sites", secret.clone()).await,
        Status::Forbidden,
        "a viewer token reads only"
    );

    let ict = token(&t.db, "CMDB sync", Role::Ict).await;
    assert_eq!(call(Method::Post, "/api/v1/sites", ict.clone()).await, Status::Created);
    let site_event = greenict::store::audit_event::Entity::find()
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.entity_type == "site")
        .unwrap();
    assert_eq!((site_event.actor.as_str(), site_event.actor_kind.as_str()), ("token:CMDB sync", "token"));

    // A viewer cannot mint an ICT token.
    let viewer = app_as(Role::Viewer).await;
    let (s, e) = viewer.post("/api/v1/tokens", json!({"name": "x", "role": "ict", "expires_in_days": 1})).await;
    assert_eq!(
        (s, common::error_of(&e)),
        (Status::UnprocessableEntity, ("above_own_role".into(), Some("role".into())))
    );

    let id = issued["token"]["id"].as_i64().unwrap();
    assert_eq!(t.delete(&format!("/api/v1/tokens/{id}")).await.0, Status::Ok);
    assert_eq!(call(Method::Get, "/api/v1/sites", secret).await, Status::Unauthorized, "revoked");
    sql(&t, "UPDATE api_token SET expires_at = '2000-01-01T00:00:00Z'").await.unwrap();
    assert_eq!(call(Method::Get, "/api/v1/sites", ict).await, Status::Unauthorized, "expired");
    assert_eq!(call(Method::Get, "/api/v1/sites", "gict_not-a-real-token".into()).await, Status::Unauthorized);
}

#[rocket::async_test]
async fn the_audit_trail_cannot_be_changed_or_deleted() {
    let t = app().await;
    assert_eq!(t.post("/api/v1/sites", json!({"name": "Depot"})).await.0, Status::Created);
    let before = greenict::store::audit_event::Entity::find().all(&t.db).await.unwrap();
    assert!(sql(&t, "UPDATE audit_event SET actor = 'someone else'").await.is_err(), "no rewriting history");
    assert!(sql(&t, "DELETE FROM audit_event").await.is_err(), "no deleting it");
    assert_eq!(greenict::store::audit_event::Entity::find().all(&t.db).await.unwrap(), before);
    // The app offers no way either: only reads under /api/v1/audit.
    for r in t.client.rocket().routes() {
        if r.uri.to_string().contains("/audit") {
            assert_eq!(r.method, Method::Get, "{}", r.uri);
        }
    }
    let (s, events) = t.get("/api/v1/audit?actor=alice&entity_type=site").await;
    assert_eq!(s, Status::Ok);
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{events}");
    let res = t.client.get("/api/v1/audit.csv?entity_type=site").dispatch().await;
    let csv = res.into_string().await.unwrap();
    assert!(csv.starts_with("id,occurred_at,actor,actor_kind,action,entity_type,entity_id,before,after"), "{csv}");
    assert!(csv.contains(",alice.smith,user,create,site,"), "{csv}");
    let (s, page) = t.page("/audit?actor=alice").await;
    assert_eq!(s, Status::Ok);
    assert!(page.contains("site ") && page.contains("alice.smith"), "{page}");
}

#[rocket::async_test]
async fn responses_carry_security_headers() {
    let t = app().await;
    for path in ["/assets", "/api/v1/sites", "/sign-in"] {
        let res = t.client.get(path).dispatch().await;
        let h = res.headers();
        let csp = h.get_one("Content-Security-Policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{path}: {csp}");
        assert_eq!(h.get_one("X-Content-Type-Options"), Some("nosniff"), "{path}");
        assert_eq!(h.get_one("Referrer-Policy"), Some("same-origin"), "{path}");
        assert_eq!(h.get_one("X-Frame-Options"), Some("DENY"), "{path}");
    }
}

/// A backup taken while people keep changing the register is a consistent copy: every site in it has
/// its audit event (they are written in one transaction), and it restores into a working data directory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_writing_then_restore() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("documents")).unwrap();
    std::fs::write(data.join("documents/abc.pdf"), b"%PDF-1.4 test").unwrap();
    let url = format!("sqlite://{}?mode=rwc", data.join("greenict.sqlite").display());
    let db = greenict::store::connect::connect(&url, None).await.unwrap();
    greenict::store::connect::migrate(&db).await.unwrap();
    let actor = greenict::services::Actor::system();
    let writer = {
        let (db, actor) = (db.clone(), actor.clone());
        tokio::spawn(async move {
            for i in 0..200 {
                let changes: greenict::services::sites::SiteChanges =
                    serde_json::from_value(json!({"name": format!("Site {i}")})).unwrap();
                greenict::services::sites::create(&db, &actor, changes).await.unwrap();
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let out = dir.path().join("backup");
    let report = greenict::store::backup::backup(&db, &data, &out).await.unwrap();
    writer.await.unwrap();
    assert_eq!(report.documents, 1);

    let copy_url = format!("sqlite://{}?mode=rwc", out.join("greenict.sqlite").display());
    let copy = greenict::store::connect::connect(&copy_url, None).await.unwrap();
    let count = |table: &'static str| {
        let copy = copy.clone();
        async move {
            let row = copy
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Sqlite,
                    format!("SELECT COUNT(*) FROM {table}"),
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    let sites = count("site").await;
    let site_events = count("audit_event WHERE entity_type = 'site'").await;
    assert_eq!(sites, site_events, "each site with its audit event: a consistent moment");
    copy.close().await.unwrap();

    // Restore into another data directory; the service there sees the backed-up register.
    let elsewhere = dir.path().join("restored");
    let said = greenict::store::backup::restore(&out, &elsewhere).await.unwrap();
    assert!(said.contains("1 document"), "{said}");
    assert_eq!(std::fs::read(elsewhere.join("documents/abc.pdf")).unwrap(), b"%PDF-1.4 test");
    let restored_url = format!("sqlite://{}?mode=rwc", elsewhere.join("greenict.sqlite").display());
    let restored = greenict::store::connect::connect(&restored_url, None).await.unwrap();
    greenict::store::connect::migrate(&restored).await.unwrap();
    let listed = greenict::services::sites::list(&restored).await.unwrap();
    assert_eq!(listed.len() as i64, sites);
    // A second backup into the same place is refused rather than mixed.
    let again = greenict::store::backup::backup(&db, &data, &out).await;
    assert!(again.err().is_some_and(|e| e.contains("already holds")));
}
