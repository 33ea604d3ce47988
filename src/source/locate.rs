//! Where a change is in the manifests: the file and line of a field of an object read from a
//! folder or a file, for CI annotations (`--output github`, `--output sarif`).
//!
//! Snapshots keep objects, not text. So a file is read again, only when a change in it is to
//! be located, and its YAML events (JSON is YAML) give each key and list item its line. A field
//! the file does not hold (a value only the cluster has) is located at its object's first line.
//! Nothing here fails: a file that moved or no longer parses gives no location.

use std::collections::HashMap;
use std::path::{Path as FsPath, PathBuf};

use serde_saphyr::granit_parser::{Event, Parser};

use crate::diff::path::{ItemLabel, Path, Segment};
use crate::snapshot::{ObjectKey, Place, SourceFormat, SourceInfo, StoredObject};

/// Files larger than this are not read again to locate a change.
const MAX_LOCATE_BYTES: u64 = 64 << 20;
/// Nodes of one file beyond this are not indexed (a hostile file must not cost unbounded memory).
const MAX_NODES: usize = 2_000_000;

/// One YAML node with the line it starts on.
#[derive(Debug)]
enum Node {
    Map(Vec<(String, usize, Node)>),
    Seq(Vec<(usize, Node)>),
    Scalar(String),
}

/// One document of a file: its first line and content.
#[derive(Debug)]
struct Document {
    line: usize,
    root: Node,
}

/// Finds the places of changes in the files one side was read from.
#[derive(Debug)]
pub struct Locator {
    root: Option<Root>,
    files: HashMap<PathBuf, Option<Vec<Document>>>,
}

#[derive(Debug)]
enum Root {
    Directory(PathBuf),
    File(PathBuf),
}

impl Locator {
    /// A locator for the side described by `info` (files only: archives, the cluster and
    /// standard input have no lines to point at).
    pub fn new(info: &SourceInfo) -> Locator {
        let root = match info.format {
            SourceFormat::Directory => Some(Root::Directory(PathBuf::from(&info.label))),
            SourceFormat::File => Some(Root::File(PathBuf::from(&info.label))),
            _ => None,
        };
        Locator {
            root,
            files: HashMap::new(),
        }
    }

    /// The place of `path` in `object` (`None`: the object itself), falling back to the
    /// object's first line when the file does not hold the field.
    pub fn locate(
        &mut self,
        key: &ObjectKey,
        object: &StoredObject,
        path: Option<&Path>,
    ) -> Option<Place> {
        let file = match self.root.as_ref()? {
            Root::Directory(dir) => dir.join(&*object.origin),
            Root::File(file) => file.clone(),
        };
        let documents = self
            .files
            .entry(file.clone())
            .or_insert_with(|| index(&file))
            .as_ref()?;
        let (start, node) = find_object(documents, key)?;
        let line = path
            .and_then(|path| resolve(node, &path.0))
            .unwrap_or(start);
        Some(Place {
            file: display(&file),
            line,
        })
    }
}

/// `deploy/web.yaml`, without a leading `./`.
fn display(file: &FsPath) -> String {
    let text = file.to_string_lossy();
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

/// The documents of `file`, or `None` when it cannot be read or parsed.
fn index(file: &FsPath) -> Option<Vec<Document>> {
    let meta = std::fs::metadata(file).ok()?;
    if meta.len() > MAX_LOCATE_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    parse(&text)
}

/// A frame of the tree being built: a mapping (its entries and the key awaiting a value) or a
/// sequence.
enum Frame {
    Map {
        entries: Vec<(String, usize, Node)>,
        key: Option<(String, usize)>,
    },
    Seq(Vec<(usize, Node)>),
}

/// The documents of `text` with the line of every key and item.
fn parse(text: &str) -> Option<Vec<Document>> {
    let mut documents = Vec::new();
    let mut stack: Vec<(Frame, usize)> = Vec::new();
    let mut nodes = 0usize;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.ok()?;
        let line = span.start.line();
        let finished = match event {
            Event::MappingStart(..) => {
                stack.push((
                    Frame::Map {
                        entries: Vec::new(),
                        key: None,
                    },
                    line,
                ));
                None
            }
            Event::SequenceStart(..) => {
                stack.push((Frame::Seq(Vec::new()), line));
                None
            }
            Event::MappingEnd => match stack.pop()? {
                (Frame::Map { entries, .. }, line) => Some((Node::Map(entries), line)),
                _ => return None,
            },
            Event::SequenceEnd => match stack.pop()? {
                (Frame::Seq(items), line) => Some((Node::Seq(items), line)),
                _ => return None,
            },
            Event::Scalar(value, ..) => Some((Node::Scalar(value.into_owned()), line)),
            Event::Alias(_) => Some((Node::Scalar(String::new()), line)),
            _ => None,
        };
        let Some((node, line)) = finished else {
            continue;
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return None;
        }
        match stack.last_mut() {
            // The object's first line: its content's, after any `---` and comments.
            None => documents.push(Document { line, root: node }),
            Some((Frame::Seq(items), _)) => items.push((line, node)),
            Some((Frame::Map { entries, key }, _)) => match key.take() {
                None => {
                    let Node::Scalar(name) = node else {
                        // A complex key: no field of an object has one.
                        *key = Some((String::new(), line));
                        continue;
                    };
                    *key = Some((name, line));
                }
                Some((name, key_line)) => entries.push((name, key_line, node)),
            },
        }
    }
    Some(documents)
}

