//! Checks of particular exercises. Each tries the learner's own function on several cases,
//! chosen so that every likely slip changes the answer in at least one of them, and names the
//! slip when a wrong answer is what that slip gives.
//!
//! Lesson 4: [`check_unit_epoch`]. Lesson 7: [`check_backprop_epoch`]. Lesson 8:
//! [`check_relu_hidden_step`].

use crate::activation::{relu, relu_prime, sigmoid, Activation};
use crate::check::{check_slips, check_slips_within, Slip};
use crate::mlp::Mlp;
use crate::random::NumpyRandom;
use crate::train::{mlp_epoch, unit_epoch};
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

/// How closely a learner's epoch must agree with the library's: the same arithmetic in
/// another order differs in the last bits, a slip in far more.
const EPOCH_TOLERANCE: f64 = 1e-12;

const UNIT_EPOCH: &str = "for every record ŷ = σ(x · w) and δ = (y − ŷ) · ŷ · (1 − ŷ); add up \
    δ · x over all records, each with the weights the epoch started from, then return \
    w + η · (that sum) / n";
const UNIT_ETA_FORGOTTEN: &str =
    "η is missing: the weights move by η times the mean step, w + η · Σ δ·x / n";
const SUM_FOR_MEAN: &str = "the weights moved by the sum of the records' steps, not their mean: \
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
    name: &'static str,
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
            name: "w after one epoch on 3 records, η = 0.3",
            features: array![[1.0, 2.0], [0.5, -1.0], [-1.5, 0.5]],
            targets: array![1.0, 0.0, 1.0],
            w: array![0.2, -0.4],
            eta: 0.3,
        },
        UnitCase {
            name: "w after one epoch on 5 records with 3 features, η = 0.07",
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
            name: "w after one epoch on 8 random records with 4 features, η = 1.3",
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
            case.name,
            &actual,
            &expected,
            EPOCH_TOLERANCE,
            &slips,
            UNIT_EPOCH,
        );
    }
}

const BACKPROP_EPOCH: &str = "for every record a = σ(x · W_ih), ŷ = σ(a · w_o), \
    δ° = (y − ŷ) · ŷ · (1 − ŷ) and δʰ = δ° · w_o · a · (1 − a); add δ° · a to the sum for W_ho \
    and x δʰ (x[i] · δʰ[j] at row i, column j) to the sum for W_ih; then move each matrix by \
    η · (its sum) / n";
const BACKPROP_ETA_FORGOTTEN: &str =
    "η is missing: each weight matrix moves by η times its mean step, η · (sum) / n";
const BACKPROP_SIGN_FLIPPED: &str = "the weights moved the wrong way: with \
    δ° = (y − ŷ) · ŷ · (1 − ŷ) the steps η · (sum) / n are added to the weights";
const OUTPUT_SLOPE_DROPPED: &str = "the output's sigmoid slope is missing: \
    δ° = (y − ŷ) · ŷ · (1 − ŷ), not y − ŷ";
const HIDDEN_SLOPE_DROPPED: &str = "the hidden units' sigmoid slope is missing: \
    δʰ = δ° · w_o · a · (1 − a), not δ° · w_o";
const BACKPROP_OUTPUT_WEIGHT_FORGOTTEN: &str = "the output weight is missing from δʰ: the error \
    reaches hidden unit j through w_o[j], so δʰ[j] = δ° · w_o[j] · a[j] · (1 − a[j])";
const HIDDEN_STEP_TRANSPOSED: &str = "the hidden step is δʰ xᵀ, transposed: W_ih has one row per \
    input and one column per hidden unit, so the step x δʰ has x[i] · δʰ[j] at row i, column j";

/// One call of the learner's epoch for a sigmoid network with one hidden layer.
struct NetCase {
    name: &'static str,
    net: Mlp,
    features: Array2<f64>,
    targets: Array1<f64>,
    eta: f64,
}

fn sigmoid_net(w_ih: Array2<f64>, w_ho: Array2<f64>) -> Mlp {
    Mlp::from_weights(w_ih, w_ho).expect("the cases' shapes agree")
}

