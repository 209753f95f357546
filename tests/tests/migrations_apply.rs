//! The migrations `djinn makemigrations` writes, applied one by one to a
//! real SQLite file and to PostgreSQL with rows inserted between steps: the
//! rows survive (a default fills a new column, a renamed column keeps its
//! values, a rebuilt table keeps the rows that refer to it), `migrate` is
//! idempotent and the status lists what is applied.
//!
//! PostgreSQL is `DJINN_TEST_POSTGRES_URL` (default
//! `postgres://root@127.0.0.1:5432/test`), in a schema of the test's own;
//! without a server the PostgreSQL test is skipped, unless `CI=true`.

use djinn::migrations::{Made, MakeOptions, make};
use djinn::{Code, ProjectInput, check_project};
use djinn_runtime::db::migrate::{Migration, migrate, migration_status};
use djinn_runtime::db::{Database, DbErrorKind, Sql, Value};

const SETTINGS: &str = "[project]\nname = \"notes\"\n";

/// The models at each step, and whether the step drops data.
const STEPS: &[(&str, bool)] = &[
    (
        "model Author {\n    name string(max = 100)\n}\n\
         model Post {\n    title string(max = 200)\n    body text\n    author Author on_delete = cascade related_name = posts\n}\n",
        false,
    ),
    (
        "model Author {\n    name string(max = 100)\n}\n\
         model Post {\n    title string(max = 200)\n    subtitle string(max = 100) default = \"none\"\n    body text\n    author Author on_delete = cascade related_name = posts\n}\n",
        false,
    ),
    (
        "model Author {\n    name string(max = 100)\n}\n\
         model Tag {\n    name string(max = 50) unique\n}\n\
         model Post {\n    title string(max = 200)\n    subtitle string(max = 100) default = \"none\"\n    body text\n    author Author on_delete = cascade related_name = posts\n    tags many Tag blank\n}\n",
        false,
    ),
    (
        "model Author {\n    name string(max = 100)\n}\n\
         model Tag {\n    name string(max = 50) unique\n}\n\
         model Post {\n    title string(max = 200)\n    subtitle string(max = 100) default = \"none\"\n    body text\n    author Author on_delete = cascade related_name = posts\n    tags many Tag blank\n    meta {\n        index (title)\n    }\n}\n",
        false,
    ),
    (
        "model Author {\n    name string(max = 100)\n}\n\
         model Tag {\n    name string(max = 50) unique\n}\n\
         model Post {\n    title string(max = 200)\n    subtitle string(max = 100) default = \"none\"\n    content text renamed_from = body\n    author Author on_delete = cascade related_name = posts\n    tags many Tag blank\n    meta {\n        index (title)\n    }\n}\n",
        false,
    ),
    (
        "model Author {\n    name string(max = 100)\n}\n\
         model Tag {\n    name string(max = 50) unique\n}\n\
         model Post {\n    title string(max = 200)\n    content text renamed_from = body\n    author Author on_delete = cascade related_name = posts\n    tags many Tag blank\n    meta {\n        index (title)\n    }\n}\n",
        true,
    ),
    (
        "model Author {\n    name string(max = 100) unique\n}\n\
         model Tag {\n    name string(max = 50) unique\n}\n\
         model Post {\n    title string(max = 300)\n    content text renamed_from = body\n    author Author null on_delete = set_null related_name = posts\n    tags many Tag blank\n    meta {\n        index (title)\n    }\n}\n",
        false,
    ),
    (
        "model Author {\n    name string(max = 100) unique\n}\n\
         model Tag {\n    label string(max = 50) unique renamed_from = name\n}\n\
         model Post {\n    title string(max = 300)\n    content text renamed_from = body\n    author Author null on_delete = set_null related_name = posts\n    tags many Tag blank\n    meta {\n        index (title)\n    }\n}\n",
        false,
    ),
    (
        "model Author {\n    name string(max = 100) unique\n}\n\
         model Tag {\n    label string(max = 50)\n}\n\
         model Post {\n    title string(max = 300)\n    content text renamed_from = body\n    author Author null on_delete = set_null related_name = posts\n    tags many Tag blank\n    meta {\n        index (title)\n    }\n}\n",
        false,
    ),
    (
        "model Author {\n    name string(max = 100) unique\n}\n\
         model Tag {\n    label string(max = 50)\n}\n\
         model Post {\n    title string(max = 300)\n    content text renamed_from = body\n    author Author null on_delete = set_null related_name = posts\n    labels many Tag blank renamed_from = tags\n    meta {\n        index (title)\n    }\n}\n",
        false,
    ),
];

