//! The run's summary: a table for people, `report.json` for machines.

use crate::run::{CellReport, NotebookReport};
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

/// Cell-time figures of one notebook (or of a whole side).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct CellTimes {
    /// Executed cells.
    pub cells: usize,
    /// Median seconds.
    pub median: f64,
    /// 95th percentile, seconds (nearest rank).
    pub p95: f64,
    /// The slowest cell, seconds.
    pub max: f64,
}

impl CellTimes {
    /// The figures of `times` (seconds); `None` when there are none.
    pub fn of(times: &[f64]) -> Option<CellTimes> {
        if times.is_empty() {
            return None;
        }
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        let rank = ((0.95 * n as f64).ceil() as usize).clamp(1, n);
        Some(CellTimes {
            cells: n,
            median,
            p95: sorted[rank - 1],
            max: sorted[n - 1],
        })
    }
}

/// The seconds of the cells that ran (not those skipped after a failure).
pub fn executed_cell_times(cells: &[CellReport]) -> Vec<f64> {
    cells
        .iter()
        .filter(|c| c.outcome.status != crate::outcome::Status::NotRun)
        .map(|c| c.seconds)
        .collect()
}

/// The median of the executed cells' times.
pub fn median_cell_seconds(reports: &[NotebookReport]) -> Option<f64> {
    let times: Vec<f64> = reports
        .iter()
        .flat_map(|r| executed_cell_times(&r.cells))
        .collect();
    CellTimes::of(&times).map(|t| t.median)
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

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn cell_times_take_the_median_the_nearest_rank_p95_and_the_max() {
        let times: Vec<f64> = (1..=20).map(f64::from).collect();
        let t = CellTimes::of(&times).unwrap();
        assert_eq!(t.cells, 20);
        assert_relative_eq!(t.median, 10.5);
        assert_relative_eq!(t.p95, 19.0);
        assert_relative_eq!(t.max, 20.0);
        let one = CellTimes::of(&[0.25]).unwrap();
        assert_relative_eq!(one.p95, 0.25);
        assert!(CellTimes::of(&[]).is_none());
    }
}
