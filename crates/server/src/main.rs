//! `kith-server`: serve the sync API, or administer workspaces (see `--help`).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Parser;
use kith_protocol::sync::Role;
use kith_server::admin;
use kith_server::blobs::Blobs;
use kith_server::cli::{ApiKeysCommand, Cli, Command, DevicesCommand, StaffCommand};
use kith_server::credentials::PasswordCost;
use kith_server::store::{self, sqlite, Store};
use kith_server::tls;
use kith_server::AppState;
use tracing_subscriber::EnvFilter;

/// mimalloc: see the workspace Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Command::TlsCert { dir, office, hosts } = &cli.command {
        return tls_cert(dir, office, hosts);
    }
    let store = store::open(&cli.database)
        .await
        .with_context(|| format!("opening {}", redact(&cli.database)))?;
    let cost = PasswordCost::Production;
    match cli.command {
        Command::Serve {
            listen,
            blobs,
            staging,
            tls_cert,
            tls_key,
        } => {
            // Read before listening: a wrong file fails at once, not at the first client.
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some((
                    tls::server_config(&cert, &key)?,
                    tls::top_fingerprint(&cert)?,
                )),
                _ => None,
            };
            let blobs = open_blobs(&cli.database, blobs, staging)?;
            let state = AppState::new(store, blobs, cost);
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("listening on {listen}"))?;
            // The bound address, not the asked one: `--listen 127.0.0.1:0` picks a port.
            let listen = listener.local_addr()?;
            match tls {
                Some((config, fingerprint)) => {
                    // What a desktop signing in shows for the person to compare.
                    tracing::info!(%listen, certificate = %fingerprint, "kith-server serving HTTPS");
                    let listener = tls::TlsListener::new(listener, config)?;
                    kith_server::http::serve_until_shutdown(listener, state).await?;
                }
                None => {
                    tracing::info!(%listen, "kith-server serving HTTP");
                    kith_server::http::serve_until_shutdown(listener, state).await?;
                }
            }
        }
        Command::TlsCert { .. } => unreachable!("handled before the database opens"),
        Command::Init {
            workspace,
            owner_email,
            owner_name,
            owner_password,
        } => {
            let password = password_or_prompt(owner_password, "Owner's password: ")?;
            let (ws, owner) = admin::init_workspace(
                store.as_ref(),
                cost,
                &workspace,
                &owner_email,
                &owner_name,
                &password,
            )
            .await?;
            println!(
                "workspace {} ({}) created; owner account {owner}",
                ws.name, ws.id
            );
        }
        Command::Staff { command } => staff(store, cost, command).await?,
        Command::Devices { command } => devices(store, command).await?,
        Command::ApiKeys { command } => api_keys(store, command).await?,
    }
    Ok(())
}

async fn staff(store: Arc<dyn Store>, cost: PasswordCost, command: StaffCommand) -> Result<()> {
    match command {
        StaffCommand::Add {
            workspace,
            email,
            name,
            role,
            password,
        } => {
            let ws = admin::workspace(store.as_ref(), &workspace).await?;
            let password = password_or_prompt(password, &format!("Password for {email}: "))?;
            let id = admin::add_staff(
                store.as_ref(),
                cost,
                ws.id,
                &email,
                &name,
                &password,
                Role::from(role),
            )
            .await?;
            println!("staff account {id} added");
        }
        StaffCommand::Remove { workspace, email } => {
            let ws = admin::workspace(store.as_ref(), &workspace).await?;
            let id = admin::remove_staff(store.as_ref(), ws.id, &email).await?;
            println!("staff account {id} removed; its devices are signed out");
        }
    }
    Ok(())
}

async fn devices(store: Arc<dyn Store>, command: DevicesCommand) -> Result<()> {
    match command {
        DevicesCommand::List { workspace, json } => {
            let ws = admin::workspace(store.as_ref(), &workspace).await?;
            let list = store.list_devices(ws.id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for d in list {
                    let state = if d.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    println!(
                        "{}  {:<7}  {}  {}  acked {}",
                        d.id, state, d.email, d.name, d.acked
                    );
                }
            }
        }
        DevicesCommand::Revoke { workspace, id } => {
            let ws = admin::workspace(store.as_ref(), &workspace).await?;
            if !store.revoke_device(ws.id, id).await? {
                bail!("no active device {id} in {workspace}");
            }
            println!("device {id} revoked");
        }
    }
    Ok(())
}

