//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs `course setup` (installs evcxr_jupyter and the kernels if missing).
pub fn setup() {
    let status = Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root())
        .arg("setup")
        .status()
        .expect("course setup starts");
    assert!(status.success(), "course setup failed");
}

/// The `bin` folder of target/<name>, a Python virtual environment with `package` installed
/// by pip; panics with the reason when Python, venv or pip is missing.
pub fn python_env(name: &str, package: &str, module: &str) -> PathBuf {
    let venv = root().join("target").join(name);
    let bin = venv.join("bin");
    let ready = Command::new(bin.join("python"))
        .args(["-c", &format!("import {module}")])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "this test needs python3 with the venv module (Debian: apt-get install python3-venv)"
        );
        let pip = Command::new(bin.join("python"))
            .args(["-m", "pip", "install", "--quiet", package])
            .status()
            .expect("pip runs");
        assert!(
            pip.success(),
            "pip could not install {package} into {}",
            venv.display()
        );
    }
    bin
}
