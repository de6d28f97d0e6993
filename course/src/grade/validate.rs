//! Checking a notebook before it is handed in, as `nbgrader validate` does for Python
//! courses: it is assembled and run exactly as the grader will, but against the released
//! lesson, so hidden tests neither run nor count and only the visible checks decide.

use super::{grade, match_lesson, Grade, GradeOptions, Lesson};
use crate::exec::outcome::Status;
use crate::notebook::{self, NotebookError};
use std::path::{Path, PathBuf};

/// A notebook that could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// It could not be read.
    #[error(transparent)]
    Notebook(#[from] NotebookError),
    /// It answers none of the lessons.
    #[error("{0} matches no lesson (by file name or by nbgrader grade_ids)")]
    NoLesson(PathBuf),
    /// Not one of its cells ran (the kernel would not start, say).
    #[error("{path} could not be run: {reason}")]
    NotRun {
        /// The notebook.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// The lesson as students receive it: answers stubbed and hidden tests removed, and that
/// version is also what locked cells are restored from.
pub fn released(lesson: &Lesson) -> Lesson {
    Lesson {
        source: lesson.released.clone(),
        ..lesson.clone()
    }
}

/// Runs the notebook at `path` as `course grade` would, against the released version of the
/// lesson it answers.
pub async fn validate(
    path: &Path,
    lessons: &[Lesson],
    opts: &GradeOptions,
) -> Result<Grade, ValidateError> {
    let submission = notebook::load(path)?;
    let lesson = match_lesson(path, &submission, lessons)
        .ok_or_else(|| ValidateError::NoLesson(path.to_path_buf()))?;
    let checked = grade(path, &[released(lesson)], opts).await;
    let nothing_ran = checked.cells.iter().all(|c| c.status == Status::NotRun);
    match &checked.error {
        Some(reason) if checked.grader_fault && nothing_ran => Err(ValidateError::NotRun {
            path: path.to_path_buf(),
            reason: reason.clone(),
        }),
        _ => Ok(checked),
    }
}

/// Whether every visible check passed.
pub fn passed(checked: &Grade) -> bool {
    checked.error.is_none() && checked.cells.iter().all(|c| c.status.passed())
}

/// What to tell the student: a ✓ or ✗ per graded cell with the reason, each of their cells
/// the grader will not run and why (an `unsafe` block, a library item the exercise forbids),
/// what was restored, and a last line saying how many checks passed.
pub fn report(checked: &Grade) -> String {
    let mut text = format!(
        "{} ({}, hidden tests left out)\n",
        checked.submission.display(),
        checked.lesson.as_deref().unwrap_or("no lesson")
    );
    for c in &checked.cells {
        if c.status.passed() {
            text += &format!("  ✓ {}\n", c.grade_id);
            continue;
        }
        text += &format!("  ✗ {} ({})\n", c.grade_id, c.status.word());
        for line in c.reason.lines().filter(|l| !l.trim().is_empty()).take(3) {
            text += &format!("      {}\n", line.trim_end());
        }
    }
    for (cell, why) in checked
        .review
        .iter()
        .filter_map(|r| r.split_once(": refused, "))
    {
        text += &format!("  not run: {cell}, {why}\n");
    }
    for r in &checked.restored {
        text += &format!("  restored {r}\n");
    }
    if let Some(e) = &checked.error {
        text += &format!("  not run fully: {e}\n");
    }
    let ok = checked.cells.iter().filter(|c| c.status.passed()).count();
    text += &format!("  {ok} of {} visible checks pass\n", checked.cells.len());
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::outcome::Status::{NotRun, Ok, Panic};
    use crate::grade::folder::tests::sample;

    fn lesson() -> Lesson {
        let cell = |id: &str, src: &str, meta: serde_json::Value| {
            serde_json::json!({"cell_type": "code", "id": id, "metadata": {"nbgrader": meta},
                "execution_count": null, "source": src, "outputs": []})
        };
        let nb = serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            cell("b", "let x = {\n// BEGIN SOLUTION\n2\n// END SOLUTION\n};", serde_json::json!({"grade_id": "answer", "solution": true})),
            cell("c", "assert_eq!(x, 2);\n// BEGIN HIDDEN TESTS\nassert!(x > 1);\n// END HIDDEN TESTS", serde_json::json!({"grade_id": "check", "locked": true, "grade": true, "points": 2})),
        ]});
        let source = notebook::parse(&nb.to_string()).unwrap();
        let (released, _) = crate::notebook::nbgrader::release(&source).unwrap();
        Lesson {
            name: "01-x".into(),
            folder: PathBuf::from("."),
            source,
            released,
        }
    }

    #[test]
    fn the_released_lesson_restores_checks_without_their_hidden_tests() {
        let student = released(&lesson());
        let (run, _) = crate::grade::assemble(&student, &student.released);
        let check = notebook::source(&run.cells[1]).unwrap();
        assert_eq!(check, "assert_eq!(x, 2);");
        assert_eq!(student.graded(), [("check".to_string(), 2.0)]);
        assert_eq!(student.name, "01-x");
    }

    #[test]
    fn the_report_ticks_passed_checks_and_gives_the_reason_for_the_rest() {
        let mut checked = sample(
            "01-loss",
            "01-loss",
            &[
                ("loss-sse-check", 1.0, 1.0, Ok, ""),
                (
                    "loss-compare-check",
                    0.0,
                    2.0,
                    Panic,
                    "exercise loss-compare is not answered yet\n\nat cell 18\nmore\nand more",
                ),
                ("late-check", 0.0, 1.0, NotRun, "not run"),
            ],
        );
        checked.restored = vec!["loss-sse-check: edited, restored from the lesson".into()];
        checked.review = vec![
            "loss-compare: refused, line 2: uses `mse`, which exercise loss-compare must be \
             done without: it asks for your own code, not the library's"
                .into(),
            "cell 3: noticed, line 1: file access (`std::fs::read`)".into(),
        ];
        assert_eq!(
            report(&checked),
            "subs/01-loss/01-loss.ipynb (01-loss, hidden tests left out)\n  \
             ✓ loss-sse-check\n  \
             ✗ loss-compare-check (panic)\n      \
             exercise loss-compare is not answered yet\n      \
             at cell 18\n      \
             more\n  \
             ✗ late-check (not run)\n      \
             not run\n  \
             not run: loss-compare, line 2: uses `mse`, which exercise loss-compare must be done \
             without: it asks for your own code, not the library's\n  \
             restored loss-sse-check: edited, restored from the lesson\n  \
             1 of 3 visible checks pass\n"
        );
        assert!(!passed(&checked));
        let all = sample("a", "01-loss", &[("loss-sse-check", 1.0, 1.0, Ok, "")]);
        assert!(passed(&all));
    }
}
