//! nbgrader's conventions: the cell metadata that marks answers, checks and locked cells,
//! and the student version of a lesson made from the instructor's notebook.
//!
//! Answers between `// BEGIN SOLUTION` and `// END SOLUTION` become a stub that compiles and
//! panics with a clear message until the student answers; hidden tests between
//! `// BEGIN HIDDEN TESTS` and `// END HIDDEN TESTS` are removed; outputs are cleared; cell
//! metadata (nbgrader's included) is kept.
//!
//! Beside nbgrader's metadata, an answer cell may carry the course's own, under `backprop`:
//!
//! ```json
//! "metadata": {
//!   "nbgrader": {"grade_id": "unit-slope", "solution": true, ...},
//!   "backprop": {"forbid": ["sigmoid_prime", "f_prime"]}
//! }
//! ```
//!
//! `forbid` lists the names (library items, or a notebook variable that holds the answer)
//! the exercise must be done without: the grader refuses a learner's cell that uses one (see
//! [`crate::grade::screen::forbidden_uses`]). The student version keeps the list, so
//! `course validate` says the same thing; the grader reads it from the instructor's lesson,
//! never from the submission, whose metadata the learner can edit.

use nbformat::v4::{self, Cell};

/// Marks the start of an answer in a code cell.
pub const BEGIN_SOLUTION: &str = "// BEGIN SOLUTION";
/// Marks the end of an answer.
pub const END_SOLUTION: &str = "// END SOLUTION";
/// Marks the start of tests the students do not see.
pub const BEGIN_HIDDEN: &str = "// BEGIN HIDDEN TESTS";
/// Marks the end of hidden tests.
pub const END_HIDDEN: &str = "// END HIDDEN TESTS";

/// Unbalanced answer or hidden-test markers, or unusable `backprop` metadata, with where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "{}{}{problem}",
    cell.map(|c| format!("cell {c}: ")).unwrap_or_default(),
    line.map(|l| format!("line {l}: ")).unwrap_or_default()
)]
pub struct MarkerError {
    /// The cell, counted from 1, when known.
    pub cell: Option<usize>,
    /// The line within the cell, from 1 (none for the cell's metadata).
    pub line: Option<usize>,
    /// What is wrong there.
    pub problem: String,
}

fn marker_error(line: usize, problem: String) -> MarkerError {
    MarkerError {
        cell: None,
        line: Some(line),
        problem,
    }
}

/// The key of the course's own cell metadata, beside `nbgrader`.
pub const COURSE_METADATA: &str = "backprop";

/// The names an answer cell's exercise must be done without: its metadata
/// `backprop.forbid`, a list of Rust names (empty when it has none). The error says what is
/// wrong with the list.
pub fn forbidden(cell: &Cell) -> Result<Vec<String>, String> {
    let Some(list) = cell
        .metadata()
        .additional
        .get(COURSE_METADATA)
        .and_then(|m| m.get("forbid"))
    else {
        return Ok(Vec::new());
    };
    let wrong = || format!("`{COURSE_METADATA}.forbid` must be a list of Rust names, not {list}");
    let names = list.as_array().ok_or_else(wrong)?;
    names
        .iter()
        .map(|n| {
            n.as_str()
                .filter(|s| is_rust_name(s))
                .map(str::to_string)
                .ok_or_else(wrong)
        })
        .collect()
}

fn is_rust_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// What releasing a notebook changed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Released {
    /// Answers replaced by stubs.
    pub solutions: usize,
    /// Hidden-test blocks removed.
    pub hidden: usize,
}

/// The nbgrader `grade_id` of a cell, if it has one.
pub fn grade_id(cell: &Cell) -> Option<String> {
    nbgrader(cell)?
        .get("grade_id")?
        .as_str()
        .map(str::to_string)
}

/// A cell's `nbgrader` metadata.
pub fn nbgrader(cell: &Cell) -> Option<&serde_json::Value> {
    cell.metadata().additional.get("nbgrader")
}

