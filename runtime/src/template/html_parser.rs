//! A port of Python's `html.parser.HTMLParser` (Python 3.12), which Django's
//! `striptags` and HTML truncation run on, so that odd markup splits exactly
//! as it does in Django.
//!
//! Input: HTML text and an [`HtmlHandler`]; output: the handler's calls for
//! start tags, end tags, text and (without `convert_charrefs`) character
//! references. Comments, declarations and processing instructions are
//! skipped, as both Django users ignore them.

use std::sync::LazyLock;

use fancy_regex::Regex;

use super::html_unescape::unescape;

/// Whether the handler wants parsing to go on (Django's truncating parser stops
/// early by raising an exception).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Keep parsing.
    Continue,
    /// Stop at once.
    Stop,
}

/// The callbacks of Python's `HTMLParser`; each defaults to ignoring its input.
pub(crate) trait HtmlHandler {
    /// `handle_starttag`: `tag` is the lower-cased name, `text` the whole tag.
    fn start_tag(&mut self, _tag: &str, _text: &str) -> Flow {
        Flow::Continue
    }
    /// `handle_startendtag` for `<tag ... />`; by default a start then an end tag.
    fn start_end_tag(&mut self, tag: &str, text: &str) -> Flow {
        if self.start_tag(tag, text) == Flow::Stop {
            return Flow::Stop;
        }
        self.end_tag(tag)
    }
    /// `handle_endtag` with the lower-cased name.
    fn end_tag(&mut self, _tag: &str) -> Flow {
        Flow::Continue
    }
    /// `handle_data`: text between tags.
    fn data(&mut self, _data: &str) -> Flow {
        Flow::Continue
    }
    /// `handle_entityref` (only without `convert_charrefs`): `amp` for `&amp;`.
    fn entity_ref(&mut self, _name: &str) -> Flow {
        Flow::Continue
    }
    /// `handle_charref` (only without `convert_charrefs`): `39` for `&#39;`.
    fn char_ref(&mut self, _name: &str) -> Flow {
        Flow::Continue
    }
}

/// Python raised `AssertionError` on a malformed marked section (`<![x`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MalformedMarkup(pub(crate) String);

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid HTML parser regex")
}

// Python's `\s` also matches \x1c-\x1f, which Rust's does not; the patterns
// spell that out.
static ENTITYREF: LazyLock<Regex> =
    LazyLock::new(|| regex(r"&([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9]"));
static CHARREF: LazyLock<Regex> =
    LazyLock::new(|| regex(r"&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]"));
static INCOMPLETE: LazyLock<Regex> = LazyLock::new(|| regex(r"&[a-zA-Z#]"));
static STARTTAGOPEN: LazyLock<Regex> = LazyLock::new(|| regex(r"<[a-zA-Z]"));
static COMMENTCLOSE: LazyLock<Regex> = LazyLock::new(|| regex(r"--[\s\x1c-\x1f]*>"));
static TAGFIND_TOLERANT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"([a-zA-Z][^\t\n\r\f />\x00]*)(?:[\s\x1c-\x1f]|/(?!>))*"));
static ATTRFIND_TOLERANT: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r#"((?<=['"\s\x1c-\x1f/])[^\s\x1c-\x1f/>][^\s\x1c-\x1f/=>]*)"#,
        r#"([\s\x1c-\x1f]*=+[\s\x1c-\x1f]*"#,
        r#"('[^']*'|"[^"]*"|(?!['"])[^>\s\x1c-\x1f]*))?(?:[\s\x1c-\x1f]|/(?!>))*"#
    ))
});
static LOCATESTARTTAGEND_TOLERANT: LazyLock<Regex> = LazyLock::new(|| {
    regex(concat!(
        r"<[a-zA-Z][^\t\n\r\f />\x00]*",
        r"(?:[\s\x1c-\x1f/]*",
        r#"(?:(?<=['"\s\x1c-\x1f/])[^\s\x1c-\x1f/>][^\s\x1c-\x1f/=>]*"#,
        r"(?:[\s\x1c-\x1f]*=+[\s\x1c-\x1f]*",
        r#"(?:'[^']*'|"[^"]*"|(?!['"])[^>\s\x1c-\x1f]*)"#,
        r"[\s\x1c-\x1f]*",
        r")?(?:[\s\x1c-\x1f]|/(?!>))*",
        r")*",
        r")?",
        r"[\s\x1c-\x1f]*"
    ))
});
static ENDTAGFIND: LazyLock<Regex> =
    LazyLock::new(|| regex(r"</[\s\x1c-\x1f]*([a-zA-Z][-.a-zA-Z0-9:_]*)[\s\x1c-\x1f]*>"));
