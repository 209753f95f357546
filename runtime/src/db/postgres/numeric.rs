//! PostgreSQL's binary `numeric` format, to and from canonical decimal text.
//!
//! Input: decimal text in the canonical form of [`crate::db::decimal`], or
//! the bytes of a `numeric` value as PostgreSQL sends it. Output: the other
//! one. The format (from PostgreSQL's `numeric.c`): four 16-bit big-endian
//! header words — digit count, weight (power of 10000 of the first digit),
//! sign, display scale — then the digits in base 10000.
//!
//! Written here because the crates that implement it do so for fixed-size
//! decimal types (`rust_decimal`: 28 digits) or big-number types djinn has
//! no other use for; `decimal(DIGITS, PLACES)` allows any precision.

use std::fmt::Write as _;

const POSITIVE: u16 = 0x0000;
const NEGATIVE: u16 = 0x4000;

/// The `numeric` bytes for canonical decimal `text`, or `None` if `text` is
/// not canonical (see [`crate::db::normalize_decimal`]).
pub(crate) fn encode(text: &str) -> Option<Vec<u8>> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_only = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if integer.is_empty() || !digits_only(integer) || !digits_only(fraction) {
        return None;
    }
    let scale = u16::try_from(fraction.len()).ok()?;
    // Pad to whole base-10000 groups on both sides of the point.
    let integer_pad = (4 - integer.len() % 4) % 4;
    let fraction_pad = (4 - fraction.len() % 4) % 4;
    let mut padded = "0".repeat(integer_pad);
    padded.push_str(integer);
    padded.push_str(fraction);
    padded.push_str(&"0".repeat(fraction_pad));
    let mut groups: Vec<i16> = padded
        .as_bytes()
        .chunks(4)
        .map(|chunk| {
            chunk
                .iter()
                .fold(0_i16, |sum, digit| sum * 10 + i16::from(digit - b'0'))
        })
        .collect();
    let mut weight = i16::try_from((integer.len() + integer_pad) / 4).ok()? - 1;
    let leading_zeros = groups.iter().take_while(|group| **group == 0).count();
    groups.drain(..leading_zeros);
    weight -= i16::try_from(leading_zeros).ok()?;
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    let sign = if negative && !groups.is_empty() {
        NEGATIVE
    } else {
        POSITIVE
    };
    let mut bytes = Vec::with_capacity(8 + 2 * groups.len());
    bytes.extend_from_slice(&i16::try_from(groups.len()).ok()?.to_be_bytes());
    bytes.extend_from_slice(&weight.to_be_bytes());
    bytes.extend_from_slice(&sign.to_be_bytes());
    bytes.extend_from_slice(&scale.to_be_bytes());
    for group in groups {
        bytes.extend_from_slice(&group.to_be_bytes());
    }
    Some(bytes)
}

/// The canonical decimal text of `numeric` bytes; an error for malformed
/// bytes and for `NaN` and the infinities, which a decimal field cannot hold.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, String> {
    let word = |index: usize| {
        bytes
            .get(2 * index..2 * index + 2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .ok_or_else(|| "truncated numeric value".to_owned())
    };
    let count = usize::from(word(0)?);
    let weight = i64::from(word(1)? as i16);
    let sign = word(2)?;
    let scale = usize::from(word(3)?);
    if sign != POSITIVE && sign != NEGATIVE {
        return Err("NaN and infinity are not decimal numbers".to_owned());
    }
    let groups = (0..count)
        .map(|index| word(4 + index))
        .collect::<Result<Vec<u16>, String>>()?;
    // The base-10000 digit at position `power` (10000^power), zero outside the stored ones.
    let group_at = |power: i64| {
        let index = weight - power;
        usize::try_from(index)
            .ok()
            .and_then(|index| groups.get(index).copied())
            .unwrap_or(0)
    };
    let mut text = String::new();
    if sign == NEGATIVE {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        let _ = write!(text, "{}", group_at(weight));
        for power in (0..weight).rev() {
            let _ = write!(text, "{:04}", group_at(power));
        }
    }
    if scale > 0 {
        text.push('.');
        let mut fraction = String::with_capacity(scale + 4);
        let mut power = -1;
        while fraction.len() < scale {
            let _ = write!(fraction, "{:04}", group_at(power));
            power -= 1;
        }
        fraction.truncate(scale);
        text.push_str(&fraction);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header and digits PostgreSQL itself sends (`SELECT '…'::numeric`
    /// in binary), so the encoding is checked against the server's.
    #[test]
    fn encoding_matches_postgresql() {
        let words = |text: &str| -> Vec<i16> {
            encode(text)
                .unwrap()
                .chunks(2)
                .map(|pair| i16::from_be_bytes([pair[0], pair[1]]))
                .collect()
        };
        assert_eq!(words("0"), [0, 0, 0, 0]);
        assert_eq!(words("0.00"), [0, 0, 0, 2]);
        assert_eq!(words("1"), [1, 0, 0, 0, 1]);
        assert_eq!(words("10000"), [1, 1, 0, 0, 1]);
        assert_eq!(words("12345.678"), [3, 1, 0, 3, 1, 2345, 6780]);
        assert_eq!(words("-0.0001"), [1, -1, 0x4000, 4, 1]);
        assert_eq!(words("0.00001"), [1, -2, 0, 5, 1000]);
    }

    #[test]
    fn decoding_inverts_encoding() {
        for text in [
            "0",
            "0.00",
            "1",
            "-1.5",
            "9.99",
            "10000",
            "99999999.99",
            "0.0001",
            "-0.00012",
            "1000000.000",
            "123456789012345678901234567890.123456789",
        ] {
            assert_eq!(
                decode(&encode(text).unwrap()).as_deref(),
                Ok(text),
                "{text}"
            );
        }
    }

    #[test]
    fn special_values_and_garbage_are_errors() {
        assert!(encode("1e5").is_none());
        assert!(encode(".5").is_none(), "not canonical");
        let nan = [0, 0, 0, 0, 0xC0, 0, 0, 0];
        assert!(decode(&nan).is_err());
        assert!(decode(&[0, 1]).is_err());
        assert!(
            decode(&[0, 2, 0, 0, 0, 0, 0, 0, 0, 1]).is_err(),
            "one digit short"
        );
    }
}
