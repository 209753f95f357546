//! Filter signatures: what each of Django's built-in filters accepts and gives.
//!
//! Input: a filter's name, the [`Type`] of the value it filters and its
//! argument (type, and the literal when one is written). Output: the type of
//! the result — safety included, following each filter's `is_safe` and
//! whether it returns a `SafeString` (as `runtime/src/template/filters`
//! documents) — or a [`FilterProblem`] the checker turns into E0709, E0710
//! or E0711. Django fails silently (an empty string, the value unchanged) on
//! most of these problems; djinn rejects them.

use super::types::Type;

/// Every filter of Django's built-in library, for did-you-mean.
pub(super) const DJANGO_FILTERS: &[&str] = &[
    "add",
    "addslashes",
    "capfirst",
    "center",
    "cut",
    "date",
    "default",
    "default_if_none",
    "dictsort",
    "dictsortreversed",
    "divisibleby",
    "escape",
    "escapejs",
    "escapeseq",
    "filesizeformat",
    "first",
    "floatformat",
    "force_escape",
    "get_digit",
    "iriencode",
    "join",
    "json_script",
    "last",
    "length",
    "linebreaks",
    "linebreaksbr",
    "linenumbers",
    "ljust",
    "lower",
    "make_list",
    "phone2numeric",
    "pluralize",
    "pprint",
    "random",
    "rjust",
    "safe",
    "safeseq",
    "slice",
    "slugify",
    "stringformat",
    "striptags",
    "time",
    "timesince",
    "timeuntil",
    "title",
    "truncatechars",
    "truncatechars_html",
    "truncatewords",
    "truncatewords_html",
    "unordered_list",
    "upper",
    "urlencode",
    "urlize",
    "urlizetrunc",
    "wordcount",
    "wordwrap",
    "yesno",
];

/// Built-in Django filters djinn does not compile.
const UNSUPPORTED: &[&str] = &[
    "escapeseq",
    "get_digit",
    "iriencode",
    "phone2numeric",
    "pprint",
    "random",
    "timesince",
    "timeuntil",
];

/// A filter's argument as the checker saw it.
#[derive(Clone, Debug)]
pub(super) struct FilterArg {
    /// Its type (a string literal is safe text).
    pub ty: Type,
    /// The literal, when the argument is one.
    pub literal: Option<Literal>,
}

/// A literal argument.
#[derive(Clone, Debug)]
pub(super) enum Literal {
    /// `"text"`
    Str(String),
    /// `42`, `1.5` as written.
    Number(String),
}

/// Why a filter cannot apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum FilterProblem {
    /// Not a Django filter (E0709).
    Unknown,
    /// A Django filter djinn does not compile (E0709).
    Unsupported,
    /// The filter needs an argument (E0710).
    MissingArgument,
    /// The filter takes no argument (E0710).
    UnexpectedArgument,
    /// The argument has the wrong type or value (E0710): why.
    BadArgument(String),
    /// The filtered value has a type the filter cannot handle (E0711): what
    /// the filter needs.
    BadInput(&'static str),
}

/// Whether a filter takes an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ArgRule {
    /// `|upper`
    None,
    /// `|date` or `|date:"Y"`
    Optional,
    /// `|truncatewords:30`
    Required,
}

/// The argument rule of a known filter.
pub(super) fn arg_rule(name: &str) -> ArgRule {
    match name {
        "add" | "center" | "cut" | "default" | "default_if_none" | "dictsort"
        | "dictsortreversed" | "divisibleby" | "join" | "ljust" | "rjust" | "slice"
        | "stringformat" | "truncatechars" | "truncatechars_html" | "truncatewords"
        | "truncatewords_html" | "urlizetrunc" | "wordwrap" => ArgRule::Required,
        "date" | "time" | "floatformat" | "json_script" | "pluralize" | "urlencode" | "yesno" => {
            ArgRule::Optional
        }
        _ => ArgRule::None,
    }
}

