//! A real S3 server for the object-storage tests: moto's server (`python3 -m moto.server`) on a
//! free loopback port, raw HTTP to look at what it holds, and a proxy that cuts uploads.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// moto's S3 server; killed when dropped.
pub struct Moto {
    child: Child,
    python: std::path::PathBuf,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Moto {
    /// Starts the server with `python` (see `skip::moto_python`) and waits until it answers.
    /// `min_part_size`: the smallest part of a multipart upload it accepts (S3's is 5 MiB).
    pub fn start(python: &Path, min_part_size: usize) -> Moto {
        for _ in 0..5 {
            // A free port: bound and released (moto cannot report a port it picked itself).
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let mut child = Command::new(python)
                .args([
                    "-m",
                    "moto.server",
                    "-H",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                ])
                .env("S3_UPLOAD_PART_MIN_SIZE", min_part_size.to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("python3 -m moto.server starts");
            let url = format!("http://127.0.0.1:{port}");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(30) {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Moto {
                        child,
                        url,
                        python: python.to_path_buf(),
                    };
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("moto's S3 server did not start");
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        self.url.trim_start_matches("http://").to_string()
    }

    /// The AWS variables that point driftlab at `endpoint` (this server, or a proxy before it).
    pub fn env(endpoint: &str) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ENDPOINT_URL", endpoint.into()),
        ]
    }

    /// driftlab pointed at the S3 server at `endpoint` (this one, or a proxy before it) and at
    /// the cluster `served`, its kubeconfig written into `home`.
    pub fn driftlab(
        endpoint: &str,
        home: &Path,
        served: &super::cluster::Served,
    ) -> assert_cmd::Command {
        let mut command = super::driftlab();
        command
            .envs(Moto::env(endpoint))
            .env("KUBECONFIG", super::cluster::kubeconfig(home, &served.url));
        command
    }

    /// Creates a bucket.
    pub fn create_bucket(&self, bucket: &str) {
        let (status, _) = self.request("PUT", &format!("/{bucket}"), b"");
        assert_eq!(status, 200, "bucket {bucket} created");
    }

    /// Puts an object as it is (for archives driftlab did not write).
    pub fn put(&self, bucket: &str, key: &str, body: &[u8]) {
        let (status, _) = self.request("PUT", &format!("/{bucket}/{key}"), body);
        assert_eq!(status, 200, "{key} put");
    }

    /// The bytes of an object, or `None` when there is none. Read with boto3 (moto's own
    /// dependency), signed: moto refuses anonymous reads of private objects.
    pub fn get(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        // Python cares about indentation: one line each, spelled out.
        const SCRIPT: &str = concat!(
            "import sys, boto3\n",
            "s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1',\n",
            "    aws_access_key_id='testing', aws_secret_access_key='testing')\n",
            "try:\n",
            "    body = s3.get_object(Bucket=sys.argv[2], Key=sys.argv[3])['Body'].read()\n",
            "except s3.exceptions.NoSuchKey:\n",
            "    sys.exit(3)\n",
            "sys.stdout.buffer.write(body)\n",
        );
        let out = Command::new(&self.python)
            .args(["-c", SCRIPT, &self.url, bucket, key])
            .output()
            .expect("python3 runs");
        match out.status.code() {
            Some(0) => Some(out.stdout),
            Some(3) => None,
            _ => panic!("boto3 get failed: {}", String::from_utf8_lossy(&out.stderr)),
        }
    }

    /// The keys of a bucket under `prefix`.
    pub fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let (status, body) = self.request(
            "GET",
            &format!("/{bucket}?list-type=2&prefix={prefix}"),
            b"",
        );
        assert_eq!(status, 200);
        xml_values(&String::from_utf8_lossy(&body), "Key")
    }

    /// The keys of the multipart uploads begun and neither completed nor aborted.
    pub fn pending_uploads(&self, bucket: &str) -> Vec<String> {
        let (status, body) = self.request("GET", &format!("/{bucket}?uploads"), b"");
        assert_eq!(status, 200);
        xml_values(&String::from_utf8_lossy(&body), "Key")
    }

    /// One unsigned request (moto does not check signatures); the status and the body.
    fn request(&self, method: &str, target: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(self.address()).expect("moto reachable");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        // A content type moto will not try to read as a form.
        let head = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/octet-stream\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.address(),
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut reader = BufReader::new(stream);
        let mut status_line = String::new();
        reader.read_line(&mut status_line).unwrap();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("an HTTP status");
        let mut chunked = false;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if line
                .to_ascii_lowercase()
                .starts_with("transfer-encoding: chunked")
            {
                chunked = true;
            }
        }
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        if chunked {
            rest = dechunk(&rest);
        }
        (status, rest)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = bytes.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&bytes[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&bytes[end + 2..end + 2 + size]);
        bytes = &bytes[end + 2 + size + 2..];
    }
}

