//! Lesson 8 (ReLU networks): exercise 1, the MSE of a ReLU network
//! ([`check_relu_mse_unseen`]); exercise 2, one step of a ReLU network's hidden weights
//! ([`check_relu_hidden_step`], [`check_relu_hidden_step_unseen`]).

use super::{Draw, Slip, Tried, UNSEEN_CASES, all_apart, answers, check_tried};
use crate::activation::{Activation, relu, relu_prime, sigmoid};
use crate::check::{TOLERANCE, check_slips};
use crate::mlp::Mlp;
use crate::train::mlp_mse;
use ndarray::{Array1, Array2, Axis, array};

fn relu_net(w_ih: Array2<f64>, w_o: Array1<f64>) -> Mlp {
    Mlp {
        w_ih,
        w_ho: w_o.insert_axis(Axis(1)),
        hidden: Activation::Relu,
        output: Activation::Identity,
        biases: None,
    }
}

const RELU_MSE: &str = "predict every record with ŷ = relu(x·W_ih)·w_o (ReLU hidden nodes, a \
    linear output), then average the squared errors (target − ŷ)² over the records";
const RELU_MSE_SUM: &str = "this is the sum of the squared errors: the MSE divides it by the \
    number of records";
const RELU_MSE_HALF: &str = "this is ½·MSE: the MSE has no factor ½";
const RELU_MSE_BY_COLUMNS: &str = "the sum was divided by the number of inputs per record \
    (inputs.ncols()): divide by the number of records, inputs.nrows()";
const RELU_MSE_SIGMOID_OUTPUT: &str = "a sigmoid was put on the output: the output layer is \
    linear, ŷ = a·w_o with no activation";
const RELU_MSE_RELU_DROPPED: &str = "the hidden nodes' ReLU is missing: a = relu(x·W_ih), \
    which turns a negative sum into 0";
const RELU_MSE_SIGMOID_HIDDEN: &str = "the hidden nodes used a sigmoid: in this network they \
    are ReLUs, a = relu(x·W_ih)";

/// The inputs of one drawn case of exercise 1: a ReLU network with a linear output, records
/// (one per row) and their targets.
struct MseCase {
    net: Mlp,
    inputs: Array2<f64>,
    targets: Array1<f64>,
}

impl MseCase {
    /// A network with 2 or 3 inputs and 2 to 4 hidden nodes, on 4 to 7 records (more records
    /// than inputs, so dividing by either shows).
    fn draw(draw: &mut Draw) -> MseCase {
        let n_input = draw.size(2, 3);
        let n = n_input + draw.size(2, 4);
        let hidden = draw.size(2, 4);
        let net = relu_net(draw.matrix(n_input, hidden, 1.0), draw.vector(hidden, 1.0));
        MseCase {
            net,
            inputs: draw.matrix(n, n_input, 2.0),
            targets: draw.vector(n, 3.0),
        }
    }

    /// The squared errors' sum with `hidden` for the hidden nodes' activation and `output` for
    /// the output's.
    fn squared_errors(&self, hidden: fn(f64) -> f64, output: fn(f64) -> f64) -> f64 {
        let a = self.inputs.dot(&self.net.w_ih).mapv(hidden);
        let y_hat = a.dot(&self.net.w_ho).column(0).mapv(output);
        (&self.targets - &y_hat).mapv(|e| e * e).sum()
    }

    /// What each slip gives on this case, beside the right answer `expected`.
    fn slips(&self, expected: f64) -> Vec<Slip<f64>> {
        let n = self.targets.len() as f64;
        let sum = self.squared_errors(relu::<f64>, |z| z);
        vec![
            Slip::new(RELU_MSE_SUM, sum),
            Slip::new(RELU_MSE_HALF, expected / 2.0),
            Slip::new(RELU_MSE_BY_COLUMNS, sum / self.inputs.ncols() as f64),
            Slip::new(
                RELU_MSE_SIGMOID_OUTPUT,
                self.squared_errors(relu::<f64>, sigmoid::<f64>) / n,
            ),
            Slip::new(RELU_MSE_RELU_DROPPED, self.squared_errors(|z| z, |z| z) / n),
            Slip::new(
                RELU_MSE_SIGMOID_HIDDEN,
                self.squared_errors(sigmoid::<f64>, |z| z) / n,
            ),
        ]
    }

