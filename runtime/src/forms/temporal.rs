//! Dates and date-times typed into a form, read as Django's `DateField` and
//! `DateTimeField` read them.
//!
//! Input: submitted text. Output: a `jiff` civil date, or a date-time in
//! UTC. A date is tried against Django's `DATE_INPUT_FORMATS` for `en-us`
//! with Python's `strptime` rules (flexible widths, any white space run for
//! a space, month names in any case). A date-time is first read as ISO 8601
//! (Python's `datetime.fromisoformat`, then Django's `parse_datetime`
//! pattern, both taking a UTC offset), then with `DATETIME_INPUT_FORMATS`
//! and the date formats. Times without an offset are UTC, as djinn stores
//! them (`USE_TZ = True`, `TIME_ZONE = "UTC"`).

use jiff::civil::{Date, DateTime, ISOWeekDate, Weekday};
use jiff::{SignedDuration, ToSpan};

use super::python::{digit_value, is_py_space, py_strip};

/// Django's `DATE_INPUT_FORMATS` for `en-us`.
const DATE_FORMATS: [&str; 11] = [
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%b %d %Y",
    "%b %d, %Y",
    "%d %b %Y",
    "%d %b, %Y",
    "%B %d %Y",
    "%B %d, %Y",
    "%d %B %Y",
    "%d %B, %Y",
];

/// Django's `DATETIME_INPUT_FORMATS` for `en-us` (then `%Y-%m-%d`, the ISO
/// format Django appends, then the date formats).
const DATETIME_FORMATS: [&str; 10] = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S.%f",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y %H:%M:%S.%f",
    "%m/%d/%y %H:%M",
    "%Y-%m-%d",
];

/// Django's `DateField.to_python` on non-empty text.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let text = py_strip(text);
    DATE_FORMATS
        .iter()
        .find_map(|format| strptime(text, format).map(|datetime| datetime.date()))
}

/// Django's `DateTimeField.to_python` on non-empty text: the UTC date-time.
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime> {
    let text = py_strip(text);
    match parse_iso_datetime(text) {
        IsoResult::Valid(datetime, offset) => to_utc(datetime, offset),
        IsoResult::Invalid => None,
        IsoResult::NoMatch => DATETIME_FORMATS
            .iter()
            .chain(DATE_FORMATS.iter())
            .find_map(|format| strptime(text, format)),
    }
}

/// A date-time at a UTC offset (seconds east) as UTC wall-clock time.
fn to_utc(datetime: DateTime, offset_seconds: Option<i64>) -> Option<DateTime> {
    match offset_seconds {
        None | Some(0) => Some(datetime),
        Some(offset) => datetime.checked_sub(SignedDuration::from_secs(offset)).ok(),
    }
}

enum IsoResult {
    /// A date-time and its UTC offset in seconds, if it had one.
    Valid(DateTime, Option<i64>),
    /// Text shaped like a date-time that is not one (`2024-02-30 10:00`):
    /// Django reports it at once.
    Invalid,
    /// Not ISO 8601: the input formats are tried next.
    NoMatch,
}

/// Django's `parse_datetime`: Python's `fromisoformat`, then Django's
/// `datetime_re`.
fn parse_iso_datetime(text: &str) -> IsoResult {
    if let Some((datetime, offset)) = from_isoformat(text) {
        return IsoResult::Valid(datetime, offset);
    }
    match datetime_re(text) {
        Some(Some((datetime, offset))) => IsoResult::Valid(datetime, offset),
        Some(None) => IsoResult::Invalid,
        None => IsoResult::NoMatch,
    }
}

