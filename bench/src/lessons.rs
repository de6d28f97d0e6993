//! The lessons on the course kernel beside their numpy twins under ipykernel,
//! run one after the other on this machine, with a table of wall times, cell times, the time
//! to a fresh kernel's first result and the kernel's memory. Each lesson also gets a floor
//! twin: as many code cells, each a one-line `let`, on the same kernel without the course
//! crate, which is what evcxr itself costs for a notebook of that shape. Then the whole course
//! runs once more on the warm path, as `course run` runs it: a kernel that ran a lesson is
//! cleared and handed the next lesson that loads the same crates.

use anyhow::{bail, Context, Result};
use course::exec::stats::{executed_cell_times, CellTimes};
use course::exec::warm::run_notebooks;
use course::exec::{run_notebook, ExecOptions, NotebookReport, OutputDir};
use course::install;
use course::jupyter::KernelOptions;
use course::notebook;
use course::project::Project;
use course::python::PythonEnv;
use nbformat::v4::Cell;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The kernelspec name of the benchmark's Python kernel (in the benchmark's own environment).
pub const PYTHON_KERNEL: &str = "backprop-bench-python";

/// One side (Rust or Python) of one lesson.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// Whether every cell ran clean.
    pub passed: bool,
    /// Wall time, kernel start to shutdown, seconds.
    pub seconds: f64,
    /// Asking for a kernel to its answering, seconds.
    pub startup: Option<f64>,
    /// Kernel start to the first code cell's result, seconds.
    pub first_result: Option<f64>,
    /// Cell times.
    pub cell_times: Option<CellTimes>,
    /// The kernel's resident memory after the last cell, bytes.
    pub memory: Option<u64>,
    /// The first failure, if any.
    pub failure: Option<String>,
    #[serde(skip)]
    times: Vec<f64>,
}

impl Side {
    fn of(report: &NotebookReport) -> Side {
        let times = executed_cell_times(&report.cells);
        Side {
            passed: report.passed(),
            seconds: report.seconds,
            startup: report.kernel.startup,
            first_result: report.kernel.first_result,
            cell_times: CellTimes::of(&times),
            memory: report.kernel.memory.map(|m| m.resident),
            failure: report.error.clone().or_else(|| {
                report
                    .first_failure()
                    .map(|c| format!("cell {}: {}", c.cell, c.outcome.message))
            }),
            times,
        }
    }
}

/// One lesson measured on both kernels.
#[derive(Debug, Clone, Serialize)]
pub struct LessonBench {
    /// The lesson's file name.
    pub lesson: String,
    /// On the course kernel.
    pub rust: Side,
    /// Its floor twin on the course kernel: as many code cells, each a one-line `let`.
    pub floor: Side,
    /// Its numpy twin under ipykernel, when there is one.
    pub python: Option<Side>,
    /// On the course kernel's warm path (`course run`): after the lessons before it, on a
    /// kernel cleared after the last lesson of its kind, or a fresh one for the first.
    pub warm: Option<Side>,
}

/// The whole benchmark, as written to `bench.json`.
#[derive(Debug, Serialize)]
pub struct BenchReport {
    /// Where it ran.
    pub machine: String,
    /// Each lesson.
    pub lessons: Vec<LessonBench>,
    /// Rust wall time over all lessons, seconds.
    pub rust_seconds: f64,
    /// Python wall time over the lessons that have a twin, seconds.
    pub python_seconds: f64,
    /// Rust over Python, for the lessons that have a twin.
    pub ratio: Option<f64>,
    /// Wall time of the floor twins over all lessons, seconds.
    pub floor_seconds: f64,
    /// Floor twins over Python, for the lessons that have both twins: the lowest ratio the
    /// course could reach on this kernel.
    pub floor_ratio: Option<f64>,
    /// Cell times over every Rust cell.
    pub rust_cells: Option<CellTimes>,
    /// Cell times over every Python cell.
    pub python_cells: Option<CellTimes>,
    /// Cell times over every floor-twin cell.
    pub floor_cells: Option<CellTimes>,
    /// Wall time of the warm path over all lessons, seconds.
    pub warm_seconds: f64,
    /// The warm path over Python, for the lessons that have a twin.
    pub warm_ratio: Option<f64>,
    /// Cell times over every cell of the warm path.
    pub warm_cells: Option<CellTimes>,
    /// The training loops: criterion's figures for Rust beside `bench/training.py`'s for numpy.
    pub training: Vec<TrainingBench>,
}

