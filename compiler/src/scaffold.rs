//! `djinn new`: the files of a new project.
//!
//! Input: a project name. Output: the new project's files as a map from
//! path (relative to the project directory) to text. The templates live in
//! `compiler/scaffold/` and are embedded in the binary; those ending in
//! `.hbs` are rendered with handlebars (the name is their only variable), the
//! others are copied as they are, which keeps Django template syntax such as
//! `{{ note.title }}` out of handlebars' way. Writing the files is the CLI's job.

use crate::settings::validate_project_name;
use handlebars::Handlebars;
use std::collections::BTreeMap;

/// Each scaffold file: its path in the new project, whether it is a
/// handlebars template, and its embedded text.
const FILES: &[(&str, bool, &str)] = &[
    (
        "djinn.toml",
        true,
        include_str!("../scaffold/djinn.toml.hbs"),
    ),
    ("app.djinn", true, include_str!("../scaffold/app.djinn.hbs")),
    (
        "templates/base.html",
        true,
        include_str!("../scaffold/templates/base.html.hbs"),
    ),
    (
        "templates/note_list.html",
        false,
        include_str!("../scaffold/templates/note_list.html"),
    ),
    (
        "templates/note_detail.html",
        false,
        include_str!("../scaffold/templates/note_detail.html"),
    ),
    (
        "static/style.css",
        false,
        include_str!("../scaffold/static/style.css"),
    ),
    ("README.md", true, include_str!("../scaffold/README.md.hbs")),
    // Stored without the dot so that it does not apply to djinn's own repository.
    (".gitignore", false, include_str!("../scaffold/gitignore")),
];

/// The files of a new project called `name`, by relative path. Fails with
/// the reason when `name` is not a valid project name (see
/// [`validate_project_name`]).
pub fn render(name: &str) -> Result<BTreeMap<String, String>, String> {
    validate_project_name(name).map_err(|why| format!("project name `{name}` {why}"))?;
    let mut handlebars = Handlebars::new();
    handlebars.set_strict_mode(true);
    handlebars.register_escape_fn(handlebars::no_escape);
    let data = serde_json::json!({ "name": name });
    let files = FILES
        .iter()
        .map(|&(path, is_template, text)| {
            let text = if is_template {
                handlebars
                    .render_template(text, &data)
                    .unwrap_or_else(|error| panic!("scaffold template {path} is broken: {error}"))
            } else {
                text.to_string()
            };
            (path.to_string(), text)
        })
        .collect();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::ProjectInput;

    /// The scaffold as the loader would see it on disk.
    fn as_input(files: &BTreeMap<String, String>) -> ProjectInput {
        let mut builder = ProjectInput::builder();
        for (path, text) in files {
            builder = match path.as_str() {
                "djinn.toml" => builder.settings(text.clone()),
                spec if spec.ends_with(".djinn") => builder.spec(spec, text.clone()),
                _ => match (
                    path.strip_prefix("templates/"),
                    path.strip_prefix("static/"),
                ) {
                    (Some(template), _) => builder.template(template, text.clone()),
                    (_, Some(file)) => builder.static_file(file),
                    _ => builder,
                },
            };
        }
        builder.build()
    }

    #[test]
    fn scaffold_has_every_file_with_the_name_filled_in() {
        let files = render("notes").unwrap();
        let paths: Vec<_> = files.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                ".gitignore",
                "README.md",
                "app.djinn",
                "djinn.toml",
                "static/style.css",
                "templates/base.html",
                "templates/note_detail.html",
                "templates/note_list.html",
            ]
        );
        assert!(files["djinn.toml"].contains("name = \"notes\""));
        assert!(files["djinn.toml"].contains("url = \"sqlite://notes.sqlite3\""));
        assert!(files["templates/base.html"].contains("{% block title %}notes{% endblock %}"));
        // Django template syntax is copied untouched.
        assert!(files["templates/note_list.html"].contains("{{ note.title }}"));
        assert!(files["app.djinn"].contains("str = \"{title}\""));
    }

    #[test]
    fn scaffold_settings_parse_without_diagnostics() {
        let input = as_input(&render("notes").unwrap());
        let mut diagnostics = Vec::new();
        let settings = crate::settings::parse(&input, &mut diagnostics);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        assert_eq!(settings.project.name, "notes");
        assert!(settings.project.debug);
    }

    #[test]
    fn scaffold_checks_without_errors() {
        let input = as_input(&render("notes").unwrap());
        let output = crate::check_project(&input);
        let errors: Vec<_> = output.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(input.specs.len(), 1);
        assert_eq!(input.templates.len(), 3);
    }

    #[test]
    fn invalid_names_are_refused() {
        assert_eq!(
            render("My-Site").unwrap_err(),
            "project name `My-Site` must start with a lowercase ASCII letter"
        );
        assert!(render("struct").is_err());
    }
}
