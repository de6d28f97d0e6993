//! `course-bench` from a clean checkout: it makes its own Python environment, runs a lesson on
//! the course kernel, its floor twin on the same kernel and its numpy twin on ipykernel, then
//! the course's warm path (as `course run` runs it), and reports all four. What is asserted is that the figures exist and make sense, never how
//! fast they are.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn bench_runs_a_lesson_its_floor_twin_its_numpy_twin_and_the_warm_path_and_reports_them() {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_course-bench"))
        .arg("--root")
        .arg(root())
        .args(["notebooks/01-loss.ipynb", "--out"])
        .arg(out.path())
        .current_dir(root())
        .output()
        .expect("course-bench starts");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}\n{stderr}");

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("bench.json")).unwrap())
            .unwrap();
    let lesson = &json["lessons"][0];
    assert_eq!(lesson["lesson"], "01-loss.ipynb");
    for side in ["rust", "python", "warm"] {
        let s = &lesson[side];
        assert_eq!(s["passed"], true, "{side}: {s:#}");
        let seconds = s["seconds"].as_f64().unwrap();
        let first = s["first_result"].as_f64().unwrap();
        assert!(first > 0.0 && first <= seconds, "{side}: {s:#}");
        let cells = &s["cell_times"];
        assert!(cells["cells"].as_u64().unwrap() >= 8, "{side}: {s:#}");
        let (median, p95, max) = (
            cells["median"].as_f64().unwrap(),
            cells["p95"].as_f64().unwrap(),
            cells["max"].as_f64().unwrap(),
        );
        assert!(
            0.0 < median && median <= p95 && p95 <= max && max <= seconds,
            "{side}: {s:#}"
        );
        let memory = s["memory"].as_u64().unwrap();
        assert!(
            memory > 10 << 20,
            "{side}: a kernel holds more than 10 MiB: {s:#}"
        );
    }
    let floor = &lesson["floor"];
    assert_eq!(floor["passed"], true, "floor: {floor:#}");
    assert_eq!(
        floor["cell_times"]["cells"], lesson["rust"]["cell_times"]["cells"],
        "the floor twin runs as many cells as the lesson: {lesson:#}"
    );
    let twin = std::fs::read_to_string(out.path().join("floor-source").join("01-loss.ipynb"))
        .expect("the floor twin is kept beside the executed copies");
    assert!(
        twin.contains("let floor_0 = 0;") && !twin.contains(":dep"),
        "{twin}"
    );
    let floor_ratio = json["floor_ratio"].as_f64().unwrap();
    assert!(
        (floor_ratio
            - json["floor_seconds"].as_f64().unwrap() / json["python_seconds"].as_f64().unwrap())
        .abs()
            < 1e-9
    );
    let ratio = json["ratio"].as_f64().unwrap();
    let (rust, python) = (
        json["rust_seconds"].as_f64().unwrap(),
        json["python_seconds"].as_f64().unwrap(),
    );
    assert!((ratio - rust / python).abs() < 1e-9);
    let table = std::fs::read_to_string(out.path().join("bench.md")).unwrap();
    assert!(
        table.contains("| 01-loss.ipynb |")
            && table.contains("| **all** |")
            && table.contains("| lesson | floor s |")
            && table.contains("| lesson | warm s | fresh s |"),
        "{table}"
    );
    assert!(stdout.contains("| 01-loss.ipynb |"), "{stdout}");
    assert!(out.path().join("python").join("01-loss.ipynb").is_file());
    assert!(out.path().join("rust").join("01-loss.ipynb").is_file());
    assert!(out.path().join("warm").join("01-loss.ipynb").is_file());
    assert!(
        (json["warm_seconds"].as_f64().unwrap() - lesson["warm"]["seconds"].as_f64().unwrap())
            .abs()
            < 1e-9
    );
}
