//! `--output junit`: JUnit XML, which every CI system shows as tests.
//!
//! One `testcase` per compared object (`classname` is `namespace/Kind`, or `Kind` for a
//! cluster-scoped object; `name` is the object's name). A drifted object has one `failure`
//! listing its changes; an object only in the cluster (a desired-state comparison) is
//! `skipped`; every other object passes. The old name of a replaced generated object is not a
//! case of its own: the new one stands for both.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use super::{Context, Item, items};
use crate::analyze::{Analysis, Relation};
use crate::report::{describe_source, summary_counts};
use crate::snapshot::ObjectKey;

const ONLY_IN_THE_CLUSTER: &str = "only in the cluster, not in the manifests";

enum Outcome<'a> {
    Passed,
    Failed(Vec<Item<'a>>),
    Skipped(&'static str),
}

/// Writes the JUnit report of `analysis` over the objects of `context`.
pub fn render(analysis: &Analysis, context: &Context, out: &mut dyn Write) -> io::Result<()> {
    let cases = cases(analysis, context);
    let failures = cases
        .values()
        .filter(|o| matches!(o, Outcome::Failed(_)))
        .count();
    let skipped = cases
        .values()
        .filter(|o| matches!(o, Outcome::Skipped(_)))
        .count();
    let suite = format!(
        "driftlab: {} → {}",
        describe_source(&analysis.old),
        describe_source(&analysis.new)
    );
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="driftlab" tests="{}" failures="{failures}" errors="0" skipped="{skipped}">"#,
        cases.len()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{}" failures="{failures}" errors="0" skipped="{skipped}">"#,
        escape(&suite),
        cases.len()
    )?;
    writeln!(out, "    <properties>")?;
    writeln!(
        out,
        r#"      <property name="summary" value="{}"/>"#,
        escape(&summary_counts(analysis))
    )?;
    writeln!(out, "    </properties>")?;
    for (key, outcome) in &cases {
        write_case(out, key, outcome, context)?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Each compared object with its outcome.
fn cases<'a>(analysis: &'a Analysis, context: &'a Context) -> BTreeMap<&'a ObjectKey, Outcome<'a>> {
    let mut cases: BTreeMap<&ObjectKey, Outcome<'_>> = context
        .compared
        .iter()
        .map(|key| (key, Outcome::Passed))
        .collect();
    let mut replaced: BTreeSet<ObjectKey> = BTreeSet::new();
    for entry in &analysis.entries {
        for name in entry
            .members()
            .iter()
            .map(|m| m.old.as_str())
            .chain(entry.old_name().filter(|_| entry.members().is_empty()))
        {
            replaced.insert(ObjectKey {
                name: name.to_string(),
                ..entry.key.clone()
            });
        }
        if matches!(entry.relation, Some(Relation::ClusterOnly { danger: None })) {
            cases.insert(&entry.key, Outcome::Skipped(ONLY_IN_THE_CLUSTER));
        }
    }
    if analysis.desired {
        // Objects only the cluster holds are left out of the comparison (--all lists them).
        for (key, outcome) in cases.iter_mut() {
            if context.only_new.contains(*key) && matches!(outcome, Outcome::Passed) {
                *outcome = Outcome::Skipped(ONLY_IN_THE_CLUSTER);
            }
        }
    }
    for item in items(analysis) {
        if item.category == crate::analyze::Category::Churn {
            continue;
        }
        match cases.entry(item.key).or_insert(Outcome::Passed) {
            Outcome::Failed(list) => list.push(item),
            other => *other = Outcome::Failed(vec![item]),
        }
    }
    cases.retain(|key, outcome| !(replaced.contains(*key) && matches!(outcome, Outcome::Passed)));
    cases
}

fn write_case(
    out: &mut dyn Write,
    key: &ObjectKey,
    outcome: &Outcome<'_>,
    context: &Context,
) -> io::Result<()> {
    let class = if key.namespace.is_empty() {
        key.kind.clone()
    } else {
        format!("{}/{}", key.namespace, key.kind)
    };
    let open = format!(
        r#"    <testcase classname="{}" name="{}""#,
        escape(&class),
        escape(&key.name)
    );
    match outcome {
        Outcome::Passed => writeln!(out, "{open}/>"),
        Outcome::Skipped(why) => {
            writeln!(out, "{open}>")?;
            writeln!(out, r#"      <skipped message="{}"/>"#, escape(why))?;
            writeln!(out, "    </testcase>")
        }
        Outcome::Failed(list) => {
            let first = &list[0];
            let message = if list.len() == 1 {
                first.message()
            } else {
                format!("{} changes; first: {}", list.len(), first.message())
            };
            writeln!(out, "{open}>")?;
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">"#,
                escape(&message),
                first.category.name()
            )?;
            for item in list {
                let place = context
                    .place(item.key, &item.path())
                    .map(|p| format!("   ({}:{})", p.file, p.line))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{}",
                    escape(&format!(
                        "[{}] {}{place}",
                        item.category.name(),
                        item.message()
                    ))
                )?;
            }
            writeln!(out, "      </failure>")?;
            writeln!(out, "    </testcase>")
        }
    }
}

/// Text for an XML attribute or element: markup escaped (as for HTML, which XML reads alike),
/// and the characters XML 1.0 cannot hold at all (control characters but tab, LF and CR)
/// replaced, so no value breaks the document.
pub fn escape(text: &str) -> String {
    let holdable: String = text
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect();
    crate::report::present::html_escape(&holdable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_what_xml_cannot_hold() {
        assert_eq!(
            escape("a<b>&\"'\u{1}"),
            "a&lt;b&gt;&amp;&quot;&#39;\u{FFFD}"
        );
    }
}
