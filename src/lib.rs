/*!
driftlab finds what drifted between two snapshots of a Kubernetes or OpenShift project.

# Brief overview

Data flows one way: *source → snapshot → normalise → diff → analyse → report*. [`format`] holds
what readers and writers share (archive layout, manifest, document parsing); the engine
(`diff`, `analyze`, `normalize`) imports no reader, cluster or storage code.

- [`source`] reads an argument (zip archive, directory, file, Velero tarball) into a
  [`snapshot::Snapshot`]: objects keyed by (group, kind, namespace, name), normalised by
  [`normalize`] and stored as compact canonical JSON.
- [`diff`] pairs objects by identity and compares the pairs whose bodies differ: lists by merge key,
  quantities as numbers, embedded documents structurally, secrets by digest.
- [`report`] renders a [`diff::DiffReport`] as text, JSON, JSON Patch or Markdown.

# Example

```
use driftlab::diff::{diff_snapshots, DiffOptions};
use driftlab::source::{self, ReadOptions};

let dir = tempfile::tempdir().unwrap();
let old = dir.path().join("old.yaml");
let new = dir.path().join("new.yaml");
std::fs::write(&old, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: p}\ndata: {timeout: 30s}\n").unwrap();
std::fs::write(&new, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: p}\ndata: {timeout: 3s}\n").unwrap();

let read = ReadOptions::default();
let old = source::read(old.to_str().unwrap(), &read).unwrap();
let new = source::read(new.to_str().unwrap(), &read).unwrap();
let report = diff_snapshots(&old, &new, &DiffOptions::default());
assert_eq!(report.summary.changed, 1);
assert_eq!(report.objects[0].changes[0].path.human(), "data.timeout");
```
*/
#![deny(missing_docs)]

pub mod analyze;
pub mod apiserver;
pub mod archive;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod diff;
pub mod error;
pub mod format;
pub mod glob;
pub mod history;
pub mod install;
pub mod interrupt;
pub mod messages;
pub mod normalize;
pub mod report;
pub mod runtime;
pub mod secret;
pub mod serve;
pub mod snapshot;
pub mod source;
pub mod storage;
pub mod timestamp;
