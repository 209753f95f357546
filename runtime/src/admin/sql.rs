//! The admin's SQL, built at run time from the static spec.
//!
//! Input: a [`ModelAdmin`] or [`ModelInfo`], what a request asks for
//! (search terms, filters, a sort column, a page) already parsed into
//! [`Value`]s, and the database's [`Dialect`]. Output: [`Statement`]s —
//! text plus bound parameters — and the layout to read their rows with.
//!
//! The rules that keep this safe: identifiers (tables, columns) come only
//! from the spec and are always quoted; every value that comes from a
//! request is a bound parameter (`?N` on SQLite, `$N` on PostgreSQL), never
//! part of the text. Search terms become `LIKE` patterns with `%`, `_` and
//! `\` escaped (`ESCAPE '\'`), compared in upper case on PostgreSQL (SQLite's
//! `LIKE` already ignores ASCII case), as the compiler's `icontains` does.
//!
//! Relations: foreign keys are `LEFT JOIN`ed once each (aliases `t0`, `t1`,
//! …); a path that crosses a many relation (many-to-many, reverse foreign
//! key) becomes an `EXISTS (…)` subquery, so rows are never duplicated.
//! Lists of keys (the selected rows of an action, the rows of a page whose
//! many-to-many column is shown) are bound as one JSON array, so the text
//! does not depend on how many there are.
//!
//! The database layer takes statement text as `&'static str`, so each
//! distinct text is kept once for the life of the process ([`to_sql`]);
//! the number of distinct texts is bounded by the spec (filters, columns,
//! at most [`MAX_SEARCH_TERMS`] search terms), and a hard cap stops growth
//! in any case.

use std::collections::BTreeSet;
use std::sync::Mutex;

use crate::db::{DbError, Dialect, Row, Sql, Value};
use crate::error::HttpError;

use super::spec::{End, FieldKind, Hop, ModelAdmin, ModelInfo, Order, Path, Scalar, StrPart};
use super::values::{python_str, read_value};

/// Search terms beyond this many are ignored (each term is one more
/// condition in the statement's text).
pub const MAX_SEARCH_TERMS: usize = 10;

/// How deep a model's `str` follows relations whose `str` follows relations.
const MAX_STR_DEPTH: usize = 3;

/// The most distinct statement texts kept; past it, requests needing a new
/// text get a 503 rather than more memory.
const MAX_STATEMENTS: usize = 20_000;

/// Every statement text built so far.
static STATEMENTS: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

/// A statement: its text for one dialect and the values it binds.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The SQL text; placeholder `N` binds `params[N - 1]`.
    pub text: String,
    /// The bound values.
    pub params: Vec<Value>,
}

impl Statement {
    /// The text as the database layer takes it (see [`to_sql`]).
    pub fn sql(&self) -> Result<Sql, HttpError> {
        to_sql(&self.text)
    }
}

/// `text` as a [`Sql`] for the database layer, which only takes
/// `&'static str`: each distinct text is stored once and reused.
pub fn to_sql(text: &str) -> Result<Sql, HttpError> {
    let mut statements = STATEMENTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(&kept) = statements.get(text) {
        return Ok(Sql::portable(kept));
    }
    if statements.len() >= MAX_STATEMENTS {
        tracing::error!("the admin built {MAX_STATEMENTS} distinct statements; refusing new ones");
        return Err(HttpError::ServiceUnavailable(
            "the admin has built too many distinct statements".to_owned(),
        ));
    }
    let kept: &'static str = Box::leak(text.to_owned().into_boxed_str());
    statements.insert(kept);
    Ok(Sql::portable(kept))
}

/// `"name"`: an identifier from the spec, quoted for both dialects.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `"alias"."column"`
fn column(alias: &str, column: &str) -> String {
    format!("{}.{}", quote(alias), quote(column))
}

/// The placeholder of parameter `n` (1-based).
pub fn placeholder(dialect: Dialect, n: usize) -> String {
    match dialect {
        Dialect::Sqlite => format!("?{n}"),
        Dialect::Postgres => format!("${n}"),
    }
}

/// `LIKE` pattern for `icontains`: `%`, `_` and `\` escaped, then `%…%`.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Builds one statement: bound values, `LEFT JOIN`s, aliases.
#[derive(Debug)]
pub struct Builder {
    dialect: Dialect,
    params: Vec<Value>,
    joins: Vec<String>,
    join_keys: Vec<(String, &'static str, String)>,
    aliases: u32,
}

/// The alias of the statement's main table.
const ROOT: &str = "t0";

impl Builder {
    /// A statement for `dialect` whose main table is aliased `t0`.
    pub fn new(dialect: Dialect) -> Builder {
        Builder {
            dialect,
            params: Vec::new(),
            joins: Vec::new(),
            join_keys: Vec::new(),
            aliases: 1,
        }
    }

