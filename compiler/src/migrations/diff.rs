//! Two snapshots → the operations that turn one into the other.
//!
//! Input: the schema of the last migration, the schema of the models and
//! the models' [`Renames`] (`renamed_from`). Output: a [`Plan`] — the
//! [`Operation`]s, in a readable order, and the old schema with the renames
//! applied, which the SQL of the other operations starts from — plus what
//! `makemigrations` refuses to do ([`refusals`]) and the migration's name
//! ([`migration_name`]).
//!
//! Tables are matched by name, columns by name within a table, indexes and
//! check constraints by name, unique-together constraints by their columns.
//! A column the models rename (`renamed_from`) is renamed first, so the
//! comparison that follows sees its new name everywhere.

use super::snapshot::{Check, Column, Index, Renames, Snapshot, Table};
use crate::sql::ddl;
use std::collections::BTreeSet;

/// What changes between two snapshots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The old snapshot with the renames of the plan applied.
    pub before: Snapshot,
    /// The operations, in the order the summary lists them.
    pub operations: Vec<Operation>,
}

impl Plan {
    /// True when nothing changes.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }
}

/// One change to the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    /// A join table renamed with its many-to-many field.
    RenameTable {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
        /// The table of the model declaring the field.
        model_table: String,
        /// The field's old and new names.
        fields: (String, String),
        /// PostgreSQL constraints to rename with it (old, new).
        constraints: Vec<(String, String)>,
    },
    /// A column renamed with its field (`renamed_from`).
    RenameColumn {
        /// The table (its new name).
        table: String,
        /// The old column.
        from: String,
        /// The new column.
        to: String,
        /// The field's old and new names.
        fields: (String, String),
        /// PostgreSQL constraints to rename with it (old, new).
        constraints: Vec<(String, String)>,
    },
    /// A new table: its definition is in the new snapshot.
    CreateTable {
        /// The table.
        table: Table,
    },
    /// A table dropped, with its rows.
    DropTable {
        /// The old definition.
        table: Table,
    },
    /// A new column.
    AddColumn {
        /// The table.
        table: String,
        /// The column.
        column: Column,
    },
    /// A column dropped, with its values.
    DropColumn {
        /// The table.
        table: String,
        /// The old column.
        column: Column,
    },
    /// A column whose type, nullability, default, uniqueness or foreign key changes.
    AlterColumn {
        /// The table.
        table: String,
        /// The column as it was.
        from: Column,
        /// The column as it becomes.
        to: Column,
    },
    /// A new `UNIQUE (…)` constraint.
    AddUnique {
        /// The table.
        table: String,
        /// Its columns.
        columns: Vec<String>,
    },
    /// A `UNIQUE (…)` constraint dropped.
    DropUnique {
        /// The table.
        table: String,
        /// Its columns.
        columns: Vec<String>,
    },
    /// A new check constraint.
    AddCheck {
        /// The table.
        table: String,
        /// The constraint.
        check: Check,
    },
    /// A check constraint dropped.
    DropCheck {
        /// The table.
        table: String,
        /// The constraint.
        check: Check,
    },
    /// A new index.
    AddIndex {
        /// The table.
        table: String,
        /// The index.
        index: Index,
    },
    /// An index dropped.
    DropIndex {
        /// The table.
        table: String,
        /// The index.
        index: Index,
    },
}

impl Operation {
    /// The table the operation changes (its new name).
    pub fn table(&self) -> &str {
        match self {
            Operation::RenameTable { to, .. } => to,
            Operation::CreateTable { table } | Operation::DropTable { table } => &table.name,
            Operation::RenameColumn { table, .. }
            | Operation::AddColumn { table, .. }
            | Operation::DropColumn { table, .. }
            | Operation::AlterColumn { table, .. }
            | Operation::AddUnique { table, .. }
            | Operation::DropUnique { table, .. }
            | Operation::AddCheck { table, .. }
            | Operation::DropCheck { table, .. }
            | Operation::AddIndex { table, .. }
            | Operation::DropIndex { table, .. } => table,
        }
    }

    /// True for operations that lose data: dropping a table or a column.
    pub fn loses_data(&self) -> bool {
        matches!(
            self,
            Operation::DropTable { .. } | Operation::DropColumn { .. }
        )
    }
}

