//! Lesson 2 (gradient descent): exercise 1, one step by hand ([`check_linear_gradient_unseen`],
//! [`check_linear_step_unseen`]); exercise 2, the limit on the learning rate
//! ([`check_eta_max_unseen`]).
//!
//! The model is the lesson's: ŷ = x · w on one record with target y and loss L = (ŷ − y)².

use super::{Draw, Slip, Tried, UNSEEN_CASES, all_apart, check_tried};
use crate::check::TOLERANCE;
use crate::loss::Loss;
use ndarray::{Array1, array};

const GRADIENT: &str = "∂L/∂wᵢ = 2·(ŷ − y)·xᵢ, with ŷ = x·w: one entry per weight";
const GRADIENT_HALF: &str = "this is (ŷ − y)·x, the gradient of ½(ŷ − y)²: the loss here is \
    (ŷ − y)², and the square brings down a factor 2";
const GRADIENT_SIGN: &str = "the gradient points the wrong way: it is 2·(ŷ − y)·x, prediction \
    minus target; with (y − ŷ) its sign flips";
const GRADIENT_SIGN_HALF: &str = "this is (y − ŷ)·x: the gradient of (ŷ − y)² is 2·(ŷ − y)·x, \
    with a factor 2 and prediction minus target";
const GRADIENT_WEIGHTS: &str = "the error was multiplied by the weights: ∂ŷ/∂wᵢ = xᵢ, so each \
    entry is 2·(ŷ − y)·xᵢ";
const GRADIENT_NO_INPUT: &str = "every entry is 2·(ŷ − y): the chain rule multiplies it by \
    ∂ŷ/∂wᵢ = xᵢ, each weight's own input";

/// One drawn record: inputs, target, weights and learning rate.
struct Record {
    x: Array1<f64>,
    y: f64,
    w: Array1<f64>,
    eta: f64,
}

impl Record {
    fn inputs(&self) -> String {
        format!(
            "x = {:.3}, y = {:.3}, w = {:.3}, η = {:.3}",
            self.x, self.y, self.w, self.eta
        )
    }

    /// The error ŷ − y.
    fn miss(&self) -> f64 {
        self.x.dot(&self.w) - self.y
    }

    /// The library's gradient of (ŷ − y)² with respect to w: ∂L/∂ŷ (SSE on one record) times
    /// ∂ŷ/∂w = x.
    fn gradient(&self) -> Array1<f64> {
        let y_hat = self.x.dot(&self.w);
        let dl_dy_hat = Loss::Sse
            .grad(&array![self.y], &array![y_hat])
            .map_or(f64::NAN, |g| g[0]);
        &self.x * dl_dy_hat
    }

    /// The weights after one step, w − η·∇L.
    fn step(&self) -> Array1<f64> {
        &self.w - &(self.gradient() * self.eta)
    }

    fn gradient_slips(&self) -> Vec<Slip<Array1<f64>>> {
        let e = self.miss();
        vec![
            Slip::new(GRADIENT_HALF, &self.x * e),
            Slip::new(GRADIENT_SIGN, &self.x * (-2.0 * e)),
            Slip::new(GRADIENT_SIGN_HALF, &self.x * -e),
            Slip::new(GRADIENT_WEIGHTS, &self.w * (2.0 * e)),
            Slip::new(GRADIENT_NO_INPUT, Array1::from_elem(self.x.len(), 2.0 * e)),
        ]
    }

    fn step_slips(&self) -> Vec<Slip<Array1<f64>>> {
        let (e, eta, g) = (self.miss(), self.eta, self.gradient());
        vec![
            Slip::new(STEP_ETA, &self.w - &g),
            Slip::new(STEP_UPHILL, &self.w + &(&g * eta)),
            Slip::new(STEP_HALF, &self.w - &(&self.x * (eta * e))),
            Slip::new(STEP_HALF, &self.w + &(&self.x * (eta * e))),
            Slip::new(STEP_GRADIENT, g.clone()),
            Slip::new(STEP_CHANGE, &g * -eta),
            Slip::new(STEP_CHANGE, &g * eta),
            Slip::new(STEP_WEIGHTS, &self.w - &(&self.w * (2.0 * eta * e))),
        ]
    }
}

