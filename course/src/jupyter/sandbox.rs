//! The sandbox a grader's kernel runs in: the whole process tree (evcxr, its rust-analyzer,
//! cargo, rustc, the code's process) sealed off with bubblewrap.
//!
//! - **Files**: only what a kernel needs is there, read-only: the system's programs and
//!   libraries, the Rust toolchain and cargo's registry, and the course's `crate/`, `data/` and
//!   `kernel/`. The lesson notebooks (solutions, hidden tests), other submissions, the
//!   grader's reports and `$HOME` are not there at all. Writable: a small `/tmp` and `$HOME`
//!   in memory, and the kernel's own build folder, a fresh layer over a read-only seed that
//!   is thrown away after the submission. Only the seed's own build (the course's code, never
//!   a submission's) also writes the user's evcxr build cache.
//! - **Processes**: a PID namespace of its own (no other process is visible in `/proc`; when
//!   the kernel ends every process it started ends with it) and a cap on processes and
//!   threads (a cgroup's `pids.max` as root, `RLIMIT_NPROC` otherwise).
//! - **Network**: a network namespace of its own, with nothing but its own loopback. The
//!   grader reaches the kernel's five ports through Unix sockets in the kernel's run folder,
//!   which a relay inside the sandbox (`course sandbox-relay`) joins to the ports.
//! - **Environment**: emptied, then only what evcxr and cargo need; no capabilities.

use super::error::{KernelError, KernelResult};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the kernel's run folder (connection file, relay sockets) is inside the sandbox.
pub const RUN_INSIDE: &str = "/run/course";

/// How many build slots `kernel/launch` looks through (`1` to `32`).
pub const SLOTS: u32 = 32;

/// The ports the kernel listens on inside its own network namespace.
pub const PORTS_INSIDE: [u16; 5] = [50001, 50002, 50003, 50004, 50005];

/// Most processes and threads one kernel may have at once.
pub const MAX_TASKS: u32 = 2048;

/// How kernels are sealed off.
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// The course checkout: its `crate/`, `data/` and `kernel/` are bound read-only.
    pub root: PathBuf,
    /// Where each kernel's scratch folder is made (on disk, outside the sandbox).
    pub scratch: PathBuf,
    /// The pre-built build folder every kernel starts from; never written by a kernel.
    pub seed: PathBuf,
    /// The program that runs the relay (`course`, as `course sandbox-relay`).
    pub relay: PathBuf,
    /// What the kernel's build folder is.
    pub mode: Mode,
    /// The learners' build-slot folder on this machine (`kernel/launch`'s, from
    /// [`crate::exec::cache::slots_dir`]): the sandbox shows its kernel's build folder
    /// there ([`Sandbox::build_inside`]).
    pub slots: PathBuf,
    /// The library that confines a submission's code process ([`super::confine`]), when
    /// this machine can: loaded into a submission's kernel, never into the seed's.
    pub confine: Option<PathBuf>,
}

/// Whose build folder a sandboxed kernel writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A submission's: a throw-away layer over the read-only seed, on the grading config
    /// (offline), with an empty build cache of its own in its `$HOME`.
    Submission,
    /// The seed itself, written in place, from the course's own code only (never a
    /// submission's), on the same configuration as the submissions' kernels, with the
    /// user's evcxr build cache: the learners' kernels and the seed compile each
    /// dependency once between them.
    Seed,
}

/// What this machine lets the sandbox enforce.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Enforced {
    /// bubblewrap runs, with user, PID, network, IPC and UTS namespaces.
    pub namespaces: Result<(), String>,
    /// How the cap on processes is enforced.
    pub task_cap: String,
    /// How the build folder is made from the seed.
    pub build_folder: String,
}

impl Enforced {
    /// Whether grading can be sealed off here at all.
    pub fn usable(&self) -> bool {
        self.namespaces.is_ok()
    }
}

