//! Lesson 7 (backpropagation on the admissions data): exercise 1, one epoch of a network
//! ([`check_backprop_epoch`], [`check_backprop_epoch_unseen`]); exercise 2, the training MSE
//! of a network ([`check_network_mse_unseen`]).

use super::admissions::SUM_FOR_MEAN;
use super::{Draw, EPOCH_TOLERANCE, Slip, Tried, UNSEEN_CASES, check_tried};
use crate::activation::sigmoid;
use crate::check::check_slips_within;
use crate::mlp::Mlp;
use crate::random::NumpyRandom;
use crate::train::{LossReport, mlp_epoch, mlp_mse};
use ndarray::{Array1, Array2, Axis, array};

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
    name: String,
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
            name: "2 inputs, 2 hidden units, 3 records, η = 0.3".into(),
            net: sigmoid_net(array![[0.4, -0.7], [0.9, 0.2]], array![[0.6], [-1.1]]),
            features: array![[1.0, -0.5], [0.3, 0.8], [-1.2, 0.4]],
            targets: array![1.0, 0.0, 1.0],
            eta: 0.3,
        },
        NetCase {
            name: "3 inputs, 2 hidden units, 4 records, η = 0.07".into(),
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
            name: "4 inputs, 3 hidden units, 6 random records, η = 1.3".into(),
            net: sigmoid_net(w_ih, w_ho),
            features,
            targets: array![1.0, 0.0, 0.0, 1.0, 1.0, 0.0],
            eta: 1.3,
        },
    ]
}

