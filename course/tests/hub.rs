//! A class on one JupyterHub: the course installed for every user by `deploy/hub/install`
//! (the script a server or a container image runs), a real JupyterHub from PyPI with its proxy
//! from the npm registry on loopback, three learners (local accounts, started by the Hub's
//! local-process spawner as themselves), each running lesson 1 on the course kernel through
//! the Hub's REST API and the kernel's websocket, as JupyterLab does.
//!
//! Needs root (the Hub starts each learner's server under the learner's own account) and,
//! the first time on a machine, the network for PyPI, npm and crates.io.

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LEARNERS: [&str; 3] = ["bp-learner-1", "bp-learner-2", "bp-learner-3"];
/// What every learner runs at once, and the checks it prints (each ✓ when its code runs).
const LESSON: (&str, u64) = ("notebooks/01-loss.ipynb", 7);
/// What the first learner runs next, alone: a lesson on polars, which the seed holds compiled.
const THEN_LESSON: (&str, u64) = ("notebooks/04-admissions.ipynb", 10);

/// Where the test installs the course: outside the checkout (a prefix inside a cargo project
/// is refused), one for the machine. The first run installs from nothing; a later one, from
/// this checkout or another, installs over it as an administrator updating the course does,
/// keeping what did not change (Jupyter, the proxy, the compiled dependencies in the seed).
fn prefix() -> PathBuf {
    PathBuf::from("/tmp/backprop-course-hub")
}

