//! What a form field shows: Django's `BoundField.value()`, `.initial` and
//! `.data`, as one small value type.
//!
//! Input: a field's initial `db::Value`s or the text submitted for it.
//! Output: a [`FormValue`], which widgets format (`value="…"`, selected
//! options) and templates print (`{{ field.value }}`) as the Python object
//! Django would hold prints.

use std::borrow::Cow;
use std::fmt::Write as _;

use jiff::civil::{Date, DateTime};

use crate::db::Value;
use crate::template::display::{DjangoStr, Truthy, write_float_repr, write_str_repr};

use super::pyjson::{PyJson, dumps};
use super::python::decimal_str;
use super::temporal::whole_seconds;

/// A field's value as Django's `BoundField.value()` gives it: submitted text
/// after a POST, the initial Python value before one.
#[derive(Clone, Debug, PartialEq)]
pub enum FormValue {
    /// `None`: no value.
    None,
    /// Text (submitted data, texts, choices, UUIDs, JSON documents).
    Text(String),
    /// A boolean (checkboxes).
    Bool(bool),
    /// An integer (numbers, relation primary keys).
    Int(i64),
    /// A float.
    Float(f64),
    /// A decimal, as canonical decimal text (printed as Python's `Decimal`).
    Decimal(String),
    /// A date.
    Date(Date),
    /// A date-time, UTC wall clock, whole seconds.
    DateTime(DateTime),
    /// Several values (many-to-many relations).
    List(Vec<FormValue>),
}

impl FormValue {
    /// The value an initial `db::Value` shows, after Django's
    /// `get_initial_for_field` and the field's `prepare_value`: date-times
    /// lose their microseconds, UUIDs become text, JSON documents become
    /// `json.dumps` text.
    pub fn from_initial(value: &Value) -> FormValue {
        match value {
            Value::Null => FormValue::None,
            Value::Bool(flag) => FormValue::Bool(*flag),
            Value::Int(int) => FormValue::Int(*int),
            Value::Float(float) => FormValue::Float(*float),
            Value::Text(text) => FormValue::Text(text.clone()),
            Value::Decimal(text) => FormValue::Decimal(text.clone()),
            Value::Date(date) => FormValue::Date(*date),
            Value::DateTime(datetime) => FormValue::DateTime(whole_seconds(*datetime)),
            Value::Uuid(uuid) => FormValue::Text(uuid.hyphenated().to_string()),
            Value::Json(json) => FormValue::Text(dumps(&PyJson::from_serde(json))),
            Value::Bytes(bytes) => FormValue::Text(String::from_utf8_lossy(bytes).into_owned()),
        }
    }

    /// Whether this is `None`.
    pub fn is_none(&self) -> bool {
        matches!(self, FormValue::None)
    }

    /// Python's `str(value)`: what a widget's `format_value` starts from.
    pub fn python_str(&self) -> Cow<'_, str> {
        match self {
            FormValue::Text(text) => Cow::Borrowed(text),
            other => {
                let mut out = String::new();
                other.write_str(&mut out);
                Cow::Owned(out)
            }
        }
    }
}

impl DjangoStr for FormValue {
    fn write_str(&self, out: &mut String) {
        match self {
            FormValue::None => out.push_str("None"),
            FormValue::Text(text) => out.push_str(text),
            FormValue::Bool(flag) => flag.write_str(out),
            FormValue::Int(int) => {
                let _ = write!(out, "{int}");
            }
            FormValue::Float(float) => write_float_repr(out, *float),
            FormValue::Decimal(text) => out.push_str(&decimal_str(text)),
            FormValue::Date(date) => date.write_str(out),
            FormValue::DateTime(datetime) => datetime.write_str(out),
            FormValue::List(items) => self.write_list(out, items),
        }
    }

    fn write_repr(&self, out: &mut String) {
        match self {
            FormValue::Text(text) => write_str_repr(out, text),
            FormValue::Decimal(text) => {
                out.push_str("Decimal('");
                out.push_str(&decimal_str(text));
                out.push_str("')");
            }
            FormValue::Date(date) => date.write_repr(out),
            FormValue::DateTime(datetime) => datetime.write_repr(out),
            other => other.write_str(out),
        }
    }

    fn write_localized(&self, out: &mut String) {
        match self {
            FormValue::Float(float) => float.write_localized(out),
            FormValue::Decimal(text) => out.push_str(text),
            FormValue::Date(date) => date.write_localized(out),
            FormValue::DateTime(datetime) => datetime.write_localized(out),
            other => other.write_str(out),
        }
    }

    fn is_text(&self) -> bool {
        matches!(self, FormValue::Text(_))
    }
}

impl FormValue {
    fn write_list(&self, out: &mut String, items: &[FormValue]) {
        out.push('[');
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            item.write_repr(out);
        }
        out.push(']');
    }
}

impl Truthy for FormValue {
    fn is_truthy(&self) -> bool {
        match self {
            FormValue::None => false,
            FormValue::Text(text) => !text.is_empty(),
            FormValue::Bool(flag) => *flag,
            FormValue::Int(int) => *int != 0,
            FormValue::Float(float) => *float != 0.0,
            FormValue::Decimal(text) => text.bytes().any(|byte| matches!(byte, b'1'..=b'9')),
            FormValue::Date(_) | FormValue::DateTime(_) => true,
            FormValue::List(items) => !items.is_empty(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(value: &FormValue) -> String {
        let mut out = String::new();
        value.write_str(&mut out);
        out
    }

    #[test]
    fn initial_values_print_as_python_objects() {
        assert_eq!(
            shown(&FormValue::from_initial(&Value::Float(1e16))),
            "1e+16"
        );
        assert_eq!(
            shown(&FormValue::from_initial(&Value::Decimal(
                "0.0000001".into()
            ))),
            "1E-7"
        );
        let datetime = Date::new(2024, 3, 5).unwrap().at(14, 30, 15, 250_000_000);
        assert_eq!(
            shown(&FormValue::from_initial(&Value::DateTime(datetime))),
            "2024-03-05 14:30:15"
        );
        let list = FormValue::List(vec![FormValue::Int(1), FormValue::Text("2".into())]);
        assert_eq!(shown(&list), "[1, '2']");
        assert!(!FormValue::Decimal("0.00".into()).is_truthy());
    }
}
