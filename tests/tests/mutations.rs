//! No input makes the compiler panic.
//!
//! Feeds mutated versions of every sample through `check`: bytes and tokens
//! deleted, duplicated and swapped, in any of the project's files. The
//! mutations come from a fixed seed, so a failure reproduces; the failing
//! input is printed. `cargo fuzz` (see `docs/fuzzing.md`) explores further.

use djinn::{ProjectInput, check_project};
use djinn_tests::samples;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Total mutated projects checked, spread over the samples.
const MUTATIONS: usize = 12_000;

/// A project as (path, text) pairs, the way a fixture holds it.
type Files = Vec<(String, String)>;

fn files_of(input: &ProjectInput) -> Files {
    input
        .sources
        .iter()
        .map(|(_, f)| (f.path.clone(), f.text.clone()))
        .collect()
}

fn build(files: &Files, static_files: &[String]) -> ProjectInput {
    let mut builder = ProjectInput::builder();
    for (path, text) in files {
        builder = if path == "djinn.toml" {
            builder.settings(text.clone())
        } else if let Some(name) = path.strip_prefix("templates/") {
            builder.template(name, text.clone())
        } else if let Some(name) = path.strip_prefix("src/") {
            builder.rust(name, text.clone())
        } else {
            builder.spec(path.clone(), text.clone())
        };
    }
    for name in static_files {
        builder = builder.static_file(name.clone());
    }
    builder.build()
}

/// Splits text into tokens: runs of word characters, runs of blanks, and
/// single punctuation characters. Joining the tokens gives the text back.
fn tokens(text: &str) -> Vec<&str> {
    fn class(c: char) -> u8 {
        if c.is_alphanumeric() || c == '_' {
            0
        } else if c.is_whitespace() {
            1
        } else {
            2
        }
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut previous = None;
    for (i, c) in text.char_indices() {
        let this = class(c);
        if previous.is_some_and(|p| p == 2 || p != this) {
            out.push(&text[start..i]);
            start = i;
        }
        previous = Some(this);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn random_range(rng: &mut fastrand::Rng, len: usize, max_len: usize) -> (usize, usize) {
    let start = rng.usize(0..=len);
    let end = (start + rng.usize(0..=max_len)).min(len);
    (start, end)
}

/// One mutation of `text`.
fn mutate(rng: &mut fastrand::Rng, text: &str) -> String {
    match rng.u8(0..6) {
        // Byte-level edits may split a UTF-8 character; the lossy
        // conversion keeps the input a string, as reading a file would.
        0..=2 => {
            let mut bytes = text.as_bytes().to_vec();
            let (a, b) = random_range(rng, bytes.len(), 12);
            match rng.u8(0..3) {
                0 => {
                    bytes.drain(a..b);
                }
                1 => {
                    let piece = bytes[a..b].to_vec();
                    bytes.splice(a..a, piece);
                }
                _ => {
                    let (c, d) = random_range(rng, bytes.len(), 12);
                    if b <= c {
                        let first = bytes[a..b].to_vec();
                        let second = bytes[c..d].to_vec();
                        bytes.splice(c..d, first);
                        bytes.splice(a..b, second);
                    }
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => {
            let mut toks = tokens(text);
            if toks.is_empty() {
                return text.to_string();
            }
            let i = rng.usize(0..toks.len());
            match rng.u8(0..3) {
                0 => {
                    toks.remove(i);
                }
                1 => {
                    toks.insert(i, toks[i]);
                }
                _ => {
                    let j = rng.usize(0..toks.len());
                    toks.swap(i, j);
                }
            }
            toks.concat()
        }
    }
}

#[test]
fn mutated_samples_never_panic() {
    let samples = samples();
    assert!(!samples.is_empty(), "no samples to mutate");
    let originals: Vec<(Files, Vec<String>)> = samples
        .iter()
        .map(|path| {
            let input = ProjectInput::load(path).expect("sample loads");
            let statics = input.static_files.iter().cloned().collect();
            (files_of(&input), statics)
        })
        .collect();
    // Independent streams per thread, each from a fixed seed (the number of
    // threads is fixed too, so every machine checks the same mutations).
    let threads = 2;
    let per_thread = MUTATIONS.div_ceil(threads);
    let results: Vec<(usize, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let originals = &originals;
                scope.spawn(move || {
                    run_mutations(
                        originals,
                        0xD1_11_11 + t as u64,
                        t * per_thread,
                        per_thread.min(MUTATIONS - t * per_thread),
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("mutation thread panicked outside check"))
            .collect()
    });
    let checked: usize = results.iter().map(|r| r.0).sum();
    let with_errors: usize = results.iter().map(|r| r.1).sum();
    assert_eq!(checked, MUTATIONS);
    // The mutations must actually break things, or the test proves nothing.
    assert!(
        with_errors > MUTATIONS / 4,
        "only {with_errors} of {MUTATIONS} mutations produced errors"
    );
}

/// Checks `count` mutations numbered from `first`; returns how many were
/// checked and how many of those had errors.
fn run_mutations(
    originals: &[(Files, Vec<String>)],
    seed: u64,
    first: usize,
    count: usize,
) -> (usize, usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut checked = 0;
    let mut with_errors = 0;
    for n in first..first + count {
        let (files, statics) = &originals[n % originals.len()];
        let mut files = files.clone();
        // Mostly spec files; sometimes settings, templates or Rust.
        let edits = rng.usize(1..=3);
        for _ in 0..edits {
            let specs: Vec<usize> = (0..files.len())
                .filter(|&i| files[i].0.ends_with(".djinn"))
                .collect();
            let target = if !specs.is_empty() && rng.u8(0..4) != 0 {
                specs[rng.usize(0..specs.len())]
            } else {
                rng.usize(0..files.len())
            };
            files[target].1 = mutate(&mut rng, &files[target].1);
        }
        let input = build(&files, statics);
        match catch_unwind(AssertUnwindSafe(|| check_project(&input))) {
            Ok(output) => {
                checked += 1;
                with_errors += usize::from(output.has_errors());
            }
            Err(_) => {
                let listing: String = files.iter().map(|(p, t)| format!("--- {p}\n{t}")).collect();
                panic!(
                    "check panicked on mutation #{n} (seed {seed:#x}); the input as a fixture:\n{listing}"
                );
            }
        }
    }
    (checked, with_errors)
}

#[test]
fn tokens_round_trip() {
    let text = "model Post {\n  title string(max = 200)\n}\n";
    assert_eq!(tokens(text).concat(), text);
    assert!(tokens(text).contains(&"string"));
}
