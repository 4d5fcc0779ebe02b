//! The PC agent (issue 5): enrolment tokens handed out by ICT staff, enrolled devices (one per asset, each
//! with its own device token), raw check-ins (one small row each, kept for a few hours) and their hourly
//! roll-up per asset (minutes seen on, minutes with a user active), which the energy estimate reads as
//! observed on-time. Tokens are stored only as SHA-256 hashes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Asset {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Site {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AgentEnrolmentToken {
    Table,
    Id,
    TokenHash,
    Label,
    SiteId,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    MaxUses,
    Uses,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AgentDevice {
    Table,
    Id,
    AssetId,
    TokenHash,
    Hostname,
    MacAddresses,
    Os,
    AgentVersion,
    EnrolmentTokenId,
    EnrolledAt,
    LastSeenAt,
    RevokedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AgentCheckin {
    Table,
    Id,
    AssetId,
    SeenAt,
    IntervalSeconds,
    UptimeSeconds,
    IdleSeconds,
    UserActive,
    OnBattery,
}

#[derive(DeriveIden)]
enum AgentHour {
    Table,
    Id,
    AssetId,
    HourStart,
    LocalDate,
    Checkins,
    MinutesOn,
    MinutesUserActive,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AgentEnrolmentToken::Table)
                    .col(ColumnDef::new(AgentEnrolmentToken::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AgentEnrolmentToken::TokenHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(AgentEnrolmentToken::Label).string_len(200).not_null())
                    .col(ColumnDef::new(AgentEnrolmentToken::SiteId).integer())
                    .col(ColumnDef::new(AgentEnrolmentToken::CreatedBy).string_len(100).not_null())
                    .col(ColumnDef::new(AgentEnrolmentToken::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AgentEnrolmentToken::ExpiresAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AgentEnrolmentToken::MaxUses).integer())
                    .col(ColumnDef::new(AgentEnrolmentToken::Uses).integer().not_null().default(0))
                    .col(ColumnDef::new(AgentEnrolmentToken::RevokedAt).timestamp_with_time_zone())
                    .foreign_key(
                        ForeignKey::create()
                            .from(AgentEnrolmentToken::Table, AgentEnrolmentToken::SiteId)
                            .to(Site::Table, Site::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgentDevice::Table)
                    .col(ColumnDef::new(AgentDevice::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AgentDevice::AssetId).integer().not_null().unique_key())
                    .col(ColumnDef::new(AgentDevice::TokenHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(AgentDevice::Hostname).string_len(255))
                    .col(ColumnDef::new(AgentDevice::MacAddresses).text())
                    .col(ColumnDef::new(AgentDevice::Os).string_len(100))
                    .col(ColumnDef::new(AgentDevice::AgentVersion).string_len(50))
                    .col(ColumnDef::new(AgentDevice::EnrolmentTokenId).integer())
                    .col(ColumnDef::new(AgentDevice::EnrolledAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AgentDevice::LastSeenAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(AgentDevice::RevokedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(AgentDevice::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(AgentDevice::Table, AgentDevice::AssetId)
                            .to(Asset::Table, Asset::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgentCheckin::Table)
                    .col(ColumnDef::new(AgentCheckin::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AgentCheckin::AssetId).integer().not_null())
                    .col(ColumnDef::new(AgentCheckin::SeenAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AgentCheckin::IntervalSeconds).integer().not_null())
                    .col(ColumnDef::new(AgentCheckin::UptimeSeconds).big_integer())
                    .col(ColumnDef::new(AgentCheckin::IdleSeconds).big_integer())
                    .col(ColumnDef::new(AgentCheckin::UserActive).boolean())
                    .col(ColumnDef::new(AgentCheckin::OnBattery).boolean())
                    .foreign_key(
                        ForeignKey::create()
                            .from(AgentCheckin::Table, AgentCheckin::AssetId)
                            .to(Asset::Table, Asset::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_agent_checkin_seen")
                    .table(AgentCheckin::Table)
                    .col(AgentCheckin::SeenAt)
                    .col(AgentCheckin::AssetId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AgentHour::Table)
                    .col(ColumnDef::new(AgentHour::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AgentHour::AssetId).integer().not_null())
                    .col(ColumnDef::new(AgentHour::HourStart).timestamp_with_time_zone().not_null())
                    // The UK calendar day the hour starts in, so days sum in SQL on both databases.
                    .col(ColumnDef::new(AgentHour::LocalDate).date().not_null())
                    .col(ColumnDef::new(AgentHour::Checkins).integer().not_null())
                    .col(ColumnDef::new(AgentHour::MinutesOn).integer().not_null())
                    .col(ColumnDef::new(AgentHour::MinutesUserActive).integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(AgentHour::Table, AgentHour::AssetId)
                            .to(Asset::Table, Asset::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_agent_hour_asset_hour")
                    .table(AgentHour::Table)
                    .col(AgentHour::AssetId)
                    .col(AgentHour::HourStart)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_agent_hour_date")
                    .table(AgentHour::Table)
                    .col(AgentHour::LocalDate)
                    .col(AgentHour::AssetId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AgentHour::Table.into_iden(),
            AgentCheckin::Table.into_iden(),
            AgentDevice::Table.into_iden(),
            AgentEnrolmentToken::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
