//! `course lab`: JupyterLab on the lessons, with the course kernel, in one command.

use anyhow::{bail, Context, Result};
use course::install;
use course::project::Project;
use course::python::PythonEnv;
use std::process::{Command, ExitCode};

/// Where JupyterLab listens.
#[derive(clap::Args)]
pub struct Args {
    /// The address JupyterLab listens on (loopback: only this machine can reach it).
    #[arg(long, default_value = "127.0.0.1")]
    ip: String,
    /// The port JupyterLab listens on.
    #[arg(long, default_value_t = 8888)]
    port: u16,
    /// Do not open a browser window.
    #[arg(long)]
    no_browser: bool,
    /// Warm course kernels kept ready for each way the lessons load the course crate (with
    /// and without polars), so a lesson's first cell answers at once; 0 starts each kernel
    /// when its lesson opens. Each waiting kernel holds about 0.8 GiB (1.7 with polars).
    #[arg(long, default_value_t = 1)]
    pool: u32,
    /// Further options for JupyterLab, after `--` (`-- --PooledKernelManager.refill_delay=60`).
    #[arg(last = true)]
    jupyter_args: Vec<String>,
}

/// Sets up what is missing and runs JupyterLab until it is stopped (Ctrl+C).
pub fn exec(project: &Project, args: Args) -> Result<ExitCode> {
    lab(
        project,
        &LabOptions {
            ip: args.ip,
            port: args.port,
            browser: !args.no_browser,
            as_root: rustix::process::getuid().is_root(),
            pool: args.pool,
            extra: args.jupyter_args,
        },
    )
}

/// Where JupyterLab listens and what it opens.
pub struct LabOptions {
    /// The address to bind (loopback unless asked otherwise).
    pub ip: String,
    /// The port.
    pub port: u16,
    /// Open a browser window.
    pub browser: bool,
    /// Running as root (JupyterLab refuses to unless told it may, as in a container or CI).
    pub as_root: bool,
    /// Warm kernels kept ready per `:dep` line (`lab/backprop_pool.py`); 0 for none.
    pub pool: u32,
    /// Further options passed to JupyterLab as they are.
    pub extra: Vec<String>,
}

/// The arguments that start JupyterLab on the lessons with the course kernel preselected.
pub fn lab_args(project: &Project, opts: &LabOptions) -> Vec<String> {
    let mut args = vec![
        format!("--ServerApp.root_dir={}", project.notebooks().display()),
        format!("--ServerApp.ip={}", opts.ip),
        format!("--ServerApp.port={}", opts.port),
        format!(
            "--ServerApp.open_browser={}",
            if opts.browser { "True" } else { "False" }
        ),
        format!(
            "--MappingKernelManager.default_kernel_name={}",
            install::KERNEL_NAME
        ),
        // Each kernel behind a ZMQ proxy that is its only peer (lab/kernel_proxy.py).
        "--MappingKernelManager.kernel_manager_class=kernel_proxy.ProxiedKernelManager".into(),
        // A closed terminal (SIGHUP) stops the server and its kernels (lab/hangup.py).
        "--ServerApp.jpserver_extensions=hangup=True".into(),
    ];
    if opts.pool > 0 {
        args.push("--ServerApp.kernel_manager_class=backprop_pool.PooledKernelManager".into());
        args.push(format!("--PooledKernelManager.pool_size={}", opts.pool));
        // A pooled kernel's cells are numbered as a fresh kernel's would be.
        args.push(
            "--ServerApp.kernel_websocket_connection_class=backprop_pool.RenumberingConnection"
                .into(),
        );
    } else {
        // Each browser connection under a ZMQ identity of its own (lab/kernel_connection.py).
        args.push(
            "--ServerApp.kernel_websocket_connection_class=kernel_connection.OwnIdentityConnection"
                .into(),
        );
    }
    if opts.as_root {
        args.push("--ServerApp.allow_root=True".into());
    }
    args.extend(opts.extra.iter().cloned());
    args
}

