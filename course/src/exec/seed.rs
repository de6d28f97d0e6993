//! The grader's seed: one build folder, compiled from the course's own code, that every
//! sandboxed kernel starts from, so sealing a submission off costs no compile time.
//!
//! It is built in a sandbox like the submissions' kernels (the same paths and configuration
//! inside, so cargo finds every compiled crate fresh there), from a warm-up of the course
//! crate's two feature sets. It belongs to the user, not to one checkout
//! ([`Project::grade_seed`](crate::project::Project::grade_seed)). The first build compiles
//! every dependency (polars included: minutes on 2 cores) through evcxr's build cache, which
//! the learners' kernels share: on a machine that ran the lessons it copies them instead, and
//! the lessons run after it copy what it compiled. When the course crate changes, or
//! another checkout grades, only the course crate is compiled again; when the toolchain, the
//! crate's dependencies or the kernel configuration change, everything is.

use super::ExecOptions;
use crate::jupyter::sandbox::{index_snapshot, user_cargo_home, Mode, Sandbox};
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
    /// The crates its kernels read offline are not all there.
    #[error("building the grader's seed: {0}")]
    Crates(#[from] super::crates::CratesError),
    /// Its folder could not be prepared.
    #[error("building the grader's seed in {path}: {cause}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
}

/// Makes sure `sandbox.seed` holds a build folder made from the course as it is now, and
/// holds it so until the returned [`SeedLease`] is dropped. Builds it when not: minutes the
/// first time on a machine (every dependency, polars included); seconds to a minute when
/// only the course crate changed, or this is another checkout of the same course, since
/// then only the course crate is compiled again.
///
/// Graders take turns through a lock file beside the seed: any number may grade from it at
/// once; one that must build it waits until none is grading, and the others wait for it.
pub async fn ensure(
    sandbox: &Sandbox,
    opts: &ExecOptions,
    log: &Path,
) -> Result<SeedLease, SeedError> {
    let folder = |source| SeedError::Folder {
        path: sandbox.seed.clone(),
        cause: source,
    };
    if let Some(parent) = sandbox.seed.parent() {
        std::fs::create_dir_all(parent).map_err(folder)?;
    }
    // Every sealed kernel needs them, the seed's own build first.
    super::crates::ensure(&sandbox.root)?;
    if let Err(e) = link(sandbox) {
        eprintln!(
            "  note: cannot link {} to the seed ({e}); a learner's kernel may then compile \
             some crates again at every cell",
            sandbox.build_inside().display()
        );
    }
    let stamp = stamp(&sandbox.root);
    let fresh = || {
        built_from(&sandbox.seed).as_deref() == Some(stamp.as_str())
            && sandbox.seed.is_dir()
            && index_snapshot(&sandbox.seed).is_dir()
    };
    loop {
        let lease = SeedLease::take(&sandbox.seed, Hold::Shared).await?;
        if fresh() {
            return Ok(lease);
        }
        drop(lease);
        let turn = SeedLease::take(&sandbox.seed, Hold::Exclusive).await?;
        if !fresh() {
            build(sandbox, opts, log, &stamp).await?;
        }
        drop(turn);
    }
}

/// Builds the seed for `stamp`, in place: what it already holds for another state of the
/// course is kept when only the course crate differs (cargo then compiles that crate alone),
/// and thrown away when the toolchain, the dependencies or the kernel configuration differ.
async fn build(
    sandbox: &Sandbox,
    opts: &ExecOptions,
    log: &Path,
    stamp: &str,
) -> Result<(), SeedError> {
    let folder = |source| SeedError::Folder {
        path: sandbox.seed.clone(),
        cause: source,
    };
    prepare(&sandbox.seed, stamp).map_err(folder)?;
    // A sealed kernel resolves offline, taking the newest version it finds downloaded among
    // those its copy of the index knows. With the newest the index knows downloaded first,
    // every later sealed kernel resolves as the seed's does, whatever an online kernel
    // downloads meanwhile: else a newer release (of `hashbrown`, under polars) that a
    // learner's kernel fetched after the seed was built would be compiled again in the
    // kernel of every submission.
    let root = sandbox.root.clone();
    if let Ok(Err(e)) =
        tokio::task::spawn_blocking(move || super::crates::fetch_newest(&root)).await
    {
        eprintln!(
            "  note: the newest versions of the crates could not be downloaded; the seed uses \
             those already here ({})",
            e.0
        );
    }
    // The index the seed's kernel, and every sealed kernel after it, resolves from: taken
    // now, while no grader uses the seed (the caller holds it alone).
    let (home, snapshot) = (user_cargo_home(), index_snapshot(&sandbox.seed));
    tokio::task::spawn_blocking(move || super::crates::snapshot_index(&home, &snapshot))
        .await
        .map_err(std::io::Error::other)
        .and_then(|copied| copied)
        .map_err(folder)?;
    // Built through the user's evcxr cache, as the learners' kernels build: a dependency
    // they compiled is copied from it, and one compiled here is there for them. The
    // submissions' kernels run the same wrapper (cargo counts a change of wrapper as another
    // compiler and would find the seed stale), on a cache of their own.
    warm_up(sandbox, opts, log).await?;
    std::fs::write(stamp_path(&sandbox.seed), stamp).map_err(folder)
}

