//! Cost items (issue 6): maintenance, support, licences and repairs, one-off on a date or annual between
//! dates, for one asset, a model, a category, a department or a site.
//!
//! Money is integer pence (BIGINT), as elsewhere, so it round-trips exactly on SQLite and PostgreSQL.
//! The scope is (`scope`, `scope_id` or `scope_category`) with no foreign key: an item whose asset, model,
//! department or site is later deleted is kept (a money record is not deleted behind the user's back) and
//! the TCO report shows it as unallocated; the service checks the target exists when an item is saved.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CostItem {
    Table,
    Id,
    Kind,
    Description,
    Scope,
    ScopeId,
    ScopeCategory,
    Timing,
    AmountPence,
    StartsOn,
    EndsOn,
    Supplier,
    Notes,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CostItem::Table)
                    .col(ColumnDef::new(CostItem::Id).integer().not_null().auto_increment().primary_key())
                    // maintenance | support | licence | repair
                    .col(ColumnDef::new(CostItem::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(CostItem::Description).string_len(200).not_null())
                    // asset | model | category | department | site
                    .col(ColumnDef::new(CostItem::Scope).string_len(16).not_null())
                    .col(ColumnDef::new(CostItem::ScopeId).integer())
                    .col(ColumnDef::new(CostItem::ScopeCategory).string_len(32))
                    // one_off | annual
                    .col(ColumnDef::new(CostItem::Timing).string_len(16).not_null())
                    // The one-off amount, or the amount per year.
                    .col(ColumnDef::new(CostItem::AmountPence).big_integer().not_null())
                    // The one-off's date, or the first day of the annual charge.
                    .col(ColumnDef::new(CostItem::StartsOn).date().not_null())
                    // The last day of an annual charge (inclusive); none while it goes on.
                    .col(ColumnDef::new(CostItem::EndsOn).date())
                    .col(ColumnDef::new(CostItem::Supplier).string_len(200))
                    .col(ColumnDef::new(CostItem::Notes).text())
                    .col(ColumnDef::new(CostItem::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(CostItem::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_cost_item_scope")
                    .table(CostItem::Table)
                    .col(CostItem::Scope)
                    .col(CostItem::ScopeId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CostItem::Table).to_owned()).await
    }
}
