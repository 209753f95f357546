//! Unit tests of the checker on small in-memory projects: the IR it builds
//! and the exact place of its diagnostics.

use super::ir::{
    ContextValue, FieldType, Member, ReverseKind, Shape, StepKind, Type, UrlTarget, ValueKind,
    ViewKind,
};
use crate::diagnostics::{Code, Diagnostic};
use crate::{CheckOutput, ProjectInput, check_project};

const TEMPLATES: [&str; 3] = ["t.html", "form.html", "list.html"];

fn check(spec: &str) -> (ProjectInput, CheckOutput) {
    let mut builder = ProjectInput::builder()
        .settings("[project]\nname = \"blog\"\n")
        .spec("app.djinn", spec);
    for template in TEMPLATES {
        builder = builder.template(template, "");
    }
    let input = builder.build();
    let mut output = check_project(&input);
    // The shared placeholder templates are not all rendered by every project here.
    output
        .diagnostics
        .retain(|d| d.code != Code::UnrenderedTemplate);
    (input, output)
}

/// Checks a project that must have no diagnostics.
fn clean(spec: &str) -> CheckOutput {
    let (input, output) = check(spec);
    let listed: Vec<String> = output
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {} at `{}`",
                d.code.as_str(),
                d.message,
                snippet(&input, d)
            )
        })
        .collect();
    assert!(output.diagnostics.is_empty(), "{listed:#?}");
    output
}

fn codes(output: &CheckOutput) -> Vec<Code> {
    output.diagnostics.iter().map(|d| d.code).collect()
}

fn snippet<'a>(input: &'a ProjectInput, d: &Diagnostic) -> &'a str {
    input.sources.snippet(d.primary.span)
}

/// The only diagnostic of a project, with the text it points at.
fn single(spec: &str) -> (Code, String, Diagnostic) {
    let (input, output) = check(spec);
    assert_eq!(output.diagnostics.len(), 1, "{:#?}", output.diagnostics);
    let d = output.diagnostics[0].clone();
    (d.code, snippet(&input, &d).to_string(), d)
}

const BLOG: &str = r#"
model Author {
    name  string(max = 100)
    email email unique
}

model Tag {
    name string(max = 50) unique
}

model Post {
    title      string(max = 200)
    slug       slug unique
    author     Author on_delete = cascade related_name = posts
    tags       many Tag blank
    status     choice { draft = "Draft", published = "Published" } default = draft
    price      decimal(8, 2) default = 0
    created_at datetime auto_now_add

    meta {
        ordering = [-created_at]
        unique (author, title)
        check (length(title) > 0)
        permission publish "Can publish posts"
        str = "{title} by {author.name}"
    }
}

model Profile {
    author one Author on_delete = cascade
}
"#;

#[test]
fn models_get_tables_keys_columns_and_reverse_relations() {
    let output = clean(BLOG);
    let project = &output.project;
    let post = project.model(project.model_named("Post").unwrap());
    assert_eq!(post.table, "blog_post");
    assert_eq!(post.pk().name, "id");
    assert_eq!(post.pk().ty, FieldType::AutoId);
    let (_, author) = post.field_named("author").unwrap();
    assert_eq!(author.column.as_deref(), Some("author_id"));
    let (_, tags) = post.field_named("tags").unwrap();
    assert!(tags.column.is_none());
    let FieldType::ManyToMany(relation) = &tags.ty else {
        panic!("not many")
    };
    assert_eq!(relation.table, "blog_post_tags");
    assert_eq!(relation.related_name, "post_set");
    assert_eq!(post.permissions[0].codename, "publish_post");
    assert_eq!(post.verbose_name_plural, "posts");

    let author_model = project.model(project.model_named("Author").unwrap());
    let names: Vec<&str> = author_model
        .reverse
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, ["posts", "profile"]);
    assert_eq!(author_model.reverse[1].kind, ReverseKind::One);
    assert!(matches!(
        author_model.members.get("posts"),
        Some(Member::Reverse(0))
    ));
    let tag = project.model(project.model_named("Tag").unwrap());
    assert_eq!(tag.reverse[0].name, "post_set");
}

