//! Meters and their readings (issue 4): a meter belongs to a site and measures the whole site, its ICT, or
//! its server room; a reading is the kWh of one interval (a half hour or a day) starting at a UTC instant.
//!
//! kWh is a TEXT decimal ("0.125") like the tariff rates, so it round-trips exactly on SQLite, which would
//! turn a DECIMAL column into a float. One reading per meter and start: re-importing a file replaces, never
//! duplicates.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Site {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Meter {
    Table,
    Id,
    SiteId,
    Name,
    Measures,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MeterReading {
    Table,
    Id,
    MeterId,
    StartsAt,
    IntervalMinutes,
    Kwh,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Meter::Table)
                    .col(ColumnDef::new(Meter::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Meter::SiteId).integer().not_null())
                    .col(ColumnDef::new(Meter::Name).string_len(200).not_null())
                    // "whole_site" | "ict" | "server_room"
                    .col(ColumnDef::new(Meter::Measures).string_len(32).not_null())
                    .col(ColumnDef::new(Meter::Description).text())
                    .col(ColumnDef::new(Meter::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Meter::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Meter::Table, Meter::SiteId)
                            .to(Site::Table, Site::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_meter_site_name")
                    .table(Meter::Table)
                    .col(Meter::SiteId)
                    .col(Meter::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MeterReading::Table)
                    .col(ColumnDef::new(MeterReading::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(MeterReading::MeterId).integer().not_null())
                    .col(ColumnDef::new(MeterReading::StartsAt).timestamp_with_time_zone().not_null())
                    // 30 (half-hourly) or 1440 (daily).
                    .col(ColumnDef::new(MeterReading::IntervalMinutes).integer().not_null())
                    .col(ColumnDef::new(MeterReading::Kwh).string_len(32).not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(MeterReading::Table, MeterReading::MeterId)
                            .to(Meter::Table, Meter::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_meter_reading_meter_start")
                    .table(MeterReading::Table)
                    .col(MeterReading::MeterId)
                    .col(MeterReading::StartsAt)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MeterReading::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Meter::Table).to_owned()).await
    }
}
