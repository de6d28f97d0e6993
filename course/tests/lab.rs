//! `course lab` from a clean checkout: it installs JupyterLab into its own environment and
//! serves the lessons on loopback with the course kernel preselected.

mod common;

use common::root;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the whole process group of `course lab` (it and JupyterLab) when dropped.
struct Group(std::process::Child);

impl Drop for Group {
    fn drop(&mut self) {
        if let Some(pid) = rustix::process::Pid::from_raw(self.0.id() as i32) {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
        let _ = self.0.wait();
    }
}

fn get(port: u16, path: &str) -> String {
    // The address is printed as the server starts; give it a moment to accept.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => break stream,
            Err(e) if Instant::now() > deadline => panic!("cannot reach JupyterLab: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn lab_serves_the_lessons_on_loopback_with_the_course_kernel_preselected() {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_course"))
        .arg("--root")
        .arg(root())
        .args(["lab", "--no-browser", "--port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("course starts");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let _group = Group(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Set-up (pip installing JupyterLab the first time) and start-up: allow a few minutes.
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut seen = Vec::new();
    let token = loop {
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
    let said = seen.join("\n");
    assert!(
        said.contains(&format!("http://127.0.0.1:{port}/lab")),
        "course lab prints the address: {said}"
    );

    let specs = get(port, &format!("/api/kernelspecs?token={token}"));
    let body = specs.split("\r\n\r\n").nth(1).unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(body).expect(&specs);
    assert_eq!(json["default"], "backprop", "{json:#}");
    assert!(json["kernelspecs"]["backprop"].is_object(), "{json:#}");

    let contents = get(port, &format!("/api/contents?token={token}"));
    assert!(contents.contains("\"01-loss.ipynb\""), "{contents}");
    assert!(contents.contains("\"04-admissions.ipynb\""), "{contents}");
}
