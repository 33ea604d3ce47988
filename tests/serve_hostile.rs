//! `driftlab serve` against hostile or careless clients: bad paging tokens, idle and half-sent
//! connections by the hundred, a low file-descriptor limit, huge bodies and heads, clients that
//! stop reading, and `kubectl get -w`. The server must answer, close, or refuse: never panic, hang,
//! spin or starve new clients.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common::NIGHT1;
use common::cluster::{ServeSetup, Served};
use serde_json::Value;

/// A status code and body, or what went wrong reading them.
type Reply = Result<(u16, String), String>;

/// Sends `request` on a new connection and reads the reply until the server closes it.
fn exchange(address: &str, request: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(address).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(request)
        .map_err(|e| format!("write: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| format!("read: {e}"))?;
    parse_reply(&response)
}

/// The status code and body of one HTTP/1.1 response.
fn parse_reply(response: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(response);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no complete response: {text:?}"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no status line: {head:?}"))?;
    Ok((status, body.to_string()))
}

/// `GET path` on a new connection.
fn get(address: &str, path: &str) -> Reply {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    exchange(address, request.as_bytes())
}

/// Asserts that `path` is answered with a Kubernetes `Status` of `code` and `reason`.
fn assert_status(address: &str, path: &str, code: u16, reason: &str) -> Value {
    let (status, body) = get(address, path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(status, code, "{path}: {body}");
    let document: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(document["kind"], "Status", "{path}: {body}");
    assert_eq!(document["reason"], reason, "{path}: {body}");
    assert_eq!(document["code"], code, "{path}: {body}");
    document
}

/// The names in a list answered for `path`.
fn list_names(address: &str, path: &str) -> Vec<String> {
    let (status, body) = get(address, path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(status, 200, "{path}: {body}");
    let list: Value = serde_json::from_str(&body).unwrap();
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: no items in {body}"))
        .iter()
        .map(|item| item["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

fn assert_still_serving(served: &Served) {
    let (status, body) = get(served.address(), "/version").expect("the server still answers");
    assert_eq!(status, 200, "{body}");
    assert!(
        !served.stderr().contains("panicked"),
        "the server panicked:\n{}",
        served.stderr()
    );
}

fn setup(env: &[(&str, &str)], nofile: Option<u32>) -> ServeSetup {
    ServeSetup {
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        nofile,
        ..ServeSetup::default()
    }
}

/// CPU time (user + system) the process has used so far.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // The command name may hold spaces; the fields after it are plain numbers.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("stat format")
        .1
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of stat(5); the state (field 3) is fields[0].
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second() as f64)
}

fn clock_ticks_per_second() -> u64 {
    let output = Command::new("getconf").arg("CLK_TCK").output();
    output
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100)
}

/// Resident memory of the process, in KiB.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .expect("VmRSS")
}

/// Opens `count` connections that send nothing.
fn idle_connections(address: &str, count: usize) -> Vec<TcpStream> {
    // The kernel completes these handshakes whether or not the server accepts them.
    (0..count)
        .map(|_| TcpStream::connect(address).expect("connect"))
        .collect()
}

/// Waits until the server closes `stream` (end of file or reset) and returns how long that took,
/// or `None` if it is still open after `limit`. Whatever the server sends first is read and
/// dropped.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buffer = [0u8; 4096];
    loop {
        let left = limit.checked_sub(start.elapsed())?;
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match stream.read(&mut buffer) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return None;
            }
            Err(_) => return Some(start.elapsed()),
        }
    }
}

