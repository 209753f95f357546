//! SQL: the compiler's knowledge of SQLite and PostgreSQL.
//!
//! Input: the checked [`ir::Project`] — its models for the schema, its typed
//! [`ir::Query`]s and a [`FetchPlan`] (which relations to load with the rows)
//! for statements. Output: the [`Schema`] (DDL text per dialect) and
//! [`CompiledQuery`]s: statement text per dialect, the ordered list of
//! [`Param`]s that code generation binds, and the [`Layout`] of the columns
//! it decodes. Pure: no IO, deterministic text.
//!
//! Rules the text follows:
//! - Every value — from the request, the clock, or a literal of a query — is a
//!   bound parameter (`?1` on SQLite, `$1` on PostgreSQL), never spliced into
//!   the text. Only DDL, which has no parameters, writes the spec's own
//!   literals (defaults, `check` constraints), quoted.
//! - Identifiers are always double-quoted; aliases are `t0`, `t1`, … in the
//!   order they are needed.
//! - Paths through a foreign key or one-to-one relation are joins; paths
//!   through a many-to-many or reverse foreign key are `EXISTS` subqueries,
//!   so a row matches once however many related rows match, and `exclude`
//!   keeps the rows with no related row, as Django does.
//! - Negations (`exclude`, `not`, `!=`, `not in`) of conditions that can be
//!   NULL are written `(…) IS NOT TRUE`, which is Django's meaning: a row
//!   whose column is NULL is not equal to anything, so `exclude(x == 1)`
//!   keeps it.
//! - The number of statements a query needs is fixed here: one for the rows
//!   (single-valued relations joined in), one per many relation of the plan
//!   (keys passed as one JSON array parameter), one more for the count of a
//!   paginated list.

mod condition;
pub(crate) mod ddl;
mod plan;
mod query;
mod text;

#[cfg(test)]
mod tests;

use crate::check::ir::{self, FieldType, ModelId, Project};

pub use ddl::{Schema, schema};
pub use plan::FetchPlan;
pub use query::{
    CompiledQuery, Layout, Prefetch, QueryPurpose, compile_query, join_columns, model_columns,
};

/// A database dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dialect {
    /// SQLite: placeholders `?1`, `?2`, …
    Sqlite,
    /// PostgreSQL: placeholders `$1`, `$2`, …
    Postgres,
}

/// One statement, written for both dialects, with the parameters it binds.
#[derive(Clone, Debug)]
pub struct Statement {
    /// The SQLite text.
    pub sqlite: String,
    /// The PostgreSQL text.
    pub postgres: String,
    /// The parameters: placeholder `n` (1-based) binds `params[n - 1]`.
    pub params: Vec<Param>,
}

impl Statement {
    /// The text for `dialect`.
    pub fn text(&self, dialect: Dialect) -> &str {
        match dialect {
            Dialect::Sqlite => &self.sqlite,
            Dialect::Postgres => &self.postgres,
        }
    }
}

/// A bound parameter: where its value comes from, and the kind of column it
/// is compared with (which decides the value's SQL type).
#[derive(Clone, Debug)]
pub struct Param {
    /// Where the value comes from.
    pub value: ParamValue,
    /// The column kind the value is compared with or stored in.
    pub kind: ScalarKind,
}

/// Where a parameter's value comes from.
#[derive(Clone, Debug)]
pub enum ParamValue {
    /// A value of the spec: a literal, a choice key, a URL parameter, a path
    /// from `object` or a context entry, `now` or `today`. A value whose
    /// type is an object binds its primary key.
    Value(ir::Value),
    /// A text value turned into a `LIKE` pattern: `%`, `_` and `\` escaped,
    /// then wrapped as the lookup says.
    Pattern {
        /// The text.
        value: ir::Value,
        /// How it is wrapped.
        pattern: LikePattern,
    },
    /// A whole number fixed by the spec: slice bounds, the two rows a `get`
    /// fetches to tell one row from several.
    Int(i64),
    /// Pagination: the number of rows of the requested page.
    PageLimit,
    /// Pagination: the number of rows before the requested page.
    PageOffset,
    /// A prefetch: the primary keys of the parent rows, as a JSON array.
    ParentKeys,
}

