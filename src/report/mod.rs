//! Renderers: an [`Analysis`] (or, for JSON Patch, a [`DiffReport`]) in, bytes out. Each format
//! lives in its own module and none of them reads a snapshot or computes a difference.

mod brief;
pub mod ci;
pub mod history;
mod json;
pub(crate) mod markdown;
pub mod output;
mod patch;
pub mod present;
mod text;
pub mod theme;
pub mod values;
pub mod words;

use std::io::{self, Write};

use crate::analyze::Analysis;
use crate::diff::DiffReport;
use crate::snapshot::SourceInfo;
use words::{is_are, plural};

pub use json::analysis_value;
pub use text::write_change;

/// The output formats of `driftlab diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Likely culprits, then the changes grouped by namespace, for people (the default).
    Text,
    /// The documented JSON report.
    Json,
    /// RFC 6902 JSON Patch per object.
    Patch,
    /// Markdown for a pull-request comment or a CI step summary.
    Markdown,
    /// One line per object with its number of changes.
    Stat,
    /// One line per object.
    NameOnly,
    /// GitHub Actions workflow commands.
    Github,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
}

/// How to render.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    /// Use colour (text formats only).
    pub color: bool,
    /// Secret values were revealed (`--show-secrets`); otherwise they are fingerprints.
    pub show_secrets: bool,
    /// How many likely culprits to list.
    pub top: usize,
    /// List every hidden change with the rule that hid it (`--explain`).
    pub explain: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            show_secrets: false,
            top: 10,
            explain: false,
        }
    }
}

/// The formats that read the analysis (noise, pairing, ranking): every [`Format`] but JSON
/// Patch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnalysisFormat {
    /// [`Format::Text`].
    Text,
    /// [`Format::Json`].
    Json,
    /// [`Format::Markdown`].
    Markdown,
    /// [`Format::Stat`].
    Stat,
    /// [`Format::NameOnly`].
    NameOnly,
    /// [`Format::Github`].
    Github,
    /// [`Format::Sarif`].
    Sarif,
    /// [`Format::Junit`].
    Junit,
}

impl Format {
    /// The format as one that reads the analysis; `None` for JSON Patch, which is by identity
    /// and reads the plain diff.
    pub fn of_analysis(self) -> Option<AnalysisFormat> {
        match self {
            Format::Text => Some(AnalysisFormat::Text),
            Format::Json => Some(AnalysisFormat::Json),
            Format::Markdown => Some(AnalysisFormat::Markdown),
            Format::Stat => Some(AnalysisFormat::Stat),
            Format::NameOnly => Some(AnalysisFormat::NameOnly),
            Format::Github => Some(AnalysisFormat::Github),
            Format::Sarif => Some(AnalysisFormat::Sarif),
            Format::Junit => Some(AnalysisFormat::Junit),
            Format::Patch => None,
        }
    }
}

/// What a diff is rendered from, and how.
#[derive(Debug)]
pub enum Findings {
    /// The analysis, for every format but JSON Patch.
    Analysis(Box<Analysis>, AnalysisFormat),
    /// The plain diff, by identity: JSON Patch.
    Identity(Box<DiffReport>),
}

impl Findings {
    /// What `format` renders `report` from: the analysis `analyze` makes of it, or (JSON Patch)
    /// the plain diff, which is then not analysed at all.
    pub fn new(
        format: Format,
        report: DiffReport,
        analyze: impl FnOnce(DiffReport) -> Analysis,
    ) -> Findings {
        match format.of_analysis() {
            Some(format) => Findings::Analysis(Box::new(analyze(report)), format),
            None => Findings::Identity(Box::new(report)),
        }
    }

    /// Whether anything counts as a difference (noise and churn do not).
    pub fn has_differences(&self) -> bool {
        match self {
            Findings::Analysis(analysis, _) => analysis.has_drift(),
            Findings::Identity(report) => report.summary.has_differences(),
        }
    }
}

impl Format {
    /// Whether the format points at files and lines, or lists every compared object: the
    /// command then finds them ([`ci::Context`]).
    pub fn needs_context(self) -> bool {
        matches!(self, Format::Github | Format::Sarif | Format::Junit)
    }
}

/// Writes `findings` to `out`, in the format they were made for.
pub fn render(findings: &Findings, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    render_in(findings, options, &ci::Context::default(), out)
}

/// [`render`], with what the CI formats need besides the analysis.
pub fn render_in(
    findings: &Findings,
    options: &RenderOptions,
    context: &ci::Context,
    out: &mut dyn Write,
) -> io::Result<()> {
    match findings {
        Findings::Identity(report) => patch::render(report, out),
        Findings::Analysis(analysis, format) => match format {
            AnalysisFormat::Text => text::render(analysis, options, out),
            AnalysisFormat::Json => json::render(analysis, options, out),
            AnalysisFormat::Markdown => markdown::render(analysis, options, out),
            AnalysisFormat::Stat => brief::render_stat(analysis, options, out),
            AnalysisFormat::NameOnly => brief::render_names(analysis, options, out),
            AnalysisFormat::Github => ci::github::render(analysis, context, out),
            AnalysisFormat::Sarif => ci::sarif::render(analysis, context, out),
            AnalysisFormat::Junit => ci::junit::render(analysis, context, out),
        },
    }
}

/// `old.zip (2018-09-11 00:15)`.
pub fn describe_source(info: &SourceInfo) -> String {
    match info.taken {
        Some(taken) => format!("{} ({taken})", info.label),
        None => info.label.clone(),
    }
}

