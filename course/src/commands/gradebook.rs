//! `course gradebook`: merge the folders of sharded grading runs, and export grades for a
//! learning platform.

use super::exit_code;
use course::grade::export::{self, Format};
use course::grade::{folder, merge, stats};
use course::project::Project;
use std::path::PathBuf;
use std::process::ExitCode;

/// What to do with graded folders.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Combine the folders of `course grade --shard I/N` runs into one; exit 1 when the
    /// grader itself failed on some submission.
    Merge(MergeArgs),
    /// Write the grades as a CSV a learning platform imports, and a feedback page per student.
    Export(ExportArgs),
}

/// The shards and where their merge goes.
#[derive(clap::Args)]
struct MergeArgs {
    /// Output folders of `course grade` (each with results/).
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Where the merged gradebook goes [default: target/grades-merged].
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The graded folder and the layout wanted.
#[derive(clap::Args)]
struct ExportArgs {
    /// An output folder of `course grade` or `course gradebook merge`.
    dir: PathBuf,
    /// The layout: canvas, moodle or csv.
    #[arg(long)]
    format: Format,
    /// Where the CSV and feedback/ go [default: DIR/export].
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs the chosen action.
pub fn exec(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::Merge(args) => merge(project, args),
        Action::Export(args) => export(args),
    }
}

/// Merges, prints where everything went and the per-lesson statistics.
fn merge(project: &Project, args: MergeArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.unwrap_or_else(|| project.merged_grades());
    let grades = merge::merge(&args.shards, &out)?;
    print!("{}", stats::markdown(&stats::summarise(&grades)));
    println!(
        "\nmerged {} submissions from {} shards; gradebook.csv, junit.xml, results/, feedback/ \
         and stats in {}",
        grades.len(),
        args.shards.len(),
        out.display()
    );
    let faults = grades.iter().filter(|g| g.grader_fault).count();
    if faults > 0 {
        eprintln!("error: the grader itself failed on {faults} submission(s) (see results/)");
    }
    Ok(exit_code(faults == 0))
}

/// Exports and prints the files written.
fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.unwrap_or_else(|| args.dir.join("export"));
    let grades: Vec<_> = folder::read(&args.dir)?
        .into_iter()
        .map(|r| r.grade)
        .collect();
    let done = export::write(&grades, args.format, &out)?;
    println!(
        "{}: {} grades for {}; {} feedback pages in {}",
        done.table.display(),
        grades.len(),
        args.format.name(),
        done.feedback.len(),
        out.join("feedback").display()
    );
    Ok(ExitCode::SUCCESS)
}
