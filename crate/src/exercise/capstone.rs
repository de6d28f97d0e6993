//! Lesson 11's capstone: a model of the learner's own on the admissions data, judged on
//! records it did not train on ([`check_capstone`]; hidden test [`check_capstone_unseen`]).
//!
//! The learner writes `capstone(features, targets, records)`: train any model on the records
//! `features` with answers `targets`, and return its predicted probability of "admitted" for
//! each row of `records`. On the lesson's split accuracy cannot tell a model from a rule that
//! learned nothing (a trained unit scores 72.5 % on the 40 test records, always answering
//! "rejected" 75 %: one applicant apart), so the checks ask for something a constant can never
//! give: a cross-entropy on the held-out records below that of the best constant answer, the
//! records' own share of admitted ones.

use crate::check::{PASSED, failure};
use crate::error::Result;
use crate::loss::cross_entropy;
use crate::random::NumpyRandom;
use crate::table::Table;
use ndarray::{Array1, Array2, Axis, concatenate};

/// Into how many parts [`check_capstone_unseen`] cuts the records: each part is predicted by
/// a model trained on the others.
pub const CAPSTONE_FOLDS: usize = 5;

const SHAPE: &str = "return one probability per row of `records` (the records to predict), \
    not per training record: e.g. sigmoid(&records.dot(&w))";
const NOT_PROBABILITY: &str = "every prediction must be a probability ŷ between 0 and 1, such \
    as a sigmoid's output; look for a missing sigmoid, or a run that diverged (η too large)";
const CONSTANT: &str = "every record got the same ŷ: no constant beats the share of admitted \
    records itself, so the model must predict from each record's inputs (`records`), with \
    weights trained on `features` and `targets`";
const NOT_BELOW: &str = "the probabilities fit the held-out records worse than one constant \
    does: train until the training cross-entropy is clearly below the best constant's on the \
    training records (more epochs, or a larger η, from small starting weights), and predict \
    `records`, not `features`";

/// How well predicted probabilities fit the records' answers.
struct Score {
    /// The predictions' cross-entropy.
    cross_entropy: f64,
    /// The share of the records that were admitted.
    share: f64,
    /// The cross-entropy of ŷ = `share` for every record, the best a constant can do.
    best_constant: f64,
    /// Counts by actual (rows) and predicted (columns) answer, 1 for admitted, ŷ > 0.5.
    confusion: [[usize; 2]; 2],
}

impl Score {
    /// `y_hat` against `targets`; both as long as each other and not empty.
    fn of(y_hat: &Array1<f64>, targets: &Array1<f64>) -> Score {
        let n = targets.len();
        let share = targets.sum() / n as f64;
        let constant = Array1::from_elem(n, share);
        let mut confusion = [[0usize; 2]; 2];
        for (p, t) in y_hat.iter().zip(targets) {
            confusion[usize::from(*t == 1.0)][usize::from(*p > 0.5)] += 1;
        }
        Score {
            cross_entropy: cross_entropy(targets, y_hat).expect("the lengths were checked"),
            share,
            best_constant: cross_entropy(targets, &constant).expect("the lengths were checked"),
            confusion,
        }
    }

    fn records(&self) -> usize {
        self.confusion.iter().flatten().sum()
    }

    fn accuracy(&self) -> f64 {
        (self.confusion[0][0] + self.confusion[1][1]) as f64 / self.records() as f64
    }

    /// The accuracy of always giving the commoner answer.
    fn base_accuracy(&self) -> f64 {
        self.share.max(1.0 - self.share)
    }

    /// The commoner answer.
    fn majority(&self) -> &'static str {
        if self.share > 0.5 {
            "admitted"
        } else {
            "rejected"
        }
    }

    fn table(&self) -> Table {
        let c = self.confusion;
        let (admitted, rejected) = (c[1][0] + c[1][1], c[0][0] + c[0][1]);
        let said = c[0][1] + c[1][1];
        Table::new(&["actual \\ predicted", "admitted", "rejected", "total"])
            .row(("admitted", c[1][1], c[1][0], admitted))
            .row(("rejected", c[0][1], c[0][0], rejected))
            .row(("total", said, self.records() - said, self.records()))
    }
}