/// The cases, in the order they are tried: 2 inputs and 2 hidden units (W_ih is square, so
/// the transposed step δʰ xᵀ fits and shows by its value), 3 inputs and 2 hidden units, and
/// 4 inputs and 3 hidden units drawn at random. The learning rates (0.3, 0.07, 1.3) are not
/// 0.5, not 1 / n and not n.
fn net_cases() -> Vec<NetCase> {
    let mut rng = NumpyRandom::seed(11);
    let features = rng.normal_matrix(0.0, 1.0, 6, 4);
    let w_ih = rng.normal_matrix(0.0, 0.5, 4, 3);
    let w_ho = rng.normal_matrix(0.0, 0.5, 3, 1);
    vec![
        NetCase {
            name: "2 inputs, 2 hidden units, 3 records, η = 0.3",
            net: sigmoid_net(array![[0.4, -0.7], [0.9, 0.2]], array![[0.6], [-1.1]]),
            features: array![[1.0, -0.5], [0.3, 0.8], [-1.2, 0.4]],
            targets: array![1.0, 0.0, 1.0],
            eta: 0.3,
        },
        NetCase {
            name: "3 inputs, 2 hidden units, 4 records, η = 0.07",
            net: sigmoid_net(
                array![[0.5, -0.2], [-0.8, 0.3], [0.1, 0.9]],
                array![[1.2], [-0.4]],
            ),
            features: array![
                [0.2, 1.1, -0.7],
                [1.5, -0.3, 0.4],
                [-0.8, 0.9, 1.2],
                [0.1, -1.4, 0.6]
            ],
            targets: array![0.0, 1.0, 1.0, 0.0],
            eta: 0.07,
        },
        NetCase {
            name: "4 inputs, 3 hidden units, 6 random records, η = 1.3",
            net: sigmoid_net(w_ih, w_ho),
            features,
            targets: array![1.0, 0.0, 0.0, 1.0, 1.0, 0.0],
            eta: 1.3,
        },
    ]
}

/// A slip in the per-record body of lesson 7's epoch.
#[derive(Clone, Copy, PartialEq)]
enum BodySlip {
    OutputSlopeDropped,
    HiddenSlopeDropped,
    OutputWeightForgotten,
    Transposed,
}

/// Lesson 7's epoch written out with one slip in the per-record body.
fn net_epoch_with(case: &NetCase, slip: BodySlip) -> Mlp {
    let net = &case.net;
    let w_o = net.w_ho.column(0);
    let mut del_ih = Array2::<f64>::zeros(net.w_ih.dim());
    let mut del_ho = Array1::<f64>::zeros(net.n_hidden());
    for (x, &y) in case.features.rows().into_iter().zip(&case.targets) {
        let a = sigmoid(&x.dot(&net.w_ih));
        let y_hat = sigmoid(a.dot(&w_o));
        let delta_o = match slip {
            BodySlip::OutputSlopeDropped => y - y_hat,
            _ => (y - y_hat) * y_hat * (1.0 - y_hat),
        };
        let back = match slip {
            BodySlip::OutputWeightForgotten => Array1::from_elem(a.len(), delta_o),
            _ => &w_o * delta_o,
        };
        let delta_h = match slip {
            BodySlip::HiddenSlopeDropped => back,
            _ => &back * &a * &(1.0 - &a),
        };
        del_ho += &(&a * delta_o);
        let column = x.insert_axis(Axis(1));
        let row = delta_h.view().insert_axis(Axis(0));
        match slip {
            BodySlip::Transposed => del_ih += &row.t().dot(&column.t()),
            _ => del_ih += &column.dot(&row),
        }
    }
    let n = case.features.nrows() as f64;
    let mut next = net.clone();
    next.w_ih.scaled_add(case.eta / n, &del_ih);
    next.w_ho.column_mut(0).scaled_add(case.eta / n, &del_ho);
    next
}

