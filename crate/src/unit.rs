//! The single sigmoid unit: ŷ = σ(x · w), and one gradient-descent step on its weights.
//!
//! Introduced in lesson 3 (the single unit).

use crate::activation::{sigmoid, sigmoid_prime};
use crate::error::{Result, same_len};
use ndarray::Array1;

/// Everything one update of a single unit computes, in the order the lesson derives it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitStep {
    /// The unit's input h = x · w.
    pub h: f64,
    /// The prediction ŷ = σ(h).
    pub y_hat: f64,
    /// The error y − ŷ.
    pub error: f64,
    /// The error term δ = (y − ŷ) · σ′(h).
    pub delta: f64,
    /// The weight step Δw = η · δ · x.
    pub delta_w: Array1<f64>,
}

/// The unit's input h = x · w.
///
/// # Shapes
/// `x`: (n,), `w`: (n,).
pub fn unit_input(x: &Array1<f64>, w: &Array1<f64>) -> Result<f64> {
    same_len("the unit's input x · w", ("x", x.len()), ("w", w.len()))?;
    Ok(x.dot(w))
}

/// The unit's prediction ŷ = σ(x · w).
///
/// # Shapes
/// `x`: (n,), `w`: (n,).
///
/// ```
/// use backprop::prelude::*;
/// let y_hat = unit_output(&array![0.1, 0.3], &array![-0.8, 0.5])?;
/// assert!((y_hat - 0.5174928576663897).abs() < 1e-15);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn unit_output(x: &Array1<f64>, w: &Array1<f64>) -> Result<f64> {
    Ok(sigmoid(unit_input(x, w)?))
}

/// The error term δ = (y − ŷ) · σ′(h): the error scaled by how steep the sigmoid is at h.
///
/// Lesson 3's form, slope from the input. [`error_term_from_output`] is the same δ with the
/// slope read off the output, as the training loops write it; the two can differ in the last bit.
pub fn error_term(y: f64, y_hat: f64, h: f64) -> f64 {
    (y - y_hat) * sigmoid_prime(h)
}

/// The error term of a sigmoid unit from its output: δ = error · ŷ · (1 − ŷ), multiplied left
/// to right as the original course's `error * output * (1 - output)`.
///
/// Every training loop uses it: `error` is y − ŷ at the output, or the error passed back to a
/// hidden unit, with `y_hat` that unit's output.
///
/// ```
/// use backprop::unit::error_term_from_output;
/// assert_eq!(error_term_from_output(0.5, 0.5), 0.125);
/// ```
pub fn error_term_from_output(error: f64, y_hat: f64) -> f64 {
    error * y_hat * (1.0 - y_hat)
}

/// One gradient-descent step for a sigmoid unit on one record (x, y) with learning rate η.
///
/// Returns the step; apply it yourself with `w = &w + &step.delta_w`.
///
/// # Shapes
/// `x`: (n,), `w`: (n,); `delta_w`: (n,).
///
/// ```
/// use backprop::prelude::*;
/// let step = unit_step(&array![0.1, 0.3], 0.2, &array![-0.8, 0.5], 0.5)?;
/// assert!((step.delta_w[1] - (-0.011891409237020647)).abs() < 1e-15);
/// # Ok::<(), backprop::Error>(())
/// ```
pub fn unit_step(x: &Array1<f64>, y: f64, w: &Array1<f64>, eta: f64) -> Result<UnitStep> {
    let h = unit_input(x, w)?;
    let y_hat = sigmoid(h);
    let error = y - y_hat;
    let delta = error_term(y, y_hat, h);
    let delta_w = x * (eta * delta);
    Ok(UnitStep {
        h,
        y_hat,
        error,
        delta,
        delta_w,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use ndarray::array;

    #[test]
    fn one_step_reproduces_the_lessons_gradient_descent_example() {
        let step = unit_step(&array![0.1, 0.3], 0.2, &array![-0.8, 0.5], 0.5).unwrap();
        assert_relative_eq!(step.y_hat, 0.5174928576663897, max_relative = 1e-14);
        assert_relative_eq!(step.delta_w[0], -0.003963803079006882, max_relative = 1e-12);
        assert_relative_eq!(step.delta_w[1], -0.011891409237020647, max_relative = 1e-12);
    }

    #[test]
    fn one_step_reproduces_the_single_unit_quiz() {
        let x = array![1.0, 2.0, 3.0, 4.0];
        let step = unit_step(&x, 0.5, &array![0.5, -0.5, 0.3, 0.1], 0.5).unwrap();
        assert_relative_eq!(step.y_hat, 0.689974481128, max_relative = 1e-11);
        assert_relative_eq!(step.error, -0.189974481128, max_relative = 1e-11);
        let expected = array![-0.02031869, -0.04063738, -0.06095608, -0.08127477];
        for (got, want) in step.delta_w.iter().zip(&expected) {
            assert_relative_eq!(*got, *want, max_relative = 1e-6);
        }
    }

    #[test]
    fn the_step_points_down_the_half_sse_slope() {
        // Δw = −η ∂(½(y − ŷ)²)/∂w, checked by finite differences.
        let (x, y, w, eta) = (array![0.4, -1.2, 0.7], 0.9, array![0.3, 0.1, -0.5], 0.5);
        let step = unit_step(&x, y, &w, eta).unwrap();
        let loss = |w: &Array1<f64>| 0.5 * (y - unit_output(&x, w).unwrap()).powi(2);
        let eps = 1e-6;
        for i in 0..w.len() {
            let (mut up, mut down) = (w.clone(), w.clone());
            up[i] += eps;
            down[i] -= eps;
            let slope = (loss(&up) - loss(&down)) / (2.0 * eps);
            assert_relative_eq!(step.delta_w[i], -eta * slope, max_relative = 1e-6);
        }
    }

    #[test]
    fn both_forms_of_the_error_term_agree_up_to_rounding() {
        // y = 1, ŷ = 0.75: (1 − 0.75) · 0.75 · (1 − 0.75), every factor exact in binary.
        assert_eq!(error_term_from_output(1.0 - 0.75, 0.75), 0.046875);
        let (y, h) = (0.2, 0.07);
        let y_hat = sigmoid(h);
        assert_relative_eq!(
            error_term_from_output(y - y_hat, y_hat),
            error_term(y, y_hat, h),
            max_relative = 1e-15
        );
    }

    #[test]
    fn a_weight_vector_of_the_wrong_length_is_an_error() {
        let err = unit_output(&array![1.0, 2.0, 3.0], &array![0.5, 0.5]).unwrap_err();
        assert!(err.to_string().contains("`w` has shape [2]"), "{err}");
    }
}
