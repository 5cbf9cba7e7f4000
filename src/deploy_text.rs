//! A deployment in words, for the terminal and CI logs: where it is (phase, step, weight, time
//! left in the step), the traffic of both versions with the analysis' summary, and how it
//! ended. Pure functions of the API's [`DeploymentView`] and the time now; drawing them is
//! `deploy_progress`'s job.

use gate_wire::{Decision, DeployPhase, DeploymentView, TrafficCounts};

/// Unix milliseconds of an RFC 3339 time.
pub fn unix_ms(rfc3339: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(rfc3339, &Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// Now, as unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `45s`, `9m 58s`, `1h 02m`.
pub fn clock(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s / 60) % 60),
    }
}

/// An RFC 3339 time as `2026-12-02 14:30:01Z` (what a table has room for).
pub fn short_time(rfc3339: &str) -> String {
    match rfc3339.split_once('T') {
        Some((date, rest)) => {
            let clock = rest.get(..8).unwrap_or(rest);
            format!("{date} {clock}Z")
        }
        None => rfc3339.to_string(),
    }
}

/// When the current step began: the view says so (newer servers), else the last transition
/// in the log.
fn step_started_ms(view: &DeploymentView) -> Option<i64> {
    view.step_started_at
        .as_deref()
        .and_then(unix_ms)
        .or_else(|| {
            view.log
                .iter()
                .rev()
                .find(|l| l.kind == "transition")
                .and_then(|l| unix_ms(&l.at))
        })
}

/// The time left before the current step may move on; `None` outside a canary or for a step
/// without a hold.
pub fn time_left(view: &DeploymentView, now_ms: i64) -> Option<u64> {
    if view.phase != DeployPhase::Canary {
        return None;
    }
    let hold = view.plan.get(view.step? as usize)?.hold_ms?;
    let started = step_started_ms(view)?;
    let passed = now_ms.saturating_sub(started).max(0) as u64;
    Some(hold.saturating_sub(passed))
}

/// `step 2/4`, counted from 1 as people do.
pub fn step_of(view: &DeploymentView) -> String {
    match view.step {
        Some(step) if !view.plan.is_empty() => format!("step {}/{}", step + 1, view.plan.len()),
        Some(step) => format!("step {}", step + 1),
        None => String::new(),
    }
}

/// Where the deployment is, without the time left (which changes every second).
pub fn where_it_is(view: &DeploymentView) -> String {
    match view.phase {
        DeployPhase::Pending => match &view.url {
            None => format!("pending: bringing {} up", view.version),
            Some(url) => format!("pending: {} is up at {url}", view.version),
        },
        DeployPhase::Canary => {
            let mut s = format!(
                "canary {}: {}% of traffic on {}",
                step_of(view),
                view.weight,
                view.version
            );
            s.push_str(held(view));
            s
        }
        phase => phase.as_str().replace('_', " "),
    }
}

/// ` · held: …` when the canary waits for a person.
pub fn held(view: &DeploymentView) -> &'static str {
    if view.held {
        " · held: waiting for `gate advance` or `gate promote`"
    } else {
        ""
    }
}

/// How long the step still holds, for a status line: ` · 9m 58s left in the step`.
pub fn countdown(view: &DeploymentView, now_ms: i64) -> String {
    if view.held {
        return String::new();
    }
    match time_left(view, now_ms) {
        Some(0) => " · the step's hold is over: moving on when the data allows".into(),
        Some(ms) => format!(" · {} left in the step", clock(ms)),
        None => String::new(),
    }
}

/// `0.25%`, or `–` without requests.
pub fn rate(rate: Option<f64>) -> String {
    rate.map_or("–".into(), |r| format!("{:.2}%", r * 100.0))
}

fn version_traffic(version: &str, role: &str, c: &TrafficCounts) -> String {
    let errors = if c.errors == 1 { "error" } else { "errors" };
    let mut s = format!(
        "{version} ({role}): {} requests, {} {errors} ({})",
        c.requests,
        c.errors,
        rate(c.error_rate)
    );
    if let Some(p95) = c.p95_ms {
        s.push_str(&format!(", p95 {p95:.0} ms"));
    }
    s
}

