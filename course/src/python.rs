//! Project-local Python virtual environments (the benchmark's numpy kernel, JupyterLab),
//! made with `python3 -m venv` and pip from a requirements file the project ships.

use crate::project::Project;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A Python environment that could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PythonError {
    /// python3 or its venv module is missing.
    #[error("{0}")]
    NoPython(String),
    /// pip failed.
    #[error("{0}")]
    Pip(String),
    /// A file in the environment could not be written.
    #[error("cannot write {path}: {cause}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
}

/// A virtual environment under `target/` and what goes into it.
pub struct PythonEnv {
    /// The environment's folder.
    pub venv: PathBuf,
    /// The requirements file pip installs into it.
    pub requirements: PathBuf,
    /// What it is for, in the messages.
    pub purpose: &'static str,
    /// The modules that must import for it to count as ready (`numpy, ipykernel`).
    pub imports: &'static str,
}

impl PythonEnv {
    /// JupyterLab's environment (`course lab`): `target/lab-py`, from `lab/requirements.txt`.
    pub fn lab(project: &Project) -> PythonEnv {
        PythonEnv {
            venv: project.lab_env(),
            requirements: project.lab_requirements(),
            purpose: "JupyterLab",
            imports: "jupyterlab",
        }
    }

    /// The environment's Python.
    pub fn python(&self) -> PathBuf {
        self.venv.join("bin").join("python")
    }

    /// A program installed in the environment (`jupyter-lab`).
    pub fn program(&self, name: &str) -> PathBuf {
        self.venv.join("bin").join(name)
    }

    /// The Jupyter data folder inside the environment.
    pub fn data_dir(&self) -> PathBuf {
        self.venv.join("share").join("jupyter")
    }

    /// Creates the environment and installs the requirements unless its modules import
    /// already; says what it does.
    pub fn ensure(&self) -> Result<(), PythonError> {
        let ready = Command::new(self.python())
            .args(["-c", &format!("import {}", self.imports)])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ready {
            eprintln!(
                "✓ Python environment for {} ({})",
                self.purpose,
                self.venv.display()
            );
            return Ok(());
        }
        eprintln!(
            "creating the Python environment for {} in {} ({})",
            self.purpose,
            self.venv.display(),
            self.imports
        );
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&self.venv)
            .status()
            .map_err(|e| {
                PythonError::NoPython(format!(
                    "python3 is needed for {} but could not be run ({e}); install Python 3.9 \
                     or newer with its venv module (Debian: apt install python3 python3-venv)",
                    self.purpose
                ))
            })?;
        if !status.success() {
            return Err(PythonError::NoPython(format!(
                "`python3 -m venv {}` failed ({status}); on Debian install python3-venv",
                self.venv.display()
            )));
        }
        let status = Command::new(self.python())
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&self.requirements)
            .status()
            .map_err(|e| {
                PythonError::Pip(format!("could not run pip in {}: {e}", self.venv.display()))
            })?;
        if !status.success() {
            return Err(PythonError::Pip(format!(
                "pip could not install {} ({status}); its messages above say why (no network? \
                 then install the packages it lists into {} by hand)",
                self.requirements.display(),
                self.venv.display()
            )));
        }
        Ok(())
    }

    /// Writes a kernelspec named `name` that starts ipykernel on this environment's Python.
    pub fn write_kernelspec(&self, name: &str, display_name: &str) -> Result<(), PythonError> {
        let dir = self.data_dir().join("kernels").join(name);
        let failed = |source| PythonError::Write {
            path: dir.clone(),
            cause: source,
        };
        std::fs::create_dir_all(&dir).map_err(failed)?;
        let python = self
            .venv
            .canonicalize()
            .map_err(failed)?
            .join("bin")
            .join("python");
        let spec = serde_json::json!({
            "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": display_name,
            "language": "python",
            "interrupt_mode": "message",
            "env": { "MPLBACKEND": "module://matplotlib_inline.backend_inline" }
        });
        let text = serde_json::to_string_pretty(&spec).unwrap_or_default() + "\n";
        std::fs::write(dir.join("kernel.json"), text).map_err(failed)
    }
}
