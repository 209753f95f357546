//! A form instance: initial values, submitted data, validation and errors.
//!
//! Input: a static [`FormSpec`], initial values (a model's defaults or a
//! row), run-time choices for relations, then submitted [`FormData`] or a
//! JSON object. Output: per field a [`Cleaned`] value ready to store, or
//! Django's error messages, in Django's order: each field cleaned in turn
//! (conversion, required, validators), then the model-level checks
//! (integer ranges), then whatever generated code adds (unique fields,
//! constraints) with [`Form::add_error`].

use crate::db::Value;
use crate::error::HttpError;

use super::bound::BoundField;
use super::data::FormData;
use super::errors::{ErrorDict, ErrorEntry, ErrorList};
use super::messages;
use super::pyjson::{self, PyJson};
use super::python::{
    PyDecimal, PyInt, parse_decimal, parse_django_int, parse_float, parse_int, py_strip,
};
use super::spec::{FieldKind, FieldSpec, FormSpec};
use super::temporal::{parse_date, parse_datetime};
use super::validators::{has_null, is_valid_email, is_valid_slug, is_valid_url, parse_uuid};
use super::value::FormValue;

/// A field's cleaned value, ready to store.
///
/// Empty values: text kinds and choices give `Value::Text("")` (Django's
/// `CharField` empty value; generated code stores `NULL` instead for `null`
/// fields), booleans `Value::Bool(false)`, many-to-many fields an empty
/// list, every other kind `Value::Null`. A foreign key gives the chosen
/// row's primary key, typed from its choice text (`Int`, `Uuid` or `Text`);
/// a decimal is canonical text with exactly the field's decimal places, as
/// it is stored; a date-time is the UTC wall clock.
#[derive(Clone, Debug, PartialEq)]
pub enum Cleaned {
    /// One value.
    Value(Value),
    /// The primary keys chosen in a many-to-many field.
    Values(Vec<Value>),
}

impl Cleaned {
    /// The single value (`None` for a many-to-many field).
    pub fn value(&self) -> Option<&Value> {
        match self {
            Cleaned::Value(value) => Some(value),
            Cleaned::Values(_) => None,
        }
    }

    /// The chosen primary keys (empty for a single-valued field).
    pub fn values(&self) -> &[Value] {
        match self {
            Cleaned::Value(_) => &[],
            Cleaned::Values(values) => values,
        }
    }
}

/// What a field received: Django's `widget.value_from_datadict`, or a JSON
/// member converted to the same shapes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Input {
    /// Nothing (`None`).
    Missing,
    /// One text value.
    Text(String),
    /// A checkbox's state.
    Bool(bool),
    /// A multiple select's values.
    List(Vec<String>),
    /// A JSON field's document, from a JSON body.
    Json(serde_json::Value),
    /// A JSON member of the wrong type, and the error to report.
    WrongType(String, &'static str),
}

/// The initial value of a field.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Initial {
    One(Value),
    Many(Vec<Value>),
}

/// How the primary keys of a relation's choices are typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PkKind {
    Int,
    Uuid,
    Text,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct FieldState {
    pub(crate) initial: Option<Initial>,
    pub(crate) has_default: bool,
    pub(crate) choices: Vec<(String, String)>,
    pk_kind: Option<PkKind>,
    pub(crate) input: Option<Input>,
    /// JSON binds: whether the member was in the object.
    present: bool,
    cleaned: Option<Cleaned>,
}

/// A form over a [`FormSpec`] (Django's `ModelForm` instance).
#[derive(Clone, Debug)]
pub struct Form {
    spec: &'static FormSpec,
    pub(crate) state: Vec<FieldState>,
    bound: bool,
    partial: bool,
    validated: bool,
    pub(crate) errors: Vec<ErrorEntry>,
}

/// JSON strings Django REST Framework's `BooleanField` reads as true / false.
const TRUE_TEXTS: [&str; 12] = [
    "t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "1",
];
const FALSE_TEXTS: [&str; 12] = [
    "f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "0",
];

impl Form {
    /// An unbound form with no initial values.
    pub fn new(spec: &'static FormSpec) -> Form {
        Form {
            spec,
            state: spec.fields.iter().map(|_| FieldState::default()).collect(),
            bound: false,
            partial: false,
            validated: false,
            errors: Vec::new(),
        }
    }

