//! A Jupyter client for one kernel: start it, run code, interrupt it, shut it down.
//!
//! Talks the Jupyter protocol over ZeroMQ with `jupyter-zmq-client`; no Python involved.

use anyhow::{anyhow, bail, Context, Result};
use jupyter_protocol::{
    ConnectionInfo, ExecuteRequest, ExecutionState, InterruptRequest, JupyterMessage,
    JupyterMessageContent, KernelInfoRequest, ReplyStatus, ShutdownRequest,
};
use jupyter_zmq_client::{self as zmq, RuntimeError};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::time::{sleep_until, Instant as TokioInstant};

/// How a kernel is started.
#[derive(Debug, Clone)]
pub struct KernelOptions {
    /// The kernelspec name (`backprop` for the course kernel).
    pub name: String,
    /// The kernel's working folder: the notebook's folder, so relative paths resolve.
    pub cwd: PathBuf,
    /// Where the kernel process's own stdout and stderr go.
    pub log: PathBuf,
    /// How long the kernel may take to answer its first request.
    pub startup_timeout: Duration,
    /// Largest heap the kernel's processes may use, in bytes (`prlimit --data`).
    pub memory_limit: Option<u64>,
    /// A Jupyter data folder searched for the kernelspec before Jupyter's usual ones.
    pub data_dir: Option<PathBuf>,
}

/// The memory of a kernel's processes (the kernel, the process running the code, builds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MemoryUse {
    /// Resident set now, summed over the processes, in bytes.
    pub resident: u64,
    /// The largest resident set each process reached, summed, in bytes.
    pub peak: u64,
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
}

/// A running kernel and the client's connections to it.
pub struct Kernel {
    child: tokio::process::Child,
    shell: zmq::DealerSendConnection,
    control: zmq::ClientControlConnection,
    events: UnboundedReceiver<Event>,
    log: PathBuf,
    group: Option<u32>,
    _runtime: tempfile::TempDir,
}

/// The kernelspec named in `opts`: from `opts.data_dir` if it is there, else where Jupyter looks.
async fn find_spec(opts: &KernelOptions) -> Result<zmq::KernelspecDir> {
    if let Some(dir) = &opts.data_dir {
        let path = dir.join("kernels").join(&opts.name);
        if let Ok(text) = std::fs::read_to_string(path.join("kernel.json")) {
            let kernelspec = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a kernelspec", path.display()))?;
            return Ok(zmq::KernelspecDir {
                kernel_name: opts.name.clone(),
                path,
                kernelspec,
            });
        }
    }
    zmq::find_kernelspec(&opts.name).await.map_err(|e| {
        anyhow!(
            "kernel '{}' is not installed ({e}); run `course setup` first",
            opts.name
        )
    })
}

/// Sums the memory of every process in process group `group` (Linux; `None` elsewhere).
fn group_memory(group: u32) -> Option<MemoryUse> {
    let mut total = MemoryUse {
        resident: 0,
        peak: 0,
    };
    let mut found = false;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let dir = entry.path();
        let Ok(stat) = std::fs::read_to_string(dir.join("stat")) else {
            continue;
        };
        // The fields after the command name (which may hold spaces) start after its ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        if rest.split_whitespace().nth(2) != Some(&group.to_string()) {
            continue;
        }
        let Ok(status) = std::fs::read_to_string(dir.join("status")) else {
            continue;
        };
        let kib = |key: &str| -> u64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap_or(0)
        };
        total.resident += kib("VmRSS:") * 1024;
        total.peak += kib("VmHWM:") * 1024;
        found = true;
    }
    found.then_some(total)
}

