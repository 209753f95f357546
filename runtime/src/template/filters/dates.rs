//! The `date` and `time` filters: Django's PHP-style date formatting
//! (`django.utils.dateformat`) for naive dates, datetimes and times.
//!
//! Input: a [`Temporal`] value (from `jiff` civil types) and a format string
//! such as `"D, j N Y"` or a named format like `"SHORT_DATE_FORMAT"`; output:
//! the formatted text with English names, as Django renders it with
//! `LANGUAGE_CODE="en-us"`, `USE_TZ=False` and `TIME_ZONE="UTC"` (so naive
//! datetimes format as UTC: `O` is `+0000`, `T` is `UTC`).

use std::fmt::Write as _;

use jiff::civil::{Date, DateTime, Time};

use super::FilterError;
use crate::template::display::microsecond;

/// A value the date filters accept: Python's `date`, `datetime` or `time`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Temporal {
    /// `datetime.date`.
    Date(Date),
    /// A naive `datetime.datetime` (formatted in the default time zone, UTC).
    DateTime(DateTime),
    /// `datetime.time`.
    Time(Time),
}

/// Conversion to a [`Temporal`]; `None` (Python's `None`) formats as `""`.
pub trait ToTemporal {
    /// The value as a date, datetime or time, or `None` for a missing value.
    fn to_temporal(&self) -> Option<Temporal>;
}

impl ToTemporal for Date {
    fn to_temporal(&self) -> Option<Temporal> {
        Some(Temporal::Date(*self))
    }
}

impl ToTemporal for DateTime {
    fn to_temporal(&self) -> Option<Temporal> {
        Some(Temporal::DateTime(*self))
    }
}

impl ToTemporal for Time {
    fn to_temporal(&self) -> Option<Temporal> {
        Some(Temporal::Time(*self))
    }
}

impl ToTemporal for Temporal {
    fn to_temporal(&self) -> Option<Temporal> {
        Some(*self)
    }
}

impl<T: ToTemporal> ToTemporal for Option<T> {
    fn to_temporal(&self) -> Option<Temporal> {
        self.as_ref().and_then(ToTemporal::to_temporal)
    }
}

impl<T: ToTemporal + ?Sized> ToTemporal for &T {
    fn to_temporal(&self) -> Option<Temporal> {
        (**self).to_temporal()
    }
}

/// `{{ value|date:format }}` (is_safe=False). `format` `None` means
/// `DATE_FORMAT` (`"N j, Y"`). A format with a time specifier on a plain date
/// is an error, as in Django; on a time, date specifiers give `""`.
pub fn date<V: ToTemporal + ?Sized>(
    value: &V,
    format: Option<&str>,
) -> Result<String, FilterError> {
    let Some(value) = value.to_temporal() else {
        return Ok(String::new());
    };
    let format = resolve_named_format(format.unwrap_or("DATE_FORMAT"));
    match format_date(&value, format) {
        Ok(text) => Ok(text),
        Err(Failure::Missing) => Ok(String::new()),
        Err(Failure::Type(message)) => Err(FilterError::new("TypeError", message)),
    }
}

/// `{{ value|time:format }}` (is_safe=False). `format` `None` means
/// `TIME_FORMAT` (`"P"`). Any date specifier, or a time specifier on a plain
/// date, makes the result `""`, as in Django.
pub fn time<V: ToTemporal + ?Sized>(value: &V, format: Option<&str>) -> String {
    let Some(value) = value.to_temporal() else {
        return String::new();
    };
    let format = resolve_named_format(format.unwrap_or("TIME_FORMAT"));
    format_time(&value, format).unwrap_or_default()
}

/// Formats with one of Django's named formats (`DATE_FORMAT`, `DATETIME_FORMAT`,
/// `TIME_FORMAT`, …) or a literal format, as `{{ value }}` and the filters do.
/// A specifier the value cannot supply gives `""`.
pub fn format_named(value: &Temporal, format: &str) -> String {
    format_date(value, resolve_named_format(format)).unwrap_or_default()
}

/// Django's `get_format` for the en locale: a named format's pattern, or the
/// argument itself.
fn resolve_named_format(name: &str) -> &str {
    match name {
        "DATE_FORMAT" => "N j, Y",
        "TIME_FORMAT" => "P",
        "DATETIME_FORMAT" => "N j, Y, P",
        "YEAR_MONTH_FORMAT" => "F Y",
        "MONTH_DAY_FORMAT" => "F j",
        "SHORT_DATE_FORMAT" => "m/d/Y",
        "SHORT_DATETIME_FORMAT" => "m/d/Y P",
        "DECIMAL_SEPARATOR" => ".",
        "THOUSAND_SEPARATOR" => ",",
        "NUMBER_GROUPING" => "3",
        "FIRST_DAY_OF_WEEK" => "0",
        other => other,
    }
}

