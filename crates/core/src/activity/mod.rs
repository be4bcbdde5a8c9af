//! The activity history of each user and the key figures of their Overview.
//!
//! Everything here is read from what the store's write path left behind (see
//! `store/activity_log.rs`), so it works offline and cannot disagree with the data.

pub(crate) mod devices;
mod model;
mod read;

pub use model::*;
pub use read::DEFAULT_LIMIT;

pub(crate) use devices::register as register_device;

use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::store::Store;

pub struct Activity<'a> {
    pub(crate) store: &'a Store,
}

impl Activity<'_> {
    /// One page of the user's history, newest first.
    pub async fn for_user(&self, user: Uuid, query: &ActivityQuery) -> Result<Vec<ActivityEntry>> {
        self.require_user(user).await?;
        read::history(self.store.pool(), self.store.node(), user, query).await
    }

    /// Open and overdue tasks, notes, files and the last activity; `today` is the
    /// local date as `YYYY-MM-DD`, which decides what is overdue.
    pub async fn summary(&self, user: Uuid, today: &str) -> Result<UserFigures> {
        self.require_user(user).await?;
        read::summary(self.store.pool(), user, today).await
    }

    async fn require_user(&self, user: Uuid) -> Result<()> {
        let exists: Option<i64> = sqlx::query_scalar("SELECT rid FROM users WHERE id = ?")
            .bind(user.to_string())
            .fetch_optional(self.store.pool())
            .await?;
        exists
            .map(|_| ())
            .ok_or_else(|| CoreError::not_found("user"))
    }
}