/// The operations from `old` to `new`.
pub fn diff(old: &Snapshot, new: &Snapshot, renames: &Renames) -> Plan {
    let mut before = old.clone();
    let mut operations = Vec::new();
    rename_join_tables(&mut before, new, renames, &mut operations);
    rename_columns(&mut before, new, renames, &mut operations);
    let joins_first = |table: &&Table| table.join.is_none();
    let mut dropped: Vec<&Table> = before
        .tables
        .iter()
        .filter(|table| new.table(&table.name).is_none())
        .collect();
    dropped.sort_by_key(joins_first);
    let mut recreated = Vec::new();
    for table in &new.tables {
        if let Some(old_table) = before.table(&table.name)
            && old_table.primary_key().map(|c| (&c.name, c.ty))
                != table.primary_key().map(|c| (&c.name, c.ty))
        {
            recreated.push(old_table);
        }
    }
    for table in dropped.iter().chain(&recreated) {
        operations.push(Operation::DropTable {
            table: (*table).clone(),
        });
    }
    for table in &new.tables {
        let old_table = before.table(&table.name);
        if old_table.is_none() || recreated.iter().any(|old| old.name == table.name) {
            operations.push(Operation::CreateTable {
                table: table.clone(),
            });
        }
    }
    for table in &new.tables {
        let Some(old_table) = before.table(&table.name) else {
            continue;
        };
        if recreated.iter().any(|old| old.name == table.name) {
            continue;
        }
        compare_tables(old_table, table, &mut operations);
    }
    Plan { before, operations }
}

/// Join tables of many-to-many fields with `renamed_from`.
fn rename_join_tables(
    before: &mut Snapshot,
    new: &Snapshot,
    renames: &Renames,
    operations: &mut Vec<Operation>,
) {
    for table in &new.tables {
        let Some((model_table, old_field)) = renames.join_tables.get(&table.name) else {
            continue;
        };
        if before.table(&table.name).is_some() {
            continue;
        }
        let Some(position) = before.tables.iter().position(|old| {
            old.join
                .as_ref()
                .is_some_and(|join| &join.table == model_table && &join.field == old_field)
        }) else {
            continue;
        };
        let old = before.tables[position].clone();
        let mut renamed = old.clone();
        renamed.name = table.name.clone();
        renamed.join = table.join.clone();
        let new_field = table.join.as_ref().map_or("", |join| join.field.as_str());
        operations.push(Operation::RenameTable {
            from: old.name.clone(),
            to: table.name.clone(),
            model_table: model_table.clone(),
            fields: (old_field.clone(), new_field.to_string()),
            constraints: constraint_renames(&old, &renamed),
        });
        before.tables[position] = renamed;
    }
}

/// Columns of fields with `renamed_from`.
fn rename_columns(
    before: &mut Snapshot,
    new: &Snapshot,
    renames: &Renames,
    operations: &mut Vec<Operation>,
) {
    for table in &new.tables {
        for column in &table.columns {
            let Some(old_field) = renames
                .columns
                .get(&(table.name.clone(), column.name.clone()))
            else {
                continue;
            };
            let Some(position) = before.tables.iter().position(|old| old.name == table.name) else {
                continue;
            };
            let old = &before.tables[position];
            if old.column(&column.name).is_some() {
                continue;
            }
            let Some(from) = old
                .columns
                .iter()
                .find(|old_column| old_column.field_name() == old_field)
                .map(|old_column| old_column.name.clone())
            else {
                continue;
            };
            let renamed = rename_column_in(old, &from, column);
            operations.push(Operation::RenameColumn {
                table: table.name.clone(),
                from: from.clone(),
                to: column.name.clone(),
                fields: (old_field.clone(), column.field_name().to_string()),
                constraints: constraint_renames(old, &renamed),
            });
            before.tables[position] = renamed;
            for other in &mut before.tables {
                for other_column in &mut other.columns {
                    if let Some(key) = &mut other_column.references
                        && key.table == table.name
                        && key.column == from
                    {
                        key.column = column.name.clone();
                    }
                }
            }
        }
    }
}

