//! List filters: `first`, `last`, `length`, `join`, `slice`, `dictsort`,
//! `dictsortreversed`, `unordered_list`.
//!
//! Input: slices of typed items (or text, which Python indexes by code point);
//! output: an item, a new list, or safe HTML.

use std::cmp::Ordering;

use crate::template::display::{DjangoStr, Either};
use crate::template::escape::{Safe, SafeString, conditional_escape_into};

use super::args::parse_py_int;

/// `first` (is_safe=False): the first item, or `""` for an empty list.
pub fn first<T>(value: &[T]) -> Either<&T, &'static str> {
    value.first().map_or(Either::Right(""), Either::Left)
}

/// `last` (is_safe=True): the last item, or `""` for an empty list.
pub fn last<T>(value: &[T]) -> Either<&T, &'static str> {
    value.last().map_or(Either::Right(""), Either::Left)
}

/// `first` on text: the first character, or `""`.
pub fn first_char(value: &str) -> &str {
    value
        .chars()
        .next()
        .map_or("", |ch| &value[..ch.len_utf8()])
}

/// `last` on text: the last character, or `""`.
pub fn last_char(value: &str) -> &str {
    value
        .chars()
        .next_back()
        .map_or("", |ch| &value[value.len() - ch.len_utf8()..])
}

/// `length` (is_safe=False) of a list. Values without a length (numbers,
/// `None`) have length `0`.
pub fn length<T>(value: &[T]) -> usize {
    value.len()
}

/// `length` of text: its number of code points.
pub fn length_str(value: &str) -> usize {
    value.chars().count()
}

/// `join` (is_safe=True, needs_autoescape): the items' text joined by `arg`.
/// With autoescaping each item and the separator are conditionally escaped
/// (a literal argument in a template is safe, so pass it as [`Safe`]). Without
/// it, a list holding anything but text is returned unchanged, as Python's
/// `str.join` fails. Django joins the characters of a text value: pass
/// [`make_list`](super::text::make_list) of it.
pub fn join<'a, T: DjangoStr, A: DjangoStr + ?Sized>(
    value: &'a [T],
    arg: &A,
    autoescape: bool,
) -> Either<SafeString, &'a [T]> {
    let mut out = String::new();
    if autoescape {
        let mut separator = String::new();
        conditional_escape_into(&mut separator, arg);
        for (index, item) in value.iter().enumerate() {
            if index > 0 {
                out.push_str(&separator);
            }
            conditional_escape_into(&mut out, item);
        }
    } else {
        if !value.iter().all(DjangoStr::is_text) {
            return Either::Right(value);
        }
        let separator = arg.django_str();
        for (index, item) in value.iter().enumerate() {
            if index > 0 {
                out.push_str(&separator);
            }
            item.write_str(&mut out);
        }
    }
    Either::Left(Safe(out))
}

/// Python's `slice(*bits).indices(len)` applied: the selected positions, or
/// `None` when the argument is invalid (Django then returns the value as is).
fn slice_positions(len: usize, arg: &str) -> Option<Vec<usize>> {
    let mut bits = Vec::new();
    for bit in arg.split(':') {
        bits.push(if bit.is_empty() {
            None
        } else {
            Some(parse_py_int(bit)?)
        });
    }
    let (start, stop, step) = match bits.as_slice() {
        [stop] => (None, *stop, None),
        [start, stop] => (*start, *stop, None),
        [start, stop, step] => (*start, *stop, *step),
        _ => return None,
    };
    let step = step.unwrap_or(1);
    if step == 0 {
        return None;
    }
    let len = i64::try_from(len).ok()?;
    // CPython's PySlice_AdjustIndices.
    let adjust = |index: Option<i64>, default: i64| -> i64 {
        match index {
            None => default,
            Some(index) if index < 0 => {
                let index = index.saturating_add(len);
                if index < 0 {
                    if step < 0 { -1 } else { 0 }
                } else {
                    index
                }
            }
            Some(index) if index >= len => {
                if step < 0 {
                    len - 1
                } else {
                    len
                }
            }
            Some(index) => index,
        }
    };
    let (start, stop) = if step > 0 {
        (adjust(start, 0), adjust(stop, len))
    } else {
        (adjust(start, len - 1), adjust(stop, -1))
    };
    let mut positions = Vec::new();
    let mut index = start;
    while (step > 0 && index < stop) || (step < 0 && index > stop) {
        positions.push(index as usize);
        index = index.saturating_add(step);
    }
    Some(positions)
}

/// `slice` (is_safe=True) on a list: Python's `value[start:stop:step]` from an
/// argument like `":2"`, `"-3:"` or `"::-1"`; an invalid argument gives the
/// whole list.
pub fn slice<T: Clone>(value: &[T], arg: &str) -> Vec<T> {
    match slice_positions(value.len(), arg) {
        Some(positions) => positions
            .into_iter()
            .map(|index| value[index].clone())
            .collect(),
        None => value.to_vec(),
    }
}

/// `slice` on text, by code point.
pub fn slice_str(value: &str, arg: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    match slice_positions(chars.len(), arg) {
        Some(positions) => positions.into_iter().map(|index| chars[index]).collect(),
        None => value.to_owned(),
    }
}

/// `dictsort` (is_safe=False): the items sorted (stably) by the key the
/// argument names, which the compiler turns into `key`.
pub fn dictsort<T: Clone, K: Ord>(value: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut sorted = value.to_vec();
    sorted.sort_by_cached_key(|item| key(item));
    sorted
}

