//! The course installed for every user of a machine (`course setup --system`): a JupyterHub
//! server, or the single-user image of Zero to JupyterHub.
//!
//! Everything goes under one prefix that every user can read and nobody but root can write:
//!
//! | folder | what |
//! |---|---|
//! | `bin/` | evcxr_jupyter |
//! | `rust/` | the toolchain (a copy, when the one that runs setup is private to its user) |
//! | `course/` | the course crate, data, kernel configuration and lessons |
//! | `cargo/` | cargo's home: the registry with every crate the course needs, offline |
//! | `seed/` | a build folder with the course crate and all its dependencies compiled |
//!
//! A learner's kernel builds in a folder of its own (`kernel/launch`), made from the seed with
//! each compiled library a link to the seed's file: the first lesson compiles nothing but its
//! cells, and the libraries exist once however many learners there are.

use crate::exec::{crates, seed, ExecOptions};
use crate::install::{self, InstallError};
use crate::jupyter::{Kernel, KernelOptions};
use crate::project::{Project, KERNEL_PARTS};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What `course setup --system` puts where.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Everything the course needs, readable by all (default `/opt/backprop-course`).
    pub prefix: PathBuf,
    /// The Jupyter kernels folder the course kernel goes into (default
    /// `/usr/local/share/jupyter/kernels`, which every Jupyter on the machine searches).
    pub kernels: PathBuf,
}

/// What stopped a system-wide installation.
#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    /// evcxr_jupyter could not be installed.
    #[error(transparent)]
    Install(#[from] InstallError),
    /// A file or folder could not be written.
    #[error("cannot write {path}: {cause}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// A program the installation runs failed.
    #[error("`{command}` failed: {why}")]
    Command {
        /// The command line.
        command: String,
        /// Its status or error, and the end of what it printed.
        why: String,
    },
    /// The prefix lies inside a cargo project.
    #[error(
        "the prefix {prefix} is inside the cargo project of {manifest}: cargo would take the \
         kernels' build folders there for part of it; choose a prefix outside any project"
    )]
    InsideProject {
        /// The prefix.
        prefix: PathBuf,
        /// The manifest above it.
        manifest: PathBuf,
    },
    /// The seed could not be built.
    #[error("building the shared seed in {path}: {why}")]
    Seed {
        /// The seed folder.
        path: PathBuf,
        /// Why.
        why: String,
    },
}

type Result<T> = std::result::Result<T, SystemError>;

impl Layout {
    /// The copy of the course (crate, data, kernel, notebooks).
    pub fn course(&self) -> PathBuf {
        self.prefix.join("course")
    }

    /// cargo's home for every learner's kernel.
    pub fn cargo_home(&self) -> PathBuf {
        self.prefix.join("cargo")
    }

    /// The compiled build folder learners' kernels start from.
    pub fn seed(&self) -> PathBuf {
        self.prefix.join("seed")
    }

    /// What the seed was built from (see [`seed::stamp`]).
    pub fn seed_stamp(&self) -> PathBuf {
        self.prefix.join("seed.stamp")
    }

    /// Where the toolchain is copied when the one running setup is private to its user.
    fn toolchain(&self) -> PathBuf {
        self.prefix.join("rust")
    }
}

/// Installs the course under `layout.prefix` and its kernel into `layout.kernels`, building
/// the seed (minutes the first time: every dependency, polars included); says what it does.
/// Running it again changes only what changed.
pub async fn install(project: &Project, layout: &Layout) -> Result<()> {
    if let Some(manifest) = enclosing_manifest(&layout.prefix) {
        return Err(SystemError::InsideProject {
            prefix: layout.prefix.clone(),
            manifest,
        });
    }
    let evcxr = install::ensure_evcxr(&|line| eprintln!("{line}"))?;
    let bin = layout.prefix.join("bin");
    create_dir(&bin)?;
    copy(&evcxr, &bin.join("evcxr_jupyter"))?;
    let sysroot = toolchain(project, layout)?;
    let host = host_triple()?;
    copy_course(project, layout)?;
    fetch_crates(layout, &sysroot)?;
    let spec = kernelspec(layout, &sysroot, &host, None);
    write_kernelspec(&layout.kernels, &spec)?;
    eprintln!(
        "✓ kernel '{}' for every user at {}",
        install::KERNEL_NAME,
        layout.kernels.join(install::KERNEL_NAME).display()
    );
    build_seed(layout, &sysroot, &host).await?;
    run(Command::new("chmod")
        .arg("-R")
        .arg("a+rX,go-w")
        .arg(&layout.prefix))?;
    eprintln!(
        "✓ the course is installed for every user under {}",
        layout.prefix.display()
    );
    Ok(())
}

