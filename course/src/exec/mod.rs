//! Executing notebooks: each on a fresh kernel, cell by cell, every cell judged.
//!
//! The engine behind `course run`, `course grade` and the benchmark; it knows nothing of the
//! command line.

pub mod cache;
pub mod crates;
pub mod outcome;
pub mod pool;
pub mod seal;
pub mod seed;
pub mod stats;
pub mod warm;

use crate::jupyter::{Kernel, KernelError, KernelOptions, MemoryUse};
use crate::notebook::{self, nbgrader, NotebookError};
use jupyter_protocol::JupyterMessageContent;
use nbformat::v4;
use outcome::{judge, Outcome, Status};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How notebooks are executed.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    /// The kernel to run them on, and its limits.
    pub kernel: KernelOptions,
    /// Time limit of an ordinary cell.
    pub timeout: Duration,
    /// Time limit of a cell with a `:dep` line (the first build compiles every dependency).
    pub dep_timeout: Duration,
    /// Run a notebook's later cells after one fails.
    pub keep_going: bool,
    /// Print a line for every cell as it finishes.
    pub verbose: bool,
    /// Seal graded cells (nbgrader `grade: true`): they pass only when their own random
    /// mark shows they ran to the end (see [`seal`]). For graders.
    pub seal_checks: bool,
}

/// Why a notebook could not be executed at all.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The notebook could not be read or its executed copy written.
    #[error(transparent)]
    Notebook(#[from] NotebookError),
    /// The kernel would not start, or the protocol failed.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// The notebook's folder (the kernel's working folder) is not usable.
    #[error("cannot use {path} as the kernel's folder: {cause}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
}

/// Where executed copies and kernel logs go: `DIR/KEY.ipynb` and `DIR/logs/KEY.kernel.log`.
#[derive(Debug, Clone)]
pub struct OutputDir(pub PathBuf);

impl OutputDir {
    /// The executed copy of the notebook with key `key`.
    pub fn executed(&self, key: &str) -> PathBuf {
        self.0.join(format!("{key}.ipynb"))
    }

    /// The kernel's own log while it ran that notebook.
    pub fn log(&self, key: &str) -> PathBuf {
        self.0.join("logs").join(format!("{key}.kernel.log"))
    }
}

/// A key per notebook, from its file stem, kept apart when two collide (`x`, `x-2`).
pub fn unique_keys(notebooks: &[PathBuf]) -> Vec<String> {
    let mut taken = HashSet::new();
    notebooks
        .iter()
        .map(|nb| {
            let stem = nb.file_stem().unwrap_or_default().to_string_lossy();
            let mut key = stem.to_string();
            let mut n = 2;
            while !taken.insert(key.clone()) {
                key = format!("{stem}-{n}");
                n += 1;
            }
            key
        })
        .collect()
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
    /// The kernel had run an earlier notebook and was cleared for this one (`course run`'s
    /// warm kernels); `startup` is then the time the clearing and its checks took.
    pub reused: bool,
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
    /// The report of `path` before any of it has run.
    pub fn new(path: &Path) -> NotebookReport {
        NotebookReport {
            path: path.to_path_buf(),
            executed: None,
            error: None,
            cells: Vec::new(),
            seconds: 0.0,
            kernel: KernelStats::default(),
        }
    }

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

/// The folder a notebook's kernel runs in: the notebook's own, so relative paths resolve.
pub fn notebook_folder(path: &Path) -> Result<PathBuf, ExecError> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    folder.canonicalize().map_err(|source| ExecError::Folder {
        path: folder.to_path_buf(),
        cause: source,
    })
}

/// Runs the notebook at `path` on a fresh kernel; writes its executed copy and log into `out`
/// under `key`.
pub async fn run_notebook(
    path: &Path,
    out: &OutputDir,
    key: &str,
    opts: &ExecOptions,
) -> NotebookReport {
    let started = Instant::now();
    let mut report = NotebookReport::new(path);
    let executed = out.executed(key);
    match execute_file(path, &executed, &out.log(key), opts, &mut report).await {
        Ok(()) => report.executed = Some(executed),
        Err(e) => report.error = Some(e.to_string()),
    }
    report.seconds = started.elapsed().as_secs_f64();
    report
}

async fn execute_file(
    path: &Path,
    executed: &Path,
    log: &Path,
    opts: &ExecOptions,
    report: &mut NotebookReport,
) -> Result<(), ExecError> {
    let mut nb = notebook::load(path)?;
    let folder = notebook_folder(path)?;
    let result = execute(&mut nb, &folder, log, opts, &mut report.cells).await;
    notebook::save(&nb, executed)?;
    report.kernel = result?;
    Ok(())
}

/// Whether a cell loads a crate: a line that is evcxr's `:dep` command (not a comment or a
/// string that mentions it). Such a cell may build every dependency, so it gets the longer
/// limit and takes its turn at evcxr's build cache.
pub fn is_dep_cell(code: &str) -> bool {
    dep_commands(code).next().is_some()
}

