//! Django's built-in template filters, one small function per filter.
//!
//! Input: concrete Rust values (the compiler knows each expression's type and
//! converts a value with [`DjangoStr::django_str`](crate::template::DjangoStr::django_str)
//! before calling a string filter, as Django's `@stringfilter` does); output: the
//! filter's result as a concrete type. Results that Django marks safe are
//! [`SafeString`](crate::template::SafeString)s; for the others the compiler uses
//! [`FILTER_FLAGS`] to decide whether a safe input keeps the result safe.
//! Filters that change with autoescaping take `autoescape: bool`, exactly where
//! Django's filter has `needs_autoescape=True`; callers pass
//! `autoescape && !input_is_safe` where Django checks `isinstance(value, SafeData)`.
//!
//! Safety rules for the caller, as in Django's `FilterExpression.resolve`:
//! a result is safe when its type says so ([`SafeString`](crate::template::SafeString),
//! or an [`Either`](crate::template::Either) holding a safe value), or when the
//! filter's `is_safe` flag is set and its input was safe (wrap it in
//! [`Safe`](crate::template::Safe)). Filters that hand back the value itself
//! (`default`, `default_if_none`, `first`, …) should get a safe value wrapped
//! in `Safe`, and string literals in templates are safe too (pass literal
//! arguments as `Safe(text)` to `join`, `default` and `json_script`).

pub mod args;
pub mod dates;
pub mod floatformat;
pub mod html;
pub mod lists;
pub mod logic;
pub mod numbers;
pub mod stringformat;
pub mod text;
pub mod truncate;
pub mod urlize;
pub mod urls;

use std::fmt;

/// A filter failure that makes Django's rendering fail (an uncaught Python
/// exception such as `TypeError` or `ValueError`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    /// The Python exception's type name.
    pub exception: &'static str,
    /// The exception's message.
    pub message: String,
}

impl FilterError {
    /// An error with Python's exception type name and message.
    pub fn new(exception: &'static str, message: impl Into<String>) -> Self {
        FilterError {
            exception,
            message: message.into(),
        }
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.exception, self.message)
    }
}

impl std::error::Error for FilterError {}

/// How a filter treats HTML safety, as registered in Django.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilterFlags {
    /// The filter's name in templates.
    pub name: &'static str,
    /// Django's `is_safe`: a safe input gives a safe result (for results that
    /// are not already a `SafeString`).
    pub is_safe: bool,
    /// Django's `needs_autoescape`: the function takes `autoescape: bool`.
    pub needs_autoescape: bool,
}

const fn flags(name: &'static str, is_safe: bool, needs_autoescape: bool) -> FilterFlags {
    FilterFlags {
        name,
        is_safe,
        needs_autoescape,
    }
}

/// Django's registration flags for every filter this module implements,
/// sorted by name. `cut` is special: its result is safe when the input is safe
/// and the argument is not `";"`.
pub const FILTER_FLAGS: &[FilterFlags] = &[
    flags("add", false, false),
    flags("addslashes", true, false),
    flags("capfirst", true, false),
    flags("center", true, false),
    flags("cut", false, false),
    flags("date", false, false),
    flags("default", false, false),
    flags("default_if_none", false, false),
    flags("dictsort", false, false),
    flags("dictsortreversed", false, false),
    flags("divisibleby", false, false),
    flags("escape", true, false),
    flags("escapejs", false, false),
    flags("filesizeformat", true, false),
    flags("first", false, false),
    flags("floatformat", true, false),
    flags("force_escape", true, false),
    flags("join", true, true),
    flags("json_script", true, false),
    flags("last", true, false),
    flags("length", false, false),
    flags("linebreaks", true, true),
    flags("linebreaksbr", true, true),
    flags("linenumbers", true, true),
    flags("ljust", true, false),
    flags("lower", true, false),
    flags("make_list", false, false),
    flags("pluralize", false, false),
    flags("rjust", true, false),
    flags("safe", true, false),
    flags("safeseq", true, false),
    flags("slice", true, false),
    flags("slugify", true, false),
    flags("stringformat", true, false),
    flags("striptags", true, false),
    flags("time", false, false),
    flags("title", true, false),
    flags("truncatechars", true, false),
    flags("truncatechars_html", true, false),
    flags("truncatewords", true, false),
    flags("truncatewords_html", true, false),
    flags("unordered_list", true, true),
    flags("upper", false, false),
    flags("urlencode", false, false),
    flags("urlize", true, true),
    flags("urlizetrunc", true, true),
    flags("wordcount", false, false),
    flags("wordwrap", true, false),
    flags("yesno", false, false),
];

/// The flags of the filter named `name`, if this module implements it.
pub fn filter_flags(name: &str) -> Option<FilterFlags> {
    FILTER_FLAGS
        .binary_search_by(|entry| entry.name.cmp(name))
        .ok()
        .map(|index| FILTER_FLAGS[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_sorted_and_found() {
        assert!(
            FILTER_FLAGS
                .windows(2)
                .all(|pair| pair[0].name < pair[1].name)
        );
        assert_eq!(
            filter_flags("urlize").map(|f| f.needs_autoescape),
            Some(true)
        );
        assert_eq!(filter_flags("nope"), None);
    }
}
