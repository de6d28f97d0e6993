//! Lesson 9 (stochastic gradient descent), exercise 1: the number of weight updates in an
//! epoch of mini-batches ([`check_updates_per_epoch_unseen`]).

use super::{Draw, Slip, Tried, check_tried};

const UPDATES: &str = "one update per batch, and the last batch counts even when it is \
    smaller: n / batch rounded up, (n + batch − 1) / batch";
const UPDATES_FLOOR: &str = "this is n / batch rounded down: the last, smaller batch is still \
    an update (integer division drops it, and so does rounding to the nearest when it is less \
    than half full); round up instead, (n + batch − 1) / batch";
const UPDATES_PLUS_ONE: &str = "n / batch + 1 counts a batch too many when batch divides n \
    exactly, as here: round up instead, (n + batch − 1) / batch";
const UPDATES_REMAINDER: &str = "this is n % batch, the number of records in the last batch: \
    the answer is the number of batches";
const UPDATES_SWAPPED: &str = "n and batch are swapped: divide the number of records n by the \
    batch size";

/// The number of updates the library's SGD makes in an epoch of `n` records: one per batch
/// of [`train_unit_sgd`](crate::train::train_unit_sgd)'s split of the shuffled records.
fn updates(n: usize, batch: usize) -> usize {
    (0..n).collect::<Vec<_>>().chunks(batch).count()
}

/// What each slip gives for `n` records in batches of `batch`.
fn update_slips(n: usize, batch: usize) -> Vec<Slip<usize>> {
    vec![
        Slip::new(UPDATES_FLOOR, n / batch),
        Slip::new(UPDATES_PLUS_ONE, n / batch + 1),
        Slip::new(UPDATES_REMAINDER, n % batch),
        Slip::new(UPDATES_SWAPPED, batch / n),
        Slip::new(UPDATES_SWAPPED, batch.div_ceil(n)),
    ]
}

/// The three kinds of case the check draws, in this order.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A last batch smaller than the others.
    PartBatch,
    /// Batches that divide the records exactly.
    ExactMultiple,
    /// Fewer records than one batch: a single update.
    OneSmallBatch,
}

const KINDS: [Kind; 3] = [Kind::PartBatch, Kind::ExactMultiple, Kind::OneSmallBatch];

/// A drawn `(n, batch)` of `kind`: batches of 5 to 64 records and 3 to 20 full ones, plus a
/// last batch less than half full for [`Kind::PartBatch`] (so rounding to the nearest rounds
/// down); fewer records than one batch for [`Kind::OneSmallBatch`]. A part batch's last
/// batch never holds as many records as there are full batches, or one more: then every slip
/// but n / batch + 1 gives a wrong answer of its own (the later kinds are there for
/// n / batch + 1).
fn drawn_case(draw: &mut Draw, kind: Kind) -> (usize, usize) {
    loop {
        let batch = draw.size(5, 64);
        let full = draw.size(3, 20);
        let (n, batch) = match kind {
            Kind::PartBatch => (full * batch + draw.size(2, (batch - 1) / 2), batch),
            Kind::ExactMultiple => (full * batch, batch),
            Kind::OneSmallBatch => (draw.size(2, batch - 1), batch),
        };
        let last = n % batch;
        if kind != Kind::PartBatch || (last != full && last != full + 1) {
            return (n, batch);
        }
    }
}

