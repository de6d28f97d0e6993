//! Warm kernels: `course run` pays evcxr's start-up once per kind of notebook, not once per
//! notebook.
//!
//! A fresh kernel spends seconds loading rust-analyzer's view of the crate graph, building the
//! `:dep` cell and typing its first variable; evcxr's `:clear` keeps all of that warm while it
//! throws away the notebook's state (variables, items, `use`s and loaded crates alike: it
//! replaces its whole state) and restarts the process that runs the code. So a kernel that
//! finished a notebook cleanly is cleared, given the course prelude again (its panic hook
//! died with the old process), checked, and handed the next notebook that lives in the same
//! folder and loads the same crates (one warm kernel per such kind, so lessons with and
//! without polars do not flip each other's build). When that notebook opens with its `:dep`
//! lines, they are loaded with the prelude: the crate graph rust-analyzer holds then never
//! changes, and the notebook's first cell finds its crates already there. A kernel that timed
//! out, was lost or fails a check after clearing is shut down, and the next notebook gets a
//! fresh one.
//!
//! On a machine with two cores or more, the first kernel of each further kind starts while
//! the notebooks before it run: such a lesson's cells mostly wait on one rust-analyzer and
//! one build, so a second kernel's start, `:dep` build and first typed variable run beside
//! them, across as many notebooks as they take; the notebook of that kind waits only for what
//! is left. Beside a notebook on a fresh kernel it starts once that kernel has run its first
//! cell after the `:dep` cell: two kernels loading their crate graphs at once slow each other
//! down as much as starting ahead saves, while the rest of the first notebook leaves room.
//! When a notebook's turn comes and its kernel is still starting, the notebooks after it
//! whose kernels are warm run first, and it runs as soon as its kernel is ready: no notebook
//! waits while another could run. Reports keep the order the notebooks were given in.

use super::cache;
use super::outcome::{hook_panic, judge, stream_text, PANIC_MIME};
use super::{dep_commands, ExecOptions, Status};
use super::{
    notebook_folder, run_cells, ExecError, KernelStart, KernelStats, NotebookReport, OutputDir,
};
use crate::jupyter::{Kernel, KernelError};
use crate::notebook::{self, NotebookError};
use jupyter_protocol::{JupyterMessageContent, Stdio};
use nbformat::v4;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A kernel kept for the next notebook of its kind.
struct Warm {
    kernel: Kernel,
    kind: Kind,
}

/// How long clearing a kernel and checking it may take.
const RESET_LIMIT: Duration = Duration::from_secs(120);

/// The cell that checks a cleared kernel: the course panic hook answers a panic, and the
/// code runs in the notebook's folder; it leaves nothing behind.
const PROBE: &str = "{\n    let _ = ::std::panic::catch_unwind(|| ::std::panic::panic_any(::std::string::String::from(\"backprop-warm-probe\")));\n    ::std::println!(\"backprop-warm-cwd={}\", ::std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default());\n};";

/// The cell a cleared sandboxed kernel runs before its next notebook: its code process
/// empties its working folder, tries to write outside it (refused when it is confined,
/// [`crate::jupyter::confine`]), and lists the sandbox's processes that are neither itself
/// nor one of its parents (a process that has ended but not been waited for does nothing
/// and is left out). Prints [`SEALED_CLEAN`] when all is as it should be.
const SEALED_PROBE: &str = r#"{
    let emptied = ::std::fs::read_dir(".").is_ok_and(|entries| {
        entries.flatten().all(|e| match e.file_type() {
            Ok(t) if t.is_dir() => ::std::fs::remove_dir_all(e.path()).is_ok(),
            _ => ::std::fs::remove_file(e.path()).is_ok(),
        })
    }) && ::std::fs::read_dir(".").is_ok_and(|mut d| d.next().is_none());
    let confined = ::std::fs::write("/tmp/backprop-confined-probe", "x")
        .is_err_and(|e| e.kind() == ::std::io::ErrorKind::PermissionDenied);
    let stat = |pid: u32| -> Option<(char, u32)> {
        let text = ::std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let mut rest = text.get(text.rfind(')')? + 2..)?.split(' ');
        let state = rest.next()?.chars().next()?;
        Some((state, rest.next()?.parse().ok()?))
    };
    let mut line = vec![::std::process::id()];
    while let Some((_, parent)) = stat(*line.last().unwrap()).filter(|(_, p)| *p != 0) {
        line.push(parent);
    }
    let strays = ::std::fs::read_dir("/proc").map(|d| d.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| !line.contains(pid) && stat(*pid).is_some_and(|(s, _)| s != 'Z'))
        .count()).unwrap_or(usize::MAX);
    ::std::println!("backprop-sealed emptied={emptied} confined={confined} strays={strays}");
};"#;