    /// The form's description.
    pub fn spec(&self) -> &'static FormSpec {
        self.spec
    }

    /// The definition of field `name` (`form.fields.<name>` in templates).
    pub fn field_spec(&self, name: &str) -> Option<&'static FieldSpec> {
        self.spec.field(name)
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.spec.index_of(name)
    }

    /// Sets field `field`'s initial value (an update view's row value).
    /// Unknown field names are ignored.
    pub fn with_initial(mut self, field: &str, value: Value) -> Form {
        if let Some(index) = self.index(field) {
            self.state[index].initial = Some(Initial::One(value));
        }
        self
    }

    /// Sets a many-to-many field's initial primary keys.
    pub fn with_initial_many(mut self, field: &str, values: Vec<Value>) -> Form {
        if let Some(index) = self.index(field) {
            self.state[index].initial = Some(Initial::Many(values));
        }
        self
    }

    /// Sets field `field`'s model default: its initial value, and the fact
    /// that it has one, which decides — as in Django's ModelForm — whether a
    /// required choice or foreign key offers the blank option. Call it for
    /// every field with a default, in update views too (before
    /// [`Form::with_initial`], which then replaces the value).
    pub fn with_default(mut self, field: &str, value: Value) -> Form {
        if let Some(index) = self.index(field) {
            let state = &mut self.state[index];
            state.has_default = !value.is_null()
                || matches!(self.spec.fields[index].kind, FieldKind::Choice { .. });
            state.initial = Some(Initial::One(value));
        }
        self
    }

    /// The options of a foreign key or many-to-many field: `(primary key as
    /// text, label)` pairs, labels being the rows' `str`. Keys that all read
    /// as integers clean to `Value::Int`, all UUIDs to `Value::Uuid`,
    /// otherwise to `Value::Text`.
    pub fn set_choices(&mut self, field: &str, choices: Vec<(String, String)>) {
        let Some(index) = self.index(field) else {
            return;
        };
        let pk_kind = if choices
            .iter()
            .all(|(key, _)| key.parse::<i64>().is_ok_and(|int| int.to_string() == *key))
        {
            PkKind::Int
        } else if choices.iter().all(|(key, _)| {
            uuid::Uuid::parse_str(key).is_ok_and(|uuid| uuid.hyphenated().to_string() == *key)
        }) {
            PkKind::Uuid
        } else {
            PkKind::Text
        };
        let state = &mut self.state[index];
        state.choices = choices;
        state.pk_kind = Some(pk_kind);
    }

    /// Binds submitted form data (a POST): the form is now bound.
    pub fn bind(&mut self, data: FormData) {
        for (field, state) in self.spec.fields.iter().zip(&mut self.state) {
            state.input = Some(input_from_data(field, &data));
            state.present = true;
        }
        self.bound = true;
        self.partial = false;
        self.reset();
    }

    /// Binds a JSON body (a JSON create or update view), like Django REST
    /// Framework: an object of field name → JSON value; a foreign key takes
    /// the row's primary key (number or string), a many-to-many field an
    /// array of them, a boolean `true`/`false` (or DRF's `"yes"`, `1`, …),
    /// numbers numbers or strings; `null` is an empty value. Unknown members
    /// are ignored. With `partial` (PATCH), absent fields are neither
    /// required nor changed: [`Form::cleaned`] gives `None` for them.
    /// Without it, an absent field is required if the field is, and
    /// otherwise keeps its initial value (the default or the row's).
    ///
    /// A body that is not a JSON object is a 400.
    pub fn bind_json(&mut self, body: &serde_json::Value, partial: bool) -> Result<(), HttpError> {
        let Some(object) = body.as_object() else {
            return Err(HttpError::BadRequest(
                "the request body must be a JSON object of field values".to_owned(),
            ));
        };
        for (field, state) in self.spec.fields.iter().zip(&mut self.state) {
            match object.get(field.name) {
                Some(value) => {
                    state.input = Some(input_from_json(field, value));
                    state.present = true;
                }
                None => {
                    state.input = None;
                    state.present = false;
                }
            }
        }
        self.bound = true;
        self.partial = partial;
        self.reset();
        Ok(())
    }

    fn reset(&mut self) {
        self.validated = false;
        self.errors.clear();
        for state in &mut self.state {
            state.cleaned = None;
        }
    }

    /// Cleans every field (Django's `full_clean` without the unique checks,
    /// which generated code runs against the database and reports with
    /// [`Form::add_error`]); `true` if there is no error. An unbound form
    /// is never valid. Validating again starts over, dropping added errors.
    pub fn validate(&mut self) -> bool {
        self.reset();
        if !self.bound {
            return false;
        }
        let mut later: Vec<(usize, String, &'static str)> = Vec::new();
        for index in 0..self.spec.fields.len() {
            let field = &self.spec.fields[index];
            let state = &self.state[index];
            let result = match &state.input {
                None if self.partial => continue,
                None => self.absent_json_field(index),
                Some(input) => clean_field(field, state, input),
            };
            match result {
                Ok(cleaned) => {
                    if let (Some(input), FieldKind::Integer { min, max }) =
                        (&state.input, &field.kind)
                        && !is_big_integer(*min, *max)
                        && let Some((message, code)) = model_range_problem(input, *min, *max)
                    {
                        later.push((index, message, code));
                        continue;
                    }
                    self.state[index].cleaned = Some(cleaned);
                }
                Err(problems) => {
                    for (message, code) in problems {
                        self.push_error(Some(index), message, code);
                    }
                }
            }
        }
        for (index, message, code) in later {
            self.push_error(Some(index), message, code);
        }
        self.validated = true;
        self.errors.is_empty()
    }

    /// A non-partial JSON bind without field `index`: required, or its
    /// initial value.
    fn absent_json_field(&self, index: usize) -> Result<Cleaned, Vec<(String, &'static str)>> {
        let field = &self.spec.fields[index];
        if field.required {
            return Err(vec![(messages::REQUIRED.to_owned(), "required")]);
        }
        Ok(match &self.state[index].initial {
            Some(Initial::One(value)) if field.is_multiple() => match value {
                Value::Null => Cleaned::Values(Vec::new()),
                other => Cleaned::Values(vec![other.clone()]),
            },
            Some(Initial::One(value)) => Cleaned::Value(value.clone()),
            Some(Initial::Many(values)) => Cleaned::Values(values.clone()),
            None => empty_cleaned(&field.kind),
        })
    }

    fn push_error(&mut self, field: Option<usize>, message: String, code: &str) {
        let name = field.map(|index| self.spec.fields[index].name);
        let position = self.errors.iter().position(|entry| entry.field == name);
        let entry = match position {
            Some(position) => &mut self.errors[position],
            None => {
                let list = match name {
                    Some(name) => ErrorList::for_field(format!("id_{name}")),
                    None => ErrorList::non_field(),
                };
                self.errors.push(ErrorEntry { field: name, list });
                let last = self.errors.len() - 1;
                &mut self.errors[last]
            }
        };
        entry.list.push(message, code);
        if let Some(index) = field {
            self.state[index].cleaned = None;
        }
    }

    /// Whether the form is bound, validated and without errors.
    pub fn is_valid(&self) -> bool {
        self.bound && self.validated && self.errors.is_empty()
    }

    /// Whether data was bound (a POST, or a JSON body).
    pub fn is_bound(&self) -> bool {
        self.bound
    }

    /// Field `field`'s cleaned value, after [`Form::validate`], if the field
    /// has no error (for a partial JSON bind, `None` for absent fields).
    pub fn cleaned(&self, field: &str) -> Option<&Cleaned> {
        if !self.validated {
            return None;
        }
        self.state[self.index(field)?].cleaned.as_ref()
    }

    /// Every cleaned field in form order (absent ones of a partial JSON bind
    /// and fields with errors left out).
    pub fn cleaned_fields(&self) -> Vec<(&'static str, &Cleaned)> {
        if !self.validated {
            return Vec::new();
        }
        self.spec
            .fields
            .iter()
            .zip(&self.state)
            .filter_map(|(field, state)| {
                state.cleaned.as_ref().map(|cleaned| (field.name, cleaned))
            })
            .collect()
    }

    /// Adds an error to field `field`, or to the non-field errors with
    /// `None` (unique-together and check constraint violations, protected
    /// rows). The field's cleaned value is dropped, as in Django. A name the
    /// form does not have is filed with the non-field errors.
    pub fn add_error(&mut self, field: Option<&str>, message: impl Into<String>) {
        self.add_error_with_code(field, message, "");
    }

    /// [`Form::add_error`] with Django's error code (`"unique"`, …), which
    /// `errors.as_json` reports.
    pub fn add_error_with_code(
        &mut self,
        field: Option<&str>,
        message: impl Into<String>,
        code: &str,
    ) {
        let index = field.and_then(|name| self.index(name));
        self.push_error(index, message.into(), code);
    }

    /// Adds Django's message for a `unique` field whose value is taken
    /// (`Blog post with this Slug already exists.`) to that field.
    pub fn add_unique_error(&mut self, field: &str) {
        let Some(index) = self.index(field) else {
            return;
        };
        let message = messages::unique(self.spec.model_verbose_name, self.spec.fields[index].label);
        self.push_error(Some(index), message, "unique");
    }

    /// Adds Django's non-field message for a violated `unique (…)` over
    /// `fields` (`Blog post with this Author and Title already exists.`);
    /// the labels come from the form's fields (the name for others).
    pub fn add_unique_together_error(&mut self, fields: &[&str]) {
        let labels: Vec<&str> = fields
            .iter()
            .map(|name| self.spec.field(name).map_or(*name, |field| field.label))
            .collect();
        let message = messages::unique_together(self.spec.model_verbose_name, &labels);
        self.push_error(None, message, "unique_together");
    }

    /// Adds Django's non-field message for a violated `check (…)`
    /// constraint named `name`.
    pub fn add_constraint_error(&mut self, name: &str) {
        self.push_error(None, messages::constraint_violated(name), "");
    }

    /// Whether field `field` has an error.
    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|entry| entry.field == Some(field))
    }

    /// The errors as a JSON view answers them (Django REST Framework's
    /// shape): `{"field": ["message", …], "non_field_errors": [...]}`.
    pub fn errors_json(&self) -> serde_json::Value {
        self.errors().to_drf_json()
    }

    /// `form.errors`.
    pub fn errors(&self) -> ErrorDict<'_> {
        ErrorDict::new(&self.errors)
    }

    /// `form.non_field_errors`: an empty list when there is none.
    pub fn non_field_errors(&self) -> &ErrorList {
        static NONE: std::sync::OnceLock<ErrorList> = std::sync::OnceLock::new();
        self.errors
            .iter()
            .find(|entry| entry.field.is_none())
            .map(|entry| &entry.list)
            .unwrap_or_else(|| NONE.get_or_init(ErrorList::non_field))
    }

    /// The errors of field `index`, if any.
    pub(crate) fn field_errors(&self, index: usize) -> Option<&ErrorList> {
        let name = self.spec.fields[index].name;
        self.errors
            .iter()
            .find(|entry| entry.field == Some(name))
            .map(|entry| &entry.list)
    }

    /// `{% for field in form %}`: every field, bound to this form.
    pub fn fields(&self) -> Vec<BoundField<'_>> {
        (0..self.spec.fields.len())
            .map(|index| BoundField::new(self, index))
            .collect()
    }

    /// `form.visible_fields`: every field (djinn forms have no hidden field).
    pub fn visible_fields(&self) -> Vec<BoundField<'_>> {
        self.fields()
    }

    /// `form.hidden_fields`: always empty.
    pub fn hidden_fields(&self) -> Vec<BoundField<'_>> {
        Vec::new()
    }

    /// `form.<name>`: one field bound to this form.
    pub fn field(&self, name: &str) -> Option<BoundField<'_>> {
        self.index(name).map(|index| BoundField::new(self, index))
    }

    /// `form.media`: djinn's widgets need no CSS or JavaScript, so nothing.
    pub fn media(&self, out: &mut String) {
        let _ = out;
    }

    /// The value field `index` shows (Django's `BoundField.value()`).
    pub(crate) fn display_value(&self, index: usize) -> FormValue {
        let field = &self.spec.fields[index];
        let state = &self.state[index];
        match &state.input {
            Some(input) if self.bound => data_value(field, input, true),
            // Unbound, or a field a JSON body left out: the initial value.
            _ => self.initial_value(index, true),
        }
    }

    /// Django's `BoundField.initial` (`prepared`: the field's
    /// `prepare_value` applied, as `value()` does).
    pub(crate) fn initial_value(&self, index: usize, prepared: bool) -> FormValue {
        let field = &self.spec.fields[index];
        let value = match &self.state[index].initial {
            None => FormValue::None,
            Some(Initial::One(value)) => FormValue::from_initial(value),
            Some(Initial::Many(values)) => {
                FormValue::List(values.iter().map(FormValue::from_initial).collect())
            }
        };
        if prepared && matches!(field.kind, FieldKind::Json) && value.is_none() {
            // `JSONField.prepare_value(None)` is `json.dumps(None)`.
            return FormValue::Text("null".to_owned());
        }
        value
    }

    /// Django's `BoundField.data`: what was submitted for field `index`.
    pub(crate) fn data_value(&self, index: usize) -> FormValue {
        let field = &self.spec.fields[index];
        match &self.state[index].input {
            Some(input) if self.bound => data_value(field, input, false),
            _ => data_value(field, &Input::Missing, false),
        }
    }

    /// Whether a required choice or foreign key shows no blank option
    /// (Django: a required field with a default).
    pub(crate) fn has_blank_choice(&self, index: usize) -> bool {
        let field = &self.spec.fields[index];
        let state = &self.state[index];
        match field.kind {
            FieldKind::Choice { choices } => {
                (!field.required || !state.has_default)
                    && !choices.iter().any(|(key, _)| key.is_empty())
            }
            FieldKind::ForeignKey => !(field.required && state.has_default),
            _ => false,
        }
    }
}

