//! The words of the reports that analysis leaves as types: what relates an object to others
//! ([`Relation`]), and counted nouns (`1 change`, `3 changes`), built in one place.

use std::fmt;

use crate::analyze::relation::{Came, Danger, Generated, Owner, Relation};
use crate::history::grid::SeriesRelation;

/// `1 change`, `3 changes`, `2 policies`: `n` and the noun, in the singular when `n` is 1.
pub fn plural(n: usize, singular: &str) -> String {
    format!("{n} {}", noun(n, singular))
}

/// `change` when `n` is 1, `changes` otherwise (`policy`: `policies`, `match`: `matches`): the
/// noun alone, for a count written elsewhere (`see culprits 1, 2`).
pub fn noun(n: usize, singular: &str) -> String {
    if n == 1 {
        return singular.to_string();
    }
    if let Some(stem) = singular.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    if singular.ends_with(['s', 'x']) || singular.ends_with("ch") || singular.ends_with("sh") {
        return format!("{singular}es");
    }
    format!("{singular}s")
}

/// `is` when `n` is 1, `are` otherwise.
pub fn is_are(n: usize) -> &'static str {
    if n == 1 { "is" } else { "are" }
}

impl fmt::Display for Owner {
    /// `DeploymentConfig web`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.name)
    }
}

impl fmt::Display for Came {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Came::New => "new",
            Came::Gone => "gone",
        })
    }
}

impl fmt::Display for Generated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Generated::Build => "build",
            Generated::Job => "job",
            Generated::Pod => "pod",
            Generated::Controller => "controller",
        })
    }
}

impl fmt::Display for Relation {
    /// The words of the text, Markdown, HTML and JSON reports (`relation` in the JSON report: its
    /// wording is part of the documented format).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Relation::Replaced => f.write_str("replaced"),
            Relation::NextJob(owner) => write!(f, "next job of {owner}"),
            Relation::Generated { came, what, owner } => write!(f, "{came} {what} of {owner}"),
            Relation::UpdatedWith(owner) => write!(f, "updated with {owner}"),
            Relation::RenamedByContentHash => f.write_str("renamed (content hash)"),
            Relation::PodsReplaced { count, edited } => {
                if *count == 1 {
                    f.write_str("replaced")?;
                } else {
                    write!(f, "{count} pods replaced")?;
                }
                if !edited.is_empty() {
                    // `1 differs`, `2 differs`: the report has always said so.
                    write!(
                        f,
                        "; {} differs from its template ({})",
                        edited.len(),
                        edited.join(", ")
                    )?;
                }
                Ok(())
            }
            Relation::SameTemplateChanges(owner) => {
                write!(f, "replaced; same template changes as {owner}")
            }
            Relation::DiffersFromOwnerTemplate(before) => match before {
                Some(before) => write!(f, "{before}; differs from its owner's template"),
                None => f.write_str("generated; differs from its owner's template"),
            },
            Relation::ClusterOnly { danger } => {
                f.write_str("in the cluster, not in the manifests")?;
                match danger {
                    Some(danger) => write!(f, "; {danger}"),
                    None => Ok(()),
                }
            }
            Relation::MissingInCluster => f.write_str("missing in the cluster"),
        }
    }
}

impl fmt::Display for Danger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Danger::Grants(facts) => write!(f, "grants {}", facts.join(", ")),
            Danger::Binding {
                role_kind,
                role_name,
                subjects,
            } => write!(
                f,
                "grants {role_kind}/{role_name} to {}",
                subjects.join(", ")
            ),
            Danger::Intercepts => f.write_str("intercepts requests in the compared namespaces"),
        }
    }
}