#[test]
fn paging_tokens_that_overflow_are_bad_requests_and_serving_goes_on() {
    let served = Served::start(NIGHT1);
    let address = served.address();
    let pods = "/api/v1/namespaces/myproject/pods";
    // This one killed the connection with "slice index starts at 3 but ends at 0".
    assert_status(
        address,
        &format!("{pods}?limit=1&continue=o18446744073709551615"),
        400,
        "BadRequest",
    );
    assert_still_serving(&served);
    for query in [
        "limit=abc",
        "limit=1.5",
        "limit=99999999999999999999999",
        "limit=18446744073709551615",
        "continue=x1",
        "continue=o",
        "continue=o-1",
        "continue=o4",
        "continue=o99999999999999999999999",
        "limit=18446744073709551615&continue=o18446744073709551615",
    ] {
        assert_status(address, &format!("{pods}?{query}"), 400, "BadRequest");
    }
    let all = list_names(address, pods);
    assert_eq!(all.len(), 3, "{all:?}");
    // Limits a real API server reads as "no limit" or "the rest" give pages, not errors.
    for query in ["limit=0", "limit=-5", "limit=9223372036854775807"] {
        assert_eq!(
            list_names(address, &format!("{pods}?{query}")),
            all,
            "{query}"
        );
    }
    assert_eq!(
        list_names(
            address,
            &format!("{pods}?limit=9223372036854775807&continue=o1")
        ),
        &all[1..]
    );
    assert!(list_names(address, &format!("{pods}?limit=1&continue=o3")).is_empty());
    assert_still_serving(&served);
}

#[test]
fn idle_connections_under_a_low_descriptor_limit_neither_spin_nor_starve_new_clients() {
    let served = Served::start_with(NIGHT1, &setup(&[], Some(64)));
    let idle = idle_connections(served.address(), 100);
    // Let the server meet them all.
    std::thread::sleep(Duration::from_millis(500));
    let before = cpu_time(served.pid());
    std::thread::sleep(Duration::from_secs(3));
    let spent = cpu_time(served.pid()) - before;
    eprintln!("CPU time over 3 s with 100 idle connections under ulimit -n 64: {spent:?}");
    assert!(
        spent < Duration::from_secs(1),
        "the server spun: {spent:?} of CPU in 3 s"
    );
    let start = Instant::now();
    let (status, body) =
        get(served.address(), "/api/v1/namespaces/myproject/pods").expect("a new client is served");
    assert_eq!(status, 200, "{body}");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "a new client waited {:?}",
        start.elapsed()
    );
    // The connection limit follows the descriptor limit: accept never ran out of descriptors.
    assert!(
        !served.stderr().contains("cannot accept"),
        "{}",
        served.stderr()
    );
    drop(idle);
    assert_still_serving(&served);
}

#[test]
fn accept_errors_back_off_instead_of_spinning() {
    // A connection limit above what the descriptors allow: accept fails with EMFILE, and the
    // server must wait for a connection to go (here after a 1 s header timeout) without spinning.
    let env = [
        ("DRIFTLAB_SERVE_MAX_CONNECTIONS", "1000"),
        ("DRIFTLAB_SERVE_HEADER_TIMEOUT_MS", "1000"),
    ];
    let served = Served::start_with(NIGHT1, &setup(&env, Some(64)));
    let idle = idle_connections(served.address(), 100);
    std::thread::sleep(Duration::from_millis(200));
    let before = cpu_time(served.pid());
    std::thread::sleep(Duration::from_secs(3));
    let spent = cpu_time(served.pid()) - before;
    eprintln!("CPU time over 3 s while accept fails with EMFILE: {spent:?}");
    assert!(
        spent < Duration::from_secs(1),
        "the server spun: {spent:?} of CPU in 3 s"
    );
    let start = Instant::now();
    let (status, body) = get(served.address(), "/version").expect("a new client is served");
    assert_eq!(status, 200, "{body}");
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "a new client waited {:?}",
        start.elapsed()
    );
    // The errors did happen, and were said once per run of them, not once per failed accept.
    let said = served.stderr().matches("cannot accept connections").count();
    assert!((1..=5).contains(&said), "{}", served.stderr());
    drop(idle);
    assert_still_serving(&served);
}

#[test]
fn half_sent_requests_are_closed_after_the_header_timeout() {
    let served = Served::start_with(
        NIGHT1,
        &setup(&[("DRIFTLAB_SERVE_HEADER_TIMEOUT_MS", "1000")], None),
    );
    let mut connections: Vec<TcpStream> = (0..1000)
        .map(|_| {
            let mut stream = TcpStream::connect(served.address()).expect("connect");
            stream
                .write_all(b"GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nAccept: ")
                .expect("half a request");
            stream
        })
        .collect();
    let start = Instant::now();
    for (i, stream) in connections.iter_mut().enumerate() {
        let left = Duration::from_secs(6).saturating_sub(start.elapsed());
        assert!(
            closed_within(stream, left).is_some(),
            "connection {i} is still open after {:?}",
            start.elapsed()
        );
    }
    drop(connections);
    assert_still_serving(&served);
}

