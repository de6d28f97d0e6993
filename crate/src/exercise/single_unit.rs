//! Lesson 3 (the single unit): exercise 1, the sigmoid's slope by hand
//! ([`check_sigmoid_slope_unseen`]); exercise 2, one step of a sigmoid unit by hand
//! ([`check_step_by_hand_unseen`]).

use super::{Draw, Slip, Tried, UNSEEN_CASES, all_apart, answers, check_tried};
use crate::activation::{sigmoid, sigmoid_prime};
use crate::check::TOLERANCE;
use crate::unit::{UnitStep, unit_step};
use ndarray::Array1;

const SLOPE: &str = "σ′(h) = σ(h)·(1 − σ(h)): multiply the output by one minus itself";
const SLOPE_OF_H: &str = "this is h·(1 − h): the formula takes the output s = σ(h), not h, \
    and gives s·(1 − s)";
const SLOPE_MIXED: &str = "one factor has h where σ(h) belongs: σ′(h) = σ(h)·(1 − σ(h))";
const SLOPE_OUTPUT: &str = "this is σ(h), the output itself: multiply it by 1 − σ(h)";
const SLOPE_ONE_MINUS: &str = "this is 1 − σ(h) alone: multiply it by σ(h)";

fn slope_slips(h: f64) -> Vec<Slip<f64>> {
    let s = sigmoid(h);
    vec![
        Slip::new(SLOPE_OF_H, h * (1.0 - h)),
        Slip::new(SLOPE_MIXED, s * (1.0 - h)),
        Slip::new(SLOPE_MIXED, h * (1.0 - s)),
        Slip::new(SLOPE_OUTPUT, s),
        Slip::new(SLOPE_ONE_MINUS, 1.0 - s),
    ]
}

/// A sum h from [−3, 3), drawn again until the slope and every slip's answer differ.
fn slope_input(draw: &mut Draw) -> f64 {
    loop {
        let h = draw.uniform(-3.0, 3.0);
        if all_apart(&answers(&sigmoid_prime(h), &slope_slips(h)), 1e-3) {
            return h;
        }
    }
}

/// Lesson 3, exercise 1, hidden test: tries the learner's `sigmoid_slope(h)`, σ′(h) computed
/// from `sigmoid`, on [`UNSEEN_CASES`] sums h drawn from `seed` in [−3, 3). A wrong answer
/// fails naming its slip: h(1 − h), h for σ(h) in one of the factors, σ(h) alone or
/// 1 − σ(h) alone.
///
/// ```
/// use backprop::prelude::*;
/// fn sigmoid_slope(h: f64) -> f64 {
///     let s = sigmoid(h);
///     s * (1.0 - s)
/// }
/// check_sigmoid_slope_unseen(sigmoid_slope, 12);
/// ```
pub fn check_sigmoid_slope_unseen(slope: impl Fn(f64) -> f64, seed: u64) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<f64>> = (0..UNSEEN_CASES)
        .map(|_| {
            let h = slope_input(&mut draw);
            Tried {
                inputs: format!("h = {h:.3}"),
                actual: slope(h),
                expected: sigmoid_prime(h),
                slips: slope_slips(h),
            }
        })
        .collect();
    check_tried("σ′(h)", &tried, TOLERANCE, SLOPE);
}

const OUTPUT: &str = "ŷ = σ(h), with h = w·x";
const OUTPUT_NO_SIGMOID: &str = "this is h = w·x, the unit's input: its output is σ(h)";
const ERROR: &str = "the error is y − ŷ (target minus output)";
const ERROR_SIGN: &str = "this is ŷ − y: the error is y − ŷ, target minus output";
const ERROR_LOSS: &str = "this is a squared error, a loss: the error is y − ŷ itself";
const DELTA_W: &str = "Δw = η·δ·x with δ = (y − ŷ)·σ′(h); σ′ takes h, not ŷ";
const DELTA_W_SLOPE_OF_OUTPUT: &str = "σ′ was taken at ŷ: it takes the unit's input h, \
    δ = (y − ŷ)·σ′(h) (or, from the output, (y − ŷ)·ŷ·(1 − ŷ))";
const DELTA_W_SIGN: &str = "the step points the wrong way: δ = (y − ŷ)·σ′(h), target minus \
    output, and Δw = +η·δ·x";
