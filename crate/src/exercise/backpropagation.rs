//! Lesson 6 (backpropagation), the exercise: the weight steps of a network with one hidden
//! layer for one record, checked part by part ([`check_backprop_step_ho_unseen`],
//! [`check_backprop_step_ih_unseen`]).

use super::{Draw, Slip, Tried, UNSEEN_CASES, check_tried};
use crate::activation::sigmoid;
use crate::mlp::Mlp;
use ndarray::{Array1, Array2, Axis, array};

/// How closely a learner's steps must agree with the library's: the steps of the hidden
/// layer are small (around 1e-3), so the tolerance is far below them.
const STEP_TOLERANCE: f64 = 1e-10;

const STEP_HO: &str = "a = σ(x · W_ih), ŷ = σ(a · w_ho), δ° = (y − ŷ) · ŷ · (1 − ŷ), and \
    ΔW_ho = η · δ° · a (one entry per hidden unit)";
const STEP_IH: &str = "δʰ = δ° · w_ho · a · (1 − a) (one per hidden unit), and \
    ΔW_ih[i, j] = η · x[i] · δʰ[j]: one row per input, one column per hidden unit";
const OUTPUT_SLOPE_DROPPED: &str = "the output's sigmoid slope is missing: \
    δ° = (y − ŷ) · ŷ · (1 − ŷ), not y − ŷ";
const HIDDEN_SLOPE_DROPPED: &str = "the hidden units' sigmoid slope is missing: \
    δʰ = δ° · w_ho · a · (1 − a), not δ° · w_ho";
const OUTPUT_WEIGHT_FORGOTTEN: &str = "the output weight is missing from δʰ: hidden unit j \
    gets its share of the error through w_ho[j], so δʰ[j] = δ° · w_ho[j] · a[j] · (1 − a[j])";
const TRANSPOSED: &str = "ΔW_ih is transposed: it is laid out like W_ih, one row per input and \
    one column per hidden unit, so x[i] · δʰ[j] goes at row i, column j (x as a column `.dot` \
    δʰ as a row)";
const SIGN_FLIPPED: &str = "the step points the wrong way: with δ° = (y − ŷ) · ŷ · (1 − ŷ), \
    target minus prediction, the steps are +η · δ° · a and +η · x[i] · δʰ[j]";
const ETA_FORGOTTEN: &str = "η is missing: each step is η times the error term of the unit a \
    weight feeds times the input that weight multiplies";

/// One record and a sigmoid network with one hidden layer and one output: what the learner's
/// `backprop_steps(x, target, w_ih, w_ho, eta)` is given.
struct Record {
    x: Array1<f64>,
    target: f64,
    w_ih: Array2<f64>,
    w_ho: Array1<f64>,
    eta: f64,
}

impl Record {
    fn inputs(&self) -> String {
        format!(
            "x = {:.3}, target = {:.3}, W_ih = {:.3}, w_ho = {:.3}, η = {:.3}",
            self.x, self.target, self.w_ih, self.w_ho, self.eta
        )
    }
}

/// A record drawn from `draw`: 2 or 3 hidden units and 1 or 2 inputs more than that (so a
/// transposed ΔW_ih has the wrong shape), weights that keep the units off the sigmoid's flat
/// tails, a target at least 0.2 away from the prediction (so the steps are not near 0), and
/// η from [`Draw::rate`].
fn record(draw: &mut Draw) -> Record {
    let hidden = draw.size(2, 3);
    let inputs = hidden + draw.size(1, 2);
    let x = draw.vector(inputs, 1.0);
    let w_ih = draw.matrix(inputs, hidden, 0.7);
    let w_ho = draw.vector(hidden, 1.0);
    let y_hat = sigmoid(sigmoid(&x.dot(&w_ih)).dot(&w_ho));
    let target = if y_hat < 0.5 {
        draw.uniform(y_hat + 0.2, 1.0)
    } else {
        draw.uniform(0.0, y_hat - 0.2)
    };
    Record {
        x,
        target,
        w_ih,
        w_ho,
        eta: draw.rate(),
    }
}

