//! `course release`: the student versions of the lessons.

use anyhow::bail;
use course::notebook::{self, nbgrader};
use course::project::{self, Project};
use std::path::PathBuf;
use std::process::ExitCode;

/// What to release and where.
#[derive(clap::Args)]
pub struct Args {
    /// The instructor's notebooks [default: notebooks/].
    #[arg(long)]
    source: Option<PathBuf>,
    /// Where the student versions go [default: release/].
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Writes a student version of every lesson: answers stubbed, hidden tests removed.
pub fn exec(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    let source = args.source.unwrap_or_else(|| project.notebooks());
    let out = args.out.unwrap_or_else(|| project.release_output());
    let lessons = project::discover(std::slice::from_ref(&source))?;
    if lessons.is_empty() {
        bail!("no notebooks in {}", source.display());
    }
    for path in &lessons {
        let nb = notebook::load(path)?;
        let (student, done) =
            nbgrader::release(&nb).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let target = out.join(path.strip_prefix(&source).unwrap_or(path));
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
