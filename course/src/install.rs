//! Installing what the course needs: the toolchain's rust-src, evcxr_jupyter (pinned) and
//! the course kernelspecs.
//!
//! Each kernelspec is written twice: user-wide (where JupyterLab and other Jupyter tools find
//! it) and into this checkout's own data folder (`target/jupyter`), which `course run`,
//! `grade` and the benchmark search first. So a headless run always uses the kernel of the
//! checkout it runs from, whichever checkout installed the user-wide one last.

use crate::project::Project;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The evcxr_jupyter release the course is tested with.
pub const EVCXR_VERSION: &str = "0.22.0";

/// The kernelspec name of the course kernel (its own name, so evcxr never rewrites it).
pub const KERNEL_NAME: &str = "backprop";

/// The strict variant: a panic fails the cell, for tools that trust the kernel's status.
pub const STRICT_KERNEL_NAME: &str = "backprop-strict";

/// What stopped the installation.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// cargo could not be run at all.
    #[error(
        "cargo is needed to install the Rust kernel but could not be run ({0}). Install Rust \
         with rustup (https://rustup.rs) and make sure `cargo` is on PATH."
    )]
    NoCargo(std::io::Error),
    /// Neither CARGO_HOME nor HOME is set.
    #[error("cannot tell where cargo installs binaries: set CARGO_HOME or HOME")]
    NoCargoHome,
    /// `cargo install` failed.
    #[error(
        "`cargo install evcxr_jupyter --locked --version ={EVCXR_VERSION}` failed ({0}); \
         cargo's messages above say why. evcxr_jupyter {EVCXR_VERSION} needs rustc 1.95 or \
         newer (`rustup update`)."
    )]
    Cargo(String),
    /// `cargo install` said it succeeded but the program is not there.
    #[error(
        "cargo reported success but {0} does not exist; is CARGO_HOME or cargo's install \
         root set elsewhere?"
    )]
    Missing(PathBuf),
    /// The toolchain has no rust-src, and it could not be added.
    #[error(
        "the toolchain at {sysroot} has no rust-src (the standard library's source, which \
         rust-analyzer inside evcxr reads to know the type of every variable), and it could not \
         be added: {why}. With rustup: `rustup component add rust-src`; with a distribution's \
         Rust, its rust-src package"
    )]
    RustSrc {
        /// The toolchain's folder (`rustc --print sysroot`).
        sysroot: PathBuf,
        /// What failed.
        why: String,
    },
    /// Jupyter's data folder could not be found.
    #[error("cannot find Jupyter's data folder: {0}")]
    NoJupyterData(String),
    /// A kernelspec could not be written.
    #[error("cannot write the kernelspec {path}: {cause}")]
    Kernelspec {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
}

/// Makes sure evcxr_jupyter and the course kernelspecs are installed; says what it does.
pub fn ensure(project: &Project, quiet: bool) -> Result<(), InstallError> {
    let say = |line: String| {
        if !quiet {
            eprintln!("{line}");
        }
    };
    ensure_rust_src(&project.root, &say)?;
    let evcxr = ensure_evcxr(&say)?;
    for flavour in [Flavour::Course, Flavour::Strict] {
        let wanted = kernelspec_json(project, &evcxr, flavour);
        ensure_kernelspec(&user_kernels_dir()?, flavour.name(), &wanted, &say)?;
        let local = project.jupyter_data().join("kernels");
        ensure_kernelspec(&local, flavour.name(), &wanted, &|_| {})?;
    }
    Ok(())
}

/// The standard library's source in the toolchain whose folder is `sysroot`: rust-src's
/// workspace, which rust-analyzer reads.
pub fn rust_src(sysroot: &Path) -> PathBuf {
    sysroot.join("lib/rustlib/src/rust/library")
}

/// Makes sure the toolchain that `rustc` names in `dir` has rust-src, adding it with rustup
/// when it is missing (a few seconds; a toolchain from rustup comes without it). Without it
/// evcxr cannot type a cell's variables, and every lesson fails. Returns the toolchain's
/// folder.
pub fn ensure_rust_src(dir: &Path, say: &dyn Fn(String)) -> Result<PathBuf, InstallError> {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .current_dir(dir)
        .output()
        .map_err(InstallError::NoCargo)?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let present = || rust_src(&sysroot).join("Cargo.toml").is_file();
    if present() {
        say(format!("✓ rust-src is installed ({})", sysroot.display()));
        return Ok(sysroot);
    }
    say("the toolchain has no rust-src; adding it (rustup component add rust-src)".into());
    let failed = |why: String| InstallError::RustSrc {
        sysroot: sysroot.clone(),
        why,
    };
    let status = Command::new("rustup")
        .args(["component", "add", "rust-src"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| failed(format!("rustup cannot be run ({e})")))?;
    if !status.success() {
        return Err(failed(format!(
            "`rustup component add rust-src` failed ({status})"
        )));
    }
    if !present() {
        return Err(failed(format!(
            "rustup added it, but {} is not there",
            rust_src(&sysroot).display()
        )));
    }
    say(format!("✓ added rust-src to {}", sysroot.display()));
    Ok(sysroot)
}

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
}

