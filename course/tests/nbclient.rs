//! The strict course kernel makes Python's notebook runners (nbclient, and so nbconvert
//! --execute and papermill) see a failed check as a failure. The test installs nbclient in a
//! project-local virtual environment (target/py) with pip, as CI can.

mod common;

use common::{python_env, root, setup};
use std::process::Command;

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
    setup();
    let python = python_env("py", "nbclient==0.10.*", "nbclient").join("python");
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
