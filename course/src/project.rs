//! Where the course's files are: every path the tool reads or writes, and how notebooks are
//! found on the command line.

use std::path::{Path, PathBuf};

/// A path the tool was given or needs does not exist, or is not what it should be.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// No folder holding the marker was found.
    #[error(
        "cannot find the course folder (one holding {MARKER}) above {0}; run from inside the \
         course or pass --root"
    )]
    NotFound(PathBuf),
    /// `--root` names a folder without the marker.
    #[error("{0} is not the course's folder: {MARKER} is missing there")]
    NotCourse(PathBuf),
    /// A path given on the command line does not exist.
    #[error("{0} does not exist")]
    Missing(PathBuf),
    /// A folder could not be listed.
    #[error("cannot list notebooks in {path}: {cause}")]
    Unreadable {
        /// The folder.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
}

/// What a course kernel reads of the checkout: the course crate, its data and the kernel
/// configuration, and the workspace's manifests (the crate inherits its package settings from
/// the workspace, and cargo reads every member's manifest when it loads it). The grader's
/// sandbox binds these and nothing else; `course setup --system` copies them for every user.
pub const KERNEL_PARTS: [&str; 6] = [
    "crate",
    "data",
    "kernel",
    "Cargo.toml",
    "course/Cargo.toml",
    "bench/Cargo.toml",
];

/// The files of one checkout of the course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The folder holding `Cargo.toml`, `crate/`, `notebooks/` and `kernel/`.
    pub root: PathBuf,
}

/// The file that marks the project root.
const MARKER: &str = "kernel/config/init.evcxr";

impl Project {
    /// Finds the project from `--root`, else from the working folder upwards, else from where
    /// this binary was built.
    pub fn locate(explicit: Option<&Path>) -> Result<Project, ProjectError> {
        if let Some(root) = explicit {
            let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            if !root.join(MARKER).is_file() {
                return Err(ProjectError::NotCourse(root));
            }
            return Ok(Project { root });
        }
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let built_at = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for start in [cwd.as_path(), built_at.as_path()] {
            if let Some(root) = start.ancestors().find(|dir| dir.join(MARKER).is_file()) {
                let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
                return Ok(Project { root });
            }
        }
        Err(ProjectError::NotFound(cwd))
    }

    /// The folder evcxr reads `init.evcxr` and `prelude.rs` from (`EVCXR_CONFIG_DIR`).
    pub fn kernel_config(&self) -> PathBuf {
        self.root.join("kernel").join("config")
    }

    /// The strict kernel's configuration (a panic fails the cell).
    pub fn strict_kernel_config(&self) -> PathBuf {
        self.root.join("kernel").join("strict")
    }

    /// The script every course kernel starts through (build slots, cargo configuration).
    pub fn kernel_launcher(&self) -> PathBuf {
        self.root.join("kernel").join("launch")
    }

    /// The lesson notebooks' folder (the instructor's source).
    pub fn notebooks(&self) -> PathBuf {
        self.root.join("notebooks")
    }

    /// The folder of build output and every file the tool makes.
    pub fn target(&self) -> PathBuf {
        self.root.join("target")
    }

    /// This checkout's own Jupyter data folder: its course kernelspecs, searched first by
    /// `course run`, `grade` and `bench`, so they run on this checkout's kernel even when
    /// another checkout installed the user-wide one last.
    pub fn jupyter_data(&self) -> PathBuf {
        self.target().join("jupyter")
    }

    /// Where `course run` writes executed copies, logs and `report.json`.
    pub fn run_output(&self) -> PathBuf {
        self.target().join("notebooks")
    }

    /// Where `course grade` writes results, feedback and the gradebook.
    pub fn grade_output(&self) -> PathBuf {
        self.target().join("grades")
    }

    /// Where `course gradebook merge` writes the merged gradebook.
    pub fn merged_grades(&self) -> PathBuf {
        self.target().join("grades-merged")
    }

    /// Where `course validate` writes its executed copies and kernel logs.
    pub fn validate_output(&self) -> PathBuf {
        self.target().join("validate")
    }

    /// The grader's seed: a kernel build folder with the course crate's dependencies compiled,
    /// which every sandboxed kernel starts from (read-only). It is the user's, not the
    /// checkout's (`$XDG_CACHE_HOME/backprop-course/grade-seed`, else under `~/.cache`), so a
    /// fresh clone of the course grades after compiling only the course crate again; without a
    /// home folder it is the checkout's `target/grade-seed`.
    pub fn grade_seed(&self) -> PathBuf {
        user_cache()
            .map(|cache| cache.join("backprop-course").join("grade-seed"))
            .unwrap_or_else(|| self.target().join("grade-seed"))
    }