/// Makes `<slots>/seed/1`, where the seed's kernel and the submissions' see their build
/// folder, a link to the seed outside the sandbox too ([`Sandbox::build_inside`] says why),
/// unless it already leads to a seed (another checkout's, or a copy: the files the
/// learners' kernels look for there are the same in each).
fn link(sandbox: &Sandbox) -> std::io::Result<()> {
    let link = sandbox.build_inside();
    if link.is_dir() {
        return Ok(());
    }
    if let Some(parent) = link.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let new = link.with_extension(format!("new-{}", std::process::id()));
    let _ = std::fs::remove_file(&new);
    std::os::unix::fs::symlink(&sandbox.seed, &new)?;
    std::fs::rename(&new, &link)
}

/// Readies the folder `seed` for a build for `stamp`: keeps what it holds, but for the course
/// crate, when its stamp has the same base; empties it otherwise. Until the build ends, the
/// stamp file names the base alone, so a build that fails (a course crate that does not
/// compile) leaves the dependencies it compiled to the next one.
fn prepare(seed: &Path, stamp: &str) -> std::io::Result<()> {
    let before = built_from(seed).unwrap_or_default();
    if same_base(&before, stamp) && seed.is_dir() {
        forget_course_crate(seed)?;
    } else if seed.exists() {
        std::fs::remove_dir_all(seed)?;
    }
    std::fs::create_dir_all(seed)?;
    let base = base(stamp).unwrap_or_default();
    std::fs::write(stamp_path(seed), format!("{base} unfinished\n"))
}

/// What the stamp file beside `seed` says: the stamp of its last build that ended, or
/// `<base> unfinished` while a build for that base runs or after one failed.
fn built_from(seed: &Path) -> Option<String> {
    std::fs::read_to_string(stamp_path(seed)).ok()
}

/// Whether two stamps agree on everything but the course crate's own files (their first
/// word): then a build folder made for one needs only the course crate compiled again for
/// the other.
pub fn same_base(a: &str, b: &str) -> bool {
    base(a).is_some() && base(a) == base(b)
}

/// A stamp's first word: the hash of what the dependencies depend on.
fn base(stamp: &str) -> Option<&str> {
    stamp.split_whitespace().next()
}

/// Removes every artifact of the course crate from a build folder (built, checked, and its
/// incremental state), keeping its dependencies: the next build compiles the course crate
/// from nothing and every dependency not at all.
pub fn forget_course_crate(build: &Path) -> std::io::Result<()> {
    let Ok(targets) = std::fs::read_dir(build.join("target")) else {
        return Ok(());
    };
    let mut profiles = vec![build.join("target").join("debug")];
    profiles.extend(targets.flatten().map(|e| e.path().join("debug")));
    for profile in profiles {
        for part in ["deps", ".fingerprint", "incremental", "build"] {
            let Ok(entries) = std::fs::read_dir(profile.join(part)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                let ours = [COURSE_CRATE, &format!("lib{COURSE_CRATE}")]
                    .iter()
                    .any(|c| name.strip_prefix(c).is_some_and(|r| r.starts_with('-')));
                if !ours {
                    continue;
                }
                let path = entry.path();
                if path.is_dir() {
                    std::fs::remove_dir_all(&path)?;
                } else {
                    std::fs::remove_file(&path)?;
                }
            }
        }
    }
    Ok(())
}

/// The course crate's package name, as its artifacts are named in a build folder.
const COURSE_CRATE: &str = "backprop";

/// How a [`SeedLease`] holds the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// To grade from it: any number at once.
    Shared,
    /// To build it: alone.
    Exclusive,
}

/// A hold on the seed's lock file: while it lives, nobody else builds the seed (shared), or
/// nobody else uses it at all (exclusive).
#[derive(Debug)]
pub struct SeedLease {
    _file: std::fs::File,
}

