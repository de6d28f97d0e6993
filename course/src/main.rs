//! `course`: sets up the Rust kernel for the backprop course, runs its notebooks headlessly,
//! releases and grades them, and opens JupyterLab on them.

mod commands;

use clap::{Parser, Subcommand};
use course::project::Project;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "course",
    version,
    about = "Set up the course kernel, run the lesson notebooks headlessly, release and grade them."
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
    Setup(commands::setup::Args),
    /// Execute notebooks on the course kernel; exit 1 if any cell fails.
    Run(commands::run::Args),
    /// Write the student versions of the lessons (answers stubbed, hidden tests removed).
    Release(commands::release::Args),
    /// Grade students' notebooks against the lessons; exit 0 when every one was graded.
    Grade(commands::grade::Args),
    /// Open JupyterLab on the lessons with the course kernel (set up first if needed).
    Lab(commands::lab::Args),
    /// Merge sharded grading runs, or export grades for Canvas, Moodle or a spreadsheet.
    Gradebook(commands::gradebook::Args),
    /// Check notebooks as the grader will, against the released lessons; exit 0 when every
    /// visible check passes.
    Validate(commands::validate::Args),
    /// Inside a grader's sandbox: relay the kernel's ports to Unix sockets (not for people).
    #[command(hide = true)]
    SandboxRelay(commands::relay::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::SandboxRelay(args) = cli.command {
        return commands::relay::exec(args);
    }
    let result = Project::locate(cli.root.as_deref())
        .map_err(anyhow::Error::from)
        .and_then(|project| match cli.command {
            Command::Setup(args) => commands::setup::exec(&project, args),
            Command::Run(args) => commands::run::exec(&project, args),
            Command::Release(args) => commands::release::exec(&project, args),
            Command::Grade(args) => commands::grade::exec(&project, args),
            Command::Lab(args) => commands::lab::exec(&project, args),
            Command::Gradebook(args) => commands::gradebook::exec(&project, args),
            Command::Validate(args) => commands::validate::exec(&project, args),
            Command::SandboxRelay(_) => unreachable!("dispatched above"),
        });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