/// What each slip gives on `case`, beside the right answer `expected`: the whole network, so
/// that W_ih and W_ho can each be checked.
fn net_slips(case: &NetCase, expected: &Mlp) -> Vec<(&'static str, Mlp)> {
    let n = case.features.nrows() as f64;
    let start = &case.net;
    let moved = |by: f64| {
        let mut net = start.clone();
        net.w_ih.scaled_add(by, &(&expected.w_ih - &start.w_ih));
        net.w_ho.scaled_add(by, &(&expected.w_ho - &start.w_ho));
        net
    };
    let mut slips = vec![
        (BACKPROP_ETA_FORGOTTEN, moved(1.0 / case.eta)),
        (SUM_FOR_MEAN, moved(n)),
        (BACKPROP_SIGN_FLIPPED, moved(-1.0)),
        (
            OUTPUT_SLOPE_DROPPED,
            net_epoch_with(case, BodySlip::OutputSlopeDropped),
        ),
        (
            HIDDEN_SLOPE_DROPPED,
            net_epoch_with(case, BodySlip::HiddenSlopeDropped),
        ),
        (
            BACKPROP_OUTPUT_WEIGHT_FORGOTTEN,
            net_epoch_with(case, BodySlip::OutputWeightForgotten),
        ),
    ];
    if start.n_input() == start.n_hidden() {
        slips.push((
            HIDDEN_STEP_TRANSPOSED,
            net_epoch_with(case, BodySlip::Transposed),
        ));
    }
    slips
}

