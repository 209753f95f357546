//! Values on their way between the database, URLs and pages.
//!
//! Input: a column read from a [`Row`] with the [`Scalar`] the spec gives
//! it, or text from a URL or a query string. Output: a typed [`Value`]
//! (SQLite's integers become booleans, its text dates become dates…), the
//! text a key has in URLs and `<option>`s, Python's `str()` of a value (for
//! a model's `str`), and the HTML the change list shows for it (Django's
//! `display_for_field`).

use std::fmt::Write as _;

use crate::db::{DbError, Row, Value};
use crate::forms::FormValue;
use crate::template::display::DjangoStr;
use crate::template::escape_into;

use super::spec::{Field, FieldKind, Scalar};

/// What the admin shows for an empty value (Django's `empty_value_display`).
pub const EMPTY_VALUE: &str = "-";

/// Column `at` of `row`, typed as `scalar` (NULL stays `Value::Null`).
pub fn read_value(row: &Row, at: usize, scalar: Scalar) -> Result<Value, DbError> {
    Ok(match scalar {
        Scalar::Int => Value::from(row.get_opt_i64(at)?),
        Scalar::Float => Value::from(row.get_opt_f64(at)?),
        Scalar::Decimal(places) => match row.get_opt_decimal(at)? {
            Some(text) => Value::Decimal(with_places(&text, places)),
            None => Value::Null,
        },
        Scalar::Bool => Value::from(row.get_opt_bool(at)?),
        Scalar::Text => Value::from(row.get_opt_text(at)?),
        Scalar::Uuid => Value::from(row.get_opt_uuid(at)?),
        Scalar::Date => Value::from(row.get_opt_date(at)?),
        Scalar::DateTime => Value::from(row.get_opt_datetime(at)?),
        Scalar::Json => match row.get_opt_json(at)? {
            Some(json) => Value::Json(json),
            None => Value::Null,
        },
    })
}

/// Canonical decimal text with exactly `places` digits after the point
/// (`"9.9"` → `"9.90"` for two places), as Django's `DecimalField` gives it.
pub fn with_places(text: &str, places: u32) -> String {
    let places = places as usize;
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if places == 0 {
        return whole.to_owned();
    }
    let mut fraction: String = fraction.chars().take(places).collect();
    while fraction.len() < places {
        fraction.push('0');
    }
    format!("{whole}.{fraction}")
}

/// The value a URL segment or query parameter stands for, typed as
/// `scalar`; `None` when the text is not such a value.
pub fn parse_value(text: &str, scalar: Scalar) -> Option<Value> {
    match scalar {
        Scalar::Int => text.parse::<i64>().ok().map(Value::Int),
        Scalar::Float => text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::Float),
        Scalar::Decimal(_) => Value::decimal(text).ok(),
        Scalar::Bool => match text {
            "1" | "True" | "true" => Some(Value::Bool(true)),
            "0" | "False" | "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Scalar::Text => Some(Value::Text(text.to_owned())),
        Scalar::Uuid => uuid::Uuid::try_parse(text).ok().map(Value::Uuid),
        Scalar::Date => text.parse::<jiff::civil::Date>().ok().map(Value::Date),
        Scalar::DateTime => text
            .parse::<jiff::civil::DateTime>()
            .ok()
            .or_else(|| {
                text.parse::<jiff::civil::Date>()
                    .ok()
                    .map(|date| date.to_datetime(jiff::civil::Time::midnight()))
            })
            .map(Value::DateTime),
        Scalar::Json => serde_json::from_str(text).ok().map(Value::Json),
    }
}

/// The text of a key in URLs, `<option value>`s and checkboxes: Python's
/// `str()` of the key (`5`, a hyphenated UUID, the text itself).
pub fn key_text(value: &Value) -> String {
    python_str(value)
}

/// The key as a JSON array element (numbers stay numbers), for statements
/// that bind a list of keys as one JSON array.
pub fn key_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Int(number) => serde_json::Value::from(*number),
        other => serde_json::Value::String(python_str(other)),
    }
}

/// Python's `str()` of a value, as a model's `str` shows its fields
/// (`None` for NULL, `True`/`False`, ISO dates).
pub fn python_str(value: &Value) -> String {
    match value {
        Value::Text(text) => text.clone(),
        Value::Uuid(uuid) => uuid.hyphenated().to_string(),
        other => FormValue::from_initial(other).python_str().into_owned(),
    }
}

