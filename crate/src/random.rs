//! numpy's legacy `RandomState`, so seeded lessons draw exactly the numbers the original
//! Python course drew (and print exactly what it printed).
//!
//! Introduced in lesson 4 (gradient descent on the admissions data). The Mersenne Twister
//! itself comes from `rand_mt`; the conversions to doubles, Gaussians and shuffles follow
//! numpy's legacy algorithms.

use ndarray::{Array1, Array2};
use rand_mt::Mt;

/// A random stream equal to numpy's after `np.random.seed(seed)`.
#[derive(Clone)]
pub struct NumpyRandom {
    mt: Mt,
    /// The second value of the last Gaussian pair, kept as numpy keeps it.
    spare_gauss: Option<f64>,
}

impl std::fmt::Debug for NumpyRandom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NumpyRandom").finish_non_exhaustive()
    }
}

impl NumpyRandom {
    /// The stream `np.random.seed(seed)` starts.
    ///
    /// ```
    /// use backprop::prelude::*;
    /// let mut rng = NumpyRandom::seed(42);
    /// assert_eq!(rng.random_sample(), 0.3745401188473625); // np.random.random_sample()
    /// ```
    pub fn seed(seed: u32) -> NumpyRandom {
        NumpyRandom {
            mt: Mt::new(seed),
            spare_gauss: None,
        }
    }

    /// A uniform double in [0, 1) with 53 random bits (`np.random.random_sample()`).
    pub fn random_sample(&mut self) -> f64 {
        let a = f64::from(self.mt.next_u32() >> 5);
        let b = f64::from(self.mt.next_u32() >> 6);
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// A standard normal draw by the polar method, pairs cached (`np.random.standard_normal()`).
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(spare) = self.spare_gauss.take() {
            return spare;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.spare_gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// `n` standard normal draws (`np.random.randn(n)`).
    pub fn randn(&mut self, n: usize) -> Array1<f64> {
        Array1::from_shape_fn(n, |_| self.standard_normal())
    }

    /// `n` draws from N(loc, scale²) (`np.random.normal(loc, scale, n)`).
    pub fn normal(&mut self, loc: f64, scale: f64, n: usize) -> Array1<f64> {
        Array1::from_shape_fn(n, |_| loc + scale * self.standard_normal())
    }

    /// A matrix of draws from N(loc, scale²), filled row by row
    /// (`np.random.normal(loc, scale, (rows, cols))`).
    ///
    /// # Shapes
    /// Returns (rows, cols).
    pub fn normal_matrix(&mut self, loc: f64, scale: f64, rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_shape_fn((rows, cols), |_| loc + scale * self.standard_normal())
    }

    /// A uniform integer in [0, max], by masked rejection as numpy's legacy shuffle draws it.
    fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        for shift in [1, 2, 4, 8, 16, 32] {
            mask |= mask >> shift;
        }
        loop {
            let value = if max <= u64::from(u32::MAX) {
                u64::from(self.mt.next_u32()) & mask
            } else {
                let high = u64::from(self.mt.next_u32());
                ((high << 32) | u64::from(self.mt.next_u32())) & mask
            };
            if value <= max {
                return value;
            }
        }
    }

    /// Shuffles `items` in place (`np.random.shuffle`).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.interval(i as u64) as usize;
            items.swap(i, j);
        }
    }

    /// 0..n in random order (`np.random.permutation(n)`).
    ///
    /// ```
    /// use backprop::prelude::*;
    /// assert_eq!(NumpyRandom::seed(42).permutation(10), vec![8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
    /// ```
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut items: Vec<usize> = (0..n).collect();
        self.shuffle(&mut items);
        items
    }

    /// `size` distinct indices from 0..n (`np.random.choice(n, size, replace=False)`).
    pub fn choice_without_replacement(&mut self, n: usize, size: usize) -> Vec<usize> {
        let mut items = self.permutation(n);
        items.truncate(size.min(n));
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values printed by numpy's legacy RandomState.

    #[test]
    fn uniform_draws_match_numpy() {
        let mut rng = NumpyRandom::seed(42);
        assert_eq!(rng.random_sample(), 0.3745401188473625);
        assert_eq!(rng.random_sample(), 0.9507143064099162);
    }

    #[test]
    fn gaussian_draws_match_numpy_randn_and_normal() {
        let draws = NumpyRandom::seed(42).randn(4);
        assert_eq!(
            draws.to_vec(),
            vec![
                0.4967141530112327,
                -0.13826430117118466,
                0.6476885381006925,
                1.5230298564080254
            ]
        );
        let m = NumpyRandom::seed(42).normal_matrix(0.0, 0.1, 2, 3);
        assert_eq!(m[[0, 1]], -0.013826430117118467);
        assert_eq!(m[[1, 2]], -0.023413695694918055);
    }

    #[test]
    fn the_admissions_split_matches_numpy_choice() {
        let sample = NumpyRandom::seed(42).choice_without_replacement(400, 360);
        assert_eq!(sample.len(), 360);
        assert_eq!(&sample[..8], &[209, 280, 33, 210, 93, 84, 329, 94]);
        assert_eq!(&sample[357..], &[306, 383, 319]);
        let other = NumpyRandom::seed(21).choice_without_replacement(400, 360);
        assert_eq!(&other[..5], &[106, 9, 61, 224, 37]);
    }
}
