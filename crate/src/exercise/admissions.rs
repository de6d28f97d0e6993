//! Lesson 4 (gradient descent on the admissions data): exercise 1, the mean and sample
//! standard deviation ([`check_mean_and_std_unseen`]); exercise 2, one epoch of a sigmoid
//! unit ([`check_unit_epoch`], [`check_unit_epoch_unseen`]); exercise 3, the unit's accuracy
//! ([`check_accuracy_unseen`]).

use super::{Draw, EPOCH_TOLERANCE, Slip, Tried, UNSEEN_CASES, all_apart, answers, check_tried};
use crate::activation::sigmoid;
use crate::check::{TOLERANCE, check_slips_within};
use crate::random::NumpyRandom;
use crate::summation::{mean_and_sample_std, sum_in_order};
use crate::train::{unit_accuracy, unit_epoch};
use ndarray::{Array1, Array2, array};

const MEAN: &str = "add the values and divide the sum by their number n";
const MEAN_SUM: &str = "this is the sum of the values: the mean divides it by their number n";
const MEAN_BY_N_MINUS_1: &str = "the sum was divided by n − 1: the mean divides by n; only \
    the standard deviation's sum of squares is divided by n − 1";
const STD: &str = "subtract the mean from each value, square, add the squares, divide by n − 1, \
    then take the square root";
const STD_BY_N: &str = "this divides by n: the sample standard deviation divides the sum of \
    squared deviations by n − 1";
const STD_VARIANCE: &str = "this is the variance: the standard deviation is its square root";
const STD_NOT_DIVIDED: &str = "this is the square root of the sum of squared deviations: \
    divide that sum by n − 1 before taking the root";
const STD_FROM_ZERO: &str = "the values were squared as they are: square each one's deviation \
    from the mean, value − mean";

/// What each slip gives for the mean and for the standard deviation of `values`.
fn mean_and_std_slips(values: &Array1<f64>) -> (Vec<Slip<f64>>, Vec<Slip<f64>>) {
    let n = values.len() as f64;
    let (sum, (_, std)) = (sum_in_order(values), mean_and_sample_std(values));
    let squares = std * std * (n - 1.0);
    let raw_squares = sum_in_order(&values.mapv(|v| v * v));
    (
        vec![
            Slip::new(MEAN_SUM, sum),
            Slip::new(MEAN_BY_N_MINUS_1, sum / (n - 1.0)),
        ],
        vec![
            Slip::new(STD_BY_N, (squares / n).sqrt()),
            Slip::new(STD_VARIANCE, std * std),
            Slip::new(STD_VARIANCE, squares / n),
            Slip::new(STD_NOT_DIVIDED, squares.sqrt()),
            Slip::new(STD_FROM_ZERO, (raw_squares / (n - 1.0)).sqrt()),
        ],
    )
}

/// Scores of 4 to 9 applicants on a made-up test: a mean of a few hundred and a spread of 20
/// to 150, so the mean is far from 0 and the variance far from the deviation.
fn scores(draw: &mut Draw) -> Array1<f64> {
    let n = draw.size(4, 9);
    let (centre, spread) = (draw.uniform(200.0, 800.0), draw.uniform(20.0, 150.0));
    draw.vector(n, spread).mapv(|d| centre + d)
}

