//! A hand-built run covering every outcome, shared by the reporter tests.

use crate::result::{
    Artifacts, Attempt, AttemptOutcome, FailedRequest, Failure, FailureKind, NamedArtifact,
    Outcome, RunResult, ScenarioResult, StepOutcome, StepResult,
};

pub const PASSED: &str = "Home page shows featured products";
pub const FAILED: &str = "Checkout with saved card";
pub const FLAKY: &str = "Search suggestions";
pub const ERROR: &str = "Login with SSO";
pub const HOSTILE: &str = "Escaping <script>alert(1)</script> & \"quotes\"";
pub const CANCELLED: &str = "Admin exports orders as CSV";

pub const FAILURE_SCREENSHOT: &str = "checkout-with-saved-card/attempt-2/failure.png";
pub const FAILURE_PAGE: &str = "checkout-with-saved-card/attempt-2/page.html";
pub const HOME_SCREENSHOT: &str = "home-page-shows-featured-products/attempt-1/home.png";

pub fn run() -> RunResult {
    RunResult {
        run_id: "20261127-001502-3f9a1c".into(),
        started_at: "2026-11-27T00:15:02Z".into(),
        duration_ms: 31_480,
        base_url: "https://staging.shop.test".into(),
        workers: 2,
        artifacts_dir: "gate-artifacts/20261127-001502-3f9a1c".into(),
        interrupted: true,
        scenarios: vec![passed(), failed(), flaky(), error(), hostile(), cancelled()],
    }
}

/// [`run`] where retries changed two outcomes: [`ERROR`] passed on a retry after the browser
/// crashed (passed, not flaky: a crash says nothing about the code under test), and [`FAILED`]
/// failed, crashed, then passed (flaky).
pub fn retried() -> RunResult {
    let mut run = run();
    for scenario in &mut run.scenarios {
        if scenario.name == ERROR {
            *scenario = login_passed_after_crash();
        } else if scenario.name == FAILED {
            *scenario = checkout_flaky_after_failure_and_crash();
        }
    }
    run
}

fn step(index: usize, line: u32, description: &str, outcome: StepOutcome, ms: u64) -> StepResult {
    StepResult {
        index,
        description: description.into(),
        line,
        outcome,
        duration_ms: ms,
    }
}

fn attempt(number: u32, outcome: AttemptOutcome, worker: usize, steps: Vec<StepResult>) -> Attempt {
    Attempt {
        number,
        outcome,
        worker,
        duration_ms: steps.iter().map(|s| s.duration_ms).sum::<u64>() + 350,
        steps,
        failure: None,
        artifacts: Artifacts::default(),
        console_errors: vec![],
        failed_requests: vec![],
    }
}

fn scenario(
    name: &str,
    path: &str,
    tags: &[&str],
    outcome: Outcome,
    attempts: Vec<Attempt>,
) -> ScenarioResult {
    ScenarioResult {
        name: name.into(),
        path: path.into(),
        tags: tags.iter().map(|&t| t.into()).collect(),
        outcome,
        duration_ms: attempts.iter().map(|a| a.duration_ms).sum(),
        attempts,
    }
}

fn passed() -> ScenarioResult {
    use StepOutcome::Passed;
    let mut a = attempt(
        1,
        AttemptOutcome::Passed,
        0,
        vec![
            step(0, 4, "open \"/\"", Passed, 612),
            step(1, 5, "expect title contains \"Demo Shop\"", Passed, 18),
            step(2, 6, "expect visible css=\".product-card\"", Passed, 41),
            step(3, 7, "screenshot \"home\"", Passed, 233),
        ],
    );
    a.artifacts.screenshots.push(NamedArtifact {
        name: "home".into(),
        path: HOME_SCREENSHOT.into(),
    });
    scenario(
        PASSED,
        "scenarios/home.toml",
        &["smoke"],
        Outcome::Passed,
        vec![a],
    )
}

