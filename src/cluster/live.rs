//! The live cluster as a snapshot: read with the same discovery, listing and pruning as an
//! export, into memory, for `driftlab diff last-week.zip live`.

use std::sync::Arc;

use serde_json::Value;

use super::ClusterOptions;
use super::collect::Target;
use super::read::{self, Consumer, ListProblem, ReadReport, SecretValues};
use crate::error::Result;
use crate::snapshot::{
    DuplicateRule, FileOrigin, ObjectFilter, Snapshot, SnapshotBuilder, SourceFormat, SourceInfo,
};

/// `live` or `live:<context>` as a snapshot argument: `Some(context)`.
pub fn parse_argument(argument: &str) -> Option<Option<String>> {
    match argument.strip_prefix("live") {
        Some("") => Some(None),
        Some(rest) => rest
            .strip_prefix(':')
            .filter(|c| !c.is_empty())
            .map(|c| Some(c.to_string())),
        None => None,
    }
}

/// Builds a snapshot from the lists of a read.
struct SnapshotSink<'a> {
    builder: SnapshotBuilder,
    label: &'a str,
}

impl Consumer for SnapshotSink<'_> {
    fn items(&mut self, target: &Target<'_>, items: Vec<Value>) -> Result<()> {
        let place = target.place();
        let origin = FileOrigin {
            path: Arc::from(place.as_str()),
            display: format!("{}: {place}", self.label),
            folder_namespace: target.namespace.clone(),
            duplicates: DuplicateRule::Report,
        };
        self.builder.add_documents(items, &origin);
        Ok(())
    }

    fn not_read(&mut self, target: &Target<'_>, problem: &ListProblem) {
        let verb = if problem.forbidden {
            "skipped"
        } else {
            "could not read"
        };
        self.builder.warn(format!(
            "{}: {verb} {}: {}",
            self.label,
            target.place(),
            problem.reason
        ));
    }
}

/// Reads the live cluster into a snapshot labelled `label`, keeping what `filter` accepts. The
/// report says whether the read was complete; the caller decides what an incomplete one is worth.
pub fn read(
    options: &ClusterOptions,
    filter: &ObjectFilter,
    label: &str,
) -> Result<(Snapshot, ReadReport)> {
    let mut sink = SnapshotSink {
        builder: SnapshotBuilder::new(filter.clone()),
        label,
    };
    let report = read::read(options, &SecretValues::Keep, &mut sink)?;
    for warning in report.warnings.iter() {
        sink.builder.note(format!("{label}: {warning}"));
    }
    let snapshot = sink.builder.finish(SourceInfo {
        label: label.to_string(),
        format: SourceFormat::Live,
        taken: Some(report.started),
        completeness: None,
        namespace_map: Vec::new(),
    });
    Ok((snapshot, report))
}

#[cfg(test)]
mod tests {
    use super::parse_argument;

    #[test]
    fn live_arguments() {
        assert_eq!(parse_argument("live"), Some(None));
        assert_eq!(parse_argument("live:prod"), Some(Some("prod".into())));
        assert_eq!(parse_argument("live:"), None);
        assert_eq!(parse_argument("lively.zip"), None);
        assert_eq!(parse_argument("old.zip"), None);
    }
}
