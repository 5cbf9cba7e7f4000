//! Plain-text wording of result values, shared by the reporters so that JUnit, HTML and the
//! terminal describe a failure in the same words.

use crate::result::{
    AttemptOutcome, FailedRequest, Failure, FailureKind, ScenarioResult, StepOutcome,
};

/// `850 ms`, `4.2 s`, `2 min 05 s`, `1 h 02 min`.
pub(crate) fn duration(ms: u64) -> String {
    const MINUTE: u64 = 60_000;
    const HOUR: u64 = 60 * MINUTE;
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 10_000 {
        // Two significant digits are what a person compares at a glance.
        format!("{}.{} s", ms / 1_000, ms % 1_000 / 100)
    } else if ms < MINUTE {
        format!("{} s", ms / 1_000)
    } else if ms < HOUR {
        format!("{} min {:02} s", ms / MINUTE, ms % MINUTE / 1_000)
    } else {
        format!("{} h {:02} min", ms / HOUR, ms % HOUR / MINUTE)
    }
}

/// The serde name of the kind, which is also what JUnit puts in `type`.
pub(crate) fn failure_kind(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Assertion => "assertion",
        FailureKind::Step => "step",
        FailureKind::Timeout => "timeout",
        FailureKind::Infrastructure => "infrastructure",
        FailureKind::Setup => "setup",
    }
}

/// What happened, as a heading: `assertion failed`, `infrastructure error`…
pub(crate) fn failure_title(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Assertion => "assertion failed",
        FailureKind::Step => "step failed",
        FailureKind::Timeout => "timed out",
        FailureKind::Infrastructure => "infrastructure error",
        FailureKind::Setup => "setup error",
    }
}

/// `file:line: message`, or just the message when the failure has no location.
pub(crate) fn failure_headline(failure: &Failure) -> String {
    match &failure.location {
        Some(location) => format!("{location}: {}", failure.message),
        None => failure.message.clone(),
    }
}

/// `POST https://shop/api/pay → 500`, `GET https://cdn/x.js → net::ERR_CONNECTION_REFUSED`.
pub(crate) fn request(request: &FailedRequest) -> String {
    format!(
        "{} {} → {}",
        request.method,
        request.url,
        request_status(request)
    )
}

/// The status code, else the network error, else `failed`.
pub(crate) fn request_status(request: &FailedRequest) -> String {
    match (request.status, &request.error) {
        (Some(status), _) => status.to_string(),
        (None, Some(error)) => error.clone(),
        (None, None) => "failed".to_owned(),
    }
}

pub(crate) fn step_outcome(outcome: StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Passed => "passed",
        StepOutcome::Failed => "failed",
        StepOutcome::Error => "error",
        StepOutcome::Skipped => "skipped",
    }
}

/// One character per step outcome, for step lists in plain text.
pub(crate) fn step_mark(outcome: StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Passed => "✓",
        StepOutcome::Failed => "✗",
        StepOutcome::Error => "!",
        StepOutcome::Skipped => "-",
    }
}

pub(crate) fn attempt_outcome(outcome: AttemptOutcome) -> &'static str {
    match outcome {
        AttemptOutcome::Passed => "passed",
        AttemptOutcome::Failed => "failed",
        AttemptOutcome::Error => "error",
        AttemptOutcome::Cancelled => "cancelled",
    }
}

/// For a flaky scenario: `failed on attempt 1 (search.toml:9: no element matched …), passed on
/// attempt 2`. `None` when no attempt passed after a failing one.
pub(crate) fn flaky_story(scenario: &ScenarioResult) -> Option<String> {
    let passed = scenario
        .attempts
        .iter()
        .rfind(|a| a.outcome == AttemptOutcome::Passed)?;
    let failures: Vec<String> = scenario
        .attempts
        .iter()
        .filter(|a| a.outcome != AttemptOutcome::Passed)
        .map(|a| {
            let reason = match &a.failure {
                Some(f) => first_line(&failure_headline(f)).to_owned(),
                None => attempt_outcome(a.outcome).to_owned(),
            };
            format!(
                "{} on attempt {} ({reason})",
                attempt_outcome(a.outcome),
                a.number
            )
        })
        .collect();
    if failures.is_empty() {
        return None;
    }
    Some(format!(
        "{}, passed on attempt {}",
        failures.join(", "),
        passed.number
    ))
}

/// Multi-line messages (stack traces, page text) are summarised by their first line.
pub(crate) fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0), "0 ms");
        assert_eq!(duration(999), "999 ms");
        assert_eq!(duration(4_250), "4.2 s");
        assert_eq!(duration(12_900), "12 s");
        assert_eq!(duration(125_000), "2 min 05 s");
        assert_eq!(duration(3_720_000), "1 h 02 min");
    }

    #[test]
    fn flaky_story_names_the_failed_and_the_passing_attempt() {
        let run = fixture::run();
        let flaky = run
            .scenarios
            .iter()
            .find(|s| s.name == fixture::FLAKY)
            .expect("the flaky scenario in the fixture");
        assert_eq!(
            flaky_story(flaky).expect("a flaky story"),
            "failed on attempt 1 (scenarios/search.toml:9: \
             no element matched css=\".suggestions li\" within 5 s), passed on attempt 2"
        );
    }

    #[test]
    fn request_shows_status_or_network_error() {
        let mut r = FailedRequest {
            method: "GET".into(),
            url: "https://shop.test/a".into(),
            status: Some(503),
            error: None,
        };
        assert_eq!(request(&r), "GET https://shop.test/a → 503");
        r.status = None;
        r.error = Some("net::ERR_CONNECTION_REFUSED".into());
        assert_eq!(
            request(&r),
            "GET https://shop.test/a → net::ERR_CONNECTION_REFUSED"
        );
    }
}
