//! Lesson 8 (ReLU networks), exercise 2: one step of a ReLU network's hidden weights.

use super::Slip;
use crate::activation::{relu, relu_prime, Activation};
use crate::check::check_slips;
use crate::mlp::Mlp;
use ndarray::{array, Array1, Array2, Axis};

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
    name: &'static str,
    net: Mlp,
    x: Array1<f64>,
    y: f64,
    eta: f64,
}

fn relu_net(w_ih: Array2<f64>, w_o: Array1<f64>) -> Mlp {
    Mlp {
        w_ih,
        w_ho: w_o.insert_axis(Axis(1)),
        hidden: Activation::Relu,
        output: Activation::Identity,
    }
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
            name: "ΔW_ih for weights_0, x = (1, 2), y = 3, η = 0.1 (both nodes active)",
            net: relu_net(array![[2.0, 1.0], [1.0, 2.0]], array![1.0, 1.0]),
            x: array![1.0, 2.0],
            y: 3.0,
            eta: 0.1,
        },
        ReluCase {
            name: "ΔW_ih for weights_1, x = (−1, 1), y = 2, η = 0.3 (node 0 silent)",
            net: relu_net(array![[2.0, 1.0], [1.0, 1.5]], array![1.0, 1.5]),
            x: array![-1.0, 1.0],
            y: 2.0,
            eta: 0.3,
        },
        ReluCase {
            name: "ΔW_ih for 3 inputs, x = (1, 2, 1), y = 3, η = 0.01 (w_o = (2, −1))",
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
        let expected = case
            .net
            .gradients(&case.x, &array![case.y])
            .expect("the cases' shapes agree")
            .steps(case.eta)
            .0;
        let actual = step(&case.net, &case.x, case.y, case.eta);
        let slips = relu_slips(&case, &expected);
        check_slips(case.name, &actual, &expected, &slips, RELU_STEP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        crate::check::failure_message(|| check_relu_hidden_step(step))
    }

    fn assert_fails_with(slip: Answer, hint: &str) {
        let msg = failure(answer(slip));
        assert!(msg.starts_with("✗ ΔW_ih for "), "{msg}");
        assert!(msg.ends_with(&format!("\n  Hint: {hint}")), "{msg}");
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

    #[test]
    fn no_two_slips_give_the_same_wrong_answer() {
        for case in relu_cases() {
            let expected = case
                .net
                .gradients(&case.x, &array![case.y])
                .unwrap()
                .steps(case.eta)
                .0;
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
