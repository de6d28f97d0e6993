//! `course grade`: scores students' notebooks against the lesson sources.
//!
//! Each submission is matched to its lesson, its locked cells (checks, hidden tests, the
//! lesson's own code) are restored from the source, outputs are cleared, and it runs in a
//! kernel of its own with time and memory limits. A graded cell earns its points when it
//! runs clean. Submissions are only ever read.

pub mod export;
pub mod folder;
pub mod gradebook;
pub mod merge;
pub mod scheduler;
pub mod screen;
pub mod stats;
pub mod validate;

use crate::exec::outcome::Status;
use crate::exec::{self, CellReport, ExecOptions, OutputDir};
use crate::notebook::nbgrader::{flag, grade_id, points, release, MarkerError};
use crate::notebook::{self, NotebookError};
use nbformat::v4::{self, Cell};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A lesson source that cannot be graded against.
#[derive(Debug, thiserror::Error)]
pub enum LessonError {
    /// The notebook could not be read.
    #[error(transparent)]
    Notebook(#[from] NotebookError),
    /// Its answer or hidden-test markers are unbalanced.
    #[error("{path}: {cause}")]
    Markers {
        /// The lesson.
        path: PathBuf,
        /// Where and what.
        cause: MarkerError,
    },
    /// Its folder cannot be used as the kernel's working folder.
    #[error(transparent)]
    Folder(#[from] exec::ExecError),
}

/// One lesson's instructor notebook, as grading needs it.
#[derive(Debug, Clone)]
pub struct Lesson {
    /// The notebook's file stem, e.g. `01-loss`.
    pub name: String,
    /// Its folder: kernels for its submissions start there.
    pub folder: PathBuf,
    /// The instructor's notebook.
    pub source: v4::Notebook,
    /// The student version (answers replaced by stubs).
    pub released: v4::Notebook,
}

impl Lesson {
    /// Reads a lesson source.
    pub fn load(path: &Path) -> Result<Lesson, LessonError> {
        let source = notebook::load(path)?;
        let (released, _) = release(&source).map_err(|source| LessonError::Markers {
            path: path.to_path_buf(),
            cause: source,
        })?;
        let folder = exec::notebook_folder(path)?;
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        Ok(Lesson {
            name,
            folder,
            source,
            released,
        })
    }

    fn grade_ids(&self) -> Vec<String> {
        self.source.cells.iter().filter_map(grade_id).collect()
    }

    /// The graded cells: (grade_id, points).
    pub fn graded(&self) -> Vec<(String, f64)> {
        self.source
            .cells
            .iter()
            .filter(|c| flag(c, "grade"))
            .filter_map(|c| Some((grade_id(c)?, points(c))))
            .collect()
    }

    /// Points possible.
    pub fn max_points(&self) -> f64 {
        self.graded().iter().map(|(_, p)| p).sum()
    }
}

/// The lesson a submission belongs to: by file name first, else by shared grade_ids.
pub fn match_lesson<'a>(
    path: &Path,
    nb: &v4::Notebook,
    lessons: &'a [Lesson],
) -> Option<&'a Lesson> {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    if let Some(lesson) = lessons.iter().find(|l| l.name == stem) {
        return Some(lesson);
    }
    let ids: Vec<String> = nb.cells.iter().filter_map(grade_id).collect();
    lessons
        .iter()
        .map(|l| (l, l.grade_ids().iter().filter(|g| ids.contains(g)).count()))
        .filter(|(_, shared)| *shared > 0)
        .max_by_key(|(_, shared)| *shared)
        .map(|(l, _)| l)
}

