//! Migrations: the models' schema over time, as files under `migrations/`.
//!
//! Input: the project's `migrations/` files (through [`ProjectInput`]) and
//! its checked [`Project`]. Output, for `djinn makemigrations` ([`make`]):
//! the next migration's two files — `NNNN_name.toml` (its operations in
//! words and its SQL for SQLite and PostgreSQL) and `NNNN_name.schema.json`
//! (the [`Snapshot`] of the schema after it); for `djinn check`
//! ([`check`]): diagnostics when a migration file is malformed (E0802) or
//! the models differ from the last migration's snapshot (E0801); for code
//! generation ([`load`]): the migrations in order, whose SQL the server's
//! `migrate` runs.
//!
//! How a migration is made: the models' snapshot ([`Snapshot::of`]) is
//! compared with the last migration's ([`diff::diff`], which honours
//! `renamed_from`); the operations become SQL per dialect ([`sql::script`]);
//! operations that lose data are refused unless allowed
//! ([`diff::refusals`]). Everything is deterministic: the same models and
//! migrations give the same files, byte for byte. A project without a
//! `migrations/` directory has no migrations: its server creates the
//! schema directly.
//!
//! | file | concept |
//! | --- | --- |
//! | `snapshot.rs` | [`Snapshot`]: tables, columns, constraints, indexes |
//! | `diff.rs` | two snapshots → [`diff::Plan`] of [`diff::Operation`]s; refusals; names |
//! | `sql.rs` | a plan → the script of each dialect (SQLite table rebuilds) |
//! | `file.rs` | the `NNNN_name.toml` format |

pub mod diff;
mod file;
pub mod snapshot;
pub mod sql;

use crate::check::ir::{FieldType, Project};
use crate::diagnostics::{Code, Diagnostic};
use crate::project::ProjectInput;
use crate::source::{FileId, Span};
use crate::sql::Dialect;
pub use diff::Refusal;
use diff::{Operation, Plan};
pub use snapshot::Snapshot;
use snapshot::{Column, Renames};
use std::collections::BTreeMap;

/// A migration read from `migrations/`.
#[derive(Clone, Debug)]
pub struct Migration {
    /// The number (`2` for `0002_post_add_subtitle`).
    pub number: u32,
    /// The full name: the file name without `.toml` (`0002_post_add_subtitle`).
    pub name: String,
    /// What it does, in words.
    pub operations: Vec<String>,
    /// The SQLite script.
    pub sqlite: String,
    /// The PostgreSQL script.
    pub postgres: String,
    /// The schema after it.
    pub schema: Snapshot,
    /// `NNNN_name.toml`.
    pub file: FileId,
    /// `NNNN_name.schema.json`.
    pub schema_file: FileId,
}

