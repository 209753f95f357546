//! The schema snapshot: what the database holds, as data.
//!
//! Input: the checked [`Project`] ([`Snapshot::of`]), or the
//! `NNNN_name.schema.json` of a migration (serde). Output: a [`Snapshot`] —
//! tables, columns with their types, nullability, defaults, uniqueness and
//! foreign keys, unique-together and check constraints, indexes — holding
//! everything the DDL of both dialects is written from and nothing else
//! (no labels, help texts or orderings, which need no migration).
//!
//! Why a snapshot: a migration compares two of them (the last migration's
//! and the models'), so a migration never has to reconstruct the past from
//! SQL. The JSON is pretty-printed, deterministic (tables in model order,
//! then join tables; columns in field order) and leaves out what is at its
//! default (`null: false`…), so it reads and diffs well.

use crate::check::ir::{FieldType, ModelId, OnDelete, Project};
use crate::sql::{Dialect, ddl};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The tables of a project's database.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Model tables in declaration order, then many-to-many join tables.
    pub tables: Vec<Table>,
}

/// One table: a model's, or a many-to-many relation's join table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// The table's name (`blog_post`).
    pub name: String,
    /// The model stored in it (`Post`); `None` for a join table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// For a join table: the relation it stores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<JoinOf>,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// `UNIQUE (a, b)` constraints: their columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unique_together: Vec<Vec<String>>,
    /// `CHECK` constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Indexes (not unique ones: those are constraints).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
}

/// Which many-to-many field a join table stores.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinOf {
    /// The table of the model declaring the field.
    pub table: String,
    /// The field (`tags`).
    pub field: String,
}

/// One column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// The column's name (`author_id`).
    pub name: String,
    /// The field's name when it differs from the column's (`author`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The type, in djinn's words (see [`ColumnType`]).
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// The primary key (then never null, unique or defaulted here).
    #[serde(default, skip_serializing_if = "is_false")]
    pub primary_key: bool,
    /// `NULL` allowed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub null: bool,
    /// A `UNIQUE` column.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// The `DEFAULT` expression, as SQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<SqlText>,
    /// A foreign key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<ForeignKey>,
    /// Set by the server (`auto_now`, `auto_now_add`): rows that exist when
    /// the column is added get the migration's date and time. Not part of
    /// the database's shape, so changing it needs no migration.
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_now: bool,
}

impl Column {
    /// The field the column stores (the column's name for most fields).
    pub fn field_name(&self) -> &str {
        self.field.as_deref().unwrap_or(&self.name)
    }

    /// Whether the database sees two columns alike: everything but the
    /// field's name and `auto_now`.
    pub fn same_shape(&self, other: &Column) -> bool {
        self.name == other.name
            && self.ty == other.ty
            && self.primary_key == other.primary_key
            && self.null == other.null
            && self.unique == other.unique
            && self.default == other.default
            && self.references == other.references
    }
}

fn is_false(flag: &bool) -> bool {
    !flag
}

/// A column's type. Written in the snapshot as djinn's words (`auto`,
/// `int`, `bigint`, `float`, `decimal(10, 2)`, `bool`, `varchar(200)`,
/// `text`, `uuid`, `date`, `datetime`, `json`); each dialect's SQL type
/// follows from it (`crate::sql::ddl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ColumnType {
    /// The implicit auto-incrementing `id`.
    Auto,
    /// 32-bit integer.
    Int,
    /// 64-bit integer (also relations to an `auto` key).
    BigInt,
    /// Double precision.
    Float,
    /// Fixed point.
    Decimal {
        /// Total digits.
        digits: u32,
        /// Digits after the point.
        places: u32,
    },
    /// Boolean.
    Bool,
    /// Text of at most this many characters.
    Varchar(u32),
    /// Unbounded text.
    Text,
    /// A UUID.
    Uuid,
    /// A date.
    Date,
    /// An instant, stored in UTC.
    DateTime,
    /// A JSON document.
    Json,
}

