//! Queries, conditions and values: AST expressions → typed [`ir::Query`],
//! [`ir::Condition`] and [`ir::Value`].
//!
//! Input: an expression and the [`Scope`] of names it may use (view
//! parameters, `object`, earlier context entries, or the row's own columns
//! in a `check` constraint). Output: the typed tree, or diagnostics E0102,
//! E0111, E04xx. The same value checker types field defaults (E0110), so a
//! default and a lookup accept exactly the same values.

use super::ir::{
    self, ContextValue, FieldId, FieldType, Function, ModelId, Shape, StepKind, TerminalKind, Type,
    Value, ValueKind,
};
use super::{Checker, describe_literal};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::source::Span;
use crate::syntax::ast::{self, CallArg, ChainOp, LiteralKind, LookupOp};

/// The query methods, for did-you-mean.
const METHODS: [&str; 7] = [
    "all", "filter", "exclude", "order_by", "count", "first", "exists",
];
/// The functions a lookup's left side may use.
const FUNCTIONS: [(&str, Function); 3] = [
    ("length", Function::Length),
    ("lower", Function::Lower),
    ("upper", Function::Upper),
];

/// The names an expression may refer to.
#[derive(Clone, Copy, Default)]
pub(super) struct Scope<'s> {
    /// The view's parameters.
    pub(super) params: &'s [ir::ViewParam],
    /// The model of `object`, where the view has one.
    pub(super) object: Option<ModelId>,
    /// Why there is no `object`, for the error when it is used anyway.
    pub(super) no_object_reason: Option<&'static str>,
    /// Context entries defined so far.
    pub(super) context: &'s [ir::ContextEntry],
    /// In `check` constraints: the model whose columns bare names refer to.
    pub(super) columns: Option<ModelId>,
}

/// What a value is checked against.
#[derive(Clone, Debug)]
pub(super) enum Expect {
    /// A scalar of this type.
    Scalar(Type),
    /// A key of this choice field (or text).
    Choice(FieldId),
    /// An object of this model, or its primary key.
    Related(ModelId),
}

/// A value's expected type and how to explain a mismatch.
#[derive(Clone, Debug)]
pub(super) struct Expected {
    /// The type.
    pub(super) expect: Expect,
    /// Whether `none` is acceptable.
    pub(super) nullable: bool,
    /// True for `in` / `not in`: a list of such values.
    pub(super) list: bool,
    /// E0402 in lookups, E0110 for defaults.
    pub(super) mismatch: Code,
    /// The field or operand the value is compared with, and a label for it.
    pub(super) subject: (Span, String),
    /// The subject's name, for messages (`views`).
    pub(super) subject_name: String,
}

impl Expect {
    /// The expectation a field's values give.
    pub(super) fn for_field(id: FieldId, ty: &FieldType) -> Expect {
        match ty {
            FieldType::Choice { .. } => Expect::Choice(id),
            FieldType::ForeignKey(_) | FieldType::OneToOne(_) | FieldType::ManyToMany(_) => {
                Expect::Related(ty.target().expect("relations have a target"))
            }
            other => Expect::Scalar(other.value_type()),
        }
    }
}

