//! Custom fields as the UI and the CLI see them. TypeScript types for the UI are
//! generated from these by ts-rs (`cargo test` writes them).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// The kind of a custom field: what its values are and how they are edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CustomFieldKind {
    /// One line of text.
    Text,
    /// Several lines (up to 10,000 characters).
    LongText,
    /// A decimal number, stored as canonical decimal text ("-12.5").
    Number,
    /// An amount of money: integer minor units and an ISO 4217 currency ("1999 EUR").
    Money,
    /// A calendar date, YYYY-MM-DD.
    Date,
    /// Yes or no, stored "true" or "false".
    Checkbox,
    /// One of the field's options, stored as the option's id.
    SingleSelect,
    /// Any of the field's options, stored as a JSON array of option ids.
    MultiSelect,
    /// A web link (http or https).
    Url,
    Email,
    /// A phone number, stored in E.164 like the built-in phone fields.
    Phone,
}

impl CustomFieldKind {
    pub const ALL: [CustomFieldKind; 11] = [
        CustomFieldKind::Text,
        CustomFieldKind::LongText,
        CustomFieldKind::Number,
        CustomFieldKind::Money,
        CustomFieldKind::Date,
        CustomFieldKind::Checkbox,
        CustomFieldKind::SingleSelect,
        CustomFieldKind::MultiSelect,
        CustomFieldKind::Url,
        CustomFieldKind::Email,
        CustomFieldKind::Phone,
    ];

    /// The name stored in `custom_fields.kind` and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomFieldKind::Text => "text",
            CustomFieldKind::LongText => "long_text",
            CustomFieldKind::Number => "number",
            CustomFieldKind::Money => "money",
            CustomFieldKind::Date => "date",
            CustomFieldKind::Checkbox => "checkbox",
            CustomFieldKind::SingleSelect => "single_select",
            CustomFieldKind::MultiSelect => "multi_select",
            CustomFieldKind::Url => "url",
            CustomFieldKind::Email => "email",
            CustomFieldKind::Phone => "phone",
        }
    }

    /// A kind by its stored name; also the spellings people type ("long-text",
    /// "select", "multiselect", "boolean").
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        if let Some(kind) = Self::ALL.into_iter().find(|k| k.as_str() == s) {
            return Some(kind);
        }
        Some(match s.as_str() {
            "longtext" | "textarea" | "multiline" => CustomFieldKind::LongText,
            "decimal" | "integer" => CustomFieldKind::Number,
            "currency" | "amount" => CustomFieldKind::Money,
            "boolean" | "bool" | "yes_no" => CustomFieldKind::Checkbox,
            "select" | "singleselect" | "choice" => CustomFieldKind::SingleSelect,
            "multiselect" | "multi" | "tags" => CustomFieldKind::MultiSelect,
            "link" | "web" => CustomFieldKind::Url,
            "tel" => CustomFieldKind::Phone,
            _ => return None,
        })
    }

    /// Kinds whose values are chosen from the field's options.
    pub fn has_options(self) -> bool {
        matches!(
            self,
            CustomFieldKind::SingleSelect | CustomFieldKind::MultiSelect
        )
    }
}

/// One option of a select field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldOption {
    pub id: Uuid,
    pub label: String,
}

/// An extra user field the team defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomField {
    pub id: Uuid,
    pub name: String,
    pub kind: CustomFieldKind,
    /// Order on the Detail tab (ascending).
    #[ts(type = "number")]
    pub position: i64,
    /// Must have a value when a user is added or edited by hand (not on import).
    pub required: bool,
    /// A select field's options, in order; empty for other kinds.
    pub options: Vec<FieldOption>,
    /// A money field's currency (ISO 4217), for amounts typed without one.
    pub currency: Option<String>,
}

impl CustomField {
    /// The live option labelled `label`, ignoring case and accents.
    pub fn option_by_label(&self, label: &str) -> Option<&FieldOption> {
        let key = option_key(label);
        self.options.iter().find(|o| option_key(&o.label) == key)
    }

    pub fn option(&self, id: Uuid) -> Option<&FieldOption> {
        self.options.iter().find(|o| o.id == id)
    }
}

/// An option label compared: trimmed, folded (case and accents).
pub(crate) fn option_key(label: &str) -> String {
    crate::text::fold(label.trim())
}

/// A field as staff define it, to create it or change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomFieldInput {
    pub name: String,
    pub kind: CustomFieldKind,
    #[serde(default)]
    pub required: bool,
    /// A select field's options in order. Options given with the id of an existing
    /// one rename or move it; those without an id are added; existing options left
    /// out are removed (values that chose them show nothing).
    #[serde(default)]
    pub options: Vec<OptionInput>,
    /// A money field's default currency, e.g. "EUR".
    #[serde(default)]
    pub currency: Option<String>,
}

impl CustomFieldInput {
    /// A field of `kind` named `name`, not required, with no options or currency.
    pub fn new(name: &str, kind: CustomFieldKind) -> Self {
        CustomFieldInput {
            name: name.to_owned(),
            kind,
            required: false,
            options: Vec::new(),
            currency: None,
        }
    }

    /// The same input with new options of these labels.
    pub fn with_options<'a>(mut self, labels: impl IntoIterator<Item = &'a str>) -> Self {
        self.options = labels
            .into_iter()
            .map(|label| OptionInput {
                id: None,
                label: label.to_owned(),
            })
            .collect();
        self
    }

    pub fn with_currency(mut self, currency: &str) -> Self {
        self.currency = Some(currency.to_owned());
        self
    }

    pub fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OptionInput {
    /// The option this renames or moves; `None` adds one.
    pub id: Option<Uuid>,
    pub label: String,
}

/// One user's value for a custom field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomValue {
    pub field_id: Uuid,
    pub name: String,
    pub kind: CustomFieldKind,
    /// As stored: the canonical form of the kind ("1999 EUR", an option id, …).
    pub value: String,
    /// As people read and type it, and as exports write it: "19.99 EUR", option
    /// labels joined by "; ", "Yes". Sending this back through `set_custom_value`
    /// stores the same value.
    pub display: String,
}

/// A value for a custom field when adding a user by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewCustomValue {
    pub field_id: Uuid,
    /// As typed (the form `set_custom_value` takes).
    pub value: String,
}
