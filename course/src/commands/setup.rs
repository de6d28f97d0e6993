//! `course setup`: install evcxr_jupyter and the course kernels if they are missing.

use course::install;
use course::project::Project;
use std::process::ExitCode;

/// Installs what is missing and says what it did.
pub fn exec(project: &Project) -> anyhow::Result<ExitCode> {
    install::ensure(project, false)?;
    Ok(ExitCode::SUCCESS)
}
