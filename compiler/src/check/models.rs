//! Models: `ast::Model` declarations → [`ir::Model`]s.
//!
//! Input: every `model` declaration of the project. Output:
//! `Project::models` and `Project::model_names` — fields with resolved types
//! and options, the implicit `id`, reverse relations on each target, and the
//! `meta` block (ordering, indexes, unique-together, typed check
//! constraints, `str` format, permissions, verbose names). Diagnostics:
//! E0101–E0121, plus the query codes for `check` conditions.

use super::ir::{
    self, ChoiceOption, FieldId, FieldType, ManyRelation, Member, ModelId, OnDelete, Relation,
    ReverseId, ReverseKind, StepKind,
};
use super::paths::PathError;
use super::queries::{Expect, Expected, Scope};
use super::{Checker, backticked, describe_literal};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{self, LiteralKind};
use std::collections::BTreeMap;

/// The built-in field types.
const BUILTIN_TYPES: [&str; 14] = [
    "int", "bigint", "float", "decimal", "bool", "string", "text", "slug", "email", "url", "uuid",
    "date", "datetime", "json",
];
/// Every type argument name (each type takes some of them).
const TYPE_ARGS: [&str; 3] = ["max", "digits", "places"];
/// Field options that are flags.
const FLAGS: [&str; 8] = [
    "null",
    "blank",
    "unique",
    "index",
    "primary_key",
    "auto_now",
    "auto_now_add",
    "editable",
];
/// Field options that take a value.
const VALUED: [&str; 6] = [
    "default",
    "on_delete",
    "related_name",
    "renamed_from",
    "help",
    "verbose_name",
];
/// `key = value` settings of a `meta` block.
const META_SETTINGS: [&str; 4] = ["str", "verbose_name", "verbose_name_plural", "db_table"];

/// Checks every model and fills `project.models`.
pub(super) fn check_models(cx: &mut Checker<'_>, models: &[&ast::Model]) {
    let declared = declare(cx, models);
    let mut relations = Vec::new();
    for &(id, model) in &declared {
        fields(cx, id, model, &mut relations);
    }
    reverse_relations(cx, &relations);
    for &(id, model) in &declared {
        meta(cx, id, model);
    }
}

/// Registers model names (E0103 for duplicates).
fn declare<'m>(cx: &mut Checker<'_>, models: &[&'m ast::Model]) -> Vec<(ModelId, &'m ast::Model)> {
    let mut declared = Vec::with_capacity(models.len());
    for &model in models {
        let name = &model.name.name;
        if let Some(&first) = cx.project.model_names.get(name) {
            let first_span = cx.project.model(first).name_span;
            cx.report(
                Diagnostic::new(
                    Code::DuplicateModel,
                    model.name.span,
                    format!("the model `{name}` is defined more than once"),
                )
                .with_label(format!("`{name}` redefined here"))
                .with_secondary(first_span, format!("`{name}` first defined here"))
                .with_help("rename one of the models"),
            );
            continue;
        }
        let id = ModelId(cx.project.models.len() as u32);
        let verbose_name = camel_case_to_words(name);
        cx.project.models.push(ir::Model {
            name: name.clone(),
            name_span: model.name.span,
            span: model.span,
            doc: model.doc.clone(),
            table: format!("{}_{}", cx.project.app_label, name.to_lowercase()),
            fields: Vec::new(),
            reverse: Vec::new(),
            members: BTreeMap::new(),
            primary_key: 0,
            ordering: Vec::new(),
            indexes: Vec::new(),
            unique_together: Vec::new(),
            checks: Vec::new(),
            str_format: None,
            permissions: Vec::new(),
            verbose_name_plural: format!("{verbose_name}s"),
            verbose_name,
        });
        cx.project.model_names.insert(name.clone(), id);
        declared.push((id, model));
    }
    declared
}