fn checkout_attempt(number: u32, worker: usize) -> Attempt {
    use StepOutcome::{Failed, Passed, Skipped};
    let mut a = attempt(
        number,
        AttemptOutcome::Failed,
        worker,
        vec![
            step(0, 5, "open \"/\"", Passed, 540),
            step(1, 6, "click text=\"Blue Mug\"", Passed, 210),
            step(2, 7, "click role=button[name=\"Add to cart\"]", Passed, 185),
            step(3, 9, "click text=\"Checkout\"", Passed, 402),
            step(4, 10, "screenshot \"cart\"", Passed, 220),
            step(
                5,
                11,
                "fill label=\"Card number\" with \"••••\"",
                Passed,
                96,
            ),
            step(
                6,
                14,
                "expect text css=\"#total\" equals \"$42.00\"",
                Failed,
                5_004,
            ),
            step(7, 15, "click text=\"Pay now\"", Skipped, 0),
        ],
    );
    let dir = format!("checkout-with-saved-card/attempt-{number}");
    a.failure = Some(Failure {
        kind: FailureKind::Assertion,
        step: Some(6),
        location: Some("scenarios/checkout.toml:14".into()),
        step_description: Some("expect text css=\"#total\" equals \"$42.00\"".into()),
        message: "text of css=\"#total\" did not match within 5 s".into(),
        expected: Some("$42.00".into()),
        actual: Some("$0.00".into()),
    });
    a.artifacts = Artifacts {
        failure_screenshot: Some(format!("{dir}/failure.png")),
        page_html: Some(format!("{dir}/page.html")),
        screenshots: vec![NamedArtifact {
            name: "cart".into(),
            path: format!("{dir}/cart.png"),
        }],
        browser_log: None,
    };
    a.console_errors = vec![
        "TypeError: Cannot read properties of undefined (reading 'price')\n    at renderTotal (https://staging.shop.test/assets/cart.js:88:17)".into(),
        "Failed to load resource: the server responded with a status of 500 (Internal Server Error) <b>bold?</b>".into(),
    ];
    a.failed_requests = vec![
        FailedRequest {
            method: "POST".into(),
            url: "https://staging.shop.test/api/cart/total".into(),
            status: Some(500),
            error: None,
        },
        FailedRequest {
            method: "GET".into(),
            url: "https://fonts.shop.test/inter.woff2".into(),
            status: None,
            error: Some("net::ERR_NAME_NOT_RESOLVED".into()),
        },
    ];
    a
}

fn failed() -> ScenarioResult {
    scenario(
        FAILED,
        "scenarios/checkout.toml",
        &["checkout", "critical"],
        Outcome::Failed,
        vec![checkout_attempt(1, 1), checkout_attempt(2, 0)],
    )
}

fn flaky() -> ScenarioResult {
    use StepOutcome::{Failed, Passed, Skipped};
    let mut first = attempt(
        1,
        AttemptOutcome::Failed,
        1,
        vec![
            step(0, 4, "open \"/search\"", Passed, 480),
            step(
                1,
                6,
                "fill placeholder=\"Search\" with \"mug\"",
                Passed,
                120,
            ),
            step(
                2,
                9,
                "expect visible css=\".suggestions li\"",
                Failed,
                5_001,
            ),
            step(3, 10, "click text=\"Blue Mug\"", Skipped, 0),
        ],
    );
    first.failure = Some(Failure {
        kind: FailureKind::Step,
        step: Some(2),
        location: Some("scenarios/search.toml:9".into()),
        step_description: Some("expect visible css=\".suggestions li\"".into()),
        message: "no element matched css=\".suggestions li\" within 5 s".into(),
        expected: None,
        actual: None,
    });
    first.artifacts.failure_screenshot = Some("search-suggestions/attempt-1/failure.png".into());
    first.artifacts.page_html = Some("search-suggestions/attempt-1/page.html".into());
    let second = attempt(
        2,
        AttemptOutcome::Passed,
        0,
        vec![
            step(0, 4, "open \"/search\"", Passed, 455),
            step(
                1,
                6,
                "fill placeholder=\"Search\" with \"mug\"",
                Passed,
                131,
            ),
            step(2, 9, "expect visible css=\".suggestions li\"", Passed, 890),
            step(3, 10, "click text=\"Blue Mug\"", Passed, 240),
        ],
    );
    scenario(
        FLAKY,
        "scenarios/search.toml",
        &["search"],
        Outcome::Flaky,
        vec![first, second],
    )
}

