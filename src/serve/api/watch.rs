//! Watches of a snapshot: nothing ever changes, so a watch replays the matching objects as
//! `ADDED` events (unless the client already has the snapshot's resource version), a bookmark
//! when asked, and then stays open and quiet until its timeout or the client goes away. A watch
//! never fails: kubectl's `get -w`, informers and `kubectl wait` all work against it.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Answer, Api, Entry, Request, matching, status};
use crate::serve::table;

/// The resource version of everything served: lists say it, watches start from it.
pub(super) const RESOURCE_VERSION: u64 = 1;

/// How long a watch stays open when the client does not say (the API server's
/// `--min-request-timeout`, 30 minutes).
pub const DEFAULT_WATCH_TIMEOUT: Duration = Duration::from_secs(1800);
/// The longest a client may ask a watch to stay open.
pub const MAX_WATCH_TIMEOUT: Duration = Duration::from_secs(3600);

/// A watch to stream: its events, each a line of JSON, then quiet until `timeout`.
#[derive(Debug)]
pub struct Watch {
    /// The events, each ending in a newline.
    pub events: Vec<String>,
    /// How long to keep the connection open after them.
    pub timeout: Duration,
}

impl Api {
    /// A watch of `slice` (one object when `name` is given).
    pub(super) fn watch(
        &self,
        request: &Request<'_>,
        slice: &[Entry],
        name: Option<&str>,
        query: &HashMap<String, String>,
    ) -> Answer {
        let matching = match matching(slice, query) {
            Ok(matching) => matching,
            Err(problem) => return status(400, "BadRequest", &problem, json!({})),
        };
        let flag = |key: &str| query.get(key).is_some_and(|v| is_true(v));
        let initial_events = flag("sendInitialEvents");
        let replay = initial_events || !has_snapshot(query.get("resourceVersion"));
        let mut events = Vec::new();
        if replay {
            // One object by name only where a GET of it would find it.
            let by_name = request.namespaced_path || !request.resource.namespaced;
            let kept = matching
                .iter()
                .filter(|e| name.is_none_or(|n| by_name && e.name == n));
            for (i, entry) in kept.enumerate() {
                let object = if request.table {
                    self.event_table(request, entry, i == 0)
                } else {
                    entry.with_api_version(request.api_version)
                };
                events.push(format!("{{\"type\":\"ADDED\",\"object\":{object}}}\n"));
            }
        }
        if initial_events || flag("allowWatchBookmarks") {
            let mut metadata = json!({"resourceVersion": RESOURCE_VERSION.to_string()});
            if initial_events {
                metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
            }
            let bookmark = json!({"type": "BOOKMARK", "object": {
                "kind": request.resource.kind, "apiVersion": request.api_version,
                "metadata": metadata}});
            events.push(format!("{bookmark}\n"));
        }
        Answer {
            status: 200,
            // The API server's media type of a stream of JSON watch events.
            content_type: "application/json;stream=watch",
            body: String::new(),
            watch: Some(Watch {
                events,
                timeout: timeout(query.get("timeoutSeconds")),
            }),
        }
    }

    /// One object as a `Table` of one row; the column definitions only in the first event, as
    /// the API server sends them.
    fn event_table(&self, request: &Request<'_>, entry: &Entry, first: bool) -> String {
        let metadata = json!({"resourceVersion": RESOURCE_VERSION.to_string()});
        let mut one = table::table(self.printer(request), &[entry.value()], self.now, metadata);
        if !first {
            one["columnDefinitions"] = Value::Array(Vec::new());
        }
        one.to_string()
    }
}

/// Go's `strconv.ParseBool` true.
fn is_true(value: &str) -> bool {
    matches!(value, "1" | "t" | "T" | "true" | "TRUE" | "True")
}

/// Whether the client's `resourceVersion` is the snapshot's or newer: then it has seen
/// everything. Absent, `0` (any version) or unreadable: it has seen nothing.
fn has_snapshot(version: Option<&String>) -> bool {
    version
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|v| v >= RESOURCE_VERSION)
}

/// `timeoutSeconds` as asked, within [`MAX_WATCH_TIMEOUT`]; absent, zero or unreadable: the
/// default.
fn timeout(asked: Option<&String>) -> Duration {
    match asked.and_then(|t| t.parse::<u64>().ok()) {
        Some(seconds) if seconds > 0 => Duration::from_secs(seconds).min(MAX_WATCH_TIMEOUT),
        _ => DEFAULT_WATCH_TIMEOUT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_versions_and_timeouts() {
        let text = |s: &str| Some(s.to_string());
        assert!(!has_snapshot(None));
        assert!(!has_snapshot(text("0").as_ref()));
        assert!(!has_snapshot(text("abc").as_ref()));
        assert!(has_snapshot(text("1").as_ref()));
        assert!(has_snapshot(text("99999999").as_ref()));
        assert_eq!(timeout(None), DEFAULT_WATCH_TIMEOUT);
        assert_eq!(timeout(text("0").as_ref()), DEFAULT_WATCH_TIMEOUT);
        assert_eq!(timeout(text("5").as_ref()), Duration::from_secs(5));
        assert_eq!(timeout(text("999999999999").as_ref()), MAX_WATCH_TIMEOUT);
        assert_eq!(timeout(text("-3").as_ref()), DEFAULT_WATCH_TIMEOUT);
    }
}