static DECLNAME: LazyLock<Regex> =
    LazyLock::new(|| regex(r"[a-zA-Z][-_.a-zA-Z0-9]*[\s\x1c-\x1f]*"));
static MARKEDSECTIONCLOSE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"][\s\x1c-\x1f]*][\s\x1c-\x1f]*>"));
static MSMARKEDSECTIONCLOSE: LazyLock<Regex> = LazyLock::new(|| regex(r"][\s\x1c-\x1f]*>"));
static SCRIPT_END: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)</[\s\x1c-\x1f]*script[\s\x1c-\x1f]*>"));
static STYLE_END: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)</[\s\x1c-\x1f]*style[\s\x1c-\x1f]*>"));

/// Python's `pattern.match(text, at)`: a match starting exactly at `at`, as
/// `(end, captures)` byte offsets.
fn match_at<'t>(regex: &Regex, text: &'t str, at: usize) -> Option<fancy_regex::Captures<'t, str>> {
    let captures = regex.captures_from_pos(text, at).ok()??;
    (captures.get(0)?.start() == at).then_some(captures)
}

/// Python's `pattern.search(text, at)`: `(start, end)` of the first match.
fn search_from(regex: &Regex, text: &str, at: usize) -> Option<(usize, usize)> {
    let found = regex.find_from_pos(text, at).ok()??;
    Some((found.start(), found.end()))
}

/// Python's `str.strip()`.
fn py_strip(text: &str) -> &str {
    text.trim_matches(|ch: char| ch.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&ch))
}

/// The parser state between `feed` calls: unprocessed text and the element
/// (`script`/`style`) whose raw content is being read.
pub(crate) struct HtmlParser {
    rawdata: String,
    convert_charrefs: bool,
    cdata_elem: Option<&'static str>,
}

/// What a parse step returned: an end offset, "incomplete" (Python's `-1`), or
/// a stop requested by the handler.
enum Step {
    End(usize),
    Incomplete,
    Stop,
}

impl HtmlParser {
    /// A parser; `convert_charrefs` as in Python's constructor.
    pub(crate) fn new(convert_charrefs: bool) -> Self {
        HtmlParser {
            rawdata: String::new(),
            convert_charrefs,
            cdata_elem: None,
        }
    }

    /// Python's `feed(data)`.
    pub(crate) fn feed(
        &mut self,
        data: &str,
        handler: &mut impl HtmlHandler,
    ) -> Result<Flow, MalformedMarkup> {
        self.rawdata.push_str(data);
        self.goahead(false, handler)
    }

    /// Python's `close()`: handles any buffered text.
    pub(crate) fn close(
        &mut self,
        handler: &mut impl HtmlHandler,
    ) -> Result<Flow, MalformedMarkup> {
        self.goahead(true, handler)
    }

    fn converts(&self) -> bool {
        self.convert_charrefs && self.cdata_elem.is_none()
    }

    fn emit_text(&self, handler: &mut impl HtmlHandler, text: &str) -> Flow {
        if self.converts() {
            handler.data(&unescape(text))
        } else {
            handler.data(text)
        }
    }

    /// Python's `goahead(end)`.
    fn goahead(
        &mut self,
        end: bool,
        handler: &mut impl HtmlHandler,
    ) -> Result<Flow, MalformedMarkup> {
        let rawdata = std::mem::take(&mut self.rawdata);
        let n = rawdata.len();
        let mut i = 0;
        let result = self.goahead_in(&rawdata, &mut i, end, handler);
        self.rawdata = rawdata[i.min(n)..].to_owned();
        result
    }

