//! The flow with its figures and risks: what `gate flow`, `GET /api/v1/flow` and `/flow` show.

use crate::WINDOW_DAYS;
use crate::history::{History, Occurrence, Performance};
use crate::model::{Flow, Stage, StageKind};
use crate::risks::{Risk, RiskKind, risks};
use crate::stats::{StageStats, stats};

#[derive(Debug, Clone, PartialEq)]
pub struct StageReport {
    pub stage: Stage,
    pub stats: StageStats,
    /// The latest performance of a manual stage.
    pub last: Option<Performance>,
    /// The kinds of risk found on it.
    pub risks: Vec<RiskKind>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FlowReport {
    pub stages: Vec<StageReport>,
    pub risks: Vec<Risk>,
    pub notes: Vec<String>,
    /// `[release]` is in gate.toml.
    pub declared: bool,
    pub window_days: i64,
    /// How many releases a manual stage must have been performed in.
    pub recent_releases: u32,
    /// Those releases, newest first.
    pub releases: Vec<String>,
}

/// The report of `flow` over `history`.
pub fn report(flow: Flow, history: &History, recent_releases: u32) -> FlowReport {
    let found = risks(&flow, history, recent_releases);
    let since = history.now_ms - WINDOW_DAYS * 86_400_000;
    let stages = flow
        .stages
        .into_iter()
        .map(|stage| {
            let manual = stage.kind == StageKind::Manual;
            let stats = if manual {
                let performed: Vec<Occurrence> = history
                    .performed(&stage.name)
                    .map(|p| Occurrence {
                        at_ms: p.at_ms,
                        duration_ms: p.duration_ms,
                        failed: false,
                    })
                    .collect();
                stats(&performed, since, stage.usually, false)
            } else {
                stats(history.automated(stage.kind), since, None, true)
            };
            StageReport {
                last: manual
                    .then(|| history.performed(&stage.name).last().cloned())
                    .flatten(),
                risks: found
                    .iter()
                    .filter(|r| r.stage == stage.name)
                    .map(|r| r.kind)
                    .collect(),
                stats,
                stage,
            }
        })
        .collect();
    let considered = usize::try_from(recent_releases).unwrap_or(usize::MAX);
    FlowReport {
        stages,
        risks: found,
        notes: flow.notes,
        declared: flow.declared,
        window_days: WINDOW_DAYS,
        recent_releases,
        releases: history.releases.iter().take(considered).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::model::{Automated, StageDecl};

    #[test]
    fn stages_get_their_own_history() {
        let declared = [
            StageDecl::automated("tests", StageKind::Gate),
            StageDecl {
                owners: vec!["ana".into(), "bo".into()],
                runbook: Some("https://wiki.example.com/qa".into()),
                usually: Some(Duration::from_secs(600)),
                ..StageDecl::automated("qa", StageKind::Manual)
            },
        ];
        let flow = Flow::new(Some(&declared), &Automated::default());
        let day = 86_400_000;
        let history = History {
            now_ms: 100 * day,
            gate: vec![
                Occurrence {
                    at_ms: 5 * day,
                    duration_ms: Some(1),
                    failed: true,
                },
                Occurrence {
                    at_ms: 50 * day,
                    duration_ms: Some(60_000),
                    failed: false,
                },
                Occurrence {
                    at_ms: 60 * day,
                    duration_ms: Some(30_000),
                    failed: true,
                },
            ],
            performances: vec![Performance {
                stage: "qa".into(),
                release: "v1".into(),
                by: "bo".into(),
                at_ms: 70 * day,
                duration_ms: None,
                note: Some("all good".into()),
            }],
            releases: vec!["v1".into()],
            ..History::default()
        };
        let r = report(flow, &history, 5);
        assert_eq!(
            r.stages[0].stats.runs, 2,
            "the run 95 days ago is outside the window"
        );
        assert_eq!(r.stages[0].stats.median_ms, Some(30_000));
        assert_eq!(r.stages[0].stats.failure_share, Some(0.5));
        assert_eq!(r.stages[1].stats.runs, 1);
        assert_eq!(r.stages[1].stats.median_ms, Some(600_000));
        assert_eq!(r.stages[1].last.as_ref().map(|p| p.by.as_str()), Some("bo"));
        assert!(r.risks.is_empty(), "{:?}", r.risks);
        assert_eq!(r.releases, ["v1"]);
    }
}
