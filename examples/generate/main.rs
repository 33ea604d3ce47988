//! Synthetic nightly archives for the benchmarks: development tooling, not part of driftlab.
//!
//! ```sh
//! cargo run --release --example generate -- --out target/bench/10k --objects 10000
//! ```
//!
//! Writes `driftlab-<stamp>.zip` archives (or, with `--single-list`, one JSON `List` file per
//! night) of realistic namespaces, about 1% of objects drifting from one night to the next.

mod custom;
mod synth;

use std::collections::BTreeMap;
use std::path::Path;

use clap::Parser;
use driftlab::archive::ArchiveWriter;
use driftlab::format::Manifest;
use driftlab::snapshot::kinds;
use driftlab::timestamp::Timestamp;
use serde_json::{Value, json};
use synth::SynthOptions;

/// Write synthetic nightly archives (for benchmarks and tests).
#[derive(Debug, Parser)]
struct Args {
    /// Directory to write the archives to.
    #[arg(long, value_name = "DIR")]
    out: String,

    /// About how many objects per night.
    #[arg(long, default_value_t = 1000)]
    objects: usize,

    /// How many nightly archives to write.
    #[arg(long, default_value_t = 2)]
    nights: usize,

    /// Percentage of objects that drift from one night to the next.
    #[arg(long, default_value_t = 1.0)]
    drift_percent: f64,

    /// Exactly this many objects drift each night (instead of --drift-percent).
    #[arg(long)]
    changes: Option<usize>,

    /// Seed of the pseudo-random choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Spread the objects over this many namespaces (default: ten applications, about 100
    /// objects, per namespace).
    #[arg(long)]
    namespaces: Option<usize>,

    /// Write each night as one JSON List file instead of an archive.
    #[arg(long)]
    single_list: bool,

    /// Give every object the metadata.managedFields an API server records (a deploy tool owning
    /// what the object sets, a controller owning its status), as a live cluster returns them.
    #[arg(long)]
    managed_fields: bool,

    /// Recast this percentage of the objects as custom resources of a benchmark
    /// CustomResourceDefinition, which each night holds too (unless --no-definitions).
    #[arg(long, value_name = "PERCENT")]
    custom_resources: Option<f64>,

    /// With --custom-resources: leave the definition out, so the custom resources compare
    /// without a schema (the benchmark's control).
    #[arg(long)]
    no_definitions: bool,
}

fn main() {
    let args = Args::parse();
    if let Err(err) = run(&args) {
        eprintln!("generate: {err}");
        std::process::exit(2);
    }
}

/// Writes `args.nights` archives (or List files) into `args.out`; prints each path.
fn run(args: &Args) -> driftlab::error::Result<()> {
    use driftlab::error::Error;
    let dir = Path::new(&args.out);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(&args.out, e))?;
    let options = SynthOptions {
        objects: args.objects,
        drift: args.drift_percent / 100.0,
        changes: args.changes,
        seed: args.seed,
        namespaces: args.namespaces,
    };
    for (night, mut objects) in synth::nights(&options, args.nights).into_iter().enumerate() {
        if let Some(percent) = args.custom_resources {
            custom::recast_share(&mut objects, percent);
            if !args.no_definitions {
                objects.push(custom::definition());
            }
        }
        if args.managed_fields {
            objects.iter_mut().for_each(synth::add_managed_fields);
        }
        let taken = night_taken(night);
        let path = if args.single_list {
            let path = dir.join(format!("list-{}.json", taken.stamp()));
            let list = json!({"apiVersion": "v1", "kind": "List", "items": objects});
            let text = serde_json::to_vec_pretty(&list).expect("a Value serialises");
            std::fs::write(&path, text).map_err(|e| Error::io(path.display().to_string(), e))?;
            path
        } else {
            let path = dir.join(format!("driftlab-{}.zip", taken.stamp()));
            write_archive(&path, objects, taken)?;
            path
        };
        println!("{}", path.display());
    }
    Ok(())
}

/// Night `n` is taken at 00:15 on day n+1 of January 2026.
fn night_taken(night: usize) -> Timestamp {
    let first = Timestamp::parse_stamp("202601010015")
        .expect("valid stamp")
        .to_unix();
    Timestamp::from_unix(first + night as i64 * 86_400)
}

/// Writes objects into a driftlab archive, grouped by namespace and resource.
fn write_archive(
    path: &Path,
    objects: Vec<Value>,
    taken: Timestamp,
) -> driftlab::error::Result<()> {
    let mut lists: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for object in objects {
        let kind = object["kind"].as_str().unwrap_or_default();
        let api_version = object["apiVersion"].as_str().unwrap_or("v1");
        let group = kinds::group_of(api_version, kind);
        let namespace = object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .filter(|_| !kinds::is_cluster_scoped(kind, &group));
        let entry = ArchiveWriter::list_path(namespace, &kinds::plural_of(kind, &group));
        lists.entry(entry).or_default().push(object);
    }
    let mut writer = ArchiveWriter::create(path, taken)?;
    writer.write_manifest(&Manifest {
        tool: "driftlab".into(),
        tool_version: Some(env!("CARGO_PKG_VERSION").into()),
        generator: Some("synthetic".into()),
        start_time: Some(taken.rfc3339()),
        end_time: Some(taken.rfc3339()),
        objects: lists.values().map(Vec::len).sum(),
        complete: true,
        ..Manifest::default()
    })?;
    for (entry, items) in lists {
        writer.write_list(&entry, items)?;
    }
    writer.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftlab::snapshot::SourceFormat;
    use driftlab::source::{self, ReadOptions};

    #[test]
    fn generated_archives_read_back_with_every_object() {
        let dir = tempfile::tempdir().unwrap();
        let objects = synth::nights(
            &SynthOptions {
                objects: 300,
                drift: 0.01,
                changes: None,
                seed: 1,
                namespaces: None,
            },
            2,
        );
        let path = dir.path().join("driftlab-202601010015.zip");
        write_archive(&path, objects[0].clone(), night_taken(0)).unwrap();
        let first = source::read(path.to_str().unwrap(), &ReadOptions::default()).unwrap();
        assert_eq!(first.len(), 300);
        assert_eq!(first.info.format, SourceFormat::DriftlabArchive);
        assert!(
            first
                .iter()
                .any(|(k, _)| k.kind == "DeploymentConfig" && k.group == "apps.openshift.io")
        );
        assert_ne!(objects[0], objects[1], "the second night drifted");
    }
}
