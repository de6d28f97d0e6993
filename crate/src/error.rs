//! Errors a learner can trigger with wrong input, and the crate's `Result` alias.

use thiserror::Error;

/// Everything that can go wrong in this crate, named so a learner can fix it.
///
/// Introduced in lesson 1 (loss); shape errors are the subject of lesson 5.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    /// Two arrays met in an operation that needs their sizes to agree.
    #[error(
        "shape mismatch in {op}: `{left}` has shape {left_shape:?} but `{right}` has shape {right_shape:?}; {rule}"
    )]
    Shape {
        /// The operation, as the lesson names it (e.g. "input to hidden layer").
        op: &'static str,
        /// Name of the first operand.
        left: &'static str,
        /// Shape of the first operand.
        left_shape: Vec<usize>,
        /// Name of the second operand.
        right: &'static str,
        /// Shape of the second operand.
        right_shape: Vec<usize>,
        /// What the sizes must satisfy, plus a likely fix when one is obvious.
        rule: String,
    },
    /// An operation that needs at least one value got none.
    #[error("{what} is empty: {op} needs at least one value")]
    Empty {
        /// The operation.
        op: &'static str,
        /// Name of the empty operand.
        what: &'static str,
    },
    /// A data file is missing or malformed; the message names the file, column and row.
    #[error("{0}")]
    Data(String),
    /// A chart could not be drawn.
    #[error("could not draw the chart: {0}")]
    Plot(String),
    /// A hyper-parameter is outside the range where it makes sense.
    #[error("invalid {name} = {value}: {rule}")]
    Invalid {
        /// Name of the parameter.
        name: &'static str,
        /// The value given.
        value: String,
        /// What it must satisfy.
        rule: &'static str,
    },
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// An [`Error::Shape`] naming both operands with their shapes, and the `rule` they broke.
pub(crate) fn mismatch(
    op: &'static str,
    left: (&'static str, &[usize]),
    right: (&'static str, &[usize]),
    rule: impl Into<String>,
) -> Error {
    Error::Shape {
        op,
        left: left.0,
        left_shape: left.1.to_vec(),
        right: right.0,
        right_shape: right.1.to_vec(),
        rule: rule.into(),
    }
}

/// Fails with [`Error::Shape`] unless two vectors have the same length.
pub(crate) fn same_len(
    op: &'static str,
    left: (&'static str, usize),
    right: (&'static str, usize),
) -> Result<()> {
    if left.1 == right.1 {
        return Ok(());
    }
    Err(mismatch(
        op,
        (left.0, &[left.1]),
        (right.0, &[right.1]),
        format!(
            "both need the same length (one entry per record or per input), got {} and {}",
            left.1, right.1
        ),
    ))
}

/// Fails with [`Error::Shape`] unless two arrays have the same shape; `rule` says why they must.
pub(crate) fn same_shape(
    op: &'static str,
    left: (&'static str, &[usize]),
    right: (&'static str, &[usize]),
    rule: &str,
) -> Result<()> {
    if left.1 == right.1 {
        return Ok(());
    }
    Err(mismatch(op, left, right, rule))
}

/// Fails with [`Error::Shape`] unless a vector of length `n` can multiply a matrix
/// of shape `(rows, cols)` from the left (`x · W` needs `n == rows`).
pub(crate) fn vec_mat(
    op: &'static str,
    x: (&'static str, usize),
    w: (&'static str, (usize, usize)),
) -> Result<()> {
    let (rows, cols) = w.1;
    if x.1 == rows {
        return Ok(());
    }
    let mut rule = format!(
        "`{x} · {w}` needs one row of `{w}` per entry of `{x}`: {n} entries but {rows} rows",
        x = x.0,
        w = w.0,
        n = x.1
    );
    if x.1 == cols {
        rule.push_str(&format!(
            "; `{w}` looks transposed: try `{w}.t()` (shape [{cols}, {rows}])",
            w = w.0
        ));
    }
    Err(mismatch(op, (x.0, &[x.1]), (w.0, &[rows, cols]), rule))
}

/// Fails with [`Error::Shape`] unless a matrix of shape `(m, k)` can multiply one of shape
/// `(rows, cols)` from the left (`A · B` needs `k == rows`).
pub(crate) fn mat_mat(
    op: &'static str,
    a: (&'static str, (usize, usize)),
    b: (&'static str, (usize, usize)),
) -> Result<()> {
    let ((m, k), (rows, cols)) = (a.1, b.1);
    if k == rows {
        return Ok(());
    }
    let rule = format!(
        "`{a} · {b}` needs one row of `{b}` per column of `{a}`: {k} columns but {rows} rows",
        a = a.0,
        b = b.0
    );
    Err(mismatch(op, (a.0, &[m, k]), (b.0, &[rows, cols]), rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vector_matrix_mismatch_names_both_shapes_and_suggests_the_transpose() {
        let err = vec_mat("hidden layer", ("x", 3), ("w_ih", (2, 3))).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("`x` has shape [3]"), "{msg}");
        assert!(msg.contains("`w_ih` has shape [2, 3]"), "{msg}");
        assert!(msg.contains("w_ih.t()"), "{msg}");
    }

    #[test]
    fn a_matrix_product_mismatch_names_both_shapes_and_the_sizes_that_differ() {
        let err = mat_mat("a linear node", ("x", (4, 2)), ("W", (3, 3))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "shape mismatch in a linear node: `x` has shape [4, 2] but `W` has shape [3, 3]; \
             `x · W` needs one row of `W` per column of `x`: 2 columns but 3 rows"
        );
        assert_eq!(
            mat_mat("a linear node", ("x", (4, 2)), ("W", (2, 3))),
            Ok(())
        );
    }

    #[test]
    fn a_shape_mismatch_keeps_the_rule_it_was_given() {
        let err = same_shape(
            "the update",
            ("w_ih", &[2, 3]),
            ("grads.w_ih", &[3, 2]),
            "why",
        )
        .unwrap_err();
        assert_eq!(
            err,
            Error::Shape {
                op: "the update",
                left: "w_ih",
                left_shape: vec![2, 3],
                right: "grads.w_ih",
                right_shape: vec![3, 2],
                rule: "why".into(),
            }
        );
        assert_eq!(
            same_shape("the update", ("a", &[2]), ("b", &[2]), "why"),
            Ok(())
        );
    }

    #[test]
    fn a_length_mismatch_states_both_lengths() {
        let err = same_len("SSE", ("y", 4), ("y_hat", 3)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "shape mismatch in SSE: `y` has shape [4] but `y_hat` has shape [3]; \
             both need the same length (one entry per record or per input), got 4 and 3"
        );
    }
}
