//! The strict course kernel makes Python's notebook runners (nbclient, and so nbconvert
//! --execute and papermill) see a failed check as a failure. The test installs nbclient in a
//! project-local virtual environment (target/py) with pip, as CI can.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// target/py with nbclient in it; panics with the reason when Python or pip is missing.
fn python() -> PathBuf {
    let venv = root().join("target").join("py");
    let bin = venv.join("bin").join("python");
    let ready = Command::new(&bin)
        .args(["-c", "import nbclient"])
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
        let pip = Command::new(&bin)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "nbclient==0.10.*",
                "nbformat",
            ])
            .status()
            .expect("pip runs");
        assert!(
            pip.success(),
            "pip could not install nbclient into {}",
            venv.display()
        );
    }
    bin
}

const RUN: &str = r#"
import sys, nbformat, nbclient
nb = nbformat.read(sys.argv[1], as_version=4)
client = nbclient.NotebookClient(nb, kernel_name=sys.argv[2], timeout=1800)
try:
    client.execute()
    print("PASSED")
except nbclient.exceptions.CellExecutionError as e:
    print("FAILED:", str(e).splitlines()[-1] if str(e) else "")
"#;

#[test]
fn nbclient_fails_a_failing_check_on_the_strict_kernel_only() {
    let setup = Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root())
        .arg("setup")
        .status()
        .unwrap();
    assert!(setup.success());
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let nb = serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": "a", "metadata": {}, "execution_count": null, "outputs": [],
         "source": format!(":dep backprop = {{ path = {:?} }}\nuse backprop::prelude::*;", root().join("crate").display().to_string())},
        {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": null, "outputs": [],
         "source": "check(\"MSE\", &0.5, &0.25, \"divide by n\");"},
    ]});
    let path = dir.path().join("failing.ipynb");
    std::fs::write(&path, nb.to_string()).unwrap();
    let run = |kernel: &str| -> String {
        let out = Command::new(&python)
            .args(["-c", RUN])
            .arg(&path)
            .arg(kernel)
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let strict = run("backprop-strict");
    assert!(
        strict.contains("FAILED"),
        "the strict kernel let a failed check pass:\n{strict}"
    );
    let lenient = run("backprop");
    assert!(
        lenient.contains("PASSED"),
        "the default kernel is expected to report the panicking cell as ok (evcxr's behaviour \
         that `course run` works around); if this changed, update the README:\n{lenient}"
    );
}
