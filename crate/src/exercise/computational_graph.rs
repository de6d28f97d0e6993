//! Lesson 10 (the computational graph), exercise: the gradient of a linear node's weights
//! ([`check_weight_grad_unseen`]).

use super::{Draw, Slip, Tried, UNSEEN_CASES, check_tried};
use crate::check::TOLERANCE;
use crate::graph::Graph;
use ndarray::{Array2, Axis};

const WEIGHT_GRAD: &str = "∂L/∂W = Xᵀ·G: the node's input transposed, times the gradient \
    that reached its output; the result is shaped like W, one row per column of X and one \
    column per column of G";
const WEIGHT_GRAD_TRANSPOSED: &str = "rows and columns are swapped: this is Gᵀ·X; \
    ∂L/∂W = Xᵀ·G is shaped like W, one row per column of X";
const WEIGHT_GRAD_FIRST_RECORD: &str = "only the first row (record) counts here: ∂L/∂W = Xᵀ·G \
    adds up every row's contribution, x_rᵀ·g_r over all rows r";
const WEIGHT_GRAD_MEAN: &str = "this is Xᵀ·G divided by the number of rows: G already carries \
    the loss's 1/m, so ∂L/∂W is Xᵀ·G itself";
const WEIGHT_GRAD_SIGN: &str = "every entry has the wrong sign: ∂L/∂W = Xᵀ·G, with no minus \
    (the minus belongs to the gradient-descent step, not to the gradient)";
const WEIGHT_GRAD_BIAS: &str = "this is ∂L/∂b, G's rows added up: ∂L/∂W = Xᵀ·G also needs the \
    input X";

/// One drawn case: a batch of records through a linear node, a sigmoid and an MSE, and what
/// the graph's backward pass finds at the linear node.
struct LinearCase {
    /// The linear node's input X (records × inputs).
    input: Array2<f64>,
    /// The gradient G that reached the node's output (records × outputs).
    upstream: Array2<f64>,
    /// The graph's ∂L/∂W (inputs × outputs).
    expected: Array2<f64>,
}

/// 2 to 5 records with 2 to 4 inputs and 2 to 4 outputs, never as many inputs as outputs (so
/// a transposed answer shows), through σ(X·W + b) against targets, all drawn; the graph's
/// backward pass gives G and ∂L/∂W.
fn drawn_case(draw: &mut Draw) -> LinearCase {
    let records = draw.size(2, 5);
    let inputs = draw.size(2, 4);
    let outputs = draw.size(2, 3);
    let outputs = if outputs >= inputs {
        outputs + 1
    } else {
        outputs
    };
    let mut g = Graph::new();
    let x = g.input("X", draw.matrix(records, inputs, 1.0));
    let w = g.input("W", draw.matrix(inputs, outputs, 1.0));
    let b = g.input("b", draw.matrix(1, outputs, 0.5));
    let y = g.input("y", draw.matrix(records, outputs, 1.0));
    let linear = g.linear("l", x, w, b);
    let s = g.sigmoid("s", linear);
    let cost = g.mse("cost", y, s);
    g.forward(cost).expect("the drawn shapes agree");
    g.backward(cost);
    LinearCase {
        input: g.value(x).clone(),
        upstream: g.grad(linear).clone(),
        expected: g.grad(w).clone(),
    }
}

/// What each slip gives on `case`.
fn weight_grad_slips(case: &LinearCase) -> Vec<Slip<Array2<f64>>> {
    let (x, g) = (&case.input, &case.upstream);
    let first = x
        .row(0)
        .insert_axis(Axis(1))
        .dot(&g.row(0).insert_axis(Axis(0)));
    vec![
        Slip::new(WEIGHT_GRAD_TRANSPOSED, g.t().dot(x)),
        Slip::new(WEIGHT_GRAD_FIRST_RECORD, first),
        Slip::new(WEIGHT_GRAD_MEAN, &case.expected / x.nrows() as f64),
        Slip::new(WEIGHT_GRAD_SIGN, -&case.expected),
        Slip::new(WEIGHT_GRAD_BIAS, g.sum_axis(Axis(0)).insert_axis(Axis(0))),
    ]
}

