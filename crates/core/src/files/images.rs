//! A user's profile image and cover image: each one of the user's own image
//! attachments, chosen on the Detail tab (picked, dropped, or from the Media tab).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::{FileKind, Files};
use crate::error::{CoreError, Result};
use crate::ids::{name_id, relation_id};
use crate::schema::USER_IMAGES;
use crate::store::Edit;

/// Which of a user's images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImageRole {
    /// The round picture in the profile header and the user list.
    Avatar,
    /// The wide band behind the profile header.
    Cover,
}

impl ImageRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ImageRole::Avatar => "avatar",
            ImageRole::Cover => "cover",
        }
    }
}

/// The attachments a user's images are, if chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UserImages {
    pub avatar_id: Option<Uuid>,
    pub cover_id: Option<Uuid>,
}

/// The row of (user, role): the same on every desktop.
fn row_id(user: Uuid, role: ImageRole) -> Uuid {
    relation_id(USER_IMAGES.name, user, name_id("image role", role.as_str()))
}

/// Makes `attachment` the user's image in `role` (`None`: no image), setting
/// the one row of (user, role), never adding one.
pub(crate) fn user_image_edit(user: Uuid, role: ImageRole, attachment: Option<Uuid>) -> Edit {
    Edit::new(&USER_IMAGES, row_id(user, role))
        .set("user_id", user.to_string())
        .set("role", role.as_str())
        .set("attachment_id", attachment.map(|a| a.to_string()))
}

impl Files<'_> {
    /// Makes `attachment` the user's image in `role`; `None` removes the image (the
    /// file itself stays attached). Only an image attached to this user will do.
    pub async fn set_user_image(
        &self,
        user: Uuid,
        role: ImageRole,
        attachment: Option<Uuid>,
    ) -> Result<UserImages> {
        if let Some(id) = attachment {
            let file = self.get(id).await?;
            if file.user_id != user {
                return Err(CoreError::validation(
                    "attachment_id",
                    "Choose one of this user's own files",
                ));
            }
            if file.kind != FileKind::Image {
                return Err(CoreError::validation(
                    "attachment_id",
                    format!("{} is not an image", file.name),
                ));
            }
        } else {
            crate::users::ensure_live(self.store.pool(), user).await?;
        }
        self.store
            .commit(vec![user_image_edit(user, role, attachment)])
            .await?;
        self.user_images(user).await
    }

    /// The user's chosen images that are still live attachments.
    pub async fn user_images(&self, user: Uuid) -> Result<UserImages> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.role, i.attachment_id FROM user_images i \
             JOIN attachments a ON a.id = i.attachment_id AND a._deleted = 0 \
             WHERE i.user_id = ? AND i._deleted = 0",
        )
        .bind(user.to_string())
        .fetch_all(self.store.pool())
        .await?;
        let mut images = UserImages::default();
        for (role, id) in rows {
            let id = crate::ids::parse_id(&id)?;
            match role.as_str() {
                "avatar" => images.avatar_id = Some(id),
                "cover" => images.cover_id = Some(id),
                // A role a newer version added: not shown here.
                _ => {}
            }
        }
        Ok(images)
    }
}
