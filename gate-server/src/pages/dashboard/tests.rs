use gate_dora::{Commit, Deployment, History, Outcome, Period, Settings, Source};

use super::*;

/// 2026-11-30 (a Monday) 00:00 UTC.
const MONDAY: i64 = 1_795_996_800_000;
const HOUR: i64 = 3_600_000;

fn deployment(id: &str, service: &str, finished_at: i64, outcome: Outcome) -> Deployment {
    let rolled_back = matches!(outcome, Outcome::RolledBack { .. });
    Deployment {
        id: id.into(),
        service: service.into(),
        version: "v".into(),
        source: Source::External,
        started_at: finished_at - HOUR,
        finished_at: Some(finished_at),
        outcome,
        reached_users: true,
        commits: vec![Commit {
            sha: format!("{id:a>40}"),
            committed_at: Some(finished_at - 2 * HOUR),
        }],
        hotfix: false,
        rollback: false,
        detected_at: rolled_back.then_some(finished_at - 10 * 60_000),
        recovered_at: rolled_back.then_some(finished_at - 8 * 60_000),
    }
}

fn render(history: &History, service: Option<&str>, services: &[String]) -> String {
    let settings = Settings::default();
    let now = MONDAY + 50 * HOUR;
    let weeks = gate_dora::weekly(history, now, WEEKS, service, &settings);
    let week = Period::this_week(now, &settings.time_zone);
    let report = gate_dora::report(history, &week, service, &settings);
    view(&Dashboard {
        report: &report,
        weeks: &weeks,
        service,
        services,
    })
    .into_string()
}

fn history() -> History {
    History {
        deployments: vec![
            deployment("d1", "shop", MONDAY + 10 * HOUR, Outcome::Promoted),
            deployment("d2", "shop", MONDAY + 20 * HOUR, Outcome::Promoted),
            deployment(
                "d3",
                "shop",
                MONDAY + 30 * HOUR,
                Outcome::RolledBack { automatic: true },
            ),
            deployment("d4", "<api>", MONDAY + 40 * HOUR, Outcome::Promoted),
            deployment("old", "shop", MONDAY - 3 * 24 * HOUR, Outcome::Promoted),
        ],
        ..History::default()
    }
}

#[test]
fn the_headline_is_this_weeks_success_rate_and_the_digests_line() {
    let page = render(&history(), None, &[]);
    assert!(
        page.contains(r#"<p class="big" id="success-rate">75%</p>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<span id="deploys-successful">3</span>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<span id="deploys-this-week">4</span>"#),
        "{page}"
    );
    assert!(
        page.contains("4 deploys this week, 3 successful, 1 auto-rolled-back, MTTR 2:00"),
        "{page}"
    );
    // One tile per DORA metric and the gate's.
    for metric in [
        "deployment-frequency",
        "lead-time-for-changes",
        "change-failure-rate",
        "failed-deployment-recovery-time",
        "deployment-rework-rate",
        "gate",
    ] {
        assert!(
            page.contains(&format!(r#"data-metric="{metric}""#)),
            "{metric}: {page}"
        );
    }
    assert!(page.contains("band-elite"), "{page}");
}

#[test]
fn five_labelled_charts_over_twelve_weeks() {
    let page = render(&history(), None, &[]);
    for id in [
        "deploys",
        "success-rate",
        "lead-time",
        "recovery",
        "gate-pass-rate",
    ] {
        let id = format!("weekly-{id}");
        assert!(page.contains(&format!(r#"id="chart-{id}""#)), "{id}");
        assert!(
            page.contains(&format!(r#"aria-labelledby="{id}-title {id}-desc""#)),
            "{id}"
        );
    }
    assert_eq!(page.matches(r#"role="img""#).count(), 5);
    // This week (Nov 30) had 4 deploys and the week before 1.
    assert!(
        page.contains("Deploys per week, last 12 weeks: ") && page.contains("Nov 23 1, Nov 30 4."),
        "{page}"
    );
}

#[test]
fn one_service_and_escaped_names() {
    let services = vec!["<api>".to_string(), "shop".to_string()];
    let page = render(&history(), Some("<api>"), &services);
    assert!(
        page.contains(r#"<span id="deploys-this-week">1</span>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"<option value="&lt;api&gt;" selected>&lt;api&gt;</option>"#),
        "{page}"
    );
    assert!(!page.contains("<api>"), "{page}");
}

#[test]
fn an_empty_history_says_so() {
    let page = render(&History::default(), None, &[]);
    assert!(
        page.contains(r#"id="success-rate">no deploys</p>"#),
        "{page}"
    );
    assert!(page.contains("0 deploys this week"), "{page}");
}

#[test]
fn only_final_deployment_phases_change_the_figures() {
    use crate::events::DeploymentFacts;
    use crate::model::DeployPhase;
    let facts = |phase| {
        Event::DeploymentChanged(DeploymentFacts {
            id: "d".into(),
            service: "shop".into(),
            version: "v2".into(),
            phase,
            step: None,
            weight: 0,
            summary: String::new(),
        })
    };
    assert!(!changes_figures(&facts(DeployPhase::Canary)));
    assert!(changes_figures(&facts(DeployPhase::RolledBack)));
    assert!(changes_figures(&facts(DeployPhase::Promoted)));
    assert!(changes_figures(&Event::HistoryRecorded {
        deployments: 1,
        incidents: 0
    }));
}