/// One training workload timed in both languages.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrainingBench {
    /// The workload, as criterion names it.
    pub workload: String,
    /// Criterion's mean, seconds (from its last `cargo bench` run on this checkout).
    pub rust: Option<f64>,
    /// numpy's best of several runs, seconds.
    pub numpy: Option<f64>,
}

/// Criterion's latest mean of every benchmark under `dir` (`target/criterion`), by full id.
pub fn criterion_means(dir: &Path) -> Vec<(String, f64)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let is_new = folder.file_name().is_some_and(|n| n == "new");
            if !is_new || path.file_name().is_none_or(|n| n != "benchmark.json") {
                continue;
            }
            let read = |p: &Path| -> Option<serde_json::Value> {
                serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()
            };
            let id = read(&path).and_then(|b| b["full_id"].as_str().map(String::from));
            let mean = read(&folder.join("estimates.json"))
                .and_then(|e| e["mean"]["point_estimate"].as_f64());
            if let (Some(id), Some(ns)) = (id, mean) {
                found.push((id, ns * 1e-9));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Runs `bench/training.py` in the benchmark's environment: its figures by workload.
fn numpy_training(python: &PythonEnv, script: &Path) -> Result<Vec<(String, f64)>> {
    eprintln!("▶ {} (numpy training loops)", script.display());
    let out = Command::new(python.python())
        .arg(script)
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not run {}", script.display()))?;
    if !out.status.success() {
        bail!("{} failed ({})", script.display(), out.status);
    }
    let value: serde_json::Value = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("{} did not print JSON", script.display()))?;
    Ok(value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
        .collect())
}

/// Pairs criterion's figures with numpy's by workload name.
pub fn pair_training(rust: &[(String, f64)], numpy: &[(String, f64)]) -> Vec<TrainingBench> {
    let mut names: Vec<&String> = rust.iter().chain(numpy).map(|(k, _)| k).collect();
    names.sort();
    names.dedup();
    let find =
        |list: &[(String, f64)], name: &str| list.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
    names
        .into_iter()
        .map(|name| TrainingBench {
            workload: name.clone(),
            rust: find(rust, name),
            numpy: find(numpy, name),
        })
        .collect()
}

/// What to benchmark and where the results go.
pub struct BenchOptions {
    /// The lessons, in order.
    pub lessons: Vec<PathBuf>,
    /// The folder of the numpy twins (same file names).
    pub python_dir: PathBuf,
    /// Where executed copies, logs, `bench.json` and `bench.md` go.
    pub out_dir: PathBuf,
    /// Time limit of an ordinary cell.
    pub timeout: Duration,
    /// Time limit of a `:dep` cell.
    pub dep_timeout: Duration,
    /// The numpy training script (`bench/training.py`), run when it exists.
    pub training_script: PathBuf,
    /// Criterion's output folder (`target/criterion`), read for the Rust training figures.
    pub criterion_dir: PathBuf,
}

