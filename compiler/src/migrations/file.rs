//! The migration file: `NNNN_name.toml`, written and read.
//!
//! Input (writing): the migration's name, its operations in words and the
//! SQL of each dialect. Output: TOML text, laid out by hand so that it is
//! the same byte for byte whatever the TOML library's version: a comment,
//! `operations`, then `sqlite` and `postgres` as multi-line strings.
//! Reading goes through the `toml` crate into [`MigrationText`].

use serde::Deserialize;

/// The fields of a migration file.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MigrationText {
    /// What the migration does, one line each.
    pub operations: Vec<String>,
    /// The SQLite script.
    pub sqlite: String,
    /// The PostgreSQL script.
    pub postgres: String,
}

/// A file name's parts: `0002_post_add_subtitle` → (2, `post_add_subtitle`).
pub(crate) fn parse_name(stem: &str) -> Option<(u32, &str)> {
    let (digits, name) = stem.split_once('_')?;
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if digits.len() < 4 || !digits.chars().all(|c| c.is_ascii_digit()) || !valid_name {
        return None;
    }
    Some((digits.parse().ok()?, name))
}

/// The text of `NNNN_name.toml`.
pub(crate) fn render(name: &str, operations: &[String], sqlite: &str, postgres: &str) -> String {
    let mut out = format!(
        "# Migration {name}, written by `djinn makemigrations`.\n\
         # `<server> migrate` runs the script of its database in one transaction and\n\
         # records the migration in the table `djinn_migrations`. {name}.schema.json\n\
         # is the schema after it: the next migration is compared with it.\n\n"
    );
    out.push_str("operations = [\n");
    for operation in operations {
        out.push_str("    ");
        out.push_str(&basic_string(operation));
        out.push_str(",\n");
    }
    out.push_str("]\n\n");
    out.push_str("sqlite = ");
    out.push_str(&multiline_string(sqlite));
    out.push_str("\n\npostgres = ");
    out.push_str(&multiline_string(postgres));
    out.push('\n');
    out
}

/// A one-line TOML basic string (JSON's escapes are TOML's).
fn basic_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// A multi-line TOML string: a literal string (`'''`, nothing escaped)
/// unless the text holds what one cannot, then a basic string with escapes.
fn multiline_string(text: &str) -> String {
    let literal_ok = !text.contains("'''")
        && !text.ends_with('\'')
        && text
            .chars()
            .all(|c| c == '\n' || c == '\t' || (!c.is_control() && c != '\u{7f}'));
    if literal_ok {
        return format!("'''\n{text}'''");
    }
    let mut out = String::from("\"\"\"\n");
    for c in text.chars() {
        match c {
            '\n' => out.push('\n'),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push_str("\"\"\"");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_number_underscore_words() {
        assert_eq!(parse_name("0001_initial"), Some((1, "initial")));
        assert_eq!(parse_name("0012_post_add_x2"), Some((12, "post_add_x2")));
        assert_eq!(parse_name("12345_auto"), Some((12345, "auto")));
        for bad in ["001_x", "0001", "0001_", "abcd_x", "0001_Post", "0001_a-b"] {
            assert_eq!(parse_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn rendered_files_read_back() {
        let awkward = "INSERT INTO \"t\" VALUES ('it''s ''''quoted''', '\\n');\n";
        for sql in [
            "CREATE TABLE \"a\" (\"id\" integer);\n",
            awkward,
            "",
            "x '\u{1}'",
        ] {
            let text = render(
                "0002_x",
                &["add field \"A\".b: 'x' \\ y".to_string()],
                sql,
                sql,
            );
            let read: MigrationText = toml::from_str(&text).unwrap();
            assert_eq!(read.sqlite, sql, "{text}");
            assert_eq!(read.postgres, sql);
            assert_eq!(read.operations, ["add field \"A\".b: 'x' \\ y"]);
        }
    }
}