/// What [`SEALED_PROBE`] prints for a clean, confined kernel.
const SEALED_CLEAN: &str = "backprop-sealed emptied=true confined=true strays=0";

/// The `:dep` lines of a notebook: notebooks with the same ones can share a warm kernel.
pub fn dep_lines(nb: &nbformat::v4::Notebook) -> Vec<String> {
    nb.cells
        .iter()
        .filter_map(notebook::source)
        .flat_map(|code| dep_commands(&code).map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// A notebook's `:dep` lines (`deps`, as [`dep_lines`] reads them), when they are the first
/// lines of its first code cell: then loading them before the notebook starts changes nothing
/// it can see, since evcxr adds a crate it already has as a no-op. A cleared kernel loads them
/// with the prelude ([`reset`]), so its crate graph never drops to the standard library in
/// between and rust-analyzer need not load it again (2–3 s a notebook).
pub(super) fn opening_deps<'a>(
    nb: &nbformat::v4::Notebook,
    deps: &'a [String],
) -> Option<&'a [String]> {
    let first = nb
        .cells
        .iter()
        .filter_map(notebook::source)
        .find(|code| !code.trim().is_empty())?;
    let leading: Vec<&str> = first
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(deps.len())
        .collect();
    (!deps.is_empty() && leading == deps).then_some(deps)
}

/// Runs the notebooks, reusing warm kernels when `reuse` (see the module's notes; otherwise
/// each gets a fresh kernel); calls `on_done` after each and returns their reports in the
/// order given. They run in that order, but for one whose kernel is still starting ahead: the
/// notebooks after it whose kernels are ready go first, and it runs once its kernel is ready
/// (results never depend on the order; see the module's notes).
pub async fn run_notebooks(
    notebooks: &[PathBuf],
    keys: &[String],
    out: &OutputDir,
    opts: &ExecOptions,
    reuse: bool,
    mut on_done: impl FnMut(&NotebookReport),
) -> Vec<NotebookReport> {
    let mut pool: Vec<Warm> = Vec::new();
    let mut reports: Vec<Option<NotebookReport>> = notebooks.iter().map(|_| None).collect();
    let mut waiting: VecDeque<usize> = (0..notebooks.len()).collect();
    // Each notebook is read once: its kind now, its cells when its turn comes.
    let mut loaded: Vec<Option<Result<v4::Notebook, NotebookError>>> = notebooks
        .iter()
        .map(|path| Some(notebook::load(path)))
        .collect();
    let kinds: Vec<Option<Kind>> = notebooks
        .iter()
        .zip(&loaded)
        .map(|(path, nb)| kind(path, nb.as_ref()?.as_ref().ok()?).ok())
        .collect();
    let ahead_allowed = reuse && std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2);
    // The kernel starting ahead for a later notebook, with its kind; it goes on starting
    // while the notebooks before that one run, and joins the pool when it is ready.
    let mut ahead: Option<(Kind, Starting<'_>)> = None;
    let mut started_ahead: Vec<Kind> = Vec::new();
    while let Some(i) = next_to_run(&mut waiting, &kinds, ahead.as_ref().map(|(k, _)| k)) {
        let (path, key) = (&notebooks[i], &keys[i]);
        let started = Instant::now();
        let mut report = NotebookReport::new(path);
        // This notebook's kernel is still starting ahead: wait for it.
        if matches!((&ahead, &kinds[i]), (Some((a, _)), Some(k)) if a == k) {
            if let Some((_, starting)) = ahead.take() {
                pool.extend(starting.await);
            }
        }
        let warm = |kind: &Kind| pool.iter().any(|w| w.kind == *kind);
        let on_warm = kinds[i].as_ref().is_some_and(warm);
        // The next kind's kernel starts beside this notebook: at once when this one runs on a
        // warm kernel, or once its fresh kernel is warm (see the module's notes).
        let mut next = None;
        if ahead.is_none() && ahead_allowed {
            let has_kernel = |kind: &Kind| warm(kind) || started_ahead.contains(kind);
            next = next_kind_to_start(&kinds, i, &waiting, has_kernel)
                .and_then(|j| Some((j, kinds[j].clone()?)));
        }
        let mut start_next = |(j, kind): (usize, Kind)| -> (Kind, Starting<'_>) {
            started_ahead.push(kind.clone());
            let starting = start_ahead(opts, kind.clone(), out.log(&keys[j]));
            (kind, Box::pin(starting))
        };
        if on_warm {
            if let Some(next) = next.take() {
                ahead = Some(start_next(next));
            }
        }
        let (kernel_warm, mut warmed) = tokio::sync::oneshot::channel();
        let mut arrived = None;
        let ran = {
            let nb = loaded[i].take().expect("each notebook runs once");
            let job = Job { path, key, nb };
            let run = run_one(job, out, opts, &mut pool, reuse, &mut report, kernel_warm);
            tokio::pin!(run);
            loop {
                // Biased: a kernel that turned warm as the notebook ended still starts the next.
                tokio::select! {
                    biased;
                    told = &mut warmed, if next.is_some() => {
                        if let Some(next) = next.take().filter(|_| told.is_ok()) {
                            ahead = Some(start_next(next));
                        }
                    }
                    warm = async {
                        match ahead.as_mut() {
                            Some((_, starting)) => starting.await,
                            None => std::future::pending().await,
                        }
                    } => {
                        arrived = Some(warm);
                        ahead = None;
                    }
                    ran = &mut run => break ran,
                }
            }
        };
        pool.extend(arrived.flatten());
        match ran {
            Ok(()) => report.executed = Some(out.executed(key)),
            Err(e) => report.error = Some(e.to_string()),
        }
        report.seconds = started.elapsed().as_secs_f64();
        on_done(&report);
        reports[i] = Some(report);
    }
    if let Some((_, starting)) = ahead {
        pool.extend(starting.await);
    }
    for warm in pool {
        warm.kernel.shutdown().await;
    }
    reports.into_iter().flatten().collect()
}