/// JupyterLab settings for the course, in the environment's `overrides.json`: every cell of a
/// notebook stays rendered (JupyterLab 4 otherwise keeps only the cells on screen, so outputs
/// far down a lesson are drawn only when scrolled to), and no pop-up asks about Jupyter news.
pub fn write_overrides(env: &PythonEnv) -> Result<()> {
    let dir = env.data_dir().join("lab").join("settings");
    std::fs::create_dir_all(&dir)?;
    let overrides = serde_json::json!({
        "@jupyterlab/notebook-extension:tracker": { "windowingMode": "none" },
        "@jupyterlab/apputils-extension:notification": { "fetchNews": "false" }
    });
    std::fs::write(
        dir.join("overrides.json"),
        serde_json::to_string_pretty(&overrides)? + "\n",
    )?;
    Ok(())
}

/// Sets up what is missing and runs JupyterLab until it is stopped (Ctrl+C).
pub fn lab(project: &Project, opts: &LabOptions) -> Result<ExitCode> {
    install::ensure(project, false)?;
    super::ensure_crates(project);
    let env = PythonEnv::lab(project);
    env.ensure()?;
    write_overrides(&env)?;
    let program = env.program("jupyter-lab");
    if !program.is_file() {
        bail!(
            "{} is missing although jupyterlab imports; delete {} and run `course lab` again",
            program.display(),
            env.venv.display()
        );
    }
    eprintln!(
        "starting JupyterLab on {} at http://{}:{}/lab (Jupyter prints the link with its \
         token below); the lessons open on the \"Rust (backprop course)\" kernel. Ctrl+C stops it.",
        project.notebooks().display(),
        opts.ip,
        opts.port
    );
    if opts.ip != "127.0.0.1" && opts.ip != "localhost" && opts.ip != "::1" {
        eprintln!(
            "note: listening on {} lets other machines reach this server; only its token \
             keeps them out",
            opts.ip
        );
    }
    let mut jupyter = Command::new(&program);
    jupyter
        .args(lab_args(project, opts))
        .current_dir(project.notebooks())
        // This checkout's own kernelspecs come first (Jupyter searches JUPYTER_PATH first).
        .env("JUPYTER_PATH", project.jupyter_data())
        // The pool of warm kernels (lab/backprop_pool.py).
        .env("PYTHONPATH", project.root.join("lab"));
    // JupyterLab takes this process's place, so a signal sent to it (a service manager's
    // SIGTERM, `kill`) reaches the server, which then shuts its kernels down; as a child it
    // would outlive this process with every kernel it started.
    let failed = std::os::unix::process::CommandExt::exec(&mut jupyter);
    Err(failed).with_context(|| format!("could not start {}", program.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jupyterlab_opens_the_lessons_on_loopback_with_the_course_kernel() {
        let project = Project {
            root: std::path::PathBuf::from("/course"),
        };
        let args = lab_args(
            &project,
            &LabOptions {
                ip: "127.0.0.1".into(),
                port: 8899,
                browser: false,
                as_root: false,
                pool: 0,
                extra: vec![],
            },
        );
        assert_eq!(
            args,
            [
                "--ServerApp.root_dir=/course/notebooks",
                "--ServerApp.ip=127.0.0.1",
                "--ServerApp.port=8899",
                "--ServerApp.open_browser=False",
                "--MappingKernelManager.default_kernel_name=backprop",
                "--MappingKernelManager.kernel_manager_class=kernel_proxy.ProxiedKernelManager",
                "--ServerApp.jpserver_extensions=hangup=True",
                "--ServerApp.kernel_websocket_connection_class=kernel_connection.OwnIdentityConnection",
            ]
        );
        let pooled = lab_args(
            &project,
            &LabOptions {
                ip: "127.0.0.1".into(),
                port: 8899,
                browser: false,
                as_root: true,
                pool: 2,
                extra: vec!["--PooledKernelManager.refill_delay=60".into()],
            },
        );
        assert_eq!(
            pooled[7..],
            [
                "--ServerApp.kernel_manager_class=backprop_pool.PooledKernelManager",
                "--PooledKernelManager.pool_size=2",
                "--ServerApp.kernel_websocket_connection_class=backprop_pool.RenumberingConnection",
                "--ServerApp.allow_root=True",
                "--PooledKernelManager.refill_delay=60",
            ]
        );
    }
}
