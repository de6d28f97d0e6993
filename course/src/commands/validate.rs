//! `course validate`: check a notebook the way the grader will, against the released lesson.

use super::{exit_code, grading_exec_options, lessons};
use anyhow::bail;
use course::grade::{validate, GradeOptions};
use course::install;
use course::project::{self, Project};
use std::path::PathBuf;
use std::process::ExitCode;

/// What to check.
#[derive(clap::Args)]
pub struct Args {
    /// Notebooks to check, or folders searched for them.
    #[arg(required = true)]
    notebooks: Vec<PathBuf>,
    /// The instructor's notebooks, released before checking [default: notebooks/].
    #[arg(long)]
    source: Option<PathBuf>,
    /// Run the notebook with your own rights instead of in the grader's sandbox.
    #[arg(long)]
    unsandboxed: bool,
}

/// Runs each notebook with `course grade`'s default limits and prints a ✓ or ✗ per check;
/// exit 0 only when every visible check passes.
pub fn exec(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    let lessons = lessons(&args.source.unwrap_or_else(|| project.notebooks()))?;
    let notebooks = project::discover(&args.notebooks)?;
    if notebooks.is_empty() {
        let given: Vec<String> = args
            .notebooks
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        bail!("no notebooks in {}", given.join(", "));
    }
    install::ensure(project, true)?;
    let (exec, _seed) = grading_exec_options(
        project,
        install::KERNEL_NAME,
        super::GRADE_LIMITS,
        args.unsandboxed,
    )?;
    let opts = GradeOptions {
        exec,
        out: project.validate_output(),
        pool: None,
    };
    let runtime = course::jupyter::runtime()?;
    let mut all_passed = true;
    for path in &notebooks {
        let checked = runtime.block_on(validate::validate(path, &lessons, &opts))?;
        print!("{}", validate::report(&checked));
        all_passed &= validate::passed(&checked);
    }
    Ok(exit_code(all_passed))
}