impl SeedLease {
    /// Takes `hold` on the lock file beside `seed`, waiting for it (and saying so) when
    /// another grader's hold stands in the way.
    pub async fn take(seed: &Path, hold: Hold) -> Result<SeedLease, SeedError> {
        let failed = |cause| SeedError::Folder {
            path: seed.with_extension("lock"),
            cause,
        };
        let file = lock_file(seed).map_err(failed)?;
        if try_hold(&file, hold).map_err(failed)? {
            return Ok(SeedLease { _file: file });
        }
        eprintln!(
            "{} {}",
            match hold {
                Hold::Shared => "waiting while another grader builds the seed",
                Hold::Exclusive =>
                    "waiting to rebuild, until no other grader uses or builds the seed",
            },
            seed.display()
        );
        let file = tokio::task::spawn_blocking(move || {
            match hold {
                Hold::Shared => file.lock_shared(),
                Hold::Exclusive => file.lock(),
            }
            .map(|()| file)
        })
        .await
        .map_err(|e| failed(std::io::Error::other(e)))?
        .map_err(failed)?;
        Ok(SeedLease { _file: file })
    }

    /// Takes `hold` only if nothing stands in the way at once; `None` when something does.
    pub fn try_take(seed: &Path, hold: Hold) -> std::io::Result<Option<SeedLease>> {
        let file = lock_file(seed)?;
        Ok(try_hold(&file, hold)?.then_some(SeedLease { _file: file }))
    }
}

/// The lock file beside the seed, opened (made when missing).
fn lock_file(seed: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(seed.with_extension("lock"))
}