    fn alias(&mut self) -> String {
        let alias = format!("t{}", self.aliases);
        self.aliases += 1;
        alias
    }

    /// Binds `value`; its placeholder.
    pub fn bind(&mut self, value: Value) -> String {
        self.params.push(value);
        placeholder(self.dialect, self.params.len())
    }

    /// Binds a list of keys as one JSON array; the subquery giving them,
    /// typed as `scalar` on PostgreSQL.
    fn bind_keys(&mut self, keys: &[Value], scalar: Scalar) -> String {
        let array = serde_json::Value::Array(keys.iter().map(super::values::key_json).collect());
        let mark = self.bind(Value::Json(array));
        match self.dialect {
            Dialect::Sqlite => format!("(SELECT value FROM json_each({mark}))"),
            Dialect::Postgres => format!(
                "(SELECT value{} FROM jsonb_array_elements_text({mark}::jsonb))",
                postgres_cast(scalar)
            ),
        }
    }

    /// The alias of `target` joined through `parent`.`fk_column` (once per
    /// parent and column).
    fn forward(&mut self, parent: &str, fk_column: &'static str, target: &ModelInfo) -> String {
        if let Some((_, _, alias)) = self
            .join_keys
            .iter()
            .find(|(p, c, _)| p == parent && *c == fk_column)
        {
            return alias.clone();
        }
        let alias = self.alias();
        self.joins.push(format!(
            " LEFT JOIN {} AS {} ON {} = {}",
            quote(target.table),
            quote(&alias),
            column(&alias, target.pk_column()),
            column(parent, fk_column)
        ));
        self.join_keys
            .push((parent.to_owned(), fk_column, alias.clone()));
        alias
    }

    fn joins_text(&self, count: usize) -> String {
        self.joins[..count].concat()
    }

    /// A condition on what `path` designates from `root` (at `alias`):
    /// `test` gets the column expression (the last model's key for
    /// [`End::Object`]) and writes the comparison. Forward relations are
    /// joined; the rest of a path after a many relation is an `EXISTS`.
    fn path_condition(
        &mut self,
        alias: &str,
        root: &'static ModelInfo,
        path: &Path,
        test: &mut dyn FnMut(&mut Builder, &str) -> String,
    ) -> String {
        let mut alias = alias.to_owned();
        let mut model = root;
        let hops = path.hops;
        // A foreign key's own column holds the related key: no join needed.
        let direct_key = match (hops.last(), path.end) {
            (Some(Hop::Forward { column, .. }), End::Object) => Some(*column),
            _ => None,
        };
        let walked = if direct_key.is_some() {
            &hops[..hops.len() - 1]
        } else {
            hops
        };
        for (index, hop) in walked.iter().enumerate() {
            match hop {
                Hop::Forward { column, target } => {
                    alias = self.forward(&alias, column, target);
                    model = target;
                }
                many => {
                    let (from, link, mut inner, mut inner_model) =
                        self.many_from(&alias, model, many);
                    let mut joins = String::new();
                    for rest in &walked[index + 1..] {
                        let (next, next_model) =
                            self.inner_join(&mut joins, &inner, inner_model, rest);
                        inner = next;
                        inner_model = next_model;
                    }
                    let expr = match direct_key {
                        Some(fk) => column(&inner, fk),
                        None => end_expr(&inner, inner_model, path.end),
                    };
                    let condition = test(self, &expr);
                    return format!(
                        "EXISTS (SELECT 1 FROM {from}{joins} WHERE {link} AND {condition})"
                    );
                }
            }
        }
        let expr = match direct_key {
            Some(fk) => column(&alias, fk),
            None => end_expr(&alias, model, path.end),
        };
        test(self, &expr)
    }