    /// The right answer, from the library's forward pass.
    fn expected(&self) -> f64 {
        mlp_mse(&self.net, &self.inputs, &self.targets).expect("the drawn shapes agree")
    }
}

/// Lesson 8, exercise 1, hidden test: tries the learner's `relu_mse(net, inputs, targets)`,
/// the MSE of a network with ReLU hidden nodes and a linear output over the records (one per
/// row of `inputs`), on [`UNSEEN_CASES`] networks and records drawn from `seed`, each with a
/// hidden node silent on some record. The answers come from the library's forward pass. A
/// wrong answer fails naming its slip: the sum for the mean, a factor ½, the number of inputs
/// for the number of records, a sigmoid on the output, the hidden ReLU left out, or a sigmoid
/// in its place.
///
/// ```
/// use backprop::prelude::*;
/// fn relu_mse(net: &Mlp, inputs: &Array2<f64>, targets: &Array1<f64>) -> f64 {
///     let y_hat = relu(&inputs.dot(&net.w_ih)).dot(&net.w_ho).column(0).to_owned();
///     (targets - &y_hat).mapv(|e| e * e).sum() / targets.len() as f64
/// }
/// check_relu_mse_unseen(relu_mse, 8);
/// ```
pub fn check_relu_mse_unseen(answer: impl Fn(&Mlp, &Array2<f64>, &Array1<f64>) -> f64, seed: u64) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<f64>> = (0..UNSEEN_CASES)
        .map(|_| {
            let (case, expected, slips) = (0..100)
                .map(|_| {
                    let case = MseCase::draw(&mut draw);
                    let expected = case.expected();
                    let slips = case.slips(expected);
                    (case, expected, slips)
                })
                .find(|(_, expected, slips)| all_apart(&answers(expected, slips), 1e-4))
                .expect("a case that tells every slip apart, within 100 draws");
            Tried {
                inputs: format!(
                    "W_ih = {:.3}, w_o = {:.3}, inputs = {:.3}, targets = {:.3}",
                    case.net.w_ih,
                    case.net.w_ho.column(0),
                    case.inputs,
                    case.targets
                ),
                actual: answer(&case.net, &case.inputs, &case.targets),
                expected,
                slips,
            }
        })
        .collect();
    check_tried("MSE of a ReLU network", &tried, TOLERANCE, RELU_MSE);
}

const RELU_STEP: &str = "ΔW_ih[i, j] = −η · x[i] · relu_prime(z[j]) · w_o[j] · (ŷ − y), \
    one row per input and one column per hidden node";
const RELU_PRIME_DROPPED: &str = "the ReLU's slope is missing: multiply by relu_prime(z[j]), \
    which is 0 for a silent node (z[j] ≤ 0), so a silent node's column of ΔW_ih is all 0";
const RELU_FOR_ITS_SLOPE: &str = "relu(z[j]) stands where its slope relu_prime(z[j]) belongs: \
    the factor is 1 for an active node and 0 for a silent one, not the node's output";
const OUTPUT_WEIGHT_FORGOTTEN: &str = "the output weight is missing: the loss's slope at \
    node j's output is (ŷ − y) · w_o[j], the error carried back through the weight w_o[j]";
const SIGN_FLIPPED: &str = "every entry has the wrong sign: the step goes against the \
    gradient, ΔW_ih = −η · ∂L/∂W_ih, and the loss's slope at the output is ŷ − y";
const ETA_FORGOTTEN: &str =
    "η is missing: the step is the gradient times −η, with the η the function is given";
const GRADIENT_RETURNED: &str = "this is the gradient ∂L/∂W_ih itself: the step is \
    ΔW_ih = −η · ∂L/∂W_ih";
const TRANSPOSED: &str = "rows and columns are swapped: ΔW_ih is laid out like W_ih, \
    one row per input (x[i]) and one column per hidden node (z[j])";

/// One call of the learner's function: a ReLU network with a linear output, a record, its
/// target and a learning rate.
struct ReluCase {
    name: String,
    net: Mlp,
    x: Array1<f64>,
    y: f64,
    eta: f64,
}

