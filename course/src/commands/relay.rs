//! `course sandbox-relay`: runs inside a grader's sandbox, joining the kernel's ports to the
//! Unix sockets the grader connects to (see `course::jupyter::relay`).

use std::path::PathBuf;
use std::process::ExitCode;

/// The run folder and the kernel's command.
#[derive(clap::Args)]
pub struct Args {
    /// The run folder the sockets go in.
    #[arg(long)]
    dir: PathBuf,
    /// The kernel's command line.
    #[arg(last = true, required = true)]
    kernel: Vec<String>,
}

/// Relays until the kernel exits, then exits as it did.
pub fn exec(args: Args) -> ExitCode {
    let outcome = tokio::runtime::Runtime::new()
        .and_then(|rt| rt.block_on(course::jupyter::relay::run(&args.dir, &args.kernel)));
    match outcome {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("sandbox relay: {e}");
            ExitCode::from(2)
        }
    }
}
