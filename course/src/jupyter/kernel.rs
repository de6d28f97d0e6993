//! A Jupyter client for one kernel: start it, run code, interrupt it, shut it down.
//!
//! Talks the Jupyter protocol over ZeroMQ with `jupyter-zmq-client`; no Python involved.

use super::error::{log_tail, KernelError, KernelResult};
use super::process::{self, MemoryUse};
use super::{relay, sandbox};
use jupyter_protocol::{
    ConnectionInfo, ExecuteRequest, ExecutionState, InterruptRequest, JupyterMessage,
    JupyterMessageContent, KernelInfoRequest, ReplyStatus, ShutdownRequest, Stdio,
};
use jupyter_zmq_client::{self as zmq, RuntimeError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::time::{sleep_until, Instant as TokioInstant};

/// How long a kernel may take to answer its first request, unless told otherwise.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

/// Which kernel to start, and within what limits.
#[derive(Debug, Clone)]
pub struct KernelOptions {
    /// The kernelspec name (`backprop` for the course kernel).
    pub name: String,
    /// How long the kernel may take to answer its first request.
    pub startup_timeout: Duration,
    /// Largest heap the kernel's processes may use, in bytes (`prlimit --data`).
    pub memory_limit: Option<u64>,
    /// A Jupyter data folder searched for the kernelspec before Jupyter's usual ones.
    pub data_dir: Option<PathBuf>,
    /// Seal the kernel off (graders); `None` runs it with the caller's rights.
    pub sandbox: Option<sandbox::Sandbox>,
}

impl KernelOptions {
    /// Kernel `name`, found where Jupyter looks, with the default start-up time and no
    /// memory limit.
    pub fn named(name: &str) -> KernelOptions {
        KernelOptions {
            name: name.to_string(),
            startup_timeout: STARTUP_TIMEOUT,
            memory_limit: None,
            data_dir: None,
            sandbox: None,
        }
    }
}

/// One message the kernel sent in reply to a request, with the output it carries.
#[derive(Debug, Clone)]
pub enum Event {
    /// A message on IOPub (outputs, status).
    IoPub(Box<JupyterMessage>),
    /// A reply on the shell channel.
    Shell(Box<JupyterMessage>),
}

/// What running one piece of code produced.
#[derive(Debug, Clone, Default)]
pub struct Execution {
    /// IOPub messages that answered this request, in arrival order (status messages left out).
    pub outputs: Vec<JupyterMessageContent>,
    /// The execute reply's status; `None` when no reply came.
    pub status: Option<ReplyStatus>,
    /// The execution count the kernel gave the request.
    pub execution_count: Option<usize>,
    /// Wall time from request to the kernel going idle.
    pub seconds: f64,
    /// The time limit ran out; the kernel was interrupted.
    pub timed_out: bool,
    /// The kernel stopped answering or its process ended.
    pub kernel_lost: Option<String>,
    /// Bytes of stream output kept: stdout, stderr.
    pub stream_bytes: [usize; 2],
    /// Bytes of stream output past [`OUTPUT_LIMIT`], not kept.
    pub dropped_bytes: usize,
}

/// The most output one cell keeps of each stream (stdout, stderr), in bytes; the rest is
/// dropped and counted, so a flood costs its own cell only and reports stay small. The
/// streams are counted apart: evcxr forwards stderr that trails a cell with the next one,
/// and a flood there must not crowd out that cell's stdout.
pub const OUTPUT_LIMIT: usize = 1024 * 1024;

impl Execution {
    /// Keeps one output message, unless it is stream text past the cell's limit.
    fn keep(&mut self, content: JupyterMessageContent) {
        match &content {
            JupyterMessageContent::StreamContent(s) => {
                let kept = &mut self.stream_bytes[usize::from(matches!(s.name, Stdio::Stderr))];
                if *kept + s.text.len() > OUTPUT_LIMIT {
                    self.dropped_bytes += s.text.len();
                    return;
                }
                *kept += s.text.len();
            }
            // Rich outputs are few in an honest cell; a flood of them is cut off.
            _ if self.outputs.len() > 10_000 => return,
            _ => {}
        }
        self.outputs.push(content);
    }
}

/// A running kernel and the client's connections to it.
pub struct Kernel {
    child: tokio::process::Child,
    shell: zmq::DealerSendConnection,
    control: zmq::ClientControlConnection,
    events: UnboundedReceiver<Event>,
    log: PathBuf,
    group: Option<u32>,
    /// The evcxr configuration folder its kernelspec names (`EVCXR_CONFIG_DIR`), if any.
    config_dir: Option<PathBuf>,
    _runtime: tempfile::TempDir,
    /// The kernel's sandbox on disk, removed after its processes (declared last: dropped
    /// after the kernel is killed).
    cell: Option<sandbox::Cell>,
}

/// The kernelspec named in `opts`: from `opts.data_dir` if it is there, else where Jupyter looks.
async fn find_spec(opts: &KernelOptions) -> KernelResult<zmq::KernelspecDir> {
    if let Some(dir) = &opts.data_dir {
        let path = dir.join("kernels").join(&opts.name);
        if let Ok(text) = std::fs::read_to_string(path.join("kernel.json")) {
            let kernelspec = serde_json::from_str(&text).map_err(|e| {
                KernelError::start(
                    &opts.name,
                    format!("{} is not a kernelspec ({e})", path.display()),
                )
            })?;
            return Ok(zmq::KernelspecDir {
                kernel_name: opts.name.clone(),
                path,
                kernelspec,
            });
        }
    }
    zmq::find_kernelspec(&opts.name).await.map_err(|e| {
        KernelError::start(
            &opts.name,
            format!("it is not installed ({e}); run `course setup` first"),
        )
    })
}

/// Connects the IOPub, shell and control sockets.
async fn connect(
    info: &ConnectionInfo,
    session: &str,
) -> anyhow::Result<(
    zmq::ClientIoPubConnection,
    zmq::ClientShellConnection,
    zmq::ClientControlConnection,
)> {
    let iopub = zmq::create_client_iopub_connection(info, "", session).await?;
    let identity = zmq::peer_identity_for_session(session)?;
    let shell = zmq::create_client_shell_connection_with_identity(info, session, identity).await?;
    let control = zmq::create_client_control_connection(info, session).await?;
    Ok((iopub, shell, control))
}

/// The connection file of a sealed-off kernel: fixed ports in its own network namespace.
fn sandboxed_info(name: &str) -> ConnectionInfo {
    let [stdin_port, control_port, hb_port, shell_port, iopub_port] = sandbox::PORTS_INSIDE;
    ConnectionInfo {
        transport: jupyter_protocol::connection_info::Transport::TCP,
        ip: "127.0.0.1".into(),
        stdin_port,
        control_port,
        hb_port,
        shell_port,
        iopub_port,
        signature_scheme: "hmac-sha256".into(),
        key: uuid::Uuid::new_v4().to_string(),
        kernel_name: Some(name.to_string()),
    }
}

/// Five free loopback ports and a fresh key: where the kernel will listen.
async fn connection_info(name: &str) -> KernelResult<ConnectionInfo> {
    let ip = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    let (ports, _listeners) = zmq::peek_ports_with_listeners(ip, 5)
        .await
        .map_err(|e| KernelError::start(name, format!("no free ports on loopback ({e})")))?;
    Ok(ConnectionInfo {
        transport: jupyter_protocol::connection_info::Transport::TCP,
        ip: ip.to_string(),
        stdin_port: ports[0],
        control_port: ports[1],
        hb_port: ports[2],
        shell_port: ports[3],
        iopub_port: ports[4],
        signature_scheme: "hmac-sha256".into(),
        key: uuid::Uuid::new_v4().to_string(),
        kernel_name: Some(name.to_string()),
    })
}

/// Forwards every message read from a socket to `tx`; stops when the socket or the receiver is gone.
macro_rules! pump {
    ($conn:expr, $tx:expr, $wrap:expr) => {{
        let mut conn = $conn;
        let tx: UnboundedSender<Event> = $tx;
        tokio::spawn(async move {
            loop {
                match conn.read().await {
                    Ok(msg) => {
                        if tx.send($wrap(Box::new(msg))).is_err() {
                            break;
                        }
                    }
                    // A message we cannot parse is skipped; a broken socket ends the pump.
                    Err(RuntimeError::ZmqError(_)) | Err(RuntimeError::IoError(_)) => break,
                    Err(_) => continue,
                }
            }
        })
    }};
}

impl Kernel {
    /// Starts the kernel named in `opts` in folder `cwd`, its own output going to `log`, and
    /// waits until it answers.
    pub async fn start(opts: &KernelOptions, cwd: &Path, log: &Path) -> KernelResult<Kernel> {
        let name = opts.name.as_str();
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            KernelError::start(name, format!("{what}: {e}"))
        };
        let spec = find_spec(opts).await?;
        let runtime = tempfile::Builder::new()
            .prefix("course-kernel-")
            .tempdir()
            .map_err(|e| failed("cannot make its runtime folder", &e))?;
        let cell = match &opts.sandbox {
            Some(sandbox) => Some(sandbox.cell(name)?),
            None => None,
        };
        // What the kernel is told (its connection file) and how the client reaches it: the
        // same unless sealed off, where the kernel listens in its own network namespace and
        // the client goes through the relay's Unix sockets.
        let (info, client_info, connection_file) = match &cell {
            Some(cell) => {
                let info = sandboxed_info(name);
                let mut client = info.clone();
                client.transport = jupyter_protocol::connection_info::Transport::IPC;
                client.ip = relay::socket_prefix(&cell.run_dir()).display().to_string();
                let file = Path::new(sandbox::RUN_INSIDE).join("connection.json");
                (info, client, (cell.run_dir().join("connection.json"), file))
            }
            None => {
                let info = connection_info(name).await?;
                let file = runtime.path().join("connection.json");
                (info.clone(), info, (file.clone(), file))
            }
        };
        let info_json = serde_json::to_string(&info)
            .map_err(|e| failed("cannot write its connection file", &e))?;
        std::fs::write(&connection_file.0, info_json)
            .map_err(|e| failed("cannot write its connection file", &e))?;
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| failed(&format!("cannot create {}", dir.display()), &e))?;
        }
        let log_file = std::fs::File::create(log).map_err(|e| {
            failed(
                &format!("cannot create the kernel log {}", log.display()),
                &e,
            )
        })?;
        let argv: Vec<String> = spec
            .kernelspec
            .argv
            .iter()
            .map(|a| {
                if a == "{connection_file}" {
                    connection_file.1.to_string_lossy().to_string()
                } else {
                    a.clone()
                }
            })
            .collect();
        if argv.is_empty() {
            return Err(KernelError::start(name, "its kernelspec has an empty argv"));
        }
        let env: Vec<(String, String)> = spec
            .kernelspec
            .env
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        let argv = match (&opts.sandbox, &cell) {
            (Some(sandbox), Some(cell)) => sandbox.wrap(cell, &argv, &env, cwd),
            _ => argv,
        };
        let mut command = process::command(&argv, opts.memory_limit, &log_file)
            .map_err(|e| failed("cannot open its log", &e))?;
        match &cell {
            Some(cell) => command.current_dir(cell.run_dir()),
            None => command
                .envs(env.iter().map(|(k, v)| (k, v)))
                .current_dir(cwd),
        };
        let mut child = command
            .spawn()
            .map_err(|e| failed(&format!("cannot run {argv:?}; run `course setup`"), &e))?;
        process::started(child.id());
        let info = client_info;

        let session = uuid::Uuid::new_v4().to_string();
        let deadline = Instant::now() + opts.startup_timeout;
        // The kernel binds its ports some time after it starts, and a ZeroMQ connect here
        // fails at once instead of waiting, so keep trying until it listens.
        let (iopub, shell, control) = loop {
            // A connect attempt can take long to give up; a kernel that dies while starting
            // is noticed at once.
            let attempt = tokio::select! {
                sockets = connect(&info, &session) => sockets,
                status = child.wait() => {
                    let status = status.map_or_else(|e| e.to_string(), |s| s.to_string());
                    return Err(KernelError::start(
                        name,
                        format!(
                            "it exited while starting ({status}); {}",
                            log_tail(log)
                        ),
                    ));
                }
            };
            match attempt {
                Ok(sockets) => break sockets,
                Err(e) => {
                    if Instant::now() > deadline {
                        return Err(KernelError::start(
                            name,
                            format!(
                                "could not connect within {} s ({e}); {}",
                                opts.startup_timeout.as_secs(),
                                log_tail(log)
                            ),
                        ));
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        let (shell, shell_recv) = shell.split();
        let (tx, events) = unbounded_channel();
        pump!(iopub, tx.clone(), Event::IoPub);
        pump!(shell_recv, tx, Event::Shell);

        let group = child.id();
        let mut kernel = Kernel {
            child,
            group,
            shell,
            control,
            events,
            log: log.to_path_buf(),
            config_dir: match &opts.sandbox {
                Some(sandbox) => Some(sandbox.config_dir()),
                None => env
                    .iter()
                    .find(|(k, _)| k == "EVCXR_CONFIG_DIR")
                    .map(|(_, v)| PathBuf::from(v)),
            },
            _runtime: runtime,
            cell,
        };
        kernel
            .wait_ready(opts.startup_timeout)
            .await
            .map_err(|reason| KernelError::start(name, reason))?;
        if let Some(cell) = &kernel.cell {
            // A sealed kernel has read its connection file; its key signs every message the
            // kernel takes, so the code it runs must not read it (and reach its kernel through
            // the relay's sockets, past the screen).
            let file = cell.run_dir().join("connection.json");
            std::fs::remove_file(&file).map_err(|e| {
                KernelError::start(name, format!("cannot remove {}: {e}", file.display()))
            })?;
        }
        Ok(kernel)
    }

    /// Sends `kernel_info_request` until both the reply and IOPub traffic arrive, so no
    /// output of the first cell is lost to a late IOPub subscription.
    async fn wait_ready(&mut self, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(why) = self.exited() {
                return Err(format!(
                    "it exited while starting ({why}); {}",
                    self.log_tail()
                ));
            }
            let request: JupyterMessage = KernelInfoRequest {}.into();
            let id = request.header.msg_id.clone();
            self.shell
                .send(request)
                .await
                .map_err(|e| format!("cannot send kernel_info_request: {e}"))?;
            let (mut replied, mut heard) = (false, false);
            let round = TokioInstant::now() + Duration::from_secs(2);
            while !(replied && heard) {
                tokio::select! {
                    event = self.events.recv() => match event {
                        Some(Event::Shell(m)) if is_child_of(&m, &id) => replied = true,
                        Some(Event::IoPub(m)) if is_child_of(&m, &id) => heard = true,
                        Some(_) => {}
                        None => return Err(format!("its connection closed; {}", self.log_tail())),
                    },
                    _ = sleep_until(round) => break,
                }
            }
            if replied && heard {
                return Ok(());
            }
        }
        Err(format!(
            "it did not answer within {} s; {}",
            limit.as_secs(),
            self.log_tail()
        ))
    }

    /// The memory the kernel's processes use now, and the most each used.
    pub fn memory(&self) -> Option<MemoryUse> {
        process::group_memory(self.group?)
    }

    /// Why the kernel process ended, if it has.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("cannot query the process: {e}")),
        }
    }

    /// Whether the kernel runs sealed off in a sandbox (a grader's).
    pub fn sandboxed(&self) -> bool {
        self.cell.is_some()
    }

    /// The prelude evcxr ran when this kernel started (`prelude.rs` in its configuration
    /// folder), if it has one.
    pub fn prelude(&self) -> Option<String> {
        std::fs::read_to_string(self.config_dir.as_ref()?.join("prelude.rs")).ok()
    }

    /// The last lines of the kernel's own log, for error messages.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log)
    }

    /// Runs `code` and collects its outputs until the kernel is idle again, interrupting it
    /// when `limit` runs out.
    pub async fn execute(&mut self, code: &str, limit: Duration) -> KernelResult<Execution> {
        let request: JupyterMessage = ExecuteRequest {
            code: code.to_string(),
            silent: false,
            store_history: true,
            user_expressions: None,
            allow_stdin: false,
            stop_on_error: false,
        }
        .into();
        let id = request.header.msg_id.clone();
        let started = Instant::now();
        self.shell
            .send(request)
            .await
            .map_err(|e| KernelError::protocol("cannot send execute_request", e))?;

        let mut run = Execution::default();
        let mut idle = false;
        let mut deadline = TokioInstant::now() + limit;
        let mut interrupted_at: Option<Instant> = None;
        let tick = Duration::from_millis(500);
        while !(idle && run.status.is_some()) {
            let wake = deadline.min(TokioInstant::now() + tick);
            tokio::select! {
                event = self.events.recv() => match event {
                    Some(Event::IoPub(m)) if is_child_of(&m, &id) => match m.content {
                        JupyterMessageContent::Status(s) => idle = s.execution_state == ExecutionState::Idle,
                        JupyterMessageContent::ExecuteInput(_) => {}
                        other => run.keep(other),
                    },
                    Some(Event::Shell(m)) if is_child_of(&m, &id) => {
                        if let JupyterMessageContent::ExecuteReply(reply) = m.content {
                            run.execution_count = Some(reply.execution_count.value());
                            run.status = Some(reply.status);
                        }
                    }
                    Some(_) => {}
                    None => {
                        run.kernel_lost = Some("the connection to the kernel closed".into());
                        break;
                    }
                },
                _ = sleep_until(wake) => {
                    if let Some(why) = self.exited() {
                        run.kernel_lost = Some(format!("the kernel process exited ({why})"));
                        break;
                    }
                    if TokioInstant::now() < deadline {
                        continue;
                    }
                    if interrupted_at.is_some() {
                        run.kernel_lost = Some(
                            "the kernel did not recover within 30 s of an interrupt".into(),
                        );
                        break;
                    }
                    run.timed_out = true;
                    interrupted_at = Some(Instant::now());
                    self.interrupt().await?;
                    deadline = TokioInstant::now() + Duration::from_secs(30);
                }
            }
        }
        run.seconds = started.elapsed().as_secs_f64();
        // Output evcxr forwards from its own threads can trail the idle message: it is this
        // cell's, so it is drained here (while it keeps coming, within the cell's limit)
        // and never eats into the next cell's time.
        let stop = TokioInstant::now() + limit;
        let mut grace = TokioInstant::now() + Duration::from_millis(40);
        while run.kernel_lost.is_none() {
            tokio::select! {
                event = self.events.recv() => match event {
                    Some(Event::IoPub(m)) if is_child_of(&m, &id) => {
                        if !matches!(m.content, JupyterMessageContent::Status(_)) {
                            run.keep(m.content);
                        }
                        grace = (TokioInstant::now() + Duration::from_millis(40)).min(stop);
                    }
                    Some(_) => {}
                    None => break,
                },
                _ = sleep_until(grace) => break,
            }
        }
        Ok(run)
    }

    /// Asks the kernel to stop the running code (evcxr kills the code's process; its
    /// variables are lost).
    pub async fn interrupt(&mut self) -> KernelResult<()> {
        self.control
            .send(InterruptRequest {}.into())
            .await
            .map_err(|e| KernelError::protocol("cannot send interrupt_request", e))
    }

    /// Asks the kernel to shut down, and kills its process group if it has not within 5 s.
    pub async fn shutdown(mut self) {
        let request: JupyterMessage = ShutdownRequest { restart: false }.into();
        let _ = self.control.send(request).await;
        let waited = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        process::kill_group(self.group);
        if waited.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        process::kill_group(self.group);
    }
}

