//! `course`: sets up the Rust kernel for the backprop course and runs its notebooks headlessly.

mod bench;
mod grade;
mod gradebook;
mod kernel;
mod lab;
mod notebook;
mod outcome;
mod project;
mod pyenv;
mod release;
mod run;
mod setup;
mod summary;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use project::Project;
use run::RunOptions;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "course",
    version,
    about = "Set up the course kernel and run the lesson notebooks headlessly."
)]
struct Cli {
    /// The course folder (found from the working folder when omitted).
    #[arg(long, global = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install evcxr_jupyter (pinned) and the course kernel if they are missing.
    Setup,
    /// Execute notebooks on the course kernel; exit 1 if any cell fails.
    Run(RunArgs),
    /// Write the student versions of the lessons (answers stubbed, hidden tests removed).
    Release(ReleaseArgs),
    /// Grade students' notebooks against the lessons; exit 0 when every one was graded.
    Grade(GradeArgs),
    /// Time the lessons on the course kernel beside their floor twins and their numpy twins.
    Bench(BenchArgs),
    /// Open JupyterLab on the lessons with the course kernel (set up first if needed).
    Lab(LabArgs),
}

#[derive(clap::Args)]
struct LabArgs {
    /// The address JupyterLab listens on (loopback: only this machine can reach it).
    #[arg(long, default_value = "127.0.0.1")]
    ip: String,
    /// The port JupyterLab listens on.
    #[arg(long, default_value_t = 8888)]
    port: u16,
    /// Do not open a browser window.
    #[arg(long)]
    no_browser: bool,
}

#[derive(clap::Args)]
struct BenchArgs {
    /// Lessons to time (notebooks or folders) [default: every lesson].
    paths: Vec<PathBuf>,
    /// The numpy twins, named as the lessons [default: bench/python/].
    #[arg(long)]
    python: Option<PathBuf>,
    /// Where bench.json, bench.md and the executed copies go [default: target/bench].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Time limit of a cell, in seconds.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Time limit of a cell with a `:dep` line, in seconds.
    #[arg(long, default_value_t = 1800)]
    dep_timeout: u64,
}

#[derive(clap::Args)]
struct ReleaseArgs {
    /// The instructor's notebooks [default: notebooks/].
    #[arg(long)]
    source: Option<PathBuf>,
    /// Where the student versions go [default: release/].
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Args)]
struct GradeArgs {
    /// Submitted notebooks, or folders searched for them.
    #[arg(required = true)]
    submissions: Vec<PathBuf>,
    /// The instructor's notebooks the submissions answer [default: notebooks/].
    #[arg(long)]
    source: Option<PathBuf>,
    /// Where results, feedback, gradebook.csv and junit.xml go [default: target/grades].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Submissions graded at once, each in its own kernel.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Grade only slice I of N (e.g. 2/4), so N machines can split a class.
    #[arg(long, value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
    /// Time limit of a cell, in seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Time limit of a cell with a `:dep` line, in seconds.
    #[arg(long, default_value_t = 1800)]
    dep_timeout: u64,
    /// Memory a submission's kernel may use, in MiB.
    #[arg(long, default_value_t = 6144)]
    memory: u64,
    /// The kernelspec to grade on.
    #[arg(long, default_value = setup::KERNEL_NAME)]
    kernel: String,
}

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (i, n) = text.split_once('/').ok_or("expected I/N, e.g. 2/4")?;
    let (i, n): (usize, usize) = (
        i.parse().map_err(|_| format!("{i} is not a number"))?,
        n.parse().map_err(|_| format!("{n} is not a number"))?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: need 1 ≤ I ≤ N"));
    }
    Ok((i, n))
}

