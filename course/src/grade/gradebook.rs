//! What `course grade` writes: a JSON result and a feedback page per submission, a CSV
//! gradebook, and JUnit XML for CI dashboards.
//!
//! Everything a submission controls (its folder's name, its outputs, its panic messages)
//! reaches these files only as data: the CSV is written by `csv` with formula-looking cells
//! defused, the XML by `quick-junit`, the HTML by `maud`, which escapes every value.

use super::Grade;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A report that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be written.
    #[error("cannot write {path}: {cause}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// A report could not be serialised.
    #[error("cannot serialise {what}: {reason}")]
    Serialise {
        /// Which report.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

/// Writes `text` to `path`, making its folder first.
pub fn save(path: &Path, text: &str) -> Result<(), ReportError> {
    let failed = |source| ReportError::Write {
        path: path.to_path_buf(),
        cause: source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    std::fs::write(path, text).map_err(failed)
}

/// Writes every report for `grades` under `out`.
pub fn write_all(grades: &[Grade], out: &Path) -> Result<(), ReportError> {
    // results/ exists even when a shard drew no submission, so a merge knows it ran.
    let results = out.join("results");
    std::fs::create_dir_all(&results).map_err(|cause| ReportError::Write {
        path: results.clone(),
        cause,
    })?;
    for g in grades {
        let json = serde_json::to_string_pretty(g).map_err(|e| ReportError::Serialise {
            what: "a result",
            reason: e.to_string(),
        })?;
        save(
            &out.join("results").join(format!("{}.json", g.key())),
            &(json + "\n"),
        )?;
        save(
            &out.join("feedback").join(format!("{}.html", g.key())),
            &feedback(g).into_string(),
        )?;
    }
    save(&out.join("gradebook.csv"), &gradebook(grades)?)?;
    save(&out.join("junit.xml"), &junit(grades)?)?;
    Ok(())
}

/// A text cell as a spreadsheet shows it and never runs it: one that starts like a formula
/// (`=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`.
pub fn defused(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// One row per submission: student, lesson, points, max, the file, and why grading failed
/// if it did.
pub fn gradebook(grades: &[Grade]) -> Result<String, ReportError> {
    let failed = |e: &dyn std::fmt::Display| ReportError::Serialise {
        what: "gradebook.csv",
        reason: e.to_string(),
    };
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "student",
        "lesson",
        "points",
        "max_points",
        "submission",
        "error",
    ])
    .map_err(|e| failed(&e))?;
    for g in grades {
        csv.write_record([
            defused(&g.student),
            defused(g.lesson.as_deref().unwrap_or("")),
            g.points.to_string(),
            g.max_points.to_string(),
            defused(&g.submission.display().to_string()),
            defused(g.error.as_deref().unwrap_or("")),
        ])
        .map_err(|e| failed(&e))?;
    }
    let bytes = csv.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}

/// JUnit XML: a test suite per submission, a test case per graded cell.
pub fn junit(grades: &[Grade]) -> Result<String, ReportError> {
    let mut report = Report::new("course grade");
    for g in grades {
        let key = g.key();
        let mut suite = TestSuite::new(key.as_str());
        suite.set_time(Duration::from_secs_f64(g.seconds));
        if g.cells.is_empty() {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(g.error.as_deref().unwrap_or("no graded cells"));
            let mut case = TestCase::new("submission", status);
            case.set_classname(key.as_str());
            suite.add_test_case(case);
        }
        for c in &g.cells {
            let status = if c.points < c.max_points {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_message(format!(
                        "{}: {}",
                        c.status.word(),
                        c.reason.lines().next().unwrap_or("")
                    ))
                    .set_description(c.reason.as_str());
                status
            } else {
                TestCaseStatus::success()
            };
            let mut case = TestCase::new(c.grade_id.as_str(), status);
            case.set_classname(key.as_str())
                .set_time(Duration::from_secs_f64(c.seconds));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.to_string().map_err(|e| ReportError::Serialise {
        what: "junit.xml",
        reason: e.to_string(),
    })
}

const STYLE: &str = "body{font-family:sans-serif;max-width:50em;margin:2em auto}\
    td,th{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}\
    .ok{color:#1b7a1b}.bad{color:#a61b1b}pre{white-space:pre-wrap;margin:0}";

/// A page for the student: the total, each check's outcome, and what was restored.
pub fn feedback(g: &Grade) -> Markup {
    page("Feedback", submission_section(g))
}

/// A whole feedback page around `body`, with the course's style.
pub fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
}

/// One submission's feedback: the total, each check's outcome, what was restored, and what
/// was refused or noticed.
pub fn submission_section(g: &Grade) -> Markup {
    html! {
        h1 { (g.student) " — " (g.lesson.as_deref().unwrap_or("unknown lesson")) }
        p { b { (g.points) " / " (g.max_points) " points" } }
        @if let Some(e) = &g.error {
            p.bad { "Could not be graded fully: " pre { (e) } }
        }
        table {
            tr { th {} th { "check" } th { "points" } th { "details" } }
            @for c in &g.cells {
                @let earned = c.points >= c.max_points;
                tr class=(if earned { "ok" } else { "bad" }) {
                    td { (if earned { "✓" } else { "✗" }) }
                    td { (c.grade_id) }
                    td { (c.points) " / " (c.max_points) }
                    td { pre { (c.reason) } }
                }
            }
        }
        @if !g.restored.is_empty() {
            h2 { "Cells restored from the lesson" }
            ul { @for r in &g.restored { li { (r) } } }
        }
        @if !g.review.is_empty() {
            h2 { "Refused or noticed in your cells" }
            ul { @for r in &g.review { li { (r) } } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::outcome::Status;
    use crate::grade::CellScore;
    use std::path::PathBuf;

    fn sample() -> Grade {
        Grade {
            submission: PathBuf::from("subs/o'brien, k/01-loss.ipynb"),
            student: "o'brien, k".into(),
            lesson: Some("01-loss".into()),
            points: 1.0,
            max_points: 3.0,
            error: None,
            grader_fault: false,
            restored: vec!["loss-sse-check: edited, restored from the lesson".into()],
            review: vec!["loss-sse: refused, line 1: `unsafe` code is not allowed".into()],
            cells: vec![
                CellScore {
                    grade_id: "a".into(),
                    cell: Some(3),
                    points: 1.0,
                    max_points: 1.0,
                    status: Status::Ok,
                    reason: String::new(),
                    seconds: 0.4,
                },
                CellScore {
                    grade_id: "b".into(),
                    cell: Some(5),
                    points: 0.0,
                    max_points: 2.0,
                    status: Status::Panic,
                    reason: "✗ MSE\n  expected: <0.25>".into(),
                    seconds: 0.5,
                },
            ],
            seconds: 3.0,
            kernel_reused: true,
        }
    }

    #[test]
    fn a_shard_with_no_submission_still_writes_its_results_folder_and_header() {
        let dir = tempfile::tempdir().unwrap();
        write_all(&[], dir.path()).unwrap();
        assert!(dir.path().join("results").is_dir());
        let csv = std::fs::read_to_string(dir.path().join("gradebook.csv")).unwrap();
        assert_eq!(csv, "student,lesson,points,max_points,submission,error\n");
    }

    #[test]
    fn the_gradebook_quotes_awkward_names() {
        let csv = gradebook(&[sample()]).unwrap();
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            "\"o'brien, k\",01-loss,1,3,\"subs/o'brien, k/01-loss.ipynb\","
        );
    }

    #[test]
    fn no_gradebook_cell_from_a_student_starts_a_formula() {
        let mut g = sample();
        g.student = "=HYPERLINK(\"http://x\")".into();
        g.submission = PathBuf::from("@SUM(A1)/01-loss.ipynb");
        g.error = Some("-1+1".into());
        let csv = gradebook(&[g]).unwrap();
        let row: Vec<String> = csv::Reader::from_reader(csv.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(row[0], "'=HYPERLINK(\"http://x\")");
        assert_eq!(row[4], "'@SUM(A1)/01-loss.ipynb");
        assert_eq!(row[5], "'-1+1");
        assert_eq!(defused("alice"), "alice");
    }

    #[test]
    fn junit_has_a_case_per_graded_cell_and_escapes_messages() {
        let x = junit(&[sample()]).unwrap();
        assert!(x.contains("tests=\"2\""), "{x}");
        assert!(x.contains("failures=\"1\""), "{x}");
        assert_eq!(x.matches("<testcase ").count(), 2);
        assert!(x.contains("message=\"panic: ✗ MSE\""), "{x}");
        assert!(x.contains("&lt;0.25&gt;"), "{x}");
    }

    #[test]
    fn feedback_shows_each_outcome_and_what_was_restored() {
        let h = feedback(&sample()).into_string();
        assert!(h.contains("1 / 3 points"), "{h}");
        assert!(
            h.contains("<td>✓</td><td>a</td>") && h.contains("<td>✗</td><td>b</td>"),
            "{h}"
        );
        assert!(h.contains("loss-sse-check: edited"));
        assert!(h.contains("loss-sse: refused, line 1: `unsafe`"), "{h}");
    }

    #[test]
    fn a_students_markup_in_feedback_is_text_not_script() {
        let mut g = sample();
        g.student = "<script>alert(1)</script>".into();
        g.cells[1].reason = "✗ <img src=x onerror=alert(2)>".into();
        let h = feedback(&g).into_string();
        assert!(!h.contains("<script>") && !h.contains("<img"), "{h}");
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{h}");
    }
}