/// Why a format specifier could not be applied.
#[derive(Debug)]
enum Failure {
    /// The value lacks the attribute (Python's `AttributeError`): the filter
    /// gives `""`.
    Missing,
    /// Python's `TypeError`: the template fails to render.
    Type(String),
}

/// One piece of a parsed format string.
#[derive(Debug, PartialEq)]
enum Piece {
    /// A format specifier such as `Y`.
    Specifier(char),
    /// Literal text, with backslash escapes resolved.
    Literal(String),
}

/// The specifiers Django's `TimeFormat` knows.
const TIME_SPECIFIERS: &str = "aAefgGhHiOPsTuZ";
/// All specifiers of Django's `DateFormat`.
const ALL_SPECIFIERS: &str = "aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ";

/// Splits a format like Django's `re_formatchars`: a specifier not preceded by
/// a backslash; in literal text `\x` stands for `x`.
fn parse_format(format: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut previous: Option<char> = None;
    let mut pending_backslash = false;
    for ch in format.chars() {
        let is_specifier = ALL_SPECIFIERS.contains(ch) && previous != Some('\\');
        previous = Some(ch);
        if is_specifier {
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(&mut literal)));
            }
            pieces.push(Piece::Specifier(ch));
        } else if pending_backslash {
            // `\\(.)`: the dot does not match a newline.
            if ch == '\n' {
                literal.push('\\');
            }
            literal.push(ch);
            pending_backslash = false;
        } else if ch == '\\' {
            pending_backslash = true;
        } else {
            literal.push(ch);
        }
    }
    if pending_backslash {
        literal.push('\\');
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    pieces
}

/// Django's `DateFormat(value).format(format)`.
fn format_date(value: &Temporal, format: &str) -> Result<String, Failure> {
    let mut out = String::new();
    for piece in parse_format(format) {
        match piece {
            Piece::Literal(text) => out.push_str(&text),
            Piece::Specifier(specifier) => {
                if matches!(value, Temporal::Date(_)) && TIME_SPECIFIERS.contains(specifier) {
                    return Err(Failure::Type(format!(
                        "The format for date objects may not contain time-related format specifiers (found '{specifier}')."
                    )));
                }
                write_specifier(&mut out, value, specifier)?;
            }
        }
    }
    Ok(out)
}

/// Django's `TimeFormat(value).format(format)`: only time specifiers exist.
fn format_time(value: &Temporal, format: &str) -> Result<String, Failure> {
    let mut out = String::new();
    for piece in parse_format(format) {
        match piece {
            Piece::Literal(text) => out.push_str(&text),
            // Django's Formatter refuses time specifiers on a plain date; the
            // time filter turns that TypeError into "".
            Piece::Specifier(_) if matches!(value, Temporal::Date(_)) => {
                return Err(Failure::Missing);
            }
            Piece::Specifier(specifier) if TIME_SPECIFIERS.contains(specifier) => {
                write_specifier(&mut out, value, specifier)?;
            }
            Piece::Specifier(_) => return Err(Failure::Missing),
        }
    }
    Ok(out)
}

/// English month names, `MONTHS` in `django.utils.dates` (also `MONTHS_ALT`).
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Associated Press month abbreviations, `MONTHS_AP`.
const MONTHS_AP: [&str; 12] = [
    "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
    "Dec.",
];
/// Weekday names from Monday, `WEEKDAYS`.
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The parts of a value, as the attributes Python would find on it.
struct Parts {
    date: Option<Date>,
    time: Option<Time>,
    /// Only datetimes get the default time zone (UTC) in Django's `TimeFormat`.
    in_time_zone: bool,
}

impl Parts {
    fn of(value: &Temporal) -> Self {
        match *value {
            Temporal::Date(date) => Parts {
                date: Some(date),
                time: None,
                in_time_zone: false,
            },
            Temporal::DateTime(datetime) => Parts {
                date: Some(datetime.date()),
                time: Some(datetime.time()),
                in_time_zone: true,
            },
            Temporal::Time(time) => Parts {
                date: None,
                time: Some(time),
                in_time_zone: false,
            },
        }
    }

    fn date(&self) -> Result<Date, Failure> {
        self.date.ok_or(Failure::Missing)
    }

    fn time(&self) -> Result<Time, Failure> {
        self.time.ok_or(Failure::Missing)
    }

    /// `datetime.combine(value, time.min)` for the `r` and `U` specifiers.
    fn datetime(&self) -> Result<DateTime, Failure> {
        let date = self.date.ok_or_else(|| {
            Failure::Type(
                "combine() argument 1 must be datetime.date, not datetime.time".to_owned(),
            )
        })?;
        Ok(date.to_datetime(self.time.unwrap_or(Time::midnight())))
    }
}

