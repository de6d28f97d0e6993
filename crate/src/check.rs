//! Checks for exercises: print `✓` when an answer is right, panic with `✗`, the expected
//! and actual values and a hint when it is not.
//!
//! Introduced in lesson 1 (loss). The course runner counts `✓` lines as passed checks and
//! a panic whose message starts with `✗` as a failed one.

use ndarray::{Array, Dimension};
use std::fmt::Debug;

/// Relative tolerance of [`check`]: answers agree when |actual − expected| ≤ 1e-6 · max(1, |expected|).
pub const TOLERANCE: f64 = 1e-6;

/// A value an exercise can be checked against: a number or an array of numbers.
pub trait Checkable {
    /// Why `self` is not `expected` within `tol`, or `None` when it is.
    fn mismatch(&self, expected: &Self, tol: f64) -> Option<String>;
    /// The value as the check message shows it.
    fn show(&self) -> String;
}

fn close(actual: f64, expected: f64, tol: f64) -> bool {
    (actual - expected).abs() <= tol * expected.abs().max(1.0)
}

/// A guess at the slip behind a wrong number.
fn diagnose(actual: f64, expected: f64, tol: f64) -> Option<&'static str> {
    if actual.is_nan() {
        Some("the answer is NaN: look for 0/0, or a value used before it was set")
    } else if expected != 0.0 && close(-actual, expected, tol) {
        Some("right size, wrong sign: check the order in (y − ŷ) and the sign of the step")
    } else if expected != 0.0 && close(actual, 2.0 * expected, tol) {
        Some("exactly twice the answer: a factor ½ is missing (where η = 0.5, so is a forgotten η)")
    } else if expected != 0.0 && close(2.0 * actual, expected, tol) {
        Some("exactly half the answer: a factor ½ too many, or a mean where a sum was wanted")
    } else {
        None
    }
}

/// A number rounded to 10 significant digits, so float noise (0.024999999999999998) reads as 0.025.
fn tidy(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return format!("{v}");
    }
    let rounded: f64 = format!("{v:.9e}").parse().unwrap_or(v);
    format!("{rounded}")
}

impl Checkable for f64 {
    fn mismatch(&self, expected: &f64, tol: f64) -> Option<String> {
        if close(*self, *expected, tol) {
            return None;
        }
        Some(diagnose(*self, *expected, tol).unwrap_or("").to_string())
    }

    fn show(&self) -> String {
        tidy(*self)
    }
}

impl Checkable for &str {
    fn mismatch(&self, expected: &Self, _tol: f64) -> Option<String> {
        (self != expected).then(String::new)
    }

    fn show(&self) -> String {
        format!("{self:?}")
    }
}

impl Checkable for usize {
    fn mismatch(&self, expected: &Self, _tol: f64) -> Option<String> {
        (self != expected).then(String::new)
    }

    fn show(&self) -> String {
        self.to_string()
    }
}

impl<D: Dimension> Checkable for Array<f64, D> {
    fn mismatch(&self, expected: &Self, tol: f64) -> Option<String> {
        if self.shape() != expected.shape() {
            let mut reversed = self.shape().to_vec();
            reversed.reverse();
            let hint = if reversed == expected.shape() {
                " — it looks transposed: try `.t()`, or swap the operands of `dot`"
            } else {
                ""
            };
            return Some(format!(
                "expected shape {:?}, got shape {:?}{hint}",
                expected.shape(),
                self.shape()
            ));
        }
        let all_flipped = self
            .iter()
            .zip(expected.iter())
            .all(|(a, e)| close(-a, *e, tol));
        if all_flipped && expected.iter().any(|e| *e != 0.0) {
            return Some(
                "every entry has the wrong sign: check the order in (y − ŷ) and the sign of the step"
                    .into(),
            );
        }
        let (index, a, e) = self
            .indexed_iter()
            .zip(expected.iter())
            .map(|((i, a), e)| (i, *a, *e))
            .find(|(_, a, e)| !close(*a, *e, tol))?;
        let why = diagnose(a, e, tol)
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        Some(format!(
            "first difference at {index:?}: expected {e}, got {a}{why}"
        ))
    }

    fn show(&self) -> String {
        // + 0.0 turns −0 into 0, so an entry that is exactly zero never shows as -0.00000000.
        format!("{:.8}", self.mapv(|v| v + 0.0))
    }
}

