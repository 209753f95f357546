//! The static description of a form: which fields, of which kind, with
//! which label, help text and limits.
//!
//! Input: nothing at run time — generated code declares one [`FormSpec`] per
//! `create`/`update`/JSON view as a `static`, derived from the model fields
//! the way Django's `ModelForm` derives form fields. Output: the facts the
//! validation and rendering code reads; no behaviour lives here beyond a few
//! Django names (widget types) that follow from the kind alone.

/// A form: the model it edits and its fields, in the view's `fields` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormSpec {
    /// The model's verbose name, lower case (`"blog post"`), for the unique
    /// and constraint messages (see [`crate::forms::messages`]).
    pub model_verbose_name: &'static str,
    /// The form's fields, in display order.
    pub fields: &'static [FieldSpec],
}

impl FormSpec {
    /// The field named `name` (the model field name, which is also the HTML
    /// name), if the form has it.
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// The position of field `name` in [`FormSpec::fields`].
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|field| field.name == name)
    }
}

/// One form field, as Django's `Field.formfield()` would build it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The model field's name; also the HTML `name` (`"author"`, not `"author_id"`).
    pub name: &'static str,
    /// Django's label: the verbose name with its first letter capitalised
    /// (`"Published at"`).
    pub label: &'static str,
    /// Help text, shown under the field; rendered as HTML, like Django's
    /// `{{ field.help_text|safe }}` in its form templates.
    pub help_text: &'static str,
    /// Whether a value is needed (the model field is not `blank`). Boolean
    /// fields are required only when declared so: Django's ModelForm makes
    /// `BooleanField`s `required=False`, and generated code passes `false`.
    pub required: bool,
    /// The kind of value, which decides the widget and the cleaning.
    pub kind: FieldKind,
}

impl FieldSpec {
    /// `field.disabled` in templates: djinn's form fields are never disabled.
    pub fn disabled(&self) -> bool {
        false
    }

    /// Django's `BoundField.widget_type`: the widget class name in lower case
    /// without its `Input`/`Widget` suffix.
    pub fn widget_type(&self) -> &'static str {
        match self.kind {
            FieldKind::Text { .. } | FieldKind::Slug { .. } | FieldKind::Uuid => "text",
            FieldKind::Date => "date",
            FieldKind::DateTime => "datetime",
            FieldKind::Textarea | FieldKind::Json => "textarea",
            FieldKind::Email { .. } => "email",
            FieldKind::Url { .. } => "url",
            FieldKind::Integer { .. } | FieldKind::Float | FieldKind::Decimal { .. } => "number",
            FieldKind::Boolean => "checkbox",
            FieldKind::Choice { .. } | FieldKind::ForeignKey => "select",
            FieldKind::ManyToMany => "selectmultiple",
        }
    }

    /// Whether the field holds several values (a many-to-many relation).
    pub fn is_multiple(&self) -> bool {
        matches!(self.kind, FieldKind::ManyToMany)
    }
}

/// The kind of a form field: Django's form field class and widget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// `CharField`: a `TextInput` with `maxlength`.
    Text {
        /// The most characters allowed.
        max_length: Option<u32>,
    },
    /// `TextField`: a `Textarea` (40 columns, 10 rows).
    Textarea,
    /// `EmailField`: an `EmailInput`; validated like Django's `EmailValidator`.
    Email {
        /// The most characters allowed (254 by default in models).
        max_length: Option<u32>,
    },
    /// `URLField`: a `URLInput`; `https://` is prepended when no scheme is
    /// given; validated like Django's `URLValidator`.
    Url {
        /// The most characters allowed (200 by default in models).
        max_length: Option<u32>,
    },
    /// `SlugField`: letters, digits, `-` and `_`.
    Slug {
        /// The most characters allowed (50 by default in models).
        max_length: Option<u32>,
    },
    /// `IntegerField` / `BigIntegerField`: a `NumberInput`. Generated code
    /// passes the column's range: `-2147483648..=2147483647` for `int`, and
    /// the full `i64` range for `bigint`. The full `i64` range is what
    /// Django's `BigIntegerField` gives its form field, so it is also
    /// rendered as `min`/`max` attributes and checked with the field;
    /// any other range is checked afterwards, as Django's model validation
    /// does for `IntegerField`.
    Integer {
        /// The smallest value allowed.
        min: Option<i64>,
        /// The largest value allowed.
        max: Option<i64>,
    },
    /// `FloatField`: a `NumberInput` with `step="any"`.
    Float,
    /// `DecimalField`: a `NumberInput` with the step of the last place.
    Decimal {
        /// The most digits in total.
        max_digits: u32,
        /// The most digits after the decimal point.
        decimal_places: u32,
    },
    /// `BooleanField`: a `CheckboxInput`.
    Boolean,
    /// `DateField`: a text `DateInput`; Django's `DATE_INPUT_FORMATS`.
    Date,
    /// `DateTimeField`: a text `DateTimeInput`; ISO 8601 and Django's
    /// `DATETIME_INPUT_FORMATS`; times without an offset are UTC.
    DateTime,
    /// `UUIDField`: a `TextInput`.
    Uuid,
    /// `JSONField`: a `Textarea` holding JSON text.
    Json,
    /// A model field with `choices` (`TypedChoiceField`): a `Select`. The
    /// blank option (`- Select an option -`) is offered when the field is not
    /// required or has no default (see [`crate::forms::Form::with_default`]).
    Choice {
        /// `(stored value, label)` pairs.
        choices: &'static [(&'static str, &'static str)],
    },
    /// `ForeignKey` / `OneToOneField` (`ModelChoiceField`): a `Select` of the
    /// rows given at run time by [`crate::forms::Form::set_choices`], with a
    /// blank option unless the field is required and has a default.
    ForeignKey,
    /// `ManyToManyField` (`ModelMultipleChoiceField`): a `SelectMultiple` of
    /// the rows given at run time.
    ManyToMany,
}

impl FieldKind {
    /// Whether a blank value cleans to empty text (`""`) rather than `NULL`:
    /// Django's `CharField`s (text, textarea, email, URL, slug, choices).
    /// Generated code stores `NULL` instead for `null` fields.
    pub fn blank_is_empty_text(&self) -> bool {
        matches!(
            self,
            FieldKind::Text { .. }
                | FieldKind::Textarea
                | FieldKind::Email { .. }
                | FieldKind::Url { .. }
                | FieldKind::Slug { .. }
                | FieldKind::Choice { .. }
        )
    }
}
