//! Django's filters, compared byte for byte with real Django.
//!
//! Input: `tests/data/filter_cases.jsonl`, written by
//! `tests/data/make_filter_cases.py` from Django's own renderings (each case: a
//! filter, its JSON value and argument, the autoescape and safe-input flags,
//! and Django's output or error). Each case is replayed through the runtime's
//! filter functions with the types the compiler would use, rendered as
//! `{{ }}` renders, and compared with Django's output; every mismatch is
//! printed and the test fails if any remain.

use std::borrow::Cow;
use std::fmt::Write as _;

use djinn_runtime::template::filters::args::ToPyInt;
use djinn_runtime::template::filters::args::{AsPyNumber, PyNumber};
use djinn_runtime::template::filters::dates::{Temporal, ToTemporal};
use djinn_runtime::template::filters::lists::Nested;
use djinn_runtime::template::filters::logic::PluralCount;
use djinn_runtime::template::filters::numbers::AddOperand;
use djinn_runtime::template::filters::{
    FilterError, dates, filter_flags, floatformat, html, lists, logic, numbers, stringformat, text,
    truncate, urlize, urls,
};
use djinn_runtime::template::{DjangoStr, Either, Safe, Truthy, render_into};
use jiff::civil::{Date, DateTime};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// A context value as Django sees it, built from the case's JSON. Each trait
/// impl hands the value to the runtime's impl for the matching Rust type, as
/// generated code does with its statically known types.
#[derive(Clone, Debug, PartialEq)]
enum Py {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Py>),
    Dict(Vec<(String, Py)>),
    Date(Date),
    DateTime(DateTime),
}

fn py(value: &Value) -> Py {
    match value {
        Value::Null => Py::None,
        Value::Bool(flag) => Py::Bool(*flag),
        Value::Number(number) => match number.as_i64() {
            Some(int) => Py::Int(int),
            None => Py::Float(number.as_f64().expect("JSON number")),
        },
        Value::String(text) => Py::Str(text.clone()),
        Value::Array(items) => Py::List(items.iter().map(py).collect()),
        Value::Object(map) => {
            if let Some(Value::String(iso)) = map.get("$date") {
                return if iso.contains('T') {
                    Py::DateTime(iso.parse().expect("ISO datetime"))
                } else {
                    Py::Date(iso.parse().expect("ISO date"))
                };
            }
            Py::Dict(
                map.iter()
                    .map(|(key, value)| (key.clone(), py(value)))
                    .collect(),
            )
        }
    }
}

impl DjangoStr for Py {
    fn write_str(&self, out: &mut String) {
        match self {
            Py::None => None::<i64>.write_str(out),
            Py::Bool(flag) => flag.write_str(out),
            Py::Int(int) => int.write_str(out),
            Py::Float(float) => float.write_str(out),
            Py::Str(text) => text.write_str(out),
            Py::List(items) => items.write_str(out),
            Py::Dict(_) => self.write_repr(out),
            Py::Date(date) => date.write_str(out),
            Py::DateTime(datetime) => datetime.write_str(out),
        }
    }
    fn write_repr(&self, out: &mut String) {
        match self {
            Py::None => None::<i64>.write_repr(out),
            Py::Bool(flag) => flag.write_repr(out),
            Py::Int(int) => int.write_repr(out),
            Py::Float(float) => float.write_repr(out),
            Py::Str(text) => text.write_repr(out),
            Py::List(items) => items.write_repr(out),
            Py::Dict(entries) => {
                out.push('{');
                for (index, (key, value)) in entries.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    key.write_repr(out);
                    out.push_str(": ");
                    value.write_repr(out);
                }
                out.push('}');
            }
            Py::Date(date) => date.write_repr(out),
            Py::DateTime(datetime) => datetime.write_repr(out),
        }
    }
    fn write_localized(&self, out: &mut String) {
        match self {
            Py::Float(float) => float.write_localized(out),
            Py::Date(date) => date.write_localized(out),
            Py::DateTime(datetime) => datetime.write_localized(out),
            _ => self.write_str(out),
        }
    }
    fn is_text(&self) -> bool {
        matches!(self, Py::Str(_))
    }
    fn django_str(&self) -> Cow<'_, str> {
        match self {
            Py::Str(text) => Cow::Borrowed(text),
            _ => {
                let mut out = String::new();
                self.write_str(&mut out);
                Cow::Owned(out)
            }
        }
    }
}