/// The library's steps (ΔW_ho, ΔW_ih) for `r`: −η times `Mlp`'s gradients.
fn oracle(r: &Record) -> (Array1<f64>, Array2<f64>) {
    let net = Mlp::from_weights(r.w_ih.clone(), r.w_ho.clone().insert_axis(Axis(1)))
        .expect("a record's shapes agree");
    let (step_ih, step_ho) = net
        .gradients(&r.x, &array![r.target])
        .expect("a record's shapes agree")
        .steps(r.eta);
    (step_ho.column(0).to_owned(), step_ih)
}

/// A slip in the error terms.
#[derive(Clone, Copy, PartialEq)]
enum TermSlip {
    OutputSlopeDropped,
    HiddenSlopeDropped,
    OutputWeightForgotten,
}

/// The steps (ΔW_ho, ΔW_ih) for `r` written out with one slip in the error terms.
fn steps_with(r: &Record, slip: TermSlip) -> (Array1<f64>, Array2<f64>) {
    let a = sigmoid(&r.x.dot(&r.w_ih));
    let y_hat = sigmoid(a.dot(&r.w_ho));
    let delta_o = match slip {
        TermSlip::OutputSlopeDropped => r.target - y_hat,
        _ => (r.target - y_hat) * y_hat * (1.0 - y_hat),
    };
    let back = match slip {
        TermSlip::OutputWeightForgotten => Array1::from_elem(a.len(), delta_o),
        _ => &r.w_ho * delta_o,
    };
    let delta_h = match slip {
        TermSlip::HiddenSlopeDropped => back,
        _ => &back * &a * &(1.0 - &a),
    };
    let column = r.x.view().insert_axis(Axis(1));
    let row = delta_h.view().insert_axis(Axis(0));
    (&a * (r.eta * delta_o), column.dot(&row) * r.eta)
}

/// What each slip gives for ΔW_ho on `r`, beside the right answer `expected`.
fn ho_slips(r: &Record, expected: &Array1<f64>) -> Vec<Slip<Array1<f64>>> {
    vec![
        Slip::new(
            OUTPUT_SLOPE_DROPPED,
            steps_with(r, TermSlip::OutputSlopeDropped).0,
        ),
        Slip::new(SIGN_FLIPPED, -expected),
        Slip::new(ETA_FORGOTTEN, expected / r.eta),
    ]
}

/// What each slip gives for ΔW_ih on `r`, beside the right answer `expected`.
fn ih_slips(r: &Record, expected: &Array2<f64>) -> Vec<Slip<Array2<f64>>> {
    vec![
        Slip::new(
            OUTPUT_SLOPE_DROPPED,
            steps_with(r, TermSlip::OutputSlopeDropped).1,
        ),
        Slip::new(
            HIDDEN_SLOPE_DROPPED,
            steps_with(r, TermSlip::HiddenSlopeDropped).1,
        ),
        Slip::new(
            OUTPUT_WEIGHT_FORGOTTEN,
            steps_with(r, TermSlip::OutputWeightForgotten).1,
        ),
        Slip::new(TRANSPOSED, expected.t().to_owned()),
        Slip::new(SIGN_FLIPPED, -expected),
        Slip::new(ETA_FORGOTTEN, expected / r.eta),
    ]
}

/// The learner's steps on [`UNSEEN_CASES`] records drawn from `seed`, each part beside its
/// right answer and its slips.
type TriedSteps = (Vec<Tried<Array1<f64>>>, Vec<Tried<Array2<f64>>>);

