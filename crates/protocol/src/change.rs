//! A change: new values for some fields of one row, stamped with who wrote it and when.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Hlc, Value};

/// A replica's identity. Ties between equal clocks are broken by comparing node ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub Uuid);

impl NodeId {
    pub fn random() -> Self {
        NodeId(Uuid::new_v4())
    }
}

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The total order used by last-writer-wins: clock first, node id to break ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub hlc: Hlc,
    pub node: NodeId,
}

impl Stamp {
    pub const ZERO: Stamp = Stamp {
        hlc: Hlc::ZERO,
        node: NodeId(Uuid::nil()),
    };
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub table: String,
    pub row: Uuid,
    pub hlc: Hlc,
    pub node: NodeId,
    pub fields: BTreeMap<String, Value>,
}

impl Change {
    pub fn stamp(&self) -> Stamp {
        Stamp {
            hlc: self.hlc,
            node: self.node,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_round_trips_through_json() {
        let mut fields = BTreeMap::new();
        fields.insert("first_name".to_owned(), Value::from("Zoë"));
        fields.insert("_deleted".to_owned(), Value::Bool(false));
        fields.insert("created_at".to_owned(), Value::Int(1_700_000_000_000));
        fields.insert("email".to_owned(), Value::Null);
        let change = Change {
            table: "users".into(),
            row: Uuid::new_v4(),
            hlc: Hlc::new(1, 2),
            node: NodeId::random(),
            fields,
        };
        let json = serde_json::to_string(&change).unwrap();
        assert_eq!(serde_json::from_str::<Change>(&json).unwrap(), change);
    }
}