/// A record with 2 to 4 inputs, weights, an error ŷ − y of size 0.5 to 3 of either sign, and
/// a learning rate from [`Draw::rate`]; drawn again until the right gradient, the right
/// step and every slip's answer all differ.
fn record(draw: &mut Draw) -> Record {
    loop {
        let n = draw.size(2, 4);
        let x = draw.vector(n, 1.5);
        let w = draw.vector(n, 1.0);
        let sign = if draw.uniform(0.0, 1.0) < 0.5 {
            -1.0
        } else {
            1.0
        };
        let miss = sign * draw.uniform(0.5, 3.0);
        let y = x.dot(&w) - miss;
        let r = Record {
            x,
            y,
            w,
            eta: draw.rate(),
        };
        let (gradient, step) = (r.gradient(), r.step());
        let (g_slips, s_slips) = (r.gradient_slips(), r.step_slips());
        let mut gradients = vec![&gradient];
        gradients.extend(g_slips.iter().map(|s| &s.gives));
        let mut steps = vec![&step];
        steps.extend(s_slips.iter().map(|s| &s.gives));
        if all_apart(&gradients, 1e-3) && all_apart(&steps, 1e-3) {
            return r;
        }
    }
}

/// Lesson 2, exercise 1, hidden test: tries the learner's `gradient(x, y, w)`, the gradient
/// of L = (ŷ − y)² for ŷ = x · w on one record, on [`UNSEEN_CASES`] records of 2 to 4 inputs
/// drawn from `seed`. A wrong answer fails naming its slip: the factor 2 missing (the ½
/// convention), the sign flipped (y − ŷ for ŷ − y), both at once, the weights for the inputs,
/// or the inputs left out.
///
/// ```
/// use backprop::prelude::*;
/// fn gradient(x: &Array1<f64>, y: f64, w: &Array1<f64>) -> Array1<f64> {
///     x * (2.0 * (x.dot(w) - y))
/// }
/// check_linear_gradient_unseen(gradient, 12);
/// ```
pub fn check_linear_gradient_unseen(
    gradient: impl Fn(&Array1<f64>, f64, &Array1<f64>) -> Array1<f64>,
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<Array1<f64>>> = (0..UNSEEN_CASES)
        .map(|_| {
            let r = record(&mut draw);
            Tried {
                inputs: format!("x = {:.3}, y = {:.3}, w = {:.3}", r.x, r.y, r.w),
                actual: gradient(&r.x, r.y, &r.w),
                expected: r.gradient(),
                slips: r.gradient_slips(),
            }
        })
        .collect();
    check_tried("gradient", &tried, TOLERANCE, GRADIENT);
}

const STEP: &str = "the new weights are w − η·∇L, with ∇L = 2·(ŷ − y)·x";
const STEP_ETA: &str = "η is missing: the weights move by η times the gradient, w − η·∇L";
const STEP_UPHILL: &str = "the step went uphill: the gradient points up the slope, so \
    subtract η·∇L from w";
const STEP_HALF: &str = "the step used (ŷ − y)·x, the gradient of ½(ŷ − y)²: for the loss \
    (ŷ − y)² it is 2·(ŷ − y)·x";
const STEP_GRADIENT: &str = "this is the gradient, not the new weights: return w − η·∇L";
const STEP_CHANGE: &str = "this is the change of the weights, not the new weights: add \
    −η·∇L to w";
const STEP_WEIGHTS: &str = "the step used the weights where the inputs belong: ∂ŷ/∂wᵢ = xᵢ, \
    so ∇L = 2·(ŷ − y)·x";

