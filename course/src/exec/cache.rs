//! Turns at evcxr's build cache, shared by every course kernel on this machine.
//!
//! Two locks keep course kernels from getting in each other's way, both in one folder, the
//! build-slot folder of [`slots_dir`]:
//! - `kernel/launch` gives each running kernel a build slot of its own (`N/`, held by an
//!   flock on `N.lock` for the kernel's whole life);
//! - this module makes `:dep` cells take turns (an exclusive lock on `evcxr-cache.lock` for
//!   one cell), because they read and write evcxr's cache, which the slots share: a cache hit
//!   rewrites a counter file that another kernel may be reading, and that build fails.
//!
//! Later cells compile only their own code in their own slot and run freely.

use std::path::{Path, PathBuf};

/// The folder of the build slots, as `kernel/launch` computes it:
/// `$BACKPROP_KERNEL_SLOTS`, else `$TMPDIR/backprop-course-kernels-<uid>`.
pub fn slots_dir() -> PathBuf {
    match std::env::var_os("BACKPROP_KERNEL_SLOTS") {
        Some(dir) => PathBuf::from(dir),
        None => slots_dir_under(&std::env::temp_dir()),
    }
}

/// The build-slot folder when the temporary folder is `temp` and no override is set.
pub fn slots_dir_under(temp: &Path) -> PathBuf {
    let uid = rustix::process::getuid().as_raw();
    temp.join(format!("backprop-course-kernels-{uid}"))
}

/// Waits for this machine's turn at evcxr's build cache and holds it until dropped; `None`
/// if the lock cannot be had (the cell then runs without waiting).
pub async fn turn() -> Option<std::fs::File> {
    let dir = slots_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("evcxr-cache.lock"))
        .ok()?;
    tokio::task::spawn_blocking(move || file.lock().ok().map(|()| file))
        .await
        .ok()
        .flatten()
}
