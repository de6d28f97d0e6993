//! The crates a sealed kernel reads offline: every package of the course crate's graph, for
//! every platform, downloaded into cargo's registry.
//!
//! A sealed kernel has no network. evcxr checks each `:dep` line with `cargo metadata`, which
//! reads the manifest of every package the course crate could depend on, on any platform
//! (WebAssembly's `bumpalo`, Windows' `windows-sys`), while a machine's own builds download
//! only its platform's. So on a machine that had only built the course, every sealed `:dep`
//! failed (`failed to download bumpalo … --offline was specified`). The grader checks before
//! it grades, and downloads what is missing (`cargo fetch`, outside the sandbox). It does the
//! same for the standard library's own workspace, which rust-analyzer reads offline there
//! too (`standard_library`), and copies cargo's index for the sealed kernels to read
//! ([`snapshot_index`]), having first downloaded the newest versions that index knows
//! ([`fetch_newest`]), so that what sealed kernels resolve offline never changes after.

use std::path::Path;
use std::process::{Command, Stdio};

/// What is missing, in cargo's words.
#[derive(Debug, thiserror::Error)]
#[error(
    "the crates the course's kernels need (the course crate's and the standard library's) are \
     not all downloaded, and downloading them failed (sealed kernels have no network): {0}"
)]
pub struct CratesError(pub String);

/// Makes sure cargo's registry (`$CARGO_HOME`, else `~/.cargo`) holds every package of the
/// course crate's graph in `root` and of the standard library's workspace: checks offline (a
/// fraction of a second each), and when that fails, downloads them and checks again.
pub fn ensure(root: &Path) -> Result<(), CratesError> {
    ensure_in(root, None)
}

/// [`ensure`] with `cargo_home` instead of the user's.
fn ensure_in(root: &Path, cargo_home: Option<&Path>) -> Result<(), CratesError> {
    let scratch = scratch(root).map_err(CratesError)?;
    let course = |args: &[&str]| cargo(scratch.path(), cargo_home, &[], args);
    check_or_fetch("the course crate", course, &CHECK, &["fetch"])?;
    ensure_standard_library(cargo_home)
}

/// Makes sure the cargo home `cargo_home` (else the user's) holds every package of the
/// standard library's workspace for the host, which rust-analyzer reads offline
/// ([`standard_library`]): checks offline, and when that fails, downloads them and checks
/// again. Nothing to do without rust-src.
pub fn ensure_standard_library(cargo_home: Option<&Path>) -> Result<(), CratesError> {
    let Some((library, host)) = standard_library() else {
        return Ok(());
    };
    let manifest = ["--locked", "--manifest-path", &library];
    let check = [&CHECK[..], &["--filter-platform", &host], &manifest].concat();
    let fetch = [&["fetch", "--target", &host][..], &manifest].concat();
    // Outside any project, so that no project's cargo configuration applies.
    let outside = tempfile::tempdir().map_err(|e| CratesError(e.to_string()))?;
    let std = |args: &[&str]| cargo(outside.path(), cargo_home, &LIBRARY_ENV, args);
    check_or_fetch("the standard library's workspace", std, &check, &fetch)
}

/// Downloads the newest versions of the course crate's graph that cargo may use (online; the
/// index brought up to date as it resolves). An offline resolution afterwards takes the newest
/// version it has, so it then resolves as an online kernel does now. `Err` says why not
/// (offline, say); what is downloaded stays as it was.
pub fn fetch_newest(root: &Path) -> Result<(), CratesError> {
    fetch_newest_in(root, None)
}

/// [`fetch_newest`], unless the stamp file `stamp` says it was done for the course crate's
/// manifest as it is now; writes the stamp once done. True when it fetched.
///
/// The course's kernels resolve offline, so they take the newest version of each crate that
/// happens to be downloaded. On a fresh machine that was evcxr's own lock file's (`either`
/// 1.15), until building the workspace downloaded its newer ones (1.19): the next kernel
/// resolved anew and compiled polars again (401 s for lesson 4, 2026-12-03). With the newest
/// downloaded first, what is downloaded later is never newer, and the graph stays put.
pub fn fetch_newest_once(root: &Path, stamp: &Path) -> Result<bool, CratesError> {
    let manifest = std::fs::read_to_string(root.join("crate").join("Cargo.toml"))
        .map_err(|e| CratesError(format!("the course crate's Cargo.toml: {e}")))?;
    if std::fs::read_to_string(stamp).is_ok_and(|done| done == manifest) {
        return Ok(false);
    }
    eprintln!("  downloading the newest versions of the course crate's dependencies (once)");
    fetch_newest(root)?;
    let written = stamp
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(stamp, &manifest));
    written.map_err(|e| CratesError(format!("{}: {e}", stamp.display())))?;
    Ok(true)
}

