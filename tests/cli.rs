//! The command line as an operator uses it: `greenict migrate` ahead of instances started with
//! `auto_migrate = false` (the several-instances set-up), with `/readyz` telling a load balancer when an
//! instance can serve. Real processes on loopback.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn greenict() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_greenict"));
    c.env("GREENICT_LOG", "warn").env_remove("GREENICT_DATABASE_URL");
    c
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The status code of `GET path`, or None while nothing listens.
fn status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut reply = String::new();
    s.read_to_string(&mut reply).ok()?;
    reply.split_whitespace().nth(1)?.parse().ok()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(port: u16, path: &str, want: u16) -> u16 {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = 0;
    while Instant::now() < deadline {
        if let Some(code) = status(port, path) {
            last = code;
            if code == want {
                return code;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    last
}

#[test]
fn an_instance_without_auto_migrate_is_not_ready_until_greenict_migrate_runs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let port = free_port();
    let server = Server(
        greenict()
            .args(["serve", "--port", &port.to_string(), "--data-dir"])
            .arg(&data)
            .env("GREENICT_AUTO_MIGRATE", "false")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    assert_eq!(wait_for(port, "/healthz", 200), 200, "alive");
    assert_eq!(status(port, "/readyz"), Some(503), "an unmigrated database is not ready");

    let out = greenict().arg("migrate").arg("--data-dir").arg(&data).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(wait_for(port, "/readyz", 200), 200, "ready once migrated, without a restart");
    assert_eq!(status(port, "/api/v1/sites"), Some(401), "the register needs sign-in");
    drop(server);

    // Migrating again is harmless.
    let out = greenict().arg("migrate").arg("--data-dir").arg(&data).output().unwrap();
    assert!(out.status.success());
}