/// Hour on the 12-hour clock, 1 to 12.
fn hour12(time: Time) -> i8 {
    match time.hour() % 12 {
        0 => 12,
        hour => hour,
    }
}

/// Django's `f`: `1`, `1:30`.
fn write_f(out: &mut String, time: Time) {
    if time.minute() == 0 {
        let _ = write!(out, "{}", hour12(time));
    } else {
        let _ = write!(out, "{}:{:02}", hour12(time), time.minute());
    }
}

fn am_pm(time: Time) -> &'static str {
    if time.hour() > 11 { "p.m." } else { "a.m." }
}

/// Appends one specifier's text, or fails like the Python attribute access.
fn write_specifier(out: &mut String, value: &Temporal, specifier: char) -> Result<(), Failure> {
    let parts = Parts::of(value);
    match specifier {
        'a' => out.push_str(am_pm(parts.time()?)),
        'A' => out.push_str(if parts.time()?.hour() > 11 {
            "PM"
        } else {
            "AM"
        }),
        // Naive values have no tzinfo, so no zone name.
        'e' => {}
        'f' => write_f(out, parts.time()?),
        'g' => {
            let _ = write!(out, "{}", hour12(parts.time()?));
        }
        'G' => {
            let _ = write!(out, "{}", parts.time()?.hour());
        }
        'h' => {
            let _ = write!(out, "{:02}", hour12(parts.time()?));
        }
        'H' => {
            let _ = write!(out, "{:02}", parts.time()?.hour());
        }
        'i' => {
            let _ = write!(out, "{:02}", parts.time()?.minute());
        }
        'O' if parts.in_time_zone => out.push_str("+0000"),
        'T' if parts.in_time_zone => out.push_str("UTC"),
        'Z' if parts.in_time_zone => out.push('0'),
        'I' if parts.in_time_zone => out.push('0'),
        'O' | 'T' | 'Z' | 'I' => {}
        'P' => {
            let time = parts.time()?;
            match (time.hour(), time.minute()) {
                (0, 0) => out.push_str("midnight"),
                (12, 0) => out.push_str("noon"),
                _ => {
                    write_f(out, time);
                    out.push(' ');
                    out.push_str(am_pm(time));
                }
            }
        }
        's' => {
            let _ = write!(out, "{:02}", parts.time()?.second());
        }
        'u' => {
            let _ = write!(out, "{:06}", microsecond(&parts.time()?));
        }
        'b' => out.push_str(&MONTHS[month_index(parts.date()?)][..3].to_lowercase()),
        'c' => write_isoformat(out, value),
        'd' => {
            let _ = write!(out, "{:02}", parts.date()?.day());
        }
        'D' => out.push_str(&WEEKDAYS[weekday_index(parts.date()?)][..3]),
        'E' | 'F' => out.push_str(MONTHS[month_index(parts.date()?)]),
        'j' => {
            let _ = write!(out, "{}", parts.date()?.day());
        }
        'l' => out.push_str(WEEKDAYS[weekday_index(parts.date()?)]),
        'L' => out.push_str(if parts.date()?.in_leap_year() {
            "True"
        } else {
            "False"
        }),
        'm' => {
            let _ = write!(out, "{:02}", parts.date()?.month());
        }
        'M' => out.push_str(&MONTHS[month_index(parts.date()?)][..3]),
        'n' => {
            let _ = write!(out, "{}", parts.date()?.month());
        }
        'N' => out.push_str(MONTHS_AP[month_index(parts.date()?)]),
        'o' => {
            let _ = write!(out, "{}", parts.date()?.iso_week_date().year());
        }
        'r' => write_rfc5322(out, parts.datetime()?),
        'S' => out.push_str(ordinal_suffix(parts.date()?.day())),
        't' => {
            let _ = write!(out, "{}", parts.date()?.days_in_month());
        }
        'U' => {
            let _ = write!(out, "{}", unix_seconds(parts.datetime()?));
        }
        'w' => {
            let _ = write!(out, "{}", parts.date()?.weekday().to_sunday_zero_offset());
        }
        'W' => {
            let _ = write!(out, "{}", parts.date()?.iso_week_date().week());
        }
        'y' => {
            let _ = write!(out, "{:02}", parts.date()?.year() % 100);
        }
        'Y' => {
            let _ = write!(out, "{:04}", parts.date()?.year());
        }
        'z' => {
            let _ = write!(out, "{}", parts.date()?.day_of_year());
        }
        _ => return Err(Failure::Missing),
    }
    Ok(())
}

fn month_index(date: Date) -> usize {
    date.month() as usize - 1
}

fn weekday_index(date: Date) -> usize {
    date.weekday().to_monday_zero_offset() as usize
}