/// Checks an exercise's answer; prints `✓ name = actual`, or panics with `✗`, both values,
/// what the difference suggests, and `hint`.
///
/// ```
/// use backprop::prelude::*;
/// check("MSE", &0.25, &0.25, "divide by the number of records");
/// let wrong = std::panic::catch_unwind(|| check("MSE", &-0.25, &0.25, "mind the sign"));
/// assert!(wrong.is_err());
/// ```
pub fn check<T: Checkable + ?Sized>(name: &str, actual: &T, expected: &T, hint: &str) {
    check_within(name, actual, expected, TOLERANCE, hint)
}

/// The mark of a passed check: a bold green ✓ (ANSI colours, which Jupyter shows in colour
/// and terminals too).
pub const PASSED: &str = "\x1b[1;32m✓\x1b[0m";

/// [`check`] with a relative tolerance of your own (say 1e-3 for figures printed to 3 digits).
pub fn check_within<T: Checkable + ?Sized>(
    name: &str,
    actual: &T,
    expected: &T,
    tol: f64,
    hint: &str,
) {
    match actual.mismatch(expected, tol) {
        None => println!("{PASSED} {name} = {}", actual.show()),
        Some(why) => panic!(
            "{}",
            failure(name, &actual.show(), &expected.show(), &why, hint)
        ),
    }
}

/// A likely slip in an exercise: what it is, told to the learner, and the answer it gives on
/// the inputs being checked.
#[derive(Debug, Clone)]
pub struct Slip<T> {
    /// The hint that names the slip and says what to do instead.
    pub hint: String,
    /// The answer a learner who made the slip gets.
    pub gives: T,
}

impl<T> Slip<T> {
    /// A slip that gives `gives`, named by `hint`.
    pub fn new(hint: impl Into<String>, gives: T) -> Slip<T> {
        Slip {
            hint: hint.into(),
            gives,
        }
    }
}

/// [`check`] that knows the exercise's likely slips: a wrong answer that one of `slips` gives
/// fails with that slip's hint in place of `hint`; any other wrong answer fails as [`check`]
/// does. Choose the inputs so that every slip changes the answer.
///
/// ```
/// use backprop::prelude::*;
/// let slips = [Slip::new("η is missing: the step is η times the gradient", 4.0)];
/// check_slips("Δw", &0.4, &0.4, &slips, "Δw = η · gradient");
/// let wrong = std::panic::catch_unwind(|| check_slips("Δw", &4.0, &0.4, &slips, ""));
/// assert!(wrong.is_err());
/// ```
pub fn check_slips<T: Checkable>(
    name: &str,
    actual: &T,
    expected: &T,
    slips: &[Slip<T>],
    hint: &str,
) {
    check_slips_within(name, actual, expected, TOLERANCE, slips, hint)
}

/// [`check_slips`] with a relative tolerance of your own (say 1e-12 for weights that the
/// learner's code and the library compute with the same arithmetic).
pub fn check_slips_within<T: Checkable>(
    name: &str,
    actual: &T,
    expected: &T,
    tol: f64,
    slips: &[Slip<T>],
    hint: &str,
) {
    match slip_failure(name, actual, expected, tol, slips, hint) {
        None => println!("{PASSED} {name} = {}", actual.show()),
        Some(failure) => panic!("{failure}"),
    }
}

/// What [`check_slips_within`] fails with, or `None` when `actual` is right.
pub(crate) fn slip_failure<T: Checkable>(
    name: &str,
    actual: &T,
    expected: &T,
    tol: f64,
    slips: &[Slip<T>],
    hint: &str,
) -> Option<String> {
    let why = actual.mismatch(expected, tol)?;
    let slip = slips
        .iter()
        .find(|slip| actual.mismatch(&slip.gives, tol).is_none());
    let hint = slip.map_or(hint, |slip| slip.hint.as_str());
    Some(failure(name, &actual.show(), &expected.show(), &why, hint))
}

/// Checks a condition that has no single right number; prints `✓ name` or panics with `✗`.
pub fn check_that(name: &str, ok: bool, hint: &str) {
    if ok {
        println!("{PASSED} {name}");
    } else {
        panic!("✗ {name}: not so.\n  Hint: {hint}");
    }
}

/// Checks that a result is an error (for exercises about bad input); prints the error.
pub fn check_err<T: Debug, E: std::fmt::Display>(name: &str, result: &Result<T, E>, hint: &str) {
    match result {
        Err(e) => println!("{PASSED} {name}: {e}"),
        Ok(v) => panic!("✗ {name}: expected an error, got Ok({v:?}).\n  Hint: {hint}"),
    }
}