impl Truthy for Py {
    fn is_truthy(&self) -> bool {
        match self {
            Py::None => false,
            Py::Bool(flag) => flag.is_truthy(),
            Py::Int(int) => int.is_truthy(),
            Py::Float(float) => float.is_truthy(),
            Py::Str(text) => text.is_truthy(),
            Py::List(items) => items.is_truthy(),
            Py::Dict(entries) => !entries.is_empty(),
            Py::Date(date) => date.is_truthy(),
            Py::DateTime(datetime) => datetime.is_truthy(),
        }
    }
}

impl ToPyInt for Py {
    fn to_py_int(&self) -> Option<i64> {
        match self {
            Py::Bool(flag) => flag.to_py_int(),
            Py::Int(int) => int.to_py_int(),
            Py::Float(float) => float.to_py_int(),
            Py::Str(text) => text.to_py_int(),
            _ => None,
        }
    }
}

impl AddOperand for Py {
    fn add_int(&self) -> Option<i64> {
        self.to_py_int()
    }
    fn add_text(&self) -> Option<&str> {
        match self {
            Py::Str(text) => Some(text),
            _ => None,
        }
    }
}

impl PluralCount for Py {
    fn is_one(&self) -> Option<bool> {
        match self {
            Py::Bool(flag) => flag.is_one(),
            Py::Int(int) => int.is_one(),
            Py::Float(float) => float.is_one(),
            Py::Str(text) => text.is_one(),
            Py::List(items) => items.is_one(),
            Py::Dict(entries) => Some(entries.len() == 1),
            Py::None | Py::Date(_) | Py::DateTime(_) => None,
        }
    }
}

impl AsPyNumber for Py {
    fn py_number(&self) -> Option<PyNumber> {
        match self {
            Py::Bool(flag) => flag.py_number(),
            Py::Int(int) => int.py_number(),
            Py::Float(float) => float.py_number(),
            _ => None,
        }
    }
}

impl ToTemporal for Py {
    fn to_temporal(&self) -> Option<Temporal> {
        match self {
            Py::Date(date) => date.to_temporal(),
            Py::DateTime(datetime) => datetime.to_temporal(),
            _ => None,
        }
    }
}

impl Serialize for Py {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Py::None => serializer.serialize_unit(),
            Py::Bool(flag) => serializer.serialize_bool(*flag),
            Py::Int(int) => serializer.serialize_i64(*int),
            Py::Float(float) => serializer.serialize_f64(*float),
            Py::Str(text) => serializer.serialize_str(text),
            Py::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Py::Dict(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Py::Date(_) | Py::DateTime(_) => {
                let temporal = self.to_temporal().expect("a date");
                serializer.serialize_str(&dates::json_isoformat(&temporal))
            }
        }
    }
}

/// One recorded case.
struct Case {
    name: String,
    filter: String,
    value: Py,
    /// The argument, and whether it was a template literal (which Django marks safe).
    arg: Option<(Py, bool)>,
    autoescape: bool,
    safe_input: bool,
    expected: Result<String, String>,
}

fn parse_case(line: &str) -> Case {
    let record: Value = serde_json::from_str(line).expect("a JSON case");
    let text = |key: &str| record[key].as_str().unwrap_or_default().to_owned();
    let arg = match record["arg_kind"].as_str() {
        Some("var") => Some((py(&record["arg"]), false)),
        Some("literal") => Some((py(&record["arg"]), true)),
        _ => None,
    };
    let expected = match record.get("output") {
        Some(Value::String(output)) => Ok(output.clone()),
        _ => Err(text("error")),
    };
    Case {
        name: text("name"),
        filter: text("filter"),
        value: py(&record["value"]),
        arg,
        autoescape: record["autoescape"].as_bool().unwrap_or(true),
        safe_input: record["safe_input"].as_bool().unwrap_or(false),
        expected,
    }
}

