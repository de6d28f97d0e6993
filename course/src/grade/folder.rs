//! A grade output folder as `course grade` leaves it: its per-submission results read back
//! (`results/*.json`, the source of truth), and the files later steps write beside them.

use super::Grade;
use std::path::{Path, PathBuf};

/// A grade folder whose results cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// The folder has no `results/`.
    #[error("{0} has no results/ folder: it is not a folder `course grade` wrote")]
    NoResults(PathBuf),
    /// A folder or file could not be read.
    #[error("cannot read {path}: {cause}")]
    Read {
        /// The folder or file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// A result file is not a result `course grade` wrote.
    #[error("{path} is not a result of `course grade`: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// One submission's result and the file it was read from.
#[derive(Debug, Clone)]
pub struct Record {
    /// The JSON file in `results/`.
    pub path: PathBuf,
    /// What it says.
    pub grade: Grade,
}

/// Every result in `dir/results/`, in file-name order.
pub fn read(dir: &Path) -> Result<Vec<Record>, FolderError> {
    let results = dir.join("results");
    if !results.is_dir() {
        return Err(FolderError::NoResults(dir.to_path_buf()));
    }
    let unreadable = |cause| FolderError::Read {
        path: results.clone(),
        cause,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&results)
        .map_err(unreadable)?
        .map(|entry| entry.map(|e| e.path()).map_err(unreadable))
        .collect::<Result<_, _>>()?;
    files.retain(|f| f.extension().is_some_and(|x| x == "json"));
    files.sort();
    files
        .into_iter()
        .map(|path| {
            Ok(Record {
                grade: read_one(&path)?,
                path,
            })
        })
        .collect()
}

/// One result file.
pub fn read_one(path: &Path) -> Result<Grade, FolderError> {
    let text = std::fs::read_to_string(path).map_err(|cause| FolderError::Read {
        path: path.to_path_buf(),
        cause,
    })?;
    serde_json::from_str(&text).map_err(|e| FolderError::Invalid {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::exec::outcome::Status;
    use crate::grade::gradebook::save;
    use crate::grade::CellScore;

    /// A graded submission for tests: `cells` are (grade_id, points, max, status, reason).
    pub(crate) fn sample(
        student: &str,
        lesson: &str,
        cells: &[(&str, f64, f64, Status, &str)],
    ) -> Grade {
        let cells: Vec<CellScore> = cells
            .iter()
            .enumerate()
            .map(|(i, &(id, points, max_points, status, reason))| CellScore {
                grade_id: id.into(),
                cell: Some(i + 3),
                points,
                max_points,
                status,
                reason: reason.into(),
                seconds: 0.5,
            })
            .collect();
        Grade {
            submission: PathBuf::from(format!("subs/{student}/{lesson}.ipynb")),
            student: student.into(),
            lesson: Some(lesson.into()),
            points: cells.iter().map(|c| c.points).sum(),
            max_points: cells.iter().map(|c| c.max_points).sum(),
            error: None,
            grader_fault: false,
            restored: Vec::new(),
            review: Vec::new(),
            cells,
            seconds: 2.0,
            kernel_reused: false,
        }
    }

    #[test]
    fn every_status_reads_back_as_itself() {
        for status in [
            Status::Ok,
            Status::Error,
            Status::Panic,
            Status::Timeout,
            Status::KernelLost,
            Status::NotRun,
        ] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), status);
        }
        let err = serde_json::from_str::<Status>("\"exploded\"").unwrap_err();
        assert!(
            err.to_string().contains("unknown variant `exploded`"),
            "{err}"
        );
    }

    #[test]
    fn a_folder_without_results_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} has no results/ folder: it is not a folder `course grade` wrote",
                dir.path().display()
            )
        );
    }

    #[test]
    fn results_read_back_as_written_and_a_broken_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let good = sample("ana", "01-loss", &[("c", 1.0, 1.0, Status::Ok, "")]);
        crate::grade::gradebook::write_all(std::slice::from_ref(&good), dir.path()).unwrap();
        let back = read(dir.path()).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].path, dir.path().join("results/ana--01-loss.json"));
        assert_eq!(
            serde_json::to_value(&back[0].grade).unwrap(),
            serde_json::to_value(&good).unwrap()
        );
        let file = dir.path().join("results").join("x--01-loss.json");
        save(&file, "{\"student\": 3}").unwrap();
        let err = read(dir.path()).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{} is not a result", file.display())),
            "{err}"
        );
    }
}
