//! A network with one hidden layer: the forward pass, backpropagation, and the update.
//!
//! Introduced in lesson 5 (the forward pass) and lesson 6 (backpropagation).
//!
//! For one record `x` with target `y`:
//!
//! ```text
//! z_hidden = x · w_ih          a_hidden = f(z_hidden)
//! z_output = a_hidden · w_ho   y_hat    = g(z_output)
//! loss     = ½ Σ (y − y_hat)²
//! ```

use crate::activation::Activation;
use crate::error::{Result, mat_mat, mismatch, same_len, same_shape, vec_mat};
use crate::random::NumpyRandom;
use crate::table::Table;
use ndarray::{Array, Array1, Array2, ArrayBase, Axis, Data, Dimension, Ix1, Zip};

/// Weights and activations of a network with one hidden layer. Its biases are optional: the
/// original course's networks have none (and the lessons' published numbers are theirs), a
/// network built [`Mlp::with_biases`] adds one per hidden and output unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    /// Input → hidden weights, shape (n_input, n_hidden).
    pub w_ih: Array2<f64>,
    /// Hidden → output weights, shape (n_hidden, n_output).
    pub w_ho: Array2<f64>,
    /// The hidden layer's activation f.
    pub hidden: Activation,
    /// The output layer's activation g.
    pub output: Activation,
    /// The biases, if the network has them.
    pub biases: Option<Biases>,
}

/// The biases of a network's two layers, added to each layer's weighted sums:
/// z_hidden = x · w_ih + hidden, z_output = a_hidden · w_ho + output. Gradients of the biases
/// have the same shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Biases {
    /// One per hidden unit, shape (n_hidden,).
    pub hidden: Array1<f64>,
    /// One per output, shape (n_output,).
    pub output: Array1<f64>,
}

/// What the forward pass computed for one record: everything backprop needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    /// The input record, shape (n_input,).
    pub x: Array1<f64>,
    /// The hidden layer's input x · w_ih, shape (n_hidden,).
    pub z_hidden: Array1<f64>,
    /// The hidden layer's output f(z_hidden), shape (n_hidden,).
    pub a_hidden: Array1<f64>,
    /// The output layer's input a_hidden · w_ho, shape (n_output,).
    pub z_output: Array1<f64>,
    /// The prediction g(z_output), shape (n_output,).
    pub y_hat: Array1<f64>,
}

/// Gradients of ½ Σ (y − ŷ)² for one record, shaped like the weights, with the error terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// ∂loss/∂w_ih, shape (n_input, n_hidden).
    pub w_ih: Array2<f64>,
    /// ∂loss/∂w_ho, shape (n_hidden, n_output).
    pub w_ho: Array2<f64>,
    /// The output error term δ° = (y − ŷ) · g′(z_output), shape (n_output,).
    pub delta_output: Array1<f64>,
    /// The hidden error term δʰ = (w_ho · δ°) · f′(z_hidden), shape (n_hidden,).
    pub delta_hidden: Array1<f64>,
    /// ∂loss/∂biases (−δʰ and −δ°), when the network has biases.
    pub biases: Option<Biases>,
}

impl Gradients {
    /// The lesson's weight steps (ΔW_ih, ΔW_ho) = −η · gradient.
    pub fn steps(&self, eta: f64) -> (Array2<f64>, Array2<f64>) {
        (&self.w_ih * -eta, &self.w_ho * -eta)
    }
}

