//! Energy reference data (issue 4): tariffs, grid factor sets, bank holidays, usage profiles, the default
//! profile of each category, and an optional per-asset profile (`asset.usage_profile_id`).
//!
//! Rates and factors that need more precision than pence are stored as TEXT decimals (e.g. "24.50" p/kWh,
//! "0.20705" kgCO2e/kWh), never REAL: SQLite would turn a DECIMAL column into a float. The services parse
//! and validate them. Grid factor sets and bank holidays are seeded once by the app after migrating
//! (`store::energy_seed`), recorded in `reference_seed`, so a council can edit or delete them afterwards.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Site {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Asset {
    Table,
    UsageProfileId,
}

#[derive(DeriveIden)]
enum Tariff {
    Table,
    Id,
    SiteId,
    EffectiveFrom,
    UnitRatePencePerKwh,
    MarketKgCo2ePerKwh,
    Supplier,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GridFactorSet {
    Table,
    Id,
    Year,
    GenerationKgCo2ePerKwh,
    TdKgCo2ePerKwh,
    Source,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BankHoliday {
    Table,
    Id,
    Date,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UsageProfile {
    Table,
    Id,
    Name,
    AlwaysOn,
    WorkingDays,
    StartTime,
    EndTime,
    OutOfHours,
    BankHolidaysOff,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CategoryUsageProfile {
    Table,
    Id,
    Category,
    UsageProfileId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReferenceSeed {
    Table,
    Name,
    SeededAt,
}

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().not_null().auto_increment().primary_key().to_owned()
}

fn timestamps(t: &mut TableCreateStatement, created: impl IntoIden, updated: impl IntoIden) {
    t.col(ColumnDef::new(created).timestamp_with_time_zone().not_null())
        .col(ColumnDef::new(updated).timestamp_with_time_zone().not_null());
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut tariff = Table::create();
        tariff
            .table(Tariff::Table)
            .col(id(Tariff::Id))
            .col(ColumnDef::new(Tariff::SiteId).integer())
            .col(ColumnDef::new(Tariff::EffectiveFrom).date().not_null())
            .col(ColumnDef::new(Tariff::UnitRatePencePerKwh).string_len(32).not_null())
            .col(ColumnDef::new(Tariff::MarketKgCo2ePerKwh).string_len(32))
            .col(ColumnDef::new(Tariff::Supplier).string_len(200))
            .col(ColumnDef::new(Tariff::Notes).text())
            .foreign_key(
                ForeignKey::create()
                    .from(Tariff::Table, Tariff::SiteId)
                    .to(Site::Table, Site::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            );
        timestamps(&mut tariff, Tariff::CreatedAt, Tariff::UpdatedAt);
        manager.create_table(tariff).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tariff_site_from")
                    .table(Tariff::Table)
                    .col(Tariff::SiteId)
                    .col(Tariff::EffectiveFrom)
                    .to_owned(),
            )
            .await?;

        let mut factors = Table::create();
        factors
            .table(GridFactorSet::Table)
            .col(id(GridFactorSet::Id))
            .col(ColumnDef::new(GridFactorSet::Year).integer().not_null().unique_key())
            .col(ColumnDef::new(GridFactorSet::GenerationKgCo2ePerKwh).string_len(32).not_null())
            .col(ColumnDef::new(GridFactorSet::TdKgCo2ePerKwh).string_len(32).not_null())
            .col(ColumnDef::new(GridFactorSet::Source).text().not_null());
        timestamps(&mut factors, GridFactorSet::CreatedAt, GridFactorSet::UpdatedAt);
        manager.create_table(factors).await?;

        let mut holiday = Table::create();
        holiday
            .table(BankHoliday::Table)
            .col(id(BankHoliday::Id))
            .col(ColumnDef::new(BankHoliday::Date).date().not_null().unique_key())
            .col(ColumnDef::new(BankHoliday::Name).string_len(200).not_null());
        timestamps(&mut holiday, BankHoliday::CreatedAt, BankHoliday::UpdatedAt);
        manager.create_table(holiday).await?;

        let mut profile = Table::create();
        profile
            .table(UsageProfile::Table)
            .col(id(UsageProfile::Id))
            .col(ColumnDef::new(UsageProfile::Name).string_len(200).not_null().unique_key())
            .col(ColumnDef::new(UsageProfile::AlwaysOn).boolean().not_null().default(false))
            // Comma-separated three-letter days: "mon,tue,wed,thu,fri".
            .col(ColumnDef::new(UsageProfile::WorkingDays).string_len(64).not_null())
            // Wall-clock "HH:MM" (24:00 allowed for the end).
            .col(ColumnDef::new(UsageProfile::StartTime).string_len(5).not_null())
            .col(ColumnDef::new(UsageProfile::EndTime).string_len(5).not_null())
            // "left_on" | "sleep" | "off"
            .col(ColumnDef::new(UsageProfile::OutOfHours).string_len(16).not_null())
            .col(ColumnDef::new(UsageProfile::BankHolidaysOff).boolean().not_null().default(true))
            .col(ColumnDef::new(UsageProfile::Notes).text());
        timestamps(&mut profile, UsageProfile::CreatedAt, UsageProfile::UpdatedAt);
        manager.create_table(profile).await?;

        let mut by_category = Table::create();
        by_category
            .table(CategoryUsageProfile::Table)
            .col(id(CategoryUsageProfile::Id))
            .col(ColumnDef::new(CategoryUsageProfile::Category).string_len(32).not_null().unique_key())
            .col(ColumnDef::new(CategoryUsageProfile::UsageProfileId).integer().not_null())
            .foreign_key(
                ForeignKey::create()
                    .from(CategoryUsageProfile::Table, CategoryUsageProfile::UsageProfileId)
                    .to(UsageProfile::Table, UsageProfile::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            );
        timestamps(&mut by_category, CategoryUsageProfile::CreatedAt, CategoryUsageProfile::UpdatedAt);
        manager.create_table(by_category).await?;

        // SQLite cannot add a foreign key to an existing table, so the reference is checked by the services
        // (setting it, and refusing to delete a profile in use) on both databases alike.
        manager
            .alter_table(
                Table::alter()
                    .table(Asset::Table)
                    .add_column(ColumnDef::new(Asset::UsageProfileId).integer())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReferenceSeed::Table)
                    .col(ColumnDef::new(ReferenceSeed::Name).string_len(64).not_null().primary_key())
                    .col(ColumnDef::new(ReferenceSeed::SeededAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
