//! The grader's seed: one build folder, compiled from the course's own code, that every
//! sandboxed kernel starts from, so sealing a submission off costs no compile time.
//!
//! It is built in a sandbox like the submissions' kernels (the same paths and configuration
//! inside, so cargo finds every compiled crate fresh there), from a warm-up of the course
//! crate's two feature sets, and rebuilt when the course crate, the kernel configuration or
//! the toolchain changes. The first build compiles every dependency (polars included:
//! minutes on 2 cores); later grading runs reuse it.

use super::ExecOptions;
use crate::jupyter::sandbox::{Mode, Sandbox};
use crate::jupyter::{Kernel, KernelError};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The warm-up: the course crate without and with its `data` feature, as the lessons load it,
/// each built twice over: as cells run (`cargo build`) and as evcxr checks a cell whose new
/// variable rust-analyzer cannot type (`cargo check`, which keeps artifacts of its own). A
/// cell of the second kind is common in a submission: after a stub panics, a variable
/// computed from a lost one. Without its artifacts in the seed, the first such cell checks
/// every dependency again (27 s alone on 2 cores; past the 120 s cell limit with four
/// kernels at once).
const WARM_UP: [WarmUp; 6] = [
    WarmUp::runs(":dep backprop = { path = \"../crate\" }"),
    WarmUp::runs("let warm_up = 1;"),
    WarmUp::checks("let warm_up_check = warm_up_unknown;"),
    WarmUp::runs(":dep backprop = { path = \"../crate\", features = [\"data\"] }"),
    WarmUp::runs("let warm_up_data = 1;"),
    WarmUp::checks("let warm_up_data_check = warm_up_unknown;"),
];

/// What the warm-up asks of a cell.
struct WarmUp {
    code: &'static str,
    /// The error it must fail with; `None` when it must pass.
    fails_with: Option<&'static str>,
}

impl WarmUp {
    const fn runs(code: &'static str) -> Self {
        WarmUp {
            code,
            fails_with: None,
        }
    }

    /// A cell whose new variable has no type (its value names nothing), so evcxr runs
    /// `cargo check` on it, which fails on the unknown name.
    const fn checks(code: &'static str) -> Self {
        WarmUp {
            code,
            fails_with: Some("cannot find value `warm_up_unknown`"),
        }
    }

    /// Whether the cell did what the warm-up asks.
    fn done(&self, outcome: &super::outcome::Outcome) -> bool {
        match self.fails_with {
            None => outcome.status.passed(),
            Some(error) => {
                outcome.status == super::outcome::Status::Error && outcome.message.contains(error)
            }
        }
    }
}

/// A seed that could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// Its kernel failed.
    #[error("building the seed")]
    Kernel(#[from] KernelError),
    /// A warm-up cell failed.
    #[error("building the seed: `{code}` failed: {why}")]
    Cell {
        /// The cell.
        code: String,
        /// What the kernel said.
        why: String,
    },
    /// Its folder could not be prepared.
    #[error("building the grader's seed in {path}: {cause}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
}

/// Makes sure `sandbox.seed` holds a build folder made from the course as it is now; builds
/// it (minutes the first time on a machine, seconds with evcxr's cache warm) when not.
///
/// Graders running at once take turns here (a lock file beside the seed): the first builds,
/// the others find it built.
pub async fn ensure(sandbox: &Sandbox, opts: &ExecOptions, log: &Path) -> Result<(), SeedError> {
    let folder = |source| SeedError::Folder {
        path: sandbox.seed.clone(),
        cause: source,
    };
    if let Some(parent) = sandbox.seed.parent() {
        std::fs::create_dir_all(parent).map_err(folder)?;
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(sandbox.seed.with_extension("lock"))
        .map_err(folder)?;
    let _turn = tokio::task::spawn_blocking(move || lock.lock().map(|()| lock))
        .await
        .map_err(|e| folder(std::io::Error::other(e)))?
        .map_err(folder)?;
    let stamp_file = stamp_path(&sandbox.seed);
    let stamp = stamp(&sandbox.root);
    if std::fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp) && sandbox.seed.is_dir() {
        return Ok(());
    }
    let _ = std::fs::remove_file(&stamp_file);
    if sandbox.seed.exists() {
        std::fs::remove_dir_all(&sandbox.seed).map_err(folder)?;
    }
    std::fs::create_dir_all(&sandbox.seed).map_err(folder)?;
    // Built as the submissions' kernels build, without evcxr's cache: the cache runs rustc
    // through a wrapper, which cargo counts as another compiler, so a seed built with it
    // would be stale for every submission.
    warm_up(sandbox, opts, log).await?;
    std::fs::write(&stamp_file, stamp).map_err(folder)
}