/// Whether `(min, max)` is the full `i64` range: Django's `BigIntegerField`,
/// whose form field carries the range.
pub(crate) fn is_big_integer(min: Option<i64>, max: Option<i64>) -> bool {
    min == Some(i64::MIN) && max == Some(i64::MAX)
}

/// The model-level range error of an integer field's input, if any (the
/// full `i64` range applies when none is given): Django's model
/// `IntegerField` validators, `MinValueValidator` first.
fn model_range_problem(
    input: &Input,
    min: Option<i64>,
    max: Option<i64>,
) -> Option<(String, &'static str)> {
    let value = input_int(input)?;
    let min = min.unwrap_or(i64::MIN);
    let max = max.unwrap_or(i64::MAX);
    if value.less_than(min) {
        return Some((messages::min_value(min), "min_value"));
    }
    if value.greater_than(max) {
        return Some((messages::max_value(max), "max_value"));
    }
    None
}

fn input_int(input: &Input) -> Option<PyInt> {
    match input {
        Input::Text(text) if !text.is_empty() => parse_django_int(text),
        _ => None,
    }
}

/// Django's `value_from_datadict` for the field's widget.
fn input_from_data(field: &FieldSpec, data: &FormData) -> Input {
    match field.kind {
        FieldKind::Boolean => {
            if !data.contains(field.name) {
                return Input::Bool(false);
            }
            let value = data.get(field.name).unwrap_or_default();
            Input::Bool(match value.to_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => !value.is_empty(),
            })
        }
        FieldKind::ManyToMany => Input::List(
            data.get_all(field.name)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ),
        _ => data
            .get(field.name)
            .map_or(Input::Missing, |text| Input::Text(text.to_owned())),
    }
}

