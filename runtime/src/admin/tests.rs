//! Tests of the admin's routing and SQL: statement texts for both dialects
//! (values always bound, never in the text), then the same statements run
//! on a real SQLite file and on PostgreSQL (a schema of its own; skipped
//! without a server unless `CI=true`).

use super::spec::*;
use super::sql::{self, Chosen, ListRequest, Statement};
use super::values::read_value;
use super::views::search_terms;
use crate::db::{Database, Dialect, Value};
use crate::forms::{FieldKind as FormKind, FieldSpec, FormSpec};

// ── a small blog, as the compiler would describe it ─────────────────────────

const fn field(name: &'static str, column: &'static str, scalar: Scalar) -> Field {
    Field {
        name,
        label: name,
        column: Some(column),
        scalar,
        kind: FieldKind::Plain,
        null: false,
        primary_key: false,
        auto_increment: false,
        auto_now: false,
        auto_now_add: false,
        default: None,
    }
}

const ID: Field = Field {
    primary_key: true,
    auto_increment: true,
    ..field("id", "id", Scalar::Int)
};

static AUTHOR: ModelInfo = ModelInfo {
    name: "Author",
    model_name: "author",
    verbose_name: "author",
    verbose_name_plural: "authors",
    table: "adm_author",
    fields: &[ID, field("name", "name", Scalar::Text)],
    pk: 0,
    str_parts: &[StrPart::Field(1)],
    ordering: &[Order {
        path: Path {
            hops: &[],
            end: End::Field(1),
        },
        descending: false,
    }],
};

static TAG: ModelInfo = ModelInfo {
    name: "Tag",
    model_name: "tag",
    verbose_name: "tag",
    verbose_name_plural: "tags",
    table: "adm_tag",
    fields: &[ID, field("name", "name", Scalar::Text)],
    pk: 0,
    str_parts: &[StrPart::Field(1)],
    ordering: &[],
};

const STATUS: &[(&str, &str)] = &[("draft", "Draft"), ("published", "Published")];

static POST: ModelInfo = ModelInfo {
    name: "Post",
    model_name: "post",
    verbose_name: "blog post",
    verbose_name_plural: "blog posts",
    table: "adm_post",
    fields: &[
        ID,
        field("title", "title", Scalar::Text),
        Field {
            kind: FieldKind::ForeignKey(&AUTHOR),
            ..field("author", "author_id", Scalar::Int)
        },
        Field {
            column: None,
            kind: FieldKind::ManyToMany(ManyToMany {
                target: &TAG,
                table: "adm_post_tags",
                near: "post_id",
                far: "tag_id",
            }),
            ..field("tags", "", Scalar::Int)
        },
        Field {
            kind: FieldKind::Choice(STATUS),
            ..field("status", "status", Scalar::Text)
        },
        Field {
            null: true,
            ..field("created", "created", Scalar::Date)
        },
    ],
    pk: 0,
    // "{title} by {author.name}"
    str_parts: &[
        StrPart::Field(1),
        StrPart::Text(" by "),
        StrPart::Through(2, &[StrPart::Field(1)]),
    ],
    ordering: &[],
};

static POST_FORM: FormSpec = FormSpec {
    model_verbose_name: "blog post",
    fields: &[FieldSpec {
        name: "title",
        label: "Title",
        help_text: "",
        required: true,
        kind: FormKind::Text {
            max_length: Some(100),
        },
    }],
};

const AUTHOR_HOP: Hop = Hop::Forward {
    column: "author_id",
    target: &AUTHOR,
};
const TAGS_HOP: Hop = Hop::ManyToMany {
    table: "adm_post_tags",
    near: "post_id",
    far: "tag_id",
    target: &TAG,
};

