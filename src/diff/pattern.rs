//! Path patterns for `--ignore` and ignore rules: `spec.template.spec.containers[*].image`,
//! `metadata.annotations["openshift.io/*"]`, or a JSON pointer `/spec/replicas`.
//!
//! `*` is a wildcard inside one segment; a bare `*` segment matches any one step. A pattern matches
//! a change at its path or below it.

use std::fmt;

use serde_json::Value;

use super::keys;
use super::path::{ItemLabel, Path, Segment};
use crate::glob;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// A map key (glob), written `name` or `["odd.name"]`. A bare `*` matches any step.
    Field(String),
    /// A list element by label (glob), written `[web]` or `[*]`.
    Item(String),
    /// A JSON pointer token: a map key, or a list element by index or label.
    Token(String),
}

/// A parsed path pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPattern {
    text: String,
    steps: Vec<Step>,
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PathPattern {
    /// Parses a pattern; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<PathPattern, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("empty path pattern".into());
        }
        let steps = if let Some(pointer) = text.strip_prefix('/') {
            pointer
                .split('/')
                .map(|t| Step::Token(t.replace("~1", "/").replace("~0", "~")))
                .collect()
        } else {
            parse_human(text)?
        };
        Ok(PathPattern {
            text: text.to_string(),
            steps,
        })
    }

    /// Whether the pattern names something strictly below `path`: a whole map added or removed
    /// at `path` may hold parts the pattern hides.
    pub fn reaches_below(&self, path: &Path) -> bool {
        let segments: Vec<&Segment> = path
            .0
            .iter()
            .filter(|s| !matches!(s, Segment::Document(_)))
            .collect();
        self.steps.len() > segments.len()
            && self
                .steps
                .iter()
                .zip(segments)
                .all(|(step, segment)| step_matches(step, segment))
    }

    /// Whether a change at `path` is at or below what the pattern names.
    pub fn matches(&self, path: &Path) -> bool {
        let segments: Vec<&Segment> = path
            .0
            .iter()
            .filter(|s| !matches!(s, Segment::Document(_)))
            .collect();
        segments.len() >= self.steps.len()
            && self
                .steps
                .iter()
                .zip(segments)
                .all(|(step, segment)| step_matches(step, segment))
    }
}

impl PathPattern {
    /// Whether `value` holds anything the pattern names: `history --path` with a typo names
    /// nothing in any object, which is an error rather than an empty timeline.
    pub fn matches_any_in(&self, value: &Value) -> bool {
        reaches(&self.steps, None, value)
    }
}

/// Whether `steps` lead somewhere in `value`, the value of the field `field`.
fn reaches(steps: &[Step], field: Option<&str>, value: &Value) -> bool {
    let Some((step, rest)) = steps.split_first() else {
        return true;
    };
    match value {
        Value::Object(map) => map.iter().any(|(key, child)| {
            let taken = match step {
                Step::Field(g) => g == "*" || glob::matches(g, key),
                Step::Token(t) => glob::matches(t, key),
                Step::Item(_) => false,
            };
            taken && reaches(rest, Some(key), child)
        }),
        Value::Array(items) => {
            let labels: Vec<String> = match keys::choose(field, items, items) {
                Some((keys, _)) => keys,
                None => (0..items.len()).map(|i| i.to_string()).collect(),
            };
            items
                .iter()
                .zip(labels)
                .enumerate()
                .any(|(index, (item, label))| {
                    let taken = match step {
                        Step::Field(g) => g == "*",
                        Step::Item(g) => glob::matches(g, &label),
                        Step::Token(t) => {
                            t == "*" || *t == index.to_string() || glob::matches(t, &label)
                        }
                    };
                    taken && reaches(rest, field, item)
                })
        }
        _ => false,
    }
}

