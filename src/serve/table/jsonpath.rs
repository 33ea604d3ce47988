//! The subset of Kubernetes JSONPath that printer columns of real CustomResourceDefinitions use:
//! `.a.b`, `['a.b']`, `.a[0].b`, `.a[-1]`, `.a[*].b`, `.a[?(@.type=="Ready")].status` (`==` and
//! `!=` against a quoted string, a number or a boolean). A path outside it, or one that finds
//! nothing, yields no value: an empty cell, never an error. Paths and results are bounded, so a
//! hostile definition costs a bounded amount of work.

use serde_json::Value;

/// The longest path read; real ones are a few dozen characters.
const MAX_PATH: usize = 512;
/// The most values a path may find (`[*]` over large lists, nested).
const MAX_RESULTS: usize = 1024;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(i64),
    All,
    Filter {
        path: Vec<String>,
        equal: bool,
        value: Value,
    },
}

/// A parsed path; `None` from [`Path::parse`] when it is outside the subset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Path(Vec<Step>);

impl Path {
    /// Reads `text` (`.spec.x`, with or without the `{…}` around it).
    pub(crate) fn parse(text: &str) -> Option<Path> {
        if text.len() > MAX_PATH {
            return None;
        }
        let text = text.trim();
        let text = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text);
        let text = text.strip_prefix('$').unwrap_or(text);
        let mut steps = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('.') {
                let end = after.find(['.', '[']).unwrap_or(after.len());
                let name = &after[..end];
                if name.is_empty() {
                    return None;
                }
                steps.push(Step::Field(name.to_string()));
                rest = &after[end..];
            } else if let Some(after) = rest.strip_prefix('[') {
                let (inside, tail) = bracket(after)?;
                steps.push(bracket_step(inside)?);
                rest = tail;
            } else {
                return None;
            }
        }
        Some(Path(steps))
    }

    /// The values the path finds in `value`, at most [`MAX_RESULTS`].
    pub(crate) fn find<'a>(&self, value: &'a Value) -> Vec<&'a Value> {
        let mut current = vec![value];
        for step in &self.0 {
            let mut next = Vec::new();
            for value in current {
                apply(step, value, &mut next);
                if next.len() >= MAX_RESULTS {
                    next.truncate(MAX_RESULTS);
                    break;
                }
            }
            current = next;
            if current.is_empty() {
                break;
            }
        }
        current
    }
}

/// The text inside `[…]` and what follows it; a quoted `]` does not close it.
fn bracket(after: &str) -> Option<(&str, &str)> {
    let mut quote: Option<char> = None;
    for (i, c) in after.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, ']') => return Some((&after[..i], &after[i + 1..])),
            (None, _) => {}
        }
    }
    None
}

fn bracket_step(inside: &str) -> Option<Step> {
    let inside = inside.trim();
    if inside == "*" {
        return Some(Step::All);
    }
    if let Some(name) = unquote(inside) {
        return Some(Step::Field(name.to_string()));
    }
    if let Some(filter) = inside.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        return filter_step(filter);
    }
    inside.parse().ok().map(Step::Index)
}

fn unquote(text: &str) -> Option<&str> {
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .or_else(|| text.strip_prefix('"').and_then(|t| t.strip_suffix('"')))
}

/// `@.type=="Ready"`, `@.status.phase != 'x'`, `@.n == 3`.
fn filter_step(filter: &str) -> Option<Step> {
    let (left, right, equal) = if let Some((l, r)) = filter.split_once("!=") {
        (l, r, false)
    } else {
        let (l, r) = filter.split_once("==")?;
        (l, r, true)
    };
    let left = left.trim().strip_prefix('@')?;
    let mut path = Vec::new();
    for part in left.split('.').skip(1) {
        if part.is_empty() {
            return None;
        }
        path.push(part.to_string());
    }
    if path.is_empty() || !left.starts_with('.') {
        return None;
    }
    let right = right.trim();
    let value = match unquote(right) {
        Some(text) => Value::String(text.to_string()),
        None => serde_json::from_str(right).ok()?,
    };
    Some(Step::Filter { path, equal, value })
}

fn apply<'a>(step: &Step, value: &'a Value, out: &mut Vec<&'a Value>) {
    match (step, value) {
        (Step::Field(name), Value::Object(map)) => out.extend(map.get(name)),
        (Step::Index(index), Value::Array(items)) => {
            let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let at = if *index < 0 { len + index } else { *index };
            out.extend(usize::try_from(at).ok().and_then(|i| items.get(i)));
        }
        (Step::All, Value::Array(items)) => out.extend(items.iter()),
        (Step::All, Value::Object(map)) => out.extend(map.values()),
        (Step::Filter { path, equal, value }, Value::Array(items)) => {
            out.extend(items.iter().filter(|item| {
                let found = path.iter().try_fold(*item, |v, name| v.get(name));
                found.is_some_and(|found| same(found, value) == *equal)
            }));
        }
        _ => {}
    }
}

/// JSON equality, numbers compared by value (`3` and `3.0` alike).
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if a.is_number() && b.is_number() => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn find(path: &str, value: &Value) -> Vec<Value> {
        Path::parse(path)
            .map(|p| p.find(value).into_iter().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_subset_real_columns_use() {
        let object = json!({
            "spec": {"hostnames": ["a.example", "b.example"], "rules": [{"name": "r0"}, {"name": "r1"}]},
            "status": {"conditions": [
                {"type": "Accepted", "status": "True"},
                {"type": "Ready", "status": "False", "n": 3}
            ]},
            "metadata": {"annotations": {"example.com/x.y": "z"}}
        });
        assert_eq!(
            find(".spec.hostnames", &object),
            [json!(["a.example", "b.example"])]
        );
        assert_eq!(find("{.spec.rules[0].name}", &object), [json!("r0")]);
        assert_eq!(find(".spec.rules[-1].name", &object), [json!("r1")]);
        assert_eq!(
            find(".spec.rules[*].name", &object),
            [json!("r0"), json!("r1")]
        );
        assert_eq!(
            find(r#".status.conditions[?(@.type=="Ready")].status"#, &object),
            [json!("False")]
        );
        assert_eq!(
            find(".status.conditions[?(@.type != 'Ready')].status", &object),
            [json!("True")]
        );
        assert_eq!(
            find(".status.conditions[?(@.n==3.0)].type", &object),
            [json!("Ready")]
        );
        assert_eq!(
            find(".metadata.annotations['example.com/x.y']", &object),
            [json!("z")]
        );
        assert!(find(".spec.missing.deeper", &object).is_empty());
        assert!(find(".spec.rules[7]", &object).is_empty());
    }

    #[test]
    fn paths_outside_the_subset_find_nothing() {
        for bad in [
            "spec",
            ".spec..x",
            ".a[",
            ".a[?(@.x)]",
            ".a[?(x==1)]",
            "{range .items[*]}{.x}{end}",
            ".a[1:2]",
            &".a".repeat(400),
        ] {
            assert!(
                find(bad, &json!({"a": [1, 2], "spec": {"x": 1}})).is_empty(),
                "{bad}"
            );
        }
    }

    #[test]
    fn results_are_bounded() {
        let row: Vec<Value> = (0..100).map(|i| json!(i)).collect();
        let grid = Value::Array(vec![Value::Array(row); 100]);
        assert_eq!(find("[*][*]", &grid).len(), MAX_RESULTS);
    }
}