static POST_ADMIN: ModelAdmin = ModelAdmin {
    model: &POST,
    list_display: &[
        ListColumn {
            label: "Title",
            path: Path {
                hops: &[],
                end: End::Field(1),
            },
        },
        ListColumn {
            label: "Author",
            path: Path {
                hops: &[AUTHOR_HOP],
                end: End::Object,
            },
        },
        ListColumn {
            label: "Status",
            path: Path {
                hops: &[],
                end: End::Field(4),
            },
        },
        ListColumn {
            label: "Tags",
            path: Path {
                hops: &[TAGS_HOP],
                end: End::Object,
            },
        },
    ],
    list_filter: &[
        ListFilter {
            title: "status",
            param: "status",
            path: Path {
                hops: &[],
                end: End::Field(4),
            },
        },
        ListFilter {
            title: "author",
            param: "author__id",
            path: Path {
                hops: &[AUTHOR_HOP],
                end: End::Object,
            },
        },
        ListFilter {
            title: "tags",
            param: "tags__id",
            path: Path {
                hops: &[TAGS_HOP],
                end: End::Object,
            },
        },
        ListFilter {
            title: "created",
            param: "created",
            path: Path {
                hops: &[],
                end: End::Field(5),
            },
        },
    ],
    search: &[
        Path {
            hops: &[],
            end: End::Field(1),
        },
        Path {
            hops: &[AUTHOR_HOP],
            end: End::Field(1),
        },
    ],
    ordering: &[Order {
        path: Path {
            hops: &[],
            end: End::Field(1),
        },
        descending: false,
    }],
    list_per_page: 2,
    fields: &[FormRow {
        field: 1,
        readonly: false,
    }],
    form: &POST_FORM,
    unique: &[&[1]],
    related: &[],
    hooks: None,
};

fn handler(
    _: crate::Request,
) -> futures_util::future::BoxFuture<'static, Result<crate::Response, crate::HttpError>> {
    Box::pin(async { Err(crate::HttpError::not_found()) })
}

static SITE: AdminSite = AdminSite {
    prefix: "/admin/",
    app_label: "blog",
    app_name: "Blog",
    site_header: "Blog administration",
    models: &[&POST_ADMIN],
    handler,
};

fn list(terms: &[&str], filters: Vec<Chosen>, sort: Option<(usize, bool)>) -> ListRequest {
    ListRequest {
        terms: terms.iter().map(|term| (*term).to_owned()).collect(),
        filters,
        sort,
        limit: 2,
        offset: 0,
    }
}

// ── routing ─────────────────────────────────────────────────────────────────

#[test]
fn admin_paths_are_routed_and_account_pages_left_alone() {
    use crate::app::RouteMatch;
    use http::Method;
    let found = |path: &str| {
        matches!(
            super::route(&SITE, &Method::GET, path),
            RouteMatch::Found { .. }
        )
    };
    for path in [
        "",
        "admin.css",
        "blog/",
        "blog/post/",
        "blog/post/add/",
        "blog/post/3/change/",
        "blog/post/3/delete/",
        "blog/post/3/",
    ] {
        assert!(found(path), "{path} is an admin page");
    }
    for path in [
        "login/",
        "logout/",
        "password_change/",
        "password_change/done/",
        "password_reset/",
        "reset/MQ/token/",
        "shop/post/",
        "blog/comment/",
        "blog/post/3/history/",
        "blog/post//change/",
    ] {
        assert!(!found(path), "{path} is not an admin page");
    }
    match super::route(&SITE, &Method::GET, "blog/post/") {
        RouteMatch::Found { params, .. } => assert_eq!(params.get(PATH), Some("blog/post/")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        super::route(&SITE, &Method::DELETE, "blog/post/"),
        RouteMatch::MethodNotAllowed { .. }
    ));
}

const PATH: &str = super::PATH_PARAM;

// ── statement texts ─────────────────────────────────────────────────────────