    fn goahead_in(
        &mut self,
        rawdata: &str,
        position: &mut usize,
        end: bool,
        handler: &mut impl HtmlHandler,
    ) -> Result<Flow, MalformedMarkup> {
        let n = rawdata.len();
        let mut i = *position;
        macro_rules! stop_if {
            ($flow:expr) => {
                if $flow == Flow::Stop {
                    *position = i;
                    return Ok(Flow::Stop);
                }
            };
        }
        while i < n {
            let j;
            if self.converts() {
                match rawdata[i..].find('<') {
                    Some(offset) => j = i + offset,
                    None => {
                        // A reference may be cut in half at the end of the
                        // buffer: wait for more text (up to 34 characters back).
                        let window_start = rawdata[i..]
                            .char_indices()
                            .rev()
                            .nth(33)
                            .map_or(i, |(offset, _)| i + offset);
                        if let Some(amp) = rawdata[window_start..].rfind('&') {
                            let after = &rawdata[window_start + amp..];
                            if !after.chars().any(|ch| {
                                ch == ';'
                                    || ch.is_whitespace()
                                    || ('\u{1c}'..='\u{1f}').contains(&ch)
                            }) {
                                break;
                            }
                        }
                        j = n;
                    }
                }
            } else {
                let found = match self.cdata_elem {
                    Some("script") => search_from(&SCRIPT_END, rawdata, i).map(|(start, _)| start),
                    Some(_) => search_from(&STYLE_END, rawdata, i).map(|(start, _)| start),
                    None => rawdata[i..].find(['<', '&']).map(|offset| i + offset),
                };
                match found {
                    Some(start) => j = start,
                    None if self.cdata_elem.is_some() => break,
                    None => j = n,
                }
            }
            if i < j {
                stop_if!(self.emit_text(handler, &rawdata[i..j]));
            }
            i = j;
            if i == n {
                break;
            }
            let rest = &rawdata[i..];
            if rest.starts_with('<') {
                let step = if match_at(&STARTTAGOPEN, rawdata, i).is_some() {
                    self.parse_starttag(rawdata, i, handler)
                } else if rest.starts_with("</") {
                    self.parse_endtag(rawdata, i, handler)
                } else if rest.starts_with("<!--") {
                    parse_comment(rawdata, i)
                } else if rest.starts_with("<?") {
                    rawdata[i + 2..]
                        .find('>')
                        .map_or(Step::Incomplete, |offset| Step::End(i + 2 + offset + 1))
                } else if rest.starts_with("<!") {
                    parse_html_declaration(rawdata, i)?
                } else if i + 1 < n {
                    stop_if!(handler.data("<"));
                    Step::End(i + 1)
                } else {
                    break;
                };
                let k = match step {
                    Step::Stop => {
                        *position = i;
                        return Ok(Flow::Stop);
                    }
                    Step::End(k) => k,
                    Step::Incomplete => {
                        if !end {
                            break;
                        }
                        let k = match rawdata[i + 1..].find('>') {
                            Some(offset) => i + 1 + offset + 1,
                            None => rawdata[i + 1..]
                                .find('<')
                                .map_or(i + 1, |offset| i + 1 + offset),
                        };
                        stop_if!(self.emit_text(handler, &rawdata[i..k]));
                        k
                    }
                };
                i = k;
            } else if rest.starts_with("&#") {
                if let Some(captures) = match_at(&CHARREF, rawdata, i) {
                    let whole = captures.get(0).map_or("", |m| m.as_str());
                    let last_len = whole.chars().next_back().map_or(0, char::len_utf8);
                    let name = &whole[2..whole.len() - last_len];
                    stop_if!(handler.char_ref(name));
                    let k = i + whole.len();
                    i = if whole.ends_with(';') {
                        k
                    } else {
                        k - last_len
                    };
                    continue;
                }
                if rest.contains(';') {
                    stop_if!(handler.data(&rawdata[i..i + 2]));
                    i += 2;
                }
                break;
            } else if rest.starts_with('&') {
                if let Some(captures) = match_at(&ENTITYREF, rawdata, i) {
                    let whole = captures.get(0).map_or("", |m| m.as_str());
                    let name = captures.get(1).map_or("", |m| m.as_str());
                    stop_if!(handler.entity_ref(name));
                    let last_len = whole.chars().next_back().map_or(0, char::len_utf8);
                    let k = i + whole.len();
                    i = if whole.ends_with(';') {
                        k
                    } else {
                        k - last_len
                    };
                    continue;
                }
                if let Some(captures) = match_at(&INCOMPLETE, rawdata, i) {
                    if end && captures.get(0).is_some_and(|m| m.as_str() == rest) {
                        i += 1;
                    }
                    break;
                } else if i + 1 < n {
                    stop_if!(handler.data("&"));
                    i += 1;
                } else {
                    break;
                }
            } else {
                unreachable!("the search only stops at < or &");
            }
        }
        if end && i < n && self.cdata_elem.is_none() {
            stop_if!(self.emit_text(handler, &rawdata[i..n]));
            i = n;
        }
        *position = i;
        Ok(Flow::Continue)
    }