/// The notebook that is run: the submission with every locked cell restored from the source
/// (re-inserted where the student deleted it), answer cells as the student wrote them, and
/// no outputs. Returns it with a line per restoration.
pub fn assemble(lesson: &Lesson, submission: &v4::Notebook) -> (v4::Notebook, Vec<String>) {
    let locked: HashMap<String, &Cell> = lesson
        .source
        .cells
        .iter()
        .filter(|c| flag(c, "locked") || flag(c, "grade"))
        .filter_map(|c| Some((grade_id(c)?, c)))
        .collect();
    let mut restored = Vec::new();
    let mut cells: Vec<Cell> = Vec::new();
    for cell in &submission.cells {
        match grade_id(cell).and_then(|g| locked.get(&g).map(|c| (g, *c))) {
            Some((g, original)) => {
                if notebook::source(cell) != notebook::source(original) {
                    restored.push(format!("{g}: edited, restored from the lesson"));
                }
                cells.push(original.clone());
            }
            None => cells.push(cell.clone()),
        }
    }
    // Put back what was deleted: after the nearest earlier source cell that is present.
    let answers: HashMap<String, &Cell> = lesson
        .released
        .cells
        .iter()
        .filter_map(|c| Some((grade_id(c)?, c)))
        .collect();
    let mut anchor: Option<String> = None;
    for original in &lesson.source.cells {
        let Some(g) = grade_id(original) else {
            continue;
        };
        let present = cells
            .iter()
            .any(|c| grade_id(c).as_deref() == Some(g.as_str()));
        if !present {
            let (replacement, why) = if locked.contains_key(&g) {
                (original.clone(), "deleted, restored from the lesson")
            } else {
                (
                    answers[&g].clone(),
                    "deleted; the unanswered stub was run in its place",
                )
            };
            let at = anchor
                .as_ref()
                .and_then(|a| {
                    cells
                        .iter()
                        .position(|c| grade_id(c).as_deref() == Some(a.as_str()))
                })
                .map_or(0, |p| p + 1);
            cells.insert(at, replacement);
            restored.push(format!("{g}: {why}"));
        }
        anchor = Some(g);
    }
    let mut nb = submission.clone();
    nb.cells = cells;
    for cell in &mut nb.cells {
        notebook::set_outputs(cell, Vec::new(), None);
    }
    (nb, restored)
}

/// Screens every cell the student wrote (answers, and cells they added): a refused one is
/// replaced by a comment and a panic saying why, so it runs as unanswered; returns what was
/// noticed and refused, a line each, for the instructor to review.
///
/// Besides [`screen::screen`], a cell is refused when it uses a name an exercise forbids
/// (its answer's `backprop.forbid` in the *lesson*, never the submission's metadata): in the
/// exercise's answer, and in every other cell of the student's that runs before the
/// exercise's last check, since an alias defined there (`let s = sigmoid_prime;`) or a value
/// computed there would reach the answer or the check. Once the check has run the exercise
/// is over and the name is free again; another exercise's answer whose own solution in the
/// lesson uses the name may use it too.
pub fn screen_students_cells(lesson: &Lesson, nb: &mut v4::Notebook) -> Vec<String> {
    let sources = |wanted: &str| -> Vec<String> {
        lesson
            .source
            .cells
            .iter()
            .filter(|c| flag(c, wanted))
            .filter_map(notebook::source)
            .collect()
    };
    let (graded, solutions) = (sources("grade"), sources("solution"));
    let graded: Vec<&str> = graded.iter().map(String::as_str).collect();
    let solutions: Vec<&str> = solutions.iter().map(String::as_str).collect();
    let protected = screen::protected_names(&graded, &solutions);
    let lessons_own: Vec<String> = lesson
        .source
        .cells
        .iter()
        .filter(|c| flag(c, "locked") || flag(c, "grade"))
        .filter_map(grade_id)
        .collect();
    let forbids = forbidden_until(lesson, nb);
    let mut review = Vec::new();
    for (i, cell) in nb.cells.iter_mut().enumerate() {
        let id = grade_id(cell);
        if id.as_ref().is_some_and(|g| lessons_own.contains(g)) {
            continue;
        }
        let Some(code) = notebook::source(cell) else {
            continue;
        };
        let mut found = screen::screen(&code, &protected);
        let applies: Vec<screen::Forbid> = forbids
            .iter()
            .filter(|(f, until)| id.as_deref() == Some(f.exercise.as_str()) || i < *until)
            .map(|(f, _)| screen::Forbid {
                names: f
                    .names
                    .iter()
                    .filter(|n| id.as_ref().is_none_or(|g| !solution_uses(lesson, g, n)))
                    .cloned()
                    .collect(),
                ..f.clone()
            })
            .collect();
        found
            .refused
            .extend(screen::forbidden_uses(&code, &applies));
        let name = id.unwrap_or_else(|| format!("cell {}", i + 1));
        for why in &found.refused {
            review.push(format!("{name}: refused, {why}"));
        }
        for what in &found.noticed {
            review.push(format!("{name}: noticed, {what}"));
        }
        if !found.may_run() {
            notebook::set_source(cell, &refused_cell(&name, &found.refused));
        }
    }
    review
}