/// Django's `camel_case_to_spaces`: `BlogPost` → `blog post`.
fn camel_case_to_words(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let previous_lower = chars[i - 1].is_lowercase();
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if previous_lower || (chars[i - 1].is_uppercase() && next_lower) {
                out.push(' ');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// A relation field whose reverse side is added once all fields exist.
struct PendingRelation {
    field: FieldId,
    /// True when `related_name` is written.
    explicit: bool,
    /// The `related_name` value, or the field's type when it is implicit.
    span: Span,
}

/// Builds the fields of one model.
fn fields(
    cx: &mut Checker<'_>,
    id: ModelId,
    model: &ast::Model,
    relations: &mut Vec<PendingRelation>,
) {
    let explicit_keys: Vec<(&ast::Field, Span)> = model
        .fields
        .iter()
        .filter_map(|field| {
            let option = field
                .options
                .iter()
                .find(|o| o.name.name == "primary_key")?;
            let disabled = matches!(
                &option.value,
                Some(ast::Expr::Literal(ast::Literal {
                    kind: LiteralKind::Bool(false),
                    ..
                }))
            );
            (!disabled).then_some((field, option.name.span))
        })
        .collect();
    for (field, span) in explicit_keys.iter().skip(1) {
        cx.report(
            Diagnostic::new(
                Code::MultiplePrimaryKeys,
                *span,
                format!("model `{}` has more than one primary key", model.name.name),
            )
            .with_label(format!("`{}` is a second primary key", field.name.name))
            .with_secondary(explicit_keys[0].1, format!("`{}` is already the primary key", explicit_keys[0].0.name.name))
            .with_help("a model has one primary key; use `meta { unique (a, b) }` for a key over several fields"),
        );
    }
    let implicit = explicit_keys.is_empty();
    if implicit {
        add_field(cx, id, implicit_id(model.name.span));
    }
    let mut first_spans: BTreeMap<&str, Span> = BTreeMap::new();
    for field in &model.fields {
        let name = field.name.name.as_str();
        if let Some(&first) = first_spans.get(name) {
            cx.report(
                Diagnostic::new(
                    Code::DuplicateField,
                    field.name.span,
                    format!(
                        "field `{name}` is already declared in model `{}`",
                        model.name.name
                    ),
                )
                .with_label("field already declared")
                .with_secondary(first, format!("`{name}` first declared here")),
            );
            continue;
        }
        first_spans.insert(name, field.name.span);
        if implicit && name == "id" {
            cx.report(
                Diagnostic::new(
                    Code::ReservedFieldName,
                    field.name.span,
                    format!(
                        "field `id` clashes with the implicit primary key of `{}`",
                        model.name.name
                    ),
                )
                .with_label("`id` is already the implicit primary key")
                .with_help("mark this field `primary_key` to use it as the key, or rename it"),
            );
            continue;
        }
        match build_field(cx, id, field) {
            Some((built, related_name_span)) => {
                let is_relation = built.ty.target().is_some();
                let index = add_field(cx, id, built);
                if is_relation {
                    relations.push(PendingRelation {
                        field: FieldId { model: id, index },
                        explicit: related_name_span.is_some(),
                        span: related_name_span.unwrap_or(field.ty.span()),
                    });
                }
            }
            None => {
                cx.broken.fields.insert((id, name.to_string()));
            }
        }
    }
    let model_ir = &mut cx.project.models[id.0 as usize];
    match model_ir.fields.iter().position(|f| f.primary_key) {
        Some(index) => model_ir.primary_key = index as u32,
        None => {
            // The declared key failed to build: keep the IR usable with an implicit one.
            let index = model_ir.fields.len() as u32;
            model_ir.fields.push(implicit_id(model.name.span));
            model_ir
                .members
                .entry("id".to_string())
                .or_insert(Member::Field(index));
            model_ir.primary_key = index;
        }
    }
}

fn add_field(cx: &mut Checker<'_>, model: ModelId, field: ir::Field) -> u32 {
    let m = &mut cx.project.models[model.0 as usize];
    let index = m.fields.len() as u32;
    m.members.insert(field.name.clone(), Member::Field(index));
    m.fields.push(field);
    index
}

/// The implicit `id bigint primary key`, placed at the model's name.
fn implicit_id(span: Span) -> ir::Field {
    ir::Field {
        name: "id".into(),
        name_span: span,
        span,
        ty: FieldType::AutoId,
        column: Some("id".into()),
        null: false,
        blank: true,
        unique: true,
        index: false,
        primary_key: true,
        auto_now: false,
        auto_now_add: false,
        editable: false,
        implicit: true,
        default: None,
        renamed_from: None,
        verbose_name: "ID".into(),
        help: None,
        doc: None,
    }
}

/// A field type before options are read.
enum Resolved {
    Scalar(FieldType),
    ForeignKey(ModelId),
    OneToOne(ModelId),
    Many(ModelId),
}

impl Resolved {
    fn describe(&self, cx: &Checker<'_>) -> String {
        match self {
            Resolved::Scalar(ty) => ty.describe(&cx.project),
            Resolved::ForeignKey(m) => format!("foreign key to `{}`", cx.model_name(*m)),
            Resolved::OneToOne(m) => format!("one {}", cx.model_name(*m)),
            Resolved::Many(m) => format!("many {}", cx.model_name(*m)),
        }
    }

    /// Why `option` does not apply to this type, if it does not.
    fn rejects(&self, option: &str) -> Option<&'static str> {
        let many = matches!(self, Resolved::Many(_));
        let relation = !matches!(self, Resolved::Scalar(_));
        let fk = matches!(self, Resolved::ForeignKey(_) | Resolved::OneToOne(_));
        let date = matches!(
            self,
            Resolved::Scalar(FieldType::Date | FieldType::DateTime)
        );
        match option {
            "null" if many => Some(
                "a many-to-many relation has no column to be null; `blank` makes it optional in forms",
            ),
            "unique" | "index" | "primary_key" | "default" if many => {
                Some("a many-to-many relation is a join table, not a column")
            }
            "auto_now" | "auto_now_add" if !date => {
                Some("only `date` and `datetime` fields are set automatically")
            }
            "on_delete" if !fk => Some("only foreign keys and `one` relations have `on_delete`"),
            "related_name" if !relation => Some("only relations have a reverse name"),
            _ => None,
        }
    }
}

/// The options of one field, as read.
struct Options<'f> {
    null: bool,
    blank: bool,
    unique: bool,
    index: bool,
    primary_key: bool,
    auto_now: Option<Span>,
    auto_now_add: Option<Span>,
    editable: bool,
    null_span: Option<Span>,
    default: Option<&'f ast::Expr>,
    on_delete: Option<(OnDelete, Span)>,
    /// `on_delete` was written, valid or not.
    on_delete_written: bool,
    related_name: Option<(String, Span)>,
    renamed_from: Option<String>,
    help: Option<String>,
    verbose_name: Option<String>,
}

fn build_field(
    cx: &mut Checker<'_>,
    model: ModelId,
    field: &ast::Field,
) -> Option<(ir::Field, Option<Span>)> {
    let resolved = resolve_type(cx, field);
    let options = read_options(cx, field, resolved.as_ref());
    let resolved = resolved?;
    let name = field.name.name.clone();
    let type_span = field.ty.span();
    if let Some(default) = options.default
        && options.auto_now.or(options.auto_now_add).is_some()
    {
        cx.report(
            Diagnostic::new(
                Code::InvalidFieldOption,
                default.span(),
                "a field set automatically cannot also have a default",
            )
            .with_label("`default` conflicts with the automatic value")
            .with_secondary(
                options.auto_now.or(options.auto_now_add).expect("checked"),
                "set automatically here",
            ),
        );
    }
    if let (Some(first), Some(second)) = (options.auto_now_add, options.auto_now) {
        cx.report(
            Diagnostic::new(
                Code::InvalidFieldOption,
                second.max(first),
                "`auto_now` and `auto_now_add` cannot be combined",
            )
            .with_label("choose one")
            .with_secondary(second.min(first), "also given here")
            .with_help("`auto_now_add` sets the value on creation, `auto_now` on every save"),
        );
    }
    if options.primary_key
        && let Some(null) = options.null_span
    {
        cx.report(
            Diagnostic::new(
                Code::InvalidFieldOption,
                null,
                "a primary key cannot be `null`",
            )
            .with_label("not allowed on a primary key"),
        );
    }
    let this_model = cx.project.model(model).name.to_lowercase();
    let mut on_delete = || match options.on_delete {
        Some((action, _)) => action,
        None if options.on_delete_written => OnDelete::Cascade,
        None => {
            cx.report(
                Diagnostic::new(Code::MissingOnDelete, type_span, format!("relation `{name}` has no `on_delete`"))
                    .with_label("`on_delete` is required for this relation")
                    .with_help(format!(
                        "say what deleting the related object does, e.g. `on_delete = cascade`; the actions are {}",
                        backticked(OnDelete::ALL.iter().map(|(n, _)| *n))
                    )),
            );
            OnDelete::Cascade
        }
    };
    let related_name = |default: String| {
        options
            .related_name
            .as_ref()
            .map_or(default, |(n, _)| n.clone())
    };
    let placeholder = |target| ReverseId {
        model: target,
        index: 0,
    };
    let ty = match resolved {
        Resolved::Scalar(ty) => ty,
        Resolved::ForeignKey(target) => FieldType::ForeignKey(Relation {
            target,
            on_delete: on_delete(),
            related_name: related_name(format!("{this_model}_set")),
            reverse: placeholder(target),
        }),
        Resolved::OneToOne(target) => FieldType::OneToOne(Relation {
            target,
            on_delete: on_delete(),
            related_name: related_name(this_model.clone()),
            reverse: placeholder(target),
        }),
        Resolved::Many(target) => FieldType::ManyToMany(ManyRelation {
            target,
            related_name: related_name(format!("{this_model}_set")),
            reverse: placeholder(target),
            table: format!("{}_{}", cx.project.model(model).table, name),
        }),
    };
    if let (Some((OnDelete::SetNull, span)), false) = (options.on_delete, options.null) {
        cx.report(
            Diagnostic::new(
                Code::SetNullWithoutNull,
                span,
                format!("`on_delete = set_null` needs `{name}` to be nullable"),
            )
            .with_label("would set a non-null column to NULL")
            .with_help(format!(
                "add `null` to `{name}`, or choose another `on_delete` action"
            )),
        );
    }
    if let (Some((OnDelete::SetDefault, span)), None) = (options.on_delete, options.default) {
        cx.report(
            Diagnostic::new(
                Code::InvalidFieldOption,
                span,
                format!("`on_delete = set_default` needs a `default` on `{name}`"),
            )
            .with_label("there is no default to set")
            .with_help(format!(
                "add `default = …` to `{name}`, or choose another `on_delete` action"
            )),
        );
    }
    let default = match (options.default, &ty) {
        (Some(_), FieldType::ManyToMany(_)) | (None, _) => None,
        (Some(expr), ty) => {
            let id = FieldId {
                model,
                index: cx.project.model(model).fields.len() as u32,
            };
            check_default(cx, id, &name, ty, options.null, expr, type_span)
        }
    };
    let column = match &ty {
        FieldType::ManyToMany(_) => None,
        FieldType::ForeignKey(_) | FieldType::OneToOne(_) => Some(format!("{name}_id")),
        _ => Some(name.clone()),
    };
    let is_one = matches!(ty, FieldType::OneToOne(_));
    let built = ir::Field {
        verbose_name: options
            .verbose_name
            .unwrap_or_else(|| name.replace('_', " ")),
        name,
        name_span: field.name.span,
        span: field.span,
        ty,
        column,
        null: options.null,
        blank: options.blank,
        unique: options.unique || options.primary_key || is_one,
        index: options.index,
        primary_key: options.primary_key,
        auto_now: options.auto_now.is_some(),
        auto_now_add: options.auto_now_add.is_some(),
        editable: options.editable,
        implicit: false,
        default,
        renamed_from: options.renamed_from,
        help: options.help,
        doc: field.doc.clone(),
    };
    Some((built, options.related_name.map(|(_, span)| span)))
}

