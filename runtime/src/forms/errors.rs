//! Validation errors: a field's list of messages and the form's
//! `field → messages` mapping, rendered as Django renders them.
//!
//! Input: messages (with Django's error codes) gathered by validation or
//! added by generated code. Output: [`ErrorList`] (`field.errors`,
//! `form.non_field_errors`) and [`ErrorDict`] (`form.errors`), which print
//! in templates as Django's `<ul class="errorlist">` and also give the text,
//! Django JSON and DRF JSON forms.

use crate::template::escape::escape_into;

use super::pyjson::write_json_string;

/// The key Django files non-field errors under in `form.errors`.
pub const NON_FIELD_ERRORS: &str = "__all__";

/// One message and its Django error code (`"required"`, `"invalid"`, …;
/// empty for errors added without one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormError {
    /// The message shown to people (plain text, escaped when rendered).
    pub message: String,
    /// Django's error code, as `errors.as_json()` reports it.
    pub code: String,
}

/// The errors of one field, or the form's non-field errors (Django's
/// `ErrorList`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorList {
    errors: Vec<FormError>,
    /// The field's `auto_id`, which gives the `<ul>` its `id="…_error"`.
    field_id: Option<String>,
    /// Whether this is the non-field list (`class="errorlist nonfield"`).
    non_field: bool,
}

/// The empty list a field without errors shows.
pub(crate) static NO_ERRORS: ErrorList = ErrorList {
    errors: Vec::new(),
    field_id: None,
    non_field: false,
};

impl ErrorList {
    /// An empty list for the field whose `auto_id` is `field_id`.
    pub fn for_field(field_id: impl Into<String>) -> ErrorList {
        ErrorList {
            errors: Vec::new(),
            field_id: Some(field_id.into()),
            non_field: false,
        }
    }

    /// An empty list of non-field errors.
    pub fn non_field() -> ErrorList {
        ErrorList {
            errors: Vec::new(),
            field_id: None,
            non_field: true,
        }
    }

    /// Appends a message with its Django error code.
    pub fn push(&mut self, message: impl Into<String>, code: impl Into<String>) {
        self.errors.push(FormError {
            message: message.into(),
            code: code.into(),
        });
    }

    /// How many messages the list has.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Whether the list has no message.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The messages, in order (`{% for error in field.errors %}`).
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.errors.iter().map(|error| error.message.as_str())
    }

    /// The message at `index` (`field.errors.0`).
    pub fn get(&self, index: usize) -> Option<&str> {
        self.errors.get(index).map(|error| error.message.as_str())
    }

    /// The messages with their codes.
    pub fn errors(&self) -> &[FormError] {
        &self.errors
    }

    /// The CSS class of the `<ul>`: `errorlist`, or `errorlist nonfield`.
    pub fn error_class(&self) -> &'static str {
        if self.non_field {
            "errorlist nonfield"
        } else {
            "errorlist"
        }
    }

    /// Django's `errors/list/ul.html`: `<ul class="errorlist"
    /// id="id_x_error"><li>…</li></ul>`, nothing when empty.
    pub fn as_ul(&self, out: &mut String) {
        if self.errors.is_empty() {
            return;
        }
        out.push_str("<ul class=\"");
        out.push_str(self.error_class());
        out.push('"');
        if let Some(id) = self.field_id.as_deref().filter(|id| !id.is_empty()) {
            out.push_str(" id=\"");
            escape_into(out, id);
            out.push_str("_error\"");
        }
        out.push('>');
        for error in &self.errors {
            out.push_str("<li>");
            escape_into(out, &error.message);
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }

    /// Django's `errors/list/text.txt`: `* first\n* second`. Like Django's
    /// (which renders the text template with autoescaping), the messages
    /// are HTML-escaped and the result is safe text.
    pub fn as_text(&self, out: &mut String) {
        for (index, error) in self.errors.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            out.push_str("* ");
            escape_into(out, &error.message);
        }
    }

    /// The messages as a JSON array of strings (Django REST Framework).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.errors
                .iter()
                .map(|error| serde_json::Value::String(error.message.clone()))
                .collect(),
        )
    }

    /// Django's `ErrorList.get_json_data()` as JSON text:
    /// `[{"message": "…", "code": "…"}]`, non-ASCII escaped.
    pub(crate) fn write_django_json(&self, out: &mut String) {
        out.push('[');
        for (index, error) in self.errors.iter().enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            out.push_str("{\"message\": ");
            write_json_string(out, &error.message, true);
            out.push_str(", \"code\": ");
            write_json_string(out, &error.code, true);
            out.push('}');
        }
        out.push(']');
    }
}