/// `table` with column `from` renamed like `to`: in its columns, indexes,
/// unique-together and check constraints.
fn rename_column_in(table: &Table, from: &str, to: &Column) -> Table {
    let mut renamed = table.clone();
    let rename = |name: &mut String| {
        if name == from {
            *name = to.name.clone();
        }
    };
    for column in &mut renamed.columns {
        if column.name == from {
            column.name = to.name.clone();
            column.field = to.field.clone();
        }
    }
    for index in &mut renamed.indexes {
        index.columns.iter_mut().for_each(rename);
    }
    for columns in &mut renamed.unique_together {
        columns.iter_mut().for_each(rename);
    }
    for check in &mut renamed.checks {
        check.condition = check.condition.rename_identifier(from, &to.name);
    }
    renamed
}

/// Compares a table present on both sides.
fn compare_tables(old: &Table, new: &Table, operations: &mut Vec<Operation>) {
    let table = || new.name.clone();
    for index in &old.indexes {
        if !new.indexes.contains(index) {
            operations.push(Operation::DropIndex {
                table: table(),
                index: index.clone(),
            });
        }
    }
    for columns in &old.unique_together {
        if !new.unique_together.contains(columns) {
            operations.push(Operation::DropUnique {
                table: table(),
                columns: columns.clone(),
            });
        }
    }
    for check in &old.checks {
        if !new.checks.contains(check) {
            operations.push(Operation::DropCheck {
                table: table(),
                check: check.clone(),
            });
        }
    }
    for column in &old.columns {
        if new.column(&column.name).is_none() {
            operations.push(Operation::DropColumn {
                table: table(),
                column: column.clone(),
            });
        }
    }
    for column in &new.columns {
        match old.column(&column.name) {
            None => operations.push(Operation::AddColumn {
                table: table(),
                column: column.clone(),
            }),
            Some(before) if !before.same_shape(column) => {
                operations.push(Operation::AlterColumn {
                    table: table(),
                    from: before.clone(),
                    to: column.clone(),
                });
            }
            Some(_) => {}
        }
    }
    for columns in &new.unique_together {
        if !old.unique_together.contains(columns) {
            operations.push(Operation::AddUnique {
                table: table(),
                columns: columns.clone(),
            });
        }
    }
    for check in &new.checks {
        if !old.checks.contains(check) {
            operations.push(Operation::AddCheck {
                table: table(),
                check: check.clone(),
            });
        }
    }
    for index in &new.indexes {
        if !old.indexes.contains(index) {
            operations.push(Operation::AddIndex {
                table: table(),
                index: index.clone(),
            });
        }
    }
}

// ── PostgreSQL constraint names ─────────────────────────────────────────────

/// The names PostgreSQL gives the constraints of `table` (the primary key,
/// each unique column, each unique-together, each foreign key), in a fixed
/// order, so that two versions of one table pair up.
pub(crate) fn postgres_constraints(table: &Table) -> Vec<String> {
    let mut names = vec![postgres_name(&table.name, "", "pkey")];
    for column in &table.columns {
        if column.unique {
            names.push(unique_name(&table.name, std::slice::from_ref(&column.name)));
        }
        if column.references.is_some() {
            names.push(ddl::foreign_key_name(&table.name, &column.name));
        }
    }
    for columns in &table.unique_together {
        names.push(unique_name(&table.name, columns));
    }
    names
}

/// Constraints whose PostgreSQL name changes between two versions of a table.
fn constraint_renames(old: &Table, new: &Table) -> Vec<(String, String)> {
    postgres_constraints(old)
        .into_iter()
        .zip(postgres_constraints(new))
        .filter(|(from, to)| from != to)
        .collect()
}

/// The name PostgreSQL gives `UNIQUE (columns)` on `table` when none is
/// written: `<table>_<columns>_key`.
pub(crate) fn unique_name(table: &str, columns: &[String]) -> String {
    // ChooseIndexNameAddition: the names joined with `_`, cut once they
    // reach NAMEDATALEN.
    let mut joined = String::new();
    for column in columns {
        if !joined.is_empty() {
            joined.push('_');
        }
        joined.push_str(column);
        if joined.len() >= 64 {
            break;
        }
    }
    postgres_name(table, &joined, "key")
}