/// Lesson 10, exercise, hidden test: tries the learner's `weight_grad(input, upstream)`, a
/// linear node's ∂L/∂W from its input X and the gradient G that reached its output, on
/// [`UNSEEN_CASES`] batches drawn from `seed` (2 to 5 records, never as many inputs as
/// outputs). Each case is a linear node feeding a sigmoid and an MSE; the answers are the
/// graph's own ∂L/∂W from its backward pass. A wrong answer fails naming its slip: the
/// transposed result, the first record only, a mean over the records, a flipped sign, or
/// the bias's gradient.
///
/// ```
/// use backprop::prelude::*;
/// fn weight_grad(input: &Array2<f64>, upstream: &Array2<f64>) -> Array2<f64> {
///     input.t().dot(upstream)
/// }
/// check_weight_grad_unseen(weight_grad, 10);
/// ```
pub fn check_weight_grad_unseen(
    answer: impl Fn(&Array2<f64>, &Array2<f64>) -> Array2<f64>,
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<Array2<f64>>> = (0..UNSEEN_CASES)
        .map(|_| {
            let case = drawn_case(&mut draw);
            Tried {
                inputs: format!("input = {:.3}, upstream = {:.3}", case.input, case.upstream),
                actual: answer(&case.input, &case.upstream),
                slips: weight_grad_slips(&case),
                expected: case.expected,
            }
        })
        .collect();
    check_tried("∂L/∂W", &tried, TOLERANCE, WEIGHT_GRAD);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Checkable, assert_hint, failure_message};
    use ndarray::array;

    fn weight_grad(input: &Array2<f64>, upstream: &Array2<f64>) -> Array2<f64> {
        input.t().dot(upstream)
    }

    fn assert_fails_with(answer: fn(&Array2<f64>, &Array2<f64>) -> Array2<f64>, hint: &str) {
        let msg = failure_message(|| check_weight_grad_unseen(answer, 2024));
        assert!(
            msg.starts_with("✗ ∂L/∂W, unseen case 1 of 3: input = [["),
            "{msg}"
        );
        assert_hint(&msg, hint);
    }

    #[test]
    fn the_check_passes_the_lessons_solution_on_many_seeds() {
        for seed in 0..50 {
            check_weight_grad_unseen(weight_grad, seed);
        }
    }

    #[test]
    fn the_solution_is_the_graphs_gradient_on_the_lessons_shapes() {
        // One record of 2 inputs into 3 outputs, as lesson 10's l1: the graph agrees with Xᵀ·G.
        let mut g = Graph::new();
        let x = g.input("X", array![[1.0, 0.0]]);
        let w = g.input("W", array![[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]]);
        let b = g.input("b", Array2::zeros((1, 3)));
        let y = g.input("y", array![[1.0, 0.0, 1.0]]);
        let l = g.linear("l", x, w, b);
        let s = g.sigmoid("s", l);
        let cost = g.mse("cost", y, s);
        g.forward(cost).unwrap();
        g.backward(cost);
        let mine = weight_grad(g.value(x), g.grad(l));
        assert!(mine.mismatch(g.grad(w), 1e-15).is_none(), "{mine}");
    }

    #[test]
    fn the_check_fails_the_worked_examples_answer_typed_in() {
        let msg = failure_message(|| {
            check_weight_grad_unseen(|_, _| array![[0.1, -0.2, 0.3], [0.0, 0.0, 0.0]], 2024)
        });
        assert!(msg.starts_with("✗ ∂L/∂W, unseen case 1 of 3"), "{msg}");
    }

    #[test]
    fn the_check_names_each_slip() {
        assert_fails_with(|x, g| g.t().dot(x), WEIGHT_GRAD_TRANSPOSED);
        assert_fails_with(
            |x, g| {
                let (x0, g0) = (x.row(0), g.row(0));
                Array2::from_shape_fn((x.ncols(), g.ncols()), |(i, j)| x0[i] * g0[j])
            },
            WEIGHT_GRAD_FIRST_RECORD,
        );
        assert_fails_with(|x, g| x.t().dot(g) / x.nrows() as f64, WEIGHT_GRAD_MEAN);
        assert_fails_with(|x, g| -x.t().dot(g), WEIGHT_GRAD_SIGN);
        assert_fails_with(
            |_, g| g.sum_axis(Axis(0)).insert_axis(Axis(0)),
            WEIGHT_GRAD_BIAS,
        );
    }

    #[test]
    fn drawn_cases_are_not_square_and_every_slip_differs() {
        let mut draw = Draw::new(4);
        for _ in 0..200 {
            let case = drawn_case(&mut draw);
            let (records, inputs) = case.input.dim();
            assert!(records >= 2);
            assert_ne!(inputs, case.upstream.ncols());
            assert!(
                case.expected
                    .mismatch(&weight_grad(&case.input, &case.upstream), 1e-12)
                    .is_none()
            );
            let slips = weight_grad_slips(&case);
            for (k, a) in slips.iter().enumerate() {
                assert!(
                    a.gives.mismatch(&case.expected, 1e-4).is_some(),
                    "{}",
                    a.hint
                );
                for b in &slips[k + 1..] {
                    assert!(
                        a.gives.mismatch(&b.gives, 1e-4).is_some(),
                        "{} / {}",
                        a.hint,
                        b.hint
                    );
                }
            }
        }
    }
}