/// Takes the next notebook to run off `waiting`: the first whose kind is not the one whose
/// kernel is still `starting` ahead, so that no notebook waits for a kernel while another
/// could run; the first of all when every one waits for it.
fn next_to_run(
    waiting: &mut VecDeque<usize>,
    kinds: &[Option<Kind>],
    starting: Option<&Kind>,
) -> Option<usize> {
    let ready = waiting
        .iter()
        .position(|&j| starting.is_none() || kinds[j].as_ref() != starting);
    waiting.remove(ready.unwrap_or(0))
}

/// A kernel starting ahead (see [`start_ahead`]).
type Starting<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Option<Warm>> + 'a>>;

/// What makes notebooks share a warm kernel: their folder and their `:dep` lines.
pub(super) type Kind = (PathBuf, Vec<String>);

/// The kind of the notebook `nb`, read from `path`.
fn kind(path: &Path, nb: &nbformat::v4::Notebook) -> Result<Kind, ExecError> {
    Ok((notebook_folder(path)?, dep_lines(nb)))
}

/// The first of the notebooks `waiting` after the `i`th whose kind is neither `started` (it
/// has a warm kernel, or one was started for it) nor the `i`th's own (which will have one once
/// it ran): its kernel can start while the notebooks before it run.
fn next_kind_to_start(
    kinds: &[Option<Kind>],
    i: usize,
    waiting: &VecDeque<usize>,
    started: impl Fn(&Kind) -> bool,
) -> Option<usize> {
    let current = kinds.get(i)?.as_ref();
    waiting.iter().copied().find(|&j| {
        kinds[j]
            .as_ref()
            .is_some_and(|kind| Some(kind) != current && !started(kind))
    })
}

/// A kernel for a kind's next notebook, started while another notebook runs (on another
/// core): its `:dep` lines built, taking turns at the build cache, and rust-analyzer's view
/// of the crate graph loaded by typing one variable, as the notebook's own first cells would.
/// The notebook then gets it cleared and checked like any warm kernel. `None` if any of that
/// fails: the notebook starts a fresh kernel, as it would have.
async fn start_ahead(opts: &ExecOptions, kind: Kind, log: PathBuf) -> Option<Warm> {
    let mut kernel = match Kernel::start(&opts.kernel, &kind.0, &log).await {
        Ok(kernel) => kernel,
        Err(e) => return gave_up(opts, &e.to_string()),
    };
    let warmed = async {
        if !kind.1.is_empty() {
            let _turn = cache::turn().await;
            run_clean(&mut kernel, &kind.1.join("\n"), opts.dep_timeout).await?;
        }
        run_clean(&mut kernel, "let backprop_warm_up: u8 = 0;", opts.timeout).await
    }
    .await;
    match warmed {
        Ok(()) => Some(Warm { kernel, kind }),
        Err(why) => {
            kernel.shutdown().await;
            gave_up(opts, &why)
        }
    }
}

