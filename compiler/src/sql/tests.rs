//! Tests of the SQL text: snapshots of the samples' schema and of every
//! query of their views on both dialects, and unit tests of the lookups.

use super::*;
use crate::check::ir::{ContextValue, GenericKind, Project, ViewKind};
use crate::{ProjectInput, check_project};
use std::fmt::Write;
use std::path::Path;

fn sample(name: &str) -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../samples")
        .join(name);
    let input = ProjectInput::load(&root).expect("the sample loads");
    let output = check_project(&input);
    assert!(!output.has_errors(), "{:#?}", output.diagnostics);
    output.project
}

fn project(spec: &str) -> Project {
    let input = ProjectInput::builder()
        .settings("[project]\nname = \"app\"\n")
        .spec("app.djinn", spec)
        .template("t.html", "")
        .build();
    let output = check_project(&input);
    assert!(!output.has_errors(), "{:#?}", output.diagnostics);
    output.project
}

fn write_statement(out: &mut String, label: &str, statement: &Statement) {
    let _ = writeln!(out, "  {label} (sqlite):   {}", statement.sqlite);
    let _ = writeln!(out, "  {label} (postgres): {}", statement.postgres);
    for (index, param) in statement.params.iter().enumerate() {
        let _ = writeln!(
            out,
            "    ${} = {} as {:?}",
            index + 1,
            describe_param(&param.value),
            param.kind
        );
    }
}

