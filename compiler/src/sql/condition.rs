//! Typed conditions → `WHERE` text with bound parameters.
//!
//! Input: an [`ir::Condition`] over the root of a [`Joins`] (the queried
//! model), the [`Writer`] of the statement. Output: the condition's text,
//! and whether it can be NULL (which decides how it is negated). Paths
//! through single-valued relations join; paths through many relations
//! become `EXISTS` subqueries (see the module docs of [`super`]).

use super::query::{
    Joined, Joins, Writer, column, join_columns, key_subquery, pk_column, table_as,
};
use super::text::SqlBuf;
use super::{LikePattern, ParamValue, ScalarKind, quote};
use crate::check::ir::{
    Condition, ContextValue, FieldPath, FieldType, Function, LiteralKind, Lookup, LookupOp,
    ModelId, ReverseKind, StepKind, Type, Value, ValueKind,
};

/// How to negate a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Negation {
    /// `NOT (…)`: the condition is never NULL.
    Not,
    /// `(…) IS NOT TRUE`: NULL counts as false, so the negation holds.
    IsNotTrue,
}

impl Negation {
    /// The negation suited to a condition that may (or not) be NULL.
    pub(super) fn of(nullable: bool) -> Negation {
        if nullable {
            Negation::IsNotTrue
        } else {
            Negation::Not
        }
    }
}

/// Negates `inner`.
pub(super) fn negate(inner: SqlBuf, negation: Negation) -> SqlBuf {
    let mut buf = SqlBuf::new();
    match negation {
        Negation::Not => {
            buf.push("NOT (");
            buf.append(inner);
            buf.push(")");
        }
        Negation::IsNotTrue => {
            buf.push("(");
            buf.append(inner);
            buf.push(") IS NOT TRUE");
        }
    }
    buf
}

/// `a AND b AND …`, each part parenthesised when there are several; `None` for none.
pub(super) fn and(parts: Vec<SqlBuf>) -> Option<SqlBuf> {
    join_parts(parts, " AND ")
}

fn join_parts(parts: Vec<SqlBuf>, separator: &str) -> Option<SqlBuf> {
    let single = parts.len() == 1;
    let mut buf = SqlBuf::new();
    for (index, part) in parts.into_iter().enumerate() {
        if index > 0 {
            buf.push(separator);
        }
        if single {
            buf.append(part);
        } else {
            buf.push("(");
            buf.append(part);
            buf.push(")");
        }
    }
    (!buf.is_empty()).then_some(buf)
}

/// The text of `condition` and whether it may be NULL.
pub(super) fn condition(
    w: &mut Writer<'_>,
    joins: &mut Joins,
    condition: &Condition,
) -> (SqlBuf, bool) {
    match condition {
        Condition::Lookup(lookup) => self::lookup(w, joins, lookup),
        Condition::And(parts, _) | Condition::Or(parts, _) => {
            let separator = if matches!(condition, Condition::And(..)) {
                " AND "
            } else {
                " OR "
            };
            let mut nullable = false;
            let mut texts = Vec::with_capacity(parts.len());
            for part in parts {
                let (text, part_nullable) = self::condition(w, joins, part);
                nullable |= part_nullable;
                texts.push(text);
            }
            match join_parts(texts, separator) {
                Some(text) => (text, nullable),
                None => {
                    // An empty `and` holds; an empty `or` does not.
                    let mut text = SqlBuf::new();
                    text.push(if separator == " AND " {
                        "1 = 1"
                    } else {
                        "1 = 0"
                    });
                    (text, false)
                }
            }
        }
        Condition::Not(inner, _) => {
            let (text, nullable) = self::condition(w, joins, inner);
            (negate(text, Negation::of(nullable)), false)
        }
    }
}

/// A lookup. `!=` and `not in` are the negations of `==` and `in`, applied
/// outside any `EXISTS` (Django's `~Q(field=v)`): `tags.name != "x"` keeps
/// the rows with no tag named `x`.
fn lookup(w: &mut Writer<'_>, joins: &mut Joins, lookup: &Lookup) -> (SqlBuf, bool) {
    let steps: Vec<StepKind> = lookup.operand.path.steps.iter().map(|s| s.kind).collect();
    let positive = match lookup.op {
        LookupOp::Ne => Some(LookupOp::Eq),
        LookupOp::NotIn => Some(LookupOp::In),
        _ => None,
    };
    match positive {
        Some(op) => {
            let (text, nullable) = path_lookup(w, joins, &steps, lookup, op);
            (negate(text, Negation::of(nullable)), false)
        }
        None => path_lookup(w, joins, &steps, lookup, lookup.op),
    }
}

