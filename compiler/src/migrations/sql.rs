//! A [`Plan`] → the SQL script of each dialect.
//!
//! Input: the plan (its operations and the old schema with renames
//! applied) and the new schema. Output: one script per dialect, statements
//! ending with `;` and a newline, which the runtime's `migrate` runs in one
//! transaction.
//!
//! The statements are grouped in phases so that each finds what it needs:
//! renames; dropped indexes and constraints; dropped tables (join tables
//! first); created tables (with, on PostgreSQL, their foreign keys, and
//! their indexes); added columns; altered and dropped columns; added
//! constraints; added indexes.
//!
//! SQLite cannot alter or drop a constraint or change a column, so a table
//! with such a change is rebuilt with SQLite's documented procedure
//! (<https://www.sqlite.org/lang_altertable.html#otheralter>): create the
//! new table under a temporary name, copy the rows, drop the old table,
//! rename the new one, create its indexes. The runtime turns foreign key
//! enforcement off around the transaction and runs `PRAGMA
//! foreign_key_check` before committing, as the procedure asks.

use super::diff::{Operation, Plan, unique_name};
use super::snapshot::{Column, ColumnType, Snapshot, SqlText, Table};
use crate::sql::ddl::{
    column_definition, column_list, create_index, create_table, create_tables, foreign_key,
    foreign_key_name, sql_type,
};
use crate::sql::{Dialect, quote};
use std::collections::BTreeSet;

/// The script of `plan` for `dialect`.
pub fn script(plan: &Plan, new: &Snapshot, dialect: Dialect) -> String {
    let rebuilt = match dialect {
        Dialect::Sqlite => rebuilt_tables(plan),
        Dialect::Postgres => BTreeSet::new(),
    };
    let mut out = String::new();
    renames(plan, dialect, &mut out);
    for op in &plan.operations {
        if let Operation::DropIndex { table, index } = op
            && !rebuilt.contains(table.as_str())
        {
            out.push_str(&format!("DROP INDEX {};\n", quote(&index.name)));
        }
    }
    if dialect == Dialect::Postgres {
        drop_constraints(plan, &mut out);
    }
    for op in &plan.operations {
        if let Operation::DropTable { table } = op {
            match dialect {
                Dialect::Sqlite => out.push_str(&format!("DROP TABLE {};\n", quote(&table.name))),
                Dialect::Postgres => {
                    out.push_str(&format!("DROP TABLE {} CASCADE;\n", quote(&table.name)))
                }
            }
        }
    }
    let created: Vec<&Table> = plan
        .operations
        .iter()
        .filter_map(|op| match op {
            Operation::CreateTable { table } => Some(table),
            _ => None,
        })
        .collect();
    out.push_str(&create_tables(&created, dialect));
    match dialect {
        Dialect::Sqlite => sqlite_changes(plan, new, &rebuilt, &mut out),
        Dialect::Postgres => postgres_changes(plan, new, &mut out),
    }
    for op in &plan.operations {
        if let Operation::AddIndex { table, index } = op
            && !rebuilt.contains(table.as_str())
        {
            out.push_str(&create_index(table, index));
        }
    }
    out
}

/// Renamed join tables and columns; on PostgreSQL, the constraints named
/// after them too.
fn renames(plan: &Plan, dialect: Dialect, out: &mut String) {
    for op in &plan.operations {
        let constraints = match op {
            Operation::RenameTable {
                from,
                to,
                constraints,
                ..
            } => {
                out.push_str(&format!(
                    "ALTER TABLE {} RENAME TO {};\n",
                    quote(from),
                    quote(to)
                ));
                constraints
            }
            Operation::RenameColumn {
                table,
                from,
                to,
                constraints,
                ..
            } => {
                out.push_str(&format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {};\n",
                    quote(table),
                    quote(from),
                    quote(to)
                ));
                constraints
            }
            _ => continue,
        };
        if dialect == Dialect::Postgres {
            for (from, to) in constraints {
                out.push_str(&format!(
                    "ALTER TABLE {} RENAME CONSTRAINT {} TO {};\n",
                    quote(op.table()),
                    quote(from),
                    quote(to)
                ));
            }
        }
    }
}

/// PostgreSQL: constraints that go before columns and tables change.
fn drop_constraints(plan: &Plan, out: &mut String) {
    for op in &plan.operations {
        match op {
            Operation::DropUnique { table, columns } => out.push_str(&format!(
                "ALTER TABLE {} DROP CONSTRAINT {};\n",
                quote(table),
                quote(&unique_name(table, columns))
            )),
            Operation::DropCheck { table, check } => out.push_str(&format!(
                "ALTER TABLE {} DROP CONSTRAINT {};\n",
                quote(table),
                quote(&check.name)
            )),
            Operation::AlterColumn { table, from, to } => {
                if from.references.is_some() && from.references != to.references {
                    // IF EXISTS: dropping the referred table drops it too.
                    out.push_str(&format!(
                        "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {};\n",
                        quote(table),
                        quote(&foreign_key_name(table, &from.name))
                    ));
                }
                if from.unique && !to.unique {
                    out.push_str(&format!(
                        "ALTER TABLE {} DROP CONSTRAINT {};\n",
                        quote(table),
                        quote(&unique_name(table, std::slice::from_ref(&from.name)))
                    ));
                }
            }
            _ => {}
        }
    }
}

