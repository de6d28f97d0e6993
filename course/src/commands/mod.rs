//! The commands: each owns its arguments and an `exec` that calls the engine.

pub mod grade;
pub mod lab;
pub mod release;
pub mod run;
pub mod setup;

use course::exec::ExecOptions;
use course::jupyter::KernelOptions;
use course::project::Project;
use std::process::ExitCode;
use std::time::Duration;

/// How notebooks execute for a command: on kernel `kernel`, found in this checkout's own
/// kernelspecs first, with the given cell limits.
fn exec_options(project: &Project, kernel: &str, timeout: u64, dep_timeout: u64) -> ExecOptions {
    let mut kernel = KernelOptions::named(kernel);
    kernel.data_dir = Some(project.jupyter_data());
    ExecOptions {
        kernel,
        timeout: Duration::from_secs(timeout),
        dep_timeout: Duration::from_secs(dep_timeout),
        keep_going: false,
        verbose: false,
    }
}

/// Exit 0 when `ok`, 1 otherwise.
fn exit_code(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