impl fmt::Display for SeriesRelation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeriesRelation::Rollouts {
                pods: true,
                owner_kind,
                owner_name,
            } => write!(
                f,
                "pods of {owner_kind} {owner_name}, replaced by its rollouts"
            ),
            SeriesRelation::Rollouts {
                pods: false,
                owner_kind,
                owner_name,
            } => write!(f, "replaced by {owner_kind} {owner_name}'s rollouts"),
            SeriesRelation::Added(relation) => relation.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(kind: &str, name: &str) -> Owner {
        Owner::new(kind, name)
    }

    fn assert_words(cases: Vec<(Relation, &str)>) {
        for (relation, words) in cases {
            assert_eq!(relation.to_string(), words, "{relation:?}");
        }
    }

    // Every relation says what the reports said before it was a type: the JSON report's
    // `relation` strings are a contract.

    #[test]
    fn relations_of_generated_objects_render_their_old_words() {
        let web = || owner("DeploymentConfig", "web");
        assert_words(vec![
            (Relation::Replaced, "replaced"),
            (
                Relation::NextJob(owner("CronJob", "report")),
                "next job of CronJob report",
            ),
            (
                Relation::Generated {
                    came: Came::New,
                    what: Generated::Build,
                    owner: owner("BuildConfig", "web"),
                },
                "new build of BuildConfig web",
            ),
            (
                Relation::Generated {
                    came: Came::Gone,
                    what: Generated::Controller,
                    owner: web(),
                },
                "gone controller of DeploymentConfig web",
            ),
            (
                Relation::Generated {
                    came: Came::New,
                    what: Generated::Pod,
                    owner: owner("StatefulSet", "db"),
                },
                "new pod of StatefulSet db",
            ),
            (
                Relation::Generated {
                    came: Came::New,
                    what: Generated::Job,
                    owner: owner("CronJob", "nightly"),
                },
                "new job of CronJob nightly",
            ),
            (
                Relation::UpdatedWith(owner("StatefulSet", "db")),
                "updated with StatefulSet db",
            ),
            (Relation::RenamedByContentHash, "renamed (content hash)"),
        ]);
    }

    #[test]
    fn relations_of_replaced_pods_and_controllers_render_their_old_words() {
        assert_words(vec![
            (
                Relation::PodsReplaced {
                    count: 1,
                    edited: Vec::new(),
                },
                "replaced",
            ),
            (
                Relation::PodsReplaced {
                    count: 2,
                    edited: Vec::new(),
                },
                "2 pods replaced",
            ),
            (
                Relation::PodsReplaced {
                    count: 2,
                    edited: vec!["web-4-x7k2p".into()],
                },
                "2 pods replaced; 1 differs from its template (web-4-x7k2p)",
            ),
            (
                Relation::PodsReplaced {
                    count: 1,
                    edited: vec!["web-4-x7k2p".into()],
                },
                "replaced; 1 differs from its template (web-4-x7k2p)",
            ),
            (
                Relation::SameTemplateChanges(owner("DeploymentConfig", "web")),
                "replaced; same template changes as DeploymentConfig web",
            ),
            (
                Relation::DiffersFromOwnerTemplate(Some(Box::new(Relation::Generated {
                    came: Came::New,
                    what: Generated::Pod,
                    owner: owner("ReplicaSet", "web-5d9"),
                }))),
                "new pod of ReplicaSet web-5d9; differs from its owner's template",
            ),
            (
                Relation::DiffersFromOwnerTemplate(None),
                "generated; differs from its owner's template",
            ),
        ]);
    }

    #[test]
    fn desired_state_relations_render_their_old_words() {
        assert_words(vec![
            (
                Relation::ClusterOnly { danger: None },
                "in the cluster, not in the manifests",
            ),
            (
                Relation::ClusterOnly {
                    danger: Some(Danger::Grants(vec![
                        "spec.containers[x].securityContext.privileged: true".into(),
                        "spec.hostPID: true".into(),
                    ])),
                },
                "in the cluster, not in the manifests; grants \
                 spec.containers[x].securityContext.privileged: true, spec.hostPID: true",
            ),
            (
                Relation::ClusterOnly {
                    danger: Some(Danger::Binding {
                        role_kind: "ClusterRole".into(),
                        role_name: "cluster-admin".into(),
                        subjects: vec![
                            "Group system:authenticated".into(),
                            "ServiceAccount shop/default".into(),
                        ],
                    }),
                },
                "in the cluster, not in the manifests; grants ClusterRole/cluster-admin to \
                 Group system:authenticated, ServiceAccount shop/default",
            ),
            (
                Relation::ClusterOnly {
                    danger: Some(Danger::Intercepts),
                },
                "in the cluster, not in the manifests; intercepts requests in the compared \
                 namespaces",
            ),
            (Relation::MissingInCluster, "missing in the cluster"),
        ]);
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "change"), "1 change");
        assert_eq!(plural(0, "change"), "0 changes");
        assert_eq!(plural(3, "change"), "3 changes");
        assert_eq!(plural(2, "policy"), "2 policies");
        assert_eq!(plural(2, "key"), "2 keys");
        assert_eq!(plural(2, "match"), "2 matches");
        assert_eq!(noun(1, "culprit"), "culprit");
        assert_eq!(noun(2, "culprit"), "culprits");
        assert_eq!((is_are(1), is_are(2)), ("is", "are"));
    }
}
