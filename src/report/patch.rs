//! RFC 6902 JSON Patch output: one entry per object that differs, each with the patch that turns
//! the normalised old object into the normalised new one. Secret values appear as fingerprints
//! (`sha256:` and 8 hex digits) unless revealed.

use std::io::{self, Write};

use json_patch::jsonptr::PointerBuf;
use json_patch::{AddOperation, PatchOperation, RemoveOperation};
use serde::Serialize;

use crate::diff::{DiffReport, ObjectChange, patch};

#[derive(Serialize)]
struct Entry<'a> {
    change: ObjectChange,
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    patch: Vec<PatchOperation>,
}

pub fn render(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    let entries: Vec<Entry<'_>> = report
        .objects
        .iter()
        .map(|object| {
            let operations = match (object.change, &object.old, &object.new) {
                (ObjectChange::Changed, Some(old), Some(new)) => patch::patch(old, new),
                (ObjectChange::Added, _, Some(new)) => vec![PatchOperation::Add(AddOperation {
                    path: PointerBuf::root(),
                    value: new.clone(),
                })],
                _ => vec![PatchOperation::Remove(RemoveOperation {
                    path: PointerBuf::root(),
                })],
            };
            Entry {
                change: object.change,
                api_version: object
                    .new_api_version
                    .as_deref()
                    .or(object.old_api_version.as_deref())
                    .unwrap_or_default(),
                kind: &object.key.kind,
                namespace: (!object.key.namespace.is_empty())
                    .then_some(object.key.namespace.as_str()),
                name: &object.key.name,
                patch: operations,
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &entries)?;
    writeln!(out)
}
