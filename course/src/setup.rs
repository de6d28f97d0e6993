//! Installing what the course needs: evcxr_jupyter (pinned) and the course kernelspec.

use crate::project::Project;
use anyhow::{bail, Context, Result};
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

/// Makes sure evcxr_jupyter and the course kernelspec are installed; says what it does.
pub fn ensure(project: &Project, quiet: bool) -> Result<()> {
    let say = |line: String| {
        if !quiet {
            eprintln!("{line}");
        }
    };
    let evcxr = ensure_evcxr(&say)?;
    ensure_kernelspec(project, &evcxr, Flavour::Course, &say)?;
    ensure_kernelspec(project, &evcxr, Flavour::Strict, &say)?;
    Ok(())
}

fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
}

/// The version of evcxr_jupyter that `cargo install` recorded, if any.
fn installed_version() -> Result<Option<String>> {
    let out = Command::new("cargo")
        .args(["install", "--list"])
        .stderr(Stdio::null())
        .output()
        .map_err(|e| {
            anyhow::anyhow!(
                "cargo is needed to install the Rust kernel but could not be run ({e}). \
                 Install Rust with rustup (https://rustup.rs) and make sure `cargo` is on PATH."
            )
        })?;
    let list = String::from_utf8_lossy(&out.stdout);
    Ok(list.lines().find_map(|line| {
        let rest = line.strip_prefix("evcxr_jupyter v")?;
        Some(rest.trim_end_matches(':').to_string())
    }))
}

fn ensure_evcxr(say: &dyn Fn(String)) -> Result<PathBuf> {
    let bin = cargo_home()
        .context("cannot tell where cargo installs binaries: set CARGO_HOME or HOME")?
        .join("bin")
        .join("evcxr_jupyter");
    let version = installed_version()?;
    if version.as_deref() == Some(EVCXR_VERSION) && bin.is_file() {
        say(format!(
            "✓ evcxr_jupyter {EVCXR_VERSION} is installed ({})",
            bin.display()
        ));
        return Ok(bin);
    }
    match &version {
        Some(v) => say(format!(
            "evcxr_jupyter {v} is installed; the course is pinned to {EVCXR_VERSION}, installing that."
        )),
        None => say(format!("evcxr_jupyter is not installed; installing {EVCXR_VERSION}.")),
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
        .context("could not start `cargo install evcxr_jupyter`")?;
    if !status.success() {
        bail!(
            "`cargo install evcxr_jupyter --locked --version ={EVCXR_VERSION}` failed ({status}); \
             cargo's messages above say why. evcxr_jupyter {EVCXR_VERSION} needs rustc 1.95 or newer \
             (`rustup update`)."
        );
    }
    if !bin.is_file() {
        bail!(
            "cargo reported success but {} does not exist; is CARGO_HOME or cargo's install root set \
             elsewhere?",
            bin.display()
        );
    }
    say(format!(
        "✓ installed evcxr_jupyter {EVCXR_VERSION} in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(bin)
}

/// The folder Jupyter looks in for user kernelspecs.
fn kernels_dir() -> Result<PathBuf> {
    let data = jupyter_zmq_client::dirs::user_data_dir()
        .map_err(|e| anyhow::anyhow!("cannot find Jupyter's data folder: {e}"))?;
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
            project.root.join("kernel").join("strict"),
        ),
    };
    json!({
        "argv": [
            project.root.join("kernel").join("launch").to_string_lossy(),
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

fn ensure_kernelspec(
    project: &Project,
    evcxr: &Path,
    flavour: Flavour,
    say: &dyn Fn(String),
) -> Result<PathBuf> {
    let name = flavour.name();
    let dir = kernels_dir()?.join(name);
    let path = dir.join("kernel.json");
    let wanted = kernelspec_json(project, evcxr, flavour);
    let current = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
    if current.as_ref() == Some(&wanted) {
        say(format!(
            "✓ kernel '{name}' is installed ({})",
            path.display()
        ));
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let text = serde_json::to_string_pretty(&wanted)? + "\n";
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    say(format!(
        "✓ {} kernel '{name}' at {}",
        if current.is_some() {
            "updated"
        } else {
            "installed"
        },
        path.display()
    ));
    Ok(dir)
}