/// Lesson 9, exercise 1, hidden test: tries the learner's `updates_per_epoch(n, batch)`, the
/// number of weight updates one epoch of mini-batches of `batch` records makes over `n`
/// records, on three cases drawn from `seed`: a last batch smaller than the others, batches
/// that divide `n` exactly, and fewer records than one batch. The answers are the number of
/// batches the library's SGD splits an epoch into. A wrong answer fails naming its slip:
/// division rounded down, n / batch + 1, the size of the last batch, or n and batch swapped.
///
/// ```
/// use backprop::prelude::*;
/// fn updates_per_epoch(n: usize, batch: usize) -> usize {
///     (n + batch - 1) / batch
/// }
/// check_updates_per_epoch_unseen(updates_per_epoch, 9);
/// ```
pub fn check_updates_per_epoch_unseen(answer: impl Fn(usize, usize) -> usize, seed: u64) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<usize>> = KINDS
        .iter()
        .map(|&kind| {
            let (n, batch) = drawn_case(&mut draw, kind);
            Tried {
                inputs: format!("n = {n}, batch = {batch}"),
                actual: answer(n, batch),
                expected: updates(n, batch),
                slips: update_slips(n, batch),
            }
        })
        .collect();
    check_tried("updates per epoch", &tried, 0.0, UPDATES);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_hint, failure_message};

    /// The lesson's answer, written out as a learner would.
    #[allow(clippy::manual_div_ceil)]
    fn updates_per_epoch(n: usize, batch: usize) -> usize {
        (n + batch - 1) / batch
    }

    fn assert_fails_with(answer: fn(usize, usize) -> usize, case: usize, hint: &str) {
        let msg = failure_message(|| check_updates_per_epoch_unseen(answer, 2024));
        assert!(
            msg.starts_with(&format!(
                "✗ updates per epoch, unseen case {case} of 3: n = "
            )),
            "{msg}"
        );
        assert_hint(&msg, hint);
    }

    #[test]
    fn the_solution_gives_the_lessons_twelve_and_agrees_with_the_librarys_split() {
        assert_eq!(updates_per_epoch(360, 32), 12);
        assert_eq!(updates(360, 32), 12);
        for n in 1..200 {
            for batch in 1..70 {
                assert_eq!(
                    updates_per_epoch(n, batch),
                    updates(n, batch),
                    "{n} {batch}"
                );
            }
        }
    }

    #[test]
    fn the_check_passes_the_solution_and_ceil_on_many_seeds() {
        for seed in 0..100 {
            check_updates_per_epoch_unseen(updates_per_epoch, seed);
            check_updates_per_epoch_unseen(|n, b| (n as f64 / b as f64).ceil() as usize, seed);
            check_updates_per_epoch_unseen(usize::div_ceil, seed);
        }
    }

    #[test]
    fn the_check_fails_the_worked_examples_answer_typed_in() {
        let msg = failure_message(|| check_updates_per_epoch_unseen(|_, _| 12, 2024));
        assert!(
            msg.starts_with("✗ updates per epoch, unseen case 1 of 3"),
            "{msg}"
        );
    }

    #[test]
    fn the_check_names_each_slip_on_the_case_that_shows_it() {
        assert_fails_with(|n, b| n / b, 1, UPDATES_FLOOR);
        assert_fails_with(
            |n, b| (n as f64 / b as f64).round() as usize,
            1,
            UPDATES_FLOOR,
        );
        assert_fails_with(|n, b| n / b + 1, 2, UPDATES_PLUS_ONE);
        assert_fails_with(|n, b| n % b, 1, UPDATES_REMAINDER);
        assert_fails_with(|n, b| b / n, 1, UPDATES_SWAPPED);
        assert_fails_with(|n, b| b.div_ceil(n), 1, UPDATES_SWAPPED);
    }

    #[test]
    fn every_drawn_case_is_of_its_kind_and_shows_its_slips() {
        let mut draw = Draw::new(11);
        for _ in 0..300 {
            for kind in KINDS {
                let (n, batch) = drawn_case(&mut draw, kind);
                let expected = updates(n, batch);
                let slips = update_slips(n, batch);
                let gives = |hint: &str| -> Vec<usize> {
                    slips
                        .iter()
                        .filter(|s| s.hint == hint)
                        .map(|s| s.gives)
                        .collect()
                };
                match kind {
                    Kind::PartBatch => {
                        assert!(n % batch != 0 && 2 * (n % batch) < batch && expected >= 4);
                        let mut wrong: Vec<usize> =
                            [UPDATES_FLOOR, UPDATES_REMAINDER, UPDATES_SWAPPED]
                                .into_iter()
                                .flat_map(gives)
                                .collect();
                        assert!(!wrong.contains(&expected), "{n} {batch}");
                        wrong.sort_unstable();
                        wrong.dedup();
                        assert_eq!(wrong.len(), 4, "{n} {batch}");
                    }
                    Kind::ExactMultiple => {
                        assert!(n % batch == 0 && expected >= 3);
                        assert!(!gives(UPDATES_PLUS_ONE).contains(&expected));
                    }
                    Kind::OneSmallBatch => assert!(n < batch && expected == 1),
                }
            }
        }
    }
}