/// How the filter is written with its argument, for help lines.
pub(super) fn example(name: &str) -> String {
    let arg = match name {
        "add" => "1",
        "center" | "ljust" | "rjust" | "wordwrap" => "20",
        "cut" => "\" \"",
        "date" => "\"Y-m-d\"",
        "time" => "\"H:i\"",
        "default" | "default_if_none" => "\"n/a\"",
        "dictsort" | "dictsortreversed" => "\"name\"",
        "divisibleby" => "2",
        "join" => "\", \"",
        "slice" => "\":5\"",
        "stringformat" => "\"05d\"",
        "truncatechars" | "truncatechars_html" => "30",
        "truncatewords" | "truncatewords_html" | "urlizetrunc" => "10",
        "floatformat" => "2",
        "json_script" => "\"data\"",
        "pluralize" => "\"y,ies\"",
        "urlencode" => "\"/\"",
        "yesno" => "\"yes,no,maybe\"",
        _ => return format!("|{name}"),
    };
    format!("|{name}:{arg}")
}

/// Whether `name` is a filter djinn compiles.
pub(super) fn lookup(name: &str) -> Result<(), FilterProblem> {
    if UNSUPPORTED.contains(&name) {
        Err(FilterProblem::Unsupported)
    } else if DJANGO_FILTERS.contains(&name) {
        Ok(())
    } else {
        Err(FilterProblem::Unknown)
    }
}