#[derive(clap::Args)]
struct RunArgs {
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
    #[arg(long, default_value = setup::KERNEL_NAME)]
    kernel: String,
    /// Print a line per cell as it finishes.
    #[arg(short, long)]
    verbose: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    let project = Project::locate(cli.root.as_deref())?;
    match cli.command {
        Command::Setup => {
            setup::ensure(&project, false)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => run(&project, args),
        Command::Release(args) => release(&project, args),
        Command::Grade(args) => grade(&project, args),
        Command::Bench(args) => bench(&project, args),
        Command::Lab(args) => lab::lab(
            &project,
            &lab::LabOptions {
                ip: args.ip,
                port: args.port,
                browser: !args.no_browser,
                as_root: rustix::process::getuid().is_root(),
            },
        ),
    }
}

fn bench(project: &Project, args: BenchArgs) -> Result<ExitCode> {
    let lessons = notebooks(project, &args.paths)?;
    if lessons.is_empty() {
        bail!("no notebooks to time");
    }
    let opts = bench::BenchOptions {
        lessons,
        python_dir: args
            .python
            .unwrap_or_else(|| project.root.join("bench").join("python")),
        out_dir: args
            .out
            .unwrap_or_else(|| project.root.join("target").join("bench")),
        timeout: Duration::from_secs(args.timeout),
        dep_timeout: Duration::from_secs(args.dep_timeout),
        training_script: project.root.join("bench").join("training.py"),
        criterion_dir: project.root.join("target").join("criterion"),
    };
    let report = bench::bench(project, &opts)?;
    bench::write(&report, &opts.out_dir)?;
    println!("{}", bench::render(&report));
    println!(
        "bench.json, bench.md and the executed copies in {}",
        opts.out_dir.display()
    );
    let all_passed = report.lessons.iter().all(|l| {
        l.rust.passed
            && l.floor.as_ref().is_none_or(|f| f.passed)
            && l.python.as_ref().is_none_or(|p| p.passed)
    });
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn notebooks(project: &Project, paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    if paths.is_empty() {
        return project.lesson_notebooks();
    }
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            found.extend(project::notebooks_in(path)?);
        } else if path.exists() {
            found.push(path.clone());
        } else {
            bail!("{} does not exist", path.display());
        }
    }
    Ok(found)
}

