//! `Kith`: one opened data directory — the store, its settings, and the services
//! over them. The desktop app and the CLI both start here.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use crate::activity::Activity;
use crate::error::Result;
use crate::fields::Fields;
use crate::files::{BlobStore, Files};
use crate::notes::Notes;
use crate::search::{search_users, SearchResult};
use crate::settings::{self, Settings};
use crate::staff::StaffDirectory;
use crate::store::{OpenStep, Store, WallClock};
use crate::tasks::Tasks;
use crate::users::Users;
use crate::workspace::Workspace;

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "kith.db";

pub struct Kith {
    store: Store,
    data_dir: PathBuf,
    settings: RwLock<Settings>,
    sync: crate::sync::Runtime,
}

impl Kith {
    /// Opens the data directory, creating it and its database when missing.
    pub async fn open(data_dir: &Path) -> Result<Kith> {
        Self::open_with_clock(data_dir, Box::new(crate::store::system_ms)).await
    }

    /// Opens with a supplied wall clock, so tests can simulate a device whose
    /// clock is wrong.
    pub async fn open_with_clock(data_dir: &Path, wall_ms: WallClock) -> Result<Kith> {
        Self::open_observed(data_dir, wall_ms, &|_| {}).await
    }

    /// Opens, telling `observe` about each slow step (see [`Store::open_observed`]).
    pub async fn open_observed(
        data_dir: &Path,
        wall_ms: WallClock,
        observe: &(dyn Fn(OpenStep) + Send + Sync),
    ) -> Result<Kith> {
        std::fs::create_dir_all(data_dir)?;
        let store = Store::open_observed(&data_dir.join(DATABASE_FILE), wall_ms, observe).await?;
        let settings = settings::load(store.pool()).await?;
        crate::activity::register_device(&store, settings.current_staff_id).await?;
        Ok(Kith {
            store,
            data_dir: data_dir.to_path_buf(),
            settings: RwLock::new(settings),
            sync: crate::sync::Runtime::default(),
        })
    }

    pub(crate) fn sync_runtime(&self) -> &crate::sync::Runtime {
        &self.sync
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn users(&self) -> Users<'_> {
        Users::new(&self.store, self.settings().default_region)
    }

    pub fn notes(&self) -> Notes<'_> {
        Notes { store: &self.store }
    }

    /// Files attached to users; their bytes live in `<data dir>/blobs`.
    pub fn files(&self) -> Files<'_> {
        Files {
            store: &self.store,
            blobs: BlobStore::new(&self.data_dir),
        }
    }

    /// Each user's history and Overview figures.
    pub fn activity(&self) -> Activity<'_> {
        Activity { store: &self.store }
    }

    /// The custom fields the team defines.
    pub fn fields(&self) -> Fields<'_> {
        Fields {
            store: &self.store,
            region: self.settings().default_region,
        }
    }

    pub fn workspace(&self) -> Workspace<'_> {
        Workspace { store: &self.store }
    }

    /// The team directory.
    pub fn staff(&self) -> StaffDirectory<'_> {
        StaffDirectory { store: &self.store }
    }

    /// Tasks, their statuses and categories; new tasks are created by this
    /// desktop's current staff member.
    pub fn tasks(&self) -> Tasks<'_> {
        Tasks {
            store: &self.store,
            me: self.settings().current_staff_id,
        }
    }

    pub async fn search(&self, query: &str, limit: i64) -> Result<SearchResult> {
        search_users(self.store.pool(), query, limit).await
    }

    /// How many users a search finds in all, not just its first page.
    pub async fn count_matches(&self, query: &str) -> Result<i64> {
        crate::search::count_matches(self.store.pool(), query).await
    }

    pub fn settings(&self) -> Settings {
        // A poisoned lock only means a panic elsewhere mid-write of a plain value.
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub async fn update_settings(&self, new: &Settings) -> Result<Settings> {
        let saved = settings::save(self.store.pool(), new).await?;
        crate::activity::register_device(&self.store, saved.current_staff_id).await?;
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = saved.clone();
        Ok(saved)
    }
}