/// Both versions' requests and errors in the step's window.
pub fn traffic(view: &DeploymentView, decision: &Decision) -> String {
    let stable = view.from_version.as_deref().unwrap_or("stable");
    format!(
        "{} · {}",
        version_traffic(&view.version, "canary", &decision.canary),
        version_traffic(stable, "stable", &decision.stable)
    )
}

/// The analysis' judgement and its summary line.
pub fn judgement(decision: &Decision) -> String {
    format!("{}: {}", decision.judgement, decision.summary)
}

/// What changed, as one line (the key for "print a line per change").
pub fn status(view: &DeploymentView) -> String {
    let mut s = where_it_is(view);
    if let Some(d) = &view.decision {
        s.push_str(&format!(" — {} — {}", traffic(view, d), judgement(d)));
    }
    s
}

/// The log's last transition: what ended the deployment, and why.
fn last_transition(view: &DeploymentView) -> Option<&str> {
    view.log
        .iter()
        .rev()
        .find(|l| l.kind == "transition")
        .map(|l| l.text.as_str())
}

/// How a finished deployment ended: the headline, then lines of evidence.
pub fn outcome(view: &DeploymentView) -> Vec<String> {
    let from = view.from_version.as_deref().unwrap_or("the stable version");
    let mut lines = vec![match view.phase {
        DeployPhase::Promoted => format!(
            "promoted: {} serves {} on all traffic",
            view.service, view.version
        ),
        DeployPhase::RolledBack => format!(
            "rolled back: {} serves {from} again, not {}",
            view.service, view.version
        ),
        DeployPhase::Aborted => format!(
            "aborted: {} serves {from} again, not {}",
            view.service, view.version
        ),
        DeployPhase::Failed => format!(
            "failed: {} of {} did not come up; {} serves {from}",
            view.version, view.service, view.service
        ),
        DeployPhase::Pending | DeployPhase::Canary => where_it_is(view),
    }];
    if view.phase != DeployPhase::Promoted
        && let Some(why) = last_transition(view)
    {
        lines.push(format!("  why: {why}"));
    }
    if let Some(d) = &view.decision {
        lines.push(format!("  traffic: {}", traffic(view, d)));
        lines.push(format!("  analysis: {}", judgement(d)));
    }
    if let (Some(start), Some(end)) = (
        unix_ms(&view.created_at),
        view.finished_at.as_deref().and_then(unix_ms),
    ) {
        lines.push(format!(
            "  took {} · details: {} · gate postmortem {}",
            clock(end.saturating_sub(start).max(0) as u64),
            view.html,
            view.id
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use gate_wire::{LogLine, PlannedStep};

    pub fn view(phase: DeployPhase) -> DeploymentView {
        DeploymentView {
            config_commit: None,
            id: "d1".into(),
            service: "shop".into(),
            version: "v2".into(),
            commit: "a".repeat(40),
            url: Some("http://127.0.0.1:9002".into()),
            from_version: Some("v1".into()),
            phase,
            step: (phase == DeployPhase::Canary).then_some(1),
            weight: 25,
            plan: vec![
                PlannedStep {
                    weight: 5,
                    hold_ms: Some(60_000),
                },
                PlannedStep {
                    weight: 25,
                    hold_ms: Some(600_000),
                },
                PlannedStep {
                    weight: 100,
                    hold_ms: None,
                },
            ],
            step_started_at: Some("2026-12-02T14:30:00.000Z".into()),
            held: false,
            decision: Some(Decision {
                judgement: "failing".into(),
                summary: "canary 7.28% vs stable 0.74%".into(),
                canary: TrafficCounts {
                    requests: 412,
                    errors: 30,
                    error_rate: Some(30.0 / 412.0),
                    p95_ms: None,
                },
                stable: TrafficCounts {
                    requests: 1630,
                    errors: 12,
                    error_rate: Some(12.0 / 1630.0),
                    p95_ms: Some(41.6),
                },
                at_ms: 0,
            }),
            actor: "admin".into(),
            reason: None,
            forced: false,
            created_at: "2026-12-02T14:29:00.000Z".into(),
            updated_at: "2026-12-02T14:31:00.000Z".into(),
            finished_at: None,
            hotfix: false,
            commits: Vec::new(),
            detected_at: None,
            recovered_at: None,
            log: vec![],
            html: "http://gate.test/deployments/d1".into(),
        }
    }

    #[test]
    fn the_step_counts_down_from_its_start() {
        let v = view(DeployPhase::Canary);
        let start = unix_ms("2026-12-02T14:30:00Z").unwrap_or_default();
        assert_eq!(time_left(&v, start + 2_000), Some(598_000));
        assert_eq!(countdown(&v, start + 2_000), " · 9m 58s left in the step");
        assert_eq!(time_left(&v, start + 700_000), Some(0));
        assert_eq!(
            where_it_is(&v),
            "canary step 2/3: 25% of traffic on v2",
            "steps count from 1"
        );
        let held = DeploymentView {
            held: true,
            ..v.clone()
        };
        assert!(where_it_is(&held).contains("gate advance"));
        assert_eq!(countdown(&held, start), "");
        assert_eq!(time_left(&view(DeployPhase::Pending), start), None);
    }

    #[test]
    fn without_a_step_start_the_last_transition_is_the_start() {
        let mut v = view(DeployPhase::Canary);
        v.step_started_at = None;
        v.log = vec![LogLine {
            at: "2026-12-02T14:35:00.000Z".into(),
            kind: "transition".into(),
            text: "canary step 0 → canary step 1".into(),
        }];
        let at = unix_ms("2026-12-02T14:36:00Z").unwrap_or_default();
        assert_eq!(time_left(&v, at), Some(540_000));
    }

    #[test]
    fn the_status_line_has_both_versions_numbers_and_the_summary() {
        let line = status(&view(DeployPhase::Canary));
        assert_eq!(
            line,
            "canary step 2/3: 25% of traffic on v2 — v2 (canary): 412 requests, 30 errors (7.28%) \
             · v1 (stable): 1630 requests, 12 errors (0.74%), p95 42 ms — failing: canary 7.28% vs stable 0.74%"
        );
    }

    #[test]
    fn an_ending_says_which_and_why() {
        let mut v = view(DeployPhase::RolledBack);
        v.finished_at = Some("2026-12-02T14:31:05.000Z".into());
        v.log = vec![LogLine {
            at: "2026-12-02T14:31:05.000Z".into(),
            kind: "transition".into(),
            text: "canary → rolled_back: the canary fails".into(),
        }];
        let lines = outcome(&v);
        assert_eq!(lines[0], "rolled back: shop serves v1 again, not v2");
        assert_eq!(lines[1], "  why: canary → rolled_back: the canary fails");
        assert!(lines[2].contains("30 errors (7.28%)"), "{lines:?}");
        assert!(lines[3].starts_with("  analysis: failing"), "{lines:?}");
        assert!(lines[4].contains("took 2m 05s"), "{lines:?}");
        let promoted = outcome(&view(DeployPhase::Promoted));
        assert_eq!(promoted[0], "promoted: shop serves v2 on all traffic");
    }

    #[test]
    fn clocks_and_times_read_short() {
        assert_eq!(clock(0), "0s");
        assert_eq!(clock(45_001), "46s");
        assert_eq!(clock(598_000), "9m 58s");
        assert_eq!(clock(3_725_000), "1h 02m");
        assert_eq!(
            short_time("2026-12-02T14:30:01.123Z"),
            "2026-12-02 14:30:01Z"
        );
        assert_eq!(rate(None), "–");
    }
}
