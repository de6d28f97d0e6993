//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs the `course` binary on this checkout: its exit code, stdout and stderr.
pub fn course(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root())
        .args(args)
        .output()
        .expect("course starts");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Makes sure bubblewrap (the grader's sandbox) is installed: as root with apt it installs
/// Debian's package; otherwise it fails saying what to install. A test binary's tests call it
/// at once, so one installs while the others wait (and apt waits for dpkg's lock).
pub fn ensure_bubblewrap() {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let works = || {
        Command::new("bwrap")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works() {
        return;
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if root {
        let install = || {
            Command::new("apt-get")
                .args(["-o", "DPkg::Lock::Timeout=300", "install", "-y", "-q"])
                .arg("bubblewrap")
                .status()
                .is_ok_and(|s| s.success())
        };
        if !install() {
            let _ = Command::new("apt-get")
                .args(["-o", "DPkg::Lock::Timeout=300", "update", "-q"])
                .status();
            install();
        }
    }
    assert!(
        works(),
        "the grader's sandbox needs bubblewrap: install it (Debian: apt-get install bubblewrap)"
    );
}

/// Runs `course setup` (installs evcxr_jupyter and the kernels if missing), and makes sure
/// bubblewrap is there for the grader's sandbox.
pub fn setup() {
    ensure_bubblewrap();
    let status = Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root())
        .arg("setup")
        .status()
        .expect("course setup starts");
    assert!(status.success(), "course setup failed");
}

/// The `bin` folder of target/<name>, a Python virtual environment with `package` installed
/// by pip; panics with the reason when Python, venv or pip is missing.
pub fn python_env(name: &str, package: &str, module: &str) -> PathBuf {
    let venv = root().join("target").join(name);
    let bin = venv.join("bin");
    let ready = Command::new(bin.join("python"))
        .args(["-c", &format!("import {module}")])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status();
        assert!(
            made.is_ok_and(|s| s.success()),
            "this test needs python3 with the venv module (Debian: apt-get install python3-venv)"
        );
        let pip = Command::new(bin.join("python"))
            .args(["-m", "pip", "install", "--quiet", package])
            .status()
            .expect("pip runs");
        assert!(
            pip.success(),
            "pip could not install {package} into {}",
            venv.display()
        );
    }
    bin
}

/// A `course lab` running for a test: stopped when dropped, as [`Lab::terminate`] stops it
/// (JupyterLab then shuts down its kernels, which run in sessions of their own), its process
/// group killed after.
pub struct Lab {
    child: std::process::Child,
    /// The port it listens on.
    pub port: u16,
    /// The token in the address it printed.
    pub token: String,
    /// What it said before the address.
    pub said: String,
    /// Everything it said on stderr so far (JupyterLab's log), collected as it goes.
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Lab {
    /// Sends SIGTERM to the process `course lab` started as (not its group, as a service
    /// manager or `kill` would) and waits up to a minute for it to end; whether it ended.
    pub fn terminate(&mut self) -> bool {
        self.stop_with(rustix::process::Signal::TERM)
    }

    /// Sends `signal` to the process `course lab` started as and waits up to a minute for it
    /// to end; whether it ended.
    pub fn stop_with(&mut self, signal: rustix::process::Signal) -> bool {
        use std::time::{Duration, Instant};
        if let Some(pid) = rustix::process::Pid::from_raw(self.child.id() as i32) {
            let _ = rustix::process::kill_process(pid, signal);
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        false
    }

    /// The lines of its log that contain `text`.
    pub fn log_lines(&self, text: &str) -> Vec<String> {
        let log = self.log.lock().unwrap();
        log.iter().filter(|l| l.contains(text)).cloned().collect()
    }

    /// The last `n` lines of its log, for a failure message.
    pub fn log_tail(&self, n: usize) -> String {
        let log = self.log.lock().unwrap();
        log[log.len().saturating_sub(n)..].join("\n")
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.terminate();
        if let Some(pid) = rustix::process::Pid::from_raw(self.child.id() as i32) {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
        let _ = self.child.wait();
    }
}

/// A free port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The lab's Python (`target/lab-py`, made if missing), ready once per test binary: tests
/// that start at once then do not make the environment side by side.
pub fn lab_python() -> PathBuf {
    static READY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    READY
        .get_or_init(|| {
            let project = course::project::Project::locate(Some(&root())).unwrap();
            let env = course::python::PythonEnv::lab(&project);
            env.ensure().unwrap_or_else(|e| panic!("{e}"));
            env.python()
        })
        .clone()
}

/// Starts `course lab --no-browser` on a free port, with `envs` added to its environment and
/// `jupyter_args` after `--`, and waits (up to 10 minutes: the first time it installs
/// JupyterLab) for the address with its token.
pub fn start_lab(envs: &[(&str, &std::path::Path)], jupyter_args: &[&str]) -> Lab {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    lab_python();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root())
        .args(["lab", "--no-browser", "--port", &port.to_string(), "--"])
        .args(jupyter_args)
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("course starts");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut lab = Lab {
        child,
        port,
        token: String::new(),
        said: String::new(),
        log: log.clone(),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            log.lock().unwrap().push(line.clone());
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut seen = Vec::new();
    lab.token = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no token within 10 minutes:\n{}", seen.join("\n")));
        if let Some(at) = line.find("/lab?token=") {
            assert!(
                line.contains(&format!("http://127.0.0.1:{port}/lab?token=")),
                "JupyterLab must listen on loopback: {line}"
            );
            break line[at + "/lab?token=".len()..].trim().to_string();
        }
        seen.push(line);
    };
    lab.said = seen.join("\n");
    lab
}

/// Asserts that no process on this machine has `mark` in its command line, a second after
/// what started them ended.
pub fn assert_no_process_left(mark: &str) {
    std::thread::sleep(std::time::Duration::from_secs(1));
    let left = Command::new("pgrep").args(["-f", mark]).output().unwrap();
    let left = String::from_utf8_lossy(&left.stdout);
    assert!(
        left.trim().is_empty(),
        "processes outlived their kernel: {left}"
    );
}
