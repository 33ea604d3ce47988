//! The read-only Kubernetes API over one snapshot: discovery documents in the shape a real API
//! server gives them, list and get (namespaced, cluster-scoped, all namespaces), label and field
//! selectors, `limit`/`continue`, tables for kubectl's default output, and `Status` errors.

mod discovery;
mod query;
mod watch;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

pub use watch::{DEFAULT_WATCH_TIMEOUT, MAX_WATCH_TIMEOUT, Watch};

use discovery::{Group, Resource, group_document, resource_list};
use query::{field_selector, page_range, parse_query, wants_watch};

use super::selector::Selector;
use super::{openapi, table};
use crate::schema::crd::{CRD_GROUP, CRD_KIND, Crd};
use crate::secret;
use crate::snapshot::{Snapshot, kinds};

/// An HTTP answer: status, content type, body.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
    /// A watch: events streamed after the body, then a quiet wait.
    pub watch: Option<Watch>,
}

impl Answer {
    fn json(status: u16, body: String) -> Answer {
        Answer {
            status,
            content_type: "application/json",
            body,
            watch: None,
        }
    }
}

/// What a request for a resource asks, once its path is understood.
struct Request<'a> {
    /// The `apiVersion` the objects are served under.
    api_version: &'a str,
    /// Its group and version, apart.
    group: &'a str,
    version: &'a str,
    /// The resource's plural.
    plural: &'a str,
    /// The resource.
    resource: &'a Resource,
    /// The path named a namespace.
    namespaced_path: bool,
    /// kubectl asked for a `Table`.
    table: bool,
}

/// The entries of `slice` that the label and field selectors of `query` keep.
fn matching<'a>(
    slice: &'a [Entry],
    query: &HashMap<String, String>,
) -> Result<Vec<&'a Entry>, String> {
    let selector = query
        .get("labelSelector")
        .map(|s| Selector::parse(s))
        .transpose()?
        .unwrap_or_default();
    let fields = query
        .get("fieldSelector")
        .map(|s| field_selector(s))
        .transpose()?
        .unwrap_or_default();
    Ok(slice
        .iter()
        .filter(|e| selector.matches(&e.labels))
        .filter(|e| {
            fields.iter().all(|(field, value, equal)| {
                let actual = if field == "metadata.name" {
                    &e.name
                } else {
                    &e.namespace
                };
                (actual == value) == *equal
            })
        })
        .collect())
}

/// One served object.
#[derive(Debug)]
struct Entry {
    namespace: String,
    name: String,
    labels: BTreeMap<String, String>,
    /// The object as JSON without its `apiVersion`, starting with `{`.
    rest: Box<str>,
}

impl Entry {
    /// The object's etcd key below its type: `<namespace>/<name>`, or `<name>` when
    /// cluster-scoped.
    fn key(&self) -> String {
        if self.namespace.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }

    /// The object, parsed.
    fn value(&self) -> Value {
        serde_json::from_str(&self.rest).unwrap_or(Value::Null)
    }

    fn with_api_version(&self, api_version: &str) -> String {
        let inner = &self.rest[1..];
        if inner.trim_start().starts_with('}') {
            format!("{{\"apiVersion\":{}}}", Value::from(api_version))
        } else {
            format!("{{\"apiVersion\":{},{inner}", Value::from(api_version))
        }
    }
}

/// The API over one snapshot.
#[derive(Debug)]
pub struct Api {
    groups: BTreeMap<String, Group>,
    entries: HashMap<(String, String), Vec<Entry>>,
    /// The snapshot's CustomResourceDefinitions by group and plural.
    crds: BTreeMap<(String, String), Crd>,
    /// The time ages count to (Unix seconds): when the snapshot was taken.
    now: i64,
    /// The OpenAPI documents, built on the first request for one.
    openapi: openapi::Documents,
    /// What is served, for `/version` and messages.
    pub label: String,
    /// How many objects are served.
    pub objects: usize,
}