/// Lesson 2, exercise 1, hidden test: tries the learner's `step(x, y, w, eta)`, the weights
/// after one gradient-descent step on L = (ŷ − y)² for ŷ = x · w, on [`UNSEEN_CASES`]
/// records drawn from `seed`, each with its own learning rate. A wrong answer fails naming
/// its slip: η forgotten, the step taken uphill, the gradient without its factor 2, the
/// gradient or the change returned for the new weights, or the weights for the inputs.
///
/// ```
/// use backprop::prelude::*;
/// fn step(x: &Array1<f64>, y: f64, w: &Array1<f64>, eta: f64) -> Array1<f64> {
///     w - &(x * (2.0 * (x.dot(w) - y) * eta))
/// }
/// check_linear_step_unseen(step, 12);
/// ```
pub fn check_linear_step_unseen(
    step: impl Fn(&Array1<f64>, f64, &Array1<f64>, f64) -> Array1<f64>,
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<Array1<f64>>> = (0..UNSEEN_CASES)
        .map(|_| {
            let r = record(&mut draw);
            Tried {
                inputs: r.inputs(),
                actual: step(&r.x, r.y, &r.w, r.eta),
                expected: r.step(),
                slips: r.step_slips(),
            }
        })
        .collect();
    check_tried("weights after one step", &tried, TOLERANCE, STEP);
}

const ETA_MAX: &str = "each step multiplies the error by 1 − 2η‖x‖², with ‖x‖² = x·x; find \
    the η at which that factor reaches −1";
const ETA_MAX_HALF_LOSS: &str = "this is the limit for the loss ½(ŷ − y)², whose steps \
    multiply the error by 1 − η‖x‖²: for (ŷ − y)² the factor is 1 − 2η‖x‖²";
const ETA_MAX_LANDS: &str = "this is where the factor 1 − 2η‖x‖² is 0 and one step lands on \
    the answer: past it the error still shrinks (flipping sign each step) until the factor \
    reaches −1";
const ETA_MAX_NORM: &str = "‖x‖² is x·x, the sum of the squared inputs; this used \
    ‖x‖ = √(x·x)";
const ETA_MAX_SUM_SQUARED: &str = "this used the square of the inputs' sum, (Σxᵢ)²: ‖x‖² is \
    the sum of their squares, x·x";

/// The limit on the learning rate for inputs `x` (the η at which a step multiplies the error
/// by −1), and what each slip gives.
fn eta_max_and_slips(x: &Array1<f64>) -> (f64, Vec<Slip<f64>>) {
    let squares = x.dot(x);
    let norm = squares.sqrt();
    let slips = vec![
        Slip::new(ETA_MAX_HALF_LOSS, 2.0 / squares),
        Slip::new(ETA_MAX_LANDS, 0.5 / squares),
        Slip::new(ETA_MAX_NORM, 1.0 / norm),
        Slip::new(ETA_MAX_NORM, 2.0 / norm),
        Slip::new(ETA_MAX_NORM, 0.5 / norm),
        Slip::new(ETA_MAX_SUM_SQUARED, 1.0 / x.sum().powi(2)),
    ];
    // A step multiplies ŷ − y by 1 − η·c·‖x‖², where c = 2 is the loss's ∂L/∂ŷ per unit of
    // error ŷ − y; the factor reaches −1 at η = 2 / (c·‖x‖²).
    let c = Loss::Sse
        .grad(&array![0.0], &array![1.0])
        .map_or(f64::NAN, |g| g[0]);
    (2.0 / (c * squares), slips)
}

/// Inputs with 2 to 4 entries, drawn again until the right answer and every slip's differ.
fn eta_inputs(draw: &mut Draw) -> Array1<f64> {
    loop {
        let n = draw.size(2, 4);
        let x = draw.vector(n, 1.5);
        let (expected, slips) = eta_max_and_slips(&x);
        let mut answers = vec![&expected];
        answers.extend(slips.iter().map(|s| &s.gives));
        if all_apart(&answers, 1e-3) {
            return x;
        }
    }
}