/// The result type of `value|name:arg`. The filter exists and its argument
/// is present when required and absent when not allowed (checked before).
pub(super) fn apply(
    name: &str,
    input: &Type,
    arg: Option<&FilterArg>,
) -> Result<Type, FilterProblem> {
    let value = input.strip();
    match name {
        // Text in, text out; `is_safe=True` keeps a safe input safe.
        "addslashes" | "capfirst" | "lower" | "slugify" | "striptags" | "title" => {
            text_input(input)?;
            Ok(keep_safety(input))
        }
        "upper" | "urlencode" => {
            text_input(input)?;
            if let Some(arg) = arg {
                text_arg(arg)?;
            }
            Ok(Type::Str)
        }
        "center" | "ljust" | "rjust" | "truncatechars" | "truncatewords" | "truncatechars_html"
        | "truncatewords_html" | "wordwrap" => {
            text_input(input)?;
            int_arg(arg.expect("required"))?;
            Ok(keep_safety(input))
        }
        "escapejs" | "force_escape" | "linebreaks" | "linebreaksbr" | "linenumbers" | "urlize"
        | "safe" => {
            text_input(input)?;
            Ok(Type::SafeStr)
        }
        "urlizetrunc" => {
            text_input(input)?;
            int_arg(arg.expect("required"))?;
            Ok(Type::SafeStr)
        }
        "escape" => {
            not_a_manager(input)?;
            Ok(Type::SafeStr)
        }
        "wordcount" => {
            text_input(input)?;
            Ok(Type::Int)
        }
        "make_list" => {
            text_input(input)?;
            Ok(Type::List(Box::new(Type::Str)))
        }
        "cut" => {
            text_input(input)?;
            let arg = arg.expect("required");
            let cut = text_arg(arg)?;
            // Safe input stays safe unless the argument is ";" (Django's special case).
            Ok(match cut {
                Some(text) if text == ";" => Type::Str,
                Some(_) => keep_safety(input),
                None if input.is_safe() => Type::SafeStr.either(Type::Str),
                None => Type::Str,
            })
        }
        "date" | "time" => {
            let is_date = name == "date";
            match value {
                Type::DateTime => {}
                Type::Date if is_date => {}
                Type::Date => {
                    return Err(FilterProblem::BadInput(
                        "a datetime (on a date, `time` always gives an empty string)",
                    ));
                }
                _ if is_date => return Err(FilterProblem::BadInput("a date or a datetime")),
                _ => return Err(FilterProblem::BadInput("a datetime")),
            }
            if let Some(arg) = arg
                && let Some(format) = text_arg(arg)?
            {
                check_date_format(&format, is_date, *value == Type::Date)?;
            }
            Ok(Type::Str)
        }
        "default" => Ok(input
            .strip()
            .clone()
            .either(arg.expect("required").ty.clone())),
        "default_if_none" => {
            let arg = arg.expect("required").ty.clone();
            Ok(match input {
                Type::Optional(inner) => (**inner).clone().either(arg),
                Type::Fallible(inner) => match inner.as_ref() {
                    Type::Optional(value) => (**value).clone().fallible().either(arg),
                    _ => input.clone(),
                },
                Type::None => arg,
                other => other.clone(),
            })
        }
        "dictsort" | "dictsortreversed" => {
            let element = list_input(input)?;
            Ok(Type::List(Box::new(element)))
        }
        "divisibleby" => {
            if !every(value, |t| t.is_number() || t.is_text()) {
                return Err(FilterProblem::BadInput("an integer"));
            }
            if int_arg(arg.expect("required"))? == Some(0) {
                return Err(FilterProblem::BadArgument(
                    "division by zero fails the page".into(),
                ));
            }
            Ok(Type::Bool)
        }
        "filesizeformat" => {
            if !every(value, |t| t.is_number() || t.is_text() || *t == Type::None) {
                return Err(FilterProblem::BadInput("a number of bytes"));
            }
            Ok(Type::Str)
        }
        "first" | "last" => match value {
            Type::Str | Type::SafeStr => Ok(if name == "last" {
                keep_safety(input)
            } else {
                Type::Str
            }),
            Type::ErrorList => Ok(Type::Str),
            Type::Json => Ok(Type::Json.either(Type::Str)),
            _ => {
                let element = list_input(input)?;
                // An empty list gives "".
                Ok(element.either(Type::Str))
            }
        },
        "floatformat" => {
            if !every(value, |t| t.is_number() || t.is_text() || *t == Type::None) {
                return Err(FilterProblem::BadInput("a number"));
            }
            if let Some(arg) = arg {
                floatformat_arg(arg)?;
            }
            Ok(Type::SafeStr)
        }
        "join" => {
            if !value.is_text() {
                let element = list_input(input)?;
                if !printable(&element) {
                    return Err(FilterProblem::BadInput(
                        "a list of values that print as text",
                    ));
                }
            }
            text_arg(arg.expect("required"))?;
            Ok(Type::SafeStr)
        }
        "json_script" => {
            if !serializable(input) {
                return Err(FilterProblem::BadInput(
                    "a value JSON can represent (text, numbers, booleans, dates, lists, json)",
                ));
            }
            if let Some(arg) = arg {
                text_arg(arg)?;
            }
            Ok(Type::SafeStr)
        }
        "length" => {
            if !has_length(input) {
                return Err(FilterProblem::BadInput(
                    "a list, a queryset or text (Django gives 0 for anything else)",
                ));
            }
            Ok(Type::Int)
        }
        "pluralize" => {
            if !every(value, |t| {
                t.is_number() || t.is_text() || *t == Type::None || has_length(t)
            }) {
                return Err(FilterProblem::BadInput("a number or a list"));
            }
            if let Some(arg) = arg
                && let Some(text) = text_arg(arg)?
                && text.matches(',').count() > 1
            {
                return Err(FilterProblem::BadArgument(
                    "more than one comma: Django renders an empty string".into(),
                ));
            }
            Ok(Type::Str)
        }
        "safeseq" => {
            list_input(input)?;
            Ok(Type::List(Box::new(Type::SafeStr)))
        }
        "slice" => {
            slice_arg(arg.expect("required"))?;
            let sliced = match value {
                Type::Str | Type::SafeStr => return Ok(keep_safety(input)),
                Type::QuerySet(model) => Type::QuerySet(*model),
                _ => Type::List(Box::new(list_input(input)?)),
            };
            // A failed lookup is sliced as `""`; `None` is returned as is.
            Ok(match input {
                Type::Fallible(_) => sliced.either(Type::Str),
                Type::Optional(_) => sliced.either(Type::None),
                _ => sliced,
            })
        }
        "stringformat" => {
            let conversion = stringformat_arg(arg.expect("required"))?;
            let numeric = conversion.is_some_and(|c| "diouxXeEfFgG".contains(c));
            if numeric && !every(value, |t| t.is_number() || *t == Type::None) {
                return Err(FilterProblem::BadInput("a number for this conversion"));
            }
            if !numeric {
                text_input(input)?;
            }
            Ok(keep_safety(input))
        }
        "unordered_list" => {
            let element = list_input(input)?;
            if !nestable(&element) {
                return Err(FilterProblem::BadInput(
                    "a list of values that print as text",
                ));
            }
            Ok(Type::SafeStr)
        }
        "yesno" => {
            not_a_manager(input)?;
            if let Some(arg) = arg
                && let Some(text) = text_arg(arg)?
                && !text.contains(',')
            {
                return Err(FilterProblem::BadArgument(
                    "it needs at least two choices, `\"yes,no\"`: with one, Django shows the value itself".into(),
                ));
            }
            Ok(Type::Str)
        }
        "add" => add(input, arg.expect("required")),
        _ => Err(FilterProblem::Unknown),
    }
}