#[test]
fn half_sent_requests_do_not_lock_new_clients_out() {
    // More half-sent requests than connection slots, with the default 10 s header timeout: the
    // ones that hold the slots make room for each new client.
    let served = Served::start(NIGHT1);
    let connections: Vec<TcpStream> = (0..600)
        .map(|_| {
            let mut stream = TcpStream::connect(served.address()).expect("connect");
            stream
                .write_all(b"GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nAccept: ")
                .expect("half a request");
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..3 {
        let start = Instant::now();
        let (status, body) = get(served.address(), "/version").expect("a new client is served");
        assert_eq!(status, 200, "{body}");
        assert!(
            start.elapsed() < Duration::from_secs(4),
            "a new client waited {:?}",
            start.elapsed()
        );
    }
    drop(connections);
    assert_still_serving(&served);
}

#[test]
fn clients_that_stall_after_a_request_make_room_too() {
    // Connections that get one answer, then send half of their next request: each holds a slot
    // for the 10 s header timeout unless the server takes it back for a new client.
    let served = Served::start_with(
        NIGHT1,
        &setup(&[("DRIFTLAB_SERVE_MAX_CONNECTIONS", "20")], None),
    );
    let stalled: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut stream = TcpStream::connect(served.address()).expect("connect");
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            stream
                .write_all(b"GET /version HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            let mut buffer = [0u8; 4096];
            let n = stream.read(&mut buffer).expect("an answer");
            assert!(buffer[..n].starts_with(b"HTTP/1.1 200"));
            stream.write_all(b"GET /version HTTP/1.1\r\nHo").unwrap();
            stream
        })
        .collect();
    for _ in 0..3 {
        let start = Instant::now();
        let (status, body) = get(served.address(), "/version").expect("a new client is served");
        assert_eq!(status, 200, "{body}");
        assert!(
            start.elapsed() < Duration::from_secs(4),
            "a new client waited {:?}",
            start.elapsed()
        );
    }
    drop(stalled);
    assert_still_serving(&served);
}

#[test]
fn the_default_header_timeout_is_ten_seconds() {
    let served = Served::start(NIGHT1);
    let mut stream = TcpStream::connect(served.address()).unwrap();
    stream.write_all(b"GET /version HTTP/1.1\r\nHo").unwrap();
    let waited = closed_within(&mut stream, Duration::from_secs(14))
        .expect("a half-sent request is closed after about 10 s");
    assert!(waited > Duration::from_secs(8), "closed after {waited:?}");
}

#[test]
fn idle_keep_alive_connections_are_closed() {
    let served = Served::start_with(
        NIGHT1,
        &setup(&[("DRIFTLAB_SERVE_HEADER_TIMEOUT_MS", "1000")], None),
    );
    let mut stream = TcpStream::connect(served.address()).unwrap();
    let request = "GET /version HTTP/1.1\r\nHost: x\r\n\r\n";
    stream.write_all(request.as_bytes()).unwrap();
    let mut buffer = [0u8; 4096];
    let n = stream.read(&mut buffer).unwrap();
    assert!(String::from_utf8_lossy(&buffer[..n]).starts_with("HTTP/1.1 200"));
    // The connection stays usable for a second request...
    stream.write_all(request.as_bytes()).unwrap();
    let n = stream.read(&mut buffer).unwrap();
    assert!(String::from_utf8_lossy(&buffer[..n]).starts_with("HTTP/1.1 200"));
    // ...and is closed once idle for longer than the timeout.
    let waited = closed_within(&mut stream, Duration::from_secs(5))
        .expect("an idle keep-alive connection is closed");
    assert!(
        waited > Duration::from_millis(500),
        "closed after {waited:?}"
    );
}

#[test]
fn full_connection_slots_go_to_new_clients_first() {
    // A limit of 4 connections and 50 idle ones: the idle ones make room for each new client.
    let served = Served::start_with(
        NIGHT1,
        &setup(&[("DRIFTLAB_SERVE_MAX_CONNECTIONS", "4")], None),
    );
    let idle = idle_connections(served.address(), 50);
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..5 {
        let start = Instant::now();
        let (status, body) = get(served.address(), "/version").expect("served");
        assert_eq!(status, 200, "{body}");
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
    }
    drop(idle);
    assert_still_serving(&served);
}

#[test]
fn a_huge_body_on_a_write_verb_is_refused_without_being_read() {
    let served = Served::start(NIGHT1);
    let rss_before = resident_kib(served.pid());
    let mut stream = TcpStream::connect(served.address()).unwrap();
    stream
        .write_all(
            b"PUT /api/v1/namespaces/myproject/configmaps/web-config HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n",
        )
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // Send up to 256 MiB; the server should have answered and closed long before.
    let chunk = vec![b'x'; 1 << 20];
    let mut sent = 0usize;
    while sent < 256 << 20 {
        match stream.write(&chunk) {
            Ok(n) => sent += n,
            Err(_) => break,
        }
    }
    eprintln!("the server took {} MiB of a 10 GB body", sent >> 20);
    assert!(sent < 64 << 20, "the server read {} MiB", sent >> 20);
    let growth = resident_kib(served.pid()).saturating_sub(rss_before);
    assert!(growth < 32 << 10, "the server grew by {growth} KiB");
    assert_still_serving(&served);
    // A small body gets a proper answer: 405 and a Status saying why.
    let body = r#"{"kind":"ConfigMap"}"#;
    let request = format!(
        "POST /api/v1/namespaces/myproject/configmaps HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (status, body) = exchange(served.address(), request.as_bytes()).unwrap();
    assert_eq!(status, 405, "{body}");
    assert!(body.contains("MethodNotAllowed"), "{body}");
}

#[test]
fn an_oversized_request_head_is_refused() {
    let served = Served::start(NIGHT1);
    let rss_before = resident_kib(served.pid());
    let long_path = format!("/api/v1/pods?labelSelector={}", "a".repeat(1 << 20));
    let request = format!("GET {long_path} HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut stream = TcpStream::connect(served.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The server may stop reading (and close) before all of it is sent.
    let _ = stream.write_all(request.as_bytes());
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 431"),
        "an oversized head got: {text:?}"
    );
    let mut flood = String::from("GET /version HTTP/1.1\r\nHost: x\r\n");
    for i in 0..5000 {
        flood.push_str(&format!("X-Flood-{i}: {}\r\n", "v".repeat(100)));
    }
    flood.push_str("\r\n");
    let mut stream = TcpStream::connect(served.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(flood.as_bytes());
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 431"),
        "a header flood got: {text:?}"
    );
    let growth = resident_kib(served.pid()).saturating_sub(rss_before);
    assert!(growth < 16 << 10, "the server grew by {growth} KiB");
    assert_still_serving(&served);
}

#[test]
fn a_client_that_stops_reading_is_dropped_after_the_write_timeout() {
    let served = Served::start_with(
        NIGHT1,
        &setup(&[("DRIFTLAB_SERVE_WRITE_TIMEOUT_MS", "1000")], None),
    );
    let (status, one) = get(served.address(), "/api/v1/pods").unwrap();
    assert_eq!(status, 200);
    // Enough pipelined requests that their answers overflow every socket buffer in between.
    let count = (64 << 20) / one.len() + 1;
    let request = "GET /api/v1/pods HTTP/1.1\r\nHost: x\r\n\r\n".repeat(count);
    let stream = TcpStream::connect(served.address()).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(request.as_bytes());
    });
    // Read nothing for a while: the server's writes stall.
    std::thread::sleep(Duration::from_secs(4));
    let mut reader = stream;
    reader
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut received = 0usize;
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => received += n,
        }
    }
    let _ = reader.shutdown(std::net::Shutdown::Both);
    let _ = sender.join();
    assert!(
        received < count * one.len(),
        "the server kept the stalled connection and sent all {received} bytes"
    );
    assert_still_serving(&served);
}