/// The first `Cargo.toml` in a folder above `dir`, if any.
fn enclosing_manifest(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join("Cargo.toml"))
        .find(|manifest| manifest.is_file())
}

/// The toolchain the kernels use: the one running setup when everyone can reach it, else a
/// copy under the prefix (rustup keeps it in root's home, which learners cannot enter).
fn toolchain(project: &Project, layout: &Layout) -> Result<PathBuf> {
    let sysroot = install::ensure_rust_src(&project.root, &|line| eprintln!("{line}"))?;
    if everyone_can_enter(&sysroot) {
        eprintln!(
            "✓ toolchain: {} (readable by every user)",
            sysroot.display()
        );
        return Ok(sysroot);
    }
    let copy_to = layout.toolchain();
    let version = output(Command::new("rustc").arg("--version"))?;
    let stamp = copy_to.join("version");
    // A copy made before rust-src was added lacks it: copied again.
    let whole = install::rust_src(&copy_to).is_dir();
    if whole && std::fs::read_to_string(&stamp).is_ok_and(|s| s == version) {
        eprintln!("✓ toolchain: {} ({})", copy_to.display(), version.trim());
        return Ok(copy_to);
    }
    remove(&copy_to)?;
    create_dir(&copy_to)?;
    for part in ["bin", "lib", "libexec"] {
        if sysroot.join(part).exists() {
            run(Command::new("cp")
                .arg("-a")
                .arg(sysroot.join(part))
                .arg(&copy_to))?;
        }
    }
    write(&stamp, &version)?;
    eprintln!(
        "✓ toolchain copied from {} to {} ({})",
        sysroot.display(),
        copy_to.display(),
        version.trim()
    );
    Ok(copy_to)
}

/// The target triple rustc compiles for by default (`x86_64-unknown-linux-gnu`).
fn host_triple() -> Result<String> {
    let out = output(Command::new("rustc").arg("-vV"))?;
    Ok(out
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap_or("x86_64-unknown-linux-gnu")
        .to_string())
}

/// Whether every user may enter `dir` and each folder above it.
fn everyone_can_enter(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    dir.ancestors()
        .all(|d| std::fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o005 == 0o005))
}

/// The course files the kernels read ([`KERNEL_PARTS`], without `crate/target`), the lock
/// file and the lessons, copied with their times, so an unchanged course keeps its seed.
fn copy_course(project: &Project, layout: &Layout) -> Result<()> {
    let staged = layout.prefix.join("course.new");
    remove(&staged)?;
    for part in KERNEL_PARTS.iter().chain(&["Cargo.lock", "notebooks"]) {
        let (from, to) = (project.root.join(part), staged.join(part));
        create_dir(to.parent().unwrap_or(&staged))?;
        if *part != "crate" {
            run(Command::new("cp").arg("-a").arg(&from).arg(&to))?;
            continue;
        }
        create_dir(&to)?;
        let entries = std::fs::read_dir(&from).map_err(|cause| SystemError::Write {
            path: from.clone(),
            cause,
        })?;
        for entry in entries.flatten().filter(|e| e.file_name() != "target") {
            run(Command::new("cp").arg("-a").arg(entry.path()).arg(&to))?;
        }
    }
    remove(&layout.course())?;
    std::fs::rename(&staged, layout.course()).map_err(|cause| SystemError::Write {
        path: layout.course(),
        cause,
    })?;
    eprintln!("✓ course files in {}", layout.course().display());
    Ok(())
}