async fn warm_up(sandbox: &Sandbox, opts: &ExecOptions, log: &Path) -> Result<(), SeedError> {
    let mut kernel_opts = opts.kernel.clone();
    kernel_opts.sandbox = Some(Sandbox {
        mode: Mode::Seed,
        ..sandbox.clone()
    });
    let cwd = sandbox.root.join("notebooks");
    let kernel = Kernel::start(&kernel_opts, &cwd, log).await?;
    warm_up_kernel(kernel, opts).await
}

/// Runs the warm-up cells on `kernel` (the course crate without and with its `data`
/// feature), then shuts it down: its build folder then holds every dependency, compiled and
/// checked.
pub async fn warm_up_kernel(mut kernel: Kernel, opts: &ExecOptions) -> Result<(), SeedError> {
    // The first build and the first check compile every dependency: each gets at least
    // half an hour.
    let limit = opts.dep_timeout.max(Duration::from_secs(1800));
    let opts = ExecOptions {
        timeout: limit,
        dep_timeout: limit,
        ..opts.clone()
    };
    for (i, cell) in WARM_UP.iter().enumerate() {
        let (_, outcome, _) =
            super::execute_cell(&mut kernel, cell.code, &opts, i + 1, WARM_UP.len(), &[]).await?;
        if !cell.done(&outcome) {
            kernel.shutdown().await;
            return Err(SeedError::Cell {
                code: cell.code.to_string(),
                why: if outcome.status.passed() {
                    "it passed, but it is there to fail on an unknown name".into()
                } else {
                    outcome.message
                },
            });
        }
    }
    kernel.shutdown().await;
    Ok(())
}

fn stamp_path(seed: &Path) -> PathBuf {
    let name = seed.file_name().unwrap_or_default().to_string_lossy();
    seed.with_file_name(format!("{name}.stamp"))
}

/// What the seed was built from: the course crate's files (names, sizes, modification
/// times), the kernel configuration, the warm-up, and the toolchain.
pub fn stamp(root: &Path) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for cell in &WARM_UP {
        cell.code.hash(&mut hasher);
    }
    for dir in ["crate", "kernel"] {
        let mut files = Vec::new();
        walk(&root.join(dir), &mut files);
        files.sort();
        for file in files {
            file.hash(&mut hasher);
            if let Ok(meta) = std::fs::metadata(&file) {
                meta.len().hash(&mut hasher);
                meta.modified().ok().hash(&mut hasher);
            }
        }
    }
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    rustc.hash(&mut hasher);
    format!("{:016x} {}\n", hasher.finish(), rustc.trim())
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == "target") {
            continue;
        }
        if path.is_dir() {
            walk(&path, found);
        } else {
            found.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_changes_when_a_course_file_changes_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("crate").join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("lib.rs"), "pub fn a() {}").unwrap();
        let first = stamp(dir.path());
        assert_eq!(stamp(dir.path()), first);
        std::fs::write(src.join("lib.rs"), "pub fn a() { }").unwrap();
        assert_ne!(stamp(dir.path()), first);
        assert_eq!(
            stamp_path(Path::new("/x/target/grade-seed")),
            Path::new("/x/target/grade-seed.stamp")
        );
    }
}
