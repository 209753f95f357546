//! Acceptance of the template checker on the blog sample: a typo in a
//! template is an error at that template's line and column, with a
//! suggestion; a `{% url %}` without its argument names the missing one.
//!
//! The sample is loaded from disk, one template is changed in memory, and the
//! project is rebuilt with `ProjectInput::builder`.

use djinn::diagnostics::render;
use djinn::source::SourceKind;
use djinn::{Code, Diagnostic, ProjectInput, check_project};
use djinn_tests::workspace_root;

const TEMPLATE: &str = "blog/post_list.html";

/// The blog sample with `TEMPLATE`'s text passed through `edit`.
fn blog_with(edit: impl Fn(&str) -> String) -> ProjectInput {
    let input =
        ProjectInput::load(&workspace_root().join("samples/blog")).expect("the blog sample loads");
    let mut builder = ProjectInput::builder();
    for (_, file) in input.sources.iter() {
        builder = match file.kind {
            SourceKind::Settings => builder.settings(file.text.clone()),
            SourceKind::Spec => builder.spec(file.path.clone(), file.text.clone()),
            SourceKind::Rust => {
                builder.rust(file.path.trim_start_matches("src/"), file.text.clone())
            }
            SourceKind::Template => {
                let name = file.path.trim_start_matches("templates/");
                let text = if name == TEMPLATE {
                    edit(&file.text)
                } else {
                    file.text.clone()
                };
                builder.template(name, text)
            }
            SourceKind::Other => builder,
        };
    }
    for name in &input.static_files {
        builder = builder.static_file(name.clone());
    }
    builder.build()
}

/// The only error of a project, and its 1-based line and column.
fn only_error(input: &ProjectInput) -> (Diagnostic, (usize, usize)) {
    let output = check_project(input);
    let rendered = render::human(&output.diagnostics, &input.sources, false);
    assert_eq!(output.diagnostics.len(), 1, "{rendered}");
    assert!(output.has_errors(), "{rendered}");
    let d = output.diagnostics[0].clone();
    let file = input.sources.get(d.primary.span.file);
    assert_eq!(file.path, format!("templates/{TEMPLATE}"));
    let position = input.sources.line_col(d.primary.span);
    (d, position)
}

/// The 1-based line and column of the first `needle` in the sample's template.
fn position_of(needle: &str, edit: impl Fn(&str) -> String) -> (usize, usize) {
    let input = blog_with(edit);
    let id = input.templates[TEMPLATE];
    let text = &input.sources.get(id).text;
    let offset = text.find(needle).expect("the needle is in the template");
    input.sources.get(id).line_col(offset as u32)
}

#[test]
fn the_unchanged_sample_is_clean() {
    let input = blog_with(str::to_string);
    let output = check_project(&input);
    assert!(
        output.diagnostics.is_empty(),
        "{}",
        render::human(&output.diagnostics, &input.sources, false)
    );
}

#[test]
fn a_misspelt_field_is_an_error_at_its_line_and_column() {
    let edit = |text: &str| text.replacen("{{ post.title }}", "{{ post.titel }}", 1);
    let (d, position) = only_error(&blog_with(edit));
    assert_eq!(d.code, Code::UnknownAttribute);
    assert_eq!(d.message, "model `Post` has no field `titel`");
    assert_eq!(
        d.help.as_deref(),
        Some("a field with a similar name exists: `title`")
    );
    // The primary label points at `titel` itself.
    assert_eq!(position, position_of("titel", edit));
    assert_eq!(position, (8, 63));
}

#[test]
fn a_url_without_its_argument_names_the_missing_one() {
    let edit = |text: &str| {
        text.replacen(
            "{% url 'post-detail' post.slug %}",
            "{% url 'post-detail' %}",
            1,
        )
    };
    let (d, position) = only_error(&blog_with(edit));
    assert_eq!(d.code, Code::UrlArgumentMismatch);
    assert_eq!(d.message, "missing argument `slug` for URL `post-detail`");
    assert_eq!(position, position_of("'post-detail'", edit));
    let output = check_project(&blog_with(edit));
    let human = render::human(&output.diagnostics, &blog_with(edit).sources, false);
    assert!(human.contains("`slug` is captured here"), "{human}");
}