/// Lesson 7, the exercise on the training loop: checks the learner's
/// `epoch(net, features, targets, eta)`, one epoch of full-batch backpropagation on a sigmoid
/// network with one hidden layer and one output (each record's steps added up, each weight
/// matrix moved by η times its mean step), on three cases of its own. The answers come from
/// the epoch [`train_mlp`](crate::train::train_mlp) runs, and must agree to 1e-12. Prints a
/// `✓` line for W_ih and one for W_ho per case; a wrong answer fails naming the slip it shows:
/// a forgotten η, the sum for the mean, a flipped sign, a dropped σ′ at the output or at the
/// hidden units, a forgotten output weight, or the hidden step δʰ xᵀ where x δʰ belongs.
///
/// ```
/// use backprop::prelude::*;
/// fn epoch(net: &Mlp, features: &Array2<f64>, targets: &Array1<f64>, eta: f64) -> Mlp {
///     let w_o = net.w_ho.column(0);
///     let mut del_ih = Array2::<f64>::zeros(net.w_ih.dim());
///     let mut del_ho = Array1::<f64>::zeros(net.n_hidden());
///     for (x, &y) in features.rows().into_iter().zip(targets) {
///         let a = sigmoid(&x.dot(&net.w_ih));
///         let y_hat = sigmoid(a.dot(&w_o));
///         let delta_o = (y - y_hat) * y_hat * (1.0 - y_hat);
///         let delta_h = delta_o * &w_o * &a * &(1.0 - &a);
///         del_ho += &(delta_o * &a);
///         del_ih += &x.insert_axis(Axis(1)).dot(&delta_h.insert_axis(Axis(0)));
///     }
///     let n = features.nrows() as f64;
///     let mut next = net.clone();
///     next.w_ih += &(eta * &del_ih / n);
///     next.w_ho += &(eta * &del_ho.insert_axis(Axis(1)) / n);
///     next
/// }
/// check_backprop_epoch(epoch);
/// ```
pub fn check_backprop_epoch(epoch: impl Fn(&Mlp, &Array2<f64>, &Array1<f64>, f64) -> Mlp) {
    for case in net_cases() {
        let mut expected = case.net.clone();
        mlp_epoch(&mut expected, &case.features, &case.targets, case.eta);
        let actual = epoch(&case.net, &case.features, &case.targets, case.eta);
        let slips = net_slips(&case, &expected);
        let only = |pick: fn(&Mlp) -> &Array2<f64>| -> Vec<Slip<Array2<f64>>> {
            slips
                .iter()
                .map(|(hint, net)| Slip::new(*hint, pick(net).clone()))
                .collect()
        };
        check_slips_within(
            &format!("W_ih after one epoch, {}", case.name),
            &actual.w_ih,
            &expected.w_ih,
            EPOCH_TOLERANCE,
            &only(|net| &net.w_ih),
            BACKPROP_EPOCH,
        );
        check_slips_within(
            &format!("W_ho after one epoch, {}", case.name),
            &actual.w_ho,
            &expected.w_ho,
            EPOCH_TOLERANCE,
            &only(|net| &net.w_ho),
            BACKPROP_EPOCH,
        );
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

#[cfg(test)]
mod epoch_tests {
    use super::*;
    use crate::train::{train_mlp, train_unit, LossReport};

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
        crate::check::failure_message(|| check_unit_epoch(epoch))
    }

    fn assert_unit_fails_with(slip: UnitAnswer, hint: &str) {
        let msg = unit_failure(unit_answer(slip));
        assert!(msg.starts_with("✗ w after one epoch on 3 records"), "{msg}");
        assert!(msg.ends_with(&format!("\n  Hint: {hint}")), "{msg}");
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
        assert!(msg.ends_with(&format!("\n  Hint: {UNIT_EPOCH}")), "{msg}");
    }

    /// One way of writing lesson 7's epoch, correct unless it makes a slip.
    #[derive(Clone, Copy, PartialEq)]
    enum NetAnswer {
        Correct,
        WithoutEta,
        SumForMean,
        WithFlippedSign,
        WithoutOutputSlope,
        WithoutHiddenSlope,
        WithoutOutputWeight,
        TransposedHiddenStep,
    }

    /// Lesson 7's solution, with `answer`'s slip applied to it.
    fn net_answer(answer: NetAnswer) -> impl Fn(&Mlp, &Array2<f64>, &Array1<f64>, f64) -> Mlp {
        use NetAnswer::*;
        move |net, features, targets, eta| {
            let w_o = net.w_ho.column(0);
            let mut del_ih = Array2::<f64>::zeros(net.w_ih.dim());
            let mut del_ho = Array1::<f64>::zeros(net.n_hidden());
            for (x, &y) in features.rows().into_iter().zip(targets) {
                let a = sigmoid(&x.dot(&net.w_ih));
                let y_hat = sigmoid(a.dot(&w_o));
                let error = if answer == WithFlippedSign {
                    y_hat - y
                } else {
                    y - y_hat
                };
                let delta_o = if answer == WithoutOutputSlope {
                    error
                } else {
                    error * y_hat * (1.0 - y_hat)
                };
                let back = if answer == WithoutOutputWeight {
                    Array1::from_elem(a.len(), delta_o)
                } else {
                    delta_o * &w_o
                };
                let delta_h = if answer == WithoutHiddenSlope {
                    back
                } else {
                    back * &a * &(1.0 - &a)
                };
                del_ho += &(delta_o * &a);
                let (column, row) = (x.insert_axis(Axis(1)), delta_h.insert_axis(Axis(0)));
                if answer == TransposedHiddenStep {
                    del_ih += &row.t().dot(&column.t());
                } else {
                    del_ih += &column.dot(&row);
                }
            }
            let eta = if answer == WithoutEta { 1.0 } else { eta };
            let n = if answer == SumForMean {
                1.0
            } else {
                features.nrows() as f64
            };
            let mut next = net.clone();
            next.w_ih += &(eta * &del_ih / n);
            next.w_ho += &(eta * &del_ho.insert_axis(Axis(1)) / n);
            next
        }
    }

    fn net_failure(epoch: impl Fn(&Mlp, &Array2<f64>, &Array1<f64>, f64) -> Mlp) -> String {
        crate::check::failure_message(|| check_backprop_epoch(epoch))
    }

    fn assert_net_fails_with(slip: NetAnswer, matrix: &str, hint: &str) {
        let msg = net_failure(net_answer(slip));
        let name = format!("✗ {matrix} after one epoch, 2 inputs, 2 hidden units");
        assert!(msg.starts_with(&name), "{msg}");
        assert!(msg.ends_with(&format!("\n  Hint: {hint}")), "{msg}");
    }

    #[test]
    fn backprop_epoch_check_passes_the_lessons_solution() {
        check_backprop_epoch(net_answer(NetAnswer::Correct));
    }

    #[test]
    fn backprop_epoch_check_expects_what_train_mlp_gives_after_one_epoch() {
        for case in net_cases() {
            let (trained, _) = train_mlp(
                case.net.clone(),
                &case.features,
                &case.targets,
                1,
                case.eta,
                LossReport::Correct,
            )
            .unwrap();
            let mine =
                net_answer(NetAnswer::Correct)(&case.net, &case.features, &case.targets, case.eta);
            for (t, m) in [(&trained.w_ih, &mine.w_ih), (&trained.w_ho, &mine.w_ho)] {
                assert!(
                    (t - m).iter().all(|d| d.abs() < 1e-15),
                    "{}: {t} / {m}",
                    case.name
                );
            }
            assert!((&trained.w_ih - &case.net.w_ih)
                .iter()
                .all(|d| d.abs() > 1e-6));
            assert!((&trained.w_ho - &case.net.w_ho)
                .iter()
                .all(|d| d.abs() > 1e-6));
        }
    }

    #[test]
    fn backprop_epoch_check_fails_when_the_learning_rate_is_forgotten() {
        assert_net_fails_with(NetAnswer::WithoutEta, "W_ih", BACKPROP_ETA_FORGOTTEN);
    }

    #[test]
    fn backprop_epoch_check_fails_when_the_sum_stands_for_the_mean() {
        assert_net_fails_with(NetAnswer::SumForMean, "W_ih", SUM_FOR_MEAN);
    }

    #[test]
    fn backprop_epoch_check_fails_when_the_sign_is_flipped() {
        assert_net_fails_with(NetAnswer::WithFlippedSign, "W_ih", BACKPROP_SIGN_FLIPPED);
    }

    #[test]
    fn backprop_epoch_check_fails_when_the_output_slope_is_dropped() {
        assert_net_fails_with(NetAnswer::WithoutOutputSlope, "W_ih", OUTPUT_SLOPE_DROPPED);
    }

    #[test]
    fn backprop_epoch_check_fails_when_the_hidden_slope_is_dropped() {
        assert_net_fails_with(NetAnswer::WithoutHiddenSlope, "W_ih", HIDDEN_SLOPE_DROPPED);
    }

    #[test]
    fn backprop_epoch_check_fails_when_the_output_weight_is_forgotten() {
        assert_net_fails_with(
            NetAnswer::WithoutOutputWeight,
            "W_ih",
            BACKPROP_OUTPUT_WEIGHT_FORGOTTEN,
        );
    }

    #[test]
    fn backprop_epoch_check_fails_when_the_hidden_step_is_transposed() {
        assert_net_fails_with(
            NetAnswer::TransposedHiddenStep,
            "W_ih",
            HIDDEN_STEP_TRANSPOSED,
        );
    }

    #[test]
    fn backprop_epoch_check_fails_on_w_ho_when_only_the_output_step_is_wrong() {
        let epoch = |net: &Mlp, features: &Array2<f64>, targets: &Array1<f64>, eta: f64| {
            let mut next = net_answer(NetAnswer::Correct)(net, features, targets, eta);
            next.w_ho = net.w_ho.clone();
            next
        };
        let msg = net_failure(epoch);
        assert!(msg.starts_with("✗ W_ho after one epoch, 2 inputs"), "{msg}");
        assert!(
            msg.ends_with(&format!("\n  Hint: {BACKPROP_EPOCH}")),
            "{msg}"
        );
    }

    #[test]
    fn no_two_epoch_slips_give_the_same_wrong_answer() {
        let far = |a: &Array1<f64>, b: &Array1<f64>| (a - b).iter().any(|d| d.abs() > 1e-9);
        for case in unit_cases() {
            let mut expected = case.w.clone();
            unit_epoch(&case.features, &case.targets, &mut expected, case.eta);
            let slips = unit_slips(&case, &expected);
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
        let far2 = |a: &Mlp, b: &Mlp| {
            (&a.w_ih - &b.w_ih)
                .iter()
                .chain((&a.w_ho - &b.w_ho).iter())
                .any(|d| d.abs() > 1e-9)
        };
        for case in net_cases() {
            let mut expected = case.net.clone();
            mlp_epoch(&mut expected, &case.features, &case.targets, case.eta);
            let slips = net_slips(&case, &expected);
            for (k, (hint_a, a)) in slips.iter().enumerate() {
                assert!(far2(a, &expected), "{}: {hint_a}", case.name);
                for (hint_b, b) in &slips[k + 1..] {
                    assert!(far2(a, b), "{}: {hint_a} / {hint_b}", case.name);
                }
            }
        }
    }
}
