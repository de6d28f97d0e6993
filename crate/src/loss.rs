//! Losses: how far predictions `y_hat` are from targets `y`, and each loss's gradient.
//!
//! Introduced in lesson 1 (loss).
//!
//! | loss | value | gradient ∂L/∂ŷᵢ |
//! |---|---|---|
//! | SSE | Σ (yᵢ − ŷᵢ)² | −2 (yᵢ − ŷᵢ) |
//! | ½SSE | ½ Σ (yᵢ − ŷᵢ)² | −(yᵢ − ŷᵢ) |
//! | MSE | (1/n) Σ (yᵢ − ŷᵢ)² | −(2/n) (yᵢ − ŷᵢ) |
//! | ½MSE | (1/2n) Σ (yᵢ − ŷᵢ)² | −(1/n) (yᵢ − ŷᵢ) |

use crate::error::{Error, Result, same_len};
use crate::summation::sum_in_order;
use ndarray::Array1;
use std::fmt;

/// One of the four squared-error losses the lessons compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// Sum of squared errors.
    Sse,
    /// Half the sum of squared errors (its gradient has no factor 2).
    HalfSse,
    /// Mean of squared errors.
    Mse,
    /// Half the mean of squared errors.
    HalfMse,
}

impl Loss {
    /// All four, in the order the lesson tables them.
    pub const ALL: [Loss; 4] = [Loss::Sse, Loss::HalfSse, Loss::Mse, Loss::HalfMse];

    /// The factor c in L = c · Σ (y − ŷ)² for `n` records.
    fn scale(self, n: usize) -> f64 {
        let n = n as f64;
        match self {
            Loss::Sse => 1.0,
            Loss::HalfSse => 0.5,
            Loss::Mse => 1.0 / n,
            Loss::HalfMse => 0.5 / n,
        }
    }

