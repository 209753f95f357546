//! How forms, fields and errors print in templates.
//!
//! Input: a [`Form`], [`BoundField`], [`ErrorList`] or [`ErrorDict`] that a
//! template prints with `{{ … }}` or tests with `{% if … %}`. Output: the
//! [`DjangoStr`] text — their HTML, marked safe as Django's `SafeString` —
//! and the [`Truthy`] value Python gives them.

use std::borrow::Cow;

use crate::template::compare::{Py, ToPy};
use crate::template::display::{DjangoStr, Truthy, write_str_repr};

use super::bound::BoundField;
use super::errors::{ErrorDict, ErrorList};
use super::form::Form;
use super::render::{Layout, write_form};
use super::value::FormValue;

impl Form {
    /// `{{ form }}` and `form.as_div`: Django's default `div.html` layout.
    pub fn render_div(&self, out: &mut String) {
        write_form(self, Layout::Div, out);
    }

    /// `form.as_p`: each field in a `<p>`.
    pub fn render_p(&self, out: &mut String) {
        write_form(self, Layout::P, out);
    }

    /// `form.as_table`: each field in a `<tr>` (without the `<table>`).
    pub fn render_table(&self, out: &mut String) {
        write_form(self, Layout::Table, out);
    }

    /// `form.as_ul`: each field in an `<li>` (without the `<ul>`).
    pub fn render_ul(&self, out: &mut String) {
        write_form(self, Layout::Ul, out);
    }
}

/// `{{ form }}` is the `div` layout, safe HTML.
impl DjangoStr for Form {
    fn write_str(&self, out: &mut String) {
        self.render_div(out);
    }
    /// Django's `<ItemForm bound=True, valid=False, fields=(title;slug)>`,
    /// the class called `Form`.
    fn write_repr(&self, out: &mut String) {
        out.push_str("<Form bound=");
        out.push_str(if self.is_bound() { "True" } else { "False" });
        out.push_str(", valid=");
        out.push_str(if !self.is_bound() {
            "Unknown"
        } else if self.is_valid() {
            "True"
        } else {
            "False"
        });
        out.push_str(", fields=(");
        for (index, field) in self.spec().fields.iter().enumerate() {
            if index > 0 {
                out.push(';');
            }
            out.push_str(field.name);
        }
        out.push_str(")>");
    }
    fn is_html_safe(&self) -> bool {
        true
    }
}

/// A form is always true.
impl Truthy for Form {
    fn is_truthy(&self) -> bool {
        true
    }
}

/// `{{ field }}` is the widget, safe HTML.
impl DjangoStr for BoundField<'_> {
    fn write_str(&self, out: &mut String) {
        self.as_widget(out);
    }
    fn write_repr(&self, out: &mut String) {
        out.push_str("<BoundField ");
        out.push_str(self.name());
        out.push('>');
    }
    fn is_html_safe(&self) -> bool {
        true
    }
}

/// A bound field is always true (Django's `BoundField.__bool__`).
impl Truthy for BoundField<'_> {
    fn is_truthy(&self) -> bool {
        true
    }
}

/// `{{ field.errors }}` is the `<ul class="errorlist">`, safe HTML.
impl DjangoStr for ErrorList {
    fn write_str(&self, out: &mut String) {
        self.as_ul(out);
    }
    /// Python's list repr of the messages: `['This field is required.']`.
    fn write_repr(&self, out: &mut String) {
        out.push('[');
        for (index, message) in self.iter().enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            write_str_repr(out, message);
        }
        out.push(']');
    }
    fn is_html_safe(&self) -> bool {
        true
    }
}

/// An error list is true when it has a message.
impl Truthy for ErrorList {
    fn is_truthy(&self) -> bool {
        !self.is_empty()
    }
}

/// `{{ form.errors }}` is the nested `<ul class="errorlist">`, safe HTML.
impl DjangoStr for ErrorDict<'_> {
    fn write_str(&self, out: &mut String) {
        self.as_ul(out);
    }
    /// Python's dict repr: `{'title': ['This field is required.']}`.
    fn write_repr(&self, out: &mut String) {
        out.push('{');
        for (index, (key, list)) in self.items().into_iter().enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            write_str_repr(out, key);
            out.push_str(": ");
            list.write_repr(out);
        }
        out.push('}');
    }
    fn is_html_safe(&self) -> bool {
        true
    }
}

/// `{% if form.errors %}`: true when any field has an error.
impl Truthy for ErrorDict<'_> {
    fn is_truthy(&self) -> bool {
        !self.is_empty()
    }
}

/// `{% if field.value == "draft" %}`: the Python value Django holds (a
/// decimal compares as a float, as `Decimal` compares with numbers).
impl ToPy for FormValue {
    fn to_py(&self) -> Py<'_> {
        match self {
            FormValue::None => Py::None,
            FormValue::Text(text) => Py::Str(Cow::Borrowed(text)),
            FormValue::Bool(flag) => Py::Bool(*flag),
            FormValue::Int(int) => Py::Int(i128::from(*int)),
            FormValue::Float(float) => Py::Float(*float),
            FormValue::Decimal(text) => text.parse().map_or(Py::None, Py::Float),
            FormValue::Date(date) => Py::Date(*date),
            FormValue::DateTime(datetime) => Py::DateTime(*datetime),
            FormValue::List(items) => Py::List(items.iter().map(ToPy::to_py).collect()),
        }
    }
}

/// `{% if "x" in field.errors %}`: a list of the messages.
impl ToPy for ErrorList {
    fn to_py(&self) -> Py<'_> {
        Py::List(
            self.iter()
                .map(|message| Py::Str(Cow::Borrowed(message)))
                .collect(),
        )
    }
}

/// `{% if "title" in form.errors %}`: a dict of field name → messages.
impl ToPy for ErrorDict<'_> {
    fn to_py(&self) -> Py<'_> {
        Py::Dict(
            self.items()
                .into_iter()
                .map(|(key, list)| (Cow::Borrowed(key), list.to_py()))
                .collect(),
        )
    }
}