/// Lesson 4, exercise 1, hidden test: tries the learner's `mean_and_std(values)`, the mean
/// and the sample standard deviation (with n − 1), on [`UNSEEN_CASES`] sets of 4 to 9 scores
/// drawn from `seed`. Prints a `✓` line for the means and one for the deviations; a wrong
/// answer fails naming its slip: the sum for the mean, a mean divided by n − 1, a deviation
/// divided by n, the variance for the deviation, a sum of squares not divided, or values not
/// taken from their mean.
///
/// ```
/// use backprop::prelude::*;
/// fn mean_and_std(values: &Array1<f64>) -> (f64, f64) {
///     let n = values.len() as f64;
///     let mean = values.sum() / n;
///     (mean, (values.mapv(|v| (v - mean).powi(2)).sum() / (n - 1.0)).sqrt())
/// }
/// check_mean_and_std_unseen(mean_and_std, 8);
/// ```
pub fn check_mean_and_std_unseen(answer: impl Fn(&Array1<f64>) -> (f64, f64), seed: u64) {
    let mut draw = Draw::new(seed);
    let (mut means, mut stds) = (Vec::new(), Vec::new());
    for _ in 0..UNSEEN_CASES {
        let values = scores(&mut draw);
        let (mean, std) = mean_and_sample_std(&values);
        let (mean_slips, std_slips) = mean_and_std_slips(&values);
        let (actual_mean, actual_std) = answer(&values);
        let inputs = format!("values = {values:.3}");
        means.push(Tried {
            inputs: inputs.clone(),
            actual: actual_mean,
            expected: mean,
            slips: mean_slips,
        });
        stds.push(Tried {
            inputs,
            actual: actual_std,
            expected: std,
            slips: std_slips,
        });
    }
    check_tried("mean", &means, TOLERANCE, MEAN);
    check_tried("sample standard deviation", &stds, TOLERANCE, STD);
}

const UNIT_EPOCH: &str = "for every record ŷ = σ(x · w) and δ = (y − ŷ) · ŷ · (1 − ŷ); add up \
    δ · x over all records, each with the weights the epoch started from, then return \
    w + η · (that sum) / n";
const UNIT_ETA_FORGOTTEN: &str =
    "η is missing: the weights move by η times the mean step, w + η · Σ δ·x / n";
pub(super) const SUM_FOR_MEAN: &str = "the weights moved by the sum of the records' steps, not their mean: \
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
    /// What a check calls the case: its name, or for a drawn case its inputs.
    name: String,
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
            name: "w after one epoch on 3 records, η = 0.3".into(),
            features: array![[1.0, 2.0], [0.5, -1.0], [-1.5, 0.5]],
            targets: array![1.0, 0.0, 1.0],
            w: array![0.2, -0.4],
            eta: 0.3,
        },
        UnitCase {
            name: "w after one epoch on 5 records with 3 features, η = 0.07".into(),
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
            name: "w after one epoch on 8 random records with 4 features, η = 1.3".into(),
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
            &case.name,
            &actual,
            &expected,
            EPOCH_TOLERANCE,
            &slips,
            UNIT_EPOCH,
        );
    }
}

/// An unseen case: 3 to 8 records with 2 to 4 features, more records than features, targets
/// of both kinds, and a learning rate from [`Draw::rate`].
fn drawn_unit_case(draw: &mut Draw) -> UnitCase {
    let k = draw.size(2, 4);
    let n = k + draw.size(1, 4);
    let features = draw.matrix(n, k, 1.0);
    let targets = draw.labels(n);
    let w = draw.vector(k, 0.5);
    let eta = draw.rate();
    UnitCase {
        name: format!("features = {features:.3}, targets = {targets}, w = {w:.3}, η = {eta:.3}"),
        features,
        targets,
        w,
        eta,
    }
}

/// Lesson 4, exercise 2, hidden test: tries the learner's `epoch(features, targets, w, eta)`
/// as [`check_unit_epoch`] does, on [`UNSEEN_CASES`] data sets drawn from `seed` (3 to 8
/// records, 2 to 4 features, η from 0.05 to 0.45), and names the same slips.
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
/// check_unit_epoch_unseen(epoch, 5);
/// ```
pub fn check_unit_epoch_unseen(
    epoch: impl Fn(&Array2<f64>, &Array1<f64>, &Array1<f64>, f64) -> Array1<f64>,
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<Array1<f64>>> = (0..UNSEEN_CASES)
        .map(|_| {
            let case = drawn_unit_case(&mut draw);
            let mut expected = case.w.clone();
            unit_epoch(&case.features, &case.targets, &mut expected, case.eta);
            Tried {
                actual: epoch(&case.features, &case.targets, &case.w, case.eta),
                slips: unit_slips(&case, &expected),
                expected,
                inputs: case.name,
            }
        })
        .collect();
    check_tried("w after one epoch", &tried, EPOCH_TOLERANCE, UNIT_EPOCH);
}

