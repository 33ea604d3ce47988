//! A fake, misbehaving API server for the tests: each request is answered by a handler, which can
//! lie in ways `driftlab serve` never would (repeated continue tokens, endless bodies, names
//! against Kubernetes' rules).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// How the fake server answers one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A status and a JSON body.
    Json(u16, String),
    /// A `200` with a chunked body that never ends: `prefix`, then `chunk` over and over.
    Endless { prefix: String, chunk: String },
}

/// The fake server; it stops with the test process.
pub struct FakeApi {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

type Handler = dyn Fn(&str, &str) -> Reply + Send + Sync;

impl FakeApi {
    /// Starts a server answering each `(path, query)` with `handler`.
    pub fn start(handler: impl Fn(&str, &str) -> Reply + Send + Sync + 'static) -> FakeApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handler: Arc<Handler> = Arc::new(handler);
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, log) = (handler.clone(), log.clone());
                std::thread::spawn(move || serve_connection(stream, &*handler, &log));
            }
        });
        FakeApi { url, seen }
    }

    /// The request targets seen so far (`/path?query`).
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve_connection(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<String>>) {
    let mut writer = stream.try_clone().expect("clone");
    let mut reader = BufReader::new(stream);
    loop {
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
        seen.lock().unwrap().push(target.clone());
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        match handler(path, query) {
            Reply::Json(status, body) => {
                let response = format!(
                    "HTTP/1.1 {status} Fake\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                if writer.write_all(response.as_bytes()).is_err() {
                    return;
                }
            }
            Reply::Endless { prefix, chunk } => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                if writer.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let mut piece = |text: &str| {
                    writer
                        .write_all(format!("{:x}\r\n{text}\r\n", text.len()).as_bytes())
                        .is_ok()
                };
                if !piece(&prefix) {
                    return;
                }
                let block = chunk.repeat((64 * 1024 / chunk.len().max(1)).max(1));
                while piece(&block) {}
                return;
            }
        }
    }
}

/// The discovery documents of a tiny core-only cluster: configmaps (namespaced) and namespaces.
pub fn core_discovery(path: &str) -> Option<Reply> {
    let body = match path {
        "/version" => r#"{"major":"1","minor":"32","gitVersion":"v1.32.0-fake"}"#.to_string(),
        "/api" => r#"{"kind":"APIVersions","versions":["v1"]}"#.to_string(),
        "/api/v1" => r#"{"kind":"APIResourceList","groupVersion":"v1","resources":[
            {"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap","verbs":["get","list"]},
            {"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["get","list"]}]}"#
            .to_string(),
        "/apis" => r#"{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"#.to_string(),
        _ => return None,
    };
    Some(Reply::Json(200, body))
}

/// A `v1` list of ConfigMaps with these names, and the `continue` token of the page.
pub fn config_map_list(names: &[&str], token: Option<&str>) -> String {
    let items: Vec<String> = names
        .iter()
        .map(|n| format!(r#"{{"metadata":{{"name":"{n}"}},"data":{{"k":"v"}}}}"#))
        .collect();
    let metadata = match token {
        Some(token) => format!(r#"{{"resourceVersion":"1","continue":"{token}"}}"#),
        None => r#"{"resourceVersion":"1"}"#.to_string(),
    };
    format!(
        r#"{{"kind":"ConfigMapList","apiVersion":"v1","metadata":{metadata},"items":[{}]}}"#,
        items.join(",")
    )
}

/// A namespace list with these names.
pub fn namespace_list(names: &[&str]) -> String {
    let items: Vec<String> = names
        .iter()
        .map(|n| {
            format!(
                r#"{{"metadata":{{"name":{}}}}}"#,
                serde_json::Value::from(*n)
            )
        })
        .collect();
    format!(
        r#"{{"kind":"NamespaceList","apiVersion":"v1","metadata":{{}},"items":[{}]}}"#,
        items.join(",")
    )
}

/// A `v1` list of ConfigMaps named by `(namespace, name)`, in this order, and the `continue`
/// token of the page: a page of a list across namespaces.
pub fn namespaced_config_map_list(items: &[(&str, &str)], token: Option<&str>) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|(namespace, name)| {
            serde_json::json!({"metadata": {"namespace": namespace, "name": name}, "data": {"k": "v"}})
                .to_string()
        })
        .collect();
    let metadata = match token {
        Some(token) => serde_json::json!({"resourceVersion": "1", "continue": token}),
        None => serde_json::json!({"resourceVersion": "1"}),
    };
    format!(
        r#"{{"kind":"ConfigMapList","apiVersion":"v1","metadata":{metadata},"items":[{}]}}"#,
        items.join(",")
    )
}