/// A kernel starting ahead failed (`why`): said when verbose; its notebook starts a fresh one.
fn gave_up(opts: &ExecOptions, why: &str) -> Option<Warm> {
    if opts.verbose {
        eprintln!("  a kernel starting ahead failed ({why}); its notebook will start a fresh one");
    }
    None
}

/// Runs `code` within `limit`; `Err` says why it did not run clean.
async fn run_clean(kernel: &mut Kernel, code: &str, limit: Duration) -> Result<(), String> {
    let run = kernel
        .execute(code, limit)
        .await
        .map_err(|e| e.to_string())?;
    let outcome = judge(&run, limit.as_secs());
    if outcome.status.passed() {
        Ok(())
    } else {
        Err(format!("`{code}`: {}", outcome.message))
    }
}

/// A notebook to run: where it is, its key in the output folder, and what reading it gave.
struct Job<'a> {
    path: &'a Path,
    key: &'a str,
    nb: Result<v4::Notebook, NotebookError>,
}

async fn run_one(
    Job { path, key, nb }: Job<'_>,
    out: &OutputDir,
    opts: &ExecOptions,
    pool: &mut Vec<Warm>,
    reuse: bool,
    report: &mut NotebookReport,
    kernel_warm: tokio::sync::oneshot::Sender<()>,
) -> Result<(), ExecError> {
    let started = Instant::now();
    let mut nb = nb?;
    let kind = kind(path, &nb)?;
    let folder = kind.0.as_path();
    let kept = pool
        .iter()
        .position(|w| w.kind == kind)
        .map(|i| pool.swap_remove(i).kernel);
    let opening = opening_deps(&nb, &kind.1).unwrap_or_default();
    let (mut kernel, reused) = cleared_or_fresh(kept, folder, opening, &out.log(key), opts).await?;
    let mut stats = KernelStats {
        startup: Some(started.elapsed().as_secs_f64()),
        reused,
        ..KernelStats::default()
    };
    let start = KernelStart {
        started,
        loaded: if reused { opening } else { &[] },
        on_warm: Some(kernel_warm),
    };
    let ran = run_cells(
        &mut kernel,
        &mut nb,
        opts,
        &mut report.cells,
        start,
        &mut stats,
    )
    .await;
    stats.memory = kernel.memory();
    report.kernel = stats;
    if reuse && ran.is_ok() && ended_well(&report.cells) {
        pool.push(Warm { kernel, kind });
    } else {
        kernel.shutdown().await;
    }
    notebook::save(&nb, &out.executed(key))?;
    ran.map_err(ExecError::from)
}

/// The kernel for a notebook in `folder` that opens with the `:dep` lines `opening`: `kept`,
/// once [`reset`] has cleared and checked it, or else a fresh one; and whether it is the kept
/// one.
pub(super) async fn cleared_or_fresh(
    kept: Option<Kernel>,
    folder: &Path,
    opening: &[String],
    log: &Path,
    opts: &ExecOptions,
) -> Result<(Kernel, bool), KernelError> {
    if let Some(mut kernel) = kept {
        match reset(&mut kernel, folder, opening).await {
            Ok(()) => return Ok((kernel, true)),
            Err(why) => {
                if opts.verbose {
                    eprintln!(
                        "  a kept kernel failed its check after clearing ({why}); starting a \
                         fresh one"
                    );
                }
                kernel.shutdown().await;
            }
        }
    }
    Ok((Kernel::start(&opts.kernel, folder, log).await?, false))
}

/// Whether a kernel may be kept after running these cells: none of them ran out of time or
/// lost the kernel.
pub(super) fn ended_well(cells: &[super::CellReport]) -> bool {
    !cells
        .iter()
        .any(|c| matches!(c.outcome.status, Status::Timeout | Status::KernelLost))
}

