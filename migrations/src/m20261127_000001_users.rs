//! Who may do what (issue 8): people with a role, their signed-in sessions, API tokens for integrations,
//! and sign-in attempts for throttling. Throttling and sessions live in the database, not in memory, so
//! several instances behind a load balancer agree.
//!
//! Secrets are never stored: passwords as argon2 PHC strings; session and API tokens as the SHA-256 of a
//! 256-bit random value (a fast hash is enough for a random token; argon2 is for what people choose).
//!
//! The audit trail is made append-only in the database itself: triggers refuse UPDATE and DELETE of
//! `audit_event` on both SQLite and PostgreSQL, so not even a bug in the app can rewrite history.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Username,
    DisplayName,
    Role,
    PasswordHash,
    ExternalIssuer,
    ExternalSubject,
    Disabled,
    LastSignInAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserSession {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedAt,
    ExpiresAt,
    LastSeenAt,
    RemoteAddr,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    Name,
    TokenHash,
    Prefix,
    Role,
    UserId,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

/// A one-time sign-in link, made at the server's command line (or for the demo) for one person.
#[derive(DeriveIden)]
enum SignInLink {
    Table,
    Id,
    TokenHash,
    UserId,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum SignInAttempt {
    Table,
    Id,
    Username,
    RemoteAddr,
    Succeeded,
    AttemptedAt,
}

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().not_null().auto_increment().primary_key().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(id(AppUser::Id))
                    .col(ColumnDef::new(AppUser::Username).string_len(100).not_null().unique_key())
                    .col(ColumnDef::new(AppUser::DisplayName).string_len(200).not_null())
                    .col(ColumnDef::new(AppUser::Role).string_len(16).not_null())
                    // None for people who sign in through the organisation's single sign-on.
                    .col(ColumnDef::new(AppUser::PasswordHash).string_len(200))
                    .col(ColumnDef::new(AppUser::ExternalIssuer).string_len(300))
                    .col(ColumnDef::new(AppUser::ExternalSubject).string_len(300))
                    .col(ColumnDef::new(AppUser::Disabled).boolean().not_null().default(false))
                    .col(ColumnDef::new(AppUser::LastSignInAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(AppUser::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AppUser::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_app_user_external")
                    .table(AppUser::Table)
                    .col(AppUser::ExternalIssuer)
                    .col(AppUser::ExternalSubject)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserSession::Table)
                    .col(id(UserSession::Id))
                    .col(ColumnDef::new(UserSession::TokenHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(UserSession::UserId).integer().not_null())
                    .col(ColumnDef::new(UserSession::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(UserSession::ExpiresAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(UserSession::LastSeenAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(UserSession::RemoteAddr).string_len(64))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserSession::Table, UserSession::UserId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .col(id(ApiToken::Id))
                    .col(ColumnDef::new(ApiToken::Name).string_len(100).not_null())
                    .col(ColumnDef::new(ApiToken::TokenHash).string_len(64).not_null().unique_key())
                    // The first characters, so a person can tell their tokens apart without the secret.
                    .col(ColumnDef::new(ApiToken::Prefix).string_len(16).not_null())
                    .col(ColumnDef::new(ApiToken::Role).string_len(16).not_null())
                    .col(ColumnDef::new(ApiToken::UserId).integer())
                    .col(ColumnDef::new(ApiToken::CreatedBy).string_len(100).not_null())
                    .col(ColumnDef::new(ApiToken::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ApiToken::ExpiresAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ApiToken::LastUsedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(ApiToken::RevokedAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiToken::Table, ApiToken::UserId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignInLink::Table)
                    .col(id(SignInLink::Id))
                    .col(ColumnDef::new(SignInLink::TokenHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(SignInLink::UserId).integer().not_null())
                    .col(ColumnDef::new(SignInLink::CreatedBy).string_len(100).not_null())
                    .col(ColumnDef::new(SignInLink::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(SignInLink::ExpiresAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(SignInLink::UsedAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(SignInLink::Table, SignInLink::UserId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignInAttempt::Table)
                    .col(id(SignInAttempt::Id))
                    .col(ColumnDef::new(SignInAttempt::Username).string_len(100).not_null())
                    .col(ColumnDef::new(SignInAttempt::RemoteAddr).string_len(64).not_null())
                    .col(ColumnDef::new(SignInAttempt::Succeeded).boolean().not_null())
                    .col(ColumnDef::new(SignInAttempt::AttemptedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_sign_in_attempt_user", SignInAttempt::Username),
            ("ix_sign_in_attempt_addr", SignInAttempt::RemoteAddr),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(SignInAttempt::Table)
                        .col(col)
                        .col(SignInAttempt::AttemptedAt)
                        .to_owned(),
                )
                .await?;
        }
        append_only_audit(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS audit_event_no_update").await?;
                db.execute_unprepared("DROP TRIGGER IF EXISTS audit_event_no_delete").await?;
            }
            _ => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event").await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS audit_event_refuse_change()").await?;
            }
        }
        for t in [
            SignInAttempt::Table.into_iden(),
            SignInLink::Table.into_iden(),
            ApiToken::Table.into_iden(),
            UserSession::Table.into_iden(),
            AppUser::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

async fn append_only_audit(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Sqlite => {
            db.execute_unprepared(
                "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event \
                 BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event \
                 BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
            )
            .await?;
        }
        _ => {
            db.execute_unprepared(
                "CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event \
                 FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()",
            )
            .await?;
        }
    }
    Ok(())
}
