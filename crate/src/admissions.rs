//! The graduate-admissions data, prepared as the lessons prepare it: one-hot rank,
//! standardized scores, a seeded split.
//!
//! Introduced in lesson 4, which reads the CSV with polars (the `data` module, feature
//! `data`) to look at it as a table. Lessons 7, 9 and 11 only train on it, so they load it
//! with [`load_admissions`], which reads the file itself and needs no polars: their kernels
//! stay small and their cells fast. Both give the same [`Prepared`], value for value.

use crate::error::{Error, Result};
use crate::random::NumpyRandom;
use crate::summation::mean_and_sample_std;
use ndarray::{Array1, Array2};
use std::path::Path;

/// The columns the admissions CSV must have.
pub const COLUMNS: [&str; 4] = ["admit", "gre", "gpa", "rank"];

/// A data error about `source` (a file, or what the data came from).
pub(crate) fn data_err(source: &Path, what: impl std::fmt::Display) -> Error {
    Error::Data(format!("{}: {what}", source.display()))
}

/// The admissions data ready for training: inputs standardized and one-hot, split in two.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Input column names: gre, gpa, rank_1 … rank_4.
    pub columns: Vec<String>,
    /// Training inputs, shape (n_train, 6), in the order the split drew them.
    pub features: Array2<f64>,
    /// Training targets (admit), shape (n_train,).
    pub targets: Array1<f64>,
    /// Test inputs, shape (n_test, 6), in file order.
    pub features_test: Array2<f64>,
    /// Test targets, shape (n_test,).
    pub targets_test: Array1<f64>,
}

/// The four columns of the admissions data, each in file order.
pub(crate) struct Records {
    pub admit: Vec<f64>,
    pub gre: Vec<f64>,
    pub gpa: Vec<f64>,
    pub rank: Vec<f64>,
}

/// (x − mean) / sample standard deviation, sums taken in order as pandas took them.
pub fn standardize(values: &[f64]) -> Vec<f64> {
    let (mean, std) = mean_and_sample_std(values);
    values.iter().map(|v| (v - mean) / std).collect()
}

/// Reads the admissions CSV at `path` and prepares it as [`prepare`](crate::data::prepare)
/// prepares what polars read: the same arrays, value for value, without polars.
///
/// A missing file, a missing column, a row of the wrong length or a cell that is not a
/// number is an [`Error::Data`] naming the file, the column and the row.
///
/// # Shapes
/// Features (360, 6) and (40, 6) for the 400 records of the course's file.
pub fn load_admissions(path: impl AsRef<Path>, seed: u32) -> Result<Prepared> {
    let path = path.as_ref();
    prepare_records(read_records(path)?, seed, path)
}

/// The four columns of the CSV at `path`, found by their header names.
fn read_records(path: &Path) -> Result<Records> {
    if !path.is_file() {
        return Err(data_err(
            path,
            "no such file (paths are relative to the notebook's folder: try \"../data/binary.csv\")",
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| data_err(path, format!("cannot be read as text ({e})")))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| data_err(path, "is empty"))?
        .split(',')
        .map(str::trim)
        .collect();
    let mut at = [0; 4];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        *slot = header.iter().position(|h| *h == name).ok_or_else(|| {
            data_err(
                path,
                format!(
                    "column `{name}` is missing (the file has: {})",
                    header.join(", ")
                ),
            )
        })?;
    }
    let mut columns: [Vec<f64>; 4] = Default::default();
    // Rows as a spreadsheet counts them: the header is row 1.
    for (row, line) in (2..).zip(lines) {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != header.len() {
            return Err(data_err(
                path,
                format!(
                    "row {row} has {} cells where the header names {}",
                    cells.len(),
                    header.len()
                ),
            ));
        }
        for ((column, &i), name) in columns.iter_mut().zip(&at).zip(COLUMNS) {
            let value = cells[i].parse::<f64>().map_err(|_| {
                data_err(
                    path,
                    format!("column `{name}`, row {row}: empty or not a number"),
                )
            })?;
            column.push(value);
        }
    }
    let [admit, gre, gpa, rank] = columns;
    Ok(Records {
        admit,
        gre,
        gpa,
        rank,
    })
}

