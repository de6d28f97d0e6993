//! Judging one executed cell: did it pass, and if not, what to tell the learner.
//!
//! evcxr calls a cell that panicked a success, so a panic is read from the output: the course
//! kernel's panic hook emits a [`PANIC_MIME`] block, and any kernel prints `panicked at` on stderr.

use crate::jupyter::Execution;
use jupyter_protocol::media::MediaType;
use jupyter_protocol::{JupyterMessageContent, ReplyStatus, Stdio as Stream};
use serde::Serialize;

/// The mime type of the block the course kernel's panic hook prints (see `kernel/config/prelude.rs`).
pub const PANIC_MIME: &str = "application/vnd.backprop.panic+json";

/// How many lines of an error the summary shows.
const SHOWN_LINES: usize = 8;

/// What became of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Ran to the end without error or panic.
    Ok,
    /// The kernel reported an error: a compile error, or the code's process dying.
    Error,
    /// The code panicked (a failed check, an `unwrap`, a `todo!()`).
    Panic,
    /// The time limit ran out and the kernel was interrupted.
    Timeout,
    /// The kernel died or stopped answering.
    KernelLost,
    /// Not run: an earlier cell failed.
    NotRun,
}

impl Status {
    /// Whether the cell counts as passed.
    pub fn passed(self) -> bool {
        self == Status::Ok
    }

    /// A short word for the summary.
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Panic => "panic",
            Status::Timeout => "timeout",
            Status::KernelLost => "kernel lost",
            Status::NotRun => "not run",
        }
    }
}

/// The verdict on one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// What became of the cell.
    pub status: Status,
    /// The first lines of the error, panic or reason; empty when it passed.
    pub message: String,
    /// Checks that printed `✓`.
    pub checks_passed: usize,
    /// Checks that panicked with `✗`.
    pub checks_failed: usize,
}

/// Judges an executed cell from everything the kernel sent for it.
pub fn judge(run: &Execution, limit_secs: u64) -> Outcome {
    let stdout = stream_text(&run.outputs, Stream::Stdout);
    let stderr = stream_text(&run.outputs, Stream::Stderr);
    let checks_passed = stdout
        .lines()
        .filter(|l| strip_ansi(l).starts_with('✓'))
        .count();
    let panic = hook_panic(&run.outputs).or_else(|| stderr_panic(&stderr));
    let checks_failed = usize::from(panic.as_deref().is_some_and(|m| m.starts_with('✗')));
    let (status, message) = if let Some(why) = &run.kernel_lost {
        (Status::KernelLost, why.clone())
    } else if run.timed_out {
        (
            Status::Timeout,
            format!("ran past the {limit_secs} s limit and was interrupted (an endless loop?)"),
        )
    } else if let Some(error) = error_text(&run.outputs) {
        (Status::Error, error)
    } else if let Some(panic) = panic {
        (Status::Panic, panic)
    } else if run.status == Some(ReplyStatus::Error) {
        (
            Status::Error,
            "the kernel reported an error without details".into(),
        )
    } else {
        (Status::Ok, String::new())
    };
    Outcome {
        status,
        message: first_lines(&message),
        checks_passed,
        checks_failed,
    }
}

/// The text a cell wrote to one stream.
pub(crate) fn stream_text(outputs: &[JupyterMessageContent], which: Stream) -> String {
    outputs
        .iter()
        .filter_map(|o| match o {
            JupyterMessageContent::StreamContent(s)
                if std::mem::discriminant(&s.name) == std::mem::discriminant(&which) =>
            {
                Some(s.text.as_str())
            }
            _ => None,
        })
        .collect()
}

/// The message of a panic reported by the course kernel's hook.
pub(crate) fn hook_panic(outputs: &[JupyterMessageContent]) -> Option<String> {
    outputs.iter().find_map(|o| {
        let media = match o {
            JupyterMessageContent::DisplayData(d) => &d.data,
            JupyterMessageContent::ExecuteResult(r) => &r.data,
            _ => return None,
        };
        media.content.iter().find_map(|m| match m {
            MediaType::Other((mime, value)) if mime == PANIC_MIME => Some(
                value
                    .get("message")
                    .and_then(|v| v.as_str())
                    .unwrap_or("the code panicked")
                    .to_string(),
            ),
            _ => None,
        })
    })
}

/// The message of a panic printed by Rust's default hook on stderr.
fn stderr_panic(stderr: &str) -> Option<String> {
    let mut lines = stderr.lines().skip_while(|l| !l.contains("panicked at"));
    let head = lines.next()?;
    let body: Vec<&str> = lines
        .take_while(|l| !l.starts_with("stack backtrace:") && !l.starts_with("note: run with"))
        .collect();
    if body.is_empty() {
        Some(head.to_string())
    } else {
        Some(body.join("\n"))
    }
}

fn error_text(outputs: &[JupyterMessageContent]) -> Option<String> {
    let errors: Vec<String> = outputs
        .iter()
        .filter_map(|o| match o {
            JupyterMessageContent::ErrorOutput(e) => Some(if e.traceback.is_empty() {
                format!("{}: {}", e.ename, e.evalue)
            } else {
                e.traceback.join("\n")
            }),
            _ => None,
        })
        .collect();
    (!errors.is_empty()).then(|| strip_ansi(&errors.join("\n")))
}

/// Removes terminal colour codes (evcxr colours its compile errors).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The first lines of an error that say something: blank lines and cargo's progress lines
/// are left out, so that a failed `:dep` shows cargo's error rather than the dozens of
/// packages it locked before it.
fn first_lines(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !is_cargo_progress(l))
        .collect();
    let mut shown = lines[..lines.len().min(SHOWN_LINES)].join("\n");
    if lines.len() > SHOWN_LINES {
        shown.push_str(&format!("\n… ({} more lines)", lines.len() - SHOWN_LINES));
    }
    shown
}