/// The cases, in the order they are tried: the lesson's worked example (both nodes active,
/// w_o = (1, 1), so only a flipped sign, a missing η and the transposed layout show), then
/// lesson 8's weights_1 on a record that silences node 0 (w_o = (1, 1.5): a dropped
/// relu_prime and a forgotten output weight show), then three inputs with a negative output
/// weight (ΔW_ih is 3 × 2: a result sized 2 × 2, or transposed, shows). The learning rates
/// (0.1, 0.3, 0.01) are not 0.5 and no two are in the ratio 2, so a missing or fixed η never
/// reads as a factor ½.
fn relu_cases() -> Vec<ReluCase> {
    vec![
        ReluCase {
            name: "ΔW_ih for weights_0, x = (1, 2), y = 3, η = 0.1 (both nodes active)".into(),
            net: relu_net(array![[2.0, 1.0], [1.0, 2.0]], array![1.0, 1.0]),
            x: array![1.0, 2.0],
            y: 3.0,
            eta: 0.1,
        },
        ReluCase {
            name: "ΔW_ih for weights_1, x = (−1, 1), y = 2, η = 0.3 (node 0 silent)".into(),
            net: relu_net(array![[2.0, 1.0], [1.0, 1.5]], array![1.0, 1.5]),
            x: array![-1.0, 1.0],
            y: 2.0,
            eta: 0.3,
        },
        ReluCase {
            name: "ΔW_ih for 3 inputs, x = (1, 2, 1), y = 3, η = 0.01 (w_o = (2, −1))".into(),
            net: relu_net(
                array![[1.0, -2.0], [0.5, 1.0], [-1.0, 0.5]],
                array![2.0, -1.0],
            ),
            x: array![1.0, 2.0, 1.0],
            y: 3.0,
            eta: 0.01,
        },
    ]
}

/// The step ΔW_ih[i, j] = −η · x[i] · slope[j] · w_o[j] · (ŷ − y) with the given factors,
/// so that each slip can replace one of them.
fn relu_step_with(case: &ReluCase, slope: &Array1<f64>, w_o: &Array1<f64>) -> Array2<f64> {
    let z = case.x.dot(&case.net.w_ih);
    let y_hat = relu(&z).dot(&case.net.w_ho.column(0));
    let back = slope * w_o * (-case.eta * (y_hat - case.y));
    let column = case.x.view().insert_axis(Axis(1));
    column.dot(&back.view().insert_axis(Axis(0)))
}

/// What each slip gives on `case`, beside the right answer `expected`.
fn relu_slips(case: &ReluCase, expected: &Array2<f64>) -> Vec<Slip<Array2<f64>>> {
    let z = case.x.dot(&case.net.w_ih);
    let w_o = case.net.w_ho.column(0).to_owned();
    let ones = Array1::ones(z.len());
    vec![
        Slip::new(RELU_PRIME_DROPPED, relu_step_with(case, &ones, &w_o)),
        Slip::new(RELU_FOR_ITS_SLOPE, relu_step_with(case, &relu(&z), &w_o)),
        Slip::new(
            OUTPUT_WEIGHT_FORGOTTEN,
            relu_step_with(case, &relu_prime(&z), &ones),
        ),
        Slip::new(SIGN_FLIPPED, -expected),
        Slip::new(ETA_FORGOTTEN, expected / case.eta),
        Slip::new(GRADIENT_RETURNED, expected / -case.eta),
        Slip::new(TRANSPOSED, expected.t().to_owned()),
    ]
}

/// The right step for `case`, from the library's backward pass.
fn relu_expected(case: &ReluCase) -> Array2<f64> {
    case.net
        .gradients(&case.x, &array![case.y])
        .expect("the cases' shapes agree")
        .steps(case.eta)
        .0
}

/// A drawn case: 2 to 4 inputs and 2 to 4 hidden nodes, never as many of one as of the other
/// (so a transposed answer shows), a learning rate from [`Draw::rate`], and a record that
/// leaves at least one hidden node silent and at least one active.
fn drawn_relu_case(draw: &mut Draw) -> ReluCase {
    let n_input = draw.size(2, 4);
    let hidden = draw.size(2, 3);
    let hidden = if hidden >= n_input {
        hidden + 1
    } else {
        hidden
    };
    let net = relu_net(draw.matrix(n_input, hidden, 1.0), draw.vector(hidden, 1.0));
    let x = draw.vector(n_input, 1.0);
    let y = draw.uniform(-2.0, 2.0);
    let eta = draw.rate();
    let name = format!(
        "W_ih = {:.3}, w_o = {:.3}, x = {x:.3}, y = {y:.3}, η = {eta:.3}",
        net.w_ih,
        net.w_ho.column(0)
    );
    ReluCase {
        name,
        net,
        x,
        y,
        eta,
    }
}