/// Whether a cell's nbgrader flag `name` (`locked`, `grade`, `solution`) is set.
pub fn flag(cell: &Cell, name: &str) -> bool {
    nbgrader(cell)
        .and_then(|m| m.get(name))
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The points a graded cell is worth (0 when it names none).
pub fn points(cell: &Cell) -> f64 {
    nbgrader(cell)
        .and_then(|m| m.get("points"))
        .and_then(|p| p.as_f64())
        .unwrap_or(0.0)
}

/// The student's version of one cell's code; `label` names the exercise in the stub.
pub fn student_code(code: &str, label: &str) -> Result<(String, Released), MarkerError> {
    let mut out = Vec::new();
    let mut done = Released::default();
    let mut open: Option<(&str, usize)> = None;
    for (number, line) in code.lines().enumerate() {
        let marker = line.trim();
        match (open, marker) {
            (None, BEGIN_SOLUTION) => {
                let indent = &line[..line.len() - line.trim_start().len()];
                out.push(format!(
                    "{indent}// YOUR CODE HERE: replace `todo!()` with your answer."
                ));
                out.push(format!(
                    "{indent}todo!(\"exercise {label} is not answered yet\")"
                ));
                done.solutions += 1;
                open = Some((END_SOLUTION, number + 1));
            }
            (None, BEGIN_HIDDEN) => {
                done.hidden += 1;
                open = Some((END_HIDDEN, number + 1));
            }
            (None, END_SOLUTION | END_HIDDEN) => {
                return Err(marker_error(
                    number + 1,
                    format!("`{marker}` without its BEGIN marker"),
                ))
            }
            (None, _) => out.push(line.to_string()),
            (Some((end, _)), m) if m == end => open = None,
            (Some((_, start)), BEGIN_SOLUTION | BEGIN_HIDDEN) => {
                return Err(marker_error(
                    number + 1,
                    format!("a BEGIN marker inside the block opened at line {start}"),
                ))
            }
            (Some(_), _) => {}
        }
    }
    if let Some((end, start)) = open {
        return Err(marker_error(
            start,
            format!("the block opened here has no `{end}`"),
        ));
    }
    Ok((out.join("\n"), done))
}

/// The student version of a notebook.
pub fn release(nb: &v4::Notebook) -> Result<(v4::Notebook, Released), MarkerError> {
    let mut student = nb.clone();
    let mut total = Released::default();
    for (i, cell) in student.cells.iter_mut().enumerate() {
        let label = grade_id(cell).unwrap_or_else(|| format!("in cell {}", i + 1));
        let forbids = forbidden(cell).map_err(|problem| MarkerError {
            cell: Some(i + 1),
            line: None,
            problem,
        })?;
        if !forbids.is_empty() && !flag(cell, "solution") {
            return Err(MarkerError {
                cell: Some(i + 1),
                line: None,
                problem: format!(
                    "`{COURSE_METADATA}.forbid` belongs on an answer cell (nbgrader `solution`)"
                ),
            });
        }
        if let Cell::Code {
            source,
            outputs,
            execution_count,
            ..
        } = cell
        {
            let (code, done) = student_code(&source.concat(), &label).map_err(|e| MarkerError {
                cell: Some(i + 1),
                ..e
            })?;
            *source = split_lines(&code);
            outputs.clear();
            *execution_count = None;
            total.solutions += done.solutions;
            total.hidden += done.hidden;
        }
    }
    Ok((student, total))
}

/// Source text as notebook lines (each but the last keeps its newline).
pub fn split_lines(text: &str) -> Vec<String> {
    text.split_inclusive('\n').map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solution_becomes_an_indented_todo_and_hidden_tests_vanish() {
        let code = "let x: f64 = {\n    // BEGIN SOLUTION\n    1.0 + 2.0\n    // END SOLUTION\n};\n\
                    // BEGIN HIDDEN TESTS\nassert_eq!(x, 3.0);\n// END HIDDEN TESTS\ncheck(\"x\", &x, &3.0, \"\");";
        let (student, done) = student_code(code, "ex-1").unwrap();
        assert_eq!(
            student,
            "let x: f64 = {\n    // YOUR CODE HERE: replace `todo!()` with your answer.\n    \
             todo!(\"exercise ex-1 is not answered yet\")\n};\ncheck(\"x\", &x, &3.0, \"\");"
        );
        assert_eq!(
            done,
            Released {
                solutions: 1,
                hidden: 1
            }
        );
    }

    #[test]
    fn unbalanced_markers_are_errors_with_line_numbers() {
        let open = student_code("a\n// BEGIN SOLUTION\nb", "e")
            .unwrap_err()
            .to_string();
        assert_eq!(
            open,
            "line 2: the block opened here has no `// END SOLUTION`"
        );
        let stray = student_code("// END HIDDEN TESTS", "e")
            .unwrap_err()
            .to_string();
        assert!(
            stray.starts_with("line 1: `// END HIDDEN TESTS` without"),
            "{stray}"
        );
    }

    fn notebook(metadata: serde_json::Value) -> v4::Notebook {
        let nb = serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "code", "id": "a", "metadata": metadata, "execution_count": null,
             "source": "let s = {\n// BEGIN SOLUTION\n1.0\n// END SOLUTION\n};", "outputs": []}]});
        crate::notebook::parse(&nb.to_string()).unwrap()
    }

    #[test]
    fn an_answers_forbidden_names_are_read_from_its_metadata_and_kept_on_release() {
        let nb = notebook(serde_json::json!({
            "nbgrader": {"grade_id": "unit-slope", "solution": true},
            "backprop": {"forbid": ["sigmoid_prime", "f_prime"]}}));
        assert_eq!(
            forbidden(&nb.cells[0]).unwrap(),
            ["sigmoid_prime", "f_prime"]
        );
        let (student, _) = release(&nb).unwrap();
        assert_eq!(
            forbidden(&student.cells[0]).unwrap(),
            ["sigmoid_prime", "f_prime"]
        );
        let plain = notebook(serde_json::json!({"nbgrader": {"grade_id": "x", "solution": true}}));
        assert_eq!(forbidden(&plain.cells[0]).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_forbid_list_that_is_not_names_or_not_on_an_answer_stops_the_release_naming_the_cell() {
        let bad = notebook(serde_json::json!({
            "nbgrader": {"grade_id": "x", "solution": true},
            "backprop": {"forbid": "sigmoid_prime"}}));
        assert_eq!(
            release(&bad).unwrap_err().to_string(),
            "cell 1: `backprop.forbid` must be a list of Rust names, not \"sigmoid_prime\""
        );
        let path = notebook(serde_json::json!({
            "nbgrader": {"grade_id": "x", "solution": true},
            "backprop": {"forbid": ["backprop::sigmoid_prime"]}}));
        assert!(release(&path).is_err());
        let locked = notebook(serde_json::json!({
            "nbgrader": {"grade_id": "x", "locked": true},
            "backprop": {"forbid": ["sigmoid_prime"]}}));
        assert_eq!(
            release(&locked).unwrap_err().to_string(),
            "cell 1: `backprop.forbid` belongs on an answer cell (nbgrader `solution`)"
        );
    }
}
