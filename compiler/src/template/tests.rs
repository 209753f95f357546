//! Unit tests of the template checker on small in-memory projects: the
//! types and fetch plans it records, and the exact place of its diagnostics.

use super::types::{Lookup, RelationUse, Type};
use super::{Rendering, TemplateChecks};
use crate::diagnostics::{Code, Diagnostic};
use crate::{CheckOutput, ProjectInput, check_project};

const SPEC: &str = r#"
model Author {
    name  string(max = 100)
    slug  slug unique
    meta { str = "{name}" }
}

model Tag {
    name  string(max = 50)
}

model Post {
    title   string(max = 200)
    slug    slug unique
    body    text
    author  Author on_delete = cascade related_name = posts
    editor  Author null on_delete = set_null related_name = edited
    tags    many Tag blank related_name = posts
    status  choice { draft = "Draft", live = "Live" } default = draft
    when    datetime null
    day     date null
}

model Comment {
    post  Post on_delete = cascade related_name = comments
    text  text
}

view home: list Post {
    paginate 10
    template "list.html"
}

view plain_list: list Tag {
    template "tags.html"
}

view post(slug: slug): detail Post {
    context  comments = Comment.filter(post.id == object.id)
    context  total = Post.count()
    template "detail.html"
}

view new: create Post {
    fields   [title, slug, body, author, tags]
    template "form.html"
    success  "home"
    login_required
}

view about: template "about.html"

urls {
    path "" home name = "home"
    path "tags/" plain_list name = "tags"
    path "posts/<slug:slug>/" post name = "post-detail"
    path "new/" new name = "new"
    path "about/" about name = "about"
}
"#;

/// Checks `SPEC` with the given templates (the views' templates default to
/// empty) and static files.
fn check(templates: &[(&str, &str)]) -> (ProjectInput, CheckOutput) {
    let mut builder = ProjectInput::builder()
        .settings("[project]\nname = \"blog\"\n")
        .spec("app.djinn", SPEC)
        .static_file("css/site.css");
    for name in [
        "list.html",
        "tags.html",
        "detail.html",
        "form.html",
        "about.html",
    ] {
        if !templates.iter().any(|(n, _)| *n == name) {
            builder = builder.template(name, "");
        }
    }
    for (name, text) in templates {
        builder = builder.template(*name, *text);
    }
    let input = builder.build();
    let output = check_project(&input);
    (input, output)
}

fn clean(templates: &[(&str, &str)]) -> CheckOutput {
    let (input, output) = check(templates);
    let listed: Vec<String> = output
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {} at `{}`",
                d.code.as_str(),
                d.message,
                input.sources.snippet(d.primary.span)
            )
        })
        .collect();
    assert!(output.diagnostics.is_empty(), "{listed:#?}");
    output
}

/// The only diagnostic, with the text it points at.
fn single(templates: &[(&str, &str)]) -> (Code, String, Diagnostic) {
    let (input, output) = check(templates);
    assert_eq!(output.diagnostics.len(), 1, "{:#?}", output.diagnostics);
    let d = output.diagnostics[0].clone();
    (d.code, input.sources.snippet(d.primary.span).to_string(), d)
}

fn view_rendering<'a>(output: &'a CheckOutput, view: &str) -> &'a Rendering {
    let id = output.project.view_names[view];
    let checks: &TemplateChecks = &output.template_checks;
    checks.rendering(checks.views[&id].rendering)
}

/// The type recorded for the expression written `text` in `template`.
fn type_of(output: &CheckOutput, input: &ProjectInput, rendering: &Rendering, text: &str) -> Type {
    rendering
        .exprs
        .iter()
        .find(|(span, _)| input.sources.snippet(**span) == text)
        .map(|(_, info)| info.ty.clone())
        .unwrap_or_else(|| {
            panic!(
                "no expression `{text}` in {:?}",
                output.template_checks.rendered
            )
        })
}

fn fetches(output: &CheckOutput, view: &str) -> Vec<(String, Vec<RelationUse>)> {
    let id = output.project.view_names[view];
    let mut plan: Vec<(String, Vec<RelationUse>)> = output.template_checks.views[&id]
        .fetches
        .iter()
        .map(|(path, uses)| {
            (
                path.display(&output.project),
                uses.iter().copied().collect(),
            )
        })
        .collect();
    plan.sort();
    plan
}