impl Api {
    /// Builds the API over `snapshot`; secret values are hashed unless `show_secrets`.
    pub fn new(snapshot: &Snapshot, show_secrets: bool) -> Api {
        let crds = definitions(snapshot);
        let mut groups = discovery::built_in_and_defined(crds.values());
        let plurals: HashMap<(&str, &str), &str> = crds
            .values()
            .map(|c| {
                (
                    (c.group.as_str(), c.names.kind.as_str()),
                    c.names.plural.as_str(),
                )
            })
            .collect();
        let mut entries: HashMap<(String, String), Vec<Entry>> = HashMap::new();
        let mut namespaces_with_objects = BTreeSet::new();
        let mut namespace_objects = BTreeSet::new();
        for (key, stored) in snapshot.iter() {
            let version = stored
                .api_version
                .rsplit('/')
                .next()
                .unwrap_or("v1")
                .to_string();
            let plural = plurals
                .get(&(key.group.as_str(), key.kind.as_str()))
                .map_or_else(
                    || kinds::plural_of(&key.kind, &key.group),
                    |p| p.to_string(),
                );
            let group = groups.entry(key.group.clone()).or_default();
            group.versions.insert(version.clone());
            let resource = group
                .resources
                .entry(plural.clone())
                .or_insert_with(|| Resource::seen(&key.kind, !key.namespace.is_empty()));
            if let Some(versions) = &mut resource.versions {
                versions.insert(version);
            }
            let mut value = stored.value_as_served();
            if !show_secrets {
                secret::redact_object(&mut value, None);
            }
            if key.namespace.is_empty() {
                if key.kind == "Namespace" && key.group.is_empty() {
                    namespace_objects.insert(key.name.clone());
                }
            } else {
                namespaces_with_objects.insert(key.namespace.clone());
            }
            entries
                .entry((key.group.clone(), plural))
                .or_default()
                .push(entry(key.namespace.clone(), key.name.clone(), value));
        }
        // kubectl -n works without Namespace objects, but `kubectl get ns` should show them.
        for namespace in namespaces_with_objects.difference(&namespace_objects) {
            let value = json!({"kind": "Namespace", "metadata": {"name": namespace}});
            entries
                .entry((String::new(), "namespaces".into()))
                .or_default()
                .push(entry(String::new(), namespace.clone(), value));
        }
        for group in groups.values_mut() {
            if group.versions.is_empty() {
                group.versions.insert("v1".into());
            }
        }
        // kube-apiserver lists in etcd key order, `<namespace>/<name>` compared as bytes (its
        // continue token is the last key): namespace `app-db` comes before `app`, since `-`
        // sorts before `/`. Each namespace is one run either way.
        for list in entries.values_mut() {
            list.sort_by_cached_key(Entry::key);
        }
        Api {
            groups,
            entries,
            crds,
            now: table::reference_time(snapshot.info.taken),
            openapi: openapi::Documents::default(),
            label: snapshot.info.label.clone(),
            objects: snapshot.len(),
        }
    }

