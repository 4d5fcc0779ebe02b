//! What the power scheduler must remember between restarts, one named value a row. The first is
//! `plan_epoch`: the fingerprint of everything planning read when stale planned actions were last
//! withdrawn. A restarted instance that finds the same fingerprint knows every planned row still fits
//! and skips reading them all again (issue 5: its first tick stays under 200 ms).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SchedulerState {
    Table,
    Name,
    Value,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SchedulerState::Table)
                    .col(ColumnDef::new(SchedulerState::Name).string_len(40).not_null().primary_key())
                    .col(ColumnDef::new(SchedulerState::Value).text().not_null())
                    .col(ColumnDef::new(SchedulerState::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SchedulerState::Table).to_owned()).await
    }
}
