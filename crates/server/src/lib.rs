//! kith-server: the sync hub of a Kith workspace.
//!
//! Desktops sign in, push their changes, pull everyone else's by server sequence,
//! fetch a snapshot to start from, compare checksums, listen for pokes and move
//! files (blobs). The server is stateless: any number of instances may share one
//! database (PostgreSQL), or one small office runs it on an embedded SQLite file.
//!
//! Start one in a test with [`testing::TestServer`]; the binary's CLI is [`cli`].

pub mod admin;
pub mod blobs;
pub mod cli;
pub mod credentials;
pub mod error;
pub mod http;
pub mod ratelimit;
pub mod store;
pub mod testing;
pub mod tls;

pub use error::{ApiError, StoreError};
pub use http::{router, serve, AppState};
pub use store::Store;