/// What runs in place of a refused cell: a comment per reason, then a block that panics with a
/// message
/// (a Rust string literal, escaped: the cell's name comes from the submission) names the cell
/// and the reasons, which the feedback of a check that needed the cell then shows.
fn refused_cell(name: &str, refused: &[String]) -> String {
    let plain = |text: &str| text.replace(|c: char| c.is_control(), " ");
    let comment: String = refused
        .iter()
        .map(|why| format!("// not run by the grader: {}\n", plain(why)))
        .collect();
    let message = format!("{name} was refused: {}", refused.join("; "));
    // In braces: evcxr reads a cell's first line of code that starts with `:` as a command.
    format!(
        "{comment}{{ ::std::todo!(\"{{}}\", {:?}); }}",
        plain(&message)
    )
}

/// Each exercise's forbidden names, read from the lesson, with the position in `nb` (the
/// notebook that runs) before which a student's cell may not use them: just past the
/// exercise's last check (the graded cells between its answer and the next answer in the
/// lesson), or the end of the notebook when it has none.
fn forbidden_until(lesson: &Lesson, nb: &v4::Notebook) -> Vec<(screen::Forbid, usize)> {
    let cells = &lesson.source.cells;
    let position = |g: &str| {
        nb.cells
            .iter()
            .position(|c| grade_id(c).as_deref() == Some(g))
    };
    let mut found = Vec::new();
    for (at, cell) in cells.iter().enumerate() {
        let names = notebook::nbgrader::forbidden(cell).unwrap_or_default();
        let Some(exercise) = grade_id(cell).filter(|_| !names.is_empty()) else {
            continue;
        };
        let checks: Vec<usize> = cells[at + 1..]
            .iter()
            .take_while(|c| !flag(c, "solution"))
            .filter(|c| flag(c, "grade"))
            .filter_map(|c| position(&grade_id(c)?))
            .collect();
        let until = checks.iter().max().map_or(nb.cells.len(), |last| last + 1);
        found.push((screen::Forbid { exercise, names }, until));
    }
    found
}

/// Whether the lesson's own answer `grade_id` uses `name` (then the name is that answer's to
/// use, whatever another exercise forbids).
fn solution_uses(lesson: &Lesson, grade: &str, name: &str) -> bool {
    let forbid = [screen::Forbid {
        exercise: String::new(),
        names: vec![name.to_string()],
    }];
    lesson
        .source
        .cells
        .iter()
        .filter(|c| flag(c, "solution") && grade_id(c).as_deref() == Some(grade))
        .filter_map(notebook::source)
        .any(|code| !screen::forbidden_uses(&code, &forbid).is_empty())
}

/// The score of one graded cell.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CellScore {
    /// The cell's nbgrader grade_id.
    pub grade_id: String,
    /// Position in the notebook that was run, from 1.
    pub cell: Option<usize>,
    /// Points earned.
    pub points: f64,
    /// Points possible.
    pub max_points: f64,
    /// What became of the cell.
    pub status: Status,
    /// Why points were lost (empty when earned).
    pub reason: String,
    /// Seconds the cell ran.
    pub seconds: f64,
}

/// The result of grading one submission.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Grade {
    /// The submission file, as given.
    pub submission: PathBuf,
    /// Who submitted it.
    pub student: String,
    /// The lesson it was matched to.
    pub lesson: Option<String>,
    /// Points earned.
    pub points: f64,
    /// Points possible (0 when the lesson is unknown).
    pub max_points: f64,
    /// Why the submission could not be graded fully, if so.
    pub error: Option<String>,
    /// The error was the grader's (the kernel would not start), not the submission's.
    pub grader_fault: bool,
    /// Locked cells put back, and why.
    pub restored: Vec<String>,
    /// What the grader noticed in the student's cells and refused to run, for an instructor
    /// to review: each line names the cell and the construct.
    #[serde(default)]
    pub review: Vec<String>,
    /// One score per graded cell.
    pub cells: Vec<CellScore>,
    /// Wall time spent grading it.
    pub seconds: f64,
    /// It ran on a kernel kept from an earlier submission, cleared and checked.
    #[serde(default)]
    pub kernel_reused: bool,
}