/// [`fetch_newest`] with `cargo_home` instead of the user's.
fn fetch_newest_in(root: &Path, cargo_home: Option<&Path>) -> Result<(), CratesError> {
    let scratch = scratch(root).map_err(CratesError)?;
    cargo(scratch.path(), cargo_home, &[], &["fetch"]).map_err(CratesError)
}

/// Runs the offline `check`; when it fails, downloads with `fetch` and checks again.
fn check_or_fetch(
    what: &str,
    cargo: impl Fn(&[&str]) -> Result<(), String>,
    check: &[&str],
    fetch: &[&str],
) -> Result<(), CratesError> {
    if cargo(check).is_ok() {
        return Ok(());
    }
    eprintln!("  downloading the crates {what} needs (cargo fetch)");
    cargo(fetch).map_err(CratesError)?;
    cargo(check).map_err(CratesError)
}

/// The standard library's own workspace (rust-src's `library/Cargo.toml`) and the host.
/// rust-analyzer inside evcxr learns the standard library from it with `cargo metadata` for
/// the host; in a sealed kernel that runs offline, and when one of its packages was never
/// downloaded it fails, and rust-analyzer types nothing (`Couldn't automatically determine
/// type of variable`: every sealed kernel on a fresh machine, until an online kernel had run).
fn standard_library() -> Option<(String, String)> {
    let rustc = |args: &[&str]| {
        let out = Command::new("rustc").args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let sysroot = rustc(&["--print", "sysroot"])?;
    let library = crate::install::rust_src(Path::new(sysroot.trim())).join("Cargo.toml");
    let host = rustc(&["-vV"])?
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))?;
    library
        .is_file()
        .then(|| (library.to_string_lossy().into_owned(), host))
}

/// What rust-analyzer sets to read the standard library's workspace, which uses a nightly
/// cargo feature.
const LIBRARY_ENV: [(&str, &str); 1] =
    [("__CARGO_TEST_CHANNEL_OVERRIDE_DO_NOT_USE_THIS", "nightly")];

/// Copies the registry index of the cargo home `cargo_home` to `into`, replacing what was
/// there, while holding cargo's package-cache lock, under which cargo writes the index: so no
/// file in the copy is half written. The copy's folder exists afterwards, empty when there is
/// no index.
pub fn snapshot_index(cargo_home: &Path, into: &Path) -> std::io::Result<()> {
    let from = cargo_home.join("registry").join("index");
    let lock = cargo_home.join(".package-cache");
    let _held = if lock.is_file() {
        let file = std::fs::OpenOptions::new().write(true).open(lock)?;
        file.lock()?;
        Some(file)
    } else {
        None
    };
    let partial = into.with_extension("partial");
    for old in [into, partial.as_path()] {
        if old.exists() {
            std::fs::remove_dir_all(old)?;
        }
    }
    if from.is_dir() {
        let copied = Command::new("cp")
            .arg("-a")
            .arg(&from)
            .arg(&partial)
            .stdin(Stdio::null())
            .status()?;
        if !copied.success() {
            return Err(std::io::Error::other(format!(
                "cp -a {} {} failed",
                from.display(),
                partial.display()
            )));
        }
    } else {
        std::fs::create_dir_all(&partial)?;
    }
    std::fs::rename(&partial, into)
}

/// The offline check: cargo reads every package of the graph, as evcxr's `:dep` check does.
const CHECK: [&str; 3] = ["metadata", "--offline", "--format-version=1"];

/// A scratch crate that depends on the course crate in `root` with every feature, resolved
/// as evcxr resolves it (its edition; no lock file, so the newest versions cargo may use).
fn scratch(root: &Path) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("Cargo.toml"), manifest(root))
        .and_then(|()| std::fs::write(dir.path().join("lib.rs"), ""))
        .map_err(|e| e.to_string())?;
    Ok(dir)
}

