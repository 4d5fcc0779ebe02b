//! Signing in and out. A session is a random token in a signed, encrypted, HttpOnly cookie; only its
//! SHA-256 is stored, with an absolute expiry and an idle timeout. Throttled by account and address.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, NotSet, QueryFilter, QuerySelect,
    Set,
};

use super::audit::{self, Action};
use super::Actor;
use crate::auth::{password, secret, throttle};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::store::{app_user, sign_in_attempt, user_session};

/// How long a session lasts at most, and without use.
#[derive(Debug, Clone, Copy)]
pub struct SessionRule {
    pub absolute: Duration,
    pub idle: Duration,
}

impl Default for SessionRule {
    fn default() -> SessionRule {
        // A working day, and a long meeting.
        SessionRule { absolute: Duration::hours(10), idle: Duration::hours(2) }
    }
}

/// Stamping `last_seen_at` on every request would turn every read into a write; a few minutes' slack in
/// the idle timeout is the price.
const TOUCH_EVERY: Duration = Duration::minutes(5);

/// A signed-in person, as the request guards see them.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user_id: i32,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

#[derive(Debug)]
pub enum SignInError {
    /// Wrong username or password: one message for both, so it does not tell which usernames exist.
    Wrong,
    Throttled {
        until: DateTime<Utc>,
    },
    Failed(AppError),
}

impl From<AppError> for SignInError {
    fn from(e: AppError) -> Self {
        SignInError::Failed(e)
    }
}

impl From<sea_orm::DbErr> for SignInError {
    fn from(e: sea_orm::DbErr) -> Self {
        SignInError::Failed(e.into())
    }
}

/// Checks the password and opens a session. Returns the session's secret token, for the cookie only.
pub async fn sign_in(
    db: &DatabaseConnection,
    username: &str,
    password_given: &str,
    remote_addr: &str,
    rule: &SessionRule,
) -> Result<(String, SignedIn), SignInError> {
    let username = username.trim().to_lowercase();
    let username: String = username.chars().take(100).collect();
    let remote_addr: String = remote_addr.chars().take(64).collect();
    let now = Utc::now();
    let limits = throttle::Rule::default();
    let since = now - limits.window;
    let failures = |col: sign_in_attempt::Column, value: String| {
        sign_in_attempt::Entity::find()
            .select_only()
            .column(sign_in_attempt::Column::AttemptedAt)
            .filter(col.eq(value))
            .filter(sign_in_attempt::Column::Succeeded.eq(false))
            .filter(sign_in_attempt::Column::AttemptedAt.gt(since))
            .into_tuple::<DateTime<Utc>>()
            .all(db)
    };
    let by_account = failures(sign_in_attempt::Column::Username, username.clone()).await?;
    let by_address = failures(sign_in_attempt::Column::RemoteAddr, remote_addr.clone()).await?;
    if let Some(until) = throttle::refused_until(&limits, now, &by_account, &by_address) {
        return Err(SignInError::Throttled { until });
    }
    let user = super::users::by_username(db, &username).await?;
    let ok = match user.as_ref().filter(|u| !u.disabled).and_then(|u| u.password_hash.clone()) {
        Some(phc) => {
            let given = password_given.to_string();
            tokio::task::spawn_blocking(move || password::verify(&given, &phc))
                .await
                .map_err(|e| AppError::Internal(format!("password check task: {e}")))?
        }
        None => {
            // Spend the same time as a real check, so timing does not reveal which usernames exist.
            let given = password_given.to_string();
            tokio::task::spawn_blocking(move || {
                password::verify(&given, "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Mz1Rq0ot6F2L8kGzbHzs7Q")
            })
            .await
            .map_err(|e| AppError::Internal(format!("password check task: {e}")))?;
            false
        }
    };
    sign_in_attempt::ActiveModel {
        id: NotSet,
        username: Set(username.clone()),
        remote_addr: Set(remote_addr.clone()),
        succeeded: Set(ok),
        attempted_at: Set(now),
    }
    .insert(db)
    .await?;
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => return Err(SignInError::Wrong),
    };
    let token = secret::new_token("");
    user_session::ActiveModel {
        id: NotSet,
        token_hash: Set(secret::hash_token(&token)),
        user_id: Set(user.id),
        created_at: Set(now),
        expires_at: Set(now + rule.absolute),
        last_seen_at: Set(now),
        remote_addr: Set(Some(remote_addr)),
    }
    .insert(db)
    .await?;
    app_user::Entity::update_many()
        .col_expr(app_user::Column::LastSignInAt, sea_orm::sea_query::Expr::value(now))
        .filter(app_user::Column::Id.eq(user.id))
        .exec(db)
        .await?;
    let who = signed_in(&user);
    audit::record::<_, serde_json::Value>(db, &Actor::user(&who.username), Action::SignIn, "user", user.id, None, None)
        .await?;
    Ok((token, who))
}

