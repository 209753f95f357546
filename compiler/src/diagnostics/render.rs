//! Rendering diagnostics: human (rustc-like), JSON and GitHub annotations.
//!
//! Input: `&[Diagnostic]` and the [`SourceMap`] they point into. Output:
//! text. This is the only place diagnostics become text:
//!
//! - [`human`]: rustc-style reports drawn by `codespan-reporting`, which
//!   reads our files through the [`Files`] implementation for [`SourceMap`];
//! - [`json`]: one JSON document for tools (schema in `docs/cli.md`);
//! - [`github`]: GitHub Actions workflow commands (`::error file=…::…`)
//!   that show up as annotations on a pull request's diff.
//!
//! Lines and columns are 1-based; columns count characters, not bytes.

use super::{Code, Diagnostic, Label, Severity};
use crate::source::{FileId, SourceMap, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, Chars, Config, termcolor};
use serde::Serialize;
use std::ops::Range;

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.get(id).path)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.get(id).text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let starts = self.get(id).line_starts();
        Ok(match starts.binary_search(&(byte_index as u32)) {
            Ok(line) => line,
            Err(next_line) => next_line - 1,
        })
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.get(id);
        let starts = file.line_starts();
        let line_start = |index: usize| match index.cmp(&starts.len()) {
            std::cmp::Ordering::Less => Ok(starts[index] as usize),
            std::cmp::Ordering::Equal => Ok(file.text.len()),
            std::cmp::Ordering::Greater => Err(FilesError::LineTooLarge {
                given: index,
                max: starts.len() - 1,
            }),
        };
        Ok(line_start(line_index)?..line_start(line_index + 1)?)
    }
}

/// Renders diagnostics like rustc: `error[E0101]: message`, the location,
/// the source lines with carets, secondary labels (in any file), then
/// `= help: …` and `= note: …`. With `color`, ANSI escapes are included.
pub fn human(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    let mut out = String::new();
    for diagnostic in diags {
        let mut buffer = if color {
            termcolor::Buffer::ansi()
        } else {
            termcolor::Buffer::no_color()
        };
        let report = to_codespan(diagnostic, sources);
        let text = match term::emit_to_write_style(&mut buffer, &config, sources, &report) {
            Ok(()) => String::from_utf8_lossy(buffer.as_slice()).into_owned(),
            // Only reachable if a span is outside its file: still say what is wrong.
            Err(_) => {
                let (line, column) = sources.line_col(diagnostic.primary.span);
                format!(
                    "{}[{}]: {}\n  --> {}:{line}:{column}\n",
                    severity_word(diagnostic.severity),
                    diagnostic.code.as_str(),
                    diagnostic.message,
                    sources.get(diagnostic.primary.span.file).path,
                )
            }
        };
        out.push_str(&text);
        // codespan ends a report with a blank line only when it has notes;
        // like rustc, always separate reports by one.
        if !text.ends_with("\n\n") {
            out.push('\n');
        }
    }
    out
}