/// Clears a kernel for the next notebook and checks it: the clear, the notebook's opening
/// `deps` (see [`opening_deps`]) and the prelude succeed, the course panic hook answers a
/// panic (when the prelude sets one), the code runs in `folder`, and no variable is left.
/// A sandboxed kernel's new code process also empties its working folder, is confined, and
/// finds no process but its own line of parents ([`SEALED_PROBE`]).
async fn reset(kernel: &mut Kernel, folder: &Path, deps: &[String]) -> Result<(), String> {
    let step = |what: &'static str, run: &crate::jupyter::Execution| -> Result<(), String> {
        let outcome = judge(run, RESET_LIMIT.as_secs());
        if outcome.status.passed() {
            Ok(())
        } else {
            Err(format!("{what}: {}", outcome.message))
        }
    };
    let failed = |e: crate::jupyter::KernelError| e.to_string();
    step(
        ":clear",
        &kernel
            .execute(":clear", RESET_LIMIT)
            .await
            .map_err(failed)?,
    )?;
    let prelude = kernel.prelude();
    let opening: Vec<&str> = deps
        .iter()
        .map(String::as_str)
        .chain(prelude.as_deref())
        .collect();
    // No turn at evcxr's cache: a kernel of this kind has built these very crates in its
    // build slot, so cargo finds them fresh and compiles only the prelude. (Should a build
    // be needed after all and fail on the shared cache, the notebook gets a fresh kernel.)
    if !opening.is_empty() {
        let code = opening.join("\n");
        step(
            "the notebook's crates and the prelude",
            &kernel.execute(&code, RESET_LIMIT).await.map_err(failed)?,
        )?;
    }
    let probe = kernel.execute(PROBE, RESET_LIMIT).await.map_err(failed)?;
    let hooked = prelude.as_deref().is_some_and(|p| p.contains(PANIC_MIME));
    if hooked && hook_panic(&probe.outputs).as_deref() != Some("backprop-warm-probe") {
        return Err("the course panic hook did not answer a panic".into());
    }
    let cwd = format!("backprop-warm-cwd={}", folder.display());
    if !stream_text(&probe.outputs, Stdio::Stdout)
        .lines()
        .any(|l| l == cwd)
    {
        return Err(format!("the code does not run in {}", folder.display()));
    }
    if kernel.sandboxed() {
        let probe = kernel
            .execute(SEALED_PROBE, RESET_LIMIT)
            .await
            .map_err(failed)?;
        let said = stream_text(&probe.outputs, Stdio::Stdout);
        if !said.lines().any(|l| l == SEALED_CLEAN) {
            return Err(format!(
                "the sealed kernel is not clean: {}",
                said.lines()
                    .find(|l| l.starts_with("backprop-sealed"))
                    .unwrap_or("its probe printed nothing")
            ));
        }
    }
    let vars = kernel.execute(":vars", RESET_LIMIT).await.map_err(failed)?;
    let left = plain_text(&vars);
    if !left.trim().is_empty() {
        return Err(format!("variables left after clearing: {}", left.trim()));
    }
    Ok(())
}

