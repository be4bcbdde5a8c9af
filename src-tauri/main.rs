// Keeps a console window from opening next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// mimalloc: see the workspace Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kith_app::init_tracing();
    // Before any thread or database: SQLite takes its allocator only then.
    kith_core::sqlite_memory::use_global_allocator();
    match kith_app::run(std::env::args().skip(1)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kith: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