/// Whether `case` has a silent and an active hidden node, and tells every slip apart.
fn shows_every_relu_slip(case: &ReluCase) -> bool {
    let z = case.x.dot(&case.net.w_ih);
    let silent = z.iter().any(|&z| z <= 0.0);
    let active = z.iter().any(|&z| z > 0.0);
    let expected = relu_expected(case);
    silent && active && all_apart(&answers(&expected, &relu_slips(case, &expected)), 1e-4)
}

/// Lesson 8, exercise 2: checks the learner's `step(net, x, y, eta)`, the step
/// ΔW_ih = −η · ∂L/∂W_ih of the hidden weights of a ReLU network with a linear output for one
/// record (L = ½ (ŷ − y)²), on three cases. The answers come from the library's backward pass.
/// Prints a `✓` line per case; a wrong answer fails naming the slip it shows: a dropped
/// `relu_prime`, `relu` in place of `relu_prime`, a forgotten output weight, a flipped sign,
/// a forgotten η, the gradient in place of the step, or the transposed layout.
///
/// ```
/// use backprop::prelude::*;
/// fn hidden_step(net: &Mlp, x: &Array1<f64>, y: f64, eta: f64) -> Array2<f64> {
///     let z = x.dot(&net.w_ih);
///     let y_hat = relu(&z).dot(&net.w_ho.column(0));
///     Array2::from_shape_fn((x.len(), z.len()), |(i, j)| {
///         -eta * x[i] * relu_prime(z[j]) * net.w_ho[[j, 0]] * (y_hat - y)
///     })
/// }
/// check_relu_hidden_step(hidden_step);
/// ```
pub fn check_relu_hidden_step(step: impl Fn(&Mlp, &Array1<f64>, f64, f64) -> Array2<f64>) {
    for case in relu_cases() {
        let expected = relu_expected(&case);
        let actual = step(&case.net, &case.x, case.y, case.eta);
        let slips = relu_slips(&case, &expected);
        check_slips(&case.name, &actual, &expected, &slips, RELU_STEP);
    }
}

