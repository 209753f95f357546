//! URLs: `urls` groups → flattened [`ir::Route`]s, the URL-name table, and
//! URL reverses.
//!
//! Input: every `urls` group, and the views declared so far (names and
//! parameters). Output: `Project::routes` in match order with include
//! prefixes applied, `url_names`, `admin_site` and each view's `routes`.
//! Diagnostics: E0201–E0213 and the warnings W0208 (shadowed route) and
//! W0214 (group never included). [`resolve_url_ref`] checks URL reverses
//! (`success`, `redirect`) against the route table: E0203, E0207.

use super::ir::{
    self, ConverterType, RouteId, RouteParam, Segment, Type, UrlArg, UrlTarget, ViewId, ViewParam,
};
use super::queries::Scope;
use super::{Checker, backticked, head_span};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{self, PathSegment, UrlEntry};
use std::collections::{BTreeMap, BTreeSet};

/// The reserved name of the built-in admin site's URL group.
const ADMIN_GROUP: &str = "admin";

/// Checks the URL groups and fills the route table.
pub(super) fn check_urls(cx: &mut Checker<'_>, groups: &[&ast::UrlGroup]) {
    let (root, named) = classify_groups(cx, groups);
    check_declarations(cx, groups, &named);
    report_cycles(cx, groups, &named);
    let mut flat = Vec::new();
    let mut reached = BTreeSet::new();
    if let Some(root) = root {
        let mut walk = Walk {
            named: &named,
            stack: Vec::new(),
            included_at: Vec::new(),
            out: &mut flat,
            reached: &mut reached,
            admin_site: None,
        };
        walk.group(root, &[]);
        cx.project.admin_site = walk.admin_site;
    }
    for (name, group) in &named {
        if reached.contains(name) {
            continue;
        }
        let name_span = group.name.as_ref().expect("named").span;
        let d = Diagnostic::new(
            Code::UnusedUrlGroup,
            name_span,
            format!("URL group `{name}` is never included"),
        )
        .with_label("its routes are not served");
        let d = if root.is_some() {
            d.with_help(format!(
                "include it from the root group: `include \"{name}/\" {name}`"
            ))
        } else {
            d.with_help("add a root group `urls { … }` that includes it")
        };
        cx.report(d);
        for entry in &group.entries {
            if let UrlEntry::Path(ast::Route {
                name: Some(url_name),
                ..
            }) = entry
            {
                cx.broken.url_names.insert(url_name.value.clone());
            }
        }
    }
    build_routes(cx, &flat);
    report_shadowed(cx);
}

/// Finds the root group and the named groups (E0211 for extra roots and duplicates).
fn classify_groups<'g>(
    cx: &mut Checker<'_>,
    groups: &[&'g ast::UrlGroup],
) -> (
    Option<&'g ast::UrlGroup>,
    BTreeMap<&'g str, &'g ast::UrlGroup>,
) {
    let mut root: Option<&ast::UrlGroup> = None;
    let mut named: BTreeMap<&str, &ast::UrlGroup> = BTreeMap::new();
    for &group in groups {
        match &group.name {
            None => match root {
                Some(first) => cx.report(
                    Diagnostic::new(
                        Code::DuplicateUrlGroup,
                        head_span(group.span, 4),
                        "a project has one root `urls { … }` group",
                    )
                    .with_label("second root group")
                    .with_secondary(head_span(first.span, 4), "the root group is declared here")
                    .with_help("name this group (`urls api { … }`) and include it from the root"),
                ),
                None => root = Some(group),
            },
            Some(name) if name.name == ADMIN_GROUP => cx.report(
                Diagnostic::new(
                    Code::DuplicateUrlGroup,
                    name.span,
                    "the URL group name `admin` is reserved for the built-in admin site",
                )
                .with_label("reserved name")
                .with_help(
                    "rename this group; `include \"admin/\" admin` mounts the built-in admin",
                ),
            ),
            Some(name) => match named.get(name.name.as_str()) {
                Some(first) => {
                    let first_span = first.name.as_ref().expect("named").span;
                    cx.report(
                        Diagnostic::new(
                            Code::DuplicateUrlGroup,
                            name.span,
                            format!("URL group `{}` is declared twice", name.name),
                        )
                        .with_label("declared again here")
                        .with_secondary(first_span, "first declared here"),
                    );
                }
                None => {
                    named.insert(&name.name, group);
                }
            },
        }
    }
    (root, named)
}

