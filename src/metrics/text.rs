//! The Prometheus text exposition format (version 0.0.4), as node-exporter's textfile collector
//! and the Pushgateway read it: `# HELP` and `# TYPE` once per metric, then one sample a line.
//! Label values escape `\`, `"` and line feeds; HELP texts escape `\` and line feeds.

use std::fmt::Write as _;

/// A metrics text being written: gauges only (every metric of an export is a level, not a
/// count that grows).
#[derive(Debug, Default)]
pub struct Text {
    out: String,
    /// Labels on every sample, already written as `name="value"`.
    constant: Vec<String>,
}

impl Text {
    /// An empty text whose samples all carry `labels`.
    pub fn new(labels: &[(String, String)]) -> Text {
        Text {
            out: String::new(),
            constant: labels.iter().map(|(k, v)| pair(k, v)).collect(),
        }
    }

    /// A gauge with one sample.
    pub fn gauge(&mut self, name: &str, help: &str, value: f64) {
        self.family(name, help, "", &[("", value)]);
    }

    /// A gauge with one sample per `(label value, value)`, the label named `key`.
    pub fn family(&mut self, name: &str, help: &str, key: &str, samples: &[(&str, f64)]) {
        let help = help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} gauge");
        for (label, value) in samples {
            let mut labels = self.constant.clone();
            if !key.is_empty() {
                labels.push(pair(key, label));
            }
            let labels = if labels.is_empty() {
                String::new()
            } else {
                format!("{{{}}}", labels.join(","))
            };
            let _ = writeln!(self.out, "{name}{labels} {}", number(*value));
        }
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.out
    }
}

/// `name="value"`, the value escaped.
fn pair(name: &str, value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    format!("{name}=\"{escaped}\"")
}

/// A sample value: whole numbers without a fraction (timestamps, counts), `NaN` and infinities
/// as the format spells them.
fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_and_help_are_escaped() {
        let mut text = Text::new(&[("cluster".into(), "a\\b \"c\"\nd".into())]);
        text.family(
            "m",
            "line\\one\ntwo",
            "state",
            &[("good", 3.0), ("x\"", 0.5)],
        );
        assert_eq!(
            text.finish(),
            "# HELP m line\\\\one\\ntwo\n# TYPE m gauge\n\
             m{cluster=\"a\\\\b \\\"c\\\"\\nd\",state=\"good\"} 3\n\
             m{cluster=\"a\\\\b \\\"c\\\"\\nd\",state=\"x\\\"\"} 0.5\n"
        );
    }

    #[test]
    fn numbers_are_written_as_the_format_spells_them() {
        assert_eq!(number(1_796_000_000.0), "1796000000");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(f64::INFINITY), "+Inf");
        assert_eq!(number(-0.0), "0");
    }
}
