//! The forward and backward math of a small neural network, one idea per module,
//! written to be read beside the course's notebooks.
//!
//! | module | lesson |
//! |---|---|
//! | [`loss`], [`check`], [`plot`], [`table`] | 1. Loss |
//! | [`activation`], [`unit`] | 3. The single unit |
//! | [`mlp`], [`diagram`] | 5. The forward pass, 6. Backpropagation |
//! | [`gradcheck`] | 6. Backpropagation |
//! | [`scalar`], [`graph`] | 10. The computational graph |
//! | [`exercise`] | every lesson: the exercises' checks, one module per lesson, naming the slip behind a wrong answer |
//! | [`random`], [`summation`], [`train`], [`progress`], [`show`], [`admissions`], `data` (feature `data`) | 4. Gradient descent on the admissions data |
//!
//! Notebooks import everything with `use backprop::prelude::*;`.

pub mod activation;
pub mod admissions;
pub mod check;
#[cfg(feature = "data")]
pub mod data;
pub mod diagram;
pub mod error;
pub mod exercise;
pub mod gradcheck;
pub mod graph;
pub mod loss;
pub mod mlp;
pub mod plot;
pub mod prelude;
pub mod progress;
pub mod random;
pub mod scalar;
pub mod show;
pub mod summation;
pub mod table;
pub mod train;
pub mod unit;

pub use error::{Error, Result};
pub use ndarray;
