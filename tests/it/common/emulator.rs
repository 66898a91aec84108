//! An emulator process started by a test: ready once it prints a line,
//! its output drained for its whole life (a full pipe would stall it),
//! killed when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long an emulator may take to say it is listening.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// A running emulator process, killed on drop.
pub struct Emulator {
    child: Child,
}

impl Emulator {
    /// Spawns `cmd` and waits until a line of its stdout or stderr contains
    /// `ready`; returns that line. Panics with its output if it exits or
    /// stays silent for [`READY_WITHIN`].
    pub fn start(mut cmd: Command, ready: &str) -> (Emulator, String) {
        let program = format!("{:?}", cmd.get_program());
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} does not start: {e}"));
        let (tx, rx) = mpsc::channel();
        let out = child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn std::io::Read + Send>);
        let err = child
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn std::io::Read + Send>);
        for pipe in [out, err].into_iter().flatten() {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    // After start-up nobody listens; keep draining.
                    let _ = tx.send(line);
                }
            });
        }
        drop(tx);
        let emulator = Emulator { child };
        let mut seen = Vec::new();
        let deadline = std::time::Instant::now() + READY_WITHIN;
        let found = tokio::task::block_in_place(|| loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.contains(ready) => break Some(line),
                Ok(line) => seen.push(line),
                Err(_) => break None,
            }
        });
        match found {
            Some(line) => (emulator, line),
            None => panic!(
                "{program} did not print {ready:?} within {READY_WITHIN:?}:\n{}",
                seen.join("\n")
            ),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free on 127.0.0.1 right now, for emulators that cannot bind
/// port 0 and report the port they got.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}