/// The converter of a parameter (`str` when omitted), if it is known.
fn converter_of(converter: Option<&ast::Ident>) -> Option<ConverterType> {
    match converter {
        None => Some(ConverterType::Str),
        Some(c) => ConverterType::from_name(&c.name),
    }
}

/// Checks each pattern and entry once, wherever it is included from:
/// converters (E0204), repeated parameters (E0210), views (E0201), URL
/// names (E0202) and included groups (E0209).
fn check_declarations(
    cx: &mut Checker<'_>,
    groups: &[&ast::UrlGroup],
    named: &BTreeMap<&str, &ast::UrlGroup>,
) {
    let mut url_names: BTreeMap<&str, Span> = BTreeMap::new();
    for group in groups {
        for entry in &group.entries {
            match entry {
                UrlEntry::Path(route) => {
                    check_pattern(cx, &route.pattern);
                    let view = &route.view.name;
                    cx.broken.named_by_routes.insert(view.clone());
                    if !cx.project.view_names.contains_key(view) && !cx.broken.views.contains(view)
                    {
                        let d = Diagnostic::new(
                            Code::UnknownView,
                            route.view.span,
                            format!("cannot find view `{view}`"),
                        )
                        .with_label("no view with this name")
                        .with_suggestion(
                            view,
                            "a view",
                            cx.project.view_names.keys().map(String::as_str),
                        );
                        cx.report(d);
                    }
                    if let Some(name) = &route.name {
                        match url_names.get(name.value.as_str()) {
                            Some(&first) => cx.report(
                                Diagnostic::new(
                                    Code::DuplicateUrlName,
                                    name.span,
                                    format!("URL name `{}` is used by two routes", name.value),
                                )
                                .with_label("used again here")
                                .with_secondary(first, "first used here")
                                .with_help("URL names identify one route for `{% url %}` and redirects; rename one"),
                            ),
                            None => {
                                url_names.insert(&name.value, name.span);
                            }
                        }
                    }
                }
                UrlEntry::Include { prefix, group, .. } => {
                    check_pattern(cx, prefix);
                    if group.name != ADMIN_GROUP && !named.contains_key(group.name.as_str()) {
                        let candidates = named.keys().copied().chain([ADMIN_GROUP]);
                        cx.report(
                            Diagnostic::new(
                                Code::UnknownUrlGroup,
                                group.span,
                                format!("cannot find URL group `{}`", group.name),
                            )
                            .with_label("no `urls` group with this name")
                            .with_suggestion(
                                &group.name,
                                "a group",
                                candidates,
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// E0204 and E0210 within one pattern.
fn check_pattern(cx: &mut Checker<'_>, pattern: &ast::PathPattern) {
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    for segment in &pattern.segments {
        let PathSegment::Param {
            converter, name, ..
        } = segment
        else {
            continue;
        };
        if let Some(c) = converter
            && ConverterType::from_name(&c.name).is_none()
        {
            let names = ConverterType::ALL.map(ConverterType::name);
            let d = Diagnostic::new(
                Code::UnknownConverter,
                c.span,
                format!("unknown converter `{}`", c.name),
            )
            .with_label("not a converter")
            .with_suggestion(&c.name, "a converter", names);
            let d = match (converter_hint(&c.name), d.help.is_some()) {
                (Some(hint), _) => d.with_help(hint),
                (None, true) => d,
                (None, false) => d.with_note(format!("the converters are {}", backticked(names))),
            };
            cx.report(d);
        }
        match seen.get(name.name.as_str()) {
            Some(&first) => cx.report(duplicate_parameter(&name.name, name.span, first)),
            None => {
                seen.insert(&name.name, name.span);
            }
        }
    }
}

/// Help for converter names people coming from other frameworks write.
pub(super) fn converter_hint(name: &str) -> Option<&'static str> {
    match name {
        "string" | "text" | "String" => Some("use `str` for any text without `/`"),
        "integer" | "number" | "i64" | "i32" | "id" => Some("use `int` for digits"),
        _ => None,
    }
}

fn duplicate_parameter(name: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicatePathParameter,
        span,
        format!("URL parameter `{name}` is captured twice"),
    )
    .with_label("captured again here")
    .with_secondary(first, "first captured here")
    .with_help("give each parameter of a pattern its own name")
}

/// E0213 for includes that close a cycle, found by a depth-first walk of
/// the include graph.
fn report_cycles(
    cx: &mut Checker<'_>,
    groups: &[&ast::UrlGroup],
    named: &BTreeMap<&str, &ast::UrlGroup>,
) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Active,
        Done,
    }
    struct Cycles<'g, 'n> {
        named: &'n BTreeMap<&'g str, &'g ast::UrlGroup>,
        marks: BTreeMap<&'g str, Mark>,
        path: Vec<&'g str>,
        found: Vec<Diagnostic>,
    }
    impl<'g> Cycles<'g, '_> {
        fn visit(&mut self, group: &'g ast::UrlGroup) {
            for entry in &group.entries {
                let UrlEntry::Include { group: target, .. } = entry else {
                    continue;
                };
                let Some(&target_group) = self.named.get(target.name.as_str()) else {
                    continue;
                };
                let key = target_group.name.as_ref().map_or("", |n| n.name.as_str());
                match self.marks.get(key) {
                    Some(Mark::Done) => {}
                    Some(Mark::Active) => {
                        let start = self.path.iter().position(|n| *n == key).unwrap_or(0);
                        let mut cycle: Vec<String> = self.path[start..]
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect();
                        cycle.push(format!("`{key}`"));
                        let declared = target_group.name.as_ref().expect("named").span;
                        self.found.push(
                            Diagnostic::new(
                                Code::IncludeCycle,
                                target.span,
                                format!(
                                    "URL groups include each other in a cycle: {}",
                                    cycle.join(" → ")
                                ),
                            )
                            .with_label(format!("includes `{key}` again"))
                            .with_secondary(declared, format!("`{key}` is declared here"))
                            .with_help("an include must not lead back to a group that includes it"),
                        );
                    }
                    None => {
                        self.marks.insert(key, Mark::Active);
                        self.path.push(key);
                        self.visit(target_group);
                        self.path.pop();
                        self.marks.insert(key, Mark::Done);
                    }
                }
            }
        }
    }
    let mut walk = Cycles {
        named,
        marks: BTreeMap::new(),
        path: Vec::new(),
        found: Vec::new(),
    };
    for group in groups {
        let key = group.name.as_ref().map_or("", |n| n.name.as_str());
        if !key.is_empty()
            && named.get(key).is_some_and(|g| std::ptr::eq(*g, *group))
            && !walk.marks.contains_key(key)
        {
            walk.marks.insert(key, Mark::Active);
            walk.path.push(key);
            walk.visit(group);
            walk.path.pop();
            walk.marks.insert(key, Mark::Done);
        }
    }
    for d in walk.found {
        cx.report(d);
    }
}

/// A piece of a pattern after converters are resolved.
#[derive(Clone, Debug)]
enum Piece<'a> {
    Literal(&'a str, Span),
    Param {
        name: &'a ast::Ident,
        converter: ConverterType,
        converter_span: Option<Span>,
        span: Span,
    },
}

/// The pieces of a pattern; `None` when a converter is unknown (already reported).
fn pieces_of(pattern: &ast::PathPattern) -> Option<Vec<Piece<'_>>> {
    pattern
        .segments
        .iter()
        .map(|segment| match segment {
            PathSegment::Literal { text, span } => Some(Piece::Literal(text, *span)),
            PathSegment::Param {
                converter,
                name,
                span,
            } => Some(Piece::Param {
                name,
                converter: converter_of(converter.as_ref())?,
                converter_span: converter.as_ref().map(|c| c.span),
                span: *span,
            }),
        })
        .collect()
}

/// A route with the pieces of every include prefix before its own.
struct FlatRoute<'a> {
    route: &'a ast::Route,
    pieces: Vec<Piece<'a>>,
    included_at: Vec<Span>,
}

/// The walk from the root group through includes.
struct Walk<'a, 'o> {
    named: &'o BTreeMap<&'a str, &'a ast::UrlGroup>,
    stack: Vec<&'a str>,
    included_at: Vec<Span>,
    out: &'o mut Vec<FlatRoute<'a>>,
    reached: &'o mut BTreeSet<&'a str>,
    admin_site: Option<ir::AdminSite>,
}

impl<'a> Walk<'a, '_> {
    fn group(&mut self, group: &'a ast::UrlGroup, prefix: &[Piece<'a>]) {
        for entry in &group.entries {
            match entry {
                UrlEntry::Path(route) => {
                    let Some(own) = pieces_of(&route.pattern) else {
                        continue;
                    };
                    let mut pieces = prefix.to_vec();
                    pieces.extend(own);
                    self.out.push(FlatRoute {
                        route,
                        pieces,
                        included_at: self.included_at.clone(),
                    });
                }
                UrlEntry::Include {
                    prefix: include_prefix,
                    group: target,
                    span,
                } => {
                    let Some(own) = pieces_of(include_prefix) else {
                        continue;
                    };
                    let mut pieces = prefix.to_vec();
                    pieces.extend(own);
                    if target.name == ADMIN_GROUP && !self.named.contains_key(ADMIN_GROUP) {
                        if self.admin_site.is_none() {
                            self.admin_site = Some(ir::AdminSite {
                                prefix: pattern_text(&pieces),
                                span: *span,
                            });
                        }
                        continue;
                    }
                    let Some((&key, &target_group)) =
                        self.named.get_key_value(target.name.as_str())
                    else {
                        continue;
                    };
                    if self.stack.contains(&key) {
                        continue; // a cycle, reported by `report_cycles`
                    }
                    self.reached.insert(key);
                    self.stack.push(key);
                    self.included_at.push(*span);
                    self.group(target_group, &pieces);
                    self.included_at.pop();
                    self.stack.pop();
                }
            }
        }
    }
}

