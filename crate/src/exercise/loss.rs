//! Lesson 1 (loss): exercise 1, the SSE by hand ([`check_sse_unseen`]); exercise 2, the MSE
//! of a linear model and the better of two weight vectors ([`check_mse_of_unseen`],
//! [`check_better_unseen`]).

use super::{Draw, Slip, Tried, UNSEEN_CASES, check_tried};
use crate::check::TOLERANCE;
use crate::loss::{mse, sse};
use ndarray::{Array1, Array2};

const SSE: &str = "square each error y − ŷ, then add them up (no mean, no ½)";
const SSE_MEAN: &str = "this is the mean of the squared errors (MSE): the SSE is their sum, \
    not divided by the number of records";
const SSE_HALF: &str = "this is ½·SSE: the SSE has no factor ½";
const SSE_NOT_SQUARED: &str = "the errors were added without squaring them: square each error \
    first, so that too-high and too-low guesses cannot cancel";
const SSE_ABSOLUTE: &str = "these are the errors' sizes |y − ŷ| added up: square each error \
    instead";
const SSE_SQUARED_SUM: &str = "this is the square of the summed errors: square each error \
    first, then add the squares";

/// Lesson 1, exercise 1, hidden test: tries the learner's `my_sse(y, y_hat)` on
/// [`UNSEEN_CASES`] sets of 3 to 6 records drawn from `seed`. A wrong answer fails naming
/// its slip: the mean for the sum, a factor ½, errors not squared, their sizes added, or
/// the square of their sum.
///
/// ```
/// use backprop::prelude::*;
/// fn my_sse(y: &Array1<f64>, y_hat: &Array1<f64>) -> f64 {
///     (y - y_hat).mapv(|e| e * e).sum()
/// }
/// check_sse_unseen(my_sse, 12);
/// ```
pub fn check_sse_unseen(answer: impl Fn(&Array1<f64>, &Array1<f64>) -> f64, seed: u64) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<f64>> = (0..UNSEEN_CASES)
        .map(|_| {
            let n = draw.size(3, 6);
            let (y, y_hat) = (draw.vector(n, 2.0), draw.vector(n, 2.0));
            let errors = &y - &y_hat;
            let expected = sse(&y, &y_hat).expect("the drawn lengths agree");
            Tried {
                inputs: format!("y = {y:.3}, ŷ = {y_hat:.3}"),
                actual: answer(&y, &y_hat),
                expected,
                slips: vec![
                    Slip::new(SSE_MEAN, expected / n as f64),
                    Slip::new(SSE_HALF, expected / 2.0),
                    Slip::new(SSE_NOT_SQUARED, errors.sum()),
                    Slip::new(SSE_NOT_SQUARED, -errors.sum()),
                    Slip::new(SSE_ABSOLUTE, errors.mapv(f64::abs).sum()),
                    Slip::new(SSE_SQUARED_SUM, errors.sum().powi(2)),
                ],
            }
        })
        .collect();
    check_tried("SSE", &tried, TOLERANCE, SSE);
}

const MSE_OF: &str = "predict with x.dot(w), take each error target − prediction, square it, \
    and average over the records";
const MSE_SUM: &str = "this is the sum of the squared errors: the MSE divides it by the \
    number of records";
const MSE_HALF: &str = "this is ½·MSE: the MSE has no factor ½";
const MSE_BY_COLUMNS: &str = "the sum was divided by the number of inputs per record \
    (x.ncols()): divide by the number of records, x.nrows()";
const MSE_NOT_SQUARED: &str = "the errors were averaged without squaring them: square each \
    error first";

/// The inputs of one drawn case of exercise 2: records, targets, and two weight vectors of
/// which `w_a` fits better when `a_better`.
struct Records {
    x: Array2<f64>,
    targets: Array1<f64>,
    w_a: Array1<f64>,
    w_b: Array1<f64>,
}

/// Records with 2 to 4 inputs and more records than inputs, targets from weights near
/// `w_true`, and two candidates: one close to the truth, one far, in either order.
fn records(draw: &mut Draw) -> Records {
    let inputs = draw.size(2, 4);
    let n = inputs + draw.size(1, 4);
    let x = draw.matrix(n, inputs, 1.0);
    let w_true = draw.vector(inputs, 1.0);
    let targets = x.dot(&w_true) + draw.vector(n, 0.1);
    let near = &w_true + &draw.vector(inputs, 0.05);
    let far = &w_true + &draw.vector(inputs, 1.0).mapv(|d| d + d.signum());
    let (w_a, w_b) = if draw.uniform(0.0, 1.0) < 0.5 {
        (near, far)
    } else {
        (far, near)
    };
    Records {
        x,
        targets,
        w_a,
        w_b,
    }
}

