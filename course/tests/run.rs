//! `course run` against the real course kernel: the first lesson passes, and a failing check,
//! a compile error, an endless loop and a broken file each fail it and are named.
//!
//! The first test to run installs evcxr_jupyter if it is missing (about 7 minutes) and
//! compiles the lesson crate's dependencies once (later kernels reuse evcxr's cache).

mod common;

use common::root;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Kernels compete for the two cores and for evcxr's cache: one test at a time, after set-up.
fn kernel_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    static SETUP: OnceLock<()> = OnceLock::new();
    let guard = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    SETUP.get_or_init(common::setup);
    guard
}

struct Run {
    code: i32,
    stdout: String,
    report: Value,
    out: tempfile::TempDir,
}

fn course_run(notebooks: &[&Path], extra: &[&str]) -> Run {
    course_run_with(notebooks, extra, &[])
}

/// `course run` with more environment variables (`env`), which its kernels inherit.
fn course_run_with(notebooks: &[&Path], extra: &[&str], env: &[(&str, PathBuf)]) -> Run {
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_course"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .arg("--root")
        .arg(root())
        .arg("run")
        .args(notebooks)
        .arg("--out")
        .arg(out.path())
        .args(extra)
        .output()
        .expect("course run starts");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report_path = out.path().join("report.json");
    let report = std::fs::read_to_string(&report_path)
        .map(|s| serde_json::from_str(&s).expect("report.json is JSON"))
        .unwrap_or_else(|e| panic!("no report.json ({e}); stdout:\n{stdout}\nstderr:\n{stderr}"));
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout,
        report,
        out,
    }
}

/// The `:dep` line that loads the lesson crate by absolute path.
fn course_dep() -> String {
    format!(
        ":dep backprop = {{ path = {:?} }}",
        root().join("crate").display().to_string()
    )
}

/// Writes a notebook of code cells whose first cell loads the lesson crate by absolute path.
fn notebook(dir: &Path, name: &str, cells: &[&str]) -> PathBuf {
    let dep = format!("{}\nuse backprop::prelude::*;", course_dep());
    let all: Vec<&str> = std::iter::once(dep.as_str())
        .chain(cells.iter().copied())
        .collect();
    notebook_of(dir, name, &all)
}

/// Writes a notebook of exactly these code cells.
fn notebook_of(dir: &Path, name: &str, cells: &[&str]) -> PathBuf {
    let cells: Vec<Value> = cells
        .iter()
        .copied()
        .enumerate()
        .map(|(i, src)| {
            serde_json::json!({"cell_type": "code", "id": format!("cell-{i}"), "metadata": {},
                "execution_count": null, "source": src, "outputs": []})
        })
        .collect();
    let nb =
        serde_json::json!({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5});
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(&nb).unwrap()).unwrap();
    path
}

fn cell(report: &Value, position: usize) -> &Value {
    report["notebooks"][0]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cell"] == position)
        .unwrap_or_else(|| panic!("no cell {position} in {report:#}"))
}

#[test]
fn a_course_notebook_runs_without_a_network_once_set_up() {
    let _lock = kernel_lock();
    let dir = tempfile::tempdir().unwrap();
    let nb = notebook(dir.path(), "offline.ipynb", &["array![1.0, 2.5].sum()"]);
    let out = tempfile::tempdir().unwrap();
    // A network namespace of its own, with only a loopback (bubblewrap brings it up), for
    // `course run` and the kernel it starts.
    let output = Command::new("bwrap")
        .args(["--dev-bind", "/", "/", "--unshare-net", "--"])
        .arg(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root())
        .args(["run", "--fresh"])
        .arg(&nb)
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("bwrap starts");
    let said = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    let shows = shown(&out.path().join("offline.ipynb"));
    assert!(shows[1].contains("\"3.5\""), "{shows:?}");
}