fn tried_steps(
    steps: impl Fn(&Array1<f64>, f64, &Array2<f64>, &Array1<f64>, f64) -> (Array1<f64>, Array2<f64>),
    seed: u64,
) -> TriedSteps {
    let mut draw = Draw::new(seed);
    (0..UNSEEN_CASES)
        .map(|_| {
            let r = record(&mut draw);
            let (expected_ho, expected_ih) = oracle(&r);
            let (actual_ho, actual_ih) = steps(&r.x, r.target, &r.w_ih, &r.w_ho, r.eta);
            (
                Tried {
                    inputs: r.inputs(),
                    actual: actual_ho,
                    slips: ho_slips(&r, &expected_ho),
                    expected: expected_ho,
                },
                Tried {
                    inputs: r.inputs(),
                    actual: actual_ih,
                    slips: ih_slips(&r, &expected_ih),
                    expected: expected_ih,
                },
            )
        })
        .unzip()
}

/// Lesson 6, the exercise's first check, hidden test: tries the learner's
/// `backprop_steps(x, target, w_ih, w_ho, eta)`, which returns (ΔW_ho, ΔW_ih) for one record
/// of a sigmoid network with one hidden layer and one output, on [`UNSEEN_CASES`] records and
/// networks drawn from `seed`, and checks ΔW_ho against the library's backward pass. A wrong
/// answer fails naming its slip: the output's σ′ dropped, a flipped sign, or a forgotten η.
///
/// ```
/// use backprop::prelude::*;
/// fn steps(x: &Array1<f64>, target: f64, w_ih: &Array2<f64>, w_ho: &Array1<f64>, eta: f64)
///     -> (Array1<f64>, Array2<f64>) {
///     let a = sigmoid(&x.dot(w_ih));
///     let y_hat = sigmoid(a.dot(w_ho));
///     let delta_o = (target - y_hat) * y_hat * (1.0 - y_hat);
///     let delta_h = w_ho * delta_o * &a * &(1.0 - &a);
///     let outer = x.view().insert_axis(Axis(1)).dot(&delta_h.view().insert_axis(Axis(0)));
///     (&a * (eta * delta_o), outer * eta)
/// }
/// check_backprop_step_ho_unseen(steps, 1);
/// ```
pub fn check_backprop_step_ho_unseen(
    steps: impl Fn(&Array1<f64>, f64, &Array2<f64>, &Array1<f64>, f64) -> (Array1<f64>, Array2<f64>),
    seed: u64,
) {
    let (ho, _) = tried_steps(steps, seed);
    check_tried("ΔW_ho", &ho, STEP_TOLERANCE, STEP_HO);
}

