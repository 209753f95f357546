//! Typed queries → SELECT statements.
//!
//! Input: an [`ir::Query`], the [`FetchPlan`] of relations to load with its
//! rows, the context entries of its view (a condition may name an earlier
//! entry), and a [`QueryPurpose`]. Output: a [`CompiledQuery`]: the main
//! statement (rows, a count or an existence test), the count statement of
//! a paginated list, and the [`Layout`] of the selected columns with the
//! batched statements of its many relations.

use super::condition::{self, Negation};
use super::plan::FetchPlan;
use super::text::SqlBuf;
use super::{Dialect, Param, ParamValue, ScalarKind, Statement, quote};
use crate::check::ir::{
    ContextEntry, FieldId, FieldType, ModelId, Order, Project, Query, ReverseKind, Shape, StepKind,
};

/// What the rows of a query are for; it decides the `LIMIT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryPurpose {
    /// The rows as written (a list, a context entry).
    Rows,
    /// One page of a paginated list: `LIMIT` and `OFFSET` bound per request
    /// ([`ParamValue::PageLimit`], [`ParamValue::PageOffset`]; the offset
    /// includes the query's own slice start), and a count statement.
    Page,
    /// The object of a detail view: at most two rows, so that one row can
    /// be told from several (Django's `MultipleObjectsReturned`).
    Get,
}

/// A query compiled to statements.
#[derive(Clone, Debug)]
pub struct CompiledQuery {
    /// The model queried.
    pub model: ModelId,
    /// What the main statement gives.
    pub shape: Shape,
    /// Rows (for `Many`, `One`, `Optional`), one `COUNT(*)` (for `Count`) or
    /// one boolean (for `Bool`).
    pub main: Statement,
    /// For [`QueryPurpose::Page`]: the number of rows of the whole list.
    pub count: Option<Statement>,
    /// How to decode the main statement's rows; `None` for counts and booleans.
    pub layout: Option<Layout>,
}

impl CompiledQuery {
    /// The number of statements one run executes, whatever the data.
    pub fn statement_count(&self) -> usize {
        1 + usize::from(self.count.is_some())
            + self.layout.as_ref().map_or(0, Layout::prefetch_count)
    }
}

/// Where a model's columns are in a row, and the relations loaded with it.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The model.
    pub model: ModelId,
    /// The index of the model's first column; its columns follow in
    /// [`model_columns`] order.
    pub offset: usize,
    /// Single-valued relations, joined into the same row.
    pub joined: Vec<(StepKind, Layout)>,
    /// Many relations, each loaded by one batched statement.
    pub prefetched: Vec<Prefetch>,
}

impl Layout {
    /// The number of batched statements under this layout.
    pub fn prefetch_count(&self) -> usize {
        let joined: usize = self.joined.iter().map(|(_, l)| l.prefetch_count()).sum();
        let prefetched: usize = self
            .prefetched
            .iter()
            .map(|p| 1 + p.layout.prefetch_count())
            .sum();
        joined + prefetched
    }
}

/// A many relation loaded for a set of parent rows with one statement.
#[derive(Clone, Debug)]
pub struct Prefetch {
    /// The relation, from the parent's model.
    pub step: StepKind,
    /// The statement; its only parameter is [`ParamValue::ParentKeys`].
    /// Column 0 of each row is the parent's key; the related row follows.
    pub statement: Statement,
    /// The kind of the parent's key (column 0).
    pub key_kind: ScalarKind,
    /// The related rows' layout (offset 1).
    pub layout: Layout,
}

/// The fields of a model that are columns of its table, in order
/// (many-to-many fields have none).
pub fn model_columns(project: &Project, model: ModelId) -> Vec<FieldId> {
    project
        .model(model)
        .fields
        .iter()
        .enumerate()
        .filter(|(_, field)| field.column.is_some())
        .map(|(index, _)| FieldId {
            model,
            index: index as u32,
        })
        .collect()
}

