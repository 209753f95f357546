//! Unit tests of snapshots, diffs and scripts; the command and the
//! databases are tested in `compiler/tests/migrations.rs` and
//! `tests/tests/migrations_apply.rs`.

use super::diff::{Operation, diff, migration_name, refusals};
use super::snapshot::{ColumnType, Renames, Snapshot};
use super::*;
use crate::check_project;
use std::path::Path;

fn project(spec: &str) -> Project {
    let input = ProjectInput::builder()
        .settings("[project]\nname = \"app\"\n")
        .spec("app.djinn", spec)
        .build();
    let output = check_project(&input);
    assert!(!output.has_errors(), "{:#?}", output.diagnostics);
    output.project
}

fn sample(name: &str) -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../samples")
        .join(name);
    let input = ProjectInput::load(&root).expect("the sample loads");
    let output = check_project(&input);
    assert!(!output.has_errors(), "{:#?}", output.diagnostics);
    output.project
}

fn plan(old: &str, new: &str) -> (Plan, Snapshot) {
    let old = Snapshot::of(&project(old));
    let new_project = project(new);
    let new = Snapshot::of(&new_project);
    (diff(&old, &new, &Renames::of(&new_project)), new)
}

#[test]
fn snapshots_read_back_from_their_json() {
    for name in ["blog", "polls", "shop", "bench"] {
        let snapshot = Snapshot::of(&sample(name));
        let read: Snapshot = serde_json::from_str(&snapshot.to_json()).unwrap();
        assert_eq!(read, snapshot, "{name}");
    }
}

#[test]
fn a_first_migration_runs_the_schema() {
    for name in ["blog", "polls", "shop", "bench"] {
        let project = sample(name);
        let snapshot = Snapshot::of(&project);
        let plan = diff(&Snapshot::default(), &snapshot, &Renames::of(&project));
        let schema = crate::sql::schema(&project);
        assert_eq!(
            sql::script(&plan, &snapshot, Dialect::Sqlite),
            schema.sqlite
        );
        assert_eq!(
            sql::script(&plan, &snapshot, Dialect::Postgres),
            schema.postgres
        );
        assert_eq!(migration_name(&plan, true), "initial");
    }
}

#[test]
fn column_types_read_back_from_their_words() {
    for ty in [
        ColumnType::Auto,
        ColumnType::Int,
        ColumnType::BigInt,
        ColumnType::Float,
        ColumnType::Decimal {
            digits: 10,
            places: 2,
        },
        ColumnType::Bool,
        ColumnType::Varchar(200),
        ColumnType::Text,
        ColumnType::Uuid,
        ColumnType::Date,
        ColumnType::DateTime,
        ColumnType::Json,
    ] {
        assert_eq!(ty.to_string().parse::<ColumnType>(), Ok(ty));
    }
    for bad in ["varchar", "varchar(x)", "decimal(1)", "blob", ""] {
        assert!(bad.parse::<ColumnType>().is_err(), "{bad}");
    }
}

#[test]
fn equal_models_need_nothing() {
    let spec = "model Post {\n    title string(max = 20) index\n}\n";
    let (plan, _) = plan(spec, spec);
    assert!(plan.is_empty(), "{plan:#?}");
}

#[test]
fn an_added_field_with_a_default_is_one_add_column() {
    let (plan, new) = plan(
        "model Post {\n    title string(max = 20)\n}\n",
        "model Post {\n    title string(max = 20)\n    subtitle string(max = 20) default = \"\"\n}\n",
    );
    assert!(matches!(
        &plan.operations[..],
        [Operation::AddColumn { .. }]
    ));
    assert_eq!(migration_name(&plan, false), "post_add_subtitle");
    assert!(refusals(&plan, false).is_empty());
    assert_eq!(
        sql::script(&plan, &new, Dialect::Sqlite),
        "ALTER TABLE \"app_post\" ADD COLUMN \"subtitle\" varchar(20) NOT NULL DEFAULT '';\n"
    );
}

