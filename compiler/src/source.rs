//! Source files held in memory, and spans into them.
//!
//! Every stage of the front end works on a [`SourceMap`] (file id → text) and
//! refers to text through a [`Span`] (file id + byte range). Lines and columns
//! are computed only when a diagnostic is rendered ([`SourceMap::line_col`]).

use std::fmt;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span over `start..end` in `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range as `usize`s.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// What kind of file a source is; decides how it is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceKind {
    /// `djinn.toml`.
    Settings,
    /// A `*.djinn` spec file.
    Spec,
    /// A template under `templates/`.
    Template,
    /// A Rust file under `src/`.
    Rust,
    /// Anything else (fixtures, generated text).
    Other,
}

/// One file: its path as shown to the user (relative to the project root),
/// its kind and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    /// How the file is parsed.
    pub kind: SourceKind,
    /// The file's full text.
    pub text: String,
    line_starts: Vec<u32>,
}

impl SourceFile {
    fn new(path: String, kind: SourceKind, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
            .collect();
        SourceFile {
            path,
            kind,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = offset.min(self.text.len() as u32);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count();
        (line + 1, col + 1)
    }

    /// Byte offsets at which each line starts.
    pub fn line_starts(&self) -> &[u32] {
        &self.line_starts
    }
}

/// All the files of one project, addressed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(
        &mut self,
        path: impl Into<String>,
        kind: SourceKind,
        text: impl Into<String>,
    ) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files
            .push(SourceFile::new(path.into(), kind, text.into()));
        id
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// All files with their ids, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The id of the file at `path`, if any.
    pub fn find(&self, path: &str) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let text = &self.get(span.file).text;
        text.get(span.range()).unwrap_or("")
    }

    /// 1-based line and column of the start of a span.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        self.get(span.file).line_col(span.start)
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let mut map = SourceMap::new();
        let id = map.add("a.djinn", SourceKind::Spec, "ab\nçd\n");
        let file = map.get(id);
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        // 'ç' is two bytes; 'd' is the second character of line 2.
        assert_eq!(file.line_col(5), (2, 2));
        assert_eq!(file.line_col(99), (3, 1));
    }
}