/// PostgreSQL's `makeObjectName`: `name1_name2_label`, the longer of the
/// two names shortened until the whole fits in 63 bytes.
fn postgres_name(name1: &str, name2: &str, label: &str) -> String {
    let mut overhead = label.len() + 1;
    if !name2.is_empty() {
        overhead += 1;
    }
    let available = 63usize.saturating_sub(overhead);
    let (mut chars1, mut chars2) = (name1.len(), name2.len());
    while chars1 + chars2 > available {
        if chars1 > chars2 {
            chars1 -= 1;
        } else {
            chars2 -= 1;
        }
    }
    let clip = |text: &str, mut len: usize| {
        while !text.is_char_boundary(len) {
            len -= 1;
        }
        text[..len].to_string()
    };
    let mut name = clip(name1, chars1);
    if !name2.is_empty() {
        name.push('_');
        name.push_str(&clip(name2, chars2));
    }
    name.push('_');
    name.push_str(label);
    name
}

// ── refusals ────────────────────────────────────────────────────────────────

/// An operation `makemigrations` will not write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// What and why.
    pub message: String,
    /// How to go on.
    pub help: Option<String>,
}

/// What the plan may not do: lose data (unless `allow_data_loss`), or add a
/// `NOT NULL` column without a value for the rows already there.
pub fn refusals(plan: &Plan, allow_data_loss: bool) -> Vec<Refusal> {
    let mut refused = Vec::new();
    let created: BTreeSet<&str> = plan
        .operations
        .iter()
        .filter_map(|op| match op {
            Operation::CreateTable { table } => Some(table.name.as_str()),
            _ => None,
        })
        .collect();
    let rename_hint = |table: &str| -> Option<String> {
        let dropped: Vec<&Column> = plan
            .operations
            .iter()
            .filter_map(|op| match op {
                Operation::DropColumn { table: t, column } if t == table => Some(column),
                _ => None,
            })
            .collect();
        let added: Vec<&Column> = plan
            .operations
            .iter()
            .filter_map(|op| match op {
                Operation::AddColumn { table: t, column } if t == table => Some(column),
                _ => None,
            })
            .collect();
        let (old, new) = (dropped.first()?, added.first()?);
        Some(format!(
            "if `{}` was renamed to `{}`, add `renamed_from = {}` to `{}`: the column is then renamed and keeps its data",
            old.field_name(),
            new.field_name(),
            old.field_name(),
            new.field_name()
        ))
    };
    for op in &plan.operations {
        match op {
            Operation::DropTable { table } if !allow_data_loss => {
                let what = match (&table.model, &table.join) {
                    (Some(model), _) => format!("model `{model}`"),
                    (None, Some(join)) => format!("many-to-many field `{}`", join.field),
                    (None, None) => format!("table `{}`", table.name),
                };
                let recreated = created.contains(table.name.as_str());
                refused.push(Refusal {
                    message: if recreated {
                        format!(
                            "the primary key of {what} changes: table `{}` would be dropped and created again, losing its rows",
                            table.name
                        )
                    } else {
                        format!(
                            "{what} was removed: dropping table `{}` loses its rows",
                            table.name
                        )
                    },
                    help: Some(if table.model.is_some() && !recreated {
                        "pass --allow-data-loss to drop it; a model that was renamed is dropped and created again (set `meta { db_table = \"…\" }` to keep the old table)".into()
                    } else {
                        "pass --allow-data-loss to drop it".into()
                    }),
                });
            }
            Operation::DropColumn { table, column } if !allow_data_loss => {
                let hint = rename_hint(table);
                refused.push(Refusal {
                    message: format!(
                        "field `{}` of {} was removed: dropping column `{}` loses its values",
                        column.field_name(),
                        describe_table(plan, table),
                        column.name
                    ),
                    help: Some(match hint {
                        Some(hint) => format!("{hint}; or pass --allow-data-loss to drop it"),
                        None => "pass --allow-data-loss to drop it".into(),
                    }),
                });
            }
            Operation::AddColumn { table, column }
                if !column.null && column.default.is_none() && !column.auto_now =>
            {
                let mut help = String::from(
                    "give it a default (`default = …`), which the existing rows get, or make it `null`",
                );
                if let Some(hint) = rename_hint(table) {
                    help = format!("{hint}; or {help}");
                }
                refused.push(Refusal {
                    message: format!(
                        "field `{}` of {} is new, NOT NULL and has no default: the rows already in `{table}` would have no value for it",
                        column.field_name(),
                        describe_table(plan, table),
                    ),
                    help: Some(help),
                });
            }
            Operation::AlterColumn { table, from, to }
                if from.null && !to.null && to.default.is_none() && !allow_data_loss =>
            {
                refused.push(Refusal {
                    message: format!(
                        "field `{}` of {} becomes NOT NULL without a default: rows holding NULL would make the migration fail",
                        to.field_name(),
                        describe_table(plan, table),
                    ),
                    help: Some(
                        "give it a default (`default = …`), which replaces the NULLs, or pass --allow-data-loss to write the migration anyway".into(),
                    ),
                });
            }
            _ => {}
        }
    }
    refused
}

