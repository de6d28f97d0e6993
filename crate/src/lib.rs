//! The forward and backward math of a small neural network, one idea per module,
//! written to be read beside the course's notebooks.
//!
//! | module | lesson |
//! |---|---|
//! | [`loss`], [`check`], [`plot`], [`table`] | 1. Loss |
//! | [`activation`], [`unit`] | 3. The single unit |
//! | [`mlp`] | 5. The forward pass, 6. Backpropagation |
//! | [`gradcheck`] | 6. Backpropagation |
//!
//! Notebooks import everything with `use backprop::prelude::*;`.

pub mod activation;
pub mod check;
pub mod error;
pub mod gradcheck;
pub mod loss;
pub mod mlp;
pub mod plot;
pub mod prelude;
pub mod table;
pub mod unit;

pub use error::{Error, Result};
pub use ndarray;