#[test]
fn list_pages_type_rows_and_plan_their_relations() {
    let list = "{% for post in object_list %}{{ post.title|upper }}{{ post.author.name }}\
                {% for tag in post.tags.all %}{{ tag.name }}{% endfor %}{{ post.comments.count }}\
                {{ post.editor.name }}{{ forloop.counter }}{% endfor %}\
                {% if is_paginated %}{{ page_obj.number }} of {{ page_obj.paginator.num_pages }}{% endif %}\
                {{ post_list|length }}";
    let (input, _) = check(&[("list.html", list)]);
    let output = clean(&[("list.html", list)]);
    let rendering = view_rendering(&output, "home");
    assert_eq!(
        type_of(&output, &input, rendering, "post.title|upper"),
        Type::Str
    );
    assert_eq!(
        type_of(&output, &input, rendering, "post.author.name"),
        Type::Str
    );
    // Through a nullable foreign key, the lookup may fail.
    assert_eq!(
        type_of(&output, &input, rendering, "post.editor.name"),
        Type::Str.fallible()
    );
    assert_eq!(
        type_of(&output, &input, rendering, "post.comments.count"),
        Type::Int
    );
    assert_eq!(
        type_of(&output, &input, rendering, "page_obj.number"),
        Type::Int
    );
    assert_eq!(
        fetches(&output, "home"),
        [
            ("object_list[*].author".to_string(), vec![RelationUse::Rows]),
            (
                "object_list[*].comments".to_string(),
                vec![RelationUse::Count]
            ),
            ("object_list[*].editor".to_string(), vec![RelationUse::Rows]),
            ("object_list[*].tags".to_string(), vec![RelationUse::Rows]),
        ]
    );
}

#[test]
fn detail_pages_see_object_alias_and_context_entries() {
    let detail = "{{ object.title }}{{ post.slug }}{{ object }}{{ object.get_status_display }}{{ object.author_id }}\
                  {% for c in comments %}{{ c.text|linebreaks }}{% endfor %}{{ total }}\
                  {% if object.tags.exists %}{% endif %}{{ object.when|date:\"Y\" }}{{ object.day|date }}";
    let (input, _) = check(&[("detail.html", detail)]);
    let output = clean(&[("detail.html", detail)]);
    let rendering = view_rendering(&output, "post");
    let post = output.project.model_named("Post").unwrap();
    assert_eq!(
        type_of(&output, &input, rendering, "object"),
        Type::Object(post)
    );
    assert_eq!(type_of(&output, &input, rendering, "post.slug"), Type::Str);
    assert_eq!(
        type_of(&output, &input, rendering, "c.text|linebreaks"),
        Type::SafeStr
    );
    assert_eq!(
        type_of(&output, &input, rendering, "object.author_id"),
        Type::Int
    );
    let info = rendering
        .exprs
        .values()
        .find(|i| i.base.lookups.first() == Some(&Lookup::Attribute("get_status_display".into())));
    assert!(
        info.is_none(),
        "choice display is resolved as a model lookup"
    );
    assert_eq!(
        fetches(&output, "post"),
        [("object.tags".to_string(), vec![RelationUse::Exists])]
    );
}

#[test]
fn forms_expose_their_fields() {
    let form = "{{ form }}{{ form.non_field_errors }}{{ form.title.label_tag }}{{ form.title.errors }}\
                {% for field in form %}{{ field.label }}{{ field }}{{ field.help_text }}{% endfor %}\
                {% for name, errors in form.errors.items %}{{ name }}{{ errors }}{% endfor %}";
    let (input, _) = check(&[("form.html", form)]);
    let output = clean(&[("form.html", form)]);
    let rendering = view_rendering(&output, "new");
    assert!(type_of(&output, &input, rendering, "form").is_safe());
    assert_eq!(
        type_of(&output, &input, rendering, "form.title.label_tag"),
        Type::SafeStr
    );
    assert_eq!(
        type_of(&output, &input, rendering, "errors"),
        Type::ErrorList
    );
    let (code, text, d) = single(&[("form.html", "{{ form.titel }}")]);
    assert_eq!((code, text.as_str()), (Code::UnknownAttribute, "titel"));
    assert_eq!(d.message, "the form of view `new` has no field `titel`");
    assert_eq!(
        d.help.as_deref(),
        Some("an attribute with a similar name exists: `title`")
    );
}

