//! Training loops as the lessons run them, and the history they leave behind.
//!
//! Introduced in lesson 4 (gradient descent on the admissions data). Sums run record by
//! record, in order, so a seeded run prints the same digits as the original Python course.

use crate::activation::{Activation, sigmoid};
use crate::error::{Error, Result, same_len, vec_mat};
use crate::loss::cross_entropy;
use crate::mlp::Mlp;
use crate::plot::{Figure, Series, line_chart};
use crate::progress::Progress;
use crate::random::NumpyRandom;
use crate::summation::dot_in_order;
use crate::unit::error_term_from_output;
use ndarray::{Array1, Array2, ArrayView1};

/// Kept here too, where lesson 4 first met it: `backprop::train::sum_in_order` still works.
pub use crate::summation::sum_in_order;

/// The losses a training run recorded, and the lines it printed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// (epoch, training loss) at every report.
    pub losses: Vec<(usize, f64)>,
    /// The report lines, as printed.
    pub lines: Vec<String>,
}

impl History {
    /// Records a loss and prints its line: `Train loss:  …`, flagged when it went up.
    pub fn report(&mut self, epoch: usize, loss: f64) {
        let rising = self.losses.last().is_some_and(|&(_, last)| last < loss);
        let line = if rising {
            format!("Train loss:  {loss}   WARNING - Loss Increasing")
        } else {
            format!("Train loss:  {loss}")
        };
        println!("{line}");
        self.lines.push(line);
        self.losses.push((epoch, loss));
    }

    /// Records a loss without printing (for runs that record every epoch).
    pub fn record(&mut self, epoch: usize, loss: f64) {
        self.losses.push((epoch, loss));
    }

    /// The recorded losses as (epoch, loss) points, ready for a [`Series`].
    pub fn points(&self) -> Vec<(f64, f64)> {
        self.losses.iter().map(|&(e, l)| (e as f64, l)).collect()
    }

    /// The loss curve.
    pub fn chart(&self, title: &str) -> Result<Figure> {
        line_chart(
            title,
            "epoch",
            "training loss (MSE)",
            &[Series::new("train", self.points())],
        )
    }

    /// Called by evcxr: a history shows itself as its loss curve.
    pub fn evcxr_display(&self) {
        match self.chart("Training loss") {
            Ok(figure) => figure.evcxr_display(),
            Err(e) => println!("{e}"),
        }
    }
}

/// The mean squared error of a sigmoid unit's predictions over all records.
///
/// # Shapes
/// `features`: (n, k), `targets`: (n,), `w`: (k,).
pub fn unit_mse(features: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>) -> Result<f64> {
    check_data(features, targets, w)?;
    let squares: Vec<f64> = features
        .rows()
        .into_iter()
        .zip(targets)
        .map(|(x, y)| (sigmoid(dot_in_order(x, w.view())) - y).powi(2))
        .collect();
    Ok(sum_in_order(&squares) / targets.len() as f64)
}

/// The share of records whose thresholded prediction (ŷ > 0.5) equals the target.
///
/// # Shapes
/// `features`: (n, k), `targets`: (n,), `w`: (k,).
pub fn unit_accuracy(
    features: &Array2<f64>,
    targets: &Array1<f64>,
    w: &Array1<f64>,
) -> Result<f64> {
    check_data(features, targets, w)?;
    let right = features
        .rows()
        .into_iter()
        .zip(targets)
        .filter(|(x, y)| {
            f64::from(u8::from(sigmoid(dot_in_order(x.view(), w.view())) > 0.5)) == **y
        })
        .count();
    Ok(right as f64 / targets.len() as f64)
}

/// One target per record.
fn check_rows(features: &Array2<f64>, targets: &Array1<f64>) -> Result<()> {
    same_len(
        "training",
        ("features rows", features.nrows()),
        ("targets", targets.len()),
    )
}

fn check_data(features: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>) -> Result<()> {
    check_rows(features, targets)?;
    vec_mat(
        "training",
        ("w", w.len()),
        ("features.t()", (features.ncols(), features.nrows())),
    )
}