/// Runs every lesson on the course kernel and its twin on the Python kernel, one at a time.
pub fn bench(project: &Project, opts: &BenchOptions) -> Result<BenchReport> {
    install::ensure(project, false)?;
    let python = PythonEnv {
        venv: project.bench_env(),
        requirements: project.bench_sources().join("requirements.txt"),
        purpose: "the Python side of the benchmark",
        imports: "numpy, pandas, matplotlib, ipykernel",
    };
    python.ensure()?;
    python.write_kernelspec(PYTHON_KERNEL, "Python (backprop bench)")?;
    let runtime = course::jupyter::runtime()?;
    let side_opts = |kernel: &str, data_dir: PathBuf| ExecOptions {
        kernel: KernelOptions {
            data_dir: Some(data_dir),
            ..KernelOptions::named(kernel)
        },
        timeout: opts.timeout,
        dep_timeout: opts.dep_timeout,
        keep_going: true,
        verbose: false,
        seal_checks: false,
    };
    let rust_opts = side_opts(install::KERNEL_NAME, project.jupyter_data());
    let python_opts = side_opts(PYTHON_KERNEL, python.data_dir());
    let side = |dir: &str| OutputDir(opts.out_dir.join(dir));
    let (rust_out, floor_out, python_out) = (side("rust"), side("floor"), side("python"));
    let mut lessons = Vec::new();
    for (lesson, key) in opts
        .lessons
        .iter()
        .zip(course::exec::unique_keys(&opts.lessons))
    {
        let name = format!("{key}.ipynb");
        eprintln!("▶ {name}");
        let rust = Side::of(&runtime.block_on(run_notebook(lesson, &rust_out, &key, &rust_opts)));
        eprintln!("  Rust   {:>7.1} s{}", rust.seconds, verdict(&rust));
        let floor_source = opts.out_dir.join("floor-source").join(&name);
        floor_twin(lesson, &floor_source)?;
        let floor =
            Side::of(&runtime.block_on(run_notebook(&floor_source, &floor_out, &key, &rust_opts)));
        eprintln!("  floor  {:>7.1} s{}", floor.seconds, verdict(&floor));
        let twin = opts.python_dir.join(lesson.file_name().unwrap_or_default());
        let python = twin.is_file().then(|| {
            let side =
                Side::of(&runtime.block_on(run_notebook(&twin, &python_out, &key, &python_opts)));
            eprintln!("  Python {:>7.1} s{}", side.seconds, verdict(&side));
            side
        });
        lessons.push(LessonBench {
            lesson: name,
            rust,
            floor,
            python,
            warm: None,
        });
    }
    eprintln!("▶ the whole course on the warm path (as `course run` runs it)");
    let keys = course::exec::unique_keys(&opts.lessons);
    let warm = runtime.block_on(run_notebooks(
        &opts.lessons,
        &keys,
        &side("warm"),
        &rust_opts,
        true,
        |report| {
            let side = Side::of(report);
            eprintln!(
                "  {:<32} {:>7.1} s{}",
                report
                    .path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy(),
                side.seconds,
                verdict(&side)
            );
        },
    ));
    for (lesson, report) in lessons.iter_mut().zip(&warm) {
        lesson.warm = Some(Side::of(report));
    }
    let numpy = if opts.training_script.is_file() {
        numpy_training(&python, &opts.training_script)?
    } else {
        Vec::new()
    };
    let mut report = summarize(lessons);
    report.training = pair_training(&criterion_means(&opts.criterion_dir), &numpy);
    Ok(report)
}

/// Writes the lesson's floor twin to `path`: the lesson with each code cell's source replaced by
/// a one-line `let` (`let floor_3 = 3;`) and no outputs. It runs on the same kernel with the
/// same number of cells, but builds nothing of the course crate: evcxr's own cost.
pub fn floor_twin(lesson: &Path, path: &Path) -> Result<()> {
    let mut nb = notebook::load(lesson)?;
    let mut n = 0;
    for cell in &mut nb.cells {
        if let Cell::Code { source, .. } = cell {
            *source = vec![format!("let floor_{n} = {n};")];
            notebook::set_outputs(cell, Vec::new(), None);
            n += 1;
        }
    }
    Ok(notebook::save(&nb, path)?)
}

fn verdict(side: &Side) -> String {
    match &side.failure {
        None => String::new(),
        Some(why) => format!("  FAILED: {}", why.lines().next().unwrap_or("")),
    }
}