/// A JSON member as the shape the field's widget would have submitted.
fn input_from_json(field: &FieldSpec, value: &serde_json::Value) -> Input {
    use serde_json::Value as Json;
    let scalar_text = |value: &Json| match value {
        Json::String(text) => Some(text.clone()),
        Json::Number(number) => Some(number.to_string()),
        _ => None,
    };
    match &field.kind {
        FieldKind::Json => Input::Json(value.clone()),
        FieldKind::Boolean => match value {
            Json::Null => Input::Bool(false),
            Json::Bool(flag) => Input::Bool(*flag),
            Json::Number(number) if number.as_f64() == Some(1.0) => Input::Bool(true),
            Json::Number(number) if number.as_f64() == Some(0.0) => Input::Bool(false),
            Json::String(text) if TRUE_TEXTS.contains(&text.as_str()) => Input::Bool(true),
            Json::String(text) if FALSE_TEXTS.contains(&text.as_str()) => Input::Bool(false),
            _ => Input::WrongType(messages::NOT_A_BOOLEAN.to_owned(), "invalid"),
        },
        FieldKind::ManyToMany => match value {
            Json::Null => Input::List(Vec::new()),
            Json::Array(items) => {
                let mut texts = Vec::with_capacity(items.len());
                for item in items {
                    match scalar_text(item) {
                        Some(text) => texts.push(text),
                        None => {
                            return Input::WrongType(
                                messages::invalid_pk_value(&item.to_string()),
                                "invalid_pk_value",
                            );
                        }
                    }
                }
                Input::List(texts)
            }
            _ => Input::WrongType(messages::INVALID_LIST.to_owned(), "invalid_list"),
        },
        kind => match value {
            Json::Null => Input::Missing,
            other => match scalar_text(other) {
                Some(text) => Input::Text(text),
                None => {
                    let message = match kind {
                        FieldKind::Integer { .. } => messages::INVALID_INTEGER,
                        FieldKind::Float | FieldKind::Decimal { .. } => messages::INVALID_NUMBER,
                        FieldKind::ForeignKey => messages::INVALID_MODEL_CHOICE,
                        _ => messages::NOT_A_STRING,
                    };
                    let code = match kind {
                        FieldKind::ForeignKey => "invalid_choice",
                        _ => "invalid",
                    };
                    Input::WrongType(message.to_owned(), code)
                }
            },
        },
    }
}