/// Lesson 8, exercise 2, hidden test: tries the learner's `step(net, x, y, eta)` as
/// [`check_relu_hidden_step`] does, on [`UNSEEN_CASES`] networks, records and learning rates
/// drawn from `seed`: no network has as many inputs as hidden nodes, and every record leaves
/// a hidden node silent and another active. Prints one `✓` line; a wrong answer fails naming
/// the same slips.
///
/// ```
/// use backprop::prelude::*;
/// fn hidden_step(net: &Mlp, x: &Array1<f64>, y: f64, eta: f64) -> Array2<f64> {
///     let z = x.dot(&net.w_ih);
///     let y_hat = relu(&z).dot(&net.w_ho.column(0));
///     Array2::from_shape_fn((x.len(), z.len()), |(i, j)| {
///         -eta * x[i] * relu_prime(z[j]) * net.w_ho[[j, 0]] * (y_hat - y)
///     })
/// }
/// check_relu_hidden_step_unseen(hidden_step, 8);
/// ```
pub fn check_relu_hidden_step_unseen(
    step: impl Fn(&Mlp, &Array1<f64>, f64, f64) -> Array2<f64>,
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<Array2<f64>>> = (0..UNSEEN_CASES)
        .map(|_| {
            let case = (0..100)
                .map(|_| drawn_relu_case(&mut draw))
                .find(shows_every_relu_slip)
                .expect("a case that shows every slip, within 100 draws");
            let expected = relu_expected(&case);
            Tried {
                actual: step(&case.net, &case.x, case.y, case.eta),
                slips: relu_slips(&case, &expected),
                expected,
                inputs: case.name,
            }
        })
        .collect();
    check_tried("ΔW_ih", &tried, TOLERANCE, RELU_STEP);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_hint, failure_message};

    /// Exercise 1's solution, with the hidden and output activations and the divisor as
    /// given.
    fn mse_with(
        net: &Mlp,
        inputs: &Array2<f64>,
        targets: &Array1<f64>,
        hidden: fn(f64) -> f64,
        output: fn(f64) -> f64,
        divisor: f64,
    ) -> f64 {
        let y_hat = inputs
            .dot(&net.w_ih)
            .mapv(hidden)
            .dot(&net.w_ho)
            .column(0)
            .mapv(output);
        (targets - &y_hat).mapv(|e| e * e).sum() / divisor
    }

    fn identity(z: f64) -> f64 {
        z
    }

    fn relu_mse(net: &Mlp, inputs: &Array2<f64>, targets: &Array1<f64>) -> f64 {
        let y_hat = relu(&inputs.dot(&net.w_ih))
            .dot(&net.w_ho)
            .column(0)
            .to_owned();
        (targets - &y_hat).mapv(|e| e * e).sum() / targets.len() as f64
    }

    fn assert_mse_fails_with(answer: fn(&Mlp, &Array2<f64>, &Array1<f64>) -> f64, hint: &str) {
        let msg = failure_message(|| check_relu_mse_unseen(answer, 2024));
        assert!(
            msg.starts_with("✗ MSE of a ReLU network, unseen case 1 of 3: W_ih = [["),
            "{msg}"
        );
        assert_hint(&msg, hint);
    }

    #[test]
    fn the_relu_mse_solution_gives_the_lessons_two_numbers() {
        let inputs = array![[0.0, 3.0], [1.0, 2.0], [-1.0, -2.0], [4.0, 0.0]];
        let targets = array![1.0, 3.0, 5.0, 7.0];
        let weights_0 = relu_net(array![[2.0, 1.0], [1.0, 2.0]], array![1.0, 1.0]);
        let weights_1 = relu_net(array![[2.0, 1.0], [1.0, 1.5]], array![1.0, 1.5]);
        assert_eq!(relu_mse(&weights_0, &inputs, &targets), 37.5);
        assert_eq!(relu_mse(&weights_1, &inputs, &targets), 49.890625);
    }

    #[test]
    fn the_relu_mse_check_passes_the_lessons_solution_on_many_seeds() {
        for seed in 0..50 {
            check_relu_mse_unseen(relu_mse, seed);
        }
    }

    #[test]
    fn the_relu_mse_check_fails_the_worked_examples_answer_typed_in() {
        assert_mse_fails_with(|_, _, _| 37.5, RELU_MSE);
        assert_mse_fails_with(|_, _, _| 49.890625, RELU_MSE);
    }

    #[test]
    fn the_relu_mse_check_names_each_slip() {
        assert_mse_fails_with(
            |net, x, t| mse_with(net, x, t, relu::<f64>, identity, 1.0),
            RELU_MSE_SUM,
        );
        assert_mse_fails_with(|net, x, t| relu_mse(net, x, t) / 2.0, RELU_MSE_HALF);
        assert_mse_fails_with(
            |net, x, t| mse_with(net, x, t, relu::<f64>, identity, x.ncols() as f64),
            RELU_MSE_BY_COLUMNS,
        );
        assert_mse_fails_with(
            |net, x, t| mse_with(net, x, t, relu::<f64>, sigmoid::<f64>, t.len() as f64),
            RELU_MSE_SIGMOID_OUTPUT,
        );
        assert_mse_fails_with(
            |net, x, t| mse_with(net, x, t, identity, identity, t.len() as f64),
            RELU_MSE_RELU_DROPPED,
        );
        assert_mse_fails_with(
            |net, x, t| mse_with(net, x, t, sigmoid::<f64>, identity, t.len() as f64),
            RELU_MSE_SIGMOID_HIDDEN,
        );
    }

    #[test]
    fn drawn_relu_mse_cases_silence_a_node_and_tell_every_slip_apart() {
        let mut draw = Draw::new(3);
        let mut shown = 0;
        for _ in 0..200 {
            let case = MseCase::draw(&mut draw);
            let expected = case.expected();
            assert!(case.inputs.nrows() > case.inputs.ncols());
            if all_apart(&answers(&expected, &case.slips(expected)), 1e-4) {
                shown += 1;
                let z = case.inputs.dot(&case.net.w_ih);
                assert!(z.iter().any(|&z| z < 0.0));
            }
        }
        // Most draws show every slip at once, so the check rarely needs a second draw.
        assert!(shown > 150, "{shown}");
    }

    /// One way of writing the exercise's answer, correct unless it makes a slip.
    #[derive(Clone, Copy, PartialEq)]
    enum Answer {
        Correct,
        WithoutReluPrime,
        WithReluForReluPrime,
        WithoutOutputWeight,
        WithFlippedSign,
        WithoutEta,
        ReturningTheGradient,
        Transposed,
        SizedTwoByTwo,
        WithEtaFixedAtOneTenth,
    }

    /// The lesson's solution, with `answer`'s slip applied to it.
    fn answer(answer: Answer) -> impl Fn(&Mlp, &Array1<f64>, f64, f64) -> Array2<f64> {
        use Answer::*;
        move |net, x, y, eta| {
            let z = x.dot(&net.w_ih);
            let y_hat = relu(&z).dot(&net.w_ho.column(0));
            let slope_out = if answer == WithFlippedSign {
                y - y_hat
            } else {
                y_hat - y
            };
            let eta = match answer {
                WithoutEta => 1.0,
                ReturningTheGradient => -1.0,
                WithEtaFixedAtOneTenth => 0.1,
                _ => eta,
            };
            let shape = match answer {
                Transposed => (z.len(), x.len()),
                SizedTwoByTwo => (2, 2),
                _ => (x.len(), z.len()),
            };
            Array2::from_shape_fn(shape, |(r, c)| {
                let (i, j) = if answer == Transposed { (c, r) } else { (r, c) };
                let slope = match answer {
                    WithoutReluPrime => 1.0,
                    WithReluForReluPrime => relu(z[j]),
                    _ => relu_prime(z[j]),
                };
                let w_o = if answer == WithoutOutputWeight {
                    1.0
                } else {
                    net.w_ho[[j, 0]]
                };
                -eta * x[i] * slope * w_o * slope_out
            })
        }
    }

    /// The check's failure message for `step`.
    fn failure(step: impl Fn(&Mlp, &Array1<f64>, f64, f64) -> Array2<f64>) -> String {
        failure_message(|| check_relu_hidden_step(step))
    }

    fn assert_fails_with(slip: Answer, hint: &str) {
        let msg = failure(answer(slip));
        assert!(msg.starts_with("✗ ΔW_ih for "), "{msg}");
        assert_hint(&msg, hint);
    }

    #[test]
    fn relu_backprop_check_passes_the_lessons_solution() {
        check_relu_hidden_step(answer(Answer::Correct));
    }

    #[test]
    fn relu_backprop_check_expects_the_worked_examples_step() {
        let case = &relu_cases()[0];
        let step = answer(Answer::Correct)(&case.net, &case.x, case.y, case.eta);
        let expected = array![[-0.6, -0.6], [-1.2, -1.2]];
        assert!((step - expected).iter().all(|d| d.abs() < 1e-12));
    }

    #[test]
    fn relu_backprop_check_fails_when_relu_prime_is_dropped() {
        assert_fails_with(Answer::WithoutReluPrime, RELU_PRIME_DROPPED);
    }

    #[test]
    fn relu_backprop_check_fails_when_relu_stands_for_relu_prime() {
        assert_fails_with(Answer::WithReluForReluPrime, RELU_FOR_ITS_SLOPE);
    }

    #[test]
    fn relu_backprop_check_fails_when_the_output_weight_is_forgotten() {
        assert_fails_with(Answer::WithoutOutputWeight, OUTPUT_WEIGHT_FORGOTTEN);
    }

    #[test]
    fn relu_backprop_check_fails_when_the_sign_is_flipped() {
        assert_fails_with(Answer::WithFlippedSign, SIGN_FLIPPED);
    }

    #[test]
    fn relu_backprop_check_fails_when_the_learning_rate_is_forgotten() {
        assert_fails_with(Answer::WithoutEta, ETA_FORGOTTEN);
        let msg = failure(answer(Answer::WithoutEta));
        assert!(!msg.contains('½'), "{msg}");
    }

    #[test]
    fn relu_backprop_check_fails_when_the_gradient_is_returned_for_the_step() {
        assert_fails_with(Answer::ReturningTheGradient, GRADIENT_RETURNED);
    }

    #[test]
    fn relu_backprop_check_fails_when_rows_and_columns_are_swapped() {
        assert_fails_with(Answer::Transposed, TRANSPOSED);
    }

    #[test]
    fn relu_backprop_check_fails_when_the_result_is_sized_two_by_two() {
        let msg = failure(answer(Answer::SizedTwoByTwo));
        assert!(
            msg.contains("expected shape [3, 2], got shape [2, 2]"),
            "{msg}"
        );
    }

    #[test]
    fn relu_backprop_check_fails_when_eta_is_fixed_at_the_worked_examples() {
        let msg = failure(answer(Answer::WithEtaFixedAtOneTenth));
        assert!(msg.starts_with("✗ ΔW_ih for weights_1"), "{msg}");
        assert!(!msg.contains('½'), "{msg}");
    }

    #[test]
    fn relu_backprop_check_fails_when_the_worked_examples_answer_is_typed_in() {
        let msg =
            failure(|_: &Mlp, _: &Array1<f64>, _: f64, _: f64| array![[-0.6, -0.6], [-1.2, -1.2]]);
        assert!(msg.starts_with("✗ ΔW_ih for weights_1"), "{msg}");
    }

    /// The unseen check's failure message for `step`.
    fn unseen_failure(step: impl Fn(&Mlp, &Array1<f64>, f64, f64) -> Array2<f64>) -> String {
        failure_message(|| check_relu_hidden_step_unseen(step, 2024))
    }

    #[test]
    fn the_unseen_step_check_passes_the_lessons_solution_on_many_seeds() {
        for seed in 0..50 {
            check_relu_hidden_step_unseen(answer(Answer::Correct), seed);
        }
    }

    #[test]
    fn the_unseen_step_check_names_each_slip() {
        use Answer::*;
        for (slip, hint) in [
            (WithoutReluPrime, RELU_PRIME_DROPPED),
            (WithReluForReluPrime, RELU_FOR_ITS_SLOPE),
            (WithoutOutputWeight, OUTPUT_WEIGHT_FORGOTTEN),
            (WithFlippedSign, SIGN_FLIPPED),
            (WithoutEta, ETA_FORGOTTEN),
            (ReturningTheGradient, GRADIENT_RETURNED),
            (Transposed, TRANSPOSED),
        ] {
            let msg = unseen_failure(answer(slip));
            assert!(
                msg.starts_with("✗ ΔW_ih, unseen case 1 of 3: W_ih = [["),
                "{msg}"
            );
            assert_hint(&msg, hint);
        }
    }

    #[test]
    fn the_unseen_step_check_fails_a_fixed_eta_and_the_worked_examples_answer() {
        let msg = unseen_failure(answer(Answer::WithEtaFixedAtOneTenth));
        assert_hint(&msg, RELU_STEP);
        let msg = unseen_failure(|_: &Mlp, _: &Array1<f64>, _: f64, _: f64| {
            array![[-0.6, -0.6], [-1.2, -1.2]]
        });
        assert!(msg.starts_with("✗ ΔW_ih, unseen case 1 of 3"), "{msg}");
    }

    #[test]
    fn drawn_step_cases_are_not_square_and_mostly_show_every_slip() {
        let mut draw = Draw::new(5);
        let mut shown = 0;
        for _ in 0..200 {
            let case = drawn_relu_case(&mut draw);
            assert_ne!(case.net.w_ih.nrows(), case.net.w_ih.ncols());
            assert!((0.05..0.45).contains(&case.eta));
            shown += usize::from(shows_every_relu_slip(&case));
        }
        // About three in four draws leave one node silent and another active.
        assert!(shown > 100, "{shown}");
    }

    #[test]
    fn no_two_slips_give_the_same_wrong_answer() {
        for case in relu_cases() {
            let expected = relu_expected(&case);
            let slips = relu_slips(&case, &expected);
            for (k, a) in slips.iter().enumerate() {
                for b in &slips[k + 1..] {
                    let same = a.gives.shape() == b.gives.shape()
                        && (&a.gives - &b.gives).iter().all(|d| d.abs() < 1e-9);
                    let right = [a, b].iter().any(|s| {
                        s.gives.shape() == expected.shape()
                            && (&s.gives - &expected).iter().all(|d| d.abs() < 1e-9)
                    });
                    // Two slips may coincide only where both give the right answer.
                    assert!(!same || right, "{}: {} / {}", case.name, a.hint, b.hint);
                }
            }
        }
    }
}