fn run(project: &Project, args: RunArgs) -> Result<ExitCode> {
    let notebooks = notebooks(project, &args.paths)?;
    if notebooks.is_empty() {
        bail!("no notebooks to run");
    }
    if args.kernel == setup::KERNEL_NAME {
        setup::ensure(project, false)?;
    }
    let out_dir = args.out.clone().unwrap_or_else(|| project.output());
    let opts = RunOptions {
        kernel: args.kernel,
        timeout: Duration::from_secs(args.timeout),
        dep_timeout: Duration::from_secs(args.dep_timeout),
        startup_timeout: Duration::from_secs(120),
        keep_going: args.keep_going,
        out_dir: out_dir.clone(),
        verbose: args.verbose,
        memory_limit: None,
        data_dir: None,
    };
    let started = Instant::now();
    let runtime = tokio::runtime::Runtime::new()?;
    let executed = run::executed_paths(&notebooks, &out_dir);
    let mut reports = Vec::new();
    for (path, copy) in notebooks.iter().zip(&executed) {
        eprintln!("▶ {}", path.display());
        let report = runtime.block_on(run::run_notebook(path, copy, &opts));
        eprintln!(
            "  {} in {:.1} s",
            if report.passed() { "passed" } else { "FAILED" },
            report.seconds
        );
        reports.push(report);
    }
    let seconds = started.elapsed().as_secs_f64();
    let json = out_dir.join("report.json");
    summary::write_json(&reports, seconds, &json)?;
    println!("{}", summary::render(&reports));
    println!("executed copies and report.json in {}", out_dir.display());
    let all_passed = reports.iter().all(|r| r.passed());
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn release(project: &Project, args: ReleaseArgs) -> Result<ExitCode> {
    let source = args.source.unwrap_or_else(|| project.notebooks());
    let out = args.out.unwrap_or_else(|| project.root.join("release"));
    let lessons = project::notebooks_in(&source)?;
    if lessons.is_empty() {
        bail!("no notebooks in {}", source.display());
    }
    for path in &lessons {
        let nb = notebook::load(path)?;
        let (student, done) =
            release::release(&nb).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let target = out.join(path.file_name().unwrap_or_default());
        notebook::save(&student, &target)?;
        println!(
            "{} → {}: {} answer{} stubbed, {} hidden test block{} removed",
            path.display(),
            target.display(),
            done.solutions,
            if done.solutions == 1 { "" } else { "s" },
            done.hidden,
            if done.hidden == 1 { "" } else { "s" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Every `.ipynb` under `path` (a file is itself), skipping Jupyter's checkpoint folders.
fn find_notebooks(path: &std::path::Path, found: &mut Vec<PathBuf>) -> Result<()> {
    if path.is_file() {
        found.push(path.to_path_buf());
    } else if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            let hidden = entry
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if entry.is_dir() && !hidden {
                find_notebooks(&entry, found)?;
            } else if entry.extension().is_some_and(|x| x == "ipynb") {
                found.push(entry);
            }
        }
    } else {
        bail!("{} does not exist", path.display());
    }
    Ok(())
}

fn grade(project: &Project, args: GradeArgs) -> Result<ExitCode> {
    let source = args.source.unwrap_or_else(|| project.notebooks());
    let lessons: Vec<grade::Lesson> = project::notebooks_in(&source)?
        .iter()
        .map(|p| grade::Lesson::load(p))
        .collect::<Result<_>>()?;
    if lessons.is_empty() {
        bail!("no lesson notebooks in {}", source.display());
    }
    let mut submissions = Vec::new();
    for path in &args.submissions {
        find_notebooks(path, &mut submissions)?;
    }
    if let Some((i, n)) = args.shard {
        submissions.retain(|p| grade::in_shard(p, i, n));
    }
    if args.kernel == setup::KERNEL_NAME {
        setup::ensure(project, true)?;
    }
    let out = args
        .out
        .unwrap_or_else(|| project.root.join("target").join("grades"));
    let opts = RunOptions {
        kernel: args.kernel,
        timeout: Duration::from_secs(args.timeout),
        dep_timeout: Duration::from_secs(args.dep_timeout),
        startup_timeout: Duration::from_secs(120),
        keep_going: true,
        out_dir: out.clone(),
        verbose: false,
        memory_limit: Some(args.memory * 1024 * 1024),
        data_dir: None,
    };
    let started = Instant::now();
    let bar = indicatif::ProgressBar::new(submissions.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} graded, {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let runtime = tokio::runtime::Runtime::new()?;
    let grades = runtime.block_on(async {
        let lessons = std::sync::Arc::new(lessons);
        let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(args.jobs.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for (i, path) in submissions.iter().cloned().enumerate() {
            let (lessons, slots, opts) = (lessons.clone(), slots.clone(), opts.clone());
            tasks.spawn(async move {
                let _slot = slots.acquire_owned().await;
                (i, grade::grade(&path, &lessons, &opts).await)
            });
        }
        let mut grades = Vec::new();
        while let Some(done) = tasks.join_next().await {
            if let Ok((i, g)) = done {
                bar.set_message(format!("{}: {} / {}", g.student, g.points, g.max_points));
                if bar.is_hidden() {
                    eprintln!(
                        "graded {} ({}): {} / {}",
                        g.student,
                        g.lesson.as_deref().unwrap_or("?"),
                        g.points,
                        g.max_points
                    );
                }
                bar.inc(1);
                grades.push((i, g));
            }
        }
        grades.sort_by_key(|(i, _)| *i);
        grades.into_iter().map(|(_, g)| g).collect::<Vec<_>>()
    });
    bar.finish_and_clear();
    gradebook::write_all(&grades, &out)?;
    for g in &grades {
        println!(
            "{:<24} {:<28} {:>5} / {:<5} {}",
            g.student,
            g.lesson.as_deref().unwrap_or("?"),
            g.points,
            g.max_points,
            g.error
                .as_deref()
                .map(|e| e.lines().next().unwrap_or(""))
                .unwrap_or("")
        );
    }
    println!(
        "graded {} submission{} in {:.1} s; gradebook.csv, junit.xml, results/ and feedback/ in {}",
        grades.len(),
        if grades.len() == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64(),
        out.display()
    );
    let faults = grades.iter().filter(|g| g.grader_fault).count();
    if faults > 0 || grades.len() != submissions.len() {
        eprintln!("error: {faults} submission(s) could not be graded because of the grader itself (see results/)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