/// Follows `steps` from the root of `joins` to the compared column.
fn path_lookup(
    w: &mut Writer<'_>,
    joins: &mut Joins,
    steps: &[StepKind],
    lookup: &Lookup,
    op: LookupOp,
) -> (SqlBuf, bool) {
    let project = w.project;
    let mut at = joins.root();
    for (index, &step) in steps.iter().enumerate() {
        let rest = &steps[index + 1..];
        match step {
            StepKind::Field(id) => {
                let field = project.field(id);
                match &field.ty {
                    FieldType::ForeignKey(relation) | FieldType::OneToOne(relation) => {
                        let ends_at_key = rest.is_empty() || is_key_of(w, rest, relation.target);
                        if ends_at_key {
                            let name = field.column.as_deref().unwrap_or_default();
                            let kind = ScalarKind::of_key(project, relation.target);
                            let nullable = at.nullable || field.null;
                            return compare(
                                w,
                                &column(&at.alias, name),
                                nullable,
                                kind,
                                lookup,
                                op,
                            );
                        }
                        match joins.resolve(w, &steps[..=index]) {
                            Some(joined) => at = joined,
                            None => break,
                        }
                    }
                    FieldType::ManyToMany(_) => {
                        return exists_many(w, &at, step, rest, lookup, op);
                    }
                    _ => {
                        let name = field.column.as_deref().unwrap_or_default();
                        let kind = ScalarKind::of_field(project, &field.ty);
                        let nullable = at.nullable || field.null;
                        return compare(w, &column(&at.alias, name), nullable, kind, lookup, op);
                    }
                }
            }
            StepKind::Reverse(id) => {
                let reverse = project.reverse(id);
                if reverse.kind == ReverseKind::Many {
                    return exists_many(w, &at, step, rest, lookup, op);
                }
                match joins.resolve(w, &steps[..=index]) {
                    Some(joined) => at = joined,
                    None => break,
                }
                if rest.is_empty() {
                    let kind = ScalarKind::of_key(project, at.model);
                    let key = pk_column(project, &at.alias, at.model);
                    return compare(w, &key, true, kind, lookup, op);
                }
            }
        }
    }
    // A path that ends at a model (only reachable through `object`-style
    // comparisons) compares its key.
    let kind = ScalarKind::of_key(project, at.model);
    let key = pk_column(project, &at.alias, at.model);
    compare(w, &key, at.nullable, kind, lookup, op)
}

/// Whether `rest` is exactly the primary key of `model`: `category.id`
/// compares the foreign key column, without a join.
fn is_key_of(w: &Writer<'_>, rest: &[StepKind], model: ModelId) -> bool {
    let primary = w.project.model(model).primary_key;
    matches!(rest, [StepKind::Field(id)] if id.model == model && id.index == primary)
}