/// The student's name: the submission's folder when the file is named after its lesson
/// (`alice/01-loss.ipynb`), else the file's own name (`alice.ipynb`).
pub fn student_name(path: &Path, lessons: &[Lesson]) -> String {
    let stem = path
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .to_string();
    if lessons.iter().any(|l| l.name == stem) {
        if let Some(dir) = path.parent().and_then(|p| p.file_name()) {
            return dir.to_string_lossy().to_string();
        }
    }
    stem
}

/// Scores the graded cells from a run's cell reports.
pub fn score(lesson: &Lesson, reports: &[CellReport]) -> Vec<CellScore> {
    lesson
        .graded()
        .into_iter()
        .map(|(g, max_points)| {
            let report = reports
                .iter()
                .find(|r| r.grade_id.as_deref() == Some(g.as_str()));
            let Some(report) = report else {
                return CellScore {
                    grade_id: g,
                    cell: None,
                    points: 0.0,
                    max_points,
                    status: Status::NotRun,
                    reason: "not run".into(),
                    seconds: 0.0,
                };
            };
            let earned = report.outcome.status.passed();
            let mut reason = report.outcome.message.clone();
            if !earned && reason.contains("cannot find value") {
                // Blame the nearest earlier failure that is not itself a missing name (a
                // refused cell leaves the answer after it without a function or a value).
                let failed = || {
                    reports
                        .iter()
                        .rev()
                        .filter(|r| r.cell < report.cell && !r.outcome.status.passed())
                };
                let root = failed()
                    .find(|r| !r.outcome.message.contains("cannot find "))
                    .or_else(|| failed().next());
                if let Some(earlier) = root {
                    reason = format!(
                        "needs a value from cell {}, which did not run cleanly ({}): {}",
                        earlier.cell,
                        earlier.outcome.status.word(),
                        earlier
                            .outcome
                            .message
                            .lines()
                            .filter(|l| !l.trim().is_empty())
                            .take(3)
                            .collect::<Vec<_>>()
                            .join(" ")
                    );
                }
            }
            CellScore {
                grade_id: g,
                cell: Some(report.cell),
                points: if earned { max_points } else { 0.0 },
                max_points,
                status: report.outcome.status,
                reason,
                seconds: report.seconds,
            }
        })
        .collect()
}

/// How submissions are graded: the kernel and limits, and where reports go.
#[derive(Debug, Clone)]
pub struct GradeOptions {
    /// The kernel, its limits and the cell time limits (graders always keep going).
    pub exec: ExecOptions,
    /// Where results, feedback, executed copies and logs go.
    pub out: PathBuf,
    /// Kernels kept from one submission for the next ([`crate::exec::pool`]); none: a fresh
    /// kernel for every submission.
    pub pool: Option<std::sync::Arc<crate::exec::pool::Pool>>,
}

impl Grade {
    fn new(path: &Path, student: String) -> Grade {
        Grade {
            submission: path.to_path_buf(),
            student,
            lesson: None,
            points: 0.0,
            max_points: 0.0,
            error: None,
            grader_fault: false,
            restored: Vec::new(),
            review: Vec::new(),
            cells: Vec::new(),
            seconds: 0.0,
            kernel_reused: false,
        }
    }

    /// A submission the grader itself failed on (its task panicked, say): no points, the
    /// grader's fault, with the cause.
    pub fn grader_failed(path: &Path, lessons: &[Lesson], cause: String) -> Grade {
        let mut grade = Grade::new(path, student_name(path, lessons));
        grade.error = Some(cause);
        grade.grader_fault = true;
        grade
    }

    /// The key that names its result, feedback and executed copy: `student--lesson`.
    pub fn key(&self) -> String {
        format!(
            "{}--{}",
            safe(&self.student),
            self.lesson.as_deref().unwrap_or("unknown")
        )
    }
}