/// This test's turn at the machine's one prefix, held until dropped.
fn turn(prefix: &Path) -> std::fs::File {
    let lock = std::fs::File::create(prefix.with_extension("lock")).unwrap();
    lock.lock().unwrap();
    lock
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

fn ensure_learner(name: &str) -> u32 {
    let exists = |name: &str| Command::new("id").arg("-u").arg(name).output().unwrap();
    let mut out = exists(name);
    if !out.status.success() {
        let status = Command::new("useradd")
            .args(["--create-home", "--shell", "/bin/bash", name])
            .status()
            .expect("useradd runs");
        assert!(status.success(), "useradd {name} failed");
        out = exists(name);
    }
    // Each run starts the learner from nothing: no copy of the lessons, no build folder.
    let home = PathBuf::from(format!("/home/{name}"));
    let _ = std::fs::remove_dir_all(home.join("backprop-course"));
    let uid: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let _ = std::fs::remove_dir_all(format!("/tmp/backprop-course-kernels-{uid}"));
    uid
}

struct Hub {
    child: Child,
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_hub(prefix: &Path, state: &Path, port: u16, token: &str) -> Hub {
    let _ = std::fs::remove_dir_all(state);
    std::fs::create_dir_all(state).unwrap();
    let log = std::fs::File::create(state.join("hub.log")).unwrap();
    let child = Command::new(prefix.join("python/bin/jupyterhub"))
        .arg("-f")
        .arg(common::root().join("deploy/hub/jupyterhub_config.py"))
        .current_dir(state)
        .env("BACKPROP_PREFIX", prefix)
        .env("BACKPROP_HUB_STATE", state)
        .env("BACKPROP_HUB_IP", "127.0.0.1")
        .env("BACKPROP_HUB_PORT", port.to_string())
        .env("BACKPROP_HUB_USERS", LEARNERS.join(","))
        .env("BACKPROP_HUB_AUTH", "dummy")
        .env("BACKPROP_HUB_ADMIN_TOKEN", token)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("jupyterhub starts");
    let hub = Hub { child };
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        // The proxy listens before the Hub has routed itself through it: wait for the API.
        if status_of(port, "/hub/api/") == Some(200) {
            return hub;
        }
        assert!(
            Instant::now() < deadline,
            "JupyterHub did not listen on {port}: {}",
            std::fs::read_to_string(state.join("hub.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The HTTP status of GET `path` on loopback, if anything answers.
fn status_of(port: u16, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

fn processes_of(uid: u32) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        let pid = entry.file_name().to_string_lossy().to_string();
        if pid.chars().all(|c| c.is_ascii_digit()) && meta.uid() == uid {
            let cmd = std::fs::read_to_string(entry.path().join("cmdline")).unwrap_or_default();
            found.push(format!("{pid}: {}", cmd.replace('\0', " ")));
        }
    }
    found
}

/// The compiled libraries (`deps/lib*.rlib`, other than the cells' own `libctx`) under
/// `dir` that are files of their own rather than links to the seed's.
fn rebuilt_libraries(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().to_string();
        if kind.is_dir() {
            found.extend(rebuilt_libraries(&path));
        } else if kind.is_file()
            && dir.ends_with("deps")
            && name.starts_with("lib")
            && name.ends_with(".rlib")
            && !name.starts_with("libctx")
        {
            found.push(path);
        }
    }
    found
}

fn du(path: &Path) -> String {
    let out = Command::new("du").arg("-sh").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_string()
}

#[test]
fn three_learners_on_one_jupyterhub_each_get_every_check_in_files_of_their_own() {
    assert!(
        is_root(),
        "this test runs JupyterHub as root, which starts each learner's server under their \
         own account: run it as root (CI does)"
    );
    common::setup();
    let prefix = prefix();
    let _turn = turn(&prefix);
    let started = Instant::now();
    let install = Command::new(common::root().join("deploy/hub/install"))
        .arg("--prefix")
        .arg(&prefix)
        .arg("--hub")
        .env("COURSE", env!("CARGO_BIN_EXE_course"))
        .status()
        .expect("deploy/hub/install runs");
    assert!(install.success(), "deploy/hub/install failed");
    eprintln!(
        "install: {:.0} s; seed {} (shared by every learner)",
        started.elapsed().as_secs_f64(),
        du(&prefix.join("seed"))
    );

    let std = standard_library_offline(&prefix.join("cargo"));
    assert!(
        std.status.success(),
        "the learners' offline rust-analyzer finds every crate of the standard library's \
         workspace in the shared cargo home: {}",
        String::from_utf8_lossy(&std.stderr)
    );

    let uids: Vec<u32> = LEARNERS.iter().map(|l| ensure_learner(l)).collect();
    let state = common::root().join("target").join("hub-state");
    let port = common::free_port();
    let token = uuid_token();
    let hub = start_hub(&prefix, &state, port, &token);

    let out = Command::new(prefix.join("python/bin/python"))
        .arg(common::root().join("course/tests/hub/drive.py"))
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(&token)
        .arg(LESSON.0)
        .arg(THEN_LESSON.0)
        .args(LEARNERS)
        .output()
        .expect("the driver runs");
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    let log = || std::fs::read_to_string(state.join("hub.log")).unwrap_or_default();
    assert!(
        out.status.success(),
        "driving the Hub failed: {}\n--- hub log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        log()
    );
    let reports: Vec<serde_json::Value> = serde_json::from_str(&said).expect(&said);
    assert_eq!(reports.len(), LEARNERS.len() + 1, "{said}");
    let runs = LEARNERS
        .iter()
        .zip(&uids)
        .map(|(learner, uid)| (learner, uid, LESSON))
        .chain([(&LEARNERS[0], &uids[0], THEN_LESSON)]);
    for (report, (learner, uid, (lesson, checks))) in reports.iter().zip(runs) {
        assert_eq!(report["user"], *learner);
        assert_eq!(report["lesson"], lesson);
        assert_eq!(
            report["failures"],
            serde_json::json!([]),
            "{learner}: every cell of {lesson} runs: {report:#}\n--- hub log:\n{}",
            log()
        );
        assert_eq!(report["checks"], checks, "{learner}: {report:#}");
        assert_eq!(report["crosses"], 0, "{learner}: {report:#}");
        let other = report["other_learners_lesson"].as_str().unwrap_or_default();
        assert!(
            other.starts_with("DENIED PermissionDenied"),
            "{learner} must not read another learner's lesson: {other}"
        );
        // The learner's copy of the lessons and their build folder are theirs alone.
        let home = PathBuf::from(format!("/home/{learner}/backprop-course"));
        let meta = std::fs::metadata(&home).unwrap();
        assert_eq!(meta.uid(), *uid, "{}", home.display());
        assert_eq!(meta.mode() & 0o077, 0, "{} is private", home.display());
        assert_eq!(std::fs::metadata(home.join(lesson)).unwrap().uid(), *uid);
        let slots = PathBuf::from(format!("/tmp/backprop-course-kernels-{uid}"));
        assert_eq!(std::fs::metadata(&slots).unwrap().uid(), *uid);
        assert!(
            report["memory"]["rss_mib"].as_u64().unwrap_or(0) > 0,
            "{report:#}"
        );
        // Nothing the seed holds compiled was compiled again: every library but the cells'
        // own is still a link to the seed's file.
        let rebuilt = rebuilt_libraries(&slots);
        assert!(
            rebuilt.is_empty(),
            "{learner}'s kernel compiled again what the seed holds: {rebuilt:#?}"
        );
        eprintln!(
            "{learner}, {lesson}: server {} s, first result {} s after opening the lesson, \
             lesson {} s, {} processes, RSS {} MiB, PSS {} MiB, own build folder {}",
            report["server_start_s"],
            report["first_result_s"],
            report["lesson_s"],
            report["memory"]["processes"],
            report["memory"]["rss_mib"],
            report["memory"]["pss_mib"],
            du(&slots)
        );
    }
    drop(hub);
    // The Hub stops every learner's server when it stops, and their kernels end with them.
    std::thread::sleep(Duration::from_secs(2));
    for uid in uids {
        let left = processes_of(uid);
        assert!(left.is_empty(), "processes outlived the Hub: {left:#?}");
    }
}

/// What rust-analyzer runs, offline in a learner's kernel, to learn the standard library:
/// `cargo metadata` on rust-src's workspace for the host, with `cargo_home`.
fn standard_library_offline(cargo_home: &Path) -> std::process::Output {
    let rustc = |arg: &str| {
        let out = Command::new("rustc").arg(arg).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let library =
        Path::new(rustc("--print=sysroot").trim()).join("lib/rustlib/src/rust/library/Cargo.toml");
    let version = rustc("-vV");
    let host = version
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap();
    let outside = tempfile::tempdir().unwrap();
    Command::new("cargo")
        .args(["metadata", "--offline", "--locked", "--format-version=1"])
        .args(["--filter-platform", host, "--manifest-path"])
        .arg(&library)
        .current_dir(outside.path())
        .env("CARGO_HOME", cargo_home)
        .env("__CARGO_TEST_CHANNEL_OVERRIDE_DO_NOT_USE_THIS", "nightly")
        .output()
        .unwrap()
}

fn uuid_token() -> String {
    let bytes = std::fs::read("/proc/sys/kernel/random/uuid").unwrap();
    String::from_utf8_lossy(&bytes).trim().replace('-', "")
}
