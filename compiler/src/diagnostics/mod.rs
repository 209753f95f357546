//! Diagnostics as data.
//!
//! Every stage returns its value together with a `Vec<Diagnostic>`; nothing
//! is printed where it is found. A [`Diagnostic`] has a stable [`Code`], a
//! severity, a message, a primary label, secondary labels (possibly in other
//! files) and an optional `help:` line. [`render`] turns them into text for
//! people (like rustc), JSON for tools and GitHub workflow annotations.

mod codes;
pub mod render;

pub use codes::Code;

use crate::source::Span;
use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the build; `check` exits 1.
    Error,
    /// Reported; `check` exits 0 unless `--deny-warnings`.
    Warning,
}

/// A span with a short message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it (may be empty).
    pub message: String,
}

/// One finding of the compiler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The headline, e.g. "model `Post` has no field `titel`".
    pub message: String,
    /// The place the diagnostic is about.
    pub primary: Label,
    /// Related places: definitions, earlier uses.
    pub secondary: Vec<Label>,
    /// A suggestion, e.g. "a field with a similar name exists: `title`".
    pub help: Option<String>,
    /// Extra notes.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity, pointing at `span`.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Sets the primary label's message.
    pub fn with_label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the `help:` line to a did-you-mean suggestion when one of
    /// `candidates` is close to `name`.
    pub fn with_suggestion<'a>(
        self,
        name: &str,
        what: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        match did_you_mean(name, candidates) {
            Some(best) => self.with_help(format!("{what} with a similar name exists: `{best}`")),
            None => self,
        }
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let name_lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            (
                strsim::damerau_levenshtein(&name_lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(distance, c)| {
            let limit = (name.chars().count().max(c.chars().count()) / 3).max(1);
            *distance <= limit
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Sorts diagnostics by file, position and code so output is deterministic.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (
            a.primary.span.file,
            a.primary.span.start,
            a.code,
            &a.message,
        )
            .cmp(&(
                b.primary.span.file,
                b.primary.span.start,
                b.code,
                &b.message,
            ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_close_names_only() {
        assert_eq!(
            did_you_mean("titel", ["title", "slug", "content"]),
            Some("title")
        );
        assert_eq!(did_you_mean("xyz", ["title", "slug"]), None);
        assert_eq!(did_you_mean("Post", ["post", "Author"]), Some("post"));
    }
}
