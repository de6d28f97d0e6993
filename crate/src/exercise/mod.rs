//! Checks of the lessons' exercises, one module per lesson. Each tries the learner's own
//! function on several cases, chosen so that every likely slip changes the answer in at least
//! one of them, and names the slip when a wrong answer is what that slip gives.
//!
//! Two kinds of check:
//! - `check_…(answer)` tries cases the learner can read (the lesson's worked example, or
//!   cases listed in the check's source), so a learner sees what is expected;
//! - `check_…_unseen(answer, seed)` tries cases drawn from `seed`. A lesson calls it in its
//!   hidden tests, which `course release` removes and the grader restores: the seed is in the
//!   instructor's lesson only, so the inputs cannot be known in advance and an answer typed
//!   in as a constant, or fitted to the visible example, fails.
//!
//! | module | lesson |
//! |---|---|
//! | [`loss`] | 1. Loss |
//! | [`gradient_descent`] | 2. Gradient descent |
//! | [`single_unit`] | 3. The single unit |
//! | [`admissions`] | 4. Gradient descent on the admissions data |
//! | [`forward_pass`] | 5. The forward pass |
//! | [`backpropagation`] | 6. Backpropagation |
//! | [`admissions_backprop`] | 7. Backpropagation on the admissions data |
//! | [`relu`] | 8. ReLU networks |
//! | [`sgd`] | 9. Stochastic gradient descent |
//! | [`computational_graph`] | 10. The computational graph |
//! | [`cross_entropy`] | 11. Cross-entropy |
//! | [`capstone`] | 11. Cross-entropy: the capstone, a model of the learner's own |
//!
//! A lesson module's public items are its checks, and nothing else: the prelude imports them
//! all.

pub mod admissions;
pub mod admissions_backprop;
pub mod backpropagation;
pub mod capstone;
pub mod computational_graph;
pub mod cross_entropy;
pub mod forward_pass;
pub mod gradient_descent;
pub mod loss;
pub mod relu;
pub mod sgd;
pub mod single_unit;

pub use crate::check::Slip;
use crate::check::{Checkable, PASSED, slip_failure};
use crate::random::NumpyRandom;
use ndarray::{Array1, Array2};

/// How closely a learner's epoch must agree with the library's: the same arithmetic in
/// another order differs in the last bits, a slip in far more.
pub(crate) const EPOCH_TOLERANCE: f64 = 1e-12;

/// How many cases an unseen check draws.
pub const UNSEEN_CASES: usize = 3;

/// One case an answer was tried on: what it was given (shown when the answer is wrong), what
/// it gave, the right answer, and what each likely slip gives on the same inputs.
pub(crate) struct Tried<T> {
    /// The inputs, as the failure message shows them.
    pub inputs: String,
    /// The learner's answer.
    pub actual: T,
    /// The right answer.
    pub expected: T,
    /// The slips' answers on these inputs.
    pub slips: Vec<Slip<T>>,
}

/// Checks an answer on cases it has not seen: prints one `✓` line when every case is right,
/// or fails on the first wrong one as [`check_slips`](crate::check::check_slips) does, naming
/// the case and its inputs.
pub(crate) fn check_tried<T: Checkable>(what: &str, tried: &[Tried<T>], tol: f64, hint: &str) {
    for (k, case) in tried.iter().enumerate() {
        let name = format!(
            "{what}, unseen case {} of {}: {}",
            k + 1,
            tried.len(),
            case.inputs
        );
        if let Some(failure) =
            slip_failure(&name, &case.actual, &case.expected, tol, &case.slips, hint)
        {
            panic!("{failure}");
        }
    }
    println!("{PASSED} {what}: right on {} unseen cases", tried.len());
}

/// Whether every two of `answers` differ clearly (by more than `tol`, relative as in
/// [`check`](crate::check::check)), so that a wrong answer is named by its own slip's hint
/// only. Drawn cases are drawn again until this holds.
pub(crate) fn all_apart<T: Checkable>(answers: &[&T], tol: f64) -> bool {
    answers.iter().enumerate().all(|(i, a)| {
        answers[i + 1..]
            .iter()
            .all(|b| a.mismatch(b, tol).is_some())
    })
}