#[test]
fn queries_follow_reverse_and_many_relations() {
    let spec = format!(
        "{BLOG}\nview authors: list Author {{\n  query Author.filter(posts.tags.name == \"rust\", posts.status == published)\n  template \"t.html\"\n}}\nurls {{\n  path \"\" authors\n}}\n"
    );
    let output = clean(&spec);
    let project = &output.project;
    let view = project.view(project.view_names["authors"]);
    let ViewKind::Generic(generic) = &view.kind else {
        panic!("generic")
    };
    let query = generic.query.as_ref().unwrap();
    let super::ir::Condition::And(parts, _) = &query.filters[0].condition else {
        panic!("and")
    };
    let super::ir::Condition::Lookup(lookup) = &parts[0] else {
        panic!("lookup")
    };
    let steps: Vec<&str> = lookup
        .operand
        .path
        .steps
        .iter()
        .map(|s| project.step_name(s.kind))
        .collect();
    assert_eq!(steps, ["posts", "tags", "name"]);
    assert!(matches!(
        lookup.operand.path.steps[0].kind,
        StepKind::Reverse(_)
    ));
    let super::ir::Condition::Lookup(status) = &parts[1] else {
        panic!("lookup")
    };
    assert!(matches!(
        status.value.as_ref().unwrap().kind,
        ValueKind::Choice { .. }
    ));
}

#[test]
fn includes_flatten_into_full_patterns_and_url_names() {
    let output = clean(
        r#"
model Post {
    title string(max = 200)
    slug  slug unique
}
view post_detail(user: int, slug: slug): detail Post {
    get Post.filter(slug == slug)
    template "t.html"
}
urls {
    include "users/<int:user>/" posts
    include "admin/" admin
}
urls posts {
    path "posts/<slug:slug>/" post_detail name = "post-detail"
}
"#,
    );
    let project = &output.project;
    let route = project.route_named("post-detail").unwrap();
    assert_eq!(route.pattern, "users/<int:user>/posts/<slug:slug>/");
    let params: Vec<&str> = route.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, ["user", "slug"]);
    assert_eq!(route.included_at.len(), 1);
    assert_eq!(project.view(route.view).routes.len(), 1);
    assert_eq!(project.admin_site.as_ref().unwrap().prefix, "admin/");
}

#[test]
fn detail_views_find_their_object_by_parameter_name() {
    let output = clean(
        "model Post {\n  slug slug unique\n}\nview post(slug: slug): detail Post {\n  template \"t.html\"\n}\nurls {\n  path \"<slug:slug>/\" post\n}\n",
    );
    let view = &output.project.views[0];
    let ViewKind::Generic(generic) = &view.kind else {
        panic!("generic")
    };
    let query = generic.query.as_ref().unwrap();
    let super::ir::Condition::Lookup(lookup) = &query.filters[0].condition else {
        panic!("lookup")
    };
    assert!(matches!(
        lookup.value.as_ref().unwrap().kind,
        ValueKind::Param { index: 0, .. }
    ));
    assert_eq!(query.shape, Shape::Many);
}

#[test]
fn a_parameter_named_after_no_field_needs_a_get() {
    let (code, at, _) = single(
        "model Post {\n  slug slug unique\n}\nview post(slg: slug): detail Post {\n  template \"t.html\"\n}\nurls {\n  path \"<slug:slg>/\" post\n}\n",
    );
    assert_eq!((code, at.as_str()), (Code::UnknownField, "slg"));
}