/// The `text/plain` of a cell's result (what `:vars` answers with).
fn plain_text(run: &crate::jupyter::Execution) -> String {
    run.outputs
        .iter()
        .filter_map(|o| match o {
            JupyterMessageContent::ExecuteResult(r) => serde_json::to_value(&r.data).ok(),
            JupyterMessageContent::DisplayData(d) => serde_json::to_value(&d.data).ok(),
            _ => None,
        })
        .filter_map(|v| {
            v.get("text/plain")
                .and_then(|t| t.as_str())
                .map(str::to_string)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_kind_starts_ahead_once_and_never_for_the_running_or_a_warm_kind() {
        let kind = |deps: &str| Some((PathBuf::from("/lessons"), vec![deps.to_string()]));
        let (plain, polars) = (kind(":dep backprop"), kind(":dep backprop data"));
        let kinds = [
            plain.clone(),
            plain.clone(),
            polars.clone(),
            plain.clone(),
            polars.clone(),
        ];
        let after = |i: usize| (i + 1..kinds.len()).collect::<VecDeque<_>>();
        let none_warm = |_: &Kind| false;
        assert_eq!(next_kind_to_start(&kinds, 0, &after(0), none_warm), Some(2));
        assert_eq!(next_kind_to_start(&kinds, 1, &after(1), none_warm), Some(2));
        // Lesson 2 is itself the polars kind: what follows is the plain kind, warm by then.
        let plain_warm = |k: &Kind| Some(k) == plain.as_ref();
        assert_eq!(next_kind_to_start(&kinds, 2, &after(2), plain_warm), None);
        let polars_warm = |k: &Kind| Some(k) == polars.as_ref();
        assert_eq!(next_kind_to_start(&kinds, 0, &after(0), polars_warm), None);
        // Only notebooks still waiting count: the polars ones ran already.
        let left = VecDeque::from([3]);
        assert_eq!(next_kind_to_start(&kinds, 1, &left, none_warm), None);
        // An unreadable notebook has no kind, and nothing starts for it.
        let unreadable = [plain, None];
        assert_eq!(
            next_kind_to_start(&unreadable, 0, &VecDeque::from([1]), none_warm),
            None
        );
    }

    #[test]
    fn a_notebook_whose_kernel_is_still_starting_lets_the_ones_after_it_go_first() {
        let kind = |deps: &str| Some((PathBuf::from("/lessons"), vec![deps.to_string()]));
        let (plain, polars) = (kind(":dep backprop"), kind(":dep backprop data"));
        let kinds = [plain.clone(), polars.clone(), plain.clone(), polars.clone()];
        let mut waiting = VecDeque::from([1, 2, 3]);
        // The polars kernel is still starting: the plain notebook after it runs first.
        assert_eq!(next_to_run(&mut waiting, &kinds, polars.as_ref()), Some(2));
        // Only polars notebooks are left: the first of them runs, and waits for its kernel.
        assert_eq!(next_to_run(&mut waiting, &kinds, polars.as_ref()), Some(1));
        // With no kernel starting, the order is the one given.
        let mut waiting = VecDeque::from([1, 2, 3]);
        assert_eq!(next_to_run(&mut waiting, &kinds, None), Some(1));
        assert_eq!(next_to_run(&mut waiting, &kinds, plain.as_ref()), Some(3));
        assert_eq!(next_to_run(&mut waiting, &kinds, None), Some(2));
        assert_eq!(next_to_run(&mut waiting, &kinds, None), None);
    }

    /// A notebook of these code cells.
    fn nb(cells: &[&str]) -> v4::Notebook {
        let cells: Vec<serde_json::Value> = cells
            .iter()
            .map(|src| serde_json::json!({"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": src}))
            .collect();
        let text =
            serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
                .to_string();
        notebook::parse(&text).unwrap()
    }

    #[test]
    fn notebooks_that_load_the_same_crates_share_a_kind() {
        let plain = nb(&[
            ":dep backprop = { path = \"../crate\" }\nuse backprop::prelude::*;",
            "let x = 1;",
        ]);
        let data = nb(&[
            "  :dep backprop = { path = \"../crate\", features = [\"data\"] }",
            "// :dep in a comment",
        ]);
        assert_eq!(
            dep_lines(&plain),
            [":dep backprop = { path = \"../crate\" }"]
        );
        assert_eq!(
            dep_lines(&data),
            [":dep backprop = { path = \"../crate\", features = [\"data\"] }"]
        );
        assert_ne!(dep_lines(&plain), dep_lines(&data));
    }

    #[test]
    fn only_deps_that_open_the_first_code_cell_are_loaded_before_the_notebook() {
        let dep = ":dep backprop = { path = \"../crate\" }";
        let polars = ":dep polars = \"0.46\"";
        let lesson = nb(&[
            "  ",
            &format!("\n{dep}\n{polars}\nuse backprop::prelude::*;"),
            "let x = 1;",
        ]);
        let opens = |nb: &v4::Notebook| opening_deps(nb, &dep_lines(nb)).map(<[String]>::to_vec);
        assert_eq!(
            opens(&lesson),
            Some(vec![dep.to_string(), polars.to_string()])
        );
        // Code before a `:dep` could tell whether the crate was there already.
        let late = nb(&[&format!("let x = 1;\n{dep}")]);
        assert_eq!(opens(&late), None);
        let later_cell = nb(&[dep, &format!("let x = 1;\n{polars}")]);
        assert_eq!(opens(&later_cell), None);
        assert_eq!(opens(&nb(&["let x = 1;"])), None);
        assert_eq!(opens(&nb(&[])), None);
    }
}