/// Compiles `query` with the relations of `plan`.
pub fn compile_query(
    project: &Project,
    query: &Query,
    plan: &FetchPlan,
    context: &[ContextEntry],
    purpose: QueryPurpose,
) -> CompiledQuery {
    let main = match query.shape {
        Shape::Count => None,
        Shape::Bool => None,
        Shape::Many | Shape::One | Shape::Optional => {
            Some(rows_statement(project, query, plan, context, purpose))
        }
    };
    let (main, layout) = match main {
        Some((statement, layout)) => (statement, Some(layout)),
        None if query.shape == Shape::Count => (count_statement(project, query, context), None),
        None => (exists_statement(project, query, context), None),
    };
    let count = (purpose == QueryPurpose::Page && query.shape == Shape::Many)
        .then(|| count_statement(project, query, context));
    CompiledQuery {
        model: query.model,
        shape: query.shape,
        main,
        count,
        layout,
    }
}

// ── the writer ──────────────────────────────────────────────────────────────

/// The state of one statement being written: parameters and aliases.
pub(super) struct Writer<'p> {
    pub(super) project: &'p Project,
    pub(super) context: &'p [ContextEntry],
    params: Vec<Param>,
    next_alias: usize,
}

impl<'p> Writer<'p> {
    pub(super) fn new(project: &'p Project, context: &'p [ContextEntry]) -> Writer<'p> {
        Writer {
            project,
            context,
            params: Vec::new(),
            next_alias: 0,
        }
    }

    /// A fresh table alias: `t0`, `t1`, …
    pub(super) fn alias(&mut self) -> String {
        let alias = format!("t{}", self.next_alias);
        self.next_alias += 1;
        alias
    }

    /// Adds a parameter and writes its placeholder.
    pub(super) fn bind(&mut self, buf: &mut SqlBuf, value: ParamValue, kind: ScalarKind) {
        buf.param(self.params.len());
        self.params.push(Param { value, kind });
    }

    fn finish(self, buf: &SqlBuf) -> Statement {
        Statement {
            sqlite: buf.render(Dialect::Sqlite),
            postgres: buf.render(Dialect::Postgres),
            params: self.params,
        }
    }
}

/// `"alias"."column"`
pub(super) fn column(alias: &str, name: &str) -> String {
    format!("{}.{}", quote(alias), quote(name))
}

/// The primary key column of `model` under `alias`.
pub(super) fn pk_column(project: &Project, alias: &str, model: ModelId) -> String {
    column(alias, key_column_name(project, model))
}

/// The name of a model's primary key column.
pub(super) fn key_column_name(project: &Project, model: ModelId) -> &str {
    project.model(model).pk().column.as_deref().unwrap_or("id")
}

/// `"table" AS "alias"`
pub(super) fn table_as(project: &Project, model: ModelId, alias: &str) -> String {
    format!("{} AS {}", quote(&project.model(model).table), quote(alias))
}

// ── joins ───────────────────────────────────────────────────────────────────

/// The single-valued relations joined into one `FROM`, by path from its root.
pub(super) struct Joins {
    root_alias: String,
    root_model: ModelId,
    entries: Vec<Join>,
}

struct Join {
    path: Vec<StepKind>,
    alias: String,
    model: ModelId,
    nullable: bool,
    clause: String,
}

/// Where a joined path ends: the alias, its model, and whether the join
/// may give NULLs (a nullable relation or a reverse one-to-one on the way).
#[derive(Clone, Debug)]
pub(super) struct Joined {
    pub(super) alias: String,
    pub(super) model: ModelId,
    pub(super) nullable: bool,
}

impl Joins {
    pub(super) fn new(root_alias: String, root_model: ModelId) -> Joins {
        Joins {
            root_alias,
            root_model,
            entries: Vec::new(),
        }
    }

    /// The root of the `FROM`.
    pub(super) fn root(&self) -> Joined {
        Joined {
            alias: self.root_alias.clone(),
            model: self.root_model,
            nullable: false,
        }
    }

