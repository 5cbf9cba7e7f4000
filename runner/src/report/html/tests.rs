//! The HTML report rendered from the fixture: escaping, charts, links, sections, and the
//! directory `write_dir` produces.

use std::fs;
use std::path::Path;

use super::*;
use crate::report::fixture;

fn escaped(text: &str) -> String {
    maud::html! { (text) }.into_string()
}

fn index() -> String {
    render_index(&fixture::run())
}

#[test]
fn result_text_is_escaped_never_markup() {
    let html = index();
    assert!(!html.contains("<script"), "raw script tag in the page");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<b>bold?</b>"));
    assert!(html.contains(&escaped(fixture::HOSTILE)));
}

#[test]
fn has_both_charts() {
    let html = index();
    assert!(html.contains(r#"<svg class="outcome-bar""#));
    assert!(html.contains(r#"<svg class="duration-chart""#));
    // One segment per outcome present, each coloured by class.
    for outcome in ["passed", "flaky", "failed", "error", "cancelled"] {
        assert!(
            html.contains(&format!(r#"<rect class="fill-{outcome}" x="#)),
            "{outcome}"
        );
    }
}

#[test]
fn banner_gives_the_verdict_and_the_run_facts() {
    let html = index();
    assert!(html.contains(r#"<header class="banner verdict-interrupted">"#));
    assert!(html.contains(">INTERRUPTED<"));
    assert!(html.contains("6 scenarios: 1 failed · 1 error · 1 flaky · 2 passed · 1 cancelled"));
    assert!(html.contains("20261127-001502-3f9a1c"));
    assert!(html.contains("2026-11-27 00:15:02 UTC"));
    assert!(html.contains(r#"<a href="https://staging.shop.test">"#));
}

#[test]
fn failure_shows_location_message_expected_and_actual() {
    let html = index();
    assert!(html.contains(r#"<code class="location">scenarios/checkout.toml:14</code>"#));
    assert!(html.contains(&escaped("text of css=\"#total\" did not match within 5 s")));
    assert!(html.contains(r#"<div class="expected"><h5>Expected</h5><pre>$42.00</pre></div>"#));
    assert!(html.contains(r#"<div class="actual"><h5>Actual</h5><pre>$0.00</pre></div>"#));
    assert!(html.contains(&escaped(
        "TypeError: Cannot read properties of undefined (reading 'price')"
    )));
    assert!(html.contains("net::ERR_NAME_NOT_RESOLVED"));
}

#[test]
fn artifacts_are_linked_under_the_artifacts_directory() {
    let html = index();
    let shot = format!("artifacts/{}", fixture::FAILURE_SCREENSHOT);
    assert!(html.contains(&format!(r#"<a class="thumb" href="{shot}""#)));
    assert!(html.contains(&format!(r#"<img src="{shot}""#)));
    assert!(html.contains(&format!(r#"href="artifacts/{}""#, fixture::FAILURE_PAGE)));
    assert!(html.contains(&format!(
        r#"<img src="artifacts/{}""#,
        fixture::HOME_SCREENSHOT
    )));
}

#[test]
fn scenarios_needing_attention_come_first_and_open() {
    let html = index();
    // Fixture order: 0 passed, 1 failed, 2 flaky, 3 error, 4 passed (hostile), 5 cancelled.
    for open in [1, 2, 3] {
        assert!(
            html.contains(&format!(
                r#"<details class="scenario" open id="scenario-{open}">"#
            )),
            "scenario {open} should be open"
        );
    }
    for closed in [0, 4, 5] {
        assert!(
            html.contains(&format!(
                r#"<details class="scenario" id="scenario-{closed}">"#
            )),
            "scenario {closed} should be collapsed"
        );
    }
    let at = |id: usize| {
        html.find(&format!(r#"id="scenario-{id}">"#))
            .expect("the scenario in the fixture")
    };
    assert!(at(1) < at(3) && at(3) < at(2) && at(2) < at(0) && at(0) < at(5));
    // The flaky scenario's failed attempt is kept, collapsed.
    assert!(html.contains(r#"<details class="attempt"><summary>"#));
    assert!(html.contains("Flaky: "));
}

/// Creates every artifact file the fixture references under `root`, except `missing`.
fn create_artifacts(run: &RunResult, root: &Path, missing: &str) -> Vec<String> {
    let mut created = Vec::new();
    for attempt in run.scenarios.iter().flat_map(|s| &s.attempts) {
        let a = &attempt.artifacts;
        let paths = a
            .failure_screenshot
            .iter()
            .chain(&a.page_html)
            .chain(a.screenshots.iter().map(|s| &s.path));
        for rel in paths.filter(|p| p.as_str() != missing) {
            let path = root.join(rel);
            fs::create_dir_all(path.parent().expect("a parent directory"))
                .expect("create the directory");
            fs::write(&path, format!("contents of {rel}")).expect("write the file");
            created.push(rel.clone());
        }
    }
    created
}

#[test]
fn write_dir_copies_artifacts_and_skips_missing_ones() {
    let tmp = tempfile::tempdir().expect("create a temp dir");
    let source = tmp.path().join("run-artifacts");
    let mut run = fixture::run();
    run.artifacts_dir = source.display().to_string();
    let created = create_artifacts(&run, &source, fixture::HOME_SCREENSHOT);
    assert!(created.len() >= 5);

    let report = tmp.path().join("report").join("html");
    let index = write_dir(&run, &report).expect("write the report directory");

    assert_eq!(index, report.join("index.html"));
    assert_eq!(
        fs::read_to_string(&index).expect("read the file back"),
        render_index(&run)
    );
    for rel in &created {
        assert_eq!(
            fs::read_to_string(report.join("artifacts").join(rel)).expect("read the file back"),
            format!("contents of {rel}")
        );
    }
    assert!(
        !report
            .join("artifacts")
            .join(fixture::HOME_SCREENSHOT)
            .exists()
    );
}

#[test]
fn write_dir_leaves_artifacts_alone_when_they_already_live_there() {
    let tmp = tempfile::tempdir().expect("create a temp dir");
    let report = tmp.path().join("report");
    let mut run = fixture::run();
    run.artifacts_dir = report.join("artifacts").display().to_string();
    let created = create_artifacts(&run, &report.join("artifacts"), "");

    write_dir(&run, &report).expect("write the report directory");

    for rel in &created {
        assert_eq!(
            fs::read_to_string(report.join("artifacts").join(rel)).expect("read the file back"),
            format!("contents of {rel}")
        );
    }
}

#[test]
fn write_dir_succeeds_with_no_artifacts_at_all() {
    let tmp = tempfile::tempdir().expect("create a temp dir");
    let mut run = fixture::run();
    run.artifacts_dir = tmp.path().join("gone").display().to_string();
    let index = write_dir(&run, &tmp.path().join("report")).expect("write the report directory");
    assert!(index.is_file());
}

#[test]
fn artifact_paths_leaving_the_directory_are_neither_linked_nor_copied() {
    let tmp = tempfile::tempdir().expect("create a temp dir");
    let source = tmp.path().join("a");
    fs::create_dir_all(&source).expect("create the directory");
    fs::write(tmp.path().join("secret.txt"), "secret").expect("write the file");
    let mut run = fixture::run();
    run.artifacts_dir = source.display().to_string();
    run.scenarios[1].attempts[1].artifacts.page_html = Some("../secret.txt".into());

    let report = tmp.path().join("report");
    write_dir(&run, &report).expect("write the report directory");

    let html = fs::read_to_string(report.join("index.html")).expect("read the file back");
    assert!(!html.contains(r#"href="artifacts/../secret.txt""#));
    assert!(html.contains("artifact outside the artifacts directory"));
    assert!(!report.join("secret.txt").exists());
}

/// Writes the fixture's report for a person to look at:
/// `cargo test -p gate-runner report::html::tests::preview -- --ignored`, then open
/// `target/report-preview/index.html`. Put images under `target/report-preview-artifacts/`
/// to see them in place.
#[test]
#[ignore = "writes a report into target/ for eyeballing"]
fn preview() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let mut run = fixture::run();
    run.artifacts_dir = root.join("report-preview-artifacts").display().to_string();
    let index = write_dir(&run, &root.join("report-preview")).expect("write the report directory");
    println!("{}", index.display());
}
