//! `dumpdata` and `loaddata` of a generated binary undo each other.
//!
//! The blog sample is generated and built once (into `target/djinn-e2e`,
//! shared with `e2e.rs`, so a build done there is reused), its demo data
//! loaded into an empty database and dumped; the dump is loaded into a
//! second empty database and dumped again: both dumps are the same bytes.
//! The dump also keeps every value of the demo fixture, passes `djinn
//! check` as a fixture of the project, and is the same on SQLite and
//! PostgreSQL.

use djinn::builder::{self, BuildOptions};
use djinn::codegen::{self, CodegenOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const SAMPLE: &str = "blog";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is in the workspace")
        .to_path_buf()
}

fn sample_dir() -> PathBuf {
    workspace().join("samples").join(SAMPLE)
}

/// The blog's binary, generated and built as `e2e.rs` builds it (same
/// crate directory and target directory, so the build is shared).
fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let e2e_dir = workspace().join("target").join("djinn-e2e");
        let runtime = workspace().join("runtime");
        let input = djinn::ProjectInput::load(&sample_dir()).expect("the sample loads");
        let output = djinn::check_project(&input);
        let options = CodegenOptions {
            runtime_path: runtime.to_string_lossy().into_owned(),
        };
        let generated = codegen::generate(&input, &output, &options)
            .unwrap_or_else(|errors| panic!("{SAMPLE} generates: {errors:#?}"));
        let dir = e2e_dir.join("crates").join(SAMPLE);
        builder::write_crate(&generated, &dir).expect("the crate is written");
        builder::seed_lock_file(&dir, &runtime).expect("the lock file is copied");
        let options = BuildOptions {
            crate_dir: dir,
            target_dir: e2e_dir,
            release: false,
            verbose: true,
            name: SAMPLE.to_string(),
        };
        builder::cargo_build(&options, |line| eprintln!("{line}"))
            .unwrap_or_else(|error| panic!("{SAMPLE} builds: {error}"))
    })
}

