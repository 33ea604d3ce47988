//! What the user's own rules hid: `--ignore` patterns, the rules of `--ignore-file` files and those
//! of a `.driftlabignore` in the current directory.
//!
//! Unlike noise, these hide what a person chose to hide, or what a file someone left in the
//! working directory chose for them. So every change they hide is kept, with its object and the
//! rule that hid it ([`UserHidden`]): the reports count them per rule, `--explain` lists them, and
//! a check can look for rules that hide what should never be hidden. They are not noise
//! (`noise_hidden` does not count them), `--all` does not show them, and they never count as
//! differences.

use serde::Serialize;

use std::collections::BTreeMap;

use super::noise::NoiseProfile;
use super::security;
use super::{Entry, Finding};
use crate::diff::filter::{self, PathRules};
use crate::diff::{Change, IgnoredChange, Path, PathPattern};
use crate::snapshot::{ObjectKey, Snapshot};
use serde_json::Value;

/// Where a user rule comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum RuleSource {
    /// An `--ignore PATH` pattern.
    #[serde(rename = "--ignore")]
    Flag,
    /// A rule of a file named by `--ignore-file`.
    #[serde(rename = "--ignore-file")]
    IgnoreFile,
    /// A rule of `.driftlabignore`, read because it is in the current directory (no flag named it).
    #[serde(rename = ".driftlabignore")]
    Implicit,
    /// A path of the `driftlab.io/ignore` annotation of the old (desired) side's object.
    #[serde(rename = "annotation")]
    Annotation,
}

/// The annotation that carries an object's own ignore rules: path patterns in the `--ignore`
/// syntax, separated by commas or new lines. Read on the old (desired) side only: the side under
/// test must not be able to hide its own changes.
pub const IGNORE_ANNOTATION: &str = "driftlab.io/ignore";

/// One user rule in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreRule {
    /// How the reports name it: `--ignore spec.replicas`, `rules.yaml#2`,
    /// `HPA replicas (.driftlabignore#1)`.
    pub name: String,
    /// Where it comes from.
    pub source: RuleSource,
}

/// Everything the user's rules hid in one comparison: the rules in force and each change they
/// hid. Filled by [`super::analyze`]: the `--ignore` patterns' changes come from the diff, the
/// ignore files' from [`UserHidden::hide_in`], run on each entry just after the built-in noise
/// rules (which win when both would hide a change).
#[derive(Clone, Debug, Default)]
pub struct UserHidden {
    /// Every user rule in force: the `--ignore` patterns first, in the order given, then the
    /// rules of the ignore files (`.driftlabignore` first, then each `--ignore-file`).
    pub rules: Vec<IgnoreRule>,
    /// Each change a rule hid: its object (for a pair of generated objects, the new one), the
    /// change, and the index of the rule in [`UserHidden::rules`]. The `--ignore` patterns'
    /// first, then the files'; each in object order.
    pub changes: Vec<IgnoredChange>,
    /// The changes of [`UserHidden::changes`] (by index) that gain or lose a setting of the
    /// security table, with what they grant: a user rule may hide them, but every report says so
    /// ([`UserHidden::check_security`]).
    pub security: Vec<(usize, String)>,
    /// Annotations whose patterns could not be read: `Deployment shop/web: …`. Their object's
    /// changes stay visible.
    pub annotation_problems: Vec<String>,
}

impl UserHidden {
    /// The rules of `profile` and of the `--ignore` patterns, with what the patterns hid in
    /// the diff (`ignored`, indexed by pattern).
    pub fn new(
        patterns: Vec<String>,
        ignored: Vec<IgnoredChange>,
        profile: &NoiseProfile,
    ) -> UserHidden {
        let flags = patterns.into_iter().map(|pattern| IgnoreRule {
            name: format!("--ignore {pattern}"),
            source: RuleSource::Flag,
        });
        let files = profile.user_rules().iter().map(|rule| IgnoreRule {
            name: rule.name.clone(),
            source: rule.source,
        });
        UserHidden {
            rules: flags.chain(files).collect(),
            changes: ignored,
            security: Vec::new(),
            annotation_problems: Vec::new(),
        }
    }

