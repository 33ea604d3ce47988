//! A test cluster: `driftlab serve` on a random loopback port, a kubeconfig pointing at it, and a
//! fault-injecting proxy that can stand in between.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `driftlab export -A -q ARGS…` of the cluster `served`, through a kubeconfig of its own.
pub fn export_all(served: &Served, args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .env("KUBECONFIG", kubeconfig(home.path(), &served.url))
        .args(["export", "-A", "-q"])
        .args(args)
        .output()
        .unwrap()
}

/// `driftlab serve SNAPSHOT` on a free loopback port; killed when dropped.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    stderr: Arc<Mutex<String>>,
}

/// How to start `driftlab serve` beyond the defaults.
#[derive(Clone, Debug, Default)]
pub struct ServeSetup {
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// A file-descriptor limit (`ulimit -n`) to start the server under.
    pub nofile: Option<u32>,
    /// More `driftlab serve` flags (`--show-secrets`).
    pub flags: Vec<String>,
}

impl Served {
    /// Serves `snapshot` (any path the readers accept).
    pub fn start(snapshot: &str) -> Served {
        Served::start_with(snapshot, &ServeSetup::default())
    }

    /// Serves `snapshot` with the environment and limits of `setup`.
    pub fn start_with(snapshot: &str, setup: &ServeSetup) -> Served {
        let binary = env!("CARGO_BIN_EXE_driftlab");
        let mut command = match setup.nofile {
            // `exec` keeps the pid: the child is the server itself, not a shell around it.
            Some(limit) => {
                let mut shell = Command::new("sh");
                shell
                    .arg("-c")
                    .arg(format!(
                        "ulimit -n {limit} && snapshot=\"$1\" && shift && exec \"$0\" serve \"$snapshot\" --listen 127.0.0.1:0 \"$@\""
                    ))
                    .args([binary, snapshot])
                    .args(&setup.flags);
                shell
            }
            None => {
                let mut direct = Command::new(binary);
                direct
                    .args(["serve", snapshot, "--listen", "127.0.0.1:0"])
                    .args(&setup.flags);
                direct
            }
        };
        let mut child = command
            .envs(setup.env.iter().map(|(k, v)| (k, v)))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("driftlab serve starts");
        let stderr: Arc<Mutex<String>> = Arc::default();
        let mut pipe = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        // Keep what serve says on stderr (a panic message, say) for the tests to look at.
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        stdout.read_line(&mut first).expect("serve prints its URL");
        // Keep draining what serve prints, so it never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let url = first.trim().rsplit(' ').next().expect("URL").to_string();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "{first}{}",
            stderr.lock().unwrap()
        );
        Served { child, url, stderr }
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a kubeconfig for `server` into `dir` and returns its path.
pub fn kubeconfig(dir: &Path, server: &str) -> PathBuf {
    let path = dir.join("kubeconfig.yaml");
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster: {{server: \"{server}\"}}\n  name: test\n\
         contexts:\n- context: {{cluster: test, user: tester}}\n  name: test\ncurrent-context: test\n\
         users:\n- name: tester\n  user: {{token: test-token}}\n"
    );
    std::fs::write(&path, text).expect("kubeconfig written");
    path
}

/// What the proxy does to a request that matches a rule.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this status, extra headers and body, instead of the server.
    Status(u16, Vec<(String, String)>, String),
    /// Forward, then cut the connection halfway through the response body.
    DropMidBody,
    /// Wait, then forward.
    Delay(Duration),
}

#[derive(Clone, Debug)]
struct Rule {
    path_contains: String,
    query_contains: String,
    remaining: usize,
    fault: Fault,
}

/// A request the proxy saw: when, and its target (`/path?query`).
#[derive(Clone, Debug)]
pub struct Seen {
    /// When it arrived.
    pub at: Instant,
    /// Path and query.
    pub target: String,
}

/// An HTTP/1.1 proxy in front of an API server that injects faults by rule.
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    rules: Arc<Mutex<Vec<Rule>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FaultProxy {
    /// A proxy forwarding to `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> FaultProxy {
        let upstream = upstream.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (r, s) = (rules.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, s, upstream) = (r.clone(), s.clone(), upstream.clone());
                std::thread::spawn(move || connection(stream, &upstream, &r, &s));
            }
        });
        FaultProxy { url, rules, seen }
    }

    /// Applies `fault` to the next `times` requests whose path contains `path` (or, written with a
    /// trailing `$`, is exactly it) and whose query contains `query` (empty: any).
    pub fn fault(&self, path: &str, query: &str, times: usize, fault: Fault) {
        self.rules.lock().unwrap().push(Rule {
            path_contains: path.into(),
            query_contains: query.into(),
            remaining: times,
            fault,
        });
    }

    /// The requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Holds the next request whose path contains `path` unanswered for two minutes (longer than
    /// any test waits): a test that sees it arrive ([`FaultProxy::wait_for`]) knows that the
    /// client is waiting on it until the test is over.
    pub fn hold(&self, path: &str) {
        self.fault(path, "", 1, Fault::Delay(Duration::from_secs(120)));
    }

    /// Waits up to `timeout` for a request whose path contains `path`; whether one came.
    pub fn wait_for(&self, path: &str, timeout: Duration) -> bool {
        let started = Instant::now();
        while self.seen_paths(path).is_empty() {
            if started.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }

    /// The targets of requests seen whose path contains `path`.
    pub fn seen_paths(&self, path: &str) -> Vec<String> {
        self.seen()
            .into_iter()
            .filter(|s| s.target.split('?').next().unwrap_or("").contains(path))
            .map(|s| s.target)
            .collect()
    }
}