#[test]
fn context_entries_are_typed_by_their_query_shape() {
    let spec = format!(
        r#"{BLOG}
view post(slug: slug): detail Post {{
    context related = Post.filter(tags in object.tags).exclude(id == object.id)[:3]
    context total   = Post.count()
    context latest  = Post.order_by(-created_at).first()
    context top     = Post.all()[0]
    context writer  = object.author
    context same    = Post.filter(author == latest.author)
    template "t.html"
}}
urls {{
    path "<slug:slug>/" post
}}
"#
    );
    let output = clean(&spec);
    let project = &output.project;
    let post = project.model_named("Post").unwrap();
    let author = project.model_named("Author").unwrap();
    let types: Vec<Type> = project.views[0]
        .context
        .iter()
        .map(|e| e.ty.clone())
        .collect();
    assert_eq!(
        types,
        [
            Type::List(Box::new(Type::Object(post))),
            Type::Int,
            Type::Optional(Box::new(Type::Object(post))),
            Type::Object(post),
            Type::Object(author),
            Type::List(Box::new(Type::Object(post))),
        ]
    );
    assert!(matches!(
        project.views[0].context[4].value,
        ContextValue::Value(_)
    ));
}

#[test]
fn values_are_checked_against_field_types() {
    let good = [
        "price > 5",
        "price >= 9.99",
        "created_at >= today",
        "created_at < now",
        "created_at > \"2024-01-31T09:30:00\"",
        "status == \"published\"",
        "status in [draft, published]",
        "author == 3",
        "author.email iexact \"a@b.c\"",
        "lower(title) == \"x\"",
        "length(title) > 3",
        "title is not null or status != draft",
    ];
    for condition in good {
        clean(&format!(
            "{BLOG}\nview v: list Post {{\n  query Post.filter({condition})\n  template \"t.html\"\n}}\nurls {{\n  path \"\" v\n}}\n"
        ));
    }
    let bad = [
        ("price > \"5\"", Code::LookupTypeMismatch, "\"5\""),
        (
            "created_at > \"2024-02-30\"",
            Code::LookupTypeMismatch,
            "\"2024-02-30\"",
        ),
        ("status == archived", Code::UnknownName, "archived"),
        (
            "status == \"archived\"",
            Code::UnknownChoice,
            "\"archived\"",
        ),
        ("title contains 3", Code::LookupTypeMismatch, "3"),
        (
            "price contains \"1\"",
            Code::LookupNotApplicable,
            "contains",
        ),
        ("title.name == \"x\"", Code::NotARelation, "name"),
        ("author in 3", Code::InNeedsList, "3"),
        ("upper(price) == \"x\"", Code::UnknownFunction, "price"),
        ("title == none", Code::LookupTypeMismatch, "none"),
        ("autor.name == \"x\"", Code::UnknownField, "autor"),
    ];
    for (condition, code, at) in bad {
        let (found, snippet, d) = single(&format!(
            "{BLOG}\nview v: list Post {{\n  query Post.filter({condition})\n  template \"t.html\"\n}}\nurls {{\n  path \"\" v\n}}\n"
        ));
        assert_eq!(
            (found, snippet.as_str()),
            (code, at),
            "{condition}: {}",
            d.message
        );
    }
}

#[test]
fn query_shapes_are_enforced_per_clause() {
    let cases = [
        ("query Post.first()", Code::QueryShapeMismatch, "first()"),
        ("query Post.all()[0]", Code::QueryShapeMismatch, "[0]"),
        ("query Author.all()", Code::QueryModelMismatch, "Author"),
        (
            "query Post.count().exists()",
            Code::MethodAfterTerminal,
            "exists",
        ),
        ("query Post.all()[2:1]", Code::InvalidSlice, "1"),
        (
            "query Post.all()[:5].filter(price > 1)",
            Code::MethodAfterTerminal,
            "filter",
        ),
        (
            "query Post.order_by(price > 1)",
            Code::InvalidQueryArguments,
            "price > 1",
        ),
        (
            "query Post.objects.filter(price > 1)",
            Code::UnknownQueryMethod,
            "objects",
        ),
        ("query Post.order_by(tags)", Code::InvalidOrdering, "tags"),
    ];
    for (clause, code, at) in cases {
        let (found, snippet, d) = single(&format!(
            "{BLOG}\nview v: list Post {{\n  {clause}\n  template \"t.html\"\n}}\nurls {{\n  path \"\" v\n}}\n"
        ));
        assert_eq!(
            (found, snippet.as_str()),
            (code, at),
            "{clause}: {}",
            d.message
        );
    }
}

