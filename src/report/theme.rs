//! The one place that knows about colour. Colour never carries meaning alone: every coloured
//! piece also has its marker (`~`, `+`, `-`, `↕`) or its words, so `--color never` loses nothing.

use owo_colors::OwoColorize;

/// What a piece of output is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Something added, or a new value.
    Added,
    /// Something removed, or an old value.
    Removed,
    /// The marker of a changed object or value.
    Changed,
    /// The marker of an order change.
    Moved,
    /// A namespace heading or the title of a section.
    Heading,
    /// An object's kind and name.
    Object,
    /// Context, hints and low-key lines.
    Dim,
}

/// Paints text by role, or leaves it plain.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// A theme that colours when `color` is true.
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    /// `text` painted for `role`.
    pub fn paint(&self, role: Role, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        match role {
            Role::Added => text.green().to_string(),
            Role::Removed => text.red().to_string(),
            Role::Changed => text.yellow().to_string(),
            Role::Moved => text.cyan().to_string(),
            Role::Heading => text.bold().underline().to_string(),
            Role::Object => text.bold().to_string(),
            Role::Dim => text.dimmed().to_string(),
        }
    }
}
