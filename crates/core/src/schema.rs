//! The schema registry, shared with the server through the wire crate; see
//! [`kith_protocol::schema`].

pub use kith_protocol::schema::*;
