//! Dates and datetimes as text, for backends that store them as text.
//!
//! Input: `jiff` civil values to store in SQLite, or text read back (from
//! SQLite, or written by hand or by `CURRENT_TIMESTAMP`). Output: one
//! canonical text form per type — `YYYY-MM-DD` and Django's
//! `YYYY-MM-DD HH:MM:SS[.ffffff]` — so that comparing the text compares the
//! values, and the parsed value back.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// `2024-01-31`.
pub(crate) fn format_date(date: Date) -> String {
    date.to_string()
}

/// `2024-01-31 09:30:00`, or `2024-01-31 09:30:00.250000` when there are
/// microseconds (nanoseconds are truncated: both backends keep microseconds).
pub(crate) fn format_datetime(datetime: DateTime) -> String {
    let mut text = format!(
        "{} {:02}:{:02}:{:02}",
        datetime.date(),
        datetime.hour(),
        datetime.minute(),
        datetime.second()
    );
    let micros = datetime.subsec_nanosecond() / 1000;
    if micros != 0 {
        text.push_str(&format!(".{micros:06}"));
    }
    text
}

/// A date written `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    text.parse().ok()
}

/// A datetime written `YYYY-MM-DD HH:MM:SS[.fff…]` (or with `T`); one with
/// an offset (`Z`, `+02:00`) is converted to the UTC wall clock.
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime> {
    // An instant first: jiff's civil parser would ignore a non-Z offset.
    if let Ok(instant) = text.parse::<jiff::Timestamp>() {
        return Some(TimeZone::UTC.to_datetime(instant));
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn datetimes_are_written_like_django_and_read_back() {
        let whole = date(2024, 1, 31).at(9, 30, 0, 0);
        let fraction = date(2024, 1, 31).at(9, 30, 0, 250_000_999);
        assert_eq!(format_datetime(whole), "2024-01-31 09:30:00");
        assert_eq!(format_datetime(fraction), "2024-01-31 09:30:00.250000");
        assert_eq!(parse_datetime("2024-01-31 09:30:00"), Some(whole));
        assert_eq!(parse_datetime("2024-01-31T09:30:00"), Some(whole));
        assert_eq!(
            parse_datetime("2024-01-31 09:30:00.25"),
            Some(date(2024, 1, 31).at(9, 30, 0, 250_000_000))
        );
        assert_eq!(parse_datetime("2024-01-31T11:30:00+02:00"), Some(whole));
        assert_eq!(parse_datetime("2024-01-31T09:30:00Z"), Some(whole));
        assert_eq!(parse_datetime("yesterday"), None);
    }

    #[test]
    fn text_order_is_time_order() {
        let earlier = format_datetime(date(2024, 1, 31).at(9, 30, 0, 0));
        let later = format_datetime(date(2024, 1, 31).at(9, 30, 0, 1000));
        let latest = format_datetime(date(2024, 1, 31).at(9, 30, 1, 0));
        assert!(earlier < later && later < latest);
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(format_date(date(2024, 2, 29)), "2024-02-29");
        assert_eq!(parse_date("2024-02-29"), Some(date(2024, 2, 29)));
        assert_eq!(parse_date("2023-02-29"), None);
    }
}
