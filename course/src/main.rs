//! `course`: sets up the Rust kernel for the backprop course and runs its notebooks headlessly.

mod kernel;
mod notebook;
mod outcome;
mod project;
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
    }
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
