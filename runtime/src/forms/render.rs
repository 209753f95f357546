//! Forms and fields as HTML, byte for byte as Django 6.1's default form
//! renderer writes them.
//!
//! Input: a [`Form`] (values, errors, choices). Output: the HTML of
//! Django's widget templates (`input.html`, `textarea.html`, `select.html`,
//! `multiple_hidden.html`), `label.html`, `field.html` and the form
//! layouts `div.html` (`{{ form }}`), `p.html`, `table.html` and
//! `ul.html`. Each template is transcribed with its exact white space, and
//! — like Django's renderer — each rendered template is stripped of white
//! space at both ends.

use crate::template::escape::escape_into;

use super::form::{Form, is_big_integer};
use super::python::py_strip;
use super::spec::FieldKind;
use super::temporal::{format_date, format_datetime};
use super::value::FormValue;

/// The label of the blank option of a select (Django 6.1's
/// `BLANK_CHOICE_LABEL`).
pub const BLANK_CHOICE_LABEL: &str = "- Select an option -";

/// An HTML attribute: a value, or a boolean attribute written bare.
type Attr = (&'static str, Option<String>);

fn write_attrs(out: &mut String, attrs: &[Attr]) {
    for (name, value) in attrs {
        out.push(' ');
        out.push_str(name);
        if let Some(value) = value {
            out.push_str("=\"");
            escape_into(out, value);
            out.push('"');
        }
    }
}

fn text(value: impl Into<String>) -> Option<String> {
    Some(value.into())
}

/// `aria-describedby`: the help text's id, then the errors' id.
fn described_by(form: &Form, index: usize) -> Option<String> {
    let field = &form.spec().fields[index];
    let mut ids = Vec::new();
    if !field.help_text.is_empty() {
        ids.push(format!("id_{}_helptext", field.name));
    }
    if form
        .field_errors(index)
        .is_some_and(|errors| !errors.is_empty())
    {
        ids.push(format!("id_{}_error", field.name));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The options of a select: the blank option when the field has one, then
/// the choices.
pub(crate) fn select_options(form: &Form, index: usize) -> Vec<(String, String)> {
    let field = &form.spec().fields[index];
    let mut options = Vec::new();
    if form.has_blank_choice(index) {
        options.push((String::new(), BLANK_CHOICE_LABEL.to_owned()));
    }
    match field.kind {
        FieldKind::Choice { choices } => options.extend(
            choices
                .iter()
                .map(|(key, label)| ((*key).to_owned(), (*label).to_owned())),
        ),
        _ => options.extend(form.state[index].choices.iter().cloned()),
    }
    options
}

/// Django's `Decimal(1).scaleb(-places)` as text, lower case: `1`, `0.01`,
/// `1e-7`.
fn decimal_step(places: u32) -> String {
    match places {
        0 => "1".to_owned(),
        1..=6 => format!("0.{}1", "0".repeat(places as usize - 1)),
        _ => format!("1e-{places}"),
    }
}

/// The widget's `value` attribute (Django's `format_value`): `None` when
/// the attribute is left out.
fn input_value(kind: &FieldKind, value: &FormValue) -> Option<String> {
    match (kind, value) {
        (_, FormValue::None) => None,
        // `DateInput`/`DateTimeInput` format with `localize_input`, which
        // keeps even empty text.
        (FieldKind::Date, FormValue::Date(date)) => Some(format_date(*date)),
        (FieldKind::Date, FormValue::DateTime(datetime)) => Some(format_date(datetime.date())),
        (FieldKind::DateTime, FormValue::DateTime(datetime)) => Some(format_datetime(*datetime)),
        (FieldKind::DateTime, FormValue::Date(date)) => Some(format_datetime(
            date.to_datetime(jiff::civil::Time::midnight()),
        )),
        (FieldKind::Date | FieldKind::DateTime, other) => Some(other.python_str().into_owned()),
        (FieldKind::Boolean, FormValue::Bool(_)) => None,
        (_, FormValue::Text(text)) if text.is_empty() => None,
        (_, other) => Some(other.python_str().into_owned()),
    }
}

/// `{{ field }}`: the field's widget.
pub(crate) fn write_widget(form: &Form, index: usize, out: &mut String) {
    let field = &form.spec().fields[index];
    let value = form.display_value(index);
    let mut attrs: Vec<Attr> = Vec::new();
    match &field.kind {
        FieldKind::Textarea | FieldKind::Json => {
            attrs.push(("cols", text("40")));
            attrs.push(("rows", text("10")));
        }
        FieldKind::Text { max_length }
        | FieldKind::Email { max_length }
        | FieldKind::Url { max_length }
        | FieldKind::Slug { max_length } => {
            if let Some(max_length) = max_length {
                attrs.push(("maxlength", text(max_length.to_string())));
            }
        }
        FieldKind::Integer { min, max } if is_big_integer(*min, *max) => {
            attrs.push(("min", text(i64::MIN.to_string())));
            attrs.push(("max", text(i64::MAX.to_string())));
        }
        FieldKind::Float => attrs.push(("step", text("any"))),
        FieldKind::Decimal { decimal_places, .. } => {
            attrs.push(("step", text(decimal_step(*decimal_places))));
        }
        _ => {}
    }
    let options = match field.kind {
        FieldKind::Choice { .. } | FieldKind::ForeignKey | FieldKind::ManyToMany => {
            select_options(form, index)
        }
        _ => Vec::new(),
    };
    let use_required = match field.kind {
        // No `required` when the first option has a value: invalid HTML.
        FieldKind::Choice { .. } | FieldKind::ForeignKey => {
            options.first().is_some_and(|(key, _)| key.is_empty())
        }
        _ => true,
    };
    if field.required && use_required {
        attrs.push(("required", None));
    }
    if form
        .field_errors(index)
        .is_some_and(|errors| !errors.is_empty())
    {
        attrs.push(("aria-invalid", text("true")));
    }
    if let Some(ids) = described_by(form, index) {
        attrs.push(("aria-describedby", text(ids)));
    }
    attrs.push(("id", text(format!("id_{}", field.name))));
    match &field.kind {
        FieldKind::Textarea | FieldKind::Json => {
            out.push_str("<textarea name=\"");
            escape_into(out, field.name);
            out.push('"');
            write_attrs(out, &attrs);
            out.push_str(">\n");
            if let Some(shown) = input_value(&field.kind, &value) {
                escape_into(out, &shown);
            }
            out.push_str("</textarea>");
        }
        FieldKind::Choice { .. } | FieldKind::ForeignKey | FieldKind::ManyToMany => {
            let multiple = field.is_multiple();
            if multiple {
                attrs.push(("multiple", None));
            }
            let selected = select_values(&value, multiple);
            out.push_str("<select name=\"");
            escape_into(out, field.name);
            out.push('"');
            write_attrs(out, &attrs);
            out.push('>');
            let mut has_selected = false;
            for (key, label) in &options {
                let is_selected = (!has_selected || multiple) && selected.contains(key);
                has_selected |= is_selected;
                out.push_str("\n  <option value=\"");
                escape_into(out, key);
                out.push('"');
                if is_selected {
                    out.push_str(" selected");
                }
                out.push('>');
                escape_into(out, label);
                out.push_str("</option>\n");
            }
            out.push_str("\n</select>");
        }
        kind => {
            let input_type = match kind {
                FieldKind::Email { .. } => "email",
                FieldKind::Url { .. } => "url",
                FieldKind::Integer { .. } | FieldKind::Float | FieldKind::Decimal { .. } => {
                    "number"
                }
                FieldKind::Boolean => "checkbox",
                _ => "text",
            };
            if matches!(kind, FieldKind::Boolean) && is_checked(&value) {
                attrs.push(("checked", None));
            }
            write_input(
                out,
                input_type,
                field.name,
                input_value(kind, &value),
                &attrs,
            );
        }
    }
}

/// `CheckboxInput.check_test`: anything but `False`, `None` and `""`.
fn is_checked(value: &FormValue) -> bool {
    !matches!(value, FormValue::Bool(false) | FormValue::None)
        && !matches!(value, FormValue::Text(text) if text.is_empty())
}

/// The option values a select marks selected (`ChoiceWidget.format_value`).
fn select_values(value: &FormValue, multiple: bool) -> Vec<String> {
    let item_text = |item: &FormValue| match item {
        FormValue::None => String::new(),
        other => other.python_str().into_owned(),
    };
    match value {
        FormValue::None if multiple => Vec::new(),
        FormValue::List(items) => items.iter().map(item_text).collect(),
        other => vec![item_text(other)],
    }
}

fn write_input(
    out: &mut String,
    input_type: &str,
    name: &str,
    value: Option<String>,
    attrs: &[Attr],
) {
    out.push_str("<input type=\"");
    out.push_str(input_type);
    out.push_str("\" name=\"");
    escape_into(out, name);
    out.push('"');
    if let Some(value) = value {
        out.push_str(" value=\"");
        escape_into(out, &value);
        out.push('"');
    }
    write_attrs(out, attrs);
    out.push('>');
}

/// `field.as_hidden`: `HiddenInput`, or one input per value
/// (`MultipleHiddenInput`) for a many-to-many field.
pub(crate) fn write_hidden(form: &Form, index: usize, out: &mut String) {
    let field = &form.spec().fields[index];
    let value = form.display_value(index);
    let described = described_by(form, index);
    let hidden_value = |value: &FormValue| match value {
        FormValue::None => None,
        FormValue::Text(text) if text.is_empty() => None,
        other => Some(other.python_str().into_owned()),
    };
    let attrs_with_id = |id: String| {
        let mut attrs: Vec<Attr> = Vec::new();
        if let Some(ids) = &described {
            attrs.push(("aria-describedby", text(ids.clone())));
        }
        attrs.push(("id", text(id)));
        attrs
    };
    if field.is_multiple() {
        let items = match value {
            FormValue::None => Vec::new(),
            FormValue::List(items) => items,
            other => vec![other],
        };
        for (position, item) in items.iter().enumerate() {
            let attrs = attrs_with_id(format!("id_{}_{position}", field.name));
            write_input(out, "hidden", field.name, hidden_value(item), &attrs);
        }
    } else {
        let attrs = attrs_with_id(format!("id_{}", field.name));
        write_input(out, "hidden", field.name, hidden_value(&value), &attrs);
    }
}

/// `label_tag` / `legend_tag`: the escaped label, with `:` unless it ends in
/// punctuation.
pub(crate) fn write_label_tag(form: &Form, index: usize, legend: bool, out: &mut String) {
    let field = &form.spec().fields[index];
    if legend {
        out.push_str("<legend>");
    } else {
        out.push_str("<label for=\"id_");
        escape_into(out, field.name);
        out.push_str("\">");
    }
    escape_into(out, field.label);
    if field
        .label
        .chars()
        .last()
        .is_some_and(|last| !":?.!".contains(last))
    {
        out.push(':');
    }
    out.push_str(if legend { "</legend>" } else { "</label>" });
}

/// Django's `field.html` (no fieldset): label, help text, errors, widget.
pub(crate) fn write_field_group(form: &Form, index: usize, out: &mut String) {
    let field = &form.spec().fields[index];
    let mut html = String::from("\n  ");
    if !field.label.is_empty() {
        write_label_tag(form, index, false, &mut html);
    }
    html.push_str("\n\n");
    if !field.help_text.is_empty() {
        html.push_str("<div class=\"helptext\" id=\"id_");
        escape_into(&mut html, field.name);
        html.push_str("_helptext\">");
        html.push_str(field.help_text);
        html.push_str("</div>");
    }
    html.push('\n');
    if let Some(errors) = form.field_errors(index) {
        errors.as_ul(&mut html);
    }
    html.push('\n');
    write_widget(form, index, &mut html);
    html.push('\n');
    out.push_str(py_strip(&html));
}

/// The form layouts of Django's default renderer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    Div,
    P,
    Table,
    Ul,
}

/// The help text `<span>` of the `p`, `table` and `ul` layouts.
fn write_help_span(html: &mut String, name: &str, help: &str) {
    html.push_str("<span class=\"helptext\" id=\"id_");
    escape_into(html, name);
    html.push_str("_helptext\">");
    html.push_str(help);
    html.push_str("</span>");
}

/// `{{ form }}`, `form.as_p`, `form.as_table`, `form.as_ul`.
pub(crate) fn write_form(form: &Form, layout: Layout, out: &mut String) {
    let mut top_errors = String::new();
    form.non_field_errors().as_ul(&mut top_errors);
    let has_errors = !top_errors.is_empty();
    let count = form.spec().fields.len();
    let has_fields = count > 0;
    let mut html = String::new();
    match layout {
        Layout::Div | Layout::P => {
            html.push_str(&top_errors);
            html.push('\n');
            if has_errors && !has_fields {
                html.push_str(if layout == Layout::Div {
                    "\n  <div></div>\n"
                } else {
                    "\n  <p></p>\n"
                });
            }
            html.push('\n');
        }
        Layout::Table => {
            if has_errors {
                html.push_str("\n  <tr>\n    <td colspan=\"2\">\n      ");
                html.push_str(&top_errors);
                html.push_str("\n      ");
                if !has_fields {
                    html.push_str("\n        \n      ");
                }
                html.push_str("\n    </td>\n  </tr>\n");
            }
            html.push('\n');
        }
        Layout::Ul => {
            if has_errors {
                html.push_str("\n  <li>\n    ");
                html.push_str(&top_errors);
                html.push_str("\n  ");
                if !has_fields {
                    html.push_str("\n    \n  ");
                }
                html.push_str("\n  </li>\n");
            }
            html.push('\n');
        }
    }
    for index in 0..count {
        let field = &form.spec().fields[index];
        let last = index + 1 == count;
        let mut field_errors = String::new();
        if let Some(errors) = form.field_errors(index) {
            errors.as_ul(&mut field_errors);
        }
        let mut label = String::new();
        if !field.label.is_empty() {
            write_label_tag(form, index, false, &mut label);
        }
        let mut widget = String::new();
        write_widget(form, index, &mut widget);
        let help = field.help_text;
        match layout {
            Layout::Div => {
                html.push_str("\n  <div>\n    ");
                write_field_group(form, index, &mut html);
                html.push_str("\n    ");
                if last {
                    html.push_str("\n      \n    ");
                }
                html.push_str("\n</div>\n");
            }
            Layout::P => {
                html.push_str("\n  ");
                html.push_str(&field_errors);
                html.push_str("\n  <p>\n    ");
                html.push_str(&label);
                html.push_str("\n    ");
                html.push_str(&widget);
                html.push_str("\n    ");
                if !help.is_empty() {
                    html.push_str("\n      ");
                    write_help_span(&mut html, field.name, help);
                    html.push_str("\n    ");
                }
                html.push_str("\n    ");
                if last {
                    html.push_str("\n      \n    ");
                }
                html.push_str("\n  </p>\n");
            }
            Layout::Table => {
                html.push_str("\n  <tr>\n    <th>");
                html.push_str(&label);
                html.push_str("</th>\n    <td>\n      ");
                html.push_str(&field_errors);
                html.push_str("\n      ");
                html.push_str(&widget);
                html.push_str("\n      ");
                if !help.is_empty() {
                    html.push_str("\n        <br>\n        ");
                    write_help_span(&mut html, field.name, help);
                    html.push_str("\n      ");
                }
                html.push_str("\n      ");
                if last {
                    html.push_str("\n        \n      ");
                }
                html.push_str("\n    </td>\n  </tr>\n");
            }
            Layout::Ul => {
                html.push_str("\n  <li>\n    ");
                html.push_str(&field_errors);
                html.push_str("\n    ");
                html.push_str(&label);
                html.push_str("\n    ");
                html.push_str(&widget);
                html.push_str("\n    ");
                if !help.is_empty() {
                    html.push_str("\n      ");
                    write_help_span(&mut html, field.name, help);
                    html.push_str("\n    ");
                }
                html.push_str("\n    ");
                if last {
                    html.push_str("\n      \n    ");
                }
                html.push_str("\n  </li>\n");
            }
        }
    }
    html.push('\n');
    if !has_fields && !has_errors {
        html.push_str("\n  \n");
    }
    html.push('\n');
    out.push_str(py_strip(&html));
}
