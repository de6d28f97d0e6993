//! `course lab` from a clean checkout: it installs JupyterLab into its own environment and
//! serves the lessons on loopback with the course kernel preselected.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

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

#[test]
fn lab_serves_the_lessons_on_loopback_with_the_course_kernel_preselected() {
    let lab = common::start_lab(&[], &[]);
    let (port, token) = (lab.port, &lab.token);
    assert!(
        lab.said.contains(&format!("http://127.0.0.1:{port}/lab")),
        "course lab prints the address: {}",
        lab.said
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

#[test]
fn a_sigterm_to_course_lab_stops_jupyterlab_and_every_kernel_it_started() {
    stops_jupyterlab_and_every_kernel_it_started(rustix::process::Signal::TERM);
}

#[test]
fn closing_the_terminal_of_course_lab_stops_jupyterlab_and_every_kernel_it_started() {
    // A closed terminal sends SIGHUP, which Jupyter Server leaves to Python (lab/hangup.py).
    stops_jupyterlab_and_every_kernel_it_started(rustix::process::Signal::HUP);
}

/// Starts `course lab`, waits for the pool's first kernel, sends `signal` to the process and
/// checks that it ends and leaves no process behind.
fn stops_jupyterlab_and_every_kernel_it_started(signal: rustix::process::Signal) {
    // The kernels' connection files go to a folder of this test's own, which names them.
    let runtime = tempfile::tempdir().unwrap();
    let mut lab = common::start_lab(&[("JUPYTER_RUNTIME_DIR", runtime.path())], &[]);
    let deadline = Instant::now() + Duration::from_secs(120);
    let kernels = || {
        std::fs::read_dir(runtime.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("kernel-"))
            .count()
    };
    // The pool starts a kernel as the server starts.
    while kernels() == 0 {
        assert!(
            Instant::now() < deadline,
            "the pool started no kernel within 2 minutes: {:#?}",
            lab.log_lines("[backprop pool]")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        lab.stop_with(signal),
        "course lab still runs a minute after {signal:?}"
    );
    common::assert_no_process_left(runtime.path().to_str().unwrap());
}

#[test]
fn a_pooled_kernel_answers_its_opening_at_once_and_numbers_cells_as_a_fresh_one_does() {
    // The pool warms no second kernel, so the next lesson with the same opening gets a
    // fresh one.
    let lab = common::start_lab(&[], &["--PooledKernelManager.refill_delay=86400"]);
    // Both of the pool's kernels (without and with polars) are warm before any cell runs, so
    // nothing of the pool's is still building while the cells below wait for their replies.
    let deadline = Instant::now() + Duration::from_secs(900);
    while lab
        .log_lines("[backprop pool] a warm kernel is ready for `:dep backprop")
        .len()
        < 2
    {
        assert!(
            Instant::now() < deadline,
            "the pool's two kernels were not warm within 15 minutes: {:#?}",
            lab.log_lines("[backprop pool]")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (report, _) = lab_script(
        &lab,
        "cell_numbers.py",
        &[
            "01-loss.ipynb",
            "02-gradient-descent.ipynb",
            "04-admissions.ipynb",
        ],
    );
    let counts = |key: &str| -> Vec<u64> {
        report[key]
            .as_array()
            .unwrap_or_else(|| panic!("no {key} in {report}"))
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        lab.log_lines("[backprop pool] handed warm kernel").len(),
        2,
        "lessons 1 and 4 got the pool's kernels, lesson 2 a fresh one: {:#?}",
        lab.log_lines("[backprop pool]")
    );
    // Lesson 1's opening was answered by the pool, which had run it; lesson 4's, run second,
    // went to its kernel.
    let answered = lab.log_lines("[backprop pool] answered the opening cell on kernel");
    assert_eq!(answered.len(), 1, "{answered:#?}");
    let id = |key: &str| report[key].as_str().unwrap().to_string();
    assert!(answered[0].ends_with(&id("pooled_kernel")), "{answered:#?}");
    let (pooled, fresh, restarted) = (counts("pooled"), counts("fresh"), counts("restarted"));
    assert_eq!(counts("opening_second"), fresh[..2], "{report}");
    assert_eq!(pooled, fresh, "the pool's warm-up cells are not counted");
    assert_eq!(
        report["pooled_shown"], report["fresh_shown"],
        "after the answered opening the prelude is there as on a fresh kernel: {report}"
    );
    assert!(
        report["fresh_shown"].as_str().unwrap().contains('3'),
        "{report}"
    );
    let first = fresh[0];
    assert_eq!(
        restarted,
        (first..first + 6).collect::<Vec<_>>(),
        "a restarted kernel counts from the start, and nothing is taken off its numbers"
    );
}

#[test]
fn a_browser_reconnecting_under_its_session_id_gets_every_reply() {
    let lab = common::start_lab(&[], &[]);
    let rounds = 25;
    let (report, stderr) = lab_script(
        &lab,
        "reconnect.py",
        &["03-single-unit.ipynb", &rounds.to_string()],
    );
    let answered = report["answered"].as_array().unwrap();
    assert_eq!(
        answered.len(),
        rounds,
        "a round went unanswered: {report}\n{stderr}\nthe lab's log ends:\n{}",
        lab.log_tail(80)
    );
    // Two cells a round, the second answered: its number is two on from the last round's.
    let counts: Vec<u64> = answered.iter().map(|n| n.as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[1] == w[0] + 2), "{counts:?}");
}

#[test]
fn the_nudge_of_a_browser_connection_asks_the_shell_only_until_the_kernel_answers() {
    // evcxr 0.22 ends when it cannot deliver a control reply, and a starting kernel has queued
    // every half-second request of a nudge that has since closed its socket (the test below).
    let (report, _) = script("nudge.py", &[], String::new);
    let asked = |case: &str| report[case]["sent"].as_array().unwrap().clone();
    let shell = serde_json::json!(["shell", "kernel_info_request"]);
    // Asked until the kernel answered its third request, then no more; the shell socket closed
    // and IOPub handed back to the connection.
    assert_eq!(asked("slow"), vec![shell.clone(); 3], "{report}");
    assert_eq!(report["slow"]["shell_closed"], true, "{report}");
    assert_eq!(report["slow"]["iopub_listening"], false, "{report}");
    // A kernel that went away is not asked again; a busy one is not asked at all.
    assert_eq!(asked("gone"), vec![shell; 2], "{report}");
    assert_eq!(asked("busy"), Vec::<serde_json::Value>::new(), "{report}");
}

#[test]
fn a_starting_kernel_dies_when_a_control_client_leaves_two_requests_unanswered() {
    // What the nudge above avoids: evcxr 0.22's control loop ends on a reply it cannot deliver.
    // Should this fail because the kernel lives, evcxr has mended it and the nudge may ask the
    // control channel again.
    common::setup();
    let leave = |requests: &str| script("control_leaver.py", &[requests], String::new);
    let (one, stderr) = leave("1");
    assert_eq!(one["alive"], true, "{one}\n{stderr}");
    assert_eq!(one["answered"], true, "{one}\n{stderr}");
    let (two, stderr) = leave("2");
    assert_eq!(two["alive"], false, "{two}");
    assert!(stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn a_starting_kernel_behind_the_proxy_lives_when_a_control_client_leaves_requests_unanswered() {
    // Its replies go to the proxy (lab/kernel_proxy.py), which drops those for a client gone.
    common::setup();
    let (report, stderr) = script("control_leaver.py", &["10", "proxied"], String::new);
    assert_eq!(report["alive"], true, "{report}\n{stderr}");
    assert_eq!(report["answered"], true, "{report}\n{stderr}");
}

#[test]
fn a_kernel_behind_the_proxy_answers_while_ten_thousand_shell_clients_come_and_go() {
    // On its own, an evcxr 0.22 kernel stopped answering after 496 to 2,405 such departures in
    // four runs (BENCHMARKS.md, "A kernel that stops answering when a peer leaves").
    common::setup();
    let (report, stderr) = script("peer_churn.py", &["proxied", "10000"], String::new);
    assert_eq!(report["answered"], true, "{report}\n{stderr}");
    assert!(report["departures"].as_u64().unwrap() >= 10_000, "{report}");
    assert_eq!(report["cell"], "42", "{report}\n{stderr}");
}

#[test]
fn a_cell_behind_the_proxy_that_asks_for_input_gets_the_answer_typed_under_it() {
    // The kernel sends its `input_request` to the identity of the shell request it answers;
    // the proxy's shell and stdin sockets share one, so the request finds the client's stdin.
    common::setup();
    let (report, stderr) = script("stdin_prompt.py", &["proxied"], String::new);
    assert_eq!(report["prompt"], "Who is learning? ", "{report}\n{stderr}");
    assert_eq!(report["stdout"], "hello, Ada\n", "{report}\n{stderr}");
    assert_eq!(report["status"], "ok", "{report}\n{stderr}");
}

/// Runs `course/tests/lab/<script>` with the lab's Python against `lab`: its JSON report and
/// what it said on stderr.
fn lab_script(lab: &common::Lab, name: &str, args: &[&str]) -> (serde_json::Value, String) {
    let base = format!("http://127.0.0.1:{}", lab.port);
    let args: Vec<&str> = [base.as_str(), lab.token.as_str()]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    script(name, &args, || {
        format!("\nthe lab's log ends:\n{}", lab.log_tail(60))
    })
}

/// Runs `course/tests/lab/<name>` with the lab's Python and `args`: its JSON report and what
/// it said on stderr. A failure names the script, its stderr and then `more()`.
fn script(name: &str, args: &[&str], more: impl Fn() -> String) -> (serde_json::Value, String) {
    let python = common::lab_python();
    let out = std::process::Command::new(&python)
        .arg(common::root().join("course/tests/lab").join(name))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{name} failed:\n{stderr}{}", more());
    (serde_json::from_slice(&out.stdout).unwrap(), stderr)
}
