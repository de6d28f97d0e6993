//! The admissions lessons print what the original Python course printed.
#![cfg(feature = "data")]

use backprop::prelude::*;

fn admissions() -> DataFrame {
    read_admissions(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/binary.csv")).unwrap()
}

/// The ten lines lesson 4's training run prints (η = 0.5, 1000 epochs, numpy's seed 42),
/// digit for digit what the original Python course printed.
const LESSON_4_LINES: [&str; 10] = [
    "Train loss:  0.26276093849966364",
    "Train loss:  0.20928619409324895",
    "Train loss:  0.20084292908073417",
    "Train loss:  0.1986215647552789",
    "Train loss:  0.19779851396686018",
    "Train loss:  0.19742577912189863",
    "Train loss:  0.19723507746241065",
    "Train loss:  0.19712945625092465",
    "Train loss:  0.19706766341315074",
    "Train loss:  0.19703005801777368",
];

/// Lesson 4's solution to exercise 2, as the lesson writes it.
fn train_epoch(
    features: &Array2<f64>,
    targets: &Array1<f64>,
    w: &Array1<f64>,
    eta: f64,
) -> Array1<f64> {
    let mut sum = Array1::<f64>::zeros(w.len());
    for (x, &y) in features.rows().into_iter().zip(targets) {
        let y_hat = sigmoid(x.dot(w));
        let delta = (y - y_hat) * y_hat * (1.0 - y_hat);
        sum += &(delta * &x);
    }
    w + &(eta * &sum / features.nrows() as f64)
}

/// Lesson 4's solution to exercise 3, as the lesson writes it.
fn my_accuracy(features: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>) -> f64 {
    let predictions = sigmoid(&features.dot(w)).mapv(|p| if p > 0.5 { 1.0 } else { 0.0 });
    let right = predictions
        .iter()
        .zip(targets.iter())
        .filter(|(p, t)| p == t)
        .count();
    right as f64 / targets.len() as f64
}

/// Lesson 4's training cell with its solution's epoch: the trained weights and the history.
fn lesson_4_run(data: &Prepared, epochs: usize, eta: f64) -> (Array1<f64>, History) {
    let n_features = data.features.ncols();
    let mut rng = NumpyRandom::seed(42);
    let mut w = rng.normal(0.0, 1.0 / (n_features as f64).sqrt(), n_features);
    let mut history = History::default();
    for epoch in 0..epochs {
        w = train_epoch(&data.features, &data.targets, &w, eta);
        if epoch % (epochs / 10) == 0 {
            history.report(epoch, unit_mse(&data.features, &data.targets, &w).unwrap());
        }
    }
    (w, history)
}

#[test]
fn lesson_4_prints_the_originals_lines_and_accuracy() {
    let data = prepare(&admissions(), 42).unwrap();
    let w0 = NumpyRandom::seed(42).normal(0.0, 1.0 / 6f64.sqrt(), 6);
    assert_eq!(w0[0], 0.20278270381604144, "numpy's first weight");
    let (w, history) = train_unit(&data.features, &data.targets, w0, 1000, 0.5).unwrap();
    assert_eq!(history.lines, LESSON_4_LINES);
    let accuracy = unit_accuracy(&data.features_test, &data.targets_test, &w).unwrap();
    assert_eq!(accuracy, 0.725, "29 of the 40 test records");
    assert_eq!(
        format!("Prediction accuracy: {accuracy:.3}"),
        "Prediction accuracy: 0.725"
    );
}

/// The lesson's cells no longer compare its run with the original's numbers (a learner who
/// tries another η must not see a failed check); this holds the lesson's own loop, with its
/// solutions, to them.
#[test]
fn lesson_4_training_cell_with_the_lessons_solutions_prints_the_originals_numbers() {
    let data = prepare(&admissions(), 42).unwrap();
    let (w, history) = lesson_4_run(&data, 1000, 0.5);
    assert_eq!(history.lines, LESSON_4_LINES);
    let accuracy = unit_accuracy(&data.features_test, &data.targets_test, &w).unwrap();
    assert_eq!(
        format!("Prediction accuracy: {accuracy:.3}"),
        "Prediction accuracy: 0.725"
    );
    assert_eq!(
        my_accuracy(&data.features_test, &data.targets_test, &w),
        0.725
    );
    assert_eq!(accuracy, 0.725);
}

/// What lesson 4's "Try this" says other epochs and η print: the last reported loss (4
/// decimals) and the test accuracy.
#[test]
fn lesson_4_try_this_numbers() {
    let data = prepare(&admissions(), 42).unwrap();
    let last = |history: &History| history.losses.last().unwrap().1;
    let accuracy =
        |w: &Array1<f64>| unit_accuracy(&data.features_test, &data.targets_test, w).unwrap();
    let (w, history) = lesson_4_run(&data, 100, 0.5);
    assert_eq!(
        (format!("{:.4}", last(&history)), accuracy(&w)),
        ("0.2111".into(), 0.775)
    );
    let (w, history) = lesson_4_run(&data, 1000, 0.05);
    assert_eq!(
        (format!("{:.4}", last(&history)), accuracy(&w)),
        ("0.2114".into(), 0.775)
    );
    let (w, history) = lesson_4_run(&data, 1000, 5.0);
    let reports: Vec<String> = history
        .losses
        .iter()
        .map(|(_, l)| format!("{l:.5}"))
        .collect();
    assert_eq!(reports[1], "0.19700", "η = 5 is at 0.1970 by epoch 100");
    assert!(reports[2..].iter().all(|r| r == "0.19696"), "{reports:?}");
    assert_eq!(accuracy(&w), 0.725);
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
