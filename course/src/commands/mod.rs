//! The commands: each owns its arguments and an `exec` that calls the engine.

pub mod grade;
pub mod gradebook;
pub mod lab;
pub mod relay;
pub mod release;
pub mod run;
pub mod setup;
pub mod validate;

use anyhow::bail;
use course::exec::seed::{self, SeedLease};
use course::exec::{crates, ExecOptions};
use course::grade::Lesson;
use course::jupyter::sandbox::{self, Mode, Sandbox};
use course::jupyter::KernelOptions;
use course::project::{self, Project};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// Makes sure cargo's registry holds every crate the course's kernels resolve (the course
/// crate's graph with every feature, the standard library's workspace), downloading what is
/// missing. The course's kernels are offline (`:offline 1` in each `init.evcxr`): a
/// lesson's `:dep` cell needs no network and finds only what is downloaded. A failure to
/// download is a note, not an error: the lessons' `:dep` cells then say what is missing.
fn ensure_crates(project: &Project) {
    // Once per checkout (and course-crate manifest), online: see `fetch_newest_once`.
    let stamp = project.jupyter_data().join("newest-crates");
    if let Err(e) = crates::fetch_newest_once(&project.root, &stamp) {
        eprintln!(
            "note: {e}; the kernels use the versions already downloaded, and may compile the \
             course's dependencies again once newer ones are"
        );
    }
    match crates::ensure(&project.root) {
        Ok(()) => eprintln!(
            "✓ every crate the course crate and the standard library's workspace can need is downloaded"
        ),
        Err(e) => eprintln!(
            "note: {e}; the course kernels are offline, so a lesson's `:dep` cell fails until they are"
        ),
    }
}

/// How notebooks execute for a command: on kernel `kernel`, found in this checkout's own
/// kernelspecs first, with the given cell limits.
fn exec_options(project: &Project, kernel: &str, timeout: u64, dep_timeout: u64) -> ExecOptions {
    let mut kernel = KernelOptions::named(kernel);
    kernel.data_dir = Some(project.jupyter_data());
    ExecOptions {
        kernel,
        timeout: Duration::from_secs(timeout),
        dep_timeout: Duration::from_secs(dep_timeout),
        keep_going: false,
        verbose: false,
        seal_checks: false,
    }
}

/// The limits a submission runs under when graded, in seconds and MiB.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time limit of a cell.
    pub timeout: u64,
    /// Time limit of a cell with a `:dep` line.
    pub dep_timeout: u64,
    /// Memory the submission's kernel may use.
    pub memory_mib: u64,
}

/// `course grade`'s default limits, which `course validate` always uses.
pub const GRADE_LIMITS: Limits = Limits {
    timeout: 120,
    dep_timeout: 1800,
    memory_mib: 6144,
};

/// How a submission executes when graded: on kernel `kernel` within `limits`, running every
/// cell even after one fails, graded cells sealed, and (unless `unsandboxed`) sealed off in
/// the sandbox, whose seed is built first when the course crate changed. The lease keeps the
/// seed as it is (no other checkout's grader rebuilds it) until it is dropped.
fn grading_exec_options(
    project: &Project,
    kernel: &str,
    limits: Limits,
    unsandboxed: bool,
) -> anyhow::Result<(ExecOptions, Option<SeedLease>)> {
    let mut exec = exec_options(project, kernel, limits.timeout, limits.dep_timeout);
    exec.keep_going = true;
    exec.seal_checks = true;
    exec.kernel.memory_limit = Some(limits.memory_mib * 1024 * 1024);
    if unsandboxed {
        return Ok((exec, None));
    }
    let (sealed, lease) = sandbox(project, &exec)?;
    exec.kernel.sandbox = Some(sealed);
    Ok((exec, Some(lease)))
}

/// The grader's sandbox, with its seed ready and held; an error saying what is missing when
/// this machine cannot seal kernels off.
fn sandbox(project: &Project, exec: &ExecOptions) -> anyhow::Result<(Sandbox, SeedLease)> {
    if let Err(why) = sandbox::probe().namespaces {
        bail!(
            "cannot seal submissions off on this machine: {why}\nfix that, or pass \
             --unsandboxed (each submission then runs with your rights)"
        );
    }
    let sealed = Sandbox {
        root: project.root.clone(),
        scratch: project.grade_scratch(),
        seed: project.grade_seed(),
        relay: std::env::current_exe()?,
        mode: Mode::Submission,
        slots: course::exec::cache::slots_dir(),
        confine: confined_code(project),
    };
    eprintln!(
        "preparing the grader's seed build folder {} (built again only when the course crate \
         changes)",
        sealed.seed.display()
    );
    let log = project.grade_scratch().join("seed.kernel.log");
    let lease = course::jupyter::runtime()?.block_on(seed::ensure(&sealed, exec, &log))?;
    Ok((sealed, lease))
}

/// The library that confines each submission's code process, or a warning and none: the
/// sandbox still seals every kernel off without it.
fn confined_code(project: &Project) -> Option<std::path::PathBuf> {
    match confine_library(project) {
        Ok(library) => Some(library),
        Err(why) => {
            eprintln!(
                "warning: a submission's code will run without Landlock's confinement inside \
                 its sandbox: {why}"
            );
            None
        }
    }
}

/// The library that confines a submission's code process, built for this toolchain in the
/// project's grading scratch folder, or why it cannot be had here.
fn confine_library(project: &Project) -> Result<std::path::PathBuf, String> {
    course::jupyter::confine::prepare(&project.grade_scratch().join("confine"))
}

/// Every lesson notebook in `source`, read for grading.
fn lessons(source: &Path) -> anyhow::Result<Vec<Lesson>> {
    let lessons: Vec<Lesson> = project::discover(&[source.to_path_buf()])?
        .iter()
        .map(|p| Lesson::load(p))
        .collect::<Result<_, _>>()?;
    if lessons.is_empty() {
        bail!("no lesson notebooks in {}", source.display());
    }
    Ok(lessons)
}

/// Exit 0 when `ok`, 1 otherwise.
fn exit_code(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
