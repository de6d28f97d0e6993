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

/// Fails with [`Error::Shape`] unless two vectors have the same length.
pub(crate) fn same_len(
    op: &'static str,
    left: (&'static str, usize),
    right: (&'static str, usize),
) -> Result<()> {
    if left.1 == right.1 {
        return Ok(());
    }
    Err(Error::Shape {
        op,
        left: left.0,
        left_shape: vec![left.1],
        right: right.0,
        right_shape: vec![right.1],
        rule: format!(
            "both need the same length (one entry per record or per input), got {} and {}",
            left.1, right.1
        ),
    })
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
    Err(Error::Shape {
        op,
        left: x.0,
        left_shape: vec![x.1],
        right: w.0,
        right_shape: vec![rows, cols],
        rule,
    })
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
    fn a_length_mismatch_states_both_lengths() {
        let err = same_len("SSE", ("y", 4), ("y_hat", 3)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "shape mismatch in SSE: `y` has shape [4] but `y_hat` has shape [3]; \
             both need the same length (one entry per record or per input), got 4 and 3"
        );
    }
}
