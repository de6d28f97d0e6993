//! Everything a notebook needs, in one import: `use backprop::prelude::*;`.

pub use crate::activation::{Activation, Elementwise, relu, relu_prime, sigmoid, sigmoid_prime};
pub use crate::admissions::{Prepared, load_admissions};
pub use crate::check::{
    Checkable, Slip, check, check_err, check_slips, check_slips_within, check_that, check_within,
};
#[cfg(feature = "data")]
pub use crate::data::{column, prepare, read_admissions};
pub use crate::diagram::{graph_diagram, network_diagram};
pub use crate::error::Error;
pub use crate::exercise::{
    admissions::*, admissions_backprop::*, backpropagation::*, capstone::*, computational_graph::*,
    cross_entropy::*, forward_pass::*, gradient_descent::*, loss::*, relu::*, sgd::*,
    single_unit::*,
};
pub use crate::gradcheck::{GradCheck, grad_check, max_relative_error, numeric_gradient};
pub use crate::graph::{Graph, NodeId, Op};
pub use crate::loss::{Loss, cross_entropy, half_mse, half_sse, mse, sse};
pub use crate::mlp::{Biases, Forward, Gradients, Mlp, outer};
pub use crate::plot::{Figure, Figures, Series, line_chart, scatter_chart, surface_chart};
pub use crate::progress::Progress;
pub use crate::random::NumpyRandom;
pub use crate::scalar::Scalar;
pub use crate::show::{Show, ShowPlain};
pub use crate::table::Table;
pub use crate::train::{
    History, LossReport, Sgd, UnitLoss, mlp_accuracy, mlp_mse, train_mlp, train_unit,
    train_unit_sgd, unit_accuracy, unit_mse,
};
pub use crate::unit::{UnitStep, error_term, unit_input, unit_output, unit_step};
pub use ndarray::{Array, Array1, Array2, ArrayView1, ArrayView2, Axis, array, s};
#[cfg(feature = "data")]
pub use polars::prelude::DataFrame;
