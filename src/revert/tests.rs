//! Properties of the engine on random pod specs: reverting every change of the diff gives GOOD
//! back (semantically), and the guarded patch turns today's object into that one exactly.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::{guard, target};
use crate::diff::{Change, ValueOptions, patch, value};

fn word() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec!["a", "b", "c", "8080"]).prop_map(Value::from),
        (0i64..3).prop_map(Value::from),
    ]
}

/// A keyed list: elements named from a small set, in any order, with random values.
fn named(names: Vec<&'static str>) -> impl Strategy<Value = Value> {
    prop::sample::subsequence(names, 0..=4)
        .prop_shuffle()
        .prop_flat_map(|names| {
            let n = names.len();
            (Just(names), prop::collection::vec(word(), n))
        })
        .prop_map(|(names, values)| {
            names
                .into_iter()
                .zip(values)
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect()
        })
}

fn container(name: &'static str) -> impl Strategy<Value = Value> {
    (
        word(),
        named(vec!["A", "B", "C", "D", "E"]),
        prop::collection::vec(word(), 0..4),
    )
        .prop_map(move |(image, env, args)| {
            json!({"name": name, "image": image, "env": env, "args": args})
        })
}

fn pod() -> impl Strategy<Value = Value> {
    prop::sample::subsequence(vec!["web", "db", "proxy", "log"], 0..=4)
        .prop_shuffle()
        .prop_flat_map(|names| names.into_iter().map(container).collect::<Vec<_>>())
        .prop_flat_map(|containers| {
            (
                Just(containers),
                prop::option::of(prop::sample::select(vec!["x", "a/b", "c~d"])),
            )
        })
        .prop_map(|(containers, annotation)| {
            let mut pod = json!({"metadata": {"name": "p", "annotations": {"keep": "1"}},
                "spec": {"containers": containers}});
            if let Some(key) = annotation {
                pod["metadata"]["annotations"][key] = json!("v");
            }
            pod
        })
}

proptest! {
    #[test]
    fn reverting_every_change_gives_good_back(good in pod(), today in pod()) {
        let options = ValueOptions::default();
        let changes = value::diff("Pod", &good, &today, &options);
        let chosen: Vec<&Change> = changes.iter().collect();
        let target = target::revert(&today, &today, &good, &chosen).expect("placed");
        let left = value::diff("Pod", &good, &target, &options);
        prop_assert!(left.is_empty(), "left: {:?}\ntarget: {}", left, target);
        let ops = guard::guard(&today, patch::patch(&today, &target)).expect("applies");
        let mut patched = today.clone();
        json_patch::patch(&mut patched, &ops).expect("the guarded patch applies");
        prop_assert_eq!(patched, target);
    }
}

proptest! {
    /// Reverting some changes (by keyed path) leaves none of them, and the patch still applies.
    #[test]
    fn reverting_some_changes_leaves_none_of_them(
        good in pod(),
        today in pod(),
        pick in prop::collection::vec(any::<bool>(), 32),
    ) {
        let options = ValueOptions::default();
        let changes = value::diff("Pod", &good, &today, &options);
        let chosen: Vec<&Change> = changes
            .iter()
            .zip(pick.iter().cycle())
            .filter(|(_, pick)| **pick)
            .map(|(change, _)| change)
            .collect();
        let target = target::revert(&today, &today, &good, &chosen).expect("placed");
        // Positions in lists without keys shift as elements come and go: keyed paths only.
        let keyed = |c: &Change| !c.path.human().contains("args");
        let reverted: Vec<String> = chosen.iter().filter(|c| keyed(c)).map(|c| c.path.human()).collect();
        for left in value::diff("Pod", &good, &target, &options) {
            prop_assert!(!reverted.contains(&left.path.human()), "{:?} left in {}", left, target);
        }
        let ops = guard::guard(&today, patch::patch(&today, &target)).expect("applies");
        let mut patched = today.clone();
        json_patch::patch(&mut patched, &ops).expect("the guarded patch applies");
        prop_assert_eq!(patched, target);
    }
}
