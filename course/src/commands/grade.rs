//! `course grade`: score a class's notebooks against the lessons.

use super::{confine_library, exit_code, grading_exec_options, lessons, Limits};
use course::exec::pool::Pool;
use course::grade::{gradebook, scheduler, Grade, GradeOptions, Lesson};
use course::install;
use course::jupyter::sandbox::{self, Enforced};
use course::project::{self, Project};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// What to grade and how.
#[derive(clap::Args)]
pub struct Args {
    /// Submitted notebooks, or folders searched for them.
    #[arg(required_unless_present = "check_sandbox")]
    submissions: Vec<PathBuf>,
    /// The instructor's notebooks the submissions answer [default: notebooks/].
    #[arg(long)]
    source: Option<PathBuf>,
    /// Where results, feedback, gradebook.csv and junit.xml go [default: target/grades].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Submissions graded at once, each in its own kernel [default: one per core, as many as
    /// the available memory holds at 2 GiB a kernel].
    #[arg(long)]
    jobs: Option<usize>,
    /// Grade only slice I of N (e.g. 2/4), so N machines can split a class.
    #[arg(long, value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
    /// Time limit of a cell, in seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Time limit of a cell with a `:dep` line, in seconds.
    #[arg(long, default_value_t = 1800)]
    dep_timeout: u64,
    /// Memory a submission's kernel may use, in MiB.
    #[arg(long, default_value_t = 6144)]
    memory: u64,
    /// The kernelspec to grade on.
    #[arg(long, default_value = install::KERNEL_NAME)]
    kernel: String,
    /// Run submissions with the grader's own rights, where the sandbox cannot be had (a
    /// submission can then read the lessons, write anywhere the grader can, and reach the
    /// network).
    #[arg(long)]
    unsandboxed: bool,
    /// Start a fresh kernel for every submission, instead of clearing and checking one kept
    /// from an earlier submission of the same lesson (kept kernels need the sandbox and the
    /// code process's confinement; see `--check-sandbox`).
    #[arg(long)]
    fresh: bool,
    /// Say what the sandbox enforces on this machine, and exit.
    #[arg(long)]
    check_sandbox: bool,
}

/// Reads `I/N` with 1 ≤ I ≤ N.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (i, n) = text.split_once('/').ok_or("expected I/N, e.g. 2/4")?;
    let number = |s: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| format!("{s} is not a number"))
    };
    let (i, n) = (number(i)?, number(n)?);
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: need 1 ≤ I ≤ N"));
    }
    Ok((i, n))
}

/// Grades every submission found, writes the reports, prints a line per submission; exit 1
/// when the grader itself failed on any.
pub fn exec(project: &Project, args: Args) -> anyhow::Result<ExitCode> {
    if args.check_sandbox {
        let enforced = sandbox::probe();
        let confined = confine_library(project);
        println!("{}", describe(&enforced, &confined));
        return Ok(exit_code(enforced.usable()));
    }
    let lessons = lessons(&args.source.unwrap_or_else(|| project.notebooks()))?;
    let mut submissions = project::discover(&args.submissions)?;
    if let Some((i, n)) = args.shard {
        submissions.retain(|p| course::grade::in_shard(p, i, n));
    }
    if args.kernel == install::KERNEL_NAME {
        install::ensure(project, true)?;
    }
    let limits = Limits {
        timeout: args.timeout,
        dep_timeout: args.dep_timeout,
        memory_mib: args.memory,
    };
    let (exec, _seed) = grading_exec_options(project, &args.kernel, limits, args.unsandboxed)?;
    let jobs = args.jobs.unwrap_or_else(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        scheduler::default_jobs(cores, scheduler::available_mib())
    });
    let confined = exec
        .kernel
        .sandbox
        .as_ref()
        .is_some_and(|s| s.confine.is_some());
    let pool = (confined && !args.fresh).then(|| Arc::new(Pool::new(jobs)));
    let opts = Arc::new(GradeOptions {
        exec,
        out: args.out.unwrap_or_else(|| project.grade_output()),
        pool,
    });
    let started = Instant::now();
    let grades = grade_all(&submissions, lessons, &opts, jobs)?;
    gradebook::write_all(&grades, &opts.out)?;
    course::grade::stats::write(&grades, &opts.out)?;
    for g in &grades {
        println!(
            "{:<24} {:<28} {:>5} / {:<5} {}",
            g.student,
            g.lesson.as_deref().unwrap_or("?"),
            g.points,
            g.max_points,
            g.error
                .as_deref()
                .map(|e| e.lines().next().unwrap_or(""))
                .unwrap_or("")
        );
    }
    println!(
        "graded {} submission{} in {:.1} s, {jobs} at a time; gradebook.csv, junit.xml, \
         results/ and feedback/ in {}",
        grades.len(),
        if grades.len() == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64(),
        opts.out.display()
    );
    let faults = grades.iter().filter(|g| g.grader_fault).count();
    if faults > 0 {
        eprintln!(
            "error: {faults} submission(s) could not be graded because of the grader itself \
             (see results/)"
        );
    }
    Ok(exit_code(faults == 0))
}