/// The outer product a ⊗ b = aᵀb, entry (i, j) = a[i] · b[j]: how lesson 6 turns a layer's
/// inputs and its error terms into one step per weight, ΔW = η · outer(x, δ).
///
/// # Shapes
/// `a`: (m), `b`: (n) → (m × n); arrays or views (a row of a matrix).
///
/// ```
/// use backprop::prelude::*;
/// assert_eq!(outer(&array![1.0, 2.0], &array![3.0, 4.0, 5.0]), array![[3.0, 4.0, 5.0], [6.0, 8.0, 10.0]]);
/// ```
pub fn outer<A: Data<Elem = f64>, B: Data<Elem = f64>>(
    a: &ArrayBase<A, Ix1>,
    b: &ArrayBase<B, Ix1>,
) -> Array2<f64> {
    let col = a.view().insert_axis(Axis(1));
    let row = b.view().insert_axis(Axis(0));
    col.dot(&row)
}

impl Mlp {
    /// A sigmoid network from given weights.
    ///
    /// # Shapes
    /// `w_ih`: (n_input, n_hidden), `w_ho`: (n_hidden, n_output).
    ///
    /// ```
    /// use backprop::prelude::*;
    /// let net = Mlp::from_weights(array![[0.4], [-0.2]], array![[0.1]])?;
    /// assert_eq!((net.n_input(), net.n_hidden(), net.n_output()), (2, 1, 1));
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn from_weights(w_ih: Array2<f64>, w_ho: Array2<f64>) -> Result<Mlp> {
        mat_mat(
            "building the network",
            ("w_ih", w_ih.dim()),
            ("w_ho", w_ho.dim()),
        )?;
        Ok(Mlp {
            w_ih,
            w_ho,
            hidden: Activation::Sigmoid,
            output: Activation::Sigmoid,
            biases: None,
        })
    }

    /// A sigmoid network with weights drawn from N(0, 1/√fan-in), reproducible from `seed`: the
    /// draws numpy makes after `np.random.seed(seed)`, `w_ih` first, row by row, so
    /// `np.random.normal(0, n_input ** -0.5, (n_input, n_hidden))` then
    /// `np.random.normal(0, n_hidden ** -0.5, (n_hidden, n_output))` give the same network.
    ///
    /// # Shapes
    /// `w_ih` (n_input, n_hidden), `w_ho` (n_hidden, n_output).
    ///
    /// ```
    /// use backprop::prelude::*;
    /// let net = Mlp::random(4, 3, 2, 42);
    /// assert_eq!(net.w_ih.dim(), (4, 3));
    /// assert_eq!(net, Mlp::random(4, 3, 2, 42));
    /// ```
    pub fn random(n_input: usize, n_hidden: usize, n_output: usize, seed: u32) -> Mlp {
        let mut rng = NumpyRandom::seed(seed);
        let mut draw = |rows: usize, cols: usize| {
            let scale = 1.0 / (rows.max(1) as f64).sqrt();
            rng.normal_matrix(0.0, scale, rows, cols)
        };
        let w_ih = draw(n_input, n_hidden);
        let w_ho = draw(n_hidden, n_output);
        Mlp {
            w_ih,
            w_ho,
            hidden: Activation::Sigmoid,
            output: Activation::Sigmoid,
            biases: None,
        }
    }

    /// The same network with other activations for the hidden and output layers.
    pub fn with_activations(self, hidden: Activation, output: Activation) -> Mlp {
        Mlp {
            hidden,
            output,
            ..self
        }
    }

    /// The same network with biases, all 0 to start with: it computes what it computed before
    /// until training moves them.
    ///
    /// ```
    /// use backprop::prelude::*;
    /// let net = Mlp::random(2, 3, 1, 7);
    /// let biased = net.clone().with_biases();
    /// assert_eq!(biased.forward(&array![0.5, -1.0])?.y_hat, net.forward(&array![0.5, -1.0])?.y_hat);
    /// assert_eq!(biased.table().rows()[2][3], "4"); // 3 hidden units and 1 output
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn with_biases(self) -> Mlp {
        let biases = Biases {
            hidden: Array1::zeros(self.n_hidden()),
            output: Array1::zeros(self.n_output()),
        };
        Mlp {
            biases: Some(biases),
            ..self
        }
    }