    /// The alias reached by `path` (single-valued relation steps only),
    /// joining what is missing; `None` if a step is not single-valued.
    pub(super) fn resolve(&mut self, w: &mut Writer<'_>, path: &[StepKind]) -> Option<Joined> {
        let mut at = self.root();
        for end in 1..=path.len() {
            let prefix = &path[..end];
            if let Some(join) = self.entries.iter().find(|j| j.path == prefix) {
                at = Joined {
                    alias: join.alias.clone(),
                    model: join.model,
                    nullable: join.nullable,
                };
                continue;
            }
            let step = prefix[end - 1];
            let alias = w.alias();
            let project = w.project;
            let (model, nullable, clause) = match step {
                StepKind::Field(id) => {
                    let field = project.field(id);
                    let target = match &field.ty {
                        FieldType::ForeignKey(r) | FieldType::OneToOne(r) => r.target,
                        _ => return None,
                    };
                    let nullable = at.nullable || field.null;
                    let kind = if nullable { "LEFT" } else { "INNER" };
                    let clause = format!(
                        " {kind} JOIN {} ON {} = {}",
                        table_as(project, target, &alias),
                        pk_column(project, &alias, target),
                        column(&at.alias, field.column.as_deref()?),
                    );
                    (target, nullable, clause)
                }
                StepKind::Reverse(id) => {
                    let reverse = project.reverse(id);
                    if reverse.kind != ReverseKind::One {
                        return None;
                    }
                    let forward = project.field(reverse.field);
                    let clause = format!(
                        " LEFT JOIN {} ON {} = {}",
                        table_as(project, reverse.model, &alias),
                        column(&alias, forward.column.as_deref()?),
                        pk_column(project, &at.alias, at.model),
                    );
                    (reverse.model, true, clause)
                }
            };
            self.entries.push(Join {
                path: prefix.to_vec(),
                alias: alias.clone(),
                model,
                nullable,
                clause,
            });
            at = Joined {
                alias,
                model,
                nullable,
            };
        }
        Some(at)
    }

    /// The join clauses, in the order they were made.
    pub(super) fn clauses(&self) -> String {
        self.entries.iter().map(|j| j.clause.as_str()).collect()
    }
}

// ── statements ──────────────────────────────────────────────────────────────

/// The parts every statement over a query shares: `FROM`, joins, `WHERE`.
struct Body {
    joins: Joins,
    condition: Option<SqlBuf>,
}

/// Compiles the filters of `query` over the alias `t0`-style root.
fn body(w: &mut Writer<'_>, query: &Query, root_alias: String) -> Body {
    let mut joins = Joins::new(root_alias, query.model);
    let mut parts = Vec::new();
    for filter in &query.filters {
        let (buf, nullable) = condition::condition(w, &mut joins, &filter.condition);
        parts.push(if filter.exclude {
            condition::negate(buf, Negation::of(nullable))
        } else {
            buf
        });
    }
    Body {
        joins,
        condition: condition::and(parts),
    }
}

fn write_from(w: &Writer<'_>, buf: &mut SqlBuf, model: ModelId, body: &Body) {
    buf.push(" FROM ");
    buf.push(&table_as(w.project, model, &body.joins.root_alias));
    buf.push(&body.joins.clauses());
    if let Some(condition) = &body.condition {
        buf.push(" WHERE ");
        buf.append(condition.clone());
    }
}

/// The `ORDER BY` terms of a query (its own, or its model's ordering),
/// with `pk` when `first()` needs an order and there is none.
fn order_by(w: &mut Writer<'_>, joins: &mut Joins, query: &Query) -> Vec<String> {
    let terms: &[Order] = match &query.order_by {
        Some(terms) => terms,
        None => &w.project.model(query.model).ordering,
    };
    let mut out = Vec::new();
    for term in terms {
        let steps: Vec<StepKind> = term.path.steps.iter().map(|s| s.kind).collect();
        expand_order(w, joins, &steps, term.descending, &mut out, 0);
    }
    if out.is_empty() && query.shape == Shape::Optional {
        // Django's `first()` orders an unordered query by primary key.
        out.push(format!(
            "{} ASC",
            pk_column(w.project, &joins.root_alias, query.model)
        ));
    }
    out
}

