//! Statement text under construction, for both dialects at once.
//!
//! Input: text pieces, parameter placeholders and dialect-specific pieces,
//! pushed in order. Output: the text of each dialect, placeholders numbered
//! `?N` (SQLite) or `$N` (PostgreSQL).

use super::Dialect;

/// Text being written once for both dialects.
#[derive(Clone, Debug, Default)]
pub(super) struct SqlBuf {
    pieces: Vec<Piece>,
}

#[derive(Clone, Debug)]
enum Piece {
    /// The same text in both dialects.
    Text(String),
    /// A placeholder for the parameter at this index (0-based).
    Param(usize),
    /// Text that differs between the dialects.
    Dialect { sqlite: String, postgres: String },
}

impl SqlBuf {
    /// An empty buffer.
    pub(super) fn new() -> SqlBuf {
        SqlBuf::default()
    }

    /// Appends text common to both dialects.
    pub(super) fn push(&mut self, text: &str) {
        match self.pieces.last_mut() {
            Some(Piece::Text(last)) => last.push_str(text),
            _ => self.pieces.push(Piece::Text(text.to_string())),
        }
    }

    /// Appends the placeholder of parameter `index` (0-based).
    pub(super) fn param(&mut self, index: usize) {
        self.pieces.push(Piece::Param(index));
    }

    /// Appends text that differs between the dialects.
    pub(super) fn dialect(&mut self, sqlite: &str, postgres: &str) {
        if sqlite == postgres {
            self.push(sqlite);
        } else {
            self.pieces.push(Piece::Dialect {
                sqlite: sqlite.to_string(),
                postgres: postgres.to_string(),
            });
        }
    }

    /// Appends another buffer.
    pub(super) fn append(&mut self, other: SqlBuf) {
        for piece in other.pieces {
            match piece {
                Piece::Text(text) => self.push(&text),
                other => self.pieces.push(other),
            }
        }
    }

    /// Whether nothing was written.
    pub(super) fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// The text for `dialect`.
    pub(super) fn render(&self, dialect: Dialect) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Param(index) => {
                    out.push(match dialect {
                        Dialect::Sqlite => '?',
                        Dialect::Postgres => '$',
                    });
                    out.push_str(&(index + 1).to_string());
                }
                Piece::Dialect { sqlite, postgres } => out.push_str(match dialect {
                    Dialect::Sqlite => sqlite,
                    Dialect::Postgres => postgres,
                }),
            }
        }
        out
    }
}