fn step_matches(step: &Step, segment: &Segment) -> bool {
    match (step, segment) {
        (Step::Field(g), _) if g == "*" => true,
        (Step::Field(g), Segment::Field(name)) => glob::matches(g, name),
        (Step::Item(g), Segment::Item { label, .. }) => glob::matches(g, &label.text()),
        (Step::Token(t), Segment::Field(name)) => glob::matches(t, name),
        (Step::Token(t), Segment::Item { label, old, new }) => {
            let index_matches = |i: &Option<usize>| i.is_some_and(|i| i.to_string() == *t);
            index_matches(new)
                || (new.is_none() && index_matches(old))
                || (matches!(label, ItemLabel::Key(_)) && glob::matches(t, &label.text()))
                || t == "*"
        }
        _ => false,
    }
}

fn parse_human(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => i += 1,
            '[' if chars.get(i + 1) == Some(&'"') => {
                // A quoted key: JSON string syntax up to the closing quote, then `]`.
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '"' {
                    j += if chars[j] == '\\' { 2 } else { 1 };
                }
                if chars.get(j + 1) != Some(&']') {
                    return Err(format!("unclosed [\"…\"] in path pattern {text:?}"));
                }
                let quoted: String = chars[i + 1..=j].iter().collect();
                let key: String = serde_json::from_str(&quoted)
                    .map_err(|_| format!("bad quoted key {quoted} in path pattern {text:?}"))?;
                steps.push(Step::Field(key));
                i = j + 2;
            }
            '[' => {
                let close = chars[i..]
                    .iter()
                    .position(|&c| c == ']')
                    .ok_or_else(|| format!("unclosed [ in path pattern {text:?}"))?;
                steps.push(Step::Item(chars[i + 1..i + close].iter().collect()));
                i += close + 1;
            }
            _ => {
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == '.' || c == '[')
                    .map_or(chars.len(), |p| i + p);
                steps.push(Step::Field(chars[i..end].iter().collect()));
                i = end;
            }
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::path::DocFormat;

    fn field(name: &str) -> Segment {
        Segment::Field(name.into())
    }

    fn item(key: &str, index: usize) -> Segment {
        Segment::Item {
            label: ItemLabel::Key(key.into()),
            old: Some(index),
            new: Some(index),
        }
    }

    fn image_path() -> Path {
        Path(vec![
            field("spec"),
            field("template"),
            field("spec"),
            field("containers"),
            item("web", 0),
            field("image"),
        ])
    }

    #[test]
    fn wildcard_items_and_prefixes() {
        let p = PathPattern::parse("spec.template.spec.containers[*].image").unwrap();
        assert!(p.matches(&image_path()));
        let p = PathPattern::parse("spec.template").unwrap();
        assert!(p.matches(&image_path()));
        let p = PathPattern::parse("spec.template.spec.containers[db]").unwrap();
        assert!(!p.matches(&image_path()));
        let p = PathPattern::parse("spec.*.spec.containers.*.image").unwrap();
        assert!(p.matches(&image_path()));
    }

    #[test]
    fn quoted_keys_with_globs() {
        let p = PathPattern::parse(r#"metadata.annotations["openshift.io/*"]"#).unwrap();
        let path = Path(vec![
            field("metadata"),
            field("annotations"),
            field("openshift.io/generated-by"),
        ]);
        assert!(p.matches(&path));
        let other = Path(vec![
            field("metadata"),
            field("annotations"),
            field("app.openshift.io/vcs"),
        ]);
        assert!(!p.matches(&other));
    }

    #[test]
    fn json_pointers_match_indices_and_keys() {
        let p = PathPattern::parse("/spec/template/spec/containers/0/image").unwrap();
        assert!(p.matches(&image_path()));
        let p = PathPattern::parse("/spec/template/spec/containers/1/image").unwrap();
        assert!(!p.matches(&image_path()));
    }

    #[test]
    fn patterns_reach_into_embedded_documents() {
        let path = Path(vec![
            field("data"),
            field("app.yaml"),
            Segment::Document(DocFormat::Yaml),
            field("server"),
        ]);
        assert!(
            PathPattern::parse(r#"data["app.yaml"].server"#)
                .unwrap()
                .matches(&path)
        );
        assert!(
            !PathPattern::parse(r#"data["app.yaml"].port"#)
                .unwrap()
                .matches(&path),
            "the steps after a quoted key count"
        );
    }

    #[test]
    fn json_pointers_name_keyed_elements_by_key() {
        let p = PathPattern::parse("/spec/template/spec/containers/web/image").unwrap();
        assert!(p.matches(&image_path()));
        let p = PathPattern::parse("/spec/template/spec/containers/db/image").unwrap();
        assert!(!p.matches(&image_path()));
    }

    /// A removed element has only its old index; a pointer names it by that index alone.
    #[test]
    fn json_pointers_name_a_removed_element_by_its_old_index() {
        let removed = Path(vec![
            field("spec"),
            field("ports"),
            Segment::Item {
                label: ItemLabel::Key("8080/TCP".into()),
                old: Some(1),
                new: None,
            },
        ]);
        assert!(
            PathPattern::parse("/spec/ports/1")
                .unwrap()
                .matches(&removed)
        );
        assert!(
            !PathPattern::parse("/spec/ports/0")
                .unwrap()
                .matches(&removed)
        );
        assert!(
            !PathPattern::parse("/spec/ports/2")
                .unwrap()
                .matches(&removed)
        );
    }

    #[test]
    fn a_pattern_reaches_below_only_a_shorter_path() {
        let template = Path(vec![field("spec"), field("template")]);
        let p = PathPattern::parse("spec.template.spec").unwrap();
        assert!(p.reaches_below(&template));
        let p = PathPattern::parse("spec.template").unwrap();
        assert!(!p.reaches_below(&template), "at the path is not below it");
        let p = PathPattern::parse("spec.strategy.type").unwrap();
        assert!(!p.reaches_below(&template));
    }

    #[test]
    fn bad_patterns_say_why() {
        assert!(
            PathPattern::parse("spec[")
                .unwrap_err()
                .contains("unclosed")
        );
        assert!(PathPattern::parse("").is_err());
        for unclosed in [r#"metadata.annotations["app"#, r#"a["\"#, r#"a[""#] {
            let err = PathPattern::parse(unclosed).unwrap_err();
            assert!(err.contains("unclosed"), "{unclosed}: {err}");
        }
    }

    #[test]
    fn patterns_that_name_something_in_an_object() {
        let dc = serde_json::json!({"spec": {"template": {"spec": {"containers": [
            {"name": "web", "readinessProbe": {"httpGet": {"path": "/healthz"}}}]}}}});
        let reaches = |text: &str| PathPattern::parse(text).unwrap().matches_any_in(&dc);
        assert!(reaches("spec.template.spec.containers[*].readinessProbe"));
        assert!(reaches(
            "spec.template.spec.containers[web].readinessProbe.httpGet.path"
        ));
        assert!(reaches("/spec/template/spec/containers/0/readinessProbe"));
        assert!(reaches("/spec/template/spec/containers/web/readinessProbe"));
        assert!(reaches("/spec/template/spec/containers/*/readinessProbe"));
        assert!(!reaches("/spec/template/spec/containers/1/readinessProbe"));
        assert!(!reaches("/spec/template/spec/containers/db/readinessProbe"));
        // A bare `*` steps into a list's elements; a field name does not.
        assert!(reaches("spec.template.spec.containers.*.readinessProbe"));
        assert!(!reaches("spec.template.spec.containers.readinessProbe"));
        assert!(reaches("spec.*.spec"));
        assert!(!reaches("spec.tmplate.spec"));
        assert!(!reaches("spec.template.spec.containers[db]"));
        assert!(!reaches("spec.template.spec.containers[*].livenessProbe"));
    }
}