#[test]
fn the_first_lesson_passes_with_every_check_green_and_its_source_untouched() {
    let _lock = kernel_lock();
    let lesson = root().join("notebooks/01-loss.ipynb");
    let before = std::fs::read(&lesson).unwrap();
    let run = course_run(&[&lesson], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let nb = &run.report["notebooks"][0];
    assert_eq!(nb["error"], Value::Null);
    let cells = nb["cells"].as_array().unwrap();
    assert!(cells.iter().all(|c| c["status"] == "ok"), "{nb:#}");
    let passed: u64 = cells
        .iter()
        .map(|c| c["checks_passed"].as_u64().unwrap())
        .sum();
    assert_eq!(
        passed, 7,
        "the lesson has seven checks, three of them its hidden tests: {nb:#}"
    );
    assert_eq!(
        std::fs::read(&lesson).unwrap(),
        before,
        "the source notebook changed"
    );

    let executed: Value = serde_json::from_str(
        &std::fs::read_to_string(run.out.path().join("01-loss.ipynb")).unwrap(),
    )
    .unwrap();
    let outputs: Vec<&Value> = executed["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.get("outputs"))
        .flat_map(|o| o.as_array().unwrap())
        .collect();
    assert!(
        outputs.iter().any(
            |o| o["data"]["image/svg+xml"].is_string() || o["data"]["image/svg+xml"].is_array()
        ),
        "the executed copy has no chart"
    );
    assert!(outputs
        .iter()
        .any(|o| o["data"]["text/html"].to_string().contains("<table>")));
}

#[test]
fn every_lesson_notebook_passes_with_its_checks_green() {
    let _lock = kernel_lock();
    let lessons: Vec<PathBuf> = std::fs::read_dir(root().join("notebooks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ipynb"))
        .collect();
    assert!(
        lessons.len() >= 11,
        "expected the eleven lessons, found {}",
        lessons.len()
    );
    let failed_builds = FailedBuilds::new();
    let run = course_run_with(&[], &[], &failed_builds.env());
    assert_eq!(run.code, 0, "{}", run.stdout);
    failed_builds.none_but_the_kernels_own();
    let notebooks = run.report["notebooks"].as_array().unwrap();
    assert_eq!(notebooks.len(), lessons.len());
    for nb in notebooks {
        let cells = nb["cells"].as_array().unwrap();
        let passed: u64 = cells
            .iter()
            .map(|c| c["checks_passed"].as_u64().unwrap())
            .sum();
        let failed: u64 = cells
            .iter()
            .map(|c| c["checks_failed"].as_u64().unwrap())
            .sum();
        assert!(
            passed >= 2 && failed == 0,
            "{}: {passed} ✓, {failed} ✗",
            nb["path"]
        );
        assert!(cells.iter().all(|c| c["status"] == "ok"), "{nb:#}");
        // A chart, table or network that ends a cell shows itself, never as its Debug text
        // (evcxr falls back to Debug when the display call does not compile, e.g. when the
        // cell moves one of its own variables into the final expression).
        // Only the outputs count: a lesson's code may well say `-> Mlp {`.
        let executed = nb["executed"].as_str().unwrap();
        let outputs = shown(Path::new(executed)).concat();
        for dump in ["Figure { svg", "History {", "Table {", "Mlp {", "Figures("] {
            assert!(
                !outputs.contains(dump),
                "{executed} shows a `{dump}` Debug dump"
            );
        }
    }
}

/// Records every build of a cell's crate that fails, with the code evcxr compiled, through
/// cargo's `RUSTC_WORKSPACE_WRAPPER` (evcxr names that crate `ctx`, the one workspace member
/// of a kernel's build folder).
///
/// evcxr builds a cell again after a failed build it knows how to mend: a cell that moves one
/// of its own variables (into a function, say) is built once to store that variable and
/// once more without it, and a cell that ends in a value without a rich display once more to
/// print it as `Debug` (hence `ShowPlain`). Each costs a compile. The only failures a course
/// run needs are the kernel's own: evcxr's start-up `42`, built once to try its rich display,
/// and the course prelude's `?` line, which switches evcxr's `?` support on.
struct FailedBuilds {
    dir: tempfile::TempDir,
}

impl FailedBuilds {
    fn new() -> FailedBuilds {
        let dir = tempfile::tempdir().unwrap();
        let wrapper = dir.path().join("wrap");
        let log = dir.path().join("failed");
        std::fs::create_dir(&log).unwrap();
        let script = format!(
            "#!/bin/sh\n\
             case \" $* \" in *\" --crate-name ctx \"*) ;; *) exec \"$@\" ;; esac\n\
             \"$@\" && exit 0\n\
             rc=$?\n\
             cp src/lib.rs {:?}/\"$(date +%s%N)-$$.rs\"\n\
             exit $rc\n",
            log.display().to_string()
        );
        std::fs::write(&wrapper, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        FailedBuilds { dir }
    }

    fn env(&self) -> Vec<(&'static str, PathBuf)> {
        vec![("RUSTC_WORKSPACE_WRAPPER", self.dir.path().join("wrap"))]
    }

    /// Asserts that every failed build was the kernel's own (see the type's notes), naming
    /// the code of any other.
    fn none_but_the_kernels_own(&self) {
        let mut seen = 0;
        let mut others = Vec::new();
        for entry in std::fs::read_dir(self.dir.path().join("failed")).unwrap() {
            let code = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            seen += 1;
            let prelude = code.contains("Ok::<(), std::fmt::Error>(())?");
            let start = code.contains("(\n42\n).evcxr_display()");
            if !(prelude || start) {
                let from = code.find("fn run_user_code").unwrap_or(0);
                others.push(code[from..].to_string());
            }
        }
        // The prelude's `?` fails at every kernel start and clearing: the wrapper was used.
        assert!(seen >= 2, "no failed build recorded: was the wrapper used?");
        assert!(
            others.is_empty(),
            "{} lesson cell(s) built twice; the code of each first build:\n{}",
            others.len(),
            others.join("\n----\n")
        );
    }
}

/// The text a notebook's code cells show (streams, plain text and pictures), cell by cell.
fn shown(executed: &Path) -> Vec<String> {
    let nb: Value = serde_json::from_str(&std::fs::read_to_string(executed).unwrap()).unwrap();
    nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cell_type"] == "code")
        .map(|c| c["outputs"].to_string())
        .collect()
}

#[test]
fn a_lesson_on_a_kernel_warm_from_other_lessons_shows_what_it_shows_on_a_fresh_one() {
    let _lock = kernel_lock();
    let lesson = |n: &str| root().join("notebooks").join(n);
    let (first, after) = (lesson("01-loss.ipynb"), lesson("03-single-unit.ipynb"));
    let warm = course_run(&[&after, &first, &after], &[]);
    assert_eq!(warm.code, 0, "{}", warm.stdout);
    let fresh = course_run(&[&first, &after], &["--fresh"]);
    assert_eq!(fresh.code, 0, "{}", fresh.stdout);
    let reused: Vec<&Value> = warm.report["notebooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|nb| &nb["reused"])
        .collect();
    assert_eq!(
        reused,
        [&Value::Bool(false), &Value::Bool(true), &Value::Bool(true)]
    );
    let fresh_reused = fresh.report["notebooks"][1]["reused"].clone();
    assert_eq!(fresh_reused, Value::Bool(false));
    // Lesson 1 after lesson 3, and lesson 3 after lessons 3 and 1, show exactly what each
    // shows alone on a fresh kernel.
    let copy = |run: &Run, i: usize| {
        PathBuf::from(run.report["notebooks"][i]["executed"].as_str().unwrap())
    };
    assert_eq!(shown(&copy(&warm, 1)), shown(&copy(&fresh, 0)));
    assert_eq!(shown(&copy(&warm, 2)), shown(&copy(&fresh, 1)));
}

#[test]
fn a_notebook_of_another_kind_gets_a_kernel_started_while_the_fresh_one_before_it_ran() {
    let _lock = kernel_lock();
    // Notebooks in different folders are of different kinds: neither can take the other's
    // kernel, so the second one's kernel starts once the first one's fresh kernel is warm.
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = notebook_of(one.path(), "first.ipynb", &["let a = 1;", "a + 1"]);
    let second = notebook_of(
        two.path(),
        "second.ipynb",
        &[
            "let b = 2;",
            "format!(\"{} {}\", std::fs::read_to_string(\"marker\").unwrap(), b * 3)",
        ],
    );
    // Read from the working folder: the code runs in the second notebook's folder.
    std::fs::write(two.path().join("marker"), "second-folder").unwrap();
    let run = course_run(&[&first, &second], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let notebooks = run.report["notebooks"].as_array().unwrap();
    assert_eq!(notebooks[0]["reused"], Value::Bool(false));
    assert_eq!(
        notebooks[1]["reused"],
        Value::Bool(true),
        "{:#}",
        run.report
    );
    let executed = PathBuf::from(notebooks[1]["executed"].as_str().unwrap());
    let outputs = shown(&executed);
    assert!(outputs[1].contains("second-folder 6"), "{outputs:?}");
    let fresh = course_run(&[&second], &["--fresh"]);
    assert_eq!(fresh.code, 0, "{}", fresh.stdout);
    let alone = PathBuf::from(fresh.report["notebooks"][0]["executed"].as_str().unwrap());
    assert_eq!(outputs, shown(&alone));
}

#[test]
fn a_notebook_using_its_crate_before_its_dep_line_fails_there_on_a_warm_kernel_as_on_a_fresh_one() {
    let _lock = kernel_lock();
    let dir = tempfile::tempdir().unwrap();
    let first = notebook(dir.path(), "first.ipynb", &["let first = 1;"]);
    // The same `:dep` line, so the same kind: this notebook gets the first one's kernel. Its
    // opening cell names the crate before loading it, which must fail on a warm kernel too.
    let early = notebook_of(
        dir.path(),
        "early.ipynb",
        &[
            "let early = backprop::prelude::sigmoid(0.0);",
            &course_dep(),
        ],
    );
    let warm = course_run(&[&first, &early], &["--keep-going"]);
    let fresh = course_run(&[&early], &["--keep-going", "--fresh"]);
    assert_eq!(warm.code, 1, "{}", warm.stdout);
    assert_eq!(fresh.code, 1, "{}", fresh.stdout);
    assert_eq!(warm.report["notebooks"][1]["reused"], Value::Bool(true));
    let opening = &warm.report["notebooks"][1]["cells"][0];
    assert_eq!(opening["status"], "error", "{opening:#}");
    assert!(
        opening["message"].as_str().unwrap().contains("backprop"),
        "{opening:#}"
    );
    let copy = |run: &Run, i: usize| {
        PathBuf::from(run.report["notebooks"][i]["executed"].as_str().unwrap())
    };
    assert_eq!(shown(&copy(&warm, 1)), shown(&copy(&fresh, 0)));
}

/// The live processes in process group `group`, from `/proc`.
fn group_members(group: u32) -> Vec<u32> {
    let mut members = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // After the command's name in parentheses: state, parent, process group.
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 1..]
            .split_whitespace()
            .collect();
        // A zombie has ended; only who reaps it is left (in a container, maybe nobody).
        if fields[0] != "Z" && fields.get(2).and_then(|g| g.parse().ok()) == Some(group) {
            members.push(pid);
        }
    }
    members
}

/// The children of process `parent`, from `/proc`.
fn children(parent: u32) -> Vec<u32> {
    let path = format!("/proc/{parent}/task/{parent}/children");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[test]
fn a_course_run_ended_by_sigterm_leaves_no_process_of_its_kernel_behind() {
    let _lock = kernel_lock();
    let dir = tempfile::tempdir().unwrap();
    let started = dir.path().join("started");
    let sleeper = format!(
        "std::fs::write({:?}, \"\").unwrap();\nstd::thread::sleep(std::time::Duration::from_secs(3600));",
        started.display().to_string()
    );
    let nb = notebook(dir.path(), "sleeper.ipynb", &[&sleeper]);
    let mut course = Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root())
        .args(["run", "--timeout", "7200", "--out"])
        .arg(dir.path().join("out"))
        .arg(&nb)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the cell sleeps in the kernel's code runner.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    while !started.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the cell never started"
        );
        assert!(
            course.try_wait().unwrap().is_none(),
            "course run ended first"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let kernel = children(course.id())
        .into_iter()
        .find(|pid| !group_members(*pid).is_empty())
        .expect("the kernel is a child of course run, in a group of its own");
    let before = group_members(kernel);
    assert!(
        before.len() >= 2,
        "the kernel and its code runner: {before:?}"
    );
    let pid = rustix::process::Pid::from_raw(course.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
    let status = course.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{status:?}");
    // Killed processes may take a moment to be reaped by init.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !group_members(kernel).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "still running after course run ended: {:?} of {before:?}",
            group_members(kernel)
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn a_failing_check_fails_the_run_and_names_the_cell_and_the_values() {
    let _lock = kernel_lock();
    let dir = tempfile::tempdir().unwrap();
    let nb = notebook(
        dir.path(),
        "wrong-mse.ipynb",
        &[
            "let y = array![1.0, 2.0];\nlet y_hat = array![0.0, 2.0];",
            "let my_mse = (&y - &y_hat).mapv(|e| e * e).sum();\ncheck(\"MSE\", &my_mse, &0.5, \"divide by the number of records\");",
            "println!(\"not reached\");",
        ],
    );
    let run = course_run(&[&nb], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let failed = cell(&run.report, 3);
    assert_eq!(failed["status"], "panic");
    assert_eq!(failed["checks_failed"], 1);
    let message = failed["message"].as_str().unwrap();
    assert!(message.contains("✗ MSE"), "{message}");
    assert!(
        message.contains("expected: 0.5") && message.contains("actual:   1"),
        "{message}"
    );
    assert!(message.contains("twice the answer"), "{message}");
    assert_eq!(cell(&run.report, 4)["status"], "not_run");
    assert!(run.stdout.contains("wrong-mse.ipynb"), "{}", run.stdout);
    assert!(run.stdout.contains("cell 3 (panic)"), "{}", run.stdout);
}

#[test]
fn a_compile_error_fails_the_run_and_shows_the_compiler_message() {
    let _lock = kernel_lock();
    let dir = tempfile::tempdir().unwrap();
    let nb = notebook(
        dir.path(),
        "typo.ipynb",
        &["let loss: f64 = mse(&array![1.0], &array![2.0]);"],
    );
    let run = course_run(&[&nb], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let failed = cell(&run.report, 2);
    assert_eq!(failed["status"], "error");
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("mismatched types"),
        "{failed:#}"
    );
    assert!(run.stdout.contains("cell 2 (error)"), "{}", run.stdout);
}

#[test]
fn an_endless_loop_is_interrupted_at_the_time_limit_and_later_cells_can_go_on() {
    let _lock = kernel_lock();
    let dir = tempfile::tempdir().unwrap();
    let nb = notebook(
        dir.path(),
        "forever.ipynb",
        &[
            "let mut n = 0u64;\nloop { n = n.wrapping_add(1); }",
            "println!(\"✓ the kernel answers again\");",
        ],
    );
    let run = course_run(&[&nb], &["--timeout", "8", "--keep-going"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let stuck = cell(&run.report, 2);
    assert_eq!(stuck["status"], "timeout");
    let seconds = stuck["seconds"].as_f64().unwrap();
    assert!(
        (8.0..40.0).contains(&seconds),
        "interrupted after {seconds} s"
    );
    assert_eq!(cell(&run.report, 3)["status"], "ok", "{:#}", run.report);
    assert_eq!(cell(&run.report, 3)["checks_passed"], 1);
    assert!(run.stdout.contains("cell 2 (timeout)"), "{}", run.stdout);
}

#[test]
fn a_file_that_is_not_a_notebook_fails_with_its_name_and_the_run_goes_on() {
    let _lock = kernel_lock();
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.ipynb");
    std::fs::write(&broken, "{\"cells\": [").unwrap();
    let fine = notebook(
        dir.path(),
        "fine.ipynb",
        &["check(\"one\", &1.0, &1.0, \"\");"],
    );
    let run = course_run(&[&broken, &fine], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let notebooks = run.report["notebooks"].as_array().unwrap();
    let error = notebooks[0]["error"].as_str().unwrap();
    assert!(
        error.contains("broken.ipynb") && error.contains("invalid JSON"),
        "{error}"
    );
    assert_eq!(notebooks[1]["cells"][1]["status"], "ok");
    assert_eq!(run.report["notebooks_passed"], 1);
}

#[test]
fn a_matrix_as_a_cells_last_value_shows_as_a_table_with_its_shape() {
    let _lock = kernel_lock();
    let dir = tempfile::tempdir().unwrap();
    let nb = notebook(
        dir.path(),
        "show.ipynb",
        &["let w: Array2<f64> = array![[0.5, -0.25], [1.0, 2.0], [3.0, 0.1]];\nw"],
    );
    let run = course_run(&[&nb], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let executed: Value =
        serde_json::from_str(&std::fs::read_to_string(run.out.path().join("show.ipynb")).unwrap())
            .unwrap();
    let outputs = executed["cells"][1]["outputs"].to_string();
    assert!(
        outputs.contains("Array2&lt;f64&gt;, shape [3, 2]") && outputs.contains("<td>-0.25</td>"),
        "{outputs}"
    );
}
