//! `src/urls.rs`: the route matcher and URL reversing.
//!
//! Input: the project's routes (in match order) and the view plans (their
//! methods and handlers). Output: the module's tokens:
//!
//! - `route(method, path)`: one `match` on the path's `/`-separated
//!   segments, an arm per route in declaration order (the first that
//!   matches wins, as in Django), guards checking Django's converters
//!   (`int` `[0-9]+`, `str` `[^/]+`, `slug` `[-a-zA-Z0-9_]+`, `uuid`
//!   lower-case 8-4-4-4-12, `path` `.+`), then the method: the view's
//!   handler, or 405 with the methods the view answers;
//! - `ROUTES`: the patterns for the debug 404 page;
//! - `reverse_<name>(args) -> String` per URL name, percent-encoding the
//!   arguments as Django's `reverse()` does.

use super::names::{ident, internal, plain, snake};
use super::views::ViewPlan;
use crate::check::ir::{ConverterType, HttpMethod, Project, Route, Segment};
use crate::settings::Settings;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;

/// A piece of a URL pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    /// Literal text (no `/` inside a path segment).
    Text(String),
    /// A parameter: its index in [`Route::params`].
    Param(usize),
}

/// The pattern's pieces, `/` splitting literal text into path segments.
fn path_segments(route: &Route) -> Vec<Vec<Piece>> {
    let mut segments = vec![Vec::new()];
    for segment in &route.segments {
        match segment {
            Segment::Literal { text, .. } => {
                for (index, part) in text.split('/').enumerate() {
                    if index > 0 {
                        segments.push(Vec::new());
                    }
                    if !part.is_empty()
                        && let Some(last) = segments.last_mut()
                    {
                        last.push(Piece::Text(part.to_string()));
                    }
                }
            }
            Segment::Param(index) => {
                if let Some(last) = segments.last_mut() {
                    last.push(Piece::Param(*index as usize));
                }
            }
        }
    }
    segments
}

/// The name of the reverse function of each URL name in `crate::urls`,
/// unique even when two names differ only in punctuation (`post-detail`,
/// `post_detail`). Each takes the route's parameters in order: `i64` for
/// `int`, `Uuid` for `uuid`, `&str` otherwise.
pub fn reverse_names(project: &Project) -> BTreeMap<String, proc_macro2::Ident> {
    let mut taken = BTreeMap::new();
    let mut names = BTreeMap::new();
    for name in project.url_names.keys() {
        let base = format!("reverse_{}", snake(name));
        let mut candidate = base.clone();
        let mut suffix = 2;
        while taken.contains_key(&candidate) {
            candidate = format!("{base}_{suffix}");
            suffix += 1;
        }
        taken.insert(candidate.clone(), ());
        names.insert(name.clone(), plain(&candidate));
    }
    names
}

/// A method as the `http` crate names it.
pub(super) fn method_const(method: HttpMethod) -> TokenStream {
    match method {
        HttpMethod::Get => quote!(::djinn_runtime::http::Method::GET),
        HttpMethod::Post => quote!(::djinn_runtime::http::Method::POST),
        HttpMethod::Put => quote!(::djinn_runtime::http::Method::PUT),
        HttpMethod::Patch => quote!(::djinn_runtime::http::Method::PATCH),
        HttpMethod::Delete => quote!(::djinn_runtime::http::Method::DELETE),
        HttpMethod::Head => quote!(::djinn_runtime::http::Method::HEAD),
        HttpMethod::Options => quote!(::djinn_runtime::http::Method::OPTIONS),
    }
}

