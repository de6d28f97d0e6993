//! `course setup`: install evcxr_jupyter and the course kernels if they are missing, for
//! this user or (`--system`) for every user of the machine.

use course::install;
use course::project::Project;
use course::system::{self, Layout};
use std::path::PathBuf;
use std::process::ExitCode;

/// What `course setup` takes.
#[derive(clap::Args)]
pub struct Args {
    /// Install for every user of this machine (run as root): a JupyterHub server or a
    /// single-user image. The course goes under --prefix with its dependencies compiled
    /// once, and the kernel into --kernels.
    #[arg(long)]
    system: bool,
    /// With --system: where the course, its toolchain, crates and compiled seed go.
    #[arg(long, default_value = "/opt/backprop-course", requires = "system")]
    prefix: PathBuf,
    /// With --system: the Jupyter kernels folder every user's Jupyter searches.
    #[arg(
        long,
        default_value = "/usr/local/share/jupyter/kernels",
        requires = "system"
    )]
    kernels: PathBuf,
}

/// Installs what is missing and says what it did.
pub fn exec(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    if !args.system {
        install::ensure(project, false)?;
        // The course kernels are offline, the grader's sealed ones too: download now what they
        // read, so that neither lessons nor grading need the network later.
        super::ensure_crates(project);
        return Ok(ExitCode::SUCCESS);
    }
    let layout = Layout {
        prefix: std::path::absolute(&args.prefix)?,
        kernels: std::path::absolute(&args.kernels)?,
    };
    tokio::runtime::Runtime::new()?.block_on(system::install(project, &layout))?;
    Ok(ExitCode::SUCCESS)
}
