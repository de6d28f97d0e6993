//! One gradebook from several `course grade --shard I/N` runs: their results are read back,
//! checked not to overlap, and written again by the gradebook writers as if one run had
//! graded the whole class.

use super::folder::{self, FolderError};
use super::gradebook::{self, ReportError};
use super::{stats, Grade};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Shards that cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A shard's results cannot be read.
    #[error(transparent)]
    Folder(#[from] FolderError),
    /// Two shards graded the same student's lesson.
    #[error(
        "{student}'s {lesson} was graded by two shards, in {first} and in {second}; shards must \
         not overlap"
    )]
    Overlap {
        /// The student.
        student: String,
        /// The lesson (`unknown` when it matched none).
        lesson: String,
        /// The result found first.
        first: PathBuf,
        /// The one found again.
        second: PathBuf,
    },
    /// The same shard folder was given twice.
    #[error("{0} is given twice")]
    Repeated(PathBuf),
    /// The output folder already holds results, which a merge would mix with its own.
    #[error("{0} already holds results/; merge into a new or empty folder")]
    Occupied(PathBuf),
    /// A report could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
}

/// Every shard's results, sorted by student and lesson; refuses a submission found twice.
pub fn combine(shards: &[PathBuf]) -> Result<Vec<Grade>, MergeError> {
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut grades = Vec::new();
    for (i, shard) in shards.iter().enumerate() {
        if shards[..i].iter().any(|s| same_folder(s, shard)) {
            return Err(MergeError::Repeated(shard.clone()));
        }
        for record in folder::read(shard)? {
            let key = record.grade.key();
            if let Some(first) = seen.insert(key, record.path.clone()) {
                return Err(MergeError::Overlap {
                    student: record.grade.student,
                    lesson: record.grade.lesson.unwrap_or_else(|| "unknown".into()),
                    first,
                    second: record.path,
                });
            }
            grades.push(record.grade);
        }
    }
    grades.sort_by(|a, b| (&a.student, &a.lesson).cmp(&(&b.student, &b.lesson)));
    Ok(grades)
}

fn same_folder(a: &Path, b: &Path) -> bool {
    a == b
        || a.canonicalize()
            .is_ok_and(|a| b.canonicalize().is_ok_and(|b| a == b))
}

/// Merges the shard folders into `out`: results/, feedback/, gradebook.csv, junit.xml,
/// stats.md and stats.html. Returns the merged grades.
pub fn merge(shards: &[PathBuf], out: &Path) -> Result<Vec<Grade>, MergeError> {
    let results = out.join("results");
    let occupied = std::fs::read_dir(&results).is_ok_and(|mut entries| entries.next().is_some());
    if occupied {
        return Err(MergeError::Occupied(out.to_path_buf()));
    }
    let grades = combine(shards)?;
    gradebook::write_all(&grades, out)?;
    stats::write(&grades, out)?;
    Ok(grades)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::outcome::Status::{Ok, Panic};
    use crate::grade::folder::tests::sample;

    fn shard(dir: &Path, grades: &[Grade]) -> PathBuf {
        gradebook::write_all(grades, dir).unwrap();
        dir.to_path_buf()
    }

    #[test]
    fn two_shards_become_one_gradebook_with_every_row() {
        let (one, two, out) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let shards = [
            shard(
                one.path(),
                &[
                    sample("cy", "01-loss", &[("a", 1.0, 1.0, Ok, "")]),
                    sample("ana", "01-loss", &[("a", 0.0, 1.0, Panic, "✗ SSE")]),
                ],
            ),
            shard(
                two.path(),
                &[sample("bo", "01-loss", &[("a", 1.0, 1.0, Ok, "")])],
            ),
        ];
        let grades = merge(&shards, out.path()).unwrap();
        let students: Vec<&str> = grades.iter().map(|g| g.student.as_str()).collect();
        assert_eq!(students, ["ana", "bo", "cy"]);
        let csv = std::fs::read_to_string(out.path().join("gradebook.csv")).unwrap();
        assert_eq!(
            csv,
            "student,lesson,points,max_points,submission,error\n\
             ana,01-loss,0,1,subs/ana/01-loss.ipynb,\n\
             bo,01-loss,1,1,subs/bo/01-loss.ipynb,\n\
             cy,01-loss,1,1,subs/cy/01-loss.ipynb,\n"
        );
        let junit = std::fs::read_to_string(out.path().join("junit.xml")).unwrap();
        assert_eq!(junit.matches("<testcase ").count(), 3);
        for key in ["ana--01-loss", "bo--01-loss", "cy--01-loss"] {
            assert!(
                out.path().join(format!("results/{key}.json")).is_file(),
                "{key}"
            );
            assert!(
                out.path().join(format!("feedback/{key}.html")).is_file(),
                "{key}"
            );
        }
        let stats = std::fs::read_to_string(out.path().join("stats.md")).unwrap();
        assert!(stats.contains("| a | 1 | 2 of 3 | ✗ SSE (1) |"), "{stats}");
        assert!(out.path().join("stats.html").is_file());
    }

    #[test]
    fn a_submission_in_two_shards_is_refused_naming_both_files() {
        let (one, two, out) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let same = sample("ana", "01-loss", &[("a", 1.0, 1.0, Ok, "")]);
        let shards = [
            shard(one.path(), std::slice::from_ref(&same)),
            shard(two.path(), &[same]),
        ];
        let err = merge(&shards, out.path()).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "ana's 01-loss was graded by two shards, in {} and in {}; shards must not overlap",
                one.path().join("results/ana--01-loss.json").display(),
                two.path().join("results/ana--01-loss.json").display()
            )
        );
        assert!(
            !out.path().join("gradebook.csv").exists(),
            "nothing written"
        );
    }

    #[test]
    fn a_shard_given_twice_is_refused() {
        let one = tempfile::tempdir().unwrap();
        let dir = shard(
            one.path(),
            &[sample("ana", "01-loss", &[("a", 1.0, 1.0, Ok, "")])],
        );
        let again = dir.join("results").join("..");
        let err = combine(&[dir, again.clone()]).unwrap_err().to_string();
        assert_eq!(err, format!("{} is given twice", again.display()));
    }

    #[test]
    fn a_shard_without_results_is_refused() {
        let (one, empty, out) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let shards = [
            shard(
                one.path(),
                &[sample("ana", "01-loss", &[("a", 1.0, 1.0, Ok, "")])],
            ),
            empty.path().to_path_buf(),
        ];
        let err = merge(&shards, out.path()).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "{} has no results/ folder: it is not a folder `course grade` wrote",
                empty.path().display()
            )
        );
    }

    #[test]
    fn a_merge_never_mixes_with_results_already_in_its_output() {
        let (one, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let shards = [shard(
            one.path(),
            &[sample("ana", "01-loss", &[("a", 1.0, 1.0, Ok, "")])],
        )];
        merge(&shards, out.path()).unwrap();
        let err = merge(&shards, out.path()).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "{} already holds results/; merge into a new or empty folder",
                out.path().display()
            )
        );
    }
}