#[test]
fn success_urls_are_reversed_with_typed_arguments() {
    let spec = |success: &str, kind: &str| {
        format!(
            r#"{BLOG}
view post(slug: slug): detail Post {{
    template "t.html"
}}
view edit(slug: slug): {kind} Post {{
    fields   [title]
    template "form.html"
    success  {success}
    login_required
}}
urls {{
    path "<slug:slug>/" post name = "post-detail"
    path "<slug:slug>/edit/" edit
}}
"#
        )
        .replace(
            "    fields   [title]\n",
            if kind == "delete" {
                ""
            } else {
                "    fields   [title]\n"
            },
        )
    };
    let output = clean(&spec("\"post-detail\"(slug = object.slug)", "update"));
    let ViewKind::Generic(generic) = &output.project.views[1].kind else {
        panic!("generic")
    };
    let Some(UrlTarget::Route { args, .. }) = &generic.success else {
        panic!("route")
    };
    assert_eq!(args[0].param, "slug");
    clean(&spec("\"post-detail\"(object.slug)", "update"));
    clean(&spec("\"post-detail\"(slug = slug)", "delete"));
    clean(&spec("\"https://example.com/\"", "delete"));
    let bad = [
        (
            "\"post-detail\"",
            "update",
            Code::UrlArgumentMismatch,
            "\"post-detail\"",
        ),
        (
            "\"post-detail\"(slug = object.id)",
            "update",
            Code::UrlArgumentMismatch,
            "object.id",
        ),
        (
            "\"post-detail\"(slg = slug)",
            "update",
            Code::UrlArgumentMismatch,
            "slg",
        ),
        (
            "\"post-detail\"(slug, slug)",
            "update",
            Code::UrlArgumentMismatch,
            "slug",
        ),
        (
            "\"post-detail\"(slug = object.slug)",
            "delete",
            Code::UnknownName,
            "object",
        ),
        (
            "\"/posts/\"(slug = slug)",
            "update",
            Code::UrlArgumentMismatch,
            "slug = slug",
        ),
        (
            "\"post-detial\"(slug = slug)",
            "update",
            Code::UnknownUrlName,
            "\"post-detial\"",
        ),
    ];
    for (success, kind, code, at) in bad {
        let (found, snippet, d) = single(&spec(success, kind));
        assert_eq!(
            (found, snippet.as_str()),
            (code, at),
            "{success}: {}",
            d.message
        );
    }
}

#[test]
fn shadowing_is_reported_only_when_every_url_is_taken() {
    let spec = |first: &str, second: &str| {
        format!(
            "model Post {{\n  slug slug unique\n}}\nview a(slug: str): detail Post {{\n  template \"t.html\"\n}}\nview b(slug: slug): detail Post {{\n  template \"t.html\"\n}}\nurls {{\n  path \"{first}\" a\n  include \"x/\" more\n}}\nurls more {{\n  path \"{second}\" b\n}}\n"
        )
    };
    let (code, at, _) = single(&spec("x/<str:slug>/", "<slug:slug>/"));
    assert_eq!(
        (code, at.as_str()),
        (Code::ShadowedRoute, "\"<slug:slug>/\"")
    );
    clean(&spec("x/<str:slug>/edit/", "<slug:slug>/"));
    clean(&spec("y/<str:slug>/", "<slug:slug>/"));
}

