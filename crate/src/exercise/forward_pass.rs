//! Lesson 5 (the forward pass): exercise 1, the forward pass by hand
//! ([`check_forward_by_hand_unseen`]); exercise 2, counting parameters
//! ([`check_parameters_unseen`]).

use super::{Draw, Slip, Tried, UNSEEN_CASES, check_tried};
use crate::activation::sigmoid;
use crate::check::TOLERANCE;
use crate::mlp::Mlp;
use ndarray::{Array1, Array2};

const HIDDEN: &str = "the hidden outputs are a = σ(x·W_ih): one sum per hidden unit, then the \
    sigmoid of each";
const HIDDEN_SUMS: &str = "these are the hidden sums x·W_ih: the hidden outputs are their \
    sigmoids, a = σ(x·W_ih)";
const HIDDEN_SWAPPED: &str = "this is the network's output: return the hidden outputs first, \
    then the outputs";
const OUTPUT: &str = "the outputs are ŷ = σ(a·W_ho), with a = σ(x·W_ih) the hidden outputs";
const OUTPUT_SUMS: &str = "these are the output sums a·W_ho: the outputs are their sigmoids, \
    ŷ = σ(a·W_ho)";
const OUTPUT_FROM_HIDDEN_SUMS: &str = "the hidden sums x·W_ih went into the output layer: \
    feed it the hidden outputs a = σ(x·W_ih)";
const OUTPUT_NO_SIGMOID: &str = "there is no sigmoid in either layer: ŷ = σ(a·W_ho) with \
    a = σ(x·W_ih)";

/// One network and input of exercise 1.
struct Network {
    x: Array1<f64>,
    w_ih: Array2<f64>,
    w_ho: Array2<f64>,
}

/// An unseen network: 2 to 5 inputs, 2 to 5 hidden units and 1 to 4 outputs, three different
/// sizes, so that a transposed matrix, or x fed to the output layer, fails by shape; inputs
/// and weights drawn from N(0, 1).
fn network(draw: &mut Draw) -> Network {
    let (n_in, n_hidden, n_out) = loop {
        let sizes = (draw.size(2, 5), draw.size(2, 5), draw.size(1, 4));
        if sizes.0 != sizes.1 && sizes.1 != sizes.2 && sizes.0 != sizes.2 {
            break sizes;
        }
    };
    Network {
        x: draw.vector(n_in, 1.0),
        w_ih: draw.matrix(n_in, n_hidden, 1.0),
        w_ho: draw.matrix(n_hidden, n_out, 1.0),
    }
}

/// A right answer, and what each slip gives in its place.
type WithSlips = (Array1<f64>, Vec<Slip<Array1<f64>>>);

/// The hidden outputs and the outputs, from [`Mlp::forward`], with what each slip gives for
/// them.
fn forward_with_slips(net: &Network) -> (WithSlips, WithSlips) {
    let fwd = Mlp::from_weights(net.w_ih.clone(), net.w_ho.clone())
        .and_then(|mlp| mlp.forward(&net.x))
        .expect("drawn shapes fit");
    let hidden_slips = vec![
        Slip::new(HIDDEN_SUMS, fwd.z_hidden.clone()),
        Slip::new(HIDDEN_SWAPPED, fwd.y_hat.clone()),
    ];
    let output_slips = vec![
        Slip::new(OUTPUT_SUMS, fwd.z_output.clone()),
        Slip::new(
            OUTPUT_FROM_HIDDEN_SUMS,
            sigmoid(&fwd.z_hidden.dot(&net.w_ho)),
        ),
        Slip::new(OUTPUT_NO_SIGMOID, fwd.z_hidden.dot(&net.w_ho)),
    ];
    ((fwd.a_hidden, hidden_slips), (fwd.y_hat, output_slips))
}

