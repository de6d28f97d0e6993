//! Lesson 11 (cross-entropy), exercise 1: the cross-entropy by hand
//! ([`check_cross_entropy_unseen`]).

use super::{Draw, Slip, Tried, UNSEEN_CASES, check_tried};
use crate::check::TOLERANCE;
use crate::loss::cross_entropy;
use ndarray::Array1;

const CE: &str = "for each record take y · ln ŷ + (1 − y) · ln(1 − ŷ), average over the \
    records, and negate: L = −(1/n) Σ [y ln ŷ + (1 − y) ln(1 − ŷ)]";
const CE_SUM: &str = "this is the sum over the records: the cross-entropy is their mean, \
    divided by the number of records";
const CE_BY_THREE: &str = "the sum was divided by 3, the worked example's number of records: \
    divide by the number of records, y.len()";
const CE_SIGN: &str = "right size, wrong sign: the logs of probabilities are negative, so the \
    cross-entropy negates their mean to make a positive loss";
const CE_NO_ZERO_TERM: &str = "the records with y = 0 count for nothing: keep the second term, \
    (1 − y) · ln(1 − ŷ), which charges a \"no\" for a high ŷ";
const CE_LN_YHAT_FOR_NO: &str = "ln ŷ was used for every record: for y = 0 the term is \
    ln(1 − ŷ), the log of the probability given to \"no\"";
const CE_TERMS_SWAPPED: &str = "the two terms are swapped: y goes with ln ŷ and (1 − y) with \
    ln(1 − ŷ)";
const CE_LOG10: &str = "this uses log base 10: the cross-entropy uses the natural log, .ln()";

/// The mean over the records of `term(y, ŷ)`, negated.
fn negated_mean(y: &Array1<f64>, y_hat: &Array1<f64>, term: fn(f64, f64) -> f64) -> f64 {
    -y.iter().zip(y_hat).map(|(&t, &p)| term(t, p)).sum::<f64>() / y.len() as f64
}

/// What each slip gives for targets `y` and predictions `y_hat`, beside the right answer
/// `expected`.
fn ce_slips(y: &Array1<f64>, y_hat: &Array1<f64>, expected: f64) -> Vec<Slip<f64>> {
    let n = y.len() as f64;
    vec![
        Slip::new(CE_SUM, expected * n),
        Slip::new(CE_BY_THREE, expected * n / 3.0),
        Slip::new(CE_SIGN, -expected),
        Slip::new(CE_NO_ZERO_TERM, negated_mean(y, y_hat, |t, p| t * p.ln())),
        Slip::new(CE_LN_YHAT_FOR_NO, negated_mean(y, y_hat, |_, p| p.ln())),
        Slip::new(
            CE_TERMS_SWAPPED,
            negated_mean(y, y_hat, |t, p| t * (1.0 - p).ln() + (1.0 - t) * p.ln()),
        ),
        Slip::new(CE_LOG10, expected / std::f64::consts::LN_10),
    ]
}

/// 4 to 7 records (never 3, the worked example's number), targets 0 and 1 with at least one
/// of each, and predictions from [0.05, 0.95).
fn drawn_case(draw: &mut Draw) -> (Array1<f64>, Array1<f64>) {
    let n = draw.size(4, 7);
    let y = draw.labels(n);
    let y_hat = (0..n).map(|_| draw.uniform(0.05, 0.95)).collect();
    (y, y_hat)
}

