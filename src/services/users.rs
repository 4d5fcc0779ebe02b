//! People who sign in: create, list, change role, disable, set a password. Password hashes never leave
//! this module: the view and the audit trail carry only whether a password is set.

use crate::store::BeginWrite;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, NotSet,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use super::audit::{self, Action};
use super::Actor;
use crate::auth::password;
use crate::domain::{FieldError, FieldErrors, Role};
use crate::error::{AppError, AppResult};
use crate::store::app_user;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = String, example = "ict")]
    pub role: Role,
    pub disabled: bool,
    pub has_password: bool,
    pub single_sign_on: bool,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<app_user::Model> for UserView {
    fn from(m: app_user::Model) -> UserView {
        UserView {
            id: m.id,
            role: Role::parse(&m.role).unwrap_or(Role::Viewer),
            has_password: m.password_hash.is_some(),
            single_sign_on: m.external_subject.is_some(),
            username: m.username,
            display_name: m.display_name,
            disabled: m.disabled,
            last_sign_in_at: m.last_sign_in_at,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: Option<String>,
    #[schema(value_type = String, example = "viewer")]
    pub role: Role,
    /// At least 12 characters; three random words make a good one.
    pub password: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    pub display_name: Option<String>,
    #[schema(value_type = Option<String>)]
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// A new password (at least 12 characters).
    pub password: Option<String>,
}

const ENTITY: &str = "user";

/// Letters, digits and `. _ - @`, 2–100 characters: what usernames and e-mail addresses hold.
fn check_username(raw: &str) -> Result<String, FieldError> {
    let u = raw.trim().to_lowercase();
    let ok = (2..=100).contains(&u.chars().count())
        && u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(u)
    } else {
        Err(FieldError::new(
            "username",
            "invalid",
            "a username is 2–100 letters, digits or . _ - @ (for example amy.jones)",
        ))
    }
}

async fn hash_off_thread(pw: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|e| AppError::Internal(format!("password hashing task: {e}")))
}

pub async fn count(db: &DatabaseConnection) -> AppResult<u64> {
    Ok(app_user::Entity::find().count(db).await?)
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, new: NewUser) -> AppResult<UserView> {
    let mut errs = FieldErrors::default();
    let username = check_username(&new.username).map_err(|e| errs.push(e)).ok();
    if let Err(e) = password::check_new(username.as_deref().unwrap_or(""), &new.password) {
        errs.push(e);
    }
    let display_name = new.display_name.map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
    if display_name.as_ref().is_some_and(|d| d.chars().count() > 200) {
        errs.push(FieldError::new("display_name", "too_long", "display_name must be at most 200 characters"));
    }
    let Some(username) = username.filter(|_| errs.0.is_empty()) else {
        return Err(errs.into());
    };
    let hash = hash_off_thread(new.password).await?;
    let txn = db.begin_write().await?;
    if app_user::Entity::find().filter(app_user::Column::Username.eq(&username)).one(&txn).await?.is_some() {
        return Err(AppError::conflict("duplicate", format!("there is already a user '{username}'"), Some("username")));
    }
    let now = Utc::now();
    let saved = app_user::ActiveModel {
        id: NotSet,
        display_name: Set(display_name.unwrap_or_else(|| username.clone())),
        username: Set(username),
        role: Set(new.role.as_str().to_string()),
        password_hash: Set(Some(hash)),
        external_issuer: Set(None),
        external_subject: Set(None),
        disabled: Set(false),
        last_sign_in_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| super::unique_violation(e, "username", "that username is taken".into()))?;
    let view = UserView::from(saved);
    audit::record(&txn, actor, Action::Create, ENTITY, view.id, None, Some(&view)).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn list(db: &DatabaseConnection) -> AppResult<Vec<UserView>> {
    let rows = app_user::Entity::find().order_by_asc(app_user::Column::Username).all(db).await?;
    Ok(rows.into_iter().map(UserView::from).collect())
}

pub async fn get(db: &DatabaseConnection, id: i32) -> AppResult<UserView> {
    Ok(find(db, id).await?.into())
}

async fn find<C: ConnectionTrait>(conn: &C, id: i32) -> AppResult<app_user::Model> {
    app_user::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::not_found(ENTITY, id))
}

pub async fn by_username<C: ConnectionTrait>(conn: &C, username: &str) -> AppResult<Option<app_user::Model>> {
    let u = username.trim().to_lowercase();
    Ok(app_user::Entity::find().filter(app_user::Column::Username.eq(u)).one(conn).await?)
}

/// Changes a user. The last enabled administrator cannot be demoted or disabled, so nobody is locked out.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: i32, changes: UserChanges) -> AppResult<UserView> {
    let hash = match &changes.password {
        Some(pw) => {
            let before = get(db, id).await?;
            password::check_new(&before.username, pw)?;
            Some(hash_off_thread(pw.clone()).await?)
        }
        None => None,
    };
    let txn = db.begin_write().await?;
    let before = find(&txn, id).await?;
    let mut row = before.clone().into_active_model();
    if let Some(d) = changes.display_name {
        let d = d.trim().to_string();
        if d.is_empty() || d.chars().count() > 200 {
            return Err(FieldError::new("display_name", "invalid", "display_name must be 1–200 characters").into());
        }
        row.display_name = Set(d);
    }
    if let Some(r) = changes.role {
        row.role = Set(r.as_str().to_string());
    }
    if let Some(d) = changes.disabled {
        row.disabled = Set(d);
    }
    if let Some(h) = hash {
        row.password_hash = Set(Some(h));
    }
    row.updated_at = Set(Utc::now());
    let was_admin = before.role == Role::Admin.as_str() && !before.disabled;
    let saved = row.update(&txn).await?;
    let still_admin = saved.role == Role::Admin.as_str() && !saved.disabled;
    if was_admin && !still_admin {
        let admins = app_user::Entity::find()
            .filter(app_user::Column::Role.eq(Role::Admin.as_str()))
            .filter(app_user::Column::Disabled.eq(false))
            .count(&txn)
            .await?;
        if admins == 0 {
            return Err(AppError::conflict(
                "last_admin",
                "this is the last enabled administrator; make someone else an administrator first",
                Some("role"),
            ));
        }
    }
    if saved.disabled || changes.password.is_some() {
        // Signing out everywhere: a disabled account or a changed password ends the old sessions.
        super::sessions::end_all_for(&txn, id).await?;
    }
    let (b, a) = (UserView::from(before), UserView::from(saved));
    audit::record(&txn, actor, Action::Update, ENTITY, id, Some(&b), Some(&a)).await?;
    txn.commit().await?;
    Ok(a)
}
