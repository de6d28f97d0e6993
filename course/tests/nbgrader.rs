//! nbgrader, configured by nbgrader/nbgrader_config.py, generates and autogrades a lesson:
//! the answered notebook earns every point, a wrong answer loses its check's points, and the
//! released stub earns none. nbgrader is installed with pip into target/py-nbgrader.

mod common;

use common::{python_env, root, setup};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn nbgrader(bin: &Path, course: &Path, args: &[&str]) {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(bin.join("nbgrader"))
        .args(args)
        .current_dir(course)
        .env("PATH", path)
        .output()
        .expect("nbgrader runs");
    assert!(
        out.status.success(),
        "nbgrader {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn nbgrader_generates_and_autogrades_a_lesson_with_the_shipped_config() {
    setup();
    let bin = python_env("py-nbgrader", "nbgrader==0.9.6", "nbgrader");
    let course = tempfile::tempdir().unwrap();
    let c = course.path();
    std::fs::write(
        c.join("nbgrader_config.py"),
        format!(
            "c = get_config()\nload_subconfig({:?})\n",
            root()
                .join("nbgrader/nbgrader_config.py")
                .display()
                .to_string()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(c.join("source/lesson01")).unwrap();
    let lesson = std::fs::read_to_string(root().join("notebooks/01-loss.ipynb")).unwrap();
    std::fs::write(c.join("source/lesson01/01-loss.ipynb"), &lesson).unwrap();
    nbgrader(&bin, c, &["generate_assignment", "lesson01", "--force"]);
    let released = std::fs::read_to_string(c.join("release/lesson01/01-loss.ipynb")).unwrap();
    assert!(released.contains("todo!(") && !released.contains("mapv(|e| e * e).sum()"));

    let mut wrong: Value = serde_json::from_str(&lesson).unwrap();
    for cell in wrong["cells"].as_array_mut().unwrap() {
        if cell["metadata"]["nbgrader"]["grade_id"] == "loss-sse" {
            cell["source"] =
                Value::from("fn my_sse(y: &Array1<f64>, y_hat: &Array1<f64>) -> f64 { 5.0 }");
        }
    }
    for (student, text) in [
        ("alice", lesson.clone()),
        ("bob", released),
        ("carol", wrong.to_string()),
    ] {
        let dir = c.join("submitted").join(student).join("lesson01");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("01-loss.ipynb"), text).unwrap();
    }
    nbgrader(
        &bin,
        c,
        &["autograde", "lesson01", "--Autograde.create_student=True"],
    );
    nbgrader(&bin, c, &["export"]);
    let csv = std::fs::read_to_string(c.join("grades.csv")).unwrap();
    let score = |student: &str| -> String {
        let line = csv
            .lines()
            .find(|l| l.contains(&format!(",{student},")))
            .unwrap_or_else(|| panic!("{csv}"));
        let fields: Vec<&str> = line.split(',').collect();
        format!("{}/{}", fields[9], fields[10])
    };
    assert_eq!(score("alice"), "3.0/3.0", "{csv}");
    assert_eq!(score("bob"), "0.0/3.0", "{csv}");
    assert_eq!(score("carol"), "2.0/3.0", "{csv}");
}