fn ascii_number(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn civil(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    micro: i64,
) -> Option<DateTime> {
    if !(1..=9999).contains(&year) {
        return None;
    }
    let date = Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let nanos = i32::try_from(micro).ok()?.checked_mul(1000)?;
    let time = jiff::civil::Time::new(
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        nanos,
    )
    .ok()?;
    Some(date.to_datetime(time))
}

/// Python's `datetime.fromisoformat` (3.12, ASCII digits as in its C
/// implementation, ASCII text only): a date `YYYY-MM-DD`, `YYYYMMDD` or an ISO week date,
/// any one character, then `HH[:MM[:SS[.ffffff]]]` (or without colons) and
/// an optional `Z` / `±HH[:MM[:SS[.ffffff]]]`.
fn from_isoformat(text: &str) -> Option<(DateTime, Option<i64>)> {
    if text.len() < 7 || !text.is_ascii() {
        return None;
    }
    let date_end = isoformat_separator(text)?;
    let date = text.get(..date_end.min(text.len()))?;
    let time = text.get((date_end + 1).min(text.len())..)?;
    combine(date, time)
}

fn combine(date: &str, time: &str) -> Option<(DateTime, Option<i64>)> {
    let (year, month, day) = isoformat_date(date)?;
    let (hour, minute, second, micro, offset) = if time.is_empty() {
        (0, 0, 0, 0, None)
    } else {
        isoformat_time(time)?
    };
    let datetime = civil(year, month, day, hour, minute, second, micro)?;
    Some((datetime, offset))
}

/// `_find_isoformat_datetime_separator`: where the date part ends.
fn isoformat_separator(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let len = bytes.len();
    if len == 7 {
        return Some(7);
    }
    if len < 7 {
        return None;
    }
    let digit_at = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_digit);
    if bytes[4] == b'-' {
        if bytes[5] == b'W' {
            if len > 8 && bytes[8] == b'-' {
                if len == 9 {
                    return None;
                }
                if len > 10 && digit_at(10) {
                    return Some(8);
                }
                return Some(10);
            }
            return Some(8);
        }
        return Some(10);
    }
    if bytes[4] == b'W' {
        let mut at = 7;
        while at < len && digit_at(at) {
            at += 1;
        }
        if at < 9 {
            return Some(at);
        }
        return Some(if at % 2 == 0 { 7 } else { 8 });
    }
    Some(8)
}

/// `_parse_isoformat_date`: `(year, month, day)`.
fn isoformat_date(date: &str) -> Option<(i64, i64, i64)> {
    if ![7, 8, 10].contains(&date.len()) || !date.is_ascii() {
        return None;
    }
    let year = ascii_number(&date[0..4])?;
    let has_separator = date.as_bytes()[4] == b'-';
    let mut at = 4 + usize::from(has_separator);
    if date.get(at..at + 1) == Some("W") {
        at += 1;
        let week = ascii_number(date.get(at..at + 2)?)?;
        at += 2;
        let mut weekday = 1;
        if date.len() > at {
            if (date.get(at..at + 1) == Some("-")) != has_separator {
                return None;
            }
            at += usize::from(has_separator);
            weekday = ascii_number(date.get(at..at + 1)?)?;
            if date.len() != at + 1 {
                return None;
            }
        }
        let weekday = Weekday::from_monday_one_offset(i8::try_from(weekday).ok()?).ok()?;
        let week_date =
            ISOWeekDate::new(i16::try_from(year).ok()?, i8::try_from(week).ok()?, weekday).ok()?;
        let date = week_date.date();
        return Some((
            i64::from(date.year()),
            i64::from(date.month()),
            i64::from(date.day()),
        ));
    }
    let month = ascii_number(date.get(at..at + 2)?)?;
    at += 2;
    if (date.get(at..at + 1) == Some("-")) != has_separator {
        return None;
    }
    at += usize::from(has_separator);
    let day = ascii_number(date.get(at..at + 2)?)?;
    if date.len() != at + 2 {
        return None;
    }
    Some((year, month, day))
}

