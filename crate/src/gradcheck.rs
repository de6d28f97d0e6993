//! Finite-difference gradient checking: the oracle every backward pass is tested against.
//!
//! Introduced in lesson 6 (backpropagation).

use crate::error::Result;
use crate::mlp::Mlp;
use ndarray::{Array, Dimension};

/// The gradient of `f` at `w` by central differences: (f(w + ε) − f(w − ε)) / 2ε, entry by entry.
///
/// # Shapes
/// Returns an array shaped like `w`.
///
/// ```
/// use backprop::prelude::*;
/// // f(w) = w₀² + 3·w₁ has gradient (2·w₀, 3).
/// let g = numeric_gradient(|w: &Array1<f64>| w[0] * w[0] + 3.0 * w[1], &array![2.0, 5.0], 1e-5);
/// assert!((g[0] - 4.0).abs() < 1e-8 && (g[1] - 3.0).abs() < 1e-8);
/// ```
pub fn numeric_gradient<D, F>(mut f: F, w: &Array<f64, D>, eps: f64) -> Array<f64, D>
where
    D: Dimension,
    F: FnMut(&Array<f64, D>) -> f64,
{
    let mut probe = w.clone();
    let mut grad = Array::zeros(w.raw_dim());
    for (i, g) in grad.iter_mut().enumerate() {
        let original = *probe.iter().nth(i).expect("index within the array");
        set_nth(&mut probe, i, original + eps);
        let up = f(&probe);
        set_nth(&mut probe, i, original - eps);
        let down = f(&probe);
        set_nth(&mut probe, i, original);
        *g = (up - down) / (2.0 * eps);
    }
    grad
}

fn set_nth<D: Dimension>(a: &mut Array<f64, D>, i: usize, v: f64) {
    if let Some(slot) = a.iter_mut().nth(i) {
        *slot = v;
    }
}

/// The largest relative difference |a − n| / max(|a| + |n|, 1e-12) between two arrays.
pub fn max_relative_error<D: Dimension>(analytic: &Array<f64, D>, numeric: &Array<f64, D>) -> f64 {
    analytic
        .iter()
        .zip(numeric.iter())
        .map(|(a, n)| (a - n).abs() / (a.abs() + n.abs()).max(1e-12))
        .fold(0.0, f64::max)
}

/// How far backprop's gradients are from finite differences, per weight matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradCheck {
    /// Largest relative error over the entries of ∂loss/∂w_ih.
    pub w_ih: f64,
    /// Largest relative error over the entries of ∂loss/∂w_ho.
    pub w_ho: f64,
}

impl GradCheck {
    /// The larger of the two errors.
    pub fn max(&self) -> f64 {
        self.w_ih.max(self.w_ho)
    }
}

/// Checks [`Mlp::backward`] against finite differences of [`Mlp::loss`] on one record.
///
/// A correct backward pass gives errors near 1e-7 or below; a wrong one, near 1.
///
/// # Shapes
/// `x`: (n_input,), `y`: (n_output,).
///
/// ```
/// use backprop::prelude::*;
/// let net = Mlp::random(3, 4, 2, 1);
/// let check = grad_check(&net, &array![0.5, -0.1, 0.2], &array![1.0, 0.0])?;
/// assert!(check.max() < 1e-6);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn grad_check(
    mlp: &Mlp,
    x: &ndarray::Array1<f64>,
    y: &ndarray::Array1<f64>,
) -> Result<GradCheck> {
    let grads = mlp.gradients(x, y)?;
    let eps = 1e-5;
    let mut probe = mlp.clone();
    let numeric_ih = numeric_gradient(
        |w| {
            probe.w_ih.assign(w);
            probe.loss(x, y).unwrap_or(f64::NAN)
        },
        &mlp.w_ih,
        eps,
    );
    let mut probe = mlp.clone();
    let numeric_ho = numeric_gradient(
        |w| {
            probe.w_ho.assign(w);
            probe.loss(x, y).unwrap_or(f64::NAN)
        },
        &mlp.w_ho,
        eps,
    );
    Ok(GradCheck {
        w_ih: max_relative_error(&grads.w_ih, &numeric_ih),
        w_ho: max_relative_error(&grads.w_ho, &numeric_ho),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::random::NumpyRandom;
    use ndarray::Array1;

    #[test]
    fn backprop_agrees_with_finite_differences_on_random_shapes_and_activations() {
        let mut rng = NumpyRandom::seed(2024);
        // A whole number in 1..=n, and n draws uniform in [-1, 1).
        let size = |n: f64, rng: &mut NumpyRandom| 1 + (rng.random_sample() * n) as usize;
        let uniform = |n: usize, rng: &mut NumpyRandom| {
            Array1::from_shape_fn(n, |_| 2.0 * rng.random_sample() - 1.0)
        };
        let activations = [Activation::Sigmoid, Activation::Relu, Activation::Identity];
        for trial in 0..60 {
            let (n_in, n_h, n_out) = (
                size(6.0, &mut rng),
                size(6.0, &mut rng),
                size(3.0, &mut rng),
            );
            let hidden = activations[trial % 3];
            let output = activations[(trial / 3) % 3];
            let net = Mlp::random(n_in, n_h, n_out, trial as u32).with_activations(hidden, output);
            let x = uniform(n_in, &mut rng);
            let y = uniform(n_out, &mut rng);
            let check = grad_check(&net, &x, &y).unwrap();
            // ReLU's kink can sit within ε of a pre-activation; skip the rare such draw.
            let near_kink = hidden == Activation::Relu
                && net
                    .forward(&x)
                    .unwrap()
                    .z_hidden
                    .iter()
                    .any(|z| z.abs() < 1e-4);
            if !near_kink {
                assert!(
                    check.max() < 1e-6,
                    "trial {trial}: {n_in}x{n_h}x{n_out} {hidden:?}/{output:?}: {check:?}"
                );
            }
        }
    }

    #[test]
    fn a_wrong_backward_pass_is_caught() {
        let net = Mlp::random(3, 4, 1, 5);
        let (x, y) = (ndarray::array![0.3, -0.7, 0.1], ndarray::array![1.0]);
        let mut grads = net.gradients(&x, &y).unwrap();
        grads.w_ih.mapv_inplace(|g| -g); // the classic sign slip
        let numeric = numeric_gradient(
            |w| {
                let mut probe = net.clone();
                probe.w_ih.assign(w);
                probe.loss(&x, &y).unwrap()
            },
            &net.w_ih,
            1e-5,
        );
        assert!(max_relative_error(&grads.w_ih, &numeric) > 0.99);
    }
}