/// Grades the submissions `jobs` at a time with a progress bar (a line per submission when
/// the output is not a terminal).
fn grade_all(
    submissions: &[PathBuf],
    lessons: Vec<Lesson>,
    opts: &Arc<GradeOptions>,
    jobs: usize,
) -> anyhow::Result<Vec<Grade>> {
    let bar = indicatif::ProgressBar::new(submissions.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} graded, {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let lessons = Arc::new(lessons);
    let runtime = course::jupyter::runtime()?;
    // Submissions of one lesson one after another, so that a kept kernel finds its next one.
    let order = scheduler::by_file_name(submissions);
    let sorted: Vec<PathBuf> = order.iter().map(|&i| submissions[i].clone()).collect();
    let graded = runtime.block_on(scheduler::schedule(
        &sorted,
        &lessons,
        jobs,
        |path| {
            let (lessons, opts) = (lessons.clone(), opts.clone());
            async move { course::grade::grade(&path, &lessons, &opts).await }
        },
        |g| {
            bar.set_message(format!("{}: {} / {}", g.student, g.points, g.max_points));
            if bar.is_hidden() {
                eprintln!(
                    "graded {} ({}): {} / {}",
                    g.student,
                    g.lesson.as_deref().unwrap_or("?"),
                    g.points,
                    g.max_points
                );
            }
            bar.inc(1);
        },
    ));
    if let Some(pool) = &opts.pool {
        runtime.block_on(pool.close());
    }
    bar.finish_and_clear();
    // Back in the order the submissions were given.
    let mut grades: Vec<(usize, Grade)> = order.into_iter().zip(graded).collect();
    grades.sort_by_key(|&(i, _)| i);
    Ok(grades.into_iter().map(|(_, grade)| grade).collect())
}

/// What the sandbox enforces here, for `--check-sandbox`.
fn describe(e: &Enforced, confined: &Result<std::path::PathBuf, String>) -> String {
    let namespaces = match &e.namespaces {
        Ok(()) => "yes: bubblewrap with user, PID, network, IPC and UTS namespaces".to_string(),
        Err(why) => format!("NO: {why}"),
    };
    format!(
        "sandbox for submissions:\n  namespaces:        {namespaces}\n  files:             \
         only the system, the toolchain and the course's crate/, data/, kernel/, read-only; \
         no lessons, submissions, reports or home folder\n  network:           none \
         (a network namespace of its own; the grader reaches the kernel through Unix sockets)\n  \
         processes:         {}\n  build folder:      {}\n  the code's process: {}",
        e.task_cap,
        e.build_folder,
        match confined {
            Ok(_) => "confined with Landlock: writes only in its working folder, no TCP, no \
                      signal or abstract socket beyond itself, as far as this kernel's Landlock \
                      goes"
                .to_string(),
            Err(why) => format!("not confined: {why}"),
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_is_one_based_and_within_its_count() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert_eq!(parse_shard("1/1"), Ok((1, 1)));
        assert_eq!(parse_shard("3/2"), Err("shard 3/2: need 1 ≤ I ≤ N".into()));
        assert_eq!(parse_shard("0/2"), Err("shard 0/2: need 1 ≤ I ≤ N".into()));
        assert_eq!(parse_shard("2"), Err("expected I/N, e.g. 2/4".into()));
        assert_eq!(parse_shard("a/2"), Err("a is not a number".into()));
    }
}
