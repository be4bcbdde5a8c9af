//! The command line of the `kith-server` binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use kith_protocol::sync::Role;
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(name = "kith-server", version, about = "The Kith sync hub")]
pub struct Cli {
    /// `sqlite://PATH` (embedded, one office) or `postgres://USER@HOST/DB` (scale-out).
    #[arg(
        long,
        global = true,
        env = "KITH_DATABASE",
        default_value = "sqlite://kith-server.db"
    )]
    pub database: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the sync API.
    Serve {
        #[arg(long, env = "KITH_LISTEN", default_value = "127.0.0.1:8787")]
        listen: SocketAddr,
        /// Blob storage: a directory (default: `blobs/` next to the SQLite file), or
        /// `s3://BUCKET` with the `aws` feature (credentials from the AWS_* environment).
        #[arg(long, env = "KITH_BLOBS")]
        blobs: Option<String>,
        /// Where unfinished uploads wait (default: `staging/` in the blob directory,
        /// or the system temp directory for S3).
        #[arg(long, env = "KITH_STAGING")]
        staging: Option<PathBuf>,
        /// Serve HTTPS with this PEM certificate chain (the server's certificate
        /// first), e.g. `server.pem` from `tls-cert`. Needs `--tls-key`.
        #[arg(long, env = "KITH_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's PEM private key.
        #[arg(long, env = "KITH_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Make a certificate for `serve --tls-cert`, signed by the office's own
    /// certificate authority (made on first use, kept in DIR and reused to renew).
    /// Desktops trust `kith-ca.pem` once; the server uses `server.pem` and
    /// `server-key.pem`. Needs no database.
    TlsCert {
        /// Where the files go (and where an existing CA is looked for).
        #[arg(long)]
        dir: PathBuf,
        /// Names the CA: "<OFFICE> Kith CA", as desktops' certificate stores show it.
        #[arg(long, default_value = "Office")]
        office: String,
        /// A host name or IP address desktops reach the server by; repeat for each.
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
    },
    /// Create a workspace and its owner account.
    Init {
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        owner_email: String,
        #[arg(long, default_value = "Owner")]
        owner_name: String,
        /// Else `KITH_OWNER_PASSWORD`, else asked for.
        #[arg(long, env = "KITH_OWNER_PASSWORD", hide_env_values = true)]
        owner_password: Option<String>,
    },
    /// Staff accounts of a workspace.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Devices (signed-in computers) of a workspace.
    Devices {
        #[command(subcommand)]
        command: DevicesCommand,
    },
    /// API keys of a workspace: read-only access (pull, snapshot, files, events) for
    /// the business's own systems.
    ApiKeys {
        #[command(subcommand)]
        command: ApiKeysCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    Add {
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value = "staff")]
        role: RoleArg,
        /// Else `KITH_STAFF_PASSWORD`, else asked for.
        #[arg(long, env = "KITH_STAFF_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Remove an account: its devices are signed out, desktops drop the staff record.
    Remove {
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    List {
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        json: bool,
    },
    /// Sign a device out at once.
    Revoke {
        #[arg(long)]
        workspace: String,
        id: Uuid,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeysCommand {
    /// Create a key and print it (once: only its hash is kept).
    Create {
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        name: String,
    },
    Revoke {
        #[arg(long)]
        workspace: String,
        id: Uuid,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Owner,
    Staff,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Owner => Role::Owner,
            RoleArg::Staff => Role::Staff,
        }
    }
}
