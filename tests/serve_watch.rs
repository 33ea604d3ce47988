//! Watches against `driftlab serve`'s limits: a quiet watch is not a stalled client, it gives its
//! connection slot up when a new client needs one, and the server stops with watches open.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::NIGHT1;
use common::cluster::{ServeSetup, Served};

fn serve_with(env: &[(&str, &str)]) -> Served {
    Served::start_with(
        NIGHT1,
        &ServeSetup {
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..ServeSetup::default()
        },
    )
}

/// A watch of the pods of `myproject` on a new connection, its request sent.
fn open_watch(address: &str, timeout_seconds: u32) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("server reachable");
    write!(
        stream,
        "GET /api/v1/namespaces/myproject/pods?watch=true&timeoutSeconds={timeout_seconds} HTTP/1.1\r\n\
         Host: {address}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    )
    .expect("request written");
    stream
}

/// Reads `stream` to its end (at most `limit`): what came, and how long it took.
fn read_to_end(stream: &mut TcpStream, limit: Duration) -> (String, Duration) {
    stream.set_read_timeout(Some(limit)).unwrap();
    let start = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(e) => panic!(
                "the watch did not end within {limit:?} ({e}):\n{}",
                String::from_utf8_lossy(&received)
            ),
        }
    }
    (
        String::from_utf8_lossy(&received).into_owned(),
        start.elapsed(),
    )
}

#[test]
fn a_quiet_watch_outlives_the_write_timeout_and_ends_at_its_own() {
    let served = serve_with(&[("DRIFTLAB_SERVE_WRITE_TIMEOUT_MS", "300")]);
    let mut watch = open_watch(served.address(), 3);
    let (text, took) = read_to_end(&mut watch, Duration::from_secs(20));
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert_eq!(text.matches("\"type\":\"ADDED\"").count(), 3, "{text}");
    // Ended by its timeout, cleanly (the last chunk), not cut as a stalled client.
    assert!(text.ends_with("0\r\n\r\n"), "{text:?}");
    assert!(took >= Duration::from_millis(2500), "{took:?}");
}

#[test]
fn a_watch_gives_its_slot_to_a_new_client() {
    let served = serve_with(&[("DRIFTLAB_SERVE_MAX_CONNECTIONS", "1")]);
    let mut watch = open_watch(served.address(), 600);
    // The watch holds the only slot; wait until it is answering.
    let mut first = [0u8; 12];
    watch.read_exact(&mut first).expect("the watch answers");
    assert_eq!(&first, b"HTTP/1.1 200");
    let start = Instant::now();
    let (status, body) = common::cluster::request(&served.url, "GET", "/version");
    assert_eq!(status, 200, "{body}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // The watch was ended to make room, well before its ten minutes.
    let (rest, _) = read_to_end(&mut watch, Duration::from_secs(10));
    assert!(rest.ends_with("0\r\n\r\n"), "{rest:?}");
}

/// Whether process `pid` has ended (gone, or a zombie waiting for its parent).
fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn the_server_stops_on_interrupt_with_watches_open() {
    let served = serve_with(&[]);
    let mut watches: Vec<TcpStream> = (0..3).map(|_| open_watch(served.address(), 600)).collect();
    for watch in &mut watches {
        let mut first = [0u8; 12];
        watch.read_exact(&mut first).expect("the watch answers");
    }
    let pid = served.pid();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let start = Instant::now();
    while !ended(pid) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "serve still running with watches open:\n{}",
            served.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!served.stderr().contains("panicked"), "{}", served.stderr());
}