/// `is_safe=True`: the result is safe when the input is.
fn keep_safety(input: &Type) -> Type {
    if input.is_safe() {
        Type::SafeStr
    } else if maybe_safe(input) {
        Type::SafeStr.either(Type::Str)
    } else {
        Type::Str
    }
}

fn maybe_safe(ty: &Type) -> bool {
    match ty.strip() {
        Type::Either(a, b) => maybe_safe(a) || maybe_safe(b),
        other => other.is_safe(),
    }
}

/// True for values whose `str()` is meaningful text.
fn printable(ty: &Type) -> bool {
    match ty {
        Type::Optional(inner) | Type::Fallible(inner) => printable(inner),
        Type::Either(a, b) => printable(a) && printable(b),
        Type::Str
        | Type::SafeStr
        | Type::Int
        | Type::Float
        | Type::Decimal
        | Type::Bool
        | Type::Date
        | Type::DateTime
        | Type::Uuid
        | Type::Json
        | Type::None
        | Type::Object(_)
        | Type::User
        | Type::Message
        | Type::BoundField(..)
        | Type::FormValue
        | Type::ErrorList
        | Type::Form(_) => true,
        _ => false,
    }
}

/// A `@stringfilter`: any value that prints as text.
fn text_input(input: &Type) -> Result<(), FilterProblem> {
    not_a_manager(input)?;
    if printable(input) {
        Ok(())
    } else {
        Err(FilterProblem::BadInput(
            "text (or a value that prints as text)",
        ))
    }
}

fn not_a_manager(input: &Type) -> Result<(), FilterProblem> {
    match input.strip() {
        Type::Manager(_) => Err(FilterProblem::BadInput(
            "a value, not a related manager (add `.all`)",
        )),
        _ => Ok(()),
    }
}

/// A list-like value: its element type.
fn list_input(input: &Type) -> Result<Type, FilterProblem> {
    not_a_manager(input)?;
    match input.strip() {
        Type::Str | Type::SafeStr => Err(FilterProblem::BadInput("a list or a queryset")),
        other => other
            .element()
            .ok_or(FilterProblem::BadInput("a list or a queryset")),
    }
}

fn has_length(input: &Type) -> bool {
    match input.strip() {
        Type::Manager(_) | Type::Form(_) => false,
        Type::None => true,
        other => other.element().is_some(),
    }
}

/// Whether `check` holds for the type, or for each of the types it may be
/// (`Either`), ignoring absence.
fn every(ty: &Type, check: impl Fn(&Type) -> bool + Copy) -> bool {
    match ty.strip() {
        Type::Either(a, b) => every(a, check) && every(b, check),
        other => check(other),
    }
}

/// An item of `unordered_list`: a value that prints as text, or a list of
/// such items (the sublist of the item before it).
fn nestable(ty: &Type) -> bool {
    match ty {
        Type::Optional(inner) | Type::Fallible(inner) => nestable(inner),
        Type::Either(a, b) => nestable(a) && nestable(b),
        Type::List(item) => nestable(item),
        other => printable(other),
    }
}

fn serializable(ty: &Type) -> bool {
    match ty {
        Type::Optional(inner) | Type::Fallible(inner) => serializable(inner),
        Type::Either(a, b) => serializable(a) && serializable(b),
        Type::List(item) => serializable(item),
        Type::Tuple(items) => items.iter().all(serializable),
        Type::Dict(entries) => entries.iter().all(|(_, value)| serializable(value)),
        Type::Str
        | Type::SafeStr
        | Type::Int
        | Type::Float
        | Type::Decimal
        | Type::Bool
        | Type::Date
        | Type::DateTime
        | Type::Uuid
        | Type::Json
        | Type::None => true,
        _ => false,
    }
}

/// A text argument: its value when literal.
fn text_arg(arg: &FilterArg) -> Result<Option<String>, FilterProblem> {
    match &arg.literal {
        Some(Literal::Str(text)) => Ok(Some(text.clone())),
        Some(Literal::Number(_)) => Err(FilterProblem::BadArgument(
            "it must be text, e.g. `\"…\"`".into(),
        )),
        None => match arg.ty.strip() {
            Type::Str | Type::SafeStr if !matches!(arg.ty, Type::Optional(_)) => Ok(None),
            _ => Err(FilterProblem::BadArgument("it must be text".into())),
        },
    }
}