#[test]
fn three_levels_of_extends_with_block_super() {
    let templates = [
        (
            "root.html",
            "<title>{% block title %}Site{% endblock %}</title>{% block body %}{% endblock %}",
        ),
        (
            "mid.html",
            "{% extends \"root.html\" %}{% block title %}{{ block.super }} · Blog{% endblock %}",
        ),
        (
            "detail.html",
            "{% extends 'mid.html' %}{% block title %}{{ object.title }} · {{ block.super }}{% endblock %}\
             {% block body %}{% for x in object.tags.all %}{% block item %}{{ x.name }}{% endblock %}{% endfor %}{% endblock %}",
        ),
    ];
    let (input, _) = check(&templates);
    let output = clean(&templates);
    let rendering = view_rendering(&output, "post");
    assert_eq!(rendering.chain, ["detail.html", "mid.html", "root.html"]);
    assert_eq!(
        rendering.blocks["title"],
        ["detail.html", "mid.html", "root.html"]
    );
    assert_eq!(
        type_of(&output, &input, rendering, "block.super"),
        Type::SafeStr
    );
    let supers: Vec<&Lookup> = rendering
        .exprs
        .values()
        .flat_map(|i| i.base.lookups.iter())
        .collect();
    assert!(supers.contains(&&Lookup::BlockSuper {
        template: "mid.html".into()
    }));
    assert!(supers.contains(&&Lookup::BlockSuper {
        template: "root.html".into()
    }));
    for name in ["root.html", "mid.html", "detail.html"] {
        assert!(output.template_checks.rendered.contains(name));
    }
    // `block.super` without a parent block.
    let (code, text, _) = single(&[("about.html", "{% block a %}{{ block.super }}{% endblock %}")]);
    assert_eq!((code, text.as_str()), (Code::UnknownAttribute, "super"));
}

#[test]
fn includes_take_the_scope_or_only_their_bindings() {
    let templates = [
        (
            "card.html",
            "{{ item.title }}{% if user.is_authenticated %}{% endif %}",
        ),
        ("bare.html", "{{ item.title }}"),
        (
            "list.html",
            "{% for post in object_list %}{% include 'card.html' with item=post %}{% include 'bare.html' with item=post only %}{% endfor %}",
        ),
    ];
    let output = clean(&templates);
    let rendering = view_rendering(&output, "home");
    assert_eq!(rendering.includes.len(), 2);
    let card = output
        .template_checks
        .rendering(*rendering.includes.values().next().unwrap());
    assert!(card.scope.contains_key("user") || card.template == "bare.html");
    let only = output
        .template_checks
        .renderings
        .iter()
        .find(|r| r.template == "bare.html")
        .unwrap();
    assert_eq!(only.scope.keys().collect::<Vec<_>>(), ["item"]);
    // A recursive include stops.
    clean(&[(
        "tags.html",
        "{% for t in object_list %}{% include 'tags.html' %}{% endfor %}",
    )]);
    // Without `only` passing the name, the included template cannot see it.
    let (code, text, d) = single(&[
        ("bare.html", "{{ user }}"),
        ("list.html", "{% include 'bare.html' only %}"),
    ]);
    assert_eq!((code, text.as_str()), (Code::UnknownVariable, "user"));
    assert_eq!(d.help.as_deref(), Some("pass it: `with user=user`"));
    let (code, _, _) = single(&[
        ("bare.html", "<form>{% csrf_token %}</form>"),
        ("list.html", "{% include 'bare.html' only %}"),
    ]);
    assert_eq!(code, Code::UnknownVariable);
}

#[test]
fn renderings_record_the_context_names_each_template_reads() {
    let templates = [
        (
            "root.html",
            "{{ user }}{% block body %}{{ request.path }}{% endblock %}",
        ),
        (
            "list.html",
            "{% extends 'root.html' %}{% block body %}{% url 'home' as home %}{{ home }}\
             {% for post in object_list %}{{ post.title }}{% include 'card.html' with item=post %}{% endfor %}\
             {% with n=paginator.count %}{{ n }}{% endwith %}{% endblock %}",
        ),
        ("card.html", "{{ item.title }}{{ is_paginated }}"),
    ];
    let output = clean(&templates);
    let rendering = view_rendering(&output, "home");
    let names = |r: &Rendering, template: &str| -> Vec<String> {
        r.reads[template].iter().cloned().collect()
    };
    // The child's block replaces the root's: `request` is never read.
    assert_eq!(names(rendering, "root.html"), ["user"]);
    // Loop, `with` and `as` names are not the context's.
    assert_eq!(names(rendering, "list.html"), ["object_list", "paginator"]);
    let card = output
        .template_checks
        .rendering(*rendering.includes.values().next().unwrap());
    assert_eq!(names(card, "card.html"), ["is_paginated", "item"]);
}