/// PostgreSQL: added, altered and dropped columns, then added constraints.
fn postgres_changes(plan: &Plan, new: &Snapshot, out: &mut String) {
    let dialect = Dialect::Postgres;
    for op in &plan.operations {
        if let Operation::AddColumn { table, column } = op {
            let fill = fill_for_existing_rows(column);
            let mut definition = column.clone();
            if column.default.is_none() && fill.is_some() {
                definition.default = fill.clone();
            }
            out.push_str(&format!(
                "ALTER TABLE {} ADD COLUMN {};\n",
                quote(table),
                column_definition(&definition, dialect)
            ));
            if column.default.is_none() && fill.is_some() {
                out.push_str(&format!(
                    "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT;\n",
                    quote(table),
                    quote(&column.name)
                ));
            }
        }
    }
    for op in &plan.operations {
        match op {
            Operation::AlterColumn { table, from, to } => alter_column(table, from, to, out),
            Operation::DropColumn { table, column } => out.push_str(&format!(
                "ALTER TABLE {} DROP COLUMN {};\n",
                quote(table),
                quote(&column.name)
            )),
            _ => {}
        }
    }
    for op in &plan.operations {
        match op {
            Operation::AddColumn { table, column } => {
                out.push_str(&foreign_key(table, column).unwrap_or_default());
            }
            Operation::AlterColumn { table, from, to } if from.references != to.references => {
                out.push_str(&foreign_key(table, to).unwrap_or_default());
            }
            Operation::AddUnique { table, columns } => out.push_str(&format!(
                "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({});\n",
                quote(table),
                quote(&unique_name(table, columns)),
                column_list(columns)
            )),
            Operation::AddCheck { table, check } => out.push_str(&format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({});\n",
                quote(table),
                quote(&check.name),
                check.condition.get(dialect)
            )),
            _ => {}
        }
    }
    // A table dropped and created again (its key changed) took the foreign
    // keys referring to it along (`CASCADE`): they come back.
    let dropped: BTreeSet<&str> = plan
        .operations
        .iter()
        .filter_map(|op| match op {
            Operation::DropTable { table } => Some(table.name.as_str()),
            _ => None,
        })
        .collect();
    let created: BTreeSet<&str> = plan
        .operations
        .iter()
        .filter_map(|op| match op {
            Operation::CreateTable { table } => Some(table.name.as_str()),
            _ => None,
        })
        .collect();
    for table in &new.tables {
        if created.contains(table.name.as_str()) {
            continue;
        }
        for column in &table.columns {
            let Some(key) = &column.references else {
                continue;
            };
            let refers_to_recreated =
                dropped.contains(key.table.as_str()) && created.contains(key.table.as_str());
            let added_already = plan.operations.iter().any(|op| match op {
                Operation::AlterColumn { table: t, from, to } => {
                    t == &table.name && to.name == column.name && from.references != to.references
                }
                Operation::AddColumn {
                    table: t,
                    column: c,
                } => t == &table.name && c.name == column.name,
                _ => false,
            });
            if refers_to_recreated && !added_already {
                out.push_str(&foreign_key(&table.name, column).unwrap_or_default());
            }
        }
    }
}

/// PostgreSQL: one column's type, default, nullability and uniqueness
/// (its foreign key is dropped and added by the callers' phases).
fn alter_column(table: &str, from: &Column, to: &Column, out: &mut String) {
    let dialect = Dialect::Postgres;
    let alter = |change: &str| {
        format!(
            "ALTER TABLE {} ALTER COLUMN {} {change};\n",
            quote(table),
            quote(&to.name)
        )
    };
    if from.ty != to.ty {
        if from.default.is_some() {
            out.push_str(&alter("DROP DEFAULT"));
        }
        let ty = sql_type(to.ty, dialect);
        out.push_str(&alter(&format!(
            "TYPE {ty} USING {}::{ty}",
            quote(&to.name)
        )));
        if let Some(default) = &to.default {
            out.push_str(&alter(&format!("SET DEFAULT {}", default.get(dialect))));
        }
    } else if from.default != to.default {
        match &to.default {
            Some(default) => out.push_str(&alter(&format!("SET DEFAULT {}", default.get(dialect)))),
            None => out.push_str(&alter("DROP DEFAULT")),
        }
    }
    if from.null && !to.null {
        if let Some(default) = &to.default {
            out.push_str(&format!(
                "UPDATE {} SET {} = {} WHERE {} IS NULL;\n",
                quote(table),
                quote(&to.name),
                default.get(dialect),
                quote(&to.name)
            ));
        }
        out.push_str(&alter("SET NOT NULL"));
    } else if !from.null && to.null {
        out.push_str(&alter("DROP NOT NULL"));
    }
    if !from.unique && to.unique {
        out.push_str(&format!(
            "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({});\n",
            quote(table),
            quote(&unique_name(table, std::slice::from_ref(&to.name))),
            quote(&to.name)
        ));
    }
}