/// The MSE of the linear model ŷ = x·w on `targets`, from the library.
fn mse_of(x: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>) -> f64 {
    mse(targets, &x.dot(w)).expect("the drawn shapes agree")
}

/// Lesson 1, exercise 2, hidden test: tries the learner's `mse_of(x, targets, w)`, the MSE
/// of the linear model ŷ = x·w, on [`UNSEEN_CASES`] sets of records drawn from `seed`. A
/// wrong answer fails naming its slip: the sum for the mean, a factor ½, the number of
/// inputs for the number of records, or errors not squared.
///
/// ```
/// use backprop::prelude::*;
/// fn mse_of(x: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>) -> f64 {
///     (targets - &x.dot(w)).mapv(|e| e * e).sum() / targets.len() as f64
/// }
/// check_mse_of_unseen(mse_of, 4);
/// ```
pub fn check_mse_of_unseen(
    answer: impl Fn(&Array2<f64>, &Array1<f64>, &Array1<f64>) -> f64,
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<f64>> = (0..UNSEEN_CASES)
        .map(|_| {
            let r = records(&mut draw);
            let expected = mse_of(&r.x, &r.targets, &r.w_a);
            let predictions = r.x.dot(&r.w_a);
            let errors = &r.targets - &predictions;
            let sum = sse(&r.targets, &predictions).expect("the drawn shapes agree");
            Tried {
                inputs: format!(
                    "x = {:.3}, targets = {:.3}, w = {:.3}",
                    r.x, r.targets, r.w_a
                ),
                actual: answer(&r.x, &r.targets, &r.w_a),
                expected,
                slips: vec![
                    Slip::new(MSE_SUM, sum),
                    Slip::new(MSE_HALF, expected / 2.0),
                    Slip::new(MSE_BY_COLUMNS, sum / r.x.ncols() as f64),
                    Slip::new(MSE_NOT_SQUARED, errors.mean().unwrap_or(f64::NAN)),
                    Slip::new(MSE_NOT_SQUARED, -errors.mean().unwrap_or(f64::NAN)),
                ],
            }
        })
        .collect();
    check_tried("MSE of x·w", &tried, TOLERANCE, MSE_OF);
}

const BETTER: &str = "compute both MSEs and answer \"w_a\" when w_a's is the lower, \
    \"w_b\" otherwise";
const BETTER_WORSE: &str = "this names the weights with the higher MSE: the better weights \
    are the ones with the lower loss";

