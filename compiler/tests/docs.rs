//! `djinn docs` end to end: the site of every sample (HTML and Markdown)
//! with every internal link resolving, byte-identical reruns, Markdown
//! snapshots of the blog, the shop's ER diagram checked as XML and for
//! overlaps, and `openapi.json` validated by `openapi-spec-validator`.

use djinn::ProjectInput;
use djinn::docs::{Format, GeneratedDocs};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

/// Every sample project, by name.
fn samples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(samples_dir())
        .unwrap()
        .filter_map(|entry| {
            let entry = entry.unwrap();
            entry
                .path()
                .join("djinn.toml")
                .exists()
                .then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    assert!(names.len() >= 3, "samples: {names:?}");
    names
}

/// Runs `djinn docs` on a sample and returns every file written.
fn docs_with_cli(sample: &str, format: &str, out: &Path) -> BTreeMap<String, Vec<u8>> {
    let output = Command::new(env!("CARGO_BIN_EXE_djinn"))
        .args(["docs"])
        .arg(samples_dir().join(sample))
        .arg("--out")
        .arg(out)
        .args(["--format", format])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "djinn docs {sample}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut files = BTreeMap::new();
    collect(out, out, &mut files);
    files
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(relative, std::fs::read(&path).unwrap());
        }
    }
}

fn generate(sample: &str, format: Format) -> GeneratedDocs {
    let input = ProjectInput::load(&samples_dir().join(sample)).unwrap();
    let output = djinn::check_project(&input);
    assert!(!output.has_errors(), "{sample}: {:?}", output.diagnostics);
    djinn::docs::generate(&output, format).unwrap()
}