#[test]
fn a_new_not_null_field_without_default_is_refused_even_when_data_loss_is_allowed() {
    let (plan, _) = plan(
        "model Post {\n    title string(max = 20)\n}\n",
        "model Post {\n    title string(max = 20)\n    body text\n}\n",
    );
    let refused = refusals(&plan, true);
    assert_eq!(refused.len(), 1, "{refused:#?}");
    assert!(refused[0].message.contains("NOT NULL"), "{refused:#?}");
}

#[test]
fn a_removed_field_is_refused_unless_allowed_with_a_rename_hint() {
    let (plan, new) = plan(
        "model Post {\n    body text\n}\n",
        "model Post {\n    content text null\n}\n",
    );
    let refused = refusals(&plan, false);
    assert_eq!(refused.len(), 1, "{refused:#?}");
    let help = refused[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("renamed_from = body"), "{help}");
    assert!(refusals(&plan, true).is_empty());
    let sqlite = sql::script(&plan, &new, Dialect::Sqlite);
    assert!(
        sqlite.contains("CREATE TABLE \"new__app_post\""),
        "{sqlite}"
    );
    assert!(sqlite.contains("ALTER TABLE \"new__app_post\" RENAME TO \"app_post\""));
    let postgres = sql::script(&plan, &new, Dialect::Postgres);
    assert!(
        postgres.contains("ALTER TABLE \"app_post\" DROP COLUMN \"body\";"),
        "{postgres}"
    );
}

#[test]
fn renamed_from_renames_the_column_and_its_constraints() {
    let (plan, new) = plan(
        "model Author {\n    name text\n}\nmodel Post {\n    author Author on_delete = cascade\n    slug slug unique\n}\n",
        "model Author {\n    name text\n}\nmodel Post {\n    writer Author on_delete = cascade renamed_from = author\n    slug slug unique\n}\n",
    );
    assert!(
        matches!(&plan.operations[0], Operation::RenameColumn { from, to, .. } if from == "author_id" && to == "writer_id"),
        "{plan:#?}"
    );
    assert_eq!(migration_name(&plan, false), "post_rename_author_writer");
    assert!(refusals(&plan, false).is_empty());
    let postgres = sql::script(&plan, &new, Dialect::Postgres);
    assert!(
        postgres.starts_with(
            "ALTER TABLE \"app_post\" RENAME COLUMN \"author_id\" TO \"writer_id\";\n\
             ALTER TABLE \"app_post\" RENAME CONSTRAINT \"app_post_author_id_fk\" TO \"app_post_writer_id_fk\";\n\
             DROP INDEX \"app_post_author_id_idx\";\n"
        ),
        "{postgres}"
    );
    assert!(
        postgres.ends_with(
            "CREATE INDEX \"app_post_writer_id_idx\" ON \"app_post\" (\"writer_id\");\n"
        )
    );
}

#[test]
fn altered_columns_rebuild_on_sqlite_and_alter_on_postgres() {
    let (plan, new) = plan(
        "model Post {\n    title string(max = 20) null\n    views int\n}\n",
        "model Post {\n    title string(max = 50) default = \"untitled\"\n    views bigint unique\n}\n",
    );
    let sqlite = sql::script(&plan, &new, Dialect::Sqlite);
    assert!(
        sqlite.contains(
            "SELECT \"id\", COALESCE(\"title\", 'untitled'), \"views\" FROM \"app_post\""
        ),
        "{sqlite}"
    );
    let postgres = sql::script(&plan, &new, Dialect::Postgres);
    for expected in [
        "ALTER TABLE \"app_post\" ALTER COLUMN \"title\" TYPE varchar(50) USING \"title\"::varchar(50);",
        "ALTER TABLE \"app_post\" ALTER COLUMN \"title\" SET DEFAULT 'untitled';",
        "UPDATE \"app_post\" SET \"title\" = 'untitled' WHERE \"title\" IS NULL;",
        "ALTER TABLE \"app_post\" ALTER COLUMN \"title\" SET NOT NULL;",
        "ALTER TABLE \"app_post\" ADD CONSTRAINT \"app_post_views_key\" UNIQUE (\"views\");",
    ] {
        assert!(postgres.contains(expected), "{expected}\n{postgres}");
    }
}

