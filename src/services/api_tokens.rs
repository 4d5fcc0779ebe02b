//! API tokens for integrations: a name, a role no higher than the issuer's own, an expiry. The secret
//! is shown once, when issued; only its SHA-256 is kept. Revoked or expired tokens stop working at once.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel, NotSet, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set,
};
use serde::{Deserialize, Serialize};

use super::audit::{self, Action};
use super::Actor;
use crate::auth::secret;
use crate::domain::{FieldError, FieldErrors, Role};
use crate::error::{AppError, AppResult};
use crate::store::{api_token, DirectReads};

pub const TOKEN_PREFIX: &str = "gict_";
pub const MAX_DAYS: i64 = 366;
const TOUCH_EVERY: Duration = Duration::minutes(5);
const ENTITY: &str = "api_token";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i32,
    pub name: String,
    /// The token's first characters, to tell tokens apart; never the secret.
    pub prefix: String,
    #[schema(value_type = String, example = "viewer")]
    pub role: Role,
    pub user_id: Option<i32>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for TokenView {
    fn from(m: api_token::Model) -> TokenView {
        TokenView {
            id: m.id,
            role: Role::parse(&m.role).unwrap_or(Role::Viewer),
            name: m.name,
            prefix: m.prefix,
            user_id: m.user_id,
            created_by: m.created_by,
            created_at: m.created_at,
            expires_at: m.expires_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "Power BI energy dashboard".
    pub name: String,
    #[schema(value_type = String, example = "viewer")]
    pub role: Role,
    /// Days until it stops working, 1–366.
    pub expires_in_days: i64,
}

/// The token as issued: the only time its secret is seen.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    pub token: TokenView,
    /// Send as `Authorization: Bearer <secret>`. Shown once; store it safely.
    pub secret: String,
}

/// Issues a token. `issuer_role` caps the role: nobody can mint more power than they hold.
pub async fn issue(
    db: &DatabaseConnection,
    actor: &Actor,
    issuer_role: Role,
    user_id: Option<i32>,
    new: NewToken,
) -> AppResult<IssuedToken> {
    let mut errs = FieldErrors::default();
    let name = new.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        errs.push(FieldError::new(
            "name",
            "invalid",
            "name is 1–100 printable characters saying what the token is for",
        ));
    }
    if !issuer_role.allows(new.role) {
        errs.push(FieldError::new(
            "role",
            "above_own_role",
            format!("you hold the {issuer_role} role and cannot issue a {} token", new.role),
        ));
    }
    if !(1..=MAX_DAYS).contains(&new.expires_in_days) {
        errs.push(FieldError::new("expires_in_days", "out_of_range", format!("expires_in_days must be 1–{MAX_DAYS}")));
    }
    if !errs.0.is_empty() {
        return Err(errs.into());
    }
    let secret_value = secret::new_token(TOKEN_PREFIX);
    let now = Utc::now();
    let saved = api_token::ActiveModel {
        id: NotSet,
        name: Set(name),
        token_hash: Set(secret::hash_token(&secret_value)),
        prefix: Set(secret_value.chars().take(TOKEN_PREFIX.len() + 4).collect()),
        role: Set(new.role.as_str().to_string()),
        user_id: Set(user_id),
        created_by: Set(actor.name.clone()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(new.expires_in_days)),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    let view = TokenView::from(saved);
    audit::record(db, actor, Action::Create, ENTITY, view.id, None, Some(&view)).await?;
    Ok(IssuedToken { token: view, secret: secret_value })
}

/// The tokens a person issued (or all, for an administrator), newest first.
pub async fn list(db: &DatabaseConnection, user_id: Option<i32>) -> AppResult<Vec<TokenView>> {
    let mut q = api_token::Entity::find().order_by_desc(api_token::Column::Id);
    if let Some(u) = user_id {
        q = q.filter(api_token::Column::UserId.eq(u));
    }
    Ok(q.all(db).await?.into_iter().map(TokenView::from).collect())
}

/// Revokes a token. `owner` limits it to that user's own tokens (administrators pass None).
pub async fn revoke(db: &DatabaseConnection, actor: &Actor, id: i32, owner: Option<i32>) -> AppResult<TokenView> {
    let before = api_token::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|t| owner.is_none() || t.user_id == owner)
        .ok_or_else(|| AppError::not_found(ENTITY, id))?;
    if before.revoked_at.is_some() {
        return Ok(before.into());
    }
    let mut row = before.clone().into_active_model();
    row.revoked_at = Set(Some(Utc::now()));
    let after = TokenView::from(row.update(db).await?);
    audit::record(db, actor, Action::Revoke, ENTITY, id, Some(&TokenView::from(before)), Some(&after)).await?;
    Ok(after)
}

/// The token's name and role, if the secret is a current token.
/// Every request with a token asks this, so on SQLite the lookup takes the direct path.
pub async fn resolve(
    db: &DatabaseConnection,
    direct: &DirectReads,
    secret_value: &str,
) -> AppResult<Option<(String, Role)>> {
    if !secret_value.starts_with(TOKEN_PREFIX) || secret_value.len() > 100 {
        return Ok(None);
    }
    let now = Utc::now();
    let by_hash =
        api_token::Entity::find().filter(api_token::Column::TokenHash.eq(secret::hash_token(secret_value))).limit(1);
    let found = match direct.sqlite() {
        Some(r) => r.models::<api_token::Model>(&by_hash.build(DbBackend::Sqlite))?.pop(),
        None => by_hash.one(db).await?,
    };
    let Some(t) = found else {
        return Ok(None);
    };
    if t.revoked_at.is_some() || t.expires_at <= now {
        return Ok(None);
    }
    if t.last_used_at.is_none_or(|at| at + TOUCH_EVERY <= now) {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, sea_orm::sea_query::Expr::value(now))
            .filter(api_token::Column::Id.eq(t.id))
            .exec(db)
            .await?;
    }
    Ok(Some((t.name, Role::parse(&t.role).unwrap_or(Role::Viewer))))
}
