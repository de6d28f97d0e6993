//! `course validate` on the real kernel: lesson 1's own solution passes every visible check,
//! and the released stub fails them, naming the exercise that is not answered yet.

mod common;

use common::{course, root};

#[test]
fn the_lesson_solution_passes_every_visible_check() {
    common::ensure_bubblewrap();
    let lesson = root().join("notebooks/01-loss.ipynb");
    let (code, stdout, stderr) = course(&["validate", lesson.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("(01-loss, hidden tests left out)"),
        "{stdout}"
    );
    assert!(stdout.contains("  ✓ loss-sse-check\n"), "{stdout}");
    assert!(stdout.contains("  ✓ loss-compare-check\n"), "{stdout}");
    assert!(!stdout.contains('✗'), "{stdout}");
    assert!(
        stdout.ends_with("  2 of 2 visible checks pass\n"),
        "{stdout}"
    );
}

#[test]
fn the_released_stub_fails_and_names_the_unanswered_exercise() {
    common::ensure_bubblewrap();
    let release = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = course(&["release", "--out", release.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let stub = release.path().join("01-loss.ipynb");
    let (code, stdout, stderr) = course(&["validate", stub.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("  ✗ loss-sse-check ("), "{stdout}");
    assert!(
        stdout.contains("exercise loss-sse is not answered yet"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("  0 of 2 visible checks pass\n"),
        "{stdout}"
    );
}
