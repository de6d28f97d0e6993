//! The graduate-admissions data: read with polars, prepared as the lessons prepare it.
//!
//! Introduced in lesson 4 (gradient descent on the admissions data). Needs the crate's
//! `data` feature: `:dep backprop = { path = "../crate", features = ["data"] }`.

use crate::error::{Error, Result};
use crate::random::NumpyRandom;
use crate::summation::mean_and_sample_std;
use ndarray::{Array1, Array2};
use polars::prelude::*;
use std::path::Path;

/// The columns the admissions CSV must have.
pub const COLUMNS: [&str; 4] = ["admit", "gre", "gpa", "rank"];

fn data_err(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Data(format!("{}: {what}", path.display()))
}

/// Reads the admissions CSV (columns admit, gre, gpa, rank) into a polars `DataFrame`.
///
/// A missing file, a file that is not CSV, a missing column or a cell that is not a number is
/// an [`Error::Data`] naming the file, the column and the row.
pub fn read_admissions(path: impl AsRef<Path>) -> Result<DataFrame> {
    let path = path.as_ref();
    if !path.is_file() {
        return Err(data_err(
            path,
            "no such file (paths are relative to the notebook's folder: try \"../data/binary.csv\")",
        ));
    }
    let frame = CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|reader| reader.finish())
        .map_err(|e| data_err(path, format!("cannot be read as CSV ({e})")))?;
    for name in COLUMNS {
        numbers(&frame, name, path)?;
    }
    Ok(frame)
}

/// A column as numbers; names the first row (as a spreadsheet counts, header = row 1) that is not one.
fn numbers(frame: &DataFrame, name: &str, path: &Path) -> Result<Vec<f64>> {
    let found = || {
        let names: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        format!(
            "column `{name}` is missing (the file has: {})",
            names.join(", ")
        )
    };
    let column = frame.column(name).map_err(|_| data_err(path, found()))?;
    let cast = column
        .cast(&DataType::Float64)
        .map_err(|e| data_err(path, format!("column `{name}` is not numeric ({e})")))?;
    let values = cast
        .f64()
        .map_err(|e| data_err(path, format!("column `{name}` is not numeric ({e})")))?;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.ok_or_else(|| {
                data_err(
                    path,
                    format!("column `{name}`, row {}: empty or not a number", i + 2),
                )
            })
        })
        .collect()
}

/// A numeric column of a frame as an array.
///
/// # Shapes
/// Returns (height,).
pub fn column(frame: &DataFrame, name: &str) -> Result<Array1<f64>> {
    Ok(Array1::from(numbers(
        frame,
        name,
        Path::new("the data frame"),
    )?))
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

/// (x − mean) / sample standard deviation, sums taken in order as pandas took them.
pub fn standardize(values: &[f64]) -> Vec<f64> {
    let (mean, std) = mean_and_sample_std(values);
    values.iter().map(|v| (v - mean) / std).collect()
}

/// Prepares the admissions data as the original course did: one-hot `rank` (rank_1 … rank_4),
/// standardize `gre` and `gpa` (sample standard deviation), then draw 90 % of the records for
/// training with numpy's `np.random.seed(seed)` + `np.random.choice(n, 0.9·n, replace=False)`;
/// the rest, in file order, is the test set.
pub fn prepare(frame: &DataFrame, seed: u32) -> Result<Prepared> {
    let here = Path::new("the admissions data");
    let admit = numbers(frame, "admit", here)?;
    let gre = standardize(&numbers(frame, "gre", here)?);
    let gpa = standardize(&numbers(frame, "gpa", here)?);
    let rank = numbers(frame, "rank", here)?;
    if let Some((i, r)) = rank
        .iter()
        .enumerate()
        .find(|(_, r)| ![1.0, 2.0, 3.0, 4.0].contains(*r))
    {
        return Err(data_err(
            here,
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

impl Prepared {
    /// The training set as a `DataFrame` (admit first, then the inputs), for looking at.
    pub fn training_frame(&self) -> Result<DataFrame> {
        let mut columns = vec![Column::new("admit".into(), self.targets.to_vec())];
        for (j, name) in self.columns.iter().enumerate() {
            columns.push(Column::new(
                name.as_str().into(),
                self.features.column(j).to_vec(),
            ));
        }
        DataFrame::new_infer_height(columns).map_err(|e| Error::Data(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    fn data_file() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/binary.csv")
    }

    #[test]
    fn the_csv_has_400_records_and_the_split_is_360_and_40() {
        let frame = read_admissions(data_file()).unwrap();
        assert_eq!(frame.height(), 400);
        let p = prepare(&frame, 42).unwrap();
        assert_eq!(p.features.dim(), (360, 6));
        assert_eq!(p.features_test.dim(), (40, 6));
        // Every record has exactly one rank.
        for row in p.features.rows() {
            assert_eq!(row.iter().skip(2).sum::<f64>(), 1.0);
        }
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
        // np.random.seed(42); choice(400, 360, replace=False)[0] == 209 (0-based: file line 211).
        let frame = read_admissions(data_file()).unwrap();
        let p = prepare(&frame, 42).unwrap();
        let raw_rank = numbers(&frame, "rank", Path::new("x")).unwrap()[209];
        assert_eq!(p.features[[0, 1 + raw_rank as usize]], 1.0);
    }

    #[test]
    fn bad_files_are_named_with_what_is_wrong() {
        let dir = std::env::temp_dir().join(format!("backprop-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = read_admissions(dir.join("nope.csv"))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("nope.csv: no such file"), "{missing}");

        let no_gpa = dir.join("no-gpa.csv");
        std::fs::write(&no_gpa, "admit,gre,rank\n1,700,2\n").unwrap();
        let err = read_admissions(&no_gpa).unwrap_err().to_string();
        assert!(
            err.contains("column `gpa` is missing (the file has: admit, gre, rank)"),
            "{err}"
        );

        let bad_cell = dir.join("bad-cell.csv");
        std::fs::write(&bad_cell, "admit,gre,gpa,rank\n1,700,3.1,2\n0,n/a,2.9,3\n").unwrap();
        let err = read_admissions(&bad_cell).unwrap_err().to_string();
        assert!(
            err.contains("column `gre`, row 3: empty or not a number"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