#[test]
fn urls_are_checked_and_recorded() {
    let list = "{% for post in object_list %}{% url 'post-detail' post.slug %}{% url 'post-detail' slug=post.slug as u %}{{ u }}{% endfor %}{% url 'home' %}";
    let output = clean(&[("list.html", list)]);
    let rendering = view_rendering(&output, "home");
    assert_eq!(rendering.urls.len(), 3);
    assert!(rendering.urls.values().all(|u| u.args.len() <= 1));
    let (code, text, d) = single(&[("list.html", "{% url 'post-detail' %}")]);
    assert_eq!(
        (code, text.as_str()),
        (Code::UrlArgumentMismatch, "'post-detail'")
    );
    assert_eq!(d.message, "missing argument `slug` for URL `post-detail`");
    let (code, text, _) = single(&[("list.html", "{% url 'post-detial' 'x' %}")]);
    assert_eq!(
        (code, text.as_str()),
        (Code::UnknownUrlName, "'post-detial'")
    );
    let (code, text, _) = single(&[("list.html", "{% url 'home' 3 %}")]);
    assert_eq!((code, text.as_str()), (Code::UrlArgumentMismatch, "3"));
    let (code, text, _) = single(&[("detail.html", "{% url 'post-detail' object.editor %}")]);
    assert_eq!(
        (code, text.as_str()),
        (Code::UrlArgumentMismatch, "object.editor")
    );
    let (code, text, _) = single(&[("detail.html", "{% url 'post-detail' 'not a slug' %}")]);
    assert_eq!(
        (code, text.as_str()),
        (Code::UrlArgumentMismatch, "'not a slug'")
    );
    let (code, _, _) = single(&[(
        "detail.html",
        "{% url 'post-detail' object.slug slug=object.slug %}",
    )]);
    assert_eq!(code, Code::UrlArgumentMismatch);
    let (code, text, _) = single(&[("detail.html", "{% url name %}")]);
    assert_eq!((code, text.as_str()), (Code::NotConstant, "name"));
}

#[test]
fn autoescape_and_filter_tags_are_recorded() {
    let about = "{% autoescape off %}{{ user.username }}{% endautoescape %}{{ user.get_username }}{% filter lower|truncatewords:2 %}A B C{% endfilter %}";
    let (input, _) = check(&[("about.html", about)]);
    let output = clean(&[("about.html", about)]);
    let rendering = view_rendering(&output, "about");
    let escaped: Vec<(String, bool)> = rendering
        .exprs
        .iter()
        .map(|(span, info)| (input.sources.snippet(*span).to_string(), info.autoescape))
        .collect();
    assert!(escaped.contains(&("user.username".to_string(), false)));
    assert!(escaped.contains(&("user.get_username".to_string(), true)));
    let filtered = rendering
        .exprs
        .values()
        .find(|i| i.filters.len() == 2)
        .unwrap();
    assert_eq!(filtered.ty, Type::SafeStr);
    let (code, text, _) = single(&[("about.html", "{% filter escape %}x{% endfilter %}")]);
    assert_eq!((code, text.as_str()), (Code::TemplateSyntax, "escape"));
}

