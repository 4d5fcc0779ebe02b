//! Every agent check-in reads its asset's open power actions (planned, sent or delivered), soonest first.
//! The two indexes power_action had did not fit that read: PostgreSQL, its statistics saying few actions
//! were open, crossed the asset's index with the state index and read every open action's entry (10,000
//! of them for one asset's one row) on every check-in. A partial index holding only open actions, by
//! asset and time, answers the read in the order asked and stays as small as the open actions are
//! (BENCHMARKS.md, issue 5). The query must name the same states as literals for the index to be used.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PowerAction {
    Table,
    AssetId,
    ScheduledAt,
    State,
}

const NAME: &str = "ix_power_action_open";

/// The states of an action still to be carried out or confirmed (services::agents::OPEN_STATES).
const OPEN: [&str; 3] = ["planned", "sent", "delivered"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(PowerAction::Table)
                    .col(PowerAction::AssetId)
                    .col(PowerAction::ScheduledAt)
                    .and_where(Expr::col(PowerAction::State).is_in(OPEN))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(NAME).table(PowerAction::Table).to_owned()).await
    }
}
