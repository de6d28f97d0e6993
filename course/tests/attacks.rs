//! The attack corpus: lesson 1 as a student who wants points without the work would hand it
//! in. Every attack is graded beside a correct and an untouched submission, in the grader's
//! sandbox, and must score no more than the untouched one (0), leave the course, the class
//! and the machine as they were, start nothing that outlives grading, reach nothing on the
//! network, and not spoil the next submission.

mod common;

use common::{course, root};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The first answer cell, right: the SSE of the records it is given.
const SSE_OK: &str = "fn my_sse(y: &Array1<f64>, y_hat: &Array1<f64>) -> f64 {\n    \
                      (y - y_hat).mapv(|e| e * e).sum()\n}\nmy_sse(&y, &y_hat)";
const SSE_WRONG: &str = "fn my_sse(y: &Array1<f64>, y_hat: &Array1<f64>) -> f64 { 1.0 }";
const COMPARE_OK: &str = "fn mse_of(x: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>) -> f64 {\n    \
                          (targets - &x.dot(w)).mapv(|e| e * e).sum() / targets.len() as f64\n}\n\
                          fn better(x: &Array2<f64>, targets: &Array1<f64>, w_a: &Array1<f64>, w_b: &Array1<f64>) -> &'static str {\n    \
                          if mse_of(x, targets, w_a) < mse_of(x, targets, w_b) { \"w_a\" } else { \"w_b\" }\n}";
const COMPARE_WRONG: &str = "fn mse_of(x: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>) -> f64 { 0.0 }\n\
     fn better(x: &Array2<f64>, targets: &Array1<f64>, w_a: &Array1<f64>, w_b: &Array1<f64>) -> &'static str { \"w_b\" }";

/// A first answer cell that is right only when `leaked` (Rust code giving a `bool`) is true:
/// an attack that earns its point only if what it tries works.
fn sse_if(leaked: &str) -> String {
    format!(
        "fn my_sse(y: &Array1<f64>, y_hat: &Array1<f64>) -> f64 {{\n    \
         let leaked: bool = {{ {leaked} }};\n    \
         if leaked {{ (y - y_hat).mapv(|e| e * e).sum() }} else {{ 1.0 }}\n}}"
    )
}

/// One submission of the corpus: what goes in its two answer cells, an optional cell of its
/// own put before the first check, and the most it may score.
struct Entry {
    name: &'static str,
    sse: String,
    compare: String,
    extra: Option<String>,
    most: f64,
}

fn entry(name: &'static str, sse: &str, compare: &str, most: f64) -> Entry {
    Entry {
        name,
        sse: sse.to_string(),
        compare: compare.to_string(),
        extra: None,
        most,
    }
}

/// An attack in the first answer cell, the rest answered wrongly: worth nothing.
fn attack(name: &'static str, code: &str) -> Entry {
    entry(name, &format!("{code}\n{SSE_WRONG}"), COMPARE_WRONG, 0.0)
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Lesson 1 with its answer cells replaced, and `extra` as a new cell before the first check.
fn submission(lesson: &Value, e: &Entry) -> Value {
    let mut nb = lesson.clone();
    let cells = nb["cells"].as_array_mut().unwrap();
    for cell in cells.iter_mut() {
        match cell["metadata"]["nbgrader"]["grade_id"].as_str() {
            Some("loss-sse") => cell["source"] = Value::String(e.sse.clone()),
            Some("loss-compare") => cell["source"] = Value::String(e.compare.clone()),
            _ => {}
        }
    }
    if let Some(extra) = &e.extra {
        let at = cells
            .iter()
            .position(|c| c["metadata"]["nbgrader"]["grade_id"] == "loss-sse-check")
            .unwrap();
        let cell = serde_json::json!({"cell_type": "code", "id": "added-by-student",
            "metadata": {}, "execution_count": null, "outputs": [], "source": extra});
        cells.insert(at, cell);
    }
    nb
}

/// `course grade SUBMISSIONS --out OUT` with `extra` flags.
fn grade(submissions: &Path, out: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "grade",
        submissions.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    course(&args)
}

/// Every file under the course's own folders, with its bytes.
fn course_tree() -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, found: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if let Ok(bytes) = std::fs::read(&path) {
                found.insert(path, bytes);
            }
        }
    }
    let mut found = BTreeMap::new();
    for dir in ["crate/src", "notebooks", "kernel", "data"] {
        walk(&root().join(dir), &mut found);
    }
    found
}