/// The pattern as Django writes it, converters always explicit.
fn pattern_text(pieces: &[Piece<'_>]) -> String {
    let mut text = String::new();
    for piece in pieces {
        match piece {
            Piece::Literal(literal, _) => text.push_str(literal),
            Piece::Param {
                name, converter, ..
            } => {
                text.push_str(&format!("<{}:{}>", converter.name(), name.name));
            }
        }
    }
    text
}

/// Turns flattened routes into the route table, checking each against its
/// view (E0205, E0206) and include prefixes (E0210).
fn build_routes(cx: &mut Checker<'_>, flat: &[FlatRoute<'_>]) {
    let mut found: Vec<Diagnostic> = Vec::new();
    for flat_route in flat {
        let route = flat_route.route;
        let url_name = route.name.as_ref().map(|n| n.value.clone());
        let Some(&view) = cx.project.view_names.get(&route.view.name) else {
            cx.broken.url_names.extend(url_name);
            continue;
        };
        let mut params: Vec<RouteParam> = Vec::new();
        let mut segments = Vec::with_capacity(flat_route.pieces.len());
        let mut clean = true;
        for piece in &flat_route.pieces {
            match piece {
                Piece::Literal(text, span) => segments.push(Segment::Literal {
                    text: (*text).to_string(),
                    span: *span,
                }),
                Piece::Param {
                    name,
                    converter,
                    span,
                    ..
                } => {
                    if let Some(first) = params.iter().find(|p| p.name == name.name) {
                        // Repeats inside one pattern are reported by `check_pattern`.
                        if !contains(route.pattern.span, first.span) {
                            found.push(duplicate_parameter(&name.name, name.span, first.span));
                        }
                        clean = false;
                        continue;
                    }
                    segments.push(Segment::Param(params.len() as u32));
                    params.push(RouteParam {
                        name: name.name.clone(),
                        converter: *converter,
                        span: *span,
                    });
                }
            }
        }
        if !clean {
            cx.broken.url_names.extend(url_name);
            continue;
        }
        match_view_params(cx, view, flat_route, &mut found);
        let id = RouteId(cx.project.routes.len() as u32);
        cx.project.routes.push(ir::Route {
            pattern: pattern_text(&flat_route.pieces),
            segments,
            params,
            view,
            name: url_name.clone(),
            span: route.span,
            pattern_span: route.pattern.span,
            included_at: flat_route.included_at.clone(),
        });
        cx.project.views[view.0 as usize].routes.push(id);
        if let Some(name) = url_name {
            cx.project.url_names.entry(name).or_insert(id);
        }
    }
    // A group included twice gives the same finding twice: report it once.
    let mut reported = BTreeSet::new();
    for d in found {
        if reported.insert((d.code, d.primary.span, d.message.clone())) {
            cx.report(d);
        }
    }
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.file == inner.file && outer.start <= inner.start && inner.end <= outer.end
}