/// The migrations of the steps, made as `djinn makemigrations` makes them
/// and read back as the generated binary embeds them.
fn migrations() -> Vec<Migration> {
    let mut files: Vec<(String, String)> = Vec::new();
    let input = |models: &str, files: &[(String, String)]| {
        let mut builder = ProjectInput::builder()
            .settings(SETTINGS)
            .spec("models.djinn", models)
            .migrations_directory();
        for (path, text) in files {
            builder = builder.migration(path.trim_start_matches("migrations/"), text.clone());
        }
        builder.build()
    };
    for (models, drops) in STEPS {
        let input = input(models, &files);
        let output = check_project(&input);
        let errors: Vec<_> = output
            .diagnostics
            .iter()
            .filter(|d| d.is_error() && d.code != Code::MigrationDrift)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let options = MakeOptions {
            name: None,
            allow_data_loss: *drops,
        };
        let Ok(Made::Migration(migration)) = make(&input, &output.project, &options) else {
            panic!("a migration for {models}");
        };
        files.extend(migration.files);
    }
    let last = input(STEPS[STEPS.len() - 1].0, &files);
    assert!(
        check_project(&last).diagnostics.is_empty(),
        "no drift at the end"
    );
    let mut diagnostics = Vec::new();
    let loaded = djinn::migrations::load(&last, &mut diagnostics).unwrap_or_default();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let leak = |text: &str| -> &'static str { Box::leak(text.to_owned().into_boxed_str()) };
    loaded
        .iter()
        .map(|migration| Migration {
            name: leak(&migration.name),
            sql: Sql::new(leak(&migration.sqlite), leak(&migration.postgres)),
        })
        .collect()
}

/// A statement with `?N` placeholders, as `$N` on PostgreSQL.
fn sql(text: &'static str) -> Sql {
    let postgres = text.replace('?', "$");
    Sql::new(text, Box::leak(postgres.into_boxed_str()))
}

