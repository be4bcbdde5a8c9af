//! The user record as the UI and the CLI see it. TypeScript types for the UI are
//! generated from these by ts-rs (`cargo test` writes them).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

pub use crate::fields::{CustomField, CustomFieldKind, CustomValue, NewCustomValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UserSource {
    /// Added by hand by staff: gets a generated password.
    Manual,
    Import,
    /// Signed up through the business's own app.
    App,
    Demo,
}

impl UserSource {
    pub fn as_str(self) -> &'static str {
        match self {
            UserSource::Manual => "manual",
            UserSource::Import => "import",
            UserSource::App => "app",
            UserSource::Demo => "demo",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "manual" => UserSource::Manual,
            "import" => UserSource::Import,
            "app" => UserSource::App,
            "demo" => UserSource::Demo,
            _ => return None,
        })
    }
}

/// A row of the user list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UserSummary {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub mobile_phone: Option<String>,
    pub home_phone: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub last_activity_at: i64,
    /// The profile image's attachment, shown as the list avatar; `None`: initials.
    pub avatar_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UserDetail {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub mobile_phone: Option<String>,
    pub home_phone: Option<String>,
    pub app_user_id: Option<String>,
    pub stripe_customer_id: Option<String>,
    pub location_id: Option<Uuid>,
    pub source: UserSource,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub last_activity_at: i64,
    /// The profile image and cover image attachments, if chosen.
    pub avatar_id: Option<Uuid>,
    pub cover_id: Option<Uuid>,
    #[ts(type = "number | null")]
    pub deleted_at: Option<i64>,
    pub has_generated_password: bool,
    pub teams: Vec<Team>,
    pub social_links: Vec<SocialLink>,
    pub addresses: Vec<Address>,
    pub push_tokens: Vec<PushToken>,
    pub cards: Vec<PaymentCard>,
    /// Values of the workspace's custom fields this user has, in field order.
    pub custom_values: Vec<CustomValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Team {
    pub id: Uuid,
    pub name: String,
}

/// A team as Settings lists it: with how many customers are in it (those in the
/// trash not counted), so deleting one says what it touches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TeamSize {
    pub id: Uuid,
    pub name: String,
    pub members: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Location {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SocialLink {
    pub id: Uuid,
    pub network: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Address {
    pub id: Uuid,
    pub label: String,
    pub street: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PushToken {
    pub id: Uuid,
    pub platform: String,
    pub token: String,
    #[ts(type = "number | null")]
    pub last_seen_at: Option<i64>,
}

/// A payment card as Kith keeps it: never the full number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PaymentCard {
    pub id: Uuid,
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
}

/// What staff type to add a user by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewUser {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub mobile_phone: Option<String>,
    pub home_phone: Option<String>,
    /// Values of custom fields, as typed; every required field needs one.
    #[serde(default)]
    pub custom_values: Vec<NewCustomValue>,
}

/// The single-valued user fields that can be edited in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UserField {
    FirstName,
    LastName,
    Email,
    MobilePhone,
    HomePhone,
    AppUserId,
    StripeCustomerId,
    LocationId,
}

impl UserField {
    pub fn column(self) -> &'static str {
        match self {
            UserField::FirstName => "first_name",
            UserField::LastName => "last_name",
            UserField::Email => "email",
            UserField::MobilePhone => "mobile_phone",
            UserField::HomePhone => "home_phone",
            UserField::AppUserId => "app_user_id",
            UserField::StripeCustomerId => "stripe_customer_id",
            UserField::LocationId => "location_id",
        }
    }

    /// A field by its column name, or as people write it ("First name",
    /// "mobile-phone", "mobile").
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Some(match s.as_str() {
            "first" | "firstname" => UserField::FirstName,
            "last" | "lastname" => UserField::LastName,
            "mobile" | "phone" => UserField::MobilePhone,
            "home" => UserField::HomePhone,
            "stripe_id" => UserField::StripeCustomerId,
            "location" => UserField::LocationId,
            "first_name" => UserField::FirstName,
            "last_name" => UserField::LastName,
            "email" => UserField::Email,
            "mobile_phone" => UserField::MobilePhone,
            "home_phone" => UserField::HomePhone,
            "app_user_id" => UserField::AppUserId,
            "stripe_customer_id" => UserField::StripeCustomerId,
            "location_id" => UserField::LocationId,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AddressInput {
    pub label: String,
    pub street: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SocialLinkInput {
    pub network: String,
    pub url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CardInput {
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UserSort {
    #[default]
    Name,
    Created,
    Activity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UserPage {
    #[ts(type = "number")]
    pub total: i64,
    #[ts(type = "number")]
    pub offset: i64,
    pub rows: Vec<UserSummary>,
}
