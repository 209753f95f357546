//! `src/__djinn/support.rs`: helpers the generated code shares.
//!
//! Input: none — the module is the same for every project. Output: its
//! tokens: URL converter checks and piecewise matching, URL quoting, URL
//! parameters, the database handle, the clock, `LIKE` patterns, JSON in
//! Django REST framework's formats, pagination links, the sign-in redirect
//! and the debug middleware that counts queries.

use proc_macro2::TokenStream;
use quote::quote;

/// The module's tokens.
pub(super) fn generate() -> TokenStream {
    let converters = converters();
    let requests = requests();
    let json = json();
    quote! {
        //! Helpers shared by the generated views, router and command line.

        #converters
        #requests
        #json
    }
}

fn converters() -> TokenStream {
    quote! {
        /// Django's `int` converter: `[0-9]+`.
        pub fn is_int(text: &str) -> bool {
            !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
        }

        /// Django's `str` converter: `[^/]+`.
        pub fn is_str(text: &str) -> bool {
            !text.is_empty() && !text.contains('/')
        }

        /// Django's `slug` converter: `[-a-zA-Z0-9_]+`.
        pub fn is_slug(text: &str) -> bool {
            !text.is_empty()
                && text
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        }

        /// Django's `uuid` converter: lower-case hex, 8-4-4-4-12.
        pub fn is_uuid(text: &str) -> bool {
            text.len() == 36
                && text.bytes().enumerate().all(|(index, byte)| match index {
                    8 | 13 | 18 | 23 => byte == b'-',
                    _ => byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte),
                })
        }

        /// A URL converter.
        #[derive(Clone, Copy, Debug)]
        pub enum Converter {
            /// `[0-9]+`
            Int,
            /// `[^/]+`
            Str,
            /// `[-a-zA-Z0-9_]+`
            Slug,
            /// 8-4-4-4-12 lower-case hex
            Uuid,
            /// `.+`
            Path,
        }

        impl Converter {
            fn accepts(self, text: &str) -> bool {
                match self {
                    Converter::Int => is_int(text),
                    Converter::Str => is_str(text),
                    Converter::Slug => is_slug(text),
                    Converter::Uuid => is_uuid(text),
                    Converter::Path => !text.is_empty(),
                }
            }
        }

        /// A piece of a URL pattern.
        #[derive(Clone, Copy, Debug)]
        pub enum Part {
            /// Literal text.
            Text(&'static str),
            /// A parameter.
            Param(Converter),
        }

        /// Matches `text` against `parts` as Django's pattern regex does
        /// (greedy, backtracking); the parameters' texts, in order.
        pub fn match_parts<'t>(text: &'t str, parts: &[Part]) -> ::std::option::Option<::std::vec::Vec<&'t str>> {
            let mut values = ::std::vec::Vec::new();
            match_from(text, parts, &mut values).then_some(values)
        }

        fn match_from<'t>(text: &'t str, parts: &[Part], values: &mut ::std::vec::Vec<&'t str>) -> bool {
            let ::std::option::Option::Some((first, rest)) = parts.split_first() else {
                return text.is_empty();
            };
            match first {
                Part::Text(literal) => text
                    .strip_prefix(literal)
                    .is_some_and(|rest_text| match_from(rest_text, rest, values)),
                Part::Param(converter) => {
                    let ends: ::std::vec::Vec<usize> = text
                        .char_indices()
                        .map(|(index, c)| index + c.len_utf8())
                        .collect();
                    for &end in ends.iter().rev() {
                        let candidate = &text[..end];
                        if !converter.accepts(candidate) {
                            continue;
                        }
                        values.push(candidate);
                        if match_from(&text[end..], rest, values) {
                            return true;
                        }
                        values.pop();
                    }
                    false
                }
            }
        }

        /// Appends `text` percent-encoded as Django's `reverse()` does:
        /// unreserved characters, sub-delims and `/~:@` stay.
        pub fn push_quoted(url: &mut ::std::string::String, text: &str) {
            push_encoded(url, text, b"-._~!$&'()*+,;=/:@");
        }

        /// Appends `text` with every byte but letters, digits and `safe` as `%XX`.
        fn push_encoded(url: &mut ::std::string::String, text: &str, safe: &[u8]) {
            for byte in text.bytes() {
                if byte.is_ascii_alphanumeric() || safe.contains(&byte) {
                    url.push(char::from(byte));
                } else {
                    url.push('%');
                    url.push(char::from(b"0123456789ABCDEF"[usize::from(byte >> 4)]));
                    url.push(char::from(b"0123456789ABCDEF"[usize::from(byte & 15)]));
                }
            }
        }
    }
}

