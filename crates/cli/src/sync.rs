//! `kith-cli sync …`: sign this data directory in to a Kith server, sync now,
//! show where it stands, sign out.

use anyhow::{Context, Result};
use clap::Subcommand;
use kith_core::sync::{SyncReport, SyncState, SyncStatus};
use kith_core::Kith;

use crate::output::Output;

#[derive(Subcommand)]
pub enum SyncCommand {
    /// Sign in to a Kith server (password from KITH_PASSWORD, else asked).
    Login {
        /// The server's address, e.g. https://kith.example.com
        url: String,
        email: String,
        /// The workspace's name, when the email has accounts in several.
        #[arg(long)]
        workspace: Option<String>,
        /// Trust, for this server only, the certificate authority it presents when
        /// its SHA-256 fingerprint is this one (as `kith-server tls-cert` printed it).
        #[arg(long, value_name = "SHA256")]
        trust_fingerprint: Option<String>,
    },
    /// Send local changes and fetch everyone else's, until nothing is left.
    Now,
    /// Whether this desktop is signed in, and what waits.
    Status,
    /// Sign out: forget the device token (revoked on the server when reachable);
    /// every record stays.
    Logout,
}

pub async fn run(kith: &Kith, cmd: SyncCommand, out: &Output) -> Result<()> {
    match cmd {
        SyncCommand::Login {
            url,
            email,
            workspace,
            trust_fingerprint,
        } => {
            let password = match std::env::var("KITH_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => rpassword::prompt_password(format!("Password for {email}: "))
                    .context("cannot read the password (set KITH_PASSWORD)")?,
            };
            let login = kith
                .sync()
                .login_trusting(
                    &url,
                    &email,
                    &password,
                    workspace.as_deref(),
                    trust_fingerprint.as_deref(),
                )
                .await;
            let status = match login {
                Err(e) if e.field() == Some("certificate") && trust_fingerprint.is_none() => {
                    return Err(offer_trust(kith, &url, e).await);
                }
                other => other?,
            };
            out.message(
                &format!(
                    "signed in to {} as {} ({}); run `kith-cli sync now` to sync",
                    status.workspace.as_deref().unwrap_or("?"),
                    status.staff_name.as_deref().unwrap_or("?"),
                    status.staff_email.as_deref().unwrap_or("?"),
                ),
                &status,
            )?;
        }
        SyncCommand::Now => {
            let report = kith.sync().sync_now().await?;
            out.message(&report_line(&report), &report)?;
        }
        SyncCommand::Status => {
            let status = kith.sync().status().await?;
            out.message(&status_text(&status), &status)?;
        }
        SyncCommand::Logout => {
            kith.sync().logout().await?;
            out.message(
                "signed out; all data stays on this computer",
                &serde_json::json!({ "signed_out": true }),
            )?;
        }
    }
    Ok(())
}

fn report_line(r: &SyncReport) -> String {
    let mut line = format!("sent {} changes, received {}", r.pushed, r.pulled);
    if r.bootstrapped {
        line.push_str(" (loaded the workspace)");
    }
    if r.files_uploaded + r.files_downloaded > 0 {
        line.push_str(&format!(
            "; files: {} sent, {} received",
            r.files_uploaded, r.files_downloaded
        ));
    }
    match (r.checksum_matched, r.repaired) {
        (Some(true), true) => line.push_str("; repaired a difference from the server"),
        (Some(true), false) => line.push_str("; in step with the server"),
        _ => {}
    }
    line
}

/// A refused certificate no trusted authority signed: the error, with what the
/// server presents and how to trust it once its fingerprint is checked.
async fn offer_trust(kith: &Kith, url: &str, refused: kith_core::CoreError) -> anyhow::Error {
    match kith.sync().server_certificate(url).await {
        Ok(c) if c.authority => anyhow::anyhow!(
            "{refused}.\nThe server presents the certificate authority \"{}\", SHA-256 \
             fingerprint\n  {}\nIf that is the fingerprint kith-server tls-cert printed for \
             your office, sign in again with --trust-fingerprint {}",
            c.name,
            c.fingerprint,
            c.fingerprint.replace(':', "")
        ),
        Ok(_) | Err(_) => refused.into(),
    }
}

fn status_text(s: &SyncStatus) -> String {
    let state = match s.state {
        SyncState::SignedOut => return "not signed in to a Kith server".into(),
        SyncState::Synced => "synced",
        SyncState::Pending => "changes waiting",
        SyncState::Syncing => "syncing",
        SyncState::Offline => "offline",
        SyncState::Error => "error",
    };
    let mut lines = vec![format!(
        "{state}: {} as {} <{}>",
        s.server_url.as_deref().unwrap_or("?"),
        s.staff_name.as_deref().unwrap_or("?"),
        s.staff_email.as_deref().unwrap_or("?")
    )];
    lines.push(format!(
        "  workspace    {}",
        s.workspace.as_deref().unwrap_or("?")
    ));
    if let Some(device) = &s.device_id {
        lines.push(format!(
            "  device       {} ({device})",
            s.device_name.as_deref().unwrap_or("?")
        ));
    }
    lines.push(format!("  pending      {} changes", s.pending));
    if s.files_waiting > 0 {
        lines.push(format!("  files        {} waiting", s.files_waiting));
    }
    if let Some(at) = s.last_sync_at {
        lines.push(format!("  last sync    {at} (unix ms)"));
    }
    if let Some(fp) = &s.trusted_certificate {
        lines.push(format!("  trusted CA   {fp}"));
    }
    if let Some(e) = &s.error {
        lines.push(format!("  error        {e}"));
    }
    lines.join("\n")
}