/// The migrations of `input`, ordered by number; `None` when the project
/// has no `migrations/` directory. A malformed file is reported (E0802) and
/// left out.
pub fn load(input: &ProjectInput, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<Migration>> {
    let files = input.migrations.as_ref()?;
    let mut schemas: BTreeMap<&str, FileId> = BTreeMap::new();
    let mut scripts: Vec<(&str, FileId)> = Vec::new();
    for (name, &id) in files {
        if let Some(stem) = name.strip_suffix(".schema.json") {
            schemas.insert(stem, id);
        } else if let Some(stem) = name.strip_suffix(".toml") {
            scripts.push((stem, id));
        } else {
            diagnostics.push(
                malformed(Span::new(id, 0, 0), format!("`migrations/{name}` is not a migration file"))
                    .with_help("`migrations/` holds `NNNN_name.toml` files, each with its `NNNN_name.schema.json`; move other files elsewhere"),
            );
        }
    }
    let mut migrations: Vec<Migration> = Vec::new();
    for (stem, id) in scripts {
        let schema_file = schemas.remove(stem);
        let Some((number, _)) = file::parse_name(stem) else {
            diagnostics.push(
                malformed(
                    Span::new(id, 0, 0),
                    format!("`migrations/{stem}.toml` is not named `NNNN_name.toml`"),
                )
                .with_help("a migration's name is its number, four digits or more, `_` and lower-case words (`0002_post_add_subtitle`)"),
            );
            continue;
        };
        let text = &input.sources.get(id).text;
        let parsed: file::MigrationText = match toml::from_str(text) {
            Ok(parsed) => parsed,
            Err(error) => {
                let range = error.span().unwrap_or(0..0);
                diagnostics.push(malformed(
                    Span::new(id, range.start, range.end),
                    format!(
                        "migration `{stem}` cannot be read: {}",
                        error.message().trim_end()
                    ),
                ));
                continue;
            }
        };
        let Some(schema_file) = schema_file else {
            diagnostics.push(
                malformed(
                    Span::new(id, 0, 0),
                    format!("migration `{stem}` has no `{stem}.schema.json`"),
                )
                .with_help("the schema after each migration is what the next one is compared with; restore the file from version control"),
            );
            continue;
        };
        let schema_text = &input.sources.get(schema_file).text;
        let schema: Snapshot = match serde_json::from_str(schema_text) {
            Ok(schema) => schema,
            Err(error) => {
                let offset = offset_of(schema_text, error.line(), error.column());
                diagnostics.push(malformed(
                    Span::new(schema_file, offset, offset),
                    format!("the schema of migration `{stem}` cannot be read: {error}"),
                ));
                continue;
            }
        };
        if let Some(earlier) = migrations.iter().find(|m| m.number == number) {
            diagnostics.push(
                malformed(
                    Span::new(id, 0, 0),
                    format!(
                        "migrations `{}` and `{stem}` have the same number",
                        earlier.name
                    ),
                )
                .with_secondary(Span::new(earlier.file, 0, 0), "the other migration")
                .with_help("two branches each added a migration: remove one (and its schema), merge the models, and run `djinn makemigrations` again"),
            );
            continue;
        }
        migrations.push(Migration {
            number,
            name: stem.to_string(),
            operations: parsed.operations,
            sqlite: parsed.sqlite,
            postgres: parsed.postgres,
            schema,
            file: id,
            schema_file,
        });
    }
    for (stem, id) in schemas {
        diagnostics.push(
            malformed(
                Span::new(id, 0, 0),
                format!("`migrations/{stem}.schema.json` has no `{stem}.toml`"),
            )
            .with_help("a schema belongs to the migration of the same name; remove it or restore the migration"),
        );
    }
    migrations.sort_by_key(|migration| migration.number);
    Some(migrations)
}

fn malformed(span: Span, message: String) -> Diagnostic {
    Diagnostic::new(Code::MalformedMigration, span, message)
}

/// The byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut offset = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

// ── the check stage ─────────────────────────────────────────────────────────

/// The migrations stage of `djinn check`: reads the migrations (E0802 for a
/// malformed file) and, when the models themselves check clean (no error
/// in the settings, the syntax or the models), compares them with the last
/// migration's schema (E0801 per model that differs). Nothing happens
/// without a `migrations/` directory.
pub fn check(input: &ProjectInput, project: &Project, diagnostics: &mut Vec<Diagnostic>) {
    let models_clean = !diagnostics
        .iter()
        .any(|d| d.is_error() && (d.code.as_str() < "E0200"));
    let before = diagnostics.len();
    let Some(migrations) = load(input, diagnostics) else {
        return;
    };
    if !models_clean || diagnostics[before..].iter().any(Diagnostic::is_error) {
        return;
    }
    let current = Snapshot::of(project);
    let Some(latest) = migrations.last() else {
        if let Some(model) = project.models.first() {
            diagnostics.push(
                Diagnostic::new(
                    Code::MigrationDrift,
                    model.name_span,
                    "the project has a `migrations/` directory but no migration",
                )
                .with_label("this model is not in any migration")
                .with_help("run `djinn makemigrations` to write the first migration"),
            );
        }
        return;
    };
    let plan = diff::diff(&latest.schema, &current, &Renames::of(project));
    let mut by_table: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for op in &plan.operations {
        let table = owner_table(op);
        if !by_table.contains_key(table) {
            order.push(table);
        }
        by_table.entry(table).or_default().push(op);
    }
    let lines = summary(&plan, &current);
    for table in order {
        let ops = &by_table[table];
        let first = ops[0];
        let (span, label) = locate(input, project, latest, first);
        let what = describe_owner(project, &plan, table);
        let mut diagnostic = Diagnostic::new(
            Code::MigrationDrift,
            span,
            format!("{what} differs from the last migration, `{}`", latest.name),
        )
        .with_label(label)
        .with_help("run `djinn makemigrations` to write a migration for the change");
        for op in ops {
            if let Some(index) = plan.operations.iter().position(|o| o == *op) {
                diagnostic = diagnostic.with_note(format!("not migrated yet: {}", lines[index]));
            }
        }
        diagnostics.push(diagnostic);
    }
}

/// The model table an operation belongs to (a join table's model's).
fn owner_table(op: &Operation) -> &str {
    match op {
        Operation::CreateTable { table } | Operation::DropTable { table } => table
            .join
            .as_ref()
            .map_or(table.name.as_str(), |join| join.table.as_str()),
        Operation::RenameTable { model_table, .. } => model_table,
        other => other.table(),
    }
}

/// "model `Post`", or "table `blog_old`" for a table no model has.
fn describe_owner(project: &Project, plan: &Plan, table: &str) -> String {
    if let Some(model) = project.models.iter().find(|m| m.table == table) {
        return format!("model `{}`", model.name);
    }
    match plan.before.table(table).and_then(|t| t.model.as_deref()) {
        Some(model) => format!("model `{model}` (table `{table}`)"),
        None => format!("table `{table}`"),
    }
}

/// Where a difference shows: the field or model in the spec, or, for a
/// table no model has any more, its entry in the last migration's schema.
fn locate(
    input: &ProjectInput,
    project: &Project,
    latest: &Migration,
    op: &Operation,
) -> (Span, String) {
    let model_of = |table: &str| project.models.iter().find(|m| m.table == table);
    let field_of = |table: &str, column: &str| {
        model_of(table).and_then(|model| {
            model
                .fields
                .iter()
                .find(|field| field.column.as_deref() == Some(column))
        })
    };
    let many_field = |table: &str| {
        project.models.iter().find_map(|model| {
            model
                .fields
                .iter()
                .find(|field| matches!(&field.ty, FieldType::ManyToMany(r) if r.table == table))
        })
    };
    let in_schema = |table: &str| {
        let text = &input.sources.get(latest.schema_file).text;
        let needle = format!("\"name\": \"{table}\"");
        let start = text.find(&needle).unwrap_or(0);
        let end = if text.is_empty() {
            0
        } else {
            start + needle.len().min(text.len() - start)
        };
        Span::new(latest.schema_file, start, end)
    };
    let at_model = |table: &str, label: String| match model_of(table) {
        Some(model) => (model.name_span, label),
        None => (in_schema(table), label),
    };
    match op {
        Operation::CreateTable { table } => match (&table.join, many_field(&table.name)) {
            (Some(_), Some(field)) => (
                field.name_span,
                "this many-to-many field is not in the migrations".into(),
            ),
            _ => at_model(&table.name, "this model is not in the migrations".into()),
        },
        Operation::DropTable { table } => match &table.join {
            Some(join) => at_model(
                &join.table,
                format!(
                    "many-to-many field `{}` is in the migrations but not here",
                    join.field
                ),
            ),
            None => (
                in_schema(&table.name),
                "the migrations have this table; no model stores its rows".into(),
            ),
        },
        Operation::RenameTable { to, fields, .. } => match many_field(to) {
            Some(field) => (
                field.name_span,
                format!(
                    "renamed from `{}`: the migrations still have the old name",
                    fields.0
                ),
            ),
            None => at_model(op.table(), "a many-to-many field was renamed".into()),
        },
        Operation::RenameColumn {
            table, to, fields, ..
        } => match field_of(table, to) {
            Some(field) => (
                field.name_span,
                format!(
                    "renamed from `{}`: the migrations still have the old name",
                    fields.0
                ),
            ),
            None => at_model(table, "a field was renamed".into()),
        },
        Operation::AddColumn { table, column } => match field_of(table, &column.name) {
            Some(field) => (
                field.name_span,
                "this field is not in the migrations".into(),
            ),
            None => at_model(
                table,
                format!("field `{}` is not in the migrations", column.field_name()),
            ),
        },
        Operation::AlterColumn { table, to, .. } => match field_of(table, &to.name) {
            Some(field) => (
                field.name_span,
                "this field differs from the migrations".into(),
            ),
            None => at_model(
                table,
                format!("field `{}` differs from the migrations", to.field_name()),
            ),
        },
        Operation::DropColumn { table, column } => at_model(
            table,
            format!(
                "field `{}` is in the migrations but not here",
                column.field_name()
            ),
        ),
        Operation::AddIndex { table, .. } | Operation::DropIndex { table, .. } => {
            at_model(table, "the indexes differ from the migrations".into())
        }
        Operation::AddUnique { table, .. }
        | Operation::DropUnique { table, .. }
        | Operation::AddCheck { table, .. }
        | Operation::DropCheck { table, .. } => {
            at_model(table, "the constraints differ from the migrations".into())
        }
    }
}

// ── makemigrations ──────────────────────────────────────────────────────────

/// What `djinn makemigrations` was asked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MakeOptions {
    /// The name after the number (`--name`); by default derived from the changes.
    pub name: Option<String>,
    /// Write operations that drop tables or columns (`--allow-data-loss`).
    pub allow_data_loss: bool,
}

