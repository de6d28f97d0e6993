//! Lesson 4 (gradient descent on the admissions data), exercise 2: one epoch of a sigmoid
//! unit.

use super::{Slip, EPOCH_TOLERANCE};
use crate::activation::sigmoid;
use crate::check::check_slips_within;
use crate::random::NumpyRandom;
use crate::train::unit_epoch;
use ndarray::{array, Array1, Array2};

const UNIT_EPOCH: &str = "for every record ŷ = σ(x · w) and δ = (y − ŷ) · ŷ · (1 − ŷ); add up \
    δ · x over all records, each with the weights the epoch started from, then return \
    w + η · (that sum) / n";
const UNIT_ETA_FORGOTTEN: &str =
    "η is missing: the weights move by η times the mean step, w + η · Σ δ·x / n";
pub(super) const SUM_FOR_MEAN: &str =
    "the weights moved by the sum of the records' steps, not their mean: \
    divide the sum by the number of records n";
const UNIT_SIGN_FLIPPED: &str = "the weights moved the wrong way: with δ = (y − ŷ) · ŷ · (1 − ŷ) \
    the step η · Σ δ·x / n is added to w";
const UNIT_SLOPE_DROPPED: &str = "the sigmoid's slope is missing: δ = (y − ŷ) · ŷ · (1 − ŷ), \
    not y − ŷ";
const MOVED_DURING_EPOCH: &str = "the weights moved after each record: every record's ŷ comes \
    from the weights the epoch started from; add up the steps and move once, at the end";
const STEP_RETURNED: &str =
    "this is the step, not the new weights: return the weights plus the step";

/// One call of the learner's epoch for a single sigmoid unit.
struct UnitCase {
    name: &'static str,
    features: Array2<f64>,
    targets: Array1<f64>,
    w: Array1<f64>,
    eta: f64,
}

/// The cases, in the order they are tried: three records by hand, five records with three
/// features, and eight records drawn at random. The learning rates (0.3, 0.07, 1.3) are not
/// 0.5, not 1 / n and not n, so a forgotten η, a sum for the mean and a factor ½ all differ.
fn unit_cases() -> Vec<UnitCase> {
    let mut rng = NumpyRandom::seed(7);
    let features = rng.normal_matrix(0.0, 1.0, 8, 4);
    let w = rng.normal(0.0, 0.5, 4);
    vec![
        UnitCase {
            name: "w after one epoch on 3 records, η = 0.3",
            features: array![[1.0, 2.0], [0.5, -1.0], [-1.5, 0.5]],
            targets: array![1.0, 0.0, 1.0],
            w: array![0.2, -0.4],
            eta: 0.3,
        },
        UnitCase {
            name: "w after one epoch on 5 records with 3 features, η = 0.07",
            features: array![
                [0.2, 1.1, -0.7],
                [1.5, -0.3, 0.4],
                [-0.8, 0.9, 1.2],
                [0.1, -1.4, 0.6],
                [-1.0, 0.3, -0.5]
            ],
            targets: array![1.0, 0.0, 0.0, 1.0, 1.0],
            w: array![0.5, -0.3, 0.8],
            eta: 0.07,
        },
        UnitCase {
            name: "w after one epoch on 8 random records with 4 features, η = 1.3",
            features,
            targets: array![0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0],
            w,
            eta: 1.3,
        },
    ]
}

/// Lesson 4's epoch written out with the error term `delta(y, ŷ)`; with `rate`, the slip of
/// moving the weights by `rate` · δ · x after each record.
fn unit_epoch_with(case: &UnitCase, delta: fn(f64, f64) -> f64, rate: Option<f64>) -> Array1<f64> {
    let n = case.features.nrows() as f64;
    let mut w = case.w.clone();
    let mut sum = Array1::zeros(w.len());
    for (x, &y) in case.features.rows().into_iter().zip(&case.targets) {
        let y_hat = sigmoid(x.dot(&w));
        let step = &x * delta(y, y_hat);
        match rate {
            Some(rate) => w.scaled_add(rate, &step),
            None => sum += &step,
        }
    }
    if rate.is_none() {
        w.scaled_add(case.eta / n, &sum);
    }
    w
}