/// `EXISTS (SELECT 1 FROM <related rows> WHERE <correlated> AND <lookup>)`
/// for a lookup through a many relation.
fn exists_many(
    w: &mut Writer<'_>,
    outer: &Joined,
    step: StepKind,
    rest: &[StepKind],
    lookup: &Lookup,
    op: LookupOp,
) -> (SqlBuf, bool) {
    let project = w.project;
    let outer_key = pk_column(project, &outer.alias, outer.model);
    let Some(target) = project.step_target(step) else {
        return compare(w, &outer_key, outer.nullable, ScalarKind::Int, lookup, op);
    };
    // A join table and the columns of its two sides, seen from the outer row.
    let through = match step {
        StepKind::Field(id) => match &project.field(id).ty {
            FieldType::ManyToMany(relation) => {
                let (source, dest) = join_columns(project, outer.model, relation.target);
                Some((relation.table.clone(), source, dest))
            }
            _ => None,
        },
        StepKind::Reverse(id) => {
            let reverse = project.reverse(id);
            match &project.field(reverse.field).ty {
                FieldType::ManyToMany(relation) => {
                    let (source, dest) = join_columns(project, reverse.model, relation.target);
                    Some((relation.table.clone(), dest, source))
                }
                _ => None,
            }
        }
    };
    let direct = rest.is_empty() || is_key_of(w, rest, target);
    let mut from = String::new();
    let correlation;
    let mut inner_root = None;
    let target_kind = ScalarKind::of_key(project, target);
    let mut text = match through {
        Some((table, near, far)) => {
            let join = w.alias();
            from.push_str(&format!("{} AS {}", quote(&table), quote(&join)));
            correlation = format!("{} = {outer_key}", column(&join, &near));
            if direct {
                compare(w, &column(&join, &far), false, target_kind, lookup, op).0
            } else {
                let alias = w.alias();
                from.push_str(&format!(
                    " INNER JOIN {} ON {} = {}",
                    table_as(project, target, &alias),
                    pk_column(project, &alias, target),
                    column(&join, &far),
                ));
                inner_root = Some(alias);
                SqlBuf::new()
            }
        }
        None => {
            // A reverse foreign key: the related rows point at the outer row.
            let StepKind::Reverse(id) = step else {
                unreachable!("a many step is a many-to-many field or a reverse relation")
            };
            let forward = project.field(project.reverse(id).field);
            let alias = w.alias();
            from.push_str(&table_as(project, target, &alias));
            correlation = format!(
                "{} = {outer_key}",
                column(&alias, forward.column.as_deref().unwrap_or_default())
            );
            if direct {
                let key = pk_column(project, &alias, target);
                compare(w, &key, false, target_kind, lookup, op).0
            } else {
                inner_root = Some(alias);
                SqlBuf::new()
            }
        }
    };
    if let Some(alias) = inner_root {
        let mut inner = Joins::new(alias, target);
        text = path_lookup(w, &mut inner, rest, lookup, op).0;
        from.push_str(&inner.clauses());
    }
    let mut buf = SqlBuf::new();
    buf.push("EXISTS (SELECT 1 FROM ");
    buf.push(&from);
    buf.push(" WHERE ");
    buf.push(&correlation);
    buf.push(" AND ");
    buf.append(text);
    buf.push(")");
    (buf, false)
}

/// Compares `column` (of `kind`, possibly NULL) as the lookup says.
fn compare(
    w: &mut Writer<'_>,
    column: &str,
    nullable: bool,
    kind: ScalarKind,
    lookup: &Lookup,
    op: LookupOp,
) -> (SqlBuf, bool) {
    let (expr, kind) = match lookup.operand.function {
        None => (column.to_string(), kind),
        Some(Function::Length) => (format!("LENGTH({column})"), ScalarKind::Int),
        Some(Function::Lower) => (format!("LOWER({column})"), ScalarKind::Text),
        Some(Function::Upper) => (format!("UPPER({column})"), ScalarKind::Text),
    };
    let mut buf = SqlBuf::new();
    let value = lookup.value.as_ref();
    let is_none = value.is_some_and(|v| matches!(v.kind, ValueKind::Literal(LiteralKind::None)));
    match op {
        LookupOp::IsNull => {
            buf.push(&format!("{expr} IS NULL"));
            return (buf, false);
        }
        LookupOp::IsNotNull => {
            buf.push(&format!("{expr} IS NOT NULL"));
            return (buf, false);
        }
        LookupOp::Eq | LookupOp::Ne | LookupOp::IExact if is_none => {
            buf.push(&format!("{expr} IS NULL"));
            return (buf, false);
        }
        _ => {}
    }
    let Some(value) = value else {
        buf.push(&format!("{expr} IS NOT NULL"));
        return (buf, false);
    };
    match op {
        LookupOp::Eq | LookupOp::Ne => comparison(w, &mut buf, &expr, "=", value, kind),
        LookupOp::Lt => comparison(w, &mut buf, &expr, "<", value, kind),
        LookupOp::Le => comparison(w, &mut buf, &expr, "<=", value, kind),
        LookupOp::Gt => comparison(w, &mut buf, &expr, ">", value, kind),
        LookupOp::Ge => comparison(w, &mut buf, &expr, ">=", value, kind),
        LookupOp::In | LookupOp::NotIn => {
            let mut list = SqlBuf::new();
            if in_list(w, &mut list, value, kind) {
                buf.push(&format!("{expr} IN ("));
                buf.append(list);
                buf.push(")");
            } else {
                // `in []` matches nothing, as in Django.
                buf.push("1 = 0");
                return (buf, false);
            }
        }
        LookupOp::IExact => like(w, &mut buf, &expr, value, LikePattern::Exact, true),
        LookupOp::Contains => like(w, &mut buf, &expr, value, LikePattern::Contains, false),
        LookupOp::IContains => like(w, &mut buf, &expr, value, LikePattern::Contains, true),
        LookupOp::StartsWith => like(w, &mut buf, &expr, value, LikePattern::StartsWith, false),
        LookupOp::IStartsWith => like(w, &mut buf, &expr, value, LikePattern::StartsWith, true),
        LookupOp::EndsWith => like(w, &mut buf, &expr, value, LikePattern::EndsWith, false),
        LookupOp::IEndsWith => like(w, &mut buf, &expr, value, LikePattern::EndsWith, true),
        LookupOp::IsNull | LookupOp::IsNotNull => {}
    }
    (buf, nullable)
}

