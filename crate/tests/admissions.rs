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

/// Lesson 7's ten reported losses as today's numpy prints them: it sums the mean pairwise, the
/// original record by record, and they agree to 15 digits.
const LESSON_7_NUMPY: [f64; 10] = [
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
    for ((_, ours), theirs) in history.losses.iter().zip(LESSON_7_NUMPY) {
        approx::assert_relative_eq!(*ours, theirs, max_relative = 1e-14);
    }
    let accuracy = mlp_accuracy(&net, &data.features_test, &data.targets_test).unwrap();
    assert_eq!(
        format!("Prediction accuracy: {accuracy:.3}"),
        "Prediction accuracy: 0.725"
    );
}

/// Lesson 7's solution to exercise 1, as the lesson writes it.
fn backprop_epoch(net: &Mlp, features: &Array2<f64>, targets: &Array1<f64>, eta: f64) -> Mlp {
    let w_o = net.w_ho.column(0);
    let mut del_ih = Array2::<f64>::zeros(net.w_ih.dim());
    let mut del_ho = Array1::<f64>::zeros(net.n_hidden());
    for (x, &y) in features.rows().into_iter().zip(targets) {
        let a = sigmoid(&x.dot(&net.w_ih));
        let y_hat = sigmoid(a.dot(&w_o));
        let delta_o = (y - y_hat) * y_hat * (1.0 - y_hat);
        let delta_h = delta_o * &w_o * &a * &(1.0 - &a);
        del_ho += &(delta_o * &a);
        del_ih += &outer(&x, &delta_h);
    }
    let n = features.nrows() as f64;
    let mut next = net.clone();
    next.w_ih += &(eta * &del_ih / n);
    next.w_ho += &(eta * &del_ho.insert_axis(Axis(1)) / n);
    next
}

/// Lesson 7's solution to exercise 2, as the lesson writes it.
fn network_mse(net: &Mlp, features: &Array2<f64>, targets: &Array1<f64>) -> f64 {
    let mut total = 0.0;
    for (x, y) in features.rows().into_iter().zip(targets) {
        let a = sigmoid(&x.dot(&net.w_ih));
        let y_hat = sigmoid(a.dot(&net.w_ho.column(0)));
        total += (y_hat - y).powi(2);
    }
    total / targets.len() as f64
}

/// What lesson 7's cells print after training with the weights drawn from `seed` and η.
struct Lesson7Run {
    /// The training cell's ten reported losses, as the original computed them.
    as_printed: History,
    /// The training cell's last line, e.g. `Prediction accuracy: 0.725`.
    accuracy: String,
    /// How many of the 40 test applicants the trained network admits (the next cell).
    admits: usize,
    /// Whether training lowered the MSE over all records (the next cell's check).
    lowered: bool,
    /// Exercise 2's training MSE of the trained network, as the lesson prints it (6 decimals).
    mse: String,
    /// The weights training started from.
    start: Mlp,
}

impl Lesson7Run {
    /// The chart cell's honest losses: train_mlp from the same start with LossReport::Correct.
    fn honest(&self, data: &Prepared, eta: f64) -> History {
        let (_, honest) = train_mlp(
            self.start.clone(),
            &data.features,
            &data.targets,
            900,
            eta,
            LossReport::Correct,
        )
        .unwrap();
        honest
    }
}

/// How a lesson 7 run trains: with the lesson's solution epoch, as its training cell does, or
/// with the library's train_mlp, which the lesson's check holds that epoch to (to 1e-12 an
/// epoch) and which runs several times faster in a debug build.
#[derive(Clone, Copy)]
enum Trainer {
    LessonsLoop,
    TrainMlp,
}

/// Lesson 7's training cell (900 epochs, weights drawn from numpy's `seed`), and the cells after
/// it.
fn lesson_7_run(data: &Prepared, seed: u32, eta: f64, trainer: Trainer) -> Lesson7Run {
    let (epochs, n_features) = (900, data.features.ncols());
    let mut rng = NumpyRandom::seed(seed);
    let scale = 1.0 / (n_features as f64).sqrt();
    let w_ih = rng.normal_matrix(0.0, scale, n_features, 2);
    let w_ho = rng.normal_matrix(0.0, scale, 2, 1);
    let start = Mlp::from_weights(w_ih, w_ho).unwrap();
    let (net, as_printed) = match trainer {
        Trainer::LessonsLoop => {
            let mut net = start.clone();
            let mut as_printed = History::default();
            for epoch in 0..epochs {
                net = backprop_epoch(&net, &data.features, &data.targets, eta);
                if epoch % (epochs / 10) == 0 {
                    let loss = LossReport::AsOriginal
                        .loss(&net, &data.features, &data.targets)
                        .unwrap();
                    as_printed.report(epoch, loss);
                }
            }
            (net, as_printed)
        }
        Trainer::TrainMlp => train_mlp(
            start.clone(),
            &data.features,
            &data.targets,
            epochs,
            eta,
            LossReport::AsOriginal,
        )
        .unwrap(),
    };
    let accuracy = mlp_accuracy(&net, &data.features_test, &data.targets_test).unwrap();
    let admits = net
        .predict(&data.features_test)
        .unwrap()
        .iter()
        .filter(|&&p| p > 0.5)
        .count();
    let mse_of = |net: &Mlp| {
        LossReport::Correct
            .loss(net, &data.features, &data.targets)
            .unwrap()
    };
    let lowered = mse_of(&net) < mse_of(&start);
    let mse = format!("{:.6}", network_mse(&net, &data.features, &data.targets));
    Lesson7Run {
        as_printed,
        accuracy: format!("Prediction accuracy: {accuracy:.3}"),
        admits,
        lowered,
        mse,
        start,
    }
}