/// A loopback listener that counts the connections it accepts until dropped.
struct Listener {
    port: u16,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn listener() -> Listener {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for stream in socket.incoming() {
            if stream.is_ok() {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
    });
    Listener { port, accepted }
}

#[test]
fn no_attack_scores_more_than_an_untouched_submission_or_leaves_a_trace() {
    common::ensure_bubblewrap();
    let lesson = read(&root().join("notebooks/01-loss.ipynb"));
    let release = tempfile::tempdir().unwrap();
    let (code, out, err) = course(&["release", "--out", release.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let stub = read(&release.path().join("01-loss.ipynb"));

    let class = tempfile::tempdir().unwrap();
    let grades = tempfile::tempdir().unwrap();
    let net = listener();
    let mark = format!("attack-{}", std::process::id());
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    // The learners' build slots: inside the sandbox, where its build folder is.
    let slots = course::exec::cache::slots_dir();
    let fill = |code: &str| {
        code.replace("{ROOT}", &root().display().to_string())
            .replace("{CLASS}", &class.path().display().to_string())
            .replace("{OUT}", &grades.path().display().to_string())
            .replace("{HOME}", &home)
            .replace("{PORT}", &net.port.to_string())
            .replace("{MARK}", &mark)
            .replace("{SLOTS}", &slots.display().to_string())
    };
    let corpus: Vec<Entry> = vec![
        entry("correct", SSE_OK, COMPARE_OK, 3.0),
        entry(
            "flood",
            &format!("for i in 0..200_000 {{ eprintln!(\"line {{i}}\"); }}\n{SSE_OK}"),
            COMPARE_OK,
            3.0,
        ),
        // The shown answers typed in: right on the lesson's records, wrong on the hidden
        // tests' unseen ones.
        entry(
            "typed-in",
            "fn my_sse(y: &Array1<f64>, y_hat: &Array1<f64>) -> f64 { 4.75 }",
            "fn mse_of(x: &Array2<f64>, targets: &Array1<f64>, w: &Array1<f64>) -> f64 {\n    \
             if w[0] == 1.0 { 0.025 } else { 0.2375 }\n}\n\
             fn better(x: &Array2<f64>, targets: &Array1<f64>, w_a: &Array1<f64>, w_b: &Array1<f64>) -> &'static str { \"w_a\" }",
            0.0,
        ),
        // Disarming the checks.
        attack("shadow-fn", "fn check<A, B>(_: &str, _: &A, _: &B, _: &str) {}"),
        attack("shadow-let", "let check = |_: &str, _: &f64, _: &f64, _: &str| ();"),
        attack("shadow-use", "use std::mem::drop as check_that;"),
        attack("shadow-macro", "macro_rules! check { ($($t:tt)*) => {} }"),
        attack("extern-self", "extern crate self as backprop;"),
        attack("silent-hook", "std::panic::set_hook(Box::new(|_| {}));"),
        attack(
            "forged-output",
            "println!(\"✓ SSE = 4.75\\nbackprop-check-finished 00000000000000000000000000000000\\nEVCXR_EXECUTION_COMPLETE\");\n\
             println!(\"EVCXR_BEGIN_CONTENT text/plain\\n✓ MSE of w_a = 0.025\\nEVCXR_END_CONTENT\");",
        ),
        attack(
            "thread",
            "std::thread::spawn(|| loop { println!(\"✓ SSE = 4.75\"); std::thread::sleep(std::time::Duration::from_millis(5)); });",
        ),
        Entry {
            extra: Some("fn check<A, B>(_: &str, _: &A, _: &B, _: &str) {}\nfn check_that(_: &str, _: bool, _: &str) {}".into()),
            ..entry("added-cell", SSE_WRONG, COMPARE_WRONG, 0.0)
        },
        // Reading what it must not see.
        entry(
            "read-runtime",
            &sse_if(&fill("std::path::Path::new(\"{ROOT}/notebooks/01-loss.ipynb\").exists()\n    || std::path::Path::new(\"{CLASS}/correct/01-loss.ipynb\").exists()\n    || std::path::Path::new(\"{OUT}\").exists()")),
            COMPARE_WRONG,
            0.0,
        ),
        attack(
            "read-compile-time",
            &fill("const LESSON: &str = include_str!(\"{ROOT}/notebooks/01-loss.ipynb\");"),
        ),
        attack("shell", &fill("!cat {ROOT}/notebooks/01-loss.ipynb")),
        entry(
            "proc",
            &sse_if("std::fs::read_dir(\"/proc\").map(|d| d.flatten().any(|e| std::fs::read(e.path().join(\"cmdline\")).map(|c| c.split(|b| *b == 0).any(|w| w == b\"grade\")).unwrap_or(false))).unwrap_or(false)"),
            COMPARE_WRONG,
            0.0,
        ),
        // Writing outside its space, and spoiling the build folder for the next one.
        attack(
            "write-outside",
            &fill("for path in [\"{ROOT}/crate/pwned-{MARK}\", \"{ROOT}/notebooks/pwned-{MARK}\", \"{HOME}/pwned-{MARK}\", \"/tmp/pwned-{MARK}\", \"{OUT}/pwned-{MARK}\", \"{CLASS}/pwned-{MARK}\", \"{HOME}/.cache/evcxr/pwned-{MARK}\", \"{SLOTS}/1/pwned-{MARK}\"] { let _ = std::fs::write(path, \"x\"); }"),
        ),
        attack(
            "a-poison",
            &fill("let _ = std::fs::write(\"{SLOTS}/seed/1/Cargo.lock\", \"garbage\");\nlet _ = std::fs::remove_dir_all(\"{SLOTS}/seed/1/target\");\nlet _ = std::fs::write(\"{SLOTS}/seed/1/target\", \"not a folder\");"),
        ),
        // Inside its sandbox, the code's process is confined: it writes only in its working
        // folder, reaches none of its kernel's ports and cannot read the key that signs
        // messages to its kernel (any of these would score it).
        entry(
            "confined",
            &sse_if(&fill("[\"/tmp/confined-{MARK}\", \"{HOME}/confined-{MARK}\", \"{SLOTS}/seed/1/confined-{MARK}\", \"/dev/shm/confined-{MARK}\"].iter().any(|p| std::fs::write(p, \"x\").is_ok())\n    || (50001..=50005).any(|port| std::net::TcpStream::connect((\"127.0.0.1\", port)).is_ok())\n    || std::fs::read_to_string(\"/run/course/connection.json\").is_ok()")),
            COMPARE_WRONG,
            0.0,
        ),
        // Outliving grading, reaching the network, changing the grading.
        attack(
            "outlive",
            &fill("let _ = std::process::Command::new(\"sh\").args([\"-c\", \"setsid sleep 600 {MARK} &\"]).spawn();"),
        ),
        entry(
            "network",
            &sse_if(&fill("std::net::TcpStream::connect(\"127.0.0.1:{PORT}\").is_ok()")),
            COMPARE_WRONG,
            0.0,
        ),
        attack("colon-command", ":dep rand = \"0.8\""),
        attack("unsafe", "let my_sse_bits: u64 = unsafe { std::mem::transmute(4.75f64) };"),
        // Injecting into reports.
        entry(
            "=cmd|calc!A0",
            "panic!(\"<script>alert(1)</script>\");",
            COMPARE_WRONG,
            0.0,
        ),
    ];
    let mut before = BTreeMap::new();
    for e in &corpus {
        let dir = class.path().join(e.name);
        std::fs::create_dir_all(&dir).unwrap();
        let text = if e.name == "stub" {
            stub.to_string()
        } else {
            submission(&lesson, e).to_string()
        };
        std::fs::write(dir.join("01-loss.ipynb"), &text).unwrap();
        before.insert(e.name, text);
    }
    let stub_dir = class.path().join("stub");
    std::fs::create_dir_all(&stub_dir).unwrap();
    std::fs::write(stub_dir.join("01-loss.ipynb"), stub.to_string()).unwrap();
    let tree = course_tree();

    let (code, out, err) = grade(class.path(), grades.path(), &["--jobs", "2"]);
    assert_eq!(code, 0, "grading itself must succeed:\n{out}\n{err}");

    let result = |name: &str| -> Value {
        let key = course::grade::safe(name);
        read(
            &grades
                .path()
                .join("results")
                .join(format!("{key}--01-loss.json")),
        )
    };
    let stub_points = result("stub")["points"].as_f64().unwrap();
    assert_eq!(stub_points, 0.0);
    for e in &corpus {
        let r = result(e.name);
        let points = r["points"].as_f64().unwrap();
        assert!(
            points <= e.most.max(stub_points),
            "{}: scored {points}, at most {} was deserved: {r:#}",
            e.name,
            e.most
        );
        assert_eq!(r["grader_fault"], false, "{}: {r:#}", e.name);
        if e.most > 0.0 {
            assert_eq!(points, e.most, "{}: {r:#}", e.name);
        }
        let on_disk =
            std::fs::read_to_string(class.path().join(e.name).join("01-loss.ipynb")).unwrap();
        assert_eq!(on_disk, before[e.name], "{}'s file changed", e.name);
    }
    // Kept kernels, cleared and checked, graded most of them (each of the two jobs starts
    // one; a kernel that timed out or failed a check is replaced).
    let reused = corpus
        .iter()
        .filter(|e| result(e.name)["kernel_reused"] == true)
        .count();
    assert!(
        reused * 2 >= corpus.len(),
        "{reused} of {} reused",
        corpus.len()
    );
    // What the screen refused is named for review.
    for (name, construct) in [
        ("shadow-fn", "check"),
        ("silent-hook", "set_hook"),
        ("shell", "shell"),
        ("colon-command", ":dep"),
        ("read-compile-time", "include_str"),
        ("outlive", "Command"),
        ("added-cell", "check"),
    ] {
        let review = result(name)["review"].to_string();
        assert!(
            review.contains("refused") && review.contains(construct),
            "{name}: {review}"
        );
    }

    // Nothing changed in the course, nothing was written outside the output folder.
    assert!(course_tree() == tree, "the course's files changed");
    for path in [
        root().join("crate").join(format!("pwned-{mark}")),
        root().join("notebooks").join(format!("pwned-{mark}")),
        Path::new(&home).join(format!("pwned-{mark}")),
        PathBuf::from(format!("/tmp/pwned-{mark}")),
        grades.path().join(format!("pwned-{mark}")),
        class.path().join(format!("pwned-{mark}")),
        Path::new(&home).join(format!(".cache/evcxr/pwned-{mark}")),
        course::jupyter::sandbox::evcxr_cache().join(format!("pwned-{mark}")),
        slots.join("1").join(format!("pwned-{mark}")),
    ] {
        assert!(!path.exists(), "{} was written", path.display());
    }
    // Nothing outlived its kernel; nothing reached the loopback listener.
    common::assert_no_process_left(&mark);
    assert_eq!(net.accepted.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Reports carry a student's text only as text.
    let csv = std::fs::read_to_string(grades.path().join("gradebook.csv")).unwrap();
    assert!(csv.contains("\n'=cmd|calc!A0,01-loss,0,3,"), "{csv}");
    let key = course::grade::safe("=cmd|calc!A0");
    let page = std::fs::read_to_string(
        grades
            .path()
            .join("feedback")
            .join(format!("{key}--01-loss.html")),
    )
    .unwrap();
    assert!(!page.contains("<script>alert"), "{page}");

    // The next submission graded on this machine, after the poisoner, scores in full.
    let again = tempfile::tempdir().unwrap();
    let (code, out, err) = grade(&class.path().join("correct"), again.path(), &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    let r = read(&again.path().join("results").join("correct--01-loss.json"));
    assert_eq!(r["points"].as_f64(), Some(3.0), "{r:#}");
}

/// Every output of every cell of an executed notebook, in order; printed text without the
/// lines of the grader's seal, whose marks are drawn afresh for every run.
fn outputs(executed: &Path) -> Vec<String> {
    let text = |t: &Value| match t {
        Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect::<String>(),
        other => other.as_str().unwrap_or_default().to_string(),
    };
    read(executed)["cells"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["outputs"].as_array().cloned().unwrap_or_default())
        .map(|o| match o["output_type"].as_str() {
            Some("stream") => text(&o["text"])
                .lines()
                .filter(|l| !l.starts_with("backprop-check-finished "))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => o.to_string(),
        })
        .collect()
}

#[test]
fn a_kept_kernel_carries_nothing_from_one_submission_to_the_next() {
    common::ensure_bubblewrap();
    let lesson = read(&root().join("notebooks/01-loss.ipynb"));
    let class = tempfile::tempdir().unwrap();
    let mark = format!("left-{}", std::process::id());
    // Graded in this order, one at a time, on one kernel kept from each to the next.
    let corpus = [
        attack(
            "a-leaves",
            &format!("std::fs::write(\"{mark}\", \"3/3\").unwrap();\nstd::fs::create_dir_all(\"deep/er\").unwrap();"),
        ),
        entry(
            "b-finds",
            &sse_if(&format!(
                "std::path::Path::new(\"{mark}\").exists() || std::fs::read_dir(\".\").map(|d| d.count() > 0).unwrap_or(true)"
            )),
            COMPARE_WRONG,
            0.0,
        ),
        entry("c-correct", SSE_OK, COMPARE_OK, 3.0),
    ];
    for e in &corpus {
        let dir = class.path().join(e.name);
        std::fs::create_dir_all(&dir).unwrap();
        let text = submission(&lesson, e).to_string();
        std::fs::write(dir.join("01-loss.ipynb"), text).unwrap();
    }
    let kept = tempfile::tempdir().unwrap();
    let (code, out, err) = grade(class.path(), kept.path(), &["--jobs", "1"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let result = |dir: &Path, name: &str| {
        read(
            &dir.join("results")
                .join(format!("{}--01-loss.json", course::grade::safe(name))),
        )
    };
    for (e, reused) in corpus.iter().zip([false, true, true]) {
        let r = result(kept.path(), e.name);
        assert_eq!(r["points"].as_f64(), Some(e.most), "{}: {r:#}", e.name);
        assert_eq!(r["kernel_reused"], reused, "{}: {r:#}", e.name);
    }
    // The same correct submission on a fresh kernel shows exactly the same outputs.
    let fresh = tempfile::tempdir().unwrap();
    let (code, out, err) = grade(&class.path().join("c-correct"), fresh.path(), &["--fresh"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(result(fresh.path(), "c-correct")["kernel_reused"], false);
    let executed = |dir: &Path| dir.join("executed").join("c-correct--01-loss.ipynb");
    assert_eq!(
        outputs(&executed(kept.path())),
        outputs(&executed(fresh.path()))
    );
}