/// Types a default. The field is not in the model yet; `id` is the index it will get.
fn check_default(
    cx: &mut Checker<'_>,
    id: FieldId,
    name: &str,
    ty: &FieldType,
    null: bool,
    expr: &ast::Expr,
    type_span: Span,
) -> Option<ir::Value> {
    let expect = match ty {
        FieldType::Choice { choices, .. } => {
            // The field is not registered yet, so check the key here.
            let key = match expr {
                ast::Expr::Chain(chain) if chain.ops.is_empty() => {
                    Some((&chain.head.name, chain.span))
                }
                ast::Expr::Literal(ast::Literal {
                    kind: LiteralKind::Str(text),
                    span,
                }) => Some((text, *span)),
                _ => None,
            };
            if let Some((key, span)) = key {
                if choices.iter().any(|c| &c.key == key) {
                    return Some(ir::Value {
                        kind: ir::ValueKind::Choice {
                            field: id,
                            key: key.clone(),
                        },
                        ty: ir::Type::Str,
                        span,
                    });
                }
                let d = Diagnostic::new(
                    Code::UnknownChoice,
                    span,
                    format!("`{key}` is not a choice of `{name}`"),
                )
                .with_label("unknown choice")
                .with_secondary(type_span, format!("the choices of `{name}`"))
                .with_suggestion(
                    key,
                    "a choice",
                    choices.iter().map(|c| c.key.as_str()),
                );
                let d = if d.help.is_some() {
                    d
                } else {
                    d.with_help(format!(
                        "the choices are {}",
                        backticked(choices.iter().map(|c| c.key.as_str()))
                    ))
                };
                cx.report(d);
                return None;
            }
            Expect::Scalar(ir::Type::Str)
        }
        FieldType::ForeignKey(r) | FieldType::OneToOne(r) => Expect::Related(r.target),
        other => Expect::Scalar(other.value_type()),
    };
    let expected = Expected {
        expect,
        nullable: null,
        list: false,
        mismatch: Code::InvalidDefault,
        subject: (
            type_span,
            format!("`{name}` is declared `{}` here", ty.describe(&cx.project)),
        ),
        subject_name: name.to_string(),
    };
    let value = cx.check_value(expr, &expected, &Scope::default())?;
    let fits = match (&value.kind, ty) {
        (ir::ValueKind::Now, FieldType::Date) => {
            Err("`now` is a datetime; use `today` for a date".to_string())
        }
        (
            ir::ValueKind::Literal(LiteralKind::Str(text)),
            FieldType::String { max }
            | FieldType::Slug { max }
            | FieldType::Email { max }
            | FieldType::Url { max },
        ) if text.chars().count() > *max as usize => Err(format!(
            "{} characters, but `{name}` holds at most {max}",
            text.chars().count()
        )),
        (
            ir::ValueKind::Literal(LiteralKind::Float(text)),
            FieldType::Decimal { digits, places },
        ) => decimal_fits(text, *digits, *places),
        (ir::ValueKind::Literal(LiteralKind::Int(n)), FieldType::Decimal { digits, places }) => {
            decimal_fits(&n.to_string(), *digits, *places)
        }
        (ir::ValueKind::Literal(LiteralKind::Int(n)), FieldType::Int)
            if i32::try_from(*n).is_err() =>
        {
            Err(format!(
                "`{name}` is a 32-bit `int`; use `bigint` for larger values"
            ))
        }
        _ => Ok(()),
    };
    match fits {
        Ok(()) => Some(value),
        Err(why) => {
            cx.report(
                Diagnostic::new(
                    Code::InvalidDefault,
                    value.span,
                    format!("default does not fit `{name}`"),
                )
                .with_label(why)
                .with_secondary(
                    type_span,
                    format!("`{name}` is declared `{}` here", ty.describe(&cx.project)),
                ),
            );
            None
        }
    }
}