    /// The `FROM` of a subquery starting with a many relation from `alias`
    /// (a row of `model`): the text, the condition linking it to the outer
    /// row, and the alias and model reached.
    fn many_from(
        &mut self,
        alias: &str,
        model: &'static ModelInfo,
        hop: &Hop,
    ) -> (String, String, String, &'static ModelInfo) {
        match hop {
            Hop::ManyToMany {
                table,
                near,
                far,
                target,
            } => {
                let link_alias = self.alias();
                let target_alias = self.alias();
                (
                    format!(
                        "{} AS {} INNER JOIN {} AS {} ON {} = {}",
                        quote(table),
                        quote(&link_alias),
                        quote(target.table),
                        quote(&target_alias),
                        column(&target_alias, target.pk_column()),
                        column(&link_alias, far)
                    ),
                    format!(
                        "{} = {}",
                        column(&link_alias, near),
                        column(alias, model.pk_column())
                    ),
                    target_alias,
                    target,
                )
            }
            Hop::Reverse { column: fk, target } => {
                let target_alias = self.alias();
                (
                    format!("{} AS {}", quote(target.table), quote(&target_alias)),
                    format!(
                        "{} = {}",
                        column(&target_alias, fk),
                        column(alias, model.pk_column())
                    ),
                    target_alias,
                    target,
                )
            }
            Hop::Forward { column: fk, target } => {
                let target_alias = self.alias();
                (
                    format!("{} AS {}", quote(target.table), quote(&target_alias)),
                    format!(
                        "{} = {}",
                        column(&target_alias, target.pk_column()),
                        column(alias, fk)
                    ),
                    target_alias,
                    target,
                )
            }
        }
    }

    /// Joins `hop` inside a subquery (`INNER JOIN`s appended to `joins`).
    fn inner_join(
        &mut self,
        joins: &mut String,
        alias: &str,
        model: &'static ModelInfo,
        hop: &Hop,
    ) -> (String, &'static ModelInfo) {
        let (from, link, target_alias, target) = self.many_from(alias, model, hop);
        joins.push_str(&format!(" INNER JOIN {from} ON {link}"));
        (target_alias, target)
    }

    /// Walks forward hops from `alias`, joining each; the alias and model
    /// reached. Many hops are not walked (the caller handles them).
    fn walk_forward(
        &mut self,
        alias: &str,
        model: &'static ModelInfo,
        hops: &[Hop],
    ) -> (String, &'static ModelInfo) {
        let mut alias = alias.to_owned();
        let mut model = model;
        for hop in hops {
            if let Hop::Forward { column, target } = hop {
                alias = self.forward(&alias, column, target);
                model = target;
            }
        }
        (alias, model)
    }

    /// Appends the columns of `model`'s `str` (the row at `alias`) to
    /// `select`, joining what its parts follow; read back with [`read_str`].
    pub fn select_str(&mut self, alias: &str, model: &'static ModelInfo, select: &mut Vec<String>) {
        self.str_parts(alias, model, model.str_parts, 0, select);
    }

    fn str_parts(
        &mut self,
        alias: &str,
        model: &'static ModelInfo,
        parts: &'static [StrPart],
        depth: usize,
        select: &mut Vec<String>,
    ) {
        for part in parts {
            let (index, rest) = match part {
                StrPart::Text(_) => continue,
                StrPart::Field(index) => (*index, None),
                StrPart::Through(index, rest) => (*index, Some(*rest)),
            };
            let Some(field) = model.fields.get(index) else {
                continue;
            };
            let Some(fk) = field.column else {
                continue;
            };
            select.push(column(alias, fk));
            if let FieldKind::ForeignKey(target) = field.kind
                && depth < MAX_STR_DEPTH
            {
                let joined = self.forward(alias, fk, target);
                let parts = rest.unwrap_or(target.str_parts);
                self.str_parts(&joined, target, parts, depth + 1, select);
            }
        }
    }

    /// Orders by `orders` on `model` at `alias` (flipped when `flip`).
    fn order_terms(
        &mut self,
        alias: &str,
        model: &'static ModelInfo,
        orders: &[Order],
        flip: bool,
        depth: usize,
        out: &mut Vec<String>,
    ) {
        for order in orders {
            if order.path.hops.iter().any(Hop::is_many) {
                continue;
            }
            let descending = order.descending != flip;
            self.order_path(alias, model, &order.path, descending, depth, out);
        }
    }

    /// Orders by what `path` designates: a column, or a related row by its
    /// model's ordering (its key without one).
    fn order_path(
        &mut self,
        alias: &str,
        model: &'static ModelInfo,
        path: &Path,
        descending: bool,
        depth: usize,
        out: &mut Vec<String>,
    ) {
        let (alias, model) = self.walk_forward(alias, model, path.hops);
        match path.end {
            End::Field(index) => {
                if let Some(fk) = model.fields.get(index).and_then(|f| f.column) {
                    out.push(order_text(&column(&alias, fk), descending));
                }
            }
            End::Object => {
                if model.ordering.is_empty() || depth >= MAX_STR_DEPTH {
                    out.push(order_text(&column(&alias, model.pk_column()), descending));
                } else {
                    self.order_terms(&alias, model, model.ordering, descending, depth + 1, out);
                }
            }
        }
    }

