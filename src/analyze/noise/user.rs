//! User rules: ignore files (`--ignore-file`, `.driftlabignore`) in the shape of Argo CD's
//! `ignoreDifferences`.

use serde_json::Value;

use super::super::ignored::RuleSource;
use crate::diff::PathPattern;
use crate::error::{Error, Result};
use crate::glob;
use crate::snapshot::ObjectKey;

/// A user rule from an ignore file.
#[derive(Clone, Debug)]
pub struct UserRule {
    /// How `--explain` names it: `FILE#N` or its `description`.
    pub name: String,
    /// Where it was read: a file named by `--ignore-file` unless the caller says otherwise.
    pub source: RuleSource,
    pub(super) group: Option<String>,
    pub(super) kind: Option<String>,
    pub(super) namespace: Option<String>,
    pub(super) object_name: Option<String>,
    pub(super) paths: Vec<PathPattern>,
}

impl UserRule {
    pub(super) fn applies_to(&self, key: &ObjectKey) -> bool {
        let ok = |pattern: &Option<String>, value: &str| {
            pattern.as_deref().is_none_or(|p| glob::matches(p, value))
        };
        ok(&self.group, &key.group)
            && ok(&self.kind, &key.kind)
            && ok(&self.namespace, &key.namespace)
            && ok(&self.object_name, &key.name)
    }
}

/// Parses an ignore file: YAML or JSON, either a list of rules or `{ignoreDifferences: [...]}`.
/// Each rule has optional `group`, `kind`, `namespace`, `name` (globs), and `jsonPointers`
/// and/or `paths` (driftlab paths); `description` names it.
pub fn parse_ignore_file(text: &str, file: &str) -> Result<Vec<UserRule>> {
    let documents = crate::format::documents::parse(text.as_bytes(), file)?;
    let root = documents
        .into_iter()
        .find(|d| !d.is_null())
        .unwrap_or(Value::Array(Vec::new()));
    let list = match root {
        Value::Array(list) => list,
        Value::Object(mut map) => match map.remove("ignoreDifferences") {
            Some(Value::Array(list)) => list,
            _ => {
                return Err(Error::input(
                    file,
                    "expected a list of rules or ignoreDifferences: [...]",
                ));
            }
        },
        _ => {
            return Err(Error::input(
                file,
                "expected a list of rules or ignoreDifferences: [...]",
            ));
        }
    };
    let mut rules = Vec::new();
    for (index, item) in list.into_iter().enumerate() {
        let at = format!("rule {}", index + 1);
        let Value::Object(map) = item else {
            return Err(Error::input(file, format!("{at}: not a mapping")));
        };
        let mut rule = UserRule {
            name: format!("{file}#{}", index + 1),
            source: RuleSource::IgnoreFile,
            group: None,
            kind: None,
            namespace: None,
            object_name: None,
            paths: Vec::new(),
        };
        for (field, value) in map {
            let text = |v: &Value| -> Result<String> {
                v.as_str()
                    .map(String::from)
                    .ok_or_else(|| Error::input(file, format!("{at}: {field} must be a string")))
            };
            match field.as_str() {
                "group" => rule.group = Some(text(&value)?),
                "kind" => rule.kind = Some(text(&value)?),
                "namespace" => rule.namespace = Some(text(&value)?),
                "name" => rule.object_name = Some(text(&value)?),
                "description" => rule.name = format!("{} ({file}#{})", text(&value)?, index + 1),
                "jsonPointers" | "paths" => {
                    let Value::Array(items) = value else {
                        return Err(Error::input(file, format!("{at}: {field} must be a list")));
                    };
                    for item in items {
                        let text = item.as_str().ok_or_else(|| {
                            Error::input(file, format!("{at}: {field} entries must be strings"))
                        })?;
                        if field == "jsonPointers" && !text.starts_with('/') {
                            return Err(Error::input(
                                file,
                                format!("{at}: {text:?} is not a JSON pointer (starts with /)"),
                            ));
                        }
                        rule.paths.push(
                            PathPattern::parse(text)
                                .map_err(|e| Error::input(file, format!("{at}: {e}")))?,
                        );
                    }
                }
                "jqPathExpressions" | "managedFieldsManagers" => {
                    return Err(Error::input(
                        file,
                        format!("{at}: {field} is not supported (use jsonPointers or paths)"),
                    ));
                }
                other => return Err(Error::input(file, format!("{at}: unknown field {other:?}"))),
            }
        }
        if rule.paths.is_empty() {
            return Err(Error::input(
                file,
                format!("{at}: needs jsonPointers or paths"),
            ));
        }
        rules.push(rule);
    }
    Ok(rules)
}