/// Trains a sigmoid unit by full-batch gradient descent, as lesson 4 does: each epoch sums
/// the steps η·δ·x over every record, then moves the weights by their mean. Reports the
/// training MSE ten times (every `epochs / 10` epochs, from epoch 0).
///
/// # Shapes
/// `features`: (n, k), `targets`: (n,), `w`: (k,) → trained weights (k,).
pub fn train_unit(
    features: &Array2<f64>,
    targets: &Array1<f64>,
    mut w: Array1<f64>,
    epochs: usize,
    eta: f64,
) -> Result<(Array1<f64>, History)> {
    check_data(features, targets, &w)?;
    let every = (epochs / 10).max(1);
    let mut history = History::default();
    let mut progress = Progress::new(epochs);
    for epoch in 0..epochs {
        unit_epoch(features, targets, &mut w, eta);
        if epoch % every == 0 {
            history.report(epoch, unit_mse(features, targets, &w)?);
        }
        progress.tick(epoch + 1);
    }
    Ok((w, history))
}

/// One epoch of [`train_unit`]: adds up every record's step δ·x, then moves the weights by η
/// times the mean step. The shapes must already be checked.
pub(crate) fn unit_epoch(
    features: &Array2<f64>,
    targets: &Array1<f64>,
    w: &mut Array1<f64>,
    eta: f64,
) {
    let n = features.nrows() as f64;
    let mut del_w = Array1::<f64>::zeros(w.len());
    for (x, &y) in features.rows().into_iter().zip(targets) {
        let output = sigmoid(dot_in_order(x, w.view()));
        let error_term = error_term_from_output(y - output, output);
        del_w.zip_mut_with(&x, |d, &xi| *d += error_term * xi);
    }
    w.zip_mut_with(&del_w, |wi, &d| *wi += eta * d / n);
}

/// The loss a sigmoid unit is trained to lower.
///
/// Introduced in lesson 9 (SGD); cross-entropy in lesson 11.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitLoss {
    /// Half the mean squared error, ½·mean((y − ŷ)²) (lesson 1's ½·MSE): a batch's step is η
    /// times the mean of δ·x with δ = (y − ŷ)·ŷ(1 − ŷ), minus η times the gradient of ½·MSE.
    /// [`UnitLoss::value`] reports the plain MSE, whose curve is the same up to the factor 2.
    HalfMse,
    /// Binary cross-entropy; the sigmoid's slope cancels and δ = y − ŷ.
    CrossEntropy,
}

impl UnitLoss {
    /// The error term δ for one record.
    fn delta(self, y: f64, y_hat: f64) -> f64 {
        match self {
            UnitLoss::HalfMse => error_term_from_output(y - y_hat, y_hat),
            UnitLoss::CrossEntropy => y - y_hat,
        }
    }

    /// The loss of a unit with weights `w` over all records: the MSE for
    /// [`UnitLoss::HalfMse`] (reported without the ½, as the lessons print it), the
    /// cross-entropy for [`UnitLoss::CrossEntropy`].
    ///
    /// # Shapes
    /// `features`: (n, k), `targets`: (n,), `w`: (k,).
    pub fn value(
        self,
        features: &Array2<f64>,
        targets: &Array1<f64>,
        w: &Array1<f64>,
    ) -> Result<f64> {
        match self {
            UnitLoss::HalfMse => unit_mse(features, targets, w),
            UnitLoss::CrossEntropy => {
                check_data(features, targets, w)?;
                let y_hat = Array1::from_iter(
                    features
                        .rows()
                        .into_iter()
                        .map(|x| sigmoid(dot_in_order(x, w.view()))),
                );
                cross_entropy(targets, &y_hat)
            }
        }
    }
}