/// Lesson 11, exercise 1, hidden test: tries the learner's `my_cross_entropy(y, y_hat)`, the
/// mean cross-entropy of predicted probabilities `y_hat` against targets `y` of 0 and 1, on
/// [`UNSEEN_CASES`] sets of 4 to 7 records drawn from `seed`, each with a "yes" and a "no".
/// The answers come from the library's `cross_entropy`. A wrong answer fails naming its
/// slip: the sum for the mean, a division by 3, a flipped sign, the (1 − y) term dropped,
/// ln ŷ used for y = 0, the two terms swapped, or log base 10.
///
/// ```
/// use backprop::prelude::*;
/// fn my_cross_entropy(y: &Array1<f64>, y_hat: &Array1<f64>) -> f64 {
///     let terms = y * &y_hat.mapv(f64::ln) + (1.0 - y) * &y_hat.mapv(|p| (1.0 - p).ln());
///     -terms.sum() / y.len() as f64
/// }
/// check_cross_entropy_unseen(my_cross_entropy, 11);
/// ```
pub fn check_cross_entropy_unseen(answer: impl Fn(&Array1<f64>, &Array1<f64>) -> f64, seed: u64) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<f64>> = (0..UNSEEN_CASES)
        .map(|_| {
            let (y, y_hat) = drawn_case(&mut draw);
            let expected = cross_entropy(&y, &y_hat).expect("the drawn lengths agree");
            Tried {
                inputs: format!("y = {y}, ŷ = {y_hat:.3}"),
                actual: answer(&y, &y_hat),
                slips: ce_slips(&y, &y_hat, expected),
                expected,
            }
        })
        .collect();
    check_tried("cross-entropy", &tried, TOLERANCE, CE);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_hint, failure_message};
    use ndarray::array;

    fn my_cross_entropy(y: &Array1<f64>, y_hat: &Array1<f64>) -> f64 {
        let terms: Vec<f64> = y
            .iter()
            .zip(y_hat)
            .map(|(&t, &p)| t * p.ln() + (1.0 - t) * (1.0 - p).ln())
            .collect();
        -terms.iter().sum::<f64>() / y.len() as f64
    }

    fn term(t: f64, p: f64) -> f64 {
        t * p.ln() + (1.0 - t) * (1.0 - p).ln()
    }

    fn assert_fails_with(answer: fn(&Array1<f64>, &Array1<f64>) -> f64, hint: &str) {
        let msg = failure_message(|| check_cross_entropy_unseen(answer, 2024));
        assert!(
            msg.starts_with("✗ cross-entropy, unseen case 1 of 3: y = ["),
            "{msg}"
        );
        assert_hint(&msg, hint);
    }

    #[test]
    fn the_solution_gives_the_lessons_number() {
        let ce = my_cross_entropy(&array![1.0, 0.0, 1.0], &array![0.9, 0.2, 0.6]);
        assert!((ce - 0.279776).abs() < 1e-6, "{ce}");
    }

    #[test]
    fn the_check_passes_the_lessons_solution_on_many_seeds() {
        for seed in 0..50 {
            check_cross_entropy_unseen(my_cross_entropy, seed);
        }
    }

    #[test]
    fn the_check_fails_the_worked_examples_answer_typed_in() {
        assert_fails_with(|_, _| 0.279776, CE);
    }

    #[test]
    fn the_check_names_each_slip() {
        assert_fails_with(
            |y, h| -y.iter().zip(h).map(|(&t, &p)| term(t, p)).sum::<f64>(),
            CE_SUM,
        );
        assert_fails_with(
            |y, h| -y.iter().zip(h).map(|(&t, &p)| term(t, p)).sum::<f64>() / 3.0,
            CE_BY_THREE,
        );
        assert_fails_with(|y, h| -my_cross_entropy(y, h), CE_SIGN);
        assert_fails_with(
            |y, h| -(y * &h.mapv(f64::ln)).sum() / y.len() as f64,
            CE_NO_ZERO_TERM,
        );
        assert_fails_with(
            |y, h| -h.mapv(f64::ln).sum() / y.len() as f64,
            CE_LN_YHAT_FOR_NO,
        );
        assert_fails_with(|y, h| my_cross_entropy(&(1.0 - y), h), CE_TERMS_SWAPPED);
        assert_fails_with(
            |y, h| {
                let terms = y * &h.mapv(f64::log10) + (1.0 - y) * &h.mapv(|p| (1.0 - p).log10());
                -terms.sum() / y.len() as f64
            },
            CE_LOG10,
        );
    }

    #[test]
    fn drawn_cases_have_a_yes_and_a_no_and_every_slip_differs() {
        let mut draw = Draw::new(6);
        let apart = |a: f64, b: f64| (a - b).abs() > 1e-4 * b.abs().max(1.0);
        for _ in 0..500 {
            let (y, y_hat) = drawn_case(&mut draw);
            assert!((4..=7).contains(&y.len()));
            assert!(y.iter().any(|&t| t == 0.0) && y.iter().any(|&t| t == 1.0));
            let expected = cross_entropy(&y, &y_hat).unwrap();
            let slips = ce_slips(&y, &y_hat, expected);
            for (k, a) in slips.iter().enumerate() {
                assert!(apart(a.gives, expected), "{}", a.hint);
                for b in &slips[k + 1..] {
                    assert!(apart(a.gives, b.gives), "{} / {}", a.hint, b.hint);
                }
            }
        }
    }
}