/// An argument Python's `int()` must accept: its value when literal.
fn int_arg(arg: &FilterArg) -> Result<Option<i64>, FilterProblem> {
    match &arg.literal {
        Some(Literal::Number(text)) => text
            .parse::<i64>()
            .map(Some)
            .map_err(|_| FilterProblem::BadArgument(format!("`{text}` is not an integer"))),
        Some(Literal::Str(text)) => python_int(text)
            .map(Some)
            .ok_or_else(|| FilterProblem::BadArgument(format!("`\"{text}\"` is not an integer"))),
        None => match &arg.ty {
            Type::Int | Type::Bool | Type::Str | Type::SafeStr => Ok(None),
            _ => Err(FilterProblem::BadArgument("it must be an integer".into())),
        },
    }
}

/// Python's `int(text)` for base-10 text.
fn python_int(text: &str) -> Option<i64> {
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    if !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    trimmed.replace('_', "").parse().ok()
}

/// `floatformat`'s argument: an integer, optionally followed by `g`, `u` or both.
fn floatformat_arg(arg: &FilterArg) -> Result<(), FilterProblem> {
    match &arg.literal {
        Some(Literal::Number(_)) => int_arg(arg).map(drop),
        Some(Literal::Str(text)) => {
            let digits = text
                .strip_suffix("gu")
                .or_else(|| text.strip_suffix("ug"))
                .or_else(|| text.strip_suffix('g'))
                .or_else(|| text.strip_suffix('u'));
            let ok = match digits {
                Some("") => true,
                Some(rest) => python_int(rest).is_some(),
                None => python_int(text).is_some(),
            };
            if ok {
                Ok(())
            } else {
                Err(FilterProblem::BadArgument(format!(
                    "`\"{text}\"` is not a number of decimal places (with an optional `g` or `u`): Django shows the value unformatted"
                )))
            }
        }
        None => int_arg(arg).map(drop),
    }
}

/// `slice`'s argument: Python slice syntax, `":2"`, `"1:-1"`, `"::2"`.
fn slice_arg(arg: &FilterArg) -> Result<(), FilterProblem> {
    let text = match &arg.literal {
        Some(Literal::Str(text)) | Some(Literal::Number(text)) => text.clone(),
        None => {
            return match arg.ty.strip() {
                Type::Str | Type::SafeStr | Type::Int => Ok(()),
                _ => Err(FilterProblem::BadArgument(
                    "it must be a slice like `\":5\"`".into(),
                )),
            };
        }
    };
    let parts: Vec<&str> = text.split(':').collect();
    let valid = parts.len() <= 3
        && parts
            .iter()
            .all(|p| p.is_empty() || python_int(p).is_some())
        && !(parts.len() == 3 && python_int(parts[2]) == Some(0));
    if valid {
        Ok(())
    } else {
        Err(FilterProblem::BadArgument(format!(
            "`{text}` is not a slice like `\":5\"`, `\"2:\"` or `\"::2\"`: Django returns the value unchanged"
        )))
    }
}

/// `stringformat`'s argument: a printf conversion without the `%`. Returns
/// the conversion character when literal.
fn stringformat_arg(arg: &FilterArg) -> Result<Option<char>, FilterProblem> {
    let text = match &arg.literal {
        Some(Literal::Str(text)) | Some(Literal::Number(text)) => text.clone(),
        None => return text_arg(arg).map(|_| None),
    };
    let invalid = || {
        FilterProblem::BadArgument(format!(
            "`{text}` is not a printf conversion like `\"d\"`, `\"05.2f\"` or `\"s\"`: Django renders an empty string"
        ))
    };
    let rest = text.trim_start_matches(['#', '0', '-', ' ', '+']);
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = match rest.strip_prefix('.') {
        Some(precision) => precision.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => rest,
    };
    let rest = rest.trim_start_matches(['h', 'l', 'L']);
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if "diouxXeEfFgGcrsa".contains(c) => Ok(Some(c)),
        _ => Err(invalid()),
    }
}

/// Django's named formats for the `en` locale.
fn named_format(name: &str) -> Option<&'static str> {
    Some(match name {
        "DATE_FORMAT" => "N j, Y",
        "DATETIME_FORMAT" => "N j, Y, P",
        "TIME_FORMAT" => "P",
        "YEAR_MONTH_FORMAT" => "F Y",
        "MONTH_DAY_FORMAT" => "F j",
        "SHORT_DATE_FORMAT" => "m/d/Y",
        "SHORT_DATETIME_FORMAT" => "m/d/Y P",
        _ => return None,
    })
}