    fn finish(self, text: String) -> Statement {
        Statement {
            text,
            params: self.params,
        }
    }
}

fn order_text(expr: &str, descending: bool) -> String {
    if descending {
        format!("{expr} DESC")
    } else {
        format!("{expr} ASC")
    }
}

/// The column a path's end designates on the row at `alias`.
fn end_expr(alias: &str, model: &ModelInfo, end: End) -> String {
    match end {
        End::Field(index) => column(
            alias,
            model
                .fields
                .get(index)
                .and_then(|field| field.column)
                .unwrap_or(model.pk_column()),
        ),
        End::Object => column(alias, model.pk_column()),
    }
}

/// The PostgreSQL type a JSON array element is cast to for `scalar`.
fn postgres_cast(scalar: Scalar) -> &'static str {
    match scalar {
        Scalar::Int => "::bigint",
        Scalar::Uuid => "::uuid",
        Scalar::Date => "::date",
        Scalar::DateTime => "::timestamptz",
        Scalar::Decimal(_) => "::numeric",
        Scalar::Float => "::double precision",
        Scalar::Bool => "::boolean",
        Scalar::Text | Scalar::Json => "",
    }
}

/// Reads a model's `str` from `row` from column `*at` on, as
/// [`Builder::select_str`] selected it; `*at` moves past its columns.
pub fn read_str(model: &'static ModelInfo, row: &Row, at: &mut usize) -> Result<String, DbError> {
    let mut out = String::new();
    read_parts(model, model.str_parts, 0, row, at, &mut out, true)?;
    Ok(out)
}

fn read_parts(
    model: &'static ModelInfo,
    parts: &'static [StrPart],
    depth: usize,
    row: &Row,
    at: &mut usize,
    out: &mut String,
    emit: bool,
) -> Result<(), DbError> {
    for part in parts {
        let (index, rest) = match part {
            StrPart::Text(text) => {
                if emit {
                    out.push_str(text);
                }
                continue;
            }
            StrPart::Field(index) => (*index, None),
            StrPart::Through(index, rest) => (*index, Some(*rest)),
        };
        let Some(field) = model.fields.get(index) else {
            continue;
        };
        if field.column.is_none() {
            continue;
        }
        let value = read_value(row, *at, field.scalar)?;
        *at += 1;
        match field.kind {
            FieldKind::ForeignKey(target) if depth < MAX_STR_DEPTH => {
                let missing = value.is_null();
                if missing && emit {
                    out.push_str("None");
                }
                let parts = rest.unwrap_or(target.str_parts);
                read_parts(target, parts, depth + 1, row, at, out, emit && !missing)?;
            }
            _ => {
                if emit {
                    out.push_str(&python_str(&value));
                }
            }
        }
    }
    Ok(())
}

// ── the change list ─────────────────────────────────────────────────────────

/// A filter a request chose, with its values parsed.
#[derive(Clone, Debug, PartialEq)]
pub enum Chosen {
    /// `<param>__exact=value`: equal to the value (a related row's key).
    Exact {
        /// The index of the filter in `list_filter`.
        filter: usize,
        /// The value.
        value: Value,
    },
    /// `<param>__isnull=True|False`.
    IsNull {
        /// The index of the filter.
        filter: usize,
        /// True for "is empty".
        null: bool,
    },
    /// `<param>__gte=…&<param>__lt=…`: a range of dates.
    Range {
        /// The index of the filter.
        filter: usize,
        /// The lower bound, included.
        from: Option<Value>,
        /// The upper bound, excluded.
        until: Option<Value>,
    },
}

/// What a change list request asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListRequest {
    /// The search terms (already split, at most [`MAX_SEARCH_TERMS`]).
    pub terms: Vec<String>,
    /// The chosen filters.
    pub filters: Vec<Chosen>,
    /// Sorting by a column of `list_display` (its index) and whether descending.
    pub sort: Option<(usize, bool)>,
    /// Rows per page.
    pub limit: u64,
    /// Rows before the page.
    pub offset: u64,
}

/// How to read a change list cell from a row of [`ListStatements::select`].
#[derive(Clone, Copy, Debug)]
pub enum Cell {
    /// A field's value at column `at`.
    Value {
        /// The column.
        at: usize,
        /// The field of the model reached.
        field: &'static super::spec::Field,
    },
    /// A related row's (or the row's own) `str` from column `at` on; none
    /// when column `key_at` is NULL (a foreign key with no row).
    Str {
        /// The first column.
        at: usize,
        /// The column holding the related key.
        key_at: usize,
        /// The model whose `str` it is.
        model: &'static ModelInfo,
    },
    /// The `str`s of the rows a many relation reaches, fetched by
    /// [`many_statement`] for the keys in column `key_at`.
    Many {
        /// The column holding the key the relation starts from.
        key_at: usize,
        /// The relation.
        hop: &'static Hop,
        /// The model it starts from.
        source: &'static ModelInfo,
    },
}