/// `_parse_hh_mm_ss_ff`: hours, minutes, seconds, microseconds.
fn hh_mm_ss_ff(text: &str) -> Option<[i64; 4]> {
    let bytes = text.as_bytes();
    let mut components = [0i64; 4];
    let mut at = 0;
    let mut has_separator = false;
    for (index, component) in components.iter_mut().take(3).enumerate() {
        if bytes.len() < at + 2 {
            return None;
        }
        *component = ascii_number(text.get(at..at + 2)?)?;
        at += 2;
        let next = bytes.get(at);
        if index == 0 {
            has_separator = next == Some(&b':');
        }
        if next.is_none() || index >= 2 {
            break;
        }
        if has_separator && next != Some(&b':') {
            return None;
        }
        at += usize::from(has_separator);
    }
    if at < bytes.len() {
        if !matches!(bytes[at], b'.' | b',') {
            return None;
        }
        at += 1;
        let remainder = bytes.len() - at;
        let take = remainder.min(6);
        let fraction = ascii_number(text.get(at..at + take)?)?;
        components[3] = fraction * 10i64.pow(u32::try_from(6 - take).ok()?);
        if !bytes[at + take..].iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    Some(components)
}

/// `_parse_isoformat_time`: the time and the UTC offset in seconds.
#[allow(clippy::type_complexity)]
fn isoformat_time(text: &str) -> Option<(i64, i64, i64, i64, Option<i64>)> {
    if text.len() < 2 {
        return None;
    }
    let zone_at = text
        .find('-')
        .or_else(|| text.find('+'))
        .or_else(|| text.find('Z'));
    let time = match zone_at {
        Some(at) => &text[..at],
        None => text,
    };
    let [hour, minute, second, micro] = hh_mm_ss_ff(time)?;
    let offset = match zone_at {
        None => None,
        Some(at) if at + 1 == text.len() && text.ends_with('Z') => Some(0),
        Some(at) => {
            let zone = &text[at + 1..];
            if [0, 1, 3].contains(&zone.len()) {
                return None;
            }
            let [zh, zm, zs, zf] = hh_mm_ss_ff(zone)?;
            let seconds = zh * 3600 + zm * 60 + zs;
            if seconds >= 86_400 || zf != 0 && seconds + 1 > 86_400 {
                return None;
            }
            let sign = if text.as_bytes()[at] == b'-' { -1 } else { 1 };
            Some(sign * seconds)
        }
    };
    Some((hour, minute, second, micro, offset))
}

/// Django's `datetime_re`, matched from the start:
/// `YYYY-M-D[T ]H:M[:S[.f]] [Z|±HH[:MM]]`. `None` when the text does not
/// have that shape; `Some(None)` when it does but is not a real date-time.
fn datetime_re(text: &str) -> Option<Option<(DateTime, Option<i64>)>> {
    let chars: Vec<char> = text.chars().collect();
    let mut at = 0;
    let digits = |at: &mut usize, min: usize, max: usize| -> Option<i64> {
        let start = *at;
        let mut value = 0i64;
        while *at - start < max {
            match chars.get(*at).copied().and_then(digit_value) {
                Some(digit) => {
                    value = value * 10 + i64::from(digit);
                    *at += 1;
                }
                None => break,
            }
        }
        (*at - start >= min).then_some(value)
    };
    let expect = |at: &mut usize, wanted: &[char]| -> Option<()> {
        let ch = chars.get(*at)?;
        if wanted.contains(ch) {
            *at += 1;
            Some(())
        } else {
            None
        }
    };
    let year = digits(&mut at, 4, 4)?;
    expect(&mut at, &['-'])?;
    let month = digits(&mut at, 1, 2)?;
    expect(&mut at, &['-'])?;
    let day = digits(&mut at, 1, 2)?;
    expect(&mut at, &['T', ' '])?;
    let hour = digits(&mut at, 1, 2)?;
    expect(&mut at, &[':'])?;
    let minute = digits(&mut at, 1, 2)?;
    let mut second = 0;
    let mut micro = 0;
    let saved = at;
    if expect(&mut at, &[':']).is_some() {
        match digits(&mut at, 1, 2) {
            Some(value) => {
                second = value;
                let before_fraction = at;
                if expect(&mut at, &['.', ',']).is_some() {
                    let start = at;
                    match digits(&mut at, 1, 6) {
                        Some(value) => {
                            let taken = at - start;
                            micro = value * 10i64.pow(u32::try_from(6 - taken).ok()?);
                            let _ = digits(&mut at, 0, 6);
                        }
                        None => at = before_fraction,
                    }
                }
            }
            None => at = saved,
        }
    }
    while chars.get(at).is_some_and(|ch| is_py_space(*ch)) {
        at += 1;
    }
    let mut offset = None;
    match chars.get(at) {
        Some('Z') => {
            offset = Some(0);
            at += 1;
        }
        Some(sign @ ('+' | '-')) => {
            let negative = *sign == '-';
            let mut cursor = at + 1;
            if let Some(hours) = digits(&mut cursor, 2, 2) {
                let mut minutes = 0;
                let before = cursor;
                let _ = expect(&mut cursor, &[':']);
                match digits(&mut cursor, 2, 2) {
                    Some(value) => minutes = value,
                    None => cursor = before,
                }
                let seconds = hours * 3600 + minutes * 60;
                offset = Some(if negative { -seconds } else { seconds });
                at = cursor;
            }
        }
        _ => {}
    }
    // `$`: the end, or a final newline.
    let rest: String = chars[at..].iter().collect();
    if !(rest.is_empty() || rest == "\n") {
        return None;
    }
    if offset.is_some_and(|seconds: i64| seconds.abs() >= 86_400) {
        return Some(None);
    }
    Some(civil(year, month, day, hour, minute, second, micro).map(|datetime| (datetime, offset)))
}

/// One element of a `strptime` pattern.
#[derive(Clone, Copy)]
enum Directive {
    Year4,
    Year2,
    Month,
    Day,
    MonthAbbr,
    MonthName,
    Hour,
    Minute,
    Second,
    Fraction,
    Literal(char),
    Space,
}

/// Python's `strptime(text, format)` for the directives Django's input
/// formats use; `None` on `ValueError`.
fn strptime(text: &str, format: &str) -> Option<DateTime> {
    let mut pattern = Vec::new();
    let mut chars = format.chars();
    while let Some(ch) = chars.next() {
        pattern.push(match ch {
            '%' => match chars.next()? {
                'Y' => Directive::Year4,
                'y' => Directive::Year2,
                'm' => Directive::Month,
                'd' => Directive::Day,
                'b' => Directive::MonthAbbr,
                'B' => Directive::MonthName,
                'H' => Directive::Hour,
                'M' => Directive::Minute,
                'S' => Directive::Second,
                'f' => Directive::Fraction,
                _ => return None,
            },
            ' ' => Directive::Space,
            other => Directive::Literal(other),
        });
    }
    let input: Vec<char> = text.chars().collect();
    let mut captures = Vec::with_capacity(pattern.len());
    let end = match_from(&pattern, &input, 0, &mut captures)?;
    // `unconverted data remains`
    if end != input.len() {
        return None;
    }
    let (mut year, mut month, mut day) = (1900i64, 1i64, 1i64);
    let (mut hour, mut minute, mut second, mut micro) = (0i64, 0i64, 0i64, 0i64);
    for (directive, text) in pattern.iter().zip(&captures) {
        let number = || -> Option<i64> {
            text.chars().try_fold(0i64, |value, ch| {
                Some(value * 10 + i64::from(digit_value(ch)?))
            })
        };
        match directive {
            Directive::Year4 => year = number()?,
            Directive::Year2 => {
                let short = number()?;
                year = if short <= 68 {
                    short + 2000
                } else {
                    short + 1900
                };
            }
            Directive::Month => month = number()?,
            Directive::Day => day = number()?,
            Directive::MonthAbbr => month = month_index(&MONTH_ABBRS, text)?,
            Directive::MonthName => month = month_index(&MONTH_NAMES, text)?,
            Directive::Hour => hour = number()?,
            Directive::Minute => minute = number()?,
            Directive::Second => second = number()?,
            Directive::Fraction => {
                let digits = text.len();
                micro = number()? * 10i64.pow(u32::try_from(6usize.checked_sub(digits)?).ok()?);
            }
            Directive::Literal(_) | Directive::Space => {}
        }
    }
    civil(year, month, day, hour, minute, second, micro)
}

const MONTH_ABBRS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The order Python's `strptime` tries full month names in (longest first).
const MONTH_NAME_ORDER: [usize; 12] = [8, 1, 10, 11, 0, 9, 7, 2, 3, 5, 6, 4];

fn month_index(names: &[&str; 12], text: &str) -> Option<i64> {
    let lower = text.to_lowercase();
    let index = names.iter().position(|name| *name == lower)?;
    i64::try_from(index + 1).ok()
}

/// A character class of the `strptime` regular expressions.
#[derive(Clone, Copy)]
enum Class {
    /// `\d`: any Unicode decimal digit.
    Digit,
    /// `[a-b]` on ASCII digits.
    Range(char, char),
    /// One exact character.
    Exact(char),
}

impl Class {
    fn matches(self, ch: char) -> bool {
        match self {
            Class::Digit => digit_value(ch).is_some(),
            Class::Range(low, high) => (low..=high).contains(&ch),
            Class::Exact(wanted) => wanted == ch,
        }
    }
}

use Class::{Digit as D, Exact as E, Range as R};

/// The alternatives of a directive's regular expression, in the order
/// Python's regex engine tries them.
fn alternatives(directive: Directive) -> Vec<Vec<Class>> {
    match directive {
        Directive::Year4 => vec![vec![D, D, D, D]],
        Directive::Year2 => vec![vec![D, D]],
        Directive::Month => vec![
            vec![E('1'), R('0', '2')],
            vec![E('0'), R('1', '9')],
            vec![R('1', '9')],
        ],
        Directive::Day => vec![
            vec![E('3'), R('0', '1')],
            vec![R('1', '2'), D],
            vec![E('0'), R('1', '9')],
            vec![R('1', '9')],
            vec![E(' '), R('1', '9')],
        ],
        Directive::Hour => vec![vec![E('2'), R('0', '3')], vec![R('0', '1'), D], vec![D]],
        Directive::Minute => vec![vec![R('0', '5'), D], vec![D]],
        Directive::Second => vec![vec![E('6'), R('0', '1')], vec![R('0', '5'), D], vec![D]],
        Directive::Fraction => (1..=6)
            .rev()
            .map(|length| vec![R('0', '9'); length])
            .collect(),
        Directive::MonthAbbr => MONTH_ABBRS
            .iter()
            .map(|name| name.chars().map(E).collect())
            .collect(),
        Directive::MonthName => MONTH_NAME_ORDER
            .iter()
            .map(|index| MONTH_NAMES[*index].chars().map(E).collect())
            .collect(),
        Directive::Literal(ch) => vec![vec![E(ch)]],
        Directive::Space => Vec::new(),
    }
}

/// Matches `pattern` against `input` from `at` the way a backtracking regex
/// engine does (first alternative first, case-insensitive), pushing each
/// directive's text; the end of the first match, which need not be the end
/// of `input`.
fn match_from(
    pattern: &[Directive],
    input: &[char],
    at: usize,
    captures: &mut Vec<String>,
) -> Option<usize> {
    let Some((&directive, rest)) = pattern.split_first() else {
        return Some(at);
    };
    let candidates: Vec<usize> = match directive {
        // `\s+`, greedy: the longest run first.
        Directive::Space => {
            let run = input[at..]
                .iter()
                .take_while(|ch| is_py_space(**ch))
                .count();
            (1..=run).rev().map(|length| at + length).collect()
        }
        _ => alternatives(directive)
            .iter()
            .filter(|classes| {
                classes.len() <= input.len() - at
                    && classes
                        .iter()
                        .zip(&input[at..])
                        .all(|(class, ch)| case_insensitive_match(*class, *ch))
            })
            .map(|classes| at + classes.len())
            .collect(),
    };
    for end in candidates {
        captures.push(input[at..end].iter().collect());
        if let Some(found) = match_from(rest, input, end, captures) {
            return Some(found);
        }
        captures.pop();
    }
    None
}

fn case_insensitive_match(class: Class, ch: char) -> bool {
    if class.matches(ch) {
        return true;
    }
    let mut lower = ch.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(single), None) => class.matches(single),
        _ => false,
    }
}

