//! Paths in short, for a grid cell: whole when short, else the last few whole segments,
//! `…readinessProbe.httpGet.path`, cut from the structured [`Path`] rather than from its text.

use crate::diff::Path;

/// A path in short: its last segments, each as written in a path for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShortPath {
    /// Whether the beginning is left out (written `…` before the segments).
    pub cut: bool,
    /// The segments kept, each as written: `spec`, `containers`, `[web]`,
    /// `["app.yaml"]`. A single segment too long for the room is cut short, ending in `…`.
    /// Empty for the object itself.
    pub segments: Vec<String>,
}

impl ShortPath {
    /// `path` whole when it fits in `max.min(32)` characters; else at most `keep` whole segments
    /// from its end that fit in `max` characters with the `…` before them; else its last segment,
    /// cut to fit.
    pub fn of(path: &Path, max: usize, keep: usize) -> ShortPath {
        // Each segment as the path for people writes it (a document's step writes nothing).
        let segments: Vec<String> = path
            .0
            .iter()
            .map(|segment| Path(vec![segment.clone()]).human())
            .filter(|text| !text.is_empty())
            .collect();
        if chars(&joined(&segments)) <= max.min(32) {
            return ShortPath {
                cut: false,
                segments,
            };
        }
        // Where a tail may start: at any segment but the first, or at the first when it is
        // bracketed (`["key"]`).
        let starts: Vec<usize> = (0..segments.len())
            .filter(|&k| k > 0 || segments[k].starts_with('['))
            .collect();
        let mut best = None;
        for &start in starts.iter().rev().take(keep) {
            if chars(&joined(&segments[start..])) + 1 > max {
                break;
            }
            best = Some(start);
        }
        match best {
            Some(start) => ShortPath {
                cut: true,
                segments: segments[start..].to_vec(),
            },
            None => {
                let start = starts.last().copied().unwrap_or(0);
                let text = truncate(&joined(&segments[start..]), max.saturating_sub(1));
                ShortPath {
                    cut: true,
                    segments: vec![text],
                }
            }
        }
    }

    /// The path in short as text: `…readinessProbe.httpGet.path`.
    pub fn text(&self) -> String {
        let text = joined(&self.segments);
        if self.cut { format!("…{text}") } else { text }
    }
}

/// Segments joined as in a path for people: a dot before a field, nothing before a bracket.
pub fn joined(segments: &[String]) -> String {
    let mut out = String::new();
    for segment in segments {
        if !out.is_empty() && !segment.starts_with('[') {
            out.push('.');
        }
        out.push_str(segment);
    }
    out
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// Cuts `text` to `max` characters, the cut marked with `…`.
fn truncate(text: &str, max: usize) -> String {
    if chars(text) <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::path::{DocFormat, ItemLabel, Segment};

    fn field(name: &str) -> Segment {
        Segment::Field(name.into())
    }

    fn item(label: &str) -> Segment {
        Segment::Item {
            label: ItemLabel::Key(label.into()),
            old: Some(0),
            new: Some(0),
        }
    }

    fn probe() -> Path {
        Path(vec![
            field("spec"),
            field("template"),
            field("spec"),
            field("containers"),
            item("web"),
            field("readinessProbe"),
            field("httpGet"),
            field("path"),
        ])
    }

    #[test]
    fn short_paths_stay_whole() {
        let path = Path(vec![field("spec"), field("replicas")]);
        let short = ShortPath::of(&path, 40, 3);
        assert!(!short.cut);
        assert_eq!(short.segments, ["spec", "replicas"]);
        assert_eq!(short.text(), "spec.replicas");
        assert_eq!(ShortPath::of(&Path::default(), 40, 3).text(), "");
    }

    #[test]
    fn long_paths_keep_their_last_segments() {
        let short = ShortPath::of(&probe(), 40, 3);
        assert_eq!(short.text(), "…readinessProbe.httpGet.path");
        assert_eq!(short.segments, ["readinessProbe", "httpGet", "path"]);
        // Fewer when three do not fit.
        assert_eq!(ShortPath::of(&probe(), 20, 3).text(), "…httpGet.path");
        // Brackets are segments of their own, and never split.
        let path = Path(vec![
            field("metadata"),
            field("annotations"),
            field("deployment.kubernetes.io/revision"),
        ]);
        assert_eq!(
            ShortPath::of(&path, 40, 3).text(),
            r#"…["deployment.kubernetes.io/revision"]"#
        );
    }

    #[test]
    fn a_last_segment_too_long_is_cut() {
        let path = Path(vec![
            field("metadata"),
            field("annotations"),
            field("kubectl.kubernetes.io/last-applied-configuration"),
        ]);
        let short = ShortPath::of(&path, 40, 3);
        assert!(short.cut);
        assert_eq!(short.segments.len(), 1);
        assert_eq!(short.text().chars().count(), 40);
        assert_eq!(short.text(), "…[\"kubectl.kubernetes.io/last-applied-c…");
    }

    #[test]
    fn documents_continue_the_path_and_quotes_do_not_confuse_it() {
        let path = Path(vec![
            field("data"),
            field("app.yaml"),
            Segment::Document(DocFormat::Yaml),
            field("server"),
            field("timeouts"),
            field("readTimeoutSeconds"),
        ]);
        assert_eq!(
            ShortPath::of(&path, 40, 3).text(),
            "…server.timeouts.readTimeoutSeconds"
        );
        // A quote inside a key is escaped in the path, and the segments after it still count.
        let path = Path(vec![
            field("data"),
            field("say \"hi\". now"),
            field("and"),
            field("then"),
            field("more"),
            field("fields"),
        ]);
        assert_eq!(ShortPath::of(&path, 40, 3).text(), "…then.more.fields");
    }
}
