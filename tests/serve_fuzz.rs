//! `Api::handle` under arbitrary requests: whatever the method, path, query and Accept header, it
//! answers (never panics) with a status a real API server would give, and every error is a
//! Kubernetes `Status` whose code is the HTTP status. Paging through any list with any page size
//! yields each item exactly once.
//!
//! `PROPTEST_CASES=100000 cargo test --test serve_fuzz` runs longer.

mod common;

use std::sync::OnceLock;

use driftlab::serve::Api;
use driftlab::source::{self, ReadOptions};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;
use serde_json::Value;

/// The snapshot served: the first night of the culprits fixture.
const SNAPSHOT: &str = "fixtures/culprits/openshift-backup201809110015.zip";

fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let path = common::repo(SNAPSHOT);
        let snapshot = source::read(&path.to_string_lossy(), &ReadOptions::default())
            .expect("the fixture reads");
        Api::new(&snapshot, false)
    })
}

/// `cases` runs unless `PROPTEST_CASES` says otherwise.
fn config(cases: u32) -> Config {
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config
}

/// Path segments a real request would use.
const SEGMENTS: &[&str] = &[
    "api",
    "apis",
    "v1",
    "v1beta1",
    "v2",
    "namespaces",
    "myproject",
    "tools",
    "default",
    "pods",
    "services",
    "configmaps",
    "secrets",
    "deploymentconfigs",
    "apps.openshift.io",
    "route.openshift.io",
    "routes",
    "apps",
    "deployments",
    "web",
    "web-3-abcde",
    "postgresql",
    "watch",
    "status",
    "log",
    "version",
    "healthz",
    "openapi",
    "",
    ".",
    "..",
];

fn huge_number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u128>().prop_map(|n| n.to_string()),
        Just(u64::MAX.to_string()),
        Just(i64::MAX.to_string()),
        Just(usize::MAX.to_string()),
        "[0-9]{19,60}",
    ]
}

/// Percent-encodes every byte of `text`.
fn encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(SEGMENTS).prop_map(String::from),
        1 => "\\PC{0,12}",
        1 => "[%0-9a-fA-F+.~-]{0,9}",
        1 => "\\PC{0,6}".prop_map(|t| encoded(&t)),
        1 => huge_number(),
    ]
}

/// A path shaped like a resource request: a group version, maybe a namespace, a type, maybe a
/// name, any of which may be odd.
fn resource_path() -> impl Strategy<Value = String> {
    let group_version = prop_oneof![
        4 => select(&[
            "/api/v1",
            "/apis/apps.openshift.io/v1",
            "/apis/route.openshift.io/v1",
            "/apis/apps/v1",
            "/apis/rbac.authorization.k8s.io/v1",
            "/api/v1/watch",
            "/apis/apps.openshift.io/v1/watch",
        ][..]).prop_map(String::from),
        1 => segment().prop_map(|s| format!("/api/{s}")),
    ];
    let namespace = proptest::option::of(prop_oneof![
        3 => select(&["myproject", "tools", "default", ""][..]).prop_map(String::from),
        1 => segment(),
    ]);
    let plural = prop_oneof![
        4 => select(&[
            "pods", "services", "configmaps", "secrets", "namespaces", "deploymentconfigs",
            "routes", "replicationcontrollers", "nodes", "deployments",
        ][..]).prop_map(String::from),
        1 => segment(),
    ];
    let name = proptest::option::of(prop_oneof![
        3 => select(&["web", "web-3-abcde", "myproject", "postgresql"][..]).prop_map(String::from),
        1 => segment(),
    ]);
    (group_version, namespace, plural, name).prop_map(|(gv, ns, plural, name)| {
        let mut path = gv;
        if let Some(ns) = ns {
            path.push_str(&format!("/namespaces/{ns}"));
        }
        path.push_str(&format!("/{plural}"));
        if let Some(name) = name {
            path.push_str(&format!("/{name}"));
        }
        path
    })
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![3 => resource_path(), 1 => any_path()]
}

/// Segments of real and random paths, in any order.
fn any_path() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(segment(), 0..8),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(segments, leading, trailing)| {
            let mut path = segments.join("/");
            if leading {
                path.insert(0, '/');
            }
            if trailing {
                path.push('/');
            }
            path
        })
}

fn query_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(&[
            "limit",
            "continue",
            "labelSelector",
            "fieldSelector",
            "watch",
            "resourceVersion",
            "timeoutSeconds",
            "allowWatchBookmarks",
            "pretty",
        ][..]).prop_map(String::from),
        1 => "\\PC{0,8}",
        1 => "[a-zA-Z%=&+]{0,8}",
    ]
}

fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![
        huge_number(),
        huge_number().prop_map(|n| format!("o{n}")),
        "o[+-]?[0-9]{0,25}",
        select(
            &[
                "",
                "true",
                "false",
                "1",
                "0",
                "-1",
                "o0",
                "o1",
                "o3",
                "o18446744073709551615",
                "app=web",
                "app%3Dweb",
                "app in (web,db)",
                "app+notin+%28web%29",
                "!app,tier",
                "metadata.name=web",
                "metadata.namespace!=tools",
                "spec.nodeName=x",
                "%",
                "%2",
                "%zz",
                "%E2%82",
            ][..]
        )
        .prop_map(String::from),
        "[a-z0-9=!,() .%+-]{0,30}",
        "\\PC{0,20}",
        "\\PC{0,10}".prop_map(|t| encoded(&t)),
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![2 => paging_query(), 1 => any_query()]
}

/// `limit` and `continue`, either of them odd, maybe with more parameters.
fn paging_query() -> impl Strategy<Value = String> {
    let limit = prop_oneof![
        (0u64..5).prop_map(|n| n.to_string()),
        huge_number(),
        query_value()
    ];
    let token = prop_oneof![
        (0u64..6).prop_map(|n| format!("o{n}")),
        huge_number().prop_map(|n| format!("o{n}")),
        query_value(),
    ];
    (limit, token, any_query())
        .prop_map(|(limit, token, more)| format!("limit={limit}&continue={token}&{more}"))
}

fn any_query() -> impl Strategy<Value = String> {
    proptest::collection::vec((query_key(), query_value(), any::<bool>()), 0..6).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(key, value, with_equals)| {
                if with_equals {
                    format!("{key}={value}")
                } else {
                    key
                }
            })
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just("GET".to_string()),
        1 => Just("HEAD".to_string()),
        1 => select(&["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get", "CONNECT", ""][..])
            .prop_map(String::from),
        1 => "\\PC{0,8}",
    ]
}

fn accept() -> impl Strategy<Value = String> {
    prop_oneof![
        select(&[
            "",
            "application/json",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
            "application/vnd.kubernetes.protobuf",
            "*/*",
        ][..])
        .prop_map(String::from),
        "\\PC{0,30}",
    ]
}

/// The statuses the API answers with (406: `/openapi/v2` asked for as protobuf only).
const STATUSES: &[u16] = &[200, 400, 404, 405, 406];

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn any_request_gets_a_well_formed_answer(
        method in method(),
        path in path(),
        query in query(),
        accept in accept(),
    ) {
        let answer = api().handle(&method, &path, &query, &accept);
        prop_assert!(STATUSES.contains(&answer.status), "{} for {method} {path}?{query}", answer.status);
        if answer.content_type == "application/json" {
            let body: Value = serde_json::from_str(&answer.body)
                .map_err(|e| TestCaseError::fail(format!("{e}: {}", answer.body)))?;
            if answer.status != 200 {
                prop_assert_eq!(&body["kind"], "Status");
                prop_assert_eq!(&body["code"], answer.status);
                prop_assert!(body["message"].is_string());
            }
        } else {
            prop_assert_eq!(answer.status, 200);
        }
        if method != "GET" && method != "HEAD" {
            prop_assert_eq!(answer.status, 405);
        }
    }

    #[test]
    fn paging_yields_every_item_once(
        list in select(&[
            "/api/v1/pods",
            "/api/v1/namespaces/myproject/pods",
            "/api/v1/configmaps",
            "/api/v1/namespaces",
            "/apis/apps.openshift.io/v1/deploymentconfigs",
            "/api/v1/namespaces/tools/services",
        ][..]),
        limit in 1usize..6,
        table in any::<bool>(),
    ) {
        let accept = if table { "application/json;as=Table;v=v1;g=meta.k8s.io" } else { "" };
        let items = |body: &Value| -> Vec<String> {
            let key = if table { "rows" } else { "items" };
            body[key].as_array().into_iter().flatten().map(|item| {
                let name = if table { &item["object"]["metadata"] } else { &item["metadata"] };
                format!("{}/{}", name["namespace"].as_str().unwrap_or(""), name["name"].as_str().unwrap_or(""))
            }).collect()
        };
        let whole: Value = serde_json::from_str(&api().handle("GET", list, "", accept).body).unwrap();
        let mut paged = Vec::new();
        let mut token = String::new();
        for _ in 0..1000 {
            let query = if token.is_empty() {
                format!("limit={limit}")
            } else {
                format!("limit={limit}&continue={token}")
            };
            let answer = api().handle("GET", list, &query, accept);
            prop_assert_eq!(answer.status, 200);
            let page: Value = serde_json::from_str(&answer.body).unwrap();
            let names = items(&page);
            prop_assert!(names.len() <= limit);
            paged.extend(names);
            match page["metadata"]["continue"].as_str() {
                Some(next) => token = next.to_string(),
                None => break,
            }
        }
        prop_assert_eq!(paged, items(&whole));
    }
}

#[test]
fn the_fixture_has_something_to_page_through() {
    // The paging property means little over empty lists.
    let answer = api().handle("GET", "/api/v1/pods", "limit=1", "");
    let page: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert!(page["metadata"]["remainingItemCount"].as_u64() >= Some(2));
}