/// Grades one submission; never fails, never writes to the submission.
///
/// The blame is the grader's (`grader_fault`) when its kernel would not start, the protocol
/// failed, or the kernel process was lost while running the notebook: none of those gives the
/// submission its points, and each is reported for the instructor to look at. A submission
/// that cannot be read or matched to a lesson is the submission's own fault.
pub async fn grade(path: &Path, lessons: &[Lesson], opts: &GradeOptions) -> Grade {
    let started = Instant::now();
    let mut grade = Grade::new(path, student_name(path, lessons));
    grade_into(&mut grade, path, lessons, opts).await;
    grade.points = grade.cells.iter().map(|c| c.points).sum();
    grade.seconds = started.elapsed().as_secs_f64();
    grade
}

async fn grade_into(grade: &mut Grade, path: &Path, lessons: &[Lesson], opts: &GradeOptions) {
    let submission = match notebook::load(path) {
        Ok(nb) => nb,
        Err(e) => {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            if let Some(lesson) = lessons.iter().find(|l| l.name == stem) {
                grade.lesson = Some(lesson.name.clone());
                grade.max_points = lesson.max_points();
            }
            grade.error = Some(e.to_string());
            return;
        }
    };
    let Some(lesson) = match_lesson(path, &submission, lessons) else {
        grade.error = Some(format!(
            "{} matches no lesson (by file name or by nbgrader grade_ids)",
            path.display()
        ));
        return;
    };
    grade.lesson = Some(lesson.name.clone());
    grade.max_points = lesson.max_points();
    let (mut nb, restored) = assemble(lesson, &submission);
    grade.restored = restored;
    grade.review = screen_students_cells(lesson, &mut nb);
    let key = grade.key();
    let out = OutputDir(opts.out.join("executed"));
    let log = OutputDir(opts.out.clone()).log(&key);
    let mut reports = Vec::new();
    let result = match &opts.pool {
        Some(pool) => {
            pool.execute(&mut nb, &lesson.folder, &log, &opts.exec, &mut reports)
                .await
        }
        None => exec::execute(&mut nb, &lesson.folder, &log, &opts.exec, &mut reports).await,
    };
    grade.kernel_reused = result.as_ref().is_ok_and(|stats| stats.reused);
    if let Err(e) = &result {
        grade.error = Some(e.to_string());
        grade.grader_fault = true;
    } else if let Some(lost) = reports
        .iter()
        .find(|r| r.outcome.status == Status::KernelLost)
    {
        grade.error = Some(format!(
            "the kernel was lost in cell {}: {}; the cells after it were not run",
            lost.cell, lost.outcome.message
        ));
        grade.grader_fault = true;
    }
    if let Err(e) = notebook::save(&nb, &out.executed(&key)) {
        grade.error.get_or_insert(e.to_string());
    }
    grade.cells = score(lesson, &reports);
}

