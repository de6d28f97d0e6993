//! The numbers each lesson's checks expect, computed with the library.

use approx::{assert_abs_diff_eq, assert_relative_eq};
use backprop::prelude::*;

#[test]
fn lesson_1_compares_two_weight_vectors_by_mse() {
    let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 3.0], [0.0, 1.0]];
    let targets = array![5.2, 3.9, 9.1, 1.8];
    assert_relative_eq!(
        mse(&targets, &x.dot(&array![1.0, 2.0])).unwrap(),
        0.025,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        mse(&targets, &x.dot(&array![1.5, 1.5])).unwrap(),
        0.2375,
        max_relative = 1e-12
    );
    assert_eq!(
        sse(&array![1.0, 0.0, 2.0, 3.0], &array![0.5, 0.5, 2.5, 1.0]).unwrap(),
        4.75
    );
}

#[test]
fn lesson_2_one_sse_step_halves_the_error() {
    let (x, y, w, eta) = (array![3.0, 4.0], 6.0, array![1.0, 2.0], 0.01);
    let y_hat = array![x.dot(&w)];
    // SSE of one record: ∂/∂ŷ = −2(y − ŷ); the chain rule multiplies by x.
    let grad = &x * Loss::Sse.grad(&array![y], &y_hat).unwrap()[0];
    assert_eq!(grad, array![30.0, 40.0]);
    let w_next = &w - &(&grad * eta);
    assert_abs_diff_eq!(w_next, array![0.7, 1.6], epsilon = 1e-15);
    assert_abs_diff_eq!(x.dot(&w_next) - y, 2.5, epsilon = 1e-12);
}

#[test]
fn lesson_5_forward_pass_prints_the_originals_numbers() {
    let mut rng = NumpyRandom::seed(42);
    let x = rng.randn(4);
    let w_ih = rng.normal_matrix(0.0, 0.1, 4, 3);
    let w_ho = rng.normal_matrix(0.0, 0.1, 3, 2);
    let fwd = Mlp::from_weights(w_ih, w_ho).unwrap().forward(&x).unwrap();
    let hidden = [0.41492192287919555, 0.4260431278994376, 0.5002434041266636];
    let output = [0.4981519553173773, 0.4853977214813219];
    for (got, want) in fwd.a_hidden.iter().zip(hidden) {
        assert_relative_eq!(*got, want, max_relative = 1e-13);
    }
    for (got, want) in fwd.y_hat.iter().zip(output) {
        assert_relative_eq!(*got, want, max_relative = 1e-13);
    }
}

#[test]
fn lesson_8_relu_networks_score_37_5_and_49_890625() {
    let inputs = array![[0.0, 3.0], [1.0, 2.0], [-1.0, -2.0], [4.0, 0.0]];
    let targets = array![1.0, 3.0, 5.0, 7.0];
    let mse_of = |w_ih: Array2<f64>, w_ho: Array2<f64>| {
        let net = Mlp::from_weights(w_ih, w_ho)
            .unwrap()
            .with_activations(Activation::Relu, Activation::Identity);
        let y_hat = Array1::from_iter(
            inputs
                .rows()
                .into_iter()
                .map(|x| net.forward(&x.to_owned()).unwrap().y_hat[0]),
        );
        mse(&targets, &y_hat).unwrap()
    };
    assert_eq!(
        mse_of(array![[2.0, 1.0], [1.0, 2.0]], array![[1.0], [1.0]]),
        37.5
    );
    assert_eq!(
        mse_of(array![[2.0, 1.0], [1.0, 1.5]], array![[1.0], [1.5]]),
        49.890625
    );
    let net = Mlp::from_weights(array![[2.0, 1.0], [1.0, 2.0]], array![[1.0], [1.0]])
        .unwrap()
        .with_activations(Activation::Relu, Activation::Identity);
    let grads = net.gradients(&array![1.0, 2.0], &array![3.0]).unwrap();
    assert_eq!(grads.w_ih, array![[6.0, 6.0], [12.0, 12.0]]);
    assert_eq!(grads.w_ho, array![[24.0], [30.0]]);
}

#[test]
fn lesson_11_cross_entropy_of_three_predictions() {
    let ce = cross_entropy(&array![1.0, 0.0, 1.0], &array![0.9, 0.2, 0.6]).unwrap();
    assert_abs_diff_eq!(ce, 0.279776, epsilon = 1e-6);
    assert_relative_eq!(
        ce,
        -(0.9f64.ln() + 0.8f64.ln() + 0.6f64.ln()) / 3.0,
        max_relative = 1e-15
    );
}
