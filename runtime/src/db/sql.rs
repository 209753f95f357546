//! SQL statement text, one version per dialect.
//!
//! Input: the text the compiler wrote for each backend (it knows both
//! dialects, so it decides placeholders — `?1` or `$1` — casts and types).
//! Output: a [`Sql`] constant that the database layer picks from by
//! [`Dialect`]. Values are never interpolated into the text: they travel
//! as bound parameters.

/// The SQL dialect of a connected database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// SQLite (through rusqlite, bundled): placeholders `?1`, `?2`, …
    Sqlite,
    /// PostgreSQL (through tokio-postgres): placeholders `$1`, `$2`, …
    Postgres,
}

/// One statement, written once per dialect. Generated code declares these
/// as constants:
///
/// ```
/// use djinn_runtime::db::Sql;
///
/// const POST_BY_SLUG: Sql = Sql::new(
///     "SELECT id, title FROM blog_post WHERE slug = ?1",
///     "SELECT id, title FROM blog_post WHERE slug = $1",
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sql {
    /// The statement for SQLite.
    pub sqlite: &'static str,
    /// The statement for PostgreSQL.
    pub postgres: &'static str,
}

impl Sql {
    /// A statement with one text per dialect.
    pub const fn new(sqlite: &'static str, postgres: &'static str) -> Sql {
        Sql { sqlite, postgres }
    }

    /// A statement whose text is the same in both dialects (no placeholders,
    /// no dialect-specific types).
    pub const fn portable(text: &'static str) -> Sql {
        Sql {
            sqlite: text,
            postgres: text,
        }
    }

    /// The text for `dialect`.
    pub const fn text(&self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Sqlite => self.sqlite,
            Dialect::Postgres => self.postgres,
        }
    }
}

/// A statement's `'static` text, named by its address and length: a static
/// string is never freed, so its address names it for good. Caches of
/// prepared statements and column names are keyed by it, which spares
/// hashing the SQL text on every run. (The same text at two addresses gets
/// two entries, which is harmless.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TextKey {
    address: usize,
    length: usize,
}

impl TextKey {
    /// The key of `text`.
    pub(crate) fn of(text: &'static str) -> TextKey {
        TextKey {
            address: text.as_ptr() as usize,
            length: text.len(),
        }
    }
}

/// A map keyed by [`TextKey`]s, with a hasher for two machine words: the
/// keys come from the program, not from clients, so they need no
/// protection from collisions that the standard hasher's keyed SipHash
/// gives.
pub(crate) type TextKeyMap<V> =
    std::collections::HashMap<TextKey, V, std::hash::BuildHasherDefault<WordHasher>>;

/// A multiply-rotate hasher (FxHash's) for the words of a [`TextKey`].
#[derive(Default)]
pub(crate) struct WordHasher {
    hash: u64,
}

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }

    fn write_u64(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_chosen_by_dialect() {
        const BY_ID: Sql = Sql::new("SELECT ?1", "SELECT $1");
        assert_eq!(BY_ID.text(Dialect::Sqlite), "SELECT ?1");
        assert_eq!(BY_ID.text(Dialect::Postgres), "SELECT $1");
        assert_eq!(
            Sql::portable("SELECT 1").text(Dialect::Postgres),
            "SELECT 1"
        );
    }
}