/// A file-name-safe form of a student's name.
pub fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Whether a submission falls in shard `index` (1-based) of `count`: a stable hash of its
/// path, so each file lands in the same shard on every machine.
pub fn in_shard(path: &Path, index: usize, count: usize) -> bool {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in path.to_string_lossy().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % count as u64) as usize == index - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(id: &str, src: &str, meta: serde_json::Value) -> serde_json::Value {
        serde_json::json!({"cell_type": "code", "id": id, "metadata": {"nbgrader": meta},
            "execution_count": 3, "source": src, "outputs": [{"output_type": "stream", "name": "stdout", "text": "✓ forged\n"}]})
    }

    fn lesson() -> Lesson {
        let nb = serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            cell("a", "let y = 1;", serde_json::json!({"grade_id": "setup", "locked": true, "solution": false, "grade": false})),
            cell("b", "let x = {\n// BEGIN SOLUTION\n2\n// END SOLUTION\n};", serde_json::json!({"grade_id": "answer", "locked": false, "solution": true, "grade": false})),
            cell("c", "assert_eq!(x, 2);", serde_json::json!({"grade_id": "check", "locked": true, "solution": false, "grade": true, "points": 2})),
        ]});
        let source = notebook::parse(&nb.to_string()).unwrap();
        let (released, _) = release(&source).unwrap();
        Lesson {
            name: "01-x".into(),
            folder: PathBuf::from("."),
            source,
            released,
        }
    }

    fn submission(cells: Vec<serde_json::Value>) -> v4::Notebook {
        let nb =
            serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells});
        notebook::parse(&nb.to_string()).unwrap()
    }

    #[test]
    fn an_edited_check_is_restored_and_the_answer_kept() {
        let l = lesson();
        let sub = submission(vec![
            cell(
                "a",
                "let y = 1;",
                serde_json::json!({"grade_id": "setup", "locked": true}),
            ),
            cell(
                "b",
                "let x = 2;",
                serde_json::json!({"grade_id": "answer", "solution": true}),
            ),
            cell(
                "c",
                "// I trust myself",
                serde_json::json!({"grade_id": "check", "locked": true, "grade": true}),
            ),
        ]);
        let (nb, restored) = assemble(&l, &sub);
        let sources: Vec<String> = nb.cells.iter().filter_map(notebook::source).collect();
        assert_eq!(sources, ["let y = 1;", "let x = 2;", "assert_eq!(x, 2);"]);
        assert_eq!(restored, ["check: edited, restored from the lesson"]);
        assert!(nb.cells.iter().all(
            |c| matches!(c, Cell::Code { outputs, execution_count: None, .. } if outputs.is_empty())
        ));
    }

    #[test]
    fn deleted_cells_come_back_in_place() {
        let l = lesson();
        let sub = submission(vec![cell(
            "b",
            "let x = 2;",
            serde_json::json!({"grade_id": "answer", "solution": true}),
        )]);
        let (nb, restored) = assemble(&l, &sub);
        let ids: Vec<String> = nb.cells.iter().filter_map(grade_id).collect();
        assert_eq!(ids, ["setup", "answer", "check"]);
        assert_eq!(restored.len(), 2);
        let none = submission(vec![]);
        let (nb, restored) = assemble(&l, &none);
        assert!(notebook::source(&nb.cells[1]).unwrap().contains("todo!("));
        assert!(restored[1].contains("stub"), "{restored:?}");
    }

    #[test]
    fn refused_student_cells_run_as_unanswered_and_are_named_for_review() {
        let l = lesson();
        let sub = submission(vec![
            cell(
                "b",
                "macro_rules! assert_eq { ($a:expr, $b:expr) => {} }\nlet x = 3;",
                serde_json::json!({"grade_id": "answer", "solution": true}),
            ),
            cell("z", "unsafe { }", serde_json::json!({})),
            cell(
                "y",
                "let fine = 1; // unsafe in a comment",
                serde_json::json!({}),
            ),
        ]);
        let (mut nb, _) = assemble(&l, &sub);
        let review = screen_students_cells(&l, &mut nb);
        let sources: Vec<String> = nb.cells.iter().filter_map(notebook::source).collect();
        assert!(
            sources[1].starts_with("// not run by the grader: line 1:"),
            "{sources:?}"
        );
        assert!(
            sources[1].ends_with(
                "::std::todo!(\"{}\", \"answer was refused: line 1: `macro_rules!` (a macro can \
                 stand in for a check's) is not allowed in answers\"); }"
            ),
            "{sources:?}"
        );
        assert_eq!(sources[2], "assert_eq!(x, 2);");
        assert!(
            sources[3].contains(
                "::std::todo!(\"{}\", \"cell 4 was refused: line 1: `unsafe` code is not allowed \
                 in answers\")"
            ),
            "{sources:?}"
        );
        assert_eq!(sources[4], "let fine = 1; // unsafe in a comment");
        assert_eq!(review.len(), 2, "{review:?}");
        assert!(
            review[0].starts_with("answer: refused, line 1:"),
            "{review:?}"
        );
        assert!(
            review[1].starts_with("cell 4: refused, line 1:"),
            "{review:?}"
        );
    }

    /// A lesson whose answer `slope` must be done without `sigmoid_prime`, then a later
    /// exercise whose own solution uses it.
    fn forbidding_lesson() -> Lesson {
        let nb = serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            cell("a", "let h = 0.7;", serde_json::json!({"grade_id": "setup", "locked": true})),
            serde_json::json!({"cell_type": "code", "id": "b", "execution_count": null, "outputs": [],
                "source": "let slope = {\n// BEGIN SOLUTION\nlet s = sigmoid(h);\ns * (1.0 - s)\n// END SOLUTION\n};",
                "metadata": {"nbgrader": {"grade_id": "slope", "solution": true},
                             "backprop": {"forbid": ["sigmoid_prime"]}}}),
            cell("c", "check_slope(slope);", serde_json::json!({"grade_id": "slope-check", "locked": true, "grade": true, "points": 1})),
            cell("d", "let step = {\n// BEGIN SOLUTION\nsigmoid_prime(h)\n// END SOLUTION\n};", serde_json::json!({"grade_id": "step", "solution": true})),
            cell("e", "check_step(step);", serde_json::json!({"grade_id": "step-check", "locked": true, "grade": true, "points": 1})),
        ]});
        let source = notebook::parse(&nb.to_string()).unwrap();
        let (released, _) = release(&source).unwrap();
        Lesson {
            name: "03-x".into(),
            folder: PathBuf::from("."),
            source,
            released,
        }
    }

    /// The review and the sources that run, for a submission of `forbidding_lesson` whose
    /// cells are `cells` (grade_id or none, source; a `…check` is the lesson's, restored).
    fn screened(cells: &[(Option<&str>, &str)]) -> (Vec<String>, Vec<String>) {
        let cells = cells
            .iter()
            .enumerate()
            .map(|(i, (g, src))| {
                let meta = g.map_or(
                    serde_json::json!({}),
                    |g| serde_json::json!({"grade_id": g, "solution": true}),
                );
                cell(&format!("s{i}"), src, meta)
            })
            .collect();
        let l = forbidding_lesson();
        let (mut nb, _) = assemble(&l, &submission(cells));
        let review = screen_students_cells(&l, &mut nb);
        (
            review,
            nb.cells.iter().filter_map(notebook::source).collect(),
        )
    }

    const SLOPE_FORBIDS: &str = "uses `sigmoid_prime`, which exercise slope must be done \
                                 without: it asks for your own code, not the library's";

    #[test]
    fn an_answer_calling_the_item_its_exercise_forbids_runs_as_refused_with_the_reason() {
        let (review, sources) = screened(&[
            (Some("slope"), "let slope = sigmoid_prime(h);"),
            (Some("slope-check"), ""),
            (Some("step"), "let step = sigmoid_prime(h);"),
        ]);
        assert_eq!(review, [format!("slope: refused, line 1: {SLOPE_FORBIDS}")]);
        assert_eq!(
            sources[1],
            format!(
                "// not run by the grader: line 1: {SLOPE_FORBIDS}\n\
                 {{ ::std::todo!(\"{{}}\", \"slope was refused: line 1: {SLOPE_FORBIDS}\"); }}"
            )
        );
        assert_eq!(sources[3], "let step = sigmoid_prime(h);");
    }

    #[test]
    fn an_alias_defined_in_an_added_cell_before_the_check_is_refused_and_after_it_is_free() {
        let (review, sources) = screened(&[
            (None, "let mine = |x: f64| sigmoid_prime(x);"),
            (Some("slope"), "let slope = mine(h);"),
            (Some("slope-check"), ""),
            (None, "let later = sigmoid_prime(0.1);"),
        ]);
        assert_eq!(
            review,
            [format!("cell 2: refused, line 1: {SLOPE_FORBIDS}")]
        );
        assert!(sources[1].contains("todo!"), "{sources:?}");
        assert_eq!(sources[2], "let slope = mine(h);");
        assert!(
            sources
                .iter()
                .any(|s| s == "let later = sigmoid_prime(0.1);"),
            "{sources:?}"
        );
    }

    #[test]
    fn a_cell_shadowing_the_answer_between_it_and_its_check_is_refused() {
        let (review, _) = screened(&[
            (Some("slope"), "let slope = 0.2;"),
            (None, "let slope = sigmoid_prime(h);"),
            (Some("slope-check"), ""),
        ]);
        assert_eq!(
            review,
            [format!("cell 3: refused, line 1: {SLOPE_FORBIDS}")]
        );
    }

    #[test]
    fn the_forbidden_names_come_from_the_lesson_not_from_the_submissions_metadata() {
        let l = forbidding_lesson();
        let mut answer = cell(
            "s",
            "let slope = sigmoid_prime(h);",
            serde_json::json!({"grade_id": "slope", "solution": true}),
        );
        answer["metadata"]["backprop"] = serde_json::json!({"forbid": []});
        let (mut nb, _) = assemble(&l, &submission(vec![answer]));
        let review = screen_students_cells(&l, &mut nb);
        assert_eq!(review, [format!("slope: refused, line 1: {SLOPE_FORBIDS}")]);
    }

    #[test]
    fn a_refused_cells_name_from_the_submission_cannot_break_out_of_the_panic_message() {
        let l = lesson();
        let evil = "x\"); unsafe { evil() }; (\"\n";
        let sub = submission(vec![cell(
            "z",
            "unsafe {}",
            serde_json::json!({"grade_id": evil}),
        )]);
        let (mut nb, _) = assemble(&l, &sub);
        screen_students_cells(&l, &mut nb);
        let run = nb.cells.iter().rev().find_map(notebook::source).unwrap();
        assert!(
            run.ends_with(
                "::std::todo!(\"{}\", \"x\\\"); unsafe { evil() }; (\\\"  was refused: line 1: \
                 `unsafe` code is not allowed in answers\"); }"
            ),
            "{run}"
        );
    }

    #[test]
    fn every_lessons_solution_and_student_version_pass_the_screen_and_its_forbidden_items() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../notebooks");
        let paths = crate::project::discover(&[dir]).unwrap();
        let mut forbidding = 0;
        for path in &paths {
            let lesson = Lesson::load(path).unwrap();
            for nb in [&lesson.source, &lesson.released] {
                let (mut run, _) = assemble(&lesson, nb);
                let review = screen_students_cells(&lesson, &mut run);
                let refused: Vec<&String> = review
                    .iter()
                    .filter(|r| r.contains(": refused, "))
                    .collect();
                assert!(refused.is_empty(), "{}: {refused:?}", path.display());
            }
            forbidding += forbidden_until(&lesson, &lesson.source).len();
        }
        assert!(
            forbidding >= FORBIDDING_EXERCISES,
            "{forbidding} exercises forbid items"
        );
    }

    /// How many of the lessons' exercises name library items they must be done without.
    const FORBIDDING_EXERCISES: usize = 13;

    #[test]
    fn lesson_3s_slope_answered_by_sigmoid_prime_is_refused_even_with_its_metadata_removed() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../notebooks/03-single-unit.ipynb");
        let lesson = Lesson::load(&path).unwrap();
        let mut sub = lesson.released.clone();
        let answer = sub
            .cells
            .iter_mut()
            .find(|c| grade_id(c).as_deref() == Some("unit-slope"))
            .unwrap();
        notebook::set_source(
            answer,
            "let slope: f64 = backprop::prelude::sigmoid_prime(0.7);",
        );
        if let Cell::Code { metadata, .. } = answer {
            metadata.additional.remove("backprop");
        }
        for judge in [&lesson, &validate::released(&lesson)] {
            let (mut run, _) = assemble(judge, &sub);
            let review = screen_students_cells(judge, &mut run);
            assert_eq!(
                review,
                [
                    "unit-slope: refused, line 1: uses `sigmoid_prime`, which exercise unit-slope \
                  must be done without: it asks for your own code, not the library's"
                ]
            );
        }
    }

    #[test]
    fn lessons_match_by_name_then_by_grade_ids() {
        let l = vec![lesson()];
        let sub = submission(vec![cell(
            "z",
            "",
            serde_json::json!({"grade_id": "check"}),
        )]);
        assert!(match_lesson(Path::new("x/01-x.ipynb"), &submission(vec![]), &l).is_some());
        assert!(match_lesson(Path::new("x/anything.ipynb"), &sub, &l).is_some());
        assert!(match_lesson(Path::new("x/other.ipynb"), &submission(vec![]), &l).is_none());
        assert_eq!(
            student_name(Path::new("subs/alice/01-x.ipynb"), &l),
            "alice"
        );
        assert_eq!(student_name(Path::new("subs/bob.ipynb"), &l), "bob");
    }

    #[test]
    fn shards_split_a_class_without_overlap() {
        let paths: Vec<PathBuf> = (0..50)
            .map(|i| PathBuf::from(format!("s/{i}/01.ipynb")))
            .collect();
        let counts: Vec<usize> = (1..=3)
            .map(|i| paths.iter().filter(|p| in_shard(p, i, 3)).count())
            .collect();
        assert_eq!(counts.iter().sum::<usize>(), 50);
        assert!(counts.iter().all(|&c| c > 5), "{counts:?}");
    }
}