    /// Hides the visible changes of `entry` under the paths its old side's
    /// [`IGNORE_ANNOTATION`] names, for this object only, and keeps them here.
    pub fn hide_by_annotation(&mut self, entry: &mut Entry) {
        let Some(text) = entry
            .old
            .as_ref()
            .and_then(|o| o.pointer("/metadata/annotations"))
            .and_then(|a| a.get(IGNORE_ANNOTATION))
            .and_then(Value::as_str)
        else {
            return;
        };
        let object = format!("{} {}", entry.key.kind, entry.key.qualified_name());
        let mut patterns = Vec::new();
        for word in text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            match PathPattern::parse(word) {
                Ok(pattern) => {
                    patterns.push((pattern, self.rules.len()));
                    self.rules.push(IgnoreRule {
                        name: format!("{IGNORE_ANNOTATION} {word} ({object})"),
                        source: RuleSource::Annotation,
                    });
                }
                Err(e) => self
                    .annotation_problems
                    .push(format!("{object}: {IGNORE_ANNOTATION}: {word:?}: {e}")),
            }
        }
        if patterns.is_empty() || entry.findings.iter().all(|f| f.hidden_by.is_some()) {
            return;
        }
        let rules = AnnotationRules(&patterns);
        let (open, kept): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut entry.findings)
            .into_iter()
            .partition(|f| f.hidden_by.is_none());
        let (shown, hidden) = filter::split(open.into_iter().map(|f| f.change).collect(), &rules);
        entry.findings = shown.into_iter().map(Finding::shown).collect();
        entry.findings.extend(kept);
        self.changes
            .extend(hidden.into_iter().map(|(change, rule)| IgnoredChange {
                key: entry.key.clone(),
                change,
                rule,
            }));
    }

    /// Hides the visible changes of `entry` that the user rules of `profile` name, opening up
    /// whole maps that hold some, and keeps them here. Findings keep their order.
    pub fn hide_in(&mut self, entry: &mut Entry, profile: &NoiseProfile) {
        if profile.user_rules().is_empty() || entry.findings.iter().all(|f| f.hidden_by.is_some()) {
            return;
        }
        // The files' rules come after the --ignore patterns in `rules`.
        let first = self.rules.len() - profile.user_rules().len();
        let taken = std::mem::take(&mut entry.findings);
        let rules = UserRules {
            profile,
            key: &entry.key,
        };
        let mut findings = Vec::with_capacity(entry.findings.len());
        let mut open: Vec<Change> = Vec::new();
        let mut flush = |open: &mut Vec<Change>, findings: &mut Vec<Finding>| {
            if open.is_empty() {
                return;
            }
            let (shown, hidden) = filter::split(std::mem::take(open), &rules);
            findings.extend(shown.into_iter().map(Finding::shown));
            self.changes
                .extend(hidden.into_iter().map(|(change, rule)| IgnoredChange {
                    key: entry.key.clone(),
                    change,
                    rule: first + rule,
                }));
        };
        for finding in taken {
            if finding.hidden_by.is_none() {
                open.push(finding.change);
            } else {
                flush(&mut open, &mut findings);
                findings.push(finding);
            }
        }
        flush(&mut open, &mut findings);
        entry.findings = findings;
    }

    /// Finds the hidden changes that gain or lose a setting of the security table
    /// ([`super::security`]), reading each object concerned once from `old` and `new`.
    pub fn check_security(&mut self, old: &Snapshot, new: &Snapshot) {
        let mut by_object: BTreeMap<&ObjectKey, Vec<usize>> = BTreeMap::new();
        for (index, hidden) in self.changes.iter().enumerate() {
            if security::covers(&hidden.key.kind) {
                by_object.entry(&hidden.key).or_default().push(index);
            }
        }
        let mut found = Vec::new();
        for (key, indexes) in by_object {
            let old_value = old.get(key).map(|s| s.value());
            let new_value = new.get(key).map(|s| s.value());
            let comparison =
                security::Comparison::of(&key.kind, old_value.as_ref(), new_value.as_ref());
            for index in indexes {
                if let Some(touched) = comparison.touched_by(&self.changes[index].change) {
                    found.push((index, touched.describe()));
                }
            }
        }
        found.sort();
        self.security = found;
    }

    /// How many changes the rules hid in all.
    pub fn total(&self) -> usize {
        self.changes.len()
    }

    /// Each rule in force with the number of changes it hid, in rule order (rules that hid
    /// nothing included).
    pub fn per_rule(&self) -> Vec<(&IgnoreRule, usize)> {
        let mut counts = vec![0; self.rules.len()];
        for change in &self.changes {
            counts[change.rule] += 1;
        }
        self.rules.iter().zip(counts).collect()
    }

    /// How many changes the rules from `source` hid.
    pub fn count_from(&self, source: RuleSource) -> usize {
        self.changes
            .iter()
            .filter(|c| self.rules[c.rule].source == source)
            .count()
    }

    /// The rule that hid `change`.
    pub fn rule_of(&self, change: &IgnoredChange) -> &IgnoreRule {
        &self.rules[change.rule]
    }

    /// The hidden changes ordered by object (namespace, kind, name), each object's in the order
    /// they were hidden: how `--explain` lists them.
    pub fn by_object(&self) -> Vec<&IgnoredChange> {
        let mut changes: Vec<&IgnoredChange> = self.changes.iter().collect();
        changes.sort_by(|a, b| a.key.cmp(&b.key));
        changes
    }
}

/// An object's annotation patterns, each with its index among the rules.
struct AnnotationRules<'a>(&'a [(PathPattern, usize)]);

