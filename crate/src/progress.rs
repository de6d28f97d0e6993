//! A progress line for training runs that take a while.
//!
//! Introduced in lesson 4 (gradient descent on the admissions data). The lessons' runs end in
//! milliseconds and print nothing extra; a run that goes on for seconds (a million epochs, a
//! large data set) prints where it is every few seconds, and evcxr shows each line as it comes.

use std::time::{Duration, Instant};

/// How long a run goes before its first progress line, and between lines.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// Counts finished epochs against the total and prints a line when [`PROGRESS_EVERY`] has
/// passed since the last one.
#[derive(Debug, Clone)]
pub struct Progress {
    total: usize,
    start: Instant,
    next: Duration,
}

impl Progress {
    /// Starts the clock for a run of `total` epochs.
    pub fn new(total: usize) -> Self {
        Progress {
            total,
            start: Instant::now(),
            next: PROGRESS_EVERY,
        }
    }

    /// Notes that `done` epochs have finished; prints and returns the progress line when one
    /// is due.
    pub fn tick(&mut self, done: usize) -> Option<String> {
        self.tick_after(done, self.start.elapsed())
    }

    /// As [`Progress::tick`], with the time since the start given.
    pub fn tick_after(&mut self, done: usize, elapsed: Duration) -> Option<String> {
        if elapsed < self.next || done >= self.total {
            return None;
        }
        while self.next <= elapsed {
            self.next += PROGRESS_EVERY;
        }
        let line = progress_line(done, self.total, elapsed);
        println!("{line}");
        Some(line)
    }
}

/// `epoch 2500 of 10000 (25%), 2.0 s so far, about 6.0 s to go`.
pub fn progress_line(done: usize, total: usize, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let fraction = done as f64 / total.max(1) as f64;
    let rest = if done == 0 {
        String::new()
    } else {
        format!(
            ", about {:.1} s to go",
            seconds * (total - done.min(total)) as f64 / done as f64
        )
    };
    format!(
        "epoch {done} of {total} ({:.0}%), {seconds:.1} s so far{rest}",
        100.0 * fraction
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_how_far_and_how_long_is_left() {
        assert_eq!(
            progress_line(2500, 10_000, Duration::from_secs(2)),
            "epoch 2500 of 10000 (25%), 2.0 s so far, about 6.0 s to go"
        );
        assert_eq!(
            progress_line(0, 10, Duration::from_millis(2500)),
            "epoch 0 of 10 (0%), 2.5 s so far"
        );
    }

    #[test]
    fn a_quick_run_prints_nothing_and_a_slow_one_a_line_every_two_seconds() {
        let mut progress = Progress::new(100);
        assert_eq!(progress.tick_after(10, Duration::from_millis(1999)), None);
        assert_eq!(
            progress
                .tick_after(20, Duration::from_millis(2100))
                .as_deref(),
            Some("epoch 20 of 100 (20%), 2.1 s so far, about 8.4 s to go")
        );
        assert_eq!(progress.tick_after(21, Duration::from_millis(3900)), None);
        assert!(
            progress
                .tick_after(40, Duration::from_millis(4000))
                .is_some()
        );
        // A long pause yields one line, not one per missed interval.
        assert!(progress.tick_after(50, Duration::from_secs(11)).is_some());
        assert_eq!(progress.tick_after(51, Duration::from_millis(11_900)), None);
        // The last epoch is the run's own business (its report or its result).
        assert_eq!(progress.tick_after(100, Duration::from_secs(60)), None);
    }
}