/// Totals over the lessons.
pub fn summarize(lessons: Vec<LessonBench>) -> BenchReport {
    let rust_seconds = lessons.iter().map(|l| l.rust.seconds).sum();
    let twinned: Vec<&LessonBench> = lessons.iter().filter(|l| l.python.is_some()).collect();
    let python_seconds: f64 = twinned
        .iter()
        .filter_map(|l| l.python.as_ref())
        .map(|p| p.seconds)
        .sum();
    let rust_twinned: f64 = twinned.iter().map(|l| l.rust.seconds).sum();
    let floor_seconds = lessons.iter().map(|l| l.floor.seconds).sum();
    let floor_twinned: f64 = twinned.iter().map(|l| l.floor.seconds).sum();
    let floor_ratio = (python_seconds > 0.0).then(|| floor_twinned / python_seconds);
    let warm_seconds = lessons
        .iter()
        .filter_map(|l| l.warm.as_ref())
        .map(|w| w.seconds)
        .sum();
    let warm_twinned: Option<f64> = twinned
        .iter()
        .map(|l| l.warm.as_ref().map(|w| w.seconds))
        .sum();
    let warm_ratio = warm_twinned
        .filter(|_| python_seconds > 0.0)
        .map(|w| w / python_seconds);
    let all = |pick: &dyn Fn(&LessonBench) -> Option<&Side>| {
        let times: Vec<f64> = lessons
            .iter()
            .filter_map(pick)
            .flat_map(|s| s.times.iter().copied())
            .collect();
        CellTimes::of(&times)
    };
    BenchReport {
        machine: machine(),
        rust_cells: all(&|l| Some(&l.rust)),
        python_cells: all(&|l| l.python.as_ref()),
        floor_cells: all(&|l| Some(&l.floor)),
        warm_cells: all(&|l| l.warm.as_ref()),
        warm_seconds,
        warm_ratio,
        ratio: (python_seconds > 0.0).then(|| rust_twinned / python_seconds),
        floor_seconds,
        floor_ratio,
        lessons,
        rust_seconds,
        python_seconds,
        training: Vec::new(),
    }
}

/// A line naming this machine: CPU model, cores, memory, OS.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or(String::new(), |kib| {
            format!(", {:.0} GiB", kib as f64 / 1024.0 / 1024.0)
        });
    format!("{model}, {cores} cores{memory}, {}", std::env::consts::OS)
}

fn secs(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| {
        if v < 10.0 {
            format!("{v:.2}")
        } else {
            format!("{v:.1}")
        }
    })
}

/// "kernel start → first result", seconds.
fn start_first(side: Option<&Side>) -> String {
    side.map_or("—".into(), |s| {
        format!("{} → {}", secs(s.startup), secs(s.first_result))
    })
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or("—".into(), |b| {
        format!("{:.0}", b as f64 / 1024.0 / 1024.0)
    })
}