/// The right answer and the slips' answers in one list, the right one first.
pub(crate) fn answers<'a, T>(expected: &'a T, slips: &'a [Slip<T>]) -> Vec<&'a T> {
    let mut all = vec![expected];
    all.extend(slips.iter().map(|s| &s.gives));
    all
}

/// Inputs drawn for unseen cases: numpy's generator, seeded with the hidden test's seed.
pub(crate) struct Draw(NumpyRandom);

impl Draw {
    /// The draws of `seed` (only its low 32 bits count, as in numpy).
    pub fn new(seed: u64) -> Draw {
        Draw(NumpyRandom::seed(seed as u32))
    }

    /// A number drawn uniformly from `[low, high)`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.0.random_sample()
    }

    /// A whole number from `low` to `high`, both included.
    pub fn size(&mut self, low: usize, high: usize) -> usize {
        low + ((high - low + 1) as f64 * self.0.random_sample()) as usize
    }

    /// `n` numbers drawn from the normal distribution with mean 0 and deviation `scale`.
    ///
    /// # Shapes
    /// `(n)`
    pub fn vector(&mut self, n: usize, scale: f64) -> Array1<f64> {
        self.0.normal(0.0, scale, n)
    }

    /// A matrix of numbers drawn from the normal distribution with mean 0 and deviation `scale`.
    ///
    /// # Shapes
    /// `(rows × cols)`
    pub fn matrix(&mut self, rows: usize, cols: usize, scale: f64) -> Array2<f64> {
        self.0.normal_matrix(0.0, scale, rows, cols)
    }

    /// `n` targets of 0 and 1, with at least one of each when `n ≥ 2`.
    ///
    /// # Shapes
    /// `(n)`
    pub fn labels(&mut self, n: usize) -> Array1<f64> {
        let mut labels: Array1<f64> = (0..n)
            .map(|_| f64::from(self.0.random_sample() < 0.5))
            .collect();
        if n >= 2 {
            labels[0] = 0.0;
            labels[n - 1] = 1.0;
        }
        labels
    }

    /// A learning rate from `[0.05, 0.45)`: never 0.5 or 1, so a forgotten η or a fixed one
    /// never reads as a factor ½.
    pub fn rate(&mut self) -> f64 {
        self.uniform(0.05, 0.45)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::check::failure_message;

    fn tried(actual: f64) -> Tried<f64> {
        Tried {
            inputs: "x = 2".into(),
            actual,
            expected: 4.0,
            slips: vec![Slip::new(
                "you doubled x instead of squaring it",
                4.0 + 1e-3,
            )],
        }
    }

    #[test]
    fn every_right_case_passes() {
        check_tried("x²", &[tried(4.0), tried(4.0)], 1e-9, "square x");
    }

    #[test]
    fn a_wrong_case_fails_naming_the_case_its_inputs_and_the_slip() {
        let msg =
            failure_message(|| check_tried("x²", &[tried(4.0), tried(4.001)], 1e-9, "square x"));
        assert!(
            msg.starts_with("✗ x², unseen case 2 of 2: x = 2\n"),
            "{msg}"
        );
        assert!(
            msg.ends_with("Hint: you doubled x instead of squaring it"),
            "{msg}"
        );
        let other = failure_message(|| check_tried("x²", &[tried(5.0)], 1e-9, "square x"));
        assert!(other.ends_with("Hint: square x"), "{other}");
    }

    #[test]
    fn draws_depend_on_the_seed_and_stay_in_range() {
        let (mut a, mut b) = (Draw::new(1), Draw::new(2));
        assert_ne!(a.vector(3, 1.0), b.vector(3, 1.0));
        assert_eq!(Draw::new(5).vector(3, 1.0), Draw::new(5).vector(3, 1.0));
        for _ in 0..200 {
            let size = a.size(2, 4);
            assert!((2..=4).contains(&size), "{size}");
            let rate = a.rate();
            assert!((0.05..0.45).contains(&rate), "{rate}");
        }
        let labels = a.labels(6);
        assert_eq!((labels[0], labels[5]), (0.0, 1.0));
        assert!(labels.iter().all(|&l| l == 0.0 || l == 1.0));
    }
}