/// Resolves `link` found in `from` (both relative to the site root):
/// the target file, and the anchor if any. `None` for external links.
fn resolve(from: &str, link: &str) -> Option<(String, Option<String>)> {
    if link.contains("://") || link.starts_with("mailto:") {
        return None;
    }
    let (path, anchor) = match link.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor.to_string())),
        None => (link, None),
    };
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    if path.is_empty() {
        return Some((from.to_string(), anchor));
    }
    for piece in path.split('/') {
        match piece {
            ".." => {
                assert!(parts.pop().is_some(), "{from}: {link} leaves the site");
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    Some((parts.join("/"), anchor))
}

/// Every `href` and `src` of an HTML (or SVG) document, with the ids it defines.
fn html_links(path: &str, text: &str) -> (Vec<String>, BTreeSet<String>) {
    let document = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{path} is not well-formed: {e}"));
    let mut links = Vec::new();
    let mut ids = BTreeSet::new();
    for node in document.descendants().filter(|n| n.is_element()) {
        for attribute in node.attributes() {
            match attribute.name() {
                "href" | "src" => links.push(attribute.value().to_string()),
                "id" => {
                    ids.insert(attribute.value().to_string());
                }
                _ => {}
            }
        }
    }
    (links, ids)
}

/// Every Markdown link target (`[text](target)`, `![alt](target)`).
fn markdown_links(text: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("](") {
        let after = &rest[start + 2..];
        let end = after.find(')').expect("a closed link");
        links.push(after[..end].to_string());
        rest = &after[end..];
    }
    links
}

#[test]
fn every_sample_gets_a_site_whose_links_all_resolve() {
    for sample in samples() {
        let temp = tempfile::tempdir().unwrap();
        let html = docs_with_cli(&sample, "html", &temp.path().join("html"));
        for page in [
            "index.html",
            "er.html",
            "er.svg",
            "routes.html",
            "admin.html",
            "style.css",
            "openapi.json",
        ] {
            assert!(html.contains_key(page), "{sample}: no {page}");
        }
        let input = ProjectInput::load(&samples_dir().join(&sample)).unwrap();
        let output = djinn::check_project(&input);
        for model in &output.project.models {
            assert!(
                html.contains_key(&format!("models/{}.html", model.name)),
                "{sample}: {}",
                model.name
            );
        }
        for view in &output.project.views {
            assert!(
                html.contains_key(&format!("views/{}.html", view.name)),
                "{sample}: {}",
                view.name
            );
        }
        assert_eq!(
            html.keys().filter(|p| p.starts_with("templates/")).count(),
            output.templates.len(),
            "{sample}: one page per template"
        );

        let mut ids: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        let mut links: Vec<(&str, String)> = Vec::new();
        for (path, bytes) in &html {
            if path.ends_with(".html") || path.ends_with(".svg") {
                let text = std::str::from_utf8(bytes).unwrap();
                let (found, defined) = html_links(path, text);
                ids.insert(path, defined);
                links.extend(found.into_iter().map(|link| (path.as_str(), link)));
            }
        }
        assert!(links.len() > 100, "{sample}: only {} links", links.len());
        for (from, link) in &links {
            let Some((target, anchor)) = resolve(from, link) else {
                continue;
            };
            assert!(
                html.contains_key(&target),
                "{sample}: {from} links to {link}: no {target}"
            );
            if let Some(anchor) = anchor {
                assert!(
                    ids.get(target.as_str())
                        .is_some_and(|defined| defined.contains(&anchor)),
                    "{sample}: {from} links to {link}: {target} has no id {anchor}"
                );
            }
        }

        let markdown = docs_with_cli(&sample, "markdown", &temp.path().join("md"));
        assert!(markdown.contains_key("index.md") && markdown.contains_key("er.svg"));
        assert_eq!(
            markdown.keys().filter(|p| p.ends_with(".md")).count(),
            html.keys().filter(|p| p.ends_with(".html")).count(),
            "{sample}: the same pages in both formats"
        );
        for (path, bytes) in &markdown {
            let text = std::str::from_utf8(bytes).unwrap();
            let found = if path.ends_with(".md") {
                markdown_links(text)
            } else if path.ends_with(".svg") {
                html_links(path, text).0
            } else {
                continue;
            };
            for link in found {
                if let Some((target, _)) = resolve(path, &link) {
                    assert!(
                        markdown.contains_key(&target),
                        "{sample}: {path} links to {link}: no {target}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_project_with_errors_gets_its_diagnostics_and_no_docs() {
    let temp = tempfile::tempdir().unwrap();
    let project = temp.path().join("broken");
    std::fs::create_dir(&project).unwrap();
    std::fs::write(project.join("djinn.toml"), "[project]\nname = \"broken\"\n").unwrap();
    std::fs::write(
        project.join("models.djinn"),
        "model Post {\n    author Author\n}\n",
    )
    .unwrap();
    let out = temp.path().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_djinn"))
        .args(["docs"])
        .arg(&project)
        .arg("--out")
        .arg(&out)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[E"), "{stderr}");
    assert!(stderr.contains("djinn docs: broken"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn docs_are_byte_identical_across_runs() {
    for sample in ["blog", "shop"] {
        for format in ["html", "markdown"] {
            let temp = tempfile::tempdir().unwrap();
            let first = docs_with_cli(sample, format, &temp.path().join("a"));
            let second = docs_with_cli(sample, format, &temp.path().join("b"));
            assert_eq!(
                first.keys().collect::<Vec<_>>(),
                second.keys().collect::<Vec<_>>()
            );
            for (path, bytes) in &first {
                assert!(
                    bytes == &second[path],
                    "{sample} {format}: {path} differs between runs"
                );
            }
            // A third run over the first output rewrites nothing differently.
            let again = docs_with_cli(sample, format, &temp.path().join("a"));
            assert_eq!(first, again);
        }
    }
}

#[test]
fn blog_markdown_matches_snapshots() {
    let docs = generate("blog", Format::Markdown);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/docs-blog-markdown");
    settings.bind(|| {
        for (path, text) in &docs.files {
            let name = path.replace('/', "__").replace('.', "_");
            insta::assert_snapshot!(name, text);
        }
    });
}

/// Every sample's view pages show the statements code generation compiled,
/// for both databases, and the route table the number a request runs.
#[test]
fn view_pages_show_the_generated_sql_and_exact_query_counts() {
    for sample in samples() {
        let input = ProjectInput::load(&samples_dir().join(&sample)).unwrap();
        let output = djinn::check_project(&input);
        let docs = djinn::docs::generate(&output, Format::Markdown).unwrap();
        let per_request =
            djinn::codegen::queries_per_request(&output.project, &output.template_checks);
        let compiled = djinn::codegen::view_queries(&output.project, &output.template_checks);
        let routes = &docs.files["routes.md"];
        for (id, view) in output.project.views.iter().enumerate() {
            let id = djinn::check::ir::ViewId(id as u32);
            let page = &docs.files[&format!("views/{}.md", view.name)];
            let count = per_request[&id].map_or("?".to_string(), |n| n.to_string());
            assert!(
                page.contains(&format!("Per request: {count}.")),
                "{sample} {}: {page}",
                view.name
            );
            for &route in &view.routes {
                let row = routes
                    .lines()
                    .find(|line| line.contains(&format!("id=\"route-{}\"", route.0 + 1)))
                    .unwrap();
                assert!(row.ends_with(&format!("| {count} |")), "{sample}: {row}");
            }
            let queries = &compiled[&id];
            let statements = queries
                .main
                .iter()
                .chain(queries.context.iter().map(|(_, query)| query))
                .flat_map(|query| std::iter::once(&query.main).chain(&query.count));
            for statement in statements {
                for text in [&statement.sqlite, &statement.postgres] {
                    assert!(
                        page.contains(&format!("```sql\n{text}\n```")),
                        "{sample} {}: {text}",
                        view.name
                    );
                }
            }
            // Listed statements match the count; a form's choices are
            // listed in djinn's syntax, and the page says what a valid
            // submission runs besides.
            let listed = page.matches("SQLite:").count()
                + page.matches("choices of the").count()
                + page.matches("the object's current").count();
            if let Some(count) = per_request[&id] {
                assert_eq!(count, listed, "{sample} {}", view.name);
            }
        }
    }
    let polls = generate("polls", Format::Markdown);
    assert!(polls.files["views/vote.md"].contains("Per request: ?. A Rust view"));
}

/// Template pages list what each template reads from its context, typed by
/// the template checker, with the views providing it and the template
/// (itself or a parent) reading it.
#[test]
fn template_pages_show_the_checked_context_contract() {
    let docs = generate("blog", Format::Markdown);
    let list = &docs.files["templates/blog/post_list.md"];
    assert!(
        list.contains("reads from its context (loop, `with` and `as` names aside): `object_list`.")
    );
    assert!(list.contains(
        "| `object_list` | queryset of Post | `Post.filter(status == published).order_by(-published_at)` | [blog/post_list.html](../../templates/blog/post_list.md) |"
    ));
    assert!(list.contains(
        "| `user` | user | every HTML view (Django's context processors) | [base.html](../../templates/base.md) |"
    ));
    // An included template: typed in the context of each view whose page includes it.
    let pagination = &docs.files["templates/includes/pagination.md"];
    assert!(pagination.contains("### From [home](../../views/home.md)"));
    assert!(pagination.contains("| `page_obj` | page of Post | `this page` |"));
    // Views providing the same share one table.
    let base = &docs.files["templates/base.md"];
    assert_eq!(base.matches("### From").count(), 1, "{base}");
}

/// A rectangle's `x`, `y`, `width`, `height` attributes.
fn rect(node: &roxmltree::Node<'_, '_>) -> (f64, f64, f64, f64) {
    let number = |name: &str| -> f64 { node.attribute(name).unwrap().parse().unwrap() };
    (number("x"), number("y"), number("width"), number("height"))
}

fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
}

#[test]
fn shop_er_diagram_is_valid_svg_with_every_model_and_relation_and_no_overlap() {
    let input = ProjectInput::load(&samples_dir().join("shop")).unwrap();
    let output = djinn::check_project(&input);
    let project = &output.project;

    // From the layout data.
    let diagram = djinn::docs::er::layout(project);
    for (i, a) in diagram.boxes.iter().enumerate() {
        for b in &diagram.boxes[i + 1..] {
            assert!(
                !overlap((a.x, a.y, a.width, a.height), (b.x, b.y, b.width, b.height)),
                "{} and {} overlap",
                a.model,
                b.model
            );
        }
        assert!(
            a.x >= 0.0
                && a.y >= 0.0
                && a.x + a.width <= diagram.width
                && a.y + a.height <= diagram.height
        );
    }

    // From the SVG written.
    let docs = generate("shop", Format::Html);
    let svg = &docs.files["er.svg"];
    let document = roxmltree::Document::parse(svg).expect("er.svg is well-formed XML");
    assert_eq!(document.root_element().tag_name().name(), "svg");
    assert_eq!(
        document.root_element().tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let boxes: BTreeMap<String, (f64, f64, f64, f64)> = document
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("class") == Some("er-box"))
        .map(|n| (n.attribute("data-model").unwrap().to_string(), rect(&n)))
        .collect();
    let models: BTreeSet<String> = project.models.iter().map(|m| m.name.clone()).collect();
    assert_eq!(boxes.keys().cloned().collect::<BTreeSet<_>>(), models);
    let all: Vec<_> = boxes.iter().collect();
    for (i, (a_name, a)) in all.iter().enumerate() {
        for (b_name, b) in &all[i + 1..] {
            assert!(
                !overlap(**a, **b),
                "{a_name} and {b_name} overlap in er.svg"
            );
        }
    }
    for model in &models {
        let named = document
            .descendants()
            .any(|n| n.has_tag_name("text") && n.text() == Some(model.as_str()));
        assert!(named, "{model} is not written in er.svg");
    }

    let drawn: BTreeSet<(String, String, String)> = document
        .descendants()
        .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some("er-relation"))
        .map(|n| {
            let path = n.children().find(|c| c.has_tag_name("path")).unwrap();
            assert!(path.attribute("d").unwrap().starts_with('M'));
            (
                n.attribute("data-from").unwrap().to_string(),
                n.attribute("data-field").unwrap().to_string(),
                n.attribute("data-to").unwrap().to_string(),
            )
        })
        .collect();
    let relations: BTreeSet<(String, String, String)> = project
        .models
        .iter()
        .flat_map(|m| {
            m.fields.iter().filter_map(move |f| {
                f.ty.target().map(|t| {
                    (
                        m.name.clone(),
                        f.name.clone(),
                        project.model(t).name.clone(),
                    )
                })
            })
        })
        .collect();
    assert_eq!(drawn, relations);
    assert_eq!(relations.len(), 6);
}

#[test]
fn er_layout_handles_cycles_self_references_and_long_edges() {
    let input = ProjectInput::builder()
        .settings("[project]\nname = \"graph\"\n")
        .spec(
            "models.djinn",
            r#"
model Team {
    name string(max = 20)
    lead Person null on_delete = set_null related_name = leading
}
model Person {
    name string(max = 20)
    team Team on_delete = cascade
    manager Person null on_delete = set_null related_name = reports
}
model Project {
    owner Person on_delete = cascade
    members many Person related_name = projects
    team Team on_delete = cascade
}
model Task {
    project Project on_delete = cascade
    assignee Person on_delete = cascade
    reviewer one Person on_delete = cascade related_name = review
}
model Note {
    task Task on_delete = cascade
    author Person on_delete = cascade
    team Team on_delete = cascade
}
"#,
        )
        .build();
    let output = djinn::check_project(&input);
    assert!(!output.has_errors(), "{:?}", output.diagnostics);
    let diagram = djinn::docs::er::layout(&output.project);
    assert_eq!(diagram.boxes.len(), 5);
    assert_eq!(diagram.edges.len(), 12);
    for (i, a) in diagram.boxes.iter().enumerate() {
        for b in &diagram.boxes[i + 1..] {
            assert!(
                !overlap((a.x, a.y, a.width, a.height), (b.x, b.y, b.width, b.height)),
                "{} / {}",
                a.model,
                b.model
            );
        }
    }
    for edge in &diagram.edges {
        assert!(edge.points.len() >= 2, "{}.{}", edge.from, edge.field);
        // Orthogonal: every segment is horizontal or vertical.
        for pair in edge.points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert!(
                (a.0 - b.0).abs() < 0.01 || (a.1 - b.1).abs() < 0.01,
                "{}.{}: {:?}",
                edge.from,
                edge.field,
                edge.points
            );
        }
        for point in &edge.points {
            assert!(
                point.0 >= 0.0
                    && point.0 <= diagram.width
                    && point.1 >= 0.0
                    && point.1 <= diagram.height
            );
        }
    }
    // Referred-to models stand left of the models referring to them.
    let layer = |name: &str| {
        diagram
            .boxes
            .iter()
            .find(|b| b.model == name)
            .unwrap()
            .layer
    };
    assert!(layer("Task") > layer("Project") && layer("Note") > layer("Task"));
    let again = djinn::docs::er::layout(&output.project);
    let svg = |d| djinn::docs::er::svg(d, "graph", &|m| format!("models/{m}.html"));
    assert_eq!(svg(&diagram), svg(&again));
    roxmltree::Document::parse(&svg(&diagram)).unwrap();
    let mermaid = djinn::docs::er::mermaid(&output.project);
    assert!(mermaid.starts_with("erDiagram\n"));
    assert!(
        mermaid.contains("    Person }o--o| Person : \"manager\"\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("    Task |o--|| Person : \"reviewer\"\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("    Project }o--o{ Person : \"members\"\n"),
        "{mermaid}"
    );
}

/// A Python with `openapi_spec_validator`: a system one, or a venv under
/// `target/` made on first use. `None` when it cannot be installed.
fn openapi_validator() -> Option<PathBuf> {
    let works = |python: &Path| {
        Command::new(python)
            .args(["-c", "import openapi_spec_validator"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/openapi-venv");
    let venv_python = venv.join("bin/python");
    for python in [venv_python.clone(), PathBuf::from("python3")] {
        if works(&python) {
            return Some(python);
        }
    }
    let created = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success());
    let installed = created
        && Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "openapi-spec-validator"])
            .status()
            .is_ok_and(|s| s.success());
    (installed && works(&venv_python)).then_some(venv_python)
}

#[test]
fn openapi_documents_validate_as_openapi_3_1() {
    let Some(python) = openapi_validator() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "openapi-spec-validator cannot be installed (python3 -m venv target/openapi-venv && target/openapi-venv/bin/pip install openapi-spec-validator)"
        );
        eprintln!(
            "note: skipping OpenAPI validation: openapi-spec-validator is not installed and could not be"
        );
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    for sample in ["blog", "shop"] {
        let docs = generate(sample, Format::Html);
        let text = &docs.files["openapi.json"];
        let document: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(document["openapi"], "3.1.0");
        let path = temp.path().join(format!("{sample}.json"));
        std::fs::write(&path, text).unwrap();
        let output = Command::new(&python)
            .args(["-m", "openapi_spec_validator"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{sample}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn openapi_maps_json_views_to_typed_operations() {
    let docs = generate("blog", Format::Html);
    let document: serde_json::Value = serde_json::from_str(&docs.files["openapi.json"]).unwrap();
    let paths = document["paths"].as_object().unwrap();
    assert_eq!(
        paths.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "/api/posts/",
            "/api/posts/new/",
            "/api/posts/{slug}/",
            "/api/posts/{slug}/delete/",
            "/api/posts/{slug}/edit/"
        ]
    );
    let detail = &paths["/api/posts/{slug}/"]["get"];
    assert_eq!(detail["parameters"][0]["name"], "slug");
    assert_eq!(detail["parameters"][0]["in"], "path");
    assert_eq!(
        detail["parameters"][0]["schema"]["pattern"],
        "^[-a-zA-Z0-9_]+$"
    );
    assert!(detail["responses"]["404"].is_object());
    let create = &paths["/api/posts/new/"]["post"];
    assert!(create["responses"]["201"].is_object());
    assert_eq!(
        create["responses"]["400"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ValidationError"
    );
    let list = &paths["/api/posts/"]["get"];
    assert_eq!(list["parameters"][0]["name"], "page");
    // A paginated list answers one page, as the runtime writes it.
    let page = &list["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(
        page["required"],
        serde_json::json!(["count", "next", "previous", "results"])
    );
    assert_eq!(
        page["properties"]["results"]["items"]["$ref"],
        "#/components/schemas/api_post_list_output"
    );
    // Errors are JSON for JSON clients, the site's error page for the others.
    assert!(detail["responses"]["404"]["content"]["text/html"].is_object());
    assert_eq!(
        detail["responses"]["404"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Error"
    );
    assert!(create["responses"]["403"]["content"]["application/json"].is_object());
    let schemas = &document["components"]["schemas"];
    let output = &schemas["api_post_list_output"]["properties"];
    // Keys across relations stay flattened; through a many relation they hold lists.
    assert_eq!(output["author.name"]["type"], "string");
    assert_eq!(output["tags.name"]["type"], "array");
    assert_eq!(
        output["published_at"]["type"],
        serde_json::json!(["string", "null"])
    );
    let input = &schemas["api_post_create_input"];
    assert_eq!(input["properties"]["author"]["type"], "integer");
    assert_eq!(input["properties"]["tags"]["type"], "array");
    let required: Vec<&str> = input["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        required.contains(&"title")
            && !required.contains(&"summary")
            && !required.contains(&"tags")
    );
    assert_eq!(
        schemas["Post"]["properties"]["status"]["enum"],
        serde_json::json!(["draft", "published"])
    );
}