/// The lines of `code` that are evcxr's `:dep` command, trimmed.
fn dep_commands(code: &str) -> impl Iterator<Item = &str> {
    code.lines()
        .map(str::trim)
        .filter(|line| *line == ":dep" || line.starts_with(":dep "))
}

/// Runs a notebook's code cells in order on a fresh kernel started in `cwd`, writing each
/// cell's outputs into `nb` and its verdict into `cells`; returns what it measured of the kernel.
///
/// Fails only when the kernel cannot be started or the protocol breaks; a kernel lost while a
/// cell runs is that cell's verdict (`kernel_lost`), and the later cells are not run.
pub async fn execute(
    nb: &mut v4::Notebook,
    cwd: &Path,
    log: &Path,
    opts: &ExecOptions,
    cells: &mut Vec<CellReport>,
) -> Result<KernelStats, KernelError> {
    let started = Instant::now();
    let mut stats = KernelStats::default();
    let mut kernel = Kernel::start(&opts.kernel, cwd, log).await?;
    stats.startup = Some(started.elapsed().as_secs_f64());
    let start = KernelStart {
        started,
        loaded: &[],
        on_warm: None,
    };
    let ran = run_cells(&mut kernel, nb, opts, cells, start, &mut stats).await;
    stats.memory = kernel.memory();
    kernel.shutdown().await;
    ran.map(|()| stats)
}

/// What a notebook's run knows of its kernel before the first cell.
struct KernelStart<'a> {
    /// When the notebook asked for its kernel.
    started: Instant,
    /// The `:dep` lines the kernel loaded for the notebook before it (see `warm`).
    loaded: &'a [String],
    /// Told once the kernel has run a cell that is not a `:dep` cell: rust-analyzer then
    /// holds the notebook's crate graph, the heaviest part of a fresh kernel's start.
    on_warm: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Runs a notebook's code cells in order on `kernel`, writing each cell's outputs into `nb`
/// and its verdict into `cells`.
async fn run_cells(
    kernel: &mut Kernel,
    nb: &mut v4::Notebook,
    opts: &ExecOptions,
    cells: &mut Vec<CellReport>,
    mut start: KernelStart<'_>,
    stats: &mut KernelStats,
) -> Result<(), KernelError> {
    let KernelStart {
        started, loaded, ..
    } = start;
    let mut stop: Option<String> = None;
    let mut executed = 0;
    let total = nb.cells.len();
    for (i, cell) in nb.cells.iter_mut().enumerate() {
        let Some(code) = notebook::source(cell) else {
            continue;
        };
        if code.trim().is_empty() {
            continue;
        }
        let id = cell.id().to_string();
        let grade_id = nbgrader::grade_id(cell);
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
        let nonce = (opts.seal_checks && nbgrader::flag(cell, "grade")).then(seal::nonce);
        let sent = match &nonce {
            Some(n) => seal::seal(&code, n),
            None => code.clone(),
        };
        let (mut run, mut outcome, attempts) =
            execute_cell(kernel, &sent, opts, i + 1, total, loaded).await?;
        if let Some(n) = &nonce {
            if outcome.status.passed() && !seal::finished(&run, n) {
                outcome.status = Status::Panic;
                outcome.message = "the check did not run to its end: it panicked without a \
                                   trace (a replaced panic hook?) or its output was cut off"
                    .into();
            }
        }
        if stats.first_result.is_none() {
            stats.first_result = Some(started.elapsed().as_secs_f64());
        }
        if !is_dep_cell(&code) {
            if let Some(warm) = start.on_warm.take() {
                // Nobody listening is fine: then no kernel waits to start.
                let _ = warm.send(());
            }
        }
        // Cells are numbered in the order they ran in this notebook, from 1, whatever the
        // kernel ran before it (a warm kernel's own count goes on from the last notebook).
        executed += 1;
        name_cell(&mut run, &mut outcome.message, executed);
        let mut outputs = notebook::outputs(&run.outputs);
        if run.dropped_bytes > 0 {
            outputs.push(notebook::note(&format!(
                "… {} more bytes of output were dropped: a cell keeps {} KiB\n",
                run.dropped_bytes,
                crate::jupyter::OUTPUT_LIMIT / 1024
            )));
        }
        notebook::set_outputs(cell, outputs, Some(executed));
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
            attempts,
            outcome,
        });
    }
    Ok(())
}

/// evcxr names a cell `command_N` in its compiler errors, N the kernel's own count of
/// requests; the errors name the cell by the number the notebook shows instead, so they do not
/// depend on what the kernel ran before.
fn name_cell(run: &mut crate::jupyter::Execution, message: &mut String, shown: usize) {
    let Some(count) = run.execution_count else {
        return;
    };
    let (kernel, notebook) = (format!("command_{count}:"), format!("command_{shown}:"));
    for output in &mut run.outputs {
        if let JupyterMessageContent::ErrorOutput(e) = output {
            for line in &mut e.traceback {
                *line = line.replace(&kernel, &notebook);
            }
        }
    }
    *message = message.replace(&kernel, &notebook);
}

