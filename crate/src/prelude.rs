//! Everything a notebook needs, in one import: `use backprop::prelude::*;`.

pub use crate::activation::{relu, relu_prime, sigmoid, sigmoid_prime, Activation, Elementwise};
pub use crate::check::{check, check_err, check_that, check_within, Checkable};
pub use crate::error::Error;
pub use crate::gradcheck::{grad_check, max_relative_error, numeric_gradient, GradCheck};
pub use crate::loss::{half_mse, half_sse, mse, sse, Loss};
pub use crate::mlp::{Forward, Gradients, Mlp};
pub use crate::plot::{line_chart, Figure, Series};
pub use crate::table::Table;
pub use crate::unit::{error_term, unit_input, unit_output, unit_step, UnitStep};
pub use ndarray::{array, s, Array, Array1, Array2, ArrayView1, ArrayView2, Axis};
