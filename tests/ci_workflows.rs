//! The README's CI section holds workflows people copy: they must be YAML that parses, and every
//! `driftlab` command in them must run as written (flags that exist, values they accept), here
//! on the CI gate's fixture instead of a cluster.

mod common;

use common::{driftlab, repo, stderr};
use serde_json::Value;

/// The YAML blocks of the README's "In CI" section.
fn workflows() -> Vec<Value> {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    let section = readme
        .split("\n## In CI\n")
        .nth(1)
        .expect("the README has an In CI section")
        .split("\n## ")
        .next()
        .unwrap();
    section
        .split("```yaml\n")
        .skip(1)
        .map(|block| {
            let text = block.split("\n```").next().unwrap();
            serde_saphyr::from_str::<Value>(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
        })
        .collect()
}

/// Every string in `value`, depth first.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// The `driftlab …` commands of a workflow, as argument lists (up to a redirection).
fn commands(workflow: &Value) -> Vec<Vec<String>> {
    let mut texts = Vec::new();
    strings(workflow, &mut texts);
    texts
        .iter()
        .flat_map(|text| text.lines())
        .filter_map(|line| {
            let start = line.find("driftlab diff")?;
            let command = &line[start..];
            let command = command.split(" >").next().unwrap();
            Some(
                command
                    .split_whitespace()
                    .skip(1)
                    .map(|word| word.trim_matches('"').to_string())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn the_readme_workflows_parse_and_their_commands_run() {
    let workflows = workflows();
    assert_eq!(workflows.len(), 2, "a GitHub workflow and a GitLab job");
    let github = &workflows[0];
    let steps = github["jobs"]["drift"]["steps"].as_array().expect("steps");
    assert!(
        steps.iter().any(|s| s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))),
        "the GitHub workflow uploads SARIF"
    );
    let gitlab = &workflows[1];
    assert_eq!(
        gitlab["drift"]["artifacts"]["reports"]["junit"],
        "drift-junit.xml"
    );

    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.yaml");
    let cluster = repo("tests/ci_gate/cluster.json");
    let manifests = repo("tests/ci_gate/manifests");
    let mut formats = Vec::new();
    for workflow in &workflows {
        let found = commands(workflow);
        assert!(!found.is_empty());
        for args in found {
            let args: Vec<String> = args
                .iter()
                .map(|word| match word.as_str() {
                    "live" => cluster.to_string_lossy().to_string(),
                    "deploy/" => manifests.to_string_lossy().to_string(),
                    ".driftlab/baseline.yaml" | "$BASELINE" => {
                        baseline.to_string_lossy().to_string()
                    }
                    _ => word.clone(),
                })
                .collect();
            if let Some(at) = args.iter().position(|a| a == "--output") {
                formats.push(args[at + 1].clone());
            }
            if !baseline.exists() {
                let mut update = args.clone();
                let at = update.iter().position(|a| a == "--baseline").unwrap();
                update[at] = "--update-baseline".into();
                let output = driftlab().args(&update).output().unwrap();
                assert_eq!(
                    output.status.code(),
                    Some(0),
                    "{update:?}: {}",
                    stderr(&output)
                );
            }
            let output = driftlab().args(&args).output().unwrap();
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "{args:?}: {}",
                stderr(&output)
            );
        }
    }
    for format in ["markdown", "github", "sarif", "junit"] {
        assert!(formats.iter().any(|f| f == format), "{format}: {formats:?}");
    }
}