impl Checker<'_> {
    fn describe_expect(&self, expect: &Expect) -> String {
        match expect {
            Expect::Scalar(ty) => format!("`{}`", ty.describe(&self.project)),
            Expect::Choice(field) => format!("a choice of `{}`", self.project.field(*field).name),
            Expect::Related(model) => format!("{} or its id", super::a(self.model_name(*model))),
        }
    }

    /// The type values of `expect` have once checked.
    fn expect_type(&self, expect: &Expect) -> Type {
        match expect {
            Expect::Scalar(ty) => ty.clone(),
            Expect::Choice(_) => Type::Str,
            Expect::Related(model) => Type::Object(*model),
        }
    }

    fn mismatch(&self, expected: &Expected, span: Span, found: &str) -> Diagnostic {
        let want = self.describe_expect(&expected.expect);
        Diagnostic::new(
            expected.mismatch,
            span,
            format!("mismatched types: expected {want}, found {found}"),
        )
        .with_label(format!("expected {want}"))
        .with_secondary(expected.subject.0, expected.subject.1.clone())
    }

    // ── values ──────────────────────────────────────────────────────────────

    /// Checks `expr` against `expected`, reporting mismatches.
    pub(super) fn check_value(
        &mut self,
        expr: &ast::Expr,
        expected: &Expected,
        scope: &Scope<'_>,
    ) -> Option<Value> {
        match expr {
            ast::Expr::List { items, span } => {
                let accepts_list =
                    expected.list || matches!(expected.expect, Expect::Scalar(Type::Json));
                if !accepts_list {
                    let d = self.mismatch(expected, *span, "a list");
                    self.report(d.with_help("to compare with several values, use `in`"));
                    return None;
                }
                let element = Expected {
                    list: false,
                    ..expected.clone()
                };
                let mut values = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items {
                    match self.check_value(item, &element, scope) {
                        Some(value) => values.push(value),
                        None => ok = false,
                    }
                }
                let ty = Type::List(Box::new(self.expect_type(&expected.expect)));
                ok.then_some(Value {
                    kind: ValueKind::List(values),
                    ty,
                    span: *span,
                })
            }
            ast::Expr::Literal(literal) if expected.list => {
                self.report(
                    Diagnostic::new(
                        Code::InNeedsList,
                        literal.span,
                        "`in` needs a list or a relation",
                    )
                    .with_label(format!("found {}", describe_literal(&literal.kind)))
                    .with_help("write a list, e.g. `in [1, 2]`, or use `==` for a single value"),
                );
                None
            }
            ast::Expr::Literal(literal) => self.check_literal(literal, expected),
            ast::Expr::Chain(chain) => {
                let choice = match expected.expect {
                    Expect::Choice(field) => Some(field),
                    _ => None,
                };
                let value = self.resolve_name(chain, scope, choice)?;
                self.check_value_type(value, expected)
            }
        }
    }

    /// Checks that a resolved name's type fits `expected`.
    fn check_value_type(&mut self, value: Value, expected: &Expected) -> Option<Value> {
        if matches!(value.kind, ValueKind::Choice { .. }) {
            return Some(value);
        }
        let found = value.ty.strip_optional();
        let accepted = match (expected.list, found) {
            (true, Type::List(element)) => self.type_accepts(&expected.expect, element),
            (true, _) => {
                let found = found.describe(&self.project);
                self.report(
                    Diagnostic::new(
                        Code::InNeedsList,
                        value.span,
                        "`in` needs a list or a relation",
                    )
                    .with_label(format!("this is `{found}`, not a list"))
                    .with_help("use `==` to compare with a single value"),
                );
                return None;
            }
            (false, Type::List(_)) => false,
            (false, Type::Null) => expected.nullable,
            (false, ty) => self.type_accepts(&expected.expect, ty),
        };
        if accepted {
            return Some(value);
        }
        let found_text = format!("`{}`", value.ty.describe(&self.project));
        let mut d = self.mismatch(expected, value.span, &found_text);
        if matches!(found, Type::List(_)) && !expected.list {
            d = d.with_help("to match any of several values, use `in`");
        }
        self.report(d);
        None
    }

    /// Whether a value of type `ty` can be compared with `expect`.
    pub(super) fn type_accepts(&self, expect: &Expect, ty: &Type) -> bool {
        let ty = ty.strip_optional();
        match expect {
            Expect::Scalar(Type::Float | Type::Decimal) => {
                matches!(ty, Type::Int | Type::Float | Type::Decimal)
            }
            Expect::Scalar(Type::DateTime) => matches!(ty, Type::DateTime | Type::Date),
            Expect::Scalar(Type::Json) => !matches!(ty, Type::Object(_) | Type::List(_)),
            Expect::Scalar(want) => ty == want,
            Expect::Choice(_) => *ty == Type::Str,
            Expect::Related(model) => match ty {
                Type::Object(m) => m == model,
                other => *other == self.project.model(*model).pk().ty.value_type(),
            },
        }
    }

    /// Types a literal against `expected`.
    fn check_literal(&mut self, literal: &ast::Literal, expected: &Expected) -> Option<Value> {
        let span = literal.span;
        let value = |ty: Type| {
            Some(Value {
                kind: ValueKind::Literal(literal.kind.clone()),
                ty,
                span,
            })
        };
        let expect = &expected.expect;
        match (&literal.kind, expect) {
            (LiteralKind::None, _) if expected.nullable => value(Type::Null),
            (LiteralKind::None, _) => {
                let d = self.mismatch(expected, span, "`none`");
                let help = if expected.mismatch == Code::InvalidDefault {
                    format!("add `null` to `{}` to allow `none`", expected.subject_name)
                } else {
                    format!(
                        "`{}` is never none; use `is null` on nullable fields",
                        expected.subject_name
                    )
                };
                self.report(d.with_help(help));
                None
            }
            (LiteralKind::Str(_), Expect::Scalar(Type::Str | Type::Json)) => {
                value(self.expect_type(expect))
            }
            (
                LiteralKind::Str(text),
                Expect::Scalar(ty @ (Type::Uuid | Type::Date | Type::DateTime)),
            ) => {
                let (valid, example) = match ty {
                    Type::Uuid => (
                        uuid::Uuid::try_parse(text).is_ok(),
                        "`6f1c2a5e-3b7d-4c2e-9a1f-0d8e7b6c5a4f`",
                    ),
                    Type::Date => (text.parse::<jiff::civil::Date>().is_ok(), "`2024-01-31`"),
                    _ => (
                        text.parse::<jiff::civil::DateTime>().is_ok()
                            || text.parse::<jiff::Timestamp>().is_ok(),
                        "`2024-01-31T09:30:00` or `2024-01-31T09:30:00Z`",
                    ),
                };
                if valid {
                    return value(ty.clone());
                }
                let what = ty.describe(&self.project);
                self.report(
                    Diagnostic::new(expected.mismatch, span, format!("invalid {what} `{text}`"))
                        .with_label(format!("expected a {what} like {example}"))
                        .with_secondary(expected.subject.0, expected.subject.1.clone()),
                );
                None
            }
            (LiteralKind::Str(key), Expect::Choice(field)) => self.choice_value(*field, key, span),
            (
                LiteralKind::Int(_),
                Expect::Scalar(Type::Int | Type::Float | Type::Decimal | Type::Json),
            ) => value(self.expect_type(expect)),
            (LiteralKind::Int(_), Expect::Related(model))
                if self.project.model(*model).pk().ty.value_type() == Type::Int =>
            {
                value(Type::Int)
            }
            (LiteralKind::Float(_), Expect::Scalar(Type::Float | Type::Decimal | Type::Json))
            | (LiteralKind::Bool(_), Expect::Scalar(Type::Bool | Type::Json)) => {
                value(self.expect_type(expect))
            }
            (kind, _) => {
                let d = self.mismatch(expected, span, describe_literal(kind));
                let d = match (kind, expect) {
                    (LiteralKind::Str(text), Expect::Scalar(Type::Int))
                        if text.parse::<i64>().is_ok() =>
                    {
                        d.with_help(format!("remove the quotes: `{text}`"))
                    }
                    (LiteralKind::Str(text), Expect::Scalar(Type::Bool))
                        if text == "true" || text == "false" =>
                    {
                        d.with_help(format!("remove the quotes: `{text}`"))
                    }
                    _ => d,
                };
                self.report(d);
                None
            }
        }
    }

    /// A choice key written as a string or a bare name.
    fn choice_value(&mut self, field: FieldId, key: &str, span: Span) -> Option<Value> {
        let f = self.project.field(field);
        let FieldType::Choice { choices, .. } = &f.ty else {
            unreachable!("choice expectations come from choice fields")
        };
        if choices.iter().any(|c| c.key == key) {
            return Some(Value {
                kind: ValueKind::Choice {
                    field,
                    key: key.to_string(),
                },
                ty: Type::Str,
                span,
            });
        }
        let d = Diagnostic::new(
            Code::UnknownChoice,
            span,
            format!("`{key}` is not a choice of `{}`", f.name),
        )
        .with_label("unknown choice")
        .with_secondary(
            f.span,
            format!("the choices of `{}` are declared here", f.name),
        )
        .with_suggestion(key, "a choice", choices.iter().map(|c| c.key.as_str()));
        let d = if d.help.is_none() {
            let keys = super::backticked(choices.iter().map(|c| c.key.as_str()));
            d.with_help(format!("the choices are {keys}"))
        } else {
            d
        };
        self.report(d);
        None
    }

    /// Resolves a name (with `.attr`s) used as a value: a parameter,
    /// `object…`, a context entry, a choice key, `now`/`today`, or a column.
    pub(super) fn resolve_name(
        &mut self,
        chain: &ast::Chain,
        scope: &Scope<'_>,
        choice: Option<FieldId>,
    ) -> Option<Value> {
        let head = &chain.head;
        let mut attrs = Vec::with_capacity(chain.ops.len());
        for op in &chain.ops {
            match op {
                ChainOp::Attr(ident) => attrs.push(ident.clone()),
                ChainOp::Call { span, .. } | ChainOp::Slice(ast::Slice { span, .. }) => {
                    let help = if self.project.model_names.contains_key(&head.name) {
                        "a query cannot be a value here; compare with a field across the relation instead, e.g. `author.name == …`"
                    } else {
                        "only names and `.field` paths can be values here"
                    };
                    self.report(
                        Diagnostic::new(
                            Code::InvalidQueryArguments,
                            *span,
                            "a query cannot be used as a value here",
                        )
                        .with_label("not allowed in a value")
                        .with_help(help),
                    );
                    return None;
                }
            }
        }
        let span = chain.span;
        let path_span =
            |attrs: &[ast::Ident]| attrs.first().map_or(span, |first| first.span.to(span));
        if let Some((index, param)) = scope
            .params
            .iter()
            .enumerate()
            .find(|(_, p)| p.name == head.name)
        {
            if let Some(attr) = attrs.first() {
                self.report(
                    Diagnostic::new(
                        Code::NotARelation,
                        attr.span,
                        format!("`{}` is a URL parameter, not an object", head.name),
                    )
                    .with_label(format!("`{}` has no field `{}`", head.name, attr.name))
                    .with_secondary(param.span, format!("`{}` is declared here", head.name)),
                );
                return None;
            }
            return Some(Value {
                kind: ValueKind::Param {
                    name: param.name.clone(),
                    index: index as u32,
                },
                ty: ir::converter_type(param.converter),
                span,
            });
        }
        if head.name == "object"
            && let Some(model) = scope.object
        {
            let path = self.resolve_path(model, &attrs, path_span(&attrs))?;
            let ty = self.project.path_type(&path);
            return Some(Value {
                kind: ValueKind::Object(path),
                ty,
                span,
            });
        }
        if let Some(entry) = scope.context.iter().find(|e| e.name == head.name) {
            if attrs.is_empty() {
                return Some(Value {
                    kind: ValueKind::Context {
                        name: entry.name.clone(),
                        path: None,
                    },
                    ty: entry.ty.clone(),
                    span,
                });
            }
            let optional = matches!(entry.ty, Type::Optional(_));
            let Type::Object(model) = *entry.ty.strip_optional() else {
                let ty = entry.ty.describe(&self.project);
                self.report(
                    Diagnostic::new(
                        Code::NotARelation,
                        attrs[0].span,
                        format!("context entry `{}` is `{ty}`, not an object", entry.name),
                    )
                    .with_label(format!("cannot look up `{}` here", attrs[0].name))
                    .with_secondary(entry.name_span, format!("`{}` is defined here", entry.name)),
                );
                return None;
            };
            let path = self.resolve_path(model, &attrs, path_span(&attrs))?;
            let ty = self.project.path_type(&path);
            let ty = if optional && !matches!(ty, Type::Optional(_)) {
                Type::Optional(Box::new(ty))
            } else {
                ty
            };
            return Some(Value {
                kind: ValueKind::Context {
                    name: entry.name.clone(),
                    path: Some(path),
                },
                ty,
                span,
            });
        }
        if attrs.is_empty() {
            if let Some(field) = choice {
                let is_key = matches!(&self.project.field(field).ty,
                    FieldType::Choice { choices, .. } if choices.iter().any(|c| c.key == head.name));
                if is_key {
                    return self.choice_value(field, &head.name, span);
                }
            }
            match head.name.as_str() {
                "now" => {
                    return Some(Value {
                        kind: ValueKind::Now,
                        ty: Type::DateTime,
                        span,
                    });
                }
                "today" => {
                    return Some(Value {
                        kind: ValueKind::Today,
                        ty: Type::Date,
                        span,
                    });
                }
                _ => {}
            }
        }
        if let Some(model) = scope.columns {
            let mut parts = Vec::with_capacity(attrs.len() + 1);
            parts.push(head.clone());
            parts.extend(attrs);
            let path = self.resolve_path(model, &parts, span)?;
            let ty = self.project.path_type(&path);
            return Some(Value {
                kind: ValueKind::Column(path),
                ty,
                span,
            });
        }
        self.report(self.unknown_name(head, scope, choice));
        None
    }

    /// E0401 for a name that is nothing in scope.
    fn unknown_name(
        &self,
        head: &ast::Ident,
        scope: &Scope<'_>,
        choice: Option<FieldId>,
    ) -> Diagnostic {
        if head.name == "object" {
            let reason = scope.no_object_reason.unwrap_or("there is no object here");
            return Diagnostic::new(Code::UnknownName, head.span, "`object` is not available here")
                .with_label(reason)
                .with_help("`object` is the object of a detail, update or delete view, in its context and success URL");
        }
        let mut candidates: Vec<(&str, &str)> = scope
            .params
            .iter()
            .map(|p| (p.name.as_str(), "a parameter"))
            .collect();
        candidates.extend(
            scope
                .context
                .iter()
                .map(|e| (e.name.as_str(), "a context entry")),
        );
        if scope.object.is_some() {
            candidates.push(("object", "a name"));
        }
        if let Some(field) = choice
            && let FieldType::Choice { choices, .. } = &self.project.field(field).ty
        {
            candidates.extend(choices.iter().map(|c| (c.key.as_str(), "a choice")));
        }
        candidates.extend([("now", "a name"), ("today", "a name")]);
        let mut d = Diagnostic::new(
            Code::UnknownName,
            head.span,
            format!("cannot find `{}` in this scope", head.name),
        )
        .with_label("not a parameter, context entry or choice");
        if let Some(best) = did_you_mean(&head.name, candidates.iter().map(|(n, _)| *n)) {
            let kind = candidates
                .iter()
                .find(|(n, _)| *n == best)
                .map_or("a name", |(_, k)| k);
            d = d.with_help(format!("{kind} with a similar name exists: `{best}`"));
        }
        if d.help.is_none() && self.project.model_names.contains_key(&head.name) {
            d = d.with_help(format!(
                "`{}` is a model; values are parameters, `object` fields and literals",
                head.name
            ));
        } else if d.help.is_none() && scope.params.is_empty() && scope.object.is_none() {
            d = d.with_help("values here are literals, `now`, `today` and choice keys");
        }
        d
    }

    // ── conditions ──────────────────────────────────────────────────────────

    /// Types a condition over `model`'s rows.
    pub(super) fn check_condition(
        &mut self,
        condition: &ast::Condition,
        model: ModelId,
        scope: &Scope<'_>,
    ) -> Option<ir::Condition> {
        match condition {
            ast::Condition::Lookup(lookup) => self
                .check_lookup(lookup, model, scope)
                .map(ir::Condition::Lookup),
            ast::Condition::And(a, b, span) | ast::Condition::Or(a, b, span) => {
                let is_and = matches!(condition, ast::Condition::And(..));
                let left = self.check_condition(a, model, scope);
                let right = self.check_condition(b, model, scope);
                let (left, right) = (left?, right?);
                let mut parts = Vec::new();
                for part in [left, right] {
                    match (is_and, part) {
                        (true, ir::Condition::And(inner, _))
                        | (false, ir::Condition::Or(inner, _)) => parts.extend(inner),
                        (_, other) => parts.push(other),
                    }
                }
                Some(if is_and {
                    ir::Condition::And(parts, *span)
                } else {
                    ir::Condition::Or(parts, *span)
                })
            }
            ast::Condition::Not(inner, span) => {
                let inner = self.check_condition(inner, model, scope)?;
                Some(ir::Condition::Not(Box::new(inner), *span))
            }
        }
    }

    fn check_lookup(
        &mut self,
        lookup: &ast::Lookup,
        model: ModelId,
        scope: &Scope<'_>,
    ) -> Option<ir::Lookup> {
        let operand = self.check_operand(&lookup.lhs, model)?;
        let (expect, is_text, subject_desc) =
            match (operand.function, operand.path.steps.last().map(|s| s.kind)) {
                (Some(Function::Length), _) => {
                    (Expect::Scalar(Type::Int), false, "an `int`".to_string())
                }
                (Some(_), _) => (Expect::Scalar(Type::Str), true, "text".to_string()),
                (None, Some(StepKind::Field(id))) => {
                    let field = self.project.field(id);
                    (
                        Expect::for_field(id, &field.ty),
                        field.ty.is_text(),
                        format!("{} field", super::a(&field.ty.describe(&self.project))),
                    )
                }
                (None, Some(StepKind::Reverse(id))) => {
                    let reverse = self.project.reverse(id);
                    (
                        Expect::Related(reverse.model),
                        false,
                        format!("a relation to `{}`", self.model_name(reverse.model)),
                    )
                }
                (None, None) => return None,
            };
        let name = self.project.path_text(&operand.path);
        let subject_label = format!("`{name}` is {subject_desc}");
        let op = lookup.op;
        let orderable = matches!(
            expect,
            Expect::Scalar(
                Type::Int | Type::Float | Type::Decimal | Type::Str | Type::Date | Type::DateTime
            )
        );
        let applicable = if op.is_text_only() {
            is_text
        } else {
            match op {
                LookupOp::Lt | LookupOp::Le | LookupOp::Gt | LookupOp::Ge => orderable,
                _ => true,
            }
        };
        if !applicable {
            let op_text = self.input.sources.snippet(lookup.op_span).to_string();
            let help = if op.is_text_only() {
                "text lookups apply to `string`, `text`, `slug`, `email` and `url` fields"
            } else if matches!(expect, Expect::Scalar(Type::Bool)) {
                "`bool` fields only compare with `==` and `!=`"
            } else {
                "ordering comparisons apply to numbers, text, dates and datetimes"
            };
            self.report(
                Diagnostic::new(
                    Code::LookupNotApplicable,
                    lookup.op_span,
                    format!("`{op_text}` does not apply to `{name}`, which is {subject_desc}"),
                )
                .with_label(if op.is_text_only() {
                    "a text lookup"
                } else {
                    "an ordering comparison"
                })
                .with_secondary(operand.span, subject_label)
                .with_help(help),
            );
            return None;
        }
        let value = match (&lookup.rhs, op) {
            (None, _) => None,
            (Some(rhs), _) => {
                let expected = Expected {
                    expect,
                    nullable: self.path_is_nullable(&operand.path)
                        && matches!(op, LookupOp::Eq | LookupOp::Ne),
                    list: matches!(op, LookupOp::In | LookupOp::NotIn),
                    mismatch: Code::LookupTypeMismatch,
                    subject: (operand.span, subject_label),
                    subject_name: name,
                };
                Some(self.check_value(rhs, &expected, scope)?)
            }
        };
        Some(ir::Lookup {
            operand,
            op,
            value,
            span: lookup.span,
        })
    }

    /// Whether a path can be NULL: a nullable field or relation on the way.
    fn path_is_nullable(&self, path: &ir::FieldPath) -> bool {
        path.steps.iter().any(|step| match step.kind {
            StepKind::Field(id) => self.project.field(id).null,
            StepKind::Reverse(_) => true,
        })
    }

    fn check_operand(&mut self, operand: &ast::Operand, model: ModelId) -> Option<ir::Operand> {
        match operand {
            ast::Operand::Field(path) => Some(ir::Operand {
                path: self.resolve_path(model, &path.parts, path.span)?,
                function: None,
                span: path.span,
            }),
            ast::Operand::Func { name, arg, span } => {
                let Some(&(_, function)) = FUNCTIONS.iter().find(|(n, _)| *n == name.name) else {
                    let d = Diagnostic::new(
                        Code::UnknownFunction,
                        name.span,
                        format!("unknown function `{}`", name.name),
                    )
                    .with_label("not a lookup function")
                    .with_suggestion(
                        &name.name,
                        "a function",
                        FUNCTIONS.iter().map(|(n, _)| *n),
                    );
                    let d = match (name.name.as_str(), d.help.is_some()) {
                        ("len" | "size" | "count", _) => {
                            d.with_help("`length(…)` gives the length of a text")
                        }
                        (_, true) => d,
                        _ => d.with_note("lookups can use `length(…)`, `lower(…)` and `upper(…)`"),
                    };
                    self.report(d);
                    return None;
                };
                let path = self.resolve_path(model, &arg.parts, arg.span)?;
                let text = match path.last_field() {
                    Some(id) => self.project.field(id).ty.is_text(),
                    None => false,
                };
                if !text {
                    let found = self.project.path_type(&path).describe(&self.project);
                    self.report(
                        Diagnostic::new(
                            Code::UnknownFunction,
                            arg.span,
                            format!(
                                "`{}` needs a text field, but `{}` is `{found}`",
                                name.name,
                                self.project.path_text(&path)
                            ),
                        )
                        .with_label("not text")
                        .with_secondary(name.span, format!("`{}` works on text", name.name)),
                    );
                    return None;
                }
                Some(ir::Operand {
                    path,
                    function: Some(function),
                    span: *span,
                })
            }
        }
    }

    // ── queries ─────────────────────────────────────────────────────────────

    /// Types a query chain whose head must be a model.
    pub(super) fn check_query(
        &mut self,
        chain: &ast::Chain,
        scope: &Scope<'_>,
    ) -> Option<ir::Query> {
        let Some(model) = self.project.model_named(&chain.head.name) else {
            self.report(self.unknown_model(&chain.head));
            return None;
        };
        let mut query = ir::Query::all(model, chain.span);
        let mut sliced: Option<Span> = None;
        let mut ended: Option<(Span, &'static str)> = None;
        let mut ok = true;
        for op in &chain.ops {
            let op_span = match op {
                ChainOp::Attr(ident) => ident.span,
                ChainOp::Call { method, .. } => method.span,
                ChainOp::Slice(slice) => slice.span,
            };
            if let Some((end_span, what)) = ended {
                self.report(
                    Diagnostic::new(
                        Code::MethodAfterTerminal,
                        op_span,
                        format!("nothing can follow `{what}`"),
                    )
                    .with_label(format!("`{what}` already ended the query"))
                    .with_secondary(end_span, "the query ends here"),
                );
                return None;
            }
            match op {
                ChainOp::Attr(ident) => {
                    let d = Diagnostic::new(
                        Code::UnknownQueryMethod,
                        ident.span,
                        format!("queries have no attribute `{}`", ident.name),
                    )
                    .with_label("unknown attribute");
                    let d = if ident.name == "objects" {
                        d.with_help(format!(
                            "djinn queries start at the model: write `{}.filter(…)`",
                            chain.head.name
                        ))
                    } else {
                        d.with_suggestion(&ident.name, "a method", METHODS)
                    };
                    self.report(d);
                    return None;
                }
                ChainOp::Slice(slice) => {
                    if let Some(first) = sliced {
                        self.report(
                            Diagnostic::new(
                                Code::InvalidSlice,
                                slice.span,
                                "a query can be sliced only once",
                            )
                            .with_label("second slice")
                            .with_secondary(first, "first sliced here")
                            .with_help("combine the bounds into one slice"),
                        );
                        return None;
                    }
                    sliced = Some(slice.span);
                    let bounds = self.check_slice(slice)?;
                    if !slice.is_range {
                        query.shape = Shape::One;
                        ended = Some((slice.span, "[index]"));
                    }
                    query.slice = Some(bounds);
                }
                ChainOp::Call { method, args, span } => match method.name.as_str() {
                    "all" => ok &= self.expect_no_args(method, args),
                    "filter" | "exclude" => {
                        if let Some(slice_span) = sliced {
                            self.report(self.after_slice(method, slice_span));
                            return None;
                        }
                        let mut parts = Vec::with_capacity(args.len());
                        for arg in args {
                            match self.check_filter_arg(arg, model, scope, method) {
                                Some(condition) => parts.push(condition),
                                None => ok = false,
                            }
                        }
                        let condition = if parts.len() == 1 {
                            parts.pop().expect("one part")
                        } else {
                            ir::Condition::And(parts, *span)
                        };
                        query.filters.push(ir::Filter {
                            exclude: method.name == "exclude",
                            condition,
                            span: *span,
                        });
                    }
                    "order_by" => {
                        if let Some(slice_span) = sliced {
                            self.report(self.after_slice(method, slice_span));
                            return None;
                        }
                        let mut terms = Vec::with_capacity(args.len());
                        for arg in args {
                            match arg {
                                CallArg::Order(term) => match self.check_order_term(term, model) {
                                    Some(order) => terms.push(order),
                                    None => ok = false,
                                },
                                CallArg::Condition(condition) => {
                                    self.report(
                                        Diagnostic::new(
                                            Code::InvalidQueryArguments,
                                            condition.span(),
                                            "`order_by` takes fields, not conditions",
                                        )
                                        .with_label(
                                            "expected a field like `title` or `-created_at`",
                                        ),
                                    );
                                    ok = false;
                                }
                            }
                        }
                        query.order_by = Some(terms);
                    }
                    terminal @ ("count" | "first" | "exists") => {
                        ok &= self.expect_no_args(method, args);
                        let (kind, shape) = match terminal {
                            "count" => (TerminalKind::Count, Shape::Count),
                            "first" => (TerminalKind::First, Shape::Optional),
                            _ => (TerminalKind::Exists, Shape::Bool),
                        };
                        let call = Span {
                            start: method.span.start,
                            ..*span
                        };
                        query.terminal = Some(ir::Terminal { kind, span: call });
                        query.shape = shape;
                        ended = Some((call, terminal_text(kind)));
                    }
                    other => {
                        let d = Diagnostic::new(
                            Code::UnknownQueryMethod,
                            method.span,
                            format!("unknown query method `{other}`"),
                        )
                        .with_label("unknown method")
                        .with_suggestion(other, "a method", METHODS);
                        let d = match (other, d.help.is_some()) {
                            ("get", _) => d.with_help("use `filter(…)`: in a `get` clause it must match exactly one object"),
                            ("last", _) => d.with_help("order the other way and use `first()`"),
                            (_, true) => d,
                            _ => d.with_note(format!("query methods are {}", super::backticked(METHODS))),
                        };
                        self.report(d);
                        return None;
                    }
                },
            }
        }
        ok.then_some(query)
    }

    fn after_slice(&self, method: &ast::Ident, slice: Span) -> Diagnostic {
        Diagnostic::new(
            Code::MethodAfterTerminal,
            method.span,
            format!("cannot `{}` a query after slicing it", method.name),
        )
        .with_label(format!("`{}` after a slice", method.name))
        .with_secondary(slice, "sliced here")
        .with_help("move the slice to the end of the query")
    }

    fn expect_no_args(&mut self, method: &ast::Ident, args: &[CallArg]) -> bool {
        let Some(first) = args.first() else {
            return true;
        };
        let span = call_arg_span(first).to(call_arg_span(args.last().expect("non-empty")));
        self.report(
            Diagnostic::new(
                Code::InvalidQueryArguments,
                span,
                format!("`{}()` takes no arguments", method.name),
            )
            .with_label("unexpected arguments"),
        );
        false
    }

    /// An argument of `filter`/`exclude`: a condition, or a bare boolean field.
    fn check_filter_arg(
        &mut self,
        arg: &CallArg,
        model: ModelId,
        scope: &Scope<'_>,
        method: &ast::Ident,
    ) -> Option<ir::Condition> {
        match arg {
            CallArg::Condition(condition) => self.check_condition(condition, model, scope),
            CallArg::Order(term) => {
                let path = if term.descending {
                    None
                } else {
                    self.lookup_path(model, &term.field.parts, term.field.span)
                        .ok()
                };
                let is_bool = path
                    .as_ref()
                    .and_then(ir::FieldPath::last_field)
                    .is_some_and(|id| self.project.field(id).ty == FieldType::Bool);
                if let (true, Some(path)) = (is_bool, path) {
                    return Some(ir::Condition::Lookup(ir::Lookup {
                        operand: ir::Operand {
                            path,
                            function: None,
                            span: term.field.span,
                        },
                        op: LookupOp::Eq,
                        value: Some(Value {
                            kind: ValueKind::Literal(LiteralKind::Bool(true)),
                            ty: Type::Bool,
                            span: term.span,
                        }),
                        span: term.span,
                    }));
                }
                let text = self.input.sources.snippet(term.field.span).to_string();
                self.report(
                    Diagnostic::new(
                        Code::InvalidQueryArguments,
                        term.span,
                        format!(
                            "`{}` takes conditions, but `{text}` is not one",
                            method.name
                        ),
                    )
                    .with_label("expected a condition")
                    .with_help(format!(
                        "compare the field with a value, e.g. `{text} == …`"
                    )),
                );
                None
            }
        }
    }

    /// `-created_at` in `order_by` or `ordering`: a field, not across or at
    /// a many relation.
    pub(super) fn check_order_term(
        &mut self,
        term: &ast::OrderTerm,
        model: ModelId,
    ) -> Option<ir::Order> {
        let path = self.resolve_path(model, &term.field.parts, term.field.span)?;
        if let Some(step) = path
            .steps
            .iter()
            .find(|s| self.project.step_is_many(s.kind))
        {
            let name = self.project.step_name(step.kind).to_string();
            self.report(
                Diagnostic::new(
                    Code::InvalidOrdering,
                    step.span,
                    format!("cannot order by the many relation `{name}`"),
                )
                .with_label("gives several values per row")
                .with_help("order by a field of this model or across a foreign key"),
            );
            return None;
        }
        Some(ir::Order {
            path,
            descending: term.descending,
            span: term.span,
        })
    }

    fn check_slice(&mut self, slice: &ast::Slice) -> Option<ir::SliceBounds> {
        for bound in [slice.start, slice.end].into_iter().flatten() {
            if bound.value < 0 {
                self.report(
                    Diagnostic::new(
                        Code::InvalidSlice,
                        bound.span,
                        "negative slice bounds are not supported",
                    )
                    .with_label("negative")
                    .with_help("order the other way (`order_by(-field)`) and slice from the start"),
                );
                return None;
            }
        }
        let start = slice.start.map_or(0, |s| s.value as u64);
        if !slice.is_range {
            return Some(ir::SliceBounds {
                start,
                end: Some(start + 1),
                span: slice.span,
            });
        }
        let end = slice.end.map(|e| e.value as u64);
        if let (Some(end_value), Some(end_lit)) = (end, slice.end)
            && end_value < start
        {
            self.report(
                Diagnostic::new(
                    Code::InvalidSlice,
                    end_lit.span,
                    "slice ends before it starts",
                )
                .with_label(format!("{end_value} is less than {start}"))
                .with_help("write `[start:end]` with `start <= end`"),
            );
            return None;
        }
        Some(ir::SliceBounds {
            start,
            end,
            span: slice.span,
        })
    }

    /// E0102 for a name that should be a model.
    pub(super) fn unknown_model(&self, name: &ast::Ident) -> Diagnostic {
        Diagnostic::new(
            Code::UnknownModel,
            name.span,
            format!("cannot find model `{}`", name.name),
        )
        .with_label("not a model")
        .with_suggestion(
            &name.name,
            "a model",
            self.project.model_names.keys().map(String::as_str),
        )
    }

    // ── context values ──────────────────────────────────────────────────────

    /// A `context` entry's value: a query over any model, or a plain value.
    pub(super) fn check_context_value(
        &mut self,
        expr: &ast::Expr,
        scope: &Scope<'_>,
    ) -> Option<(ContextValue, Type)> {
        match expr {
            ast::Expr::Chain(chain) if self.project.model_names.contains_key(&chain.head.name) => {
                let query = self.check_query(chain, scope)?;
                let ty = query.result_type();
                Some((ContextValue::Query(query), ty))
            }
            ast::Expr::Chain(chain)
                if chain.ops.iter().any(|op| !matches!(op, ChainOp::Attr(_))) =>
            {
                let is_name = chain.head.name == "object"
                    || scope.params.iter().any(|p| p.name == chain.head.name)
                    || scope.context.iter().any(|e| e.name == chain.head.name);
                if is_name {
                    let (method, span) = chain
                        .ops
                        .iter()
                        .find_map(|op| match op {
                            ChainOp::Call { method, .. } => {
                                Some((method.name.clone(), method.span))
                            }
                            ChainOp::Slice(s) => Some(("[…]".to_string(), s.span)),
                            ChainOp::Attr(_) => None,
                        })
                        .expect("a call or slice");
                    self.report(
                        Diagnostic::new(
                            Code::UnknownQueryMethod,
                            span,
                            format!("`{}` is not a query, so it has no `{method}`", chain.head.name),
                        )
                        .with_label("queries start at a model")
                        .with_help("write a query over the related model, e.g. `Tag.filter(posts == object)`"),
                    );
                } else {
                    self.report(self.unknown_model(&chain.head));
                }
                None
            }
            _ => {
                let value = self.check_free_value(expr, scope)?;
                let ty = value.ty.clone();
                Some((ContextValue::Value(value), ty))
            }
        }
    }

    /// A value with no expected type (context entries, URL arguments).
    pub(super) fn check_free_value(
        &mut self,
        expr: &ast::Expr,
        scope: &Scope<'_>,
    ) -> Option<Value> {
        match expr {
            ast::Expr::Literal(literal) => Some(Value {
                kind: ValueKind::Literal(literal.kind.clone()),
                ty: match literal.kind {
                    LiteralKind::Str(_) => Type::Str,
                    LiteralKind::Int(_) => Type::Int,
                    LiteralKind::Float(_) => Type::Decimal,
                    LiteralKind::Bool(_) => Type::Bool,
                    LiteralKind::None => Type::Null,
                },
                span: literal.span,
            }),
            ast::Expr::List { items, span } => {
                let values: Vec<Value> = items
                    .iter()
                    .filter_map(|i| self.check_free_value(i, scope))
                    .collect();
                if values.len() != items.len() {
                    return None;
                }
                let element = match values.first() {
                    Some(first) if values.iter().all(|v| v.ty == first.ty) => first.ty.clone(),
                    Some(_) => Type::Json,
                    None => Type::Json,
                };
                Some(Value {
                    kind: ValueKind::List(values),
                    ty: Type::List(Box::new(element)),
                    span: *span,
                })
            }
            ast::Expr::Chain(chain) => self.resolve_name(chain, scope, None),
        }
    }
}

fn terminal_text(kind: TerminalKind) -> &'static str {
    match kind {
        TerminalKind::Count => "count()",
        TerminalKind::First => "first()",
        TerminalKind::Exists => "exists()",
    }
}

fn call_arg_span(arg: &CallArg) -> Span {
    match arg {
        CallArg::Condition(c) => c.span(),
        CallArg::Order(o) => o.span,
    }
}
