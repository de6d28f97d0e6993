//! The admissions lessons print what the original Python course printed.
#![cfg(feature = "data")]

use backprop::prelude::*;

fn admissions() -> DataFrame {
    read_admissions(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/binary.csv")).unwrap()
}

#[test]
fn lesson_4_prints_the_originals_first_loss_and_accuracy() {
    let data = prepare(&admissions(), 42).unwrap();
    let w0 = NumpyRandom::seed(42).normal(0.0, 1.0 / 6f64.sqrt(), 6);
    assert_eq!(w0[0], 0.20278270381604144, "numpy's first weight");
    let (w, history) = train_unit(&data.features, &data.targets, w0, 1000, 0.5).unwrap();
    assert_eq!(history.lines.len(), 10);
    assert_eq!(history.lines[0], "Train loss:  0.26276093849966364");
    assert_eq!(history.lines[9], "Train loss:  0.19703005801777368");
    let accuracy = unit_accuracy(&data.features_test, &data.targets_test, &w).unwrap();
    assert_eq!(
        format!("Prediction accuracy: {accuracy:.3}"),
        "Prediction accuracy: 0.725"
    );
}

#[test]
fn lesson_7_reproduces_the_originals_backprop_run() {
    let data = prepare(&admissions(), 21).unwrap();
    let mut rng = NumpyRandom::seed(21);
    let scale = 1.0 / 6f64.sqrt();
    let w_ih = rng.normal_matrix(0.0, scale, 6, 2);
    let w_ho = rng.normal_matrix(0.0, scale, 2, 1);
    assert_eq!(w_ih[[0, 0]], -0.021214316025871153, "numpy's first weight");
    assert_eq!(w_ho[[1, 0]], -0.2813762634734557, "numpy's last weight");
    let net = Mlp::from_weights(w_ih, w_ho).unwrap();
    let (net, history) = train_mlp(
        net,
        &data.features,
        &data.targets,
        900,
        0.005,
        LossReport::AsOriginal,
    )
    .unwrap();
    // Summed record by record, as the original summed (lesson 4 pins that down):
    assert_eq!(history.lines[0], "Train loss:  0.25135725242598617");
    assert_eq!(history.lines[9], "Train loss:  0.24040067932493367");
    // Today's numpy sums the mean pairwise and prints these; they agree to 15 digits.
    let numpy = [
        0.2513572524259881,
        0.24996540718842905,
        0.24862005218904504,
        0.2473199321717981,
        0.24606380465584854,
        0.24485044179257037,
        0.243678632018683,
        0.24254718151769472,
        0.24145491550165454,
        0.24040067932493334,
    ];
    for ((_, ours), theirs) in history.losses.iter().zip(numpy) {
        approx::assert_relative_eq!(*ours, theirs, max_relative = 1e-14);
    }
    let accuracy = mlp_accuracy(&net, &data.features_test, &data.targets_test).unwrap();
    assert_eq!(
        format!("Prediction accuracy: {accuracy:.3}"),
        "Prediction accuracy: 0.725"
    );
}