    /// Answers one request.
    pub fn handle(&self, method: &str, path: &str, query: &str, accept: &str) -> Answer {
        if method != "GET" && method != "HEAD" {
            return status(
                405,
                "MethodNotAllowed",
                &format!("driftlab serve is read-only: {method} is not allowed"),
                json!({}),
            );
        }
        let segments: Vec<&str> = path
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let query = parse_query(query);
        let table = accept.contains("as=Table");
        match segments.as_slice() {
            ["version"] => Answer::json(200, self.version()),
            ["healthz" | "readyz" | "livez"] => Answer {
                status: 200,
                content_type: "text/plain",
                body: "ok".into(),
                watch: None,
            },
            ["api"] => Answer::json(
                200,
                json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}]}).to_string(),
            ),
            ["apis"] => Answer::json(200, self.group_list()),
            ["openapi", "v2"] if !accepts_json(accept) => status(
                406,
                "NotAcceptable",
                "driftlab serve serves /openapi/v2 as JSON only (kubectl explain reads /openapi/v3)",
                json!({}),
            ),
            ["openapi", rest @ ..] => match self.openapi.get(&self.crds, rest) {
                Some(document) => Answer::json(200, document.to_string()),
                None => not_found_path(),
            },
            ["apis", group] => match self.groups.get(*group).filter(|_| !group.is_empty()) {
                Some(g) => Answer::json(200, group_document(group, g).to_string()),
                None => not_found_path(),
            },
            ["api", "v1", rest @ ..] => self.resource_request("", "v1", rest, &query, table),
            ["apis", group, version, rest @ ..] => self.resource_request(group, version, rest, &query, table),
            _ => not_found_path(),
        }
    }

    fn version(&self) -> String {
        json!({
            "major": "1", "minor": "32",
            "gitVersion": "v1.32.0-driftlab",
            "gitCommit": "", "gitTreeState": "clean", "buildDate": "",
            "goVersion": "", "compiler": "driftlab", "platform": "snapshot",
            "driftlabSnapshot": self.label,
        })
        .to_string()
    }

    fn group_list(&self) -> String {
        let groups: Vec<Value> = self
            .groups
            .iter()
            .filter(|(name, _)| !name.is_empty())
            .map(|(name, group)| group_document(name, group))
            .collect();
        json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}).to_string()
    }

    fn resource_request(
        &self,
        group_name: &str,
        version: &str,
        rest: &[&str],
        query: &HashMap<String, String>,
        table: bool,
    ) -> Answer {
        let Some(group) = self
            .groups
            .get(group_name)
            .filter(|g| g.versions.contains(version))
        else {
            return not_found_path();
        };
        let api_version = if group_name.is_empty() {
            version.to_string()
        } else {
            format!("{group_name}/{version}")
        };
        if rest.is_empty() {
            return Answer::json(200, resource_list(group_name, version, group));
        }
        let watching = match wants_watch(rest, query) {
            Ok(watching) => watching,
            Err(problem) => return status(400, "BadRequest", &problem, json!({})),
        };
        let rest = rest.strip_prefix(&["watch"]).unwrap_or(rest);
        let (namespace, plural, name) = match rest {
            ["namespaces", ns, plural] => (Some(*ns), *plural, None),
            ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name)),
            [plural] => (None, *plural, None),
            [plural, name] => (None, *plural, Some(*name)),
            _ => return not_found_path(),
        };
        let Some(resource) = group.resources.get(plural).filter(|r| r.served_in(version)) else {
            return not_found_path();
        };
        if namespace.is_some() && !resource.namespaced {
            return not_found_path();
        }
        let qualified = if group_name.is_empty() {
            plural.to_string()
        } else {
            format!("{plural}.{group_name}")
        };
        let empty = Vec::new();
        let entries = self
            .entries
            .get(&(group_name.to_string(), plural.to_string()))
            .unwrap_or(&empty);
        // A namespace's entries are one run of the list in key order: the keys from `ns/` up to
        // `ns0` (`0` follows `/`), which no key of another namespace falls between.
        let slice = match namespace {
            Some(ns) => {
                let (from, to) = (format!("{ns}/"), format!("{ns}0"));
                let start = entries.partition_point(|e| e.key() < from);
                let end = entries.partition_point(|e| e.key() < to);
                &entries[start..end]
            }
            None => &entries[..],
        };
        let request = Request {
            api_version: &api_version,
            group: group_name,
            version,
            plural,
            resource,
            namespaced_path: namespace.is_some(),
            table,
        };
        if watching {
            return self.watch(&request, slice, name, query);
        }
        match name {
            Some(name) => self.get_one(&request, slice, name, group_name, plural, &qualified),
            None => self.list(&request, slice, query),
        }
    }

    /// A GET of one object by name.
    fn get_one(
        &self,
        request: &Request<'_>,
        slice: &[Entry],
        name: &str,
        group_name: &str,
        plural: &str,
        qualified: &str,
    ) -> Answer {
        let found = slice
            .iter()
            .find(|e| e.name == name && (request.namespaced_path || !request.resource.namespaced));
        match found {
            Some(found) if request.table => Answer::json(200, self.table(request, &[found], None)),
            Some(found) => Answer::json(200, found.with_api_version(request.api_version)),
            None => status(
                404,
                "NotFound",
                &format!("{qualified} \"{name}\" not found"),
                json!({"name": name, "group": group_name, "kind": plural}),
            ),
        }
    }

    /// A list: selectors applied, then one page of it.
    fn list(
        &self,
        request: &Request<'_>,
        slice: &[Entry],
        query: &HashMap<String, String>,
    ) -> Answer {
        let matching = match matching(slice, query) {
            Ok(matching) => matching,
            Err(problem) => return status(400, "BadRequest", &problem, json!({})),
        };
        let range = match page_range(query, matching.len()) {
            Ok(range) => range,
            Err(problem) => return status(400, "BadRequest", &problem, json!({})),
        };
        let end = range.end;
        let page = matching.get(range).unwrap_or_default();
        let next = (end < matching.len()).then(|| (format!("o{end}"), matching.len() - end));
        if request.table {
            return Answer::json(200, self.table(request, page, next));
        }
        let mut metadata = json!({"resourceVersion": "1"});
        if let Some((token, remaining)) = &next {
            metadata["continue"] = json!(token);
            metadata["remainingItemCount"] = json!(remaining);
        }
        let mut body = format!(
            "{{\"kind\":{},\"apiVersion\":{},\"metadata\":{metadata},\"items\":[",
            Value::from(format!("{}List", request.resource.kind)),
            Value::from(request.api_version)
        );
        for (i, found) in page.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&found.with_api_version(request.api_version));
        }
        body.push_str("]}");
        Answer::json(200, body)
    }

    /// A `meta.k8s.io/v1` `Table`, as kubectl asks for its default output.
    fn table(
        &self,
        request: &Request<'_>,
        entries: &[&Entry],
        next: Option<(String, usize)>,
    ) -> String {
        let objects: Vec<Value> = entries.iter().map(|e| e.value()).collect();
        let mut metadata = json!({"resourceVersion": "1"});
        if let Some((token, remaining)) = next {
            metadata["continue"] = json!(token);
            metadata["remainingItemCount"] = json!(remaining);
        }
        table::table(self.printer(request), &objects, self.now, metadata).to_string()
    }

    /// How rows of the requested resource are printed: by its definition's columns in the
    /// requested version when the snapshot defines it, else as a built-in kind.
    fn printer<'a>(&'a self, request: &Request<'a>) -> table::Printer<'a> {
        let key = (request.group.to_string(), request.plural.to_string());
        match self
            .crds
            .get(&key)
            .and_then(|crd| crd.version(request.version))
        {
            Some(version) => table::Printer::Crd(&version.printer_columns),
            None => table::Printer::BuiltIn {
                group: request.group,
                kind: &request.resource.kind,
            },
        }
    }
}