/// The learner's predictions for `records` after training on `features` and `targets`, or
/// why they cannot be scored.
fn predict(
    answer: &impl Fn(&Array2<f64>, &Array1<f64>, &Array2<f64>) -> Result<Array1<f64>>,
    features: &Array2<f64>,
    targets: &Array1<f64>,
    records: &Array2<f64>,
) -> std::result::Result<Array1<f64>, (String, &'static str)> {
    let y_hat = answer(features, targets, records)
        .map_err(|e| (format!("capstone returned an error: {e}"), ""))?;
    if y_hat.len() != records.nrows() {
        return Err((
            format!(
                "{} predictions for {} records (trained on {})",
                y_hat.len(),
                records.nrows(),
                features.nrows()
            ),
            SHAPE,
        ));
    }
    if let Some((i, p)) = y_hat
        .iter()
        .enumerate()
        .find(|(_, p)| !(0.0..=1.0).contains(*p))
    {
        return Err((format!("prediction {i} is {p}"), NOT_PROBABILITY));
    }
    let first = y_hat[0];
    if y_hat.iter().all(|&p| p == first) {
        return Err((
            format!("ŷ = {first} for all {} records", y_hat.len()),
            CONSTANT,
        ));
    }
    Ok(y_hat)
}

fn fail(name: &str, (why, hint): (String, &str)) -> ! {
    let hint = if hint.is_empty() {
        String::new()
    } else {
        format!("\n  Hint: {hint}")
    };
    panic!("✗ {name}: {why}{hint}")
}

/// The verdict on a score: `✓ what = …, below the best constant's …`, or a panic with `✗`;
/// `on` says which records were predicted and how, after the value.
fn verdict(what: &str, on: &str, score: &Score) {
    if score.cross_entropy < score.best_constant {
        println!(
            "{PASSED} {what} = {:.4}{on}, below the best constant's {:.4} (ŷ = {:.3} for every \
             record)",
            score.cross_entropy, score.best_constant, score.share
        );
    } else {
        panic!(
            "{}",
            failure(
                &format!("{what}{on}"),
                &format!("{:.4}", score.cross_entropy),
                &format!(
                    "below {:.4}, what ŷ = {:.3} for every record scores",
                    score.best_constant, score.share
                ),
                "",
                NOT_BELOW,
            )
        );
    }
}