/// Writes one ordering term; a relation orders by its model's ordering
/// (direction flipped for `-relation`), or by its key if it has none.
pub(super) fn expand_order(
    w: &mut Writer<'_>,
    joins: &mut Joins,
    steps: &[StepKind],
    descending: bool,
    out: &mut Vec<String>,
    depth: usize,
) {
    let Some((&last, prefix)) = steps.split_last() else {
        return;
    };
    let Some(at) = joins.resolve(w, prefix) else {
        return;
    };
    let direction = if descending { "DESC" } else { "ASC" };
    let StepKind::Field(id) = last else {
        return;
    };
    let field = w.project.field(id);
    let Some(name) = field.column.as_deref() else {
        return;
    };
    let target = match &field.ty {
        FieldType::ForeignKey(r) | FieldType::OneToOne(r) => Some(r.target),
        _ => None,
    };
    let ordering = target.map(|t| &w.project.model(t).ordering);
    match ordering {
        Some(ordering) if !ordering.is_empty() && depth <= w.project.models.len() => {
            for term in ordering {
                let mut longer = steps.to_vec();
                longer.extend(term.path.steps.iter().map(|s| s.kind));
                expand_order(
                    w,
                    joins,
                    &longer,
                    descending != term.descending,
                    out,
                    depth + 1,
                );
            }
        }
        _ => out.push(format!("{} {direction}", column(&at.alias, name))),
    }
}

/// `LIMIT` / `OFFSET` with bound values.
fn write_limit(
    w: &mut Writer<'_>,
    buf: &mut SqlBuf,
    limit: Option<ParamValue>,
    offset: Option<ParamValue>,
) {
    match (limit, offset) {
        (Some(limit), offset) => {
            buf.push(" LIMIT ");
            w.bind(buf, limit, ScalarKind::Int);
            if let Some(offset) = offset {
                buf.push(" OFFSET ");
                w.bind(buf, offset, ScalarKind::Int);
            }
        }
        (None, Some(offset)) => {
            // SQLite has no OFFSET without LIMIT; -1 means no limit.
            buf.dialect(" LIMIT -1 OFFSET ", " OFFSET ");
            w.bind(buf, offset, ScalarKind::Int);
        }
        (None, None) => {}
    }
}

/// The `LIMIT` and `OFFSET` of a query's slice, narrowed to `at_most` rows.
fn slice_limits(query: &Query, at_most: Option<u64>) -> (Option<ParamValue>, Option<ParamValue>) {
    let (start, end) = match query.slice {
        Some(slice) => (slice.start, slice.end),
        None => (0, None),
    };
    let count = end.map(|end| end.saturating_sub(start));
    let limit = match (count, at_most) {
        (Some(count), Some(most)) => Some(count.min(most)),
        (count, most) => count.or(most),
    };
    let as_param = |n: u64| ParamValue::Int(i64::try_from(n).unwrap_or(i64::MAX));
    (limit.map(as_param), (start > 0).then(|| as_param(start)))
}

fn rows_statement(
    project: &Project,
    query: &Query,
    plan: &FetchPlan,
    context: &[ContextEntry],
    purpose: QueryPurpose,
) -> (Statement, Layout) {
    let mut w = Writer::new(project, context);
    let root = w.alias();
    let mut body = body(&mut w, query, root.clone());
    let mut columns = Vec::new();
    let layout = select_object(
        &mut w,
        &mut body.joins,
        &[],
        query.model,
        plan,
        &mut columns,
    );
    // Django's `get()` drops the ordering: one row has no order.
    let unordered = purpose == QueryPurpose::Get && query.slice.is_none();
    let order = if unordered {
        Vec::new()
    } else {
        order_by(&mut w, &mut body.joins, query)
    };
    let mut buf = SqlBuf::new();
    buf.push("SELECT ");
    buf.push(&columns.join(", "));
    write_from(&w, &mut buf, query.model, &body);
    if !order.is_empty() {
        buf.push(" ORDER BY ");
        buf.push(&order.join(", "));
    }
    let (limit, offset) = match (purpose, query.shape) {
        (_, Shape::One | Shape::Optional) => slice_limits(query, Some(1)),
        (QueryPurpose::Get, _) => slice_limits(query, Some(2)),
        (QueryPurpose::Page, _) => (Some(ParamValue::PageLimit), Some(ParamValue::PageOffset)),
        (QueryPurpose::Rows, _) => slice_limits(query, None),
    };
    write_limit(&mut w, &mut buf, limit, offset);
    (w.finish(&buf), layout)
}