/// Appends the HTML of a field's value in the change list or on a
/// read-only row (Django's `display_for_field`): choices by their label,
/// booleans as icons, dates in Django's default formats, `-` for none;
/// everything escaped.
pub fn display_html(out: &mut String, field: &Field, value: &Value) {
    if value.is_null() {
        out.push_str(EMPTY_VALUE);
        return;
    }
    if let FieldKind::Choice(choices) = field.kind {
        let key = python_str(value);
        let label = choices
            .iter()
            .find(|(choice, _)| *choice == key)
            .map_or(key.as_str(), |(_, label)| label);
        escape_into(out, label);
        return;
    }
    match value {
        Value::Bool(flag) => boolean_icon(out, *flag),
        Value::Date(date) => {
            let mut text = String::new();
            date.write_localized(&mut text);
            escape_into(out, &text);
        }
        Value::DateTime(datetime) => {
            let mut text = String::new();
            datetime.write_localized(&mut text);
            escape_into(out, &text);
        }
        Value::Float(float) => {
            let mut text = String::new();
            float.write_localized(&mut text);
            escape_into(out, &text);
        }
        Value::Text(text) if text.is_empty() => out.push_str(EMPTY_VALUE),
        other => escape_into(out, &python_str(other)),
    }
}

/// A boolean as Django's admin shows it: a check mark or a cross, named
/// for screen readers.
pub fn boolean_icon(out: &mut String, flag: bool) {
    let (class, label, symbol) = if flag {
        ("icon-yes", "Yes", "✔")
    } else {
        ("icon-no", "No", "✘")
    };
    let _ = write!(
        out,
        r#"<span class="{class}" role="img" aria-label="{label}" title="{label}">{symbol}</span>"#
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn values_are_read_as_their_kind() {
        let columns: Arc<[String]> = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()].into();
        let row = Row::new(
            columns,
            vec![
                Value::Int(1),
                Value::Text("2024-03-05".into()),
                Value::Text("9.5".into()),
            ],
        );
        assert_eq!(read_value(&row, 0, Scalar::Bool), Ok(Value::Bool(true)));
        assert_eq!(
            read_value(&row, 1, Scalar::Date),
            Ok(Value::Date(jiff::civil::date(2024, 3, 5)))
        );
        assert_eq!(
            read_value(&row, 2, Scalar::Decimal(2)),
            Ok(Value::Decimal("9.50".into()))
        );
        assert!(read_value(&row, 1, Scalar::Int).is_err());
    }

    #[test]
    fn text_is_parsed_by_kind_or_refused() {
        assert_eq!(parse_value("12", Scalar::Int), Some(Value::Int(12)));
        assert_eq!(parse_value("12; DROP", Scalar::Int), None);
        assert_eq!(parse_value("1", Scalar::Bool), Some(Value::Bool(true)));
        assert_eq!(parse_value("maybe", Scalar::Bool), None);
        assert_eq!(
            parse_value("2024-01-31", Scalar::DateTime),
            Some(Value::DateTime(
                jiff::civil::date(2024, 1, 31).at(0, 0, 0, 0)
            ))
        );
        assert_eq!(parse_value("nan", Scalar::Float), None);
    }

    #[test]
    fn display_uses_labels_icons_and_escapes() {
        static CHOICES: &[(&str, &str)] = &[("draft", "Draft <b>")];
        let field = Field {
            name: "status",
            label: "Status",
            column: Some("status"),
            scalar: Scalar::Text,
            kind: FieldKind::Choice(CHOICES),
            null: false,
            primary_key: false,
            auto_increment: false,
            auto_now: false,
            auto_now_add: false,
            default: None,
        };
        let mut out = String::new();
        display_html(&mut out, &field, &Value::Text("draft".into()));
        assert_eq!(out, "Draft &lt;b&gt;");
        out.clear();
        display_html(&mut out, &field, &Value::Null);
        assert_eq!(out, "-");
        out.clear();
        boolean_icon(&mut out, true);
        assert!(out.contains("✔") && out.contains("aria-label=\"Yes\""));
        assert_eq!(with_places("3", 2), "3.00");
        assert_eq!(python_str(&Value::Bool(false)), "False");
    }
}