/// Whether a decimal literal fits `decimal(digits, places)`.
fn decimal_fits(text: &str, digits: u32, places: u32) -> Result<(), String> {
    let unsigned = text.trim_start_matches('-');
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let whole_digits = whole.trim_start_matches('0').len() as u32;
    let fraction_digits = fraction.trim_end_matches('0').len() as u32;
    if fraction_digits > places {
        Err(format!(
            "{fraction_digits} decimal places, but the field keeps {places}"
        ))
    } else if whole_digits > digits - places {
        Err(format!(
            "{whole_digits} digits before the point, but the field allows {}",
            digits - places
        ))
    } else {
        Ok(())
    }
}

/// Resolves a field's type (without options).
fn resolve_type(cx: &mut Checker<'_>, field: &ast::Field) -> Option<Resolved> {
    match &field.ty {
        ast::FieldType::OneToOne { target, .. } | ast::FieldType::ManyToMany { target, .. } => {
            let Some(model) = cx.project.model_named(&target.name) else {
                let d = Diagnostic::new(
                    Code::RelationToMissingModel,
                    target.span,
                    format!(
                        "relation `{}` points to a missing model `{}`",
                        field.name.name, target.name
                    ),
                )
                .with_label("no model with this name")
                .with_suggestion(
                    &target.name,
                    "a model",
                    cx.project.model_names.keys().map(String::as_str),
                );
                cx.report(d);
                return None;
            };
            Some(if matches!(field.ty, ast::FieldType::OneToOne { .. }) {
                Resolved::OneToOne(model)
            } else {
                Resolved::Many(model)
            })
        }
        ast::FieldType::Choice { choices, span } => resolve_choice(cx, choices, *span),
        ast::FieldType::Named { name, args, .. } => {
            if let Some(model) = cx.project.model_named(&name.name) {
                if let Some(first) = args.first() {
                    let span = first.span.to(args.last().expect("non-empty").span);
                    cx.report(
                        Diagnostic::new(
                            Code::InvalidFieldOption,
                            span,
                            "a relation takes no type arguments",
                        )
                        .with_label("unexpected arguments")
                        .with_secondary(name.span, format!("`{}` is a model", name.name)),
                    );
                }
                return Some(Resolved::ForeignKey(model));
            }
            if BUILTIN_TYPES.contains(&name.name.as_str()) {
                return resolve_builtin(cx, name, args).map(Resolved::Scalar);
            }
            cx.report(unknown_type(cx, &field.name.name, name));
            None
        }
    }
}

/// E0105 for a capitalised name (a model that does not exist), E0121 otherwise.
fn unknown_type(cx: &Checker<'_>, field: &str, name: &ast::Ident) -> Diagnostic {
    let lower = name.name.to_lowercase();
    if BUILTIN_TYPES.contains(&lower.as_str()) {
        return Diagnostic::new(
            Code::UnknownFieldType,
            name.span,
            format!("unknown field type `{}`", name.name),
        )
        .with_label("not a type")
        .with_help(format!("built-in types are lowercase: `{lower}`"));
    }
    let candidates = BUILTIN_TYPES
        .iter()
        .copied()
        .chain(cx.project.model_names.keys().map(String::as_str));
    if name.name.starts_with(|c: char| c.is_uppercase()) {
        Diagnostic::new(
            Code::RelationToMissingModel,
            name.span,
            format!("field `{field}` refers to a missing model `{}`", name.name),
        )
        .with_label("no model or type with this name")
        .with_suggestion(&name.name, "a model or type", candidates)
    } else {
        let d = Diagnostic::new(
            Code::UnknownFieldType,
            name.span,
            format!("unknown field type `{}`", name.name),
        )
        .with_label("not a built-in type or a model")
        .with_suggestion(&name.name, "a type", candidates);
        if d.help.is_some() {
            d
        } else {
            d.with_note(format!(
                "the built-in types are {}",
                backticked(BUILTIN_TYPES)
            ))
        }
    }
}

fn resolve_choice(cx: &mut Checker<'_>, choices: &[ast::Choice], span: Span) -> Option<Resolved> {
    if choices.is_empty() {
        cx.report(
            Diagnostic::new(
                Code::MissingTypeArgument,
                span,
                "a `choice` field needs at least one choice",
            )
            .with_label("no choices")
            .with_help(
                "list the choices: `choice { draft = \"Draft\", published = \"Published\" }`",
            ),
        );
        return None;
    }
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    let mut options = Vec::with_capacity(choices.len());
    let mut ok = true;
    for choice in choices {
        if let Some(&first) = seen.get(choice.key.name.as_str()) {
            cx.report(
                Diagnostic::new(
                    Code::DuplicateChoice,
                    choice.key.span,
                    format!("choice `{}` is declared twice", choice.key.name),
                )
                .with_label("duplicate choice")
                .with_secondary(first, "first declared here"),
            );
            ok = false;
            continue;
        }
        seen.insert(&choice.key.name, choice.key.span);
        options.push(ChoiceOption {
            key: choice.key.name.clone(),
            label: choice
                .label
                .as_ref()
                .map_or_else(|| choice.key.name.clone(), |l| l.value.clone()),
            span: choice.span,
        });
    }
    let max = options
        .iter()
        .map(|c| c.key.chars().count() as u32)
        .max()
        .unwrap_or(1);
    ok.then_some(Resolved::Scalar(FieldType::Choice {
        choices: options,
        max,
    }))
}

/// The type arguments a built-in type takes, in positional order.
fn arg_names(ty: &str) -> &'static [&'static str] {
    match ty {
        "string" | "slug" | "email" | "url" => &["max"],
        "decimal" => &["digits", "places"],
        _ => &[],
    }
}