/// The select list of `model` at `path` (from the root) and of the relations
/// `plan` loads: joined columns for single-valued relations, batched
/// statements for many relations.
fn select_object(
    w: &mut Writer<'_>,
    joins: &mut Joins,
    path: &[StepKind],
    model: ModelId,
    plan: &FetchPlan,
    columns: &mut Vec<String>,
) -> Layout {
    let project = w.project;
    let at = joins.resolve(w, path).unwrap_or_else(|| joins.root());
    let offset = columns.len();
    for id in model_columns(project, model) {
        let name = project.field(id).column.as_deref().unwrap_or_default();
        columns.push(column(&at.alias, name));
    }
    let mut layout = Layout {
        model,
        offset,
        joined: Vec::new(),
        prefetched: Vec::new(),
    };
    for (step, child) in &plan.relations {
        let Some(target) = project.step_target(*step) else {
            continue;
        };
        if project.step_is_many(*step) {
            layout
                .prefetched
                .push(prefetch(project, model, *step, target, child));
        } else {
            let mut longer = path.to_vec();
            longer.push(*step);
            let joined = select_object(w, joins, &longer, target, child, columns);
            layout.joined.push((*step, joined));
        }
    }
    layout
}

/// The batched statement of a many relation from `parent`.
fn prefetch(
    project: &Project,
    parent: ModelId,
    step: StepKind,
    target: ModelId,
    plan: &FetchPlan,
) -> Prefetch {
    let mut w = Writer::new(project, &[]);
    let root = w.alias();
    let key_kind = ScalarKind::of_key(project, parent);
    // The parent's key as seen from the related rows, and the join table.
    let (key, through) = match step {
        StepKind::Field(id) => {
            let FieldType::ManyToMany(relation) = &project.field(id).ty else {
                unreachable!("a many step that is a field is a many-to-many field")
            };
            let join = w.alias();
            let (source, dest) = join_columns(project, parent, relation.target);
            let through = format!(
                " INNER JOIN {} AS {} ON {} = {}",
                quote(&relation.table),
                quote(&join),
                column(&join, &dest),
                pk_column(project, &root, target),
            );
            (column(&join, &source), through)
        }
        StepKind::Reverse(id) => {
            let reverse = project.reverse(id);
            let forward = project.field(reverse.field);
            match &forward.ty {
                FieldType::ManyToMany(relation) => {
                    let join = w.alias();
                    let (source, dest) = join_columns(project, reverse.model, relation.target);
                    let through = format!(
                        " INNER JOIN {} AS {} ON {} = {}",
                        quote(&relation.table),
                        quote(&join),
                        column(&join, &source),
                        pk_column(project, &root, target),
                    );
                    (column(&join, &dest), through)
                }
                _ => (
                    column(&root, forward.column.as_deref().unwrap_or_default()),
                    String::new(),
                ),
            }
        }
    };
    let mut joins = Joins::new(root.clone(), target);
    let mut columns = vec![key.clone()];
    let layout = select_object(&mut w, &mut joins, &[], target, plan, &mut columns);
    let mut order = Vec::new();
    for term in &project.model(target).ordering {
        let steps: Vec<StepKind> = term.path.steps.iter().map(|s| s.kind).collect();
        expand_order(&mut w, &mut joins, &steps, term.descending, &mut order, 0);
    }
    let mut buf = SqlBuf::new();
    buf.push("SELECT ");
    buf.push(&columns.join(", "));
    buf.push(" FROM ");
    buf.push(&table_as(project, target, &root));
    buf.push(&through);
    buf.push(&joins.clauses());
    buf.push(" WHERE ");
    buf.push(&key);
    buf.push(" IN ");
    write_key_list(&mut w, &mut buf, key_kind);
    if !order.is_empty() {
        buf.push(" ORDER BY ");
        buf.push(&order.join(", "));
    }
    Prefetch {
        step,
        statement: w.finish(&buf),
        key_kind,
        layout,
    }
}