/// The text of every `<tag>…</tag>` in `xml`.
fn xml_values(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(value, _)| value.to_string()))
        .collect()
}

/// A TCP proxy before the S3 server that passes everything through, except that on a connection
/// where the client sends `pattern` (a request line, say `PUT /bucket/key?partNumber=2`), it
/// forwards `keep` more bytes and then cuts both sides: an upload that dies half way, as when the
/// server is killed or the network drops.
pub struct CutProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    cuts: Arc<AtomicUsize>,
}

/// What the proxy does once the pattern and the bytes it keeps went by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Close both sides: the connection dies.
    Close,
    /// Forward nothing more and answer nothing, for two minutes: the upload hangs.
    Hold,
}

impl CutProxy {
    /// A proxy to `upstream` (`127.0.0.1:PORT`) that closes the connection.
    pub fn start(upstream: &str, pattern: &str, keep: usize) -> CutProxy {
        CutProxy::start_with(upstream, pattern, keep, Cut::Close)
    }

    /// A proxy to `upstream` that cuts as `cut` says.
    pub fn start_with(upstream: &str, pattern: &str, keep: usize, cut: Cut) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let cuts = Arc::new(AtomicUsize::new(0));
        let (upstream, pattern, counter) =
            (upstream.to_string(), pattern.to_string(), cuts.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let (pattern, counter) = (pattern.clone(), counter.clone());
                let (client_read, server_write) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                // Responses flow back untouched.
                let (mut server_read, mut client_write) = (server, client);
                let (cut_client, cut_server) = (
                    client_write.try_clone().unwrap(),
                    server_read.try_clone().unwrap(),
                );
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut server_read, &mut client_write);
                    let _ = client_write.shutdown(Shutdown::Both);
                });
                std::thread::spawn(move || {
                    upload(client_read, server_write, &pattern, keep, &counter);
                    if cut == Cut::Hold {
                        std::thread::sleep(Duration::from_secs(120));
                    }
                    let _ = cut_client.shutdown(Shutdown::Both);
                    let _ = cut_server.shutdown(Shutdown::Both);
                });
            }
        });
        CutProxy { url, cuts }
    }

    /// How many connections were cut (or are held) so far.
    pub fn cuts(&self) -> usize {
        self.cuts.load(Ordering::SeqCst)
    }

    /// Waits up to `timeout` for the first cut; whether it came.
    pub fn wait_for_cut(&self, timeout: Duration) -> bool {
        let started = Instant::now();
        while self.cuts() == 0 {
            if started.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }
}

/// Copies client → server until `pattern` went by and `keep` more bytes after it.
fn upload(mut from: TcpStream, mut to: TcpStream, pattern: &str, keep: usize, cuts: &AtomicUsize) {
    let pattern = pattern.as_bytes();
    let mut tail: Vec<u8> = Vec::new();
    let mut left: Option<usize> = None;
    let mut buffer = [0u8; 16 << 10];
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let mut chunk = &buffer[..n];
        if left.is_none() {
            tail.extend_from_slice(chunk);
            if let Some(at) = tail.windows(pattern.len()).position(|w| w == pattern) {
                let after = tail.len() - at - pattern.len();
                // Forward what came before the pattern, the pattern, and at most `keep` after.
                let already = chunk.len().min(tail.len());
                let send = (already - after.min(already)) + after.min(keep);
                let _ = to.write_all(&chunk[..send.min(chunk.len())]);
                if after >= keep {
                    cuts.fetch_add(1, Ordering::SeqCst);
                    return;
                }
                left = Some(keep - after);
                continue;
            }
            let keep_tail = pattern.len().saturating_sub(1);
            if tail.len() > keep_tail {
                tail.drain(..tail.len() - keep_tail);
            }
        } else if let Some(remaining) = left.as_mut() {
            let send = chunk.len().min(*remaining);
            chunk = &chunk[..send];
            *remaining -= send;
            let _ = to.write_all(chunk);
            if *remaining == 0 {
                cuts.fetch_add(1, Ordering::SeqCst);
                return;
            }
            continue;
        }
        if to.write_all(chunk).is_err() {
            return;
        }
    }
}