/// The object `key` among `documents` (or the items of a `List` document), with its line.
fn find_object<'a>(documents: &'a [Document], key: &ObjectKey) -> Option<(usize, &'a Node)> {
    for document in documents {
        if is_object(&document.root, key) {
            return Some((document.line, &document.root));
        }
        if let Some(Node::Seq(items)) = field(&document.root, "items").map(|(_, n)| n)
            && let Some((line, node)) = items.iter().find(|(_, node)| is_object(node, key))
        {
            return Some((*line, node));
        }
    }
    None
}

fn scalar(node: Option<(usize, &Node)>) -> Option<&str> {
    match node {
        Some((_, Node::Scalar(text))) => Some(text.as_str()),
        _ => None,
    }
}

fn is_object(node: &Node, key: &ObjectKey) -> bool {
    let metadata = field(node, "metadata").map(|(_, n)| n);
    scalar(field(node, "kind")) == Some(key.kind.as_str())
        && metadata.and_then(|m| scalar(field(m, "name"))) == Some(key.name.as_str())
        && match metadata.and_then(|m| scalar(field(m, "namespace"))) {
            // A manifest without a namespace takes the one it is applied to.
            None => true,
            Some(namespace) => namespace == key.namespace,
        }
}

fn field<'a>(node: &'a Node, name: &str) -> Option<(usize, &'a Node)> {
    match node {
        Node::Map(entries) => entries
            .iter()
            .find(|(key, _, _)| key == name)
            .map(|(_, line, node)| (*line, node)),
        _ => None,
    }
}

/// The line of the node at `segments` below `node`, if the file holds it.
fn resolve(node: &Node, segments: &[Segment]) -> Option<usize> {
    let mut node = node;
    let mut line = None;
    for segment in segments {
        let (at, next) = match segment {
            Segment::Field(name) => field(node, name)?,
            Segment::Item { label, old, new } => item(node, label, old.or(*new))?,
            // Inside an embedded document: the string that holds it.
            Segment::Document(_) => break,
        };
        line = Some(at);
        node = next;
    }
    line
}

/// The list item `label` names: by its key where the items have one that reads so, else by its
/// position in the old list (the manifests are the old side).
fn item<'a>(node: &'a Node, label: &ItemLabel, index: Option<usize>) -> Option<(usize, &'a Node)> {
    let Node::Seq(items) = node else {
        return None;
    };
    if let ItemLabel::Key(key) = label
        && let Some((line, node)) = items.iter().find(|(_, item)| names(item, key))
    {
        return Some((*line, node));
    }
    items.get(index?).map(|(line, node)| (*line, node))
}

/// Whether an item's key fields read `key` (`web`, `8080/TCP`, or a scalar item itself).
fn names(item: &Node, key: &str) -> bool {
    match item {
        Node::Scalar(text) => text == key,
        Node::Map(entries) => {
            let scalars: Vec<&str> = entries
                .iter()
                .filter_map(|(_, _, node)| match node {
                    Node::Scalar(text) => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            scalars.contains(&key)
                || key
                    .split('/')
                    .all(|part| !part.is_empty() && scalars.contains(&part))
        }
        Node::Seq(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFESTS: &str = "\
# a comment
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: sidecar
        image: proxy:1
      - name: web
        image: web:1
        ports:
        - containerPort: 8080
          protocol: TCP
";

    fn key(kind: &str, namespace: &str, name: &str) -> ObjectKey {
        ObjectKey {
            namespace: namespace.into(),
            kind: kind.into(),
            name: name.into(),
            group: String::new(),
        }
    }

    fn field_path(fields: &[&str]) -> Vec<Segment> {
        fields
            .iter()
            .map(|f| Segment::Field(f.to_string()))
            .collect()
    }

    #[test]
    fn lines_of_fields_items_and_documents() {
        let documents = parse(MANIFESTS).unwrap();
        let (line, cm) = find_object(&documents, &key("ConfigMap", "shop", "settings")).unwrap();
        assert_eq!(line, 2);
        assert_eq!(resolve(cm, &field_path(&["data", "mode"])), Some(7));
        let (line, web) = find_object(&documents, &key("Deployment", "shop", "web")).unwrap();
        assert_eq!(line, 9);
        assert_eq!(resolve(web, &field_path(&["spec", "replicas"])), Some(15));
        let mut path = field_path(&["spec", "template", "spec", "containers"]);
        path.push(Segment::Item {
            label: ItemLabel::Key("web".into()),
            old: Some(0),
            new: Some(0),
        });
        path.push(Segment::Field("image".into()));
        assert_eq!(resolve(web, &path), Some(22));
        path.pop();
        path.push(Segment::Field("ports".into()));
        path.push(Segment::Item {
            label: ItemLabel::Key("8080/TCP".into()),
            old: None,
            new: Some(0),
        });
        assert_eq!(resolve(web, &path), Some(24));
        // Not in the file: no line of its own.
        assert_eq!(resolve(web, &field_path(&["spec", "paused"])), None);
        assert!(find_object(&documents, &key("Deployment", "other", "web")).is_none());
    }

    #[test]
    fn bad_text_gives_no_places() {
        assert!(parse("a: [\n").is_none());
    }
}