#[test]
fn postgres_names_unique_constraints_like_postgres() {
    use super::diff::unique_name;
    assert_eq!(
        unique_name("app_post", &["slug".into()]),
        "app_post_slug_key"
    );
    // makeObjectName shortens the longer part first, to 63 bytes in all.
    let long = unique_name(
        "app_a_table_with_a_rather_long_name",
        &["and_a_column_with_an_even_longer_name_than_that".into()],
    );
    assert_eq!(
        long,
        "app_a_table_with_a_rather_lon_and_a_column_with_an_even_lon_key"
    );
}

#[test]
fn drift_is_reported_at_the_changed_field() {
    let spec = "model Post {\n    title string(max = 20)\n}\n";
    let input = |spec: &str, migrations: &[(String, String)]| {
        let mut builder = ProjectInput::builder()
            .settings("[project]\nname = \"app\"\n")
            .spec("app.djinn", spec)
            .migrations_directory();
        for (path, text) in migrations {
            let name = path.strip_prefix("migrations/").unwrap_or(path);
            builder = builder.migration(name, text.clone());
        }
        builder.build()
    };
    let first = input(spec, &[]);
    let output = check_project(&first);
    let codes: Vec<&str> = output.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["E0801"]);
    let Ok(Made::Migration(migration)) = make(&first, &output.project, &MakeOptions::default())
    else {
        panic!("a first migration");
    };
    assert_eq!(migration.name, "0001_initial");
    let clean = input(spec, &migration.files);
    assert!(check_project(&clean).diagnostics.is_empty());
    let changed = input(
        "model Post {\n    title string(max = 20)\n    body text null\n}\n",
        &migration.files,
    );
    let output = check_project(&changed);
    assert_eq!(output.diagnostics.len(), 1, "{:#?}", output.diagnostics);
    let drift = &output.diagnostics[0];
    assert_eq!(drift.code.as_str(), "E0801");
    let text = &changed.sources.get(drift.primary.span.file).text;
    assert_eq!(
        &text[drift.primary.span.start as usize..drift.primary.span.end as usize],
        "body"
    );
}

#[test]
fn old_rows_get_the_migration_time_in_a_new_automatic_timestamp() {
    let (plan, new) = plan(
        "model Post {\n    title string(max = 20)\n}\n",
        "model Post {\n    title string(max = 20)\n    created_at datetime auto_now_add\n}\n",
    );
    assert!(refusals(&plan, false).is_empty());
    let sqlite = sql::script(&plan, &new, Dialect::Sqlite);
    assert!(
        sqlite.contains("SELECT \"id\", \"title\", CURRENT_TIMESTAMP FROM \"app_post\""),
        "{sqlite}"
    );
    assert_eq!(
        sql::script(&plan, &new, Dialect::Postgres),
        "ALTER TABLE \"app_post\" ADD COLUMN \"created_at\" timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP;\n\
         ALTER TABLE \"app_post\" ALTER COLUMN \"created_at\" DROP DEFAULT;\n"
    );
}

#[test]
fn a_changed_primary_key_recreates_the_table_and_loses_its_rows() {
    let (plan, new) = plan(
        "model Post {\n    title string(max = 20)\n}\nmodel Note {\n    post Post on_delete = cascade\n}\n",
        "model Post {\n    id uuid primary_key\n    title string(max = 20)\n}\nmodel Note {\n    post Post on_delete = cascade\n}\n",
    );
    let refused = refusals(&plan, false);
    assert!(
        refused.iter().any(|r| r.message.contains("primary key")),
        "{refused:#?}"
    );
    assert!(
        refusals(&plan, true).is_empty(),
        "{:#?}",
        refusals(&plan, true)
    );
    let postgres = sql::script(&plan, &new, Dialect::Postgres);
    assert!(
        postgres.starts_with("DROP TABLE \"app_post\" CASCADE;\n"),
        "{postgres}"
    );
    // The note's foreign key went with the old table and comes back.
    assert!(
        postgres.contains("ALTER TABLE \"app_note\" ADD CONSTRAINT \"app_note_post_id_fk\" FOREIGN KEY (\"post_id\") REFERENCES \"app_post\" (\"id\")"),
        "{postgres}"
    );
}
