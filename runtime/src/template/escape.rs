//! HTML escaping and the safe-string notion (Django's `django.utils.html.escape`,
//! `conditional_escape` and `django.utils.safestring`).
//!
//! Input: text or any [`DjangoStr`] value; output: escaped text appended to a
//! `String` buffer. Safety is carried by the type: [`Safe<T>`] marks a value whose
//! text is already HTML (Django's `SafeData`), everything else is escaped when
//! autoescaping is on.

use std::borrow::Cow;

use super::display::DjangoStr;

/// The replacement for one byte that Django's `escape` rewrites, or `None`.
fn replacement(byte: u8) -> Option<&'static str> {
    match byte {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#x27;"),
        _ => None,
    }
}

/// Appends `text` to `out` with `& < > " '` replaced by `&amp; &lt; &gt; &quot; &#x27;`
/// (Django's `escape`, which is Python's `html.escape(text, quote=True)`).
pub fn escape_into(out: &mut String, text: &str) {
    let mut copied = 0;
    for (index, byte) in text.bytes().enumerate() {
        if let Some(entity) = replacement(byte) {
            out.push_str(&text[copied..index]);
            out.push_str(entity);
            copied = index + 1;
        }
    }
    out.push_str(&text[copied..]);
}

/// Django's `escape`: `text` with the five HTML specials replaced; borrows when
/// nothing needs replacing.
pub fn escape(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|byte| replacement(byte).is_some()) {
        let mut out = String::with_capacity(text.len() + 16);
        escape_into(&mut out, text);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// Django's `conditional_escape`: appends `str(value)`, escaped unless the value
/// is marked safe.
pub fn conditional_escape_into<T: DjangoStr + ?Sized>(out: &mut String, value: &T) {
    if value.is_html_safe() {
        value.write_str(out);
    } else {
        match value.django_str() {
            Cow::Borrowed(text) => escape_into(out, text),
            Cow::Owned(text) => escape_into(out, &text),
        }
    }
}

/// Django's `conditional_escape` returning a new safe string.
pub fn conditional_escape<T: DjangoStr + ?Sized>(value: &T) -> SafeString {
    let mut out = String::new();
    conditional_escape_into(&mut out, value);
    Safe(out)
}

/// Writes what `{{ value }}` shows: the value localized as Django's
/// `render_value_in_context` does, then escaped when `autoescape` is on and the
/// value is not marked safe.
pub fn render_into<T: DjangoStr + ?Sized>(out: &mut String, value: &T, autoescape: bool) {
    if autoescape && !value.is_html_safe() {
        if value.is_text() {
            // Text is its own localized form: escape it without a copy.
            escape_into(out, &value.django_str());
        } else {
            let mut text = String::new();
            value.write_localized(&mut text);
            escape_into(out, &text);
        }
    } else {
        value.write_localized(out);
    }
}

/// A value whose text is already HTML and must not be escaped again (Django's
/// `SafeData`, made by `mark_safe` and the `safe` filter).
///
/// It renders exactly like the wrapped value; only [`DjangoStr::is_html_safe`]
/// differs, so escaping code leaves it alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Safe<T>(pub T);

/// Django's `SafeString`: owned text marked safe.
pub type SafeString = Safe<String>;

impl<T> Safe<T> {
    /// The wrapped value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl SafeString {
    /// The text as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Django's `mark_safe` for text.
pub fn mark_safe(text: impl Into<String>) -> SafeString {
    Safe(text.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_specials() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/a&gt;"
        );
        assert!(matches!(escape("plain Ünïcödé"), Cow::Borrowed(_)));
    }

    #[test]
    fn conditional_escape_leaves_safe_values() {
        assert_eq!(conditional_escape("<b>").0, "&lt;b&gt;");
        assert_eq!(conditional_escape(&mark_safe("<b>")).0, "<b>");
        let mut out = String::new();
        render_into(&mut out, &Some(Safe("<i>")), true);
        render_into(&mut out, "<i>", true);
        render_into(&mut out, "<i>", false);
        assert_eq!(out, "<i>&lt;i&gt;<i>");
    }
}