fn resolve_builtin(
    cx: &mut Checker<'_>,
    name: &ast::Ident,
    args: &[ast::TypeArg],
) -> Option<FieldType> {
    let ty = name.name.as_str();
    let allowed = arg_names(ty);
    let mut values: BTreeMap<&str, (i64, Span)> = BTreeMap::new();
    let mut ok = true;
    for (position, arg) in args.iter().enumerate() {
        let arg_name = match &arg.name {
            Some(n) if !TYPE_ARGS.contains(&n.name.as_str()) => {
                let candidates = if allowed.is_empty() {
                    &TYPE_ARGS[..]
                } else {
                    allowed
                };
                cx.report(
                    Diagnostic::new(
                        Code::UnknownOption,
                        n.span,
                        format!("unknown type argument `{}`", n.name),
                    )
                    .with_label(format!("`{ty}` has no argument `{}`", n.name))
                    .with_suggestion(
                        &n.name,
                        "an argument",
                        candidates.iter().copied(),
                    ),
                );
                ok = false;
                continue;
            }
            Some(n) if !allowed.contains(&n.name.as_str()) => {
                cx.report(takes_no_such_argument(
                    ty,
                    allowed,
                    n.span,
                    &format!("`{}`", n.name),
                ));
                ok = false;
                continue;
            }
            Some(n) => n.name.as_str(),
            None => match allowed.get(position) {
                Some(a) => a,
                None => {
                    cx.report(takes_no_such_argument(
                        ty,
                        allowed,
                        arg.span,
                        "this argument",
                    ));
                    ok = false;
                    continue;
                }
            },
        };
        let arg_name: &'static str = allowed
            .iter()
            .find(|a| **a == arg_name)
            .expect("checked above");
        if let Some(&(_, first)) = values.get(arg_name) {
            cx.report(
                Diagnostic::new(
                    Code::DuplicateOption,
                    arg.span,
                    format!("type argument `{arg_name}` given twice"),
                )
                .with_label("given again here")
                .with_secondary(first, "first given here"),
            );
            ok = false;
            continue;
        }
        let minimum = if arg_name == "places" { 0 } else { 1 };
        match arg.value.kind {
            LiteralKind::Int(n) if n >= minimum && n <= i64::from(u32::MAX) => {
                values.insert(arg_name, (n, arg.span));
            }
            LiteralKind::Int(n) => {
                let why = if n < minimum {
                    format!("`{arg_name}` must be at least {minimum}")
                } else {
                    format!("`{arg_name}` is too large")
                };
                cx.report(
                    Diagnostic::new(
                        Code::InvalidTypeArgument,
                        arg.value.span,
                        format!("invalid `{arg_name}` for `{ty}`"),
                    )
                    .with_label(why),
                );
                ok = false;
            }
            ref other => {
                cx.report(
                    Diagnostic::new(
                        Code::InvalidTypeArgument,
                        arg.value.span,
                        format!("`{arg_name}` must be a whole number"),
                    )
                    .with_label(format!("found {}", describe_literal(other))),
                );
                ok = false;
            }
        }
    }
    let get = |arg: &str| values.get(arg).map(|&(n, _)| n as u32);
    let max_or = |default| get("max").unwrap_or(default);
    let resolved = match ty {
        "int" => FieldType::Int,
        "bigint" => FieldType::BigInt,
        "float" => FieldType::Float,
        "bool" => FieldType::Bool,
        "text" => FieldType::Text,
        "uuid" => FieldType::Uuid,
        "date" => FieldType::Date,
        "datetime" => FieldType::DateTime,
        "json" => FieldType::Json,
        "slug" => FieldType::Slug { max: max_or(50) },
        "email" => FieldType::Email { max: max_or(254) },
        "url" => FieldType::Url { max: max_or(200) },
        "string" => match get("max") {
            Some(max) => FieldType::String { max },
            None => {
                if ok {
                    cx.report(
                        Diagnostic::new(
                            Code::MissingTypeArgument,
                            name.span,
                            "`string` needs a maximum length",
                        )
                        .with_label("missing `max`")
                        .with_help("write `string(max = 200)`, or use `text` for unbounded text"),
                    );
                }
                return None;
            }
        },
        "decimal" => {
            let (Some(digits), Some(places)) = (get("digits"), get("places")) else {
                if ok {
                    let missing: Vec<&str> = ["digits", "places"]
                        .into_iter()
                        .filter(|a| get(a).is_none())
                        .collect();
                    cx.report(
                        Diagnostic::new(
                            Code::MissingTypeArgument,
                            name.span,
                            format!("`decimal` needs {}", backticked(missing.iter().copied()).replace(", ", " and ")),
                        )
                        .with_label(format!("missing {}", backticked(missing.iter().copied())))
                        .with_help("write `decimal(digits, places)`, e.g. `decimal(10, 2)` for 99999999.99"),
                    );
                }
                return None;
            };
            if places > digits {
                let span = values["places"].1;
                cx.report(
                    Diagnostic::new(
                        Code::InvalidTypeArgument,
                        span,
                        format!("`decimal` keeps {places} places but has only {digits} digits"),
                    )
                    .with_label("more places than digits")
                    .with_secondary(values["digits"].1, "the total number of digits")
                    .with_help("`digits` counts every digit, those after the point included"),
                );
                return None;
            }
            FieldType::Decimal { digits, places }
        }
        other => unreachable!("`{other}` is not a built-in type"),
    };
    ok.then_some(resolved)
}

fn takes_no_such_argument(ty: &str, allowed: &[&str], span: Span, what: &str) -> Diagnostic {
    let label = match allowed {
        [] => format!("`{ty}` takes no arguments"),
        _ => format!("`{ty}` takes {}", backticked(allowed.iter().copied())),
    };
    Diagnostic::new(
        Code::InvalidFieldOption,
        span,
        format!("{what} does not apply to `{ty}`"),
    )
    .with_label(label)
}

