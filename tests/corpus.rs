//! driftlab's engine run over a third-party test corpus: cases that nobody on this project wrote.
//!
//! The corpus lives beside the project, in `../shared/corpus/` (its `README.md` and `MANIFEST.md`
//! say where each folder comes from and what its tools expect). Tests read it in place and skip,
//! saying so, when it is absent.
//!
//! Where driftlab deliberately differs from what another tool expects, the case is listed in a
//! `*_DIVERGENCES` table with the reason, and the test asserts that the divergence still holds, so
//! the tables stay honest. Cases that only exercise another tool's own flags are listed in a
//! `*_SKIPPED` table; the tests assert those tables name cases that exist.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use driftlab::diff::value::{self, Change, Op, ValueOptions};
use driftlab::diff::{DiffOptions, DiffReport, ObjectChange, PathPattern, diff_snapshots, patch};
use driftlab::format::documents;
use driftlab::normalize::{normalize, prune_for_export};
use driftlab::snapshot::{Level, ObjectKey, Snapshot, SourceFormat};
use driftlab::source::{ReadOptions, read, read_bytes};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// The corpus folder, or `None` after a visible `SKIPPED:` line (a failure under CI).
fn corpus() -> Option<PathBuf> {
    common::skip::corpus("")
}

/// The corpus folder; returns from the test when it is absent, after [`corpus`] said so.
macro_rules! corpus_or_skip {
    () => {
        match corpus() {
            Some(dir) => dir,
            None => return,
        }
    };
}

fn read_path(path: &Path) -> Snapshot {
    read(path.to_str().expect("UTF-8 path"), &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_value(value: &Value, label: &str) -> Snapshot {
    let bytes = serde_json::to_vec(value).expect("serialisable");
    read_bytes(bytes, label, &ReadOptions::default()).unwrap_or_else(|e| panic!("{label}: {e}"))
}

fn load_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn key(group: &str, kind: &str, namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        namespace: namespace.into(),
        kind: kind.into(),
        name: name.into(),
        group: group.into(),
    }
}

/// `Replace spec.replicas`: a change as the expected lists below write it.
fn describe(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| format!("{:?} {}", c.op, c.path.human()))
        .collect()
}

/// Every line of a report: `Changed Deployment ns/name` and, under it, `  Replace spec.replicas`.
fn report_lines(report: &DiffReport) -> Vec<String> {
    let mut lines = Vec::new();
    for object in &report.objects {
        lines.push(format!("{:?} {}", object.change, object.key));
        lines.extend(
            describe(&object.changes)
                .into_iter()
                .map(|c| format!("  {c}")),
        );
    }
    lines
}

fn has_differences(report: &DiffReport) -> bool {
    report.summary.has_differences()
}

fn warnings(snapshot: &Snapshot) -> Vec<&str> {
    snapshot
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Warning)
        .map(|d| d.message.as_str())
        .collect()
}