/// Downloads every crate the course crate needs (at the versions of the course's lock file),
/// and those of the standard library's workspace, into the shared cargo home, where the
/// kernels find them offline.
fn fetch_crates(layout: &Layout, sysroot: &Path) -> Result<()> {
    let dir = layout.prefix.join("fetch");
    create_dir(&dir.join("src"))?;
    let crate_dir = layout.course().join("crate");
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nbackprop = {{ path = {:?}, features = [\"data\"] }}\n\n[workspace]\n",
            crate_dir.to_string_lossy()
        ),
    )?;
    write(&dir.join("src").join("lib.rs"), "")?;
    copy(&layout.course().join("Cargo.lock"), &dir.join("Cargo.lock"))?;
    let started = Instant::now();
    run(Command::new(sysroot.join("bin").join("cargo"))
        .arg("fetch")
        .current_dir(&dir)
        .env("CARGO_HOME", layout.cargo_home()))?;
    remove(&dir)?;
    // rust-analyzer in the (offline) kernels reads the standard library's workspace too.
    crates::ensure_standard_library(Some(&layout.cargo_home())).map_err(|e| {
        SystemError::Command {
            command: "cargo fetch (the standard library's workspace)".into(),
            why: e.to_string(),
        }
    })?;
    eprintln!(
        "✓ crates in {} ({:.0} s)",
        layout.cargo_home().display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The course kernel for every user; `slots` replaces the per-user build folders (setup
/// builds the seed in one it names, without a seed to start from).
fn kernelspec(
    layout: &Layout,
    sysroot: &Path,
    host: &str,
    slots: Option<&Path>,
) -> serde_json::Value {
    let course = layout.course();
    let path = format!(
        "{}:/usr/local/bin:/usr/bin:/bin",
        sysroot.join("bin").display()
    );
    // A cell's library finds the standard library through a relative rpath that rustc
    // writes with one `..` too many (kernel/launch); it resolves only when the build folder
    // and the toolchain share nothing but `/`. The loader's path finds it wherever they are.
    let std_libs = sysroot.join("lib").join("rustlib").join(host).join("lib");
    let mut env = json!({
        "EVCXR_CONFIG_DIR": course.join("kernel").join("system"),
        "CARGO_HOME": layout.cargo_home(),
        "PATH": path,
        "LD_LIBRARY_PATH": std_libs,
    });
    match slots {
        Some(slots) => env["BACKPROP_KERNEL_SLOTS"] = json!(slots),
        None => env["BACKPROP_SEED"] = json!(layout.seed()),
    }
    json!({
        "argv": [
            course.join("kernel").join("launch"),
            layout.prefix.join("bin").join("evcxr_jupyter"),
            "--control_file",
            "{connection_file}"
        ],
        "display_name": "Rust (backprop course)",
        "language": "rust",
        "interrupt_mode": "message",
        "env": env,
        "metadata": { "backprop": { "evcxr_version": install::EVCXR_VERSION } }
    })
}

fn write_kernelspec(kernels: &Path, spec: &serde_json::Value) -> Result<()> {
    let dir = kernels.join(install::KERNEL_NAME);
    create_dir(&dir)?;
    write(
        &dir.join("kernel.json"),
        &(serde_json::to_string_pretty(spec).unwrap_or_default() + "\n"),
    )
}

/// Builds the seed from the course as it is now, unless it already was: the warm-up cells
/// of the grader's seed, on the learners' own kernel, in a folder that is then moved into
/// place (cargo finds a moved build folder fresh).
async fn build_seed(layout: &Layout, sysroot: &Path, host: &str) -> Result<()> {
    let stamp = seed::stamp(&layout.course());
    let seed_dir = layout.seed();
    if std::fs::read_to_string(layout.seed_stamp()).is_ok_and(|s| s == stamp) && seed_dir.is_dir() {
        eprintln!("✓ seed {} is up to date", seed_dir.display());
        return Ok(());
    }
    let failed = |why: String| SystemError::Seed {
        path: seed_dir.clone(),
        why,
    };
    eprintln!(
        "building the seed in {} (the first time compiles every dependency, polars \
         included: about 7 minutes on 2 cores; after a change to the course crate, that crate)",
        seed_dir.display()
    );
    let started = Instant::now();
    let work = layout.prefix.join("seed-build");
    remove(&work)?;
    let before = std::fs::read_to_string(layout.seed_stamp()).unwrap_or_default();
    if seed::same_base(&before, &stamp) && seed_dir.is_dir() {
        // Only the course crate changed: start from a copy of the seed without it.
        let slot = work.join("slots").join("1");
        create_dir(&work.join("slots"))?;
        run(Command::new("cp").arg("-a").arg(&seed_dir).arg(&slot))?;
        seed::forget_course_crate(&slot).map_err(|e| failed(e.to_string()))?;
        eprintln!("  from the last seed: only the course crate is compiled again");
    }
    let data = work.join("jupyter");
    write_kernelspec(
        &data.join("kernels"),
        &kernelspec(layout, sysroot, host, Some(&work.join("slots"))),
    )?;
    let opts = ExecOptions {
        kernel: KernelOptions {
            data_dir: Some(data),
            ..KernelOptions::named(install::KERNEL_NAME)
        },
        timeout: Duration::from_secs(300),
        dep_timeout: Duration::from_secs(3600),
        keep_going: false,
        verbose: false,
        seal_checks: false,
    };
    let cwd = layout.course().join("notebooks");
    let kernel = Kernel::start(&opts.kernel, &cwd, &work.join("kernel.log"))
        .await
        .map_err(|e| failed(format!("{e:#}")))?;
    seed::warm_up_kernel(kernel, &opts)
        .await
        .map_err(|e| failed(format!("{e:#}")))?;
    let _ = std::fs::remove_file(layout.seed_stamp());
    remove(&seed_dir)?;
    std::fs::rename(work.join("slots").join("1"), &seed_dir).map_err(|cause| {
        SystemError::Write {
            path: seed_dir.clone(),
            cause,
        }
    })?;
    remove(&work)?;
    write(&layout.seed_stamp(), &stamp)?;
    eprintln!("✓ seed built in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn run(command: &mut Command) -> Result<()> {
    output(command).map(drop)
}

fn output(command: &mut Command) -> Result<String> {
    let line = format!("{command:?}").replace('"', "");
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| SystemError::Command {
            command: line.clone(),
            why: e.to_string(),
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(12).collect();
        return Err(SystemError::Command {
            command: line,
            why: format!(
                "{}\n{}",
                out.status,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn create_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|cause| SystemError::Write {
        path: path.to_path_buf(),
        cause,
    })
}

fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(SystemError::Write {
            path: path.to_path_buf(),
            cause: e,
        }),
        _ => Ok(()),
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|cause| SystemError::Write {
        path: path.to_path_buf(),
        cause,
    })
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    run(Command::new("cp").arg("-p").arg(from).arg(to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_inside_a_cargo_project_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\n").unwrap();
        let prefix = dir.path().join("target").join("hub");
        assert_eq!(
            enclosing_manifest(&prefix),
            Some(dir.path().join("Cargo.toml"))
        );
        let layout = Layout {
            prefix: prefix.clone(),
            kernels: dir.path().join("kernels"),
        };
        let project = Project {
            root: dir.path().to_path_buf(),
        };
        let err = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(install(&project, &layout))
            .unwrap_err();
        assert!(matches!(err, SystemError::InsideProject { .. }), "{err}");
        assert!(err.to_string().contains("choose a prefix outside"), "{err}");
        assert!(!prefix.exists());
    }

    #[test]
    fn the_learners_kernel_starts_from_the_seed_and_setups_kernel_builds_it() {
        let layout = Layout {
            prefix: PathBuf::from("/opt/bp"),
            kernels: PathBuf::from("/k"),
        };
        let rust = Path::new("/opt/bp/rust");
        let host = "x86_64-unknown-linux-gnu";
        let learners = kernelspec(&layout, rust, host, None);
        assert_eq!(learners["argv"][0], "/opt/bp/course/kernel/launch");
        assert_eq!(learners["argv"][1], "/opt/bp/bin/evcxr_jupyter");
        assert_eq!(learners["env"]["BACKPROP_SEED"], "/opt/bp/seed");
        assert_eq!(learners["env"]["CARGO_HOME"], "/opt/bp/cargo");
        assert_eq!(
            learners["env"]["EVCXR_CONFIG_DIR"],
            "/opt/bp/course/kernel/system"
        );
        assert!(learners["env"]["PATH"]
            .as_str()
            .unwrap()
            .starts_with("/opt/bp/rust/bin:"));
        assert!(learners["env"].get("BACKPROP_KERNEL_SLOTS").is_none());
        assert_eq!(
            learners["env"]["LD_LIBRARY_PATH"],
            "/opt/bp/rust/lib/rustlib/x86_64-unknown-linux-gnu/lib"
        );
        let builder = kernelspec(
            &layout,
            rust,
            host,
            Some(Path::new("/opt/bp/seed-build/slots")),
        );
        assert!(builder["env"].get("BACKPROP_SEED").is_none());
        assert_eq!(
            builder["env"]["BACKPROP_KERNEL_SLOTS"],
            "/opt/bp/seed-build/slots"
        );
        assert_eq!(builder["argv"], learners["argv"]);
    }
}
