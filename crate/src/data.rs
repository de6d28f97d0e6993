//! The graduate-admissions data read with polars, to look at as a table; prepared by
//! [`crate::admissions`].
//!
//! Introduced in lesson 4 (gradient descent on the admissions data). Needs the crate's
//! `data` feature: `:dep backprop = { path = "../crate", features = ["data"] }`. Lessons that
//! only train on the data load it without polars ([`crate::admissions::load_admissions`]).

use crate::admissions::{COLUMNS, Prepared, Records, data_err, prepare_records};
use crate::error::{Error, Result};
use ndarray::Array1;
use polars::prelude::*;
use std::path::Path;

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

/// Prepares what [`read_admissions`] read as the original course did, as
/// [`load_admissions`](crate::admissions::load_admissions) does from the file: one-hot `rank`,
/// standardized `gre` and `gpa`, and numpy's seeded split, 90 % for training.
pub fn prepare(frame: &DataFrame, seed: u32) -> Result<Prepared> {
    let here = Path::new("the admissions data");
    let records = Records {
        admit: numbers(frame, "admit", here)?,
        gre: numbers(frame, "gre", here)?,
        gpa: numbers(frame, "gpa", here)?,
        rank: numbers(frame, "rank", here)?,
    };
    prepare_records(records, seed, here)
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
    use crate::admissions::data_file;

    #[test]
    fn reading_with_polars_and_loading_without_give_the_same_prepared_data() {
        let frame = read_admissions(data_file()).unwrap();
        assert_eq!(frame.height(), 400);
        for seed in [42, 21, 7] {
            let with = prepare(&frame, seed).unwrap();
            let without = crate::admissions::load_admissions(data_file(), seed).unwrap();
            assert_eq!(with, without, "seed {seed}");
        }
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