/// The module's tokens.
pub(super) fn generate(project: &Project, settings: &Settings, plans: &[ViewPlan]) -> TokenStream {
    let mut allow_consts: BTreeMap<Vec<HttpMethod>, proc_macro2::Ident> = BTreeMap::new();
    let mut arms = Vec::new();
    let mut seen_literal_patterns = Vec::new();
    for route in &project.routes {
        let plan = &plans[route.view.0 as usize];
        let segments = path_segments(route);
        let literal_only = segments
            .iter()
            .all(|s| s.iter().all(|p| matches!(p, Piece::Text(_))));
        if literal_only {
            // A second route with the same literal path is never reached.
            if seen_literal_patterns.contains(&segments) {
                continue;
            }
            seen_literal_patterns.push(segments.clone());
        }
        let dispatch = dispatch(route, plan, &mut allow_consts);
        let has_path = route
            .params
            .iter()
            .any(|p| p.converter == ConverterType::Path);
        arms.push(if has_path {
            whole_path_arm(route, dispatch)
        } else {
            segment_arm(route, &segments, dispatch)
        });
    }
    let allows = allow_consts.iter().map(|(methods, name)| {
        let mut listed: Vec<TokenStream> = methods.iter().map(|&m| method_const(m)).collect();
        if methods.contains(&HttpMethod::Get) && !methods.contains(&HttpMethod::Head) {
            listed.push(method_const(HttpMethod::Head));
        }
        quote!(const #name: &[::djinn_runtime::http::Method] = &[#(#listed),*];)
    });
    let infos = project.routes.iter().map(|route| {
        let pattern = &route.pattern;
        let name = match &route.name {
            Some(name) => quote!(::std::option::Option::Some(#name)),
            None => quote!(::std::option::Option::None),
        };
        quote!(::djinn_runtime::RouteInfo { pattern: #pattern, name: #name })
    });
    let auth_prefix = auth_prefix(&settings.auth.login_url);
    let admin = project.admin_site.as_ref().map(|site| {
        let prefix = &site.prefix;
        quote! {
            // The admin site under its prefix (its account pages fall through).
            if let ::std::option::Option::Some(rest) = __djinn_path.strip_prefix(#prefix) {
                let found = ::djinn_runtime::admin::route(&crate::admin::SITE, method, rest);
                if !::core::matches!(found, ::djinn_runtime::RouteMatch::NotFound) {
                    return found;
                }
            }
        }
    });
    let reverses = reverse_names(project);
    let reverse_fns = project
        .url_names
        .iter()
        .map(|(name, &route)| reverse_fn(project.route(route), name, &reverses[name]));
    quote! {
        //! The URL patterns: the route matcher and `reverse_<name>()` per URL name.

        #(#allows)*

        /// Finds the view for `method` and `path` (percent-decoded, from `/`).
        pub fn route(
            method: &::djinn_runtime::http::Method,
            path: &str,
        ) -> ::djinn_runtime::RouteMatch {
            let __djinn_path = path.strip_prefix('/').unwrap_or(path);
            let __djinn_segments: ::std::vec::Vec<&str> = __djinn_path.split('/').collect();
            match __djinn_segments.as_slice() {
                #(#arms)*
                // The account pages (login, logout, password change and
                // reset) under the prefix of `[auth] login_url`.
                _ => {
                    #admin
                    match __djinn_path.strip_prefix(#auth_prefix) {
                        ::std::option::Option::Some(rest) => ::djinn_runtime::auth::views::route(method, rest),
                        ::std::option::Option::None => ::djinn_runtime::RouteMatch::NotFound,
                    }
                }
            }
        }

        /// Every URL pattern, as the spec writes it (the debug 404 page lists them).
        pub const ROUTES: &[::djinn_runtime::RouteInfo] = &[#(#infos),*];

        #(#reverse_fns)*
    }
}

/// What a matched path does: the method check, then the handler with the
/// captured parameters (`values` holds them, in the route's order).
fn dispatch(
    route: &Route,
    plan: &ViewPlan,
    allow_consts: &mut BTreeMap<Vec<HttpMethod>, proc_macro2::Ident>,
) -> TokenStream {
    let handler = &plan.handler;
    let pushes = route.params.iter().enumerate().map(|(index, param)| {
        let name = &param.name;
        let value = internal(&["value", &index.to_string()]);
        quote!(__djinn_params.push(#name, #value);)
    });
    let found = quote! {{
        let mut __djinn_params = ::djinn_runtime::UrlParams::new();
        #(#pushes)*
        ::djinn_runtime::RouteMatch::Found {
            handler: crate::__djinn::views::#handler,
            params: __djinn_params,
        }
    }};
    let found = if route.params.is_empty() {
        quote! {
            ::djinn_runtime::RouteMatch::Found {
                handler: crate::__djinn::views::#handler,
                params: ::djinn_runtime::UrlParams::new(),
            }
        }
    } else {
        found
    };
    match &plan.methods {
        None => found,
        Some(methods) => {
            let next = allow_consts.len();
            let allow = allow_consts
                .entry(methods.clone())
                .or_insert_with(|| plain(&format!("__DJINN_ALLOW_{next}")))
                .clone();
            let mut accepted: Vec<TokenStream> = methods.iter().map(|&m| method_const(m)).collect();
            if methods.contains(&HttpMethod::Get) && !methods.contains(&HttpMethod::Head) {
                accepted.push(method_const(HttpMethod::Head));
            }
            quote! {
                match *method {
                    #(#accepted)|* => #found,
                    _ => ::djinn_runtime::RouteMatch::MethodNotAllowed { allow: #allow },
                }
            }
        }
    }
}

/// The guard function of a converter (`is_int`, …); `None` for `str`,
/// which only needs a non-empty segment.
fn converter_check(converter: ConverterType) -> TokenStream {
    match converter {
        ConverterType::Int => quote!(crate::__djinn::support::is_int),
        ConverterType::Slug => quote!(crate::__djinn::support::is_slug),
        ConverterType::Uuid => quote!(crate::__djinn::support::is_uuid),
        ConverterType::Str | ConverterType::Path => quote!(crate::__djinn::support::is_str),
    }
}

/// The parts of a piece list for `support::match_parts`.
fn parts(route: &Route, pieces: &[Piece]) -> TokenStream {
    let parts = pieces.iter().map(|piece| match piece {
        Piece::Text(text) => quote!(crate::__djinn::support::Part::Text(#text)),
        Piece::Param(index) => {
            let converter = match route.params[*index].converter {
                ConverterType::Int => quote!(Int),
                ConverterType::Str => quote!(Str),
                ConverterType::Slug => quote!(Slug),
                ConverterType::Uuid => quote!(Uuid),
                ConverterType::Path => quote!(Path),
            };
            quote!(crate::__djinn::support::Part::Param(crate::__djinn::support::Converter::#converter))
        }
    });
    quote!(&[#(#parts),*])
}

/// An arm matching the path segment by segment.
fn segment_arm(route: &Route, segments: &[Vec<Piece>], dispatch: TokenStream) -> TokenStream {
    let mut patterns = Vec::new();
    let mut guards = Vec::new();
    let mut bindings = Vec::new();
    for (position, pieces) in segments.iter().enumerate() {
        match pieces.as_slice() {
            [] => patterns.push(quote!("")),
            [Piece::Text(text)] => patterns.push(quote!(#text)),
            [Piece::Param(index)] => {
                let segment = internal(&["segment", &position.to_string()]);
                let check = converter_check(route.params[*index].converter);
                guards.push(quote!(#check(#segment)));
                let value = internal(&["value", &index.to_string()]);
                bindings.push(quote!(let #value: &str = #segment;));
                patterns.push(quote!(#segment));
            }
            mixed => {
                let segment = internal(&["segment", &position.to_string()]);
                let parts = parts(route, mixed);
                guards
                    .push(quote!(crate::__djinn::support::match_parts(#segment, #parts).is_some()));
                let values = internal(&["values", &position.to_string()]);
                bindings.push(quote! {
                    let ::std::option::Option::Some(#values) =
                        crate::__djinn::support::match_parts(#segment, #parts)
                    else {
                        return ::djinn_runtime::RouteMatch::NotFound;
                    };
                });
                let params = mixed.iter().filter_map(|p| match p {
                    Piece::Param(index) => Some(*index),
                    Piece::Text(_) => None,
                });
                for (nth, index) in params.enumerate() {
                    let value = internal(&["value", &index.to_string()]);
                    bindings.push(quote!(let #value: &str = #values[#nth];));
                }
                patterns.push(quote!(#segment));
            }
        }
    }
    let guard = if guards.is_empty() {
        quote!()
    } else {
        quote!(if #(#guards)&&*)
    };
    quote! {
        [#(#patterns),*] #guard => {
            #(#bindings)*
            #dispatch
        }
    }
}

/// An arm for a pattern with a `path` parameter, which may span segments:
/// the whole path is matched piece by piece.
fn whole_path_arm(route: &Route, dispatch: TokenStream) -> TokenStream {
    let mut pieces = Vec::new();
    for segment in &route.segments {
        match segment {
            Segment::Literal { text, .. } => pieces.push(Piece::Text(text.clone())),
            Segment::Param(index) => pieces.push(Piece::Param(*index as usize)),
        }
    }
    let parts = parts(route, &pieces);
    let bindings = route.params.iter().enumerate().map(|(index, _)| {
        let value = internal(&["value", &index.to_string()]);
        quote!(let #value: &str = __djinn_values[#index];)
    });
    quote! {
        _ if crate::__djinn::support::match_parts(__djinn_path, #parts).is_some() => {
            let ::std::option::Option::Some(__djinn_values) =
                crate::__djinn::support::match_parts(__djinn_path, #parts)
            else {
                return ::djinn_runtime::RouteMatch::NotFound;
            };
            #(#bindings)*
            #dispatch
        }
    }
}

/// The Rust type of a reverse argument.
fn argument_type(converter: ConverterType) -> TokenStream {
    match converter {
        ConverterType::Int => quote!(i64),
        ConverterType::Uuid => quote!(::djinn_runtime::uuid::Uuid),
        ConverterType::Str | ConverterType::Slug | ConverterType::Path => quote!(&str),
    }
}

/// `reverse_<name>(args) -> String`: the URL of a named route.
fn reverse_fn(route: &Route, name: &str, function: &proc_macro2::Ident) -> TokenStream {
    let args = route.params.iter().map(|param| {
        let arg = ident(&param.name);
        let ty = argument_type(param.converter);
        quote!(#arg: #ty)
    });
    // Literal text merged and quoted at compile time; arguments at run time.
    let mut pieces: Vec<Result<String, TokenStream>> = vec![Ok("/".to_string())];
    for segment in &route.segments {
        let piece = match segment {
            Segment::Literal { text, .. } => Ok(quote_url(text)),
            Segment::Param(index) => {
                let param = &route.params[*index as usize];
                let arg = ident(&param.name);
                Err(match param.converter {
                    ConverterType::Int | ConverterType::Uuid => {
                        quote!(url.push_str(&#arg.to_string());)
                    }
                    _ => quote!(crate::__djinn::support::push_quoted(&mut url, #arg);),
                })
            }
        };
        match (pieces.last_mut(), piece) {
            (Some(Ok(last)), Ok(text)) => last.push_str(&text),
            (_, piece) => pieces.push(piece),
        }
    }
    let body = match pieces.as_slice() {
        [Ok(text)] => quote!(::std::string::String::from(#text)),
        _ => {
            let steps = pieces.iter().enumerate().map(|(index, piece)| match piece {
                Ok(text) if index == 0 => quote!(let mut url = ::std::string::String::from(#text);),
                Ok(text) if text.chars().count() == 1 => {
                    let c = text.chars().next().unwrap_or('/');
                    quote!(url.push(#c);)
                }
                Ok(text) => quote!(url.push_str(#text);),
                Err(push) => push.clone(),
            });
            quote! {
                #(#steps)*
                url
            }
        }
    };
    let doc = format!("The URL of `{name}`: `/{}`.", route.pattern);
    let doc_attr = super::names::doc(&doc);
    quote! {
        #doc_attr
        pub fn #function(#(#args),*) -> ::std::string::String {
            #body
        }
    }
}

/// Django's `reverse()` quoting: RFC 3986 unreserved characters, sub-delims
/// and `/~:@` stay; every other byte of the UTF-8 text is `%XX`.
pub(super) fn quote_url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=/:@".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Where the account pages are mounted: the login URL without its last
/// segment (`/admin/login/` → `admin/`), or `accounts/` when the login URL
/// does not end with `login/`.
pub(super) fn auth_prefix(login_url: &str) -> String {
    let path = login_url.trim_start_matches('/');
    match path.strip_suffix("login/") {
        Some(prefix) if prefix.is_empty() || prefix.ends_with('/') => prefix.to_string(),
        _ => "accounts/".to_string(),
    }
}