const DELTA_W_ETA: &str = "η is missing: Δw = η·δ·x";
const DELTA_W_NO_SLOPE: &str = "the sigmoid's slope is missing: δ = (y − ŷ)·σ′(h), not y − ŷ";
const DELTA_W_NEW_WEIGHTS: &str = "this is w + Δw, the new weights: Δw is the step itself, \
    η·δ·x";
const DELTA_W_TWO: &str = "a factor 2 too many: with L = ½(y − ŷ)² the ½ cancels the 2 of \
    the square";
const DELTA_W_WEIGHTS: &str = "the step used the weights where the inputs belong: \
    ∂h/∂wᵢ = xᵢ, so Δw = η·δ·x";

/// One drawn record for a step: inputs, target in (0, 1), weights and learning rate.
struct UnitCase {
    x: Array1<f64>,
    y: f64,
    w: Array1<f64>,
    eta: f64,
}

/// What the step should give, and each part's slips.
struct Expected {
    step: UnitStep,
    output_slips: Vec<Slip<f64>>,
    error_slips: Vec<Slip<f64>>,
    delta_w_slips: Vec<Slip<Array1<f64>>>,
}

impl UnitCase {
    fn expected(&self) -> Expected {
        let step = unit_step(&self.x, self.y, &self.w, self.eta).unwrap_or_else(|e| panic!("{e}"));
        let (h, y_hat, error, delta) = (step.h, step.y_hat, step.error, step.delta);
        let (x, eta) = (&self.x, self.eta);
        let output_slips = vec![Slip::new(OUTPUT_NO_SIGMOID, h)];
        let error_slips = vec![
            Slip::new(ERROR_SIGN, -error),
            Slip::new(ERROR_LOSS, 0.5 * error * error),
            Slip::new(ERROR_LOSS, error * error),
        ];
        let delta_w_slips = vec![
            Slip::new(
                DELTA_W_SLOPE_OF_OUTPUT,
                x * (eta * error * sigmoid_prime(y_hat)),
            ),
            Slip::new(DELTA_W_SIGN, &step.delta_w * -1.0),
            Slip::new(DELTA_W_ETA, x * delta),
            Slip::new(DELTA_W_NO_SLOPE, x * (eta * error)),
            Slip::new(DELTA_W_NEW_WEIGHTS, &self.w + &step.delta_w),
            Slip::new(DELTA_W_TWO, &step.delta_w * 2.0),
            Slip::new(DELTA_W_WEIGHTS, &self.w * (eta * delta)),
        ];
        Expected {
            step,
            output_slips,
            error_slips,
            delta_w_slips,
        }
    }
}

/// A record with 2 to 5 inputs, a target from [0.05, 0.95), weights, and a learning rate
/// from [`Draw::rate`]; drawn again until the error is at least 0.1 in size and, part by
/// part, the right answer and every slip's differ.
fn unit_case(draw: &mut Draw) -> UnitCase {
    loop {
        let n = draw.size(2, 5);
        let case = UnitCase {
            x: draw.vector(n, 1.0),
            y: draw.uniform(0.05, 0.95),
            w: draw.vector(n, 0.5),
            eta: draw.rate(),
        };
        let e = case.expected();
        if e.step.error.abs() >= 0.1
            && all_apart(&answers(&e.step.y_hat, &e.output_slips), 1e-3)
            && all_apart(&answers(&e.step.error, &e.error_slips), 1e-3)
            && all_apart(&answers(&e.step.delta_w, &e.delta_w_slips), 1e-3)
        {
            return case;
        }
    }
}

