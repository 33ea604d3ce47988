//! The read-only Kubernetes API over one snapshot: discovery documents in the shape a real API
//! server gives them, list and get (namespaced, cluster-scoped, all namespaces), label and field
//! selectors, `limit`/`continue`, tables for kubectl's default output, and `Status` errors.

mod query;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

use query::{field_selector, page_range, parse_query, wants_watch};

use super::selector::Selector;
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
}

impl Answer {
    fn json(status: u16, body: String) -> Answer {
        Answer {
            status,
            content_type: "application/json",
            body,
        }
    }
}

/// Kinds in kubectl's `all` category.
const CATEGORY_ALL: &[&str] = &[
    "Pod",
    "Service",
    "ReplicationController",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "HorizontalPodAutoscaler",
    "DeploymentConfig",
    "BuildConfig",
    "Build",
    "ImageStream",
    "Route",
];

#[derive(Debug)]
struct Resource {
    kind: String,
    namespaced: bool,
    short: Vec<String>,
}

#[derive(Debug, Default)]
struct Group {
    versions: BTreeSet<String>,
    resources: BTreeMap<String, Resource>,
}

impl Group {
    /// The versions, most preferred first (GA before beta before alpha, higher first).
    fn ordered_versions(&self) -> Vec<String> {
        let mut versions: Vec<String> = self.versions.iter().cloned().collect();
        versions.sort_by_key(|v| std::cmp::Reverse(version_rank(v)));
        versions
    }

    fn preferred(&self) -> String {
        self.ordered_versions()
            .into_iter()
            .next()
            .unwrap_or_else(|| "v1".into())
    }
}

/// Kubernetes version priority: `v2` > `v1` > `v1beta2` > `v1beta1` > `v1alpha1`.
fn version_rank(version: &str) -> (u32, u32, u32) {
    let Some(rest) = version.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (stability, minor) = if tail.is_empty() {
        (3, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (2, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n.parse().unwrap_or(0))
    } else {
        (0, 0)
    };
    (stability, major, minor)
}

/// What a request for a resource asks, once its path is understood.
struct Request<'a> {
    /// The `apiVersion` the objects are served under.
    api_version: &'a str,
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
    /// What is served, for `/version` and messages.
    pub label: String,
    /// How many objects are served.
    pub objects: usize,
}

impl Api {
    /// Builds the API over `snapshot`; secret values are hashed unless `show_secrets`.
    pub fn new(snapshot: &Snapshot, show_secrets: bool) -> Api {
        let mut groups: BTreeMap<String, Group> = BTreeMap::new();
        // Every well-known type is served, empty or not, as a real cluster would.
        for info in kinds::KINDS {
            let group = groups.entry(info.group.to_string()).or_default();
            group.resources.insert(
                info.plural.to_string(),
                Resource {
                    kind: info.kind.to_string(),
                    namespaced: info.namespaced,
                    short: info.short.iter().map(|s| s.to_string()).collect(),
                },
            );
        }
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
            let plural = kinds::plural_of(&key.kind, &key.group);
            let group = groups.entry(key.group.clone()).or_default();
            group.versions.insert(version);
            group
                .resources
                .entry(plural.clone())
                .or_insert_with(|| Resource {
                    kind: key.kind.clone(),
                    namespaced: !key.namespace.is_empty(),
                    short: Vec::new(),
                });
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
            },
            ["api"] => Answer::json(
                200,
                json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}]}).to_string(),
            ),
            ["apis"] => Answer::json(200, self.group_list()),
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

    fn resource_list(&self, group_name: &str, version: &str, group: &Group) -> String {
        let resources: Vec<Value> = group
            .resources
            .iter()
            .map(|(plural, r)| {
                let mut doc = json!({
                    "name": plural,
                    "singularName": r.kind.to_ascii_lowercase(),
                    "namespaced": r.namespaced,
                    "kind": r.kind,
                    "verbs": ["get", "list"],
                });
                if !r.short.is_empty() {
                    doc["shortNames"] = json!(r.short);
                }
                if CATEGORY_ALL.contains(&r.kind.as_str()) {
                    doc["categories"] = json!(["all"]);
                }
                doc
            })
            .collect();
        let group_version = if group_name.is_empty() {
            version.to_string()
        } else {
            format!("{group_name}/{version}")
        };
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}).to_string()
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
            return Answer::json(200, self.resource_list(group_name, version, group));
        }
        match wants_watch(rest, query) {
            Ok(false) => {}
            Ok(true) => return watch_not_supported(),
            Err(problem) => return status(400, "BadRequest", &problem, json!({})),
        }
        let (namespace, plural, name) = match rest {
            ["namespaces", ns, plural] => (Some(*ns), *plural, None),
            ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name)),
            [plural] => (None, *plural, None),
            [plural, name] => (None, *plural, Some(*name)),
            _ => return not_found_path(),
        };
        let Some(resource) = group.resources.get(plural) else {
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
            resource,
            namespaced_path: namespace.is_some(),
            table,
        };
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
            Some(found) if request.table => Answer::json(200, self.table(&[found], None)),
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
            return Answer::json(200, self.table(page, next));
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
    fn table(&self, entries: &[&Entry], next: Option<(String, usize)>) -> String {
        let rows: Vec<Value> = entries
            .iter()
            .map(|e| {
                let mut metadata = json!({"name": e.name});
                if !e.namespace.is_empty() {
                    metadata["namespace"] = json!(e.namespace);
                }
                if !e.labels.is_empty() {
                    metadata["labels"] = json!(e.labels);
                }
                json!({"cells": [e.name], "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata}})
            })
            .collect();
        let mut metadata = json!({"resourceVersion": "1"});
        if let Some((token, remaining)) = next {
            metadata["continue"] = json!(token);
            metadata["remainingItemCount"] = json!(remaining);
        }
        json!({
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "columnDefinitions": [{"name": "Name", "type": "string", "format": "name",
                "description": "Name must be unique within a namespace.", "priority": 0}],
            "rows": rows,
        })
        .to_string()
    }
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

fn group_document(name: &str, group: &Group) -> Value {
    let versions: Vec<Value> = group
        .ordered_versions()
        .iter()
        .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
        .collect();
    let preferred = group.preferred();
    json!({"kind": "APIGroup", "apiVersion": "v1", "name": name, "versions": versions,
           "preferredVersion": {"groupVersion": format!("{name}/{preferred}"), "version": preferred}})
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

fn watch_not_supported() -> Answer {
    status(
        405,
        "MethodNotAllowed",
        "driftlab serve serves a snapshot: watching is not supported",
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