/// Lesson 1, exercise 2, hidden test: tries the learner's `better(x, targets, w_a, w_b)`
/// (`"w_a"` or `"w_b"`, the weights with the lower MSE) on [`UNSEEN_CASES`] sets of records
/// drawn from `seed`, with the better weights first in some and second in others.
///
/// ```
/// use backprop::prelude::*;
/// fn better(x: &Array2<f64>, targets: &Array1<f64>, w_a: &Array1<f64>, w_b: &Array1<f64>) -> &'static str {
///     let mse_of = |w: &Array1<f64>| (targets - &x.dot(w)).mapv(|e| e * e).sum();
///     if mse_of(w_a) < mse_of(w_b) { "w_a" } else { "w_b" }
/// }
/// check_better_unseen(better, 3);
/// ```
pub fn check_better_unseen(
    answer: impl Fn(&Array2<f64>, &Array1<f64>, &Array1<f64>, &Array1<f64>) -> &'static str,
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let mut tried: Vec<Tried<&'static str>> = (0..UNSEEN_CASES)
        .map(|_| records(&mut draw))
        .map(|r| {
            let a_better = mse_of(&r.x, &r.targets, &r.w_a) < mse_of(&r.x, &r.targets, &r.w_b);
            let (expected, worse) = if a_better {
                ("w_a", "w_b")
            } else {
                ("w_b", "w_a")
            };
            Tried {
                inputs: format!(
                    "x = {:.3}, targets = {:.3}, w_a = {:.3}, w_b = {:.3}",
                    r.x, r.targets, r.w_a, r.w_b
                ),
                actual: answer(&r.x, &r.targets, &r.w_a, &r.w_b),
                expected,
                slips: vec![Slip::new(BETTER_WORSE, worse)],
            }
        })
        .collect();
    // The same records with the candidates swapped: an answer that always names one of them
    // is wrong in one of the two.
    let mut swapped = Draw::new(seed);
    let r = records(&mut swapped);
    let a_better = mse_of(&r.x, &r.targets, &r.w_b) < mse_of(&r.x, &r.targets, &r.w_a);
    tried.push(Tried {
        inputs: format!(
            "x = {:.3}, targets = {:.3}, w_a = {:.3}, w_b = {:.3}",
            r.x, r.targets, r.w_b, r.w_a
        ),
        actual: answer(&r.x, &r.targets, &r.w_b, &r.w_a),
        expected: if a_better { "w_a" } else { "w_b" },
        slips: vec![Slip::new(
            BETTER_WORSE,
            if a_better { "w_b" } else { "w_a" },
        )],
    });
    check_tried("the better weights", &tried, 0.0, BETTER);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_hint, failure_message};

    fn assert_sse_fails_with(sse: fn(&Array1<f64>, &Array1<f64>) -> f64, hint: &str) {
        let msg = failure_message(|| check_sse_unseen(sse, 2024));
        assert_hint(&msg, hint);
    }

    #[test]
    fn the_sse_check_passes_the_lessons_solution_on_many_seeds() {
        for seed in 0..20 {
            check_sse_unseen(|y, y_hat| (y - y_hat).mapv(|e| e * e).sum(), seed);
        }
    }

    #[test]
    fn the_sse_check_fails_the_worked_examples_answer_typed_in() {
        let msg = failure_message(|| check_sse_unseen(|_, _| 4.75, 2024));
        assert!(msg.starts_with("✗ SSE, unseen case 1 of 3: y = ["), "{msg}");
        assert_hint(&msg, SSE);
    }

    #[test]
    fn the_sse_check_names_each_slip() {
        assert_sse_fails_with(|y, h| (y - h).mapv(|e| e * e).mean().unwrap(), SSE_MEAN);
        assert_sse_fails_with(|y, h| (y - h).mapv(|e| e * e).sum() / 2.0, SSE_HALF);
        assert_sse_fails_with(|y, h| (y - h).sum(), SSE_NOT_SQUARED);
        assert_sse_fails_with(|y, h| (h - y).sum(), SSE_NOT_SQUARED);
        assert_sse_fails_with(|y, h| (y - h).mapv(f64::abs).sum(), SSE_ABSOLUTE);
        assert_sse_fails_with(|y, h| (y - h).sum().powi(2), SSE_SQUARED_SUM);
    }

    fn solution(x: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>) -> f64 {
        (targets - &x.dot(w)).mapv(|e| e * e).sum() / targets.len() as f64
    }

    #[test]
    fn the_mse_check_passes_the_lessons_solution_and_names_each_slip() {
        for seed in 0..20 {
            check_mse_of_unseen(solution, seed);
        }
        let fails = |answer: fn(&Array2<f64>, &Array1<f64>, &Array1<f64>) -> f64, hint: &str| {
            let msg = failure_message(|| check_mse_of_unseen(answer, 7));
            assert_hint(&msg, hint);
        };
        fails(|x, t, w| (t - &x.dot(w)).mapv(|e| e * e).sum(), MSE_SUM);
        fails(|x, t, w| solution(x, t, w) / 2.0, MSE_HALF);
        fails(
            |x, t, w| (t - &x.dot(w)).mapv(|e| e * e).sum() / x.ncols() as f64,
            MSE_BY_COLUMNS,
        );
        fails(|x, t, w| (t - &x.dot(w)).mean().unwrap(), MSE_NOT_SQUARED);
        fails(|_, _, _| 0.025, MSE_OF);
    }

    fn pick(x: &Array2<f64>, t: &Array1<f64>, w_a: &Array1<f64>, w_b: &Array1<f64>) -> bool {
        solution(x, t, w_a) < solution(x, t, w_b)
    }

    #[test]
    fn the_better_check_passes_the_lessons_solution_and_fails_a_constant_or_the_worse() {
        for seed in 0..20 {
            check_better_unseen(
                |x, t, a, b| if pick(x, t, a, b) { "w_a" } else { "w_b" },
                seed,
            );
        }
        for constant in ["w_a", "w_b"] {
            let msg = failure_message(|| check_better_unseen(move |_, _, _, _| constant, 1));
            assert!(
                msg.starts_with("✗ the better weights, unseen case"),
                "{msg}"
            );
        }
        let msg = failure_message(|| {
            check_better_unseen(|x, t, a, b| if pick(x, t, a, b) { "w_b" } else { "w_a" }, 1)
        });
        assert_hint(&msg, BETTER_WORSE);
    }

    #[test]
    fn drawn_candidates_differ_clearly_in_their_loss() {
        let mut draw = Draw::new(9);
        for _ in 0..50 {
            let r = records(&mut draw);
            let (a, b) = (
                mse_of(&r.x, &r.targets, &r.w_a),
                mse_of(&r.x, &r.targets, &r.w_b),
            );
            assert!(a.max(b) > 2.0 * a.min(b), "{a} {b}");
        }
    }
}