/// Lesson 5, exercise 1, hidden test: tries the learner's `forward_by_hand(x, w_ih, w_ho)`,
/// which returns the hidden outputs σ(x·W_ih) and the outputs σ(a·W_ho), on
/// [`UNSEEN_CASES`] networks drawn from `seed`, each with different numbers of inputs, hidden
/// units and outputs. Prints a `✓` line for the hidden outputs and one for the outputs; a
/// wrong answer fails naming its slip: a layer without its sigmoid, the hidden sums fed to
/// the output layer, or the two results swapped. A transposed matrix panics in the learner's
/// own `dot`, since the sizes never match.
///
/// ```
/// use backprop::prelude::*;
/// fn forward_by_hand(x: &Array1<f64>, w_ih: &Array2<f64>, w_ho: &Array2<f64>) -> (Array1<f64>, Array1<f64>) {
///     let hidden_out = sigmoid(&x.dot(w_ih));
///     let output = sigmoid(&hidden_out.dot(w_ho));
///     (hidden_out, output)
/// }
/// check_forward_by_hand_unseen(forward_by_hand, 9);
/// ```
pub fn check_forward_by_hand_unseen(
    answer: impl Fn(&Array1<f64>, &Array2<f64>, &Array2<f64>) -> (Array1<f64>, Array1<f64>),
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let (mut hidden, mut output) = (Vec::new(), Vec::new());
    for _ in 0..UNSEEN_CASES {
        let net = network(&mut draw);
        let ((a, a_slips), (y_hat, y_hat_slips)) = forward_with_slips(&net);
        let (actual_a, actual_y_hat) = answer(&net.x, &net.w_ih, &net.w_ho);
        let inputs = format!(
            "x = {:.3}, w_ih = {:.3}, w_ho = {:.3}",
            net.x, net.w_ih, net.w_ho
        );
        hidden.push(Tried {
            inputs: inputs.clone(),
            actual: actual_a,
            expected: a,
            slips: a_slips,
        });
        output.push(Tried {
            inputs,
            actual: actual_y_hat,
            expected: y_hat,
            slips: y_hat_slips,
        });
    }
    check_tried("hidden-layer output", &hidden, TOLERANCE, HIDDEN);
    check_tried("output-layer output", &output, TOLERANCE, OUTPUT);
}

const PARAMETERS: &str = "each layer after the input has (units of the layer before × its \
    units) weights plus one bias per unit: add that up over every layer after the input";
const NO_BIASES: &str =
    "this counts the weights only: every unit after the input layer also has a bias";
const INPUT_BIASES: &str = "the input layer got biases too: only the units of the layers \
    after the input have one";
const BIAS_PER_LAYER: &str =
    "this gives each layer one bias: each unit has its own, so a layer has one per unit";
const BIAS_PER_INPUT: &str = "the biases were counted by each layer's inputs: a layer has one \
    bias per unit of its own";
const UNITS: &str = "this counts the units: count the weights, (units of the layer before × \
    units) for each layer after the input, plus one bias per unit";
const FIRST_TWO_LAYERS: &str = "only the first two layers of weights were counted: sizes can \
    list any number of layers; add up every pair of neighbouring layers";

/// The number of weights and biases of a network with layer sizes `sizes`, input first: each
/// layer after the input has a weight from every unit of the layer before and one bias per unit.
fn parameters(sizes: &[usize]) -> usize {
    sizes
        .windows(2)
        .map(|pair| pair[0] * pair[1] + pair[1])
        .sum()
}

/// What each slip gives for a network with layer sizes `sizes`.
fn parameter_slips(sizes: &[usize]) -> Vec<Slip<usize>> {
    let weights: usize = sizes.windows(2).map(|pair| pair[0] * pair[1]).sum();
    let biases: usize = sizes[1..].iter().sum();
    let before_last: usize = sizes[..sizes.len() - 1].iter().sum();
    let mut slips = vec![
        Slip::new(NO_BIASES, weights),
        Slip::new(INPUT_BIASES, weights + biases + sizes[0]),
        Slip::new(BIAS_PER_LAYER, weights + sizes.len() - 1),
        Slip::new(BIAS_PER_INPUT, weights + before_last),
        Slip::new(UNITS, sizes.iter().sum()),
    ];
    if sizes.len() > 3 {
        slips.push(Slip::new(FIRST_TWO_LAYERS, parameters(&sizes[..3])));
    }
    slips
}