/// The format specifiers of a date format (letters not escaped by `\`).
fn specifiers(format: &str) -> Vec<char> {
    let mut out = Vec::new();
    let mut escaped = false;
    for c in format.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c.is_ascii_alphabetic() {
            out.push(c);
        }
    }
    out
}

/// Time specifiers (Django's `TimeFormat`) and date-only ones (`DateFormat`).
const TIME_SPECIFIERS: &str = "aAefgGhHiOPsTuZ";
const DATE_SPECIFIERS: &str = "bcdDEFIjlLmMnNorStUwWyYz";

/// `date` on a plain date fails the page with a time specifier; `time`
/// renders nothing for a date specifier.
fn check_date_format(
    format: &str,
    is_date_filter: bool,
    value_is_date: bool,
) -> Result<(), FilterProblem> {
    let resolved = named_format(format).unwrap_or(format);
    for c in specifiers(resolved) {
        if is_date_filter && value_is_date && TIME_SPECIFIERS.contains(c) {
            return Err(FilterProblem::BadArgument(format!(
                "`{c}` is a time specifier, and the value is a date without a time: Django fails the page"
            )));
        }
        if !is_date_filter && DATE_SPECIFIERS.contains(c) {
            return Err(FilterProblem::BadArgument(format!(
                "`{c}` is a date specifier: the `time` filter renders an empty string with it (use `date`)"
            )));
        }
    }
    Ok(())
}