/// `shop-staging → shop-prod, qa → prod` when the old side's namespaces were mapped
/// (`--map-namespace`), else `None`.
pub fn namespace_map_line(analysis: &Analysis) -> Option<String> {
    let map = &analysis.old.namespace_map;
    (!map.is_empty()).then(|| {
        map.iter()
            .map(|(old, new)| format!("{old} → {new}"))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// `3 changed, 1 added, 0 removed, 41 unchanged · 2 replaced or generated · 23 noise changes
/// hidden (--all shows them, --explain says why)`.
pub fn summary_line(analysis: &Analysis) -> String {
    summary_with_hint(analysis, " (--all shows them, --explain says why)")
}

/// `Ignored by your rules: 10 by .driftlabignore#1, 2 by --ignore spec.replicas`: the user rules
/// that hid something, most first, when any did. The summary line says how many in all; this
/// says which rules, so that a rule nobody remembers writing is seen.
pub fn ignored_line(analysis: &Analysis) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = analysis
        .user_hidden
        .per_rule()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(rule, n)| (rule.name.as_str(), n))
        .collect();
    if counts.is_empty() {
        return None;
    }
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let each: Vec<String> = counts
        .iter()
        .map(|(rule, n)| format!("{n} by {rule}"))
        .collect();
    Some(format!("Ignored by your rules: {}", each.join(", ")))
}

/// `Your rules hide 1 security-sensitive change: --ignore spec.template (Deployment shop/web:
/// security-sensitive: grants spec.template.spec.hostPID: true)`: said on every run, since a rule
/// may hide what exit 0 would otherwise never let pass.
pub fn security_ignored_line(analysis: &Analysis) -> Option<String> {
    let hidden = &analysis.user_hidden;
    let first = hidden.security.first()?;
    let change = &hidden.changes[first.0];
    let count = hidden.security.len();
    let mut line = format!(
        "Your rules hide {}: {} hides {} of {} {}",
        plural(count, "security-sensitive change"),
        hidden.rules[change.rule].name,
        change.change.path.human(),
        change.key.kind,
        if change.key.namespace.is_empty() {
            change.key.name.clone()
        } else {
            format!("{}/{}", change.key.namespace, change.key.name)
        },
    );
    line.push_str(&format!(" ({})", first.1));
    if count > 1 {
        line.push_str(&format!(" and {} more (--explain lists them)", count - 1));
    }
    Some(line)
}

/// What the baseline did, one line each, loud ones first (`true`): the security-sensitive changes
/// it accepts (said on every run, as for a user rule), how many it accepted, its stale entries.
pub fn baseline_lines(analysis: &Analysis) -> Vec<(String, bool)> {
    let Some(outcome) = &analysis.baseline else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let security: Vec<_> = outcome.security().collect();
    if let Some(first) = security.first() {
        let mut line = format!(
            "Your baseline accepts {}: {}",
            plural(security.len(), "security-sensitive change"),
            first.describe(&outcome.entries),
        );
        if security.len() > 1 {
            line.push_str(&format!(
                " and {} more (--all lists them)",
                security.len() - 1
            ));
        }
        lines.push((line, true));
    }
    if !outcome.accepted.is_empty() {
        let hint = if analysis.show_all {
            ""
        } else {
            " (--all lists them)"
        };
        lines.push((
            format!(
                "Accepted by the baseline: {}{hint}",
                plural(outcome.accepted.len(), "change")
            ),
            false,
        ));
    }
    if !outcome.stale.is_empty() {
        let each: Vec<String> = outcome
            .stale
            .iter()
            .take(5)
            .map(|(i, why)| {
                let entry = &outcome.entries[*i];
                format!(
                    "{} {}: {}",
                    entry.rule_name(),
                    entry.describe(),
                    why.describe()
                )
            })
            .collect();
        let more = outcome.stale.len().saturating_sub(each.len());
        let more = if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        };
        lines.push((
            format!(
                "Stale baseline entries: {} ({}{more}); --update-baseline rewrites the file",
                outcome.stale.len(),
                each.join("; ")
            ),
            true,
        ));
    }
    lines
}

/// The summary without the hint about `driftlab diff`'s flags (for the history).
pub fn summary_counts(analysis: &Analysis) -> String {
    summary_with_hint(analysis, "")
}

fn summary_with_hint(analysis: &Analysis, hint: &str) -> String {
    let s = analysis.summary;
    let mut line = if analysis.desired {
        format!(
            "{} changed, {} missing in the cluster, {} unchanged",
            s.changed, s.removed, s.unchanged
        )
    } else {
        format!(
            "{} changed, {} added, {} removed, {} unchanged",
            s.changed, s.added, s.removed, s.unchanged
        )
    };
    if s.cluster_only > 0 {
        let all = if hint.is_empty() || analysis.show_all {
            ""
        } else {
            "; --all lists them"
        };
        line.push_str(&format!(
            " · {} in the cluster {} not in the manifests{all}",
            plural(s.cluster_only, "object"),
            is_are(s.cluster_only),
        ));
    }
    if s.cluster_set > 0 {
        line.push_str(&format!(
            " · {} set by the cluster, not in the manifests",
            plural(s.cluster_set, "field")
        ));
    }
    if s.churn > 0 {
        line.push_str(&format!(" · {} replaced or generated", s.churn));
    }
    if s.noise_hidden > 0 {
        line.push_str(&format!(
            " · {} hidden{hint}",
            plural(s.noise_hidden, "noise change")
        ));
    }
    if analysis.ignored_changes > 0 {
        line.push_str(&format!(
            " · {} ignored by your rules",
            plural(analysis.ignored_changes, "change")
        ));
    }
    if let Some(accepted) = s.accepted_changes.filter(|n| *n > 0) {
        line.push_str(&format!(" · {accepted} accepted by the baseline"));
    }
    line
}