/// The events of a watch of `path` (which must end by itself: `timeoutSeconds`).
fn watch_events(url: &str, path: &str) -> Vec<Value> {
    let (status, body) = common::cluster::request(url, "GET", path);
    assert_eq!(status, 200, "{path}: {body}");
    body.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}: {e}: {line}")))
        .collect()
}

#[test]
fn watch_requests_replay_the_snapshot_and_end_at_their_timeout() {
    let served = Served::start(NIGHT1);
    let names = |events: &[Value]| -> Vec<String> {
        events
            .iter()
            .filter(|e| e["type"] == "ADDED")
            .map(|e| {
                e["object"]["metadata"]["name"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let start = Instant::now();
    for path in [
        "/api/v1/namespaces/myproject/pods?watch=true&timeoutSeconds=1",
        "/api/v1/namespaces/myproject/pods?watch=1&resourceVersion=0&timeoutSeconds=1",
        "/api/v1/watch/namespaces/myproject/pods?timeoutSeconds=1",
    ] {
        let events = watch_events(&served.url, path);
        assert_eq!(names(&events).len(), 3, "{path}: {events:?}");
        assert_eq!(events[0]["object"]["apiVersion"], "v1", "{path}");
    }
    assert!(
        start.elapsed() >= Duration::from_secs(3),
        "the watches waited out their timeout"
    );
    let one = watch_events(
        &served.url,
        "/apis/apps.openshift.io/v1/watch/namespaces/myproject/deploymentconfigs/web?timeoutSeconds=1",
    );
    assert_eq!(names(&one), ["web"]);
    // A client that has the snapshot's version has nothing to replay; a bookmark when asked.
    let path = "/api/v1/namespaces/myproject/pods?watch=true&resourceVersion=1&timeoutSeconds=1";
    assert!(watch_events(&served.url, path).is_empty());
    let bookmark = watch_events(&served.url, &format!("{path}&allowWatchBookmarks=true"));
    assert_eq!(bookmark.len(), 1, "{bookmark:?}");
    assert_eq!(bookmark[0]["type"], "BOOKMARK");
    assert_eq!(bookmark[0]["object"]["metadata"]["resourceVersion"], "1");
    // A watch list: every object, then the bookmark that ends the initial events.
    let events = watch_events(
        &served.url,
        &format!(
            "{path}&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
        ),
    );
    assert_eq!(names(&events).len(), 3, "{events:?}");
    let last = events.last().unwrap();
    assert_eq!(last["type"], "BOOKMARK");
    assert_eq!(
        last["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    let address = served.address();
    assert_eq!(
        list_names(address, "/api/v1/namespaces/myproject/pods?watch=false").len(),
        3
    );
    assert_status(
        address,
        "/api/v1/namespaces/myproject/pods?watch=maybe",
        400,
        "BadRequest",
    );
    assert_still_serving(&served);
}

#[test]
fn kubectl_get_watch_prints_the_list_and_ends_at_the_request_timeout() {
    let Some(kubectl) = common::skip::kubectl() else {
        return;
    };
    let served = Served::start(NIGHT1);
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("empty-kubeconfig");
    std::fs::write(&config, "apiVersion: v1\nkind: Config\n").unwrap();
    let start = Instant::now();
    let output = common::run_with_deadline(
        Command::new(&kubectl)
            .args(["--server", &served.url, "get", "pods", "-n", "myproject"])
            .args(["-w", "--request-timeout=3s"])
            .env("KUBECONFIG", &config)
            .env("HOME", home.path()),
        Duration::from_secs(30),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    // kubectl ends a watch at its request timeout quietly, with success.
    assert!(output.status.success(), "kubectl get -w failed:\n{stderr}");
    assert!(!stderr.contains("InternalError"), "{stderr}");
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(15),
        "{elapsed:?}"
    );
    // The list kubectl prints before it watches, once: the watch resumes from the list's version.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.matches("web-3-abcde").count(), 1, "{stdout}");
    assert_still_serving(&served);
}
