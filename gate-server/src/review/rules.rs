//! How each gate is judged from the evidence. A gate is installed when its mechanism is
//! configured and gate has seen it work; partial when it is configured but something the
//! framework asks for is missing or unproven; missing when it is not configured at all.

use gate_dora::format_duration;

use super::{Evidence, Gate, Review, Status};

const PUBLISH: &str = r#"[publish]                          # commit statuses a required merge check reads
api-url = "https://api.github.com"
repository = "acme/shop"
token-env = "GITHUB_TOKEN""#;

const RELEASE: &str = r#"[[release.stages]]
name = "tests"
kind = "gate"
[[release.stages]]
name = "qa-sign-off"
kind = "manual"
owners = ["ana", "bo"]
runbook = "https://wiki.example.com/runbooks/qa-sign-off"
usually = "30m"
[[release.stages]]
name = "canary"
kind = "canary""#;

const GIT: &str =
    r#"require-committed-config = true    # top level: refuse to serve uncommitted changes"#;

const PARITY: &str = r#"[parity]
staging = "https://staging.example.com"
production = "https://www.example.com"
version-path = "/version"
hold-deploys = true"#;

const SERVICE: &str = r#"[[services]]
name = "shop"
router = { kind = "proxy", admin-url = "http://127.0.0.1:8471", token-env = "GATE_PROXY_TOKEN" }
stable = { version = "v1", url = "http://127.0.0.1:9001" }
hooks = { up = "scripts/up {version}", down = "scripts/down {version}", timeout = "2m" }"#;

const DIGEST: &str = r#"[digest]
schedule = "monday 08:00"
time-zone = "Europe/Berlin"
[digest.email]
smtp-url = "smtp://mail.example.com:587"
from = "gate@example.com"
to = ["founders@example.com"]"#;

/// Judges every gate.
pub fn review(e: &Evidence) -> Review {
    let gates = vec![
        test_gate(e),
        release_flow(e),
        config_in_git(e),
        parity(e),
        canary(e),
        rollback(e),
        confidence(e),
    ];
    let count = |s| gates.iter().filter(|g| g.status == s).count();
    let summary = format!(
        "{} of 7 gates installed, {} partial, {} missing",
        count(Status::Installed),
        count(Status::Partial),
        count(Status::Missing)
    );
    Review { gates, summary }
}

fn gate(number: u8, id: &'static str, name: &'static str) -> Gate {
    Gate {
        number,
        id,
        name,
        status: Status::Missing,
        evidence: Vec::new(),
        advice: Vec::new(),
        snippet: None,
    }
}