/// Django's `BoundField.data`, and — with `for_display` — what
/// `bound_data` + `prepare_value` make of it for the widget.
fn data_value(field: &FieldSpec, input: &Input, for_display: bool) -> FormValue {
    match (&field.kind, input) {
        (FieldKind::Boolean, Input::Missing) => FormValue::Bool(false),
        (FieldKind::ManyToMany, Input::Missing) => FormValue::List(Vec::new()),
        (FieldKind::Json, Input::Missing) if for_display => FormValue::Text("null".to_owned()),
        (FieldKind::Json, Input::Text(text)) if for_display => FormValue::Text(
            pyjson::loads(text).map_or_else(|| text.clone(), |value| pyjson::dumps(&value)),
        ),
        (_, Input::Missing) | (_, Input::WrongType(..)) => FormValue::None,
        (_, Input::Text(text)) => FormValue::Text(text.clone()),
        (_, Input::Bool(flag)) => FormValue::Bool(*flag),
        (_, Input::List(items)) => {
            FormValue::List(items.iter().cloned().map(FormValue::Text).collect())
        }
        (_, Input::Json(value)) => FormValue::Text(pyjson::dumps(&PyJson::from_serde(value))),
    }
}

/// The cleaned value of an empty field.
fn empty_cleaned(kind: &FieldKind) -> Cleaned {
    match kind {
        kind if kind.blank_is_empty_text() => Cleaned::Value(Value::Text(String::new())),
        FieldKind::Boolean => Cleaned::Value(Value::Bool(false)),
        FieldKind::ManyToMany => Cleaned::Values(Vec::new()),
        _ => Cleaned::Value(Value::Null),
    }
}

