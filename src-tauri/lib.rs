//! The Kith desktop shell: opens the data directory, registers the IPC commands and
//! hands everything else to kith-core.

pub mod commands;
mod dialogs;
mod drop;
pub mod error;
pub mod files;
mod notify;
mod options;
pub mod startup;
mod sync_worker;
mod thumbs;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use kith_core::{ErrorKind, Kith};
use tauri::Manager;

pub use error::KithError;
pub use options::{Options, OptionsError};

/// Application state shared by all commands.
pub struct AppState {
    pub kith: Arc<Kith>,
    /// The background sync worker, once the window started it (tests run without).
    sync_worker: OnceLock<Arc<kith_core::sync::WorkerHandle>>,
    /// Files chosen or dropped, by token.
    pub files: files::ChosenFiles,
    pub import_cancel: AtomicBool,
    pub export_cancel: AtomicBool,
    /// An import or an undo holds the database's writer for its whole run: one at a time.
    import_running: AtomicBool,
    /// One export at a time, so a cancel stops the export it was meant for.
    export_running: AtomicBool,
}

impl AppState {
    pub fn new(kith: Kith) -> Self {
        AppState {
            kith: Arc::new(kith),
            sync_worker: OnceLock::new(),
            files: files::ChosenFiles::default(),
            import_cancel: AtomicBool::new(false),
            export_cancel: AtomicBool::new(false),
            import_running: AtomicBool::new(false),
            export_running: AtomicBool::new(false),
        }
    }

    /// Asks the sync worker to sync soon (after signing in, say).
    pub fn poke_sync(&self) {
        if let Some(worker) = self.sync_worker.get() {
            worker.poke();
        }
    }

    /// Claims the one import slot until the guard drops.
    fn import_slot(&self) -> Result<Slot<'_>, KithError> {
        Slot::claim(
            &self.import_running,
            "An import, or the undo of one, is already running — wait for it to finish",
        )
    }

    /// Claims the one export slot until the guard drops.
    fn export_slot(&self) -> Result<Slot<'_>, KithError> {
        Slot::claim(
            &self.export_running,
            "An export is already running — wait for it to finish or cancel it",
        )
    }
}

/// A long job's claim on its one slot, released when dropped (also on error).
struct Slot<'a>(&'a AtomicBool);

impl<'a> Slot<'a> {
    fn claim(flag: &'a AtomicBool, busy: &str) -> Result<Slot<'a>, KithError> {
        if flag.swap(true, Ordering::AcqRel) {
            return Err(KithError::new(ErrorKind::Validation, busy.into()));
        }
        Ok(Slot(flag))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Registers every IPC command on `builder`; the real app and the IPC tests share it.
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        startup::startup_status,
        startup::retry_startup,
        commands::users::list_users,
        commands::users::search_users,
        commands::users::count_search_matches,
        commands::users::get_user,
        commands::users::find_duplicates,
        commands::users::create_user,
        commands::users::set_user_field,
        commands::users::delete_user,
        commands::users::restore_user,
        commands::users::list_trash,
        commands::users::reveal_password,
        commands::users::add_address,
        commands::users::update_address,
        commands::users::remove_address,
        commands::users::add_social_link,
        commands::users::update_social_link,
        commands::users::remove_social_link,
        commands::users::add_card,
        commands::users::remove_card,
        commands::users::remove_push_token,
        commands::users::set_user_team,
        commands::users::set_custom_value,
        commands::workspace::list_teams,
        commands::workspace::create_team,
        commands::workspace::team_sizes,
        commands::workspace::rename_team,
        commands::workspace::delete_team,
        commands::workspace::restore_team,
        commands::fields::list_custom_fields,
        commands::fields::list_deleted_custom_fields,
        commands::fields::create_custom_field,
        commands::fields::update_custom_field,
        commands::fields::reorder_custom_fields,
        commands::fields::delete_custom_field,
        commands::fields::restore_custom_field,
        commands::workspace::list_locations,
        commands::workspace::create_location,
        commands::workspace::rename_location,
        commands::workspace::delete_location,
        commands::import::choose_import_file,
        commands::import::preview_import,
        commands::import::run_import,
        commands::import::cancel_import,
        commands::import::save_import_errors,
        commands::import::undo_import,
        commands::import::list_imports,
        commands::export::export_users,
        commands::export::cancel_export,
        commands::links::open_link,
        commands::activity::user_activity,
        commands::activity::user_summary,
        commands::notes::list_notes,
        commands::notes::add_note,
        commands::notes::edit_note,
        commands::notes::set_note_pinned,
        commands::notes::delete_note,
        commands::notes::restore_note,
        commands::notes::note_versions,
        commands::notes::note_tags,
        commands::notes::search_notes,
        commands::staff::list_staff,
        commands::staff::add_staff,
        commands::staff::update_staff,
        commands::staff::remove_staff,
        commands::tasks::list_user_tasks,
        commands::tasks::list_tasks,
        commands::tasks::create_task,
        commands::tasks::update_task,
        commands::tasks::complete_task,
        commands::tasks::reopen_task,
        commands::tasks::delete_task,
        commands::tasks::restore_task,
        commands::tasks::list_task_statuses,
        commands::tasks::add_task_status,
        commands::tasks::update_task_status,
        commands::tasks::reorder_task_statuses,
        commands::tasks::remove_task_status,
        commands::tasks::list_task_categories,
        commands::tasks::add_task_category,
        commands::tasks::rename_task_category,
        commands::tasks::reorder_task_categories,
        commands::tasks::remove_task_category,
        commands::files::list_files,
        commands::files::attach_files,
        commands::files::choose_files_to_attach,
        commands::files::rename_file,
        commands::files::delete_file,
        commands::files::restore_file,
        commands::files::find_files,
        commands::files::open_file,
        commands::files::show_file_in_folder,
        commands::files::save_file_copy,
        commands::files::file_thumbnail,
        commands::files::cover_image,
        commands::files::set_user_image,
        commands::files::choose_user_image,
        commands::settings::get_settings,
        commands::settings::update_settings,
        commands::sync::sync_status,
        commands::sync::sync_login,
        commands::sync::sync_server_certificate,
        commands::sync::sync_logout,
        commands::sync::sync_now,
    ])
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Options(#[from] OptionsError),
    #[error("could not start the window: {0}")]
    Tauri(#[from] tauri::Error),
}

/// Starts the desktop app with the given command-line arguments.
pub fn run(args: impl Iterator<Item = String>) -> Result<(), RunError> {
    let options = Options::parse(args, std::env::var_os("KITH_DATA_DIR"))?;
    with_commands(tauri::Builder::default())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .on_window_event(drop::on_window_event)
        .setup(move |app| {
            let dir = match &options.data_dir {
                Some(dir) => dir.clone(),
                None => app.path().app_data_dir()?,
            };
            // The window appears at once; the UI waits for the open (see startup).
            app.manage(startup::Startup::new(dir));
            startup::open(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!())?;
    Ok(())
}

/// Logs to stderr, filtered by `RUST_LOG` (default: info for Kith, warn otherwise).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        // sqlx warns of any statement over a second; an export streams one long SELECT.
        tracing_subscriber::EnvFilter::new(
            "warn,sqlx::query=error,kith=info,kith_app=info,kith_core=info",
        )
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