impl ColumnType {
    /// The column type of a field type (relations resolved by the caller).
    fn of(ty: &FieldType) -> ColumnType {
        match ty {
            FieldType::AutoId => ColumnType::Auto,
            FieldType::Int => ColumnType::Int,
            FieldType::BigInt => ColumnType::BigInt,
            FieldType::Float => ColumnType::Float,
            FieldType::Decimal { digits, places } => ColumnType::Decimal {
                digits: *digits,
                places: *places,
            },
            FieldType::Bool => ColumnType::Bool,
            FieldType::String { max }
            | FieldType::Slug { max }
            | FieldType::Email { max }
            | FieldType::Url { max }
            | FieldType::Choice { max, .. } => ColumnType::Varchar(*max),
            FieldType::Text => ColumnType::Text,
            FieldType::Uuid => ColumnType::Uuid,
            FieldType::Date => ColumnType::Date,
            FieldType::DateTime => ColumnType::DateTime,
            FieldType::Json => ColumnType::Json,
            FieldType::ForeignKey(_) | FieldType::OneToOne(_) | FieldType::ManyToMany(_) => {
                ColumnType::BigInt
            }
        }
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnType::Auto => f.write_str("auto"),
            ColumnType::Int => f.write_str("int"),
            ColumnType::BigInt => f.write_str("bigint"),
            ColumnType::Float => f.write_str("float"),
            ColumnType::Decimal { digits, places } => write!(f, "decimal({digits}, {places})"),
            ColumnType::Bool => f.write_str("bool"),
            ColumnType::Varchar(max) => write!(f, "varchar({max})"),
            ColumnType::Text => f.write_str("text"),
            ColumnType::Uuid => f.write_str("uuid"),
            ColumnType::Date => f.write_str("date"),
            ColumnType::DateTime => f.write_str("datetime"),
            ColumnType::Json => f.write_str("json"),
        }
    }
}

impl FromStr for ColumnType {
    type Err = String;

    fn from_str(text: &str) -> Result<ColumnType, String> {
        let number = |inner: &str| {
            inner
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("`{text}` is not a column type: `{inner}` is not a number"))
        };
        Ok(match text {
            "auto" => ColumnType::Auto,
            "int" => ColumnType::Int,
            "bigint" => ColumnType::BigInt,
            "float" => ColumnType::Float,
            "bool" => ColumnType::Bool,
            "text" => ColumnType::Text,
            "uuid" => ColumnType::Uuid,
            "date" => ColumnType::Date,
            "datetime" => ColumnType::DateTime,
            "json" => ColumnType::Json,
            _ => {
                if let Some(inner) = text
                    .strip_prefix("varchar(")
                    .and_then(|rest| rest.strip_suffix(')'))
                {
                    ColumnType::Varchar(number(inner)?)
                } else if let Some(inner) = text
                    .strip_prefix("decimal(")
                    .and_then(|rest| rest.strip_suffix(')'))
                {
                    let (digits, places) = inner.split_once(',').ok_or_else(|| {
                        format!("`{text}` is not a column type: expected `decimal(DIGITS, PLACES)`")
                    })?;
                    ColumnType::Decimal {
                        digits: number(digits)?,
                        places: number(places)?,
                    }
                } else {
                    return Err(format!(
                        "`{text}` is not a column type (auto, int, bigint, float, decimal(D, P), bool, varchar(N), text, uuid, date, datetime, json)"
                    ));
                }
            }
        })
    }
}

impl TryFrom<String> for ColumnType {
    type Error = String;

    fn try_from(text: String) -> Result<ColumnType, String> {
        text.parse()
    }
}

impl From<ColumnType> for String {
    fn from(ty: ColumnType) -> String {
        ty.to_string()
    }
}

/// SQL text that is the same in both dialects (written as one string), or
/// differs (written as `{"sqlite": …, "postgres": …}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SqlText {
    /// One text for both.
    Same(String),
    /// One text each.
    Dialects {
        /// SQLite's.
        sqlite: String,
        /// PostgreSQL's.
        postgres: String,
    },
}

impl SqlText {
    /// The text of each dialect, folded into [`SqlText::Same`] when equal.
    pub fn new(sqlite: String, postgres: String) -> SqlText {
        if sqlite == postgres {
            SqlText::Same(sqlite)
        } else {
            SqlText::Dialects { sqlite, postgres }
        }
    }

    /// The text for `dialect`.
    pub fn get(&self, dialect: Dialect) -> &str {
        match (self, dialect) {
            (SqlText::Same(text), _) => text,
            (SqlText::Dialects { sqlite, .. }, Dialect::Sqlite) => sqlite,
            (SqlText::Dialects { postgres, .. }, Dialect::Postgres) => postgres,
        }
    }