/// A case drawn from `draw`: 2 to 4 inputs and as many hidden units, 3 to 6 records with
/// targets of 0 and 1, and η from [`Draw::rate`]. W_ih is square, as in the visible check's
/// first case: a transposed hidden step then fits it and shows by its value, where with more
/// inputs than hidden units it would stop the learner's epoch with a shape error before any
/// case could be checked.
fn drawn_net_case(draw: &mut Draw) -> NetCase {
    let units = draw.size(2, 4);
    let n = draw.size(3, 6);
    let w_ih = draw.matrix(units, units, 0.5);
    let w_ho = draw.matrix(units, 1, 0.8);
    let features = draw.matrix(n, units, 1.0);
    let targets = draw.labels(n);
    let eta = draw.rate();
    NetCase {
        name: format!(
            "W_ih = {w_ih:.3}, W_ho = {w_ho:.3}, features = {features:.3}, targets = {targets}, \
             η = {eta:.3}"
        ),
        net: sigmoid_net(w_ih, w_ho),
        features,
        targets,
        eta,
    }
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

/// Lesson 7, exercise 1, hidden test: tries the learner's `epoch(net, features, targets, eta)`
/// as [`check_backprop_epoch`] does, on [`UNSEEN_CASES`] networks, records and learning rates
/// drawn from `seed`. Prints one `✓` line for W_ih and one for W_ho; a wrong answer fails
/// naming the case and the slip it shows, as [`check_backprop_epoch`] does.
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
/// check_backprop_epoch_unseen(epoch, 3);
/// ```
pub fn check_backprop_epoch_unseen(
    epoch: impl Fn(&Mlp, &Array2<f64>, &Array1<f64>, f64) -> Mlp,
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let (ih, ho): (Vec<_>, Vec<_>) = (0..UNSEEN_CASES)
        .map(|_| {
            let case = drawn_net_case(&mut draw);
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
            (
                Tried {
                    inputs: case.name.clone(),
                    actual: actual.w_ih,
                    expected: expected.w_ih,
                    slips: only(|net| &net.w_ih),
                },
                Tried {
                    inputs: case.name,
                    actual: actual.w_ho,
                    expected: expected.w_ho,
                    slips: only(|net| &net.w_ho),
                },
            )
        })
        .unzip();
    check_tried("W_ih after one epoch", &ih, EPOCH_TOLERANCE, BACKPROP_EPOCH);
    check_tried("W_ho after one epoch", &ho, EPOCH_TOLERANCE, BACKPROP_EPOCH);
}

const NETWORK_MSE: &str = "predict every record with the forward pass, a = σ(x · W_ih) and \
    ŷ = σ(a · w_o), square each error ŷ − y, and average over all the records";
const MSE_SUM: &str = "this is the sum of the squared errors: the MSE divides it by the \
    number of records";
const MSE_HALF: &str = "this is ½·MSE, the loss the epoch's steps descend: the report is the \
    plain MSE, without the ½";
const MSE_ROOT: &str = "this is the square root of the MSE: the MSE is the mean of the squared \
    errors itself, not its root";
const MSE_LAST_RECORD: &str = "this is the original course's slip: the last record's prediction \
    compared with every target; predict each record from its own features";
const MSE_NOT_SQUARED: &str = "the errors were averaged without squaring them: square each \
    error first, so that too-high and too-low predictions cannot cancel";
const MSE_ABSOLUTE: &str = "this is the mean of the errors' sizes |ŷ − y|: square each error \
    instead";

/// How closely a learner's MSE must agree with [`mlp_mse`]: the same sum in another order.
const MSE_TOLERANCE: f64 = 1e-9;

/// A network and records drawn from `draw` for exercise 2: 2 to 4 inputs, 2 or 3 hidden
/// units, weights large enough that the predictions spread out (so the errors' sizes differ
/// and their mean is not the MSE's root), and 5 to 8 records with targets of 0 and 1.
fn drawn_network(draw: &mut Draw) -> (Mlp, Array2<f64>, Array1<f64>) {
    let inputs = draw.size(2, 4);
    let hidden = draw.size(2, 3);
    let n = draw.size(5, 8);
    let net = sigmoid_net(
        draw.matrix(inputs, hidden, 1.0),
        draw.matrix(hidden, 1, 2.0),
    );
    (net, draw.matrix(n, inputs, 1.0), draw.labels(n))
}

/// What each slip gives on a network and its records, beside the right answer `expected`.
fn mse_slips(
    net: &Mlp,
    features: &Array2<f64>,
    targets: &Array1<f64>,
    expected: f64,
) -> Vec<Slip<f64>> {
    let n = targets.len() as f64;
    let errors: Array1<f64> = features
        .rows()
        .into_iter()
        .zip(targets)
        .map(|(x, y)| sigmoid(sigmoid(&x.dot(&net.w_ih)).dot(&net.w_ho.column(0))) - y)
        .collect();
    let last = LossReport::AsOriginal
        .loss(net, features, targets)
        .expect("a drawn network fits its records");
    vec![
        Slip::new(MSE_SUM, expected * n),
        Slip::new(MSE_HALF, expected / 2.0),
        Slip::new(MSE_ROOT, expected.sqrt()),
        Slip::new(MSE_LAST_RECORD, last),
        Slip::new(MSE_NOT_SQUARED, errors.sum() / n),
        Slip::new(MSE_NOT_SQUARED, -errors.sum() / n),
        Slip::new(MSE_ABSOLUTE, errors.mapv(f64::abs).sum() / n),
    ]
}

/// Lesson 7, exercise 2, hidden test: tries the learner's `network_mse(net, features, targets)`,
/// the MSE of a sigmoid network with one output over every record, on [`UNSEEN_CASES`]
/// networks and records drawn from `seed`. The answers come from [`mlp_mse`], to 1e-9. A
/// wrong answer fails naming its slip: the sum for the mean, ½·MSE, the MSE's root, the
/// original course's last-record report, the errors not squared, or their sizes averaged.
///
/// ```
/// use backprop::prelude::*;
/// fn network_mse(net: &Mlp, features: &Array2<f64>, targets: &Array1<f64>) -> f64 {
///     let mut total = 0.0;
///     for (x, y) in features.rows().into_iter().zip(targets) {
///         let a = sigmoid(&x.dot(&net.w_ih));
///         let y_hat = sigmoid(a.dot(&net.w_ho.column(0)));
///         total += (y_hat - y).powi(2);
///     }
///     total / targets.len() as f64
/// }
/// check_network_mse_unseen(network_mse, 5);
/// ```
pub fn check_network_mse_unseen(
    answer: impl Fn(&Mlp, &Array2<f64>, &Array1<f64>) -> f64,
    seed: u64,
) {
    let mut draw = Draw::new(seed);
    let tried: Vec<Tried<f64>> = (0..UNSEEN_CASES)
        .map(|_| {
            let (net, features, targets) = drawn_network(&mut draw);
            let expected =
                mlp_mse(&net, &features, &targets).expect("a drawn network fits its records");
            Tried {
                inputs: format!(
                    "W_ih = {:.3}, W_ho = {:.3}, features = {features:.3}, targets = {targets}",
                    net.w_ih, net.w_ho
                ),
                actual: answer(&net, &features, &targets),
                expected,
                slips: mse_slips(&net, &features, &targets, expected),
            }
        })
        .collect();
    check_tried("training MSE", &tried, MSE_TOLERANCE, NETWORK_MSE);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_hint, failure_message};
    use crate::train::{LossReport, train_mlp};

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
        failure_message(|| check_backprop_epoch(epoch))
    }

    fn assert_net_fails_with(slip: NetAnswer, matrix: &str, hint: &str) {
        let msg = net_failure(net_answer(slip));
        let name = format!("✗ {matrix} after one epoch, 2 inputs, 2 hidden units");
        assert!(msg.starts_with(&name), "{msg}");
        assert_hint(&msg, hint);
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
            assert!(
                (&trained.w_ih - &case.net.w_ih)
                    .iter()
                    .all(|d| d.abs() > 1e-6)
            );
            assert!(
                (&trained.w_ho - &case.net.w_ho)
                    .iter()
                    .all(|d| d.abs() > 1e-6)
            );
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
        assert_hint(&msg, BACKPROP_EPOCH);
    }

    #[test]
    fn no_two_backprop_epoch_slips_give_the_same_wrong_answer() {
        let far = |a: &Mlp, b: &Mlp| {
            (&a.w_ih - &b.w_ih)
                .iter()
                .chain((&a.w_ho - &b.w_ho).iter())
                .any(|d| d.abs() > 1e-9)
        };
        let mut draw = Draw::new(17);
        let drawn = (0..300).map(|_| drawn_net_case(&mut draw));
        for case in net_cases().into_iter().chain(drawn) {
            let mut expected = case.net.clone();
            mlp_epoch(&mut expected, &case.features, &case.targets, case.eta);
            let slips = net_slips(&case, &expected);
            for (k, (hint_a, a)) in slips.iter().enumerate() {
                assert!(far(a, &expected), "{}: {hint_a}", case.name);
                for (hint_b, b) in &slips[k + 1..] {
                    assert!(far(a, b), "{}: {hint_a} / {hint_b}", case.name);
                }
            }
        }
    }

    fn unseen_failure(epoch: impl Fn(&Mlp, &Array2<f64>, &Array1<f64>, f64) -> Mlp) -> String {
        failure_message(|| check_backprop_epoch_unseen(epoch, 2024))
    }

    #[test]
    fn the_unseen_epoch_check_passes_the_lessons_solution_on_many_seeds() {
        for seed in 0..30 {
            check_backprop_epoch_unseen(net_answer(NetAnswer::Correct), seed);
        }
    }

    #[test]
    fn the_unseen_epoch_check_names_each_slip() {
        use NetAnswer::*;
        for (slip, hint) in [
            (WithoutEta, BACKPROP_ETA_FORGOTTEN),
            (SumForMean, SUM_FOR_MEAN),
            (WithFlippedSign, BACKPROP_SIGN_FLIPPED),
            (WithoutOutputSlope, OUTPUT_SLOPE_DROPPED),
            (WithoutHiddenSlope, HIDDEN_SLOPE_DROPPED),
            (WithoutOutputWeight, BACKPROP_OUTPUT_WEIGHT_FORGOTTEN),
            (TransposedHiddenStep, HIDDEN_STEP_TRANSPOSED),
        ] {
            let msg = unseen_failure(net_answer(slip));
            assert!(
                msg.starts_with("✗ W_ih after one epoch, unseen case 1 of 3: W_ih = ["),
                "{msg}"
            );
            assert_hint(&msg, hint);
        }
    }

    #[test]
    fn the_unseen_epoch_check_fails_an_epoch_that_leaves_the_weights_alone() {
        let msg = unseen_failure(|net: &Mlp, _: &Array2<f64>, _: &Array1<f64>, _: f64| net.clone());
        assert!(
            msg.starts_with("✗ W_ih after one epoch, unseen case 1"),
            "{msg}"
        );
        assert_hint(&msg, BACKPROP_EPOCH);
    }

    #[test]
    fn the_unseen_epoch_check_fails_on_w_ho_when_only_the_output_step_is_wrong() {
        let msg = unseen_failure(
            |net: &Mlp, features: &Array2<f64>, targets: &Array1<f64>, eta| {
                let mut next = net_answer(NetAnswer::Correct)(net, features, targets, eta);
                next.w_ho = net.w_ho.clone();
                next
            },
        );
        assert!(
            msg.starts_with("✗ W_ho after one epoch, unseen case 1"),
            "{msg}"
        );
    }

    #[test]
    fn drawn_epoch_cases_are_square_with_several_records_and_a_drawn_rate() {
        let mut draw = Draw::new(5);
        for _ in 0..60 {
            let case = drawn_net_case(&mut draw);
            let (inputs, hidden) = case.net.w_ih.dim();
            assert!(
                inputs == hidden && (2..=4).contains(&inputs),
                "{}",
                case.name
            );
            assert!(case.features.nrows() >= 3);
            assert!((0.05..0.45).contains(&case.eta));
        }
    }

    /// Exercise 2's solution, with one slip applied to it.
    #[derive(Clone, Copy, PartialEq)]
    enum MseAnswer {
        Correct,
        Sum,
        Half,
        Root,
        LastRecord,
        NotSquared,
        Absolute,
    }

    fn mse_answer(answer: MseAnswer) -> impl Fn(&Mlp, &Array2<f64>, &Array1<f64>) -> f64 {
        use MseAnswer::*;
        move |net, features, targets| {
            let last = features.row(features.nrows() - 1);
            let mut total = 0.0;
            for (x, y) in features.rows().into_iter().zip(targets) {
                let x = if answer == LastRecord { last } else { x };
                let a = sigmoid(&x.dot(&net.w_ih));
                let y_hat = sigmoid(a.dot(&net.w_ho.column(0)));
                total += match answer {
                    NotSquared => y_hat - y,
                    Absolute => (y_hat - y).abs(),
                    _ => (y_hat - y).powi(2),
                };
            }
            let mse = total / targets.len() as f64;
            match answer {
                Sum => total,
                Half => mse / 2.0,
                Root => mse.sqrt(),
                _ => mse,
            }
        }
    }

    #[test]
    fn the_mse_check_passes_the_lessons_solution_on_many_seeds() {
        for seed in 0..50 {
            check_network_mse_unseen(mse_answer(MseAnswer::Correct), seed);
        }
    }

    #[test]
    fn the_mse_check_names_each_slip() {
        use MseAnswer::*;
        for (slip, hint) in [
            (Sum, MSE_SUM),
            (Half, MSE_HALF),
            (Root, MSE_ROOT),
            (LastRecord, MSE_LAST_RECORD),
            (NotSquared, MSE_NOT_SQUARED),
            (Absolute, MSE_ABSOLUTE),
        ] {
            let msg = failure_message(|| check_network_mse_unseen(mse_answer(slip), 2024));
            assert!(
                msg.starts_with("✗ training MSE, unseen case 1 of 3: W_ih = ["),
                "{msg}"
            );
            assert_hint(&msg, hint);
        }
    }

    #[test]
    fn the_mse_check_fails_the_lessons_answer_typed_in() {
        let msg = failure_message(|| {
            check_network_mse_unseen(
                |_: &Mlp, _: &Array2<f64>, _: &Array1<f64>| 0.2530657838,
                2024,
            )
        });
        assert!(msg.starts_with("✗ training MSE, unseen case 1"), "{msg}");
        assert_hint(&msg, NETWORK_MSE);
    }

    #[test]
    fn no_two_mse_slips_give_the_same_wrong_answer() {
        let mut draw = Draw::new(23);
        for _ in 0..500 {
            let (net, features, targets) = drawn_network(&mut draw);
            let expected = mlp_mse(&net, &features, &targets).unwrap();
            let slips = mse_slips(&net, &features, &targets, expected);
            let far = |a: f64, b: f64| (a - b).abs() > 1e-4 * a.abs().max(b.abs()).max(1e-3);
            for (k, a) in slips.iter().enumerate() {
                assert!(far(a.gives, expected), "{}", a.hint);
                for b in &slips[k + 1..] {
                    assert!(far(a.gives, b.gives), "{} / {}", a.hint, b.hint);
                }
            }
        }
    }
}