/// The report as a Markdown table (what `bench.md` holds and the terminal shows).
pub fn render(report: &BenchReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Machine: {}\n", report.machine);
    let _ = writeln!(
        out,
        "| lesson | Rust s | Python s | ratio | Rust median / p95 / max cell s | Python median / p95 / max cell s | kernel start → first result Rust / Python s | memory Rust / Python MiB |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|");
    let cell = |c: Option<CellTimes>| {
        c.map_or("—".into(), |c| {
            format!(
                "{} / {} / {}",
                secs(Some(c.median)),
                secs(Some(c.p95)),
                secs(Some(c.max))
            )
        })
    };
    for l in &report.lessons {
        let py = l.python.as_ref();
        let ratio = over_python(l, l.rust.seconds);
        let failed = if l.rust.passed && py.is_none_or(|p| p.passed) {
            ""
        } else {
            " (FAILED)"
        };
        let _ = writeln!(
            out,
            "| {}{failed} | {} | {} | {ratio} | {} | {} | {} / {} | {} / {} |",
            l.lesson,
            secs(Some(l.rust.seconds)),
            secs(py.map(|p| p.seconds)),
            cell(l.rust.cell_times),
            cell(py.and_then(|p| p.cell_times)),
            start_first(Some(&l.rust)),
            start_first(py),
            mib(l.rust.memory),
            mib(py.and_then(|p| p.memory)),
        );
    }
    let _ = writeln!(
        out,
        "| **all** | **{}** | **{}** | **{}** | {} | {} | | |",
        secs(Some(report.rust_seconds)),
        secs(Some(report.python_seconds)),
        report.ratio.map_or("—".into(), |r| format!("{r:.1}×")),
        cell(report.rust_cells),
        cell(report.python_cells),
    );
    render_floor(report, &mut out, &cell);
    render_warm(report, &mut out, &cell);
    if !report.training.is_empty() {
        let _ = writeln!(
            out,
            "\n| training workload | Rust (criterion mean) s | numpy (best run) s | numpy ÷ Rust |"
        );
        let _ = writeln!(out, "|---|--:|--:|--:|");
        for t in &report.training {
            let speedup = match (t.rust, t.numpy) {
                (Some(r), Some(n)) if r > 0.0 => format!("{:.1}×", n / r),
                _ => "—".into(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {speedup} |",
                t.workload,
                t.rust
                    .map_or("— (run `cargo bench -p backprop`)".into(), |v| format!(
                        "{v:.4}"
                    )),
                t.numpy.map_or("—".into(), |v| format!("{v:.4}")),
            );
        }
    }
    out
}

/// The floor twins' table, when there are lessons.
fn render_floor(
    report: &BenchReport,
    out: &mut String,
    cell: &dyn Fn(Option<CellTimes>) -> String,
) {
    if report.lessons.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nFloor: each lesson with every code cell replaced by a one-line `let`, on the same kernel \
         without the course crate (what evcxr itself costs for a notebook of that shape).\n"
    );
    let _ = writeln!(
        out,
        "| lesson | floor s | floor ÷ Python | floor median / p95 / max cell s | kernel start → first result s |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|");
    for l in &report.lessons {
        let floor = &l.floor;
        let ratio = over_python(l, floor.seconds);
        let failed = if floor.passed { "" } else { " (FAILED)" };
        let _ = writeln!(
            out,
            "| {}{failed} | {} | {ratio} | {} | {} |",
            l.lesson,
            secs(Some(floor.seconds)),
            cell(floor.cell_times),
            start_first(Some(floor)),
        );
    }
    let _ = writeln!(
        out,
        "| **all** | **{}** | **{}** | {} | |",
        secs(Some(report.floor_seconds)),
        report
            .floor_ratio
            .map_or("—".into(), |r| format!("{r:.1}×")),
        cell(report.floor_cells),
    );
}

/// `seconds` over the lesson's numpy twin, as `7.5×`; `—` without a twin.
fn over_python(lesson: &LessonBench, seconds: f64) -> String {
    lesson
        .python
        .as_ref()
        .filter(|p| p.seconds > 0.0)
        .map_or("—".into(), |p| format!("{:.1}×", seconds / p.seconds))
}