/// Trains a sigmoid unit with mini-batch stochastic gradient descent: every epoch shuffles
/// the records with `rng`, then steps after each batch of `batch_size` records by the batch's
/// mean step. Records the training loss after every epoch (silently). `batch_size` equal to
/// the number of records is full-batch gradient descent.
///
/// # Shapes
/// `features`: (n, k), `targets`: (n,), `w`: (k,) → trained weights (k,).
#[allow(clippy::too_many_arguments)]
pub fn train_unit_sgd(
    features: &Array2<f64>,
    targets: &Array1<f64>,
    mut w: Array1<f64>,
    epochs: usize,
    eta: f64,
    batch_size: usize,
    loss: UnitLoss,
    rng: &mut NumpyRandom,
) -> Result<(Array1<f64>, History)> {
    check_data(features, targets, &w)?;
    if batch_size == 0 {
        return Err(Error::Invalid {
            name: "batch_size",
            value: "0".into(),
            rule: "a batch needs at least one record",
        });
    }
    let mut history = History::default();
    history.record(0, loss.value(features, targets, &w)?);
    let mut order: Vec<usize> = (0..features.nrows()).collect();
    let mut progress = Progress::new(epochs);
    for epoch in 1..=epochs {
        rng.shuffle(&mut order);
        for batch in order.chunks(batch_size) {
            let mut del_w = Array1::<f64>::zeros(w.len());
            for &i in batch {
                let x = features.row(i);
                let y_hat = sigmoid(dot_in_order(x, w.view()));
                let delta = loss.delta(targets[i], y_hat);
                del_w.zip_mut_with(&x, |d, &xi| *d += delta * xi);
            }
            let m = batch.len() as f64;
            w.zip_mut_with(&del_w, |wi, &d| *wi += eta * d / m);
        }
        history.record(epoch, loss.value(features, targets, &w)?);
        progress.tick(epoch);
    }
    Ok((w, history))
}

/// The settings of mini-batch stochastic gradient descent, named: how many epochs, the
/// learning rate η, the batch size and the loss. Introduced in lesson 9.
///
/// ```
/// use backprop::prelude::*;
/// let features = array![[1.0, 0.5], [0.2, -1.0], [-0.4, 0.3], [0.9, 0.9]];
/// let targets = array![1.0, 0.0, 0.0, 1.0];
/// let sgd = Sgd::new(20, 0.5).batch_size(2);
/// let (w, history) = sgd.train_unit(&features, &targets, &array![0.0, 0.0], &mut NumpyRandom::seed(1))?;
/// assert_eq!(history.losses.len(), 21);
/// assert!(history.losses[20].1 < history.losses[0].1);
/// # Ok::<(), backprop::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sgd {
    /// Passes over the training records.
    pub epochs: usize,
    /// The learning rate η.
    pub eta: f64,
    /// Records per step; the number of records is full-batch gradient descent, 1 is
    /// one record at a time.
    pub batch_size: usize,
    /// The loss whose gradient each step follows.
    pub loss: UnitLoss,
}

impl Sgd {
    /// `epochs` epochs with learning rate `eta`, batches of 32 records, ½·MSE's steps.
    pub fn new(epochs: usize, eta: f64) -> Sgd {
        Sgd {
            epochs,
            eta,
            batch_size: 32,
            loss: UnitLoss::HalfMse,
        }
    }

    /// The same settings with `batch_size` records per step.
    pub fn batch_size(self, batch_size: usize) -> Sgd {
        Sgd { batch_size, ..self }
    }

    /// The same settings following `loss`'s gradient.
    pub fn loss(self, loss: UnitLoss) -> Sgd {
        Sgd { loss, ..self }
    }

    /// Trains a sigmoid unit from weights `w` (see [`train_unit_sgd`]); `rng` shuffles the
    /// records every epoch.
    ///
    /// # Shapes
    /// `features`: (n, k), `targets`: (n,), `w`: (k,) → trained weights (k,).
    pub fn train_unit(
        &self,
        features: &Array2<f64>,
        targets: &Array1<f64>,
        w: &Array1<f64>,
        rng: &mut NumpyRandom,
    ) -> Result<(Array1<f64>, History)> {
        train_unit_sgd(
            features,
            targets,
            w.clone(),
            self.epochs,
            self.eta,
            self.batch_size,
            self.loss,
            rng,
        )
    }
}

/// How a network's training loss is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossReport {
    /// The MSE of the network's predictions over every record.
    Correct,
    /// The original course's slip: the hidden output of the *last* record of the epoch is fed
    /// to the output layer, and that one prediction is compared with every target.
    AsOriginal,
}

/// The MSE of a one-output network over every record, summed in order.
///
/// # Shapes
/// `features`: (n, n_input), `targets`: (n,).
pub fn mlp_mse(net: &Mlp, features: &Array2<f64>, targets: &Array1<f64>) -> Result<f64> {
    let mut squares = Vec::with_capacity(targets.len());
    for (x, y) in features.rows().into_iter().zip(targets) {
        let y_hat = net.forward(&x.to_owned())?.y_hat[0];
        squares.push((y_hat - y).powi(2));
    }
    Ok(sum_in_order(&squares) / targets.len() as f64)
}