/// Lesson 3, exercise 2, hidden test: tries the learner's `step_by_hand(x, y, w, eta)`,
/// which returns a sigmoid unit's output ŷ = σ(w·x), its error y − ŷ and its weight step
/// Δw = η·(y − ŷ)·σ′(h)·x, on [`UNSEEN_CASES`] records of 2 to 5 inputs drawn from `seed`,
/// each with its own learning rate. Each of the three is checked (one `✓` line each). A
/// wrong answer fails naming its slip: h for the output; ŷ − y or a squared error for the
/// error; σ′ taken at ŷ, the sign flipped, η forgotten, the slope left out, the new weights
/// for the step, a factor 2 or the weights for the inputs in Δw.
///
/// ```
/// use backprop::prelude::*;
/// fn step_by_hand(x: &Array1<f64>, y: f64, w: &Array1<f64>, eta: f64) -> (f64, f64, Array1<f64>) {
///     let h = x.dot(w);
///     let output = sigmoid(h);
///     let error = y - output;
///     (output, error, x * (eta * error * sigmoid_prime(h)))
/// }
/// check_step_by_hand_unseen(step_by_hand, 12);
/// ```
pub fn check_step_by_hand_unseen(
    step_by_hand: impl Fn(&Array1<f64>, f64, &Array1<f64>, f64) -> (f64, f64, Array1<f64>),
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let mut outputs = Vec::new();
    let mut errors = Vec::new();
    let mut delta_ws = Vec::new();
    for _ in 0..UNSEEN_CASES {
        let case = unit_case(&mut draw);
        let inputs = format!(
            "x = {:.3}, y = {:.3}, w = {:.3}, η = {:.3}",
            case.x, case.y, case.w, case.eta
        );
        let (output, error, delta_w) = step_by_hand(&case.x, case.y, &case.w, case.eta);
        let e = case.expected();
        outputs.push(Tried {
            inputs: inputs.clone(),
            actual: output,
            expected: e.step.y_hat,
            slips: e.output_slips,
        });
        errors.push(Tried {
            inputs: inputs.clone(),
            actual: error,
            expected: e.step.error,
            slips: e.error_slips,
        });
        delta_ws.push(Tried {
            inputs,
            actual: delta_w,
            expected: e.step.delta_w,
            slips: e.delta_w_slips,
        });
    }
    check_tried("output", &outputs, TOLERANCE, OUTPUT);
    check_tried("error", &errors, TOLERANCE, ERROR);
    check_tried("Δw", &delta_ws, TOLERANCE, DELTA_W);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_hint, check, failure_message};
    use ndarray::array;

    /// What `step_by_hand` returns: the output, the error and Δw.
    type Answer = (f64, f64, Array1<f64>);
    type StepFn = fn(&Array1<f64>, f64, &Array1<f64>, f64) -> Answer;
    /// Δw from x, w, h, ŷ, the error and η.
    type DeltaW = fn(&Array1<f64>, &Array1<f64>, f64, f64, f64, f64) -> Array1<f64>;

    fn sigmoid_slope(h: f64) -> f64 {
        let s = sigmoid(h);
        s * (1.0 - s)
    }

    fn step_by_hand(x: &Array1<f64>, y: f64, w: &Array1<f64>, eta: f64) -> (f64, f64, Array1<f64>) {
        let h = x.dot(w);
        let output = sigmoid(h);
        let error = y - output;
        let delta = error * sigmoid_prime(h);
        (output, error, x * (eta * delta))
    }

    fn assert_slope_fails_with(answer: fn(f64) -> f64, hint: &str) {
        let msg = failure_message(|| check_sigmoid_slope_unseen(answer, 2024));
        assert_hint(&msg, hint);
    }

    fn assert_step_fails_with(
        answer: impl Fn(&Array1<f64>, f64, &Array1<f64>, f64) -> Answer,
        part: &str,
        hint: &str,
    ) {
        let msg = failure_message(|| check_step_by_hand_unseen(answer, 2024));
        assert!(
            msg.starts_with(&format!("✗ {part}, unseen case 1 of 3: x = [")),
            "{msg}"
        );
        assert_hint(&msg, hint);
    }

    /// The solution with one part of its answer changed by `slip`, given the step's values.
    fn with_delta_w(slip: DeltaW) -> impl Fn(&Array1<f64>, f64, &Array1<f64>, f64) -> Answer {
        move |x, y, w, eta| {
            let h = x.dot(w);
            let output = sigmoid(h);
            let error = y - output;
            (output, error, slip(x, w, h, output, error, eta))
        }
    }

    #[test]
    fn the_solutions_give_the_lessons_worked_examples() {
        check("σ′(0.7)", &sigmoid_slope(0.7), &sigmoid_prime(0.7), "");
        let x = array![1.0, 2.0, 3.0, 4.0];
        let (output, error, delta_w) = step_by_hand(&x, 0.5, &array![0.5, -0.5, 0.3, 0.1], 0.5);
        check("output", &output, &0.689974481128, "");
        check("error", &error, &-0.189974481128, "");
        let lesson = array![-0.02031869, -0.04063738, -0.06095608, -0.08127477];
        check("Δw", &delta_w, &lesson, "");
    }

    #[test]
    fn the_checks_pass_the_lessons_solutions_on_many_seeds() {
        for seed in 0..50 {
            check_sigmoid_slope_unseen(sigmoid_slope, seed);
            check_step_by_hand_unseen(step_by_hand, seed);
        }
    }

    #[test]
    fn the_checks_fail_the_worked_examples_answers_typed_in() {
        let msg = failure_message(|| check_sigmoid_slope_unseen(|_| sigmoid_prime(0.7), 2024));
        assert!(
            msg.starts_with("✗ σ′(h), unseen case 1 of 3: h = "),
            "{msg}"
        );
        assert_hint(&msg, SLOPE);
        let typed_in: StepFn = |_, _, _, _| {
            (
                0.689974481128,
                -0.189974481128,
                array![-0.02031869, -0.04063738, -0.06095608, -0.08127477],
            )
        };
        assert_step_fails_with(typed_in, "output", OUTPUT);
    }

    #[test]
    fn the_slope_check_names_each_slip() {
        assert_slope_fails_with(|h| h * (1.0 - h), SLOPE_OF_H);
        assert_slope_fails_with(|h| sigmoid(h) * (1.0 - h), SLOPE_MIXED);
        assert_slope_fails_with(|h| h * (1.0 - sigmoid(h)), SLOPE_MIXED);
        assert_slope_fails_with(sigmoid, SLOPE_OUTPUT);
        assert_slope_fails_with(|h| 1.0 - sigmoid(h), SLOPE_ONE_MINUS);
    }

    #[test]
    fn the_step_check_names_each_slip_of_the_output_and_the_error() {
        assert_step_fails_with(
            |x, y, w, eta| {
                let (_, error, delta_w) = step_by_hand(x, y, w, eta);
                (x.dot(w), error, delta_w)
            },
            "output",
            OUTPUT_NO_SIGMOID,
        );
        assert_step_fails_with(
            |x, y, w, eta| {
                let (output, error, delta_w) = step_by_hand(x, y, w, eta);
                (output, -error, delta_w)
            },
            "error",
            ERROR_SIGN,
        );
        assert_step_fails_with(
            |x, y, w, eta| {
                let (output, error, delta_w) = step_by_hand(x, y, w, eta);
                (output, 0.5 * error * error, delta_w)
            },
            "error",
            ERROR_LOSS,
        );
        assert_step_fails_with(
            |x, y, w, eta| {
                let (output, error, delta_w) = step_by_hand(x, y, w, eta);
                (output, error * error, delta_w)
            },
            "error",
            ERROR_LOSS,
        );
    }

    #[test]
    fn the_step_check_names_each_slip_of_the_weight_step() {
        let fails = |slip, hint| assert_step_fails_with(with_delta_w(slip), "Δw", hint);
        fails(
            |x, _, _, y_hat, e, eta| x * (eta * e * sigmoid_prime(y_hat)),
            DELTA_W_SLOPE_OF_OUTPUT,
        );
        fails(
            |x, _, h, _, e, eta| x * (-eta * e * sigmoid_prime(h)),
            DELTA_W_SIGN,
        );
        fails(|x, _, h, _, e, _| x * (e * sigmoid_prime(h)), DELTA_W_ETA);
        fails(|x, _, _, _, e, eta| x * (eta * e), DELTA_W_NO_SLOPE);
        fails(
            |x, w, h, _, e, eta| w + &(x * (eta * e * sigmoid_prime(h))),
            DELTA_W_NEW_WEIGHTS,
        );
        fails(
            |x, _, h, _, e, eta| x * (2.0 * eta * e * sigmoid_prime(h)),
            DELTA_W_TWO,
        );
        fails(
            |_, w, h, _, e, eta| w * (eta * e * sigmoid_prime(h)),
            DELTA_W_WEIGHTS,
        );
        // The slope from the output, ŷ·(1 − ŷ), is σ′(h) itself and passes.
        check_step_by_hand_unseen(
            with_delta_w(|x, _, _, y_hat, e, eta| x * (eta * e * y_hat * (1.0 - y_hat))),
            2024,
        );
    }

    #[test]
    fn no_two_slips_give_the_same_answer_on_any_drawn_case() {
        let mut draw = Draw::new(99);
        for _ in 0..200 {
            let h = slope_input(&mut draw);
            assert!(all_apart(
                &answers(&sigmoid_prime(h), &slope_slips(h)),
                1e-3
            ));
            let e = unit_case(&mut draw).expected();
            assert!(all_apart(&answers(&e.step.y_hat, &e.output_slips), 1e-3));
            assert!(all_apart(&answers(&e.step.error, &e.error_slips), 1e-3));
            assert!(all_apart(&answers(&e.step.delta_w, &e.delta_w_slips), 1e-3));
        }
    }
}
