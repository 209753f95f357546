//! Admin: `admin Model { … }` blocks → [`ir::Admin`]s.
//!
//! Input: every `admin` block. Output: `Project::admins`. Diagnostics:
//! E0502 (two blocks for one model), E0503 (unknown or repeated option),
//! E0504 (a filter on a field that cannot be filtered), E0505 (a search over
//! a field that is not text), and the field-path codes for the fields the
//! options name (E0101, E0404, E0407, E0308, E0311).

use super::ir::{self, FieldId, FieldPath, FieldType, ModelId, StepKind};
use super::{Checker, backticked};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{self, AdminValue, LiteralKind};
use std::collections::BTreeMap;

/// The options an `admin` block takes.
const OPTIONS: [&str; 7] = [
    "list_display",
    "list_filter",
    "search",
    "ordering",
    "list_per_page",
    "fields",
    "readonly",
];

/// Checks every admin block and fills `project.admins`.
pub(super) fn check_admins(cx: &mut Checker<'_>, admins: &[&ast::Admin]) {
    let mut first_spans: BTreeMap<ModelId, Span> = BTreeMap::new();
    for admin in admins {
        let Some(model) = cx.project.model_named(&admin.model.name) else {
            cx.report(cx.unknown_model(&admin.model));
            continue;
        };
        if let Some(&first) = first_spans.get(&model) {
            cx.report(
                Diagnostic::new(
                    Code::DuplicateAdmin,
                    admin.model.span,
                    format!("model `{}` has two `admin` blocks", admin.model.name),
                )
                .with_label("second admin block")
                .with_secondary(first, "first admin block")
                .with_help("merge the options into one block"),
            );
            continue;
        }
        first_spans.insert(model, admin.model.span);
        let admin_ir = check_admin(cx, model, admin);
        cx.project.admins.push(admin_ir);
    }
}

fn check_admin(cx: &mut Checker<'_>, model: ModelId, admin: &ast::Admin) -> ir::Admin {
    let mut options: BTreeMap<&str, &ast::AdminOption> = BTreeMap::new();
    for option in &admin.options {
        let name = option.name.name.as_str();
        if !OPTIONS.contains(&name) {
            let d = Diagnostic::new(
                Code::UnknownAdminOption,
                option.name.span,
                format!("unknown admin option `{name}`"),
            )
            .with_label("unknown option")
            .with_suggestion(name, "an option", OPTIONS);
            let d = match (name, d.help.is_some()) {
                ("search_fields", _) => d.with_help("write `search [field, …]`"),
                ("readonly_fields", _) => d.with_help("write `readonly [field, …]`"),
                (_, true) => d,
                _ => d.with_note(format!("admin options are {}", backticked(OPTIONS))),
            };
            cx.report(d);
            continue;
        }
        if let Some(first) = options.get(name) {
            cx.report(
                Diagnostic::new(
                    Code::UnknownAdminOption,
                    option.name.span,
                    format!("admin option `{name}` is given twice"),
                )
                .with_label("given again here")
                .with_secondary(first.name.span, "first given here"),
            );
            continue;
        }
        options.insert(name, option);
    }
    let mut result = ir::Admin {
        model,
        list_display: Vec::new(),
        list_filter: Vec::new(),
        search: Vec::new(),
        ordering: Vec::new(),
        list_per_page: None,
        fields: Vec::new(),
        readonly: Vec::new(),
        span: admin.span,
    };
    if let Some(option) = options.get("list_per_page") {
        result.list_per_page = list_per_page(cx, option);
    }
    if let Some(terms) = options.get("ordering").and_then(|o| list_of(cx, o)) {
        result.ordering = terms
            .iter()
            .filter_map(|t| cx.check_order_term(t, model))
            .collect();
    }
    if let Some(terms) = options.get("list_display").and_then(|o| list_of(cx, o)) {
        result.list_display = paths(cx, model, terms, "list_display", false);
    }
    if let Some(terms) = options.get("list_filter").and_then(|o| list_of(cx, o)) {
        result.list_filter = paths(cx, model, terms, "list_filter", true)
            .into_iter()
            .filter(|path| filterable(cx, path))
            .collect();
    }
    if let Some(terms) = options.get("search").and_then(|o| list_of(cx, o)) {
        result.search = paths(cx, model, terms, "search", true)
            .into_iter()
            .filter(|path| searchable(cx, path))
            .collect();
    }
    if let Some(terms) = options.get("readonly").and_then(|o| list_of(cx, o)) {
        result.readonly = own_fields(cx, model, terms, "readonly")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
    }
    if let Some(terms) = options.get("fields").and_then(|o| list_of(cx, o)) {
        let fields = own_fields(cx, model, terms, "fields");
        for &(id, term_span) in &fields {
            let field = cx.project.field(id);
            if !field.is_form_editable() && !result.readonly.contains(&id) {
                let span = field.span;
                let implicit = field.implicit;
                let mut d = Diagnostic::new(
                    Code::FieldNotEditable,
                    term_span,
                    format!("field `{}` cannot be edited in the admin form", field.name),
                )
                .with_label("not editable")
                .with_help(format!(
                    "list it in `readonly` to show it: `readonly [{}]`",
                    field.name
                ));
                if !implicit {
                    d = d.with_secondary(span, "declared here");
                }
                cx.report(d);
            }
        }
        result.fields = fields.into_iter().map(|(id, _)| id).collect();
    }
    result
}