fn is_child_of(message: &JupyterMessage, id: &str) -> bool {
    message
        .parent_header
        .as_ref()
        .is_some_and(|h| h.msg_id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data folder holding kernelspec `name` whose argv is `argv`.
    fn spec(argv: serde_json::Value) -> (tempfile::TempDir, KernelOptions) {
        let dir = tempfile::tempdir().unwrap();
        let kernel = dir.path().join("kernels").join("probe");
        std::fs::create_dir_all(&kernel).unwrap();
        let json = serde_json::json!({"argv": argv, "display_name": "probe", "language": "rust"});
        std::fs::write(kernel.join("kernel.json"), json.to_string()).unwrap();
        let mut opts = KernelOptions::named("probe");
        opts.data_dir = Some(dir.path().to_path_buf());
        opts.startup_timeout = Duration::from_secs(10);
        (dir, opts)
    }

    async fn start_error(opts: &KernelOptions) -> String {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("logs").join("k.log");
        match Kernel::start(opts, dir.path(), &log).await {
            Ok(_) => panic!("the kernel started"),
            Err(e) => {
                assert!(matches!(e, KernelError::Start { .. }), "{e:?}");
                e.to_string()
            }
        }
    }

    #[tokio::test]
    async fn an_unknown_kernel_is_a_start_failure_that_says_to_run_setup() {
        let opts = KernelOptions::named("no-such-kernel-for-this-test");
        let e = start_error(&opts).await;
        assert!(
            e.starts_with("kernel 'no-such-kernel-for-this-test' did not start"),
            "{e}"
        );
        assert!(e.contains("course setup"), "{e}");
    }

    #[tokio::test]
    async fn a_program_that_is_missing_is_named() {
        let (_dir, opts) = spec(serde_json::json!([
            "/nonexistent/evcxr_jupyter",
            "{connection_file}"
        ]));
        let e = start_error(&opts).await;
        assert!(e.contains("/nonexistent/evcxr_jupyter"), "{e}");
    }

    #[tokio::test]
    async fn a_kernel_that_exits_at_once_shows_its_log() {
        let (_dir, opts) = spec(serde_json::json!([
            "sh",
            "-c",
            "echo broken kernelspec >&2; exit 3"
        ]));
        let e = start_error(&opts).await;
        assert!(e.contains("exited while starting"), "{e}");
        assert!(e.contains("broken kernelspec"), "{e}");
    }

    #[tokio::test]
    async fn an_empty_argv_is_refused() {
        let (_dir, opts) = spec(serde_json::json!([]));
        assert!(start_error(&opts).await.contains("empty argv"));
    }
}
