//! A tariff's standing charge (issue 4): pence per day as the bill states it, an exact decimal kept as text
//! like the unit rate. Optional: a council-wide default or an old tariff may not give one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tariff {
    Table,
    StandingChargePencePerDay,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tariff::Table)
                    .add_column(ColumnDef::new(Tariff::StandingChargePencePerDay).string_len(32))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Tariff::Table).drop_column(Tariff::StandingChargePencePerDay).to_owned())
            .await
    }
}