/// Reads a field's options (E0107, E0108, E0115).
fn read_options<'f>(
    cx: &mut Checker<'_>,
    field: &'f ast::Field,
    resolved: Option<&Resolved>,
) -> Options<'f> {
    let mut options = Options {
        null: false,
        blank: false,
        unique: false,
        index: false,
        primary_key: false,
        auto_now: None,
        auto_now_add: None,
        editable: true,
        null_span: None,
        default: None,
        on_delete: None,
        on_delete_written: false,
        related_name: None,
        renamed_from: None,
        help: None,
        verbose_name: None,
    };
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    for option in &field.options {
        let name = option.name.name.as_str();
        let known = FLAGS.contains(&name) || VALUED.contains(&name);
        if !known {
            let d = Diagnostic::new(
                Code::UnknownOption,
                option.name.span,
                format!("unknown field option `{name}`"),
            )
            .with_label("unknown option");
            let d = if TYPE_ARGS.contains(&name) {
                d.with_help(format!(
                    "`{name}` is a type argument: write it in parentheses, e.g. `string(max = 100)`"
                ))
            } else {
                let d = d.with_suggestion(
                    name,
                    "an option",
                    FLAGS.iter().chain(VALUED.iter()).copied(),
                );
                if d.help.is_some() {
                    d
                } else {
                    d.with_note(format!(
                        "field options are {}",
                        backticked(FLAGS.iter().chain(VALUED.iter()).copied())
                    ))
                }
            };
            cx.report(d);
            continue;
        }
        if let Some(&first) = seen.get(name) {
            cx.report(
                Diagnostic::new(
                    Code::DuplicateOption,
                    option.name.span,
                    format!("option `{name}` given twice"),
                )
                .with_label("given again here")
                .with_secondary(first, "first given here"),
            );
            continue;
        }
        seen.insert(name, option.name.span);
        options.on_delete_written |= name == "on_delete";
        if let Some(resolved) = resolved
            && let Some(why) = resolved.rejects(name)
        {
            cx.report(
                Diagnostic::new(
                    Code::InvalidFieldOption,
                    option.name.span,
                    format!(
                        "`{name}` does not apply to {} field",
                        super::a(&resolved.describe(cx))
                    ),
                )
                .with_label("not valid for this type")
                .with_secondary(field.ty.span(), "the field's type")
                .with_help(why),
            );
            continue;
        }
        if FLAGS.contains(&name) {
            let Some(on) = flag_value(cx, option) else {
                continue;
            };
            let span = option.name.span;
            match name {
                "null" => {
                    options.null = on;
                    options.null_span = on.then_some(span);
                }
                "blank" => options.blank = on,
                "unique" => options.unique = on,
                "index" => options.index = on,
                "primary_key" => options.primary_key = on,
                "auto_now" => options.auto_now = on.then_some(span),
                "auto_now_add" => options.auto_now_add = on.then_some(span),
                _ => options.editable = on,
            }
            continue;
        }
        let Some(value) = &option.value else {
            let d = Diagnostic::new(
                Code::InvalidFieldOption,
                option.name.span,
                format!("`{name}` needs a value"),
            )
            .with_label(format!("expected `{name} = …`"));
            let d = if name == "on_delete" {
                d.with_help(format!(
                    "the actions are {}",
                    backticked(OnDelete::ALL.iter().map(|(n, _)| *n))
                ))
            } else {
                d
            };
            cx.report(d);
            continue;
        };
        match name {
            "default" => options.default = Some(value),
            "on_delete" => {
                let Some((word, span)) = name_value(cx, name, value) else {
                    continue;
                };
                match OnDelete::ALL.iter().find(|(n, _)| *n == word) {
                    Some(&(_, action)) => options.on_delete = Some((action, span)),
                    None => {
                        let d = Diagnostic::new(
                            Code::UnknownOption,
                            span,
                            format!("unknown `on_delete` action `{word}`"),
                        )
                        .with_label("not an action")
                        .with_suggestion(
                            &word,
                            "an action",
                            OnDelete::ALL.iter().map(|(n, _)| *n),
                        );
                        let d = if d.help.is_some() {
                            d
                        } else {
                            d.with_note(format!(
                                "the actions are {}",
                                backticked(OnDelete::ALL.iter().map(|(n, _)| *n))
                            ))
                        };
                        cx.report(d);
                    }
                }
            }
            "related_name" => options.related_name = name_value(cx, name, value),
            "renamed_from" => options.renamed_from = name_value(cx, name, value).map(|(n, _)| n),
            "help" => options.help = string_value(cx, name, value),
            _ => options.verbose_name = string_value(cx, name, value),
        }
    }
    options
}

/// `unique`, `unique = true` or `unique = false`.
fn flag_value(cx: &mut Checker<'_>, option: &ast::FieldOption) -> Option<bool> {
    match &option.value {
        None => Some(true),
        Some(ast::Expr::Literal(ast::Literal {
            kind: LiteralKind::Bool(on),
            ..
        })) => Some(*on),
        Some(other) => {
            let name = &option.name.name;
            cx.report(
                Diagnostic::new(
                    Code::InvalidFieldOption,
                    other.span(),
                    format!("`{name}` is a flag"),
                )
                .with_label("expected `true` or `false`")
                .with_help(format!("write `{name}` alone to turn it on")),
            );
            None
        }
    }
}

/// A name written bare or as a string: `related_name = posts`.
fn name_value(cx: &mut Checker<'_>, option: &str, value: &ast::Expr) -> Option<(String, Span)> {
    let text = match value {
        ast::Expr::Chain(chain) if chain.ops.is_empty() => {
            return Some((chain.head.name.clone(), chain.span));
        }
        ast::Expr::Literal(ast::Literal {
            kind: LiteralKind::Str(text),
            ..
        }) => text,
        _ => "",
    };
    let is_ident = text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if is_ident {
        return Some((text.to_string(), value.span()));
    }
    cx.report(
        Diagnostic::new(
            Code::InvalidFieldOption,
            value.span(),
            format!("`{option}` takes a name"),
        )
        .with_label("expected a name like `posts`"),
    );
    None
}

/// A string literal option: `help = "…"`.
fn string_value(cx: &mut Checker<'_>, option: &str, value: &ast::Expr) -> Option<String> {
    if let ast::Expr::Literal(ast::Literal {
        kind: LiteralKind::Str(text),
        ..
    }) = value
    {
        return Some(text.clone());
    }
    cx.report(
        Diagnostic::new(
            Code::InvalidFieldOption,
            value.span(),
            format!("`{option}` takes a string"),
        )
        .with_label("expected a string in double quotes"),
    );
    None
}

/// Adds each relation's reverse side to its target (E0106 on clashes).
fn reverse_relations(cx: &mut Checker<'_>, relations: &[PendingRelation]) {
    for pending in relations {
        let field = cx.project.field(pending.field);
        let (target, related_name, kind) = match &field.ty {
            FieldType::ForeignKey(r) => (r.target, r.related_name.clone(), ReverseKind::Many),
            FieldType::OneToOne(r) => (r.target, r.related_name.clone(), ReverseKind::One),
            FieldType::ManyToMany(r) => (r.target, r.related_name.clone(), ReverseKind::Many),
            _ => unreachable!("pending relations are relations"),
        };
        let source = format!("{}.{}", cx.model_name(pending.field.model), field.name);
        let span = pending.span;
        let target_model = cx.project.model(target);
        let clash = match target_model.members.get(&related_name) {
            Some(Member::Field(index)) => {
                let existing = &target_model.fields[*index as usize];
                Some((
                    existing.name_span,
                    format!(
                        "field `{}.{related_name}` is declared here",
                        target_model.name
                    ),
                ))
            }
            Some(Member::Reverse(index)) => {
                let existing = &target_model.reverse[*index as usize];
                let other = cx.project.field(existing.field);
                let other_name = format!("{}.{}", cx.model_name(existing.field.model), other.name);
                Some((
                    existing.span,
                    format!("`{other_name}` already uses this name"),
                ))
            }
            None => None,
        };
        if let Some((other_span, other_label)) = &clash {
            let target_name = cx.model_name(target).to_string();
            let help = if pending.explicit {
                "choose another `related_name = …`".to_string()
            } else {
                format!(
                    "give `{source}` a `related_name = …` to name its reverse side on `{target_name}`"
                )
            };
            cx.report(
                Diagnostic::new(
                    Code::RelatedNameClash,
                    span,
                    format!(
                        "reverse name `{related_name}` of `{source}` clashes on `{target_name}`"
                    ),
                )
                .with_label(format!("`{target_name}.{related_name}` would be ambiguous"))
                .with_secondary(*other_span, other_label.clone())
                .with_help(help),
            );
        }
        let target_model = &mut cx.project.models[target.0 as usize];
        let index = target_model.reverse.len() as u32;
        target_model.reverse.push(ir::Reverse {
            name: related_name.clone(),
            model: pending.field.model,
            field: pending.field,
            kind,
            span,
        });
        if clash.is_none() {
            target_model
                .members
                .insert(related_name, Member::Reverse(index));
        }
        let reverse = ReverseId {
            model: target,
            index,
        };
        let field = &mut cx.project.models[pending.field.model.0 as usize].fields
            [pending.field.index as usize];
        match &mut field.ty {
            FieldType::ForeignKey(r) | FieldType::OneToOne(r) => r.reverse = reverse,
            FieldType::ManyToMany(r) => r.reverse = reverse,
            _ => unreachable!("pending relations are relations"),
        }
    }
}