/// The version of evcxr_jupyter that `cargo install` recorded, if any.
fn installed_version() -> Result<Option<String>, InstallError> {
    let out = Command::new("cargo")
        .args(["install", "--list"])
        .stderr(Stdio::null())
        .output()
        .map_err(InstallError::NoCargo)?;
    let list = String::from_utf8_lossy(&out.stdout);
    Ok(list.lines().find_map(|line| {
        let rest = line.strip_prefix("evcxr_jupyter v")?;
        Some(rest.trim_end_matches(':').to_string())
    }))
}

/// What to do about evcxr_jupyter.
#[derive(Debug, PartialEq, Eq)]
enum EvcxrPlan {
    /// The pinned version is installed.
    Ready,
    /// Install the pinned version, replacing the one named, if any.
    Install { replacing: Option<String> },
}

/// Decides from what `cargo install --list` recorded and whether the program exists.
fn evcxr_plan(installed: Option<&str>, program_exists: bool) -> EvcxrPlan {
    if installed == Some(EVCXR_VERSION) && program_exists {
        EvcxrPlan::Ready
    } else {
        EvcxrPlan::Install {
            replacing: installed
                .filter(|v| *v != EVCXR_VERSION)
                .map(str::to_string),
        }
    }
}

/// Installs evcxr_jupyter (pinned) unless it is there; returns its path.
pub fn ensure_evcxr(say: &dyn Fn(String)) -> Result<PathBuf, InstallError> {
    let bin = cargo_home()
        .ok_or(InstallError::NoCargoHome)?
        .join("bin")
        .join("evcxr_jupyter");
    let version = installed_version()?;
    match evcxr_plan(version.as_deref(), bin.is_file()) {
        EvcxrPlan::Ready => {
            say(format!(
                "✓ evcxr_jupyter {EVCXR_VERSION} is installed ({})",
                bin.display()
            ));
            return Ok(bin);
        }
        EvcxrPlan::Install { replacing: Some(v) } => say(format!(
            "evcxr_jupyter {v} is installed; the course is pinned to {EVCXR_VERSION}, installing that."
        )),
        EvcxrPlan::Install { replacing: None } => {
            say(format!("evcxr_jupyter is not installed; installing {EVCXR_VERSION}."))
        }
    }
    say(
        "  cargo install evcxr_jupyter --locked: this compiles it, about 7 minutes on 2 cores."
            .into(),
    );
    let started = Instant::now();
    let status = Command::new("cargo")
        .args(["install", "evcxr_jupyter", "--locked", "--version"])
        .arg(format!("={EVCXR_VERSION}"))
        .stdin(Stdio::null())
        .status()
        .map_err(InstallError::NoCargo)?;
    if !status.success() {
        return Err(InstallError::Cargo(status.to_string()));
    }
    if !bin.is_file() {
        return Err(InstallError::Missing(bin));
    }
    say(format!(
        "✓ installed evcxr_jupyter {EVCXR_VERSION} in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(bin)
}

/// The folder Jupyter looks in for user kernelspecs.
fn user_kernels_dir() -> Result<PathBuf, InstallError> {
    let data = jupyter_zmq_client::dirs::user_data_dir()
        .map_err(|e| InstallError::NoJupyterData(e.to_string()))?;
    Ok(data.join("kernels"))
}

/// Which of the two course kernels.
#[derive(Debug, Clone, Copy)]
enum Flavour {
    /// For learners and `course run`: panics are shown, variables survive them.
    Course,
    /// For nbconvert, nbclient, papermill and nbgrader: a panic fails the cell.
    Strict,
}

impl Flavour {
    fn name(self) -> &'static str {
        match self {
            Flavour::Course => KERNEL_NAME,
            Flavour::Strict => STRICT_KERNEL_NAME,
        }
    }
}

/// The kernelspec JSON for one of the course kernels.
fn kernelspec_json(project: &Project, evcxr: &Path, flavour: Flavour) -> serde_json::Value {
    let (display, config) = match flavour {
        Flavour::Course => ("Rust (backprop course)", project.kernel_config()),
        Flavour::Strict => (
            "Rust (backprop course, strict)",
            project.strict_kernel_config(),
        ),
    };
    json!({
        "argv": [
            project.kernel_launcher().to_string_lossy(),
            evcxr.to_string_lossy(),
            "--control_file",
            "{connection_file}"
        ],
        "display_name": display,
        "language": "rust",
        "interrupt_mode": "message",
        "env": { "EVCXR_CONFIG_DIR": config.to_string_lossy() },
        "metadata": { "backprop": { "evcxr_version": EVCXR_VERSION } }
    })
}

/// What to do about one kernelspec file.
#[derive(Debug, PartialEq, Eq)]
enum SpecPlan {
    /// It is what it should be.
    Keep,
    /// There is none.
    Install,
    /// There is another one; `was` is the launcher it started, when it names one.
    Update { was: Option<String> },
}

/// Decides from the kernelspec on disk (if it parses) and the one wanted.
fn kernelspec_plan(current: Option<&serde_json::Value>, wanted: &serde_json::Value) -> SpecPlan {
    match current {
        Some(c) if c == wanted => SpecPlan::Keep,
        Some(c) => SpecPlan::Update {
            was: c["argv"][0].as_str().map(str::to_string),
        },
        None => SpecPlan::Install,
    }
}

fn ensure_kernelspec(
    kernels: &Path,
    name: &str,
    wanted: &serde_json::Value,
    say: &dyn Fn(String),
) -> Result<(), InstallError> {
    let path = kernels.join(name).join("kernel.json");
    let current = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
    let plan = kernelspec_plan(current.as_ref(), wanted);
    let launcher = wanted["argv"][0].as_str().unwrap_or_default();
    match &plan {
        SpecPlan::Keep => {
            say(format!(
                "✓ kernel '{name}' is installed ({})",
                path.display()
            ));
            return Ok(());
        }
        SpecPlan::Install => say(format!("✓ installed kernel '{name}' at {}", path.display())),
        SpecPlan::Update { was: Some(was) } if was != launcher => say(format!(
            "✓ kernel '{name}' at {} now starts {launcher} (it started {was}, another checkout's)",
            path.display()
        )),
        SpecPlan::Update { .. } => say(format!("✓ updated kernel '{name}' at {}", path.display())),
    }
    let failed = |source| InstallError::Kernelspec {
        path: path.clone(),
        cause: source,
    };
    std::fs::create_dir_all(kernels.join(name)).map_err(failed)?;
    let text = serde_json::to_string_pretty(wanted).unwrap_or_default() + "\n";
    std::fs::write(&path, text).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evcxr_is_installed_only_when_the_pinned_version_is_missing() {
        assert_eq!(evcxr_plan(Some(EVCXR_VERSION), true), EvcxrPlan::Ready);
        assert_eq!(
            evcxr_plan(Some(EVCXR_VERSION), false),
            EvcxrPlan::Install { replacing: None }
        );
        assert_eq!(
            evcxr_plan(Some("0.21.1"), true),
            EvcxrPlan::Install {
                replacing: Some("0.21.1".into())
            }
        );
        assert_eq!(
            evcxr_plan(None, false),
            EvcxrPlan::Install { replacing: None }
        );
    }

    #[test]
    fn every_course_kernel_is_offline_in_the_words_evcxr_reads() {
        // evcxr 0.22 reads `:offline 1` as offline and anything else (`true` among them) as
        // online; an online kernel's `:dep` cell asks crates.io for the whole graph.
        let kernels = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kernel");
        for flavour in ["config", "strict", "grade", "system"] {
            let init = std::fs::read_to_string(kernels.join(flavour).join("init.evcxr")).unwrap();
            let offline: Vec<&str> = init.lines().filter(|l| l.starts_with(":offline")).collect();
            assert_eq!(offline, [":offline 1"], "kernel/{flavour}/init.evcxr");
        }
    }

    #[test]
    fn a_kernelspec_is_kept_installed_or_updated_naming_the_checkout_it_started() {
        let project = Project {
            root: PathBuf::from("/course/a"),
        };
        let wanted = kernelspec_json(&project, Path::new("/bin/evcxr"), Flavour::Course);
        assert_eq!(wanted["argv"][0], "/course/a/kernel/launch");
        assert_eq!(wanted["env"]["EVCXR_CONFIG_DIR"], "/course/a/kernel/config");
        assert_eq!(kernelspec_plan(Some(&wanted), &wanted), SpecPlan::Keep);
        assert_eq!(kernelspec_plan(None, &wanted), SpecPlan::Install);
        let other = kernelspec_json(
            &Project {
                root: PathBuf::from("/course/b"),
            },
            Path::new("/bin/evcxr"),
            Flavour::Course,
        );
        assert_eq!(
            kernelspec_plan(Some(&other), &wanted),
            SpecPlan::Update {
                was: Some("/course/b/kernel/launch".into())
            }
        );
    }

    #[test]
    fn writing_a_kernelspec_twice_leaves_it_as_wanted() {
        let dir = tempfile::tempdir().unwrap();
        let project = Project {
            root: PathBuf::from("/course/a"),
        };
        let wanted = kernelspec_json(&project, Path::new("/bin/evcxr"), Flavour::Strict);
        ensure_kernelspec(dir.path(), STRICT_KERNEL_NAME, &wanted, &|_| {}).unwrap();
        ensure_kernelspec(dir.path(), STRICT_KERNEL_NAME, &wanted, &|_| {}).unwrap();
        let path = dir.path().join(STRICT_KERNEL_NAME).join("kernel.json");
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(written, wanted);
        assert_eq!(
            written["env"]["EVCXR_CONFIG_DIR"],
            "/course/a/kernel/strict"
        );
    }
}
