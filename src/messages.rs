//! What driftlab says on stderr about its work: errors, warnings and notes, one line each, in
//! one format (`driftlab: warning: …`), and export's progress lines as they are; all with
//! control characters made harmless so that a hostile file name cannot move the cursor or
//! spread over several lines. Nothing else in driftlab writes to stderr itself (a progress bar
//! draws its own lines).

use crate::error::Error;
use crate::snapshot::{Diagnostic, Level};

/// Prints an error.
pub fn error(err: &Error) {
    eprintln!("driftlab: error: {}", one_line(&err.to_string()));
}

/// Prints a warning.
pub fn warning(message: &str) {
    eprintln!("driftlab: warning: {}", one_line(message));
}

/// Prints a note.
pub fn note(message: &str) {
    eprintln!("driftlab: note: {}", one_line(message));
}

/// Prints a line of progress as it is, without a prefix (`created /backups`, the original
/// tool's `Exporting 'pods' resources to p/pods.json`): the caller decides whether `--quiet`
/// silences it.
pub fn progress(line: &str) {
    eprintln!("{}", one_line(line));
}

/// Prints what reading a source had to say, unless `quiet`.
pub fn diagnostics<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>, quiet: bool) {
    if quiet {
        return;
    }
    for diagnostic in diagnostics {
        match diagnostic.level {
            Level::Warning => warning(&diagnostic.message),
            Level::Note => note(&diagnostic.message),
        }
    }
}

/// The text with every control character (newlines, escapes) replaced by a space.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_cannot_spread_a_message() {
        assert_eq!(super::one_line("a\nb\x1b[2Jc"), "a b [2Jc");
    }
}
