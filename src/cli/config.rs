//! Settles flags, environment and terminal into plain settings, once. Nothing below the command
//! layer looks at clap, the environment or whether output is a terminal.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::args::{
    AccessModeChoice, CheckArgs, ColorChoice, ConnectArgs, DiffArgs, ExportArgs, FilterArgs,
    FlavorChoice, HistoryArgs, HistoryOutput, InstallArgs, OutputFormat, RevertArgs, RevertOutput,
    RotateArgs, SecretsChoice, ServeArgs,
};
use super::service;
use crate::analyze::AnalyzeOptions;
use crate::analyze::ignored::RuleSource;
use crate::analyze::noise::{self, NoiseProfile};
use crate::archive::rotate::Retention;
use crate::cluster::{ClusterOptions, ClusterScoped, names};
use crate::commands::check::CheckCommand;
use crate::commands::diff::{BaselineRun, DiffCommand};
use crate::commands::export::{Destination, ExportCommand, SecretsMode};
use crate::commands::history::HistoryCommand;
use crate::commands::install::InstallCommand;
use crate::commands::progress::ProgressMode;
use crate::commands::revert::RevertCommand;
use crate::commands::rotate::RotateCommand;
use crate::commands::serve::ServeCommand;
use crate::diff::{DiffOptions, PathPattern, ValueOptions};
use crate::error::{Error, Result};
use crate::history::{HistoryOptions, ObjectSelector};
use crate::install::{
    AccessMode, Flavor, InstallOptions, MetricsSink, Scope, SecretHandling, Storage,
};

use crate::report::history::HistoryFormat;
use crate::report::{Format, RenderOptions};
use crate::revert::RevertOptions;
use crate::revert::output::{RevertFormat, ScriptOptions};
use crate::secret::SecretKey;
use crate::serve::{Limits, ServeOptions};
use crate::snapshot::ObjectFilter;
use crate::source::ReadOptions;
use crate::storage::Location;
use crate::timestamp::Timestamp;

/// Whether to colour: `auto` colours a terminal unless `NO_COLOR` is set (to anything but the
/// empty string, as no-color.org says) or `TERM` is `dumb`.
pub fn use_color(
    choice: ColorChoice,
    is_terminal: bool,
    no_color: Option<OsString>,
    term: Option<OsString>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
        }
    }
}

/// What `-n`, `--kind`, `--name` and `--max-bytes` ask of the readers.
fn read_options(filter: FilterArgs) -> Result<ReadOptions> {
    for namespace in filter.namespaces.iter().chain(&filter.default_namespace) {
        if !names::is_dns1123_label(namespace) {
            return Err(Error::Usage(format!(
                "{namespace:?} is not a namespace name (lower-case letters, digits and -)"
            )));
        }
    }
    for pattern in &filter.names {
        check_name_glob(pattern)?;
    }
    // kubectl's rule: objects that name no namespace go where -n puts them.
    let default_namespace =
        filter
            .default_namespace
            .or_else(|| match filter.namespaces.as_slice() {
                [single] => Some(single.clone()),
                _ => None,
            });
    Ok(ReadOptions {
        max_bytes: filter.max_bytes,
        default_namespace,
        filter: ObjectFilter {
            namespaces: filter.namespaces,
            kinds: filter.kinds,
            names: filter.names,
        },
        keep_as_served: false,
        texts: None,
    })
}

/// A `--name` glob: `*` and `?` are wildcards; characters no object name holds (`[`, `]`, `{`,
/// `}`, `/`, `\`, spaces) mean the pattern was written for another glob syntax and would
/// silently match nothing.
fn check_name_glob(pattern: &str) -> Result<()> {
    match pattern
        .chars()
        .find(|c| matches!(c, '[' | ']' | '{' | '}' | '/' | '\\') || c.is_whitespace())
    {
        Some(c) => Err(Error::Usage(format!(
            "--name {pattern:?}: {c:?} cannot be in an object name (globs take * and ?)"
        ))),
        None if pattern.is_empty() => Err(Error::Usage("--name: empty pattern".into())),
        None => Ok(()),
    }
}

