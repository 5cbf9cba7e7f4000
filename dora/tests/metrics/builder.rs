//! Test histories: instants from Berlin wall-clock times, deployments with sensible defaults
//! that a test overrides with struct update syntax.

use gate_dora::{
    Commit, Deployment, GateRun, History, Incident, Outcome, Period, RunOutcome, ScenarioOutcome,
    ScenarioResult, Settings, Source,
};
use jiff::{civil::date, tz::TimeZone};

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

pub fn berlin() -> TimeZone {
    TimeZone::get("Europe/Berlin").expect("the bundled tzdb has Europe/Berlin")
}

pub fn settings() -> Settings {
    Settings::new(berlin())
}

/// A Berlin wall-clock time as unix milliseconds.
pub fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> i64 {
    date(y, m, d)
        .at(h, min, 0, 0)
        .to_zoned_datetime(berlin())
        .expect("a valid Berlin time")
        .timestamp()
        .as_millisecond()
}

/// Wednesday 2026-12-02 09:00: "last week" is Mon 2026-11-23 to Mon 2026-11-30, "the week
/// before" Mon 2026-11-16 to Mon 2026-11-23.
pub fn now() -> i64 {
    at(2026, 12, 2, 9, 0)
}

pub fn last_week() -> Period {
    Period::last_full_week(now(), &berlin())
}

/// A gate deployment of `service` that reached users and ended at `finished_at`, ten minutes
/// after it started.
pub fn deployment(id: &str, service: &str, finished_at: i64, outcome: Outcome) -> Deployment {
    Deployment {
        id: id.to_owned(),
        service: service.to_owned(),
        version: format!("v-{id}"),
        source: Source::Gate,
        started_at: finished_at - 10 * MINUTE,
        finished_at: Some(finished_at),
        outcome,
        reached_users: true,
        commits: Vec::new(),
        hotfix: false,
        rollback: false,
        detected_at: None,
        recovered_at: None,
    }
}

pub fn promoted(id: &str, service: &str, finished_at: i64) -> Deployment {
    deployment(id, service, finished_at, Outcome::Promoted)
}

/// Rolled back by gate, detected five minutes before the end, recovered `recovery_ms` later.
pub fn auto_rolled_back(id: &str, service: &str, finished_at: i64, recovery_ms: i64) -> Deployment {
    let detected = finished_at - 5 * MINUTE;
    Deployment {
        detected_at: Some(detected),
        recovered_at: Some(detected + recovery_ms),
        ..deployment(
            id,
            service,
            finished_at,
            Outcome::RolledBack { automatic: true },
        )
    }
}

pub fn commit(sha: &str, committed_at: Option<i64>) -> Commit {
    Commit {
        sha: sha.to_owned(),
        committed_at,
    }
}

pub fn incident(id: &str, caused_by: &str, started_at: i64, resolved_at: Option<i64>) -> Incident {
    Incident {
        id: id.to_owned(),
        service: "shop".to_owned(),
        started_at,
        resolved_at,
        caused_by: Some(caused_by.to_owned()),
    }
}

pub fn run(id: &str, commit: &str, submitted_at: i64, outcome: RunOutcome) -> GateRun {
    GateRun {
        id: id.to_owned(),
        commit: commit.to_owned(),
        submitted_at,
        started_at: Some(submitted_at + MINUTE),
        finished_at: Some(submitted_at + 5 * MINUTE),
        outcome,
        scenarios: Vec::new(),
    }
}

pub fn scenario(name: &str, outcome: ScenarioOutcome) -> ScenarioResult {
    ScenarioResult {
        name: name.to_owned(),
        outcome,
    }
}

pub fn history(deployments: Vec<Deployment>) -> History {
    History {
        deployments,
        ..History::default()
    }
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}