/// How a `LIKE` pattern wraps its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LikePattern {
    /// The whole text (`iexact` on SQLite).
    Exact,
    /// `%text%`
    Contains,
    /// `text%`
    StartsWith,
    /// `%text`
    EndsWith,
}

impl LikePattern {
    /// The pattern for `text`: `%`, `_` and `\` escaped with `\` (the
    /// statements say `ESCAPE '\'`), then wrapped.
    pub fn apply(self, text: &str) -> String {
        let mut escaped = String::with_capacity(text.len() + 2);
        if matches!(self, LikePattern::Contains | LikePattern::EndsWith) {
            escaped.push('%');
        }
        for c in text.chars() {
            if matches!(c, '%' | '_' | '\\') {
                escaped.push('\\');
            }
            escaped.push(c);
        }
        if matches!(self, LikePattern::Contains | LikePattern::StartsWith) {
            escaped.push('%');
        }
        escaped
    }
}

/// What a column stores, as far as binding and decoding need to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScalarKind {
    /// `int`, `bigint`, the implicit `id`.
    Int,
    /// 32-bit `int` fields (decoded as `i32`).
    Int32,
    /// `float`
    Float,
    /// `decimal(…)`
    Decimal,
    /// `bool`
    Bool,
    /// Every kind of text, choice keys.
    Text,
    /// `uuid`
    Uuid,
    /// `date`
    Date,
    /// `datetime`
    DateTime,
    /// `json`
    Json,
}

impl ScalarKind {
    /// The kind a field's column stores: for a relation, the target's key.
    pub fn of_field(project: &Project, ty: &FieldType) -> ScalarKind {
        match ty {
            FieldType::AutoId | FieldType::BigInt => ScalarKind::Int,
            FieldType::Int => ScalarKind::Int32,
            FieldType::Float => ScalarKind::Float,
            FieldType::Decimal { .. } => ScalarKind::Decimal,
            FieldType::Bool => ScalarKind::Bool,
            FieldType::String { .. }
            | FieldType::Text
            | FieldType::Slug { .. }
            | FieldType::Email { .. }
            | FieldType::Url { .. }
            | FieldType::Choice { .. } => ScalarKind::Text,
            FieldType::Uuid => ScalarKind::Uuid,
            FieldType::Date => ScalarKind::Date,
            FieldType::DateTime => ScalarKind::DateTime,
            FieldType::Json => ScalarKind::Json,
            FieldType::ForeignKey(r) | FieldType::OneToOne(r) => {
                ScalarKind::of_key(project, r.target)
            }
            FieldType::ManyToMany(r) => ScalarKind::of_key(project, r.target),
        }
    }

    /// The kind of a model's primary key (following a key that is itself a
    /// relation to the model it extends).
    pub fn of_key(project: &Project, model: ModelId) -> ScalarKind {
        let mut model = model;
        for _ in 0..=project.models.len() {
            match &project.model(model).pk().ty {
                FieldType::ForeignKey(r) | FieldType::OneToOne(r) => model = r.target,
                ty => return ScalarKind::of_field(project, ty),
            }
        }
        // Keys referring to each other in a circle: the checker's business.
        ScalarKind::Int
    }

    /// The PostgreSQL type a JSON array element is cast to for this kind of key.
    fn postgres_cast(self) -> &'static str {
        match self {
            ScalarKind::Int | ScalarKind::Int32 => "::bigint",
            ScalarKind::Uuid => "::uuid",
            ScalarKind::Date => "::date",
            ScalarKind::DateTime => "::timestamptz",
            ScalarKind::Decimal => "::numeric",
            ScalarKind::Float => "::double precision",
            ScalarKind::Bool => "::boolean",
            ScalarKind::Text | ScalarKind::Json => "",
        }
    }
}

/// `"name"`: an identifier quoted for both dialects.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'`: a string literal quoted for both dialects (DDL only).
fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