/// Whether a converter's values can fill a view parameter of type `param`:
/// a `str` parameter takes `str`, `slug` and `path`; others must be equal.
pub(super) fn converter_fits(converter: ConverterType, param: ConverterType) -> bool {
    converter == param
        || (param == ConverterType::Str
            && matches!(converter, ConverterType::Slug | ConverterType::Path))
}

/// E0206 and E0205: the route's parameters against the view's. A route
/// parameter the view lacks while a view parameter is not captured is most
/// likely a misspelling, reported once at the route parameter.
fn match_view_params(
    cx: &Checker<'_>,
    view_id: ViewId,
    flat: &FlatRoute<'_>,
    found: &mut Vec<Diagnostic>,
) {
    let view = cx.project.view(view_id);
    if cx.broken.view_params.contains(&view.name) {
        return;
    }
    let captured: BTreeSet<&str> = flat
        .pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Param { name, .. } => Some(name.name.as_str()),
            Piece::Literal(..) => None,
        })
        .collect();
    let uncaptured: Vec<&ViewParam> = view
        .params
        .iter()
        .filter(|p| !captured.contains(p.name.as_str()))
        .collect();
    for piece in &flat.pieces {
        let Piece::Param {
            name,
            converter,
            converter_span,
            span,
        } = piece
        else {
            continue;
        };
        match view.params.iter().find(|p| p.name == name.name) {
            None => {
                let takes = if view.params.is_empty() {
                    format!("`{}` takes no parameters", view.name)
                } else {
                    let list: Vec<String> = view
                        .params
                        .iter()
                        .map(|p| format!("{}: {}", p.name, p.converter.name()))
                        .collect();
                    format!("`{}` takes ({})", view.name, list.join(", "))
                };
                let help = match uncaptured.as_slice() {
                    [] => format!(
                        "add `{}: {}` to the parameters of `{}`",
                        name.name,
                        converter.name(),
                        view.name
                    ),
                    [param] => format!(
                        "capture the view's parameter instead: `<{}:{}>`",
                        param.converter.name(),
                        param.name
                    ),
                    params => format!(
                        "the view's parameters not captured by this route are {}",
                        backticked(params.iter().map(|p| p.name.as_str()))
                    ),
                };
                found.push(
                    Diagnostic::new(
                        Code::RouteParameterMismatch,
                        name.span,
                        format!("view `{}` has no parameter `{}`", view.name, name.name),
                    )
                    .with_label("captured here")
                    .with_secondary(view.name_span, takes)
                    .with_help(help),
                );
            }
            Some(param) if !converter_fits(*converter, param.converter) => {
                found.push(
                    Diagnostic::new(
                        Code::ConverterMismatch,
                        converter_span.unwrap_or(*span),
                        format!(
                            "converter `{}` does not match parameter `{}: {}` of view `{}`",
                            converter.name(),
                            param.name,
                            param.converter.name(),
                            view.name
                        ),
                    )
                    .with_label(format!("gives `{}`", converter.name()))
                    .with_secondary(param.span, format!("expects `{}`", param.converter.name()))
                    .with_help(format!(
                        "capture it as `<{}:{}>`",
                        param.converter.name(),
                        param.name
                    )),
                );
            }
            Some(_) => {}
        }
    }
    let misspelt = captured
        .iter()
        .any(|name| !view.params.iter().any(|p| p.name == *name));
    if misspelt {
        return;
    }
    for param in uncaptured {
        found.push(
            Diagnostic::new(
                Code::RouteParameterMismatch,
                flat.route.pattern.span,
                format!(
                    "this route does not capture parameter `{}` of view `{}`",
                    param.name, view.name
                ),
            )
            .with_label(format!(
                "no `<{}:{}>` in this pattern",
                param.converter.name(),
                param.name
            ))
            .with_secondary(param.span, format!("`{}` is declared here", param.name)),
        );
    }
}