type Problems = Vec<(String, &'static str)>;

fn problem(message: impl Into<String>, code: &'static str) -> Problems {
    vec![(message.into(), code)]
}

/// Django's `Field.clean` for one field: `to_python`, `validate` (required,
/// choices), `run_validators` (every validator, all errors kept).
fn clean_field(field: &FieldSpec, state: &FieldState, input: &Input) -> Result<Cleaned, Problems> {
    if let Input::WrongType(message, code) = input {
        return Err(problem(message.clone(), code));
    }
    let required = || Err(problem(messages::REQUIRED, "required"));
    let text = match input {
        Input::Text(text) => Some(text.as_str()),
        _ => None,
    };
    match &field.kind {
        FieldKind::Text { max_length }
        | FieldKind::Email { max_length }
        | FieldKind::Url { max_length }
        | FieldKind::Slug { max_length } => {
            let value = py_strip(text.unwrap_or_default());
            if value.is_empty() {
                return if field.required {
                    required()
                } else {
                    Ok(empty_cleaned(&field.kind))
                };
            }
            let value = match field.kind {
                FieldKind::Url { .. } => assume_scheme(value),
                _ => value.to_owned(),
            };
            let mut problems = Problems::new();
            match field.kind {
                FieldKind::Email { .. } if !is_valid_email(&value) => {
                    problems.push((messages::INVALID_EMAIL.to_owned(), "invalid"));
                }
                FieldKind::Url { .. } if !is_valid_url(&value) => {
                    problems.push((messages::INVALID_URL.to_owned(), "invalid"));
                }
                FieldKind::Slug { .. } if !is_valid_slug(&value) => {
                    problems.push((messages::INVALID_SLUG.to_owned(), "invalid"));
                }
                _ => {}
            }
            text_validators(&value, *max_length, &mut problems);
            finish(problems, Value::Text(value))
        }
        FieldKind::Textarea => {
            let value = py_strip(text.unwrap_or_default());
            if value.is_empty() {
                return if field.required {
                    required()
                } else {
                    Ok(empty_cleaned(&field.kind))
                };
            }
            let mut problems = Problems::new();
            text_validators(value, None, &mut problems);
            finish(problems, Value::Text(value.to_owned()))
        }
        FieldKind::Integer { min, max } => {
            let Some(text) = text.filter(|text| !text.is_empty()) else {
                return if field.required {
                    required()
                } else {
                    Ok(Cleaned::Value(Value::Null))
                };
            };
            let value = parse_django_int(text)
                .ok_or_else(|| problem(messages::INVALID_INTEGER, "invalid"))?;
            if is_big_integer(*min, *max) {
                if value.greater_than(i64::MAX) {
                    return Err(problem(messages::max_value(i64::MAX), "max_value"));
                }
                if value.less_than(i64::MIN) {
                    return Err(problem(messages::min_value(i64::MIN), "min_value"));
                }
            }
            // Out-of-range values are reported by the model-level check;
            // this placeholder is never stored.
            Ok(Cleaned::Value(
                value.to_i64().map_or(Value::Null, Value::Int),
            ))
        }
        FieldKind::Float => {
            let Some(text) = text.filter(|text| !text.is_empty()) else {
                return if field.required {
                    required()
                } else {
                    Ok(Cleaned::Value(Value::Null))
                };
            };
            match parse_float(text) {
                Some(value) if value.is_finite() => Ok(Cleaned::Value(Value::Float(value))),
                _ => Err(problem(messages::INVALID_NUMBER, "invalid")),
            }
        }
        FieldKind::Decimal {
            max_digits,
            decimal_places,
        } => {
            let Some(text) = text.filter(|text| !text.is_empty()) else {
                return if field.required {
                    required()
                } else {
                    Ok(Cleaned::Value(Value::Null))
                };
            };
            match parse_decimal(text) {
                Some(PyDecimal::Finite {
                    negative,
                    coefficient,
                    exponent,
                }) => {
                    check_decimal(&coefficient, exponent, *max_digits, *decimal_places)?;
                    let text = quantize(negative, &coefficient, exponent, *decimal_places);
                    Value::decimal(&text)
                        .map(Cleaned::Value)
                        .map_err(|_| problem(messages::INVALID_NUMBER, "invalid"))
                }
                _ => Err(problem(messages::INVALID_NUMBER, "invalid")),
            }
        }
        FieldKind::Boolean => {
            let value = matches!(input, Input::Bool(true));
            if field.required && !value {
                return required();
            }
            Ok(Cleaned::Value(Value::Bool(value)))
        }
        FieldKind::Date | FieldKind::DateTime => {
            let Some(text) = text.filter(|text| !text.is_empty()) else {
                return if field.required {
                    required()
                } else {
                    Ok(Cleaned::Value(Value::Null))
                };
            };
            if matches!(field.kind, FieldKind::Date) {
                parse_date(text)
                    .map(|date| Cleaned::Value(Value::Date(date)))
                    .ok_or_else(|| problem(messages::INVALID_DATE, "invalid"))
            } else {
                parse_datetime(text)
                    .map(|datetime| Cleaned::Value(Value::DateTime(datetime)))
                    .ok_or_else(|| problem(messages::INVALID_DATETIME, "invalid"))
            }
        }
        FieldKind::Uuid => {
            let value = py_strip(text.unwrap_or_default());
            if value.is_empty() {
                return if field.required {
                    required()
                } else {
                    Ok(Cleaned::Value(Value::Null))
                };
            }
            parse_uuid(value)
                .map(|uuid| Cleaned::Value(Value::Uuid(uuid)))
                .ok_or_else(|| problem(messages::INVALID_UUID, "invalid"))
        }
        FieldKind::Json => {
            let document = match input {
                Input::Json(value) => Some(PyJson::from_serde(value)),
                Input::Text(text) if !text.is_empty() => Some(
                    pyjson::loads(text)
                        .ok_or_else(|| problem(messages::INVALID_JSON, "invalid"))?,
                ),
                _ => None,
            };
            let document = document.filter(|document| *document != PyJson::Null);
            let Some(document) = document else {
                return if field.required {
                    required()
                } else {
                    Ok(Cleaned::Value(Value::Null))
                };
            };
            if let PyJson::Str(text) = &document
                && has_null(text)
            {
                return Err(problem(
                    messages::NULL_CHARACTERS,
                    "null_characters_not_allowed",
                ));
            }
            document
                .to_serde()
                .map(|json| Cleaned::Value(Value::Json(json)))
                .ok_or_else(|| problem(messages::INVALID_JSON, "invalid"))
        }
        FieldKind::Choice { choices } => {
            let value = text.unwrap_or_default();
            if value.is_empty() {
                return if field.required {
                    required()
                } else {
                    Ok(empty_cleaned(&field.kind))
                };
            }
            if choices.iter().any(|(key, _)| *key == value) {
                Ok(Cleaned::Value(Value::Text(value.to_owned())))
            } else {
                Err(problem(messages::invalid_choice(value), "invalid_choice"))
            }
        }
        FieldKind::ForeignKey => {
            let value = text.unwrap_or_default();
            if value.is_empty() {
                return if field.required {
                    required()
                } else {
                    Ok(Cleaned::Value(Value::Null))
                };
            }
            if has_null(value) {
                return Err(problem(
                    messages::NULL_CHARACTERS,
                    "null_characters_not_allowed",
                ));
            }
            find_choice(state, value)
                .map(Cleaned::Value)
                .ok_or_else(|| problem(messages::INVALID_MODEL_CHOICE, "invalid_choice"))
        }
        FieldKind::ManyToMany => {
            let values: Vec<&str> = match input {
                Input::List(items) => items.iter().map(String::as_str).collect(),
                Input::Text(text) => vec![text.as_str()],
                _ => Vec::new(),
            };
            if values.is_empty() {
                return if field.required {
                    required()
                } else {
                    Ok(Cleaned::Values(Vec::new()))
                };
            }
            let mut unique: Vec<&str> = Vec::with_capacity(values.len());
            for value in values {
                if !unique.contains(&value) {
                    unique.push(value);
                }
            }
            for value in &unique {
                if has_null(value) {
                    return Err(problem(
                        messages::NULL_CHARACTERS,
                        "null_characters_not_allowed",
                    ));
                }
                if !pk_text_is_valid(state, value) {
                    return Err(problem(
                        messages::invalid_pk_value(value),
                        "invalid_pk_value",
                    ));
                }
            }
            let mut chosen = Vec::with_capacity(unique.len());
            for value in unique {
                match find_choice(state, value) {
                    Some(pk) if !chosen.contains(&pk) => chosen.push(pk),
                    Some(_) => {}
                    None => return Err(problem(messages::invalid_choice(value), "invalid_choice")),
                }
            }
            Ok(Cleaned::Values(chosen))
        }
    }
}

fn finish(problems: Problems, value: Value) -> Result<Cleaned, Problems> {
    if problems.is_empty() {
        Ok(Cleaned::Value(value))
    } else {
        Err(problems)
    }
}

/// `MaxLengthValidator` and `ProhibitNullCharactersValidator`, after the
/// field's own validator.
fn text_validators(value: &str, max_length: Option<u32>, problems: &mut Problems) {
    if let Some(limit) = max_length {
        let length = value.chars().count();
        if length > limit as usize {
            problems.push((messages::max_length(u64::from(limit), length), "max_length"));
        }
    }
    if has_null(value) {
        problems.push((
            messages::NULL_CHARACTERS.to_owned(),
            "null_characters_not_allowed",
        ));
    }
}

/// `URLField.to_python`: `https://` before a value without a scheme.
fn assume_scheme(value: &str) -> String {
    let scheme = value.split_once(':').map(|(scheme, _)| scheme);
    let has_scheme = scheme.is_some_and(|scheme| {
        scheme
            .chars()
            .next()
            .is_some_and(|first| first.is_ascii_alphabetic())
            && !scheme.contains('/')
    });
    if has_scheme {
        value.to_owned()
    } else if value.starts_with("//") {
        format!("https:{value}")
    } else {
        format!("https://{value}")
    }
}

/// Django's `DecimalValidator`.
fn check_decimal(
    coefficient: &str,
    exponent: i64,
    max_digits: u32,
    decimal_places: u32,
) -> Result<(), Problems> {
    let length = i64::try_from(coefficient.len()).unwrap_or(i64::MAX);
    let (digits, decimals) = if exponent >= 0 {
        let digits = if coefficient == "0" {
            length
        } else {
            length.saturating_add(exponent)
        };
        (digits, 0)
    } else if exponent.unsigned_abs() > length.unsigned_abs() {
        (exponent.saturating_abs(), exponent.saturating_abs())
    } else {
        (length, exponent.saturating_abs())
    };
    let whole_digits = digits - decimals;
    if digits > i64::from(max_digits) {
        return Err(problem(messages::max_digits(max_digits), "max_digits"));
    }
    if decimals > i64::from(decimal_places) {
        return Err(problem(
            messages::max_decimal_places(decimal_places),
            "max_decimal_places",
        ));
    }
    let whole_limit = max_digits.saturating_sub(decimal_places);
    if whole_digits > i64::from(whole_limit) {
        return Err(problem(
            messages::max_whole_digits(whole_limit),
            "max_whole_digits",
        ));
    }
    Ok(())
}

/// `coefficient × 10^exponent` as text with exactly `places` decimals (the
/// validator has ensured no digit is lost).
fn quantize(negative: bool, coefficient: &str, exponent: i64, places: u32) -> String {
    // Zero passes the validator with any exponent (`0E+999999999`).
    let exponent = if coefficient == "0" { 0 } else { exponent };
    let places = places as usize;
    let mut digits = coefficient.to_owned();
    let mut scale: usize;
    if exponent >= 0 {
        digits.extend(std::iter::repeat_n(
            '0',
            usize::try_from(exponent).unwrap_or(0),
        ));
        scale = 0;
    } else {
        scale = usize::try_from(exponent.unsigned_abs()).unwrap_or(0);
    }
    while scale < places {
        digits.push('0');
        scale += 1;
    }
    if digits.len() <= scale {
        let padding = scale + 1 - digits.len();
        digits.insert_str(0, &"0".repeat(padding));
    }
    let point = digits.len() - scale;
    let mut out = String::with_capacity(digits.len() + 2);
    if negative {
        out.push('-');
    }
    out.push_str(&digits[..point]);
    if scale > 0 {
        out.push('.');
        out.push_str(&digits[point..]);
    }
    out
}

/// Whether `value` can be a primary key of the relation's type (Django
/// refuses `"abc"` for an integer key before looking it up).
fn pk_text_is_valid(state: &FieldState, value: &str) -> bool {
    match state.pk_kind.unwrap_or(PkKind::Int) {
        PkKind::Int => parse_int(value).is_some(),
        PkKind::Uuid => parse_uuid(py_strip(value)).is_some(),
        PkKind::Text => true,
    }
}

/// The typed primary key of the choice `value` designates, as the database
/// lookup `pk = value` would find it.
fn find_choice(state: &FieldState, value: &str) -> Option<Value> {
    match state.pk_kind? {
        PkKind::Int => {
            let wanted = parse_int(value)?.to_i64()?;
            state
                .choices
                .iter()
                .find_map(|(key, _)| key.parse::<i64>().ok().filter(|pk| *pk == wanted))
                .map(Value::Int)
        }
        PkKind::Uuid => {
            let wanted = parse_uuid(py_strip(value))?;
            state
                .choices
                .iter()
                .find_map(|(key, _)| uuid::Uuid::parse_str(key).ok().filter(|pk| *pk == wanted))
                .map(Value::Uuid)
        }
        PkKind::Text => state
            .choices
            .iter()
            .find(|(key, _)| key == value)
            .map(|(key, _)| Value::Text(key.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantize_pads_to_the_places() {
        assert_eq!(quantize(false, "1", 2, 2), "100.00");
        assert_eq!(quantize(false, "15", -1, 2), "1.50");
        assert_eq!(quantize(true, "15", 0, 0), "-15");
        assert_eq!(quantize(false, "1", -7, 7), "0.0000001");
        assert_eq!(quantize(false, "0", 5, 2), "0.00");
        assert_eq!(quantize(true, "0", i64::MAX / 4, 1), "-0.0");
    }

    #[test]
    fn url_scheme_is_assumed_like_django() {
        assert_eq!(assume_scheme("example.com"), "https://example.com");
        assert_eq!(assume_scheme("//example.com"), "https://example.com");
        assert_eq!(assume_scheme("1:2"), "https://1:2");
        assert_eq!(assume_scheme("a:b"), "a:b");
        assert_eq!(assume_scheme("a/b:c"), "https://a/b:c");
    }
}