/// `{{ result }}`: escaped unless safe; `keep_safe` marks a result whose filter
/// keeps a safe input safe (Django's `is_safe`).
fn render<T: DjangoStr + ?Sized>(result: &T, keep_safe: bool, autoescape: bool) -> String {
    let mut out = String::new();
    if keep_safe {
        render_into(&mut out, &Safe(result), autoescape);
    } else {
        render_into(&mut out, result, autoescape);
    }
    out
}

fn nested(value: &Py) -> Vec<Nested<Py>> {
    match value {
        Py::List(items) => items
            .iter()
            .map(|item| match item {
                Py::List(_) => Nested::List(nested(item)),
                other => Nested::Item(other.clone()),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A sort key for `dictsort` on the cases' dicts (ints and strings).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Int(i64),
    Str(String),
}

fn dict_key(item: &Py, key: &str) -> SortKey {
    let Py::Dict(entries) = item else {
        return SortKey::Int(0);
    };
    match entries
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value)
    {
        Some(Py::Int(int)) => SortKey::Int(*int),
        Some(value) => SortKey::Str(value.django_str().into_owned()),
        None => SortKey::Int(0),
    }
}

/// Replays one case through the runtime, as the compiled template would.
fn run(case: &Case) -> Result<String, FilterError> {
    let flags = filter_flags(&case.filter);
    let is_safe_filter = flags.is_some_and(|flags| flags.is_safe);
    // `value|safe` first: the value's text, marked safe.
    let input_safe = case.safe_input;
    let value = if input_safe {
        Py::Str(case.value.django_str().into_owned())
    } else {
        case.value.clone()
    };
    let keep_safe = input_safe && is_safe_filter;
    let autoescape = case.autoescape;
    let escape_input = autoescape && !input_safe;
    let text = value.django_str().into_owned();
    let arg_py = case
        .arg
        .as_ref()
        .map(|(arg, _)| arg.clone())
        .unwrap_or(Py::None);
    let arg_is_literal = case.arg.as_ref().is_some_and(|(_, literal)| *literal);
    let arg_text = case
        .arg
        .as_ref()
        .map(|(arg, _)| arg.django_str().into_owned());
    let arg_str = arg_text.as_deref();
    let out = |result: &dyn Fn(&mut String)| {
        let mut out = String::new();
        result(&mut out);
        out
    };
    Ok(match case.filter.as_str() {
        "add" => match (&value, &arg_py) {
            (Py::List(left), Py::List(right)) => {
                render(&numbers::add_lists(left, right), false, autoescape)
            }
            _ => render(&numbers::add(&value, &arg_py), false, autoescape),
        },
        "addslashes" => render(&text::addslashes(&text), keep_safe, autoescape),
        "capfirst" => render(&text::capfirst(&text), keep_safe, autoescape),
        "center" => render(&text::center(&text, &arg_py)?, keep_safe, autoescape),
        "cut" => {
            let arg = arg_str.unwrap_or_default();
            render(&text::cut(&text, arg), input_safe && arg != ";", autoescape)
        }
        "date" => render(&dates::date(&value, arg_str)?, false, autoescape),
        "time" => render(&dates::time(&value, arg_str), false, autoescape),
        "default" if input_safe => {
            let value = Safe(value.clone());
            if arg_is_literal {
                render(
                    &logic::default(value, Safe(arg_py.clone())),
                    false,
                    autoescape,
                )
            } else {
                render(&logic::default(value, arg_py.clone()), false, autoescape)
            }
        }
        "default" => {
            if arg_is_literal {
                render(
                    &logic::default(value.clone(), Safe(arg_py.clone())),
                    false,
                    autoescape,
                )
            } else {
                render(
                    &logic::default(value.clone(), arg_py.clone()),
                    false,
                    autoescape,
                )
            }
        }
        "default_if_none" => {
            let value = match value {
                Py::None => None,
                other => Some(other),
            };
            if arg_is_literal {
                render(
                    &logic::default_if_none(value, Safe(arg_py.clone())),
                    false,
                    autoescape,
                )
            } else {
                render(
                    &logic::default_if_none(value, arg_py.clone()),
                    false,
                    autoescape,
                )
            }
        }
        "dictsort" | "dictsortreversed" => {
            let Py::List(items) = &value else {
                return Ok(String::new());
            };
            let key = arg_str.unwrap_or_default();
            let sorted = if case.filter == "dictsort" {
                lists::dictsort(items, |item| dict_key(item, key))
            } else {
                lists::dictsortreversed(items, |item| dict_key(item, key))
            };
            out(&|out| {
                for item in &sorted {
                    if let Py::Dict(entries) = item
                        && let Some((_, name)) = entries.iter().find(|(field, _)| field == "name")
                    {
                        render_into(out, name, autoescape);
                    }
                    out.push(',');
                }
            })
        }
        "divisibleby" => render(&numbers::divisibleby(&value, &arg_py)?, false, autoescape),
        "escape" => {
            if input_safe {
                render(&html::escape(&Safe(text.as_str())), false, autoescape)
            } else {
                render(&html::escape(&value), false, autoescape)
            }
        }
        "escapejs" => render(&html::escapejs(&text), false, autoescape),
        "filesizeformat" => render(&numbers::filesizeformat(&value), false, autoescape),
        "first" | "last" => {
            let pick = if case.filter == "first" {
                lists::first
            } else {
                lists::last
            };
            let pick_char = if case.filter == "first" {
                lists::first_char
            } else {
                lists::last_char
            };
            match &value {
                Py::List(items) => render(&pick(items), keep_safe, autoescape),
                _ => render(pick_char(&text), keep_safe, autoescape),
            }
        }
        "floatformat" => render(
            &floatformat::floatformat(&value, arg_str),
            false,
            autoescape,
        ),
        "force_escape" => render(&html::force_escape(&text), false, autoescape),
        "join" => {
            // Django joins the characters of text; the compiler passes `make_list`.
            let items = match &value {
                Py::List(items) => items.clone(),
                _ => text::make_list(&text).into_iter().map(Py::Str).collect(),
            };
            let items = items.as_slice();
            let separator = arg_str.unwrap_or_default();
            let joined = if arg_is_literal {
                lists::join(items, &Safe(separator), autoescape)
            } else {
                lists::join(items, separator, autoescape)
            };
            render(&joined, false, autoescape)
        }
        "json_script" => {
            let script = match case.arg.as_ref() {
                Some((_, true)) => {
                    html::json_script(&value, Some(&Safe(arg_str.unwrap_or_default())))?
                }
                Some((_, false)) => html::json_script(&value, arg_str)?,
                None => html::json_script(&value, None::<&str>)?,
            };
            render(&script, false, autoescape)
        }
        "length" => match &value {
            Py::List(items) => render(&lists::length(items), false, autoescape),
            Py::Str(text) => render(&lists::length_str(text), false, autoescape),
            _ => render(&0_usize, false, autoescape),
        },
        "linebreaks" => render(&html::linebreaks(&text, escape_input), false, autoescape),
        "linebreaksbr" => render(&html::linebreaksbr(&text, escape_input), false, autoescape),
        "linenumbers" => render(&html::linenumbers(&text, escape_input), false, autoescape),
        "ljust" => render(&text::ljust(&text, &arg_py)?, keep_safe, autoescape),
        "lower" => render(&text::lower(&text), keep_safe, autoescape),
        "make_list" => render(&text::make_list(&text), false, autoescape),
        "pluralize" => render(logic::pluralize(&value, arg_str), false, autoescape),
        "rjust" => render(&text::rjust(&text, &arg_py)?, keep_safe, autoescape),
        "safe" => render(&html::safe(&text), false, autoescape),
        "safeseq" => match &value {
            Py::List(items) => render(&html::safeseq(items), false, autoescape),
            _ => String::new(),
        },
        "slice" => match &value {
            Py::List(items) => render(
                &lists::slice(items, arg_str.unwrap_or_default()),
                false,
                autoescape,
            ),
            _ => render(
                &lists::slice_str(&text, arg_str.unwrap_or_default()),
                keep_safe,
                autoescape,
            ),
        },
        "slugify" => render(&text::slugify(&text), keep_safe, autoescape),
        "stringformat" => render(
            &stringformat::stringformat(&value, arg_str.unwrap_or_default()),
            keep_safe,
            autoescape,
        ),
        "striptags" => render(&html::striptags(&text)?, keep_safe, autoescape),
        "title" => render(&text::title(&text), keep_safe, autoescape),
        "truncatechars" => render(
            &truncate::truncatechars(&text, &arg_py),
            keep_safe,
            autoescape,
        ),
        "truncatechars_html" => render(
            &truncate::truncatechars_html(&text, &arg_py)?,
            keep_safe,
            autoescape,
        ),
        "truncatewords" => render(
            &truncate::truncatewords(&text, &arg_py),
            keep_safe,
            autoescape,
        ),
        "truncatewords_html" => render(
            &truncate::truncatewords_html(&text, &arg_py)?,
            keep_safe,
            autoescape,
        ),
        "unordered_list" => render(
            &lists::unordered_list(&nested(&value), autoescape),
            false,
            autoescape,
        ),
        "upper" => render(&text::upper(&text), keep_safe, autoescape),
        "urlencode" => render(&urls::urlencode(&text, arg_str), false, autoescape),
        "urlize" => render(&urlize::urlize(&text, escape_input), false, autoescape),
        "urlizetrunc" => {
            let limit = arg_py
                .to_py_int()
                .and_then(|limit| usize::try_from(limit).ok())
                .unwrap_or(0);
            render(
                &urlize::urlizetrunc(&text, limit, escape_input),
                false,
                autoescape,
            )
        }
        "wordcount" => render(&text::wordcount(&text), false, autoescape),
        "wordwrap" => render(&text::wordwrap(&text, &arg_py)?, keep_safe, autoescape),
        "yesno" => {
            let truth = if value == Py::None {
                None
            } else {
                Some(value.is_truthy())
            };
            match logic::yesno(truth, arg_str) {
                Some(word) => render(word, false, autoescape),
                None => render(&value, false, autoescape),
            }
        }
        other => panic!(
            "case {} uses filter {other}, which this test does not know",
            case.name
        ),
    })
}

#[test]
fn filters_match_django() {
    let data = include_str!("data/filter_cases.jsonl");
    let mut mismatches = String::new();
    let mut failed = 0;
    let mut total = 0;
    for line in data.lines().filter(|line| !line.trim().is_empty()) {
        let case = parse_case(line);
        total += 1;
        let actual = run(&case).map_err(|error| error.to_string());
        let matches = match (&actual, &case.expected) {
            (Ok(actual), Ok(expected)) => actual == expected,
            (Err(_), Err(_)) => true,
            _ => false,
        };
        if !matches {
            failed += 1;
            let _ = writeln!(
                mismatches,
                "{}: expected {:?}\n{}  actual   {:?}",
                case.name,
                case.expected,
                " ".repeat(case.name.len()),
                actual
            );
        }
    }
    assert!(total > 0, "no cases in filter_cases.jsonl");
    assert!(
        failed == 0,
        "{failed} of {total} filter cases differ from Django:\n{mismatches}"
    );
}

/// A literal argument that `default` chooses stays safe, as in Django.
#[test]
fn default_keeps_a_safe_literal_safe() {
    let chosen: Either<Py, Safe<&str>> = logic::default(Py::None, Safe("<b>"));
    assert_eq!(render(&chosen, false, true), "<b>");
}