/// The statements of one change list page.
#[derive(Clone, Debug)]
pub struct ListStatements {
    /// The number of rows matching the search and filters.
    pub count: Statement,
    /// The rows of the page: the key in column 0, then the cells' columns.
    pub select: Statement,
    /// How to read each `list_display` column (one cell for the row's
    /// `str` when there is no `list_display`).
    pub cells: Vec<Cell>,
}

/// The statements of a change list page of `admin` for `request`.
pub fn list_statements(
    admin: &ModelAdmin,
    request: &ListRequest,
    dialect: Dialect,
) -> ListStatements {
    let model = admin.model;
    let mut b = Builder::new(dialect);
    let mut conditions = Vec::new();
    for chosen in &request.filters {
        if let Some(condition) = filter_condition(&mut b, admin, chosen) {
            conditions.push(condition);
        }
    }
    for term in request.terms.iter().take(MAX_SEARCH_TERMS) {
        if admin.search.is_empty() {
            break;
        }
        let mark = b.bind(Value::Text(contains_pattern(term)));
        let mut any = Vec::new();
        for path in admin.search {
            let dialect = b.dialect;
            any.push(
                b.path_condition(ROOT, model, path, &mut |_, expr| match dialect {
                    Dialect::Sqlite => format!("{expr} LIKE {mark} ESCAPE '\\'"),
                    Dialect::Postgres => format!("UPPER({expr}) LIKE UPPER({mark}) ESCAPE '\\'"),
                }),
            );
        }
        conditions.push(format!("({})", any.join(" OR ")));
    }
    let where_text = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let where_joins = b.joins.len();
    let where_params = b.params.clone();
    let from = format!("{} AS {}", quote(model.table), quote(ROOT));
    let count_text = format!(
        "SELECT COUNT(*) FROM {from}{}{where_text}",
        b.joins_text(where_joins)
    );

    let mut select = vec![column(ROOT, model.pk_column())];
    let mut cells = Vec::new();
    if admin.list_display.is_empty() {
        let at = select.len();
        select.push(column(ROOT, model.pk_column()));
        let start = select.len();
        b.select_str(ROOT, model, &mut select);
        cells.push(Cell::Str {
            at: start,
            key_at: at,
            model,
        });
    }
    for display in admin.list_display {
        cells.push(display_cell(&mut b, model, &display.path, &mut select));
    }
    let mut order = Vec::new();
    if let Some((index, descending)) = request.sort
        && let Some(display) = admin.list_display.get(index)
        && sortable(&display.path)
    {
        b.order_path(ROOT, model, &display.path, descending, 0, &mut order);
    }
    let ordering = if admin.ordering.is_empty() {
        model.ordering
    } else {
        admin.ordering
    };
    b.order_terms(ROOT, model, ordering, false, 0, &mut order);
    let pk_order = order_text(&column(ROOT, model.pk_column()), true);
    let pk_ascending = order_text(&column(ROOT, model.pk_column()), false);
    if !order.contains(&pk_order) && !order.contains(&pk_ascending) {
        order.push(pk_order);
    }
    let limit = b.bind(Value::Int(i64::try_from(request.limit).unwrap_or(i64::MAX)));
    let offset = b.bind(Value::Int(
        i64::try_from(request.offset).unwrap_or(i64::MAX),
    ));
    let select_text = format!(
        "SELECT {} FROM {from}{}{where_text} ORDER BY {} LIMIT {limit} OFFSET {offset}",
        select.join(", "),
        b.joins_text(b.joins.len()),
        order.join(", ")
    );
    ListStatements {
        count: Statement {
            text: count_text,
            params: where_params,
        },
        select: b.finish(select_text),
        cells,
    }
}

/// Whether a change list column can be sorted by: a field or a related
/// row through foreign keys (not the row's own `str`, not a many relation).
pub fn sortable(path: &Path) -> bool {
    let own_str = path.hops.is_empty() && path.end == End::Object;
    !(own_str || path.hops.iter().any(Hop::is_many))
}

