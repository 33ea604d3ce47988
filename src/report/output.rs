//! Writing a report to standard output: buffered, flushed once, and a reader that went away
//! (`driftlab diff … | head`) is the reader's choice, not an error.

use std::io::{self, BufWriter, Write};

use crate::error::{Error, Result};

/// Runs `write` on a buffered, locked standard output and flushes it. A closed pipe ends the
/// output quietly; any other write error is an error naming standard output.
pub fn to_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // ripgrep does the same: a closed pipe means the reader has seen enough.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("standard output", e)),
    }
}