#[test]
fn variables_and_attributes_are_checked_with_suggestions() {
    let (code, text, d) = single(&[(
        "list.html",
        "{% for post in object_list %}{{ post.titel }}{% endfor %}",
    )]);
    assert_eq!((code, text.as_str()), (Code::UnknownAttribute, "titel"));
    assert_eq!(d.message, "model `Post` has no field `titel`");
    assert_eq!(
        d.help.as_deref(),
        Some("a field with a similar name exists: `title`")
    );
    let (code, text, d) = single(&[("list.html", "{{ objects }}")]);
    assert_eq!((code, text.as_str()), (Code::UnknownVariable, "objects"));
    assert_eq!(d.primary.message, "not in the context of view `home`");
    let (_, _, d) = single(&[("about.html", "{{ object.title }}")]);
    assert_eq!(
        d.help.as_deref(),
        Some("only detail, update and delete views have `object`")
    );
    let (code, text, _) = single(&[("tags.html", "{{ page_obj.number }}")]);
    assert_eq!((code, text.as_str()), (Code::UnknownAttribute, "number"));
    let (code, text, _) = single(&[(
        "list.html",
        "{% for a in object_list %}{% for b in a.tags.all %}{{ forloop.parentloop.parentloop }}{% endfor %}{% endfor %}",
    )]);
    assert_eq!(
        (code, text.as_str()),
        (Code::UnknownAttribute, "parentloop")
    );
    let (code, text, _) = single(&[("about.html", "{{ perms.blog.publish_post }}")]);
    assert_eq!(
        (code, text.as_str()),
        (Code::UnknownAttribute, "publish_post")
    );
    clean(&[(
        "about.html",
        "{% for k, v in request.GET.items %}{{ k }}={{ v }}{% endfor %}{{ request.GET.page|default:1 }}",
    )]);
    let (code, text, _) = single(&[(
        "about.html",
        "{% for pair in request.GET.items %}{{ pair.2 }}{% endfor %}",
    )]);
    assert_eq!((code, text.as_str()), (Code::UnknownAttribute, "2"));
    clean(&[(
        "about.html",
        "{{ perms.blog.add_post }}{% if 'blog.view_tag' in perms %}{% endif %}{{ True }}{{ None }}",
    )]);
}

#[test]
fn filters_are_checked() {
    let (code, text, d) = single(&[("about.html", "{{ user.username|uppr }}")]);
    assert_eq!((code, text.as_str()), (Code::UnknownFilter, "uppr"));
    assert_eq!(
        d.help.as_deref(),
        Some("a filter with a similar name exists: `upper`")
    );
    let (code, text, _) = single(&[("about.html", "{{ user.username|truncatewords:'x' }}")]);
    assert_eq!((code, text.as_str()), (Code::FilterArgument, "'x'"));
    let (code, text, _) = single(&[("about.html", "{{ user.username|date:'Y' }}")]);
    assert_eq!((code, text.as_str()), (Code::TemplateTypeMismatch, "date"));
    let (code, text, _) = single(&[("detail.html", "{{ object.day|date:'H:i' }}")]);
    assert_eq!((code, text.as_str()), (Code::FilterArgument, "'H:i'"));
    let (code, text, _) = single(&[("list.html", "{{ object_list|dictsort:'titel' }}")]);
    assert_eq!((code, text.as_str()), (Code::UnknownAttribute, "'titel'"));
    let (code, _, _) = single(&[("detail.html", "{{ object.tags|length }}")]);
    assert_eq!(code, Code::TemplateTypeMismatch);
    let output = clean(&[(
        "list.html",
        "{{ object_list|dictsort:'author.name'|first }}",
    )]);
    assert_eq!(
        fetches(&output, "home"),
        [("object_list[*].author".to_string(), vec![RelationUse::Rows])]
    );
}

#[test]
fn loops_and_conditions_are_checked() {
    let (code, text, _) = single(&[("detail.html", "{% for t in object.tags %}{% endfor %}")]);
    assert_eq!(
        (code, text.as_str()),
        (Code::TemplateTypeMismatch, "object.tags")
    );
    let (code, text, _) = single(&[("detail.html", "{% for t in total %}{% endfor %}")]);
    assert_eq!((code, text.as_str()), (Code::TemplateTypeMismatch, "total"));
    let (code, text, _) = single(&[("detail.html", "{% if object.tags %}{% endif %}")]);
    assert_eq!(
        (code, text.as_str()),
        (Code::TemplateTypeMismatch, "object.tags")
    );
    let (code, text, d) = single(&[("detail.html", "{% if object.status == 'lvie' %}{% endif %}")]);
    assert_eq!(
        (code, text.as_str()),
        (Code::TemplateTypeMismatch, "'lvie'")
    );
    assert_eq!(
        d.help.as_deref(),
        Some("a choice with a similar name exists: `live`")
    );
    let (code, _, _) = single(&[("detail.html", "{% if object.title == 3 %}{% endif %}")]);
    assert_eq!(code, Code::TemplateTypeMismatch);
    let (code, _, _) = single(&[("detail.html", "{% if object.author < 3 %}{% endif %}")]);
    assert_eq!(code, Code::TemplateTypeMismatch);
    let (code, _, _) = single(&[("detail.html", "{% for a, b in comments %}{% endfor %}")]);
    assert_eq!(code, Code::TemplateTypeMismatch);
    clean(&[(
        "detail.html",
        "{% if object.status == 'live' and object.when > object.when or not total %}{% endif %}\
         {% for c in comments %}{% if c in comments %}{% endif %}{% endfor %}{% if 'a' in object.title %}{% endif %}\
         {% with n=total|add:1 %}{% widthratio n total 100 %}{% cycle 'a' 'b' as c %}{{ c }}{% endwith %}\
         {% firstof object.editor object.author as who %}{{ who }}{% now 'Y' as year %}{{ year }}",
    )]);
}