fn to_codespan(diagnostic: &Diagnostic, sources: &SourceMap) -> cs::Diagnostic<FileId> {
    let label = |style: cs::LabelStyle, label: &Label| {
        cs::Label::new(style, label.span.file, clamp(label.span, sources))
            .with_message(&label.message)
    };
    let labels = std::iter::once(label(cs::LabelStyle::Primary, &diagnostic.primary))
        .chain(
            diagnostic
                .secondary
                .iter()
                .map(|secondary| label(cs::LabelStyle::Secondary, secondary)),
        )
        .collect();
    let notes = diagnostic
        .help
        .iter()
        .map(|help| format!("help: {help}"))
        .chain(diagnostic.notes.iter().map(|note| format!("note: {note}")))
        .collect();
    let severity = match diagnostic.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code.as_str())
        .with_message(&diagnostic.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// The span's byte range, shrunk to the file and to character boundaries,
/// so that a slightly wrong span still renders.
fn clamp(span: Span, sources: &SourceMap) -> Range<usize> {
    let text = &sources.get(span.file).text;
    let floor = |mut offset: usize| {
        offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let start = floor(span.start as usize);
    start..floor(span.end as usize).max(start)
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Where a span starts and ends, as shown to users.
struct Position<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl<'a> Position<'a> {
    fn of(span: Span, sources: &'a SourceMap) -> Self {
        let file = sources.get(span.file);
        let (line, column) = file.line_col(span.start);
        let (end_line, end_column) = file.line_col(span.end.max(span.start));
        Position {
            file: &file.path,
            line,
            column,
            end_line,
            end_column,
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: Code,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    primary: bool,
}

impl<'a> JsonLabel<'a> {
    fn new(label: &'a Label, primary: bool, sources: &'a SourceMap) -> Self {
        let at = Position::of(label.span, sources);
        JsonLabel {
            file: at.file,
            line: at.line,
            column: at.column,
            end_line: at.end_line,
            end_column: at.end_column,
            message: &label.message,
            primary,
        }
    }
}

/// Renders diagnostics as one JSON document (pretty-printed, ending in a
/// newline): `{"diagnostics": [...], "errors": N, "warnings": N}`. Each
/// diagnostic has its code, severity, message, primary position (start and
/// end, the end just past the last character), labels (the primary first),
/// help and notes.
pub fn json(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let diagnostics = diags
        .iter()
        .map(|diagnostic| {
            let at = Position::of(diagnostic.primary.span, sources);
            let labels = std::iter::once(JsonLabel::new(&diagnostic.primary, true, sources))
                .chain(
                    diagnostic
                        .secondary
                        .iter()
                        .map(|label| JsonLabel::new(label, false, sources)),
                )
                .collect();
            JsonDiagnostic {
                code: diagnostic.code,
                severity: diagnostic.severity,
                message: &diagnostic.message,
                file: at.file,
                line: at.line,
                column: at.column,
                end_line: at.end_line,
                end_column: at.end_column,
                labels,
                help: diagnostic.help.as_deref(),
                notes: &diagnostic.notes,
            }
        })
        .collect();
    let (errors, warnings) = count(diags);
    let report = JsonReport {
        diagnostics,
        errors,
        warnings,
    };
    serde_json::to_string_pretty(&report).expect("the report is plain data") + "\n"
}

/// Renders diagnostics as GitHub Actions workflow commands, one line each:
/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=E0101 unknown field::message`.
/// Secondary labels, help and notes follow the message on further lines
/// (encoded as `%0A`), since an annotation has one position.
pub fn github(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for diagnostic in diags {
        let at = Position::of(diagnostic.primary.span, sources);
        let mut message = diagnostic.message.clone();
        for label in &diagnostic.secondary {
            let related = Position::of(label.span, sources);
            message.push_str(&format!(
                "\n{}:{}:{}: {}",
                related.file, related.line, related.column, label.message
            ));
        }
        if let Some(help) = &diagnostic.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        for note in &diagnostic.notes {
            message.push_str(&format!("\nnote: {note}"));
        }
        let title = format!("{} {}", diagnostic.code.as_str(), diagnostic.code.title());
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            severity_word(diagnostic.severity),
            escape_property(at.file),
            at.line,
            at.column,
            at.end_line,
            at.end_column,
            escape_property(&title),
            escape_data(&message),
        ));
    }
    out
}

/// Escapes a workflow command's message (`%`, CR, LF), as `@actions/core` does.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: the data escapes plus `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The number of errors and of warnings.
pub fn count(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceKind;

    /// Two files: an unknown field in a template whose model is defined in a
    /// spec file (secondary label in the other file), and a warning in the
    /// spec file after a non-ASCII character.
    fn example() -> (SourceMap, Vec<Diagnostic>) {
        let mut sources = SourceMap::new();
        let spec_text = "model Post {\n    title string(max = 200) // « title »\n}\n\nview about: template \"about.html\"\n";
        let spec = sources.add("app.djinn", SourceKind::Spec, spec_text);
        let template = sources.add(
            "templates/post_detail.html",
            SourceKind::Template,
            "<h1>« {{ post.titel }} »</h1>\n",
        );
        let field = "<h1>« {{ post.".len();
        let model = spec_text.find("Post").unwrap();
        let view = spec_text.find("about").unwrap();
        let diagnostics = vec![
            Diagnostic::new(
                Code::UnknownField,
                Span::new(template, field, field + "titel".len()),
                "model `Post` has no field `titel`",
            )
            .with_label("unknown field")
            .with_secondary(Span::new(spec, model, model + 4), "model `Post` defined here")
            .with_suggestion("titel", "a field", ["title"])
            .with_note("the template is rendered by view `post_detail`, which puts `post: Post` in its context"),
            Diagnostic::new(
                Code::UnroutedView,
                Span::new(spec, view, view + "about".len()),
                "view `about` is never routed, 100% unreachable",
            )
            .with_label("no `path` serves this view"),
        ];
        (sources, diagnostics)
    }

    #[test]
    fn human_output_looks_like_rustc() {
        let (sources, diagnostics) = example();
        insta::assert_snapshot!(human(&diagnostics, &sources, false));
    }

    #[test]
    fn human_output_with_color_has_ansi_escapes() {
        let (sources, diagnostics) = example();
        let colored = human(&diagnostics, &sources, true);
        assert!(colored.contains("\u{1b}["), "{colored}");
        assert!(!human(&diagnostics, &sources, false).contains('\u{1b}'));
    }

    #[test]
    fn json_output() {
        let (sources, diagnostics) = example();
        let text = json(&diagnostics, &sources);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["errors"], 1);
        assert_eq!(parsed["warnings"], 1);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn github_output() {
        let (sources, diagnostics) = example();
        insta::assert_snapshot!(github(&diagnostics, &sources));
    }

    #[test]
    fn github_escapes_follow_the_workflow_command_spec() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn spans_past_the_end_still_render() {
        let mut sources = SourceMap::new();
        let file = sources.add("djinn.toml", SourceKind::Settings, "é");
        let diagnostic = Diagnostic::new(Code::SettingsSyntax, Span::new(file, 1, 9), "broken");
        let text = human(&[diagnostic], &sources, false);
        assert!(text.starts_with("error[E0010]: broken\n"), "{text}");
        assert!(text.contains("djinn.toml:1:"), "{text}");
    }
}