/// Takes `hold` on `file` if nothing stands in the way at once: false when something does.
fn try_hold(file: &std::fs::File, hold: Hold) -> std::io::Result<bool> {
    let tried = match hold {
        Hold::Shared => file.try_lock_shared(),
        Hold::Exclusive => file.try_lock(),
    };
    match tried {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
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

/// What the seed was built from, in two words and the toolchain's name. The first word, the
/// base, hashes what every compiled dependency depends on: the warm-up, the kernel
/// configuration and the course crate's manifest (their contents), the toolchain, and the
/// build-slot folder the seed's kernel builds in. The
/// second hashes the course crate itself: where the checkout is, and the names, sizes and
/// modification times of the crate's files and the workspace's manifest.
pub fn stamp(root: &Path) -> String {
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    let mut base = std::collections::hash_map::DefaultHasher::new();
    for cell in &WARM_UP {
        cell.code.hash(&mut base);
    }
    rustc.hash(&mut base);
    // Where the seed's kernel sees its build folder (absolute paths in its dep-info).
    super::cache::slots_dir().hash(&mut base);
    let mut config = files(&root.join("kernel"));
    config.push(root.join("crate").join("Cargo.toml"));
    for file in config {
        file.strip_prefix(root).unwrap_or(&file).hash(&mut base);
        std::fs::read(&file).ok().hash(&mut base);
    }
    let mut course = std::collections::hash_map::DefaultHasher::new();
    root.hash(&mut course);
    // The workspace's manifest too: the crate takes its lints and package settings from it.
    let mut crate_files = files(&root.join("crate"));
    crate_files.push(root.join("Cargo.toml"));
    for file in crate_files {
        file.hash(&mut course);
        if let Ok(meta) = std::fs::metadata(&file) {
            meta.len().hash(&mut course);
            meta.modified().ok().hash(&mut course);
        }
    }
    format!(
        "{:016x} {:016x} {}\n",
        base.finish(),
        course.finish(),
        rustc.trim()
    )
}

/// Every file under `dir` but those in a `target` folder, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    walk(dir, &mut found);
    found.sort();
    found
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

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A course checkout with the files the stamp reads.
    fn course(root: &Path) {
        write(&root.join("crate/src/lib.rs"), "pub fn a() {}");
        write(
            &root.join("crate/Cargo.toml"),
            "[package]\nname = \"backprop\"\n",
        );
        write(&root.join("kernel/grade/init.evcxr"), ":offline 1\n");
    }

    #[test]
    fn the_stamp_changes_when_a_course_file_changes_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        course(dir.path());
        let first = stamp(dir.path());
        assert_eq!(stamp(dir.path()), first);
        write(&dir.path().join("crate/src/lib.rs"), "pub fn a() { }");
        let second = stamp(dir.path());
        assert_ne!(second, first);
        assert!(same_base(&first, &second), "{first} / {second}");
        assert_eq!(
            stamp_path(Path::new("/x/target/grade-seed")),
            Path::new("/x/target/grade-seed.stamp")
        );
    }

    #[test]
    fn another_checkout_of_the_same_course_keeps_the_base_and_a_new_configuration_does_not() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        course(a.path());
        course(b.path());
        let (first, other) = (stamp(a.path()), stamp(b.path()));
        assert_ne!(first, other, "the checkout's place is part of the stamp");
        assert!(same_base(&first, &other), "{first} / {other}");

        write(&b.path().join("kernel/grade/init.evcxr"), ":opt 2\n");
        assert!(!same_base(&first, &stamp(b.path())));
        course(b.path());
        write(
            &b.path().join("crate/Cargo.toml"),
            "[package]\nname = \"backprop\"\n[dependencies]\nitoa = \"1\"\n",
        );
        assert!(!same_base(&first, &stamp(b.path())));
        assert!(!same_base("", &first));
    }

    #[test]
    fn forgetting_the_course_crate_removes_its_artifacts_and_keeps_every_dependency() {
        let seed = tempfile::tempdir().unwrap();
        let debug = seed.path().join("target/x86_64-unknown-linux-gnu/debug");
        let ours = [
            "deps/libbackprop-1a2b.rlib",
            "deps/libbackprop-1a2b.rmeta",
            "deps/backprop-1a2b.d",
            ".fingerprint/backprop-1a2b/lib-backprop",
            "incremental/backprop-0xyz/s-1/query-cache.bin",
        ];
        let theirs = [
            "deps/libpolars_core-9f.rlib",
            "deps/libbackprop_extra-3c.rlib",
            ".fingerprint/polars-core-9f/lib-polars_core",
            "build/ndarray-4d/output",
        ];
        for file in ours.iter().chain(&theirs) {
            write(&debug.join(file), "x");
        }
        write(
            &seed.path().join("target/debug/deps/libbackprop-77.rlib"),
            "x",
        );
        write(&seed.path().join("src/lib.rs"), "x");

        forget_course_crate(seed.path()).unwrap();
        for file in ours {
            assert!(!debug.join(file).exists(), "{file} is left");
        }
        assert!(!debug.join(".fingerprint/backprop-1a2b").exists());
        assert!(!debug.join("incremental/backprop-0xyz").exists());
        assert!(!seed
            .path()
            .join("target/debug/deps/libbackprop-77.rlib")
            .exists());
        for file in theirs {
            assert!(debug.join(file).exists(), "{file} is gone");
        }
        assert!(seed.path().join("src/lib.rs").exists());
        forget_course_crate(&seed.path().join("nothing")).unwrap();
    }

    #[test]
    fn a_build_keeps_the_dependencies_for_the_same_base_even_after_one_failed() {
        let dir = tempfile::tempdir().unwrap();
        let seed = dir.path().join("grade-seed");
        let deps = seed.join("target/x86_64-unknown-linux-gnu/debug/deps");
        write(&deps.join("libndarray-1.rlib"), "x");
        write(&deps.join("libbackprop-2.rlib"), "x");
        std::fs::write(stamp_path(&seed), "aaaa 1111 rustc\n").unwrap();

        prepare(&seed, "aaaa 2222 rustc\n").unwrap();
        assert!(deps.join("libndarray-1.rlib").exists());
        assert!(!deps.join("libbackprop-2.rlib").exists());
        assert_eq!(built_from(&seed).unwrap(), "aaaa unfinished\n");

        // That build failed; the next one, for the same base, still keeps the dependencies.
        prepare(&seed, "aaaa 3333 rustc\n").unwrap();
        assert!(deps.join("libndarray-1.rlib").exists());

        // Another base (a new toolchain, say): everything goes.
        prepare(&seed, "bbbb 3333 rustc\n").unwrap();
        assert!(seed.is_dir());
        assert!(!deps.join("libndarray-1.rlib").exists());
        assert_eq!(built_from(&seed).unwrap(), "bbbb unfinished\n");
    }

    #[test]
    fn graders_share_the_seed_and_a_builder_has_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let seed = dir.path().join("grade-seed");
        let one = SeedLease::try_take(&seed, Hold::Shared).unwrap();
        assert!(one.is_some());
        let two = SeedLease::try_take(&seed, Hold::Shared).unwrap();
        assert!(two.is_some(), "a second grader must not wait");
        assert!(
            SeedLease::try_take(&seed, Hold::Exclusive)
                .unwrap()
                .is_none(),
            "a builder must wait for the graders"
        );
        drop((one, two));
        let builder = SeedLease::try_take(&seed, Hold::Exclusive).unwrap();
        assert!(builder.is_some());
        assert!(SeedLease::try_take(&seed, Hold::Shared).unwrap().is_none());
        drop(builder);
        assert!(SeedLease::try_take(&seed, Hold::Shared).unwrap().is_some());
    }
}
