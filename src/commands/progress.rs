//! What `driftlab export` tells the person watching: a progress bar on a terminal, the original
//! tool's plain log lines otherwise, nothing with `--quiet` (failures excepted).

use indicatif::{ProgressBar, ProgressStyle};

use crate::messages;

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressMode {
    /// A progress bar on stderr (stderr is a terminal).
    Bar,
    /// One log line per list on stderr.
    Lines,
    /// Only failures.
    Quiet,
}

/// Progress of an export.
pub struct Progress {
    mode: ProgressMode,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Progress over `total` lists.
    pub fn new(mode: ProgressMode, total: usize) -> Progress {
        let bar = (mode == ProgressMode::Bar).then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} lists  {msg}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        Progress { mode, bar }
    }

    /// A line the original tool would print (`Exporting 'pods' resources to p/pods.json`).
    pub fn log(&self, line: &str) {
        if self.mode == ProgressMode::Lines {
            messages::progress(line);
        }
    }

    /// A warning everyone but `--quiet` sees.
    pub fn warn(&self, line: &str) {
        match (&self.bar, self.mode) {
            (Some(bar), _) => bar.println(line),
            (None, ProgressMode::Lines) => messages::progress(line),
            _ => {}
        }
    }

    /// A failure: shown even with `--quiet`.
    pub fn fail(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => messages::progress(line),
        }
    }

    /// One list done.
    pub fn advance(&self, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(what.to_string());
            bar.inc(1);
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
