//! `course run`: executes notebooks cell by cell on a fresh kernel each and reports honestly.

use crate::kernel::{Kernel, KernelOptions, MemoryUse};
use crate::notebook;
use crate::outcome::{judge, Outcome, Status};
use anyhow::Result;
use nbformat::v4;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How notebooks are run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The kernelspec to run them on.
    pub kernel: String,
    /// Time limit of an ordinary cell.
    pub timeout: Duration,
    /// Time limit of a cell with a `:dep` line (the first build compiles every dependency).
    pub dep_timeout: Duration,
    /// How long a kernel may take to start.
    pub startup_timeout: Duration,
    /// Run a notebook's later cells after one fails.
    pub keep_going: bool,
    /// Where executed copies, kernel logs and the report go.
    pub out_dir: PathBuf,
    /// Print a line for every cell as it finishes.
    pub verbose: bool,
    /// Largest heap the kernel's processes may use, in bytes (`prlimit --data`).
    pub memory_limit: Option<u64>,
    /// A Jupyter data folder searched for the kernelspec first (the benchmark's Python kernel).
    pub data_dir: Option<PathBuf>,
}

/// What a run measured of its kernel.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct KernelStats {
    /// Seconds from asking for a kernel to its answering (before any cell).
    pub startup: Option<f64>,
    /// Seconds from asking for a kernel to the first code cell's result.
    pub first_result: Option<f64>,
    /// The kernel's memory after the last cell.
    pub memory: Option<MemoryUse>,
}

/// The verdict on one cell, with where it sits.
#[derive(Debug, Clone, Serialize)]
pub struct CellReport {
    /// Position among all the notebook's cells, from 1 (as JupyterLab counts).
    pub cell: usize,
    /// The cell's id.
    pub id: String,
    /// The cell's nbgrader `grade_id`, if it has one.
    pub grade_id: Option<String>,
    /// Seconds from request to idle (of the last attempt).
    pub seconds: f64,
    /// How many times the cell was sent: more than 1 when evcxr's build failed without a
    /// compiler error and the cell was tried again; 0 when it was not run.
    pub attempts: u32,
    /// The verdict.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The verdict on one notebook.
#[derive(Debug, Clone, Serialize)]
pub struct NotebookReport {
    /// The notebook as given.
    pub path: PathBuf,
    /// The executed copy, when one was written.
    pub executed: Option<PathBuf>,
    /// Why the notebook could not run at all (unreadable, kernel would not start).
    pub error: Option<String>,
    /// Its code cells, in order.
    pub cells: Vec<CellReport>,
    /// Wall time, kernel start to shutdown.
    pub seconds: f64,
    /// Time to the first result and memory, when the kernel started.
    #[serde(flatten)]
    pub kernel: KernelStats,
}

impl NotebookReport {
    /// Whether every code cell ran clean.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.cells.iter().all(|c| c.outcome.status.passed())
    }

    /// The first cell that did not pass.
    pub fn first_failure(&self) -> Option<&CellReport> {
        self.cells
            .iter()
            .find(|c| !c.outcome.status.passed() && c.outcome.status != Status::NotRun)
    }

    /// Checks passed and failed over all cells.
    pub fn checks(&self) -> (usize, usize) {
        self.cells.iter().fold((0, 0), |(p, f), c| {
            (p + c.outcome.checks_passed, f + c.outcome.checks_failed)
        })
    }
}

fn not_run(reason: &str) -> Outcome {
    Outcome {
        status: Status::NotRun,
        message: reason.into(),
        checks_passed: 0,
        checks_failed: 0,
    }
}

/// Runs one notebook on a fresh kernel and writes its executed copy to `executed`.
pub async fn run_notebook(path: &Path, executed: &Path, opts: &RunOptions) -> NotebookReport {
    let started = Instant::now();
    let mut report = NotebookReport {
        path: path.to_path_buf(),
        executed: None,
        error: None,
        cells: Vec::new(),
        seconds: 0.0,
        kernel: KernelStats::default(),
    };
    match execute_cells(path, executed, opts, &mut report).await {
        Ok(()) => report.executed = Some(executed.to_path_buf()),
        Err(e) => report.error = Some(format!("{e:#}")),
    }
    report.seconds = started.elapsed().as_secs_f64();
    report
}

async fn execute_cells(
    path: &Path,
    executed: &Path,
    opts: &RunOptions,
    report: &mut NotebookReport,
) -> Result<()> {
    let mut nb = notebook::load(path)?;
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .canonicalize()?;
    let stem = executed.file_stem().unwrap_or_default().to_string_lossy();
    let log = opts.out_dir.join("logs").join(format!("{stem}.kernel.log"));
    let result = execute(&mut nb, &folder, &log, opts, &mut report.cells).await;
    notebook::save(&nb, executed)?;
    report.kernel = result?;
    Ok(())
}