/// [`use_color`] with the process's environment.
fn settle_color(choice: ColorChoice, is_terminal: bool) -> bool {
    use_color(
        choice,
        is_terminal,
        std::env::var_os("NO_COLOR"),
        std::env::var_os("TERM"),
    )
}

/// The settings of `driftlab diff`.
pub fn diff_command(args: DiffArgs, stdout_is_terminal: bool) -> Result<DiffCommand> {
    if args.old == "-" && args.new == "-" {
        return Err(Error::Usage(
            "only one of OLD and NEW can be - (standard input)".into(),
        ));
    }
    let ignore = args
        .ignore
        .iter()
        .map(|text| PathPattern::parse(text).map_err(|e| Error::Usage(format!("--ignore: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    let format = if args.stat {
        Format::Stat
    } else if args.name_only {
        Format::NameOnly
    } else {
        match args.output {
            OutputFormat::Text => Format::Text,
            OutputFormat::Json => Format::Json,
            OutputFormat::Patch => Format::Patch,
            OutputFormat::Markdown => Format::Markdown,
            OutputFormat::Github => Format::Github,
            OutputFormat::Sarif => Format::Sarif,
            OutputFormat::Junit => Format::Junit,
        }
    };
    let (user_rules, implicit_ignore_file) =
        user_noise_rules(&args.ignore_files, !args.no_ignore_file)?;
    let color = settle_color(args.color, stdout_is_terminal);
    let secret_key = secret_key(args.secret_key_file.as_deref())?;
    let baseline =
        super::baseline::settings(&args.baselines, args.update_baseline, args.strict_baseline)?;
    Ok(DiffCommand {
        old: args.old,
        new: args.new,
        read: read_options(args.filter)?,
        diff: DiffOptions {
            values: ValueOptions {
                show_secrets: args.show_secrets,
                secret_key,
                max_list_changes: args.max_list_changes,
            },
            ignore,
            schemas: Default::default(),
        },
        format,
        render: RenderOptions {
            color,
            show_secrets: args.show_secrets,
            top: args.top,
            explain: args.explain,
        },
        analyze: AnalyzeOptions {
            noise: NoiseProfile::new(!args.no_default_noise, user_rules),
            show_all: args.all,
            desired: args.desired,
            baseline: baseline.accepted.clone(),
        },
        baseline,
        exit_zero: args.exit_zero,
        quiet: args.quiet,
        implicit_ignore_file,
        cluster: cluster_options(&args.connect),
        allow_partial: args.allow_partial,
        allow_empty: args.allow_empty,
        namespace_map: namespace_map(&args.map_namespaces)?,
        crds: args.crds,
    })
}

/// The settings of `driftlab revert`: both sides read and compared as `diff` reads and compares
/// them (so culprits are numbered alike), then what to select and how to write the plan.
pub fn revert_command(args: RevertArgs) -> Result<RevertCommand> {
    if args.good == "-" && args.current == "-" {
        return Err(Error::Usage(
            "only one of GOOD and CURRENT can be - (standard input)".into(),
        ));
    }
    if args.culprit == Some(0) {
        return Err(Error::Usage(
            "--culprit: culprits are numbered from 1".into(),
        ));
    }
    let object = args
        .object
        .as_deref()
        .map(ObjectSelector::parse)
        .transpose()?;
    let path = args
        .path
        .as_deref()
        .map(|text| PathPattern::parse(text).map_err(|e| Error::Usage(format!("--path: {e}"))))
        .transpose()?;
    let (user_rules, implicit_ignore_file) =
        user_noise_rules(&args.ignore_files, !args.no_ignore_file)?;
    let secret_key = secret_key(args.secret_key_file.as_deref())?;
    let compare = DiffCommand {
        old: args.good,
        new: args.current,
        read: read_options(args.filter)?,
        diff: DiffOptions {
            values: ValueOptions {
                show_secrets: args.show_secrets,
                secret_key,
                // As diff's default, so culprits are numbered alike; a list beyond it is
                // reverted whole.
                max_list_changes: crate::diff::value::DEFAULT_MAX_LIST_CHANGES,
            },
            ignore: Vec::new(),
            schemas: Default::default(),
        },
        format: Format::Json,
        render: RenderOptions::default(),
        analyze: AnalyzeOptions {
            noise: NoiseProfile::new(true, user_rules),
            show_all: false,
            desired: false,
            baseline: None,
        },
        baseline: BaselineRun::default(),
        exit_zero: true,
        quiet: args.quiet,
        implicit_ignore_file,
        cluster: cluster_options(&args.connect),
        allow_partial: args.allow_partial,
        allow_empty: false,
        namespace_map: Vec::new(),
        crds: args.crds,
    };
    // The cluster CURRENT was read from: `live:prod` is made for context prod.
    let context = crate::cluster::live::parse_argument(&compare.new)
        .flatten()
        .or(args.connect.context);
    Ok(RevertCommand {
        compare,
        object,
        object_text: args.object,
        path,
        culprit: args.culprit,
        format: match args.output {
            RevertOutput::Script => RevertFormat::Script,
            RevertOutput::Json => RevertFormat::Json,
            RevertOutput::Yaml => RevertFormat::Yaml,
        },
        script: ScriptOptions {
            context,
            dry_run: args.dry_run,
        },
        options: RevertOptions {
            show_secrets: args.show_secrets,
            delete_added: args.delete_added,
        },
    })
}

/// `--map-namespace OLD=NEW` pairs, each namespace named at most once on each side.
fn namespace_map(pairs: &[String]) -> Result<Vec<(String, String)>> {
    let mut map: Vec<(String, String)> = Vec::new();
    for pair in pairs {
        let Some((old, new)) = pair.split_once('=') else {
            return Err(Error::Usage(format!(
                "--map-namespace {pair:?}: expected OLD=NEW, e.g. shop-staging=shop-prod"
            )));
        };
        for namespace in [old, new] {
            if !names::is_dns1123_label(namespace) {
                return Err(Error::Usage(format!(
                    "--map-namespace {pair:?}: {namespace:?} is not a namespace name"
                )));
            }
        }
        if map.iter().any(|(o, n)| o == old || n == new) {
            return Err(Error::Usage(format!(
                "--map-namespace {pair:?}: {old} or {new} is mapped twice"
            )));
        }
        map.push((old.to_string(), new.to_string()));
    }
    Ok(map)
}

/// The user's noise rules: `.driftlabignore` in the current directory when present and
/// `implicit` (its rules marked as read without being named, unless a flag names it too), then
/// each `--ignore-file`; and the path of `.driftlabignore` when it was read that way, for the
/// note that says so.
fn user_noise_rules(
    named: &[PathBuf],
    implicit: bool,
) -> Result<(Vec<noise::UserRule>, Option<PathBuf>)> {
    let implicit_file = Path::new(IMPLICIT_FILE);
    let mut files: Vec<(&Path, RuleSource)> = named
        .iter()
        .map(|file| (file.as_path(), RuleSource::IgnoreFile))
        .collect();
    let read_implicit = implicit
        && implicit_file.is_file()
        && !named.iter().any(|file| same_file(file, implicit_file));
    if read_implicit {
        files.insert(0, (implicit_file, RuleSource::Implicit));
    }
    let mut rules = Vec::new();
    for (file, source) in files {
        let display = file.display().to_string();
        let text = std::fs::read_to_string(file).map_err(|e| Error::io(&display, e))?;
        let mut parsed = noise::parse_ignore_file(&text, &display)?;
        for rule in &mut parsed {
            rule.source = source;
        }
        rules.extend(parsed);
    }
    // The full path: the note must say which directory's file it was.
    let announced = read_implicit.then(|| {
        implicit_file
            .canonicalize()
            .unwrap_or_else(|_| implicit_file.to_path_buf())
    });
    Ok((rules, announced))
}

/// The ignore file read from the current directory without being named.
const IMPLICIT_FILE: &str = ".driftlabignore";

/// Whether two paths name one file (`./.driftlabignore` and `.driftlabignore`).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The settings of `driftlab history`.
pub fn history_command(args: HistoryArgs, stdout_is_terminal: bool) -> Result<HistoryCommand> {
    let since = args
        .since
        .as_deref()
        .map(|text| {
            Timestamp::parse_user(text).ok_or_else(|| {
                Error::Usage(format!("--since {text:?}: not a date (try 2018-09-10)"))
            })
        })
        .transpose()?;
    let object = args
        .object
        .as_deref()
        .map(ObjectSelector::parse)
        .transpose()?;
    let asked = (args.object.clone(), args.path.clone());
    let path = args
        .path
        .as_deref()
        .map(|text| PathPattern::parse(text).map_err(|e| Error::Usage(format!("--path: {e}"))))
        .transpose()?;
    let color = settle_color(args.color, stdout_is_terminal);
    let (user_rules, implicit_ignore_file) =
        user_noise_rules(&args.ignore_files, !args.no_ignore_file)?;
    let format = match args.output {
        HistoryOutput::Text => HistoryFormat::Text,
        HistoryOutput::Json => HistoryFormat::Json,
        HistoryOutput::Markdown => HistoryFormat::Markdown,
        HistoryOutput::Html => HistoryFormat::Html,
        HistoryOutput::Github => HistoryFormat::Github,
        HistoryOutput::Junit => HistoryFormat::Junit,
    };
    Ok(HistoryCommand {
        archives: args.archives,
        format,
        render: RenderOptions {
            color: color && format == HistoryFormat::Text,
            show_secrets: false,
            top: args.top,
            explain: false,
        },
        quiet: args.quiet,
        implicit_ignore_file,
        options: HistoryOptions {
            keep_compared: matches!(args.output, HistoryOutput::Junit),
            asked,
            object,
            path,
            since,
            read: read_options(args.filter)?,
            diff: DiffOptions {
                values: ValueOptions {
                    secret_key: secret_key(args.secret_key_file.as_deref())?,
                    ..ValueOptions::default()
                },
                ..DiffOptions::default()
            },
            analyze: AnalyzeOptions {
                noise: NoiseProfile::new(!args.no_default_noise, user_rules),
                show_all: false,
                desired: false,
                baseline: None,
            },
            crds: args.crds,
        },
    })
}

fn cluster_options(connect: &ConnectArgs) -> ClusterOptions {
    ClusterOptions {
        kubeconfig: connect.kubeconfig.clone(),
        context: connect.context.clone(),
        ..ClusterOptions::default()
    }
}

/// The key of `--secret-key-file`, read once.
fn secret_key(path: Option<&std::path::Path>) -> Result<Option<Arc<SecretKey>>> {
    path.map(|path| SecretKey::from_file(path).map(Arc::new))
        .transpose()
}

/// The settings of `driftlab export`.
pub fn export_command(args: ExportArgs, stderr_is_terminal: bool) -> Result<ExportCommand> {
    if args.prefix.is_empty() || args.prefix.contains(['/', '\\']) {
        return Err(Error::Usage(format!(
            "--prefix {:?}: must be a non-empty file name prefix",
            args.prefix
        )));
    }
    if let Some(bad) = args
        .namespaces
        .iter()
        .find(|ns| !names::is_dns1123_label(ns))
    {
        return Err(Error::Usage(format!(
            "-n {bad:?}: not a valid namespace name (lower-case letters, digits and -)"
        )));
    }
    let mut cluster = cluster_options(&args.connect);
    cluster.cluster_scoped = if args.no_cluster_scoped {
        ClusterScoped::None
    } else if args.namespaces.is_empty() || args.cluster_scoped {
        ClusterScoped::All
    } else {
        ClusterScoped::Referenced
    };
    let cluster_for_labels = args.namespaces.clone();
    cluster.namespaces = args.namespaces;
    cluster.require_namespaces = true;
    cluster.selector = args.selector;
    cluster.include_kinds = args.include_kinds;
    cluster.exclude_kinds = args.exclude_kinds;
    cluster.concurrency = usize::from(args.concurrency);
    cluster.list_per_namespace = args.list_per_namespace;
    cluster.max_bytes = args.max_bytes;
    cluster.keep.managed_fields = !args.drop_managed_fields;
    let secret_key = secret_key(args.secret_key_file.as_deref())?;
    // A key that cannot be used ends the run here, before the cluster is read.
    let sign_key = super::keys::signing_key(&args.protect)?;
    let encrypt_to = super::keys::recipients(&args.protect)?;
    if let (Some(_), Some(output)) = (&encrypt_to, &args.output)
        && !output.to_string_lossy().ends_with(".zip.age")
    {
        return Err(Error::Usage(format!(
            "-o {}: an encrypted archive is named ….zip.age (--encrypt-to)",
            output.display()
        )));
    }
    Ok(ExportCommand {
        cluster,
        secrets: match args.secrets {
            SecretsChoice::Hash => SecretsMode::Hash,
            SecretsChoice::Include => SecretsMode::Include,
            SecretsChoice::Skip => SecretsMode::Skip,
        },
        secret_key,
        destination: match args.output {
            Some(file) => Destination::Exactly(Location::parse("-o", file)?),
            None => Destination::Folder(Location::parse("--output-dir", args.output_dir)?),
        },
        prefix: args.prefix,
        retention: Retention {
            days: args.retain_days,
            count: args.retain_count,
            keep: service::keep(&args.keep),
        },
        prune_broken: args.prune_broken,
        metrics: service::metrics_options(&args.metrics, &cluster_for_labels)?,
        progress: if args.quiet {
            ProgressMode::Quiet
        } else if stderr_is_terminal && !args.verbose {
            ProgressMode::Bar
        } else {
            ProgressMode::Lines
        },
        verbose: args.verbose,
        sign_key,
        encrypt_to,
    })
}

/// The settings of `driftlab serve`.
pub fn serve_command(args: ServeArgs) -> Result<ServeCommand> {
    Ok(ServeCommand {
        snapshot: args.snapshot,
        serve: ServeOptions {
            listen: args.listen,
            allow_remote: args.allow_remote,
            limits: serve_limits_from_env()?,
        },
        read: ReadOptions {
            max_bytes: args.max_bytes,
            keep_as_served: true,
            ..ReadOptions::default()
        },
        show_secrets: args.show_secrets,
    })
}

/// The limits of `driftlab serve`, with the defaults changed by environment variables (not
/// flags: they are for tests and unusual setups, and the defaults suit kubectl):
/// `DRIFTLAB_SERVE_HEADER_TIMEOUT_MS`, `DRIFTLAB_SERVE_WRITE_TIMEOUT_MS`,
/// `DRIFTLAB_SERVE_MAX_CONNECTIONS`.
fn serve_limits_from_env() -> Result<Limits> {
    let mut limits = Limits::default();
    if let Some(ms) = positive_env("DRIFTLAB_SERVE_HEADER_TIMEOUT_MS")? {
        limits.header_timeout = Duration::from_millis(ms);
    }
    if let Some(ms) = positive_env("DRIFTLAB_SERVE_WRITE_TIMEOUT_MS")? {
        limits.write_timeout = Duration::from_millis(ms);
    }
    if let Some(count) = positive_env("DRIFTLAB_SERVE_MAX_CONNECTIONS")? {
        limits.max_connections = Some(usize::try_from(count).unwrap_or(usize::MAX));
    }
    Ok(limits)
}

/// A positive whole number from the environment variable `name`, if it is set.
pub(crate) fn positive_env(name: &str) -> Result<Option<u64>> {
    let Some(value) = std::env::var_os(name) else {
        return Ok(None);
    };
    match value.to_str().and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(number) if number > 0 => Ok(Some(number)),
        _ => Err(Error::Usage(format!(
            "{name} must be a positive whole number, not {value:?}"
        ))),
    }
}

/// The settings of `driftlab check`.
pub fn check_command(args: CheckArgs) -> CheckCommand {
    CheckCommand {
        snapshots: args.snapshots,
        read: ReadOptions {
            max_bytes: args.max_bytes,
            ..ReadOptions::default()
        },
        verify: args.verify,
    }
}

/// The settings of `driftlab rotate`.
pub fn rotate_command(args: RotateArgs) -> Result<RotateCommand> {
    Ok(RotateCommand {
        folder: Location::parse("DIR", args.dir)?,
        prefix: args.prefix,
        retention: Retention {
            days: args.retain_days,
            count: args.retain_count,
            keep: service::keep(&args.keep),
        },
        prune_broken: args.prune_broken,
        dry_run: args.dry_run,
    })
}

/// The settings of `driftlab install`, checked.
pub fn install_command(args: InstallArgs) -> Result<InstallCommand> {
    let mut targets: Vec<String> = Vec::new();
    for namespace in args.target_namespaces {
        if !targets.contains(&namespace) {
            targets.push(namespace);
        }
    }
    let mut options = InstallOptions {
        namespace: args.namespace,
        name: args.name,
        schedule: args.schedule,
        time_zone: args.time_zone,
        retain_days: args.retain_days,
        image: args.image,
        secrets: match args.secrets {
            SecretsChoice::Hash => SecretHandling::Hash,
            SecretsChoice::Include => SecretHandling::Include,
            SecretsChoice::Skip => SecretHandling::Skip,
        },
        secret_key_secret: args.secret_key_secret,
        flavor: match args.flavor {
            FlavorChoice::Kubernetes => Flavor::Kubernetes,
            FlavorChoice::Openshift => Flavor::OpenShift,
        },
        scope: if targets.is_empty() {
            Scope::Cluster
        } else {
            Scope::Namespaces(targets)
        },
        storage: match args.bucket {
            Some(url) => Storage::Bucket {
                url,
                credentials_secret: args.bucket_credentials_secret,
            },
            None => Storage::Volume {
                capacity: args.capacity,
                storage_class: args.storage_class,
                access_mode: match args.access_mode {
                    AccessModeChoice::ReadWriteOnce => AccessMode::ReadWriteOnce,
                    AccessModeChoice::ReadWriteMany => AccessMode::ReadWriteMany,
                },
            },
        },
        metrics: MetricsSink::None,
        alerts: None,
    };
    options.metrics = service::install_metrics(args.metrics.as_deref())?;
    if args.alerts {
        options.alerts = Some(service::install_alerts(
            &args.alert_stale_after,
            args.alert_min_archives.unwrap_or(options.retain_days),
        )?);
    }
    options.validate()?;
    Ok(InstallCommand {
        options,
        output_dir: args.output_dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_decision() {
        let set = |s: &str| Some(OsString::from(s));
        assert!(use_color(ColorChoice::Auto, true, None, set("xterm")));
        assert!(!use_color(ColorChoice::Auto, false, None, None));
        assert!(!use_color(ColorChoice::Auto, true, set("1"), None));
        assert!(use_color(ColorChoice::Auto, true, set(""), None));
        assert!(!use_color(ColorChoice::Auto, true, None, set("dumb")));
        assert!(use_color(ColorChoice::Always, false, set("1"), None));
        assert!(!use_color(ColorChoice::Never, true, None, None));
    }
}