/// What each slip gives on `case`, beside the right answer `expected`.
fn unit_slips(case: &UnitCase, expected: &Array1<f64>) -> Vec<Slip<Array1<f64>>> {
    let n = case.features.nrows() as f64;
    let step = expected - &case.w;
    let delta = |y: f64, y_hat: f64| (y - y_hat) * y_hat * (1.0 - y_hat);
    vec![
        Slip::new(UNIT_ETA_FORGOTTEN, &case.w + &(&step / case.eta)),
        Slip::new(SUM_FOR_MEAN, &case.w + &(&step * n)),
        Slip::new(UNIT_SIGN_FLIPPED, &case.w - &step),
        Slip::new(
            UNIT_SLOPE_DROPPED,
            unit_epoch_with(case, |y, y_hat| y - y_hat, None),
        ),
        Slip::new(
            MOVED_DURING_EPOCH,
            unit_epoch_with(case, delta, Some(case.eta / n)),
        ),
        Slip::new(
            MOVED_DURING_EPOCH,
            unit_epoch_with(case, delta, Some(case.eta)),
        ),
        Slip::new(STEP_RETURNED, step),
    ]
}

/// Lesson 4, exercise 2: checks the learner's `epoch(features, targets, w, eta)`, one epoch of
/// full-batch gradient descent on a sigmoid unit (each record's step δ·x added up, the weights
/// moved by η times the mean), on three cases of its own. The answers come from the epoch
/// [`train_unit`](crate::train::train_unit) runs, and must agree to 1e-12. Prints a `✓` line
/// per case; a wrong answer fails naming the slip it shows: a forgotten η, the sum for the
/// mean, a flipped sign, a dropped σ′, weights moved record by record, or the step returned
/// for the new weights.
///
/// ```
/// use backprop::prelude::*;
/// fn epoch(features: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>, eta: f64) -> Array1<f64> {
///     let mut sum = Array1::<f64>::zeros(w.len());
///     for (x, &y) in features.rows().into_iter().zip(targets) {
///         let y_hat = sigmoid(x.dot(w));
///         sum += &(&x * ((y - y_hat) * y_hat * (1.0 - y_hat)));
///     }
///     w + &(eta * &sum / features.nrows() as f64)
/// }
/// check_unit_epoch(epoch);
/// ```
pub fn check_unit_epoch(
    epoch: impl Fn(&Array2<f64>, &Array1<f64>, &Array1<f64>, f64) -> Array1<f64>,
) {
    for case in unit_cases() {
        let mut expected = case.w.clone();
        unit_epoch(&case.features, &case.targets, &mut expected, case.eta);
        let actual = epoch(&case.features, &case.targets, &case.w, case.eta);
        let slips = unit_slips(&case, &expected);
        check_slips_within(
            case.name,
            &actual,
            &expected,
            EPOCH_TOLERANCE,
            &slips,
            UNIT_EPOCH,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::train_unit;

    /// One way of writing lesson 4's epoch, correct unless it makes a slip.
    #[derive(Clone, Copy, PartialEq)]
    enum UnitAnswer {
        Correct,
        WithoutEta,
        SumForMean,
        WithFlippedSign,
        WithoutSigmoidSlope,
        MovingAfterEachRecord,
        ReturningTheStep,
    }

    /// Lesson 4's solution, with `answer`'s slip applied to it.
    /// Lesson 4's solution, with `answer`'s slip applied to it.
    fn unit_answer(
        answer: UnitAnswer,
    ) -> impl Fn(&Array2<f64>, &Array1<f64>, &Array1<f64>, f64) -> Array1<f64> {
        use UnitAnswer::*;
        move |features, targets, w, eta| {
            let n = features.nrows() as f64;
            let eta = if answer == WithoutEta { 1.0 } else { eta };
            let mean = if answer == SumForMean { 1.0 } else { n };
            let mut moving = w.clone();
            let mut sum = Array1::<f64>::zeros(w.len());
            for (x, &y) in features.rows().into_iter().zip(targets) {
                let y_hat = sigmoid(x.dot(&moving));
                let error = if answer == WithFlippedSign {
                    y_hat - y
                } else {
                    y - y_hat
                };
                let delta = if answer == WithoutSigmoidSlope {
                    error
                } else {
                    error * y_hat * (1.0 - y_hat)
                };
                let step = &x * delta;
                if answer == MovingAfterEachRecord {
                    moving += &(eta * &step / mean);
                } else {
                    sum += &step;
                }
            }
            match answer {
                MovingAfterEachRecord => moving,
                ReturningTheStep => eta * &sum / mean,
                _ => w + &(eta * &sum / mean),
            }
        }
    }

    fn unit_failure(
        epoch: impl Fn(&Array2<f64>, &Array1<f64>, &Array1<f64>, f64) -> Array1<f64>,
    ) -> String {
        crate::check::failure_message(|| check_unit_epoch(epoch))
    }

    fn assert_unit_fails_with(slip: UnitAnswer, hint: &str) {
        let msg = unit_failure(unit_answer(slip));
        assert!(msg.starts_with("✗ w after one epoch on 3 records"), "{msg}");
        assert!(msg.ends_with(&format!("\n  Hint: {hint}")), "{msg}");
    }

    #[test]
    fn unit_epoch_check_passes_the_lessons_solution() {
        check_unit_epoch(unit_answer(UnitAnswer::Correct));
    }

    #[test]
    fn unit_epoch_check_expects_what_train_unit_gives_after_one_epoch() {
        for case in unit_cases() {
            let (trained, _) =
                train_unit(&case.features, &case.targets, case.w.clone(), 1, case.eta).unwrap();
            let mine =
                unit_answer(UnitAnswer::Correct)(&case.features, &case.targets, &case.w, case.eta);
            assert!(
                (&trained - &mine).iter().all(|d| d.abs() < 1e-15),
                "{}: {trained} / {mine}",
                case.name
            );
            assert!((&trained - &case.w).iter().all(|d| d.abs() > 1e-6));
        }
    }

    #[test]
    fn unit_epoch_check_gives_the_hand_worked_cases_weights() {
        // Record 1: ŷ = σ(0.2 − 0.8) = σ(−0.6); the three steps δ·x add up, and η / n = 0.1.
        let case = &unit_cases()[0];
        let mut sum = Array1::<f64>::zeros(2);
        for (x, y) in [([1.0, 2.0], 1.0), ([0.5, -1.0], 0.0), ([-1.5, 0.5], 1.0)] {
            let h = x[0] * 0.2 - x[1] * 0.4;
            let y_hat = 1.0 / (1.0 + f64::exp(-h));
            let delta = (y - y_hat) * y_hat * (1.0 - y_hat);
            sum += &(array![x[0], x[1]] * delta);
        }
        let expected = array![0.2, -0.4] + sum * 0.1;
        let mine =
            unit_answer(UnitAnswer::Correct)(&case.features, &case.targets, &case.w, case.eta);
        assert!(
            (&mine - &expected).iter().all(|d| d.abs() < 1e-15),
            "{mine}"
        );
        assert!((mine[0] - 0.2).abs() > 1e-3 && (mine[1] + 0.4).abs() > 1e-3);
    }

    #[test]
    fn unit_epoch_check_fails_when_the_learning_rate_is_forgotten() {
        assert_unit_fails_with(UnitAnswer::WithoutEta, UNIT_ETA_FORGOTTEN);
    }

    #[test]
    fn unit_epoch_check_fails_when_the_sum_stands_for_the_mean() {
        assert_unit_fails_with(UnitAnswer::SumForMean, SUM_FOR_MEAN);
    }

    #[test]
    fn unit_epoch_check_fails_when_the_sign_is_flipped() {
        assert_unit_fails_with(UnitAnswer::WithFlippedSign, UNIT_SIGN_FLIPPED);
    }

    #[test]
    fn unit_epoch_check_fails_when_the_sigmoid_slope_is_dropped() {
        assert_unit_fails_with(UnitAnswer::WithoutSigmoidSlope, UNIT_SLOPE_DROPPED);
    }

    #[test]
    fn unit_epoch_check_fails_when_the_weights_move_after_each_record() {
        assert_unit_fails_with(UnitAnswer::MovingAfterEachRecord, MOVED_DURING_EPOCH);
    }

    #[test]
    fn unit_epoch_check_fails_when_the_step_is_returned_for_the_weights() {
        assert_unit_fails_with(UnitAnswer::ReturningTheStep, STEP_RETURNED);
    }

    #[test]
    fn unit_epoch_check_fails_when_the_starting_weights_are_returned() {
        let msg =
            unit_failure(|_: &Array2<f64>, _: &Array1<f64>, w: &Array1<f64>, _: f64| w.clone());
        assert!(msg.ends_with(&format!("\n  Hint: {UNIT_EPOCH}")), "{msg}");
    }

    #[test]
    fn no_two_epoch_slips_give_the_same_wrong_answer() {
        let far = |a: &Array1<f64>, b: &Array1<f64>| (a - b).iter().any(|d| d.abs() > 1e-9);
        for case in unit_cases() {
            let mut expected = case.w.clone();
            unit_epoch(&case.features, &case.targets, &mut expected, case.eta);
            let slips = unit_slips(&case, &expected);
            for (k, a) in slips.iter().enumerate() {
                assert!(far(&a.gives, &expected), "{}: {}", case.name, a.hint);
                for b in &slips[k + 1..] {
                    assert!(
                        far(&a.gives, &b.gives),
                        "{}: {} / {}",
                        case.name,
                        a.hint,
                        b.hint
                    );
                }
            }
        }
    }
}
