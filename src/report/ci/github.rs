//! `--output github`: GitHub Actions workflow commands, one per visible change.
//!
//! ```text
//! ::error file=deploy/web.yaml,line=22,title=driftlab: rollout-trigger in Deployment shop/web::spec.template.spec.containers[web].image: "web:1" → "web:2"
//! ```
//!
//! GitHub shows each as an annotation on the job and, for a file in the pull request, at its
//! line. Data is escaped as the runner requires (`%`, CR and LF; in properties `:` and `,` too),
//! so a value cannot end the command early or start another.

use std::io::{self, Write};

use super::{Context, items};
use crate::analyze::Analysis;
use crate::report::summary_counts;

/// Writes one workflow command per visible change, then a notice with the summary.
pub fn render(analysis: &Analysis, context: &Context, out: &mut dyn Write) -> io::Result<()> {
    for item in items(analysis) {
        let level = if item.is_error() { "error" } else { "warning" };
        let title = format!(
            "driftlab: {} in {}",
            item.category.describe(),
            item.object()
        );
        let mut properties = Vec::new();
        if let Some(place) = context.place(item.key, &item.path()) {
            properties.push(format!("file={}", property(&place.file)));
            properties.push(format!("line={}", place.line));
        }
        properties.push(format!("title={}", property(&title)));
        let message = if context.place(item.key, &item.path()).is_some() {
            item.message()
        } else {
            // No file to attach to: the message names the object itself.
            format!("{}: {}", item.object(), item.message())
        };
        writeln!(
            out,
            "::{level} {}::{}",
            properties.join(","),
            data(&message)
        )?;
    }
    writeln!(
        out,
        "::notice title=driftlab::{}",
        data(&summary_counts(analysis))
    )
}

/// A message, escaped as workflow commands require.
pub fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (`file=`, `title=`), escaped as workflow commands require.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_would_end_a_command() {
        assert_eq!(data("100%\r\n::error::x"), "100%25%0D%0A::error::x");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
