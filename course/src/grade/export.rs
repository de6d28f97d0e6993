//! Grades in the CSV layouts learning platforms import (Canvas, Moodle, or a plain table),
//! one row per student and one column per lesson, and a feedback page per student that
//! gathers their lessons' feedback.
//!
//! The student's name is the one grading knows: the submission's folder (or file) name.
//! Every cell from a student goes through [`defused`], so no cell starts a formula.

use super::gradebook::save;
use super::gradebook::{self, defused, ReportError};
use super::{safe, Grade};
use maud::{html, Markup};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A platform's import layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Canvas's gradebook import: `Student, ID, SIS User ID, SIS Login ID, Section`, a
    /// column per assignment, and a `Points Possible` row.
    Canvas,
    /// Moodle's CSV grade import: `Username` to map users by, a column per grade item.
    Moodle,
    /// A plain table: `student`, a column per lesson, `total`.
    Csv,
}

impl Format {
    /// Its name on the command line and in the file written.
    pub fn name(self) -> &'static str {
        match self {
            Format::Canvas => "canvas",
            Format::Moodle => "moodle",
            Format::Csv => "csv",
        }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Format, String> {
        [Format::Canvas, Format::Moodle, Format::Csv]
            .into_iter()
            .find(|f| f.name() == text)
            .ok_or_else(|| format!("unknown format `{text}`: expected canvas, moodle or csv"))
    }
}

/// Every student's points per lesson: student → lesson → grade, both sorted by name.
struct Roster<'a> {
    lessons: Vec<&'a str>,
    students: BTreeMap<&'a str, BTreeMap<&'a str, &'a Grade>>,
}

