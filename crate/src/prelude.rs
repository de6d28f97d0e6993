//! Everything a notebook needs, in one import: `use backprop::prelude::*;`.

pub use crate::activation::{relu, relu_prime, sigmoid, sigmoid_prime, Activation, Elementwise};
pub use crate::admissions::{load_admissions, Prepared};
pub use crate::check::{
    check, check_err, check_slips, check_slips_within, check_that, check_within, Checkable, Slip,
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
pub use crate::gradcheck::{grad_check, max_relative_error, numeric_gradient, GradCheck};
pub use crate::graph::{Graph, NodeId, Op};
pub use crate::loss::{cross_entropy, half_mse, half_sse, mse, sse, Loss};
pub use crate::mlp::{outer, Biases, Forward, Gradients, Mlp};
pub use crate::plot::{line_chart, scatter_chart, surface_chart, Figure, Figures, Series};
pub use crate::progress::Progress;
pub use crate::random::NumpyRandom;
pub use crate::scalar::Scalar;
pub use crate::show::Show;
pub use crate::table::Table;
pub use crate::train::{
    mlp_accuracy, mlp_mse, train_mlp, train_unit, train_unit_sgd, unit_accuracy, unit_mse, History,
    LossReport, Sgd, UnitLoss,
};
pub use crate::unit::{error_term, unit_input, unit_output, unit_step, UnitStep};
pub use ndarray::{array, s, Array, Array1, Array2, ArrayView1, ArrayView2, Axis};
#[cfg(feature = "data")]
pub use polars::prelude::DataFrame;
