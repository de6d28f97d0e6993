//! What can go wrong between the client and a kernel, and whose fault it is.

use std::path::Path;

/// A kernel could not be started, was lost, or spoke something the client did not follow.
///
/// None of these is the notebook's doing as far as the client can tell: a grader reports
/// them as its own fault, with this text as the cause.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    /// The kernel did not come up: no kernelspec, a program that would not start, a process
    /// that exited or stayed silent while starting.
    #[error("kernel '{name}' did not start: {reason}")]
    Start {
        /// The kernelspec name.
        name: String,
        /// What went wrong, with the log's last lines where there are any.
        reason: String,
    },
    /// The kernel process ended or its connection closed while the client was talking to it.
    #[error("the kernel was lost: {0}")]
    Lost(String),
    /// A socket, file or message failed in a way the protocol does not expect.
    #[error("Jupyter protocol failure: {0}")]
    Protocol(String),
}

impl KernelError {
    /// A start failure of kernel `name`.
    pub fn start(name: &str, reason: impl Into<String>) -> KernelError {
        KernelError::Start {
            name: name.to_string(),
            reason: reason.into(),
        }
    }

    /// A protocol failure, from any error the transport or the file system raised.
    pub fn protocol(what: &str, error: impl std::fmt::Display) -> KernelError {
        KernelError::Protocol(format!("{what}: {error}"))
    }
}

/// Shorthand for results of kernel operations.
pub type KernelResult<T> = Result<T, KernelError>;

/// The last lines of a kernel's own log, for error messages.
pub fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(8)..].join("\n    ");
    if tail.is_empty() {
        format!("the kernel log {} is empty", log.display())
    } else {
        format!("the kernel log {} ends with:\n    {tail}", log.display())
    }
}