async fn api_keys(store: Arc<dyn Store>, command: ApiKeysCommand) -> Result<()> {
    match command {
        ApiKeysCommand::Create { workspace, name } => {
            let ws = admin::workspace(store.as_ref(), &workspace).await?;
            let (id, key) = admin::create_api_key(store.as_ref(), ws.id, &name).await?;
            eprintln!("API key {id} created. It is shown once; store it now:");
            println!("{key}");
        }
        ApiKeysCommand::Revoke { workspace, id } => {
            let ws = admin::workspace(store.as_ref(), &workspace).await?;
            if !store.revoke_api_key(ws.id, id).await? {
                bail!("no active API key {id} in {workspace}");
            }
            println!("API key {id} revoked");
        }
    }
    Ok(())
}

fn password_or_prompt(given: Option<String>, prompt: &str) -> Result<String> {
    match given {
        Some(p) => Ok(p),
        None => rpassword::prompt_password(prompt).context("reading the password"),
    }
}

/// Blob storage from `--blobs`: a directory, or `s3://BUCKET` (feature `aws`).
fn open_blobs(database: &str, blobs: Option<String>, staging: Option<PathBuf>) -> Result<Blobs> {
    if let Some(bucket) = blobs.as_deref().and_then(|b| b.strip_prefix("s3://")) {
        return open_s3(bucket, staging);
    }
    let dir = match blobs {
        Some(dir) => PathBuf::from(dir),
        None => match sqlite::database_file(database) {
            Some(file) if database.starts_with("sqlite:") => file
                .parent()
                .map(|p| p.join("blobs"))
                .unwrap_or_else(|| PathBuf::from("blobs")),
            _ => bail!("--blobs DIR (or s3://BUCKET) is required with this database"),
        },
    };
    let blobs = match staging {
        Some(staging) => Blobs::with_store(
            Arc::new(object_store::local::LocalFileSystem::new_with_prefix(
                ensure_dir(dir.join("objects"))?,
            )?),
            staging,
        )?,
        None => Blobs::local(&dir)?,
    };
    Ok(blobs)
}

fn ensure_dir(dir: PathBuf) -> Result<PathBuf> {
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

#[cfg(feature = "aws")]
fn open_s3(bucket: &str, staging: Option<PathBuf>) -> Result<Blobs> {
    let staging = staging.unwrap_or_else(|| std::env::temp_dir().join("kith-server-staging"));
    Ok(Blobs::s3_from_env(bucket, staging)?)
}

#[cfg(not(feature = "aws"))]
fn open_s3(_bucket: &str, _staging: Option<PathBuf>) -> Result<Blobs> {
    bail!("this kith-server was built without S3 support: build it with --features aws")
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://…{}", &url[..s], &url[at..]),
        _ => url.to_owned(),
    }
}

fn tls_cert(dir: &std::path::Path, office: &str, hosts: &[String]) -> Result<()> {
    let issued = tls::issue(dir, office, hosts)?;
    if issued.new_ca {
        println!(
            "Made the office's certificate authority \"{}\": {}\n\
             Desktops trust it once: at sign-in, by confirming the fingerprint below, or in \
             their certificate store (see the README's TLS section).",
            issued.ca_name,
            issued.ca_cert.display()
        );
    } else {
        println!(
            "Signed with the existing certificate authority \"{}\" ({}): desktops that \
             trust it need nothing new. Restart the server to serve the new certificate.",
            issued.ca_name,
            issued.ca_cert.display()
        );
    }
    println!(
        "Its SHA-256 fingerprint, which a desktop shows before trusting the server:\n  {}",
        issued.ca_fingerprint
    );
    if let Some(day) = issued.ca_expires_first {
        eprintln!(
            "warning: the certificate authority expires on {}, before this certificate: \
             from that day desktops refuse the server. Before then, move {} and its key \
             away, run tls-cert again, and trust the new CA on every desktop.",
            day.date(),
            issued.ca_cert.display()
        );
    }
    println!(
        "Serve with: kith-server serve --tls-cert {} --tls-key {}",
        issued.server_cert.display(),
        issued.server_key.display()
    );
    Ok(())
}
