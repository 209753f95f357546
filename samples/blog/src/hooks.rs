//! Hooks of the blog: Rust functions `models.djinn` attaches to saves
//! (`on post_save Post -> rust "hooks::stamp_publication"`), Django's signals.

use djinn_runtime::db::{Sql, Value};
use djinn_runtime::{Result, Transaction};

/// Sets `published_at` to the current time on a published post that has
/// none, in the same statement for both databases.
const STAMP: Sql = Sql::new(
    "UPDATE blog_post SET published_at = ?1 WHERE id = ?2 AND published_at IS NULL",
    "UPDATE blog_post SET published_at = $1 WHERE id = $2 AND published_at IS NULL",
);

/// A post saved as published without a publication time gets the time of
/// the save, so it is listed on the home page in the right place. Runs in
/// the transaction of the save: if it fails, nothing is saved.
pub async fn stamp_publication(db: &mut Transaction, object: &crate::models::Post) -> Result<()> {
    if object.status == "published" && object.published_at.is_none() {
        let now = djinn_runtime::jiff::Timestamp::now()
            .to_zoned(djinn_runtime::jiff::tz::TimeZone::UTC)
            .datetime();
        db.execute(&STAMP, &[Value::DateTime(now), Value::Int(object.id)])
            .await?;
    }
    Ok(())
}
