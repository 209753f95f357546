//! Django's English validation messages, word for word.
//!
//! Input: the values a message names (limits, the offending value, labels).
//! Output: the message text Django 6.1 shows for `LANGUAGE_CODE = "en-us"`,
//! with its `ngettext` singular/plural choice. The unique and constraint
//! messages are for generated code, which checks those against the
//! database and reports them with [`crate::forms::Form::add_error`].

/// `Field.default_error_messages["required"]`.
pub const REQUIRED: &str = "This field is required.";
/// `ProhibitNullCharactersValidator`.
pub const NULL_CHARACTERS: &str = "Null characters are not allowed.";
/// `EmailValidator`.
pub const INVALID_EMAIL: &str = "Enter a valid email address.";
/// `URLValidator` and `URLField`.
pub const INVALID_URL: &str = "Enter a valid URL.";
/// `validate_slug`.
pub const INVALID_SLUG: &str =
    "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.";
/// `UUIDField`.
pub const INVALID_UUID: &str = "Enter a valid UUID.";
/// `JSONField`.
pub const INVALID_JSON: &str = "Enter a valid JSON.";
/// `IntegerField`.
pub const INVALID_INTEGER: &str = "Enter a whole number.";
/// `FloatField`, `DecimalField`.
pub const INVALID_NUMBER: &str = "Enter a number.";
/// `DateField`.
pub const INVALID_DATE: &str = "Enter a valid date.";
/// `DateTimeField`.
pub const INVALID_DATETIME: &str = "Enter a valid date/time.";
/// `ModelChoiceField` (a foreign key that is not among the choices).
pub const INVALID_MODEL_CHOICE: &str =
    "Select a valid choice. That choice is not one of the available choices.";
/// `ModelMultipleChoiceField`: a value that is not a list.
pub const INVALID_LIST: &str = "Enter a list of values.";
/// JSON input: a text field given an array, an object or a boolean (the
/// message of Django REST Framework's `CharField`).
pub const NOT_A_STRING: &str = "Not a valid string.";
/// JSON input: a boolean field given something else (Django REST
/// Framework's `BooleanField`).
pub const NOT_A_BOOLEAN: &str = "Must be a valid boolean.";

/// `ChoiceField`, `MultipleChoiceField`, `ModelMultipleChoiceField`:
/// `Select a valid choice. VALUE is not one of the available choices.`
pub fn invalid_choice(value: &str) -> String {
    format!("Select a valid choice. {value} is not one of the available choices.")
}

/// `ModelMultipleChoiceField`: a value that is not a primary key at all.
pub fn invalid_pk_value(value: &str) -> String {
    format!("“{value}” is not a valid value.")
}

/// `MaxLengthValidator`.
pub fn max_length(limit: u64, length: usize) -> String {
    let noun = if limit == 1 {
        "character"
    } else {
        "characters"
    };
    format!("Ensure this value has at most {limit} {noun} (it has {length}).")
}

/// `MaxValueValidator`.
pub fn max_value(limit: i64) -> String {
    format!("Ensure this value is less than or equal to {limit}.")
}

/// `MinValueValidator`.
pub fn min_value(limit: i64) -> String {
    format!("Ensure this value is greater than or equal to {limit}.")
}

/// `DecimalValidator`: too many digits.
pub fn max_digits(limit: u32) -> String {
    let noun = if limit == 1 { "digit" } else { "digits" };
    format!("Ensure that there are no more than {limit} {noun} in total.")
}

/// `DecimalValidator`: too many decimal places.
pub fn max_decimal_places(limit: u32) -> String {
    let noun = if limit == 1 {
        "decimal place"
    } else {
        "decimal places"
    };
    format!("Ensure that there are no more than {limit} {noun}.")
}

/// `DecimalValidator`: too many digits before the point.
pub fn max_whole_digits(limit: u32) -> String {
    let noun = if limit == 1 { "digit" } else { "digits" };
    format!("Ensure that there are no more than {limit} {noun} before the decimal point.")
}

/// Python's `capfirst`: the first character in upper case.
pub fn capfirst(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Django's `get_text_list(items, "and")`: `A`, `A and B`, `A, B and C`.
pub fn text_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `Model.unique_error_message` for one `unique` field:
/// `Blog post with this Slug already exists.` (`model_verbose_name` as in
/// [`crate::forms::FormSpec`], `field_label` the field's label). Django
/// attaches it to the field.
pub fn unique(model_verbose_name: &str, field_label: &str) -> String {
    format!(
        "{} with this {} already exists.",
        capfirst(model_verbose_name),
        capfirst(field_label)
    )
}

/// `Model.unique_error_message` for `unique (a, b)`:
/// `Blog post with this Author and Title already exists.` Django reports
/// it as a non-field error.
pub fn unique_together(model_verbose_name: &str, field_labels: &[&str]) -> String {
    let labels: Vec<String> = field_labels.iter().map(|label| capfirst(label)).collect();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    format!(
        "{} with this {} already exists.",
        capfirst(model_verbose_name),
        text_list(&labels)
    )
}

/// `BaseConstraint.violation_error_message` of a `check (…)` constraint:
/// `Constraint “NAME” is violated.` (a non-field error).
pub fn constraint_violated(name: &str) -> String {
    format!("Constraint “{name}” is violated.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_follow_the_limit() {
        assert_eq!(
            max_length(1, 2),
            "Ensure this value has at most 1 character (it has 2)."
        );
        assert_eq!(
            max_digits(1),
            "Ensure that there are no more than 1 digit in total."
        );
        assert_eq!(
            max_whole_digits(4),
            "Ensure that there are no more than 4 digits before the decimal point."
        );
    }

    #[test]
    fn unique_messages_read_like_django() {
        assert_eq!(
            unique("blog post", "Slug"),
            "Blog post with this Slug already exists."
        );
        assert_eq!(
            unique_together("blog post", &["author", "Title", "slug"]),
            "Blog post with this Author, Title and Slug already exists."
        );
        assert_eq!(
            constraint_violated("price_positive"),
            "Constraint “price_positive” is violated."
        );
    }
}