/// The warm path's table, when it ran.
fn render_warm(report: &BenchReport, out: &mut String, cell: &dyn Fn(Option<CellTimes>) -> String) {
    if report.lessons.iter().all(|l| l.warm.is_none()) {
        return;
    }
    let _ = writeln!(
        out,
        "\nWarm path: the whole course in order as `course run` runs it, each kernel cleared and \
         reused for the next lesson that loads the same crates (a fresh kernel for the first of \
         each kind).\n"
    );
    let _ = writeln!(
        out,
        "| lesson | warm s | fresh s | warm ÷ Python | warm median / p95 / max cell s | start → first result s |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|");
    for l in &report.lessons {
        let Some(warm) = &l.warm else { continue };
        let ratio = over_python(l, warm.seconds);
        let failed = if warm.passed { "" } else { " (FAILED)" };
        let _ = writeln!(
            out,
            "| {}{failed} | {} | {} | {ratio} | {} | {} |",
            l.lesson,
            secs(Some(warm.seconds)),
            secs(Some(l.rust.seconds)),
            cell(warm.cell_times),
            start_first(Some(warm)),
        );
    }
    let _ = writeln!(
        out,
        "| **all** | **{}** | **{}** | **{}** | {} | |",
        secs(Some(report.warm_seconds)),
        secs(Some(report.rust_seconds)),
        report.warm_ratio.map_or("—".into(), |r| format!("{r:.1}×")),
        cell(report.warm_cells),
    );
}

