//! Power actions (issue 5): one wake, shutdown or sleep of one asset at one time, scheduled by a policy or
//! asked for by a person. Unique per (asset, kind, scheduled time), so planning twice — after a restart or
//! on several instances — cannot make a second action; `claimed_by`/`claimed_until` let exactly one
//! instance send it, and let another take it over when that instance dies.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Asset {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PowerAction {
    Table,
    Id,
    AssetId,
    Kind,
    ScheduledAt,
    Cause,
    PolicyId,
    RequestedBy,
    State,
    WarningMinutes,
    MayDefer,
    MaxDeferMinutes,
    ClaimedBy,
    ClaimedUntil,
    Attempts,
    SentAt,
    DeliveredAt,
    ConfirmedAt,
    FinishedAt,
    Detail,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PowerAction::Table)
                    .col(ColumnDef::new(PowerAction::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(PowerAction::AssetId).integer().not_null())
                    // wake | shutdown | sleep
                    .col(ColumnDef::new(PowerAction::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(PowerAction::ScheduledAt).timestamp_with_time_zone().not_null())
                    // policy | patch_window | manual
                    .col(ColumnDef::new(PowerAction::Cause).string_len(16).not_null())
                    .col(ColumnDef::new(PowerAction::PolicyId).integer())
                    .col(ColumnDef::new(PowerAction::RequestedBy).string_len(100).not_null())
                    // planned | claimed | sent | delivered | confirmed | failed | deferred | expired | cancelled
                    .col(ColumnDef::new(PowerAction::State).string_len(16).not_null())
                    .col(ColumnDef::new(PowerAction::WarningMinutes).integer())
                    .col(ColumnDef::new(PowerAction::MayDefer).boolean().not_null().default(false))
                    .col(ColumnDef::new(PowerAction::MaxDeferMinutes).integer())
                    .col(ColumnDef::new(PowerAction::ClaimedBy).string_len(100))
                    .col(ColumnDef::new(PowerAction::ClaimedUntil).timestamp_with_time_zone())
                    .col(ColumnDef::new(PowerAction::Attempts).integer().not_null().default(0))
                    .col(ColumnDef::new(PowerAction::SentAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(PowerAction::DeliveredAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(PowerAction::ConfirmedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(PowerAction::FinishedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(PowerAction::Detail).text())
                    .col(ColumnDef::new(PowerAction::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(PowerAction::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(PowerAction::Table, PowerAction::AssetId)
                            .to(Asset::Table, Asset::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_power_action_once")
                    .table(PowerAction::Table)
                    .col(PowerAction::AssetId)
                    .col(PowerAction::Kind)
                    .col(PowerAction::ScheduledAt)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_power_action_due")
                    .table(PowerAction::Table)
                    .col(PowerAction::State)
                    .col(PowerAction::ScheduledAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PowerAction::Table).to_owned()).await
    }
}