    /// Python's `parse_starttag`.
    fn parse_starttag(&mut self, rawdata: &str, i: usize, handler: &mut impl HtmlHandler) -> Step {
        let Some(endpos) = check_for_whole_start_tag(rawdata, i) else {
            return Step::Incomplete;
        };
        let text = &rawdata[i..endpos];
        let Some(name_match) = match_at(&TAGFIND_TOLERANT, rawdata, i + 1) else {
            return Step::End(endpos);
        };
        let mut k = name_match.get(0).map_or(i + 1, |m| m.end());
        let tag = name_match
            .get(1)
            .map_or(String::new(), |m| m.as_str().to_lowercase());
        while k < endpos {
            match match_at(&ATTRFIND_TOLERANT, rawdata, k)
                .and_then(|m| m.get(0).map(|whole| whole.end()))
            {
                Some(next) => k = next,
                None => break,
            }
        }
        let end = py_strip(rawdata.get(k..endpos).unwrap_or(""));
        let flow = if end != ">" && end != "/>" {
            handler.data(text)
        } else if end.ends_with("/>") {
            handler.start_end_tag(&tag, text)
        } else {
            let flow = handler.start_tag(&tag, text);
            self.cdata_elem = match tag.as_str() {
                "script" => Some("script"),
                "style" => Some("style"),
                _ => self.cdata_elem,
            };
            flow
        };
        if flow == Flow::Stop {
            Step::Stop
        } else {
            Step::End(endpos)
        }
    }

    /// Python's `parse_endtag`.
    fn parse_endtag(&mut self, rawdata: &str, i: usize, handler: &mut impl HtmlHandler) -> Step {
        let Some(gt) = rawdata[i + 1..].find('>') else {
            return Step::Incomplete;
        };
        let gtpos = i + 1 + gt + 1;
        let flow;
        match match_at(&ENDTAGFIND, rawdata, i) {
            None => {
                if self.cdata_elem.is_some() {
                    flow = handler.data(&rawdata[i..gtpos]);
                    return if flow == Flow::Stop {
                        Step::Stop
                    } else {
                        Step::End(gtpos)
                    };
                }
                let Some(name_match) = match_at(&TAGFIND_TOLERANT, rawdata, i + 2) else {
                    if rawdata[i..].starts_with("</>") {
                        return Step::End(i + 3);
                    }
                    return parse_bogus_comment(rawdata, i);
                };
                let tag = name_match
                    .get(1)
                    .map_or(String::new(), |m| m.as_str().to_lowercase());
                let name_end = name_match.get(0).map_or(i + 2, |m| m.end());
                // The name cannot run past the `>` found above.
                let next = rawdata[name_end..]
                    .find('>')
                    .map_or(gtpos, |offset| name_end + offset + 1);
                flow = handler.end_tag(&tag);
                if flow == Flow::Stop {
                    Step::Stop
                } else {
                    Step::End(next)
                }
            }
            Some(captures) => {
                let elem = captures
                    .get(1)
                    .map_or(String::new(), |m| m.as_str().to_lowercase());
                if let Some(cdata) = self.cdata_elem
                    && elem != cdata
                {
                    flow = handler.data(&rawdata[i..gtpos]);
                    return if flow == Flow::Stop {
                        Step::Stop
                    } else {
                        Step::End(gtpos)
                    };
                }
                flow = handler.end_tag(&elem);
                self.cdata_elem = None;
                if flow == Flow::Stop {
                    Step::Stop
                } else {
                    Step::End(gtpos)
                }
            }
        }
    }
}

/// Python's `check_for_whole_start_tag`: the end of a complete start tag, or
/// `None` when it is incomplete.
fn check_for_whole_start_tag(rawdata: &str, i: usize) -> Option<usize> {
    let j = match_at(&LOCATESTARTTAGEND_TOLERANT, rawdata, i)
        .and_then(|m| m.get(0).map(|whole| whole.end()))
        .unwrap_or(i + 1);
    match rawdata[j..].chars().next() {
        Some('>') => Some(j + 1),
        Some('/') => rawdata[j..].starts_with("/>").then_some(j + 2),
        None => None,
        Some(next) if next.is_ascii_alphabetic() || next == '=' || next == '/' => None,
        Some(_) => Some(if j > i { j } else { i + 1 }),
    }
}