    /// A layer's weighted sums `z` (one record, or a batch with a row per record) plus that
    /// layer's biases, picked by `layer`, when the network has biases.
    fn plus_bias<D: Dimension>(
        &self,
        mut z: Array<f64, D>,
        layer: impl Fn(&Biases) -> &Array1<f64>,
    ) -> Array<f64, D> {
        if let Some(b) = &self.biases {
            z += layer(b);
        }
        z
    }

    /// Number of inputs.
    pub fn n_input(&self) -> usize {
        self.w_ih.nrows()
    }

    /// Number of hidden units.
    pub fn n_hidden(&self) -> usize {
        self.w_ih.ncols()
    }

    /// Number of outputs.
    pub fn n_output(&self) -> usize {
        self.w_ho.ncols()
    }

    /// The forward pass for one record: an array or a view, such as a row of a data matrix
    /// (`net.forward(&features.row(i))`).
    ///
    /// # Shapes
    /// `x`: (n_input,) → `y_hat`: (n_output,).
    pub fn forward<S: Data<Elem = f64>>(&self, x: &ArrayBase<S, Ix1>) -> Result<Forward> {
        vec_mat(
            "the input → hidden layer",
            ("x", x.len()),
            ("w_ih", self.w_ih.dim()),
        )?;
        let z_hidden = self.plus_bias(x.dot(&self.w_ih), |b| &b.hidden);
        let a_hidden = self.hidden.f(&z_hidden);
        let z_output = self.plus_bias(a_hidden.dot(&self.w_ho), |b| &b.output);
        let y_hat = self.output.f(&z_output);
        Ok(Forward {
            x: x.to_owned(),
            z_hidden,
            a_hidden,
            z_output,
            y_hat,
        })
    }

