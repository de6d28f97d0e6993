//! `course release` and `course grade` against the real kernel: a corpus of submissions for
//! lesson 1, each of which must get exactly the score it deserves, with every file unchanged.

mod common;

use common::{course, root};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Lesson 1 with one cell's source changed: the first cell whose nbgrader grade_id is `id`.
fn with_cell(nb: &Value, id: &str, edit: impl Fn(&str) -> String) -> Value {
    let mut nb = nb.clone();
    for cell in nb["cells"].as_array_mut().unwrap() {
        if cell["metadata"]["nbgrader"]["grade_id"] == id {
            let src: String = cell["source"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            cell["source"] = Value::String(edit(&src));
        }
    }
    nb
}

fn without_cell(nb: &Value, id: &str) -> Value {
    let mut nb = nb.clone();
    nb["cells"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["metadata"]["nbgrader"]["grade_id"] != id);
    nb
}

/// Exercise 1's answer cell with `code` as the body of `my_sse(y, y_hat)`.
fn answer(code: &str) -> impl Fn(&str) -> String + '_ {
    move |_| format!("fn my_sse(y: &Array1<f64>, y_hat: &Array1<f64>) -> f64 {{\n{code}\n}}")
}

#[test]
fn every_submission_gets_the_score_it_deserves_and_is_left_untouched() {
    common::ensure_bubblewrap();
    let source = read(&root().join("notebooks/01-loss.ipynb"));
    let release_dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) =
        course(&["release", "--out", release_dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("01-loss.ipynb") && stdout.contains("3 answers stubbed"),
        "{stdout}"
    );
    let stub = read(&release_dir.path().join("01-loss.ipynb"));
    let stub_text = stub.to_string();
    assert!(stub_text.contains("todo!(") && !stub_text.contains("mapv(|e| e * e).sum()"));

    let mut forged = stub.clone();
    for cell in forged["cells"].as_array_mut().unwrap() {
        if cell["cell_type"] == "code" {
            cell["execution_count"] = Value::from(1);
            cell["outputs"] = serde_json::json!([{"output_type": "stream", "name": "stdout", "text": "✓ SSE = 4.75\n"}]);
        }
    }
    let check_cell = "loss-sse-check";
    let corpus: Vec<(&str, String, f64)> = vec![
        ("correct", source.to_string(), 3.0),
        ("stub", stub.to_string(), 0.0),
        (
            "wrong",
            with_cell(
                &source,
                "loss-sse",
                answer("(y - y_hat).mapv(|e| e * e).mean().unwrap()"),
            )
            .to_string(),
            2.0,
        ),
        (
            "compile-error",
            with_cell(&source, "loss-sse", answer("\"four point seven five\"")).to_string(),
            2.0,
        ),
        (
            "panic",
            with_cell(
                &source,
                "loss-sse",
                answer("let v: Vec<f64> = Vec::new(); v[3]"),
            )
            .to_string(),
            2.0,
        ),
        (
            "endless-loop",
            with_cell(&source, "loss-sse", answer("loop {}")).to_string(),
            2.0,
        ),
        (
            "memory-bomb",
            with_cell(
                &source,
                "loss-sse",
                answer("let v = vec![1u8; 1 << 35]; v.len() as f64"),
            )
            .to_string(),
            2.0,
        ),
        (
            "edited-check",
            with_cell(
                &with_cell(&source, "loss-sse", answer("1.0")),
                check_cell,
                |_| "println!(\"✓ SSE\");".into(),
            )
            .to_string(),
            2.0,
        ),
        (
            "deleted-check",
            without_cell(&source, "loss-compare-check").to_string(),
            3.0,
        ),
        ("forged-outputs", forged.to_string(), 0.0),
        (
            "malformed",
            "{\"cells\": [ {\"cell_type\": ".to_string(),
            0.0,
        ),
        (
            "not-a-notebook",
            "{\"name\": \"a package.json\"}".to_string(),
            0.0,
        ),
        (
            "exit",
            with_cell(&source, "loss-sse", answer("std::process::exit(0)")).to_string(),
            2.0,
        ),
        (
            "stderr-flood",
            with_cell(&source, "loss-sse", |right| {
                format!("for i in 0..200_000 {{ eprintln!(\"line {{i}}\"); }}\n{right}")
            })
            .to_string(),
            3.0,
        ),
        (
            "typed-in",
            with_cell(&source, "loss-sse", answer("4.75")).to_string(),
            2.0,
        ),
    ];
    let class = tempfile::tempdir().unwrap();
    let mut before = HashMap::new();
    for (student, text, _) in &corpus {
        let dir = class.path().join(student);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("01-loss.ipynb"), text).unwrap();
        before.insert(*student, text.clone());
    }

    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = course(&[
        "grade",
        class.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--jobs",
        "2",
        "--timeout",
        "60",
        "--memory",
        "2048",
    ]);
    assert_eq!(code, 0, "grading itself must succeed:\n{stdout}\n{stderr}");

    for (student, text, deserved) in &corpus {
        let result = read(
            &out.path()
                .join("results")
                .join(format!("{student}--01-loss.json")),
        );
        assert_eq!(
            result["points"].as_f64(),
            Some(*deserved),
            "{student}: {result:#}"
        );
        assert_eq!(result["max_points"].as_f64(), Some(3.0), "{student}");
        let on_disk =
            std::fs::read_to_string(class.path().join(student).join("01-loss.ipynb")).unwrap();
        assert_eq!(&on_disk, text, "{student}'s file changed");
        assert_eq!(before[student], on_disk);
        assert!(out
            .path()
            .join("feedback")
            .join(format!("{student}--01-loss.html"))
            .is_file());
    }
    let reason = |student: &str, id: &str| -> String {
        let r = read(
            &out.path()
                .join("results")
                .join(format!("{student}--01-loss.json")),
        );
        let cell = r["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["grade_id"] == id)
            .unwrap()
            .clone();
        format!("{} {}", cell["status"], cell["reason"])
    };
    assert!(
        reason("wrong", check_cell).contains("expected: 4.75"),
        "{}",
        reason("wrong", check_cell)
    );
    // The shown answer typed in loses its point on the hidden test's first unseen case.
    let typed_in = reason("typed-in", check_cell);
    assert!(typed_in.contains("SSE, unseen case 1 of 3"), "{typed_in}");
    assert!(
        reason("endless-loop", check_cell).contains("timeout")
            || reason("endless-loop", check_cell).contains("needs a value")
    );
    assert!(
        reason("stub", check_cell).contains("not answered yet"),
        "{}",
        reason("stub", check_cell)
    );
    let edited = read(&out.path().join("results/edited-check--01-loss.json"));
    assert!(
        edited["restored"]
            .to_string()
            .contains("loss-sse-check: edited"),
        "{edited:#}"
    );
    let deleted = read(&out.path().join("results/deleted-check--01-loss.json"));
    assert!(
        deleted["restored"]
            .to_string()
            .contains("loss-compare-check: deleted"),
        "{deleted:#}"
    );
    let malformed = read(&out.path().join("results/malformed--01-loss.json"));
    assert!(
        malformed["error"]
            .as_str()
            .unwrap()
            .contains("invalid JSON"),
        "{malformed:#}"
    );

    let csv = std::fs::read_to_string(out.path().join("gradebook.csv")).unwrap();
    assert_eq!(csv.lines().count(), corpus.len() + 1);
    assert!(csv.contains("\ncorrect,01-loss,3,3,"), "{csv}");
    let junit = std::fs::read_to_string(out.path().join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testsuite ").count(), corpus.len());
}

#[test]
fn shards_split_the_class_and_together_grade_everyone() {
    common::ensure_bubblewrap();
    let class = tempfile::tempdir().unwrap();
    for i in 0..6 {
        let dir = class.path().join(format!("s{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("01-loss.ipynb"), "not json").unwrap();
    }
    let mut total = 0;
    for shard in ["1/2", "2/2"] {
        let out = tempfile::tempdir().unwrap();
        let (code, stdout, _) = course(&[
            "grade",
            class.path().to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--shard",
            shard,
        ]);
        assert_eq!(code, 0, "{stdout}");
        total += std::fs::read_to_string(out.path().join("gradebook.csv"))
            .unwrap()
            .lines()
            .count()
            - 1;
    }
    assert_eq!(total, 6);
    let (code, _, stderr) = course(&["grade", class.path().to_str().unwrap(), "--shard", "3/2"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn every_lessons_own_solution_gets_full_marks_in_the_sandbox() {
    common::ensure_bubblewrap();
    let out = tempfile::tempdir().unwrap();
    let lessons = root().join("notebooks");
    let (code, stdout, stderr) = course(&[
        "grade",
        lessons.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let results: Vec<PathBuf> = std::fs::read_dir(out.path().join("results"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(results.len(), 11, "one result per lesson");
    for path in results {
        let r = read(&path);
        let max = r["max_points"].as_f64().unwrap();
        assert!(max > 0.0, "{r:#}");
        assert_eq!(r["points"].as_f64(), Some(max), "{}: {r:#}", path.display());
        assert!(!r["review"].to_string().contains("refused"), "{r:#}");
    }
}

#[test]
fn every_released_lesson_compiles_and_fails_its_checks_until_answered() {
    common::ensure_bubblewrap();
    let release_dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) =
        course(&["release", "--out", release_dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = course(&[
        "grade",
        release_dir.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let results: Vec<PathBuf> = std::fs::read_dir(out.path().join("results"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(results.len(), 11, "one result per lesson");
    for path in results {
        let r = read(&path);
        assert_eq!(r["error"], Value::Null, "{r:#}");
        assert_eq!(r["points"].as_f64(), Some(0.0), "{}: {r:#}", path.display());
        assert!(r["max_points"].as_f64().unwrap() > 0.0);
        for cell in r["cells"].as_array().unwrap() {
            let reason = cell["reason"].as_str().unwrap();
            if !reason.contains("is not answered yet") {
                // What the kernel said (evcxr's own panics go there), for the failure message.
                let stem = path.file_stem().unwrap().to_string_lossy();
                let log = out.path().join("logs").join(format!("{stem}.kernel.log"));
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(40).collect();
                panic!(
                    "{}: {} failed for another reason (a stub that does not compile?): {reason}\n\
                     the kernel's log ends:\n{}",
                    path.display(),
                    cell["grade_id"],
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
        }
    }
}