/// `_markupbase.parse_comment`: skips `<!-- … -->`.
fn parse_comment(rawdata: &str, i: usize) -> Step {
    search_from(&COMMENTCLOSE, rawdata, i + 4).map_or(Step::Incomplete, |(_, end)| Step::End(end))
}

/// `parse_bogus_comment`: skips `<!…>` or `</…>` up to the next `>`.
fn parse_bogus_comment(rawdata: &str, i: usize) -> Step {
    rawdata[i + 2..]
        .find('>')
        .map_or(Step::Incomplete, |offset| Step::End(i + 2 + offset + 1))
}

/// `parse_html_declaration`: comments, marked sections, doctypes and bogus
/// comments.
fn parse_html_declaration(rawdata: &str, i: usize) -> Result<Step, MalformedMarkup> {
    let rest = &rawdata[i..];
    if rest.starts_with("<!--") {
        Ok(parse_comment(rawdata, i))
    } else if rest.starts_with("<![") {
        parse_marked_section(rawdata, i)
    } else if rest
        .get(..9)
        .is_some_and(|head| head.eq_ignore_ascii_case("<!doctype"))
    {
        Ok(rawdata[i + 9..]
            .find('>')
            .map_or(Step::Incomplete, |offset| Step::End(i + 9 + offset + 1)))
    } else {
        Ok(parse_bogus_comment(rawdata, i))
    }
}

/// `_markupbase.parse_marked_section`: `<![CDATA[ … ]]>` and friends.
fn parse_marked_section(rawdata: &str, i: usize) -> Result<Step, MalformedMarkup> {
    let start = i + 3;
    if start == rawdata.len() {
        return Ok(Step::Incomplete);
    }
    let malformed = || {
        MalformedMarkup(format!(
            "expected name token at {:?}",
            rawdata[i..].chars().take(20).collect::<String>()
        ))
    };
    let name_match = match_at(&DECLNAME, rawdata, start).ok_or_else(malformed)?;
    let whole = name_match.get(0).ok_or_else(malformed)?;
    if whole.end() == rawdata.len() {
        return Ok(Step::Incomplete);
    }
    let name = py_strip(whole.as_str()).to_lowercase();
    let close = match name.as_str() {
        "temp" | "cdata" | "ignore" | "include" | "rcdata" => &*MARKEDSECTIONCLOSE,
        "if" | "else" | "endif" => &*MSMARKEDSECTIONCLOSE,
        _ => {
            return Err(MalformedMarkup(format!(
                "unknown status keyword {name:?} in marked section"
            )));
        }
    };
    Ok(search_from(close, rawdata, start).map_or(Step::Incomplete, |(_, end)| Step::End(end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Events(Vec<String>);

    impl HtmlHandler for Events {
        fn start_tag(&mut self, tag: &str, text: &str) -> Flow {
            self.0.push(format!("start {tag} {text}"));
            Flow::Continue
        }
        fn end_tag(&mut self, tag: &str) -> Flow {
            self.0.push(format!("end {tag}"));
            Flow::Continue
        }
        fn data(&mut self, data: &str) -> Flow {
            self.0.push(format!("data {data}"));
            Flow::Continue
        }
        fn entity_ref(&mut self, name: &str) -> Flow {
            self.0.push(format!("entity {name}"));
            Flow::Continue
        }
    }

    fn events(html: &str, convert_charrefs: bool) -> Vec<String> {
        let mut parser = HtmlParser::new(convert_charrefs);
        let mut events = Events::default();
        parser.feed(html, &mut events).unwrap();
        parser.close(&mut events).unwrap();
        events.0
    }

    #[test]
    fn splits_tags_text_and_references() {
        assert_eq!(
            events("<p class='x'>a &amp; b</p><br/>", false),
            [
                "start p <p class='x'>",
                "data a ",
                "entity amp",
                "data  b",
                "end p",
                "start br <br/>",
                "end br"
            ]
        );
        assert_eq!(
            events("<b>x &lt; y</b>", true),
            ["start b <b>", "data x < y", "end b"]
        );
        assert_eq!(
            events("<script>a<b>c</script>d", true),
            [
                "start script <script>",
                "data a<b>c",
                "end script",
                "data d"
            ]
        );
        assert_eq!(
            events("a < b <!-- c --> d", true),
            ["data a ", "data <", "data  b ", "data  d"]
        );
    }
}