fn test_gate(e: &Evidence) -> Gate {
    let mut g = gate(1, "test-gate", "Test gate before merge");
    g.evidence.push(format!(
        "{} scenarios, {} tagged critical; {} runs in the last 7 days",
        e.scenarios, e.critical_scenarios, e.runs_last_week
    ));
    g.evidence
        .push(match (e.statuses_published, &e.last_status_posted) {
            (true, Some(at)) => format!("commit statuses are published; the last was posted {at}"),
            (true, None) => {
                "commit statuses are published; none was posted in the last 7 days".into()
            }
            (false, _) => "no commit statuses are published".into(),
        });
    g.evidence.push(if e.status_readers.is_empty() {
        "no client read a commit status from gate in the last 7 days".into()
    } else {
        format!(
            "statuses read from gate in the last 7 days by {}",
            e.status_readers
                .iter()
                .map(|(who, at)| format!("{who} (last {at})"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    if e.scenarios == 0 {
        g.advice.push(
            "write scenarios for login, checkout and the API (`gate init` starts a folder)".into(),
        );
        return g;
    }
    // A merge check reads the verdict either from the forge (published statuses) or from gate
    // itself (`gate wait`, the status endpoint).
    if !e.statuses_published && e.status_readers.is_empty() {
        g.advice.push(
            "publish commit statuses and make `gate` a required check on the main branch".into(),
        );
        g.snippet = Some(PUBLISH);
    } else if e.statuses_published
        && e.last_status_posted.is_none()
        && e.status_readers.is_empty()
        && e.runs_last_week > 0
    {
        g.advice.push(
            "runs finished but no status reached the forge in 7 days: check [publish]'s token and repository (failed posts are logged and retried)".into(),
        );
    }
    if e.critical_scenarios == 0 {
        g.advice
            .push("tag the flows that must never break `critical` (tags = [\"critical\"])".into());
    }
    if e.runs_last_week == 0 {
        g.advice
            .push("no commit was gated this week: have CI run `gate submit` for every push".into());
    }
    g.status = if g.advice.is_empty() {
        Status::Installed
    } else {
        Status::Partial
    };
    g
}

fn release_flow(e: &Evidence) -> Gate {
    let mut g = gate(2, "release-flow", "Release flow written down");
    if !e.flow_declared {
        g.evidence
            .push("no [release] section: only the stages gate runs are known".into());
        g.advice.push(
            "declare every stage, the manual ones with their owners, runbook and usual time".into(),
        );
        g.snippet = Some(RELEASE);
        return g;
    }
    g.evidence.push(format!(
        "declared; {} risk{}",
        e.flow_risks.len(),
        if e.flow_risks.len() == 1 { "" } else { "s" }
    ));
    g.evidence.extend(e.flow_risks.iter().cloned());
    if e.flow_risks.is_empty() {
        g.status = Status::Installed;
    } else {
        g.status = Status::Partial;
        g.advice.push(
            "fix the risks `gate flow` lists (a second owner, a runbook, a recorded performer)"
                .into(),
        );
    }
    g
}

fn config_in_git(e: &Evidence) -> Gate {
    let mut g = gate(3, "config-in-git", "Code and pipeline config in git");
    match e.config_in_git {
        None => {
            g.evidence
                .push("gate.toml is not in a git work tree".into());
            g.advice.push(
                "keep gate.toml and the scenarios in the repository and change them by pull request (or serve them with --config-repo)"
                    .into(),
            );
        }
        Some(clean) => {
            g.evidence.push(if clean {
                "gate.toml and the scenarios are committed".into()
            } else {
                "gate.toml or a scenario file has uncommitted changes".into()
            });
            g.evidence.push(format!(
                "require-committed-config is {}",
                if e.require_committed_config {
                    "on"
                } else {
                    "off"
                }
            ));
            if clean && e.require_committed_config {
                g.status = Status::Installed;
            } else {
                g.status = Status::Partial;
                if !clean {
                    g.advice.push("commit the changes through review".into());
                }
                if !e.require_committed_config {
                    g.advice
                        .push("make the server refuse uncommitted configuration".into());
                    g.snippet = Some(GIT);
                }
            }
        }
    }
    g
}

fn parity(e: &Evidence) -> Gate {
    let mut g = gate(4, "staging-parity", "Staging matches production");
    if !e.parity_configured {
        g.evidence
            .push("no [parity] section with both environments".into());
        g.advice.push(
            "compare staging with production (`gate parity`), and hold deploys when they differ"
                .into(),
        );
        g.snippet = Some(PARITY);
        return g;
    }
    g.evidence.push(format!(
        "staging is compared with production on a schedule and before each canary; deploys are {}held on a difference",
        if e.parity_holds_deploys { "" } else { "not " }
    ));
    let matches = match &e.parity_last {
        None => {
            g.evidence.push("not checked yet".into());
            g.advice.push(
                "no comparison is recorded yet: the server checks at start and every [parity] every; `gate parity --config gate.toml` shows one now".into(),
            );
            false
        }
        Some(last) => {
            g.evidence.push(format!(
                "last check {} ({}): {}",
                last.at, last.trigger, last.summary
            ));
            match last.matches {
                Some(true) => {}
                Some(false) => g.advice.push(
                    "make staging match production, or allow an expected difference in [parity] ignore".into(),
                ),
                None => g.advice.push(
                    "gate could not observe an environment: make both reachable from the server (`gate parity --config gate.toml` names the error)".into(),
                ),
            }
            last.matches == Some(true)
        }
    };
    if !e.parity_holds_deploys {
        g.advice
            .push("set `hold-deploys = true` in [parity] so a difference stops a deploy".into());
    }
    g.status = if e.parity_holds_deploys && matches {
        Status::Installed
    } else {
        Status::Partial
    };
    g
}

fn canary(e: &Evidence) -> Gate {
    let mut g = gate(5, "canary", "Canary after merge");
    if e.services.is_empty() {
        g.evidence
            .push("no [[services]]: nothing deploys through gate".into());
        g.advice
            .push("declare each service with its traffic router, stable version and hooks".into());
        g.snippet = Some(SERVICE);
        return g;
    }
    for s in &e.services {
        g.evidence.push(format!(
            "{}: {} router, canary {}",
            s.name, s.router, s.canary
        ));
    }
    g.evidence.push(format!(
        "{} deployments finished in the last 30 days",
        e.deployments_last_month
    ));
    if e.deployments_last_month == 0 {
        g.status = Status::Partial;
        g.advice.push(
            "no deployment went through a canary this month: deploy with `gate deploy`".into(),
        );
    } else {
        g.status = Status::Installed;
    }
    g
}

fn rollback(e: &Evidence) -> Gate {
    let mut g = gate(
        6,
        "rollback-audit",
        "Rollback in seconds, every action audited",
    );
    g.evidence.push(format!(
        "audit log: {} entries, the hash chain {}",
        e.audit_entries,
        if e.audit_ok { "holds" } else { "is BROKEN" }
    ));
    if let Some(ms) = e.last_recovery_ms {
        g.evidence.push(format!(
            "the last rollback recovered in {}",
            format_duration(ms)
        ));
    }
    if e.services.is_empty() {
        g.advice
            .push("declare a service with a router: rollback sets its weights".into());
        g.snippet = Some(SERVICE);
        return g;
    }
    let without: Vec<&str> = e
        .services
        .iter()
        .filter(|s| !s.down_hook)
        .map(|s| s.name.as_str())
        .collect();
    if !without.is_empty() {
        g.advice.push(format!(
            "give {} a `down` hook, so a rolled-back version is stopped",
            without.join(", ")
        ));
    }
    if !e.audit_ok {
        g.advice.push(
            "the audit chain does not verify: `gate audit verify` names the first bad entry".into(),
        );
    }
    g.status = if g.advice.is_empty() {
        Status::Installed
    } else {
        Status::Partial
    };
    g
}

fn confidence(e: &Evidence) -> Gate {
    let mut g = gate(
        7,
        "confidence",
        "Confidence for founders: dashboard and digest",
    );
    g.evidence
        .push("the dashboard is at /dashboard (nothing to set up)".into());
    if e.digest_channels.is_empty() {
        g.status = Status::Partial;
        g.evidence.push("no weekly digest is configured".into());
        g.advice
            .push("send the Monday digest by e-mail or Slack".into());
        g.snippet = Some(DIGEST);
        return g;
    }
    g.evidence.push(format!(
        "weekly digest to {}; last delivered {}",
        e.digest_channels.join(", "),
        e.last_digest_delivered.as_deref().unwrap_or("never")
    ));
    if e.last_digest_delivered.is_some() {
        g.status = Status::Installed;
    } else {
        g.status = Status::Partial;
        g.advice.push(
            "no digest was delivered yet: `gate digest --send-now` checks the channels".into(),
        );
    }
    g
}

#[cfg(test)]
mod tests;