/// A failed check's message: `✗ name`, the expected and actual values, why, and the hint.
pub(crate) fn failure(name: &str, actual: &str, expected: &str, why: &str, hint: &str) -> String {
    let mut msg = format!("✗ {name}\n  expected: {expected}\n  actual:   {actual}");
    if !why.is_empty() {
        msg.push_str(&format!("\n  {why}"));
    }
    if !hint.is_empty() {
        msg.push_str(&format!("\n  Hint: {hint}"));
    }
    msg
}

/// Asserts that a check's failure message ends with `hint` as its hint line (tests only).
#[cfg(test)]
pub(crate) fn assert_hint(msg: &str, hint: &str) {
    assert!(msg.ends_with(&format!("\n  Hint: {hint}")), "{msg}");
}

/// What a failing check says: the message of the panic `check` ends in (tests only).
#[cfg(test)]
pub(crate) fn failure_message(check: impl FnOnce()) -> String {
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(check))
        .expect_err("the check should fail");
    err.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_right_answer_within_tolerance_passes() {
        check("x", &(0.1 + 0.2), &0.3, "");
        check("m", &array![[1.0, 2.0]], &array![[1.0, 2.0 + 1e-9]], "");
    }

    #[test]
    fn a_wrong_number_shows_both_values_and_the_hint() {
        let msg = failure_message(|| check("SSE", &5.0, &4.75, "square each error"));
        assert_eq!(
            msg,
            "✗ SSE\n  expected: 4.75\n  actual:   5\n  Hint: square each error"
        );
    }

    #[test]
    fn a_flipped_sign_and_a_missing_half_are_named() {
        assert!(failure_message(|| check("δ", &-0.122, &0.122, "")).contains("wrong sign"));
        assert!(failure_message(|| check("½SSE", &4.0, &2.0, "")).contains("factor ½ is missing"));
        let flipped = failure_message(|| check("Δw", &array![-1.0, 2.0], &array![1.0, -2.0], ""));
        assert!(
            flipped.contains("every entry has the wrong sign"),
            "{flipped}"
        );
    }

    #[test]
    fn a_transposed_matrix_is_named() {
        let msg = failure_message(|| {
            check(
                "W",
                &array![[1.0, 2.0, 3.0]],
                &array![[1.0], [2.0], [3.0]],
                "",
            )
        });
        assert!(
            msg.contains("expected shape [3, 1], got shape [1, 3]"),
            "{msg}"
        );
        assert!(msg.contains("transposed"), "{msg}");
    }

    #[test]
    fn the_first_differing_entry_is_located() {
        let msg =
            failure_message(|| check("v", &array![1.0, 2.0, 3.5], &array![1.0, 2.0, 3.0], ""));
        assert!(
            msg.contains("first difference at 2: expected 3, got 3.5"),
            "{msg}"
        );
    }

    #[test]
    fn numbers_are_shown_without_float_noise() {
        assert_eq!((0.1 + 0.2).show(), "0.3");
        assert_eq!(0.024999999999999998.show(), "0.025");
        assert_eq!(1.77005547e-4.show(), "0.000177005547");
        assert_eq!(f64::NAN.show(), "NaN");
    }

    #[test]
    fn a_wrong_answer_that_a_listed_slip_gives_fails_with_that_slips_hint() {
        let slips = [
            Slip::new("η is missing", array![1.0, 2.0]),
            Slip::new("the sign is flipped", array![-0.1, -0.2]),
        ];
        check_slips(
            "Δw",
            &array![0.1, 0.2],
            &array![0.1, 0.2],
            &slips,
            "Δw = η·g",
        );
        let missing_eta = failure_message(|| {
            check_slips(
                "Δw",
                &array![1.0, 2.0],
                &array![0.1, 0.2],
                &slips,
                "Δw = η·g",
            )
        });
        assert!(
            missing_eta.ends_with("\n  Hint: η is missing"),
            "{missing_eta}"
        );
        let other = failure_message(|| {
            check_slips(
                "Δw",
                &array![0.3, 0.2],
                &array![0.1, 0.2],
                &slips,
                "Δw = η·g",
            )
        });
        assert!(other.ends_with("\n  Hint: Δw = η·g"), "{other}");
    }

    #[test]
    fn a_zero_entry_never_shows_a_minus_sign() {
        assert_eq!(array![-0.0, 0.5].show(), "[0.00000000, 0.50000000]");
    }

    #[test]
    fn check_err_wants_an_error() {
        check_err("bad", &Err::<(), _>("boom"), "");
        let msg =
            failure_message(|| check_err("bad", &Ok::<i32, String>(3), "pass mismatched shapes"));
        assert!(
            msg.starts_with("✗ bad: expected an error, got Ok(3)"),
            "{msg}"
        );
    }
}