impl PathRules for AnnotationRules<'_> {
    type Reason = usize;

    fn hides(&self, change: &Change) -> Option<usize> {
        self.0
            .iter()
            .find(|(pattern, _)| pattern.matches(&change.path))
            .map(|(_, rule)| *rule)
    }

    fn reaches_below(&self, path: &Path) -> bool {
        self.0
            .iter()
            .any(|(pattern, _)| pattern.reaches_below(path))
    }
}

/// The user rules of a profile, for one object, as path rules; the reason is the rule's index
/// among the profile's user rules.
struct UserRules<'a> {
    profile: &'a NoiseProfile,
    key: &'a ObjectKey,
}

impl PathRules for UserRules<'_> {
    type Reason = usize;

    fn hides(&self, change: &Change) -> Option<usize> {
        self.profile.user_rule_hiding(self.key, change)
    }

    fn reaches_below(&self, path: &Path) -> bool {
        self.profile.user_reaches_below(self.key, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::noise::{UserRule, parse_ignore_file};
    use crate::analyze::tests::object;
    use crate::analyze::{Analysis, AnalyzeOptions, analyze};
    use crate::diff::{DiffOptions, PathPattern, diff_snapshots};
    use crate::snapshot::Snapshot;
    use serde_json::{Value, json};

    /// The analysis of two sets of objects with `--ignore` `patterns` and user `rules`.
    fn user_analysis(
        old: Vec<Value>,
        new: Vec<Value>,
        patterns: &[&str],
        rules: Vec<UserRule>,
    ) -> Analysis {
        let (old, new) = (Snapshot::of(old), Snapshot::of(new));
        let diff = DiffOptions {
            ignore: patterns
                .iter()
                .map(|p| PathPattern::parse(p).unwrap())
                .collect(),
            ..DiffOptions::default()
        };
        let report = diff_snapshots(&old, &new, &diff);
        let options = AnalyzeOptions {
            noise: NoiseProfile::new(true, rules),
            show_all: false,
            desired: false,
            baseline: None,
        };
        analyze(&old, &new, report, &options)
    }

    fn config_map(data: Value) -> Value {
        object("v1", "ConfigMap", "web", json!({"data": data}))
    }

    /// A rule's changes leave the findings and the noise count, and are kept with their object
    /// and rule; a map added whole is opened up so that only the rule's part is hidden.
    #[test]
    fn user_rules_hide_their_part_and_keep_it() {
        let rules = parse_ignore_file(
            "- kind: ConfigMap\n  paths: ['data.secret*']\n",
            ".driftlabignore",
        )
        .unwrap();
        let old = vec![object("v1", "ConfigMap", "web", json!({}))];
        let new = vec![config_map(json!({"secretKey": "x", "plain": "y"}))];
        let analysis = user_analysis(old, new, &["data.plain"], rules);
        let hidden = &analysis.user_hidden;
        assert_eq!(
            hidden.rules,
            [
                IgnoreRule {
                    name: "--ignore data.plain".into(),
                    source: RuleSource::Flag
                },
                IgnoreRule {
                    name: ".driftlabignore#1".into(),
                    source: RuleSource::IgnoreFile
                }
            ]
        );
        let paths: Vec<(String, &str, &str)> = hidden
            .by_object()
            .into_iter()
            .map(|c| {
                (
                    c.change.path.human(),
                    c.key.name.as_str(),
                    hidden.rule_of(c).name.as_str(),
                )
            })
            .collect();
        assert_eq!(
            paths,
            [
                ("data.plain".to_string(), "web", "--ignore data.plain"),
                ("data.secretKey".to_string(), "web", ".driftlabignore#1")
            ]
        );
        let counts: Vec<usize> = hidden.per_rule().into_iter().map(|(_, n)| n).collect();
        assert_eq!(counts, [1, 1]);
        assert_eq!(hidden.total(), 2);
        assert_eq!(analysis.ignored_changes, 2);
        assert_eq!(analysis.summary.noise_hidden, 0);
        // Nothing left to show: the object is unchanged, not a difference.
        assert_eq!(analysis.summary.changed, 0);
        assert_eq!(analysis.summary.unchanged, 1);
        assert!(!analysis.summary.has_differences());
    }

    #[test]
    fn counts_by_source() {
        let mut rules = parse_ignore_file("- paths: [data.a]\n", ".driftlabignore").unwrap();
        rules[0].source = RuleSource::Implicit;
        let old = vec![config_map(json!({"a": "1", "b": "1"}))];
        let new = vec![config_map(json!({"a": "2", "b": "2"}))];
        let analysis = user_analysis(old, new, &[], rules);
        let hidden = &analysis.user_hidden;
        assert_eq!(hidden.count_from(RuleSource::Implicit), 1);
        assert_eq!(hidden.count_from(RuleSource::Flag), 0);
        // The visible change is still there, the object still changed.
        assert_eq!(analysis.summary.changed, 1);
    }
}
