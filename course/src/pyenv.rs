//! Project-local Python virtual environments (the benchmark's numpy kernel, JupyterLab),
//! made with `python3 -m venv` and pip from a requirements file the project ships.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::{Command, Stdio};

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
    pub fn ensure(&self) -> Result<()> {
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
                anyhow::anyhow!(
                    "python3 is needed for {} but could not be run ({e}); install Python 3.9 \
                     or newer with its venv module (Debian: apt install python3 python3-venv)",
                    self.purpose
                )
            })?;
        if !status.success() {
            bail!(
                "`python3 -m venv {}` failed ({status}); on Debian install python3-venv",
                self.venv.display()
            );
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
            .with_context(|| format!("could not run pip in {}", self.venv.display()))?;
        if !status.success() {
            bail!(
                "pip could not install {} ({status}); its messages above say why (no network? \
                 then install the packages it lists into {} by hand)",
                self.requirements.display(),
                self.venv.display()
            );
        }
        Ok(())
    }

    /// Writes a kernelspec named `name` that starts ipykernel on this environment's Python.
    pub fn write_kernelspec(&self, name: &str, display_name: &str) -> Result<()> {
        let dir = self.data_dir().join("kernels").join(name);
        std::fs::create_dir_all(&dir)?;
        let python = self.venv.canonicalize()?.join("bin").join("python");
        let spec = serde_json::json!({
            "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": display_name,
            "language": "python",
            "interrupt_mode": "message",
            "env": { "MPLBACKEND": "module://matplotlib_inline.backend_inline" }
        });
        std::fs::write(
            dir.join("kernel.json"),
            serde_json::to_string_pretty(&spec)? + "\n",
        )?;
        Ok(())
    }
}