const ACCURACY: &str = "predict 1 when σ(x·w) > 0.5 and 0 otherwise, count the predictions \
    equal to their target, and divide by the number of records";
const ACCURACY_ERROR_RATE: &str = "this is the share of wrong predictions (1 − accuracy): \
    count the records whose prediction equals the target, and predict 1 when σ(x·w) > 0.5";
const ACCURACY_COUNT: &str =
    "this is the number of right predictions: divide it by the number of records";
const ACCURACY_BY_COLUMNS: &str = "the count was divided by the number of inputs per record \
    (features.ncols()): divide by the number of records, targets.len()";
const ACCURACY_BY_FORTY: &str = "the count was divided by 40, the lesson's number of test \
    records: divide by the number of records you are given, targets.len()";
const ACCURACY_PERCENT: &str = "this is a percentage: the accuracy is a share, from 0 to 1";
const ACCURACY_RAW_THRESHOLD: &str = "the sums x·w were compared with 0.5: the sigmoid comes \
    first, and a prediction is 1 when σ(x·w) > 0.5";
const ACCURACY_NOT_THRESHOLDED: &str = "no prediction equals its target: the probabilities \
    σ(x·w) were compared with the targets as they are; turn each into 1 when it is above 0.5 \
    and 0 otherwise first";

/// Records, targets and weights for the accuracy exercise.
struct Scored {
    features: Array2<f64>,
    targets: Array1<f64>,
    w: Array1<f64>,
}

/// What each slip gives on `case`, beside the right answer `expected`.
fn accuracy_slips(case: &Scored, expected: f64) -> Vec<Slip<f64>> {
    let n = case.targets.len() as f64;
    let right = expected * n;
    let sums = case.features.dot(&case.w);
    let raw = sums
        .iter()
        .zip(&case.targets)
        .filter(|(z, t)| f64::from(u8::from(**z > 0.5)) == **t)
        .count();
    vec![
        Slip::new(ACCURACY_ERROR_RATE, 1.0 - expected),
        Slip::new(ACCURACY_COUNT, right),
        Slip::new(ACCURACY_BY_COLUMNS, right / case.features.ncols() as f64),
        Slip::new(ACCURACY_BY_FORTY, right / 40.0),
        Slip::new(ACCURACY_PERCENT, 100.0 * expected),
        Slip::new(ACCURACY_RAW_THRESHOLD, raw as f64 / n),
        Slip::new(ACCURACY_NOT_THRESHOLDED, 0.0),
    ]
}

/// An unseen case: 6 to 12 records with 2 to 4 features, weights, and targets that agree
/// with the unit's prediction for about 70 % of the records. Drawn again until the right
/// answer and every slip's differ, no sum x·w lies within rounding of 0 or 0.5, and at least
/// one lies between them (where σ(x·w) > 0.5 but x·w < 0.5).
fn scored_case(draw: &mut Draw) -> Scored {
    loop {
        let k = draw.size(2, 4);
        let n = draw.size(6, 12);
        let features = draw.matrix(n, k, 1.0);
        let w = draw.vector(k, 1.0);
        let sums = features.dot(&w);
        let targets: Array1<f64> = sums
            .iter()
            .map(|&z| {
                let predicted = z > 0.0;
                let agrees = draw.uniform(0.0, 1.0) < 0.7;
                f64::from(u8::from(predicted == agrees))
            })
            .collect();
        let case = Scored {
            features,
            targets,
            w,
        };
        let expected = expected_accuracy(&case);
        let slips = accuracy_slips(&case, expected);
        let clear = sums
            .iter()
            .all(|z| z.abs() > 1e-6 && (z - 0.5).abs() > 1e-6);
        if clear && all_apart(&answers(&expected, &slips), 1e-9) {
            return case;
        }
    }
}