fn list_per_page(cx: &mut Checker<'_>, option: &ast::AdminOption) -> Option<u32> {
    let (span, why) = match &option.value {
        AdminValue::Literal(ast::Literal {
            kind: LiteralKind::Int(n),
            span,
        }) => match u32::try_from(*n) {
            Ok(value) if value >= 1 => return Some(value),
            _ => (*span, "a page holds at least one object"),
        },
        AdminValue::Literal(literal) => (literal.span, "expected a number"),
        AdminValue::List(terms) => (
            terms.first().map_or(option.span, |t| {
                t.span.to(terms.last().expect("non-empty").span)
            }),
            "expected a number, not a list",
        ),
    };
    cx.report(
        Diagnostic::new(Code::InvalidClauseValue, span, "invalid `list_per_page`")
            .with_label(why)
            .with_help("write `list_per_page 50`"),
    );
    None
}

/// The terms of a list option; E0503 when a literal is given instead.
fn list_of<'a>(cx: &mut Checker<'_>, option: &'a ast::AdminOption) -> Option<&'a [ast::OrderTerm]> {
    match &option.value {
        AdminValue::List(terms) => Some(terms),
        AdminValue::Literal(literal) => {
            cx.report(
                Diagnostic::new(
                    Code::UnknownAdminOption,
                    literal.span,
                    format!("`{}` takes a list of fields", option.name.name),
                )
                .with_label("expected `[field, …]`"),
            );
            None
        }
    }
}

/// Paths from the model; `-` is only for `ordering` (E0407). Relations may
/// be crossed (only foreign keys and one-to-one unless `many_ok`).
fn paths(
    cx: &mut Checker<'_>,
    model: ModelId,
    terms: &[ast::OrderTerm],
    option: &str,
    many_ok: bool,
) -> Vec<FieldPath> {
    let mut out = Vec::with_capacity(terms.len());
    for term in terms {
        if term.descending {
            cx.report(
                Diagnostic::new(
                    Code::InvalidOrdering,
                    term.span,
                    format!("`-` has no meaning in `{option}`"),
                )
                .with_label("descending order only applies to `ordering`")
                .with_help("remove the `-`, or move the field to `ordering`"),
            );
            continue;
        }
        let Some(path) = cx.resolve_path(model, &term.field.parts, term.field.span) else {
            continue;
        };
        let crossed_many = path.steps[..path.steps.len().saturating_sub(1)]
            .iter()
            .find(|s| cx.project.step_is_many(s.kind));
        if let (false, Some(step)) = (many_ok, crossed_many) {
            let name = cx.project.step_name(step.kind).to_string();
            cx.report(
                Diagnostic::new(
                    Code::NotARelation,
                    step.span,
                    format!("`{option}` cannot follow the many relation `{name}`"),
                )
                .with_label("gives several objects per row")
                .with_help("follow foreign keys and one-to-one relations only"),
            );
            continue;
        }
        out.push(path);
    }
    out
}

/// E0504: filters work on bool, choice, relation, date and number fields.
fn filterable(cx: &mut Checker<'_>, path: &FieldPath) -> bool {
    let Some(last) = path.steps.last() else {
        return false;
    };
    let StepKind::Field(id) = last.kind else {
        return true;
    };
    let ty = &cx.project.field(id).ty;
    let ok = ty.is_number()
        || matches!(
            ty,
            FieldType::Bool
                | FieldType::Choice { .. }
                | FieldType::Date
                | FieldType::DateTime
                | FieldType::ForeignKey(_)
                | FieldType::OneToOne(_)
                | FieldType::ManyToMany(_)
        );
    if !ok {
        let described = ty.describe(&cx.project);
        let name = cx.project.path_text(path);
        cx.report(
            Diagnostic::new(Code::InvalidAdminFilter, path.span, format!("cannot filter by `{name}`"))
                .with_label(format!("{} field", super::a(&described)))
                .with_help("filters work on bool, choice, relation, date and number fields; find text with `search`"),
        );
    }
    ok
}

/// E0505: search works on text fields, possibly across relations.
fn searchable(cx: &mut Checker<'_>, path: &FieldPath) -> bool {
    let text = path
        .last_field()
        .is_some_and(|id| cx.project.field(id).ty.is_text());
    if !text {
        let described = cx.project.path_type(path).describe(&cx.project);
        let name = cx.project.path_text(path);
        cx.report(
            Diagnostic::new(
                Code::InvalidAdminSearch,
                path.span,
                format!("cannot search `{name}`"),
            )
            .with_label(format!("`{name}` is `{described}`, not text"))
            .with_help("search works on `string`, `text`, `slug`, `email` and `url` fields"),
        );
    }
    text
}

/// `fields` / `readonly`: the model's own fields.
fn own_fields(
    cx: &mut Checker<'_>,
    model: ModelId,
    terms: &[ast::OrderTerm],
    option: &str,
) -> Vec<(FieldId, Span)> {
    let mut out = Vec::with_capacity(terms.len());
    for term in terms {
        if term.descending || term.field.parts.len() > 1 {
            let d = Diagnostic::new(
                Code::FieldNotEditable,
                term.span,
                format!("`{option}` lists fields of `{}` only", cx.model_name(model)),
            )
            .with_label("not a field of this model");
            cx.report(d);
            continue;
        }
        let Some(path) = cx.resolve_path(model, &term.field.parts, term.field.span) else {
            continue;
        };
        match path.steps[0].kind {
            StepKind::Field(id) => out.push((id, term.span)),
            StepKind::Reverse(_) => cx.report(
                Diagnostic::new(
                    Code::FieldNotEditable,
                    term.span,
                    format!(
                        "`{}` is a reverse relation, not a field of `{}`",
                        term.field.parts[0].name,
                        cx.model_name(model)
                    ),
                )
                .with_label("not a field of this model")
                .with_help("edit the relation from the model that declares it"),
            ),
        }
    }
    out
}