async fn texts(db: &Database, query: &'static str) -> Vec<String> {
    db.query(&sql(query), &[])
        .await
        .unwrap()
        .iter()
        .map(|row| {
            row.values()
                .iter()
                .map(|value| match value {
                    Value::Null => "NULL".to_string(),
                    Value::Text(text) => text.clone(),
                    Value::Int(number) => number.to_string(),
                    other => format!("{other:?}"),
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

async fn run(db: &Database, statement: &'static str, params: &[Value]) {
    db.execute(&sql(statement), params)
        .await
        .unwrap_or_else(|error| panic!("{statement}: {error}"));
}

/// Applies the migrations up to `step` (inclusive); the names applied.
async fn migrate_to(db: &Database, all: &[Migration], step: usize) -> Vec<&'static str> {
    migrate(db, &all[..=step])
        .await
        .unwrap_or_else(|error| panic!("step {step}: {error}"))
}

async fn steps_keep_the_rows(db: &Database) {
    let all = migrations();
    assert_eq!(all.len(), STEPS.len());

    assert_eq!(migrate_to(db, &all, 0).await, ["0001_initial"]);
    run(
        db,
        "INSERT INTO \"notes_author\" (\"id\", \"name\") VALUES (1, 'Ann'), (2, 'Bob')",
        &[],
    )
    .await;
    run(
        db,
        "INSERT INTO \"notes_post\" (\"id\", \"title\", \"body\", \"author_id\") VALUES (1, 'First', 'Hello', 1), (2, 'Second', 'World', 2)",
        &[],
    )
    .await;

    assert_eq!(migrate_to(db, &all, 1).await, ["0002_post_add_subtitle"]);
    assert_eq!(
        texts(
            db,
            "SELECT \"subtitle\" FROM \"notes_post\" ORDER BY \"id\""
        )
        .await,
        ["none", "none"],
        "the default fills the existing rows"
    );
    run(
        db,
        "UPDATE \"notes_post\" SET \"subtitle\" = ?1 WHERE \"id\" = 2",
        &[Value::from("mine")],
    )
    .await;

    assert_eq!(
        migrate_to(db, &all, 2).await,
        ["0003_create_tag_post_add_tags"]
    );
    run(
        db,
        "INSERT INTO \"notes_tag\" (\"id\", \"name\") VALUES (1, 'news')",
        &[],
    )
    .await;
    run(
        db,
        "INSERT INTO \"notes_post_tags\" (\"post_id\", \"tag_id\") VALUES (1, 1), (2, 1)",
        &[],
    )
    .await;

    assert_eq!(migrate_to(db, &all, 3).await, ["0004_post_add_index"]);

    assert_eq!(
        migrate_to(db, &all, 4).await,
        ["0005_post_rename_body_content"]
    );
    assert_eq!(
        texts(
            db,
            "SELECT \"content\", \"subtitle\" FROM \"notes_post\" ORDER BY \"id\""
        )
        .await,
        ["Hello|none", "World|mine"],
        "the renamed column keeps its values"
    );

    assert_eq!(migrate_to(db, &all, 5).await, ["0006_post_remove_subtitle"]);
    assert_eq!(
        texts(db, "SELECT \"id\", \"title\", \"content\", \"author_id\" FROM \"notes_post\" ORDER BY \"id\"").await,
        ["1|First|Hello|1", "2|Second|World|2"]
    );
    assert_eq!(
        texts(db, "SELECT count(*) FROM \"notes_post_tags\"").await,
        ["2"],
        "rebuilding the posts' table keeps the rows referring to it"
    );
    assert!(
        // Unquoted: SQLite reads an unknown "quoted" name as a string.
        db.query(&sql("SELECT subtitle FROM notes_post"), &[])
            .await
            .is_err(),
        "the column is gone"
    );

    let last = migrate_to(db, &all, 6).await;
    assert_eq!(last.len(), 1, "{last:?}");
    let long = "x".repeat(250);
    run(
        db,
        "INSERT INTO \"notes_post\" (\"id\", \"title\", \"content\", \"author_id\") VALUES (3, ?1, 'Long', NULL)",
        &[Value::from(long.as_str())],
    )
    .await;
    // The foreign key now sets NULL instead of deleting the posts.
    run(db, "DELETE FROM \"notes_author\" WHERE \"id\" = 1", &[]).await;
    assert_eq!(
        texts(
            db,
            "SELECT \"id\", \"author_id\" FROM \"notes_post\" ORDER BY \"id\""
        )
        .await,
        ["1|NULL", "2|2", "3|NULL"]
    );
    let duplicate = db
        .execute(
            &sql("INSERT INTO \"notes_author\" (\"name\") VALUES ('Bob')"),
            &[],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(duplicate.kind(), DbErrorKind::UniqueViolation { .. }),
        "{duplicate}"
    );

    // A unique column renamed, then no longer unique: on PostgreSQL the
    // constraint was renamed with the column, or dropping it would fail.
    assert_eq!(
        migrate_to(db, &all, 7).await,
        ["0008_tag_rename_name_label"]
    );
    assert_eq!(migrate_to(db, &all, 8).await, ["0009_tag_alter_label"]);
    run(
        db,
        "INSERT INTO \"notes_tag\" (\"id\", \"label\") VALUES (2, 'news')",
        &[],
    )
    .await;
    // A many-to-many field renamed: its join table too, with its rows.
    assert_eq!(
        migrate_to(db, &all, 9).await,
        ["0010_post_rename_tags_labels"]
    );
    assert_eq!(
        texts(
            db,
            "SELECT \"post_id\", \"tag_id\" FROM \"notes_post_labels\" ORDER BY \"post_id\""
        )
        .await,
        ["1|1", "2|1"]
    );
    let duplicate_link = db
        .execute(
            &sql("INSERT INTO \"notes_post_labels\" (\"post_id\", \"tag_id\") VALUES (1, 1)"),
            &[],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(duplicate_link.kind(), DbErrorKind::UniqueViolation { .. }),
        "{duplicate_link}"
    );

    assert!(migrate(db, &all).await.unwrap().is_empty(), "idempotent");
    let status = migration_status(db, &all).await.unwrap();
    assert!(status.iter().all(|(_, applied)| *applied), "{status:?}");
    assert_eq!(status.len(), STEPS.len());
}

fn runtime() -> djinn_runtime::tokio::runtime::Runtime {
    djinn_runtime::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn migrations_keep_the_rows_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("db.sqlite3").display());
    runtime().block_on(async {
        let db = Database::connect(&url).await.unwrap();
        steps_keep_the_rows(&db).await;
    });
}

/// Drops the test's schema at the end, even after a failure.
struct DropSchema {
    url: String,
    schema: String,
}

impl Drop for DropSchema {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        // A thread of its own: the test's runtime may be gone or busy.
        let dropped = std::thread::spawn(move || {
            runtime().block_on(async {
                let admin = Database::connect(&url).await?;
                let text = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
                admin
                    .apply_schema(&[&Sql::portable(Box::leak(text.into_boxed_str()))])
                    .await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test schema {}: {dropped:?}", self.schema);
        }
    }
}

#[test]
fn migrations_keep_the_rows_on_postgres() {
    let url = std::env::var("DJINN_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_owned());
    let schema = format!("djinn_migrations_apply_{}", std::process::id());
    runtime().block_on(async {
        let admin = match Database::connect(&url).await {
            Ok(admin) => admin,
            Err(error) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("PostgreSQL at {url} is unreachable and CI=true: {error}")
            }
            Err(error) => {
                eprintln!("skipped: no PostgreSQL ({error})");
                return;
            }
        };
        let create = format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}");
        admin
            .apply_schema(&[&Sql::portable(Box::leak(create.into_boxed_str()))])
            .await
            .unwrap();
        let _guard = DropSchema {
            url: url.clone(),
            schema: schema.clone(),
        };
        let separator = if url.contains('?') { '&' } else { '?' };
        let db = Database::connect(&format!(
            "{url}{separator}options=-c%20search_path%3D{schema}"
        ))
        .await
        .unwrap();
        steps_keep_the_rows(&db).await;
    });
}