    /// The predictions for a whole batch, one row per record: the forward pass with matrix
    /// products in place of a loop over records.
    ///
    /// # Shapes
    /// `x`: (n, n_input) → (n, n_output)
    ///
    /// ```
    /// use backprop::prelude::*;
    /// let net = Mlp::from_weights(array![[0.4], [-0.2]], array![[0.1]])?;
    /// let batch = array![[0.1, 0.3], [1.0, 0.0]];
    /// let y_hat = net.predict(&batch)?;
    /// assert_eq!(y_hat.dim(), (2, 1));
    /// assert_eq!(y_hat[[0, 0]], net.forward(&batch.row(0))?.y_hat[0]);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn predict(&self, x: &Array2<f64>) -> Result<Array2<f64>> {
        mat_mat(
            "the input → hidden layer",
            ("x", x.dim()),
            ("w_ih", self.w_ih.dim()),
        )?;
        let z_hidden = self.plus_bias(x.dot(&self.w_ih), |b| &b.hidden);
        let z_output = self.plus_bias(self.hidden.f(&z_hidden).dot(&self.w_ho), |b| &b.output);
        Ok(self.output.f(&z_output))
    }

    /// Backpropagation for one record: the gradients of ½ Σ (y − ŷ)² given the forward pass.
    ///
    /// # Shapes
    /// `y`: (n_output,); gradients shaped like `w_ih` and `w_ho`.
    pub fn backward(&self, fwd: &Forward, y: &Array1<f64>) -> Result<Gradients> {
        same_len(
            "backpropagation",
            ("y", y.len()),
            ("y_hat", fwd.y_hat.len()),
        )?;
        let delta_output = (y - &fwd.y_hat) * self.output.f_prime(&fwd.z_output);
        let delta_hidden = self.w_ho.dot(&delta_output) * self.hidden.f_prime(&fwd.z_hidden);
        Ok(Gradients {
            w_ih: -outer(&fwd.x, &delta_hidden),
            w_ho: -outer(&fwd.a_hidden, &delta_output),
            biases: self.biases.as_ref().map(|_| Biases {
                hidden: -&delta_hidden,
                output: -&delta_output,
            }),
            delta_output,
            delta_hidden,
        })
    }

    /// Forward then backward for one record.
    ///
    /// # Shapes
    /// `x`: (n_input,), `y`: (n_output,).
    pub fn gradients<S: Data<Elem = f64>>(
        &self,
        x: &ArrayBase<S, Ix1>,
        y: &Array1<f64>,
    ) -> Result<Gradients> {
        self.backward(&self.forward(x)?, y)
    }

    /// Backpropagation for a whole batch at once, with matrix products instead of a loop over
    /// records: the gradients of the mean loss over the batch, and the mean error terms.
    ///
    /// Introduced in lesson 9 (mini-batches); the same numbers as averaging
    /// [`Mlp::gradients`] over the batch's records, computed as numpy would.
    ///
    /// # Shapes
    /// `x`: (n, n_input), `y`: (n, n_output); gradients shaped like `w_ih` and `w_ho`.
    pub fn batch_gradients(&self, x: &Array2<f64>, y: &Array2<f64>) -> Result<Gradients> {
        let n = x.nrows();
        let wanted_y = (n, self.n_output());
        if x.ncols() != self.n_input() || y.dim() != wanted_y || n == 0 {
            return Err(mismatch(
                "batch backpropagation",
                ("x", x.shape()),
                ("y", y.shape()),
                format!(
                    "a batch of n ≥ 1 records needs x of shape [n, {}] (one column per input) and \
                     y of shape [n, {}] (one column per output)",
                    self.n_input(),
                    self.n_output()
                ),
            ));
        }
        // The elementwise passes over (n, n_hidden) run on every core, as the products do.
        // The sigmoid's slope needs only its output, so z_hidden is kept only for the others.
        let hidden = self.hidden;
        let mut a_hidden = self.plus_bias(x.dot(&self.w_ih), |b| &b.hidden);
        let z_hidden = (hidden != Activation::Sigmoid).then(|| a_hidden.clone());
        a_hidden.par_mapv_inplace(|z| hidden.f(z));
        let z_output = self.plus_bias(a_hidden.dot(&self.w_ho), |b| &b.output);
        let y_hat = self.output.f(&z_output);
        let delta_output = (y - &y_hat) * self.output.f_prime_from(&z_output, &y_hat);
        let mut delta_hidden = delta_output.dot(&self.w_ho.t());
        match &z_hidden {
            Some(z_hidden) => Zip::from(&mut delta_hidden)
                .and(z_hidden)
                .and(&a_hidden)
                .par_for_each(|d, &z, &a| *d *= hidden.slope(z, a)),
            None => Zip::from(&mut delta_hidden)
                .and(&a_hidden)
                .par_for_each(|d, &a| *d *= a * (1.0 - a)),
        }
        let scale = -1.0 / n as f64;
        let w_ih = x.t().dot(&delta_hidden) * scale;
        let w_ho = a_hidden.t().dot(&delta_output) * scale;
        let delta_output = delta_output.sum_axis(Axis(0)) / n as f64;
        let delta_hidden = delta_hidden.sum_axis(Axis(0)) / n as f64;
        Ok(Gradients {
            w_ih,
            w_ho,
            biases: self.biases.as_ref().map(|_| Biases {
                hidden: -&delta_hidden,
                output: -&delta_output,
            }),
            delta_output,
            delta_hidden,
        })
    }

    /// The loss ½ Σ (y − ŷ)² on one record.
    ///
    /// # Shapes
    /// `x`: (n_input,), `y`: (n_output,).
    pub fn loss<S: Data<Elem = f64>>(&self, x: &ArrayBase<S, Ix1>, y: &Array1<f64>) -> Result<f64> {
        let y_hat = self.forward(x)?.y_hat;
        same_len("the loss", ("y", y.len()), ("y_hat", y_hat.len()))?;
        Ok(0.5 * (y - &y_hat).mapv(|e| e * e).sum())
    }

    /// The network as a table: each layer's weights, shape, parameter count and activation.
    ///
    /// ```
    /// use backprop::prelude::*;
    /// let t = Mlp::random(4, 3, 2, 0).table();
    /// assert_eq!(t.rows()[2], ["total", "", "", "18", ""]);
    /// ```
    pub fn table(&self) -> Table {
        let layer = |name: &str, w: &Array2<f64>, act: Activation| {
            [
                name.to_string(),
                if name.starts_with("input") {
                    "w_ih"
                } else {
                    "w_ho"
                }
                .to_string(),
                format!("{} × {}", w.nrows(), w.ncols()),
                w.len().to_string(),
                format!("{act:?}"),
            ]
        };
        let mut table = Table::new(&["layer", "weights", "shape", "parameters", "activation"])
            .row(&layer("input → hidden", &self.w_ih, self.hidden))
            .row(&layer("hidden → output", &self.w_ho, self.output));
        let mut total = self.w_ih.len() + self.w_ho.len();
        if let Some(b) = &self.biases {
            let count = b.hidden.len() + b.output.len();
            total += count;
            table = table.row((
                "biases",
                "hidden, output",
                format!("{} + {}", b.hidden.len(), b.output.len()),
                count,
                "",
            ));
        }
        table.row(("total", "", "", total, ""))
    }

    /// Called by evcxr: a network shows itself as its table of layers.
    pub fn evcxr_display(&self) {
        self.table().evcxr_display();
    }

    /// One gradient-descent step: w ← w − η · ∂loss/∂w for both layers, and the biases
    /// likewise when the network has them.
    pub fn update(&mut self, grads: &Gradients, eta: f64) -> Result<()> {
        for (name, w, g) in [
            ("w_ih", &self.w_ih, &grads.w_ih),
            ("w_ho", &self.w_ho, &grads.w_ho),
        ] {
            same_shape(
                "the update",
                (name, w.shape()),
                ("its gradient", g.shape()),
                "a gradient must have the shape of its weights",
            )?;
        }
        match (&mut self.biases, &grads.biases) {
            (Some(b), Some(g)) => {
                same_shape(
                    "the update",
                    ("the hidden biases", b.hidden.shape()),
                    ("their gradient", g.hidden.shape()),
                    "a gradient must have the shape of its biases",
                )?;
                same_shape(
                    "the update",
                    ("the output biases", b.output.shape()),
                    ("their gradient", g.output.shape()),
                    "a gradient must have the shape of its biases",
                )?;
                b.hidden.scaled_add(-eta, &g.hidden);
                b.output.scaled_add(-eta, &g.output);
            }
            (None, None) => {}
            (mine, theirs) => {
                return Err(crate::Error::Invalid {
                    name: "grads",
                    value: format!(
                        "gradients {} biases for a network {} biases",
                        if theirs.is_some() { "with" } else { "without" },
                        if mine.is_some() { "with" } else { "without" }
                    ),
                    rule: "gradients must come from a network of the same kind",
                });
            }
        }
        self.w_ih.scaled_add(-eta, &grads.w_ih);
        self.w_ho.scaled_add(-eta, &grads.w_ho);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use approx::{assert_abs_diff_eq, assert_relative_eq};
    use ndarray::array;

    /// A 3-2-2 network with biases away from 0.
    fn biased() -> Mlp {
        let mut net = Mlp::random(3, 2, 2, 11).with_biases();
        net.biases = Some(Biases {
            hidden: array![0.3, -0.7],
            output: array![-0.2, 0.5],
        });
        net
    }

    #[test]
    fn bias_gradients_match_finite_differences() {
        let net = biased();
        let (x, y) = (array![0.5, -1.0, 2.0], array![1.0, 0.0]);
        let grads = net.gradients(&x, &y).unwrap();
        let b = net.biases.clone().unwrap();
        let g = grads.biases.unwrap();
        let numeric_hidden = crate::gradcheck::numeric_gradient(
            |bh: &Array1<f64>| {
                let mut probe = net.clone();
                probe.biases.as_mut().unwrap().hidden = bh.clone();
                probe.loss(&x, &y).unwrap()
            },
            &b.hidden,
            1e-6,
        );
        let numeric_output = crate::gradcheck::numeric_gradient(
            |bo: &Array1<f64>| {
                let mut probe = net.clone();
                probe.biases.as_mut().unwrap().output = bo.clone();
                probe.loss(&x, &y).unwrap()
            },
            &b.output,
            1e-6,
        );
        assert_abs_diff_eq!(g.hidden, numeric_hidden, epsilon = 1e-8);
        assert_abs_diff_eq!(g.output, numeric_output, epsilon = 1e-8);
    }

    #[test]
    fn batch_bias_gradients_are_the_mean_of_the_records() {
        let net = biased();
        let x = array![[0.5, -1.0, 2.0], [1.0, 0.2, -0.3], [-0.4, 0.9, 0.0]];
        let y = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
        let batch = net.batch_gradients(&x, &y).unwrap().biases.unwrap();
        let mut hidden = Array1::zeros(2);
        let mut output = Array1::zeros(2);
        for (xr, yr) in x.rows().into_iter().zip(y.rows()) {
            let g = net.gradients(&xr, &yr.to_owned()).unwrap().biases.unwrap();
            hidden += &(g.hidden / 3.0);
            output += &(g.output / 3.0);
        }
        assert_abs_diff_eq!(batch.hidden, hidden, epsilon = 1e-12);
        assert_abs_diff_eq!(batch.output, output, epsilon = 1e-12);
        assert_abs_diff_eq!(
            net.predict(&x).unwrap().row(1).to_owned(),
            net.forward(&x.row(1)).unwrap().y_hat,
            epsilon = 1e-15
        );
    }

    #[test]
    fn without_biases_a_record_of_zeros_leaves_every_hidden_unit_at_one_half() {
        // With every input 0 the hidden sums are 0 whatever the weights: without biases each
        // hidden unit outputs σ(0) = 0.5 for ever, and only w_ho can move the prediction;
        // with biases the hidden units move too.
        let (x, y) = (array![[0.0, 0.0]], array![[0.9]]);
        let train = |mut net: Mlp| {
            for _ in 0..2000 {
                let grads = net.batch_gradients(&x, &y).unwrap();
                net.update(&grads, 1.0).unwrap();
            }
            net
        };
        let zeros = array![0.0, 0.0];
        let plain = train(Mlp::random(2, 2, 1, 5));
        assert_eq!(plain.forward(&zeros).unwrap().a_hidden, array![0.5, 0.5]);
        let biased = train(Mlp::random(2, 2, 1, 5).with_biases());
        let a = biased.forward(&zeros).unwrap().a_hidden;
        assert!(a.iter().all(|&a| (a - 0.5).abs() > 0.01), "{a}");
        for net in [&plain, &biased] {
            assert!((net.predict(&x).unwrap()[[0, 0]] - 0.9).abs() < 1e-3);
        }
    }

    #[test]
    fn gradients_of_another_kind_of_network_are_refused() {
        let plain = Mlp::random(3, 2, 2, 11);
        let grads = plain
            .gradients(&array![1.0, 0.0, 0.0], &array![1.0, 0.0])
            .unwrap();
        let err = biased().update(&grads, 0.1).unwrap_err().to_string();
        assert!(
            err.contains("without biases for a network with biases"),
            "{err}"
        );
        let refused = crate::train::train_mlp(
            Mlp::random(2, 2, 1, 1).with_biases(),
            &array![[0.0, 1.0]],
            &array![1.0],
            1,
            0.1,
            crate::train::LossReport::Correct,
        );
        assert!(refused.unwrap_err().to_string().contains("no biases"));
    }

    /// Rounds to `digits` decimals, to compare with figures printed to that many digits.
    fn round(v: f64, digits: i32) -> f64 {
        let p = 10f64.powi(digits);
        (v * p).round() / p
    }

    #[test]
    fn batch_gradients_are_the_mean_of_the_records_gradients() {
        for hidden in [Activation::Sigmoid, Activation::Relu, Activation::Identity] {
            let net = Mlp::random(3, 4, 2, 7).with_activations(hidden, Activation::Sigmoid);
            let x = array![[0.5, 0.1, -0.2], [1.0, -2.0, 0.3], [0.0, 0.4, 0.9]];
            let y = array![[0.6, 0.1], [0.2, 0.9], [1.0, 0.0]];
            let batch = net.batch_gradients(&x, &y).unwrap();
            let mut w_ih = Array2::zeros(net.w_ih.dim());
            let mut w_ho = Array2::zeros(net.w_ho.dim());
            for (xi, yi) in x.rows().into_iter().zip(y.rows()) {
                let g = net.gradients(&xi.to_owned(), &yi.to_owned()).unwrap();
                w_ih += &(g.w_ih / 3.0);
                w_ho += &(g.w_ho / 3.0);
            }
            assert_abs_diff_eq!(batch.w_ih, w_ih, epsilon = 1e-15);
            assert_abs_diff_eq!(batch.w_ho, w_ho, epsilon = 1e-15);
        }
    }

    #[test]
    fn a_batch_with_the_wrong_number_of_target_columns_names_both_shapes() {
        let net = Mlp::random(3, 4, 2, 7);
        let err = net
            .batch_gradients(&Array2::zeros((5, 3)), &Array2::zeros((5, 1)))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("[5, 3]") && err.contains("[5, 1]") && err.contains("[n, 2]"),
            "{err}"
        );
    }

    #[test]
    fn the_worked_example_matches_the_lesson_to_the_digits_shown() {
        let net = Mlp::from_weights(array![[0.4], [-0.2]], array![[0.1]]).unwrap();
        let fwd = net.forward(&array![0.1, 0.3]).unwrap();
        assert_abs_diff_eq!(fwd.z_hidden[0], -0.02, epsilon = 1e-15);
        assert_eq!(round(fwd.a_hidden[0], 3), 0.495);
        assert_eq!(round(fwd.y_hat[0], 3), 0.512);
        let grads = net.backward(&fwd, &array![1.0]).unwrap();
        assert_eq!(round(grads.delta_output[0], 3), 0.122);
        assert_eq!(round(grads.delta_hidden[0], 3), 0.003);
        let (dw_ih, dw_ho) = grads.steps(0.5);
        assert_eq!(round(dw_ho[[0, 0]], 4), 0.0302);
        assert_eq!(round(dw_ih[[0, 0]], 5), 0.00015);
        // The lesson carries the rounded δʰ = 0.003 into Δw = η·δʰ·x = (0.00015, 0.00045);
        // carried exactly, δʰ = 0.0030455… gives Δw₁ = 0.00045683.
        let lesson_delta_hidden = round(grads.delta_hidden[0], 3);
        assert_eq!(round(0.5 * lesson_delta_hidden * 0.3, 5), 0.00045);
        assert_abs_diff_eq!(dw_ih[[1, 0]], 0.00045683, epsilon = 1e-8);
    }

    #[test]
    fn the_backprop_exercise_matches_the_lessons_weight_steps() {
        let w_ih = array![[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]];
        let w_ho = array![[0.1], [-0.3]];
        let net = Mlp::from_weights(w_ih, w_ho).unwrap();
        let grads = net
            .gradients(&array![0.5, 0.1, -0.2], &array![0.6])
            .unwrap();
        let (dw_ih, dw_ho) = grads.steps(0.5);
        let want_ho = array![[0.00804047], [0.00555918]];
        let want_ih = array![
            [1.77005547e-04, -5.11178506e-04],
            [3.54011093e-05, -1.02235701e-04],
            [-7.08022187e-05, 2.04471402e-04]
        ];
        for (got, want) in dw_ho.iter().zip(&want_ho) {
            assert_relative_eq!(*got, *want, max_relative = 1e-6);
        }
        for (got, want) in dw_ih.iter().zip(&want_ih) {
            assert_relative_eq!(*got, *want, max_relative = 1e-6);
        }
    }

    #[test]
    fn the_update_moves_the_weights_by_the_steps() {
        let mut net = Mlp::random(3, 4, 2, 7);
        let before = net.clone();
        let grads = net
            .gradients(&array![0.2, -0.4, 0.9], &array![1.0, 0.0])
            .unwrap();
        net.update(&grads, 0.5).unwrap();
        let (dw_ih, dw_ho) = grads.steps(0.5);
        assert_abs_diff_eq!(net.w_ih, &before.w_ih + &dw_ih, epsilon = 1e-15);
        assert_abs_diff_eq!(net.w_ho, &before.w_ho + &dw_ho, epsilon = 1e-15);
    }

    #[test]
    fn one_update_lowers_the_loss_for_a_small_learning_rate() {
        let mut net = Mlp::random(3, 5, 1, 11);
        let (x, y) = (array![0.5, 0.1, -0.2], array![0.6]);
        let before = net.loss(&x, &y).unwrap();
        let grads = net.gradients(&x, &y).unwrap();
        net.update(&grads, 0.1).unwrap();
        assert!(net.loss(&x, &y).unwrap() < before);
    }

    #[test]
    fn a_transposed_weight_matrix_is_named_with_both_shapes() {
        let net = Mlp::from_weights(Array2::zeros((3, 2)), Array2::zeros((2, 1))).unwrap();
        let err = net.forward(&array![1.0, 2.0]).unwrap_err().to_string();
        assert!(err.contains("`x` has shape [2]"), "{err}");
        assert!(err.contains("`w_ih` has shape [3, 2]"), "{err}");
        assert!(err.contains("w_ih.t()"), "{err}");
    }

    #[test]
    fn weights_that_do_not_chain_are_refused() {
        let err = Mlp::from_weights(Array2::zeros((4, 3)), Array2::zeros((2, 2))).unwrap_err();
        assert!(matches!(
            err,
            Error::Shape {
                op: "building the network",
                ..
            }
        ));
    }

    #[test]
    fn random_weights_are_the_draws_numpy_makes_after_seeding() {
        // np.random.seed(3); np.random.normal(0, 2 ** -0.5, (2, 3)); np.random.normal(0, 3 ** -0.5, (3, 1))
        let net = Mlp::random(2, 3, 1, 3);
        let w_ih = array![
            [1.2647513225859208, 0.3086590753517539, 0.06823401404104966],
            [
                -1.317688327240683,
                -0.1961430790190789,
                -0.25085247992791837
            ]
        ];
        let w_ho = array![
            [-0.04777081660704658],
            [-0.36199900954632575],
            [-0.025298431653648677]
        ];
        assert_abs_diff_eq!(net.w_ih, w_ih, epsilon = 1e-15);
        assert_abs_diff_eq!(net.w_ho, w_ho, epsilon = 1e-15);
    }

    #[test]
    fn random_weights_are_reproducible_and_scaled_by_fan_in() {
        let a = Mlp::random(400, 30, 1, 3);
        assert_eq!(a, Mlp::random(400, 30, 1, 3));
        assert_ne!(a, Mlp::random(400, 30, 1, 4));
        let n = a.w_ih.len() as f64;
        let std = (a.w_ih.mapv(|v| v * v).sum() / n).sqrt();
        assert_relative_eq!(std, 1.0 / 20.0, max_relative = 0.05);
    }
}