    /// The loss of predictions `y_hat` against targets `y`.
    ///
    /// # Shapes
    /// `y`: (n,), `y_hat`: (n,), n ≥ 1.
    ///
    /// ```
    /// use backprop::prelude::*;
    /// let (y, y_hat) = (array![1.0, 2.0], array![0.0, 4.0]);
    /// assert_eq!(Loss::Sse.value(&y, &y_hat)?, 5.0);
    /// assert_eq!(Loss::HalfMse.value(&y, &y_hat)?, 1.25);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn value(self, y: &Array1<f64>, y_hat: &Array1<f64>) -> Result<f64> {
        let n = checked_len(self.name(), y, y_hat)?;
        let squares: f64 = (y - y_hat).mapv(|e| e * e).sum();
        Ok(self.scale(n) * squares)
    }

    /// The gradient ∂L/∂ŷ, one entry per prediction.
    ///
    /// # Shapes
    /// `y`: (n,), `y_hat`: (n,) → (n,).
    ///
    /// ```
    /// use backprop::prelude::*;
    /// let g = Loss::Mse.grad(&array![1.0, 2.0], &array![0.0, 4.0])?;
    /// assert_eq!(g, array![-1.0, 2.0]);
    /// # Ok::<(), backprop::Error>(())
    /// ```
    pub fn grad(self, y: &Array1<f64>, y_hat: &Array1<f64>) -> Result<Array1<f64>> {
        let n = checked_len(self.name(), y, y_hat)?;
        Ok((y - y_hat) * (-2.0 * self.scale(n)))
    }

    /// The name the lessons use: "SSE", "½SSE", "MSE" or "½MSE".
    pub fn name(self) -> &'static str {
        match self {
            Loss::Sse => "SSE",
            Loss::HalfSse => "½SSE",
            Loss::Mse => "MSE",
            Loss::HalfMse => "½MSE",
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The number of records, once `y` and `y_hat` are known to be as long as each other and not empty.
fn checked_len(op: &'static str, y: &Array1<f64>, y_hat: &Array1<f64>) -> Result<usize> {
    same_len(op, ("y", y.len()), ("y_hat", y_hat.len()))?;
    if y.is_empty() {
        return Err(Error::Empty { op, what: "y" });
    }
    Ok(y.len())
}

/// Sum of squared errors: Σ (y − ŷ)². See [`Loss::value`].
pub fn sse(y: &Array1<f64>, y_hat: &Array1<f64>) -> Result<f64> {
    Loss::Sse.value(y, y_hat)
}

/// Half the sum of squared errors: ½ Σ (y − ŷ)². See [`Loss::value`].
pub fn half_sse(y: &Array1<f64>, y_hat: &Array1<f64>) -> Result<f64> {
    Loss::HalfSse.value(y, y_hat)
}

/// Mean squared error: (1/n) Σ (y − ŷ)². See [`Loss::value`].
pub fn mse(y: &Array1<f64>, y_hat: &Array1<f64>) -> Result<f64> {
    Loss::Mse.value(y, y_hat)
}

/// Half the mean squared error: (1/2n) Σ (y − ŷ)². See [`Loss::value`].
pub fn half_mse(y: &Array1<f64>, y_hat: &Array1<f64>) -> Result<f64> {
    Loss::HalfMse.value(y, y_hat)
}

/// Binary cross-entropy: −(1/n) Σ [y ln ŷ + (1 − y) ln(1 − ŷ)], for targets 0 or 1 and
/// predictions in (0, 1). Predictions are clamped to [1e-15, 1 − 1e-15] so a confident
/// mistake costs a large finite loss rather than infinity.
///
/// Introduced in lesson 11 (cross-entropy).
///
/// # Shapes
/// `y`: (n,), `y_hat`: (n,).
///
/// ```
/// use backprop::prelude::*;
/// let l = cross_entropy(&array![1.0, 0.0], &array![0.5, 0.5])?;
/// assert!((l - 2f64.ln()).abs() < 1e-15);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn cross_entropy(y: &Array1<f64>, y_hat: &Array1<f64>) -> Result<f64> {
    let n = checked_len("cross-entropy", y, y_hat)?;
    let terms: Vec<f64> = y
        .iter()
        .zip(y_hat)
        .map(|(&t, &p)| {
            let p = p.clamp(1e-15, 1.0 - 1e-15);
            t * p.ln() + (1.0 - t) * (1.0 - p).ln()
        })
        .collect();
    Ok(-sum_in_order(&terms) / n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    #[test]
    fn the_four_losses_differ_only_by_their_scale() {
        let y = array![1.0, 0.0, 2.0, 3.0];
        let y_hat = array![0.5, 0.5, 2.5, 1.0];
        // squared errors: 0.25 + 0.25 + 0.25 + 4 = 4.75
        assert_abs_diff_eq!(sse(&y, &y_hat).unwrap(), 4.75);
        assert_abs_diff_eq!(half_sse(&y, &y_hat).unwrap(), 2.375);
        assert_abs_diff_eq!(mse(&y, &y_hat).unwrap(), 1.1875);
        assert_abs_diff_eq!(half_mse(&y, &y_hat).unwrap(), 0.59375);
    }

    #[test]
    fn every_gradient_matches_finite_differences() {
        let y = array![0.3, -1.0, 2.0];
        let y_hat = array![0.1, 0.4, 2.5];
        let eps = 1e-6;
        for loss in Loss::ALL {
            let g = loss.grad(&y, &y_hat).unwrap();
            for i in 0..y.len() {
                let (mut up, mut down) = (y_hat.clone(), y_hat.clone());
                up[i] += eps;
                down[i] -= eps;
                let numeric =
                    (loss.value(&y, &up).unwrap() - loss.value(&y, &down).unwrap()) / (2.0 * eps);
                assert_abs_diff_eq!(g[i], numeric, epsilon = 1e-8);
            }
        }
    }

    #[test]
    fn mse_stays_put_as_records_repeat_while_sse_grows() {
        let y = array![1.0, 2.0];
        let y_hat = array![1.5, 1.0];
        let y10 = Array1::from_iter(y.iter().cycle().take(20).copied());
        let y_hat10 = Array1::from_iter(y_hat.iter().cycle().take(20).copied());
        assert_abs_diff_eq!(
            sse(&y10, &y_hat10).unwrap(),
            10.0 * sse(&y, &y_hat).unwrap()
        );
        assert_abs_diff_eq!(mse(&y10, &y_hat10).unwrap(), mse(&y, &y_hat).unwrap());
    }

    #[test]
    fn cross_entropy_punishes_confident_mistakes_far_more_than_mse() {
        let y = array![1.0];
        let wrong = array![0.01];
        assert_abs_diff_eq!(
            cross_entropy(&y, &wrong).unwrap(),
            -(0.01f64.ln()),
            epsilon = 1e-12
        );
        assert!(cross_entropy(&y, &wrong).unwrap() > 4.0 && mse(&y, &wrong).unwrap() < 1.0);
        assert!(cross_entropy(&y, &array![1.0]).unwrap() < 1e-12);
        assert!(
            cross_entropy(&array![0.0], &array![1.0])
                .unwrap()
                .is_finite()
        );
    }

    #[test]
    fn mismatched_or_empty_inputs_are_errors_not_panics() {
        let err = mse(&array![1.0, 2.0], &array![1.0]).unwrap_err();
        assert!(matches!(err, Error::Shape { op: "MSE", .. }), "{err}");
        let empty = Array1::<f64>::zeros(0);
        assert_eq!(
            sse(&empty, &empty).unwrap_err().to_string(),
            "y is empty: SSE needs at least one value"
        );
    }
}