/// The share of records whose thresholded prediction (ŷ > 0.5) equals the target.
///
/// # Shapes
/// `features`: (n, n_input), `targets`: (n,).
pub fn mlp_accuracy(net: &Mlp, features: &Array2<f64>, targets: &Array1<f64>) -> Result<f64> {
    let mut right = 0;
    for (x, y) in features.rows().into_iter().zip(targets) {
        let y_hat = net.forward(&x.to_owned())?.y_hat[0];
        right += usize::from(f64::from(u8::from(y_hat > 0.5)) == *y);
    }
    Ok(right as f64 / targets.len() as f64)
}

/// Trains a sigmoid network with one output by full-batch backpropagation, as lesson 7 does:
/// each epoch sums every record's weight steps, then moves the weights by their mean.
/// Reports the training loss ten times; [`LossReport::AsOriginal`] reproduces the original
/// course's printout, slip included.
///
/// The arithmetic follows the original's formulas term by term (e.g. `error * out * (1 - out)`),
/// so seeded runs print the same digits.
///
/// # Shapes
/// `features`: (n, n_input), `targets`: (n,); `net` with one output.
pub fn train_mlp(
    mut net: Mlp,
    features: &Array2<f64>,
    targets: &Array1<f64>,
    epochs: usize,
    eta: f64,
    report: LossReport,
) -> Result<(Mlp, History)> {
    check_sigmoid_net(&net, features, targets)?;
    let every = (epochs / 10).max(1);
    let mut history = History::default();
    let mut progress = Progress::new(epochs);
    for epoch in 0..epochs {
        mlp_epoch(&mut net, features, targets, eta);
        if epoch % every == 0 {
            history.report(epoch, report.loss(&net, features, targets)?);
        }
        progress.tick(epoch + 1);
    }
    Ok((net, history))
}

/// A network [`train_mlp`] can train on these records: sigmoid layers, one output, and one
/// weight row per feature.
fn check_sigmoid_net(net: &Mlp, features: &Array2<f64>, targets: &Array1<f64>) -> Result<()> {
    if net.hidden != Activation::Sigmoid
        || net.output != Activation::Sigmoid
        || net.n_output() != 1
        || net.biases.is_some()
    {
        return Err(Error::Invalid {
            name: "net",
            value: format!(
                "{:?}/{:?} with {} outputs{}",
                net.hidden,
                net.output,
                net.n_output(),
                if net.biases.is_some() {
                    " and biases"
                } else {
                    ""
                }
            ),
            rule: "train_mlp follows the original course's network: sigmoid layers, one output \
                   and no biases (train a network with biases with batch_gradients and update)",
        });
    }
    check_rows(features, targets)?;
    vec_mat(
        "training",
        ("a record", features.ncols()),
        ("w_ih", net.w_ih.dim()),
    )
}

/// One epoch of [`train_mlp`]: adds up every record's steps δ°·a and x·δʰ, then moves each
/// weight matrix by η times its mean step. The network must already be checked.
pub(crate) fn mlp_epoch(net: &mut Mlp, features: &Array2<f64>, targets: &Array1<f64>, eta: f64) {
    let n = features.nrows() as f64;
    let mut del_ih = Array2::<f64>::zeros(net.w_ih.dim());
    let mut del_ho = Array1::<f64>::zeros(net.n_hidden());
    let who = net.w_ho.column(0).to_owned();
    for (x, &y) in features.rows().into_iter().zip(targets) {
        let hidden = hidden_output(net, x);
        let out = sigmoid(dot_in_order(hidden.view(), who.view()));
        let output_error_term = error_term_from_output(y - out, out);
        for j in 0..hidden.len() {
            let hidden_error = output_error_term * who[j];
            let hidden_error_term = error_term_from_output(hidden_error, hidden[j]);
            del_ho[j] += output_error_term * hidden[j];
            for (i, xi) in x.iter().enumerate() {
                del_ih[[i, j]] += hidden_error_term * xi;
            }
        }
    }
    net.w_ih.zip_mut_with(&del_ih, |w, &d| *w += eta * d / n);
    net.w_ho
        .column_mut(0)
        .zip_mut_with(&del_ho, |w, &d| *w += eta * d / n);
}