/// Layer sizes for an unseen case: `layers` of them, 2 to 6 units each but 1 to 4 outputs,
/// drawn again until the right count and every slip's differ.
fn layer_sizes(draw: &mut Draw, layers: usize) -> Vec<usize> {
    loop {
        let mut sizes: Vec<usize> = (1..layers).map(|_| draw.size(2, 6)).collect();
        sizes.push(draw.size(1, 4));
        let slips = parameter_slips(&sizes);
        let mut counts: Vec<usize> = slips.iter().map(|slip| slip.gives).collect();
        counts.push(parameters(&sizes));
        counts.sort_unstable();
        counts.dedup();
        if counts.len() == slips.len() + 1 {
            return sizes;
        }
    }
}

/// Lesson 5, exercise 2, hidden test: tries the learner's `parameters(sizes)`, the number of
/// weights and biases of a network whose layer sizes are `sizes` (input first; every layer
/// after the input has a weight from each unit before it and a bias per unit), on
/// [`UNSEEN_CASES`] networks drawn from `seed`: the first with 4 or 5 layers, the others with
/// 3 to 5. A wrong answer fails naming its slip: biases forgotten, biases on the input layer,
/// one bias per layer, biases counted by the layer's inputs, the units counted, or only the
/// first two layers of weights.
///
/// ```
/// use backprop::prelude::*;
/// fn parameters(sizes: &[usize]) -> usize {
///     (1..sizes.len()).map(|k| sizes[k - 1] * sizes[k] + sizes[k]).sum()
/// }
/// check_parameters_unseen(parameters, 10);
/// ```
pub fn check_parameters_unseen(answer: impl Fn(&[usize]) -> usize, seed: u64) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<usize>> = (0..UNSEEN_CASES)
        .map(|k| {
            let layers = if k == 0 {
                draw.size(4, 5)
            } else {
                draw.size(3, 5)
            };
            let sizes = layer_sizes(&mut draw, layers);
            Tried {
                inputs: format!("sizes = {sizes:?}"),
                actual: answer(&sizes),
                expected: parameters(&sizes),
                slips: parameter_slips(&sizes),
            }
        })
        .collect();
    check_tried("parameters", &tried, 0.0, PARAMETERS);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_hint, failure_message};

    /// The lesson's solution to exercise 1, with the sigmoid of each layer switchable.
    fn forward(
        x: &Array1<f64>,
        w_ih: &Array2<f64>,
        w_ho: &Array2<f64>,
        hidden_sigmoid: bool,
        output_sigmoid: bool,
    ) -> (Array1<f64>, Array1<f64>) {
        let sums = x.dot(w_ih);
        let a = if hidden_sigmoid { sigmoid(&sums) } else { sums };
        let z = a.dot(w_ho);
        (a, if output_sigmoid { sigmoid(&z) } else { z })
    }

    fn solution(
        x: &Array1<f64>,
        w_ih: &Array2<f64>,
        w_ho: &Array2<f64>,
    ) -> (Array1<f64>, Array1<f64>) {
        forward(x, w_ih, w_ho, true, true)
    }

    type Forward = fn(&Array1<f64>, &Array2<f64>, &Array2<f64>) -> (Array1<f64>, Array1<f64>);

    fn forward_failure(answer: Forward) -> String {
        failure_message(|| check_forward_by_hand_unseen(answer, 41))
    }

    #[test]
    fn the_forward_check_passes_the_lessons_solution_on_many_seeds() {
        for seed in 0..20 {
            check_forward_by_hand_unseen(solution, seed);
        }
    }

    #[test]
    fn the_forward_check_expects_the_lessons_numbers_on_the_lessons_network() {
        let mut rng = crate::random::NumpyRandom::seed(42);
        let x = rng.randn(4);
        let (w_ih, w_ho) = (
            rng.normal_matrix(0.0, 0.1, 4, 3),
            rng.normal_matrix(0.0, 0.1, 3, 2),
        );
        let ((a, _), (y_hat, _)) = forward_with_slips(&Network { x, w_ih, w_ho });
        let close =
            |a: &Array1<f64>, b: &[f64]| a.iter().zip(b).all(|(a, b)| (a - b).abs() < 1e-15);
        assert!(close(
            &a,
            &[0.41492192287919555, 0.4260431278994376, 0.5002434041266636]
        ));
        assert!(close(&y_hat, &[0.4981519553173773, 0.4853977214813219]));
    }

    #[test]
    fn the_forward_check_fails_the_lessons_answer_typed_in() {
        let msg = forward_failure(|_, _, _| {
            (
                ndarray::array![0.41492192287919555, 0.4260431278994376, 0.5002434041266636],
                ndarray::array![0.4981519553173773, 0.4853977214813219],
            )
        });
        assert!(
            msg.starts_with("✗ hidden-layer output, unseen case 1 of 3: x = ["),
            "{msg}"
        );
    }

    #[test]
    fn the_forward_check_names_each_slip() {
        let fails = |answer: Forward, part: &str, hint: &str| {
            let msg = forward_failure(answer);
            assert!(
                msg.starts_with(&format!("✗ {part}, unseen case 1")),
                "{msg}"
            );
            assert_hint(&msg, hint);
        };
        fails(
            |x, w_ih, w_ho| forward(x, w_ih, w_ho, false, true),
            "hidden-layer output",
            HIDDEN_SUMS,
        );
        fails(
            |x, w_ih, w_ho| {
                let (a, y_hat) = solution(x, w_ih, w_ho);
                (y_hat, a)
            },
            "hidden-layer output",
            HIDDEN_SWAPPED,
        );
        fails(
            |x, w_ih, w_ho| forward(x, w_ih, w_ho, true, false),
            "output-layer output",
            OUTPUT_SUMS,
        );
        fails(
            |x, w_ih, w_ho| {
                let (a, _) = solution(x, w_ih, w_ho);
                (a, sigmoid(&x.dot(w_ih).dot(w_ho)))
            },
            "output-layer output",
            OUTPUT_FROM_HIDDEN_SUMS,
        );
        fails(
            |x, w_ih, w_ho| {
                let (a, _) = solution(x, w_ih, w_ho);
                (a, x.dot(w_ih).dot(w_ho))
            },
            "output-layer output",
            OUTPUT_NO_SIGMOID,
        );
    }

    #[test]
    fn a_transposed_matrix_or_x_fed_to_the_output_layer_fails_by_shape() {
        let mut draw = Draw::new(4);
        for _ in 0..200 {
            let net = network(&mut draw);
            let (n_in, n_hidden) = net.w_ih.dim();
            let n_out = net.w_ho.ncols();
            assert!(n_in != n_hidden && n_hidden != n_out && n_in != n_out);
        }
        let answers: [Forward; 3] = [
            |x, w_ih, w_ho| solution(x, &w_ih.t().to_owned(), w_ho),
            |x, w_ih, w_ho| solution(x, w_ih, &w_ho.t().to_owned()),
            |x, w_ih, w_ho| (sigmoid(&x.dot(w_ih)), sigmoid(&x.dot(w_ho))),
        ];
        for answer in answers {
            let run = std::panic::catch_unwind(|| check_forward_by_hand_unseen(answer, 41));
            assert!(run.is_err());
        }
    }

    #[test]
    fn no_two_forward_slips_give_the_same_wrong_answer() {
        let far = |a: &Array1<f64>, b: &Array1<f64>| {
            a.len() != b.len() || (a - b).iter().any(|d| d.abs() > 1e-9)
        };
        let mut draw = Draw::new(6);
        for _ in 0..100 {
            let ((a, a_slips), (y_hat, y_hat_slips)) = forward_with_slips(&network(&mut draw));
            for (right, slips) in [(a, a_slips), (y_hat, y_hat_slips)] {
                for (k, s) in slips.iter().enumerate() {
                    assert!(far(&s.gives, &right), "{}", s.hint);
                    for t in &slips[k + 1..] {
                        assert!(far(&s.gives, &t.gives), "{} / {}", s.hint, t.hint);
                    }
                }
            }
        }
    }

    fn counted(sizes: &[usize]) -> usize {
        let mut count = 0;
        for k in 1..sizes.len() {
            count += sizes[k - 1] * sizes[k] + sizes[k];
        }
        count
    }

    #[test]
    fn the_parameter_count_is_an_mlps_weights_plus_a_bias_per_unit() {
        assert_eq!(parameters(&[4, 3, 2]), 23);
        for (n_in, n_hidden, n_out) in [(4, 3, 2), (6, 2, 1), (2, 5, 3)] {
            let net = Mlp::random(n_in, n_hidden, n_out, 1);
            assert_eq!(
                parameters(&[n_in, n_hidden, n_out]),
                net.w_ih.len() + net.w_ho.len() + n_hidden + n_out
            );
        }
    }

    #[test]
    fn the_parameter_check_passes_the_lessons_solution_on_many_seeds() {
        for seed in 0..50 {
            check_parameters_unseen(counted, seed);
        }
    }

    #[test]
    fn the_parameter_check_fails_the_lessons_answer_typed_in() {
        // A constant may happen to equal what a slip gives (counts are small whole numbers),
        // so only the failure is asserted, not its hint.
        for seed in 0..20 {
            let msg = failure_message(|| check_parameters_unseen(|_| 23, seed));
            assert!(
                msg.starts_with("✗ parameters, unseen case 1 of 3: sizes = ["),
                "{msg}"
            );
        }
    }

    #[test]
    fn the_parameter_check_names_each_slip() {
        let fails = |answer: fn(&[usize]) -> usize, hint: &str| {
            let msg = failure_message(|| check_parameters_unseen(answer, 43));
            assert_hint(&msg, hint);
        };
        fails(|s| s.windows(2).map(|p| p[0] * p[1]).sum(), NO_BIASES);
        fails(|s| counted(s) + s[0], INPUT_BIASES);
        fails(
            |s| s.windows(2).map(|p| p[0] * p[1] + 1).sum(),
            BIAS_PER_LAYER,
        );
        fails(
            |s| s.windows(2).map(|p| p[0] * p[1] + p[0]).sum(),
            BIAS_PER_INPUT,
        );
        fails(|s| s.iter().sum(), UNITS);
        fails(
            |s| s[0] * s[1] + s[1] + s[1] * s[2] + s[2],
            FIRST_TWO_LAYERS,
        );
    }

    #[test]
    fn drawn_sizes_keep_every_slip_apart() {
        let mut draw = Draw::new(8);
        for layers in [3, 4, 5].into_iter().cycle().take(300) {
            let sizes = layer_sizes(&mut draw, layers);
            assert_eq!(sizes.len(), layers);
            assert!(sizes.iter().all(|&s| (1..=6).contains(&s)));
            let right = parameters(&sizes);
            assert_eq!(right, counted(&sizes));
            let slips = parameter_slips(&sizes);
            for (k, s) in slips.iter().enumerate() {
                assert_ne!(s.gives, right, "{sizes:?}: {}", s.hint);
                for t in &slips[k + 1..] {
                    assert_ne!(s.gives, t.gives, "{sizes:?}: {} / {}", s.hint, t.hint);
                }
            }
        }
    }
}