/// Writes `bench.json` and `bench.md` into `dir`.
pub fn write(report: &BenchReport, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("bench.json"),
        serde_json::to_string_pretty(report)? + "\n",
    )?;
    std::fs::write(dir.join("bench.md"), render(report))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn side(seconds: f64, times: Vec<f64>) -> Side {
        Side {
            passed: true,
            seconds,
            startup: Some(0.5),
            first_result: Some(1.0),
            cell_times: CellTimes::of(&times),
            memory: Some(300 << 20),
            failure: None,
            times,
        }
    }

    #[test]
    fn training_figures_pair_up_by_workload_and_keep_the_unpaired() {
        let rust = vec![("a".to_string(), 0.01), ("b".to_string(), 0.5)];
        let numpy = vec![
            ("a".to_string(), 2.0),
            ("numpy".to_string(), 0.0),
            ("c".to_string(), 1.0),
        ];
        let paired = pair_training(&rust, &numpy);
        assert_eq!(
            paired
                .iter()
                .map(|t| t.workload.as_str())
                .collect::<Vec<_>>(),
            ["a", "b", "c", "numpy"]
        );
        assert_eq!(paired[0].rust, Some(0.01));
        assert_eq!(paired[0].numpy, Some(2.0));
        assert_eq!(paired[1].numpy, None);
        assert_eq!(paired[2].rust, None);
    }

    #[test]
    fn criterion_means_are_read_from_each_benchmarks_new_folder() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("full batch").join("one step").join("new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(
            new.join("benchmark.json"),
            r#"{"full_id": "full batch/one step"}"#,
        )
        .unwrap();
        std::fs::write(
            new.join("estimates.json"),
            r#"{"mean": {"point_estimate": 2500000.0}}"#,
        )
        .unwrap();
        let old = dir.path().join("full batch").join("one step").join("base");
        std::fs::create_dir_all(&old).unwrap();
        std::fs::write(old.join("benchmark.json"), r#"{"full_id": "stale"}"#).unwrap();
        let means = criterion_means(dir.path());
        assert_eq!(means.len(), 1);
        assert_eq!(means[0].0, "full batch/one step");
        assert_relative_eq!(means[0].1, 0.0025);
    }

    #[test]
    fn the_ratio_counts_only_lessons_that_have_a_python_twin() {
        let report = summarize(vec![
            LessonBench {
                lesson: "01.ipynb".into(),
                rust: side(6.0, vec![1.0, 2.0, 3.0]),
                floor: side(1.0, vec![0.5]),
                python: Some(side(2.0, vec![0.5, 1.5])),
                warm: Some(side(3.0, vec![0.5, 1.0, 1.5])),
            },
            LessonBench {
                lesson: "02.ipynb".into(),
                rust: side(10.0, vec![10.0]),
                floor: side(1.0, vec![0.5]),
                python: None,
                warm: Some(side(4.0, vec![4.0])),
            },
        ]);
        assert_relative_eq!(report.rust_seconds, 16.0);
        assert_relative_eq!(report.python_seconds, 2.0);
        assert_relative_eq!(report.ratio.unwrap(), 3.0);
        assert_eq!(report.rust_cells.unwrap().cells, 4);
        assert_relative_eq!(report.python_cells.unwrap().median, 1.0);
        let table = render(&report);
        assert!(
            table.contains("| 01.ipynb | 6.00 | 2.00 | 3.0× | 2.00 / 3.00 / 3.00 |"),
            "{table}"
        );
        assert!(table.contains("| 02.ipynb | 10.0 | — | — |"), "{table}");
        // The warm path: its total over every lesson, its ratio over the twinned ones only.
        assert_relative_eq!(report.warm_seconds, 7.0);
        assert_relative_eq!(report.warm_ratio.unwrap(), 1.5);
        assert_eq!(report.warm_cells.unwrap().cells, 4);
        assert!(
            table.contains("| 01.ipynb | 3.00 | 6.00 | 1.5× | 1.00 / 1.50 / 1.50 |"),
            "{table}"
        );
        assert!(
            table.contains("| **all** | **7.00** | **16.0** | **1.5×** |"),
            "{table}"
        );
        assert!(
            table.contains("| **all** | **16.0** | **2.00** | **3.0×** |"),
            "{table}"
        );
    }

    #[test]
    fn the_floor_ratio_counts_the_floors_of_lessons_with_a_python_twin() {
        let lesson = |name: &str, floor: f64, python: Option<f64>| LessonBench {
            lesson: name.into(),
            rust: side(20.0, vec![1.0]),
            floor: side(floor, vec![0.25, 0.5, 0.75]),
            python: python.map(|s| side(s, vec![0.01])),
            warm: None,
        };
        let report = summarize(vec![
            lesson("01.ipynb", 6.0, Some(2.0)),
            lesson("02.ipynb", 9.0, Some(1.0)),
            lesson("03.ipynb", 5.0, None),
        ]);
        assert_relative_eq!(report.floor_seconds, 20.0);
        assert_relative_eq!(report.floor_ratio.unwrap(), 5.0);
        assert_eq!(report.floor_cells.unwrap().cells, 9);
        let table = render(&report);
        assert!(
            table.contains("| 01.ipynb | 6.00 | 3.0× | 0.50 / 0.75 / 0.75 | 0.50 → 1.00 |"),
            "{table}"
        );
        assert!(table.contains("| 03.ipynb | 5.00 | — |"), "{table}");
        assert!(
            table.contains("| **all** | **20.0** | **5.0×** |"),
            "{table}"
        );

        let untwinned = summarize(vec![lesson("03.ipynb", 5.0, None)]);
        assert_eq!(untwinned.floor_ratio, None);
    }

    #[test]
    fn a_floor_twin_has_one_let_per_code_cell_and_no_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let lesson = dir.path().join("lesson.ipynb");
        std::fs::write(
            &lesson,
            r##"{"cells": [
              {"cell_type": "markdown", "metadata": {}, "source": ["# Title"]},
              {"cell_type": "code", "metadata": {}, "execution_count": 3,
               "outputs": [{"output_type": "stream", "name": "stdout", "text": ["hi"]}],
               "source": [":dep backprop = { path = \"../crate\" }"]},
              {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [],
               "source": ["let y = array![1.0];\n", "y"]}
            ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"##,
        )
        .unwrap();
        let twin = dir.path().join("floor").join("lesson.ipynb");
        floor_twin(&lesson, &twin).unwrap();
        let nb = notebook::load(&twin).unwrap();
        let sources: Vec<Option<String>> = nb.cells.iter().map(notebook::source).collect();
        assert_eq!(
            sources,
            [
                None,
                Some("let floor_0 = 0;".to_string()),
                Some("let floor_1 = 1;".to_string())
            ]
        );
        for cell in &nb.cells {
            if let Cell::Code {
                outputs,
                execution_count,
                ..
            } = cell
            {
                assert!(outputs.is_empty());
                assert_eq!(*execution_count, None);
            }
        }
    }
}