#[test]
fn route_and_view_parameters_must_agree() {
    let spec = |pattern: &str| {
        format!(
            "model Post {{\n  slug slug unique\n}}\nview post(slug: slug, id: int): detail Post {{\n  get Post.filter(slug == slug, id == id)\n  template \"t.html\"\n}}\nurls {{\n  path \"{pattern}\" post\n}}\n"
        )
    };
    clean(&spec("<slug:slug>/<int:id>/"));
    let (code, at, _) = single(&spec("<slug:slug>/"));
    assert_eq!(
        (code, at.as_str()),
        (Code::RouteParameterMismatch, "\"<slug:slug>/\"")
    );
    let (code, at, _) = single(&spec("<str:slug>/<int:id>/"));
    assert_eq!((code, at.as_str()), (Code::ConverterMismatch, "str"));
    let (code, at, _) = single(&spec("<slug:slug>/<id>/"));
    assert_eq!((code, at.as_str()), (Code::ConverterMismatch, "<id>"));
}

#[test]
fn one_mistake_is_reported_once() {
    // The view's model is unknown: no "unknown view" at the route, no
    // "never routed" warning, no "unknown URL name" at the redirect.
    let (code, at, _) = single(
        "model Post {\n  title text\n}\nview posts: list Pots {\n  template \"t.html\"\n}\nview home: redirect \"posts\"\nurls {\n  path \"\" posts name = \"posts\"\n  path \"home/\" home\n}\n",
    );
    assert_eq!((code, at.as_str()), (Code::UnknownModel, "Pots"));
    // A field with a bad type is not reported again where it is used.
    let (code, at, _) = single(
        "model Post {\n  title strng\n}\nview posts: list Post {\n  query Post.filter(title == \"x\")\n  template \"t.html\"\n}\nurls {\n  path \"\" posts\n}\n",
    );
    assert_eq!((code, at.as_str()), (Code::UnknownFieldType, "strng"));
}

#[test]
fn forms_take_editable_fields_only() {
    let spec = |fields: &str| {
        format!(
            "{BLOG}\nview new: create Post {{\n  fields [{fields}]\n  template \"form.html\"\n  success \"home\"\n  public\n}}\nurls {{\n  path \"\" new name = \"home\"\n}}\n"
        )
    };
    clean(&spec("title, slug, author, tags, status, price"));
    for (fields, code, at) in [
        ("title, id", Code::FieldNotEditable, "id"),
        ("title, created_at", Code::FieldNotEditable, "created_at"),
        ("title, author.name", Code::FieldNotEditable, "author.name"),
        ("title, title", Code::InvalidFieldList, "title"),
        ("", Code::InvalidFieldList, "fields"),
    ] {
        let (found, snippet, _) = single(&spec(fields));
        assert_eq!((found, snippet.as_str()), (code, at), "{fields}");
    }
}

#[test]
fn model_rules() {
    for (field, code, at) in [
        ("n int(max = 3)", Code::InvalidFieldOption, "max"),
        ("n decimal(2, 5)", Code::InvalidTypeArgument, "5"),
        ("n decimal(5)", Code::MissingTypeArgument, "decimal"),
        (
            "n decimal(5, 2) default = 1.234",
            Code::InvalidDefault,
            "1.234",
        ),
        (
            "n string(max = 3) default = \"long\"",
            Code::InvalidDefault,
            "\"long\"",
        ),
        ("n string(size = 3)", Code::UnknownOption, "size"),
        ("n many Post null", Code::InvalidFieldOption, "null"),
        ("n Post on_delete = casade", Code::UnknownOption, "casade"),
        (
            "n text related_name = x",
            Code::InvalidFieldOption,
            "related_name",
        ),
        ("n date default = now", Code::InvalidDefault, "now"),
        (
            "n uuid default = \"nope\"",
            Code::InvalidDefault,
            "\"nope\"",
        ),
        ("n String(max = 3)", Code::UnknownFieldType, "String"),
        (
            "n Author on_delete = cascade related_name = title",
            Code::RelatedNameClash,
            "title",
        ),
    ] {
        let spec = format!("model Author {{\n  title text\n}}\nmodel Post {{\n  {field}\n}}\n");
        let (found, snippet, d) = single(&spec);
        assert_eq!(
            (found, snippet.as_str()),
            (code, at),
            "{field}: {}",
            d.message
        );
    }
}