/// Runs the binary on the database at `url`; its stdout, or its stderr as the error.
fn run(url: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(binary())
        .args(args)
        .current_dir(sample_dir())
        .env("DATABASE_URL", url)
        .env_remove("DJINN_BIND")
        .env_remove("RUST_LOG")
        .output()
        .expect("the binary runs");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn run_ok(url: &str, args: &[&str]) -> String {
    run(url, args).unwrap_or_else(|error| panic!("{args:?}: {error}"))
}

/// Loads `fixture` into the empty database at `url` and dumps it with
/// `--indent 2` into `dump`; the dump's text.
fn load_and_dump(url: &str, fixture: &Path, dump: &Path) -> String {
    assert_eq!(run_ok(url, &["migrate"]).trim(), "schema created");
    let loaded = run_ok(url, &["loaddata", &fixture.to_string_lossy()]);
    assert!(loaded.starts_with("loaded "), "{loaded}");
    run_ok(
        url,
        &[
            "dumpdata",
            "--indent",
            "2",
            "--output",
            &dump.to_string_lossy(),
        ],
    );
    std::fs::read_to_string(dump).expect("the dump is written")
}

/// The demo data → dump → a new database → dump again: the same text.
/// Returns the first dump.
fn round_trip(first_url: &str, second_url: &str, dir: &Path) -> String {
    let demo = sample_dir().join("fixtures").join("demo.json");
    let first = load_and_dump(first_url, &demo, &dir.join("first.json"));
    let second = load_and_dump(
        second_url,
        &dir.join("first.json"),
        &dir.join("second.json"),
    );
    assert!(
        first == second,
        "the dump of the dump's data differs:\n{}",
        first_difference(&first, &second)
    );
    first
}

fn first_difference(a: &str, b: &str) -> String {
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map_or_else(
            || format!("lengths {} and {}", a.len(), b.len()),
            |(n, (x, y))| format!("line {}: {x:?} vs {y:?}", n + 1),
        )
}

fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

#[test]
fn dumpdata_round_trips_the_demo_data_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let dump = round_trip(
        &sqlite_url(dir.path(), "first.sqlite3"),
        &sqlite_url(dir.path(), "second.sqlite3"),
        dir.path(),
    );
    dump_keeps_the_demo_data(&dump);
    dump_checks_clean(&dump);

    // Django's layout: `[`, objects at the margin, `fields` in field
    // order with the many-to-many list last.
    assert!(dump.starts_with("[\n{\n  \"model\": \"blog.author\",\n  \"pk\": 1,\n  \"fields\": {\n    \"name\": \"Ada Lindqvist\",\n"), "{}", &dump[..300]);
    assert!(dump.ends_with("}\n]\n"));
    let post = dump
        .split("\"model\": \"blog.post\"")
        .nth(1)
        .expect("a post");
    let keys: Vec<&str> = post
        .lines()
        .filter_map(|line| line.strip_prefix("    \"")?.split('"').next())
        .take(10)
        .collect();
    assert_eq!(
        keys,
        [
            "title",
            "slug",
            "summary",
            "content",
            "author",
            "status",
            "published_at",
            "created_at",
            "updated_at",
            "tags"
        ]
    );

    // Without --indent: one line, `, ` and `: ` as Django writes it, to stdout.
    let url = sqlite_url(dir.path(), "first.sqlite3");
    let compact = run_ok(&url, &["dumpdata"]);
    assert!(compact.starts_with(
        "[{\"model\": \"blog.author\", \"pk\": 1, \"fields\": {\"name\": \"Ada Lindqvist\", "
    ));
    assert_eq!(compact.lines().count(), 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&compact).expect("JSON"),
        serde_json::from_str::<serde_json::Value>(&dump).expect("JSON")
    );

    // Some models only, by label (any case); an unknown label is an error.
    let tags = run_ok(&url, &["dumpdata", "blog.tag", "Blog.Author"]);
    let tags: serde_json::Value = serde_json::from_str(&tags).expect("JSON");
    let models: std::collections::BTreeSet<&str> = tags
        .as_array()
        .expect("a list")
        .iter()
        .map(|object| object["model"].as_str().expect("a label"))
        .collect();
    assert_eq!(models, ["blog.author", "blog.tag"].into());
    let unknown = run(&url, &["dumpdata", "blog.tags"]).expect_err("an unknown model fails");
    assert!(unknown.contains("unknown model `blog.tags`"), "{unknown}");
}

#[test]
fn dumpdata_is_the_same_on_postgresql() {
    let Some(first) = PostgresSchema::create("dump_first") else {
        return;
    };
    let Some(second) = PostgresSchema::create("dump_second") else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    let on_postgres = round_trip(&first.url(), &second.url(), dir.path());
    let sqlite_dir = tempfile::tempdir().expect("a temp dir");
    let on_sqlite = round_trip(
        &sqlite_url(sqlite_dir.path(), "first.sqlite3"),
        &sqlite_url(sqlite_dir.path(), "second.sqlite3"),
        sqlite_dir.path(),
    );
    // The rows the demo leaves to `now` differ; every other value is the same.
    let without_now = |text: &str| {
        let mut value: serde_json::Value = serde_json::from_str(text).expect("JSON");
        for object in value.as_array_mut().expect("a list") {
            let fields = object["fields"].as_object_mut().expect("fields");
            for name in ["created_at", "updated_at"] {
                fields.remove(name);
            }
        }
        value
    };
    assert_eq!(without_now(&on_postgres), without_now(&on_sqlite));
    dump_keeps_the_demo_data(&on_postgres);
}