/// `date.strftime("%Y-%m-%d")` as Django's `DateInput` writes it (the year
/// padded to four digits, as Django's `sanitize_strftime_format` ensures).
pub(crate) fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// `strftime("%Y-%m-%d %H:%M:%S")` as Django's `DateTimeInput` writes it.
pub(crate) fn format_datetime(datetime: DateTime) -> String {
    format!(
        "{} {:02}:{:02}:{:02}",
        format_date(datetime.date()),
        datetime.hour(),
        datetime.minute(),
        datetime.second()
    )
}

/// A date-time with its sub-second part cut to whole seconds (Django drops
/// microseconds of initial values shown in a `DateTimeInput`).
pub(crate) fn whole_seconds(datetime: DateTime) -> DateTime {
    datetime
        .checked_sub(datetime.subsec_nanosecond().nanoseconds())
        .unwrap_or(datetime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<String> {
        parse_date(text).map(format_date)
    }

    fn datetime(text: &str) -> Option<String> {
        parse_datetime(text).map(|value| value.to_string())
    }

    #[test]
    fn dates_follow_strptime() {
        assert_eq!(date("2024-3-5").as_deref(), Some("2024-03-05"));
        assert_eq!(date("3/5/70").as_deref(), Some("1970-03-05"));
        assert_eq!(date("3/5/68").as_deref(), Some("2068-03-05"));
        assert_eq!(date("MARCH  5,\t2024").as_deref(), Some("2024-03-05"));
        assert_eq!(date("sep 9 2024").as_deref(), Some("2024-09-09"));
        // `\d` (years) takes any decimal digit, `[0-9]`-style classes do not.
        assert_eq!(date("12/31/١٩٩٩").as_deref(), Some("1999-12-31"));
        assert_eq!(date("١٢/٣١/١٩٩٩"), None);
        for bad in [
            "2024-02-30",
            "20240305",
            "2024-03-05 10:00",
            "",
            "Sept 9 2024",
        ] {
            assert_eq!(date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn datetimes_take_iso_offsets_and_input_formats() {
        assert_eq!(
            datetime("2024-03-05T14:30:15+02:00").as_deref(),
            Some("2024-03-05T12:30:15")
        );
        assert_eq!(
            datetime("2024-03-05 14:30:15 -01:30").as_deref(),
            Some("2024-03-05T16:00:15")
        );
        assert_eq!(
            datetime("2024-W10-2").as_deref(),
            Some("2024-03-05T00:00:00")
        );
        assert_eq!(
            datetime("03/05/24 9:5").as_deref(),
            Some("2024-03-05T09:05:00")
        );
        assert_eq!(
            datetime("2024-03-05 14:30:15,25").as_deref(),
            Some("2024-03-05T14:30:15.25")
        );
        assert_eq!(datetime("2024-02-30 10:00"), None);
        assert_eq!(datetime("2024-03-05 25:00"), None);
    }
}
