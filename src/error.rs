//! Errors that reach the user, and the exit status they map to.
//!
//! Every error names the file (or the argument) it is about and the problem, on one line: a person
//! reading it at 2 a.m. must not need a backtrace to know what to fix.

use std::fmt;
use std::io;

/// The exit statuses of driftlab, as diff(1) uses them plus one for partial exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// The comparison found no difference, or the command succeeded.
    Clean = 0,
    /// The comparison found differences.
    Differences = 1,
    /// Trouble: bad input, bad arguments, an unreachable cluster. Nothing was written.
    Trouble = 2,
    /// An export finished but some resource types failed; the archive is marked partial.
    Partial = 3,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status as u8)
    }
}

/// A user-facing error: what went wrong, and where.
#[derive(Debug)]
pub enum Error {
    /// A file, an archive entry or another input could not be used.
    Input {
        /// The file, or `archive: entry`, that the problem is in.
        file: String,
        /// What is wrong with it, in words a user can act on.
        problem: String,
    },
    /// An operating-system error while reading or writing `path`.
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
    /// Arguments that do not make sense together, or a value that cannot be used.
    Usage(String),
    /// A cluster could not be reached or refused us (used by the live side and export).
    Cluster(String),
    /// The process could not set itself up (the async runtime would not start).
    Runtime(String),
    /// A signal ended the command before it was done (its name); nothing half-done was kept.
    Interrupted(&'static str),
}

impl Error {
    /// A problem with the contents of `file`.
    pub fn input(file: impl Into<String>, problem: impl Into<String>) -> Error {
        Error::Input {
            file: file.into(),
            problem: problem.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input { file, problem } => write!(f, "{file}: {problem}"),
            Error::Io { path, source } => write!(f, "{path}: {}", describe_io(source)),
            Error::Usage(message) | Error::Cluster(message) | Error::Runtime(message) => {
                f.write_str(message)
            }
            Error::Interrupted(signal) => write!(f, "interrupted by {signal}; stopped"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The io::Error text without the "(os error N)" suffix, starting in lower case.
fn describe_io(err: &io::Error) -> String {
    let text = match err.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_string(),
                None => text,
            }
        }
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

/// Results whose error is a user-facing [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_read_as_one_lower_case_line() {
        let err = Error::io("old.zip", io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(err.to_string(), "old.zip: no such file or directory");
    }

    #[test]
    fn input_errors_name_the_file_first() {
        let err = Error::input("old.zip: myproject/dcs.json", "invalid JSON at byte 12");
        assert_eq!(
            err.to_string(),
            "old.zip: myproject/dcs.json: invalid JSON at byte 12"
        );
    }
}