// ── shadowed routes ─────────────────────────────────────────────────────────

/// What one `/`-separated part of a URL pattern matches.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Param(ConverterType),
}

/// A route's pattern split at `/` into components.
fn components(route: &ir::Route) -> Vec<Vec<Part>> {
    let mut out = vec![Vec::new()];
    for segment in &route.segments {
        match segment {
            Segment::Literal { text, .. } => {
                let mut pieces = text.split('/');
                if let Some(first) = pieces.next()
                    && !first.is_empty()
                {
                    push_text(out.last_mut().expect("non-empty"), first);
                }
                for piece in pieces {
                    out.push(Vec::new());
                    if !piece.is_empty() {
                        push_text(out.last_mut().expect("non-empty"), piece);
                    }
                }
            }
            Segment::Param(index) => {
                let converter = route.params[*index as usize].converter;
                out.last_mut()
                    .expect("non-empty")
                    .push(Part::Param(converter));
            }
        }
    }
    out
}

fn push_text(component: &mut Vec<Part>, text: &str) {
    match component.last_mut() {
        Some(Part::Text(previous)) => previous.push_str(text),
        _ => component.push(Part::Text(text.to_string())),
    }
}

/// Whether every URL `later` matches is matched by `earlier`.
fn route_covers(earlier: &[Vec<Part>], later: &[Vec<Part>]) -> bool {
    for (i, part) in earlier.iter().enumerate() {
        if i + 1 == earlier.len() && *part == [Part::Param(ConverterType::Path)] {
            // A trailing `<path:…>` matches the rest, if there is any.
            return later.len() > i + 1 || later.get(i).is_some_and(|c| !c.is_empty());
        }
        match later.get(i) {
            Some(other) if component_covers(part, other) => {}
            _ => return false,
        }
    }
    earlier.len() == later.len()
}