/// What `make` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Made {
    /// The models match the last migration.
    NoChanges,
    /// The next migration.
    Migration(NewMigration),
}

/// A migration to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMigration {
    /// `0002_post_add_subtitle`
    pub name: String,
    /// What it does, in words.
    pub operations: Vec<String>,
    /// The files: path relative to the project root (`migrations/…`) and text.
    pub files: Vec<(String, String)>,
}

/// The next migration of a checked project: the models compared with the
/// last migration (or with nothing). `Err` lists what was refused (data
/// loss, new `NOT NULL` columns without a value) or that the existing
/// migrations are malformed.
pub fn make(
    input: &ProjectInput,
    project: &Project,
    options: &MakeOptions,
) -> Result<Made, Vec<Refusal>> {
    let mut problems = Vec::new();
    let migrations = load(input, &mut problems).unwrap_or_default();
    if problems.iter().any(Diagnostic::is_error) {
        return Err(problems
            .iter()
            .map(|problem| Refusal {
                message: problem.message.clone(),
                help: Some(
                    "`djinn check` shows where; fix the files under `migrations/` first".into(),
                ),
            })
            .collect());
    }
    let latest = migrations.last();
    let empty = Snapshot::default();
    let current = Snapshot::of(project);
    let plan = diff::diff(
        latest.map_or(&empty, |m| &m.schema),
        &current,
        &Renames::of(project),
    );
    if plan.is_empty() {
        return Ok(Made::NoChanges);
    }
    let refused = diff::refusals(&plan, options.allow_data_loss);
    if !refused.is_empty() {
        return Err(refused);
    }
    let Some(number) = latest.map_or(Some(1), |m| m.number.checked_add(1)) else {
        return Err(vec![Refusal {
            message: "the last migration's number is the largest there can be".into(),
            help: Some("squash the migrations into a new `0001_initial`".into()),
        }]);
    };
    let words = options
        .name
        .clone()
        .unwrap_or_else(|| diff::migration_name(&plan, latest.is_none()));
    let name = format!("{number:04}_{words}");
    let operations = summary(&plan, &current);
    let sqlite = sql::script(&plan, &current, Dialect::Sqlite);
    let postgres = sql::script(&plan, &current, Dialect::Postgres);
    let files = vec![
        (
            format!("migrations/{name}.toml"),
            file::render(&name, &operations, &sqlite, &postgres),
        ),
        (format!("migrations/{name}.schema.json"), current.to_json()),
    ];
    Ok(Made::Migration(NewMigration {
        name,
        operations,
        files,
    }))
}

