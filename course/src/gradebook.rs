//! What `course grade` writes: a JSON result and a feedback page per submission, a CSV
//! gradebook, and JUnit XML for CI dashboards.

use crate::grade::{safe, Grade};
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::Path;

fn key(g: &Grade) -> String {
    format!(
        "{}--{}",
        safe(&g.student),
        g.lesson.as_deref().unwrap_or("unknown")
    )
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Writes every report for `grades` under `out`.
pub fn write_all(grades: &[Grade], out: &Path) -> Result<()> {
    let write = |path: &Path, text: String| -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    for g in grades {
        write(
            &out.join("results").join(format!("{}.json", key(g))),
            serde_json::to_string_pretty(g)? + "\n",
        )?;
        write(
            &out.join("feedback").join(format!("{}.html", key(g))),
            feedback(g),
        )?;
    }
    write(&out.join("gradebook.csv"), gradebook(grades))?;
    write(&out.join("junit.xml"), junit(grades))?;
    Ok(())
}

/// One row per submission: student, lesson, points, max, and why grading failed if it did.
pub fn gradebook(grades: &[Grade]) -> String {
    let mut csv = String::from("student,lesson,points,max_points,submission,error\n");
    for g in grades {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{}",
            csv_field(&g.student),
            csv_field(g.lesson.as_deref().unwrap_or("")),
            g.points,
            g.max_points,
            csv_field(&g.submission.display().to_string()),
            csv_field(g.error.as_deref().unwrap_or(""))
        );
    }
    csv
}

/// JUnit XML: a test suite per submission, a test case per graded cell.
pub fn junit(grades: &[Grade]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"course grade\">\n",
    );
    for g in grades {
        let failures = g.cells.iter().filter(|c| c.points < c.max_points).count()
            + usize::from(g.error.is_some() && g.cells.is_empty());
        let tests = g.cells.len().max(1);
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" time=\"{:.3}\">",
            xml(&key(g)),
            g.seconds
        );
        if g.cells.is_empty() {
            let why = g.error.as_deref().unwrap_or("no graded cells");
            let _ = writeln!(
                x,
                "    <testcase classname=\"{}\" name=\"submission\"><failure message=\"{}\"/></testcase>",
                xml(&key(g)),
                xml(why)
            );
        }
        for c in &g.cells {
            let _ = write!(
                x,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\">",
                xml(&key(g)),
                xml(&c.grade_id),
                c.seconds
            );
            if c.points < c.max_points {
                let _ = write!(
                    x,
                    "<failure message=\"{}: {}\">{}</failure>",
                    c.status.word(),
                    xml(c.reason.lines().next().unwrap_or("")),
                    xml(&c.reason)
                );
            }
            x.push_str("</testcase>\n");
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// A page for the student: the total, each check's outcome, and what was restored.
pub fn feedback(g: &Grade) -> String {
    let mut h = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Feedback</title><style>\
         body{font-family:sans-serif;max-width:50em;margin:2em auto}\
         td,th{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}\
         .ok{color:#1b7a1b}.bad{color:#a61b1b}pre{white-space:pre-wrap;margin:0}</style></head><body>\n",
    );
    let _ = writeln!(
        h,
        "<h1>{} — {}</h1>\n<p><b>{} / {} points</b></p>",
        xml(&g.student),
        xml(g.lesson.as_deref().unwrap_or("unknown lesson")),
        g.points,
        g.max_points
    );
    if let Some(e) = &g.error {
        let _ = writeln!(
            h,
            "<p class=\"bad\">Could not be graded fully: <pre>{}</pre></p>",
            xml(e)
        );
    }
    h.push_str("<table><tr><th></th><th>check</th><th>points</th><th>details</th></tr>\n");
    for c in &g.cells {
        let (mark, class) = if c.points >= c.max_points {
            ("✓", "ok")
        } else {
            ("✗", "bad")
        };
        let _ = writeln!(
            h,
            "<tr class=\"{class}\"><td>{mark}</td><td>{}</td><td>{} / {}</td><td><pre>{}</pre></td></tr>",
            xml(&c.grade_id),
            c.points,
            c.max_points,
            xml(&c.reason)
        );
    }
    h.push_str("</table>\n");
    if !g.restored.is_empty() {
        h.push_str("<h2>Cells restored from the lesson</h2><ul>\n");
        for r in &g.restored {
            let _ = writeln!(h, "<li>{}</li>", xml(r));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::CellScore;
    use crate::outcome::Status;
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
        }
    }

    #[test]
    fn the_gradebook_quotes_awkward_names() {
        let csv = gradebook(&[sample()]);
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            "\"o'brien, k\",01-loss,1,3,\"subs/o'brien, k/01-loss.ipynb\","
        );
    }

    #[test]
    fn junit_has_a_case_per_graded_cell_and_escapes_messages() {
        let x = junit(&[sample()]);
        assert!(x.contains("tests=\"2\" failures=\"1\""), "{x}");
        assert_eq!(x.matches("<testcase ").count(), 2);
        assert!(x.contains("message=\"panic: ✗ MSE\""), "{x}");
        assert!(x.contains("&lt;0.25&gt;"), "{x}");
    }

    #[test]
    fn feedback_shows_each_outcome_and_what_was_restored() {
        let h = feedback(&sample());
        assert!(h.contains("1 / 3 points"));
        assert!(h.contains("<td>✓</td><td>a</td>") && h.contains("<td>✗</td><td>b</td>"));
        assert!(h.contains("loss-sse-check: edited"));
    }
}
