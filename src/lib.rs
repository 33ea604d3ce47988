/*!
driftlab finds what drifted between two snapshots of a Kubernetes or OpenShift project.

# The floors

Data flows one way: *source → snapshot → normalise → diff → analyse → report*. A new reader does
not touch the diff; a new output format does not touch the readers.

- [`source`] reads an argument (a driftlab or openshift-backup zip archive, a folder or file of
  manifests, standard input, a Velero tarball, an `s3://` object) into a [`snapshot::Snapshot`],
  through one bounded read loop.
- [`snapshot`] is the model: objects keyed by identity (group, kind, namespace, name), normalised
  by [`normalize`] and stored as compact canonical JSON; the kinds table; `--map-namespace`.
- [`normalize`] holds the pruning rules both sides of a diff pass through, and those `export`
  adds.
- [`diff`] pairs objects by identity and compares the pairs whose bodies differ: lists by merge
  key, quantities as numbers, embedded documents structurally, secret values by fingerprint
  ([`secret`] says what a secret value is and how its stored forms compare). It returns a
  [`diff::DiffReport`].
- [`analyze`] says what a diff means: noise hidden by named rules, generated objects paired,
  pods checked against their controller's template, who changed what, `--desired`, and every
  change ranked, so that an [`analyze::Analysis`] lists the likely culprits first. [`history`]
  does it for a series of archives, night by night.
- [`report`] renders an analysis as text, JSON, Markdown or one line per object, a diff report as
  JSON Patch, and a history as text, JSON, Markdown or an HTML page: bytes out, nothing read,
  nothing compared.

[`format`](mod@format) holds what readers and writers share: the archive layout, the archive's manifest, and
how a file's bytes become documents. [`apiserver`] knows, as pure functions, what the API server
writes into objects that nobody wrote: its defaults, what admission injects, the field managers.
The engine (`diff`, `analyze`, `normalize`) imports no reader, cluster or storage code.

# Beside the floors

- [`cluster`] is the only code that talks to a cluster: discovery and bounded, paginated lists,
  read once for an export's archive or a live snapshot.
- [`archive`] writes archives atomically, verifies that an archive is a backup, and rotates them;
  [`storage`] keeps them in an S3 bucket instead of a folder.
- [`serve`] serves any snapshot as a read-only Kubernetes API, to browse it with kubectl.
- [`install`] builds the manifests of the nightly backup service.
- [`glob`], [`timestamp`] and [`error`] are small helpers: wildcards, the date stamps in archive
  names, and errors that reach the user with the exit status each maps to.

# The front

- [`cli`] is the only module that knows clap: it parses the command line, settles flags,
  environment and terminal into a plain command per subcommand, runs it and maps the outcome to
  an exit status; [`cli::docs`] writes completions and the manual page.
- [`commands`] orchestrates each subcommand (read, compare, write), with no flags and no
  terminal.
- [`messages`] is every error, warning and note driftlab writes to stderr, one line each;
  [`runtime`] is the one async runtime, built once and shared by cluster reads, bucket requests,
  `serve` and signals; [`interrupt`] races long waits against SIGINT, SIGTERM and SIGHUP.

`docs/developing.md` maps every module folder and file.

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
pub mod crypto;
pub mod diff;
pub mod error;
pub mod format;
pub mod glob;
pub mod history;
pub mod install;
pub mod interrupt;
pub mod messages;
pub mod metrics;
pub mod normalize;
pub mod report;
pub mod revert;
pub mod runtime;
pub mod schema;
pub mod secret;
pub mod serve;
pub mod snapshot;
pub mod source;
pub mod storage;
pub mod timestamp;
