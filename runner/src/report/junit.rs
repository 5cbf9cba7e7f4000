//! The JUnit XML report, for CI test tabs: one `<testsuite name="gate">`, one `<testcase>` per
//! scenario (`name` = scenario name, `classname` and `file` = scenario path, `time` = all
//! attempts).
//!
//! | outcome   | element                                                          |
//! |-----------|------------------------------------------------------------------|
//! | passed    | none                                                             |
//! | flaky     | one `<flakyFailure>`/`<flakyError>` per attempt that did not pass |
//! | failed    | `<failure type="assertion|step|timeout|setup|…" message="file:line: …">` |
//! | error     | `<error type="infrastructure|…">`                                |
//! | cancelled | `<skipped type="cancelled">`                                     |
//!
//! Every testcase carries a `system-out` with each attempt's steps, failure details and artifact
//! paths, because that is the part most CI UIs show next to the test.
//!
//! Flaky scenarios pass, so CI keeps counting them as passes, which is what they are. Their
//! testcase holds Maven Surefire's `<flakyFailure>` (attempt failed) or `<flakyError>` (attempt
//! errored) for each attempt before the passing one, which Jenkins, GitLab and GitHub test
//! reporters show as a flaky pass; its `system-out` also *begins* with `flaky: failed on attempt
//! 1 (…), passed on attempt 2` for tools that ignore those elements, and the suite's
//! `system-out` lists the flaky scenarios. junit-report 0.9 builds everything else but cannot
//! write those elements (its `TestCase` holds one result), so the `flaky` module streams its XML through
//! quick-xml and inserts them.

use std::io;
use std::path::Path;

use junit_report::{Duration, OffsetDateTime, Report, TestCase, TestResult, TestSuite};
use time::format_description::well_known::Rfc3339;

use super::text;
use super::verdict::Verdict;
use crate::result::{Attempt, Failure, FailureKind, Outcome, RunResult, ScenarioResult};

/// The JUnit XML of the run.
///
/// Only fails if the XML writer does, or junit-report's XML does not read back, neither of
/// which should happen in memory.
pub fn to_string(result: &RunResult) -> io::Result<String> {
    flaky::insert_reruns(&junit_report_xml(result)?, result)
}

/// Writes [`to_string`] to `path` atomically.
pub fn write(result: &RunResult, path: &Path) -> io::Result<()> {
    super::atomic::write(path, to_string(result)?.as_bytes())
}