fn connection(
    mut client: TcpStream,
    upstream: &str,
    rules: &Mutex<Vec<Rule>>,
    seen: &Mutex<Vec<Seen>>,
) {
    let mut reader = BufReader::new(client.try_clone().expect("clone"));
    loop {
        // One request: the request line and headers (the client only sends GETs).
        let mut head = String::new();
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        seen.lock().unwrap().push(Seen {
            at: Instant::now(),
            target: target.clone(),
        });
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let fault = {
            let mut rules = rules.lock().unwrap();
            rules
                .iter_mut()
                .find(|r| {
                    let path_ok = match r.path_contains.strip_suffix('$') {
                        Some(exact) => path == exact,
                        None => path.contains(&r.path_contains),
                    };
                    r.remaining > 0 && path_ok && query.contains(&r.query_contains)
                })
                .map(|r| {
                    r.remaining -= 1;
                    r.fault.clone()
                })
        };
        match fault {
            Some(Fault::Status(code, headers, body)) => {
                let mut response = format!(
                    "HTTP/1.1 {code} Injected\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    response.push_str(&format!("{name}: {value}\r\n"));
                }
                response.push_str("\r\n");
                response.push_str(&body);
                if client.write_all(response.as_bytes()).is_err() {
                    return;
                }
            }
            Some(Fault::DropMidBody) => {
                let response = forward(upstream, &head);
                let cut = response.len() - (response.len() - header_end(&response)) / 2;
                let _ = client.write_all(&response[..cut]);
                let _ = client.shutdown(Shutdown::Both);
                return;
            }
            Some(Fault::Delay(wait)) => {
                std::thread::sleep(wait);
                if client.write_all(&forward(upstream, &head)).is_err() {
                    return;
                }
            }
            None => {
                if client.write_all(&forward(upstream, &head)).is_err() {
                    return;
                }
            }
        }
    }
}

/// Sends the request upstream on a fresh connection and returns the whole response.
fn forward(upstream: &str, head: &str) -> Vec<u8> {
    let mut server = TcpStream::connect(upstream).expect("upstream reachable");
    let mut request: String = head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    request.push_str("Connection: close\r\n\r\n");
    server
        .write_all(request.as_bytes())
        .expect("upstream write");
    let mut response = Vec::new();
    server.read_to_end(&mut response).expect("upstream read");
    // Keep the client's connection open: drop the upstream's "connection: close".
    let end = header_end(&response);
    let head = String::from_utf8_lossy(&response[..end]).to_string();
    let head: String = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect::<Vec<_>>()
        .join("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&response[end..]);
    out
}

fn header_end(response: &[u8]) -> usize {
    response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(response.len(), |p| p + 2)
}

/// One request with `method` (and no body) to `path` of the server at `url`, on a new
/// connection: the status code and the body (de-chunked).
pub fn request(url: &str, method: &str, path: &str) -> (u16, String) {
    let address = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("server reachable");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nAccept: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("request written");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("response read");
    let end = header_end(&response);
    let head = String::from_utf8_lossy(&response[..end]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let mut body = response[(end + 2).min(response.len())..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        let mut plain = Vec::new();
        let mut rest = &body[..];
        while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..line_end]).trim(), 16)
                .expect("chunk size");
            if size == 0 {
                break;
            }
            plain.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = &rest[line_end + 2 + size + 2..];
        }
        body = plain;
    }
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// `GET path`, which must answer 200: its body.
pub fn get(url: &str, path: &str) -> String {
    let (status, body) = request(url, "GET", path);
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}