/// Lesson 2, exercise 2, hidden test: tries the learner's `eta_max(x)`, the learning rate at
/// which a step on L = (ŷ − y)² for ŷ = x · w stops shrinking the error (1 / x·x), on
/// [`UNSEEN_CASES`] input vectors drawn from `seed`. A wrong answer fails naming its slip:
/// the limit of the ½ convention (2 / x·x), the rate that lands in one step (1 / 2x·x), ‖x‖
/// not squared, or the inputs summed before squaring.
///
/// ```
/// use backprop::prelude::*;
/// fn eta_max(x: &Array1<f64>) -> f64 {
///     1.0 / x.dot(x)
/// }
/// check_eta_max_unseen(eta_max, 12);
/// ```
pub fn check_eta_max_unseen(eta_max: impl Fn(&Array1<f64>) -> f64, seed: u64) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<f64>> = (0..UNSEEN_CASES)
        .map(|_| {
            let x = eta_inputs(&mut draw);
            let (expected, slips) = eta_max_and_slips(&x);
            Tried {
                inputs: format!("x = {x:.3}"),
                actual: eta_max(&x),
                expected,
                slips,
            }
        })
        .collect();
    check_tried("learning-rate limit", &tried, TOLERANCE, ETA_MAX);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_hint, check, failure_message};

    type GradientFn = fn(&Array1<f64>, f64, &Array1<f64>) -> Array1<f64>;
    type StepFn = fn(&Array1<f64>, f64, &Array1<f64>, f64) -> Array1<f64>;

    fn gradient(x: &Array1<f64>, y: f64, w: &Array1<f64>) -> Array1<f64> {
        x * (2.0 * (x.dot(w) - y))
    }

    fn step(x: &Array1<f64>, y: f64, w: &Array1<f64>, eta: f64) -> Array1<f64> {
        w - &(gradient(x, y, w) * eta)
    }

    fn eta_max(x: &Array1<f64>) -> f64 {
        1.0 / x.dot(x)
    }

    fn assert_gradient_fails_with(answer: GradientFn, hint: &str) {
        let msg = failure_message(|| check_linear_gradient_unseen(answer, 2024));
        assert_hint(&msg, hint);
    }

    fn assert_step_fails_with(answer: StepFn, hint: &str) {
        let msg = failure_message(|| check_linear_step_unseen(answer, 2024));
        assert_hint(&msg, hint);
    }

    fn assert_eta_max_fails_with(answer: fn(&Array1<f64>) -> f64, hint: &str) {
        let msg = failure_message(|| check_eta_max_unseen(answer, 2024));
        assert_hint(&msg, hint);
    }

    #[test]
    fn the_solution_gives_the_lessons_worked_example() {
        let (x, y, w) = (array![3.0, 4.0], 6.0, array![1.0, 2.0]);
        check("gradient", &gradient(&x, y, &w), &array![30.0, 40.0], "");
        let r = Record {
            x: x.clone(),
            y,
            w: w.clone(),
            eta: 0.01,
        };
        check("library's gradient", &r.gradient(), &array![30.0, 40.0], "");
        check("library's step", &r.step(), &array![0.7, 1.6], "");
        check("step", &step(&x, y, &w, 0.01), &array![0.7, 1.6], "");
        check("η max", &eta_max_and_slips(&x).0, &0.04, "");
    }

    #[test]
    fn the_checks_pass_the_lessons_solution_on_many_seeds() {
        for seed in 0..50 {
            check_linear_gradient_unseen(gradient, seed);
            check_linear_step_unseen(step, seed);
            check_eta_max_unseen(eta_max, seed);
        }
    }

    #[test]
    fn the_checks_fail_the_worked_examples_answers_typed_in() {
        let msg =
            failure_message(|| check_linear_gradient_unseen(|_, _, _| array![30.0, 40.0], 2024));
        assert!(
            msg.starts_with("✗ gradient, unseen case 1 of 3: x = ["),
            "{msg}"
        );
        let msg = failure_message(|| check_linear_step_unseen(|_, _, _, _| array![0.7, 1.6], 2024));
        assert!(
            msg.starts_with("✗ weights after one step, unseen case 1 of 3: x = ["),
            "{msg}"
        );
        assert_hint(&msg, STEP);
        let msg = failure_message(|| check_eta_max_unseen(|_| 0.04, 2024));
        assert!(
            msg.starts_with("✗ learning-rate limit, unseen case 1 of 3: x = ["),
            "{msg}"
        );
        assert_hint(&msg, ETA_MAX);
    }

    #[test]
    fn the_gradient_check_names_each_slip() {
        assert_gradient_fails_with(|x, y, w| x * (x.dot(w) - y), GRADIENT_HALF);
        assert_gradient_fails_with(|x, y, w| x * (2.0 * (y - x.dot(w))), GRADIENT_SIGN);
        assert_gradient_fails_with(|x, y, w| x * (y - x.dot(w)), GRADIENT_SIGN_HALF);
        assert_gradient_fails_with(|x, y, w| w * (2.0 * (x.dot(w) - y)), GRADIENT_WEIGHTS);
        assert_gradient_fails_with(
            |x, y, w| Array1::from_elem(x.len(), 2.0 * (x.dot(w) - y)),
            GRADIENT_NO_INPUT,
        );
    }

    #[test]
    fn the_step_check_names_each_slip() {
        assert_step_fails_with(|x, y, w, _| w - &gradient(x, y, w), STEP_ETA);
        assert_step_fails_with(|x, y, w, eta| w + &(gradient(x, y, w) * eta), STEP_UPHILL);
        assert_step_fails_with(|x, y, w, eta| w - &(x * ((x.dot(w) - y) * eta)), STEP_HALF);
        assert_step_fails_with(|x, y, w, eta| w - &(x * ((y - x.dot(w)) * eta)), STEP_HALF);
        assert_step_fails_with(|x, y, w, _| gradient(x, y, w), STEP_GRADIENT);
        assert_step_fails_with(|x, y, w, eta| gradient(x, y, w) * -eta, STEP_CHANGE);
        assert_step_fails_with(|x, y, w, eta| gradient(x, y, w) * eta, STEP_CHANGE);
        assert_step_fails_with(
            |x, y, w, eta| w - &(w * (2.0 * (x.dot(w) - y) * eta)),
            STEP_WEIGHTS,
        );
        assert_step_fails_with(|_, _, w, _| w.clone(), STEP);
    }

    #[test]
    fn the_eta_max_check_names_each_slip() {
        assert_eta_max_fails_with(|x| 2.0 / x.dot(x), ETA_MAX_HALF_LOSS);
        assert_eta_max_fails_with(|x| 1.0 / (2.0 * x.dot(x)), ETA_MAX_LANDS);
        assert_eta_max_fails_with(|x| 1.0 / x.dot(x).sqrt(), ETA_MAX_NORM);
        assert_eta_max_fails_with(|x| 2.0 / x.dot(x).sqrt(), ETA_MAX_NORM);
        assert_eta_max_fails_with(|x| 1.0 / (2.0 * x.dot(x).sqrt()), ETA_MAX_NORM);
        assert_eta_max_fails_with(|x| 1.0 / x.sum().powi(2), ETA_MAX_SUM_SQUARED);
    }

    #[test]
    fn no_two_slips_give_the_same_answer_on_any_drawn_case() {
        let mut draw = Draw::new(99);
        for _ in 0..200 {
            let r = record(&mut draw);
            let slips = r.gradient_slips();
            let mut answers = vec![r.gradient()];
            answers.extend(slips.into_iter().map(|s| s.gives));
            assert!(all_apart(&answers.iter().collect::<Vec<_>>(), 1e-3));
            let slips = r.step_slips();
            let mut answers = vec![r.step()];
            answers.extend(slips.into_iter().map(|s| s.gives));
            assert!(all_apart(&answers.iter().collect::<Vec<_>>(), 1e-3));
            let x = eta_inputs(&mut draw);
            let (expected, slips) = eta_max_and_slips(&x);
            let mut answers = vec![expected];
            answers.extend(slips.into_iter().map(|s| s.gives));
            assert!(all_apart(&answers.iter().collect::<Vec<_>>(), 1e-3));
        }
    }
}
