//! Users: the people a business serves, and everything on their Detail tab.

mod children;
pub mod model;
mod password;
pub(crate) mod read;
pub(crate) use read::read_named;
mod service;

pub(crate) use children::{custom_value_edit, membership_edit, new_custom_value_edit};
pub use model::*;
pub use password::generate_password;
pub use service::{UserRecord, Users};

/// Ok when `user_id` is a user not in the trash: what anything added to a user
/// (a note, a file) checks first.
pub(crate) async fn ensure_live(pool: &sqlx::SqlitePool, user_id: uuid::Uuid) -> crate::Result<()> {
    let live: Option<i64> =
        sqlx::query_scalar("SELECT rid FROM users WHERE id = ? AND _deleted = 0")
            .bind(user_id.to_string())
            .fetch_optional(pool)
            .await?;
    live.map(|_| ())
        .ok_or_else(|| crate::CoreError::not_found("user"))
}