fn describe_param(value: &ParamValue) -> String {
    match value {
        ParamValue::Value(value) => describe_value(value),
        ParamValue::Pattern { value, pattern } => {
            format!("{pattern:?} pattern of {}", describe_value(value))
        }
        ParamValue::Int(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

fn describe_value(value: &ir::Value) -> String {
    use ir::ValueKind;
    match &value.kind {
        ValueKind::Literal(literal) => format!("{literal:?}"),
        ValueKind::Choice { key, .. } => format!("choice {key}"),
        ValueKind::Param { name, .. } => format!("param {name}"),
        ValueKind::Object(path) => {
            format!("object.{} ({} steps)", path.steps.len(), path.steps.len())
        }
        ValueKind::Context { name, .. } => format!("context {name}"),
        other => format!("{other:?}"),
    }
}

fn write_query(out: &mut String, project: &Project, label: &str, query: &CompiledQuery) {
    write_statement(out, label, &query.main);
    if let Some(count) = &query.count {
        write_statement(out, &format!("{label} count"), count);
    }
    if let Some(layout) = &query.layout {
        write_prefetches(out, project, label, layout);
    }
}

fn write_prefetches(out: &mut String, project: &Project, label: &str, layout: &Layout) {
    for (_, joined) in &layout.joined {
        write_prefetches(out, project, label, joined);
    }
    for prefetch in &layout.prefetched {
        let name = project.step_name(prefetch.step);
        write_statement(
            out,
            &format!("{label} prefetch {name}"),
            &prefetch.statement,
        );
        write_prefetches(out, project, label, &prefetch.layout);
    }
}

/// Every query of every view of a sample, compiled as code generation does
/// for JSON views (their fields decide the fetch plan) and without a plan
/// for the others.
fn sample_queries(name: &str) -> String {
    let project = sample(name);
    let mut out = String::new();
    for view in &project.views {
        let _ = writeln!(out, "view {}", view.name);
        if let ViewKind::Generic(generic) = &view.kind {
            let mut plan = FetchPlan::new();
            if generic.json {
                for path in &generic.fields {
                    plan.add_path(&project, path, false);
                }
            }
            if let Some(query) = &generic.query {
                let purpose = match generic.kind {
                    GenericKind::List if generic.paginate.is_some() => QueryPurpose::Page,
                    GenericKind::List => QueryPurpose::Rows,
                    _ => QueryPurpose::Get,
                };
                let compiled = compile_query(&project, query, &plan, &view.context, purpose);
                write_query(&mut out, &project, "main", &compiled);
            }
        }
        for entry in &view.context {
            if let ContextValue::Query(query) = &entry.value {
                let compiled = compile_query(
                    &project,
                    query,
                    &FetchPlan::new(),
                    &view.context,
                    QueryPurpose::Rows,
                );
                write_query(&mut out, &project, &entry.name, &compiled);
            }
        }
    }
    out
}

#[test]
fn blog_schema() {
    let schema = schema(&sample("blog"));
    insta::assert_snapshot!("blog_schema_sqlite", schema.sqlite);
    insta::assert_snapshot!("blog_schema_postgres", schema.postgres);
}

#[test]
fn shop_schema() {
    let schema = schema(&sample("shop"));
    insta::assert_snapshot!("shop_schema_sqlite", schema.sqlite);
    insta::assert_snapshot!("shop_schema_postgres", schema.postgres);
}

#[test]
fn polls_schema() {
    let schema = schema(&sample("polls"));
    insta::assert_snapshot!("polls_schema_sqlite", schema.sqlite);
    insta::assert_snapshot!("polls_schema_postgres", schema.postgres);
}

#[test]
fn blog_queries() {
    insta::assert_snapshot!(sample_queries("blog"));
}

#[test]
fn shop_queries() {
    insta::assert_snapshot!(sample_queries("shop"));
}

#[test]
fn polls_queries() {
    insta::assert_snapshot!(sample_queries("polls"));
}

const LOOKUPS: &str = r#"
model Author {
    name  string(max = 100)
    nick  string(max = 50) null
}
model Tag {
    name string(max = 50)
}
model Post {
    title  string(max = 200)
    body   text
    author Author on_delete = cascade related_name = posts
    editor Author null on_delete = set_null related_name = edited
    tags   many Tag blank related_name = posts
    score  int default = 0
}
"#;

/// The SQLite and PostgreSQL text of `Post.<query>` in a list view.
fn lookup_sql(query: &str) -> (String, String, Vec<Param>) {
    let spec = format!(
        "{LOOKUPS}\nview v: list Post {{\n    query Post.{query}\n    template \"t.html\"\n}}\n"
    );
    let project = project(&spec);
    let ViewKind::Generic(generic) = &project.views[0].kind else {
        unreachable!()
    };
    let compiled = compile_query(
        &project,
        generic.query.as_ref().unwrap(),
        &FetchPlan::new(),
        &[],
        QueryPurpose::Rows,
    );
    (
        compiled.main.sqlite,
        compiled.main.postgres,
        compiled.main.params,
    )
}

fn where_of(sql: &str) -> &str {
    sql.split_once(" WHERE ").map_or("", |(_, rest)| rest)
}

#[test]
fn text_lookups_escape_and_fold_case_per_dialect() {
    let (sqlite, postgres, params) = lookup_sql(r#"filter(title icontains "50%_off")"#);
    assert_eq!(where_of(&sqlite), r#""t0"."title" LIKE ?1 ESCAPE '\'"#);
    assert_eq!(
        where_of(&postgres),
        r#"UPPER("t0"."title") LIKE UPPER($1) ESCAPE '\'"#
    );
    assert!(matches!(
        params[0].value,
        ParamValue::Pattern {
            pattern: LikePattern::Contains,
            ..
        }
    ));
    assert_eq!(
        LikePattern::Contains.apply("50%_off\\"),
        "%50\\%\\_off\\\\%"
    );
    assert_eq!(LikePattern::StartsWith.apply("a"), "a%");
    assert_eq!(LikePattern::EndsWith.apply("a"), "%a");
    assert_eq!(LikePattern::Exact.apply("a_b"), "a\\_b");
    let (sqlite, postgres, _) = lookup_sql(r#"filter(title iexact "Rust")"#);
    assert_eq!(where_of(&sqlite), r#""t0"."title" LIKE ?1 ESCAPE '\'"#);
    assert_eq!(
        where_of(&postgres),
        r#"UPPER("t0"."title") LIKE UPPER($1) ESCAPE '\'"#
    );
    let (_, postgres, _) = lookup_sql(r#"filter(title startswith "R")"#);
    assert_eq!(where_of(&postgres), r#""t0"."title" LIKE $1 ESCAPE '\'"#);
}

#[test]
fn in_lists_bind_each_value_and_empty_lists_match_nothing() {
    let (sqlite, postgres, params) = lookup_sql("filter(score in [1, 2, 3])");
    assert_eq!(where_of(&sqlite), r#""t0"."score" IN (?1, ?2, ?3)"#);
    assert_eq!(where_of(&postgres), r#""t0"."score" IN ($1, $2, $3)"#);
    assert_eq!(params.len(), 3);
    let (sqlite, _, params) = lookup_sql("filter(score in [])");
    assert_eq!(where_of(&sqlite), "1 = 0");
    assert!(params.is_empty());
    let (sqlite, _, _) = lookup_sql("filter(score not in [1])");
    assert_eq!(where_of(&sqlite), r#"NOT ("t0"."score" IN (?1))"#);
}

#[test]
fn negations_of_nullable_conditions_keep_null_rows() {
    let (sqlite, _, _) = lookup_sql(r#"exclude(editor.name == "bot")"#);
    assert_eq!(
        sqlite,
        r#"SELECT "t0"."id", "t0"."title", "t0"."body", "t0"."author_id", "t0"."editor_id", "t0"."score" FROM "app_post" AS "t0" LEFT JOIN "app_author" AS "t1" ON "t1"."id" = "t0"."editor_id" WHERE ("t1"."name" = ?1) IS NOT TRUE"#
    );
    let (sqlite, _, _) = lookup_sql(r#"exclude(author.name == "bot")"#);
    assert!(
        sqlite.contains(r#"INNER JOIN "app_author" AS "t1""#),
        "{sqlite}"
    );
    assert!(
        sqlite.ends_with(r#"WHERE NOT ("t1"."name" = ?1)"#),
        "{sqlite}"
    );
    let (sqlite, _, _) = lookup_sql(r#"filter(author.nick != "x")"#);
    assert!(
        sqlite.ends_with(r#"WHERE ("t1"."nick" = ?1) IS NOT TRUE"#),
        "{sqlite}"
    );
    let (sqlite, _, _) = lookup_sql("filter(editor is null)");
    assert_eq!(where_of(&sqlite), r#""t0"."editor_id" IS NULL"#);
}

#[test]
fn keys_through_foreign_keys_need_no_join() {
    let (sqlite, _, _) = lookup_sql("filter(author.id == 3)");
    assert!(!sqlite.contains("JOIN"), "{sqlite}");
    assert_eq!(where_of(&sqlite), r#""t0"."author_id" = ?1"#);
}

#[test]
fn many_relations_are_exists_subqueries_negated_outside() {
    let (sqlite, _, _) = lookup_sql(r#"filter(tags.name == "rust")"#);
    assert_eq!(
        where_of(&sqlite),
        r#"EXISTS (SELECT 1 FROM "app_post_tags" AS "t1" INNER JOIN "app_tag" AS "t2" ON "t2"."id" = "t1"."tag_id" WHERE "t1"."post_id" = "t0"."id" AND "t2"."name" = ?1)"#
    );
    let (sqlite, _, _) = lookup_sql(r#"filter(tags.name != "rust")"#);
    assert!(
        where_of(&sqlite).starts_with("NOT (EXISTS (SELECT 1"),
        "{sqlite}"
    );
    let (sqlite, _, _) = lookup_sql("filter(tags.id in [1, 2])");
    assert_eq!(
        where_of(&sqlite),
        r#"EXISTS (SELECT 1 FROM "app_post_tags" AS "t1" WHERE "t1"."post_id" = "t0"."id" AND "t1"."tag_id" IN (?1, ?2))"#
    );
    let spec = format!(
        "{LOOKUPS}\nview v: list Author {{\n    query Author.filter(posts.title contains \"x\")\n    template \"t.html\"\n}}\n"
    );
    let project = project(&spec);
    let ViewKind::Generic(generic) = &project.views[0].kind else {
        unreachable!()
    };
    let compiled = compile_query(
        &project,
        generic.query.as_ref().unwrap(),
        &FetchPlan::new(),
        &[],
        QueryPurpose::Rows,
    );
    assert_eq!(
        where_of(&compiled.main.sqlite),
        r#"EXISTS (SELECT 1 FROM "app_post" AS "t1" WHERE "t1"."author_id" = "t0"."id" AND "t1"."title" LIKE ?1 ESCAPE '\')"#
    );
}

#[test]
fn slices_terminals_and_functions() {
    let (sqlite, postgres, params) = lookup_sql("order_by(-score)[5:]");
    assert!(
        sqlite.ends_with(r#"ORDER BY "t0"."score" DESC LIMIT -1 OFFSET ?1"#),
        "{sqlite}"
    );
    assert!(
        postgres.ends_with(r#"ORDER BY "t0"."score" DESC OFFSET $1"#),
        "{postgres}"
    );
    assert!(matches!(params[0].value, ParamValue::Int(5)));
    let (sqlite, _, _) = lookup_sql("filter(length(title) > 0)[2:4]");
    assert!(
        sqlite.ends_with(r#"WHERE LENGTH("t0"."title") > ?1 LIMIT ?2 OFFSET ?3"#),
        "{sqlite}"
    );
    let (sqlite, _, _) = lookup_sql("filter(lower(title) == \"a\" or score > 1)");
    assert_eq!(
        where_of(&sqlite),
        r#"(LOWER("t0"."title") = ?1) OR ("t0"."score" > ?2)"#
    );
}

#[test]
fn paginated_lists_and_gets_bound_their_rows() {
    let spec = format!(
        "{LOOKUPS}\nview v: list Post {{\n    query Post.filter(score > 1)[:30]\n    paginate 10\n    template \"t.html\"\n}}\nview d(id: int): detail Post {{\n    template \"t.html\"\n}}\n"
    );
    let project = project(&spec);
    let ViewKind::Generic(list) = &project.views[0].kind else {
        unreachable!()
    };
    let page = compile_query(
        &project,
        list.query.as_ref().unwrap(),
        &FetchPlan::new(),
        &[],
        QueryPurpose::Page,
    );
    assert!(
        page.main.sqlite.ends_with("LIMIT ?2 OFFSET ?3"),
        "{}",
        page.main.sqlite
    );
    assert_eq!(
        page.count.as_ref().unwrap().sqlite,
        r#"SELECT COUNT(*) FROM (SELECT 1 FROM "app_post" AS "t0" WHERE "t0"."score" > ?1 LIMIT ?2) AS "counted""#
    );
    assert_eq!(page.statement_count(), 2);
    let ViewKind::Generic(detail) = &project.views[1].kind else {
        unreachable!()
    };
    let get = compile_query(
        &project,
        detail.query.as_ref().unwrap(),
        &FetchPlan::new(),
        &[],
        QueryPurpose::Get,
    );
    assert!(
        get.main
            .sqlite
            .ends_with(r#"WHERE "t0"."id" = ?1 LIMIT ?2"#),
        "{}",
        get.main.sqlite
    );
    assert!(matches!(get.main.params[1].value, ParamValue::Int(2)));
}

#[test]
fn fetch_plans_join_single_relations_and_batch_many_ones() {
    let spec = format!(
        "{LOOKUPS}\nview v: json list Post {{\n    fields [title, author.name, editor.name, tags.name, author]\n}}\n"
    );
    let project = project(&spec);
    let ViewKind::Generic(list) = &project.views[0].kind else {
        unreachable!()
    };
    let mut plan = FetchPlan::new();
    for path in &list.fields {
        plan.add_path(&project, path, false);
    }
    let compiled = compile_query(
        &project,
        list.query.as_ref().unwrap(),
        &plan,
        &[],
        QueryPurpose::Rows,
    );
    assert_eq!(
        compiled.main.sqlite,
        r#"SELECT "t0"."id", "t0"."title", "t0"."body", "t0"."author_id", "t0"."editor_id", "t0"."score", "t1"."id", "t1"."name", "t1"."nick", "t2"."id", "t2"."name", "t2"."nick" FROM "app_post" AS "t0" INNER JOIN "app_author" AS "t1" ON "t1"."id" = "t0"."author_id" LEFT JOIN "app_author" AS "t2" ON "t2"."id" = "t0"."editor_id""#
    );
    let layout = compiled.layout.as_ref().unwrap();
    assert_eq!(layout.joined.len(), 2);
    assert_eq!(layout.joined[1].1.offset, 9);
    let tags = &layout.prefetched[0].statement;
    assert_eq!(
        tags.sqlite,
        r#"SELECT "t1"."post_id", "t0"."id", "t0"."name" FROM "app_tag" AS "t0" INNER JOIN "app_post_tags" AS "t1" ON "t1"."tag_id" = "t0"."id" WHERE "t1"."post_id" IN (SELECT value FROM json_each(?1))"#
    );
    assert_eq!(
        tags.postgres,
        r#"SELECT "t1"."post_id", "t0"."id", "t0"."name" FROM "app_tag" AS "t0" INNER JOIN "app_post_tags" AS "t1" ON "t1"."tag_id" = "t0"."id" WHERE "t1"."post_id" IN (SELECT value::bigint FROM jsonb_array_elements_text($1::jsonb))"#
    );
    assert_eq!(compiled.statement_count(), 2);
}

#[test]
fn long_constraint_names_are_shortened_stably() {
    let spec = "model AVeryLongModelNameIndeedForTesting {\n    an_exceedingly_long_field_name_for_an_index string(max = 10) index\n}\n";
    let schema = schema(&project(spec));
    let line = schema
        .sqlite
        .lines()
        .find(|l| l.starts_with("CREATE INDEX"))
        .unwrap();
    let name = line.split('"').nth(1).unwrap();
    assert_eq!(name.len(), 63, "{name}");
    assert_eq!(schema, super::schema(&project(spec)));
}
