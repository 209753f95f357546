//! Renders the "big table" (100×100 integers) and "teams" templates of the
//! template-benchmarks-rs suite with djinn's compiled templates, askama,
//! tera and minijinja in the same run, and prints the time per render and
//! each engine's ratio to djinn.
//!
//! A plain timing harness: each engine renders until about 200 ms have
//! passed, in batches; the median batch gives the time per render.
//!
//! Run: `cargo bench` in `bench/templates` (release build).

use askama::Template;
use std::hint::black_box;
use std::time::{Duration, Instant};

#[allow(dead_code, clippy::all)]
mod djinn_big_table {
    include!(concat!(env!("OUT_DIR"), "/big_table.rs"));
}

#[allow(dead_code, clippy::all)]
mod djinn_teams {
    include!(concat!(env!("OUT_DIR"), "/teams.rs"));
}

#[derive(Template)]
#[template(path = "askama/big-table.html")]
struct BigTable {
    table: Vec<Vec<usize>>,
}

#[derive(Template)]
#[template(path = "askama/teams.html")]
struct Teams {
    year: u16,
    teams: Vec<Team>,
}

#[derive(serde::Serialize)]
struct Team {
    name: String,
    score: u8,
}

const SIZE: usize = 100;

fn table() -> Vec<Vec<usize>> {
    (0..SIZE).map(|_| (0..SIZE).collect()).collect()
}

fn teams() -> Vec<Team> {
    [
        ("Jiangsu", 43),
        ("Beijing", 27),
        ("Guangzhou", 22),
        ("Shandong", 12),
    ]
    .into_iter()
    .map(|(name, score)| Team {
        name: name.to_string(),
        score,
    })
    .collect()
}

/// Nanoseconds per call of `render` (the median of many batches).
fn measure(mut render: impl FnMut() -> usize) -> f64 {
    // Warm up, and size a batch to about 5 ms.
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < Duration::from_millis(50) {
        black_box(render());
        calls += 1;
    }
    let per_call = start.elapsed().as_nanos() as f64 / calls as f64;
    let batch = ((5_000_000.0 / per_call) as u64).max(1);
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(200) || samples.len() < 10 {
        let batch_start = Instant::now();
        for _ in 0..batch {
            black_box(render());
        }
        samples.push(batch_start.elapsed().as_nanos() as f64 / batch as f64);
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn report(template: &str, results: &[(&str, f64)]) {
    let djinn = results[0].1;
    println!("{template}");
    for (engine, ns) in results {
        println!(
            "  {engine:<12} {:>10.0} ns/render   {:>6.2}× djinn's time",
            ns,
            ns / djinn
        );
    }
}

fn main() {
    let data = table();
    // djinn's context: the types `djinn template-cases` infers from JSON.
    let djinn_table = djinn_big_table::Context {
        k_table: data
            .iter()
            .map(|row| row.iter().map(|&n| n as i64).collect())
            .collect(),
    };
    let askama_table = BigTable {
        table: data.clone(),
    };
    let mut tera = tera::Tera::default();
    tera.add_raw_templates(vec![
        (
            "big-table.html",
            include_str!("../templates/jinja/big-table.html"),
        ),
        ("teams.html", include_str!("../templates/jinja/teams.html")),
    ])
    .expect("tera parses the templates");
    let mut tera_table = tera::Context::new();
    tera_table.insert("table", &data);
    let mut jinja = minijinja::Environment::new();
    jinja
        .add_template(
            "big-table.html",
            include_str!("../templates/jinja/big-table.html"),
        )
        .expect("minijinja parses big-table.html");
    jinja
        .add_template("teams.html", include_str!("../templates/jinja/teams.html"))
        .expect("minijinja parses teams.html");
    let jinja_table = minijinja::context! { table => &data };

    let djinn_render = |context: &djinn_big_table::Context| {
        let mut out = String::new();
        djinn_big_table::render(context, &mut out).expect("djinn renders");
        out
    };
    let sample = djinn_render(&djinn_table);
    assert!(sample.contains("<td>99</td>"), "{sample}");
    let big_table = [
        ("djinn", measure(|| djinn_render(&djinn_table).len())),
        (
            "askama",
            measure(|| askama_table.render().expect("askama renders").len()),
        ),
        (
            "tera",
            measure(|| {
                tera.render("big-table.html", &tera_table)
                    .expect("tera renders")
                    .len()
            }),
        ),
        (
            "minijinja",
            measure(|| {
                jinja
                    .get_template("big-table.html")
                    .and_then(|t| t.render(&jinja_table))
                    .expect("minijinja renders")
                    .len()
            }),
        ),
    ];
    report(&format!("big table ({SIZE}×{SIZE})"), &big_table);

    let team_data = teams();
    let djinn_teams = djinn_teams::Context {
        k_year: 2015,
        k_teams: team_data
            .iter()
            .map(|team| djinn_teams::Dict0 {
                k_name: team.name.clone(),
                k_score: i64::from(team.score),
            })
            .collect(),
    };
    let askama_teams = Teams {
        year: 2015,
        teams: teams(),
    };
    let mut tera_teams = tera::Context::new();
    tera_teams.insert("year", &2015);
    tera_teams.insert("teams", &team_data);
    let jinja_teams = minijinja::context! {
        year => 2015,
        teams => minijinja::Value::from(minijinja::value::Serde(&team_data)),
    };
    let djinn_render_teams = |context: &djinn_teams::Context| {
        let mut out = String::new();
        djinn_teams::render(context, &mut out).expect("djinn renders");
        out
    };
    let sample = djinn_render_teams(&djinn_teams);
    assert!(sample.contains("class=\"champion\""), "{sample}");
    let teams_results = [
        ("djinn", measure(|| djinn_render_teams(&djinn_teams).len())),
        (
            "askama",
            measure(|| askama_teams.render().expect("askama renders").len()),
        ),
        (
            "tera",
            measure(|| {
                tera.render("teams.html", &tera_teams)
                    .expect("tera renders")
                    .len()
            }),
        ),
        (
            "minijinja",
            measure(|| {
                jinja
                    .get_template("teams.html")
                    .and_then(|t| t.render(&jinja_teams))
                    .expect("minijinja renders")
                    .len()
            }),
        ),
    ];
    report("teams", &teams_results);
}
