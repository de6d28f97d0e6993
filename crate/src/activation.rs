//! Activation functions, each beside its derivative.
//!
//! Introduced in lesson 3 (the single unit); ReLU in lesson 8.
//! Every function takes a number or an array (`sigmoid(0.5)`, `sigmoid(&h)`)
//! and applies itself to each entry.

use ndarray::{Array, ArrayBase, Data, Dimension};

/// Something an activation can be applied to entry by entry: `f64` or an ndarray array.
pub trait Elementwise {
    /// What the activation returns: `f64` for a number, an owned array for an array.
    type Output;
    /// Applies `f` to every entry.
    fn each(self, f: fn(f64) -> f64) -> Self::Output;
}

impl Elementwise for f64 {
    type Output = f64;
    fn each(self, f: fn(f64) -> f64) -> f64 {
        f(self)
    }
}

impl<S: Data<Elem = f64>, D: Dimension> Elementwise for &ArrayBase<S, D> {
    type Output = Array<f64, D>;
    fn each(self, f: fn(f64) -> f64) -> Array<f64, D> {
        self.mapv(f)
    }
}

impl<D: Dimension> Elementwise for Array<f64, D> {
    type Output = Array<f64, D>;
    fn each(self, f: fn(f64) -> f64) -> Array<f64, D> {
        self.mapv_into(f)
    }
}

fn sigmoid_1(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn sigmoid_prime_1(x: f64) -> f64 {
    let s = sigmoid_1(x);
    s * (1.0 - s)
}

fn relu_1(x: f64) -> f64 {
    x.max(0.0)
}

fn relu_prime_1(x: f64) -> f64 {
    if x > 0.0 { 1.0 } else { 0.0 }
}

/// The logistic sigmoid σ(x) = 1 / (1 + e^(−x)), squashing any number into (0, 1).
///
/// ```
/// use backprop::prelude::*;
/// assert_eq!(sigmoid(0.0), 0.5);
/// assert_eq!(sigmoid(&array![0.0, 0.0]), array![0.5, 0.5]);
/// ```
pub fn sigmoid<T: Elementwise>(x: T) -> T::Output {
    x.each(sigmoid_1)
}

/// The sigmoid's slope at `x`: σ′(x) = σ(x)·(1 − σ(x)), never above 0.25.
///
/// Takes the input `x` (the lesson's `h`), not the output σ(x).
///
/// ```
/// use backprop::prelude::*;
/// assert_eq!(sigmoid_prime(0.0), 0.25);
/// ```
pub fn sigmoid_prime<T: Elementwise>(x: T) -> T::Output {
    x.each(sigmoid_prime_1)
}

/// The rectified linear unit: max(0, x).
///
/// ```
/// use backprop::prelude::*;
/// assert_eq!(relu(&array![-2.0, 3.0]), array![0.0, 3.0]);
/// ```
pub fn relu<T: Elementwise>(x: T) -> T::Output {
    x.each(relu_1)
}

/// ReLU's slope: 1 where x > 0, else 0 (we pick 0 at the kink).
///
/// ```
/// use backprop::prelude::*;
/// assert_eq!(relu_prime(&array![-2.0, 0.0, 3.0]), array![0.0, 0.0, 1.0]);
/// ```
pub fn relu_prime<T: Elementwise>(x: T) -> T::Output {
    x.each(relu_prime_1)
}

/// A layer's activation, chosen at run time; each knows its own derivative.
///
/// Introduced in lesson 6 (backpropagation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    /// σ(x), the lessons' default.
    #[default]
    Sigmoid,
    /// max(0, x).
    Relu,
    /// x itself: a linear layer, as for a regression output.
    Identity,
}

impl Activation {
    /// Applies the activation: `a = f(z)`.
    pub fn f<T: Elementwise>(self, z: T) -> T::Output {
        match self {
            Activation::Sigmoid => z.each(sigmoid_1),
            Activation::Relu => z.each(relu_1),
            Activation::Identity => z.each(|v| v),
        }
    }

    /// The activation's slope at `z`: `f′(z)`.
    pub fn f_prime<T: Elementwise>(self, z: T) -> T::Output {
        match self {
            Activation::Sigmoid => z.each(sigmoid_prime_1),
            Activation::Relu => z.each(relu_prime_1),
            Activation::Identity => z.each(|_| 1.0),
        }
    }

    /// The slope `f′(z)` when the output `a = f(z)` is already known: for the sigmoid
    /// `a·(1 − a)`, which saves computing σ a second time (what the lessons write as
    /// `output * (1 - output)`).
    pub fn slope(self, z: f64, a: f64) -> f64 {
        match self {
            Activation::Sigmoid => a * (1.0 - a),
            _ => self.f_prime(z),
        }
    }

    /// [`Activation::slope`] for every entry of arrays `z` and `a = f(z)`.
    ///
    /// # Shapes
    /// `z` and `a` alike; the slope has their shape.
    pub fn f_prime_from<D: Dimension>(self, z: &Array<f64, D>, a: &Array<f64, D>) -> Array<f64, D> {
        let mut slope = a.clone();
        slope.zip_mut_with(z, |s, &z| *s = self.slope(z, *s));
        slope
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;
    use ndarray::array;

    fn slope(f: fn(f64) -> f64, x: f64) -> f64 {
        let eps = 1e-6;
        (f(x + eps) - f(x - eps)) / (2.0 * eps)
    }

    #[test]
    fn the_slope_from_a_known_output_is_the_slope() {
        let z = array![[-2.0, 0.0], [0.5, 3.0]];
        for act in [Activation::Sigmoid, Activation::Relu, Activation::Identity] {
            let a = act.f(&z);
            assert_abs_diff_eq!(act.f_prime_from(&z, &a), act.f_prime(&z), epsilon = 1e-15);
        }
    }

    #[test]
    fn sigmoid_prime_matches_the_finite_difference_slope() {
        for x in [-6.0, -1.5, -0.02, 0.0, 0.3, 2.0, 7.0] {
            assert_abs_diff_eq!(sigmoid_prime(x), slope(sigmoid_1, x), epsilon = 1e-9);
        }
    }

    #[test]
    fn relu_prime_matches_the_finite_difference_slope_away_from_zero() {
        for x in [-3.0, -0.1, 0.1, 4.0] {
            assert_abs_diff_eq!(relu_prime(x), slope(relu_1, x), epsilon = 1e-9);
        }
    }

    #[test]
    fn sigmoid_prime_peaks_at_a_quarter() {
        let xs = Array::linspace(-10.0, 10.0, 2001);
        let max = sigmoid_prime(&xs).fold(f64::MIN, |m, &v| m.max(v));
        assert_abs_diff_eq!(max, 0.25, epsilon = 1e-12);
    }

    #[test]
    fn activations_apply_to_every_entry_of_a_matrix() {
        let z = array![[0.0, -1.0], [2.0, -3.0]];
        assert_eq!(relu(&z), array![[0.0, 0.0], [2.0, 0.0]]);
        assert_eq!(Activation::Identity.f(z.clone()), z);
        assert_eq!(
            Activation::Identity.f_prime(&z),
            array![[1.0, 1.0], [1.0, 1.0]]
        );
        assert_abs_diff_eq!(sigmoid(-1.0) + sigmoid(1.0), 1.0, epsilon = 1e-15);
    }
}
