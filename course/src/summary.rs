//! The run's summary: a table for people, `report.json` for machines.

use crate::run::NotebookReport;
use anyhow::Result;
use serde::Serialize;
use std::path::Path;

/// The whole run, as written to `report.json`.
#[derive(Debug, Serialize)]
pub struct RunReport<'a> {
    /// Whether every notebook passed.
    pub passed: bool,
    /// Notebooks that passed.
    pub notebooks_passed: usize,
    /// Notebooks that failed.
    pub notebooks_failed: usize,
    /// Median seconds over all executed cells.
    pub median_cell_seconds: Option<f64>,
    /// Wall time of the whole run.
    pub seconds: f64,
    /// Each notebook's verdict.
    pub notebooks: &'a [NotebookReport],
}

/// The median of the executed cells' times.
pub fn median_cell_seconds(reports: &[NotebookReport]) -> Option<f64> {
    let mut times: Vec<f64> = reports
        .iter()
        .flat_map(|r| &r.cells)
        .filter(|c| c.outcome.status != crate::outcome::Status::NotRun)
        .map(|c| c.seconds)
        .collect();
    if times.is_empty() {
        return None;
    }
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    Some(if times.len() % 2 == 1 {
        times[mid]
    } else {
        (times[mid - 1] + times[mid]) / 2.0
    })
}

/// Writes `report.json`.
pub fn write_json(reports: &[NotebookReport], seconds: f64, path: &Path) -> Result<()> {
    let passed = reports.iter().filter(|r| r.passed()).count();
    let report = RunReport {
        passed: passed == reports.len(),
        notebooks_passed: passed,
        notebooks_failed: reports.len() - passed,
        median_cell_seconds: median_cell_seconds(reports),
        seconds,
        notebooks: reports,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")?;
    Ok(())
}

/// The table printed at the end of `course run`.
pub fn render(reports: &[NotebookReport]) -> String {
    let name = |r: &NotebookReport| r.path.display().to_string();
    let width = reports
        .iter()
        .map(|r| name(r).len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut out = format!(
        "{:<width$}  {:>7}  {:>11}  {:>8}  result\n",
        "notebook", "cells", "checks", "time"
    );
    for r in reports {
        let ran = r.cells.iter().filter(|c| c.outcome.status.passed()).count();
        let (ok, bad) = r.checks();
        out.push_str(&format!(
            "{:<width$}  {:>7}  {:>11}  {:>6.1} s  {}\n",
            name(r),
            format!("{ran}/{}", r.cells.len()),
            format!("{ok} ✓ {bad} ✗"),
            r.seconds,
            if r.passed() { "ok" } else { "FAILED" }
        ));
        if let Some(error) = &r.error {
            out.push_str(&indent(error));
        } else if let Some(cell) = r.first_failure() {
            out.push_str(&format!(
                "  cell {} ({}):\n{}",
                cell.cell,
                cell.outcome.status.word(),
                indent(&cell.outcome.message)
            ));
        }
    }
    let passed = reports.iter().filter(|r| r.passed()).count();
    out.push_str(&format!(
        "{} notebook{}: {passed} passed, {} failed",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        reports.len() - passed
    ));
    if let Some(median) = median_cell_seconds(reports) {
        out.push_str(&format!("; median cell {median:.2} s"));
    }
    out.push('\n');
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}
