//! `driftlab generate` (hidden): synthetic nightly archives for benchmarks and tests.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::archive::{ArchiveWriter, Manifest};
use crate::cli::args::GenerateArgs;
use crate::error::{Error, ExitStatus, Result};
use crate::snapshot::kinds;
use crate::synth::{self, SynthOptions};
use crate::timestamp::Timestamp;

/// Writes `args.nights` archives (or List files) into `args.out`.
pub fn run(args: &GenerateArgs) -> Result<ExitStatus> {
    let dir = Path::new(&args.out);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(&args.out, e))?;
    let options = SynthOptions {
        objects: args.objects,
        drift: args.drift_percent / 100.0,
        changes: args.changes,
        seed: args.seed,
    };
    // Night k is taken at 00:15 on day k+1 of January 2026.
    let first = Timestamp::parse_stamp("202601010015")
        .expect("valid stamp")
        .to_unix();
    for (night, objects) in synth::nights(&options, args.nights).into_iter().enumerate() {
        let taken = Timestamp::from_unix(first + night as i64 * 86_400);
        if args.single_list {
            let path = dir.join(format!("list-{}.json", taken.stamp()));
            let list = json!({"apiVersion": "v1", "kind": "List", "items": objects});
            let text = serde_json::to_vec_pretty(&list).map_err(|e| Error::Usage(e.to_string()))?;
            std::fs::write(&path, text).map_err(|e| Error::io(path.display().to_string(), e))?;
            println!("{}", path.display());
            continue;
        }
        let path = dir.join(format!("driftlab-{}.zip", taken.stamp()));
        write_archive(&path, objects, taken)?;
        println!("{}", path.display());
    }
    Ok(ExitStatus::Clean)
}

/// Writes objects into a driftlab archive, grouped by namespace and resource.
pub fn write_archive(path: &Path, objects: Vec<Value>, taken: Timestamp) -> Result<()> {
    let mut lists: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for object in objects {
        let kind = object["kind"].as_str().unwrap_or_default();
        let api_version = object["apiVersion"].as_str().unwrap_or("v1");
        let group = kinds::group_of(api_version, kind);
        let namespace = object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str);
        let namespace = namespace.filter(|_| !kinds::is_cluster_scoped(kind, &group));
        let entry = ArchiveWriter::list_path(namespace, &kinds::plural_of(kind, &group));
        lists.entry(entry).or_default().push(object);
    }
    let mut writer = ArchiveWriter::create(path, taken)?;
    let objects = lists.values().map(Vec::len).sum();
    writer.write_manifest(&Manifest {
        tool: "driftlab".into(),
        tool_version: Some(env!("CARGO_PKG_VERSION").into()),
        generator: Some("synthetic".into()),
        start_time: Some(taken.rfc3339()),
        end_time: Some(taken.rfc3339()),
        objects,
        complete: true,
        ..Manifest::default()
    })?;
    for (entry, items) in lists {
        writer.write_list(&entry, items)?;
    }
    writer.finish()?;
    Ok(())
}