/// Connects the IOPub, shell and control sockets.
async fn connect(
    info: &ConnectionInfo,
    session: &str,
) -> Result<(
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
    /// Starts the kernel named in `opts` and waits until it answers.
    pub async fn start(opts: &KernelOptions) -> Result<Kernel> {
        let spec = find_spec(opts).await?;
        let ip = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
        let (ports, listeners) = zmq::peek_ports_with_listeners(ip, 5).await?;
        let info = ConnectionInfo {
            transport: jupyter_protocol::connection_info::Transport::TCP,
            ip: ip.to_string(),
            stdin_port: ports[0],
            control_port: ports[1],
            hb_port: ports[2],
            shell_port: ports[3],
            iopub_port: ports[4],
            signature_scheme: "hmac-sha256".into(),
            key: uuid::Uuid::new_v4().to_string(),
            kernel_name: Some(opts.name.clone()),
        };
        let runtime = tempfile::Builder::new()
            .prefix("course-kernel-")
            .tempdir()?;
        let connection_file = runtime.path().join("connection.json");
        std::fs::write(&connection_file, serde_json::to_string(&info)?)?;

        if let Some(dir) = opts.log.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let log = std::fs::File::create(&opts.log)
            .with_context(|| format!("cannot create the kernel log {}", opts.log.display()))?;
        let argv: Vec<String> = spec
            .kernelspec
            .argv
            .iter()
            .map(|a| {
                if a == "{connection_file}" {
                    connection_file.to_string_lossy().to_string()
                } else {
                    a.clone()
                }
            })
            .collect();
        let Some(program) = argv.first() else {
            bail!("kernel '{}' has an empty argv in its kernelspec", opts.name);
        };
        let mut command = match opts.memory_limit {
            Some(bytes) => {
                let mut c = tokio::process::Command::new("prlimit");
                c.arg(format!("--data={bytes}")).arg("--").args(&argv);
                c
            }
            None => {
                let mut c = tokio::process::Command::new(program);
                c.args(&argv[1..]);
                c
            }
        };
        if let Some(env) = &spec.kernelspec.env {
            command.envs(env);
        }
        command
            .current_dir(&opts.cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .process_group(0);
        let mut child = command.spawn().with_context(|| {
            format!(
                "cannot start kernel '{}' ({argv:?}); run `course setup`",
                opts.name
            )
        })?;
        drop(listeners);

        let session = uuid::Uuid::new_v4().to_string();
        let deadline = Instant::now() + opts.startup_timeout;
        // The kernel binds its ports some time after it starts, and a ZeroMQ connect here
        // fails at once instead of waiting, so keep trying until it listens.
        let (iopub, shell, control) = loop {
            match connect(&info, &session).await {
                Ok(sockets) => break sockets,
                Err(e) => {
                    if let Ok(Some(status)) = child.try_wait() {
                        bail!(
                            "the kernel exited while starting ({status}); see {}",
                            opts.log.display()
                        );
                    }
                    if Instant::now() > deadline {
                        bail!(
                            "could not connect to the kernel within {} s ({e}); see {}",
                            opts.startup_timeout.as_secs(),
                            opts.log.display()
                        );
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
            log: opts.log.clone(),
            _runtime: runtime,
        };
        kernel.wait_ready(opts.startup_timeout).await?;
        Ok(kernel)
    }

    /// Sends `kernel_info_request` until both the reply and IOPub traffic arrive, so no
    /// output of the first cell is lost to a late IOPub subscription.
    async fn wait_ready(&mut self, limit: Duration) -> Result<()> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(why) = self.exited() {
                bail!(
                    "the kernel exited while starting ({why}); {}",
                    self.log_tail()
                );
            }
            let request: JupyterMessage = KernelInfoRequest {}.into();
            let id = request.header.msg_id.clone();
            self.shell.send(request).await?;
            let (mut replied, mut heard) = (false, false);
            let round = TokioInstant::now() + Duration::from_secs(2);
            while !(replied && heard) {
                tokio::select! {
                    event = self.events.recv() => match event {
                        Some(Event::Shell(m)) if is_child_of(&m, &id) => replied = true,
                        Some(Event::IoPub(m)) if is_child_of(&m, &id) => heard = true,
                        Some(_) => {}
                        None => bail!("lost the connection to the kernel; {}", self.log_tail()),
                    },
                    _ = sleep_until(round) => break,
                }
            }
            if replied && heard {
                return Ok(());
            }
        }
        bail!(
            "the kernel did not answer within {} s; {}",
            limit.as_secs(),
            self.log_tail()
        )
    }

    /// The memory the kernel's processes use now, and the most each used.
    pub fn memory(&self) -> Option<MemoryUse> {
        group_memory(self.group?)
    }

    /// Why the kernel process ended, if it has.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("cannot query the process: {e}")),
        }
    }

    /// The last lines of the kernel's own log, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(8)..].join("\n    ");
        if tail.is_empty() {
            format!("the kernel log {} is empty", self.log.display())
        } else {
            format!(
                "the kernel log {} ends with:\n    {tail}",
                self.log.display()
            )
        }
    }

    /// Runs `code` and collects its outputs until the kernel is idle again, interrupting it
    /// when `limit` runs out.
    pub async fn execute(&mut self, code: &str, limit: Duration) -> Result<Execution> {
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
        self.shell.send(request).await?;

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
                        other => run.outputs.push(other),
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
        // Output evcxr forwards from its own threads can trail the idle message by a moment.
        let grace = TokioInstant::now() + Duration::from_millis(40);
        while run.kernel_lost.is_none() {
            tokio::select! {
                event = self.events.recv() => match event {
                    Some(Event::IoPub(m)) if is_child_of(&m, &id) => {
                        if !matches!(m.content, JupyterMessageContent::Status(_)) {
                            run.outputs.push(m.content);
                        }
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
    pub async fn interrupt(&mut self) -> Result<()> {
        self.control.send(InterruptRequest {}.into()).await?;
        Ok(())
    }

    /// Asks the kernel to shut down, and kills its process group if it has not within 5 s.
    pub async fn shutdown(mut self) {
        let request: JupyterMessage = ShutdownRequest { restart: false }.into();
        let _ = self.control.send(request).await;
        let waited = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        self.kill_group();
        if waited.is_err() {
            let _ = self.child.kill().await;
        }
    }

    /// Kills everything the kernel started (evcxr's code runner, cargo builds): the kernel
    /// runs in a process group of its own, so the group holds exactly those.
    fn kill_group(&self) {
        let group = self
            .group
            .and_then(|pid| i32::try_from(pid).ok())
            .filter(|pid| *pid > 1)
            .and_then(rustix::process::Pid::from_raw);
        if let Some(group) = group {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        self.kill_group();
    }
}

fn is_child_of(message: &JupyterMessage, id: &str) -> bool {
    message
        .parent_header
        .as_ref()
        .is_some_and(|h| h.msg_id == id)
}
