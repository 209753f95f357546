//! Every sample project passes `check` with no diagnostic at all.

use djinn::diagnostics::render;
use djinn::{ProjectInput, check_project};
use djinn_tests::samples;

#[test]
fn samples_check_clean() {
    let samples = samples();
    assert!(
        samples.len() >= 3,
        "expected the blog, polls and shop samples, found {samples:?}"
    );
    for sample in samples {
        let input = ProjectInput::load(&sample).expect("sample loads");
        assert!(
            !input.specs.is_empty(),
            "{} has no .djinn file",
            sample.display()
        );
        let output = check_project(&input);
        assert!(
            output.diagnostics.is_empty(),
            "{}:\n{}",
            sample.display(),
            render::human(&output.diagnostics, &input.sources, false)
        );
    }
}