fn requests() -> TokenStream {
    quote! {
        /// The database the application was started with.
        pub fn database(
            request: &::djinn_runtime::Request,
        ) -> ::core::result::Result<::djinn_runtime::db::Database, ::djinn_runtime::HttpError> {
            request
                .state::<::djinn_runtime::db::Database>()
                .cloned()
                .ok_or_else(|| ::djinn_runtime::HttpError::internal("the application has no database"))
        }

        /// The current date and time, as the UTC wall clock (`now`, `today`).
        pub fn now() -> ::djinn_runtime::jiff::civil::DateTime {
            ::djinn_runtime::jiff::Timestamp::now()
                .to_zoned(::djinn_runtime::jiff::tz::TimeZone::UTC)
                .datetime()
        }

        fn param<'r>(
            request: &'r ::djinn_runtime::Request,
            name: &str,
        ) -> ::core::result::Result<&'r str, ::djinn_runtime::HttpError> {
            request.param(name).ok_or_else(|| {
                ::djinn_runtime::HttpError::internal(::std::format!("the route gave no parameter `{name}`"))
            })
        }

        /// An `int` URL parameter; a number too large for `i64` matches nothing (404).
        pub fn param_int(
            request: &::djinn_runtime::Request,
            name: &str,
        ) -> ::core::result::Result<i64, ::djinn_runtime::HttpError> {
            param(request, name)?
                .parse()
                .map_err(|_| ::djinn_runtime::HttpError::NotFound(::std::format!("`{name}` is out of range")))
        }

        /// A `uuid` URL parameter.
        pub fn param_uuid(
            request: &::djinn_runtime::Request,
            name: &str,
        ) -> ::core::result::Result<::djinn_runtime::uuid::Uuid, ::djinn_runtime::HttpError> {
            param(request, name)?
                .parse()
                .map_err(|_| ::djinn_runtime::HttpError::NotFound(::std::format!("`{name}` is not a UUID")))
        }

        /// A `str`, `slug` or `path` URL parameter.
        pub fn param_text(
            request: &::djinn_runtime::Request,
            name: &str,
        ) -> ::core::result::Result<::std::string::String, ::djinn_runtime::HttpError> {
            param(request, name).map(::std::string::String::from)
        }

        /// How a `LIKE` pattern wraps its text.
        #[derive(Clone, Copy, Debug)]
        pub enum Like {
            /// The whole text.
            Exact,
            /// `%text%`
            Contains,
            /// `text%`
            StartsWith,
            /// `%text`
            EndsWith,
        }

        /// `text` as a `LIKE … ESCAPE '\'` pattern.
        pub fn like_pattern(text: &str, like: Like) -> ::std::string::String {
            let mut pattern = ::std::string::String::with_capacity(text.len() + 2);
            if matches!(like, Like::Contains | Like::EndsWith) {
                pattern.push('%');
            }
            for c in text.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            if matches!(like, Like::Contains | Like::StartsWith) {
                pattern.push('%');
            }
            pattern
        }

        /// A database value as text (a `LIKE` pattern of a non-text value).
        pub fn value_text(value: &::djinn_runtime::db::Value) -> ::std::string::String {
            match value {
                ::djinn_runtime::db::Value::Text(text) | ::djinn_runtime::db::Value::Decimal(text) => text.clone(),
                ::djinn_runtime::db::Value::Null => ::std::string::String::new(),
                other => ::std::format!("{other:?}"),
            }
        }

        /// The one row of a `get`: 404 without a row, an error with several
        /// (Django's `MultipleObjectsReturned`).
        pub fn single<T>(
            rows: &[::djinn_runtime::db::Row],
            decode: fn(&::djinn_runtime::db::Row) -> ::core::result::Result<T, ::djinn_runtime::db::DbError>,
            what: &str,
        ) -> ::core::result::Result<T, ::djinn_runtime::HttpError> {
            match rows {
                [row] => decode(row).map_err(::djinn_runtime::HttpError::from),
                [] => ::core::result::Result::Err(::djinn_runtime::HttpError::NotFound(::std::format!(
                    "No {what} matches the given query."
                ))),
                _ => ::core::result::Result::Err(::djinn_runtime::HttpError::internal(::std::format!(
                    "the query for one {what} returned several rows"
                ))),
            }
        }

        /// Debug middleware: the number of SQL statements a request ran, in
        /// the `X-Djinn-Queries` header.
        pub fn count_queries(
            request: ::djinn_runtime::Request,
            next: ::djinn_runtime::Next,
        ) -> ::djinn_runtime::BoxFuture<'static, ::core::result::Result<::djinn_runtime::Response, ::djinn_runtime::HttpError>> {
            ::std::boxed::Box::pin(async move {
                let (mut response, queries) = ::djinn_runtime::db::count_queries(next.run(request)).await;
                response.headers_mut().insert(
                    ::djinn_runtime::http::HeaderName::from_static(::djinn_runtime::db::QUERY_COUNT_HEADER),
                    ::djinn_runtime::http::HeaderValue::from(queries),
                );
                ::core::result::Result::Ok(response)
            })
        }
    }
}