/// Probes what the sandbox can enforce on this machine.
pub fn probe() -> Enforced {
    let namespaces = match Command::new("bwrap")
        .args(NAMESPACES)
        .args(SYSTEM)
        .arg("true")
        .output()
    {
        Err(e) => Err(format!(
            "bubblewrap (`bwrap`) cannot be run ({e}); install it (Debian: apt-get install \
             bubblewrap)"
        )),
        Ok(out) if !out.status.success() => Err(format!(
            "bubblewrap cannot make namespaces here: {} (unprivileged user namespaces may be \
             switched off: sysctl kernel.unprivileged_userns_clone=1)",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Ok(_) => Ok(()),
    };
    let task_cap = match pids_cgroup_root() {
        Some(dir) => format!("cgroup pids.max = {MAX_TASKS} ({})", dir.display()),
        None if is_root() => format!(
            "none: running as root without a writable pids cgroup, and RLIMIT_NPROC does not \
             bind root (only the {MAX_TASKS}-task limit of the PID namespace's memory holds)"
        ),
        None => format!("RLIMIT_NPROC = {MAX_TASKS}"),
    };
    let build_folder = if is_root() {
        "an overlay over the read-only seed (kernel overlayfs), thrown away after".to_string()
    } else {
        "a copy of the read-only seed, thrown away after".to_string()
    };
    Enforced {
        namespaces,
        task_cap,
        build_folder,
    }
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// The pids cgroup folder new kernel cgroups go under, when this process may make them.
fn pids_cgroup_root() -> Option<PathBuf> {
    if !is_root() {
        return None;
    }
    let candidates = [
        PathBuf::from("/sys/fs/cgroup/pids"),
        PathBuf::from("/sys/fs/cgroup"),
    ];
    candidates.into_iter().find(|dir| {
        dir.join("cgroup.procs").is_file()
            && (dir.ends_with("pids")
                || std::fs::read_to_string(dir.join("cgroup.controllers"))
                    .is_ok_and(|c| c.split_whitespace().any(|w| w == "pids")))
    })
}

/// One kernel's sandbox on disk: its scratch folder, build folder and cgroup; removed when
/// dropped (after the kernel's processes are gone).
#[derive(Debug)]
pub struct Cell {
    scratch: PathBuf,
    /// The run folder, in the temporary folder: a Unix socket's path may not be longer than
    /// 107 bytes, however deep the course's checkout is.
    run: PathBuf,
    build: PathBuf,
    mounted: bool,
    cgroup: Option<PathBuf>,
}

impl Cell {
    /// The run folder outside the sandbox (connection file, relay sockets).
    pub fn run_dir(&self) -> PathBuf {
        self.run.clone()
    }
}

impl Drop for Cell {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg("-l").arg(&self.build).status();
        }
        let _ = std::fs::remove_dir_all(&self.scratch);
        let _ = std::fs::remove_dir_all(&self.run);
        if let Some(cgroup) = &self.cgroup {
            // The directory goes once its last process has; a few tries cover the kill's delay.
            for _ in 0..50 {
                if std::fs::remove_dir(cgroup).is_ok() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
}

impl Sandbox {
    /// Makes a kernel's scratch folder: a run folder and a build folder seeded from
    /// [`Sandbox::seed`] (an overlay as root, a copy otherwise), and a cgroup when it can.
    pub fn cell(&self, name: &str) -> KernelResult<Cell> {
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            KernelError::start(name, format!("sandbox: {what}: {e}"))
        };
        std::fs::create_dir_all(&self.scratch)
            .map_err(|e| failed(&format!("cannot create {}", self.scratch.display()), &e))?;
        let scratch = tempfile::Builder::new()
            .prefix("kernel-")
            .tempdir_in(&self.scratch)
            .map_err(|e| failed("cannot make a scratch folder", &e))?
            .keep();
        let run = tempfile::Builder::new()
            .prefix("backprop-kernel-")
            .tempdir()
            .map_err(|e| failed("cannot make a run folder", &e))?
            .keep();
        let mut cell = Cell {
            build: scratch.join("build"),
            scratch,
            run,
            mounted: false,
            cgroup: None,
        };
        for dir in ["build", "upper", "work"] {
            std::fs::create_dir_all(cell.scratch.join(dir))
                .map_err(|e| failed("cannot make the scratch folder", &e))?;
        }
        if self.mode == Mode::Seed {
            cell.build = self.seed.clone();
            std::fs::create_dir_all(evcxr_cache())
                .map_err(|e| failed("cannot make evcxr's build cache folder", &e))?;
        } else if self.seed.is_dir() {
            cell.mounted = self
                .seed_build(&cell)
                .map_err(|e| failed("build folder", &e))?;
        }
        cell.cgroup = pids_cgroup_root().and_then(|root| {
            let dir = root.join(format!(
                "backprop-course-{}",
                cell.scratch.file_name()?.to_string_lossy()
            ));
            std::fs::create_dir(&dir).ok()?;
            std::fs::write(dir.join("pids.max"), MAX_TASKS.to_string()).ok()?;
            Some(dir)
        });
        Ok(cell)
    }

    /// Fills the build folder from the seed; true when it is an overlay mount.
    fn seed_build(&self, cell: &Cell) -> Result<bool, String> {
        if is_root() {
            let options = format!(
                "lowerdir={},upperdir={},workdir={}",
                self.seed.display(),
                cell.scratch.join("upper").display(),
                cell.scratch.join("work").display()
            );
            let mounted = Command::new("mount")
                .args(["-t", "overlay", "overlay", "-o", &options])
                .arg(&cell.build)
                .status()
                .is_ok_and(|s| s.success());
            if mounted {
                return Ok(true);
            }
        }
        let copied = Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", self.seed.display()))
            .arg(&cell.build)
            .status()
            .map_err(|e| e.to_string())?;
        if !copied.success() {
            return Err(format!("cp -a {} failed", self.seed.display()));
        }
        Ok(false)
    }

    /// The command that runs `argv` (a kernelspec's, with its connection file already
    /// inside the run folder) sealed off in `cell`, with `env` as its whole environment
    /// (plus what the sandbox sets), in `cwd` (a path inside, made empty and writable).
    pub fn wrap(
        &self,
        cell: &Cell,
        argv: &[String],
        env: &[(String, String)],
        cwd: &Path,
    ) -> Vec<String> {
        let mut out = Args(Vec::new());
        if let Some(cgroup) = &cell.cgroup {
            out.flags(&["sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\""]);
            out.path(cgroup);
        } else if !is_root() {
            out.flags(&["prlimit", &format!("--nproc={MAX_TASKS}"), "--"]);
        }
        out.flags(&["bwrap"]);
        out.flags(&NAMESPACES);
        out.flags(&["--new-session", "--hostname", "sandbox", "--clearenv"]);
        out.flags(&SYSTEM);
        for etc in ETC_FILES.iter().map(Path::new).filter(|p| p.exists()) {
            out.bind("--ro-bind", etc, etc);
        }
        let home = home();
        out.flags(&[
            "--size",
            "268435456",
            "--tmpfs",
            "/tmp",
            "--size",
            "268435456",
        ]);
        out.flags(&["--tmpfs"]);
        out.path(&home);
        let toolchain = toolchain_dirs(&home);
        for dir in &toolchain {
            out.bind("--ro-bind", dir, dir);
        }
        let (index, snapshot) = (cargo_index(), index_snapshot(&self.seed));
        if index.is_dir() && snapshot.is_dir() {
            out.bind("--ro-bind", &snapshot, &index);
        }
        let course = crate::project::KERNEL_PARTS
            .into_iter()
            .map(|part| self.root.join(part))
            .chain([self.relay.clone()])
            .filter(|p| p.exists());
        for path in course {
            out.bind("--ro-bind", &path, &path);
        }
        out.bind("--bind", &cell.run_dir(), Path::new(RUN_INSIDE));
        self.build_folder(&mut out, cell, &home);
        out.flags(&["--dir"]);
        out.path(cwd);
        out.flags(&["--chdir"]);
        out.path(cwd);
        let path = format!("{}:", cargo_home(&home).join("bin").display());
        let config = self.config_dir();
        out.setenv("HOME", &home.display().to_string());
        // Named outright: the home inside is empty, so a toolchain or registry kept elsewhere
        // ($CARGO_HOME, $RUSTUP_HOME) would not be found from it.
        out.setenv("CARGO_HOME", &cargo_home(&home).display().to_string());
        out.setenv("RUSTUP_HOME", &rustup_home(&home).display().to_string());
        out.setenv("PATH", &format!("{path}/usr/bin:/bin"));
        out.setenv("TMPDIR", "/tmp");
        out.setenv(
            "BACKPROP_KERNEL_SLOTS",
            &self.slots_inside().display().to_string(),
        );
        out.setenv("CARGO_NET_OFFLINE", "true");
        out.setenv("EVCXR_CONFIG_DIR", &config.display().to_string());
        let preload = self
            .confine
            .as_ref()
            .filter(|_| self.mode == Mode::Submission);
        if let Some(library) = preload {
            out.bind("--ro-bind", library, Path::new(super::confine::INSIDE));
            for (k, v) in super::confine::preload_env(super::confine::INSIDE) {
                out.setenv(k, &v);
            }
        }
        let ours = ["EVCXR_CONFIG_DIR", "LD_PRELOAD", "BACKPROP_CONFINE"];
        for (k, v) in env.iter().filter(|(k, _)| !ours.contains(&k.as_str())) {
            out.setenv(k, v);
        }
        out.flags(&["--"]);
        out.path(&self.relay);
        out.flags(&["sandbox-relay", "--dir", RUN_INSIDE, "--"]);
        out.0.extend(argv.iter().cloned());
        out.0
    }
}

impl Sandbox {
    /// The evcxr configuration a sealed kernel runs with (`init.evcxr`, `prelude.rs`).
    pub fn config_dir(&self) -> PathBuf {
        self.root.join("kernel").join("grade")
    }

    /// Where the kernel's build folder is inside the sandbox: slot `1` of a folder `seed` in
    /// the learners' slot folder, `<slots>/seed/1`.
    ///
    /// The seed is built through the user's evcxr cache, which the learners' kernels fill
    /// too; a crate the cache gives back keeps the dep-info of the build that compiled it,
    /// naming files in that build's folder (the `private.rs` that the build scripts of
    /// `serde`, `serde_core` and `thiserror` write), and cargo compiles a crate again, at
    /// every cell, while a file its dep-info names is missing. So each side finds the other's
    /// paths: inside the sandbox each learner's slot `<slots>/N` is a link to this folder;
    /// outside, `<slots>/seed/1` is a link to the seed ([`crate::exec::seed`] and
    /// `kernel/launch` make it).
    pub fn build_inside(&self) -> PathBuf {
        self.slots_inside().join("1")
    }

    /// The slot folder `kernel/launch` is given inside the sandbox: `<slots>/seed`.
    fn slots_inside(&self) -> PathBuf {
        self.slots.join("seed")
    }

    /// Binds the kernel's build folder at [`Sandbox::build_inside`], links the learners'
    /// slots to it, and, for the seed's build, binds the user's evcxr cache.
    fn build_folder(&self, out: &mut Args, cell: &Cell, home: &Path) {
        let inside = self.build_inside();
        // Writable for the launcher's lock files and cargo configuration, whatever holds it.
        out.flags(&["--size", "16777216", "--tmpfs"]);
        out.path(&self.slots_inside());
        out.bind("--bind", &cell.build, &inside);
        for n in 1..=SLOTS {
            out.flags(&["--symlink"]);
            out.path(&inside);
            out.path(&self.slots.join(n.to_string()));
        }
        if self.mode == Mode::Seed {
            out.bind("--bind", &evcxr_cache(), &home.join(".cache").join("evcxr"));
        }
    }
}

/// evcxr's build cache, as evcxr finds it: `$XDG_CACHE_HOME/evcxr` (when absolute), else
/// `~/.cache/evcxr`. Inside the sandbox the environment is emptied, so it is
/// `~/.cache/evcxr` there.
pub fn evcxr_cache() -> PathBuf {
    crate::project::user_cache()
        .unwrap_or_else(|| home().join(".cache"))
        .join("evcxr")
}

/// A command line being built.
struct Args(Vec<String>);

impl Args {
    fn flags(&mut self, flags: &[&str]) {
        self.0.extend(flags.iter().map(|f| f.to_string()));
    }

    fn path(&mut self, path: &Path) {
        self.0.push(path.display().to_string());
    }

    fn bind(&mut self, kind: &str, from: &Path, to: &Path) {
        self.flags(&[kind]);
        self.path(from);
        self.path(to);
    }

    fn setenv(&mut self, key: &str, value: &str) {
        self.flags(&["--setenv", key, value]);
    }
}

/// bubblewrap's namespaces and what it drops: every namespace it can make (user, PID,
/// network, IPC, UTS, cgroup), no capabilities, and the sandbox ends with its parent.
const NAMESPACES: [&str; 4] = ["--unshare-all", "--die-with-parent", "--cap-drop", "ALL"];

/// The system every sandbox has: `/usr` read-only with the usual links into it, a `/proc` of
/// its own PID namespace and a minimal `/dev`.
const SYSTEM: [&str; 19] = [
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/bin",
    "/bin",
    "--symlink",
    "usr/sbin",
    "/sbin",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
];

/// The files of `/etc` a kernel needs (the loader's cache, users, the C compiler's links).
const ETC_FILES: [&str; 8] = [
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/localtime",
];

fn home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

/// The toolchain folders bound read-only: rustup's toolchains and cargo's binaries and
/// registry.
fn toolchain_dirs(home: &Path) -> Vec<PathBuf> {
    [rustup_home(home), cargo_home(home)]
        .into_iter()
        .filter(|d| d.is_dir())
        .collect()
}

/// The cargo home the sandbox binds: `$CARGO_HOME`, else `~/.cargo`.
pub fn user_cargo_home() -> PathBuf {
    cargo_home(&home())
}

/// cargo's registry index, which cargo reads offline to resolve a `:dep` line.
pub fn cargo_index() -> PathBuf {
    user_cargo_home().join("registry").join("index")
}

/// The grader's copy of [`cargo_index`] beside the `seed`, made with it
/// ([`crate::exec::crates::snapshot_index`]) and bound over the live index inside. cargo
/// rewrites an index file in place when it updates it online (a learner's kernel does); a
/// sealed kernel reading it meanwhile, without cargo's lock (its cargo home is read-only),
/// read it half written and failed its `:dep` (`no matching package named js-sys found`).
pub fn index_snapshot(seed: &Path) -> PathBuf {
    seed.with_extension("index")
}

/// `$CARGO_HOME`, else `~/.cargo`.
fn cargo_home(home: &Path) -> PathBuf {
    std::env::var_os("CARGO_HOME").map_or_else(|| home.join(".cargo"), PathBuf::from)
}

/// `$RUSTUP_HOME`, else `~/.rustup`.
fn rustup_home(home: &Path) -> PathBuf {
    std::env::var_os("RUSTUP_HOME").map_or_else(|| home.join(".rustup"), PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A course checkout in a temporary folder, its sandbox, and one kernel's cell in it.
    fn sandbox() -> (tempfile::TempDir, Sandbox, Cell) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        for folder in [
            "crate",
            "data",
            "kernel",
            "notebooks",
            "course",
            "target/debug",
        ] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        for file in ["Cargo.toml", "course/Cargo.toml", "target/debug/course"] {
            std::fs::write(root.join(file), "").unwrap();
        }
        let sandbox = Sandbox {
            root: root.clone(),
            scratch: root.join("target/grade-sandbox"),
            seed: root.join("target/grade-seed"),
            relay: root.join("target/debug/course"),
            mode: Mode::Submission,
            slots: root.join("slots"),
            confine: Some(root.join("target/grade-sandbox/confine/lib.so")),
        };
        let cell = Cell {
            scratch: root.join("target/grade-sandbox/kernel-1"),
            run: root.join("target/grade-sandbox/kernel-1/run"),
            build: root.join("target/grade-sandbox/kernel-1/build"),
            mounted: false,
            cgroup: Some(PathBuf::from("/sys/fs/cgroup/pids/k1")),
        };
        (dir, sandbox, cell)
    }

    #[test]
    fn a_sealed_kernel_reads_the_graders_copy_of_cargos_index_over_the_live_one() {
        let (_dir, sandbox, cell) = sandbox();
        let snapshot = index_snapshot(&sandbox.seed);
        assert_eq!(snapshot, sandbox.root.join("target/grade-seed.index"));
        std::fs::create_dir_all(&snapshot).unwrap();
        let argv = sandbox.wrap(&cell, &["evcxr_jupyter".into()], &[], &sandbox.root);
        // Every machine that built the course has an index to bind it over.
        assert!(cargo_index().is_dir(), "{}", cargo_index().display());
        let read_only = binds(&argv, "--ro-bind");
        let over = (
            snapshot.display().to_string(),
            cargo_index().display().to_string(),
        );
        assert!(read_only.contains(&over), "{read_only:?}");
    }

    /// The pairs `(from, to)` the command binds with `kind`.
    fn binds(argv: &[String], kind: &str) -> Vec<(String, String)> {
        argv.windows(3)
            .filter(|w| w[0] == kind)
            .map(|w| (w[1].clone(), w[2].clone()))
            .collect()
    }

    #[test]
    fn a_sealed_kernel_sees_the_course_crate_but_not_the_lessons_the_home_or_the_network() {
        let (dir, sandbox, cell) = sandbox();
        let at = |p: &str| format!("{}/{p}", dir.path().display());
        let argv = sandbox.wrap(
            &cell,
            &[at("kernel/launch"), "evcxr_jupyter".into()],
            &[("EVCXR_CONFIG_DIR".into(), at("kernel/config"))],
            &dir.path().join("notebooks"),
        );
        let cgroup = "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"";
        assert_eq!(argv[..4], ["sh", "-c", cgroup, "/sys/fs/cgroup/pids/k1"]);
        for flag in [
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--clearenv",
        ] {
            assert!(argv.iter().any(|a| a == flag), "{flag} missing: {argv:?}");
        }
        assert!(!argv.iter().any(|a| a.starts_with("--share")), "{argv:?}");
        let read_only = binds(&argv, "--ro-bind");
        for part in ["crate", "data", "kernel", "Cargo.toml", "course/Cargo.toml"] {
            assert!(
                read_only.contains(&(at(part), at(part))),
                "{part}: {read_only:?}"
            );
        }
        let writable = binds(&argv, "--bind");
        let seen = read_only.iter().chain(&writable).map(|(from, _)| from);
        for from in seen {
            assert!(!from.starts_with(&at("notebooks")), "{from}");
            assert_ne!(*from, home().display().to_string());
        }
        let run = (
            at("target/grade-sandbox/kernel-1/run"),
            RUN_INSIDE.to_string(),
        );
        let build = (
            at("target/grade-sandbox/kernel-1/build"),
            at("slots/seed/1"),
        );
        // A submission's kernel writes its run and build folders, and no build cache.
        assert_eq!(writable, [run, build]);
        let setenv = |var: &str| {
            argv.windows(3)
                .find(|w| w[0] == "--setenv" && w[1] == var)
                .map(|w| w[2].clone())
        };
        assert_eq!(setenv("EVCXR_CONFIG_DIR"), Some(at("kernel/grade")));
        assert_eq!(setenv("BACKPROP_KERNEL_SLOTS"), Some(at("slots/seed")));
        // Its code's process is confined by the library, bound read-only and preloaded.
        let library = at("target/grade-sandbox/confine/lib.so");
        assert!(read_only.contains(&(library, super::super::confine::INSIDE.to_string())));
        assert_eq!(
            setenv("LD_PRELOAD").as_deref(),
            Some(super::super::confine::INSIDE)
        );
        assert_eq!(setenv("BACKPROP_CONFINE").as_deref(), Some("required"));
        // No copy of cargo's index beside this seed: the live one is read.
        assert!(read_only
            .iter()
            .all(|(_, to)| !to.ends_with("registry/index")));
        // The toolchain's homes are named inside, where they are bound (when they exist).
        for var in ["CARGO_HOME", "RUSTUP_HOME"] {
            let value = setenv(var).unwrap_or_else(|| panic!("{var} not set: {argv:?}"));
            if Path::new(&value).is_dir() {
                assert!(read_only.contains(&(value.clone(), value.clone())), "{var}");
            }
        }
        let relay = at("target/debug/course");
        let tail = [relay.as_str(), "sandbox-relay", "--dir", RUN_INSIDE, "--"];
        assert_eq!(argv[argv.len() - 7..argv.len() - 2], tail);
        assert_eq!(
            argv[argv.len() - 2..],
            [at("kernel/launch"), "evcxr_jupyter".into()]
        );
    }

    #[test]
    fn every_learners_slot_is_a_link_to_the_sealed_kernels_build_folder_inside() {
        let (dir, sandbox, cell) = sandbox();
        let argv = sandbox.wrap(&cell, &["evcxr_jupyter".into()], &[], dir.path());
        let links = binds(&argv, "--symlink");
        let inside = dir.path().join("slots/seed/1").display().to_string();
        let slot = |n: u32| dir.path().join(format!("slots/{n}")).display().to_string();
        assert_eq!(links.iter().filter(|(to, _)| *to == inside).count(), 32);
        for n in [1, 2, 32] {
            assert!(links.contains(&(inside.clone(), slot(n))), "{n}: {links:?}");
        }
        // The slot folder inside is a writable one of its own, under the bound build folder.
        let seed_dir = dir.path().join("slots/seed").display().to_string();
        let at = argv.iter().position(|a| *a == seed_dir).unwrap();
        assert_eq!(argv[at - 1], "--tmpfs");
        let bound = argv
            .windows(3)
            .position(|w| w[0] == "--bind" && w[2] == inside);
        assert!(bound.is_some_and(|b| b > at), "{argv:?}");
    }

    #[test]
    fn only_the_seeds_kernel_writes_the_users_evcxr_cache() {
        let (dir, sandbox, cell) = sandbox();
        let cache = (
            evcxr_cache().display().to_string(),
            home().join(".cache/evcxr").display().to_string(),
        );
        let seed = Sandbox {
            mode: Mode::Seed,
            ..sandbox.clone()
        };
        let argv = seed.wrap(&cell, &["evcxr_jupyter".into()], &[], dir.path());
        assert!(binds(&argv, "--bind").contains(&cache), "{argv:?}");
        // The seed's kernel runs the course's own code only, unconfined.
        assert!(!argv.iter().any(|a| a == "LD_PRELOAD"), "{argv:?}");
        let argv = sandbox.wrap(&cell, &["evcxr_jupyter".into()], &[], dir.path());
        let all = binds(&argv, "--bind")
            .into_iter()
            .chain(binds(&argv, "--ro-bind"));
        assert!(all.into_iter().all(|(from, _)| from != cache.0), "{argv:?}");
    }
}