fn signed_in(u: &app_user::Model) -> SignedIn {
    SignedIn {
        user_id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: Role::parse(&u.role).unwrap_or(Role::Viewer),
    }
}

/// The person behind a session token, if the session is current and the account enabled.
pub async fn resolve(db: &DatabaseConnection, token: &str, rule: &SessionRule) -> AppResult<Option<SignedIn>> {
    let now = Utc::now();
    let Some(session) = user_session::Entity::find()
        .filter(user_session::Column::TokenHash.eq(secret::hash_token(token)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if session.expires_at <= now || session.last_seen_at + rule.idle <= now {
        user_session::Entity::delete_by_id(session.id).exec(db).await?;
        return Ok(None);
    }
    let Some(user) = app_user::Entity::find_by_id(session.user_id).one(db).await?.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    if session.last_seen_at + TOUCH_EVERY <= now {
        user_session::Entity::update_many()
            .col_expr(user_session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(now))
            .filter(user_session::Column::Id.eq(session.id))
            .exec(db)
            .await?;
    }
    Ok(Some(signed_in(&user)))
}

pub async fn sign_out(db: &DatabaseConnection, token: &str) -> AppResult<()> {
    user_session::Entity::delete_many()
        .filter(user_session::Column::TokenHash.eq(secret::hash_token(token)))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn end_all_for<C: ConnectionTrait>(conn: &C, user_id: i32) -> AppResult<()> {
    user_session::Entity::delete_many().filter(user_session::Column::UserId.eq(user_id)).exec(conn).await?;
    Ok(())
}

/// A one-time link that signs `username` in: for the first visit to the demo, or for someone who cannot
/// use a password yet. Made only at the server's command line. Returns the secret token for the URL.
pub async fn issue_link(
    db: &DatabaseConnection,
    actor: &Actor,
    username: &str,
    valid_for: Duration,
) -> AppResult<String> {
    let user = super::users::by_username(db, username)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| AppError::not_found("user", username))?;
    let token = secret::new_token("");
    let now = Utc::now();
    crate::store::sign_in_link::ActiveModel {
        id: NotSet,
        token_hash: Set(secret::hash_token(&token)),
        user_id: Set(user.id),
        created_by: Set(actor.name.clone()),
        created_at: Set(now),
        expires_at: Set(now + valid_for),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    audit::record::<_, serde_json::Value>(db, actor, Action::Create, "sign_in_link", user.id, None, None).await?;
    Ok(token)
}

/// Spends a sign-in link (once: a conditional update, so two instances cannot both accept it) and opens
/// a session. None when the link is unknown, used or expired.
pub async fn use_link(
    db: &DatabaseConnection,
    token: &str,
    remote_addr: &str,
    rule: &SessionRule,
) -> AppResult<Option<(String, SignedIn)>> {
    use crate::store::sign_in_link as link;
    let now = Utc::now();
    let hash = secret::hash_token(token);
    let spent = link::Entity::update_many()
        .col_expr(link::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(link::Column::TokenHash.eq(&hash))
        .filter(link::Column::UsedAt.is_null())
        .filter(link::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if spent.rows_affected != 1 {
        return Ok(None);
    }
    let Some(row) = link::Entity::find().filter(link::Column::TokenHash.eq(&hash)).one(db).await? else {
        return Ok(None);
    };
    let Some(user) = app_user::Entity::find_by_id(row.user_id).one(db).await?.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    let session = secret::new_token("");
    user_session::ActiveModel {
        id: NotSet,
        token_hash: Set(secret::hash_token(&session)),
        user_id: Set(user.id),
        created_at: Set(now),
        expires_at: Set(now + rule.absolute),
        last_seen_at: Set(now),
        remote_addr: Set(Some(remote_addr.chars().take(64).collect())),
    }
    .insert(db)
    .await?;
    let who = signed_in(&user);
    audit::record::<_, serde_json::Value>(db, &Actor::user(&who.username), Action::SignIn, "user", user.id, None, None)
        .await?;
    Ok(Some((session, who)))
}