/// The report as junit-report writes it, without the flaky reruns.
fn junit_report_xml(result: &RunResult) -> io::Result<String> {
    let mut out = Vec::new();
    report(result).write_xml(&mut out).map_err(|e| match e {
        junit_report::Error::Io(e) => e,
        junit_report::Error::Xml(e) => io::Error::other(e),
    })?;
    String::from_utf8(out).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

fn report(result: &RunResult) -> Report {
    let mut suite = TestSuite::new("gate");
    // junit-report defaults to "now"; an unparsable start falls back to the epoch instead, so
    // the report stays a pure function of the result.
    suite.set_timestamp(
        OffsetDateTime::parse(&result.started_at, &Rfc3339).unwrap_or(OffsetDateTime::UNIX_EPOCH),
    );
    suite.add_testcases(
        result
            .scenarios
            .iter()
            .map(|s| testcase(s, &result.artifacts_dir)),
    );
    suite.set_system_out(&cdata(&suite_summary(result)));
    let mut report = Report::new();
    report.add_testsuite(suite);
    report
}

fn testcase(scenario: &ScenarioResult, artifacts_dir: &str) -> TestCase {
    let time = Duration::milliseconds(i64::try_from(scenario.duration_ms).unwrap_or(i64::MAX));
    let mut case = TestCase::success(&xml_text(&scenario.name), time);
    case.result = match scenario.outcome {
        Outcome::Passed | Outcome::Flaky => TestResult::Success,
        Outcome::Failed => {
            let (type_, message, cause) = problem(scenario, artifacts_dir, FailureKind::Assertion);
            TestResult::Failure {
                type_,
                message,
                cause,
            }
        }
        Outcome::Error => {
            let (type_, message, cause) =
                problem(scenario, artifacts_dir, FailureKind::Infrastructure);
            TestResult::Error {
                type_,
                message,
                cause,
            }
        }
        Outcome::Cancelled => TestResult::SkippedWithCause {
            type_: "cancelled".to_owned(),
            message: "not run: the run was interrupted before this scenario finished".to_owned(),
            cause: None,
        },
    };
    case.set_classname(&xml_text(&scenario.path));
    case.set_filepath(&xml_text(&scenario.path));
    case.set_system_out(&cdata(&scenario_log(scenario, artifacts_dir)));
    case
}

/// `(type, message, body)` of a `<failure>` or `<error>`, from the deciding attempt.
fn problem(
    scenario: &ScenarioResult,
    artifacts_dir: &str,
    default_kind: FailureKind,
) -> (String, String, Option<String>) {
    let Some(attempt) = scenario.attempts.last() else {
        let message = format!("{} without running any attempt", scenario.outcome.as_str());
        return (text::failure_kind(default_kind).to_owned(), message, None);
    };
    let mut body = String::new();
    if let Some(failure) = &attempt.failure {
        push_failure(&mut body, 0, failure);
    }
    push_evidence(&mut body, 0, attempt, artifacts_dir);
    if scenario.attempts.len() > 1 {
        push_line(
            &mut body,
            0,
            &format!(
                "{} on all {} attempts",
                scenario.outcome.as_str(),
                scenario.attempts.len()
            ),
        );
    }
    let (type_, message) = attempt_problem(attempt, default_kind);
    (type_, message, Some(cdata(body.trim_end())))
}

/// `(type, message)` of an attempt that did not pass; `default_kind` when it recorded no
/// failure.
fn attempt_problem(attempt: &Attempt, default_kind: FailureKind) -> (String, String) {
    let (kind, message) = match &attempt.failure {
        Some(failure) => (failure.kind, text::failure_headline(failure)),
        None => (
            default_kind,
            format!(
                "attempt {} {}",
                attempt.number,
                text::attempt_outcome(attempt.outcome)
            ),
        ),
    };
    (text::failure_kind(kind).to_owned(), xml_text(&message))
}

fn suite_summary(result: &RunResult) -> String {
    let mut out = String::new();
    push_line(
        &mut out,
        0,
        &format!(
            "gate run {} against {}: {} in {} on {} workers",
            result.run_id,
            result.base_url,
            Verdict::of(result).label(),
            text::duration(result.duration_ms),
            result.workers
        ),
    );
    let counts: Vec<String> = [
        Outcome::Passed,
        Outcome::Flaky,
        Outcome::Failed,
        Outcome::Error,
        Outcome::Cancelled,
    ]
    .into_iter()
    .map(|o| format!("{} {}", result.count(o), o.as_str()))
    .collect();
    push_line(&mut out, 0, &counts.join(", "));
    push_line(&mut out, 0, &format!("artifacts: {}", result.artifacts_dir));
    for scenario in result
        .scenarios
        .iter()
        .filter(|s| s.outcome == Outcome::Flaky)
    {
        if let Some(story) = text::flaky_story(scenario) {
            push_line(
                &mut out,
                0,
                &format!("flaky: {} ({}): {story}", scenario.name, scenario.path),
            );
        }
    }
    out
}

/// The testcase's `system-out`: what happened, attempt by attempt.
fn scenario_log(scenario: &ScenarioResult, artifacts_dir: &str) -> String {
    let mut out = String::new();
    if scenario.outcome == Outcome::Flaky {
        let story = text::flaky_story(scenario).unwrap_or_else(|| "passed after a retry".into());
        push_line(&mut out, 0, &format!("flaky: {story}"));
    }
    push_line(
        &mut out,
        0,
        &format!("{} ({})", scenario.name, scenario.path),
    );
    let attempts = scenario.attempts.len();
    let summary = if attempts == 0 {
        format!("{}: not run", scenario.outcome.as_str())
    } else {
        format!(
            "{} after {attempts} attempt{} in {}",
            scenario.outcome.as_str(),
            if attempts == 1 { "" } else { "s" },
            text::duration(scenario.duration_ms)
        )
    };
    push_line(&mut out, 0, &summary);
    for attempt in &scenario.attempts {
        out.push('\n');
        push_attempt(&mut out, attempt, attempts, artifacts_dir);
    }
    out.trim_end().to_owned()
}

fn push_attempt(out: &mut String, attempt: &Attempt, of: usize, artifacts_dir: &str) {
    push_line(
        out,
        0,
        &format!(
            "attempt {} of {of}: {} on worker {} in {}",
            attempt.number,
            text::attempt_outcome(attempt.outcome),
            attempt.worker,
            text::duration(attempt.duration_ms)
        ),
    );
    for step in &attempt.steps {
        let timing = match step.outcome {
            crate::result::StepOutcome::Skipped => "skipped".to_owned(),
            _ => text::duration(step.duration_ms),
        };
        push_line(
            out,
            1,
            &format!(
                "{} {:>2}. {}  (line {}, {timing})",
                text::step_mark(step.outcome),
                step.index + 1,
                step.description,
                step.line
            ),
        );
    }
    if let Some(failure) = &attempt.failure {
        push_failure(out, 1, failure);
    }
    push_evidence(out, 1, attempt, artifacts_dir);
}

fn push_failure(out: &mut String, indent: usize, failure: &Failure) {
    let title = text::failure_title(failure.kind);
    let heading = match (failure.step, &failure.step_description) {
        (Some(step), Some(description)) => format!("{title} in step {}: {description}", step + 1),
        (None, Some(description)) => format!("{title} in step: {description}"),
        _ => title.to_owned(),
    };
    push_line(out, indent, &heading);
    if let Some(location) = &failure.location {
        push_line(out, indent, &format!("  at {location}"));
    }
    push_line(out, indent, &failure.message);
    if let Some(expected) = &failure.expected {
        push_line(out, indent, &format!("expected: {expected}"));
    }
    if let Some(actual) = &failure.actual {
        push_line(out, indent, &format!("actual:   {actual}"));
    }
}

/// Console errors, failed requests and artifact paths of an attempt.
fn push_evidence(out: &mut String, indent: usize, attempt: &Attempt, artifacts_dir: &str) {
    if !attempt.console_errors.is_empty() {
        push_line(out, indent, "console errors:");
        for error in &attempt.console_errors {
            push_line(out, indent + 1, error);
        }
    }
    if !attempt.failed_requests.is_empty() {
        push_line(out, indent, "failed requests:");
        for request in &attempt.failed_requests {
            push_line(out, indent + 1, &text::request(request));
        }
    }
    let artifacts = &attempt.artifacts;
    let path = |rel: &str| Path::new(artifacts_dir).join(rel).display().to_string();
    let mut files = Vec::new();
    if let Some(shot) = &artifacts.failure_screenshot {
        files.push(format!("failure screenshot: {}", path(shot)));
    }
    if let Some(page) = &artifacts.page_html {
        files.push(format!("page HTML: {}", path(page)));
    }
    for shot in &artifacts.screenshots {
        files.push(format!("screenshot {:?}: {}", shot.name, path(&shot.path)));
    }
    if let Some(log) = &artifacts.browser_log {
        files.push(format!("browser container log: {}", path(log)));
    }
    if !files.is_empty() {
        push_line(out, indent, "artifacts:");
        for file in files {
            push_line(out, indent + 1, &file);
        }
    }
}

/// Appends `line` indented by `indent` levels; continuation lines of multi-line text (stack
/// traces) are indented one level deeper so they read as part of it.
fn push_line(out: &mut String, indent: usize, line: &str) {
    for (i, part) in line.lines().enumerate() {
        let level = if i == 0 { indent } else { indent + 1 };
        out.extend(std::iter::repeat_n("  ", level));
        out.push_str(part);
        out.push('\n');
    }
    if line.is_empty() {
        out.push('\n');
    }
}

/// Drops characters XML 1.0 forbids (ANSI escapes and other control characters from console
/// output); they would make the whole file unparsable.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

/// Text for a CDATA section. junit-report writes CDATA content verbatim, so a `]]>` inside the
/// text would end the section early; split it across two sections instead.
fn cdata(text: &str) -> String {
    xml_text(text).replace("]]>", "]]]]><![CDATA[>")
}

mod flaky;
#[cfg(test)]
mod tests;