/// One entry of `form.errors`: a field name (`None` for non-field errors)
/// and its messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ErrorEntry {
    pub(crate) field: Option<&'static str>,
    pub(crate) list: ErrorList,
}

/// `form.errors`: each field with errors and its [`ErrorList`], in the order
/// the errors were found, non-field errors under `__all__` (Django's
/// `ErrorDict`).
#[derive(Clone, Copy, Debug)]
pub struct ErrorDict<'a> {
    entries: &'a [ErrorEntry],
}

impl<'a> ErrorDict<'a> {
    pub(crate) fn new(entries: &'a [ErrorEntry]) -> ErrorDict<'a> {
        ErrorDict { entries }
    }

    fn key(entry: &ErrorEntry) -> &'static str {
        entry.field.unwrap_or(NON_FIELD_ERRORS)
    }

    /// The field names with errors (`__all__` for non-field errors).
    pub fn keys(&self) -> Vec<&'static str> {
        self.entries.iter().map(Self::key).collect()
    }

    /// `(field name, errors)` pairs (`form.errors.items`).
    pub fn items(&self) -> Vec<(&'static str, &'a ErrorList)> {
        self.entries
            .iter()
            .map(|entry| (Self::key(entry), &entry.list))
            .collect()
    }

    /// The errors of `field` (`__all__` for non-field errors), if it has any.
    pub fn get(&self, field: &str) -> Option<&'a ErrorList> {
        self.entries
            .iter()
            .find(|entry| Self::key(entry) == field)
            .map(|entry| &entry.list)
    }

    /// How many fields have errors.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no error at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Django's `errors/dict/ul.html`: `<ul class="errorlist"><li>field<ul
    /// class="errorlist" id="id_field_error">…</ul></li></ul>`.
    pub fn as_ul(&self, out: &mut String) {
        if self.entries.is_empty() {
            return;
        }
        out.push_str("<ul class=\"errorlist\">");
        for entry in self.entries {
            out.push_str("<li>");
            escape_into(out, Self::key(entry));
            entry.list.as_ul(out);
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }

    /// Django's `errors/dict/text.txt`: `* field\n  * message`, escaped as
    /// Django escapes it (the result is safe text).
    pub fn as_text(&self, out: &mut String) {
        for (index, entry) in self.entries.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            out.push_str("* ");
            escape_into(out, Self::key(entry));
            for error in entry.list.iter() {
                out.push_str("\n  * ");
                escape_into(out, error);
            }
        }
    }

    /// Django's `errors.as_json()`: `{"field": [{"message": …, "code": …}]}`
    /// with Python's separators and `\uXXXX` escapes.
    pub fn as_json(&self, out: &mut String) {
        out.push('{');
        for (index, entry) in self.entries.iter().enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            write_json_string(out, Self::key(entry), true);
            out.push_str(": ");
            entry.list.write_django_json(out);
        }
        out.push('}');
    }

    /// The errors as Django REST Framework reports them:
    /// `{"field": ["message", …], "non_field_errors": ["…"]}`.
    pub fn to_drf_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for entry in self.entries {
            let key = entry.field.unwrap_or("non_field_errors");
            map.insert(key.to_owned(), entry.list.to_json());
        }
        serde_json::Value::Object(map)
    }
}