/// `model `Post`` or `table `x``.
fn describe_table(plan: &Plan, table: &str) -> String {
    match plan.before.table(table).and_then(|t| t.model.as_deref()) {
        Some(model) => format!("model `{model}`"),
        None => format!("table `{table}`"),
    }
}

// ── names ───────────────────────────────────────────────────────────────────

/// The name of a migration made of `plan` (after its number): `initial`
/// for the first, else words from its operations (`post_add_subtitle`),
/// or `auto` when they would make a long name.
pub fn migration_name(plan: &Plan, first: bool) -> String {
    if first {
        return "initial".into();
    }
    let model = |table: &str| -> String {
        let found = plan
            .operations
            .iter()
            .find_map(|op| match op {
                Operation::CreateTable { table: t } | Operation::DropTable { table: t }
                    if t.name == table =>
                {
                    t.model.clone()
                }
                _ => None,
            })
            .or_else(|| plan.before.table(table).and_then(|t| t.model.clone()));
        found.unwrap_or_else(|| table.to_string()).to_lowercase()
    };
    let join_parts = |table: &Table| {
        table.join.as_ref().map(|join| {
            let owner = plan
                .before
                .table(&join.table)
                .and_then(|t| t.model.clone())
                .unwrap_or_else(|| join.table.clone());
            (owner.to_lowercase(), join.field.clone())
        })
    };
    let mut primary = Vec::new();
    let mut secondary = Vec::new();
    for op in &plan.operations {
        let (words, main) = match op {
            Operation::CreateTable { table } => match join_parts(table) {
                Some((owner, field)) => (format!("{owner}_add_{field}"), true),
                None => (format!("create_{}", model(&table.name)), true),
            },
            Operation::DropTable { table } => match join_parts(table) {
                Some((owner, field)) => (format!("{owner}_remove_{field}"), true),
                None => (format!("delete_{}", model(&table.name)), true),
            },
            Operation::RenameTable {
                model_table,
                fields: (from, to),
                ..
            } => (format!("{}_rename_{from}_{to}", model(model_table)), true),
            Operation::RenameColumn {
                table,
                fields: (from, to),
                ..
            } => (format!("{}_rename_{from}_{to}", model(table)), true),
            Operation::AddColumn { table, column } => (
                format!("{}_add_{}", model(table), column.field_name()),
                true,
            ),
            Operation::DropColumn { table, column } => (
                format!("{}_remove_{}", model(table), column.field_name()),
                true,
            ),
            Operation::AlterColumn { table, to, .. } => {
                (format!("{}_alter_{}", model(table), to.field_name()), true)
            }
            Operation::AddIndex { table, .. } => (format!("{}_add_index", model(table)), false),
            Operation::DropIndex { table, .. } => (format!("{}_remove_index", model(table)), false),
            Operation::AddUnique { table, .. } => (format!("{}_add_unique", model(table)), false),
            Operation::DropUnique { table, .. } => {
                (format!("{}_remove_unique", model(table)), false)
            }
            Operation::AddCheck { table, .. } => (format!("{}_add_check", model(table)), false),
            Operation::DropCheck { table, .. } => (format!("{}_remove_check", model(table)), false),
        };
        let list = if main { &mut primary } else { &mut secondary };
        if !list.contains(&words) {
            list.push(words);
        }
    }
    let words = if primary.is_empty() {
        secondary
    } else {
        primary
    };
    let name = words.join("_");
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.len() > 50 {
        "auto".into()
    } else {
        name
    }
}