/// Selects what a `list_display` column shows.
fn display_cell(
    b: &mut Builder,
    model: &'static ModelInfo,
    path: &'static Path,
    select: &mut Vec<String>,
) -> Cell {
    let many_at = path.hops.iter().position(Hop::is_many);
    let forward = &path.hops[..many_at.unwrap_or(path.hops.len())];
    // The key column of the last forward relation, to tell "no row".
    let (mut alias, mut current) = (ROOT.to_owned(), model);
    let mut key_expr = column(ROOT, model.pk_column());
    for hop in forward {
        if let Hop::Forward { column: fk, target } = hop {
            key_expr = column(&alias, fk);
            alias = b.forward(&alias, fk, target);
            current = target;
        }
    }
    if let Some(index) = many_at {
        let key_at = select.len();
        select.push(column(&alias, current.pk_column()));
        return Cell::Many {
            key_at,
            hop: &path.hops[index],
            source: current,
        };
    }
    match path.end {
        End::Field(index) => {
            let at = select.len();
            select.push(end_expr(&alias, current, End::Field(index)));
            match current.fields.get(index) {
                Some(field) => Cell::Value { at, field },
                None => Cell::Value {
                    at,
                    field: current.pk_field(),
                },
            }
        }
        End::Object => {
            let key_at = select.len();
            select.push(key_expr);
            let at = select.len();
            b.select_str(&alias, current, select);
            Cell::Str {
                at,
                key_at,
                model: current,
            }
        }
    }
}

/// The condition of a chosen filter; `None` for a filter index out of range.
fn filter_condition(b: &mut Builder, admin: &ModelAdmin, chosen: &Chosen) -> Option<String> {
    let index = match chosen {
        Chosen::Exact { filter, .. }
        | Chosen::IsNull { filter, .. }
        | Chosen::Range { filter, .. } => *filter,
    };
    let filter = admin.list_filter.get(index)?;
    let condition = match chosen {
        Chosen::Exact { value, .. } => {
            let value = value.clone();
            b.path_condition(ROOT, admin.model, &filter.path, &mut |b, expr| {
                let mark = b.bind(value.clone());
                format!("{expr} = {mark}")
            })
        }
        Chosen::IsNull { null, .. } => {
            let test = if *null { "IS NULL" } else { "IS NOT NULL" };
            b.path_condition(ROOT, admin.model, &filter.path, &mut |_, expr| {
                format!("{expr} {test}")
            })
        }
        Chosen::Range { from, until, .. } => {
            if from.is_none() && until.is_none() {
                return None;
            }
            let (from, until) = (from.clone(), until.clone());
            b.path_condition(ROOT, admin.model, &filter.path, &mut |b, expr| {
                let mut parts = Vec::new();
                if let Some(from) = &from {
                    let mark = b.bind(from.clone());
                    parts.push(format!("{expr} >= {mark}"));
                }
                if let Some(until) = &until {
                    let mark = b.bind(until.clone());
                    parts.push(format!("{expr} < {mark}"));
                }
                parts.join(" AND ")
            })
        }
    };
    Some(condition)
}

/// The `str`s of the rows `hop` reaches from each of `keys` (rows of
/// `source`): the key in column 0, the `str` from column 1 on (read with
/// [`read_str`]), in the target's order.
pub fn many_statement(
    source: &'static ModelInfo,
    hop: &Hop,
    keys: &[Value],
    dialect: Dialect,
) -> Statement {
    let mut b = Builder::new(dialect);
    let target = hop.target();
    let scalar = source.pk_field().scalar;
    let (from, key) = match hop {
        Hop::ManyToMany {
            table, near, far, ..
        } => (
            format!(
                "{} AS {} INNER JOIN {} AS {} ON {} = {}",
                quote(table),
                quote("j"),
                quote(target.table),
                quote(ROOT),
                column(ROOT, target.pk_column()),
                column("j", far)
            ),
            column("j", near),
        ),
        Hop::Reverse { column: fk, .. } => (
            format!("{} AS {}", quote(target.table), quote(ROOT)),
            column(ROOT, fk),
        ),
        Hop::Forward { column: fk, .. } => (
            format!("{} AS {}", quote(target.table), quote(ROOT)),
            column(ROOT, fk),
        ),
    };
    let keys = b.bind_keys(keys, scalar);
    let mut select = vec![key.clone()];
    b.select_str(ROOT, target, &mut select);
    let mut order = Vec::new();
    b.order_terms(ROOT, target, target.ordering, false, 0, &mut order);
    order.push(order_text(&column(ROOT, target.pk_column()), false));
    let text = format!(
        "SELECT {} FROM {from}{} WHERE {key} IN {keys} ORDER BY {}",
        select.join(", "),
        b.joins_text(b.joins.len()),
        order.join(", ")
    );
    b.finish(text)
}

// ── objects, choices and writes ─────────────────────────────────────────────

/// Every row of `model` as `(key, str)` choices, in its order: the key in
/// column 0, the `str` from column 1 on.
pub fn choices_statement(model: &'static ModelInfo, dialect: Dialect) -> Statement {
    let mut b = Builder::new(dialect);
    let mut select = vec![column(ROOT, model.pk_column())];
    b.select_str(ROOT, model, &mut select);
    let mut order = Vec::new();
    b.order_terms(ROOT, model, model.ordering, false, 0, &mut order);
    order.push(order_text(&column(ROOT, model.pk_column()), false));
    let text = format!(
        "SELECT {} FROM {} AS {}{} ORDER BY {}",
        select.join(", "),
        quote(model.table),
        quote(ROOT),
        b.joins_text(b.joins.len()),
        order.join(", ")
    );
    b.finish(text)
}