/// Runs a notebook's code cells in order on a fresh kernel started in `cwd`, writing each
/// cell's outputs into `nb` and its verdict into `cells`; returns what it measured of the kernel.
pub async fn execute(
    nb: &mut v4::Notebook,
    cwd: &Path,
    log: &Path,
    opts: &RunOptions,
    cells: &mut Vec<CellReport>,
) -> Result<KernelStats> {
    let started = Instant::now();
    let mut stats = KernelStats::default();
    let kernel_opts = KernelOptions {
        name: opts.kernel.clone(),
        cwd: cwd.to_path_buf(),
        log: log.to_path_buf(),
        startup_timeout: opts.startup_timeout,
        memory_limit: opts.memory_limit,
        data_dir: opts.data_dir.clone(),
    };
    let mut kernel = Kernel::start(&kernel_opts).await?;
    stats.startup = Some(started.elapsed().as_secs_f64());
    let mut stop: Option<String> = None;
    let total = nb.cells.len();
    for (i, cell) in nb.cells.iter_mut().enumerate() {
        let Some(code) = notebook::source(cell) else {
            continue;
        };
        let id = cell.id().to_string();
        let grade_id = crate::release::grade_id(cell);
        if code.trim().is_empty() {
            continue;
        }
        if let Some(reason) = &stop {
            cells.push(CellReport {
                cell: i + 1,
                id,
                grade_id,
                seconds: 0.0,
                attempts: 0,
                outcome: not_run(reason),
            });
            continue;
        }
        let dep = code.contains(":dep");
        let limit = if dep { opts.dep_timeout } else { opts.timeout };
        if dep && opts.verbose {
            eprintln!("  cell {}/{total}: :dep (the first build compiles the crate's dependencies; later kernels reuse them)", i + 1);
        }
        let mut attempt = 1;
        let (run, outcome) = loop {
            let turn = if dep { evcxr_cache_turn().await } else { None };
            let run = kernel.execute(&code, limit).await?;
            drop(turn);
            let outcome = judge(&run, limit.as_secs());
            if attempt < BUILD_ATTEMPTS && is_build_fault(&outcome) {
                if opts.verbose {
                    eprintln!(
                        "  cell {}/{total}: evcxr's build failed without a compiler error; trying again",
                        i + 1
                    );
                }
                attempt += 1;
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            break (run, outcome);
        };
        if stats.first_result.is_none() {
            stats.first_result = Some(started.elapsed().as_secs_f64());
        }
        notebook::set_outputs(cell, notebook::outputs(&run.outputs), run.execution_count);
        if opts.verbose {
            eprintln!(
                "  cell {}/{total}: {} ({:.2} s)",
                i + 1,
                outcome.status.word(),
                run.seconds
            );
        }
        if outcome.status == Status::KernelLost {
            stop = Some(format!("the kernel was lost in cell {}", i + 1));
        } else if !outcome.status.passed() && !opts.keep_going {
            stop = Some(format!(
                "cell {} failed; run with --keep-going to run the rest",
                i + 1
            ));
        }
        cells.push(CellReport {
            cell: i + 1,
            id,
            grade_id,
            seconds: run.seconds,
            attempts: attempt,
            outcome,
        });
    }
    stats.memory = kernel.memory();
    kernel.shutdown().await;
    Ok(stats)
}

/// How many times a cell is tried when evcxr's build fails without a compiler error.
const BUILD_ATTEMPTS: u32 = 3;

/// Whether a cell failed because evcxr's build itself failed (cargo exited non-zero with no
/// compiler diagnostic), not because of the code. Seen once in CI with several kernels at
/// once; nothing ran, so the cell can safely be tried again.
fn is_build_fault(outcome: &Outcome) -> bool {
    outcome.status == Status::Error
        && outcome
            .message
            .contains("Compilation failed, but no parsable errors were found")
}

/// Waits for this machine's turn at evcxr's build cache and holds it until dropped.
///
/// A `:dep` cell builds the dependencies through evcxr's shared cache, which is not safe for
/// two kernels at once (a cache hit rewrites a counter file that another kernel may be
/// reading, and that build fails). An exclusive lock on one file in the temporary folder
/// makes every kernel started by any `course` process on this machine take turns; later
/// cells compile only their own code and run freely. `None` if the lock cannot be had.
async fn evcxr_cache_turn() -> Option<std::fs::File> {
    let path = std::env::temp_dir().join("backprop-course-evcxr-cache.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .ok()?;
    tokio::task::spawn_blocking(move || file.lock().ok().map(|()| file))
        .await
        .ok()
        .flatten()
}

/// Picks a file name in `out_dir` for each notebook, keeping names apart when two collide.
pub fn executed_paths(notebooks: &[PathBuf], out_dir: &Path) -> Vec<PathBuf> {
    let mut taken = std::collections::HashSet::new();
    notebooks
        .iter()
        .map(|nb| {
            let stem = nb
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let mut name = format!("{stem}.ipynb");
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{stem}-{n}.ipynb");
                n += 1;
            }
            out_dir.join(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(message: &str) -> Outcome {
        Outcome {
            status: Status::Error,
            message: message.into(),
            checks_passed: 0,
            checks_failed: 0,
        }
    }

    #[test]
    fn only_a_build_failure_without_diagnostics_is_tried_again() {
        assert!(is_build_fault(&error(
            "Compilation failed, but no parsable errors were found. STDERR:\nerror: could not compile"
        )));
        assert!(!is_build_fault(&error("error[E0308]: mismatched types")));
        let mut panic = error("Compilation failed, but no parsable errors were found");
        panic.status = Status::Panic;
        assert!(!is_build_fault(&panic));
    }

    #[test]
    fn colliding_notebook_names_get_distinct_copies() {
        let paths = executed_paths(
            &[
                PathBuf::from("a/x.ipynb"),
                PathBuf::from("b/x.ipynb"),
                PathBuf::from("y.ipynb"),
            ],
            Path::new("out"),
        );
        assert_eq!(
            paths,
            vec![
                PathBuf::from("out/x.ipynb"),
                PathBuf::from("out/x-2.ipynb"),
                PathBuf::from("out/y.ipynb")
            ]
        );
    }
}