fn expected_accuracy(case: &Scored) -> f64 {
    unit_accuracy(&case.features, &case.targets, &case.w).expect("drawn shapes fit")
}

/// Lesson 4, exercise 3, hidden test: tries the learner's `accuracy(features, targets, w)`,
/// the share of records a sigmoid unit predicts right (1 when σ(x·w) > 0.5), on
/// [`UNSEEN_CASES`] sets of 6 to 12 records drawn from `seed`. A wrong answer fails naming
/// its slip: the error rate, the count of right predictions, a count divided by the number
/// of inputs or by the lesson's 40 records, a percentage, x·w compared with 0.5, or the
/// probabilities compared with the targets without a threshold.
///
/// ```
/// use backprop::prelude::*;
/// fn accuracy(features: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>) -> f64 {
///     let predictions = sigmoid(&features.dot(w)).mapv(|p| if p > 0.5 { 1.0 } else { 0.0 });
///     let right = predictions.iter().zip(targets).filter(|(p, t)| p == t).count();
///     right as f64 / targets.len() as f64
/// }
/// check_accuracy_unseen(accuracy, 6);
/// ```
pub fn check_accuracy_unseen(
    answer: impl Fn(&Array2<f64>, &Array1<f64>, &Array1<f64>) -> f64,
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<f64>> = (0..UNSEEN_CASES)
        .map(|_| {
            let case = scored_case(&mut draw);
            let expected = expected_accuracy(&case);
            Tried {
                inputs: format!(
                    "features = {:.3}, targets = {}, w = {:.3}",
                    case.features, case.targets, case.w
                ),
                actual: answer(&case.features, &case.targets, &case.w),
                expected,
                slips: accuracy_slips(&case, expected),
            }
        })
        .collect();
    check_tried("accuracy", &tried, TOLERANCE, ACCURACY);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_hint, failure_message};
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
        failure_message(|| check_unit_epoch(epoch))
    }

    fn assert_unit_fails_with(slip: UnitAnswer, hint: &str) {
        let msg = unit_failure(unit_answer(slip));
        assert!(msg.starts_with("✗ w after one epoch on 3 records"), "{msg}");
        assert_hint(&msg, hint);
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
        assert_hint(&msg, UNIT_EPOCH);
    }

    /// Asserts that the right answer and every slip's differ on `case`.
    fn assert_epoch_slips_apart(case: &UnitCase) {
        let far = |a: &Array1<f64>, b: &Array1<f64>| (a - b).iter().any(|d| d.abs() > 1e-9);
        let mut expected = case.w.clone();
        unit_epoch(&case.features, &case.targets, &mut expected, case.eta);
        let slips = unit_slips(case, &expected);
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

    #[test]
    fn no_two_epoch_slips_give_the_same_wrong_answer() {
        for case in unit_cases() {
            assert_epoch_slips_apart(&case);
        }
        let mut draw = Draw::new(11);
        for _ in 0..100 {
            assert_epoch_slips_apart(&drawn_unit_case(&mut draw));
        }
    }

    #[test]
    fn the_unseen_epoch_check_passes_the_lessons_solution_on_many_seeds() {
        for seed in 0..20 {
            check_unit_epoch_unseen(unit_answer(UnitAnswer::Correct), seed);
        }
    }

    #[test]
    fn the_unseen_epoch_check_names_each_slip_and_the_case() {
        use UnitAnswer::*;
        for (slip, hint) in [
            (WithoutEta, UNIT_ETA_FORGOTTEN),
            (SumForMean, SUM_FOR_MEAN),
            (WithFlippedSign, UNIT_SIGN_FLIPPED),
            (WithoutSigmoidSlope, UNIT_SLOPE_DROPPED),
            (MovingAfterEachRecord, MOVED_DURING_EPOCH),
            (ReturningTheStep, STEP_RETURNED),
        ] {
            let msg = failure_message(|| check_unit_epoch_unseen(unit_answer(slip), 31));
            assert!(
                msg.starts_with("✗ w after one epoch, unseen case 1 of 3: features = [["),
                "{msg}"
            );
            assert_hint(&msg, hint);
        }
    }

    #[test]
    fn the_unseen_epoch_check_fails_an_answer_fitted_to_the_visible_cases() {
        let visible = unit_cases();
        // Answers the visible cases from a table, by their η, and returns w unchanged otherwise.
        let fitted = move |_: &Array2<f64>, _: &Array1<f64>, w: &Array1<f64>, eta: f64| {
            let case = visible.iter().find(|c| c.eta == eta);
            case.map_or_else(
                || w.clone(),
                |c| unit_answer(UnitAnswer::Correct)(&c.features, &c.targets, &c.w, c.eta),
            )
        };
        check_unit_epoch(&fitted);
        let msg = failure_message(|| check_unit_epoch_unseen(&fitted, 31));
        assert_hint(&msg, UNIT_EPOCH);
    }

    fn std_with(values: &Array1<f64>, divisor: f64) -> f64 {
        let mean = values.sum() / values.len() as f64;
        values.mapv(|v| (v - mean).powi(2)).sum() / divisor
    }

    /// The lesson's solution to exercise 1.
    fn stats(values: &Array1<f64>) -> (f64, f64) {
        let n = values.len() as f64;
        (values.sum() / n, std_with(values, n - 1.0).sqrt())
    }

    #[test]
    fn the_stats_check_passes_the_lessons_solution_and_ndarrays_on_many_seeds() {
        for seed in 0..20 {
            check_mean_and_std_unseen(stats, seed);
            check_mean_and_std_unseen(|v| (v.mean().unwrap(), v.std(1.0)), seed);
        }
    }

    #[test]
    fn the_stats_check_fails_the_gre_answer_typed_in() {
        let msg =
            failure_message(|| check_mean_and_std_unseen(|_| (587.7, 115.51653637223805), 2024));
        assert!(
            msg.starts_with("✗ mean, unseen case 1 of 3: values = ["),
            "{msg}"
        );
        assert_hint(&msg, MEAN);
    }

    #[test]
    fn the_stats_check_names_each_slip() {
        let fails = |answer: fn(&Array1<f64>) -> (f64, f64), part: &str, hint: &str| {
            let msg = failure_message(|| check_mean_and_std_unseen(answer, 17));
            assert!(
                msg.starts_with(&format!("✗ {part}, unseen case 1")),
                "{msg}"
            );
            assert_hint(&msg, hint);
        };
        fails(|v| (v.sum(), stats(v).1), "mean", MEAN_SUM);
        fails(
            |v| (v.sum() / (v.len() - 1) as f64, stats(v).1),
            "mean",
            MEAN_BY_N_MINUS_1,
        );
        let sd = "sample standard deviation";
        fails(
            |v| (stats(v).0, std_with(v, v.len() as f64).sqrt()),
            sd,
            STD_BY_N,
        );
        fails(
            |v| (stats(v).0, std_with(v, (v.len() - 1) as f64)),
            sd,
            STD_VARIANCE,
        );
        fails(
            |v| (stats(v).0, std_with(v, v.len() as f64)),
            sd,
            STD_VARIANCE,
        );
        fails(
            |v| (stats(v).0, std_with(v, 1.0).sqrt()),
            sd,
            STD_NOT_DIVIDED,
        );
        fails(
            |v| {
                let squares = v.mapv(|x| x * x).sum();
                (stats(v).0, (squares / (v.len() - 1) as f64).sqrt())
            },
            sd,
            STD_FROM_ZERO,
        );
        fails(|v| (stats(v).0, 0.0), sd, STD);
    }

    #[test]
    fn no_two_stats_slips_give_the_same_wrong_answer() {
        let mut draw = Draw::new(3);
        for _ in 0..200 {
            let values = scores(&mut draw);
            let (mean, std) = mean_and_sample_std(&values);
            let (mean_slips, std_slips) = mean_and_std_slips(&values);
            assert!(all_apart(&answers(&mean, &mean_slips), 1e-9), "{values}");
            assert!(all_apart(&answers(&std, &std_slips), 1e-9), "{values}");
        }
    }

    /// The lesson's solution to exercise 3.
    fn accuracy(features: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>) -> f64 {
        right(features, targets, w, 0.0) as f64 / targets.len() as f64
    }

    /// How many records' prediction (1 when x·w > `threshold`) equals their target.
    fn right(features: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>, at: f64) -> usize {
        let predictions = features.dot(w).mapv(|z| if z > at { 1.0 } else { 0.0 });
        predictions
            .iter()
            .zip(targets)
            .filter(|(p, t)| p == t)
            .count()
    }

    #[test]
    fn the_accuracy_check_passes_the_lessons_solution_on_many_seeds() {
        for seed in 0..20 {
            check_accuracy_unseen(accuracy, seed);
            check_accuracy_unseen(
                |f, t, w| {
                    let p = sigmoid(&f.dot(w)).mapv(|p| if p > 0.5 { 1.0 } else { 0.0 });
                    p.iter().zip(t).filter(|(p, t)| p == t).count() as f64 / t.len() as f64
                },
                seed,
            );
        }
    }

    #[test]
    fn the_accuracy_check_fails_the_lessons_answer_typed_in() {
        let msg = failure_message(|| check_accuracy_unseen(|_, _, _| 0.725, 2024));
        assert!(
            msg.starts_with("✗ accuracy, unseen case 1 of 3: features = [["),
            "{msg}"
        );
        assert_hint(&msg, ACCURACY);
    }

    #[test]
    fn the_accuracy_check_names_each_slip() {
        type Answer = fn(&Array2<f64>, &Array1<f64>, &Array1<f64>) -> f64;
        let fails = |answer: Answer, hint: &str| {
            let msg = failure_message(|| check_accuracy_unseen(answer, 23));
            assert_hint(&msg, hint);
        };
        fails(|f, t, w| 1.0 - accuracy(f, t, w), ACCURACY_ERROR_RATE);
        fails(
            |f, t, w| {
                let wrong = sigmoid(&f.dot(w)).mapv(|p| if p > 0.5 { 0.0 } else { 1.0 });
                wrong.iter().zip(t).filter(|(p, t)| p == t).count() as f64 / t.len() as f64
            },
            ACCURACY_ERROR_RATE,
        );
        fails(|f, t, w| right(f, t, w, 0.0) as f64, ACCURACY_COUNT);
        fails(
            |f, t, w| right(f, t, w, 0.0) as f64 / f.ncols() as f64,
            ACCURACY_BY_COLUMNS,
        );
        fails(
            |f, t, w| right(f, t, w, 0.0) as f64 / 40.0,
            ACCURACY_BY_FORTY,
        );
        fails(|f, t, w| 100.0 * accuracy(f, t, w), ACCURACY_PERCENT);
        fails(
            |f, t, w| right(f, t, w, 0.5) as f64 / t.len() as f64,
            ACCURACY_RAW_THRESHOLD,
        );
        fails(
            |f, t, w| {
                let p = sigmoid(&f.dot(w));
                p.iter().zip(t).filter(|(p, t)| p == t).count() as f64 / t.len() as f64
            },
            ACCURACY_NOT_THRESHOLDED,
        );
    }

    #[test]
    fn drawn_accuracy_cases_keep_every_slip_apart_and_the_answer_short_of_0_and_1() {
        let mut draw = Draw::new(5);
        for _ in 0..200 {
            let case = scored_case(&mut draw);
            let expected = expected_accuracy(&case);
            assert!(expected > 0.0 && expected < 1.0, "{expected}");
            assert_eq!(expected, accuracy(&case.features, &case.targets, &case.w));
            let slips = accuracy_slips(&case, expected);
            assert!(all_apart(&answers(&expected, &slips), 1e-9), "{expected}");
        }
    }
}