/// Lesson 11, capstone: trains the learner's `capstone(features, targets, records)` on the
/// training records and scores its probabilities for the test records. Prints what always
/// giving the commoner answer scores (the base rate's accuracy), the model's accuracy
/// (admitted when ŷ > 0.5) and its confusion table, then passes when the model's test
/// cross-entropy is below the best constant's: ŷ = the test records' share of admitted
/// ones for every record, which no constant beats. Fails, naming the problem, when the
/// answer returns an error, the wrong number of predictions, a value outside [0, 1], or the
/// same ŷ for every record.
///
/// ```
/// use backprop::prelude::*;
/// // Records `from..to` of a made-up set: an input that leans towards the answer, and a
/// // column of ones.
/// let records = |from: usize, to: usize| {
///     let x = Array2::from_shape_fn((to - from, 2), |(i, j)| {
///         if j == 0 { (((from + i) * 37) % 200) as f64 / 100.0 - 1.0 } else { 1.0 }
///     });
///     let noise = |i: usize| (((from + i) * 7919) % 13) as f64 / 6.0 - 1.0;
///     let y = Array1::from_shape_fn(to - from, |i| f64::from(x[[i, 0]] + noise(i) > 0.0));
///     (x, y)
/// };
/// let ((x, y), (x_test, y_test)) = (records(0, 160), records(160, 200));
/// fn capstone(features: &Array2<f64>, targets: &Array1<f64>, records: &Array2<f64>) -> Result<Array1<f64>, Error> {
///     let sgd = Sgd::new(100, 0.5).loss(UnitLoss::CrossEntropy);
///     let (w, _) = sgd.train_unit(features, targets, &Array1::zeros(features.ncols()), &mut NumpyRandom::seed(1))?;
///     Ok(sigmoid(&records.dot(&w)))
/// }
/// check_capstone(capstone, &x, &y, &x_test, &y_test);
/// ```
pub fn check_capstone(
    answer: impl Fn(&Array2<f64>, &Array1<f64>, &Array2<f64>) -> Result<Array1<f64>>,
    features: &Array2<f64>,
    targets: &Array1<f64>,
    features_test: &Array2<f64>,
    targets_test: &Array1<f64>,
) {
    let what = "test cross-entropy";
    let y_hat = predict(&answer, features, targets, features_test)
        .unwrap_or_else(|problem| fail(what, problem));
    let score = Score::of(&y_hat, targets_test);
    let (n, admitted) = (score.records(), score.confusion[1].iter().sum::<usize>());
    println!(
        "{n} test records, {admitted} admitted: always answering \"{}\" is right for {} of \
         them (accuracy {:.3})",
        score.majority(),
        (score.base_accuracy() * n as f64).round(),
        score.base_accuracy()
    );
    println!(
        "your model says \"admitted\" for {} of them and is right for {} (accuracy {:.3})",
        score.confusion[0][1] + score.confusion[1][1],
        score.confusion[0][0] + score.confusion[1][1],
        score.accuracy()
    );
    println!("{}", score.table());
    verdict(what, " on the test records", &score);
}