#[test]
fn template_names_and_static_files() {
    // `card.html` is not reported as never rendered: the include may have meant it.
    let (code, text, d) = single(&[
        ("list.html", "{% include 'crad.html' %}"),
        ("card.html", ""),
    ]);
    assert_eq!(
        (code, text.as_str()),
        (Code::UnknownTemplate, "'crad.html'")
    );
    assert_eq!(
        d.help.as_deref(),
        Some("a template with a similar name exists: `card.html`")
    );
    let (code, text, _) = single(&[("list.html", "{% extends base %}")]);
    assert_eq!((code, text.as_str()), (Code::NotConstant, "base"));
    let (code, text, _) = single(&[("list.html", "{% static 'css/sit.css' %}")]);
    assert_eq!(
        (code, text.as_str()),
        (Code::MissingStaticFile, "'css/sit.css'")
    );
    clean(&[(
        "list.html",
        "{% load static %}{% static 'css/site.css' as css %}{{ css }}",
    )]);
    let (code, _, _) = single(&[
        ("a.html", "{% extends 'b.html' %}"),
        ("b.html", "{% extends 'a.html' %}"),
        ("list.html", "{% extends 'a.html' %}"),
    ]);
    assert_eq!(code, Code::ExtendsCycle);
    let (code, text, d) = single(&[
        ("base.html", "{% block content %}{% endblock %}"),
        (
            "list.html",
            "{% extends 'base.html' %}{% block contnet %}{% endblock %}",
        ),
    ]);
    assert_eq!((code, text.as_str()), (Code::UnusedBlock, "contnet"));
    assert_eq!(
        d.help.as_deref(),
        Some("a block with a similar name exists: `content`")
    );
}

#[test]
fn unrendered_templates_are_reported_not_checked() {
    let (code, _, d) = single(&[("orphan.html", "{{ anything.at.all }}")]);
    assert_eq!(code, Code::UnrenderedTemplate);
    assert_eq!(d.message, "template `orphan.html` is never rendered");
    clean(&[("404.html", "{{ request_path }}")]);
}

#[test]
fn diagnostics_are_reported_once_for_all_views() {
    let templates = [
        ("base.html", "{{ missing }}"),
        ("list.html", "{% extends 'base.html' %}"),
        ("tags.html", "{% extends 'base.html' %}"),
    ];
    let (_, output) = check(&templates);
    assert_eq!(output.diagnostics.len(), 1, "{:#?}", output.diagnostics);
}

#[test]
fn the_blog_sample_checks_clean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/blog");
    let input = ProjectInput::load(&root).expect("the blog sample loads");
    let output = check_project(&input);
    assert!(output.diagnostics.is_empty(), "{:#?}", output.diagnostics);
    assert_eq!(
        fetches(&output, "home"),
        [
            ("object_list[*].author".to_string(), vec![RelationUse::Rows]),
            ("object_list[*].tags".to_string(), vec![RelationUse::Rows]),
        ]
    );
    assert_eq!(
        fetches(&output, "post_detail"),
        [
            ("object.author".to_string(), vec![RelationUse::Rows]),
            ("object.tags".to_string(), vec![RelationUse::Rows]),
        ]
    );
    assert_eq!(
        fetches(&output, "post_delete"),
        [("object.comments".to_string(), vec![RelationUse::Count])]
    );
    assert_eq!(
        fetches(&output, "dashboard"),
        [("object_list[*].author".to_string(), vec![RelationUse::Rows])]
    );
}