/// Django's `S`: `st`, `nd`, `rd` or `th`.
fn ordinal_suffix(day: i8) -> &'static str {
    match day {
        11..=13 => "th",
        _ => match day % 10 {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        },
    }
}

/// Python's `isoformat()` of a date, datetime or time.
fn write_isoformat(out: &mut String, value: &Temporal) {
    let write_time = |out: &mut String, time: Time| {
        let _ = write!(
            out,
            "{:02}:{:02}:{:02}",
            time.hour(),
            time.minute(),
            time.second()
        );
        let micros = microsecond(&time);
        if micros != 0 {
            let _ = write!(out, ".{micros:06}");
        }
    };
    let write_date = |out: &mut String, date: Date| {
        let _ = write!(
            out,
            "{:04}-{:02}-{:02}",
            date.year(),
            date.month(),
            date.day()
        );
    };
    match *value {
        Temporal::Date(date) => write_date(out, date),
        Temporal::DateTime(datetime) => {
            write_date(out, datetime.date());
            out.push('T');
            write_time(out, datetime.time());
        }
        Temporal::Time(time) => write_time(out, time),
    }
}

/// How Django's `DjangoJSONEncoder` writes a date, datetime or time (for
/// `json_script`): ISO 8601 with a `T`, fractions cut to milliseconds.
pub fn json_isoformat(value: &Temporal) -> String {
    let mut out = String::new();
    write_isoformat(&mut out, value);
    let has_micros = match value {
        Temporal::Date(_) => false,
        Temporal::DateTime(datetime) => microsecond(&datetime.time()) != 0,
        Temporal::Time(time) => microsecond(time) != 0,
    };
    if has_micros {
        // `.ffffff` → `.fff`
        out.truncate(out.len() - 3);
    }
    out
}

/// `email.utils.format_datetime` of the value in UTC:
/// `Tue, 05 Mar 2024 14:30:00 +0000`.
fn write_rfc5322(out: &mut String, datetime: DateTime) {
    let date = datetime.date();
    let _ = write!(
        out,
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        &WEEKDAYS[weekday_index(date)][..3],
        date.day(),
        &MONTHS[month_index(date)][..3],
        date.year(),
        datetime.hour(),
        datetime.minute(),
        datetime.second()
    );
}

/// `int(value.timestamp())` with the naive value read as UTC: truncated
/// toward zero.
fn unix_seconds(datetime: DateTime) -> i64 {
    let epoch = Date::constant(1970, 1, 1);
    let days = i64::from((datetime.date() - epoch).get_days());
    let seconds = days * 86_400
        + i64::from(datetime.hour()) * 3600
        + i64::from(datetime.minute()) * 60
        + i64::from(datetime.second());
    if seconds < 0 && microsecond(&datetime.time()) != 0 {
        seconds + 1
    } else {
        seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslash_escapes_specifiers() {
        assert_eq!(
            parse_format(r"\Y Y \\"),
            vec![
                Piece::Literal("Y ".into()),
                Piece::Specifier('Y'),
                Piece::Literal(" \\".into())
            ]
        );
        let value = Temporal::Date(Date::constant(2024, 3, 5));
        assert_eq!(format_date(&value, r"jS \o\f F").unwrap(), "5th of March");
        assert_eq!(format_date(&value, r"\\Y").unwrap(), r"\Y");
    }

    #[test]
    fn date_rejects_time_specifiers_and_time_drops_date_ones() {
        let day = Date::constant(2024, 3, 5);
        assert!(date(&day, Some("H")).is_err());
        assert_eq!(time(&day.at(14, 30, 0, 0), Some("H:i Y")), "");
        assert_eq!(time(&day.at(14, 30, 0, 0), None), "2:30 p.m.");
        assert_eq!(date(&None::<Date>, None).unwrap(), "");
    }

    #[test]
    fn times_format_without_date_parts() {
        let afternoon = Time::constant(14, 30, 5, 123_456_000);
        assert_eq!(time(&afternoon, None), "2:30 p.m.");
        assert_eq!(
            date(&afternoon, Some("H:i:s.u")).unwrap(),
            "14:30:05.123456"
        );
        assert_eq!(date(&afternoon, Some("H Y")).unwrap(), "");
        assert!(date(&afternoon, Some("U")).is_err());
        assert_eq!(json_isoformat(&Temporal::Time(afternoon)), "14:30:05.123");
    }

    #[test]
    fn unix_seconds_truncate_toward_zero() {
        let before_epoch = Date::constant(1969, 12, 31).at(23, 59, 59, 500_000_000);
        assert_eq!(unix_seconds(before_epoch), 0);
        assert_eq!(
            unix_seconds(Date::constant(1970, 1, 2).at(0, 0, 1, 0)),
            86_401
        );
    }
}
