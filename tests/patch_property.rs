//! Properties of the diff engine on random objects: the JSON Patch turns the old object into the
//! new one exactly, and the semantic diff is empty exactly when the objects are the same.

use driftlab::diff::{equality, patch, value};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Small vocabularies so that two random objects share names, keys and values often: that is what
/// exercises matching by key, reordering and in-place changes.
fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["web", "db", "proxy", "init", "log"]).prop_map(String::from)
}

fn word() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec!["a", "b", "c", "8080", "/healthz", "/ready"])
            .prop_map(Value::from),
        (0i64..4).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::from(1.0)),
    ]
}

fn env() -> impl Strategy<Value = Value> {
    prop::sample::subsequence(vec!["A", "B", "C", "D"], 0..=4)
        .prop_shuffle()
        .prop_flat_map(|names| {
            let n = names.len();
            (Just(names), prop::collection::vec(word(), n))
        })
        .prop_map(|(names, values)| {
            Value::Array(
                names
                    .into_iter()
                    .zip(values)
                    .map(|(n, v)| json!({"name": n, "value": v}))
                    .collect(),
            )
        })
}

fn ports() -> impl Strategy<Value = Value> {
    prop::sample::subsequence(vec![80, 443, 8080], 0..=3)
        .prop_shuffle()
        .prop_flat_map(|numbers| {
            let n = numbers.len();
            (
                Just(numbers),
                prop::collection::vec(
                    prop::option::of(prop::sample::select(vec!["TCP", "UDP"])),
                    n,
                ),
            )
        })
        .prop_map(|(numbers, protocols)| {
            Value::Array(
                numbers
                    .into_iter()
                    .zip(protocols)
                    .map(|(port, protocol)| match protocol {
                        Some(p) => json!({"containerPort": port, "protocol": p}),
                        None => json!({"containerPort": port}),
                    })
                    .collect(),
            )
        })
}

fn container(name: String) -> impl Strategy<Value = Value> {
    (word(), env(), ports(), prop::collection::vec(word(), 0..5)).prop_map(move |(image, env, ports, args)| {
        json!({"name": name, "image": image, "env": env, "ports": ports, "args": args})
    })
}

fn containers() -> impl Strategy<Value = Value> {
    prop::sample::subsequence(vec!["web", "db", "proxy", "init", "log"], 0..=4)
        .prop_shuffle()
        .prop_flat_map(|names| {
            names
                .into_iter()
                .map(|n| container(n.to_string()).boxed())
                .collect::<Vec<_>>()
        })
        .prop_map(Value::Array)
}

fn labels() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(name(), word(), 0..4)
        .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>()))
}

/// A random JSON value of limited depth, from the same small vocabularies.
fn any_json() -> impl Strategy<Value = Value> {
    word().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(name(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn workload() -> impl Strategy<Value = Value> {
    (labels(), containers(), any_json(), prop::option::of(word())).prop_map(
        |(labels, containers, extra, replicas)| {
            let mut object = json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "w", "labels": labels},
                "spec": {"template": {"spec": {"containers": containers}}, "extra": extra}
            });
            if let Some(replicas) = replicas {
                object["spec"]["replicas"] = replicas;
            }
            object
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn patch_turns_old_into_new(old in workload(), new in workload()) {
        let ops = patch::patch(&old, &new);
        let mut document = old.clone();
        json_patch::patch(&mut document, &ops).map_err(|e| TestCaseError::fail(format!("{e}: {}", serde_json::to_string(&ops).unwrap())))?;
        prop_assert_eq!(document, new);
    }

    #[test]
    fn patch_works_on_any_json(old in any_json(), new in any_json()) {
        let ops = patch::patch(&old, &new);
        let mut document = old.clone();
        json_patch::patch(&mut document, &ops).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(document, new);
    }

    #[test]
    fn semantic_diff_is_empty_exactly_when_the_objects_are_the_same(old in workload(), new in workload()) {
        let changes = value::diff("Deployment", &old, &new, &value::ValueOptions::default());
        prop_assert_eq!(changes.is_empty(), equality::same(&old, &new), "{:?}", changes);
        prop_assert!(value::diff("Deployment", &old, &old, &value::ValueOptions::default()).is_empty());
    }

    #[test]
    fn every_change_points_at_a_real_place(old in workload(), new in workload()) {
        for change in value::diff("Deployment", &old, &new, &value::ValueOptions::default()) {
            match change.op {
                value::Op::Remove => prop_assert!(old.pointer(&change.path.old_pointer()).is_some(), "{}", change.path.human()),
                _ => prop_assert!(new.pointer(&change.path.pointer()).is_some(), "{}", change.path.human()),
            }
        }
    }

    /// The value diff of any two documents, under every kind that changes how it reads (secret
    /// values, embedded documents in ConfigMaps, quantities), ends without a panic, and a
    /// document compared with itself has no change.
    #[test]
    fn value_diff_takes_any_json_under_any_kind(
        old in any_json(),
        new in any_json(),
        kind in prop::sample::select(vec!["Secret", "secret", "ConfigMap", "ResourceQuota", "Pod", ""]),
        embedded in prop::sample::select(vec!["{\"a\": 1}", "[1, 2", "a: [b", "---\n- x\n", "{}"]),
    ) {
        let wrap = |v: &Value| json!({"data": {"app.json": embedded, "app.yaml": embedded, "k": v},
            "spec": {"hard": {"cpu": v}}, "metadata": {"annotations": {"x": embedded}}, "v": v});
        let options = value::ValueOptions::default();
        let _ = value::diff(kind, &wrap(&old), &wrap(&new), &options);
        prop_assert!(value::diff(kind, &wrap(&old), &wrap(&old), &options).is_empty());
    }
}
