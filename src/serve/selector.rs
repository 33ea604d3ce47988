//! Label selectors as the API server reads them: `a=b`, `a==b`, `a!=b`, `a`, `!a`,
//! `a in (x,y)`, `a notin (x)`, comma-separated requirements all of which must hold.

use std::collections::BTreeMap;

/// One requirement of a selector.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    Absent(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
}

/// A parsed label selector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector(Vec<Requirement>);

impl Selector {
    /// Parses a selector; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(part)?);
        }
        Ok(Selector(requirements))
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::Absent(k) => !labels.contains_key(k),
            Requirement::In(k, values) => labels.get(k).is_some_and(|v| values.contains(v)),
            Requirement::NotIn(k, values) => labels.get(k).is_none_or(|v| !values.contains(v)),
        })
    }
}

/// Splits on commas outside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    let bad = || format!("unable to parse requirement: {part:?}");
    if let Some(key) = part.strip_prefix('!') {
        return valid_key(key.trim())
            .map(Requirement::Absent)
            .ok_or_else(bad);
    }
    if let Some((key, value)) = part.split_once("!=") {
        return Ok(Requirement::NotEquals(
            valid_key(key.trim()).ok_or_else(bad)?,
            value.trim().to_string(),
        ));
    }
    if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Ok(Requirement::Equals(
            valid_key(key.trim()).ok_or_else(bad)?,
            value.trim().to_string(),
        ));
    }
    let words: Vec<&str> = part.splitn(2, char::is_whitespace).collect();
    if words.len() == 2 {
        let key = valid_key(words[0]).ok_or_else(bad)?;
        let rest = words[1].trim();
        let (negated, list) = if let Some(list) = rest.strip_prefix("notin") {
            (true, list)
        } else if let Some(list) = rest.strip_prefix("in") {
            (false, list)
        } else {
            return Err(bad());
        };
        let list = list
            .trim()
            .strip_prefix('(')
            .and_then(|l| l.strip_suffix(')'))
            .ok_or_else(bad)?;
        let values: Vec<String> = list
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        return Ok(if negated {
            Requirement::NotIn(key, values)
        } else {
            Requirement::In(key, values)
        });
    }
    valid_key(part).map(Requirement::Exists).ok_or_else(bad)
}

fn valid_key(key: &str) -> Option<String> {
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    ok.then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selectors() {
        let web = labels(&[("app", "web"), ("tier", "front")]);
        let db = labels(&[("app", "db")]);
        let check = |s: &str, l: &BTreeMap<String, String>| Selector::parse(s).unwrap().matches(l);
        assert!(check("app=web", &web) && !check("app=web", &db));
        assert!(check("app==web,tier", &web) && !check("app=web,tier", &db));
        assert!(check("app!=web", &db) && check("!tier", &db) && !check("!tier", &web));
        assert!(check("app in (web, db)", &db) && !check("app notin (web,db)", &db));
        assert!(check("tier notin (back)", &db));
        assert!(check("", &db));
        assert!(Selector::parse("app in web").is_err());
        assert!(Selector::parse("a b c").is_err());
    }

    use proptest::prelude::*;

    /// Label keys and values, with and without a prefix.
    fn word() -> impl Strategy<Value = String> {
        "[a-z0-9]([-a-z0-9_.]{0,8}[a-z0-9])?"
    }

    fn key() -> impl Strategy<Value = String> {
        (proptest::option::of("[a-z]{1,6}\\.(io|com)/"), word())
            .prop_map(|(prefix, name)| prefix.unwrap_or_default() + &name)
    }

    /// One requirement as text, the way kubectl users write them, and labels that satisfy it.
    fn satisfied() -> impl Strategy<Value = (String, Vec<(String, String)>)> {
        (key(), word(), word(), 0..6u8).prop_map(|(k, v, other, form)| {
            let other = format!("{other}-x");
            match form {
                0 => (format!("{k}={v}"), vec![(k, v)]),
                1 => (format!("{k} == {v}"), vec![(k, v)]),
                2 => (format!("{k}!={other}"), vec![(k, v)]),
                3 => (k.clone(), vec![(k, v)]),
                4 => (format!("!{k}"), vec![]),
                _ => (format!("{k} in ({other}, {v})"), vec![(k, v)]),
            }
        })
    }

    proptest! {
        #![proptest_config(crate::serve::proptest_config(512))]

        #[test]
        fn any_text_is_parsed_or_refused(text in "[a-z=!,() .\\-/]{0,40}|\\PC{0,40}") {
            if let Ok(selector) = Selector::parse(&text) {
                let _ = selector.matches(&labels(&[("app", "web")]));
            }
        }

        #[test]
        fn written_requirements_hold_for_their_labels(
            requirements in proptest::collection::vec(satisfied(), 1..5),
        ) {
            let text: Vec<&str> = requirements.iter().map(|(t, _)| t.as_str()).collect();
            let text = text.join(",");
            let mut labels = BTreeMap::new();
            for (_, pairs) in &requirements {
                labels.extend(pairs.iter().cloned());
            }
            // Two requirements may contradict (a=x and !a); only check those that do not.
            let consistent = requirements.iter().all(|(t, _)| {
                Selector::parse(t).is_ok_and(|s| s.matches(&labels))
            });
            let selector = Selector::parse(&text);
            prop_assert!(selector.is_ok(), "{text:?}: {selector:?}");
            if consistent {
                prop_assert!(selector.unwrap().matches(&labels), "{text:?} {labels:?}");
            }
        }
    }
}