/// Whether every text `later` matches (within one component) `earlier` matches.
fn component_covers(earlier: &[Part], later: &[Part]) -> bool {
    if earlier == later {
        return true;
    }
    let [Part::Param(converter)] = earlier else {
        return false;
    };
    if later.is_empty() || later.contains(&Part::Param(ConverterType::Path)) {
        return false;
    }
    let all = |text_ok: fn(&str) -> bool, params: &[ConverterType]| {
        later.iter().all(|part| match part {
            Part::Text(text) => text_ok(text),
            Part::Param(c) => params.contains(c),
        })
    };
    match converter {
        ConverterType::Str | ConverterType::Path => true,
        ConverterType::Slug => all(
            |t| {
                t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            },
            &[ConverterType::Slug, ConverterType::Int],
        ),
        ConverterType::Int => all(
            |t| t.chars().all(|c| c.is_ascii_digit()),
            &[ConverterType::Int],
        ),
        ConverterType::Uuid => match later {
            [Part::Param(ConverterType::Uuid)] => true,
            [Part::Text(text)] => is_django_uuid(text),
            _ => false,
        },
    }
}

/// Django's `uuid` converter: lowercase hex in 8-4-4-4-12 groups.
fn is_django_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, len)| {
            g.len() == len
                && g.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, 'a'..='f'))
        })
}

/// W0208 for routes an earlier route always matches first. Routes are
/// grouped by their first component when it is literal text, so each route
/// is compared only with earlier routes that could match the same URLs.
fn report_shadowed(cx: &mut Checker<'_>) {
    let mut by_first_text: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut with_param_first: Vec<usize> = Vec::new();
    let shapes: Vec<Vec<Vec<Part>>> = cx.project.routes.iter().map(components).collect();
    let mut found = Vec::new();
    for (index, shape) in shapes.iter().enumerate() {
        let first_text = match shape[0].as_slice() {
            [Part::Text(text)] => Some(text.clone()),
            [] => Some(String::new()),
            _ => None,
        };
        let same_text = first_text.as_ref().and_then(|t| by_first_text.get(t));
        let candidates = same_text.into_iter().flatten().chain(&with_param_first);
        let shadowing = candidates
            .copied()
            .filter(|&earlier| route_covers(&shapes[earlier], shape))
            .min();
        if let Some(earlier) = shadowing {
            found.push((index, earlier));
        }
        match first_text {
            Some(text) => by_first_text.entry(text).or_default().push(index),
            None => with_param_first.push(index),
        }
    }
    let mut reported = BTreeSet::new();
    for (index, earlier) in found {
        let (route, first) = (
            cx.project.route(RouteId(index as u32)),
            cx.project.route(RouteId(earlier as u32)),
        );
        let primary = route.pattern_span;
        if !reported.insert(primary) {
            continue;
        }
        let d = Diagnostic::new(
            Code::ShadowedRoute,
            primary,
            format!("route `{}` is never reached", route.pattern),
        )
        .with_label("every URL it matches is matched earlier")
        .with_secondary(
            first.pattern_span,
            format!("`{}` matches first", first.pattern),
        )
        .with_help("move the more specific route before the general one");
        cx.report(d);
    }
}

// ── URL reverses ────────────────────────────────────────────────────────────