/// Whether `name` can follow a migration's number: lower-case ASCII
/// letters, digits and `_`, at most 60 characters.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 60
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

// ── the summary ─────────────────────────────────────────────────────────────

/// Each operation of `plan` in words, as the migration file lists them.
pub fn summary(plan: &Plan, new: &Snapshot) -> Vec<String> {
    let model = |table: &str| -> String {
        new.table(table)
            .or_else(|| plan.before.table(table))
            .and_then(|t| t.model.clone())
            .unwrap_or_else(|| format!("`{table}`"))
    };
    plan.operations
        .iter()
        .map(|op| match op {
            Operation::RenameTable {
                from,
                to,
                model_table,
                fields,
                ..
            } => format!(
                "rename many-to-many field {m}.{} to {m}.{} (table {from} → {to})",
                fields.0,
                fields.1,
                m = model(model_table)
            ),
            Operation::RenameColumn {
                table,
                from,
                to,
                fields,
                ..
            } => format!(
                "rename field {m}.{} to {m}.{} (column {from} → {to})",
                fields.0,
                fields.1,
                m = model(table)
            ),
            Operation::CreateTable { table } => match &table.join {
                Some(join) => format!(
                    "add many-to-many field {}.{} (table {})",
                    model(&join.table),
                    join.field,
                    table.name
                ),
                None => format!("create model {} (table {})", model(&table.name), table.name),
            },
            Operation::DropTable { table } => match &table.join {
                Some(join) => format!(
                    "remove many-to-many field {}.{} (table {}, its rows are lost)",
                    model(&join.table),
                    join.field,
                    table.name
                ),
                None => format!(
                    "delete model {} (table {}, its rows are lost)",
                    table.describe(),
                    table.name
                ),
            },
            Operation::AddColumn { table, column } => {
                let mut line = format!(
                    "add field {}.{}: {}",
                    model(table),
                    column.field_name(),
                    describe_column(column)
                );
                if !column.null && column.default.is_none() && column.auto_now {
                    line.push_str(" (existing rows get the migration's date and time)");
                }
                line
            }
            Operation::DropColumn { table, column } => format!(
                "remove field {}.{} (column {}, its values are lost)",
                model(table),
                column.field_name(),
                column.name
            ),
            Operation::AlterColumn { table, from, to } => format!(
                "alter field {}.{}: {}",
                model(table),
                to.field_name(),
                describe_changes(from, to)
            ),
            Operation::AddIndex { table, index } => format!(
                "add index {} on {} ({})",
                index.name,
                model(table),
                index.columns.join(", ")
            ),
            Operation::DropIndex { table, index } => format!(
                "remove index {} on {} ({})",
                index.name,
                model(table),
                index.columns.join(", ")
            ),
            Operation::AddUnique { table, columns } => {
                format!("add unique ({}) on {}", columns.join(", "), model(table))
            }
            Operation::DropUnique { table, columns } => {
                format!("remove unique ({}) on {}", columns.join(", "), model(table))
            }
            Operation::AddCheck { table, check } => format!(
                "add check {} on {}: {}",
                check.name,
                model(table),
                check.condition.get(Dialect::Sqlite)
            ),
            Operation::DropCheck { table, check } => {
                format!("remove check {} on {}", check.name, model(table))
            }
        })
        .collect()
}