/// The distinct values of a filter's field, at most 100 (for fields
/// without a fixed set of choices), smallest first.
pub fn distinct_statement(model: &'static ModelInfo, path: &Path, dialect: Dialect) -> Statement {
    let mut b = Builder::new(dialect);
    // Through a many relation: the values of the last model's column.
    let (alias, last, from) = if path.hops.iter().any(Hop::is_many) {
        let last = path.hops.last().map_or(model, Hop::target);
        (
            ROOT.to_owned(),
            last,
            format!("{} AS {}", quote(last.table), quote(ROOT)),
        )
    } else {
        let (alias, last) = b.walk_forward(ROOT, model, path.hops);
        (
            alias,
            last,
            format!("{} AS {}", quote(model.table), quote(ROOT)),
        )
    };
    let expr = end_expr(&alias, last, path.end);
    let text = format!(
        "SELECT DISTINCT {expr} FROM {from}{} WHERE {expr} IS NOT NULL ORDER BY {expr} LIMIT 100",
        b.joins_text(b.joins.len())
    );
    b.finish(text)
}

/// One row of `model` by key: its `str` from column 0 on, then the value of
/// every field with a column (in field order), then the `str` of the row
/// each foreign key of `related_strs` points at (by field index).
pub fn object_statement(
    model: &'static ModelInfo,
    key: Value,
    related_strs: &[usize],
    dialect: Dialect,
) -> Statement {
    let mut b = Builder::new(dialect);
    let mut select = Vec::new();
    b.select_str(ROOT, model, &mut select);
    for field in model.fields {
        if let Some(name) = field.column {
            select.push(column(ROOT, name));
        }
    }
    for &index in related_strs {
        if let Some(field) = model.fields.get(index)
            && let (Some(fk), FieldKind::ForeignKey(target)) = (field.column, &field.kind)
        {
            let alias = b.forward(ROOT, fk, target);
            b.select_str(&alias, target, &mut select);
        }
    }
    let mark = b.bind(key);
    let text = format!(
        "SELECT {} FROM {} AS {}{} WHERE {} = {mark}",
        select.join(", "),
        quote(model.table),
        quote(ROOT),
        b.joins_text(b.joins.len()),
        column(ROOT, model.pk_column())
    );
    b.finish(text)
}

/// One row of `model` by key, every column in field order (what the
/// generated hooks decode the model from).
pub fn row_statement(model: &ModelInfo, key: Value, dialect: Dialect) -> Statement {
    let mut b = Builder::new(dialect);
    let columns: Vec<String> = model
        .fields
        .iter()
        .filter_map(|field| field.column)
        .map(quote)
        .collect();
    let mark = b.bind(key);
    let text = format!(
        "SELECT {} FROM {} WHERE {} = {mark}",
        columns.join(", "),
        quote(model.table),
        quote(model.pk_column())
    );
    b.finish(text)
}

/// The rows of `model` whose keys are in `keys`: the key in column 0, the
/// `str` from column 1 on, in the model's order.
pub fn objects_statement(model: &'static ModelInfo, keys: &[Value], dialect: Dialect) -> Statement {
    let mut b = Builder::new(dialect);
    let mut select = vec![column(ROOT, model.pk_column())];
    b.select_str(ROOT, model, &mut select);
    let keys = b.bind_keys(keys, model.pk_field().scalar);
    let mut order = Vec::new();
    b.order_terms(ROOT, model, model.ordering, false, 0, &mut order);
    order.push(order_text(&column(ROOT, model.pk_column()), false));
    let text = format!(
        "SELECT {} FROM {} AS {}{} WHERE {} IN {keys} ORDER BY {}",
        select.join(", "),
        quote(model.table),
        quote(ROOT),
        b.joins_text(b.joins.len()),
        column(ROOT, model.pk_column()),
        order.join(", ")
    );
    b.finish(text)
}

/// Deletes the rows of `model` whose keys are in `keys`.
pub fn delete_statement(model: &ModelInfo, keys: &[Value], dialect: Dialect) -> Statement {
    let mut b = Builder::new(dialect);
    let keys = b.bind_keys(keys, model.pk_field().scalar);
    let text = format!(
        "DELETE FROM {} WHERE {} IN {keys}",
        quote(model.table),
        quote(model.pk_column())
    );
    b.finish(text)
}

