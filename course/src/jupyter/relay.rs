//! The relay inside a sandbox: the kernel listens on loopback ports in a network namespace
//! of its own, which the grader cannot reach; the relay joins each port to a Unix socket in
//! the kernel's run folder, which the grader can.

use super::sandbox::PORTS_INSIDE;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::net::{TcpStream, UnixListener};

/// What a Jupyter client with the `ipc` transport takes as its `ip` to reach the relay in run
/// folder `dir`: it connects to `PREFIX-PORT`.
pub fn socket_prefix(dir: &Path) -> PathBuf {
    dir.join("kernel")
}

/// The Unix socket that stands for `port` in run folder `dir`.
pub fn socket_path(dir: &Path, port: u16) -> PathBuf {
    PathBuf::from(format!("{}-{port}", socket_prefix(dir).display()))
}

/// Listens on a Unix socket for each kernel port in `dir`, starts `argv` (the kernel), and
/// relays every connection to its port until the kernel exits; returns its exit code.
pub async fn run(dir: &Path, argv: &[String]) -> std::io::Result<i32> {
    let Some((program, args)) = argv.split_first() else {
        return Err(std::io::Error::other("no kernel command to run"));
    };
    for port in PORTS_INSIDE {
        let path = socket_path(dir, port);
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path)?;
        tokio::spawn(accept(listener, port));
    }
    let status = tokio::process::Command::new(program)
        .args(args)
        .status()
        .await?;
    Ok(status.code().unwrap_or(1))
}

async fn accept(listener: UnixListener, port: u16) {
    while let Ok((mut unix, _)) = listener.accept().await {
        tokio::spawn(async move {
            if let Some(mut tcp) = connect(port).await {
                let _ = tokio::io::copy_bidirectional(&mut unix, &mut tcp).await;
            }
        });
    }
}

/// Connects to the kernel's port, waiting while the kernel starts (up to two minutes).
async fn connect(port: u16) -> Option<TcpStream> {
    for _ in 0..2400 {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)).await {
            return Some(stream);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn bytes_cross_the_relay_both_ways_while_the_program_runs() {
        let dir = tempfile::tempdir().unwrap();
        let echo = tokio::net::TcpListener::bind(("127.0.0.1", PORTS_INSIDE[0])).await;
        let Ok(echo) = echo else {
            // The port is taken on this machine (another test's kernel); nothing to prove here.
            return;
        };
        tokio::spawn(async move {
            let (mut s, _) = echo.accept().await.unwrap();
            let mut buf = [0u8; 5];
            s.read_exact(&mut buf).await.unwrap();
            buf.reverse();
            s.write_all(&buf).await.unwrap();
        });
        let path = dir.path().to_path_buf();
        let relay =
            tokio::spawn(async move { run(&path, &["sleep".into(), "2".into()]).await.unwrap() });
        let socket = socket_path(dir.path(), PORTS_INSIDE[0]);
        let mut client = loop {
            if let Ok(c) = tokio::net::UnixStream::connect(&socket).await {
                break c;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        client.write_all(b"hello").await.unwrap();
        let mut back = [0u8; 5];
        client.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"olleh");
        assert_eq!(relay.await.unwrap(), 0);
    }
}