/// Words cargo right-aligns at the start of a progress line (`     Locking 60 packages`,
/// `      Adding ndarray v0.17.2`); evcxr passes them on in a failed `:dep`'s error.
const CARGO_PROGRESS: [&str; 10] = [
    "Locking",
    "Adding",
    "Updating",
    "Downgrading",
    "Downloading",
    "Downloaded",
    "Compiling",
    "Checking",
    "Blocking",
    "Finished",
];

/// Whether `line` is one of cargo's progress lines: indented, one of its words, a space and
/// more (`Error: ` before it, as evcxr starts its message, is allowed).
fn is_cargo_progress(line: &str) -> bool {
    let line = line.strip_prefix("Error:").unwrap_or(line);
    let word = line.trim_start();
    line.len() > word.len()
        && CARGO_PROGRESS.iter().any(|w| {
            word.strip_prefix(w)
                .is_some_and(|rest| rest.starts_with(' ') && rest.trim().len() > 1)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::{DisplayData, ErrorOutput, Media, StreamContent};

    fn run(outputs: Vec<JupyterMessageContent>) -> Execution {
        Execution {
            outputs,
            status: Some(ReplyStatus::Ok),
            ..Execution::default()
        }
    }

    fn stderr(text: &str) -> JupyterMessageContent {
        JupyterMessageContent::StreamContent(StreamContent {
            name: Stream::Stderr,
            text: text.into(),
        })
    }

    #[test]
    fn a_cell_printing_checks_passes_and_counts_them() {
        let out = judge(
            &run(vec![JupyterMessageContent::StreamContent(
                StreamContent::stdout("✓ SSE = 4.75\nnote\n\x1b[1;32m✓\x1b[0m MSE = 1.1875\n"),
            )]),
            10,
        );
        assert_eq!(
            (out.status, out.checks_passed, out.checks_failed),
            (Status::Ok, 2, 0)
        );
    }

    #[test]
    fn a_panic_seen_only_on_stderr_fails_the_cell_although_the_reply_says_ok() {
        let out = judge(
            &run(vec![stderr(
                "thread '<unnamed>' panicked at src/lib.rs:3:5:\n✗ MSE\n  expected: 1\nstack backtrace:\n  0: x\n",
            )]),
            10,
        );
        assert_eq!(out.status, Status::Panic);
        assert_eq!(out.message, "✗ MSE\n  expected: 1");
        assert_eq!(out.checks_failed, 1);
    }

    #[test]
    fn the_hooks_panic_block_is_read() {
        let data = Media::new(vec![MediaType::Other((
            PANIC_MIME.into(),
            serde_json::json!({"message": "called `Option::unwrap()` on a `None` value"}),
        ))]);
        let out = judge(
            &run(vec![JupyterMessageContent::DisplayData(DisplayData::new(
                data,
            ))]),
            10,
        );
        assert_eq!(out.status, Status::Panic);
        assert_eq!(out.checks_failed, 0);
        assert!(out.message.contains("unwrap"));
    }

    #[test]
    fn compile_errors_lose_their_colours_and_keep_their_first_lines() {
        let traceback: Vec<String> = (0..12)
            .map(|i| format!("\u{1b}[31mline {i}\u{1b}[0m"))
            .collect();
        let out = judge(
            &run(vec![JupyterMessageContent::ErrorOutput(ErrorOutput {
                ename: "Error".into(),
                evalue: "cannot find value `y_hat`".into(),
                traceback,
            })]),
            10,
        );
        assert_eq!(out.status, Status::Error);
        assert!(
            out.message.starts_with("line 0\nline 1\n"),
            "{}",
            out.message
        );
        assert!(out.message.ends_with("… (4 more lines)"), "{}", out.message);
    }

    #[test]
    fn a_failed_dep_shows_cargos_error_not_the_packages_it_locked() {
        let mut text =
            String::from("Error:      Locking 60 packages to latest compatible versions\n");
        for i in 0..58 {
            text.push_str(&format!("      Adding crate{i} v1.0.{i}\n"));
        }
        text.push_str(
            "error: failed to download `bumpalo v3.20.4`\n\nCaused by:\n  \
             attempting to make an HTTP request, but --offline was specified\n",
        );
        let out = judge(
            &run(vec![JupyterMessageContent::ErrorOutput(ErrorOutput {
                ename: "Error".into(),
                evalue: text.clone(),
                traceback: vec![text],
            })]),
            10,
        );
        assert_eq!(
            out.message,
            "error: failed to download `bumpalo v3.20.4`\nCaused by:\n  \
             attempting to make an HTTP request, but --offline was specified"
        );
    }

    #[test]
    fn a_learners_own_lines_that_begin_like_cargos_are_kept() {
        for line in [
            "Adding the bias",
            "  Finished",
            "Checking: 3 of 4",
            "Compiling  ",
        ] {
            assert!(!is_cargo_progress(line), "{line}");
        }
        assert!(is_cargo_progress("   Compiling backprop v0.1.0 (/x/crate)"));
        assert!(is_cargo_progress("Error:      Locking 60 packages"));
    }

    #[test]
    fn timeouts_and_lost_kernels_say_so() {
        let mut r = run(vec![]);
        r.timed_out = true;
        assert_eq!(
            judge(&r, 30).message,
            "ran past the 30 s limit and was interrupted (an endless loop?)"
        );
        r.kernel_lost = Some("the kernel process exited (signal: 9)".into());
        assert_eq!(judge(&r, 30).status, Status::KernelLost);
    }
}