/// The number of rows of `related.model` whose `column` holds one of `keys`.
pub fn related_count_statement(
    related: &ModelInfo,
    fk: &str,
    key_scalar: Scalar,
    keys: &[Value],
    dialect: Dialect,
) -> Statement {
    let mut b = Builder::new(dialect);
    let keys = b.bind_keys(keys, key_scalar);
    let text = format!(
        "SELECT COUNT(*) FROM {} WHERE {} IN {keys}",
        quote(related.table),
        quote(fk)
    );
    b.finish(text)
}

/// The linked keys of a many-to-many field for one row: `far` of `table`
/// where `near` is the row's key.
pub fn linked_keys_statement(
    table: &str,
    near: &str,
    far: &str,
    key: Value,
    dialect: Dialect,
) -> Statement {
    let mut b = Builder::new(dialect);
    let mark = b.bind(key);
    let text = format!(
        "SELECT {} FROM {} WHERE {} = {mark} ORDER BY {}",
        quote(far),
        quote(table),
        quote(near),
        quote(far)
    );
    b.finish(text)
}

/// Whether another row has these values: `SELECT 1 … LIMIT 1`, excluding
/// the row `exclude` (the one being changed).
pub fn unique_statement(
    model: &ModelInfo,
    columns: &[&str],
    values: Vec<Value>,
    exclude: Option<Value>,
    dialect: Dialect,
) -> Statement {
    let mut b = Builder::new(dialect);
    let mut conditions = Vec::new();
    for (name, value) in columns.iter().zip(values) {
        let mark = b.bind(value);
        conditions.push(format!("{} = {mark}", quote(name)));
    }
    if let Some(key) = exclude {
        let mark = b.bind(key);
        conditions.push(format!("{} <> {mark}", quote(model.pk_column())));
    }
    let text = format!(
        "SELECT 1 FROM {} WHERE {} LIMIT 1",
        quote(model.table),
        conditions.join(" AND ")
    );
    b.finish(text)
}

/// `INSERT … RETURNING <pk>` of `values` into `columns`.
pub fn insert_statement(
    model: &ModelInfo,
    columns: &[&str],
    values: Vec<Value>,
    dialect: Dialect,
) -> Statement {
    let mut b = Builder::new(dialect);
    let marks: Vec<String> = values.into_iter().map(|value| b.bind(value)).collect();
    let returning = quote(model.pk_column());
    let text = if columns.is_empty() {
        format!(
            "INSERT INTO {} DEFAULT VALUES RETURNING {returning}",
            quote(model.table)
        )
    } else {
        let names: Vec<String> = columns.iter().map(|name| quote(name)).collect();
        format!(
            "INSERT INTO {} ({}) VALUES ({}) RETURNING {returning}",
            quote(model.table),
            names.join(", "),
            marks.join(", ")
        )
    };
    b.finish(text)
}

/// `UPDATE … SET` `columns` to `values` for the row `key`.
pub fn update_statement(
    model: &ModelInfo,
    columns: &[&str],
    values: Vec<Value>,
    key: Value,
    dialect: Dialect,
) -> Statement {
    let mut b = Builder::new(dialect);
    let sets: Vec<String> = columns
        .iter()
        .zip(values)
        .map(|(name, value)| format!("{} = {}", quote(name), b.bind(value)))
        .collect();
    let mark = b.bind(key);
    let text = format!(
        "UPDATE {} SET {} WHERE {} = {mark}",
        quote(model.table),
        sets.join(", "),
        quote(model.pk_column())
    );
    b.finish(text)
}

/// Removes every link of a row (`near` = key) from a join table.
pub fn unlink_statement(table: &str, near: &str, key: Value, dialect: Dialect) -> Statement {
    let mut b = Builder::new(dialect);
    let mark = b.bind(key);
    let text = format!(
        "DELETE FROM {} WHERE {} = {mark}",
        quote(table),
        quote(near)
    );
    b.finish(text)
}

/// Links a row to another through a join table.
pub fn link_statement(
    table: &str,
    near: &str,
    far: &str,
    key: Value,
    linked: Value,
    dialect: Dialect,
) -> Statement {
    let mut b = Builder::new(dialect);
    let first = b.bind(key);
    let second = b.bind(linked);
    let text = format!(
        "INSERT INTO {} ({}, {}) VALUES ({first}, {second})",
        quote(table),
        quote(near),
        quote(far)
    );
    b.finish(text)
}

/// The number of rows of `model` (the "N total" next to a search's count).
pub fn total_statement(model: &ModelInfo) -> Statement {
    Statement {
        text: format!("SELECT COUNT(*) FROM {}", quote(model.table)),
        params: Vec::new(),
    }
}