/// Every value the demo fixture gives is in the dump, as written there
/// (datetimes as instants, many-to-many keys in any order), and the dump
/// has no other rows.
fn dump_keeps_the_demo_data(dump: &str) {
    let demo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sample_dir().join("fixtures/demo.json")).expect("the demo"),
    )
    .expect("JSON");
    let dump: serde_json::Value = serde_json::from_str(dump).expect("the dump is JSON");
    let demo = demo.as_array().expect("a list");
    let dump = dump.as_array().expect("a list");
    assert_eq!(demo.len(), dump.len());
    for object in demo {
        let found = dump
            .iter()
            .find(|row| row["model"] == object["model"] && row["pk"] == object["pk"])
            .unwrap_or_else(|| panic!("not dumped: {object}"));
        for (name, value) in object["fields"].as_object().expect("fields") {
            let dumped = &found["fields"][name];
            let same = match (value.as_str(), dumped.as_str()) {
                (Some(a), Some(b)) if a.ends_with('Z') => {
                    a.parse::<djinn_runtime::jiff::Timestamp>().ok()
                        == b.parse::<djinn_runtime::jiff::Timestamp>().ok()
                }
                // Many-to-many keys are dumped in key order.
                _ => match (value.as_array(), dumped.as_array()) {
                    (Some(a), Some(b)) => {
                        let sorted = |keys: &[serde_json::Value]| {
                            let mut keys: Vec<i64> =
                                keys.iter().filter_map(serde_json::Value::as_i64).collect();
                            keys.sort_unstable();
                            keys
                        };
                        a.len() == b.len() && sorted(a) == sorted(b)
                    }
                    _ => value == dumped,
                },
            };
            assert!(
                same,
                "{} {}: `{name}` is {dumped}, the demo says {value}",
                object["model"], object["pk"]
            );
        }
    }
}

/// `djinn check` accepts the dump as a fixture of the project.
fn dump_checks_clean(dump: &str) {
    let mut input = djinn::ProjectInput::load(&sample_dir()).expect("the sample loads");
    let id = input
        .sources
        .add("fixtures/dump.json", djinn::source::SourceKind::Other, dump);
    input.fixtures.insert("dump.json".into(), id);
    let output = djinn::check_project(&input);
    assert!(
        output.diagnostics.is_empty(),
        "{}",
        djinn::diagnostics::render::human(&output.diagnostics, &input.sources, false)
    );
}

/// A PostgreSQL schema of its own, dropped at the end.
struct PostgresSchema {
    server: String,
    name: String,
}

impl PostgresSchema {
    fn create(label: &str) -> Option<PostgresSchema> {
        let server = std::env::var("DJINN_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_owned());
        let name = format!("djinn_fixtures_{label}_{}", std::process::id());
        match postgres(&server, format!("CREATE SCHEMA {name}")) {
            Ok(()) => Some(PostgresSchema { server, name }),
            Err(error) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("PostgreSQL at {server} is unreachable and CI=true: {error}")
            }
            Err(error) => {
                eprintln!("skipped: no PostgreSQL ({error})");
                None
            }
        }
    }

    /// The URL of a connection whose `search_path` is the schema.
    fn url(&self) -> String {
        let separator = if self.server.contains('?') { '&' } else { '?' };
        format!(
            "{}{separator}options=-c%20search_path%3D{}",
            self.server, self.name
        )
    }
}

impl Drop for PostgresSchema {
    fn drop(&mut self) {
        let drop = format!("DROP SCHEMA {} CASCADE", self.name);
        if let Err(error) = postgres(&self.server, drop) {
            eprintln!("could not drop schema {}: {error}", self.name);
        }
    }
}

/// Runs one statement on the server at `url`.
fn postgres(url: &str, statement: String) -> Result<(), String> {
    use djinn_runtime::db::{Database, Sql};
    let runtime = djinn_runtime::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    runtime.block_on(async {
        let database = Database::connect(url)
            .await
            .map_err(|error| error.to_string())?;
        // Test-only statement text built at run time.
        let sql = Sql::portable(Box::leak(statement.into_boxed_str()));
        database
            .apply_schema(&[&sql])
            .await
            .map_err(|error| error.to_string())
    })
}