fn comparison(
    w: &mut Writer<'_>,
    buf: &mut SqlBuf,
    expr: &str,
    operator: &str,
    value: &Value,
    kind: ScalarKind,
) {
    buf.push(&format!("{expr} {operator} "));
    w.bind(buf, ParamValue::Value(value.clone()), kind);
}

/// `LIKE` with an escaped pattern. SQLite's `LIKE` ignores ASCII case
/// already (so `contains` does too, as Django documents); PostgreSQL
/// compares upper-cased text for the case-insensitive lookups.
fn like(
    w: &mut Writer<'_>,
    buf: &mut SqlBuf,
    expr: &str,
    value: &Value,
    pattern: LikePattern,
    ignore_case: bool,
) {
    let (sqlite, postgres) = if ignore_case {
        (
            format!("{expr} LIKE "),
            format!("UPPER({expr}) LIKE UPPER("),
        )
    } else {
        (format!("{expr} LIKE "), format!("{expr} LIKE "))
    };
    buf.dialect(&sqlite, &postgres);
    let param = ParamValue::Pattern {
        value: value.clone(),
        pattern,
    };
    w.bind(buf, param, ScalarKind::Text);
    if ignore_case {
        buf.dialect("", ")");
    }
    buf.push(" ESCAPE '\\'");
}

/// The list of an `in`: bound values, or a subquery giving keys. False
/// when the list is empty.
fn in_list(w: &mut Writer<'_>, buf: &mut SqlBuf, value: &Value, kind: ScalarKind) -> bool {
    match &value.kind {
        ValueKind::List(items) => {
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    buf.push(", ");
                }
                w.bind(buf, ParamValue::Value(item.clone()), kind);
            }
            !items.is_empty()
        }
        ValueKind::Object(path) => {
            let key = object_value(
                path.model,
                ValueKind::Object(FieldPath {
                    model: path.model,
                    steps: Vec::new(),
                    span: path.span,
                }),
                value,
            );
            relation_subquery(w, buf, path, key);
            true
        }
        ValueKind::Context { name, path } => {
            let entry = w.context.iter().find(|entry| entry.name == *name).cloned();
            match (entry, path) {
                (Some(_), Some(path)) => {
                    let key = object_value(
                        path.model,
                        ValueKind::Context {
                            name: name.clone(),
                            path: None,
                        },
                        value,
                    );
                    relation_subquery(w, buf, path, key);
                    true
                }
                (Some(entry), None) => match &entry.value {
                    ContextValue::Query(query) => {
                        key_subquery(w, buf, query);
                        true
                    }
                    ContextValue::Value(inner) => in_list(w, buf, inner, kind),
                },
                (None, _) => {
                    w.bind(buf, ParamValue::Value(value.clone()), kind);
                    true
                }
            }
        }
        _ => {
            w.bind(buf, ParamValue::Value(value.clone()), kind);
            true
        }
    }
}

/// The object a relation path starts from, as a value (bound as its key).
fn object_value(model: ModelId, kind: ValueKind, like: &Value) -> Value {
    Value {
        kind,
        ty: Type::Object(model),
        span: like.span,
    }
}