/// Reads a model's `meta` blocks.
fn meta(cx: &mut Checker<'_>, id: ModelId, model: &ast::Model) {
    let mut settings: BTreeMap<&str, Span> = BTreeMap::new();
    let mut ordering: Option<Span> = None;
    let mut permissions: BTreeMap<&str, Span> = BTreeMap::new();
    for block in &model.meta {
        for entry in &block.entries {
            match entry {
                ast::MetaEntry::Ordering { terms, span } => {
                    if let Some(first) = ordering {
                        cx.report(duplicate_meta(
                            head_of(*span, "ordering"),
                            "ordering",
                            first,
                        ));
                        continue;
                    }
                    ordering = Some(head_of(*span, "ordering"));
                    let terms: Vec<ir::Order> = terms
                        .iter()
                        .filter_map(|t| cx.check_order_term(t, id))
                        .collect();
                    cx.project.models[id.0 as usize].ordering = terms;
                }
                ast::MetaEntry::Index { fields, name, span } => {
                    if let Some(fields) = meta_fields(cx, id, fields, *span, "index") {
                        cx.project.models[id.0 as usize].indexes.push(ir::Index {
                            fields,
                            name: name.as_ref().map(|n| n.value.clone()),
                            span: *span,
                        });
                    }
                }
                ast::MetaEntry::Unique { fields, span } => {
                    if let Some(fields) = meta_fields(cx, id, fields, *span, "unique") {
                        cx.project.models[id.0 as usize]
                            .unique_together
                            .push(ir::UniqueTogether {
                                fields,
                                span: *span,
                            });
                    }
                }
                ast::MetaEntry::Check {
                    condition,
                    name,
                    span,
                } => {
                    let scope = Scope {
                        columns: Some(id),
                        ..Scope::default()
                    };
                    if let Some(condition) = cx.check_condition(condition, id, &scope) {
                        cx.project.models[id.0 as usize]
                            .checks
                            .push(ir::CheckConstraint {
                                condition,
                                name: name.as_ref().map(|n| n.value.clone()),
                                span: *span,
                            });
                    }
                }
                ast::MetaEntry::Permission {
                    codename,
                    label,
                    span,
                } => {
                    if let Some(&first) = permissions.get(codename.name.as_str()) {
                        cx.report(
                            Diagnostic::new(
                                Code::InvalidMeta,
                                codename.span,
                                format!("permission `{}` is declared twice", codename.name),
                            )
                            .with_label("declared again here")
                            .with_secondary(first, "first declared here"),
                        );
                        continue;
                    }
                    permissions.insert(&codename.name, codename.span);
                    if ["add", "change", "delete", "view"].contains(&codename.name.as_str()) {
                        cx.report(
                            Diagnostic::new(
                                Code::InvalidMeta,
                                codename.span,
                                format!("`{}` is one of the default permissions", codename.name),
                            )
                            .with_label(
                                "every model already has `add`, `change`, `delete` and `view`",
                            )
                            .with_help("give the custom permission another name"),
                        );
                        continue;
                    }
                    let model = &mut cx.project.models[id.0 as usize];
                    let full = format!("{}_{}", codename.name, model.name.to_lowercase());
                    model.permissions.push(ir::CustomPermission {
                        code: codename.name.clone(),
                        codename: full,
                        label: label.value.clone(),
                        span: *span,
                    });
                }
                ast::MetaEntry::Setting { key, value, .. } => {
                    meta_setting(cx, id, key, value, &mut settings);
                }
            }
        }
    }
}

/// The keyword at the start of a meta entry.
fn head_of(span: Span, keyword: &str) -> Span {
    super::head_span(span, keyword.len())
}

fn duplicate_meta(span: Span, what: &str, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidMeta,
        span,
        format!("`{what}` is given twice in `meta`"),
    )
    .with_label("given again here")
    .with_secondary(first, "first given here")
}

fn meta_setting<'a>(
    cx: &mut Checker<'_>,
    id: ModelId,
    key: &'a ast::Ident,
    value: &ast::Expr,
    settings: &mut BTreeMap<&'a str, Span>,
) {
    let name = key.name.as_str();
    if !META_SETTINGS.contains(&name) {
        let d = Diagnostic::new(
            Code::InvalidMeta,
            key.span,
            format!("unknown meta setting `{name}`"),
        )
        .with_label("unknown setting");
        let d = match name {
            "ordering" => {
                d.with_help("write the ordering as a list: `ordering = [-created_at, title]`")
            }
            "index" | "unique" => {
                d.with_help(format!("write `{name} (field, other_field)` without `=`"))
            }
            "check" => d.with_help("write `check (condition)` without `=`"),
            "permission" | "permissions" => {
                d.with_help("write `permission codename \"Description\"`")
            }
            _ => {
                let d = d.with_suggestion(name, "a setting", META_SETTINGS);
                if d.help.is_some() {
                    d
                } else {
                    d.with_note(format!(
                        "meta takes `ordering`, `index`, `unique`, `check`, `permission` and the settings {}",
                        backticked(META_SETTINGS)
                    ))
                }
            }
        };
        cx.report(d);
        return;
    }
    if let Some(&first) = settings.get(name) {
        cx.report(duplicate_meta(key.span, name, first));
        return;
    }
    settings.insert(name, key.span);
    let ast::Expr::Literal(ast::Literal {
        kind: LiteralKind::Str(text),
        span,
    }) = value
    else {
        cx.report(
            Diagnostic::new(
                Code::InvalidMeta,
                value.span(),
                format!("`{name}` takes a string"),
            )
            .with_label("expected a string in double quotes"),
        );
        return;
    };
    match name {
        "str" => {
            let format = str_format(cx, id, text, *span);
            cx.project.models[id.0 as usize].str_format = format;
        }
        "verbose_name" => {
            let m = &mut cx.project.models[id.0 as usize];
            m.verbose_name = text.clone();
            if !settings.contains_key("verbose_name_plural") {
                m.verbose_name_plural = format!("{text}s");
            }
        }
        "verbose_name_plural" => {
            cx.project.models[id.0 as usize].verbose_name_plural = text.clone()
        }
        _ => cx.project.models[id.0 as usize].table = text.clone(),
    }
}