/// `dictsortreversed` (is_safe=False): like [`dictsort`] in descending order;
/// equal keys keep their order, as with Python's `sorted(reverse=True)`.
pub fn dictsortreversed<T: Clone, K: Ord>(value: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut keyed: Vec<(K, T)> = value.iter().map(|item| (key(item), item.clone())).collect();
    keyed.sort_by(|left, right| right.0.cmp(&left.0));
    keyed.into_iter().map(|(_, item)| item).collect()
}

/// A float sort key with a total order (NaN last), for `dictsort` by a float
/// attribute.
#[derive(Clone, Copy, Debug)]
pub struct FloatKey(pub f64);

impl PartialEq for FloatKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for FloatKey {}

impl PartialOrd for FloatKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FloatKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.0.is_nan(), other.0.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => self.0.partial_cmp(&other.0).unwrap_or(Ordering::Equal),
        }
    }
}

/// An element of the nested list `unordered_list` takes: a value, or a
/// sublist (the children of the value before it).
#[derive(Clone, Debug, PartialEq)]
pub enum Nested<T> {
    /// A list item.
    Item(T),
    /// A sublist.
    List(Vec<Nested<T>>),
}

impl<T: DjangoStr> DjangoStr for Nested<T> {
    fn write_str(&self, out: &mut String) {
        match self {
            Nested::Item(item) => item.write_str(out),
            Nested::List(items) => items.write_str(out),
        }
    }
    fn write_repr(&self, out: &mut String) {
        match self {
            Nested::Item(item) => item.write_repr(out),
            Nested::List(items) => items.write_repr(out),
        }
    }
    fn is_html_safe(&self) -> bool {
        matches!(self, Nested::Item(item) if item.is_html_safe())
    }
    fn is_text(&self) -> bool {
        matches!(self, Nested::Item(item) if item.is_text())
    }
}

/// `unordered_list` (is_safe=True, needs_autoescape): `<li>` items, a sublist
/// after an item nested as its `<ul>`, indented with tabs; without the outer
/// `<ul>`.
pub fn unordered_list<T: DjangoStr>(value: &[Nested<T>], autoescape: bool) -> SafeString {
    let mut out = String::new();
    write_list_items(&mut out, value, 1, autoescape);
    Safe(out)
}

/// Django's `list_formatter` over `_walk_items`.
fn write_list_items<T: DjangoStr>(
    out: &mut String,
    items: &[Nested<T>],
    tabs: usize,
    autoescape: bool,
) {
    let indent = "\t".repeat(tabs);
    let mut index = 0;
    let mut first_line = true;
    while index < items.len() {
        let item = &items[index];
        let children = match items.get(index + 1) {
            Some(Nested::List(children)) => {
                index += 2;
                Some(children)
            }
            _ => {
                index += 1;
                None
            }
        };
        if !first_line {
            out.push('\n');
        }
        first_line = false;
        out.push_str(&indent);
        out.push_str("<li>");
        if autoescape {
            conditional_escape_into(out, item);
        } else {
            item.write_str(out);
        }
        if let Some(children) = children.filter(|children| !children.is_empty()) {
            out.push('\n');
            out.push_str(&indent);
            out.push_str("<ul>\n");
            write_list_items(out, children, tabs + 1, autoescape);
            out.push('\n');
            out.push_str(&indent);
            out.push_str("</ul>\n");
            out.push_str(&indent);
        }
        out.push_str("</li>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_like_python() {
        let items = [0, 1, 2, 3, 4];
        assert_eq!(slice(&items, ":2"), [0, 1]);
        assert_eq!(slice(&items, "2"), [0, 1]);
        assert_eq!(slice(&items, "-2:"), [3, 4]);
        assert_eq!(slice(&items, "::-2"), [4, 2, 0]);
        assert_eq!(slice(&items, "10:-10:-1"), [4, 3, 2, 1, 0]);
        assert_eq!(slice(&items, "::0"), items);
        assert_eq!(slice_str("日本語", "1:"), "本語");
    }

    #[test]
    fn unordered_list_nests_children() {
        let list = vec![
            Nested::Item("States"),
            Nested::List(vec![
                Nested::Item("Kansas"),
                Nested::List(vec![Nested::Item("Lawrence")]),
            ]),
        ];
        assert_eq!(
            unordered_list(&list, true).0,
            "\t<li>States\n\t<ul>\n\t\t<li>Kansas\n\t\t<ul>\n\t\t\t<li>Lawrence</li>\n\t\t</ul>\n\t\t</li>\n\t</ul>\n\t</li>"
        );
    }

    #[test]
    fn join_escapes_unless_safe() {
        let items = ["<a>", "b"];
        assert_eq!(
            join(&items, &Safe("<br>"), true),
            Either::Left(Safe("&lt;a&gt;<br>b".to_owned()))
        );
        assert_eq!(
            join(&items, "&", true),
            Either::Left(Safe("&lt;a&gt;&amp;b".to_owned()))
        );
        assert_eq!(join(&[1, 2], ",", false), Either::Right(&[1, 2][..]));
    }

    #[test]
    fn reversed_sort_is_stable() {
        let items = [(1, 'a'), (2, 'b'), (1, 'c')];
        assert_eq!(
            dictsortreversed(&items, |item| item.0),
            [(2, 'b'), (1, 'a'), (1, 'c')]
        );
    }
}