/// Names of the sub-folders of `dir`.
fn subdirs(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Asserts that every case a skip or divergence table names exists.
fn assert_cases_exist(table: &str, names: &[&str], existing: &BTreeSet<String>) {
    for name in names {
        assert!(
            existing.contains(*name),
            "{table} names {name:?}, which is not a case of the corpus (cases: {existing:?})"
        );
    }
}

/// Runs the driftlab binary; returns (exit code, stdout, stderr).
fn driftlab(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("driftlab runs");
    (
        output.status.code().expect("exit code"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

// ---------------------------------------------------------------------------------------------
// jd-spec-cases: language-neutral JSON diff cases
// ---------------------------------------------------------------------------------------------

/// One `@ [path]` hunk of jd's output: where, and how many values it removes and adds.
#[derive(Debug)]
struct Hunk {
    path: Vec<Value>,
    minus: usize,
    plus: usize,
}

/// The hunks of jd output (metadata lines `^ …` and context lines are not needed).
fn jd_hunks(text: &str) -> Vec<Hunk> {
    let mut hunks: Vec<Hunk> = Vec::new();
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("@ ") {
            let path: Vec<Value> = serde_json::from_str(path)
                .unwrap_or_else(|e| panic!("jd path {path:?} is not a JSON array: {e}"));
            hunks.push(Hunk {
                path,
                minus: 0,
                plus: 0,
            });
        } else if line.starts_with("- ") {
            hunks.last_mut().expect("a hunk before - lines").minus += 1;
        } else if line.starts_with("+ ") {
            hunks.last_mut().expect("a hunk before + lines").plus += 1;
        }
    }
    hunks
}

/// A case's expected output: `expected_output`, or the `accepted_lines` groups one after another.
fn jd_expected(case: &Value) -> String {
    if let Some(text) = case.get("expected_output").and_then(Value::as_str) {
        return text.to_string();
    }
    case.get("accepted_lines")
        .and_then(Value::as_array)
        .map(|groups| {
            groups
                .iter()
                .flat_map(|g| g.as_array().into_iter().flatten())
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// One step of a jd path: a map key or a list index.
#[derive(Debug)]
enum Step {
    Key(String),
    Index(usize),
}

impl Step {
    fn matches(&self, token: &str) -> bool {
        match self {
            Step::Key(key) => key == token,
            Step::Index(i) => token.parse::<usize>() == Ok(*i),
        }
    }
}

/// A jd path as steps, or `None` when it holds set/multiset/keyed steps (`{}`, `[]`,
/// `{"id":1}`), which have no RFC 6901 spelling.
fn jd_steps(path: &[Value]) -> Option<Vec<Step>> {
    path.iter()
        .map(|step| match step {
            Value::String(key) => Some(Step::Key(key.clone())),
            Value::Number(n) => n.as_u64().map(|i| Step::Index(i as usize)),
            _ => None,
        })
        .collect()
}

/// The unescaped tokens of an RFC 6901 pointer (`""` is the root, no token).
fn pointer_tokens(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer[1..]
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Whether one of our changes, at pointer `ours`, lies in jd's hunk.
///
/// The rule: the hunk's path is a prefix of ours (jd reports a value replaced whole where we may
/// go deeper, never the reverse); or the hunk starts at index `i` of a list and ours is an element
/// of the same list within the hunk's span `i .. i + max(removed, added)` (jd writes one hunk for a
/// run of list edits, anchored at its first index; we write one change per element).
fn hunk_covers(hunk: &Hunk, steps: &[Step], ours: &[String]) -> bool {
    let prefix =
        |n: usize| ours.len() >= n && steps[..n].iter().zip(ours).all(|(s, t)| s.matches(t));
    if prefix(steps.len()) {
        return true;
    }
    match steps.split_last() {
        Some((Step::Index(start), parent)) if prefix(parent.len()) && ours.len() > parent.len() => {
            let span = hunk.minus.max(hunk.plus).max(1);
            ours[parent.len()]
                .parse::<usize>()
                .is_ok_and(|j| (*start..start + span).contains(&j))
        }
        _ => false,
    }
}

/// Where a change is, as pointer tokens: a removed value where it was, others where they are.
fn change_tokens(change: &Change) -> Vec<String> {
    let pointer = if change.op == Op::Remove {
        change.path.old_pointer()
    } else {
        change.path.pointer()
    };
    pointer_tokens(&pointer)
}

/// Runs one jd case through driftlab: equal iff jd's output is empty; our changes and jd's hunks
/// cover each other (when jd's paths are plain keys and indices, else `paths_checked` is false);
/// and jd's patch-then-re-diff procedure with driftlab's JSON Patch.
fn run_jd_case(case: &Value, ignore: &[PathPattern]) -> Result<bool, String> {
    let name = case["name"].as_str().unwrap_or("?");
    let parse = |field: &str| -> Value {
        serde_json::from_str(case[field].as_str().expect("content is a string"))
            .unwrap_or_else(|e| panic!("{name}: {field}: {e}"))
    };
    let (a, b) = (parse("content_a"), parse("content_b"));
    let mut changes = value::diff("", &a, &b, &ValueOptions::default());
    changes.retain(|c| !ignore.iter().any(|p| p.matches(&c.path)));
    let hunks = jd_hunks(&jd_expected(case));
    let ours = describe(&changes);

    if changes.is_empty() != hunks.is_empty() {
        return Err(format!(
            "{name}: jd says {}, driftlab found {ours:?}",
            if hunks.is_empty() { "equal" } else { "differs" }
        ));
    }

    let steps: Option<Vec<Vec<Step>>> = hunks.iter().map(|h| jd_steps(&h.path)).collect();
    let paths_checked = steps.is_some();
    if let Some(steps) = steps {
        let tokens: Vec<Vec<String>> = changes.iter().map(change_tokens).collect();
        for (hunk, steps) in hunks.iter().zip(&steps) {
            if !tokens.iter().any(|t| hunk_covers(hunk, steps, t)) {
                return Err(format!(
                    "{name}: jd hunk at {:?} matches none of our changes {ours:?} {tokens:?}",
                    hunk.path
                ));
            }
        }
        for (change, t) in changes.iter().zip(&tokens) {
            if !hunks.iter().zip(&steps).any(|(h, s)| hunk_covers(h, s, t)) {
                return Err(format!(
                    "{name}: our change {} ({t:?}) is in none of jd's hunks {hunks:?}",
                    change.path.human()
                ));
            }
        }
    }

    // jd's verification: patch a with the diff, the result must be b, and re-diffing it is empty.
    let ops = patch::patch(&a, &b);
    let mut patched = a.clone();
    json_patch::patch(&mut patched, &ops).map_err(|e| format!("{name}: our patch fails: {e}"))?;
    if patched != b {
        return Err(format!("{name}: patched {patched} is not {b}"));
    }
    let rediff = value::diff("", &patched, &b, &ValueOptions::default());
    if !rediff.is_empty() {
        return Err(format!(
            "{name}: re-diff not empty: {:?}",
            describe(&rediff)
        ));
    }
    Ok(paths_checked)
}

fn jd_cases(corpus: &Path, file: &str) -> Vec<Value> {
    match load_json(&corpus.join("jd-spec-cases").join(file)) {
        Value::Array(cases) => cases,
        other => panic!("{file}: not an array: {other}"),
    }
}

fn case_names(cases: &[Value]) -> BTreeSet<String> {
    cases
        .iter()
        .map(|c| c["name"].as_str().expect("case name").to_string())
        .collect()
}

#[test]
fn jd_core_cases() {
    let corpus = corpus_or_skip!();
    let cases = jd_cases(&corpus, "core.json");
    let mut failures = Vec::new();
    let (mut run, mut void) = (0, 0);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let (a, b) = (case["content_a"].as_str(), case["content_b"].as_str());
        if a == Some("") || b == Some("") {
            // jd's "void": no document at all. driftlab's reader agrees that empty input holds no
            // document (not null, not an error); the difference is then a whole document added or
            // removed, which jd writes as one root hunk of only + or only - lines.
            void += 1;
            let docs = |text: &str| documents::parse(text.as_bytes(), name).unwrap();
            let (docs_a, docs_b) = (docs(a.unwrap()), docs(b.unwrap()));
            let hunks = jd_hunks(&jd_expected(case));
            let root_only = |minus: bool| {
                hunks.len() == 1
                    && hunks[0].path.is_empty()
                    && (hunks[0].minus > 0) == minus
                    && (hunks[0].plus > 0) != minus
            };
            let ok = match (docs_a.len(), docs_b.len()) {
                (0, 1) => root_only(false),
                (1, 0) => root_only(true),
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{name}: void case: {docs_a:?} vs {docs_b:?}, jd {hunks:?}"
                ));
            }
            continue;
        }
        run += 1;
        match run_jd_case(case, &[]) {
            Ok(true) => {}
            Ok(false) => failures.push(format!("{name}: core paths should all be plain")),
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "jd core cases:\n{}",
        failures.join("\n")
    );
    assert_eq!(run + void, cases.len());
    assert!(run >= 40, "only {run} core cases ran");
    assert_eq!(void, 2, "jd's void cases (empty_to_value, value_to_empty)");
}

/// errors.json cases that test jd's options or jd's own patch format; driftlab has neither.
const JD_ERRORS_SKIPPED: &[(&str, &str)] = &[
    (
        "precision_with_set_conflict",
        "jd option conflict (SET + precision)",
    ),
    (
        "precision_with_multiset_conflict",
        "jd option conflict (MULTISET + precision)",
    ),
    ("invalid_keys_empty", "jd's keys option"),
    ("negative_precision", "jd's precision option"),
    (
        "malformed_diff_syntax",
        "parsing jd's diff format (patch operation)",
    ),
    (
        "invalid_path_element",
        "parsing jd's diff format (patch operation)",
    ),
    (
        "patch_context_mismatch",
        "applying jd's diff format (patch operation)",
    ),
];

#[test]
fn jd_error_cases() {
    let corpus = corpus_or_skip!();
    let cases = jd_cases(&corpus, "errors.json");
    let skipped: Vec<&str> = JD_ERRORS_SKIPPED.iter().map(|(n, _)| *n).collect();
    assert_cases_exist("JD_ERRORS_SKIPPED", &skipped, &case_names(&cases));
    let mut checked = 0;
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        assert_eq!(case["expect_error"], true, "{name}");
        if skipped.contains(&name) {
            continue;
        }
        // What is left is malformed JSON: driftlab's document reader must refuse it (and not
        // read it leniently as YAML, `{"invalid": json}` being a valid YAML flow mapping).
        let results: Vec<_> = ["content_a", "content_b"]
            .iter()
            .map(|f| documents::parse(case[f].as_str().unwrap().as_bytes(), name))
            .collect();
        let error = results
            .iter()
            .find_map(|r| r.as_ref().err())
            .unwrap_or_else(|| panic!("{name}: both inputs parsed: {results:?}"));
        assert!(
            error.to_string().contains("invalid JSON"),
            "{name}: {error}"
        );
        checked += 1;
    }
    assert_eq!(
        checked, 2,
        "invalid_json_input and invalid_json_second_input"
    );
}

/// options.json cases whose expectation depends on a jd option driftlab has no equivalent for.
const JD_OPTIONS_SKIPPED: &[(&str, &str)] = &[
    (
        "set_option_basic",
        "SET: driftlab compares lists in order (a reorder is one Move)",
    ),
    (
        "opts_json_set",
        "SET: driftlab compares lists in order (a reorder is one Move)",
    ),
    (
        "path_options_set",
        "SET on one path: driftlab reports the tags reorder too",
    ),
    (
        "path_options_nested",
        "SET on one path: driftlab reports the reorder",
    ),
    (
        "precision_option",
        "precision: driftlab compares numbers exactly",
    ),
    (
        "opts_precision",
        "precision: driftlab compares numbers exactly",
    ),
    (
        "precision_edge_boundary",
        "precision: driftlab compares numbers exactly",
    ),
    (
        "path_options_precision",
        "precision on one path: driftlab reports temp too",
    ),
    ("multiple_path_options", "SET and precision on paths"),
    (
        "diff_on_allowlist",
        "DIFF_OFF/DIFF_ON allow-list: driftlab only has deny patterns",
    ),
];

/// options.json cases whose expectation holds in driftlab without the option: the verdict, and
/// the paths where jd's paths are plain keys and indices.
const JD_OPTIONS_HOLD: &[(&str, &str)] = &[
    (
        "set_option_with_changes",
        "an element changed: differs with or without SET",
    ),
    (
        "multiset_option",
        "elements changed: differs with or without MULTISET",
    ),
    (
        "set_with_null_values",
        "elements changed: differs with or without SET",
    ),
    (
        "multiset_duplicate_counting",
        "elements changed: differs with or without MULTISET",
    ),
    (
        "precision_option_exceeded",
        "beyond the precision: an exact diff differs too",
    ),
    (
        "precision_just_over_boundary",
        "beyond the precision: an exact diff differs too",
    ),
    (
        "keys_option",
        "users match by their unique name, as they would by id",
    ),
    (
        "multiple_keys",
        "a one-element list: the element is compared in place",
    ),
];

/// options.json cases with an option that maps onto driftlab: DIFF_OFF at a path is `--ignore`.
const JD_OPTIONS_MAPPED: &[(&str, &str)] = &[("diff_off_option", "timestamp")];

#[test]
fn jd_option_cases() {
    let corpus = corpus_or_skip!();
    let cases = jd_cases(&corpus, "options.json");
    let names = case_names(&cases);
    let skipped: Vec<&str> = JD_OPTIONS_SKIPPED.iter().map(|(n, _)| *n).collect();
    let hold: Vec<&str> = JD_OPTIONS_HOLD.iter().map(|(n, _)| *n).collect();
    let mapped: Vec<&str> = JD_OPTIONS_MAPPED.iter().map(|(n, _)| *n).collect();
    assert_cases_exist("JD_OPTIONS_SKIPPED", &skipped, &names);
    assert_cases_exist("JD_OPTIONS_HOLD", &hold, &names);
    assert_cases_exist("JD_OPTIONS_MAPPED", &mapped, &names);
    // Every case is in exactly one table: a new upstream case is not silently ignored.
    for name in &names {
        let tables = [&skipped, &hold, &mapped]
            .iter()
            .filter(|t| t.contains(&name.as_str()))
            .count();
        assert_eq!(tables, 1, "{name} is in {tables} of the jd option tables");
    }

    let mut failures = Vec::new();
    let mut paths_checked = 0;
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let ignore: Vec<PathPattern> = match JD_OPTIONS_MAPPED.iter().find(|(n, _)| *n == name) {
            Some((_, path)) => {
                // Keep the mapping honest: the case's only option is DIFF_OFF at that path.
                assert_eq!(
                    case["options"],
                    json!([{"@": [path], "^": ["DIFF_OFF"]}]),
                    "{name}"
                );
                vec![PathPattern::parse(path).unwrap()]
            }
            None if hold.contains(&name) => Vec::new(),
            None => continue,
        };
        match run_jd_case(case, &ignore) {
            Ok(checked) => paths_checked += usize::from(checked),
            Err(e) => failures.push(e),
        }
    }
    assert!(
        failures.is_empty(),
        "jd option cases:\n{}",
        failures.join("\n")
    );
    // The plain-path cases (precision ones and diff_off_option) had their locations checked.
    assert_eq!(paths_checked, 3);
}

// ---------------------------------------------------------------------------------------------
// dyff: Kubernetes multi-document, List, rename and ConfigMap pairs
// ---------------------------------------------------------------------------------------------

fn dyff_pair(corpus: &Path, case: &str) -> (PathBuf, PathBuf) {
    let dir = corpus.join("dyff").join(case);
    let pick = |stem: &str| {
        ["yml", "yaml"]
            .iter()
            .map(|ext| dir.join(format!("{stem}.{ext}")))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("{case}: no {stem}.y(a)ml"))
    };
    (pick("from"), pick("to"))
}

fn dyff_snapshot_diff(corpus: &Path, case: &str) -> (Snapshot, Snapshot, DiffReport) {
    let (from, to) = dyff_pair(corpus, case);
    let (old, new) = (read_path(&from), read_path(&to));
    let report = diff_snapshots(&old, &new, &DiffOptions::default());
    (old, new, report)
}

/// Generic YAML (not Kubernetes objects): the value diff of the documents, one by one.
fn dyff_value_diff(corpus: &Path, case: &str) -> Vec<Change> {
    let (from, to) = dyff_pair(corpus, case);
    let docs = |p: &Path| -> Vec<Value> {
        let bytes = std::fs::read(p).unwrap();
        let mut docs = documents::parse(&bytes, &p.display().to_string()).unwrap();
        docs.retain(|d| !d.is_null());
        docs
    };
    let (a, b) = (docs(&from), docs(&to));
    assert_eq!(a.len(), b.len(), "{case}: document counts");
    a.iter()
        .zip(&b)
        .flat_map(|(x, y)| value::diff("", x, y, &ValueOptions::default()))
        .collect()
}

/// dyff cases where driftlab deliberately reports something else than dyff.
const DYFF_DIVERGENCES: &[(&str, &str)] = &[
    (
        "kubernetes/lists",
        "List items are flattened into the snapshot, keyed by identity: their order is not \
         part of a snapshot, so dyff's order change of items is not reported",
    ),
    (
        "kubernetes/lists-versioned-crds",
        "the two items are different objects (different kinds); a snapshot has no order, so \
         dyff's only finding, an order change, is no difference at all",
    ),
    (
        "kubernetes/multi-docs-versioned-crds",
        "apiVersion is not identity: one kind/name in two versions is one object twice in a \
         file (warning, first copy wins), so driftlab reports an apiVersion change where dyff \
         sees two documents reordered",
    ),
    (
        "kubernetes/rename",
        "the engine alone does not pair renames: the kustomize hash-suffix rename is one object \
         removed and one added, where dyff reports one modified document (the command pairs \
         them: DYFF_COMMAND_DIVERGENCES)",
    ),
];

/// dyff cases not run, with the reason.
const DYFF_SKIPPED: &[(&str, &str)] = &[(
    "issues/issue-243",
    "expected result only with dyff's --additional-identifier=branch --ignore-order-changes",
)];

/// dyff cases that the tests below check against dyff's expectation.
const DYFF_CHECKED: &[&str] = &[
    "kubernetes/multi-docs",
    "kubernetes/configmaps",
    "kubernetes/multi-docs-file-level",
    "issues/issue-89",
    "issues/issue-225",
    "issues/issue-232",
    "issues/issue-525",
    "issues/issue-580",
    "issues/issue-605",
];

#[test]
fn dyff_cases_are_all_accounted_for() {
    let corpus = corpus_or_skip!();
    let mut cases = BTreeSet::new();
    for group in ["kubernetes", "issues"] {
        for case in subdirs(&corpus.join("dyff").join(group)) {
            cases.insert(format!("{group}/{case}"));
        }
    }
    let listed: Vec<&str> = DYFF_DIVERGENCES
        .iter()
        .chain(DYFF_SKIPPED)
        .map(|(n, _)| *n)
        .chain(DYFF_CHECKED.iter().copied())
        .collect();
    assert_cases_exist("dyff tables", &listed, &cases);
    for case in &cases {
        let times = listed.iter().filter(|n| **n == case).count();
        assert_eq!(times, 1, "dyff case {case} is listed {times} times");
    }
}

#[test]
fn dyff_multi_docs_four_changes() {
    let corpus = corpus_or_skip!();
    let (_, _, report) = dyff_snapshot_diff(&corpus, "kubernetes/multi-docs");
    assert_eq!(
        report_lines(&report),
        [
            "Changed ReplicationController kube-system/kube-registry-v0",
            "  Replace spec.template.spec.containers[registry].resources.limits.cpu",
            "  Replace spec.template.spec.containers[registry].resources.limits.memory",
            "  Add spec.template.spec.containers[registry].ports[5001/TCP]",
            "Changed Service kube-system/kube-registry",
            "  Add spec.ports[5001/TCP]",
        ]
    );
    let rc = &report.objects[0].changes;
    assert_eq!(
        (&rc[0].old, &rc[0].new),
        (&Some(json!("100m")), &Some(json!("1000m")))
    );
    assert_eq!(
        (&rc[1].old, &rc[1].new),
        (&Some(json!("100Mi")), &Some(json!("10Gi")))
    );
    assert_eq!(rc[2].new.as_ref().unwrap()["name"], "backdoor");
    assert_eq!(
        report.objects[1].changes[0].new.as_ref().unwrap()["port"],
        5001
    );
}

#[test]
fn dyff_configmap_multiline_yaml_is_diffed_inside_the_data_key() {
    let corpus = corpus_or_skip!();
    let (_, _, report) = dyff_snapshot_diff(&corpus, "kubernetes/configmaps");
    // dyff shows a line diff of the text; driftlab parses the embedded YAML (the key ends in
    // .yaml) and reports the two structural changes, both located at the data key.
    assert_eq!(
        report_lines(&report),
        [
            "Changed ConfigMap pinniped-concierge/pinniped-concierge-config",
            r#"  Replace data["pinniped.yaml"].api.servingCertificate.renewBeforeSeconds"#,
            r#"  Remove data["pinniped.yaml"].labels"#,
        ]
    );
    for change in &report.objects[0].changes {
        assert_eq!(change.path.pointer(), "/data/pinniped.yaml");
        assert!(!change.format_only);
    }
    let renew = &report.objects[0].changes[0];
    assert_eq!(
        (&renew.old, &renew.new),
        (&Some(json!(2160000)), &Some(json!(12160000)))
    );
}

#[test]
fn dyff_multi_docs_file_level_matches_the_expected_report() {
    let corpus = corpus_or_skip!();
    let case = "kubernetes/multi-docs-file-level";
    let (_, _, report) = dyff_snapshot_diff(&corpus, case);

    // What dyff's expected output says happened to each document, by name.
    let expected_text =
        std::fs::read_to_string(corpus.join("dyff").join(case).join("expected-dyff.human"))
            .unwrap();
    let mut expected: BTreeMap<String, &str> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in expected_text.lines() {
        if let Some(start) = line.find("(v1/Service/") {
            let name = line[start + "(v1/Service/".len()..].trim_end_matches(')');
            current = Some(name.to_string());
            expected.insert(name.to_string(), "Changed");
        } else if let Some(name) = &current {
            if line.contains("document removed") {
                expected.insert(name.clone(), "Removed");
            } else if line.contains("document added") {
                expected.insert(name.clone(), "Added");
            }
        }
    }
    let ours: BTreeMap<String, &str> = report
        .objects
        .iter()
        .map(|o| {
            let change = match o.change {
                ObjectChange::Added => "Added",
                ObjectChange::Removed => "Removed",
                ObjectChange::Changed => "Changed",
            };
            (o.key.name.clone(), change)
        })
        .collect();
    assert_eq!(expected.len(), 4, "{expected:?}");
    assert_eq!(ours, expected);
    let foo = report.objects.iter().find(|o| o.key.name == "foo").unwrap();
    assert_eq!(describe(&foo.changes), ["Add metadata.annotations"]);
    assert_eq!(foo.changes[0].new, Some(json!({"foo": "bar"})));
}

#[test]
fn dyff_issues() {
    let corpus = corpus_or_skip!();

    // issue-580: [123, 123] vs ["123", 123]: exactly one difference, a string is not a number.
    let changes = dyff_value_diff(&corpus, "issues/issue-580");
    assert_eq!(describe(&changes), ["Replace list[0]"]);
    assert_eq!(
        (&changes[0].old, &changes[0].new),
        (&Some(json!(123)), &Some(json!("123")))
    );

    // issue-605: identical files with keys holding dots and slashes: no difference.
    let (old, _, report) = dyff_snapshot_diff(&corpus, "issues/issue-605");
    assert_eq!(old.len(), 1);
    assert!(!has_differences(&report), "{:?}", report_lines(&report));
    assert!(dyff_value_diff(&corpus, "issues/issue-605").is_empty());

    // issue-89: map -> list and map -> null are type changes of the whole value.
    let changes = dyff_value_diff(&corpus, "issues/issue-89");
    assert_eq!(describe(&changes), ["Replace foo", "Replace bar"]);
    assert_eq!(changes[1].new, Some(Value::Null));

    // issue-225: a multi-line string that grew: one change of the string.
    assert_eq!(
        describe(&dyff_value_diff(&corpus, "issues/issue-225")),
        ["Replace data"]
    );

    // issue-232 (its dyff expectations need --filter / --ignore-value-changes; this is the plain
    // comparison): the Namespace is removed, the Deployment's label and replicas changed.
    let (_, _, report) = dyff_snapshot_diff(&corpus, "issues/issue-232");
    assert_eq!(
        report_lines(&report),
        [
            "Changed Deployment test",
            "  Replace metadata.labels.test",
            "  Replace spec.replicas",
            "Removed Namespace test",
        ]
    );

    // issue-525: a list with no standard identifier (digest/image/registry/tag) is compared as a
    // sequence: changed elements in place, the new one added at the end.
    assert_eq!(
        describe(&dyff_value_diff(&corpus, "issues/issue-525")),
        [
            "Replace allowed[0].tag",
            "Replace allowed[1].tag",
            "Replace allowed[3].image",
            "Replace allowed[4].digest",
            "Add allowed[6]",
        ]
    );
}

#[test]
fn dyff_known_divergences_still_hold() {
    let corpus = corpus_or_skip!();
    for (case, reason) in DYFF_DIVERGENCES {
        let (old, new, report) = dyff_snapshot_diff(&corpus, case);
        let lines = report_lines(&report);
        match *case {
            "kubernetes/lists" => {
                assert_eq!(
                    lines,
                    ["Changed Pod foobar/foo-1", "  Replace metadata.labels.foo"],
                    "{case}: {reason}"
                );
                assert_eq!(report.summary.unchanged, 1);
            }
            "kubernetes/lists-versioned-crds" => {
                assert_eq!((old.len(), new.len()), (2, 2), "{case}");
                assert!(lines.is_empty(), "{case}: {reason}: {lines:?}");
            }
            "kubernetes/multi-docs-versioned-crds" => {
                for snapshot in [&old, &new] {
                    let w = warnings(snapshot);
                    assert!(
                        w.len() == 1 && w[0].contains("also appears in"),
                        "{case}: {w:?}"
                    );
                }
                assert_eq!(
                    lines,
                    ["Changed some-kind some-item", "  Replace apiVersion"]
                );
            }
            "kubernetes/rename" => {
                assert_eq!(
                    lines,
                    [
                        "Added ConfigMap pinniped-concierge-config-296567ccmt",
                        "Removed ConfigMap pinniped-concierge-config-9bfbmfgt2f",
                    ],
                    "{case}: {reason}"
                );
                // Paired by hand, the two differ only in the name and a comment added to the
                // embedded YAML (a format-only change): what the command reports once it has paired them.
                let (_, removed) = old.iter().next().unwrap();
                let (_, added) = new.iter().next().unwrap();
                let mut renamed = added.value();
                renamed["metadata"]["name"] = removed.value()["metadata"]["name"].clone();
                let changes = value::diff(
                    "ConfigMap",
                    &removed.value(),
                    &renamed,
                    &ValueOptions::default(),
                );
                assert_eq!(describe(&changes), [r#"Replace data["pinniped.yaml"]"#]);
                assert!(changes[0].format_only);
            }
            other => panic!("no check written for dyff divergence {other}"),
        }
    }
}

/// dyff cases where the `driftlab diff` command (the default profile) reports something else than
/// the engine, with the reason.
const DYFF_COMMAND_DIVERGENCES: &[(&str, &str)] = &[
    (
        "kubernetes/rename",
        "the command pairs the kustomize hash-suffix rename (content hash): one changed object \
         whose only change is format-only, as dyff reports one modified document; the engine \
         alone sees a removal and an addition",
    ),
    (
        "kubernetes/multi-docs-versioned-crds",
        "the apiVersion change is hidden by the api-upgrade noise rule (an old backup against an \
         upgraded cluster), so the command shows nothing, as dyff (which sees only a reorder)",
    ),
];

/// The lines of `driftlab diff --output json --explain` in the form of `report_lines`: each object,
/// and under it each change that is not hidden as noise.
fn command_report_lines(json: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    for object in json["objects"].as_array().expect("objects") {
        let change = object["change"].as_str().unwrap();
        let mut verb = change.to_string();
        verb[..1].make_ascii_uppercase();
        let namespace = object["namespace"].as_str().unwrap_or("");
        let name = object["name"].as_str().unwrap();
        let qualified = if namespace.is_empty() {
            name.to_string()
        } else {
            format!("{namespace}/{name}")
        };
        lines.push(format!(
            "{verb} {} {qualified}",
            object["kind"].as_str().unwrap()
        ));
        for c in object["changes"].as_array().into_iter().flatten() {
            if c.get("hidden").is_none() {
                let mut op = c["op"].as_str().unwrap().to_string();
                op[..1].make_ascii_uppercase();
                lines.push(format!("  {op} {}", c["path"].as_str().unwrap()));
            }
        }
    }
    lines
}

/// Whether the command's report lines say what the engine's say. Two differences are by design and
/// allowed: the command puts an object read without a namespace in `default`, as kubectl does; and
/// it shows an added map or list element field by field where a noise rule has to look inside it
/// (hiding, say, a Service port's `protocol: TCP`, the server's default), so a command line may be
/// below an engine line (`Add spec.ports[5001/TCP].port` under `Add spec.ports[5001/TCP]`).
fn same_findings(command: &[String], engine: &[String]) -> bool {
    let unqualified = |l: &String| l.replace(" default/", " ");
    let (command, engine): (Vec<String>, Vec<String>) = (
        command.iter().map(unqualified).collect(),
        engine.iter().map(unqualified).collect(),
    );
    let under = |line: &str, above: &str| {
        line == above
            || (above.starts_with("  ")
                && line
                    .strip_prefix(above)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('[')))
    };
    // The order of objects is the report's own (cluster-scoped first in JSON), so as a set.
    let objects = |lines: &[String]| -> BTreeSet<String> {
        lines
            .iter()
            .filter(|l| !l.starts_with("  "))
            .cloned()
            .collect()
    };
    objects(&command) == objects(&engine)
        && command.iter().all(|c| engine.iter().any(|e| under(c, e)))
        && engine
            .iter()
            .all(|e| !e.starts_with("  ") || command.iter().any(|c| under(c, e)))
}

/// Every dyff case run at engine level also runs through `driftlab diff --output json --explain`:
/// the command must report what the engine reports (which the tests above hold to dyff's
/// expectation), except for the named command divergences, each asserted.
#[test]
fn dyff_cases_hold_through_the_command() {
    let corpus = corpus_or_skip!();
    let cases = DYFF_CHECKED
        .iter()
        .copied()
        .chain(DYFF_DIVERGENCES.iter().map(|(n, _)| *n));
    let mut compared = 0;
    for case in cases {
        let (from, to) = dyff_pair(&corpus, case);
        let (code, stdout, stderr) = driftlab(&[
            "diff",
            from.to_str().unwrap(),
            to.to_str().unwrap(),
            "--allow-empty",
            "--explain",
            "--output",
            "json",
        ]);
        let json: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{case}: {e}\n{stdout}\n{stderr}"));
        let lines = command_report_lines(&json);
        let visible = lines
            .iter()
            .any(|l| l.starts_with("  ") || !l.starts_with("Changed"));
        assert_eq!(code, i32::from(visible), "{case}: exit status\n{stderr}");
        let divergence = DYFF_COMMAND_DIVERGENCES.iter().find(|(n, _)| *n == case);
        match (case, divergence) {
            ("kubernetes/rename", Some((_, reason))) => {
                let object = &json["objects"][0];
                assert_eq!(json["objects"].as_array().unwrap().len(), 1, "{reason}");
                assert_eq!(object["oldName"], "pinniped-concierge-config-9bfbmfgt2f");
                assert_eq!(object["name"], "pinniped-concierge-config-296567ccmt");
                assert_eq!(
                    lines,
                    [
                        "Changed ConfigMap default/pinniped-concierge-config-296567ccmt",
                        "  Replace data[\"pinniped.yaml\"]",
                    ],
                    "{reason}"
                );
                let shown: Vec<&Value> = object["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|c| c.get("hidden").is_none())
                    .collect();
                assert_eq!(shown[0]["formatOnly"], true, "{reason}");
            }
            ("kubernetes/multi-docs-versioned-crds", Some((_, reason))) => {
                assert_eq!(lines, ["Changed some-kind default/some-item"], "{reason}");
                let change = &json["objects"][0]["changes"][0];
                assert_eq!(
                    (&change["path"], &change["hidden"]),
                    (&json!("apiVersion"), &json!("api-upgrade")),
                    "{reason}"
                );
            }
            (_, Some(_)) => panic!("no check written for dyff command divergence {case}"),
            (_, None) => {
                let generic = dyff_pair(&corpus, case);
                let engine = if read_path(&generic.0).is_empty() && read_path(&generic.1).is_empty()
                {
                    Vec::new()
                } else {
                    report_lines(&dyff_snapshot_diff(&corpus, case).2)
                };
                assert!(
                    same_findings(&lines, &engine),
                    "{case}: the command and the engine disagree\ncommand: {lines:#?}\nengine: {engine:#?}"
                );
                compared += 1;
            }
        }
    }
    assert_eq!(
        compared,
        DYFF_CHECKED.len() + DYFF_DIVERGENCES.len() - DYFF_COMMAND_DIVERGENCES.len()
    );
}

// ---------------------------------------------------------------------------------------------
// diffyml: golden CLI cases
// ---------------------------------------------------------------------------------------------

/// How a diffyml `params.cfg` translates to driftlab.
#[derive(Clone, Copy, Debug)]
enum Params {
    /// What the flags ask for is driftlab's default behaviour (or only the output format).
    Default(&'static str),
    /// The flags exclude paths: driftlab's `--ignore` patterns.
    Ignore(&'static [&'static str]),
}

/// diffyml params.cfg files that map onto driftlab, with the exact text of the file.
const DIFFYML_PARAMS: &[(&str, &str, Params)] = &[
    (
        "006-exclude-fields-in-lists",
        r#"--exclude-regexp "version_used""#,
        Params::Ignore(&["*[*].version_used"]),
    ),
    (
        "008-ignore-api-version",
        "--ignore-api-version",
        Params::Default("apiVersion is never part of an object's identity"),
    ),
    (
        "014-output-brief",
        "--output brief",
        Params::Default("output format only"),
    ),
    (
        "023-exclude",
        "--exclude metadata",
        Params::Ignore(&["metadata"]),
    ),
    (
        "033-detect-renames-disabled",
        "--detect-renames=false",
        Params::Default("driftlab does not pair renamed objects"),
    ),
    (
        "052-output-json",
        "--output json",
        Params::Default("output format only"),
    ),
    (
        "053-output-json-k8s",
        "--output json",
        Params::Default("output format only"),
    ),
    (
        "055-output-json-patch",
        "--output json-patch",
        Params::Default("output format only"),
    ),
    (
        "104-dir-kubectl-external-diff",
        "--omit-header",
        Params::Default("output format only"),
    ),
    (
        "108-ignore-order-nested-changes",
        "--ignore-order-changes",
        Params::Default("no list is reordered in this case, so the flag changes nothing"),
    ),
    (
        "110-exclude-missing-key",
        "--exclude metadata.namespace",
        Params::Ignore(&["metadata.namespace"]),
    ),
    (
        "112-mask-secret-explicit",
        "--mask-secrets",
        Params::Default("secret values are always fingerprints"),
    ),
    (
        "116-mask-secret-added",
        "--mask-secrets",
        Params::Default("secret values are always fingerprints"),
    ),
    (
        "117-mask-stringdata",
        "--mask-secrets",
        Params::Default("secret values are always fingerprints"),
    ),
    (
        "118-neat-kubernetes",
        "--neat",
        Params::Default("server-written fields are always dropped before comparing"),
    ),
    (
        "120-neat-keeps-restartedat",
        "--neat",
        Params::Default("server-written fields are always dropped before comparing"),
    ),
    (
        "121-exclude-nested-key",
        "--exclude metadata.labels.whatever --exclude metadata.annotations --detect-kubernetes",
        // --detect-kubernetes is driftlab's default: objects are matched by identity.
        Params::Ignore(&["metadata.labels.whatever", "metadata.annotations"]),
    ),
];

/// diffyml cases that test flags driftlab has no equivalent for.
const DIFFYML_SKIPPED: &[(&str, &str)] = &[
    (
        "010-ignore-order-changes",
        "--ignore-order-changes: driftlab always reports a reordered list, as one Move",
    ),
    (
        "021-filter",
        "--filter: driftlab has no include filter on paths",
    ),
    (
        "024-additional-identifier",
        "--additional-identifier: list keys are the Kubernetes merge keys or `name`",
    ),
    (
        "047-non-standard-identifier",
        "--additional-identifier: list keys are the Kubernetes merge keys or `name`",
    ),
    (
        "106-format-strings",
        "--format-strings: driftlab parses embedded JSON only in ConfigMap *.json keys and \
         annotations",
    ),
];

/// diffyml cases where driftlab deliberately disagrees, on the verdict or on what it reports (one
/// entry, marked BUG, is a reported bug rather than a choice: when it is fixed, remove it).
const DIFFYML_DIVERGENCES: &[(&str, &str)] = &[
    (
        "032-detect-renames",
        "driftlab pairs only renames it can show (the same content, or a generated hash suffix); \
         `app-config-abc123` → `app-config-def456` with a changed value is neither, so the \
         ConfigMap is removed + added, not one modified document, by the command too",
    ),
    (
        "039-nested-lists",
        "a list whose elements only changed order is one Move change, not two value changes",
    ),
    (
        "040-k8s-document-reorder",
        "documents are objects keyed by identity; their order in a file is not part of a \
         snapshot, so a reorder is no difference",
    ),
    (
        "042-k8s-document-added",
        "YAML 1.1 scalars, as go-yaml v2 / sigs.k8s.io/yaml (kubectl) read them: `name: y` is \
         the boolean true, so the added Service has no name and is skipped with a warning",
    ),
    (
        "043-k8s-document-removed",
        "YAML 1.1 scalars: `name: y` is the boolean true, so the removed Service has no name \
         and is skipped with a warning",
    ),
    (
        "048-timestamp-vs-string",
        "YAML is read into the JSON model (as sigs.k8s.io/yaml does): an unquoted date is the \
         string it spells, equal to the quoted one",
    ),
    (
        "050-missing-document",
        "objects named only by metadata.generateName have no identity: they are skipped with a \
         warning, so neither file holds an object",
    ),
    (
        "118-neat-kubernetes",
        "driftlab keeps helm/argocd/flux labels and annotations and the revision annotation \
         (they are not server housekeeping), so it reports them beside diffyml's two changes",
    ),
];

/// The verdict diffyml expects: true when the files differ.
fn diffyml_expected(dir: &Path) -> bool {
    let exit = std::fs::read_to_string(dir.join("expected_exit_code.txt"))
        .ok()
        .map(|t| match t.trim() {
            "0" => false,
            "1" => true,
            other => panic!("{}: exit code {other}", dir.display()),
        });
    let output = std::fs::read_to_string(dir.join("expected_output.txt"))
        .ok()
        .map(|t| {
            let first = t
                .lines()
                .find(|l| !l.trim().is_empty() && !l.starts_with("---") && !l.starts_with("+++"))
                .unwrap_or("")
                .to_string();
            !first.to_ascii_lowercase().contains("no difference")
        });
    match (exit, output) {
        (Some(a), Some(b)) => {
            assert_eq!(a, b, "{}: exit code and output disagree", dir.display());
            a
        }
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => panic!("{}: no expectation", dir.display()),
    }
}

/// How a diffyml case is compared.
enum DiffymlRun {
    /// Kubernetes objects (or directories of them): a snapshot diff.
    Snapshots(Box<DiffReport>, Box<Snapshot>, Box<Snapshot>),
    /// Plain YAML documents: the value diff of the documents at each position.
    Documents(Vec<Vec<Change>>, usize, usize),
}

impl DiffymlRun {
    fn differs(&self) -> bool {
        match self {
            DiffymlRun::Snapshots(report, ..) => has_differences(report),
            DiffymlRun::Documents(changes, a, b) => a != b || changes.iter().any(|c| !c.is_empty()),
        }
    }

    fn lines(&self) -> Vec<String> {
        match self {
            DiffymlRun::Snapshots(report, ..) => report_lines(report),
            DiffymlRun::Documents(changes, ..) => {
                changes.iter().flat_map(|c| describe(c)).collect()
            }
        }
    }
}

fn yaml_documents(path: &Path) -> Vec<Value> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut docs = documents::parse(&bytes, &path.display().to_string()).unwrap();
    docs.retain(|d| !d.is_null());
    docs
}

fn diffyml_run(dir: &Path, ignore: &[PathPattern]) -> DiffymlRun {
    let options = DiffOptions {
        ignore: ignore.to_vec(),
        ..DiffOptions::default()
    };
    if dir.join("dir1").is_dir() {
        let (old, new) = (read_path(&dir.join("dir1")), read_path(&dir.join("dir2")));
        let report = diff_snapshots(&old, &new, &options);
        return DiffymlRun::Snapshots(Box::new(report), Box::new(old), Box::new(new));
    }
    let (f1, f2) = (dir.join("file1.yaml"), dir.join("file2.yaml"));
    let (d1, d2) = (yaml_documents(&f1), yaml_documents(&f2));
    let kubernetes = d1
        .iter()
        .chain(&d2)
        .any(|d| d.get("kind").is_some_and(Value::is_string));
    if kubernetes {
        let (old, new) = (read_path(&f1), read_path(&f2));
        let report = diff_snapshots(&old, &new, &options);
        DiffymlRun::Snapshots(Box::new(report), Box::new(old), Box::new(new))
    } else {
        let changes = d1
            .iter()
            .zip(&d2)
            .map(|(a, b)| {
                let mut c = value::diff("", a, b, &ValueOptions::default());
                c.retain(|c| !ignore.iter().any(|p| p.matches(&c.path)));
                c
            })
            .collect();
        DiffymlRun::Documents(changes, d1.len(), d2.len())
    }
}

fn diffyml_ignore(case: &str, dir: &Path) -> Option<Vec<PathPattern>> {
    let params = std::fs::read_to_string(dir.join("params.cfg")).ok();
    let mapped = DIFFYML_PARAMS.iter().find(|(n, ..)| *n == case);
    match (params, mapped) {
        (None, None) => Some(Vec::new()),
        (Some(text), Some((_, expected, translation))) => {
            assert_eq!(
                text.trim(),
                *expected,
                "{case}: params.cfg changed upstream"
            );
            Some(match translation {
                Params::Default(why) => {
                    assert!(
                        !why.is_empty(),
                        "{case}: say why the flags need no translation"
                    );
                    Vec::new()
                }
                Params::Ignore(patterns) => patterns
                    .iter()
                    .map(|p| PathPattern::parse(p).unwrap())
                    .collect(),
            })
        }
        (None, Some(_)) => panic!("{case}: DIFFYML_PARAMS lists it, but it has no params.cfg"),
        (Some(text), None) => {
            assert!(
                DIFFYML_SKIPPED.iter().any(|(n, _)| *n == case),
                "{case}: params.cfg {text:?} is neither mapped nor skipped"
            );
            None
        }
    }
}

#[test]
fn diffyml_fixtures() {
    fn names(table: &[(&'static str, &'static str)]) -> Vec<&'static str> {
        table.iter().map(|(n, _)| *n).collect()
    }
    let corpus = corpus_or_skip!();
    let root = corpus.join("diffyml/fixtures");
    let cases = subdirs(&root);
    let params: Vec<&str> = DIFFYML_PARAMS.iter().map(|(n, ..)| *n).collect();
    assert_cases_exist("DIFFYML_PARAMS", &params, &cases);
    assert_cases_exist("DIFFYML_SKIPPED", &names(DIFFYML_SKIPPED), &cases);
    assert_cases_exist("DIFFYML_DIVERGENCES", &names(DIFFYML_DIVERGENCES), &cases);

    let mut failures = Vec::new();
    let mut ran = 0;
    for case in &cases {
        let dir = root.join(case);
        let Some(ignore) = diffyml_ignore(case, &dir) else {
            continue;
        };
        assert!(
            !DIFFYML_SKIPPED.iter().any(|(n, _)| n == case),
            "{case} is skipped but its params are mapped"
        );
        ran += 1;
        let expected = diffyml_expected(&dir);
        let run = diffyml_run(&dir, &ignore);
        let divergence = DIFFYML_DIVERGENCES.iter().find(|(n, _)| n == case);
        match (run.differs() == expected, divergence) {
            (true, None) => {}
            (false, None) => failures.push(format!(
                "{case}: diffyml expects {}, driftlab says {}: {:?}",
                if expected { "differences" } else { "none" },
                if run.differs() { "differences" } else { "none" },
                run.lines()
            )),
            // A verdict divergence: that the verdict is the opposite is what the table claims.
            (false, Some(_)) => {}
            // The verdict agrees: the table entry must be about what is reported; check that.
            (true, Some((_, reason))) => diffyml_detail_divergence(case, reason, &run),
        }
    }
    assert!(failures.is_empty(), "diffyml:\n{}", failures.join("\n"));
    assert_eq!(ran + DIFFYML_SKIPPED.len(), cases.len());
    assert!(ran >= 30, "{ran}");
}

/// The divergences in what is reported (the verdict agrees with diffyml's).
fn diffyml_detail_divergence(case: &str, reason: &str, run: &DiffymlRun) {
    let lines = run.lines();
    match case {
        "032-detect-renames" => assert_eq!(
            lines,
            [
                "Removed ConfigMap production/app-config-abc123",
                "Added ConfigMap production/app-config-def456",
            ],
            "{case}: {reason}"
        ),
        "039-nested-lists" => assert_eq!(lines, ["Move [1]"], "{case}: {reason}"),
        "118-neat-kubernetes" => assert_eq!(
            lines,
            [
                "Changed Deployment default/nginx",
                r#"  Replace metadata.labels["helm.sh/chart"]"#,
                r#"  Replace metadata.annotations["deployment.kubernetes.io/revision"]"#,
                r#"  Replace metadata.annotations["kustomize.toolkit.fluxcd.io/checksum"]"#,
                "  Replace spec.replicas",
                "  Replace spec.template.spec.containers[nginx].image",
            ],
            "{case}: {reason}"
        ),
        other => panic!(
            "{other}: in DIFFYML_DIVERGENCES, but the verdict agrees and no detail check is written"
        ),
    }
}

/// Exact findings for diffyml cases where the expected output names them.
#[test]
fn diffyml_exact_findings() {
    let corpus = corpus_or_skip!();
    let root = corpus.join("diffyml/fixtures");
    let run = |case: &str| {
        let dir = root.join(case);
        let ignore = diffyml_ignore(case, &dir).expect("not skipped");
        diffyml_run(&dir, &ignore).lines()
    };
    let expected: &[(&str, &[&str])] = &[
        (
            // Kind1's removed labels held only the ignored key: nothing of Kind1 is left.
            "121-exclude-nested-key",
            &[
                "Changed Kind2 foo",
                "  Remove metadata.subresources",
                "  Remove metadata.labels.foo",
                "  Remove metadata.labels.quix",
            ],
        ),
        (
            "006-exclude-fields-in-lists",
            &["Replace dependencies[library-a].version_min"],
        ),
        (
            "008-ignore-api-version",
            &[
                "Changed ConfigMap production/app-config",
                "  Replace data.log_level",
                "Changed Deployment production/web-app",
                "  Replace apiVersion",
                "  Replace spec.replicas",
                "  Replace spec.template.spec.containers[web].image",
            ],
        ),
        ("023-exclude", &["Replace data.key1"]),
        (
            "033-detect-renames-disabled",
            &[
                "Removed ConfigMap production/app-config-abc123",
                "Added ConfigMap production/app-config-def456",
            ],
        ),
        ("038-duplicate-list-entries", &["Add keys[2]"]),
        (
            "053-output-json-k8s",
            &[
                "Changed Deployment web",
                "  Replace spec.replicas",
                "  Replace spec.template.spec.containers[nginx].image",
                "  Add spec.template.spec.containers[nginx].resources",
                "Changed Service web-svc",
                "  Replace spec.type",
                "  Add spec.ports[443/TCP]",
            ],
        ),
        (
            "100-dir-basic-diff",
            &["Changed Deployment myapp", "  Replace spec.replicas"],
        ),
        (
            "101-dir-added-removed",
            &["Removed ConfigMap old-config", "Added Secret new-secret"],
        ),
        (
            "108-ignore-order-nested-changes",
            &[
                "Changed Resource test",
                "  Replace spec.anArray[0].withNestedArray[0].andAnotherNestedArray[0].multilineString",
            ],
        ),
        ("110-exclude-missing-key", &["Replace data.key1"]),
        (
            "120-neat-keeps-restartedat",
            &[
                "Changed Deployment default/api",
                "  Add spec.template.metadata.annotations",
            ],
        ),
    ];
    for (case, lines) in expected {
        assert_eq!(run(case), *lines, "{case}");
    }

    // 044: empty documents are no documents (file2 has four `---`, two of them around nothing).
    // The only warning is for the Service named `y` (a YAML 1.1 boolean, see 042).
    let dir = root.join("044-empty-documents-ignored");
    for file in ["file1.yaml", "file2.yaml"] {
        assert_eq!(yaml_documents(&dir.join(file)).len(), 2, "044 {file}");
    }
    let DiffymlRun::Snapshots(report, old, new) = diffyml_run(&dir, &[]) else {
        panic!("044 holds Kubernetes objects")
    };
    assert_eq!((old.len(), new.len(), report.summary.unchanged), (1, 1, 1));
    for snapshot in [&old, &new] {
        let w = warnings(snapshot);
        assert!(
            w.len() == 1 && w[0].contains("skipped 1 object"),
            "044: {w:?}"
        );
    }

    // 118: the housekeeping diffyml's --neat strips is gone from what driftlab read.
    let dir = root.join("118-neat-kubernetes");
    let DiffymlRun::Snapshots(_, old, _) = diffyml_run(&dir, &[]) else {
        panic!("118 holds Kubernetes objects")
    };
    let body = old.iter().next().unwrap().1.value();
    for gone in [
        "/status",
        "/metadata/generation",
        "/metadata/resourceVersion",
        "/metadata/uid",
    ] {
        assert!(body.pointer(gone).is_none(), "{gone} in {body}");
    }
    assert!(body.pointer("/metadata/managedFields").is_none());
    assert!(
        body.pointer("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration")
            .is_none()
    );

    // 055: driftlab's JSON Patch is the one diffyml expects (as a set of operations), and exact.
    let dir = root.join("055-output-json-patch");
    let (a, b) = (
        yaml_documents(&dir.join("file1.yaml")).remove(0),
        yaml_documents(&dir.join("file2.yaml")).remove(0),
    );
    let ops = patch::patch(&a, &b);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected_output.txt")).unwrap())
            .unwrap();
    let as_set = |v: &Value| -> BTreeSet<String> {
        v.as_array().unwrap().iter().map(Value::to_string).collect()
    };
    assert_eq!(
        as_set(&serde_json::to_value(&ops).unwrap()),
        as_set(&expected)
    );
    let mut patched = a.clone();
    json_patch::patch(&mut patched, &ops).unwrap();
    assert_eq!(patched, b);
}

#[test]
fn diffyml_known_verdict_divergences_hold_on_the_command_line_too() {
    let corpus = corpus_or_skip!();
    let root = corpus.join("diffyml/fixtures");
    for (case, reason) in DIFFYML_DIVERGENCES {
        let dir = root.join(case);
        let expected = diffyml_expected(&dir);
        let ignore = diffyml_ignore(case, &dir).unwrap();
        let run = diffyml_run(&dir, &ignore);
        if run.differs() == expected {
            continue; // a detail divergence, checked in diffyml_fixtures
        }
        let (a, b) = if dir.join("dir1").is_dir() {
            (dir.join("dir1"), dir.join("dir2"))
        } else {
            (dir.join("file1.yaml"), dir.join("file2.yaml"))
        };
        // Generic YAML holds no Kubernetes object: compared anyway, as these cases ask.
        let (code, stdout, stderr) = driftlab(&[
            "diff",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--allow-empty",
        ]);
        assert_eq!(
            code,
            i32::from(!expected),
            "{case}: {reason}\n{stdout}\n{stderr}"
        );
        match *case {
            "042-k8s-document-added" | "043-k8s-document-removed" => {
                assert!(
                    stderr.contains("skipped 1 object without kind or metadata.name"),
                    "{stderr}"
                );
                let file = if *case == "042-k8s-document-added" {
                    "file2.yaml"
                } else {
                    "file1.yaml"
                };
                let docs = yaml_documents(&dir.join(file));
                assert_eq!(docs[1]["metadata"]["name"], json!(true), "{case}");
            }
            "050-missing-document" => {
                assert!(
                    stderr.contains("skipped 1 object without kind or metadata.name"),
                    "{stderr}"
                );
                assert!(
                    stderr.contains("skipped 2 objects without kind or metadata.name"),
                    "{stderr}"
                );
            }
            _ => {}
        }
    }
}

/// Cases whose verdict through `driftlab diff` (the default profile: noise rules, pairing) differs
/// from the engine's, with the reason. Each must still differ, or the test fails and the entry goes.
const DIFFYML_COMMAND_DIVERGENCES: &[(&str, &str)] = &[];

/// Every diffyml case the engine runs also runs through the `driftlab diff` command with the default
/// profile (noise rules, pairing, ranking, the YAML reader of the command line), with its params
/// translated to `--ignore` flags. The exit status must give the engine's verdict, which
/// `diffyml_fixtures` checks against diffyml's own expectation (or its named divergence). Plain YAML
/// documents that are not Kubernetes objects are skipped by the command with a warning, so there the
/// command must exit 0 and say how many it skipped.
#[test]
fn diffyml_verdicts_hold_through_the_command() {
    let corpus = corpus_or_skip!();
    let root = corpus.join("diffyml/fixtures");
    let mut mismatches = Vec::new();
    let (mut ran, mut plain) = (0, 0);
    for case in &subdirs(&root) {
        let dir = root.join(case);
        let Some(ignore) = diffyml_ignore(case, &dir) else {
            continue;
        };
        ran += 1;
        let run = diffyml_run(&dir, &ignore);
        let (a, b) = if dir.join("dir1").is_dir() {
            (dir.join("dir1"), dir.join("dir2"))
        } else {
            (dir.join("file1.yaml"), dir.join("file2.yaml"))
        };
        let mut args = vec![
            "diff".to_string(),
            a.display().to_string(),
            b.display().to_string(),
            "--allow-empty".to_string(),
        ];
        for pattern in &ignore {
            args.push("--ignore".to_string());
            args.push(pattern.to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = driftlab(&args);
        let expected = match &run {
            DiffymlRun::Snapshots(..) => i32::from(run.differs()),
            DiffymlRun::Documents(..) => {
                plain += 1;
                assert!(
                    stderr.contains("without kind or metadata.name"),
                    "{case}: plain YAML documents are skipped with a warning\n{stderr}"
                );
                0
            }
        };
        let divergence = DIFFYML_COMMAND_DIVERGENCES.iter().find(|(n, _)| n == case);
        match (code == expected, divergence) {
            (true, None) => {}
            (false, Some(_)) => assert_eq!(code, 1 - expected, "{case}\n{stderr}"),
            (true, Some((_, reason))) => mismatches.push(format!(
                "{case}: agrees now; remove the divergence ({reason})"
            )),
            (false, None) => mismatches.push(format!(
                "{case}: the engine says {expected}, the command exits {code}\n{stdout}{stderr}"
            )),
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // 21 cases of Kubernetes objects and 11 of plain YAML when this was written.
    assert!(
        ran >= 30 && ran - plain >= 20,
        "{ran} cases, {plain} plain YAML"
    );
}

/// Secret values that must not appear in any output, per diffyml masking case, and whether a
/// Secret is changed (its values then show as fingerprints in every format; an added Secret's
/// values appear only in the patch output, as fingerprints).
const DIFFYML_SECRET_VALUES: &[(&str, bool, &[&str])] = &[
    // base64 as written, and decoded ("secret" itself is also a word of the object's name).
    (
        "112-mask-secret-explicit",
        true,
        &[
            "aGVsbG8=",
            "c2VjcmV0",
            "d29ybGQ=",
            "bmV3LXNlY3JldA==",
            "hello",
            "world",
            "new-secret",
        ],
    ),
    ("116-mask-secret-added", false, &["aGVsbG8=", "hello"]),
    ("117-mask-stringdata", true, &["abc-123", "xyz-789"]),
    ("101-dir-added-removed", false, &["abc123"]),
];

#[test]
fn diffyml_secrets_are_masked_in_every_output_format() {
    let corpus = corpus_or_skip!();
    let root = corpus.join("diffyml/fixtures");
    for (case, changed, values) in DIFFYML_SECRET_VALUES {
        let dir = root.join(case);
        let (a, b) = if dir.join("dir1").is_dir() {
            (dir.join("dir1"), dir.join("dir2"))
        } else {
            (dir.join("file1.yaml"), dir.join("file2.yaml"))
        };
        let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
        for format in ["text", "json", "patch", "markdown"] {
            let (code, stdout, stderr) = driftlab(&["diff", a, b, "--output", format]);
            assert_eq!(code, 1, "{case} {format}: {stderr}");
            for value in *values {
                assert!(
                    !stdout.contains(value) && !stderr.contains(value),
                    "{case} --output {format} shows the secret value {value:?}:\n{stdout}"
                );
            }
            if *changed || format == "patch" {
                assert!(
                    stdout.contains("sha256:"),
                    "{case} {format}: no fingerprint:\n{stdout}"
                );
            }
        }
        // And they are there to hide: --show-secrets shows them.
        let (_, shown, _) = driftlab(&["diff", a, b, "--show-secrets", "--output", "patch"]);
        assert!(values.iter().any(|v| shown.contains(v)), "{case}: {shown}");
    }
}

// ---------------------------------------------------------------------------------------------
// argo-gitops-engine: desired ("config") vs live objects
// ---------------------------------------------------------------------------------------------

/// For each config/live pair, the exact changes a 2-way diff of the normalised objects reports.
/// driftlab has no schema defaults, so this is the honest record of what shows up: defaults the
/// API server filled in, server-assigned values (clusterIP, caBundle, token secrets), and the
/// namespace a manifest left to the context.
const ARGO_PAIRS: &[(&str, &str, &[&str])] = &[
    (
        // Container and pod defaults, the rollingUpdate default, the revision annotation, and
        // VAR2: an env entry a mutating webhook added live (Argo's 3-way diff ignores it because
        // it is not in the last-applied configuration).
        "deployment-config.json",
        "deployment-live.json",
        &[
            "Add metadata.annotations",
            "Add spec.strategy.rollingUpdate",
            "Add spec.template.spec.containers[guestbook-ui].ports[80/TCP].protocol",
            "Add spec.template.spec.containers[guestbook-ui].env[VAR2]",
            "Add spec.template.spec.containers[guestbook-ui].imagePullPolicy",
            "Add spec.template.spec.containers[guestbook-ui].resources",
            "Add spec.template.spec.containers[guestbook-ui].terminationMessagePath",
            "Add spec.template.spec.containers[guestbook-ui].terminationMessagePolicy",
            "Add spec.template.spec.dnsPolicy",
            "Add spec.template.spec.restartPolicy",
            "Add spec.template.spec.schedulerName",
            "Add spec.template.spec.securityContext",
            "Add spec.template.spec.terminationGracePeriodSeconds",
            "Add spec.progressDeadlineSeconds",
        ],
    ),
    (
        // The namespace the manifest left to the context, container/probe/volume defaults, and
        // the status the server wrote into the volume claim template (normalisation drops only
        // an object's own status).
        "elasticsearch-config.json",
        "elasticsearch-live.json",
        &[
            "Add metadata.namespace",
            "Add spec.template.spec.containers[elasticsearch].env[PROCESSORS].valueFrom.resourceFieldRef.divisor",
            "Add spec.template.spec.containers[elasticsearch].ports[9300/TCP].protocol",
            "Add spec.template.spec.containers[elasticsearch].readinessProbe.httpGet.scheme",
            "Add spec.template.spec.containers[elasticsearch].readinessProbe.failureThreshold",
            "Add spec.template.spec.containers[elasticsearch].readinessProbe.periodSeconds",
            "Add spec.template.spec.containers[elasticsearch].readinessProbe.successThreshold",
            "Add spec.template.spec.containers[elasticsearch].readinessProbe.timeoutSeconds",
            "Add spec.template.spec.containers[elasticsearch].terminationMessagePath",
            "Add spec.template.spec.containers[elasticsearch].terminationMessagePolicy",
            "Add spec.template.spec.initContainers[sysctl].resources",
            "Add spec.template.spec.initContainers[sysctl].terminationMessagePath",
            "Add spec.template.spec.initContainers[sysctl].terminationMessagePolicy",
            "Add spec.template.spec.initContainers[chown].resources",
            "Add spec.template.spec.initContainers[chown].terminationMessagePath",
            "Add spec.template.spec.initContainers[chown].terminationMessagePolicy",
            "Add spec.template.spec.volumes[config].configMap.defaultMode",
            "Add spec.template.spec.dnsPolicy",
            "Add spec.template.spec.restartPolicy",
            "Add spec.template.spec.schedulerName",
            "Add spec.volumeClaimTemplates[data].status",
            "Add spec.podManagementPolicy",
            "Add spec.revisionHistoryLimit",
        ],
    ),
    (
        // Webhook defaults and the caBundle cert-manager injected.
        "mutatingwebhookconfig-config.json",
        "mutatingwebhookconfig-live.json",
        &[
            "Add webhooks[webhook.cert-manager.io].clientConfig.service.port",
            "Add webhooks[webhook.cert-manager.io].clientConfig.caBundle",
            "Add webhooks[webhook.cert-manager.io].rules[0].scope",
            "Add webhooks[webhook.cert-manager.io].admissionReviewVersions",
            "Add webhooks[webhook.cert-manager.io].matchPolicy",
            "Add webhooks[webhook.cert-manager.io].namespaceSelector",
            "Add webhooks[webhook.cert-manager.io].objectSelector",
            "Add webhooks[webhook.cert-manager.io].reinvocationPolicy",
            "Add webhooks[webhook.cert-manager.io].sideEffects",
            "Add webhooks[webhook.cert-manager.io].timeoutSeconds",
        ],
    ),
    // The token secret the service-account controller added.
    (
        "spinnaker-sa-config.json",
        "spinnaker-sa-live.json",
        &["Add secrets"],
    ),
    (
        // The context namespace. smtp-password is "" in the config and null live: the API
        // server's form of an empty value, which normalisation reads as "".
        "wordpress-config.json",
        "wordpress-live.json",
        &["Add metadata.namespace"],
    ),
    // `rules: []` in the config, `rules: null` (absent) live.
    (
        "grafana-clusterrole-config.json",
        "grafana-clusterrole-live.json",
        &["Remove rules"],
    ),
    // The null creationTimestamp in the config is normalised away: no difference.
    ("sealedsecret-config.json", "sealedsecret-live.json", &[]),
    (
        // Subsets and addresses match by ip whatever their order; only port protocol defaults.
        "endpoints-config.json",
        "endpoints-live.json",
        &[
            "Add subsets[0].ports[8080/TCP].protocol",
            "Add subsets[0].ports[8443/TCP].protocol",
            "Add subsets[0].ports[9983/TCP].protocol",
        ],
    ),
    // The rules the aggregation controller filled in (Argo: modified unless ignored).
    (
        "aggr-clusterrole-config.json",
        "aggr-clusterrole-live.json",
        &["Add rules"],
    ),
    (
        // The real modification (port 1935's targetPort), then defaults and assigned IPs.
        "smd-service-config.yaml",
        "smd-service-live.yaml",
        &[
            "Replace spec.ports[1935/TCP].targetPort",
            "Add spec.ports[1935/TCP].protocol",
            "Add spec.ports[443/TCP].protocol",
            "Add spec.clusterIP",
            "Add spec.clusterIPs",
            "Add spec.ipFamilies",
            "Add spec.ipFamilyPolicy",
            "Add spec.sessionAffinity",
            "Add spec.type",
        ],
    ),
    (
        // Not modified for structured-merge-diff (it knows the defaults); all defaults here.
        "smd-deploy-config.yaml",
        "smd-deploy-live.yaml",
        &[
            "Add metadata.annotations",
            "Add spec.template.spec.containers[nginx].livenessProbe.failureThreshold",
            "Add spec.template.spec.containers[nginx].livenessProbe.successThreshold",
            "Add spec.template.spec.containers[nginx].livenessProbe.timeoutSeconds",
            "Add spec.template.spec.containers[nginx].ports[80/TCP].protocol",
            "Add spec.template.spec.containers[nginx].resources",
            "Add spec.template.spec.containers[nginx].terminationMessagePath",
            "Add spec.template.spec.containers[nginx].terminationMessagePolicy",
            "Add spec.template.spec.dnsPolicy",
            "Add spec.template.spec.restartPolicy",
            "Add spec.template.spec.schedulerName",
            "Add spec.template.spec.securityContext",
            "Add spec.template.spec.terminationGracePeriodSeconds",
            "Add spec.progressDeadlineSeconds",
            "Add spec.revisionHistoryLimit",
            "Add spec.strategy",
        ],
    ),
];

fn argo_object(corpus: &Path, file: &str) -> Value {
    let path = corpus.join("argo-gitops-engine").join(file);
    let mut docs = yaml_documents(&path);
    assert_eq!(docs.len(), 1, "{file}");
    let mut object = docs.remove(0);
    normalize(&mut object);
    object
}

fn argo_diff(config: &Value, live: &Value) -> Vec<Change> {
    let kind = config["kind"].as_str().expect("kind");
    value::diff(kind, config, live, &ValueOptions::default())
}

#[test]
fn argo_config_vs_live() {
    let corpus = corpus_or_skip!();
    let mut failures = Vec::new();
    for (config, live, expected) in ARGO_PAIRS {
        let changes = argo_diff(&argo_object(&corpus, config), &argo_object(&corpus, live));
        let ours = describe(&changes);
        if ours != *expected {
            failures.push(format!(
                "{config} vs {live}:\n  expected {expected:#?}\n  found {ours:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn argo_modified_pairs_differ_where_argo_says() {
    let corpus = corpus_or_skip!();

    // aggr-clusterrole is modified unless aggregated rules are ignored: the rules are the change.
    let changes = argo_diff(
        &argo_object(&corpus, "aggr-clusterrole-config.json"),
        &argo_object(&corpus, "aggr-clusterrole-live.json"),
    );
    assert!(describe(&changes).contains(&"Add rules".to_string()));

    // smd-service is modified: port 1935's targetPort is 1936 in the config, 1935 live.
    let changes = argo_diff(
        &argo_object(&corpus, "smd-service-config.yaml"),
        &argo_object(&corpus, "smd-service-live.yaml"),
    );
    let target = changes
        .iter()
        .find(|c| c.path.human() == "spec.ports[1935/TCP].targetPort")
        .expect("the targetPort change");
    assert_eq!(
        (&target.old, &target.new),
        (&Some(json!(1936)), &Some(json!(1935)))
    );

    // Argo's TestThreeWayDiffExample2WithDifference: the config's labels edited (+foo=bar,
    // chart 1.7.0 -> 1.7.1, -release) is 1 added, 1 removed, 1 changed, on top of the baseline.
    let mut config = argo_object(&corpus, "elasticsearch-config.json");
    let live = argo_object(&corpus, "elasticsearch-live.json");
    let baseline = describe(&argo_diff(&config, &live));
    let labels = config["metadata"]["labels"].as_object_mut().unwrap();
    labels.insert("foo".into(), json!("bar"));
    labels.insert("chart".into(), json!("elasticsearch-1.7.1"));
    labels.remove("release").expect("release label");
    let edited = describe(&argo_diff(&config, &live));
    let extra: Vec<&String> = edited.iter().filter(|c| !baseline.contains(c)).collect();
    // Diffing config -> live: the label the config added is removed live, and so on.
    assert_eq!(
        extra,
        [
            "Replace metadata.labels.chart",
            "Remove metadata.labels.foo",
            "Add metadata.labels.release",
        ]
    );
}

/// Argo CD's verdict on each config/live pair (corpus MANIFEST.md, from gitops-engine's
/// pkg/diff/diff_test.go), and the namespace Argo's application would have given a manifest
/// that names none (`kubectl apply -n`, here `--default-namespace`).
const ARGO_VERDICTS: &[(&str, bool, Option<&str>)] = &[
    ("deployment", false, None),
    ("elasticsearch", false, Some("elasticsearch4")),
    ("mutatingwebhookconfig", false, None),
    ("spinnaker-sa", false, None),
    ("wordpress", false, Some("argocd")),
    ("grafana-clusterrole", false, None),
    ("sealedsecret", false, None),
    ("endpoints", false, None),
    // Not modified once aggregated-role rules are ignored (driftlab's aggregated-rules noise).
    ("aggr-clusterrole", false, None),
    ("smd-deploy", false, None),
    ("smd-service", true, None),
];

/// Where `driftlab diff --desired` knowingly disagrees with Argo CD: the pair, and the one line
/// it shows. Each is asserted, so that the day it stops holding this list is updated.
///
/// deployment: the live Deployment has an env entry VAR2 that the manifest lacks. Argo's 3-way
/// diff hides it (it is not in the last-applied configuration, so kubectl apply does not own it);
/// driftlab shows a list element present only in the cluster, because an env var, port or volume
/// added by hand is exactly the drift it is run to find.
const ARGO_DIVERGENCES: &[(&str, &str)] = &[(
    "deployment",
    "+ spec.template.spec.containers[guestbook-ui].env[VAR2]",
)];

fn argo_file(corpus: &Path, name: &str, side: &str) -> String {
    let dir = corpus.join("argo-gitops-engine");
    ["json", "yaml"]
        .iter()
        .map(|ext| dir.join(format!("{name}-{side}.{ext}")))
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("{name}-{side}"))
        .display()
        .to_string()
}

/// `driftlab diff --desired CONFIG LIVE` as a person checking Git against the cluster runs it.
fn argo_desired(config: &str, live: &str, namespace: Option<&str>) -> (i32, String, String) {
    let mut args = vec!["diff", "--desired", config, live];
    if let Some(namespace) = namespace {
        args.extend(["--default-namespace", namespace]);
    }
    driftlab(&args)
}

#[test]
fn argo_cd_verdicts_hold_through_the_command_with_desired() {
    let corpus = corpus_or_skip!();
    let mut failures = Vec::new();
    for (name, modified, namespace) in ARGO_VERDICTS {
        let (config, live) = (
            argo_file(&corpus, name, "config"),
            argo_file(&corpus, name, "live"),
        );
        let (code, out, err) = argo_desired(&config, &live, *namespace);
        let divergence = ARGO_DIVERGENCES.iter().find(|(pair, _)| pair == name);
        let expected_code = if *modified || divergence.is_some() {
            1
        } else {
            0
        };
        if code != expected_code {
            failures.push(format!(
                "{name}: exit {code}, expected {expected_code}\n{out}{err}"
            ));
            continue;
        }
        let summary = out.lines().last().unwrap_or_default();
        match divergence {
            // The divergence and nothing else.
            Some((_, line)) => {
                // Distinct: the culprit list and the object's section show it once each.
                let changes: BTreeSet<&str> = out
                    .lines()
                    .map(str::trim)
                    .filter(|l| l.starts_with(['+', '-', '~']) && l.contains('.'))
                    .collect();
                if changes != BTreeSet::from([*line])
                    || !summary.starts_with("1 changed, 0 missing")
                {
                    failures.push(format!("{name}: expected only {line:?}\n{out}"));
                }
            }
            None if *modified => {}
            None => {
                if !summary.starts_with("0 changed, 0 missing in the cluster, 1 unchanged") {
                    failures.push(format!("{name}: not in sync\n{out}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    // smd-service: what Argo calls modified is the targetPort, and driftlab ranks it first.
    let (_, out, _) = argo_desired(
        &argo_file(&corpus, "smd-service", "config"),
        &argo_file(&corpus, "smd-service", "live"),
        None,
    );
    assert!(
        out.contains("~ spec.ports[1935/TCP].targetPort   1936 → 1935"),
        "{out}"
    );

    // TestThreeWayDiffExample2WithDifference: the config's labels edited (+foo=bar, chart
    // 1.7.0 -> 1.7.1, -release): Argo finds 1 added, 1 removed, 1 changed; so does --desired
    // (the release label is in the live object's last-applied configuration: someone's apply
    // set it, so its absence from the manifest is a change, not a field the cluster set).
    let dir = tempfile::tempdir().unwrap();
    let mut config: Value = serde_json::from_slice(
        &std::fs::read(argo_file(&corpus, "elasticsearch", "config")).unwrap(),
    )
    .unwrap();
    let labels = config["metadata"]["labels"].as_object_mut().unwrap();
    labels.insert("foo".into(), json!("bar"));
    labels.insert("chart".into(), json!("elasticsearch-1.7.1"));
    labels.remove("release").expect("release label");
    let edited = dir.path().join("elasticsearch-config.json");
    std::fs::write(&edited, serde_json::to_vec(&config).unwrap()).unwrap();
    let (code, out, err) = argo_desired(
        edited.to_str().unwrap(),
        &argo_file(&corpus, "elasticsearch", "live"),
        Some("elasticsearch4"),
    );
    assert_eq!(code, 1, "{out}{err}");
    let label_lines: BTreeSet<&str> = out
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with(['+', '-', '~']) && l.contains("metadata.labels."))
        .collect();
    let has = |prefix: &str| label_lines.iter().any(|l| l.starts_with(prefix));
    assert!(
        label_lines.len() == 3
            && has("~ metadata.labels.chart")
            && has("- metadata.labels.foo")
            && has("+ metadata.labels.release"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------------
// kubectl-neat: raw `kubectl get -o json` output vs its pruned form
// ---------------------------------------------------------------------------------------------

const NEAT_POD_DEFAULTS: &[&str] = &[
    "imagePullPolicy",
    "resources",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "volumeMounts",
];

/// What kubectl-neat removes beyond what driftlab drops, per pair: defaults the API server
/// filled in (dnsPolicy, restartPolicy, protocol TCP…), the service-account token volume and
/// its mount, the scheduler's nodeName, the deprecated serviceAccount alias, PV finalizers.
const NEAT_PAIRS: &[(&str, &[&str])] = &[
    (
        "pod1",
        &[
            "Remove spec.containers[myapp].imagePullPolicy",
            "Remove spec.containers[myapp].ports[1234/TCP].protocol",
            "Remove spec.containers[myapp].resources",
            "Remove spec.containers[myapp].terminationMessagePath",
            "Remove spec.containers[myapp].terminationMessagePolicy",
            "Remove spec.containers[myapp].volumeMounts",
            "Remove spec.dnsPolicy",
            "Remove spec.enableServiceLinks",
            "Remove spec.nodeName",
            "Remove spec.restartPolicy",
            "Remove spec.schedulerName",
            "Remove spec.securityContext",
            "Remove spec.serviceAccount",
            "Remove spec.terminationGracePeriodSeconds",
            "Remove spec.volumes",
        ],
    ),
    (
        "service1",
        &[
            "Remove spec.ports[2222/TCP].protocol",
            "Remove spec.ports[2222/TCP].targetPort",
            "Remove spec.sessionAffinity",
            "Remove spec.type",
        ],
    ),
    (
        "pv1",
        &[
            "Remove metadata.finalizers",
            "Remove spec.hostPath.type",
            "Remove spec.volumeMode",
        ],
    ),
    ("secret1", &[]),
    ("role", &[]),
];

/// The pod-level fields kubectl-neat drops from each of list1's two pods (t1, t2).
const NEAT_LIST_POD_FIELDS: &[&str] = &[
    "dnsPolicy",
    "enableServiceLinks",
    "nodeName",
    "restartPolicy",
    "schedulerName",
    "securityContext",
    "serviceAccount",
    "terminationGracePeriodSeconds",
    "volumes",
];

/// Fields every object loses when driftlab reads it (normalize's generic rules).
const GENERIC_DROPPED: &[&str] = &[
    "/status",
    "/metadata/uid",
    "/metadata/selfLink",
    "/metadata/resourceVersion",
    "/metadata/creationTimestamp",
    "/metadata/generation",
    "/metadata/managedFields",
    "/metadata/deletionTimestamp",
    "/metadata/deletionGracePeriodSeconds",
    "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
];

/// The raw objects of a file (items of a List), as written.
fn raw_objects(path: &Path) -> Vec<Value> {
    let doc = load_json(path);
    match doc.get("items") {
        Some(Value::Array(items)) => items.clone(),
        _ => vec![doc],
    }
}

#[test]
fn kubectl_neat_pairs() {
    let corpus = corpus_or_skip!();
    let dir = corpus.join("kubectl-neat/fixtures");
    let mut expected: Vec<(&str, Vec<String>)> = NEAT_PAIRS
        .iter()
        .map(|(n, l)| (*n, l.iter().map(|s| s.to_string()).collect()))
        .collect();
    // list1: two pods with one container each, named like the pod.
    let mut list = Vec::new();
    for pod in ["t1", "t2"] {
        list.push(format!("Changed Pod default/{pod}"));
        for field in NEAT_POD_DEFAULTS {
            list.push(format!("  Remove spec.containers[{pod}].{field}"));
        }
        for field in NEAT_LIST_POD_FIELDS {
            list.push(format!("  Remove spec.{field}"));
        }
    }
    expected.push(("list1", list));

    let mut dropped_seen: BTreeSet<&str> = BTreeSet::new();
    for (pair, expected) in &expected {
        let raw_path = dir.join(format!("{pair}-raw.json"));
        let raw = read_path(&raw_path);
        let neat = read_path(&dir.join(format!("{pair}-neat.json")));
        assert!(
            raw.diagnostics.is_empty() && neat.diagnostics.is_empty(),
            "{pair}"
        );
        assert_eq!(raw.len(), neat.len(), "{pair}");
        let report = diff_snapshots(&raw, &neat, &DiffOptions::default());
        assert_eq!(report.summary.added + report.summary.removed, 0, "{pair}");
        let found = if *pair == "list1" {
            report_lines(&report)
        } else {
            report
                .objects
                .iter()
                .flat_map(|o| describe(&o.changes))
                .collect()
        };
        assert_eq!(&found, expected, "{pair}");

        // The generic fields are gone from what driftlab read, and they were there to drop.
        for object in raw_objects(&raw_path) {
            dropped_seen.extend(
                GENERIC_DROPPED
                    .iter()
                    .filter(|f| object.pointer(f).is_some()),
            );
        }
        for (key, stored) in raw.iter() {
            let body = stored.value();
            for field in GENERIC_DROPPED {
                assert!(
                    body.pointer(field).is_none(),
                    "{pair} {key}: {field} left in {body}"
                );
            }
        }

        // The YAML form of the raw object reads the same.
        let yaml = dir.join(format!("{pair}-raw.yaml"));
        let from_yaml = read_path(&yaml);
        let same = diff_snapshots(&from_yaml, &raw, &DiffOptions::default());
        assert!(!has_differences(&same), "{pair}: {:?}", report_lines(&same));
        assert_eq!(same.summary.unchanged, raw.len());
    }
    for field in [
        "/status",
        "/metadata/uid",
        "/metadata/selfLink",
        "/metadata/resourceVersion",
        "/metadata/creationTimestamp",
    ] {
        assert!(
            dropped_seen.contains(field),
            "{field} never occurred in the raw files"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// openshift3-restclient-java: OpenShift 3 server output with legacy `apiVersion: v1`
// ---------------------------------------------------------------------------------------------

const OPENSHIFT3_OBJECTS: &[(&str, &str, &str, &str, &str)] = &[
    // file, group today, kind, namespace, name
    (
        "v1_deployment_config.json",
        "apps.openshift.io",
        "DeploymentConfig",
        "test",
        "database",
    ),
    (
        "v1_build_config.json",
        "build.openshift.io",
        "BuildConfig",
        "test",
        "ruby-sample-build",
    ),
    (
        "v1_image_stream.json",
        "image.openshift.io",
        "ImageStream",
        "openshift",
        "wildfly",
    ),
    (
        "v1_route.json",
        "route.openshift.io",
        "Route",
        "test",
        "route-edge",
    ),
    (
        "v1_replication_controller.json",
        "",
        "ReplicationController",
        "test",
        "database-1",
    ),
];

#[test]
fn openshift3_legacy_v1_objects_get_their_groups() {
    let corpus = corpus_or_skip!();
    let dir = corpus.join("openshift3-restclient-java");
    for (file, group, kind, namespace, name) in OPENSHIFT3_OBJECTS {
        let path = dir.join(file);
        let old = read_path(&path);
        assert!(old.diagnostics.is_empty(), "{file}: {:?}", old.diagnostics);
        let keys: Vec<&ObjectKey> = old.iter().map(|(k, _)| k).collect();
        let expected_key = key(group, kind, namespace, name);
        assert_eq!(keys, [&expected_key], "{file}");
        assert_eq!(old.get(&expected_key).unwrap().api_version, "v1");

        // The same object written with today's apiVersion is the same object, changed in
        // exactly one place.
        let mut today = load_json(&path);
        let new_api_version = if group.is_empty() {
            "v1".to_string()
        } else {
            format!("{group}/v1")
        };
        today["apiVersion"] = json!(new_api_version);
        let new = read_value(&today, file);
        let report = diff_snapshots(&old, &new, &DiffOptions::default());
        if group.is_empty() {
            assert!(!has_differences(&report), "{file}");
        } else {
            assert_eq!(
                report_lines(&report),
                [
                    format!("Changed {kind} {namespace}/{name}"),
                    "  Replace apiVersion".into()
                ],
                "{file}"
            );
            let change = &report.objects[0].changes[0];
            assert_eq!(
                (&change.old, &change.new),
                (&Some(json!("v1")), &Some(json!(new_api_version)))
            );
        }
    }

    // The /oapi/v1 resource list is not an object: skipped with a warning, not an error.
    let list = read_path(&dir.join("oapi_v1_endpoint.json"));
    assert!(list.is_empty());
    let w = warnings(&list);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("skipped 1 object without kind or metadata.name"),
        "{}",
        w[0]
    );

    // Read as a directory: the five objects, one warning.
    let all = read_path(&dir);
    assert_eq!(all.len(), OPENSHIFT3_OBJECTS.len());
    assert_eq!(warnings(&all).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// ocp4-insights-sample: OpenShift 4 objects, several without apiVersion/kind
// ---------------------------------------------------------------------------------------------

/// Each file and the identity driftlab gives its object (`None`: skipped with a warning, because
/// typed clients serialised it without kind, or without metadata).
/// group, kind, namespace, name
type Identity = (&'static str, &'static str, &'static str, &'static str);

const OCP4_FILES: &[(&str, Option<Identity>)] = &[
    (
        "cluster-scoped-resources_rbac.authorization.k8s.io_clusterroles_admin.json",
        None,
    ),
    (
        "conditional_namespaces_openshift-cluster-samples-operator_imagestreams_example.json",
        None,
    ),
    (
        "config_clusteroperator_kube-apiserver.json",
        Some((
            "config.openshift.io",
            "ClusterOperator",
            "",
            "kube-apiserver",
        )),
    ),
    // Has kind and apiVersion, but its name is a top-level field, not metadata.name.
    (
        "config_clusteroperator_operator.openshift.io_ingresscontroller_openshift-ingress-operator_default.json",
        None,
    ),
    (
        "config_pod_openshift-ingress_router-default-7bbdcfcf9b-7xdln.json",
        None,
    ),
    ("config_version.json", None),
];

#[test]
fn ocp4_insights_objects_without_kind_are_skipped_with_a_warning() {
    let corpus = corpus_or_skip!();
    let dir = corpus.join("ocp4-insights-sample");
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = OCP4_FILES.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(files, listed);

    for (file, identity) in OCP4_FILES {
        let snapshot = read_path(&dir.join(file));
        let w = warnings(&snapshot);
        match identity {
            None => {
                assert!(snapshot.is_empty(), "{file}");
                assert_eq!(w.len(), 1, "{file}: {w:?}");
                assert!(w[0].contains("without kind or metadata.name"), "{}", w[0]);
                assert!(w[0].contains(*file), "the warning names the file: {}", w[0]);
            }
            Some((group, kind, namespace, name)) => {
                assert!(w.is_empty(), "{file}: {w:?}");
                let k = key(group, kind, namespace, name);
                let keys: Vec<&ObjectKey> = snapshot.iter().map(|(k, _)| k).collect();
                assert_eq!(keys, [&k], "{file}");
                assert!(snapshot.get(&k).unwrap().value().get("status").is_none());
            }
        }
    }

    let all = read_path(&dir);
    assert_eq!(all.len(), 1);
    assert_eq!(warnings(&all).len(), 5);
}

// ---------------------------------------------------------------------------------------------
// velero-crd: one CRD as served in v1 and in v1beta1
// ---------------------------------------------------------------------------------------------

#[test]
fn velero_crd_versions_are_one_object() {
    let corpus = corpus_or_skip!();
    let dir = corpus.join("velero-crd");
    let v1beta1_path = dir.join("gcpsamples.gcp.stacks.crossplane.io.v1beta1.json");
    let v1_path = dir.join("gcpsamples.gcp.stacks.crossplane.io.v1.json");
    let (v1beta1, v1) = (read_path(&v1beta1_path), read_path(&v1_path));
    let crd = key(
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        "",
        "gcpsamples.gcp.stacks.crossplane.io",
    );
    for (path, snapshot) in [(&v1beta1_path, &v1beta1), (&v1_path, &v1)] {
        let keys: Vec<&ObjectKey> = snapshot.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, [&crd]);
        // The last-applied annotation (a whole copy of the object) was there, and is gone.
        let annotation = "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration";
        assert!(
            load_json(path).pointer(annotation).is_some(),
            "{}",
            path.display()
        );
        assert!(
            snapshot
                .get(&crd)
                .unwrap()
                .value()
                .pointer(annotation)
                .is_none()
        );
    }
    let report = diff_snapshots(&v1beta1, &v1, &DiffOptions::default());
    assert_eq!(report.summary.changed, 1);
    let changes = &report.objects[0].changes;
    assert_eq!(
        describe(changes),
        ["Replace apiVersion", "Remove spec.version"]
    );
    assert_eq!(changes[0].old, Some(json!("apiextensions.k8s.io/v1beta1")));
    assert_eq!(changes[0].new, Some(json!("apiextensions.k8s.io/v1")));
}

// ---------------------------------------------------------------------------------------------
// crane-golden: raw namespace exports and the same objects pruned by crane
// ---------------------------------------------------------------------------------------------

/// For each crane output object, the changes from its export that driftlab still reports after
/// reading both. crane drops the Service's clusterIP(s), which driftlab keeps when comparing (its
/// export pruning drops them too); the OpenShift output also carries ipFamilies fields that its
/// export lacks (the golden files of that cluster were not captured from the same object state).
const CRANE_EXPECTED: &[(&str, &str, &[&str], &[&str])] = &[
    // cluster, output file, driftlab diff after reading, after prune_for_export of the export
    (
        "kind-redis",
        "Deployment_apps_v1_redis_redis.json",
        &[],
        &[],
    ),
    ("kind-redis", "Secret__v1_redis_redis.json", &[], &[]),
    (
        "kind-redis",
        "Service__v1_redis_redis.json",
        &["Remove spec.clusterIP", "Remove spec.clusterIPs"],
        &[],
    ),
    ("ocp-redis", "Deployment_apps_v1_redis_redis.json", &[], &[]),
    ("ocp-redis", "Secret__v1_redis_redis.json", &[], &[]),
    (
        "ocp-redis",
        "Service__v1_redis_redis.json",
        &[
            "Remove spec.clusterIP",
            "Remove spec.clusterIPs",
            "Add spec.ipFamilies",
            "Add spec.ipFamilyPolicy",
        ],
        &["Add spec.ipFamilies", "Add spec.ipFamilyPolicy"],
    ),
];

#[test]
fn crane_outputs_vs_exports() {
    let corpus = corpus_or_skip!();
    let root = corpus.join("crane-golden");
    let mut seen = BTreeSet::new();
    for cluster in subdirs(&root) {
        let export = read_path(&root.join(&cluster).join("export"));
        let output = read_path(&root.join(&cluster).join("output"));
        assert!(
            output.diagnostics.is_empty(),
            "{cluster}: {:?}",
            output.diagnostics
        );
        // The OpenShift export holds each RoleBinding twice, in rbac.authorization.k8s.io and in
        // its authorization.openshift.io mirror; whatever driftlab says about those, nothing else.
        for message in export.diagnostics.iter().map(|d| &d.message) {
            assert!(
                message.contains("RoleBinding") && message.contains("authorization.openshift.io"),
                "{cluster}: {message}"
            );
        }
        for (key, stored) in output.iter() {
            let file = stored.origin.to_string();
            let (_, _, expected, pruned_expected) = CRANE_EXPECTED
                .iter()
                .find(|(c, f, ..)| *c == cluster && *f == file)
                .unwrap_or_else(|| panic!("{cluster}/{file} not in CRANE_EXPECTED"));
            seen.insert((cluster.clone(), file.clone()));
            let exported = export
                .get(key)
                .unwrap_or_else(|| panic!("{key} not exported"))
                .value();
            let changes = value::diff(
                &key.kind,
                &exported,
                &stored.value(),
                &ValueOptions::default(),
            );
            assert_eq!(describe(&changes), *expected, "{cluster}/{file}");

            let mut pruned = load_json(&root.join(&cluster).join("export").join(&file));
            prune_for_export(&mut pruned, &key.kind);
            let changes = value::diff(
                &key.kind,
                &pruned,
                &stored.value(),
                &ValueOptions::default(),
            );
            assert_eq!(
                describe(&changes),
                *pruned_expected,
                "{cluster}/{file} pruned"
            );
        }
    }
    assert_eq!(seen.len(), CRANE_EXPECTED.len());
}

// ---------------------------------------------------------------------------------------------
// openshift-backup-format: an archive in the original openshift-backup tool's format
// ---------------------------------------------------------------------------------------------

#[test]
fn openshift_backup_archive() {
    let corpus = corpus_or_skip!();
    let zip = corpus.join("openshift-backup-format/openshift-backup201810180015.zip");
    let snapshot = read_path(&zip);
    assert_eq!(snapshot.info.format, SourceFormat::OpenshiftBackup);
    assert_eq!(
        snapshot.info.taken.map(|t| t.to_string()).as_deref(),
        Some("2018-10-18 00:15")
    );
    assert!(
        snapshot.diagnostics.is_empty(),
        "{:?}",
        snapshot.diagnostics
    );

    let keys: Vec<String> = snapshot
        .iter()
        .map(|(k, _)| format!("{}|{}|{}|{}", k.group, k.kind, k.namespace, k.name))
        .collect();
    assert_eq!(
        keys,
        [
            "|Namespace||myproject",
            "|Namespace||otherproject",
            "|ConfigMap|myproject|web-config",
            "apps.openshift.io|DeploymentConfig|myproject|web",
            "|PersistentVolumeClaim|myproject|data",
            "|Secret|myproject|db-credentials",
            "|Service|myproject|web",
        ]
    );
    for (key, stored) in snapshot.iter() {
        let body = stored.value();
        if key.kind == "Namespace" {
            assert!(
                body.pointer("/metadata/namespace").is_none(),
                "{key}: {body}"
            );
        } else {
            // The folder is the namespace; the body says so too.
            assert_eq!(body["metadata"]["namespace"], "myproject", "{key}");
        }
    }
    // One PVC, from pvcs.json, not the pvcs_attachment.json copy (which carries volumeName).
    let pvc = snapshot
        .get(&key("", "PersistentVolumeClaim", "myproject", "data"))
        .unwrap();
    assert_eq!(&*pvc.origin, "myproject/pvcs.json");
    assert!(pvc.value()["spec"].get("volumeName").is_none());
}
