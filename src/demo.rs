//! The demo estate (being written).
pub const DEFAULT_ASSETS: usize = 1500;
pub async fn load(_db: &sea_orm::DatabaseConnection, _n: usize) -> Result<String, crate::error::AppError> {
    Ok(String::new())
}