impl LossReport {
    /// The training loss this report prints for `net` on the records: the MSE over every
    /// record, or, as the original course printed it, the last record's prediction compared
    /// with every target (summed in order, divided by the number of records).
    ///
    /// # Shapes
    /// `features`: (n, n_input), `targets`: (n,); `net` a sigmoid network with one output.
    pub fn loss(self, net: &Mlp, features: &Array2<f64>, targets: &Array1<f64>) -> Result<f64> {
        check_sigmoid_net(net, features, targets)?;
        match (self, features.rows().into_iter().next_back()) {
            (LossReport::AsOriginal, Some(x)) => {
                let out = sigmoid(dot_in_order(
                    hidden_output(net, x).view(),
                    net.w_ho.column(0),
                ));
                let squares: Vec<f64> = targets.iter().map(|y| (out - y).powi(2)).collect();
                Ok(sum_in_order(&squares) / features.nrows() as f64)
            }
            _ => mlp_mse(net, features, targets),
        }
    }
}

/// σ(x · w_ih), each hidden unit's sum taken in order.
fn hidden_output(net: &Mlp, x: ArrayView1<f64>) -> Array1<f64> {
    Array1::from_iter(
        net.w_ih
            .columns()
            .into_iter()
            .map(|w| sigmoid(dot_in_order(x, w.view()))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn training_separates_a_separable_toy_set() {
        let x = array![
            [1.0, 0.0, 1.0],
            [1.0, 1.0, 1.0],
            [-1.0, 0.0, 1.0],
            [-1.0, -1.0, 1.0]
        ];
        let y = array![1.0, 1.0, 0.0, 0.0];
        let (w, history) = train_unit(&x, &y, Array1::zeros(3), 200, 1.0).unwrap();
        assert_eq!(history.losses.len(), 10);
        assert_eq!(history.losses[0].0, 0);
        assert!(history.losses[9].1 < history.losses[0].1);
        assert_eq!(unit_accuracy(&x, &y, &w).unwrap(), 1.0);
    }

    #[test]
    fn a_rising_loss_is_flagged_as_the_original_flags_it() {
        let mut h = History::default();
        h.report(0, 0.5);
        h.report(10, 0.25);
        h.report(20, 0.3);
        assert_eq!(h.lines[1], "Train loss:  0.25");
        assert_eq!(h.lines[2], "Train loss:  0.3   WARNING - Loss Increasing");
    }

    #[test]
    fn backprop_training_lowers_the_loss_and_agrees_with_the_mlps_gradients() {
        let x = array![[0.5, 0.1, -0.2], [0.1, -0.4, 0.3], [-0.3, 0.2, 0.9]];
        let y = array![0.6, 0.1, 0.9];
        let net = Mlp::random(3, 2, 1, 5);
        // One epoch moves the weights by −η · mean gradient.
        let (one, _) = train_mlp(net.clone(), &x, &y, 1, 0.5, LossReport::Correct).unwrap();
        let mut expected = net.clone();
        let mut sum_ih = Array2::<f64>::zeros((3, 2));
        let mut sum_ho = Array2::<f64>::zeros((2, 1));
        for (xi, yi) in x.rows().into_iter().zip(&y) {
            let g = net.gradients(&xi.to_owned(), &array![*yi]).unwrap();
            sum_ih = sum_ih + g.w_ih;
            sum_ho = sum_ho + g.w_ho;
        }
        expected.w_ih.scaled_add(-0.5 / 3.0, &sum_ih);
        expected.w_ho.scaled_add(-0.5 / 3.0, &sum_ho);
        approx::assert_abs_diff_eq!(one.w_ih, expected.w_ih, epsilon = 1e-14);
        approx::assert_abs_diff_eq!(one.w_ho, expected.w_ho, epsilon = 1e-14);
        let (trained, history) = train_mlp(net, &x, &y, 500, 2.0, LossReport::Correct).unwrap();
        assert!(
            history.losses[9].1 < 0.5 * history.losses[0].1,
            "{:?}",
            history.losses
        );
        assert_eq!(
            mlp_mse(&trained, &x, &y).unwrap(),
            mlp_mse(&trained, &x, &y).unwrap()
        );
    }

    #[test]
    fn the_original_loss_report_compares_one_prediction_with_every_target() {
        let x = array![[1.0, 0.0], [0.0, 1.0]];
        let y = array![1.0, 0.0];
        let net = Mlp::from_weights(array![[0.0], [0.0]], array![[0.0]]).unwrap();
        let (_, history) = train_mlp(net, &x, &y, 1, 0.0, LossReport::AsOriginal).unwrap();
        // Every prediction is σ(0) = 0.5, so both reports agree here: (0.25 + 0.25) / 2.
        assert_eq!(history.losses[0].1, 0.25);
    }

    #[test]
    fn train_mlp_refuses_networks_it_does_not_model() {
        let relu = Mlp::random(2, 2, 1, 1).with_activations(Activation::Relu, Activation::Sigmoid);
        let err = train_mlp(
            relu,
            &array![[1.0, 2.0]],
            &array![1.0],
            1,
            0.1,
            LossReport::Correct,
        );
        assert!(matches!(err, Err(Error::Invalid { .. })));
    }

    #[test]
    fn one_full_batch_epoch_of_sgd_is_one_epoch_of_train_unit() {
        let x = array![[0.2, -0.4, 1.0], [0.9, 0.1, 1.0], [-0.5, 0.3, 1.0]];
        let y = array![1.0, 0.0, 1.0];
        let w0 = array![0.1, -0.2, 0.05];
        let (w_gd, _) = train_unit(&x, &y, w0.clone(), 1, 0.5).unwrap();
        let mut rng = NumpyRandom::seed(1);
        let (w_sgd, history) =
            train_unit_sgd(&x, &y, w0, 1, 0.5, 3, UnitLoss::HalfMse, &mut rng).unwrap();
        approx::assert_abs_diff_eq!(w_gd, w_sgd, epsilon = 1e-15);
        assert_eq!(history.losses.len(), 2);
    }

    #[test]
    fn sgd_settings_train_exactly_as_the_positional_call_does() {
        let x = array![
            [0.2, -0.4],
            [0.9, 0.1],
            [-0.5, 0.3],
            [0.4, 0.4],
            [1.0, -1.0]
        ];
        let y = array![1.0, 0.0, 1.0, 0.0, 1.0];
        let w0 = array![0.1, -0.2];
        let sgd = Sgd::new(7, 0.3).batch_size(2).loss(UnitLoss::CrossEntropy);
        let by_settings = sgd
            .train_unit(&x, &y, &w0, &mut NumpyRandom::seed(4))
            .unwrap();
        let by_position = train_unit_sgd(
            &x,
            &y,
            w0,
            7,
            0.3,
            2,
            UnitLoss::CrossEntropy,
            &mut NumpyRandom::seed(4),
        )
        .unwrap();
        assert_eq!(by_settings.0, by_position.0);
        assert_eq!(by_settings.1.losses, by_position.1.losses);
        assert_eq!(Sgd::new(1, 0.1).batch_size, 32);
    }

    #[test]
    fn cross_entropy_training_lowers_cross_entropy() {
        let x = array![
            [1.0, 0.2, 1.0],
            [0.8, -0.1, 1.0],
            [-1.0, 0.3, 1.0],
            [-0.7, -0.4, 1.0]
        ];
        let y = array![1.0, 1.0, 0.0, 0.0];
        let mut rng = NumpyRandom::seed(3);
        let (w, history) = train_unit_sgd(
            &x,
            &y,
            Array1::zeros(3),
            50,
            0.5,
            2,
            UnitLoss::CrossEntropy,
            &mut rng,
        )
        .unwrap();
        assert!(
            history.losses[50].1 < 0.5 * history.losses[0].1,
            "{:?}",
            history.losses
        );
        assert_eq!(unit_accuracy(&x, &y, &w).unwrap(), 1.0);
        let zero = train_unit_sgd(
            &x,
            &y,
            Array1::zeros(3),
            1,
            0.5,
            0,
            UnitLoss::HalfMse,
            &mut rng,
        );
        assert!(matches!(
            zero,
            Err(Error::Invalid {
                name: "batch_size",
                ..
            })
        ));
    }

    #[test]
    fn weights_of_the_wrong_length_are_refused() {
        let err = train_unit(
            &Array2::zeros((4, 3)),
            &Array1::zeros(4),
            Array1::zeros(2),
            1,
            0.1,
        );
        assert!(err.is_err());
    }
}
