//! The kernel's processes: started in a process group of their own with the limits asked
//! for, measured, and killed together.

use std::process::Stdio;

/// The memory of a kernel's processes (the kernel, the process running the code, builds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MemoryUse {
    /// Resident set now, summed over the processes, in bytes.
    pub resident: u64,
    /// The largest resident set each process reached, summed, in bytes.
    pub peak: u64,
}

/// The command that starts `argv` with a heap limit of `memory_limit` bytes (through
/// `prlimit --data`, inherited by every process the kernel starts), in a new process group,
/// with its output going to `log`.
///
/// The kernel is killed when this process ends, however it ends (`setpriv --pdeathsig`): a
/// signal, Ctrl-C (which reaches only the terminal's process group, not the kernel's), a
/// crash. A kernel without its client would otherwise keep its memory and its build slot for
/// good; the code runner evcxr starts ends with it, its input closed.
pub fn command(
    argv: &[String],
    memory_limit: Option<u64>,
    log: &std::fs::File,
) -> std::io::Result<tokio::process::Command> {
    let mut command = tokio::process::Command::new("setpriv");
    command.args(["--pdeathsig", "KILL", "--"]);
    if let Some(bytes) = memory_limit {
        command
            .arg("prlimit")
            .arg(format!("--data={bytes}"))
            .arg("--");
    }
    command
        .args(argv)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log.try_clone()?))
        .kill_on_drop(true)
        .process_group(0);
    Ok(command)
}

/// The process groups of the kernels this process started and has not killed yet.
static LIVE: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

/// Records a kernel's process group, so that the signal watch of [`runtime`] can kill it.
pub fn started(group: Option<u32>) {
    if let Some(group) = group {
        live().push(group);
    }
}

fn live() -> std::sync::MutexGuard<'static, Vec<u32>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Kills every process in process group `group` (the kernel runs in one of its own, so the
/// group holds exactly what it started: evcxr's code runner, cargo builds).
pub fn kill_group(group: Option<u32>) {
    live().retain(|g| Some(*g) != group);
    let group = group
        .and_then(|pid| i32::try_from(pid).ok())
        .filter(|pid| *pid > 1)
        .and_then(rustix::process::Pid::from_raw);
    if let Some(group) = group {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
}

/// A Tokio runtime to run kernels on. It ends this process on SIGINT, SIGTERM or SIGHUP,
/// after killing the process group of every kernel started: each kernel has a group of its
/// own, so a terminal's Ctrl-C never reaches it, and the code runner evcxr starts would go
/// on with a learner's endless loop after its kernel is gone.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    use tokio::signal::unix::{signal, SignalKind};
    let runtime = tokio::runtime::Runtime::new()?;
    let _in = runtime.enter();
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    runtime.spawn(async move {
        let code = tokio::select! {
            _ = interrupt.recv() => 130,
            _ = terminate.recv() => 143,
            _ = hangup.recv() => 129,
        };
        let groups: Vec<u32> = live().drain(..).collect();
        for group in groups {
            kill_group(Some(group));
        }
        std::process::exit(code);
    });
    Ok(runtime)
}

/// Sums the memory of every process in process group `group` (Linux; `None` elsewhere).
pub fn group_memory(group: u32) -> Option<MemoryUse> {
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
        if process_group(&stat) != Some(group) {
            continue;
        }
        let Ok(status) = std::fs::read_to_string(dir.join("status")) else {
            continue;
        };
        total.resident += status_kib(&status, "VmRSS:") * 1024;
        total.peak += status_kib(&status, "VmHWM:") * 1024;
        found = true;
    }
    found.then_some(total)
}

/// The process group in a `/proc/PID/stat` line: the fields after the command name (which
/// may hold spaces and parentheses) start after its last `)`.
fn process_group(stat: &str) -> Option<u32> {
    let rest = stat.rsplit_once(')')?.1;
    rest.split_whitespace().nth(2)?.parse().ok()
}

/// A `kB` figure from a `/proc` file of `Key: N kB` lines (`/proc/PID/status`,
/// `/proc/meminfo`), 0 when it is absent.
pub(crate) fn status_kib(status: &str, key: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_is_read_after_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (evil) name (x)) S 1 777 777 0 -1 4194560";
        assert_eq!(process_group(stat), Some(777));
        assert_eq!(process_group("garbage"), None);
    }

    #[test]
    fn memory_figures_come_from_the_status_file_in_bytes() {
        let status = "Name:\tevcxr\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n";
        assert_eq!(status_kib(status, "VmRSS:"), 1024);
        assert_eq!(status_kib(status, "VmSwap:"), 0);
    }

    #[test]
    fn this_process_groups_memory_is_measured() {
        let group = rustix::process::getpgrp().as_raw_nonzero().get() as u32;
        let memory = group_memory(group).expect("this process is in its group");
        assert!(memory.resident > 0 && memory.peak >= memory.resident);
    }
}