/// The first and last reported losses to `digits` decimals.
fn first_and_last(history: &History, digits: usize) -> (String, String) {
    let at = |i: usize| format!("{:.digits$}", history.losses[i].1);
    (at(0), at(history.losses.len() - 1))
}

/// The lesson's cells no longer compare its run with the original's numbers (a learner who
/// tries another η must not see a failed check); this holds the lesson's own loop, with its
/// solutions, to them, and to what its prose says the cells print.
#[test]
fn lesson_7_training_cell_with_the_lessons_solutions_prints_the_originals_numbers() {
    let data = prepare(&admissions(), 21).unwrap();
    let run = lesson_7_run(&data, 21, 0.005, Trainer::LessonsLoop);
    assert_eq!(run.as_printed.lines[0], "Train loss:  0.25135725242598617");
    assert_eq!(run.as_printed.lines[9], "Train loss:  0.24040067932493367");
    for ((_, ours), theirs) in run.as_printed.losses.iter().zip(LESSON_7_NUMPY) {
        approx::assert_relative_eq!(*ours, theirs, max_relative = 1e-14);
    }
    assert_eq!(run.accuracy, "Prediction accuracy: 0.725");
    assert_eq!((run.admits, data.targets_test.sum()), (23, 14.0));
    assert!(run.lowered);
    assert_eq!(run.mse, "0.253066");
    assert_eq!(
        format!("{:.6}", run.as_printed.losses[9].1),
        "0.240401",
        "exercise 2's cell prints the last line beside the real MSE"
    );
    // The closing prose: the honest curve against the printout.
    assert_eq!(
        first_and_last(&run.honest(&data, 0.005), 3),
        ("0.269".into(), "0.254".into())
    );
    assert_eq!(
        first_and_last(&run.as_printed, 3),
        ("0.251".into(), "0.240".into())
    );
}

/// What lesson 7's "Try this" says η = 0.5 prints, and that the one check after training stays
/// green.
#[test]
fn lesson_7_try_this_a_larger_eta() {
    let data = prepare(&admissions(), 21).unwrap();
    let run = lesson_7_run(&data, 21, 0.5, Trainer::TrainMlp);
    assert_eq!(
        first_and_last(&run.honest(&data, 0.5), 3),
        ("0.267".into(), "0.199".into())
    );
    let printed: Vec<String> = run
        .as_printed
        .losses
        .iter()
        .map(|(_, l)| format!("{l:.3}"))
        .collect();
    assert_eq!(
        (printed[1].as_str(), printed[9].as_str()),
        ("0.215", "0.230")
    );
    assert!(!run.as_printed.lines[1].contains("WARNING"));
    assert!(
        run.as_printed.lines[2..]
            .iter()
            .all(|l| l.ends_with("WARNING - Loss Increasing")),
        "{:?}",
        run.as_printed.lines
    );
    assert_eq!(
        (
            run.accuracy.as_str(),
            run.admits,
            run.mse.as_str(),
            run.lowered
        ),
        ("Prediction accuracy: 0.675", 1, "0.198917", true)
    );
}

/// What lesson 7's "Try this" says seeds 22 and 23 print at η = 0.005 and at η = 0.5 (one test
/// per seed), and that the one check after training stays green.
fn lesson_7_try_this_seed(seed: u32, small_eta: (&str, usize), large_eta_mse: &str) {
    let data = prepare(&admissions(), 21).unwrap();
    let run = lesson_7_run(&data, seed, 0.005, Trainer::TrainMlp);
    let (accuracy, admits) = small_eta;
    assert_eq!(
        (run.accuracy, run.admits, run.lowered),
        (format!("Prediction accuracy: {accuracy}"), admits, true),
        "seed {seed}, η = 0.005"
    );
    let run = lesson_7_run(&data, seed, 0.5, Trainer::TrainMlp);
    assert_eq!(
        (run.accuracy, run.admits, run.mse, run.lowered),
        (
            "Prediction accuracy: 0.650".into(),
            0,
            large_eta_mse.into(),
            true
        ),
        "seed {seed}, η = 0.5"
    );
}

#[test]
fn lesson_7_try_this_seed_22() {
    lesson_7_try_this_seed(22, ("0.350", 40), "0.202397");
}

#[test]
fn lesson_7_try_this_seed_23() {
    lesson_7_try_this_seed(23, ("0.600", 2), "0.201478");
}