/// Whether a cell must wait its turn at evcxr's build cache: it has a `:dep` line the kernel
/// has not `loaded` yet. One whose `:dep` lines are all loaded adds nothing, so evcxr builds
/// only the cell's own code, as for any other cell.
fn needs_turn(code: &str, loaded: &[String]) -> bool {
    dep_commands(code).any(|line| !loaded.iter().any(|l| l == line))
}

/// Runs one cell (again, when evcxr's build failed without a compiler error) and judges it;
/// `loaded` are the `:dep` lines the kernel loaded before the notebook started.
async fn execute_cell(
    kernel: &mut Kernel,
    code: &str,
    opts: &ExecOptions,
    position: usize,
    total: usize,
    loaded: &[String],
) -> Result<(crate::jupyter::Execution, Outcome, u32), KernelError> {
    let dep = is_dep_cell(code);
    let wait_turn = needs_turn(code, loaded);
    let limit = if dep { opts.dep_timeout } else { opts.timeout };
    let say = |what: &str| {
        if opts.verbose {
            eprintln!("  cell {position}/{total}: {what}");
        }
    };
    if dep {
        say(":dep (the first build compiles the crate's dependencies; later kernels reuse them)");
    }
    let mut attempt = 1;
    loop {
        let turn = if wait_turn { cache::turn().await } else { None };
        let run = kernel.execute(code, limit).await?;
        drop(turn);
        let outcome = judge(&run, limit.as_secs());
        if attempt < BUILD_ATTEMPTS && is_build_fault(&outcome) {
            say("evcxr's build failed without a compiler error; trying again");
            attempt += 1;
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        say(&format!("{} ({:.2} s)", outcome.status.word(), run.seconds));
        return Ok((run, outcome, attempt));
    }
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
    fn colliding_notebook_names_get_distinct_copies_and_logs() {
        let keys = unique_keys(&[
            PathBuf::from("a/x.ipynb"),
            PathBuf::from("b/x.ipynb"),
            PathBuf::from("c/x.ipynb"),
            PathBuf::from("y.ipynb"),
        ]);
        assert_eq!(keys, ["x", "x-2", "x-3", "y"]);
        let out = OutputDir(PathBuf::from("out"));
        assert_eq!(out.executed(&keys[1]), PathBuf::from("out/x-2.ipynb"));
        assert_eq!(out.log(&keys[1]), PathBuf::from("out/logs/x-2.kernel.log"));
    }

    #[test]
    fn only_a_dep_command_line_makes_a_dep_cell() {
        assert!(is_dep_cell(
            ":dep backprop = { path = \"../crate\" }\nuse backprop::prelude::*;"
        ));
        assert!(is_dep_cell("  :dep rand = \"0.8\""));
        assert!(!is_dep_cell("// load it with :dep later\nlet x = 1;"));
        assert!(!is_dep_cell("println!(\":dep is evcxr's command\");"));
        assert!(!is_dep_cell(":depth"));
    }

    #[test]
    fn a_compiler_error_names_the_cell_by_its_number_in_the_notebook_not_the_kernels() {
        let error = |lines: &[&str]| {
            JupyterMessageContent::ErrorOutput(jupyter_protocol::ErrorOutput {
                ename: "Error".into(),
                evalue: "cannot find value `x`".into(),
                traceback: lines.iter().map(|l| l.to_string()).collect(),
            })
        };
        let mut run = crate::jupyter::Execution {
            outputs: vec![error(&["[ command_18:1:1 ]", "command_180: not this one"])],
            execution_count: Some(18),
            ..Default::default()
        };
        let mut message = "[ command_18:1:1 ]".to_string();
        name_cell(&mut run, &mut message, 3);
        let expected = error(&["[ command_3:1:1 ]", "command_180: not this one"]);
        assert_eq!(format!("{:?}", run.outputs), format!("{:?}", [expected]));
        assert_eq!(message, "[ command_3:1:1 ]");
    }

    #[test]
    fn a_dep_cell_waits_its_turn_unless_the_kernel_loaded_each_of_its_crates() {
        let course = ":dep backprop = { path = \"../crate\" }";
        let cell = format!("  {course}\nuse backprop::prelude::*;");
        assert!(needs_turn(&cell, &[]));
        assert!(!needs_turn(&cell, &[course.to_string()]));
        let more = format!("{cell}\n:dep rand = \"0.8\"");
        assert!(needs_turn(&more, &[course.to_string()]));
        let other = ":dep backprop = { path = \"../crate\", features = [\"data\"] }";
        assert!(needs_turn(&cell, &[other.to_string()]));
        assert!(!needs_turn("let x = 1;", &[]));
    }
}
