//! The asset register: sites, network segments, departments, device models, assets, and the audit trail.
//!
//! Money is stored as integer pence (`*_pence`, BIGINT) because SQLite turns DECIMAL columns into REAL,
//! which loses 0.30 → 0.3 and precision on large sums; pence round-trip exactly on both databases.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Site {
    Table,
    Id,
    Name,
    Address,
    Postcode,
    Pue,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NetworkSegment {
    Table,
    Id,
    SiteId,
    Name,
    Cidr,
    BroadcastAddress,
    WolPort,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Department {
    Table,
    Id,
    Name,
    CostCentre,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DeviceModel {
    Table,
    Id,
    Manufacturer,
    Name,
    Category,
    OnWatts,
    SleepWatts,
    OffWatts,
    TecKwhPerYear,
    EmbodiedKgCo2e,
    EmbodiedSource,
    WeightKg,
    DefaultLifeMonths,
    ReplacementPricePence,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)]
enum Asset {
    Table,
    Id,
    AssetTag,
    Serial,
    Hostname,
    MacAddresses,
    IpAddress,
    Category,
    ModelId,
    SiteId,
    DepartmentId,
    AssignedUser,
    PurchaseDate,
    PurchaseCostPence,
    Supplier,
    WarrantyEnd,
    LifeMonths,
    RefreshDate,
    RefreshDue,
    LifecycleState,
    OnWatts,
    SleepWatts,
    OffWatts,
    ParentAssetId,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    OccurredAt,
    Actor,
    ActorKind,
    Action,
    EntityType,
    EntityId,
    BeforeJson,
    AfterJson,
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
        let mut site = Table::create();
        site.table(Site::Table)
            .col(id(Site::Id))
            .col(ColumnDef::new(Site::Name).string_len(200).not_null().unique_key())
            .col(ColumnDef::new(Site::Address).text())
            .col(ColumnDef::new(Site::Postcode).string_len(16))
            .col(ColumnDef::new(Site::Pue).double())
            .col(ColumnDef::new(Site::Notes).text());
        timestamps(&mut site, Site::CreatedAt, Site::UpdatedAt);
        manager.create_table(site).await?;

        let mut segment = Table::create();
        segment
            .table(NetworkSegment::Table)
            .col(id(NetworkSegment::Id))
            .col(ColumnDef::new(NetworkSegment::SiteId).integer().not_null())
            .col(ColumnDef::new(NetworkSegment::Name).string_len(200).not_null())
            .col(ColumnDef::new(NetworkSegment::Cidr).string_len(64).not_null())
            .col(ColumnDef::new(NetworkSegment::BroadcastAddress).string_len(64).not_null())
            .col(ColumnDef::new(NetworkSegment::WolPort).integer().not_null().default(9))
            .col(ColumnDef::new(NetworkSegment::Notes).text())
            .foreign_key(
                ForeignKey::create()
                    .from(NetworkSegment::Table, NetworkSegment::SiteId)
                    .to(Site::Table, Site::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            );
        timestamps(&mut segment, NetworkSegment::CreatedAt, NetworkSegment::UpdatedAt);
        manager.create_table(segment).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_network_segment_site_name")
                    .table(NetworkSegment::Table)
                    .col(NetworkSegment::SiteId)
                    .col(NetworkSegment::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        let mut department = Table::create();
        department
            .table(Department::Table)
            .col(id(Department::Id))
            .col(ColumnDef::new(Department::Name).string_len(200).not_null().unique_key())
            .col(ColumnDef::new(Department::CostCentre).string_len(64).unique_key())
            .col(ColumnDef::new(Department::Notes).text());
        timestamps(&mut department, Department::CreatedAt, Department::UpdatedAt);
        manager.create_table(department).await?;

        let mut model = Table::create();
        model
            .table(DeviceModel::Table)
            .col(id(DeviceModel::Id))
            .col(ColumnDef::new(DeviceModel::Manufacturer).string_len(200).not_null())
            .col(ColumnDef::new(DeviceModel::Name).string_len(200).not_null())
            .col(ColumnDef::new(DeviceModel::Category).string_len(32).not_null())
            .col(ColumnDef::new(DeviceModel::OnWatts).double().not_null())
            .col(ColumnDef::new(DeviceModel::SleepWatts).double().not_null())
            .col(ColumnDef::new(DeviceModel::OffWatts).double().not_null())
            .col(ColumnDef::new(DeviceModel::TecKwhPerYear).double())
            .col(ColumnDef::new(DeviceModel::EmbodiedKgCo2e).double())
            .col(ColumnDef::new(DeviceModel::EmbodiedSource).text())
            .col(ColumnDef::new(DeviceModel::WeightKg).double())
            .col(ColumnDef::new(DeviceModel::DefaultLifeMonths).integer())
            .col(ColumnDef::new(DeviceModel::ReplacementPricePence).big_integer())
            .col(ColumnDef::new(DeviceModel::Notes).text());
        timestamps(&mut model, DeviceModel::CreatedAt, DeviceModel::UpdatedAt);
        manager.create_table(model).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_device_model_manufacturer_name")
                    .table(DeviceModel::Table)
                    .col(DeviceModel::Manufacturer)
                    .col(DeviceModel::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        let mut asset = Table::create();
        asset
            .table(Asset::Table)
            .col(id(Asset::Id))
            .col(ColumnDef::new(Asset::AssetTag).string_len(64).not_null().unique_key())
            .col(ColumnDef::new(Asset::Serial).string_len(128))
            .col(ColumnDef::new(Asset::Hostname).string_len(253))
            .col(ColumnDef::new(Asset::MacAddresses).string_len(512))
            .col(ColumnDef::new(Asset::IpAddress).string_len(64))
            .col(ColumnDef::new(Asset::Category).string_len(32).not_null())
            .col(ColumnDef::new(Asset::ModelId).integer())
            .col(ColumnDef::new(Asset::SiteId).integer())
            .col(ColumnDef::new(Asset::DepartmentId).integer())
            .col(ColumnDef::new(Asset::AssignedUser).string_len(200))
            .col(ColumnDef::new(Asset::PurchaseDate).date())
            .col(ColumnDef::new(Asset::PurchaseCostPence).big_integer())
            .col(ColumnDef::new(Asset::Supplier).string_len(200))
            .col(ColumnDef::new(Asset::WarrantyEnd).date())
            .col(ColumnDef::new(Asset::LifeMonths).integer())
            .col(ColumnDef::new(Asset::RefreshDate).date())
            .col(ColumnDef::new(Asset::RefreshDue).date())
            .col(ColumnDef::new(Asset::LifecycleState).string_len(32).not_null())
            .col(ColumnDef::new(Asset::OnWatts).double())
            .col(ColumnDef::new(Asset::SleepWatts).double())
            .col(ColumnDef::new(Asset::OffWatts).double())
            .col(ColumnDef::new(Asset::ParentAssetId).integer())
            .col(ColumnDef::new(Asset::Notes).text())
            .foreign_key(
                ForeignKey::create()
                    .from(Asset::Table, Asset::ModelId)
                    .to(DeviceModel::Table, DeviceModel::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Asset::Table, Asset::SiteId)
                    .to(Site::Table, Site::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Asset::Table, Asset::DepartmentId)
                    .to(Department::Table, Department::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Asset::Table, Asset::ParentAssetId)
                    .to(Asset::Table, Asset::Id)
                    .on_delete(ForeignKeyAction::Restrict),
            );
        timestamps(&mut asset, Asset::CreatedAt, Asset::UpdatedAt);
        manager.create_table(asset).await?;

        // Each list sort is keyset-paginated on (column, id), so each gets a composite index.
        let indexed: [(&str, Asset); 11] = [
            ("ix_asset_site", Asset::SiteId),
            ("ix_asset_department", Asset::DepartmentId),
            ("ix_asset_model", Asset::ModelId),
            ("ix_asset_category", Asset::Category),
            ("ix_asset_state", Asset::LifecycleState),
            ("ix_asset_refresh_due", Asset::RefreshDue),
            ("ix_asset_warranty_end", Asset::WarrantyEnd),
            ("ix_asset_hostname", Asset::Hostname),
            ("ix_asset_purchase_date", Asset::PurchaseDate),
            ("ix_asset_updated_at", Asset::UpdatedAt),
            ("ix_asset_parent", Asset::ParentAssetId),
        ];
        for (name, col) in indexed {
            manager
                .create_index(Index::create().name(name).table(Asset::Table).col(col).col(Asset::Id).to_owned())
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(ColumnDef::new(AuditEvent::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(AuditEvent::OccurredAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(AuditEvent::Actor).string_len(200).not_null())
                    .col(ColumnDef::new(AuditEvent::ActorKind).string_len(32).not_null())
                    .col(ColumnDef::new(AuditEvent::Action).string_len(32).not_null())
                    .col(ColumnDef::new(AuditEvent::EntityType).string_len(64).not_null())
                    .col(ColumnDef::new(AuditEvent::EntityId).string_len(64).not_null())
                    .col(ColumnDef::new(AuditEvent::BeforeJson).text())
                    .col(ColumnDef::new(AuditEvent::AfterJson).text())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_event_entity")
                    .table(AuditEvent::Table)
                    .col(AuditEvent::EntityType)
                    .col(AuditEvent::EntityId)
                    .col(AuditEvent::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