/// Whether a client's `Accept` takes JSON (or anything, or says nothing).
fn accepts_json(accept: &str) -> bool {
    accept.trim().is_empty() || accept.contains("json") || accept.contains("*/*")
}

/// The snapshot's CustomResourceDefinitions that read as such, by group and plural.
fn definitions(snapshot: &Snapshot) -> BTreeMap<(String, String), Crd> {
    snapshot
        .iter()
        .filter(|(key, _)| key.kind == CRD_KIND && key.group == CRD_GROUP)
        .filter_map(|(_, stored)| Crd::from_object(&stored.value()).ok())
        .map(|crd| ((crd.group.clone(), crd.names.plural.clone()), crd))
        .collect()
}

fn entry(namespace: String, name: String, mut value: Value) -> Entry {
    let labels = value
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    if let Value::Object(map) = &mut value {
        map.shift_remove("apiVersion");
    }
    Entry {
        namespace,
        name,
        labels,
        rest: value.to_string().into_boxed_str(),
    }
}

fn status(code: u16, reason: &str, message: &str, details: Value) -> Answer {
    let mut body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code});
    if details.as_object().is_some_and(|d| !d.is_empty()) {
        body["details"] = details;
    }
    Answer::json(code, body.to_string())
}

/// The `500` answered when answering a request failed in a way that is a bug of ours.
pub(crate) fn internal_error() -> Answer {
    status(
        500,
        "InternalError",
        "driftlab serve failed to answer this request (a bug: please report it)",
        json!({}),
    )
}

fn not_found_path() -> Answer {
    status(
        404,
        "NotFound",
        "the server could not find the requested resource",
        json!({}),
    )
}

#[cfg(test)]
mod tests;
