//! A field bound to its form: what templates read on `form.<name>` and on
//! each item of `{% for field in form %}` (Django's `BoundField`).
//!
//! Input: a [`Form`] and a field position. Output: the field's names, ids,
//! label, help text, errors, value, and its HTML (widget, label tag, hidden
//! input, field group), rendered by the private `render` module.

use super::errors::{ErrorList, NO_ERRORS};
use super::form::Form;
use super::render;
use super::spec::FieldSpec;
use super::value::FormValue;

/// One field of a form (Django's `BoundField`).
#[derive(Clone, Copy, Debug)]
pub struct BoundField<'a> {
    form: &'a Form,
    index: usize,
}

impl<'a> BoundField<'a> {
    pub(crate) fn new(form: &'a Form, index: usize) -> BoundField<'a> {
        BoundField { form, index }
    }

    /// The field's definition (`field.field`: `label`, `required`,
    /// `help_text`, `disabled`).
    pub fn field(&self) -> &'static FieldSpec {
        &self.form.spec().fields[self.index]
    }

    /// The form this field belongs to (`field.form`).
    pub fn form(&self) -> &'a Form {
        self.form
    }

    /// The position of the field in the form.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The field's label (`Published at`).
    pub fn label(&self) -> &'static str {
        self.field().label
    }

    /// The field's name (`author`).
    pub fn name(&self) -> &'static str {
        self.field().name
    }

    /// The `name` attribute of the widget (the name: djinn forms have no prefix).
    pub fn html_name(&self) -> &'static str {
        self.field().name
    }

    /// The widget's `id`: `id_<name>`.
    pub fn auto_id(&self) -> String {
        format!("id_{}", self.name())
    }

    /// The `id` a `<label for>` points to (the `auto_id`).
    pub fn id_for_label(&self) -> String {
        self.auto_id()
    }

    /// The help text (HTML, shown unescaped by Django's form templates).
    pub fn help_text(&self) -> &'static str {
        self.field().help_text
    }

    /// Django's widget type name: `text`, `textarea`, `email`, `url`,
    /// `number`, `checkbox`, `date`, `datetime`, `select`, `selectmultiple`.
    pub fn widget_type(&self) -> &'static str {
        self.field().widget_type()
    }

    /// The CSS classes of the field's row: empty, since djinn forms set no
    /// `error_css_class` or `required_css_class`.
    pub fn css_classes(&self) -> &'static str {
        ""
    }

    /// The field's errors (an empty list when it has none).
    pub fn errors(&self) -> &'a ErrorList {
        self.form.field_errors(self.index).unwrap_or(&NO_ERRORS)
    }

    /// Django's `BoundField.value()`: the submitted data if the form is
    /// bound, else the initial value, as the widget shows it:
    /// [`FormValue::Text`] for submitted text, typed values (`Int`,
    /// `Decimal`, `Date`, …) for initial values, `List` for many-to-many
    /// fields, `Bool` for checkboxes, `None` for nothing.
    pub fn value(&self) -> FormValue {
        self.form.display_value(self.index)
    }

    /// Django's `BoundField.initial`.
    pub fn initial(&self) -> FormValue {
        self.form.initial_value(self.index, false)
    }

    /// Django's `BoundField.data`: what was submitted (`None` when nothing
    /// was; a checkbox is `False`, a multiple select an empty list).
    pub fn data(&self) -> FormValue {
        self.form.data_value(self.index)
    }

    /// Whether the widget is hidden: never, in djinn forms.
    pub fn is_hidden(&self) -> bool {
        false
    }

    /// Whether the field renders in a `<fieldset>` (Django: radio and
    /// checkbox groups only): never, in djinn forms.
    pub fn use_fieldset(&self) -> bool {
        false
    }

    /// `{{ field }}` / `field.as_widget`: the widget's HTML.
    pub fn as_widget(&self, out: &mut String) {
        render::write_widget(self.form, self.index, out);
    }

    /// `field.as_hidden`: the value as `<input type="hidden">` (one per value
    /// for a many-to-many field).
    pub fn as_hidden(&self, out: &mut String) {
        render::write_hidden(self.form, self.index, out);
    }

    /// `field.label_tag`: `<label for="id_x">Label:</label>` (no colon after
    /// a label ending in `:?.!`).
    pub fn label_tag(&self, out: &mut String) {
        render::write_label_tag(self.form, self.index, false, out);
    }

    /// `field.legend_tag`: `<legend>Label:</legend>`.
    pub fn legend_tag(&self, out: &mut String) {
        render::write_label_tag(self.form, self.index, true, out);
    }

    /// `field.as_field_group`: label, help text, errors and widget, as in
    /// Django's `field.html` (what `{{ form }}` shows per field).
    pub fn as_field_group(&self, out: &mut String) {
        render::write_field_group(self.form, self.index, out);
    }
}