/// Resolves `"post-detail"(slug = object.slug)` against the route table.
pub(super) fn resolve_url_ref(
    cx: &mut Checker<'_>,
    url_ref: &ast::UrlRef,
    scope: &Scope<'_>,
) -> Option<UrlTarget> {
    let name = &url_ref.name.value;
    if name.contains('/') || name.contains(':') {
        if let (Some(first), Some(last)) = (url_ref.args.first(), url_ref.args.last()) {
            cx.report(
                Diagnostic::new(
                    Code::UrlArgumentMismatch,
                    first.span.to(last.span),
                    "a literal URL takes no arguments",
                )
                .with_label("unexpected arguments")
                .with_secondary(
                    url_ref.name.span,
                    "a literal URL, because it contains `/` or `:`",
                )
                .with_help("to reverse a named route, write its name: `\"post-detail\"(slug = …)`"),
            );
            return None;
        }
        return Some(UrlTarget::Literal {
            url: name.clone(),
            span: url_ref.name.span,
        });
    }
    let Some(&route_id) = cx.project.url_names.get(name) else {
        if !cx.broken.url_names.contains(name) {
            let d = Diagnostic::new(
                Code::UnknownUrlName,
                url_ref.name.span,
                format!("no route is named `{name}`"),
            )
            .with_label("unknown URL name")
            .with_suggestion(
                name,
                "a route",
                cx.project.url_names.keys().map(String::as_str),
            );
            cx.report(d);
        }
        return None;
    };
    let params = cx.project.route(route_id).params.clone();
    let declared = cx.project.route(route_id).pattern_span;
    let mut assigned: Vec<Option<UrlArg>> = vec![None; params.len()];
    let mut positional = 0;
    let mut ok = true;
    for arg in &url_ref.args {
        let index = match &arg.name {
            Some(keyword) => match params.iter().position(|p| p.name == keyword.name) {
                Some(index) => index,
                None => {
                    cx.report(
                        Diagnostic::new(
                            Code::UrlArgumentMismatch,
                            keyword.span,
                            format!("URL `{name}` has no parameter `{}`", keyword.name),
                        )
                        .with_label("unknown parameter")
                        .with_secondary(declared, format!("`{name}` is declared here"))
                        .with_suggestion(
                            &keyword.name,
                            "a parameter",
                            params.iter().map(|p| p.name.as_str()),
                        ),
                    );
                    ok = false;
                    continue;
                }
            },
            None => {
                positional += 1;
                if positional > params.len() {
                    cx.report(
                        Diagnostic::new(
                            Code::UrlArgumentMismatch,
                            arg.span,
                            format!("unexpected argument for URL `{name}`"),
                        )
                        .with_label(format!(
                            "`{name}` takes {} argument{}",
                            params.len(),
                            plural(params.len())
                        ))
                        .with_secondary(declared, format!("`{name}` is declared here")),
                    );
                    ok = false;
                    continue;
                }
                positional - 1
            }
        };
        let param = &params[index];
        if let Some(previous) = &assigned[index] {
            cx.report(
                Diagnostic::new(
                    Code::UrlArgumentMismatch,
                    arg.span,
                    format!("argument `{}` given twice", param.name),
                )
                .with_label("given again here")
                .with_secondary(previous.span, "first given here"),
            );
            ok = false;
            continue;
        }
        let Some(value) = cx.check_free_value(&arg.value, scope) else {
            ok = false;
            continue;
        };
        if let Some(problem) = argument_problem(param.converter, &value.ty) {
            let found = value.ty.describe(&cx.project);
            cx.report(
                Diagnostic::new(
                    Code::UrlArgumentMismatch,
                    value.span,
                    format!(
                        "argument `{}` of URL `{name}` is `{found}`, {problem}",
                        param.name
                    ),
                )
                .with_label(format!(
                    "expected a value for `<{}:{}>`",
                    param.converter.name(),
                    param.name
                ))
                .with_secondary(param.span, "captured here"),
            );
            ok = false;
            continue;
        }
        assigned[index] = Some(UrlArg {
            param: param.name.clone(),
            value,
            span: arg.span,
        });
    }
    for (param, value) in params.iter().zip(&assigned) {
        if value.is_none() && ok {
            cx.report(
                Diagnostic::new(
                    Code::UrlArgumentMismatch,
                    url_ref.name.span,
                    format!("missing argument `{}` for URL `{name}`", param.name),
                )
                .with_label(format!("`{}` is not given", param.name))
                .with_secondary(param.span, format!("`{}` is captured here", param.name))
                .with_help(format!("pass it: `\"{name}\"({} = …)`", param.name)),
            );
        }
    }
    if !ok || assigned.iter().any(Option::is_none) {
        return None;
    }
    Some(UrlTarget::Route {
        route: route_id,
        name: name.clone(),
        args: assigned
            .into_iter()
            .map(|a| a.expect("all assigned"))
            .collect(),
        span: url_ref.span,
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Why a value of type `ty` cannot fill a parameter with this converter.
fn argument_problem(converter: ConverterType, ty: &Type) -> Option<&'static str> {
    if matches!(ty, Type::Optional(_) | Type::Null) {
        return Some("which may be none, but a URL needs a value");
    }
    let fits = match converter {
        ConverterType::Int => *ty == Type::Int,
        ConverterType::Uuid => *ty == Type::Uuid,
        ConverterType::Str | ConverterType::Slug | ConverterType::Path => *ty == Type::Str,
    };
    (!fits).then_some(match converter {
        ConverterType::Int => "but the converter `int` needs an integer",
        ConverterType::Uuid => "but the converter `uuid` needs a UUID",
        _ => "but the converter needs text",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(pattern: &str) -> Vec<Vec<Part>> {
        pattern
            .split('/')
            .map(|component| {
                if let Some(inner) = component
                    .strip_prefix('<')
                    .and_then(|c| c.strip_suffix('>'))
                {
                    vec![Part::Param(
                        ConverterType::from_name(inner).expect("converter"),
                    )]
                } else if component.is_empty() {
                    Vec::new()
                } else {
                    vec![Part::Text(component.to_string())]
                }
            })
            .collect()
    }

    #[test]
    fn str_covers_any_single_component() {
        assert!(route_covers(&parts("posts/<str>/"), &parts("posts/new/")));
        assert!(route_covers(
            &parts("posts/<str>/"),
            &parts("posts/<slug>/")
        ));
        assert!(route_covers(&parts("posts/<str>/"), &parts("posts/<int>/")));
        assert!(!route_covers(
            &parts("posts/<str>/"),
            &parts("posts/<path>/")
        ));
        assert!(!route_covers(&parts("posts/<str>/"), &parts("posts/a/b/")));
    }

    #[test]
    fn narrow_converters_cover_only_what_they_match() {
        assert!(route_covers(&parts("p/<slug>"), &parts("p/new-post")));
        assert!(route_covers(&parts("p/<slug>"), &parts("p/<int>")));
        assert!(!route_covers(&parts("p/<slug>"), &parts("p/<str>")));
        assert!(route_covers(&parts("p/<int>"), &parts("p/42")));
        assert!(!route_covers(&parts("p/<int>"), &parts("p/new")));
        assert!(!route_covers(&parts("p/<int>"), &parts("p/<slug>")));
        assert!(route_covers(
            &parts("p/<uuid>"),
            &parts("p/6f1c2a5e-3b7d-4c2e-9a1f-0d8e7b6c5a4f")
        ));
        assert!(!route_covers(
            &parts("p/<uuid>"),
            &parts("p/6F1C2A5E-3B7D-4C2E-9A1F-0D8E7B6C5A4F")
        ));
    }

    #[test]
    fn trailing_path_covers_the_rest() {
        assert!(route_covers(&parts("files/<path>"), &parts("files/a/b/c")));
        assert!(route_covers(
            &parts("files/<path>"),
            &parts("files/<str>/edit")
        ));
        assert!(!route_covers(&parts("files/<path>"), &parts("files/")));
        assert!(!route_covers(&parts("files/<path>"), &parts("other/a")));
    }

    #[test]
    fn literals_and_lengths_must_agree() {
        assert!(route_covers(&parts("about/"), &parts("about/")));
        assert!(!route_covers(&parts("about/"), &parts("about")));
        assert!(!route_covers(
            &parts("posts/<str>/"),
            &parts("posts/<str>/edit/")
        ));
        assert!(!route_covers(&parts("posts/new/"), &parts("posts/<str>/")));
    }

    #[test]
    fn str_parameters_accept_slug_and_path_converters() {
        assert!(converter_fits(ConverterType::Slug, ConverterType::Str));
        assert!(converter_fits(ConverterType::Path, ConverterType::Str));
        assert!(!converter_fits(ConverterType::Str, ConverterType::Slug));
        assert!(!converter_fits(ConverterType::Int, ConverterType::Str));
        assert!(converter_fits(ConverterType::Uuid, ConverterType::Uuid));
    }
}
