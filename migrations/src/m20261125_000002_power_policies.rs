//! Power policies (issue 5): a weekly shutdown/wake schedule for a group of assets, with patch windows,
//! a warning period and deferral rule; the assets of a policy given as an explicit list; assets excluded
//! from power management (kiosks, CCTV, servers); and users' time-limited opt-outs from shutdowns.
//! Schedules are stored as normalised text ("mon 07:30-19:00; tue ..."), read by `scheduling::schedule`.

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
enum Department {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PowerPolicy {
    Table,
    Id,
    Name,
    Enabled,
    TargetKind,
    TargetSiteId,
    TargetDepartmentId,
    TargetCategory,
    TargetTagPrefix,
    OffAction,
    Schedule,
    PatchWindows,
    WarningMinutes,
    MayDefer,
    MaxDeferMinutes,
    BankHolidaysOff,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PowerPolicyAsset {
    Table,
    Id,
    PolicyId,
    AssetId,
}

#[derive(DeriveIden)]
enum PowerExclusion {
    Table,
    Id,
    AssetId,
    Reason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PowerOptOut {
    Table,
    Id,
    AssetId,
    Reason,
    StartsAt,
    EndsAt,
    RequestedBy,
    CreatedAt,
    UpdatedAt,
}

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().not_null().auto_increment().primary_key().to_owned()
}

fn stamp(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).timestamp_with_time_zone().not_null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PowerPolicy::Table)
                    .col(id(PowerPolicy::Id))
                    .col(ColumnDef::new(PowerPolicy::Name).string_len(200).not_null().unique_key())
                    .col(ColumnDef::new(PowerPolicy::Enabled).boolean().not_null().default(true))
                    // assets | tag | department | site | category
                    .col(ColumnDef::new(PowerPolicy::TargetKind).string_len(16).not_null())
                    .col(ColumnDef::new(PowerPolicy::TargetSiteId).integer())
                    .col(ColumnDef::new(PowerPolicy::TargetDepartmentId).integer())
                    .col(ColumnDef::new(PowerPolicy::TargetCategory).string_len(32))
                    .col(ColumnDef::new(PowerPolicy::TargetTagPrefix).string_len(64))
                    // shutdown | sleep
                    .col(ColumnDef::new(PowerPolicy::OffAction).string_len(16).not_null())
                    .col(ColumnDef::new(PowerPolicy::Schedule).text().not_null())
                    .col(ColumnDef::new(PowerPolicy::PatchWindows).text().not_null())
                    .col(ColumnDef::new(PowerPolicy::WarningMinutes).integer().not_null())
                    .col(ColumnDef::new(PowerPolicy::MayDefer).boolean().not_null())
                    .col(ColumnDef::new(PowerPolicy::MaxDeferMinutes).integer().not_null())
                    .col(ColumnDef::new(PowerPolicy::BankHolidaysOff).boolean().not_null())
                    .col(ColumnDef::new(PowerPolicy::Notes).text())
                    .col(stamp(PowerPolicy::CreatedAt))
                    .col(stamp(PowerPolicy::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PowerPolicy::Table, PowerPolicy::TargetSiteId)
                            .to(Site::Table, Site::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PowerPolicy::Table, PowerPolicy::TargetDepartmentId)
                            .to(Department::Table, Department::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PowerPolicyAsset::Table)
                    .col(id(PowerPolicyAsset::Id))
                    .col(ColumnDef::new(PowerPolicyAsset::PolicyId).integer().not_null())
                    .col(ColumnDef::new(PowerPolicyAsset::AssetId).integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(PowerPolicyAsset::Table, PowerPolicyAsset::PolicyId)
                            .to(PowerPolicy::Table, PowerPolicy::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PowerPolicyAsset::Table, PowerPolicyAsset::AssetId)
                            .to(Asset::Table, Asset::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_power_policy_asset")
                    .table(PowerPolicyAsset::Table)
                    .col(PowerPolicyAsset::PolicyId)
                    .col(PowerPolicyAsset::AssetId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PowerExclusion::Table)
                    .col(id(PowerExclusion::Id))
                    .col(ColumnDef::new(PowerExclusion::AssetId).integer().not_null().unique_key())
                    .col(ColumnDef::new(PowerExclusion::Reason).string_len(500).not_null())
                    .col(ColumnDef::new(PowerExclusion::CreatedBy).string_len(100).not_null())
                    .col(stamp(PowerExclusion::CreatedAt))
                    .col(stamp(PowerExclusion::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PowerExclusion::Table, PowerExclusion::AssetId)
                            .to(Asset::Table, Asset::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PowerOptOut::Table)
                    .col(id(PowerOptOut::Id))
                    .col(ColumnDef::new(PowerOptOut::AssetId).integer().not_null())
                    .col(ColumnDef::new(PowerOptOut::Reason).string_len(500).not_null())
                    .col(stamp(PowerOptOut::StartsAt))
                    .col(stamp(PowerOptOut::EndsAt))
                    .col(ColumnDef::new(PowerOptOut::RequestedBy).string_len(100).not_null())
                    .col(stamp(PowerOptOut::CreatedAt))
                    .col(stamp(PowerOptOut::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PowerOptOut::Table, PowerOptOut::AssetId)
                            .to(Asset::Table, Asset::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_power_opt_out_asset")
                    .table(PowerOptOut::Table)
                    .col(PowerOptOut::AssetId)
                    .col(PowerOptOut::EndsAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PowerOptOut::Table.into_iden(),
            PowerExclusion::Table.into_iden(),
            PowerPolicyAsset::Table.into_iden(),
            PowerPolicy::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
