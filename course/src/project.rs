//! Where the course's files are: the project root, its kernel config, notebooks and outputs.

use anyhow::{bail, Result};
use std::path::{Path, PathBuf};

/// The files of one checkout of the course.
#[derive(Debug, Clone)]
pub struct Project {
    /// The folder holding `Cargo.toml`, `crate/`, `notebooks/` and `kernel/`.
    pub root: PathBuf,
}

/// The marker that identifies the project root.
const MARKER: &str = "kernel/config/init.evcxr";

impl Project {
    /// Finds the project from `--root`, else from the working folder upwards, else from where
    /// this binary was built.
    pub fn locate(explicit: Option<&Path>) -> Result<Project> {
        if let Some(root) = explicit {
            let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            if !root.join(MARKER).is_file() {
                bail!(
                    "{} is not the course's folder: {MARKER} is missing there",
                    root.display()
                );
            }
            return Ok(Project { root });
        }
        let cwd = std::env::current_dir()?;
        let built_at = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for start in [cwd.as_path(), built_at.as_path()] {
            if let Some(root) = start.ancestors().find(|dir| dir.join(MARKER).is_file()) {
                let root = root.canonicalize()?;
                return Ok(Project { root });
            }
        }
        bail!(
            "cannot find the course folder (one holding {MARKER}) above {}; run from inside the \
             course or pass --root",
            cwd.display()
        )
    }

    /// The folder evcxr reads `init.evcxr` and `prelude.rs` from (`EVCXR_CONFIG_DIR`).
    pub fn kernel_config(&self) -> PathBuf {
        self.root.join("kernel").join("config")
    }

    /// The lesson notebooks' folder.
    pub fn notebooks(&self) -> PathBuf {
        self.root.join("notebooks")
    }

    /// Where executed copies and reports go.
    pub fn output(&self) -> PathBuf {
        self.root.join("target").join("notebooks")
    }

    /// Every lesson notebook, in name order (lesson order).
    pub fn lesson_notebooks(&self) -> Result<Vec<PathBuf>> {
        notebooks_in(&self.notebooks())
    }
}

/// The `.ipynb` files directly inside `dir`, sorted by name.
pub fn notebooks_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot list notebooks in {}: {e}", dir.display()))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ipynb"))
        .collect();
    found.sort();
    Ok(found)
}