    /// The text with the quoted identifier `"from"` replaced by `"to"`
    /// (a column renamed in a check constraint).
    pub(crate) fn rename_identifier(&self, from: &str, to: &str) -> SqlText {
        let from = crate::sql::quote(from);
        let to = crate::sql::quote(to);
        match self {
            SqlText::Same(text) => SqlText::Same(text.replace(&from, &to)),
            SqlText::Dialects { sqlite, postgres } => {
                SqlText::new(sqlite.replace(&from, &to), postgres.replace(&from, &to))
            }
        }
    }
}

/// A foreign key: the column refers to `table (column)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKey {
    /// The referred table.
    pub table: String,
    /// Its key column.
    pub column: String,
    /// The SQL action (`CASCADE`, `RESTRICT`, `SET NULL`, `SET DEFAULT`, `NO ACTION`).
    pub on_delete: String,
}

/// A named `CHECK` constraint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The constraint's name.
    pub name: String,
    /// The condition, as SQL.
    pub condition: SqlText,
}

/// A named index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// The index's name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
}

impl Snapshot {
    /// The schema of every model of `project`: what `crate::sql::schema`
    /// creates.
    pub fn of(project: &Project) -> Snapshot {
        let mut tables: Vec<Table> = (0..project.models.len())
            .map(|index| model_table(project, ModelId(index as u32)))
            .collect();
        for (index, model) in project.models.iter().enumerate() {
            for field in &model.fields {
                if let FieldType::ManyToMany(relation) = &field.ty {
                    tables.push(join_table(
                        project,
                        ModelId(index as u32),
                        relation.target,
                        &relation.table,
                        &field.name,
                    ));
                }
            }
        }
        Snapshot { tables }
    }

    /// The table called `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|table| table.name == name)
    }

    /// The snapshot as written in `NNNN_name.schema.json`: pretty JSON with
    /// a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        text.push('\n');
        text
    }
}

impl Table {
    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// The primary key's column, if any.
    pub fn primary_key(&self) -> Option<&Column> {
        self.columns.iter().find(|column| column.primary_key)
    }

    /// `Post` for a model table, `Post.tags` for a join table, else the
    /// table's name: how messages name it.
    pub fn describe(&self) -> String {
        match (&self.model, &self.join) {
            (Some(model), _) => model.clone(),
            (None, Some(join)) => format!("{}.{}", join.table, join.field),
            (None, None) => self.name.clone(),
        }
    }
}

fn model_table(project: &Project, id: ModelId) -> Table {
    let model = project.model(id);
    let mut columns = Vec::new();
    for field in &model.fields {
        let Some(column) = field.column.clone() else {
            continue;
        };
        let ty = match &field.ty {
            FieldType::ForeignKey(relation) | FieldType::OneToOne(relation) => {
                key_type(project, relation.target)
            }
            ty => ColumnType::of(ty),
        };
        let references = match &field.ty {
            FieldType::ForeignKey(relation) | FieldType::OneToOne(relation) => {
                let target = project.model(relation.target);
                Some(ForeignKey {
                    table: target.table.clone(),
                    column: target.pk().column.clone().unwrap_or_else(|| "id".into()),
                    on_delete: on_delete(relation.on_delete).into(),
                })
            }
            _ => None,
        };
        let default = field
            .default
            .as_ref()
            .filter(|_| !field.primary_key)
            .and_then(|value| {
                let sqlite = ddl::literal(project, value, &field.ty, Dialect::Sqlite)?;
                let postgres = ddl::literal(project, value, &field.ty, Dialect::Postgres)?;
                Some(SqlText::new(sqlite, postgres))
            });
        columns.push(Column {
            field: (field.name != column).then(|| field.name.clone()),
            name: column,
            ty,
            primary_key: field.primary_key,
            null: field.null && !field.primary_key,
            unique: field.unique && !field.primary_key,
            default,
            references,
            auto_now: field.auto_now || field.auto_now_add,
        });
    }
    let column_of = |field: &crate::check::ir::FieldId| project.field(*field).column.clone();
    let unique_together = model
        .unique_together
        .iter()
        .map(|unique| unique.fields.iter().filter_map(column_of).collect())
        .collect();
    let checks = model
        .checks
        .iter()
        .enumerate()
        .map(|(index, check)| Check {
            name: check
                .name
                .clone()
                .unwrap_or_else(|| format!("{}_check_{index}", model.table)),
            condition: SqlText::new(
                ddl::check_condition(project, &check.condition, Dialect::Sqlite),
                ddl::check_condition(project, &check.condition, Dialect::Postgres),
            ),
        })
        .collect();
    let mut indexes = Vec::new();
    for field in &model.fields {
        let Some(name) = field.column.as_deref() else {
            continue;
        };
        let relation = matches!(field.ty, FieldType::ForeignKey(_) | FieldType::OneToOne(_));
        if (field.index || relation) && !field.unique && !field.primary_key {
            indexes.push(Index {
                name: ddl::constraint_name(&model.table, &[name], "idx"),
                columns: vec![name.to_string()],
            });
        }
    }
    for index in &model.indexes {
        let columns: Vec<String> = index.fields.iter().filter_map(column_of).collect();
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        indexes.push(Index {
            name: index
                .name
                .clone()
                .unwrap_or_else(|| ddl::constraint_name(&model.table, &names, "idx")),
            columns,
        });
    }
    Table {
        name: model.table.clone(),
        model: Some(model.name.clone()),
        join: None,
        columns,
        unique_together,
        checks,
        indexes,
    }
}

