//! `course-bench`: the lessons on the course kernel beside their floor twins and their numpy
//! twins under ipykernel, with the training loops' figures; kept out of the learner's `course`
//! binary, on the same engine.

mod lessons;

use anyhow::bail;
use clap::Parser;
use course::project::Project;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Time the lessons on the course kernel beside their floor twins and their numpy twins.
#[derive(Parser)]
#[command(name = "course-bench", version)]
struct Args {
    /// The course folder (found from the working folder when omitted).
    #[arg(long)]
    root: Option<PathBuf>,
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

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let project = Project::locate(args.root.as_deref())?;
    let lessons = project.discover(&args.paths)?;
    if lessons.is_empty() {
        bail!("no notebooks to time");
    }
    let opts = lessons::BenchOptions {
        lessons,
        python_dir: args
            .python
            .unwrap_or_else(|| project.bench_sources().join("python")),
        out_dir: args.out.unwrap_or_else(|| project.bench_output()),
        timeout: Duration::from_secs(args.timeout),
        dep_timeout: Duration::from_secs(args.dep_timeout),
        training_script: project.bench_sources().join("training.py"),
        criterion_dir: project.criterion_output(),
    };
    let report = lessons::bench(&project, &opts)?;
    lessons::write(&report, &opts.out_dir)?;
    println!("{}", lessons::render(&report));
    println!(
        "bench.json, bench.md and the executed copies in {}",
        opts.out_dir.display()
    );
    let all_passed = report.lessons.iter().all(|l| {
        l.rust.passed
            && l.floor.passed
            && l.python.as_ref().is_none_or(|p| p.passed)
            && l.warm.as_ref().is_none_or(|w| w.passed)
    });
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
