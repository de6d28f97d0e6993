//! Grading many submissions, `jobs` at a time, each in a task of its own; a task that fails
//! is reported as the grader's fault with its cause, never dropped.

use super::{Grade, Lesson};
use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Memory a grading kernel is counted at when choosing how many run at once: a kernel of the
/// polars lesson (lesson 4) holds about 1.7 GiB (BENCHMARKS.md, "A class on one JupyterHub").
pub const KERNEL_MIB: u64 = 2048;

/// How many submissions to grade at once when not told: one per core, as many as the
/// available memory holds kernels of [`KERNEL_MIB`], at least one. Grading is bound by CPU
/// (BENCHMARKS.md, "Grading"), so more kernels than cores gain nothing.
pub fn default_jobs(cores: usize, available_mib: Option<u64>) -> usize {
    let by_memory = available_mib.map_or(usize::MAX, |m| (m / KERNEL_MIB) as usize);
    cores.min(by_memory).max(1)
}

/// The memory this machine has available, in MiB (`MemAvailable` in /proc/meminfo), where
/// it can be read.
pub fn available_mib() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib = crate::jupyter::process::status_kib(&meminfo, "MemAvailable:");
    (kib > 0).then_some(kib / 1024)
}

/// The order to grade `submissions` in: by file name (a class's `student/lesson.ipynb`
/// files lesson by lesson), then as given; indices into `submissions`.
pub fn by_file_name(submissions: &[PathBuf]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..submissions.len()).collect();
    order.sort_by_key(|&i| submissions[i].file_name().map(|n| n.to_os_string()));
    order
}

/// Grades every submission with `grade`, at most `jobs` at once; calls `on_done` as each
/// finishes, and returns the grades in the order of `submissions`, one for each.
pub async fn schedule<F, Fut>(
    submissions: &[PathBuf],
    lessons: &[Lesson],
    jobs: usize,
    grade: F,
    mut on_done: impl FnMut(&Grade),
) -> Vec<Grade>
where
    F: Fn(PathBuf) -> Fut,
    Fut: Future<Output = Grade> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(jobs.max(1)));
    let mut tasks = JoinSet::new();
    let mut index_of = HashMap::new();
    for (i, path) in submissions.iter().enumerate() {
        let (slots, work) = (slots.clone(), grade(path.clone()));
        let handle = tasks.spawn(async move {
            let _slot = slots.acquire_owned().await;
            work.await
        });
        index_of.insert(handle.id(), i);
    }
    let mut grades: Vec<Option<Grade>> = vec![None; submissions.len()];
    while let Some(done) = tasks.join_next_with_id().await {
        let (i, grade) = match done {
            Ok((id, grade)) => (index_of[&id], grade),
            Err(e) => {
                let i = index_of[&e.id()];
                (i, failed(&submissions[i], lessons, e))
            }
        };
        on_done(&grade);
        grades[i] = Some(grade);
    }
    grades
        .into_iter()
        .zip(submissions)
        .map(|(g, path)| {
            g.unwrap_or_else(|| {
                Grade::grader_failed(path, lessons, "its grading task never finished".into())
            })
        })
        .collect()
}

/// The grade of a submission whose task panicked or was cancelled.
fn failed(path: &Path, lessons: &[Lesson], error: tokio::task::JoinError) -> Grade {
    let cause = if error.is_panic() {
        let payload = error.into_panic();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        format!("the grader panicked while grading it: {message}")
    } else {
        "the grader cancelled its grading task".to_string()
    };
    Grade::grader_failed(path, lessons, cause)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_default_one_submission_runs_per_core_while_memory_holds_a_kernel_for_each() {
        assert_eq!(default_jobs(2, Some(24_000)), 2);
        assert_eq!(default_jobs(8, Some(7_000)), 3);
        assert_eq!(default_jobs(4, None), 4);
        assert_eq!(default_jobs(4, Some(1_000)), 1);
        assert_eq!(default_jobs(0, Some(24_000)), 1);
    }

    #[test]
    fn this_machines_available_memory_is_read_from_proc() {
        let mib = available_mib().expect("/proc/meminfo names MemAvailable on Linux");
        assert!((64..16 << 20).contains(&mib), "{mib} MiB available");
    }

    #[test]
    fn a_class_is_graded_lesson_by_lesson_in_the_order_given_within_a_lesson() {
        let subs: Vec<PathBuf> = [
            "ann/01-loss.ipynb",
            "ann/04-admissions.ipynb",
            "bob/01-loss.ipynb",
            "bob/04-admissions.ipynb",
            "cy.ipynb",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(by_file_name(&subs), [0, 2, 1, 3, 4]);
    }

    #[tokio::test]
    async fn a_panicking_task_is_the_graders_fault_and_keeps_its_place() {
        let subs: Vec<PathBuf> = ["a/x.ipynb", "b/x.ipynb", "c/x.ipynb"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let mut seen = 0;
        let grades = schedule(
            &subs,
            &[],
            2,
            |path| async move {
                if path.starts_with("b") {
                    panic!("a bug in the grader");
                }
                let mut g = Grade::new(&path, path.display().to_string());
                g.points = 1.0;
                g
            },
            |_| seen += 1,
        )
        .await;
        assert_eq!(seen, 3);
        let students: Vec<&str> = grades.iter().map(|g| g.student.as_str()).collect();
        assert_eq!(students, ["a/x.ipynb", "x", "c/x.ipynb"]);
        assert!(!grades[0].grader_fault && grades[0].points == 1.0);
        assert!(grades[1].grader_fault);
        assert_eq!(
            grades[1].error.as_deref(),
            Some("the grader panicked while grading it: a bug in the grader")
        );
        assert_eq!(grades[1].points, 0.0);
    }
}