/// `varchar(200) null unique default 'x' references blog_author.id`
fn describe_column(column: &Column) -> String {
    let mut words = vec![column.ty.to_string()];
    if column.primary_key {
        words.push("primary key".into());
    }
    if column.null {
        words.push("null".into());
    }
    if column.unique {
        words.push("unique".into());
    }
    if let Some(default) = &column.default {
        words.push(format!("default {}", default.get(Dialect::Sqlite)));
    }
    if let Some(key) = &column.references {
        words.push(format!(
            "references {}.{} on delete {}",
            key.table,
            key.column,
            key.on_delete.to_lowercase()
        ));
    }
    words.join(" ")
}

/// `varchar(200) → varchar(300), not null → null`
fn describe_changes(from: &Column, to: &Column) -> String {
    let mut changes = Vec::new();
    if from.ty != to.ty {
        changes.push(format!("{} → {}", from.ty, to.ty));
    }
    if from.null != to.null {
        let word = |null: bool| if null { "null" } else { "not null" };
        changes.push(format!("{} → {}", word(from.null), word(to.null)));
    }
    if from.unique != to.unique {
        let word = |unique: bool| if unique { "unique" } else { "not unique" };
        changes.push(format!("{} → {}", word(from.unique), word(to.unique)));
    }
    if from.default != to.default {
        let word = |default: &Option<snapshot::SqlText>| match default {
            Some(default) => format!("default {}", default.get(Dialect::Sqlite)),
            None => "no default".into(),
        };
        changes.push(format!("{} → {}", word(&from.default), word(&to.default)));
    }
    if from.references != to.references {
        let word = |column: &Column| match &column.references {
            Some(key) => format!(
                "references {}.{} on delete {}",
                key.table,
                key.column,
                key.on_delete.to_lowercase()
            ),
            None => "no reference".into(),
        };
        changes.push(format!("{} → {}", word(from), word(to)));
    }
    changes.join(", ")
}

#[cfg(test)]
mod tests;
