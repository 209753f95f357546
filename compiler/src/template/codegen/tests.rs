//! Generated code, read after prettyplease: a snapshot of a page using the
//! main tags, and the properties the code generator promises.

use crate::template::cases::{compile_case, read_cases};

/// The module generated for one case (`{"main": …}` and the others).
fn generated(templates: &[(&str, &str)], context: &str) -> String {
    let templates: Vec<String> = templates
        .iter()
        .map(|(name, text)| format!("{}: {}", json(name), json(text)))
        .collect();
    let line = format!(
        "{{\"name\": \"t\", \"templates\": {{{}}}, \"context\": {context}}}",
        templates.join(", ")
    );
    let cases = read_cases(&line).expect("the case reads");
    compile_case(&cases[0])
        .unwrap_or_else(|error| panic!("{error}"))
        .module_text()
}

fn json(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

#[test]
fn a_page_with_inheritance_loops_and_filters() {
    let code = generated(
        &[
            (
                "main",
                "{% extends \"base.html\" %}{% block content %}{% for post in posts %}\
                 <h2>{{ post.title|title }}</h2>{% if post.tags %}{{ post.tags|join:\", \" }}{% endif %}\
                 {% include \"byline.html\" with who=post.author %}{% empty %}none{% endfor %}\
                 {{ block.super }}{% endblock %}",
            ),
            (
                "base.html",
                "<title>{{ title|default:\"Blog\" }}</title>{% block content %}<p>base</p>{% endblock %}",
            ),
            ("byline.html", "<small>by {{ who|upper }}</small>"),
        ],
        r#"{"title": null, "posts": [{"title": "a & b", "tags": ["x"], "author": "Ann"}]}"#,
    );
    insta::assert_snapshot!(code);
}

#[test]
fn static_text_is_pushed_once_and_numbers_are_not_escaped() {
    let code = generated(&[("main", "<td>{{ n|escape }}</td>\n")], r#"{"n": 1}"#);
    assert!(code.contains("push_str(\"<td>\")"), "{code}");
    assert!(
        code.contains("write_int(__djinn_out, &__djinn_context.k_n)"),
        "{code}"
    );
    assert!(!code.contains("filters::html::escape"), "{code}");
}

#[test]
fn text_is_escaped_by_type_and_safe_text_is_not() {
    let code = generated(
        &[(
            "main",
            "{{ s }}{{ s|safe }}{% autoescape off %}{{ s }}{% endautoescape %}",
        )],
        r#"{"s": "<b>"}"#,
    );
    assert_eq!(code.matches("escape_text").count(), 1, "{code}");
    assert_eq!(code.matches("push_text").count(), 2, "{code}");
}

#[test]
fn lookups_that_may_fail_are_options_not_panics() {
    let code = generated(
        &[(
            "main",
            "{% for p in v %}{{ p.x|default:\"-\" }}{% endfor %}",
        )],
        r#"{"v": [{"x": 1}, {}]}"#,
    );
    assert!(!code.contains("unwrap"), "{code}");
    assert!(code.contains("Option<i64>"), "{code}");
}
