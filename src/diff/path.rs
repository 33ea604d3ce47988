//! Paths to a change, written for people and for machines.
//!
//! People read `spec.template.spec.containers[web].readinessProbe.httpGet.path` and
//! `metadata.annotations["deployment.kubernetes.io/revision"]`: list elements by their merge key,
//! keys with dots or slashes quoted. Machines get the RFC 6901 pointer with list indices.

use std::fmt::Write as _;

/// The format of a document embedded in a string (a ConfigMap's `app.yaml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocFormat {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

impl DocFormat {
    /// `json` or `yaml`.
    pub fn name(self) -> &'static str {
        match self {
            DocFormat::Json => "json",
            DocFormat::Yaml => "yaml",
        }
    }
}

/// How a list element is named in a path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ItemLabel {
    /// By its merge key: `containers[web]`, `ports[8080/TCP]`.
    Key(String),
    /// By position, for lists without a key: `args[2]`.
    Index(usize),
}

impl ItemLabel {
    /// The label as written between brackets.
    pub fn text(&self) -> String {
        match self {
            ItemLabel::Key(key) => key.clone(),
            ItemLabel::Index(index) => index.to_string(),
        }
    }
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A key of a map.
    Field(String),
    /// An element of a list, with its positions in the old and the new list.
    Item {
        /// How it is named.
        label: ItemLabel,
        /// Its index in the old list, if it is there.
        old: Option<usize>,
        /// Its index in the new list, if it is there.
        new: Option<usize>,
    },
    /// The step from a string into the document it holds.
    Document(DocFormat),
}

/// Where a change is, from the object's root.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<Segment>);

impl Path {
    /// The path for people: `spec.containers[web].image`, `data["app.yaml"].server.timeout`.
    pub fn human(&self) -> String {
        let mut out = String::new();
        for segment in &self.0 {
            match segment {
                Segment::Field(name) => {
                    if is_plain_field(name) {
                        if !out.is_empty() {
                            out.push('.');
                        }
                        out.push_str(name);
                    } else {
                        out.push('[');
                        out.push_str(&serde_json::to_string(name).unwrap_or_default());
                        out.push(']');
                    }
                }
                Segment::Item { label, .. } => {
                    let _ = write!(out, "[{}]", label.text());
                }
                Segment::Document(_) => {}
            }
        }
        out
    }

    /// The RFC 6901 pointer to the changed value in the new object (list elements by their new
    /// index, or their old one where they are gone), up to the string that holds an embedded
    /// document.
    pub fn pointer(&self) -> String {
        pointer_of(
            self.0
                .iter()
                .take_while(|s| !matches!(s, Segment::Document(_))),
            false,
        )
    }

    /// The RFC 6901 pointer into the old object (list elements by their old index): where a
    /// removed value was.
    pub fn old_pointer(&self) -> String {
        pointer_of(
            self.0
                .iter()
                .take_while(|s| !matches!(s, Segment::Document(_))),
            true,
        )
    }

    /// For a change inside an embedded document: its format and the pointer inside it.
    pub fn embedded(&self) -> Option<(DocFormat, String)> {
        let at = self
            .0
            .iter()
            .position(|s| matches!(s, Segment::Document(_)))?;
        let Segment::Document(format) = self.0[at] else {
            return None;
        };
        Some((format, pointer_of(self.0[at + 1..].iter(), false)))
    }

    /// The names of the map keys on the path, in order (list elements and documents skipped).
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|s| match s {
            Segment::Field(name) => Some(name.as_str()),
            _ => None,
        })
    }
}

fn pointer_of<'a>(segments: impl Iterator<Item = &'a Segment>, prefer_old: bool) -> String {
    let mut out = String::new();
    for segment in segments {
        out.push('/');
        match segment {
            Segment::Field(name) => out.push_str(&escape_pointer(name)),
            Segment::Item { old, new, .. } => {
                let index = if prefer_old {
                    old.or(*new)
                } else {
                    new.or(*old)
                };
                let _ = write!(out, "{}", index.unwrap_or(0));
            }
            Segment::Document(_) => {}
        }
    }
    out
}

/// Escapes a map key for an RFC 6901 pointer (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer(key: &str) -> String {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1")
    } else {
        key.to_string()
    }
}

/// Keys that can be written bare after a dot.
fn is_plain_field(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> Segment {
        Segment::Field(name.into())
    }

    #[test]
    fn human_paths_use_merge_keys_and_quote_odd_keys() {
        let path = Path(vec![
            field("spec"),
            field("containers"),
            Segment::Item {
                label: ItemLabel::Key("web".into()),
                old: Some(1),
                new: Some(0),
            },
            field("readinessProbe"),
        ]);
        assert_eq!(path.human(), "spec.containers[web].readinessProbe");
        assert_eq!(path.pointer(), "/spec/containers/0/readinessProbe");

        let path = Path(vec![
            field("metadata"),
            field("annotations"),
            field("deployment.kubernetes.io/revision"),
        ]);
        assert_eq!(
            path.human(),
            r#"metadata.annotations["deployment.kubernetes.io/revision"]"#
        );
        assert_eq!(
            path.pointer(),
            "/metadata/annotations/deployment.kubernetes.io~1revision"
        );
    }

    #[test]
    fn embedded_documents_continue_the_path() {
        let path = Path(vec![
            field("data"),
            field("app.yaml"),
            Segment::Document(DocFormat::Yaml),
            field("server"),
            field("timeout"),
        ]);
        assert_eq!(path.human(), r#"data["app.yaml"].server.timeout"#);
        assert_eq!(path.pointer(), "/data/app.yaml");
        assert_eq!(
            path.embedded(),
            Some((DocFormat::Yaml, "/server/timeout".to_string()))
        );
    }

    #[test]
    fn removed_items_point_into_the_old_list() {
        let path = Path(vec![
            field("args"),
            Segment::Item {
                label: ItemLabel::Index(3),
                old: Some(3),
                new: None,
            },
        ]);
        assert_eq!(path.human(), "args[3]");
        assert_eq!(path.pointer(), "/args/3");
    }
}