/// Prepares the admissions records as the original course did: one-hot `rank` (rank_1 …
/// rank_4), standardize `gre` and `gpa` (sample standard deviation), then draw 90 % of the
/// records for training with numpy's `np.random.seed(seed)` +
/// `np.random.choice(n, 0.9·n, replace=False)`; the rest, in file order, is the test set.
/// `source` names where the records came from, in errors.
pub(crate) fn prepare_records(records: Records, seed: u32, source: &Path) -> Result<Prepared> {
    let Records {
        admit,
        gre,
        gpa,
        rank,
    } = records;
    let (gre, gpa) = (standardize(&gre), standardize(&gpa));
    if let Some((i, r)) = rank
        .iter()
        .enumerate()
        .find(|(_, r)| ![1.0, 2.0, 3.0, 4.0].contains(*r))
    {
        return Err(data_err(
            source,
            format!("column `rank`, row {}: {r} is not 1, 2, 3 or 4", i + 2),
        ));
    }
    let n = admit.len();
    let row = |i: usize| -> [f64; 6] {
        let one_hot = |k: f64| if rank[i] == k { 1.0 } else { 0.0 };
        [
            gre[i],
            gpa[i],
            one_hot(1.0),
            one_hot(2.0),
            one_hot(3.0),
            one_hot(4.0),
        ]
    };
    let train = NumpyRandom::seed(seed).choice_without_replacement(n, n * 9 / 10);
    let mut in_train = vec![false; n];
    for &i in &train {
        in_train[i] = true;
    }
    let test: Vec<usize> = (0..n).filter(|&i| !in_train[i]).collect();
    let matrix = |rows: &[usize]| Array2::from_shape_fn((rows.len(), 6), |(r, c)| row(rows[r])[c]);
    let targets = |rows: &[usize]| Array1::from_iter(rows.iter().map(|&i| admit[i]));
    Ok(Prepared {
        columns: ["gre", "gpa", "rank_1", "rank_2", "rank_3", "rank_4"]
            .map(String::from)
            .to_vec(),
        features: matrix(&train),
        targets: targets(&train),
        features_test: matrix(&test),
        targets_test: targets(&test),
    })
}

/// The course's admissions CSV (`data/binary.csv`), for tests.
#[cfg(test)]
pub(crate) fn data_file() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/binary.csv")
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn the_csv_has_400_records_and_the_split_is_360_and_40() {
        let p = load_admissions(data_file(), 42).unwrap();
        assert_eq!(p.features.dim(), (360, 6));
        assert_eq!(p.features_test.dim(), (40, 6));
        assert_eq!(p.targets.len() + p.targets_test.len(), 400);
        // Every record has exactly one rank.
        for row in p.features.rows().into_iter().chain(p.features_test.rows()) {
            assert_eq!(row.iter().skip(2).sum::<f64>(), 1.0);
        }
        // 127 of the 400 applicants were admitted.
        assert_eq!(p.targets.sum() + p.targets_test.sum(), 127.0);
    }

    #[test]
    fn standardized_columns_have_mean_zero_and_sample_std_one() {
        let z = standardize(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_abs_diff_eq!(z.iter().sum::<f64>(), 0.0, epsilon = 1e-12);
        let var = z.iter().map(|v| v * v).sum::<f64>() / 7.0;
        assert_abs_diff_eq!(var, 1.0, epsilon = 1e-12);
    }

    #[test]
    fn the_first_training_record_is_the_one_numpy_drew() {
        // np.random.seed(42); choice(400, 360, replace=False)[0] == 209 (0-based: file line 211,
        // the header being line 1); its rank k sits in input 1 + k.
        let p = load_admissions(data_file(), 42).unwrap();
        let line = std::fs::read_to_string(data_file()).unwrap();
        let rank: f64 = line
            .lines()
            .nth(210)
            .unwrap()
            .split(',')
            .nth(3)
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(p.features[[0, 1 + rank as usize]], 1.0);
    }

    #[test]
    fn bad_files_are_named_with_what_is_wrong() {
        let dir = std::env::temp_dir().join(format!("backprop-admissions-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let load = |name: &str, text: Option<&str>| {
            let path = dir.join(name);
            if let Some(text) = text {
                std::fs::write(&path, text).unwrap();
            }
            load_admissions(&path, 42).unwrap_err().to_string()
        };
        let missing = load("nope.csv", None);
        assert!(missing.contains("nope.csv: no such file"), "{missing}");
        let no_gpa = load("no-gpa.csv", Some("admit,gre,rank\n1,700,2\n"));
        assert!(
            no_gpa.contains("no-gpa.csv: column `gpa` is missing (the file has: admit, gre, rank)"),
            "{no_gpa}"
        );
        let bad_cell = load(
            "bad-cell.csv",
            Some("admit,gre,gpa,rank\n1,700,3.1,2\n0,n/a,2.9,3\n"),
        );
        assert!(
            bad_cell.contains("column `gre`, row 3: empty or not a number"),
            "{bad_cell}"
        );
        let short = load(
            "short.csv",
            Some("admit,gre,gpa,rank\n1,700,3.1,2\n0,640,3\n"),
        );
        assert!(
            short.contains("short.csv: row 3 has 3 cells where the header names 4"),
            "{short}"
        );
        let rank = load(
            "rank.csv",
            Some("admit,gre,gpa,rank\n1,700,3.1,2\n0,640,3.0,5\n"),
        );
        assert!(
            rank.contains("column `rank`, row 3: 5 is not 1, 2, 3 or 4"),
            "{rank}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