#[test]
fn search_terms_split_like_django() {
    assert_eq!(
        search_terms(r#"rust "query plans"  'x y' z"#),
        vec!["rust", "query plans", "x y", "z"]
    );
    assert_eq!(search_terms("   "), Vec::<String>::new());
    let many = "a ".repeat(40);
    assert_eq!(search_terms(&many).len(), sql::MAX_SEARCH_TERMS);
}

#[test]
fn search_is_bound_and_escaped_in_both_dialects() {
    let attack = "' OR 1=1 --";
    let request = list(&[attack, "50%_off"], Vec::new(), None);
    let sqlite = sql::list_statements(&POST_ADMIN, &request, Dialect::Sqlite);
    assert_eq!(
        sqlite.count.text,
        r#"SELECT COUNT(*) FROM "adm_post" AS "t0" LEFT JOIN "adm_author" AS "t1" ON "t1"."id" = "t0"."author_id" WHERE ("t0"."title" LIKE ?1 ESCAPE '\' OR "t1"."name" LIKE ?1 ESCAPE '\') AND ("t0"."title" LIKE ?2 ESCAPE '\' OR "t1"."name" LIKE ?2 ESCAPE '\')"#
    );
    assert_eq!(
        sqlite.count.params,
        vec![
            Value::Text("%' OR 1=1 --%".to_owned()),
            Value::Text(r"%50\%\_off%".to_owned()),
        ]
    );
    for statement in [&sqlite.count, &sqlite.select] {
        assert!(!statement.text.contains("1=1"), "{}", statement.text);
        assert!(!statement.text.contains("off"), "{}", statement.text);
    }
    let postgres = sql::list_statements(&POST_ADMIN, &request, Dialect::Postgres);
    assert!(
        postgres
            .count
            .text
            .contains(r#"UPPER("t0"."title") LIKE UPPER($1) ESCAPE '\'"#),
        "{}",
        postgres.count.text
    );
    assert!(postgres.select.text.ends_with("LIMIT $3 OFFSET $4"));
}

#[test]
fn filters_compare_bound_values() {
    let request = list(
        &[],
        vec![
            Chosen::Exact {
                filter: 0,
                value: Value::Text("draft'; DROP TABLE adm_post; --".to_owned()),
            },
            Chosen::Exact {
                filter: 1,
                value: Value::Int(7),
            },
            Chosen::Exact {
                filter: 2,
                value: Value::Int(3),
            },
            Chosen::Range {
                filter: 3,
                from: Some(Value::Date(jiff::civil::date(2024, 1, 1))),
                until: Some(Value::Date(jiff::civil::date(2024, 2, 1))),
            },
            Chosen::IsNull {
                filter: 3,
                null: false,
            },
        ],
        None,
    );
    let statements = sql::list_statements(&POST_ADMIN, &request, Dialect::Sqlite);
    assert_eq!(
        statements.count.text,
        r#"SELECT COUNT(*) FROM "adm_post" AS "t0" WHERE "t0"."status" = ?1 AND "t0"."author_id" = ?2 AND EXISTS (SELECT 1 FROM "adm_post_tags" AS "t1" INNER JOIN "adm_tag" AS "t2" ON "t2"."id" = "t1"."tag_id" WHERE "t1"."post_id" = "t0"."id" AND "t2"."id" = ?3) AND "t0"."created" >= ?4 AND "t0"."created" < ?5 AND "t0"."created" IS NOT NULL"#
    );
    assert_eq!(statements.count.params.len(), 5);
    assert!(!statements.select.text.contains("DROP"));
}

#[test]
fn sorting_follows_the_column_then_the_ordering_then_the_key() {
    let by_author = sql::list_statements(
        &POST_ADMIN,
        &list(&[], Vec::new(), Some((1, true))),
        Dialect::Postgres,
    );
    assert!(
        by_author.select.text.ends_with(
            r#"ORDER BY "t1"."name" DESC, "t0"."title" ASC, "t0"."id" DESC LIMIT $1 OFFSET $2"#
        ),
        "{}",
        by_author.select.text
    );
    let default = sql::list_statements(&POST_ADMIN, &list(&[], Vec::new(), None), Dialect::Sqlite);
    assert!(
        default
            .select
            .text
            .ends_with(r#"ORDER BY "t0"."title" ASC, "t0"."id" DESC LIMIT ?1 OFFSET ?2"#),
        "{}",
        default.select.text
    );
    // The many-to-many column is not sortable: asking for it changes nothing.
    let tags = sql::list_statements(
        &POST_ADMIN,
        &list(&[], Vec::new(), Some((3, false))),
        Dialect::Sqlite,
    );
    assert_eq!(tags.select.text, default.select.text);
    let mut paged = list(&[], Vec::new(), None);
    paged.offset = 4;
    let paged = sql::list_statements(&POST_ADMIN, &paged, Dialect::Sqlite);
    assert_eq!(paged.select.params, vec![Value::Int(2), Value::Int(4)]);
}

#[test]
fn statement_texts_are_kept_once() {
    let first = sql::to_sql("SELECT 1 AS admin_test_once").unwrap();
    let second = sql::to_sql(&String::from("SELECT 1 AS admin_test_once")).unwrap();
    assert!(std::ptr::eq(first.sqlite, second.sqlite));
}

// ── the same statements on real databases ───────────────────────────────────

fn ddl(dialect: Dialect) -> Vec<String> {
    let key = match dialect {
        Dialect::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        Dialect::Postgres => "BIGSERIAL PRIMARY KEY",
    };
    vec![
        format!("CREATE TABLE adm_author (id {key}, name TEXT NOT NULL)"),
        format!("CREATE TABLE adm_tag (id {key}, name TEXT NOT NULL)"),
        format!(
            "CREATE TABLE adm_post (id {key}, title TEXT NOT NULL UNIQUE, author_id BIGINT NOT NULL REFERENCES adm_author (id), status TEXT NOT NULL, created DATE NULL)"
        ),
        "CREATE TABLE adm_post_tags (post_id BIGINT NOT NULL REFERENCES adm_post (id) ON DELETE CASCADE, tag_id BIGINT NOT NULL REFERENCES adm_tag (id))".to_owned(),
        "INSERT INTO adm_author (name) VALUES ('Ada'), ('Mei')".to_owned(),
        "INSERT INTO adm_tag (name) VALUES ('Rust'), ('SQL')".to_owned(),
        "INSERT INTO adm_post (title, author_id, status, created) VALUES \
         ('Borrowing', 1, 'published', '2024-01-05'), ('Query plans', 2, 'draft', NULL), \
         ('Indexes', 2, 'published', '2024-03-01'), ('50% off', 1, 'draft', '2024-01-20')"
            .to_owned(),
        "INSERT INTO adm_post_tags (post_id, tag_id) VALUES (1, 1), (2, 2), (3, 2), (3, 1)".to_owned(),
    ]
}

async fn run(db: &Database, statement: &Statement) -> Vec<crate::db::Row> {
    db.query(&statement.sql().unwrap(), &statement.params)
        .await
        .unwrap_or_else(|error| panic!("{error}: {}", statement.text))
}

async fn count(db: &Database, statement: &Statement) -> i64 {
    run(db, statement).await[0].get_i64(0).unwrap()
}

/// The titles of a change list page.
async fn titles(db: &Database, request: &ListRequest) -> (i64, Vec<String>) {
    let statements = sql::list_statements(&POST_ADMIN, request, db.dialect());
    let total = count(db, &statements.count).await;
    let rows = run(db, &statements.select).await;
    let titles = rows
        .iter()
        .map(|row| match statements.cells[0] {
            sql::Cell::Value { at, field } => {
                crate::admin::values::python_str(&read_value(row, at, field.scalar).unwrap())
            }
            _ => panic!("the first column is the title"),
        })
        .collect();
    (total, titles)
}

async fn exercise(db: &Database) {
    let mut request = list(&[], Vec::new(), None);
    request.limit = 10;
    // Default order: title ascending.
    assert_eq!(
        titles(db, &request).await,
        (
            4,
            vec![
                "50% off".into(),
                "Borrowing".into(),
                "Indexes".into(),
                "Query plans".into()
            ]
        )
    );
    // Search: case-insensitive, over the author's name too; terms ANDed.
    request.terms = vec!["MEI".into()];
    assert_eq!(titles(db, &request).await.0, 2);
    request.terms = vec!["mei".into(), "plans".into()];
    assert_eq!(titles(db, &request).await.1, vec!["Query plans".to_owned()]);
    // `%` is literal, and an injection attempt is only text that matches nothing.
    request.terms = vec!["50%".into()];
    assert_eq!(titles(db, &request).await.1, vec!["50% off".to_owned()]);
    request.terms = vec!["' OR 1=1 --".into()];
    assert_eq!(titles(db, &request).await, (0, Vec::new()));
    request.terms.clear();
    // Filters: a choice, a related row, a many-to-many link, a date range.
    request.filters = vec![Chosen::Exact {
        filter: 0,
        value: Value::Text("draft".into()),
    }];
    assert_eq!(titles(db, &request).await.0, 2);
    request.filters = vec![Chosen::Exact {
        filter: 2,
        value: Value::Int(1),
    }];
    assert_eq!(
        titles(db, &request).await.1,
        vec!["Borrowing".to_owned(), "Indexes".to_owned()]
    );
    request.filters = vec![Chosen::Range {
        filter: 3,
        from: Some(Value::Date(jiff::civil::date(2024, 1, 1))),
        until: Some(Value::Date(jiff::civil::date(2024, 2, 1))),
    }];
    assert_eq!(
        titles(db, &request).await.1,
        vec!["50% off".to_owned(), "Borrowing".to_owned()]
    );
    request.filters = vec![Chosen::IsNull {
        filter: 3,
        null: true,
    }];
    assert_eq!(titles(db, &request).await.1, vec!["Query plans".to_owned()]);
    request.filters.clear();
    // Sorting by the author column (by the author's ordering: name), descending.
    request.sort = Some((1, true));
    assert_eq!(
        titles(db, &request).await.1,
        vec![
            "Indexes".to_owned(),
            "Query plans".to_owned(),
            "50% off".to_owned(),
            "Borrowing".to_owned()
        ]
    );
    // Pagination.
    request.sort = None;
    request.limit = 3;
    request.offset = 3;
    assert_eq!(
        titles(db, &request).await,
        (4, vec!["Query plans".to_owned()])
    );

    // The cells: the author's str, the status, the tags through their own query.
    let statements = sql::list_statements(&POST_ADMIN, &list(&[], Vec::new(), None), db.dialect());
    let rows = run(db, &statements.select).await;
    let sql::Cell::Str { at, model, .. } = statements.cells[1] else {
        panic!("the author column is a str");
    };
    let mut position = at;
    assert_eq!(
        sql::read_str(model, &rows[0], &mut position).unwrap(),
        "Ada"
    );
    let keys = vec![Value::Int(3)];
    let many = sql::many_statement(&POST, &TAGS_HOP, &keys, db.dialect());
    let tagged: Vec<String> = run(db, &many)
        .await
        .iter()
        .map(|row| {
            let mut at = 1;
            sql::read_str(&TAG, row, &mut at).unwrap()
        })
        .collect();
    assert_eq!(tagged, vec!["Rust".to_owned(), "SQL".to_owned()]);

    // A post's str follows its author: "{title} by {author.name}".
    let object = sql::object_statement(&POST, Value::Int(2), &[2], db.dialect());
    let row = &run(db, &object).await[0];
    let mut at = 0;
    assert_eq!(
        sql::read_str(&POST, row, &mut at).unwrap(),
        "Query plans by Mei"
    );
    // Choices, unique checks, distinct values.
    let choices = run(db, &sql::choices_statement(&AUTHOR, db.dialect())).await;
    assert_eq!(choices.len(), 2);
    let taken = sql::unique_statement(
        &POST,
        &["title"],
        vec![Value::Text("Indexes".into())],
        Some(Value::Int(1)),
        db.dialect(),
    );
    assert_eq!(run(db, &taken).await.len(), 1);
    let itself = sql::unique_statement(
        &POST,
        &["title"],
        vec![Value::Text("Indexes".into())],
        Some(Value::Int(3)),
        db.dialect(),
    );
    assert!(run(db, &itself).await.is_empty());
    let distinct = sql::distinct_statement(&POST, &POST_ADMIN.list_filter[0].path, db.dialect());
    assert_eq!(run(db, &distinct).await.len(), 2);

    // Writes: insert, link, update, delete selected keys.
    let mut tx = db.begin().await.unwrap();
    let insert = sql::insert_statement(
        &POST,
        &["title", "author_id", "status"],
        vec![
            Value::Text("New".into()),
            Value::Int(1),
            Value::Text("draft".into()),
        ],
        db.dialect(),
    );
    let key = tx
        .query_one(&insert.sql().unwrap(), &insert.params)
        .await
        .unwrap()
        .get_i64(0)
        .unwrap();
    let link = sql::link_statement(
        "adm_post_tags",
        "post_id",
        "tag_id",
        Value::Int(key),
        Value::Int(2),
        db.dialect(),
    );
    tx.execute(&link.sql().unwrap(), &link.params)
        .await
        .unwrap();
    let update = sql::update_statement(
        &POST,
        &["title"],
        vec![Value::Text("Newer".into())],
        Value::Int(key),
        db.dialect(),
    );
    assert_eq!(
        tx.execute(&update.sql().unwrap(), &update.params)
            .await
            .unwrap(),
        1
    );
    tx.commit().await.unwrap();
    let linked = sql::linked_keys_statement(
        "adm_post_tags",
        "post_id",
        "tag_id",
        Value::Int(key),
        db.dialect(),
    );
    assert_eq!(run(db, &linked).await[0].get_i64(0).unwrap(), 2);
    let keys = vec![Value::Int(key), Value::Int(2)];
    let found = run(db, &sql::objects_statement(&POST, &keys, db.dialect())).await;
    assert_eq!(found.len(), 2);
    let related = sql::related_count_statement(
        &POST,
        "author_id",
        Scalar::Int,
        &[Value::Int(1)],
        db.dialect(),
    );
    assert_eq!(count(db, &related).await, 3);
    let delete = sql::delete_statement(&POST, &keys, db.dialect());
    assert_eq!(
        db.execute(&delete.sql().unwrap(), &delete.params)
            .await
            .unwrap(),
        2
    );
    assert_eq!(count(db, &sql::total_statement(&POST)).await, 3);
    // A protected row refuses: the author still has posts.
    let refused = sql::delete_statement(&AUTHOR, &[Value::Int(1)], db.dialect());
    let error = db
        .execute(&refused.sql().unwrap(), &refused.params)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error.kind(),
            crate::db::DbErrorKind::ForeignKeyViolation { .. }
        ),
        "{error}"
    );
}

async fn prepare(db: &Database) {
    for statement in ddl(db.dialect()) {
        db.execute(&sql::to_sql(&statement).unwrap(), &[])
            .await
            .unwrap_or_else(|error| panic!("{error}: {statement}"));
    }
}

#[tokio::test]
async fn statements_run_on_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("admin.sqlite3").display());
    let db = Database::connect(&url).await.unwrap();
    prepare(&db).await;
    exercise(&db).await;
}

#[tokio::test]
async fn statements_run_on_postgresql() {
    let url = std::env::var("DJINN_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_owned());
    let server = match Database::connect(&url).await {
        Ok(server) => server,
        Err(error) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("PostgreSQL at {url} is unreachable and CI=true: {error}")
        }
        Err(error) => {
            eprintln!("skipped: no PostgreSQL ({error})");
            return;
        }
    };
    let schema = format!("djinn_admin_test_{}", std::process::id());
    let create = format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}");
    server
        .apply_schema(&[&sql::to_sql(&create).unwrap()])
        .await
        .unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    let db = Database::connect(&format!(
        "{url}{separator}options=-c%20search_path%3D{schema}"
    ))
    .await
    .unwrap();
    prepare(&db).await;
    let outcome = tokio::spawn(async move { exercise(&db).await }).await;
    let drop = format!("DROP SCHEMA {schema} CASCADE");
    server
        .apply_schema(&[&sql::to_sql(&drop).unwrap()])
        .await
        .unwrap();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
}