#[test]
fn no_panic_on_odd_but_parsable_projects() {
    for spec in [
        "urls {\n  path \"\" nothing\n  include \"\" nothing\n}\n",
        "urls a {\n  include \"\" a\n}\n",
        "model A {\n  a A on_delete = cascade related_name = a\n}\n",
        "model A {\n  x int primary_key null\n  y int primary_key\n}\nview v(x: int): detail A {\n  template \"t.html\"\n}\n",
        "view v: template\nview w: redirect \"v\"(1, 2)\nurls {\n  path \"<a>/<a>\" v\n}\n",
        "model A {\n  s choice {}\n  meta {\n    str = \"{\"\n    index ()\n    ordering = [s, s]\n  }\n}\n",
        "admin A {\n  list_per_page [x]\n}\non x A -> rust \"\"\n",
    ] {
        let (_, output) = check(spec);
        assert!(!codes(&output).is_empty(), "{spec}");
    }
}

#[test]
fn template_views_name_their_template_once() {
    clean("view about: template \"t.html\"\nurls {\n  path \"\" about\n}\n");
    clean("view about: template {\n  template \"t.html\"\n}\nurls {\n  path \"\" about\n}\n");
    let (code, at, d) = single(
        "view about: template \"t.html\" {\n  template \"t.html\"\n}\nurls {\n  path \"\" about\n}\n",
    );
    assert_eq!((code, at.as_str()), (Code::DuplicateClause, "template"));
    assert_eq!(d.secondary.len(), 1);
    let (code, at, _) = single("view about: template\nurls {\n  path \"\" about\n}\n");
    assert_eq!((code, at.as_str()), (Code::MissingClause, "about"));
}

#[test]
fn rust_views_and_hooks_carry_their_checked_signatures() {
    let input = ProjectInput::builder()
        .settings("[project]\nname = \"blog\"\n")
        .spec(
            "app.djinn",
            "model Post {\n  title text\n}\nview vote(id: int): rust \"polls::vote\"\non post_save Post -> rust \"polls::saved\"\nurls {\n  path \"<int:id>/\" vote\n}\n",
        )
        .rust(
            "polls.rs",
            "use djinn_runtime::{Request, Response, Result, Transaction};\n\npub async fn vote(request: &mut Request, id: i64) -> Result<Response> {\n    let _ = (request, id);\n    todo!()\n}\n\npub async fn saved(db: &mut Transaction, object: &crate::models::Post) -> Result<()> {\n    let _ = (db, object);\n    Ok(())\n}\n",
        )
        .build();
    let output = check_project(&input);
    assert!(output.diagnostics.is_empty(), "{:#?}", output.diagnostics);
    let ViewKind::Rust { signature, .. } = &output.project.views[0].kind else {
        panic!("rust")
    };
    assert_eq!(signature.as_ref().unwrap().path, "polls::vote");
    assert!(output.project.hooks[0].signature.is_some());
}

#[test]
fn redirect_views_reverse_with_their_parameters() {
    let output = clean(
        "model Post {\n  slug slug unique\n}\nview post(slug: slug): detail Post {\n  template \"t.html\"\n}\nview old(slug: slug): redirect \"post\"(slug = slug) permanent\nurls {\n  path \"p/<slug:slug>/\" post name = \"post\"\n  path \"old/<slug:slug>/\" old\n}\n",
    );
    let ViewKind::Redirect { target, permanent } = &output.project.views[1].kind else {
        panic!("redirect")
    };
    assert!(*permanent);
    let UrlTarget::Route { args, .. } = target else {
        panic!("route")
    };
    assert!(matches!(
        args[0].value.kind,
        ValueKind::Param { index: 0, .. }
    ));
}
