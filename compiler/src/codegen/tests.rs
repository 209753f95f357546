//! Tests of code generation: snapshots of the crate of a small project that
//! uses every field type and view kind, determinism, and the refusals.

use super::*;
use crate::check_project;
use std::path::Path;

const SPEC: &str = r#"
/// A writer.
model Author {
    name     string(max = 100)
    slug     slug unique
    born     date null
    rating   decimal(4, 2) default = 0
}

model Tag {
    name string(max = 50) unique
    meta {
        ordering = [name]
        str = "{name}"
    }
}

model Post {
    title     string(max = 200)
    slug      slug unique
    author    Author on_delete = cascade related_name = posts
    editor    Author null on_delete = set_null related_name = edited
    tags      many Tag blank related_name = posts
    status    choice { draft = "Draft", published = "Published" } default = draft
    views     int default = 0
    big       bigint default = 0
    score     float default = 0
    public    bool default = true
    body      text blank
    contact   email blank
    site      url blank
    key       uuid null
    data      json null
    created   datetime auto_now_add
    meta {
        ordering = [-created]
        check (views >= 0) name = "views_not_negative"
        str = "{title} by {author.name}"
    }
}

model Profile {
    author one Author on_delete = cascade related_name = profile
    bio    text blank
}

urls {
    path "" home name = "home"
    path "posts/<slug:slug>/" post_detail name = "post-detail"
    path "about/" about name = "about"
    path "api/posts/" api_posts name = "api-posts"
    path "api/posts/<int:id>/" api_post name = "api-post"
    path "old/<slug:slug>/" old_post
    path "vote/<int:id>/" vote name = "vote"
    path "new/" post_create name = "post-create"
    path "drafts/" drafts name = "drafts"
    path "files/<path:rest>" files name = "files"
    path "archive/<int:year>-<int:month>/" archive name = "archive"
}

view home: list Post {
    query    Post.filter(status == published, title icontains "a").order_by(-created)
    paginate 5
    template "t.html"
}

view post_detail(slug: slug): detail Post {
    get      Post.filter(slug == slug)
    context  related = Post.filter(tags in object.tags).exclude(id == object.id)[:3]
    context  count = Post.filter(author.id == object.author.id).count()
    context  first = Tag.first()
    template "t.html"
}

view about: template "t.html" {
    context  authors = Author.order_by(name)
    context  recent = Post.filter(created >= today).exists()
    cache    60
}

view api_posts: json list Post {
    fields   [id, title, author.name, tags.name, editor, rating_of_author]
    paginate 10
}

view api_post(id: int): json detail Post {
    fields   [id, title, tags, author.profile.bio, score, key, data, created]
}

view old_post(slug: slug): redirect "post-detail"(slug = slug) permanent

view vote(id: int): rust "votes::vote" {
    methods [POST]
    public
}

view post_create: create Post {
    fields   [title, slug, author]
    template "t.html"
    success  redirect "home"
}

view drafts: list Post {
    template "t.html"
    login_required
}

view files(rest: path): redirect "home"

view archive(year: int, month: int): template "t.html"
"#;

const VOTES: &str = r#"use djinn_runtime::{Request, Response, Result};

pub async fn vote(request: &mut Request, id: i64) -> Result<Response> {
    let _ = request;
    Ok(Response::text(format!("{id}")))
}
"#;

fn input(spec: &str) -> ProjectInput {
    ProjectInput::builder()
        .settings("[project]\nname = \"demo\"\ndescription = \"A demo\"\n")
        .spec("app.djinn", spec)
        .template("t.html", "<p>page</p>")
        .rust("votes.rs", VOTES)
        .static_file("site.css")
        .build()
}

fn options() -> CodegenOptions {
    CodegenOptions {
        runtime_path: "/opt/djinn/runtime".into(),
    }
}

fn generated(spec: &str) -> GeneratedCrate {
    let input = input(spec);
    let output = check_project(&input);
    assert!(!output.has_errors(), "{:#?}", output.diagnostics);
    generate(&input, &output, &options()).expect("the crate generates")
}

/// The fixture without the field the JSON view misnames on purpose.
fn spec() -> String {
    SPEC.replace(", rating_of_author", "")
}

#[test]
fn every_file_snapshot() {
    let generated = generated(&spec());
    let names: Vec<&str> = generated.files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "Cargo.toml",
            "README.md",
            "src/__djinn/cli.rs",
            "src/__djinn/mod.rs",
            "src/__djinn/support.rs",
            "src/__djinn/views.rs",
            "src/context.rs",
            "src/lib.rs",
            "src/main.rs",
            "src/models.rs",
            "src/templates.rs",
            "src/urls.rs",
            "src/votes.rs",
        ]
    );
    for (path, text) in &generated.files {
        let name = path.replace(['/', '.'], "_");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn generation_is_deterministic() {
    let spec = spec();
    assert_eq!(generated(&spec), generated(&spec));
    for sample in ["blog", "polls", "shop"] {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../samples")
            .join(sample);
        let run = || {
            let input = ProjectInput::load(&root).unwrap();
            let output = check_project(&input);
            generate(&input, &output, &options()).unwrap()
        };
        assert_eq!(run(), run(), "{sample}");
    }
}

#[test]
fn every_generated_file_starts_with_the_header() {
    for (path, text) in generated(&spec()).files {
        if path == "src/votes.rs" {
            assert!(text.starts_with("// Copied by djinn"), "{path}");
        } else {
            assert!(text.contains("Generated by djinn"), "{path}");
            assert!(
                text.lines().next().unwrap().contains("Do not edit"),
                "{path}"
            );
        }
    }
}

#[test]
fn projects_with_errors_and_reserved_module_names_are_refused() {
    let broken = input(SPEC);
    let output = check_project(&broken);
    assert!(output.has_errors());
    assert!(generate(&broken, &output, &options()).is_err());
    let clash = ProjectInput::builder()
        .settings("[project]\nname = \"demo\"\n")
        .spec("app.djinn", "model A {\n    x int\n}\n")
        .rust("models.rs", "pub fn f() {}\n")
        .build();
    let output = check_project(&clash);
    let diagnostics = generate(&clash, &output, &options()).unwrap_err();
    assert_eq!(diagnostics.len(), 1);
    assert!(
        diagnostics[0].message.contains("`models`"),
        "{}",
        diagnostics[0].message
    );
}

#[test]
fn query_counts_do_not_depend_on_the_data() {
    let input = input(&spec());
    let output = check_project(&input);
    let plans = views::plan_views(&output.project, &output.template_checks);
    let count = |name: &str| {
        let id = output.project.view_names[name];
        plans[id.0 as usize].queries
    };
    // The page count, the page's rows, and the tags of all its rows.
    assert_eq!(count("api_posts"), Some(3));
    assert_eq!(count("old_post"), Some(0));
    assert_eq!(count("drafts"), Some(0));
    assert_eq!(count("vote"), None);
}

#[test]
fn url_quoting_follows_django() {
    assert_eq!(urls::quote_url("a b/ü?"), "a%20b/%C3%BC%3F");
    assert_eq!(
        urls::quote_url("x-y_z.~!$&'()*+,;=:@"),
        "x-y_z.~!$&'()*+,;=:@"
    );
}
