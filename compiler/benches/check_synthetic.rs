//! Benchmark: `check` on a synthetic project of 500 models and 2,000
//! routes and views. Prints timings; asserts nothing about speed.
//!
//! Run with `cargo bench -p djinn --bench check_synthetic`.

use djinn::{ProjectInput, check_project};
use std::fmt::Write;
use std::time::{Duration, Instant};

const MODELS: usize = 500;

/// Four views (list, detail, create, JSON detail) and four routes per model.
fn synthetic_project() -> ProjectInput {
    let mut models = String::new();
    let mut views = String::new();
    let mut urls = String::from("urls {\n");
    for i in 0..MODELS {
        let m = format!("Model{i}");
        let l = format!("model{i}");
        writeln!(models, "/// Synthetic model number {i}.\nmodel {m} {{").unwrap();
        writeln!(models, "    name     string(max = 100)").unwrap();
        writeln!(models, "    slug     slug unique").unwrap();
        writeln!(models, "    count    int default = 0").unwrap();
        writeln!(models, "    price    decimal(10, 2) default = 0.00").unwrap();
        writeln!(
            models,
            "    status   choice {{ draft = \"Draft\", live = \"Live\" }} default = draft"
        )
        .unwrap();
        writeln!(models, "    created  datetime auto_now_add").unwrap();
        if i > 0 {
            writeln!(
                models,
                "    parent   Model{} null on_delete = set_null related_name = children{i}",
                i - 1
            )
            .unwrap();
            writeln!(
                models,
                "    tags     many Model{} blank related_name = tagged{i}",
                (i * 7) % i
            )
            .unwrap();
        }
        writeln!(models, "    meta {{\n        ordering = [-created]\n        index (status, created)\n        check (count >= 0)\n        str = \"{{name}}\"\n    }}\n}}\n").unwrap();

        let filter = if i > 0 {
            "parent.name contains \"a\", status == live"
        } else {
            "status == live"
        };
        writeln!(views, "view {l}_list: list {m} {{\n    query {m}.filter({filter}).order_by(-created, name)\n    paginate 20\n    template \"list.html\"\n}}").unwrap();
        writeln!(views, "view {l}_detail(slug: slug): detail {m} {{\n    get {m}.filter(slug == slug)\n    context similar = {m}.filter(status == live).exclude(slug == slug)[:5]\n    template \"detail.html\"\n}}").unwrap();
        writeln!(views, "view {l}_new: create {m} {{\n    fields [name, slug, count, price, status]\n    login_required\n    template \"form.html\"\n    success \"{l}-detail\"(slug = object.slug)\n}}").unwrap();
        writeln!(views, "view {l}_api(id: int): json detail {m} {{\n    get {m}.filter(id == id)\n    fields [id, name, slug, price, created]\n}}\n").unwrap();
        writeln!(urls, "    path \"{l}/\" {l}_list name = \"{l}-list\"").unwrap();
        writeln!(urls, "    path \"{l}/new/\" {l}_new name = \"{l}-new\"").unwrap();
        writeln!(
            urls,
            "    path \"{l}/<slug:slug>/\" {l}_detail name = \"{l}-detail\""
        )
        .unwrap();
        writeln!(
            urls,
            "    path \"api/{l}/<int:id>\" {l}_api name = \"{l}-api\""
        )
        .unwrap();
    }
    urls.push_str("}\n");
    ProjectInput::builder()
        .settings("[project]\nname = \"synthetic\"\n")
        .spec("models.djinn", models)
        .spec("views.djinn", views)
        .spec("urls.djinn", urls)
        .template(
            "list.html",
            "{% for o in object_list %}{{ o.name }}{% endfor %}",
        )
        .template("detail.html", "{{ object.name }}")
        .template("form.html", "{{ form }}")
        .build()
}

fn main() {
    let input = synthetic_project();
    let bytes: usize = input.sources.iter().map(|(_, f)| f.text.len()).sum();
    let first = check_project(&input);
    let errors = first.diagnostics.iter().filter(|d| d.is_error()).count();
    let mut times: Vec<Duration> = (0..15)
        .map(|_| {
            let start = Instant::now();
            let output = check_project(&input);
            let elapsed = start.elapsed();
            std::hint::black_box(output);
            elapsed
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "check_synthetic: {MODELS} models, {} views, {} routes, {} KiB of spec",
        MODELS * 4,
        MODELS * 4,
        bytes / 1024
    );
    println!(
        "  check: median {:.1} ms (min {:.1}, max {:.1}) over {} runs; {} diagnostics ({errors} errors)",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len(),
        first.diagnostics.len(),
    );
    if errors > 0 {
        let d = &first.diagnostics[0];
        println!(
            "  first diagnostic: {} {} at {:?}",
            d.code.as_str(),
            d.message,
            input.sources.line_col(d.primary.span)
        );
    }
}