    /// Where the grader makes each sandboxed kernel's scratch folder.
    pub fn grade_scratch(&self) -> PathBuf {
        self.target().join("grade-sandbox")
    }

    /// Where `course release` writes the student versions.
    pub fn release_output(&self) -> PathBuf {
        self.root.join("release")
    }

    /// JupyterLab's Python environment.
    pub fn lab_env(&self) -> PathBuf {
        self.target().join("lab-py")
    }

    /// The requirements JupyterLab's environment is made from.
    pub fn lab_requirements(&self) -> PathBuf {
        self.root.join("lab").join("requirements.txt")
    }

    /// The benchmark's folder: numpy twins, requirements, the numpy training script.
    pub fn bench_sources(&self) -> PathBuf {
        self.root.join("bench")
    }

    /// The benchmark's Python environment (numpy, ipykernel).
    pub fn bench_env(&self) -> PathBuf {
        self.target().join("bench-py")
    }

    /// Where the benchmark writes its report and executed copies.
    pub fn bench_output(&self) -> PathBuf {
        self.target().join("bench")
    }

    /// Criterion's output folder, read for the Rust training figures.
    pub fn criterion_output(&self) -> PathBuf {
        self.target().join("criterion")
    }

    /// The notebooks named on a command line, or every lesson when none is named.
    pub fn discover(&self, paths: &[PathBuf]) -> Result<Vec<PathBuf>, ProjectError> {
        if paths.is_empty() {
            return discover(&[self.notebooks()]);
        }
        discover(paths)
    }
}

/// Every notebook the paths name: a file is itself; a folder is searched through its
/// subfolders for `.ipynb` files, skipping hidden folders (Jupyter's `.ipynb_checkpoints`).
/// Each folder's entries are taken in name order, so lessons come in lesson order.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ProjectError> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_file() {
            found.push(path.clone());
        } else if path.is_dir() {
            search(path, &mut found)?;
        } else {
            return Err(ProjectError::Missing(path.clone()));
        }
    }
    Ok(found)
}

fn search(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), ProjectError> {
    let unreadable = |source| ProjectError::Unreadable {
        path: dir.to_path_buf(),
        cause: source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        let hidden = entry
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if entry.is_dir() {
            search(&entry, found)?;
        } else if entry.extension().is_some_and(|x| x == "ipynb") {
            found.push(entry);
        }
    }
    Ok(())
}

/// The user's cache folder: `$XDG_CACHE_HOME` when it is an absolute path, else `~/.cache`.
pub fn user_cache() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from);
    match xdg {
        Some(dir) if dir.is_absolute() => Some(dir),
        _ => std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|home| home.is_absolute())
            .map(|home| home.join(".cache")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "{}").unwrap();
    }

    #[test]
    fn folders_are_searched_in_name_order_without_hidden_folders_or_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in [
            "b/02.ipynb",
            "b/01.ipynb",
            "a.ipynb",
            "notes.md",
            ".ipynb_checkpoints/a-checkpoint.ipynb",
            "c/deeper/03.ipynb",
            ".hidden.ipynb",
        ] {
            touch(&d.join(name));
        }
        let found = discover(&[d.to_path_buf()]).unwrap();
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            ["a.ipynb", "b/01.ipynb", "b/02.ipynb", "c/deeper/03.ipynb"]
        );
    }

    #[test]
    fn a_named_file_is_taken_as_it_is_and_a_missing_path_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.json");
        touch(&file);
        assert_eq!(discover(std::slice::from_ref(&file)).unwrap(), [file]);
        let missing = dir.path().join("nope");
        let err = discover(std::slice::from_ref(&missing)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{} does not exist", missing.display())
        );
    }

    #[test]
    fn the_project_is_found_from_a_subfolder_and_refused_where_the_marker_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        touch(&root.join(MARKER));
        touch(&root.join("notebooks/01-a.ipynb"));
        let project = Project::locate(Some(&root)).unwrap();
        assert_eq!(project.root, root);
        assert_eq!(project.notebooks(), root.join("notebooks"));
        assert_eq!(project.jupyter_data(), root.join("target/jupyter"));
        assert_eq!(
            project.discover(&[]).unwrap(),
            [root.join("notebooks/01-a.ipynb")]
        );
        let elsewhere = root.join("notebooks");
        let err = Project::locate(Some(&elsewhere)).unwrap_err();
        assert!(
            err.to_string().contains("is not the course's folder"),
            "{err}"
        );
    }
}
