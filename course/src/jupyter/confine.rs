//! Confining the process that runs a submission's code, inside the sandbox.
//!
//! The sandbox ([`super::sandbox`]) seals a whole kernel off from the machine, but inside it
//! evcxr's build folder, `/tmp` and `$HOME` stay writable, for evcxr and cargo and so for the
//! code's process too, and the kernel's own ports answer on its loopback. The library built
//! here from `course/preload/confine.rs` (carried in this program) is loaded into every
//! sandboxed process through `LD_PRELOAD` and confines one of them with Landlock as it
//! starts: evcxr's child, which runs the cells' code (again after `:clear` or a crash). It
//! then writes only in its working folder, opens no TCP connection, and signals no process
//! outside itself; see that file's notes.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The library's source.
pub const SOURCE: &str = include_str!("../../preload/confine.rs");

/// Where the library is inside the sandbox.
pub const INSIDE: &str = "/run/confine/libbackprop_confine.so";

/// The environment that loads the library and makes confinement required: a code process
/// that cannot be confined ends before any cell's code runs.
pub fn preload_env(library: &str) -> [(&'static str, String); 2] {
    [
        ("LD_PRELOAD", library.to_string()),
        ("BACKPROP_CONFINE", "required".to_string()),
    ]
}

/// Builds the library into `dir` (once for this source and toolchain) and checks that it
/// confines a process on this machine; the library's path, or why it cannot be used.
pub fn prepare(dir: &Path) -> Result<PathBuf, String> {
    let library = build(dir)?;
    check(&library)?;
    Ok(library)
}

/// Builds the library with the toolchain's `rustc`, named by a hash of its source and of
/// `rustc --version`, unless that file is already there.
pub fn build(dir: &Path) -> Result<PathBuf, String> {
    let version = Command::new("rustc")
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let mut hash = std::collections::hash_map::DefaultHasher::new();
    SOURCE.hash(&mut hash);
    version.stdout.hash(&mut hash);
    let library = dir.join(format!("libbackprop_confine-{:016x}.so", hash.finish()));
    if library.is_file() {
        return Ok(library);
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let source = dir.join("confine.rs");
    std::fs::write(&source, SOURCE)
        .map_err(|e| format!("cannot write {}: {e}", source.display()))?;
    let building = dir.join(format!("building-{}.so", std::process::id()));
    let out = Command::new("rustc")
        .args(["--edition", "2024", "--crate-type", "cdylib"])
        .args(["--crate-name", "backprop_confine", "-C", "panic=abort"])
        .args(["-C", "opt-level=2", "-C", "strip=symbols", "-o"])
        .arg(&building)
        .arg(&source)
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rustc could not build {}: {}",
            source.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    std::fs::rename(&building, &library)
        .map_err(|e| format!("cannot move the library to {}: {e}", library.display()))?;
    Ok(library)
}

/// Runs a shell as evcxr runs its child, with the library loaded: it must write in its working
/// folder and be refused one folder up.
pub fn check(library: &Path) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a folder to test in: {e}"))?;
    let work = dir.path().join("work");
    std::fs::create_dir(&work).map_err(|e| e.to_string())?;
    let outside = dir.path().join("outside");
    let script = "echo x > inside || exit 3; (echo x > \"$0\") 2>/dev/null && exit 4; exit 0";
    let out = Command::new("sh")
        .args(["-c", script])
        .arg(&outside)
        .current_dir(&work)
        .env("EVCXR_IS_RUNTIME", "1")
        .envs(preload_env(&library.display().to_string()))
        .output()
        .map_err(|e| format!("cannot run sh: {e}"))?;
    let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
    match out.status.code() {
        Some(0) if !outside.exists() && work.join("inside").is_file() => Ok(()),
        Some(3) => Err(format!(
            "a confined process could not write in its own folder: {said}"
        )),
        Some(4) | Some(0) => {
            Err("a process with the library loaded wrote outside its folder".into())
        }
        _ => Err(format!(
            "a process with the library loaded failed ({}): {said}",
            out.status
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// Runs `script` in `shell` in `work` with the library loaded, as evcxr's child
    /// (`runtime`) or as any other program.
    fn run(
        shell: &str,
        library: &Path,
        work: &Path,
        runtime: bool,
        script: &str,
    ) -> std::process::Output {
        let mut command = Command::new(shell);
        command
            .args(["-c", script])
            .current_dir(work)
            .envs(preload_env(&library.display().to_string()));
        if runtime {
            command.env("EVCXR_IS_RUNTIME", "1");
        }
        command.output().unwrap()
    }

    #[test]
    fn the_code_process_writes_only_beneath_its_folder_and_other_programs_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let library = prepare(&dir.path().join("lib")).unwrap();
        assert_eq!(build(&dir.path().join("lib")).unwrap(), library);
        let work = dir.path().join("work");
        std::fs::create_dir(&work).unwrap();
        let script = "mkdir -p deep/er && echo a > deep/er/a && rm deep/er/a && echo b > /dev/null \
                      && echo ok; echo c > ../c || echo refused-up; echo d > /dev/shm/backprop-t-$$ \
                      || echo refused-shm; mkdir ../d || echo refused-mkdir";
        let out = run("sh", &library, &work, true, script);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            ["ok", "refused-up", "refused-shm", "refused-mkdir"],
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!dir.path().join("c").exists() && !dir.path().join("d").exists());
        // cargo, rustc and evcxr itself load the library too, and are not confined.
        let out = run(
            "sh",
            &library,
            &work,
            false,
            "echo c > ../c && echo written",
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), "written\n");
    }

    #[test]
    fn the_code_process_reaches_no_tcp_port() {
        let dir = tempfile::tempdir().unwrap();
        let library = prepare(&dir.path().join("lib")).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // bash opens a TCP connection for a redirection to /dev/tcp/HOST/PORT.
        let script = format!("exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected");
        let bash = |runtime: bool| run("bash", &library, dir.path(), runtime, &script);
        let confined = bash(true);
        assert_eq!(String::from_utf8_lossy(&confined.stdout), "");
        assert!(
            String::from_utf8_lossy(&confined.stderr).contains("Permission denied"),
            "{}",
            String::from_utf8_lossy(&confined.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&bash(false).stdout), "connected\n");
    }
}
