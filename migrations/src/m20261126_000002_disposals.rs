//! WEEE disposals (issue 6): a batch (or one asset) leaving the estate, the assets in it with their weight and
//! data sanitisation, and the documents attached (waste transfer notes, erasure certificates), stored in the
//! data directory and named here by their SHA-256 checksum.
//!
//! Money is integer pence (BIGINT), as in the register: it round-trips exactly on SQLite and PostgreSQL.
//! An asset is in at most one disposal (unique `disposal_asset.asset_id`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Asset {
    Table,
    Id,
}

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)]
enum Disposal {
    Table,
    Id,
    Reference,
    DisposalDate,
    Route,
    ReceivingOrganisation,
    WasteCarrier,
    CarrierRegistration,
    WasteTransferNote,
    HazardousConsignmentNote,
    CostPence,
    IncomePence,
    State,
    CompletedAt,
    CompletedBy,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DisposalAsset {
    Table,
    Id,
    DisposalId,
    AssetId,
    WeightKg,
    WeightFromModel,
    HasStorage,
    Hazardous,
    WeeeCategory,
    SanitisationMethod,
    SanitisationStandard,
    SanitisedBy,
    SanitisedOn,
    CertificateNumber,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum DisposalDocument {
    Table,
    Id,
    DisposalId,
    AssetId,
    Kind,
    FileName,
    ContentType,
    SizeBytes,
    Sha256,
    UploadedBy,
    UploadedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Disposal::Table)
                    .col(ColumnDef::new(Disposal::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Disposal::Reference).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(Disposal::DisposalDate).date().not_null())
                    // internal_reuse | donation | resale | manufacturer_take_back | recycling | landfill
                    .col(ColumnDef::new(Disposal::Route).string_len(32).not_null())
                    .col(ColumnDef::new(Disposal::ReceivingOrganisation).string_len(200))
                    .col(ColumnDef::new(Disposal::WasteCarrier).string_len(200))
                    .col(ColumnDef::new(Disposal::CarrierRegistration).string_len(64))
                    .col(ColumnDef::new(Disposal::WasteTransferNote).string_len(64))
                    .col(ColumnDef::new(Disposal::HazardousConsignmentNote).string_len(64))
                    .col(ColumnDef::new(Disposal::CostPence).big_integer())
                    .col(ColumnDef::new(Disposal::IncomePence).big_integer())
                    // draft | completed
                    .col(ColumnDef::new(Disposal::State).string_len(16).not_null())
                    .col(ColumnDef::new(Disposal::CompletedAt).timestamp_with_time_zone())
                    .col(ColumnDef::new(Disposal::CompletedBy).string_len(100))
                    .col(ColumnDef::new(Disposal::Notes).text())
                    .col(ColumnDef::new(Disposal::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Disposal::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_disposal_date")
                    .table(Disposal::Table)
                    .col(Disposal::State)
                    .col(Disposal::DisposalDate)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DisposalAsset::Table)
                    .col(ColumnDef::new(DisposalAsset::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(DisposalAsset::DisposalId).integer().not_null())
                    .col(ColumnDef::new(DisposalAsset::AssetId).integer().not_null().unique_key())
                    // Weighed; absent means the model's weight is used.
                    .col(ColumnDef::new(DisposalAsset::WeightKg).double())
                    // Set on completion when the weight was taken from the model (and then frozen here).
                    .col(ColumnDef::new(DisposalAsset::WeightFromModel).boolean().not_null().default(false))
                    .col(ColumnDef::new(DisposalAsset::HasStorage).boolean().not_null())
                    .col(ColumnDef::new(DisposalAsset::Hazardous).boolean().not_null().default(false))
                    // UK WEEE category 1–14 (SI 2013/3113 Sch.1)
                    .col(ColumnDef::new(DisposalAsset::WeeeCategory).integer().not_null())
                    // clear | purge | destroy | other
                    .col(ColumnDef::new(DisposalAsset::SanitisationMethod).string_len(16))
                    .col(ColumnDef::new(DisposalAsset::SanitisationStandard).string_len(100))
                    .col(ColumnDef::new(DisposalAsset::SanitisedBy).string_len(200))
                    .col(ColumnDef::new(DisposalAsset::SanitisedOn).date())
                    .col(ColumnDef::new(DisposalAsset::CertificateNumber).string_len(100))
                    .col(ColumnDef::new(DisposalAsset::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(DisposalAsset::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(DisposalAsset::Table, DisposalAsset::DisposalId)
                            .to(Disposal::Table, Disposal::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DisposalAsset::Table, DisposalAsset::AssetId)
                            .to(Asset::Table, Asset::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_disposal_asset_disposal")
                    .table(DisposalAsset::Table)
                    .col(DisposalAsset::DisposalId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DisposalDocument::Table)
                    .col(ColumnDef::new(DisposalDocument::Id).integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(DisposalDocument::DisposalId).integer().not_null())
                    .col(ColumnDef::new(DisposalDocument::AssetId).integer())
                    // waste_transfer_note | consignment_note | sanitisation_certificate | receipt | other
                    .col(ColumnDef::new(DisposalDocument::Kind).string_len(32).not_null())
                    .col(ColumnDef::new(DisposalDocument::FileName).string_len(200).not_null())
                    // application/pdf | image/png | image/jpeg, from the content's magic bytes
                    .col(ColumnDef::new(DisposalDocument::ContentType).string_len(32).not_null())
                    .col(ColumnDef::new(DisposalDocument::SizeBytes).big_integer().not_null())
                    .col(ColumnDef::new(DisposalDocument::Sha256).string_len(64).not_null())
                    .col(ColumnDef::new(DisposalDocument::UploadedBy).string_len(100).not_null())
                    .col(ColumnDef::new(DisposalDocument::UploadedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(DisposalDocument::Table, DisposalDocument::DisposalId)
                            .to(Disposal::Table, Disposal::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DisposalDocument::Table, DisposalDocument::AssetId)
                            .to(Asset::Table, Asset::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_disposal_document_disposal")
                    .table(DisposalDocument::Table)
                    .col(DisposalDocument::DisposalId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DisposalDocument::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(DisposalAsset::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Disposal::Table).to_owned()).await
    }
}