/// `SELECT <key of the related rows> FROM <the object's table> … WHERE
/// <its key> = ?`: the rows `path` reaches from one object, for `in`.
fn relation_subquery(w: &mut Writer<'_>, buf: &mut SqlBuf, path: &FieldPath, object: Value) {
    let project = w.project;
    if let [step] = path.steps.as_slice()
        && let Some((select, from, key)) = direct_relation(w, path.model, step.kind)
    {
        buf.push(&format!("SELECT {select} FROM {from} WHERE {key} = "));
        let kind = ScalarKind::of_key(project, path.model);
        w.bind(buf, ParamValue::Value(object), kind);
        return;
    }
    let root = w.alias();
    let mut from = table_as(project, path.model, &root);
    let mut at = (root.clone(), path.model);
    for step in &path.steps {
        let Some(target) = project.step_target(step.kind) else {
            break;
        };
        let alias = w.alias();
        let (near_alias, near_model) = at.clone();
        match step.kind {
            StepKind::Field(id) => {
                let field = project.field(id);
                match &field.ty {
                    FieldType::ManyToMany(relation) => {
                        let join = w.alias();
                        let (source, dest) = join_columns(project, near_model, relation.target);
                        from.push_str(&format!(
                            " INNER JOIN {} AS {} ON {} = {} INNER JOIN {} ON {} = {}",
                            quote(&relation.table),
                            quote(&join),
                            column(&join, &source),
                            pk_column(project, &near_alias, near_model),
                            table_as(project, target, &alias),
                            pk_column(project, &alias, target),
                            column(&join, &dest),
                        ));
                    }
                    _ => from.push_str(&format!(
                        " INNER JOIN {} ON {} = {}",
                        table_as(project, target, &alias),
                        pk_column(project, &alias, target),
                        column(&near_alias, field.column.as_deref().unwrap_or_default()),
                    )),
                }
            }
            StepKind::Reverse(id) => {
                let forward = project.field(project.reverse(id).field);
                match &forward.ty {
                    FieldType::ManyToMany(relation) => {
                        let join = w.alias();
                        let (source, dest) = join_columns(project, target, relation.target);
                        from.push_str(&format!(
                            " INNER JOIN {} AS {} ON {} = {} INNER JOIN {} ON {} = {}",
                            quote(&relation.table),
                            quote(&join),
                            column(&join, &dest),
                            pk_column(project, &near_alias, near_model),
                            table_as(project, target, &alias),
                            pk_column(project, &alias, target),
                            column(&join, &source),
                        ));
                    }
                    _ => from.push_str(&format!(
                        " INNER JOIN {} ON {} = {}",
                        table_as(project, target, &alias),
                        column(&alias, forward.column.as_deref().unwrap_or_default()),
                        pk_column(project, &near_alias, near_model),
                    )),
                }
            }
        }
        at = (alias, target);
    }
    buf.push("SELECT ");
    buf.push(&pk_column(project, &at.0, at.1));
    buf.push(" FROM ");
    buf.push(&from);
    buf.push(" WHERE ");
    buf.push(&pk_column(project, &root, path.model));
    buf.push(" = ");
    let kind = ScalarKind::of_key(project, path.model);
    w.bind(buf, ParamValue::Value(object), kind);
}

/// For one many-relation step from `model`: the related keys, the table
/// holding them and the column referring to the object — without joining
/// the related table (`SELECT "tag_id" FROM "blog_post_tags" WHERE "post_id" = ?`).
fn direct_relation(
    w: &mut Writer<'_>,
    model: ModelId,
    step: StepKind,
) -> Option<(String, String, String)> {
    let project = w.project;
    let target = project.step_target(step)?;
    let alias = w.alias();
    match step {
        StepKind::Field(id) => {
            let FieldType::ManyToMany(relation) = &project.field(id).ty else {
                return None;
            };
            let (source, dest) = join_columns(project, model, relation.target);
            let from = format!("{} AS {}", quote(&relation.table), quote(&alias));
            Some((column(&alias, &dest), from, column(&alias, &source)))
        }
        StepKind::Reverse(id) => {
            let reverse = project.reverse(id);
            let forward = project.field(reverse.field);
            match &forward.ty {
                FieldType::ManyToMany(relation) => {
                    let (source, dest) = join_columns(project, target, relation.target);
                    let from = format!("{} AS {}", quote(&relation.table), quote(&alias));
                    Some((column(&alias, &source), from, column(&alias, &dest)))
                }
                _ => Some((
                    pk_column(project, &alias, target),
                    table_as(project, target, &alias),
                    column(&alias, forward.column.as_deref()?),
                )),
            }
        }
    }
}