/// Lesson 11, capstone, hidden test: cross-validation on records the learner never saw
/// split this way. Pools the training and test records, cuts them in [`CAPSTONE_FOLDS`]
/// parts in an order drawn from `seed`, and for each part trains the learner's
/// `capstone(features, targets, records)` afresh on the other parts and predicts that one.
/// Passes when the cross-entropy of all these held-out predictions is below the best
/// constant's on the same records; an answer typed in (a constant, or the lesson's 40 test
/// answers) fails.
///
/// ```
/// use backprop::prelude::*;
/// # let records = |from: usize, to: usize| {
/// #     let x = Array2::from_shape_fn((to - from, 2), |(i, j)| {
/// #         if j == 0 { (((from + i) * 37) % 200) as f64 / 100.0 - 1.0 } else { 1.0 }
/// #     });
/// #     let noise = |i: usize| (((from + i) * 7919) % 13) as f64 / 6.0 - 1.0;
/// #     let y = Array1::from_shape_fn(to - from, |i| f64::from(x[[i, 0]] + noise(i) > 0.0));
/// #     (x, y)
/// # };
/// // The made-up records of check_capstone's example.
/// let ((x, y), (x_test, y_test)) = (records(0, 160), records(160, 200));
/// fn capstone(features: &Array2<f64>, targets: &Array1<f64>, records: &Array2<f64>) -> Result<Array1<f64>, Error> {
///     let sgd = Sgd::new(100, 0.5).loss(UnitLoss::CrossEntropy);
///     let (w, _) = sgd.train_unit(features, targets, &Array1::zeros(features.ncols()), &mut NumpyRandom::seed(1))?;
///     Ok(sigmoid(&records.dot(&w)))
/// }
/// check_capstone_unseen(capstone, &x, &y, &x_test, &y_test, 3);
/// ```
pub fn check_capstone_unseen(
    answer: impl Fn(&Array2<f64>, &Array1<f64>, &Array2<f64>) -> Result<Array1<f64>>,
    features: &Array2<f64>,
    targets: &Array1<f64>,
    features_test: &Array2<f64>,
    targets_test: &Array1<f64>,
    seed: u64,
) {
    let records = concatenate(Axis(0), &[features.view(), features_test.view()])
        .expect("the training and test records have the same inputs");
    let answers =
        concatenate(Axis(0), &[targets.view(), targets_test.view()]).expect("targets are vectors");
    let n = answers.len();
    let order = NumpyRandom::seed(seed as u32).permutation(n);
    let mut y_hat = Array1::<f64>::zeros(n);
    for fold in 0..CAPSTONE_FOLDS {
        let held_out = &order[fold * n / CAPSTONE_FOLDS..(fold + 1) * n / CAPSTONE_FOLDS];
        let kept: Vec<usize> = order
            .iter()
            .copied()
            .filter(|i| !held_out.contains(i))
            .collect();
        let predicted = predict(
            &answer,
            &records.select(Axis(0), &kept),
            &answers.select(Axis(0), &kept),
            &records.select(Axis(0), held_out),
        )
        .unwrap_or_else(|problem| {
            fail(
                &format!("cross-validation, part {} of {CAPSTONE_FOLDS}", fold + 1),
                problem,
            )
        });
        for (&i, p) in held_out.iter().zip(predicted) {
            y_hat[i] = p;
        }
    }
    let score = Score::of(&y_hat, &answers);
    verdict(
        "cross-validated cross-entropy",
        &format!(
            " on all {n} records, each predicted by your model trained on the other parts \
             ({CAPSTONE_FOLDS} parts)"
        ),
        &score,
    );
    println!(
        "  accuracy {:.3} on them, always answering \"{}\" {:.3}",
        score.accuracy(),
        score.majority(),
        score.base_accuracy()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::sigmoid;
    use crate::check::{assert_hint, failure_message};
    use crate::train::{Sgd, UnitLoss};

    /// The lesson's solution: a sigmoid unit trained on cross-entropy, 100 epochs of
    /// mini-batches of 32 with η = 0.5, from zero weights.
    fn trained_unit(
        features: &Array2<f64>,
        targets: &Array1<f64>,
        records: &Array2<f64>,
    ) -> Result<Array1<f64>> {
        let sgd = Sgd::new(100, 0.5)
            .batch_size(32)
            .loss(UnitLoss::CrossEntropy);
        let start = Array1::zeros(features.ncols());
        let (w, _) = sgd.train_unit(features, targets, &start, &mut NumpyRandom::seed(1))?;
        Ok(sigmoid(&records.dot(&w)))
    }

    /// Always the training records' share of admitted ones.
    fn training_share(
        _: &Array2<f64>,
        targets: &Array1<f64>,
        records: &Array2<f64>,
    ) -> Result<Array1<f64>> {
        Ok(Array1::from_elem(
            records.nrows(),
            targets.mean().unwrap_or(0.5),
        ))
    }

    /// 400 records like the admissions data's shape: two inputs that lean towards the
    /// answer, a third that does not, and a column of ones; answers drawn from a sigmoid
    /// unit's probabilities, so that no model gets near 100 %.
    fn noisy_records(seed: u32) -> (Array2<f64>, Array1<f64>, Array2<f64>, Array1<f64>) {
        let mut rng = NumpyRandom::seed(seed);
        let mut x = rng.normal_matrix(0.0, 1.0, 400, 4);
        x.column_mut(3).fill(1.0);
        let p = sigmoid(&x.dot(&ndarray::array![0.8, 0.5, 0.0, -0.8]));
        let y = p.mapv(|p| f64::from(rng.random_sample() < p));
        let (train, test): (Vec<usize>, Vec<usize>) = ((0..360).collect(), (360..400).collect());
        (
            x.select(Axis(0), &train),
            y.select(Axis(0), &train),
            x.select(Axis(0), &test),
            y.select(Axis(0), &test),
        )
    }

    #[test]
    fn a_trained_unit_passes_both_checks() {
        for seed in 0..5 {
            let (x, y, x_test, y_test) = noisy_records(seed);
            check_capstone(trained_unit, &x, &y, &x_test, &y_test);
            check_capstone_unseen(trained_unit, &x, &y, &x_test, &y_test, u64::from(seed));
        }
    }

    #[test]
    fn a_trivial_constant_predictor_fails_both_checks() {
        let (x, y, x_test, y_test) = noisy_records(1);
        let share = y_test.mean().unwrap();
        let test_share = move |_: &Array2<f64>, _: &Array1<f64>, r: &Array2<f64>| {
            Ok(Array1::from_elem(r.nrows(), share))
        };
        for msg in [
            failure_message(|| check_capstone(test_share, &x, &y, &x_test, &y_test)),
            failure_message(|| check_capstone(training_share, &x, &y, &x_test, &y_test)),
        ] {
            assert!(msg.starts_with("✗ test cross-entropy: ŷ = "), "{msg}");
            assert_hint(&msg, CONSTANT);
        }
        let msg =
            failure_message(|| check_capstone_unseen(training_share, &x, &y, &x_test, &y_test, 5));
        assert!(
            msg.starts_with("✗ cross-validation, part 1 of 5: ŷ = "),
            "{msg}"
        );
    }

    #[test]
    fn a_training_share_nudged_off_constant_still_fails_on_cross_entropy() {
        // Nearly constant: the training share, plus a trace of an input that says nothing.
        let nudged = |_: &Array2<f64>, t: &Array1<f64>, r: &Array2<f64>| {
            Ok(r.column(2).mapv(|v| t.mean().unwrap() + 1e-9 * v))
        };
        let (x, y, x_test, y_test) = noisy_records(2);
        let msg = failure_message(|| check_capstone(nudged, &x, &y, &x_test, &y_test));
        assert!(
            msg.starts_with("✗ test cross-entropy on the test records\n  expected: below "),
            "{msg}"
        );
        assert_hint(&msg, NOT_BELOW);
        let msg = failure_message(|| check_capstone_unseen(nudged, &x, &y, &x_test, &y_test, 8));
        assert!(
            msg.starts_with("✗ cross-validated cross-entropy on all 400 records"),
            "{msg}"
        );
    }

    #[test]
    fn the_test_answers_typed_in_pass_the_visible_check_and_fail_the_hidden_one() {
        let (x, y, x_test, y_test) = noisy_records(3);
        let typed = y_test.mapv(|t| if t == 1.0 { 0.9 } else { 0.1 });
        let typed_in = move |_: &Array2<f64>, _: &Array1<f64>, _: &Array2<f64>| Ok(typed.clone());
        check_capstone(&typed_in, &x, &y, &x_test, &y_test);
        let msg = failure_message(|| check_capstone_unseen(&typed_in, &x, &y, &x_test, &y_test, 4));
        assert!(
            msg.starts_with(
                "✗ cross-validation, part 1 of 5: 40 predictions for 80 records (trained on 320)"
            ),
            "{msg}"
        );
        assert_hint(&msg, SHAPE);
    }

    #[test]
    fn predictions_for_the_training_records_a_raw_score_or_an_error_are_named() {
        let (x, y, x_test, y_test) = noisy_records(4);
        let for_training =
            |f: &Array2<f64>, t: &Array1<f64>, _: &Array2<f64>| trained_unit(f, t, f);
        let msg = failure_message(|| check_capstone(for_training, &x, &y, &x_test, &y_test));
        assert!(msg.contains("360 predictions for 40 records"), "{msg}");
        let no_sigmoid = |f: &Array2<f64>, t: &Array1<f64>, r: &Array2<f64>| {
            Ok(trained_unit(f, t, r)?.mapv(|p| (p / (1.0 - p)).ln()))
        };
        let msg = failure_message(|| check_capstone(no_sigmoid, &x, &y, &x_test, &y_test));
        assert_hint(&msg, NOT_PROBABILITY);
        let error = |f: &Array2<f64>, t: &Array1<f64>, r: &Array2<f64>| {
            Sgd::new(10, 0.5).batch_size(0).train_unit(
                f,
                t,
                &Array1::zeros(4),
                &mut NumpyRandom::seed(1),
            )?;
            trained_unit(f, t, r)
        };
        let msg = failure_message(|| check_capstone(error, &x, &y, &x_test, &y_test));
        assert!(
            msg.starts_with("✗ test cross-entropy: capstone returned an error: invalid batch_size"),
            "{msg}"
        );
    }

    #[test]
    fn the_parts_cover_every_record_once() {
        let order = NumpyRandom::seed(7).permutation(400);
        let mut seen = vec![0; 400];
        for fold in 0..CAPSTONE_FOLDS {
            for &i in &order[fold * 400 / CAPSTONE_FOLDS..(fold + 1) * 400 / CAPSTONE_FOLDS] {
                seen[i] += 1;
            }
        }
        assert!(seen.iter().all(|&k| k == 1));
    }

    #[test]
    fn on_the_admissions_data_a_trained_unit_passes_and_the_base_rate_fails() {
        use crate::mlp::Mlp;
        use crate::train::{LossReport, train_mlp};
        let d = crate::admissions::load_admissions(crate::admissions::data_file(), 42).unwrap();
        let y_hat = trained_unit(&d.features, &d.targets, &d.features_test).unwrap();
        let score = Score::of(&y_hat, &d.targets_test);
        // The lesson's numbers: 72.5 % right against 75 % for always "rejected", and a
        // cross-entropy below the constant ŷ = 0.25's.
        assert_eq!((score.accuracy(), score.base_accuracy()), (0.725, 0.75));
        assert!(
            score.cross_entropy < score.best_constant - 0.02,
            "{}",
            score.cross_entropy
        );
        check_capstone(
            trained_unit,
            &d.features,
            &d.targets,
            &d.features_test,
            &d.targets_test,
        );
        for seed in 0..10 {
            check_capstone_unseen(
                trained_unit,
                &d.features,
                &d.targets,
                &d.features_test,
                &d.targets_test,
                seed,
            );
        }
        // Lesson 7's network, trained with η = 0.5 (its Try this): 75 %, no better than
        // always "rejected", yet its probabilities pass; with the lesson's η = 0.005 it is
        // still near its random start and fails.
        let network = |eta: f64| {
            move |f: &Array2<f64>, t: &Array1<f64>, r: &Array2<f64>| -> Result<Array1<f64>> {
                let mut rng = NumpyRandom::seed(21);
                let w_ih = rng.normal_matrix(0.0, 1.0 / 6f64.sqrt(), 6, 2);
                let w_ho = rng.normal_matrix(0.0, 1.0 / 6f64.sqrt(), 2, 1);
                let start = Mlp::from_weights(w_ih, w_ho)?;
                let (net, _) = train_mlp(start, f, t, 900, eta, LossReport::Correct)?;
                Ok(net.predict(r)?.column(0).to_owned())
            }
        };
        let y_hat = network(0.5)(&d.features, &d.targets, &d.features_test).unwrap();
        assert_eq!(Score::of(&y_hat, &d.targets_test).accuracy(), 0.75);
        check_capstone(
            network(0.5),
            &d.features,
            &d.targets,
            &d.features_test,
            &d.targets_test,
        );
        let msg = failure_message(|| {
            check_capstone(
                network(0.005),
                &d.features,
                &d.targets,
                &d.features_test,
                &d.targets_test,
            )
        });
        assert_hint(&msg, NOT_BELOW);
        let msg = failure_message(|| {
            check_capstone(
                training_share,
                &d.features,
                &d.targets,
                &d.features_test,
                &d.targets_test,
            )
        });
        assert_hint(&msg, CONSTANT);
    }
}
