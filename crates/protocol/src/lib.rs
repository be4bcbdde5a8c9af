//! Wire types shared by the Kith desktop and the Kith server.
//!
//! Every mutation in Kith is a list of [`Change`]s. A change names a row of a synced
//! table, the hybrid logical clock ([`Hlc`]) and node that wrote it, and the new values
//! of some of the row's fields. Replicas merge changes per field, last writer wins by
//! `(hlc, node)`, so this crate is small, versioned and free of I/O.

mod change;
pub mod checks;
mod hlc;
pub mod schema;
pub mod sync;
mod value;

pub use change::{Change, NodeId, Stamp};
pub use hlc::{Hlc, HlcError};
pub use value::Value;

/// Version of the wire format; bumped on any incompatible change to these types.
pub const PROTOCOL_VERSION: u32 = 1;