/// Runs cargo with `args` (and `env`) in the scratch crate `dir`. Returns cargo's error on
/// failure.
fn cargo(
    dir: &Path,
    cargo_home: Option<&Path>,
    env: &[(&str, &str)],
    args: &[&str],
) -> Result<(), String> {
    let mut command = Command::new("cargo");
    if let Some(home) = cargo_home {
        command.env("CARGO_HOME", home);
    }
    command.envs(env.iter().copied());
    let out = command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let said: Vec<&str> = err
        .lines()
        .skip_while(|l| !l.starts_with("error"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(4)
        .collect();
    Err(if said.is_empty() {
        format!("cargo {}: {}", args[0], out.status)
    } else {
        said.join(" ")
    })
}

/// The scratch crate's manifest: the course crate in `root`, with `data`.
fn manifest(root: &Path) -> String {
    format!(
        "[package]\nname = \"backprop-crates\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
         [lib]\npath = \"lib.rs\"\n\n\
         [dependencies]\nbackprop = {{ path = {:?}, features = [\"data\"] }}\n\n[workspace]\n",
        root.join("crate").to_string_lossy()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn the_newest_crates_are_fetched_again_only_when_the_course_crates_manifest_changed() {
        let root = tempfile::tempdir().unwrap();
        let stamp = root.path().join("target/jupyter/newest-crates");
        // A manifest cargo cannot read: fetching fails at once, with no network.
        let manifest = "[package]\nname = \"backprop\"\nbroken =\n";
        write(&root.path().join("crate/Cargo.toml"), manifest);
        let failed = fetch_newest_once(root.path(), &stamp).unwrap_err();
        assert!(!failed.0.is_empty());
        assert!(!stamp.exists(), "a failed fetch leaves no stamp");
        // Stamped for this manifest: nothing to do, cargo not asked.
        write(&stamp, manifest);
        assert!(!fetch_newest_once(root.path(), &stamp).unwrap());
        // The manifest changed since: fetched again (and failing, as cargo cannot read it).
        write(
            &root.path().join("crate/Cargo.toml"),
            &format!("{manifest}# more\n"),
        );
        assert!(fetch_newest_once(root.path(), &stamp).is_err());
        assert_eq!(std::fs::read_to_string(&stamp).unwrap(), manifest);
    }

    #[test]
    fn the_standard_librarys_workspace_is_found_for_this_toolchain_and_host() {
        // rust-src is part of the toolchain the course needs (rust-analyzer reads it): set-up
        // adds it.
        crate::install::ensure_rust_src(workspace(), &|_| {}).unwrap();
        let (library, host) = standard_library().expect("rust-src and rustc -vV");
        assert!(
            library.ends_with("lib/rustlib/src/rust/library/Cargo.toml"),
            "{library}"
        );
        assert!(Path::new(&library).is_file());
        let out = Command::new("rustc").arg("-vV").output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(said.contains(&format!("\nhost: {host}\n")), "{said}");
    }

    #[test]
    fn the_index_snapshot_is_a_whole_copy_that_replaces_the_last_one() {
        let home = tempfile::tempdir().unwrap();
        let index = home.path().join("registry").join("index");
        let entry = index.join("cache").join("js").join("-s").join("js-sys");
        write(&entry, "js-sys 0.3.107");
        write(&home.path().join(".package-cache"), "");
        let into = home.path().join("grade-seed.index");
        write(&into.join("stale"), "from the last seed");
        snapshot_index(home.path(), &into).unwrap();
        let copied = into.join("cache").join("js").join("-s").join("js-sys");
        assert_eq!(std::fs::read_to_string(copied).unwrap(), "js-sys 0.3.107");
        assert!(!into.join("stale").exists());
        assert!(!into.with_extension("partial").exists());
        // The index changes later: the snapshot does not.
        write(&entry, "js-sys 0.3.108");
        let copied = into.join("cache").join("js").join("-s").join("js-sys");
        assert_eq!(std::fs::read_to_string(copied).unwrap(), "js-sys 0.3.107");
        // No index at all: an empty snapshot.
        std::fs::remove_dir_all(&index).unwrap();
        snapshot_index(home.path(), &into).unwrap();
        assert_eq!(std::fs::read_dir(&into).unwrap().count(), 0);
    }

    #[test]
    fn a_course_crate_without_the_data_feature_is_named_in_cargos_words() {
        let root = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        write(&root.path().join("crate/src/lib.rs"), "");
        let manifest = |features: &str| {
            format!(
                "[package]\nname = \"backprop\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
                 [features]\n{features}"
            )
        };
        write(
            &root.path().join("crate/Cargo.toml"),
            &manifest("data = []\n"),
        );
        // No dependency: nothing to download, the check passes offline.
        assert!(ensure_in(root.path(), Some(home.path())).is_ok());

        write(&root.path().join("crate/Cargo.toml"), &manifest(""));
        let err = ensure_in(root.path(), Some(home.path())).unwrap_err();
        assert!(err.0.contains("`data`"), "{err}");
    }

    /// The workspace this crate is part of: its root holds the course crate.
    fn workspace() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
    }

    /// The packages a resolution of the scratch crate for `root` picks, as `name version`
    /// lines, sorted; offline when `offline`.
    fn resolved(root: &Path, home: &Path, offline: bool) -> Vec<String> {
        let scratch = scratch(root).unwrap();
        let args: &[&str] = if offline {
            &["generate-lockfile", "--offline"]
        } else {
            &["generate-lockfile"]
        };
        cargo(scratch.path(), Some(home), &[], args).unwrap();
        let lock = std::fs::read_to_string(scratch.path().join("Cargo.lock")).unwrap();
        let mut picked: Vec<String> = lock
            .split("[[package]]")
            .filter_map(|p| {
                let field = |key: &str| {
                    p.lines()
                        .find_map(|l| l.strip_prefix(key)?.strip_prefix(" = "))
                        .map(|v| v.trim_matches('"').to_string())
                };
                Some(format!("{} {}", field("name")?, field("version")?))
            })
            .collect();
        picked.sort();
        picked
    }

    #[test]
    #[cfg_attr(
        not(feature = "kernel-tests"),
        ignore = "downloads every crate into an empty cargo home: the slow tier"
    )]
    fn after_fetching_the_newest_an_offline_resolution_picks_what_an_online_one_picks() {
        let (home, root) = (tempfile::tempdir().unwrap(), workspace());
        // First only the versions of the workspace's lock file, as building it downloads them.
        let pinned = scratch(root).unwrap();
        std::fs::copy(root.join("Cargo.lock"), pinned.path().join("Cargo.lock")).unwrap();
        cargo(pinned.path(), Some(home.path()), &[], &["fetch"]).unwrap();
        let online = resolved(root, home.path(), false);
        let before = resolved(root, home.path(), true);
        fetch_newest_in(root, Some(home.path())).unwrap();
        let after = resolved(root, home.path(), true);
        assert!(
            after.iter().any(|p| p.starts_with("polars-core ")),
            "{after:?}"
        );
        assert_eq!(after, online);
        // Whether the lock file was behind the registry (it was when written: hashbrown
        // 0.17.1 against 0.17.2) changes what this test shows, not what it asserts.
        let behind: Vec<&String> = online.iter().filter(|p| !before.contains(p)).collect();
        eprintln!("newer than the workspace's lock file: {behind:?}");
    }

    #[test]
    #[cfg_attr(
        not(feature = "kernel-tests"),
        ignore = "downloads every crate into an empty cargo home: the slow tier"
    )]
    fn after_ensuring_evcxrs_check_of_each_dep_finds_every_package_offline() {
        let (home, root) = (tempfile::tempdir().unwrap(), workspace());
        // Set-up adds rust-src first, whose workspace is fetched too.
        crate::install::ensure_rust_src(root, &|_| {}).unwrap();
        let dummy = tempfile::tempdir().unwrap();
        write(&dummy.path().join("lib.rs"), "");
        // What evcxr runs, offline in the sandbox, for each of the lessons' `:dep` lines.
        let metadata = |features: &str| {
            write(
                &dummy.path().join("Cargo.toml"),
                &format!(
                    "[package]\nname = \"evcxr_dummy_validate_dep\"\nversion = \"0.0.1\"\n\
                     edition = \"2024\"\n[lib]\npath = \"lib.rs\"\n[dependencies]\n\
                     backprop = {{ path = {:?}{features} }}\n",
                    root.join("crate").to_string_lossy()
                ),
            );
            let _ = std::fs::remove_file(dummy.path().join("Cargo.lock"));
            Command::new("cargo")
                .args(["metadata", "--offline", "--format-version=1"])
                .current_dir(dummy.path())
                .env("CARGO_HOME", home.path())
                .output()
                .unwrap()
        };
        assert!(
            !metadata("").status.success(),
            "an empty cargo home has no crate"
        );
        ensure_in(root, Some(home.path())).unwrap();
        for features in ["", ", features = [\"data\"]"] {
            let after = metadata(features);
            let err = String::from_utf8_lossy(&after.stderr);
            assert!(after.status.success(), "{features}: {err}");
        }
        // Checked again, offline: nothing more to download.
        let scratch = scratch(root).unwrap();
        assert_eq!(
            cargo(scratch.path(), Some(home.path()), &[], &CHECK),
            Ok(())
        );
        // What rust-analyzer runs, offline in the sandbox, to learn the standard library.
        let (library, host) = standard_library().unwrap();
        let args = [
            "metadata",
            "--offline",
            "--format-version=1",
            "--locked",
            "--filter-platform",
            &host,
            "--manifest-path",
            &library,
        ];
        let std = cargo(scratch.path(), Some(home.path()), &LIBRARY_ENV, &args);
        assert_eq!(std, Ok(()));
    }
}