fn json() -> TokenStream {
    quote! {
        /// A decimal written with exactly `places` decimal places (`14.3` → `14.30`).
        pub fn decimal_places(text: &str, places: u32) -> ::std::string::String {
            let (integer, fraction) = text.split_once('.').unwrap_or((text, ""));
            let places = usize::try_from(places).unwrap_or(0);
            let mut out = ::std::string::String::from(integer);
            if places > 0 {
                out.push('.');
                let kept: ::std::string::String = fraction.chars().take(places).collect();
                out.push_str(&kept);
                out.extend(::std::iter::repeat_n('0', places - kept.len()));
            }
            out
        }

        /// A decimal as Django REST framework writes it: a string with the
        /// field's number of decimal places.
        pub fn json_decimal(text: &str, places: u32) -> ::djinn_runtime::serde_json::Value {
            ::djinn_runtime::serde_json::Value::String(decimal_places(text, places))
        }

        /// A UTC datetime in ISO 8601 with `Z`, as Django REST framework writes it.
        pub fn json_datetime(value: ::djinn_runtime::jiff::civil::DateTime) -> ::djinn_runtime::serde_json::Value {
            let micros = value.subsec_nanosecond() / 1000;
            let fraction = if micros == 0 {
                ::std::string::String::new()
            } else {
                ::std::format!(".{micros:06}")
            };
            ::djinn_runtime::serde_json::Value::String(::std::format!(
                "{}T{:02}:{:02}:{:02}{fraction}Z",
                value.date(),
                value.hour(),
                value.minute(),
                value.second(),
            ))
        }

        /// The items of a JSON array (a value that is not an array is one item).
        pub fn json_items(value: ::djinn_runtime::serde_json::Value) -> ::std::vec::Vec<::djinn_runtime::serde_json::Value> {
            match value {
                ::djinn_runtime::serde_json::Value::Array(items) => items,
                other => ::std::vec![other],
            }
        }

        /// A JSON object with its keys in the given order.
        pub fn json_object(entries: &[(&str, ::djinn_runtime::serde_json::Value)]) -> ::std::string::String {
            let mut out = ::std::string::String::from("{");
            for (index, (key, value)) in entries.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&::djinn_runtime::serde_json::Value::from(*key).to_string());
                out.push(':');
                out.push_str(&value.to_string());
            }
            out.push('}');
            out
        }

        /// A response holding JSON text.
        pub fn json_response(body: ::std::string::String) -> ::djinn_runtime::Response {
            ::djinn_runtime::Response::with_content(
                ::djinn_runtime::http::HeaderValue::from_static("application/json"),
                body,
            )
        }

        /// A JSON array of objects already written as JSON.
        pub fn json_array(items: &[::std::string::String]) -> ::djinn_runtime::Response {
            json_response(::std::format!("[{}]", items.join(",")))
        }

        /// One page, as Django REST framework's `PageNumberPagination`:
        /// `count`, `next`, `previous` (links keep the other query
        /// parameters) and `results`.
        pub fn json_page(
            request: &::djinn_runtime::Request,
            page: &::djinn_runtime::pagination::Page,
            items: &[::std::string::String],
        ) -> ::djinn_runtime::Response {
            let link = |number: ::std::option::Option<u64>| match number {
                ::std::option::Option::Some(number) => {
                    ::djinn_runtime::serde_json::Value::String(page_link(request, number))
                }
                ::std::option::Option::None => ::djinn_runtime::serde_json::Value::Null,
            };
            json_response(::std::format!(
                "{{\"count\":{},\"next\":{},\"previous\":{},\"results\":[{}]}}",
                page.paginator.count,
                link(page.next_page_number()),
                link(page.previous_page_number()),
                items.join(","),
            ))
        }

        /// The request's path with `page` set to `number` (removed for page 1).
        fn page_link(request: &::djinn_runtime::Request, number: u64) -> ::std::string::String {
            let mut url = ::std::string::String::from(request.raw_path());
            let mut separator = '?';
            let mut add = |url: &mut ::std::string::String, name: &str, value: &str| {
                url.push(separator);
                separator = '&';
                push_encoded(url, name, b"-._~");
                url.push('=');
                push_encoded(url, value, b"-._~");
            };
            for (name, value) in request.query_pairs() {
                if name != "page" {
                    add(&mut url, &name, &value);
                }
            }
            if number > 1 {
                add(&mut url, "page", &number.to_string());
            }
            url
        }
    }
}