/// `add`: `int(value) + int(arg)`, else `value + arg`, else `""`.
fn add(input: &Type, arg: &FilterArg) -> Result<Type, FilterProblem> {
    let value = input.strip();
    let other = arg.ty.strip();
    let numeric = |t: &Type| every(t, Type::is_number);
    let listy = |t: &Type| matches!(t, Type::List(_) | Type::QuerySet(_) | Type::Tuple(_));
    // A literal like `"-1"` is text that Python's `int()` reads as a number.
    let int_literal =
        matches!(&arg.literal, Some(Literal::Str(text)) if python_int(text).is_some());
    if numeric(value)
        && (numeric(other) || int_literal)
        && !input.may_be_absent()
        && !arg.ty.may_be_absent()
    {
        // `int()` of a float or decimal truncates it.
        return Ok(Type::Int);
    }
    if listy(value) && listy(other) {
        let element = value.element().unwrap_or(Type::None);
        return Ok(Type::List(Box::new(element)));
    }
    let addable = |t: &Type| every(t, |t| t.is_number() || t.is_text() || *t == Type::None);
    if addable(value) && addable(other) {
        // Text may hold an integer (`"1"|add:"2"` is 3), or concatenate, or fail ("").
        return Ok(Type::Int.either(Type::Str));
    }
    Err(FilterProblem::BadInput("numbers, text or two lists"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(text: &str) -> FilterArg {
        FilterArg {
            ty: Type::SafeStr,
            literal: Some(Literal::Str(text.into())),
        }
    }

    fn num(text: &str) -> FilterArg {
        FilterArg {
            ty: Type::Int,
            literal: Some(Literal::Number(text.into())),
        }
    }

    fn apply(name: &str, input: &Type, arg: Option<&FilterArg>) -> Result<Type, FilterProblem> {
        super::apply(name, input, arg)
    }

    #[test]
    fn known_filters() {
        assert_eq!(lookup("upper"), Ok(()));
        assert_eq!(lookup("random"), Err(FilterProblem::Unsupported));
        assert_eq!(lookup("uper"), Err(FilterProblem::Unknown));
        assert!(DJANGO_FILTERS.windows(2).all(|w| w[0] < w[1]));
        assert!(UNSUPPORTED.iter().all(|u| DJANGO_FILTERS.contains(u)));
        assert_eq!(arg_rule("truncatewords"), ArgRule::Required);
        assert_eq!(arg_rule("date"), ArgRule::Optional);
        assert_eq!(arg_rule("upper"), ArgRule::None);
    }

    #[test]
    fn safety_of_results() {
        assert_eq!(apply("lower", &Type::SafeStr, None), Ok(Type::SafeStr));
        assert_eq!(apply("lower", &Type::Str, None), Ok(Type::Str));
        assert_eq!(apply("upper", &Type::SafeStr, None), Ok(Type::Str));
        assert_eq!(apply("linebreaks", &Type::Str, None), Ok(Type::SafeStr));
        assert_eq!(apply("cut", &Type::SafeStr, Some(&lit(";"))), Ok(Type::Str));
        assert_eq!(
            apply("cut", &Type::SafeStr, Some(&lit(" "))),
            Ok(Type::SafeStr)
        );
        assert_eq!(
            apply("floatformat", &Type::Decimal, Some(&num("2"))),
            Ok(Type::SafeStr)
        );
        assert_eq!(
            apply("default", &Type::Str.optional(), Some(&lit("n/a"))),
            Ok(Type::Str.either(Type::SafeStr))
        );
        assert_eq!(
            apply("default_if_none", &Type::Int.optional(), Some(&num("0"))),
            Ok(Type::Int)
        );
    }

    #[test]
    fn inputs_and_arguments() {
        assert!(matches!(
            apply("date", &Type::Str, None),
            Err(FilterProblem::BadInput(_))
        ));
        assert_eq!(
            apply("date", &Type::DateTime.optional(), Some(&lit("Y-m-d H:i"))),
            Ok(Type::Str)
        );
        assert!(matches!(
            apply("date", &Type::Date, Some(&lit("H:i"))),
            Err(FilterProblem::BadArgument(_))
        ));
        assert_eq!(
            apply("date", &Type::Date, Some(&lit("\\H Y"))),
            Ok(Type::Str)
        );
        assert!(matches!(
            apply("time", &Type::DateTime, Some(&lit("Y"))),
            Err(FilterProblem::BadArgument(_))
        ));
        assert!(matches!(
            apply("truncatewords", &Type::Str, Some(&lit("x"))),
            Err(FilterProblem::BadArgument(_))
        ));
        assert_eq!(
            apply("truncatewords", &Type::Str, Some(&lit(" 12 "))),
            Ok(Type::Str)
        );
        assert!(matches!(
            apply("length", &Type::Int, None),
            Err(FilterProblem::BadInput(_))
        ));
        assert!(apply("length", &Type::Manager(crate::check::ir::ModelId(0)), None).is_err());
        assert_eq!(
            apply(
                "length",
                &Type::QuerySet(crate::check::ir::ModelId(0)),
                None
            ),
            Ok(Type::Int)
        );
        assert!(apply("slice", &Type::Str, Some(&lit("::0"))).is_err());
        assert_eq!(
            apply("slice", &Type::Str, Some(&lit("1:-1"))),
            Ok(Type::Str)
        );
        assert!(matches!(
            apply("stringformat", &Type::Str, Some(&lit("d"))),
            Err(FilterProblem::BadInput(_))
        ));
        assert_eq!(
            apply("stringformat", &Type::Int, Some(&lit("05d"))),
            Ok(Type::Str)
        );
        assert!(apply("stringformat", &Type::Int, Some(&lit("q"))).is_err());
        assert!(apply("yesno", &Type::Bool, Some(&lit("yes"))).is_err());
        assert!(apply("pluralize", &Type::Int, Some(&lit("a,b,c"))).is_err());
        assert!(apply("floatformat", &Type::Float, Some(&lit("2x"))).is_err());
        assert_eq!(
            apply("floatformat", &Type::Float, Some(&lit("-2gu"))),
            Ok(Type::SafeStr)
        );
        assert!(apply("divisibleby", &Type::Int, Some(&num("0"))).is_err());
        assert_eq!(apply("add", &Type::Int, Some(&num("1"))), Ok(Type::Int));
        assert_eq!(apply("add", &Type::Int, Some(&lit("-1"))), Ok(Type::Int));
        assert_eq!(
            apply("add", &Type::Str, Some(&lit("x"))),
            Ok(Type::Int.either(Type::Str))
        );
        assert!(apply("add", &Type::Date, Some(&num("1"))).is_err());
        assert!(matches!(
            apply(
                "json_script",
                &Type::Object(crate::check::ir::ModelId(0)),
                None
            ),
            Err(FilterProblem::BadInput(_))
        ));
    }

    #[test]
    fn python_int_matches_python() {
        assert_eq!(python_int(" +1_000 "), Some(1000));
        assert_eq!(python_int("1.5"), None);
        assert_eq!(python_int("_1"), None);
        assert_eq!(python_int(""), None);
    }
}