impl<'a> Roster<'a> {
    fn new(grades: &'a [Grade]) -> Roster<'a> {
        let mut lessons = BTreeSet::new();
        let mut students: BTreeMap<&str, BTreeMap<&str, &Grade>> = BTreeMap::new();
        for g in grades {
            let row = students.entry(g.student.as_str()).or_default();
            if let Some(lesson) = g.lesson.as_deref() {
                lessons.insert(lesson);
                row.insert(lesson, g);
            }
        }
        Roster {
            lessons: lessons.into_iter().collect(),
            students,
        }
    }

    /// Points possible per lesson, from any submission of it.
    fn max_points(&self) -> Vec<String> {
        self.lessons
            .iter()
            .map(|l| {
                let of_lesson = self.students.values().filter_map(|row| row.get(l));
                of_lesson
                    .map(|g| g.max_points)
                    .fold(0.0, f64::max)
                    .to_string()
            })
            .collect()
    }

    /// A student's points per lesson; empty where they handed nothing in.
    fn points(&self, row: &BTreeMap<&str, &Grade>) -> Vec<String> {
        self.lessons
            .iter()
            .map(|l| row.get(l).map(|g| g.points.to_string()).unwrap_or_default())
            .collect()
    }
}

/// The CSV for `format`: a header, then one row per student.
pub fn table(grades: &[Grade], format: Format) -> Result<String, ReportError> {
    let roster = Roster::new(grades);
    let lessons = roster.lessons.iter().map(|l| l.to_string());
    let mut rows: Vec<Vec<String>> = vec![match format {
        Format::Canvas => fixed(&["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]),
        Format::Moodle => fixed(&["Username"]),
        Format::Csv => fixed(&["student"]),
    }];
    rows[0].extend(lessons);
    if format == Format::Csv {
        rows[0].push("total".into());
    }
    if format == Format::Canvas {
        let mut possible = fixed(&["Points Possible", "", "", "", ""]);
        possible.extend(roster.max_points());
        rows.push(possible);
    }
    for (student, row) in &roster.students {
        rows.push(student_row(format, student, roster.points(row), row));
    }
    csv_text(&rows, format)
}

fn fixed(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// The student's name fills `Student` and `SIS Login ID` on Canvas (ID, SIS User ID and
/// Section stay empty), `Username` on Moodle.
fn student_row(
    format: Format,
    student: &str,
    points: Vec<String>,
    row: &BTreeMap<&str, &Grade>,
) -> Vec<String> {
    let name = defused(student);
    let mut cells = match format {
        Format::Canvas => vec![
            name.clone(),
            String::new(),
            String::new(),
            name,
            String::new(),
        ],
        Format::Moodle | Format::Csv => vec![name],
    };
    cells.extend(points);
    if format == Format::Csv {
        cells.push(row.values().map(|g| g.points).sum::<f64>().to_string());
    }
    cells
}

fn csv_text(rows: &[Vec<String>], format: Format) -> Result<String, ReportError> {
    let failed = |e: &dyn std::fmt::Display| ReportError::Serialise {
        what: format.name(),
        reason: e.to_string(),
    };
    let mut csv = csv::Writer::from_writer(Vec::new());
    for row in rows {
        csv.write_record(row).map_err(|e| failed(&e))?;
    }
    let bytes = csv.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}

/// A student's page: a table of their lessons, then each lesson's own feedback.
pub fn student_feedback(student: &str, grades: &[&Grade]) -> Markup {
    let body = html! {
        h1 { (student) }
        table {
            tr { th { "lesson" } th { "points" } }
            @for g in grades {
                tr { td { (g.lesson.as_deref().unwrap_or("unknown")) } td { (g.points) " / " (g.max_points) } }
            }
        }
        @for g in grades { section { hr; (gradebook::submission_section(g)) } }
    };
    gradebook::page(student, body)
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// The CSV.
    pub table: PathBuf,
    /// The feedback pages, one per student.
    pub feedback: Vec<PathBuf>,
}

/// Writes `<format>.csv` and `feedback/<student>.html` for every student into `out`.
pub fn write(grades: &[Grade], format: Format, out: &Path) -> Result<Exported, ReportError> {
    let table_path = out.join(format!("{}.csv", format.name()));
    save(&table_path, &table(grades, format)?)?;
    let mut by_student: BTreeMap<&str, Vec<&Grade>> = BTreeMap::new();
    for g in grades {
        by_student.entry(g.student.as_str()).or_default().push(g);
    }
    let mut feedback = Vec::new();
    for (student, grades) in by_student {
        let path = out.join("feedback").join(format!("{}.html", safe(student)));
        save(&path, &student_feedback(student, &grades).into_string())?;
        feedback.push(path);
    }
    Ok(Exported {
        table: table_path,
        feedback,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::outcome::Status::{Ok, Panic};
    use crate::grade::folder::tests::sample;

    fn class() -> Vec<Grade> {
        vec![
            sample(
                "bo",
                "01-loss",
                &[("a", 1.0, 1.0, Ok, ""), ("b", 0.0, 2.0, Panic, "✗ MSE")],
            ),
            sample("ana", "02-gd", &[("s", 3.0, 3.0, Ok, "")]),
            sample(
                "ana",
                "01-loss",
                &[("a", 1.0, 1.0, Ok, ""), ("b", 2.0, 2.0, Ok, "")],
            ),
        ]
    }

    #[test]
    fn canvas_gets_its_id_columns_a_points_possible_row_and_a_column_per_lesson() {
        assert_eq!(
            table(&class(), Format::Canvas).unwrap(),
            "Student,ID,SIS User ID,SIS Login ID,Section,01-loss,02-gd\n\
             Points Possible,,,,,3,3\n\
             ana,,,ana,,3,3\n\
             bo,,,bo,,1,\n"
        );
    }

    #[test]
    fn moodle_gets_a_username_column_and_a_column_per_lesson() {
        assert_eq!(
            table(&class(), Format::Moodle).unwrap(),
            "Username,01-loss,02-gd\nana,3,3\nbo,1,\n"
        );
    }

    #[test]
    fn the_plain_table_adds_each_students_total() {
        assert_eq!(
            table(&class(), Format::Csv).unwrap(),
            "student,01-loss,02-gd,total\nana,3,3,6\nbo,1,,1\n"
        );
    }

    #[test]
    fn a_name_that_looks_like_a_formula_is_defused_in_every_column() {
        let grades = vec![sample(
            "=HYPERLINK(\"http://x\")",
            "01-loss",
            &[("a", 1.0, 1.0, Ok, "")],
        )];
        let canvas = table(&grades, Format::Canvas).unwrap();
        let row = canvas.lines().nth(2).unwrap();
        assert_eq!(
            row,
            "\"'=HYPERLINK(\"\"http://x\"\")\",,,\"'=HYPERLINK(\"\"http://x\"\")\",,1"
        );
        let moodle = table(&grades, Format::Moodle).unwrap();
        assert_eq!(
            moodle.lines().nth(1).unwrap(),
            "\"'=HYPERLINK(\"\"http://x\"\")\",1"
        );
    }

    #[test]
    fn formats_are_read_by_name() {
        assert_eq!(
            "canvas".parse(),
            std::result::Result::<Format, String>::Ok(Format::Canvas)
        );
        assert_eq!("moodle".parse::<Format>().unwrap(), Format::Moodle);
        assert_eq!(
            "excel".parse::<Format>().unwrap_err(),
            "unknown format `excel`: expected canvas, moodle or csv"
        );
    }

    #[test]
    fn each_student_gets_one_page_with_every_lesson_and_markup_as_text() {
        let mut grades = class();
        grades[2].cells[1].reason = "<script>alert(1)</script>".into();
        let dir = tempfile::tempdir().unwrap();
        let done = write(&grades, Format::Moodle, dir.path()).unwrap();
        assert_eq!(done.table, dir.path().join("moodle.csv"));
        assert_eq!(
            done.feedback,
            [
                dir.path().join("feedback/ana.html"),
                dir.path().join("feedback/bo.html")
            ]
        );
        let ana = std::fs::read_to_string(&done.feedback[0]).unwrap();
        assert_eq!(ana.matches("<!DOCTYPE html>").count(), 1);
        assert_eq!(ana.matches("<body>").count(), 1);
        assert!(
            ana.contains("<h1>ana — 02-gd</h1>") && ana.contains("<h1>ana — 01-loss</h1>"),
            "{ana}"
        );
        assert!(ana.contains("<td>02-gd</td><td>3 / 3</td>"), "{ana}");
        assert!(
            ana.contains("<style>") && !ana.contains("<script>"),
            "{ana}"
        );
    }
}