/// The fields of `index (…)` / `unique (…)`: own, concrete fields, each once.
fn meta_fields(
    cx: &mut Checker<'_>,
    id: ModelId,
    names: &[ast::Ident],
    span: Span,
    what: &str,
) -> Option<Vec<FieldId>> {
    if names.is_empty() {
        cx.report(
            Diagnostic::new(
                Code::InvalidMeta,
                head_of(span, what),
                format!("`{what}` needs at least one field"),
            )
            .with_label("no fields")
            .with_help(format!("write `{what} (field, other_field)`")),
        );
        return None;
    }
    let mut fields = Vec::with_capacity(names.len());
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    let mut ok = true;
    for name in names {
        if let Some(&first) = seen.get(name.name.as_str()) {
            cx.report(
                Diagnostic::new(
                    Code::InvalidMeta,
                    name.span,
                    format!("`{}` is listed twice", name.name),
                )
                .with_label("listed again here")
                .with_secondary(first, "first listed here"),
            );
            ok = false;
            continue;
        }
        seen.insert(&name.name, name.span);
        let Some(path) = cx.resolve_path(id, std::slice::from_ref(name), name.span) else {
            ok = false;
            continue;
        };
        let problem = match path.steps[0].kind {
            StepKind::Reverse(_) => Some("a reverse relation has no column in this table"),
            StepKind::Field(field)
                if matches!(cx.project.field(field).ty, FieldType::ManyToMany(_)) =>
            {
                Some("a many-to-many relation has no column in this table")
            }
            StepKind::Field(field) => {
                fields.push(field);
                None
            }
        };
        if let Some(problem) = problem {
            cx.report(
                Diagnostic::new(
                    Code::InvalidMeta,
                    name.span,
                    format!("`{}` cannot be in `{what}`", name.name),
                )
                .with_label(problem),
            );
            ok = false;
        }
    }
    ok.then_some(fields)
}

/// Parses `str = "{title} by {author.name}"` (E0120).
fn str_format(cx: &mut Checker<'_>, id: ModelId, text: &str, span: Span) -> Option<ir::StrFormat> {
    // Point into the literal when it has no escapes; otherwise at the whole literal.
    let raw = cx.input.sources.snippet(span);
    let direct = raw.len() == text.len() + 2 && raw.get(1..raw.len() - 1) == Some(text);
    let at = |start: usize, end: usize| {
        if direct {
            Span::new(
                span.file,
                span.start as usize + 1 + start,
                span.start as usize + 1 + end,
            )
        } else {
            span
        }
    };
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut ok = true;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                literal.push('{');
                i += 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                literal.push('}');
                i += 2;
            }
            b'{' => {
                let Some(close) = text[i..].find('}').map(|c| i + c) else {
                    cx.report(
                        Diagnostic::new(
                            Code::InvalidStrFormat,
                            at(i, text.len()),
                            "unclosed `{` in `str` format",
                        )
                        .with_label("no closing `}`")
                        .with_help("write `{{` for a literal brace"),
                    );
                    return None;
                };
                let inner = &text[i + 1..close];
                match placeholder(cx, id, inner, i + 1, &at) {
                    Some(path) => {
                        if !literal.is_empty() {
                            parts.push(ir::StrPart::Text(std::mem::take(&mut literal)));
                        }
                        parts.push(ir::StrPart::Field(path));
                    }
                    None => ok = false,
                }
                i = close + 1;
            }
            b'}' => {
                cx.report(
                    Diagnostic::new(
                        Code::InvalidStrFormat,
                        at(i, i + 1),
                        "unmatched `}` in `str` format",
                    )
                    .with_label("no opening `{`")
                    .with_help("write `}}` for a literal brace"),
                );
                return None;
            }
            _ => {
                let c = text[i..].chars().next().expect("in bounds");
                literal.push(c);
                i += c.len_utf8();
            }
        }
    }
    if !literal.is_empty() {
        parts.push(ir::StrPart::Text(literal));
    }
    ok.then_some(ir::StrFormat { parts, span })
}

/// One `{path}` of a `str` format; `offset` is where `inner` starts in the text.
fn placeholder(
    cx: &mut Checker<'_>,
    id: ModelId,
    inner: &str,
    offset: usize,
    at: &dyn Fn(usize, usize) -> Span,
) -> Option<ir::FieldPath> {
    let whole = at(offset - 1, offset + inner.len() + 1);
    let model = cx.model_name(id).to_string();
    let mut idents = Vec::new();
    let mut start = offset;
    for part in inner.split('.') {
        let valid = part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            cx.report(
                Diagnostic::new(
                    Code::InvalidStrFormat,
                    whole,
                    format!("`{{{inner}}}` is not a field placeholder"),
                )
                .with_label("expected `{field}` or `{relation.field}`")
                .with_help("write `{{` and `}}` for literal braces"),
            );
            return None;
        }
        idents.push(ast::Ident {
            name: part.to_string(),
            span: at(start, start + part.len()),
        });
        start += part.len() + 1;
    }
    let path = match cx.lookup_path(id, &idents, whole) {
        Ok(path) => path,
        Err(PathError::Broken) => return None,
        Err(PathError::Report(mut d)) => {
            d.code = Code::InvalidStrFormat;
            if d.message.starts_with("model ") {
                d.message =
                    format!("`{{{inner}}}` in the `str` format of `{model}` is not a field");
            }
            cx.report(*d);
            return None;
        }
    };
    if let Some(step) = path.steps.iter().find(|s| cx.project.step_is_many(s.kind)) {
        let name = cx.project.step_name(step.kind).to_string();
        cx.report(
            Diagnostic::new(
                Code::InvalidStrFormat,
                step.span,
                format!("`str` cannot show the many relation `{name}`"),
            )
            .with_label("gives several values")
            .with_help("show a field of this model or one across a foreign key"),
        );
        return None;
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_names_become_words() {
        assert_eq!(camel_case_to_words("BlogPost"), "blog post");
        assert_eq!(camel_case_to_words("Post"), "post");
        assert_eq!(camel_case_to_words("HTTPRequest"), "http request");
    }

    #[test]
    fn decimals_must_fit_their_digits_and_places() {
        assert!(decimal_fits("0.00", 10, 2).is_ok());
        assert!(decimal_fits("-12345678.99", 10, 2).is_ok());
        assert!(decimal_fits("1.234", 10, 2).is_err());
        assert!(decimal_fits("123456789", 10, 2).is_err());
    }
}