fn join_table(
    project: &Project,
    source: ModelId,
    target: ModelId,
    table: &str,
    field: &str,
) -> Table {
    let (source_column, target_column) = crate::sql::join_columns(project, source, target);
    let side = |column: &str, id: ModelId| {
        let model = project.model(id);
        Column {
            name: column.to_string(),
            field: None,
            ty: key_type(project, id),
            primary_key: false,
            null: false,
            unique: false,
            default: None,
            references: Some(ForeignKey {
                table: model.table.clone(),
                column: model.pk().column.clone().unwrap_or_else(|| "id".into()),
                on_delete: "CASCADE".into(),
            }),
            auto_now: false,
        }
    };
    let mut columns = vec![Column {
        name: "id".into(),
        field: None,
        ty: ColumnType::Auto,
        primary_key: true,
        null: false,
        unique: false,
        default: None,
        references: None,
        auto_now: false,
    }];
    columns.push(side(&source_column, source));
    columns.push(side(&target_column, target));
    Table {
        name: table.to_string(),
        model: None,
        join: Some(JoinOf {
            table: project.model(source).table.clone(),
            field: field.to_string(),
        }),
        columns,
        unique_together: vec![vec![source_column, target_column.clone()]],
        checks: Vec::new(),
        indexes: vec![Index {
            name: ddl::constraint_name(table, &[&target_column], "idx"),
            columns: vec![target_column],
        }],
    }
}

/// A relation column's type: the target key's type (an `auto` key is a
/// plain `bigint` when referred to).
fn key_type(project: &Project, target: ModelId) -> ColumnType {
    let mut model = target;
    for _ in 0..=project.models.len() {
        match &project.model(model).pk().ty {
            FieldType::AutoId => return ColumnType::BigInt,
            FieldType::ForeignKey(relation) | FieldType::OneToOne(relation)
                if relation.target != model =>
            {
                model = relation.target;
            }
            ty => return ColumnType::of(ty),
        }
    }
    ColumnType::BigInt
}

/// The SQL `ON DELETE` action of `on_delete` (`protect` is `RESTRICT`,
/// checked at once; `restrict` and `do_nothing` are `NO ACTION`, checked at
/// commit).
fn on_delete(action: OnDelete) -> &'static str {
    match action {
        OnDelete::Cascade => "CASCADE",
        OnDelete::Protect => "RESTRICT",
        OnDelete::SetNull => "SET NULL",
        OnDelete::SetDefault => "SET DEFAULT",
        OnDelete::Restrict | OnDelete::DoNothing => "NO ACTION",
    }
}

/// Column renames the models ask for with `renamed_from`, and join tables
/// of renamed many-to-many fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Renames {
    /// (table, new column) → the field's old name.
    pub columns: BTreeMap<(String, String), String>,
    /// New join table → (its model's table, the many-to-many field's old name).
    pub join_tables: BTreeMap<String, (String, String)>,
}

impl Renames {
    /// The `renamed_from` options of `project`.
    pub fn of(project: &Project) -> Renames {
        let mut renames = Renames::default();
        for model in &project.models {
            for field in &model.fields {
                let Some(old) = &field.renamed_from else {
                    continue;
                };
                if let Some(column) = &field.column {
                    renames
                        .columns
                        .insert((model.table.clone(), column.clone()), old.clone());
                } else if let FieldType::ManyToMany(relation) = &field.ty {
                    renames
                        .join_tables
                        .insert(relation.table.clone(), (model.table.clone(), old.clone()));
                }
            }
        }
        renames
    }
}
