//! `greenict user …` and `greenict token …`: managing people and tokens at the server's command line,
//! which is how the first administrator comes to exist (there is never a default password).

use std::io::{BufRead, IsTerminal};

use sea_orm::DatabaseConnection;

use crate::domain::Role;
use crate::services::{api_tokens, users, Actor};

pub enum UserAction<'a> {
    Create { username: &'a str, role: &'a str, name: Option<&'a str> },
    Password { username: &'a str },
    List,
    Link { username: &'a str, minutes: i64 },
}

/// The address people open, for links printed here.
fn base_url(config: &crate::config::Config) -> String {
    let host = if config.address.is_unspecified() { "127.0.0.1".to_string() } else { config.address.to_string() };
    let host = if host.contains(':') { format!("[{host}]") } else { host };
    format!("http://{host}:{}", config.port)
}

pub const DEMO_ADMIN: &str = "demo.admin";

/// For `serve --demo`: a demo administrator (with a random password nobody is told: there is no default)
/// and a fresh one-time link to sign in as them, printed to the terminal, not the log.
pub async fn demo_sign_in(db: &DatabaseConnection, config: &crate::config::Config) -> Result<(), String> {
    if users::by_username(db, DEMO_ADMIN).await.map_err(explain)?.is_none() {
        let new = users::NewUser {
            username: DEMO_ADMIN.into(),
            display_name: Some("Demo administrator".into()),
            role: Role::Admin,
            password: crate::auth::secret::new_token(""),
        };
        users::create(db, &Actor::system(), new).await.map_err(explain)?;
    }
    let token = crate::services::sessions::issue_link(db, &Actor::system(), DEMO_ADMIN, chrono::Duration::hours(12))
        .await
        .map_err(explain)?;
    println!(
        "\nSign in to the demo as its administrator (this link works once, for 12 hours):\n  {}/sign-in/link?token={token}\n\
         For another: greenict user link {DEMO_ADMIN}. To add people: greenict user create NAME --role ict\n",
        base_url(config)
    );
    Ok(())
}

fn role(raw: &str) -> Result<Role, String> {
    Role::parse(raw).ok_or_else(|| format!("unknown role '{raw}': use viewer, facilities, ict or admin"))
}

/// The person at the command line, for the audit trail.
fn operator() -> Actor {
    let who = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into());
    Actor::declared(&format!("cli:{who}")).unwrap_or_else(Actor::system)
}

/// A new password: asked for twice without echo at a terminal, or one line of standard input.
fn read_password(username: &str) -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {username}: ")).map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("The same again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ; nothing was changed".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

fn explain(e: crate::error::AppError) -> String {
    let body = e.body("cli");
    let mut lines = vec![body.error.message];
    lines.extend(body.error.details.iter().skip(1).map(|d| d.message.clone()));
    lines.join("\n")
}

pub async fn user(
    db: &DatabaseConnection,
    config: &crate::config::Config,
    action: UserAction<'_>,
) -> Result<(), String> {
    match action {
        UserAction::Create { username, role: r, name } => {
            let role = role(r)?;
            let password = read_password(username)?;
            let new = users::NewUser {
                username: username.to_string(),
                display_name: name.map(str::to_string),
                role,
                password,
            };
            let v = users::create(db, &operator(), new).await.map_err(explain)?;
            println!("created {} ({}) with the {} role", v.username, v.display_name, v.role);
            Ok(())
        }
        UserAction::Password { username } => {
            let u = users::by_username(db, username)
                .await
                .map_err(explain)?
                .ok_or_else(|| format!("there is no user '{username}'"))?;
            let password = read_password(username)?;
            let changes = users::UserChanges { password: Some(password), ..Default::default() };
            users::update(db, &operator(), u.id, changes).await.map_err(explain)?;
            println!("password changed for {username}; their sessions have ended");
            Ok(())
        }
        UserAction::Link { username, minutes } => {
            if !(1..=24 * 60).contains(&minutes) {
                return Err("--minutes must be 1–1440".into());
            }
            let token =
                crate::services::sessions::issue_link(db, &operator(), username, chrono::Duration::minutes(minutes))
                    .await
                    .map_err(explain)?;
            eprintln!("a one-time sign-in link for {username}, valid for {minutes} minutes:");
            println!("{}/sign-in/link?token={token}", base_url(config));
            Ok(())
        }
        UserAction::List => {
            for u in users::list(db).await.map_err(explain)? {
                let state = if u.disabled { " (disabled)" } else { "" };
                println!("{:<30} {:<11} {}{state}", u.username, u.role.as_str(), u.display_name);
            }
            Ok(())
        }
    }
}

pub async fn token(db: &DatabaseConnection, name: &str, r: &str, days: i64) -> Result<(), String> {
    let new = api_tokens::NewToken { name: name.to_string(), role: role(r)?, expires_in_days: days };
    let issued = api_tokens::issue(db, &operator(), Role::Admin, None, new).await.map_err(explain)?;
    eprintln!(
        "issued token '{}' ({} role) until {}; this is the only time it is shown:",
        issued.token.name,
        issued.token.role,
        issued.token.expires_at.format("%Y-%m-%d")
    );
    println!("{}", issued.secret);
    Ok(())
}
