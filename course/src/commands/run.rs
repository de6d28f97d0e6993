//! `course run`: execute notebooks headlessly; the summary is a table for people and
//! `report.json` for machines.

use super::{exec_options, exit_code};
use anyhow::bail;
use course::exec::stats::{executed_cell_times, CellTimes};
use course::exec::{unique_keys, warm, NotebookReport, OutputDir};
use course::install;
use course::project::Project;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// What to run and how.
#[derive(clap::Args)]
pub struct Args {
    /// Notebooks or folders of notebooks [default: every lesson in notebooks/].
    paths: Vec<PathBuf>,
    /// Time limit of a cell, in seconds.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Time limit of a cell with a `:dep` line, in seconds (a first build compiles every dependency).
    #[arg(long, default_value_t = 1800)]
    dep_timeout: u64,
    /// Keep running a notebook's cells after one fails.
    #[arg(long)]
    keep_going: bool,
    /// Where executed copies, kernel logs and report.json go [default: target/notebooks].
    #[arg(long)]
    out: Option<PathBuf>,
    /// The kernelspec to run on.
    #[arg(long, default_value = install::KERNEL_NAME)]
    kernel: String,
    /// Print a line per cell as it finishes.
    #[arg(short, long)]
    verbose: bool,
    /// Start a fresh kernel for every notebook, instead of clearing a warm one that ran an
    /// earlier notebook of the same kind.
    #[arg(long)]
    fresh: bool,
}

/// Runs each notebook on a fresh kernel, prints the summary and writes `report.json`; exit 1
/// when any cell failed.
pub fn exec(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    let notebooks = project.discover(&args.paths)?;
    if notebooks.is_empty() {
        bail!("no notebooks to run");
    }
    if args.kernel == install::KERNEL_NAME {
        install::ensure(project, false)?;
        super::ensure_crates(project);
    }
    let out = OutputDir(args.out.unwrap_or_else(|| project.run_output()));
    let mut opts = exec_options(project, &args.kernel, args.timeout, args.dep_timeout);
    opts.keep_going = args.keep_going;
    opts.verbose = args.verbose;
    let started = Instant::now();
    let runtime = course::jupyter::runtime()?;
    let keys = unique_keys(&notebooks);
    let say = |report: &NotebookReport| {
        eprintln!(
            "▶ {}: {} in {:.1} s{}",
            report.path.display(),
            if report.passed() { "passed" } else { "FAILED" },
            report.seconds,
            if report.kernel.reused {
                " (warm kernel)"
            } else {
                ""
            }
        )
    };
    let reuse = !args.fresh;
    let reports = runtime.block_on(warm::run_notebooks(
        &notebooks, &keys, &out, &opts, reuse, say,
    ));
    let seconds = started.elapsed().as_secs_f64();
    write_json(&reports, seconds, &out.0.join("report.json"))?;
    println!("{}", render(&reports));
    println!("executed copies and report.json in {}", out.0.display());
    Ok(exit_code(reports.iter().all(|r| r.passed())))
}

/// The whole run, as written to `report.json`.
#[derive(Debug, Serialize)]
struct RunReport<'a> {
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
fn median_cell_seconds(reports: &[NotebookReport]) -> Option<f64> {
    let times: Vec<f64> = reports
        .iter()
        .flat_map(|r| executed_cell_times(&r.cells))
        .collect();
    CellTimes::of(&times).map(|t| t.median)
}

/// Writes `report.json`.
fn write_json(reports: &[NotebookReport], seconds: f64, path: &Path) -> anyhow::Result<()> {
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
fn render(reports: &[NotebookReport]) -> String {
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