/// Lesson 6, the exercise's second check, hidden test: tries the learner's
/// `backprop_steps(x, target, w_ih, w_ho, eta)` as [`check_backprop_step_ho_unseen`] does,
/// and checks ΔW_ih. The networks have more inputs than hidden units, so a transposed step
/// has the wrong shape. A wrong answer fails naming its slip: the output's or the hidden
/// units' σ′ dropped, the output weight forgotten in δʰ, the step transposed, a flipped sign,
/// or a forgotten η.
///
/// ```
/// use backprop::prelude::*;
/// fn steps(x: &Array1<f64>, target: f64, w_ih: &Array2<f64>, w_ho: &Array1<f64>, eta: f64)
///     -> (Array1<f64>, Array2<f64>) {
///     let a = sigmoid(&x.dot(w_ih));
///     let y_hat = sigmoid(a.dot(w_ho));
///     let delta_o = (target - y_hat) * y_hat * (1.0 - y_hat);
///     let delta_h = w_ho * delta_o * &a * &(1.0 - &a);
///     let outer = x.view().insert_axis(Axis(1)).dot(&delta_h.view().insert_axis(Axis(0)));
///     (&a * (eta * delta_o), outer * eta)
/// }
/// check_backprop_step_ih_unseen(steps, 1);
/// ```
pub fn check_backprop_step_ih_unseen(
    steps: impl Fn(&Array1<f64>, f64, &Array2<f64>, &Array1<f64>, f64) -> (Array1<f64>, Array2<f64>),
    seed: u64,
) {
    let (_, ih) = tried_steps(steps, seed);
    check_tried("ΔW_ih", &ih, STEP_TOLERANCE, STEP_IH);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_hint, failure_message};

    /// One way of writing the lesson's answer, correct unless it makes a slip.
    #[derive(Clone, Copy, PartialEq)]
    enum Answer {
        Correct,
        WithoutOutputSlope,
        WithoutHiddenSlope,
        WithoutOutputWeight,
        TransposedHiddenStep,
        WithFlippedSign,
        WithoutEta,
    }

    type Steps = (Array1<f64>, Array2<f64>);

    /// The lesson's solution, with `answer`'s slip applied to it.
    fn answer(
        answer: Answer,
    ) -> impl Fn(&Array1<f64>, f64, &Array2<f64>, &Array1<f64>, f64) -> Steps {
        use Answer::*;
        move |x, target, w_ih, w_ho, eta| {
            let hidden_out = sigmoid(&x.dot(w_ih));
            let output = sigmoid(hidden_out.dot(w_ho));
            let error = if answer == WithFlippedSign {
                output - target
            } else {
                target - output
            };
            let delta_o = if answer == WithoutOutputSlope {
                error
            } else {
                error * output * (1.0 - output)
            };
            let weights = if answer == WithoutOutputWeight {
                Array1::ones(w_ho.len())
            } else {
                w_ho.clone()
            };
            let delta_h = if answer == WithoutHiddenSlope {
                weights * delta_o
            } else {
                weights * delta_o * &hidden_out * (1.0 - &hidden_out)
            };
            let eta = if answer == WithoutEta { 1.0 } else { eta };
            let delta_w_ho = &hidden_out * (eta * delta_o);
            let column = x.view().insert_axis(Axis(1));
            let row = delta_h.view().insert_axis(Axis(0));
            let delta_w_ih = if answer == TransposedHiddenStep {
                row.t().dot(&column.t()) * eta
            } else {
                column.dot(&row) * eta
            };
            (delta_w_ho, delta_w_ih)
        }
    }

    fn ho_failure(slip: Answer) -> String {
        failure_message(|| check_backprop_step_ho_unseen(answer(slip), 2024))
    }

    fn ih_failure(slip: Answer) -> String {
        failure_message(|| check_backprop_step_ih_unseen(answer(slip), 2024))
    }

    #[test]
    fn both_checks_pass_the_lessons_solution_on_many_seeds() {
        for seed in 0..50 {
            check_backprop_step_ho_unseen(answer(Answer::Correct), seed);
            check_backprop_step_ih_unseen(answer(Answer::Correct), seed);
        }
    }

    #[test]
    fn both_checks_fail_the_worked_examples_answer_typed_in() {
        let typed_in = |_: &Array1<f64>, _: f64, _: &Array2<f64>, _: &Array1<f64>, _: f64| {
            (
                array![0.00804047, 0.00555918],
                array![
                    [1.77005547e-04, -5.11178506e-04],
                    [3.54011093e-05, -1.02235701e-04],
                    [-7.08022187e-05, 2.04471402e-04]
                ],
            )
        };
        let msg = failure_message(|| check_backprop_step_ho_unseen(typed_in, 2024));
        assert!(
            msg.starts_with("✗ ΔW_ho, unseen case 1 of 3: x = ["),
            "{msg}"
        );
        assert_hint(&msg, STEP_HO);
        let msg = failure_message(|| check_backprop_step_ih_unseen(typed_in, 2024));
        assert!(
            msg.starts_with("✗ ΔW_ih, unseen case 1 of 3: x = ["),
            "{msg}"
        );
        assert_hint(&msg, STEP_IH);
    }

    #[test]
    fn the_output_step_check_names_each_slip_that_changes_the_output_step() {
        assert_hint(
            &ho_failure(Answer::WithoutOutputSlope),
            OUTPUT_SLOPE_DROPPED,
        );
        assert_hint(&ho_failure(Answer::WithFlippedSign), SIGN_FLIPPED);
        assert_hint(&ho_failure(Answer::WithoutEta), ETA_FORGOTTEN);
    }

    #[test]
    fn the_output_step_check_passes_slips_that_only_change_the_hidden_step() {
        for slip in [
            Answer::WithoutHiddenSlope,
            Answer::WithoutOutputWeight,
            Answer::TransposedHiddenStep,
        ] {
            check_backprop_step_ho_unseen(answer(slip), 2024);
        }
    }

    #[test]
    fn the_hidden_step_check_names_each_slip() {
        assert_hint(
            &ih_failure(Answer::WithoutOutputSlope),
            OUTPUT_SLOPE_DROPPED,
        );
        assert_hint(
            &ih_failure(Answer::WithoutHiddenSlope),
            HIDDEN_SLOPE_DROPPED,
        );
        assert_hint(
            &ih_failure(Answer::WithoutOutputWeight),
            OUTPUT_WEIGHT_FORGOTTEN,
        );
        assert_hint(&ih_failure(Answer::TransposedHiddenStep), TRANSPOSED);
        assert_hint(&ih_failure(Answer::WithFlippedSign), SIGN_FLIPPED);
        assert_hint(&ih_failure(Answer::WithoutEta), ETA_FORGOTTEN);
    }

    #[test]
    fn drawn_records_have_more_inputs_than_hidden_units_and_a_target_away_from_the_prediction() {
        let mut draw = Draw::new(3);
        for _ in 0..200 {
            let r = record(&mut draw);
            assert!(r.w_ih.nrows() > r.w_ih.ncols(), "{:?}", r.w_ih.dim());
            let y_hat = sigmoid(sigmoid(&r.x.dot(&r.w_ih)).dot(&r.w_ho));
            assert!((r.target - y_hat).abs() >= 0.2, "{} {y_hat}", r.target);
            assert!((0.0..=1.0).contains(&r.target), "{}", r.target);
        }
    }

    /// Whether two answers differ by far more than the check's tolerance.
    fn far<D: ndarray::Dimension>(a: &ndarray::Array<f64, D>, b: &ndarray::Array<f64, D>) -> bool {
        a.shape() != b.shape() || a.iter().zip(b).any(|(a, b)| (a - b).abs() > 1e-6)
    }

    #[test]
    fn no_two_slips_give_the_same_wrong_answer() {
        let mut draw = Draw::new(8);
        for _ in 0..300 {
            let r = record(&mut draw);
            let (ho, ih) = oracle(&r);
            let ho_slips = ho_slips(&r, &ho);
            for (k, a) in ho_slips.iter().enumerate() {
                assert!(far(&a.gives, &ho), "ΔW_ho: {}", a.hint);
                for b in &ho_slips[k + 1..] {
                    assert!(far(&a.gives, &b.gives), "{} / {}", a.hint, b.hint);
                }
            }
            let ih_slips = ih_slips(&r, &ih);
            for (k, a) in ih_slips.iter().enumerate() {
                assert!(far(&a.gives, &ih), "ΔW_ih: {}", a.hint);
                for b in &ih_slips[k + 1..] {
                    assert!(far(&a.gives, &b.gives), "{} / {}", a.hint, b.hint);
                }
            }
        }
    }

    #[test]
    fn the_library_agrees_with_the_lessons_worked_exercise() {
        let r = Record {
            x: array![0.5, 0.1, -0.2],
            target: 0.6,
            w_ih: array![[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]],
            w_ho: array![0.1, -0.3],
            eta: 0.5,
        };
        let (ho, ih) = oracle(&r);
        assert!(
            (ho - array![0.00804047, 0.00555918])
                .iter()
                .all(|d| d.abs() < 1e-8)
        );
        assert!((ih[[0, 1]] - -5.11178506e-04).abs() < 1e-12, "{ih}");
    }
}