fn error() -> ScenarioResult {
    scenario(
        ERROR,
        "scenarios/login.toml",
        &["auth"],
        Outcome::Error,
        vec![login_crash(1, 1)],
    )
}

/// The SSO login of [`ERROR`], with the browser crashing on the SSO button.
fn login_crash(number: u32, worker: usize) -> Attempt {
    use StepOutcome::{Error, Passed, Skipped};
    crashed(
        attempt(
            number,
            AttemptOutcome::Error,
            worker,
            vec![
                step(0, 4, "open \"/login\"", Passed, 700),
                step(1, 6, "click text=\"Sign in with SSO\"", Error, 2_100),
                step(2, 8, "expect url contains \"/account\"", Skipped, 0),
            ],
        ),
        "scenarios/login.toml",
    )
}

/// Blames the attempt's `Error` step on a browser crash.
fn crashed(mut a: Attempt, path: &str) -> Attempt {
    let step = a
        .steps
        .iter()
        .find(|s| s.outcome == StepOutcome::Error)
        .expect("a step that errored");
    a.failure = Some(Failure {
        kind: FailureKind::Infrastructure,
        step: Some(step.index),
        location: Some(format!("{path}:{}", step.line)),
        step_description: Some(step.description.clone()),
        message: "browser crashed: DevTools connection closed".into(),
        expected: None,
        actual: None,
    });
    a
}

fn login_passed_after_crash() -> ScenarioResult {
    use StepOutcome::Passed;
    let passed = attempt(
        2,
        AttemptOutcome::Passed,
        0,
        vec![
            step(0, 4, "open \"/login\"", Passed, 690),
            step(1, 6, "click text=\"Sign in with SSO\"", Passed, 1_240),
            step(2, 8, "expect url contains \"/account\"", Passed, 35),
        ],
    );
    scenario(
        ERROR,
        "scenarios/login.toml",
        &["auth"],
        Outcome::Passed,
        vec![login_crash(1, 1), passed],
    )
}

fn checkout_flaky_after_failure_and_crash() -> ScenarioResult {
    use StepOutcome::{Error, Passed, Skipped};
    let crash = crashed(
        attempt(
            2,
            AttemptOutcome::Error,
            0,
            vec![
                step(0, 5, "open \"/\"", Passed, 530),
                step(1, 6, "click text=\"Blue Mug\"", Error, 1_800),
                step(2, 7, "click role=button[name=\"Add to cart\"]", Skipped, 0),
            ],
        ),
        "scenarios/checkout.toml",
    );
    let passed = attempt(
        3,
        AttemptOutcome::Passed,
        1,
        vec![
            step(0, 5, "open \"/\"", Passed, 520),
            step(1, 6, "click text=\"Blue Mug\"", Passed, 190),
            step(2, 7, "click role=button[name=\"Add to cart\"]", Passed, 170),
            step(3, 9, "click text=\"Checkout\"", Passed, 380),
            step(4, 10, "screenshot \"cart\"", Passed, 215),
            step(
                5,
                11,
                "fill label=\"Card number\" with \"••••\"",
                Passed,
                90,
            ),
            step(
                6,
                14,
                "expect text css=\"#total\" equals \"$42.00\"",
                Passed,
                60,
            ),
            step(7, 15, "click text=\"Pay now\"", Passed, 310),
        ],
    );
    scenario(
        FAILED,
        "scenarios/checkout.toml",
        &["checkout", "critical"],
        Outcome::Flaky,
        vec![checkout_attempt(1, 1), crash, passed],
    )
}

fn hostile() -> ScenarioResult {
    let a = attempt(
        1,
        AttemptOutcome::Passed,
        0,
        vec![step(
            0,
            3,
            "open \"/?q=<script>alert(2)</script>\"",
            StepOutcome::Passed,
            300,
        )],
    );
    scenario(
        HOSTILE,
        "scenarios/<xss>.toml",
        &[],
        Outcome::Passed,
        vec![a],
    )
}

fn cancelled() -> ScenarioResult {
    scenario(
        CANCELLED,
        "scenarios/admin/export.toml",
        &["admin"],
        Outcome::Cancelled,
        vec![],
    )
}
