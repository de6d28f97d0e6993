//! Summation in a fixed order, record after record.
//!
//! Introduced in lesson 4 (gradient descent on the admissions data). ndarray's `sum` and `dot`
//! group their additions in their own way; adding left to right instead is what lets a seeded
//! run print the same digits as the original Python course.

use ndarray::ArrayView1;

/// Sum of `values`, one after another (ndarray's `sum` adds in a different order).
///
/// ```
/// use backprop::summation::sum_in_order;
/// assert_eq!(sum_in_order(&[1e16, 1.0, -1e16, 1.0]), 1.0);
/// ```
pub fn sum_in_order<'a>(values: impl IntoIterator<Item = &'a f64>) -> f64 {
    values.into_iter().fold(0.0, |acc, v| acc + v)
}

/// The mean and the sample standard deviation (divided by n − 1) of `values`, every sum
/// taken in order, as pandas takes them.
///
/// ```
/// use backprop::summation::mean_and_sample_std;
/// assert_eq!(mean_and_sample_std(&[1.0, 2.0, 3.0]), (2.0, 1.0));
/// ```
pub fn mean_and_sample_std<'a>(values: impl IntoIterator<Item = &'a f64> + Clone) -> (f64, f64) {
    let n = values.clone().into_iter().count() as f64;
    let mean = sum_in_order(values.clone()) / n;
    let squares: Vec<f64> = values.into_iter().map(|v| (v - mean).powi(2)).collect();
    (mean, (sum_in_order(&squares) / (n - 1.0)).sqrt())
}

/// x · w, term by term in order.
///
/// # Shapes
/// `x`: (n,), `w`: (n,); a longer one is cut to the shorter's length.
pub(crate) fn dot_in_order(x: ArrayView1<f64>, w: ArrayView1<f64>) -> f64 {
    x.iter().zip(w).fold(0.0, |acc, (a, b)| acc + a * b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn sums_in_order_keep_the_order_of_additions() {
        let v = [1e16, 1.0, -1e16, 1.0];
        assert_eq!(sum_in_order(&v), 1.0);
    }

    #[test]
    fn a_dot_in_order_adds_the_products_left_to_right() {
        let (x, w) = (array![1e16, 1.0, -1e16, 1.0], array![1.0, 1.0, 1.0, 2.0]);
        assert_eq!(dot_in_order(x.view(), w.view()), 2.0);
    }
}