/// What rows already in a table get in a new `NOT NULL` column without a
/// default: the current date or time for `auto_now` fields.
fn fill_for_existing_rows(column: &Column) -> Option<SqlText> {
    if column.null || !column.auto_now {
        return None;
    }
    match column.ty {
        ColumnType::Date => Some(SqlText::Same("CURRENT_DATE".into())),
        _ => Some(SqlText::Same("CURRENT_TIMESTAMP".into())),
    }
}

// ── SQLite ──────────────────────────────────────────────────────────────────

/// Tables SQLite must rebuild: those with a change `ALTER TABLE` cannot make.
fn rebuilt_tables(plan: &Plan) -> BTreeSet<&str> {
    plan.operations
        .iter()
        .filter(|op| match op {
            Operation::AlterColumn { .. }
            | Operation::DropColumn { .. }
            | Operation::AddUnique { .. }
            | Operation::DropUnique { .. }
            | Operation::AddCheck { .. }
            | Operation::DropCheck { .. } => true,
            Operation::AddColumn { column, .. } => !sqlite_can_add(column),
            _ => false,
        })
        .map(Operation::table)
        .collect()
}

/// Whether SQLite's `ALTER TABLE … ADD COLUMN` can add `column`: not
/// unique, a constant default or NULL for the existing rows, a foreign key
/// only with a NULL default.
fn sqlite_can_add(column: &Column) -> bool {
    let default = column
        .default
        .as_ref()
        .map(|default| default.get(Dialect::Sqlite));
    let constant = default.is_none_or(|text| !text.starts_with("CURRENT_"));
    !column.unique
        && !column.primary_key
        && (column.null || default.is_some())
        && constant
        && (column.references.is_none() || default.is_none())
}

/// SQLite: columns added with `ADD COLUMN`, then the tables rebuilt.
fn sqlite_changes(plan: &Plan, new: &Snapshot, rebuilt: &BTreeSet<&str>, out: &mut String) {
    for op in &plan.operations {
        if let Operation::AddColumn { table, column } = op
            && !rebuilt.contains(table.as_str())
        {
            out.push_str(&format!(
                "ALTER TABLE {} ADD COLUMN {};\n",
                quote(table),
                column_definition(column, Dialect::Sqlite)
            ));
        }
    }
    for table in &new.tables {
        if !rebuilt.contains(table.name.as_str()) {
            continue;
        }
        let Some(old) = plan.before.table(&table.name) else {
            continue;
        };
        rebuild(old, table, out);
    }
}

/// SQLite's procedure for a change `ALTER TABLE` cannot make.
fn rebuild(old: &Table, new: &Table, out: &mut String) {
    let temporary = format!("new__{}", new.name);
    out.push_str(&format!(
        "-- SQLite cannot alter {}: it is rebuilt and its rows copied\n",
        quote(&new.name)
    ));
    out.push_str(&create_table(new, &temporary, Dialect::Sqlite));
    let names: Vec<String> = new.columns.iter().map(|c| c.name.clone()).collect();
    let values: Vec<String> = new
        .columns
        .iter()
        .map(|column| copied_value(old.column(&column.name), column))
        .collect();
    out.push_str(&format!(
        "INSERT INTO {} ({}) SELECT {} FROM {};\n",
        quote(&temporary),
        column_list(&names),
        values.join(", "),
        quote(&old.name)
    ));
    out.push_str(&format!("DROP TABLE {};\n", quote(&old.name)));
    out.push_str(&format!(
        "ALTER TABLE {} RENAME TO {};\n",
        quote(&temporary),
        quote(&new.name)
    ));
    for index in &new.indexes {
        out.push_str(&create_index(&new.name, index));
    }
}

/// The value a rebuilt table's column gets from the old row.
fn copied_value(old: Option<&Column>, new: &Column) -> String {
    let dialect = Dialect::Sqlite;
    match old {
        Some(old) => {
            let column = quote(&old.name);
            match &new.default {
                Some(default) if old.null && !new.null => {
                    format!("COALESCE({column}, {})", default.get(dialect))
                }
                _ => column,
            }
        }
        None => match (&new.default, fill_for_existing_rows(new)) {
            (Some(default), _) => default.get(dialect).to_string(),
            (None, Some(fill)) => fill.get(dialect).to_string(),
            (None, None) => "NULL".into(),
        },
    }
}
