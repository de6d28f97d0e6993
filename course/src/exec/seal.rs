//! Sealed checks: a graded cell passes only on evidence that its own code ran to its end.
//!
//! evcxr reports a cell that panicked as a success and carries the code's output in-band, so
//! neither the reply nor anything a cell prints can be trusted when the code is a student's:
//! a replaced panic hook hides a failed check, and printed text can imitate a passed one.
//! The grader therefore appends to each graded cell a line that prints a random mark, drawn
//! afresh for every run of every cell and sent only inside that cell's code. It is printed
//! only if every statement before it finished, and no earlier cell can know it.

use super::outcome::stream_text;
use crate::jupyter::Execution;
use jupyter_protocol::Stdio;

/// The start of the line a sealed cell prints when it ran to its end.
const MARK: &str = "backprop-check-finished";

/// A fresh random mark.
pub fn nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `code` with the line that prints `nonce` after it: the code's last expression becomes a
/// statement (a lone `;` ends it whether or not it had one), then the mark is printed through
/// the standard library's absolute path, which no cell can shadow.
pub fn seal(code: &str, nonce: &str) -> String {
    format!("{code}\n;\n::std::println!(\"\\n{MARK} {nonce}\");")
}

/// Whether the cell's own standard output holds its mark on a line of its own.
pub fn finished(run: &Execution, nonce: &str) -> bool {
    let line = format!("{MARK} {nonce}");
    stream_text(&run.outputs, Stdio::Stdout)
        .lines()
        .any(|l| l == line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::{JupyterMessageContent, StreamContent};

    fn printed(text: &str) -> Execution {
        Execution {
            outputs: vec![JupyterMessageContent::StreamContent(StreamContent::stdout(
                text,
            ))],
            ..Execution::default()
        }
    }

    #[test]
    fn a_sealed_cell_ends_with_its_mark_after_a_lone_semicolon() {
        assert_eq!(
            seal("check(\"x\", &x, &2.0, \"\")", "abc"),
            "check(\"x\", &x, &2.0, \"\")\n;\n::std::println!(\"\\nbackprop-check-finished abc\");"
        );
    }

    #[test]
    fn only_the_cells_own_mark_on_a_line_of_its_own_counts() {
        let n = nonce();
        assert_eq!(n.len(), 32);
        assert_ne!(n, nonce());
        assert!(finished(&printed(&format!("✓ x = 2\n\n{MARK} {n}\n")), &n));
        assert!(!finished(&printed(&format!("{MARK} {}\n", nonce())), &n));
        assert!(!finished(&printed(&format!("say {MARK} {n}\n")), &n));
        assert!(!finished(&printed("✓ x = 2\n"), &n));
        let stderr = Execution {
            outputs: vec![JupyterMessageContent::StreamContent(StreamContent {
                name: Stdio::Stderr,
                text: format!("{MARK} {n}\n"),
            })],
            ..Execution::default()
        };
        assert!(!finished(&stderr, &n));
    }
}