/// `(SELECT value FROM json_each(?1))`: the keys of a JSON array parameter.
fn write_key_list(w: &mut Writer<'_>, buf: &mut SqlBuf, kind: ScalarKind) {
    buf.dialect(
        "(SELECT value FROM json_each(",
        &format!(
            "(SELECT value{} FROM jsonb_array_elements_text(",
            kind.postgres_cast()
        ),
    );
    w.bind(buf, ParamValue::ParentKeys, ScalarKind::Json);
    buf.dialect("))", "::jsonb))");
}

/// The two key columns of a many-to-many join table from `source` to
/// `target`: `<source>_id` and `<target>_id`, or `from_…` and `to_…` when a
/// model relates to itself (Django's names).
pub fn join_columns(project: &Project, source: ModelId, target: ModelId) -> (String, String) {
    let source_name = project.model(source).name.to_lowercase();
    let target_name = project.model(target).name.to_lowercase();
    if source == target {
        (
            format!("from_{source_name}_id"),
            format!("to_{target_name}_id"),
        )
    } else {
        (format!("{source_name}_id"), format!("{target_name}_id"))
    }
}

fn count_statement(project: &Project, query: &Query, context: &[ContextEntry]) -> Statement {
    let mut w = Writer::new(project, context);
    let root = w.alias();
    let mut body = body(&mut w, query, root);
    let mut buf = SqlBuf::new();
    if query.slice.is_some() {
        let order = order_by(&mut w, &mut body.joins, query);
        buf.push("SELECT COUNT(*) FROM (SELECT 1");
        write_from(&w, &mut buf, query.model, &body);
        if !order.is_empty() {
            buf.push(" ORDER BY ");
            buf.push(&order.join(", "));
        }
        let (limit, offset) = slice_limits(query, None);
        write_limit(&mut w, &mut buf, limit, offset);
        buf.push(") AS \"counted\"");
    } else {
        buf.push("SELECT COUNT(*)");
        write_from(&w, &mut buf, query.model, &body);
    }
    w.finish(&buf)
}

fn exists_statement(project: &Project, query: &Query, context: &[ContextEntry]) -> Statement {
    let mut w = Writer::new(project, context);
    let root = w.alias();
    let mut body = body(&mut w, query, root);
    let mut buf = SqlBuf::new();
    buf.push("SELECT EXISTS (SELECT 1");
    write_from(&w, &mut buf, query.model, &body);
    if query.slice.is_some() {
        let order = order_by(&mut w, &mut body.joins, query);
        if !order.is_empty() {
            buf.push(" ORDER BY ");
            buf.push(&order.join(", "));
        }
        let (limit, offset) = slice_limits(query, None);
        write_limit(&mut w, &mut buf, limit, offset);
    }
    buf.push(")");
    w.finish(&buf)
}

/// Writes `SELECT <key> FROM … WHERE …` for a query used as the list of
/// an `in` lookup (its rows' primary keys).
pub(super) fn key_subquery(w: &mut Writer<'_>, buf: &mut SqlBuf, query: &Query) {
    let root = w.alias();
    let mut body = body(w, query, root.clone());
    buf.push("SELECT ");
    buf.push(&pk_column(w.project, &root, query.model));
    write_from(w, buf, query.model, &body);
    if query.slice.is_some() {
        let order = order_by(w, &mut body.joins, query);
        if !order.is_empty() {
            buf.push(" ORDER BY ");
            buf.push(&order.join(", "));
        }
        let (limit, offset) = slice_limits(query, None);
        write_limit(w, buf, limit, offset);
    }
}
