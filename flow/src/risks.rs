//! The risks of a flow, in the framework's words: a manual stage only one person can do (bus
//! factor one), a manual stage with no runbook, and a manual stage nobody performed in the
//! latest releases. Each comes with what to do about it.

use crate::history::History;
use crate::model::{Flow, Stage};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RiskKind {
    SingleOwner,
    NoRunbook,
    NotPerformed,
}

impl RiskKind {
    /// The name in JSON and on the page: `single_owner`, `no_runbook`, `not_performed`.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskKind::SingleOwner => "single_owner",
            RiskKind::NoRunbook => "no_runbook",
            RiskKind::NotPerformed => "not_performed",
        }
    }

    /// A short label: "bus factor one", "no runbook", "not performed lately".
    pub fn label(self) -> &'static str {
        match self {
            RiskKind::SingleOwner => "bus factor one",
            RiskKind::NoRunbook => "no runbook",
            RiskKind::NotPerformed => "not performed lately",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    pub stage: String,
    pub kind: RiskKind,
    /// What is wrong, as a sentence.
    pub message: String,
    /// What to do about it.
    pub advice: String,
}

/// The risks of `flow`'s manual stages (those gate does not do), in stage order; the
/// latest `recent` releases of `history` are the ones a stage must have been performed in.
pub fn risks(flow: &Flow, history: &History, recent: u32) -> Vec<Risk> {
    let recent = usize::try_from(recent).unwrap_or(usize::MAX);
    let latest: Vec<&String> = history.releases.iter().take(recent).collect();
    let mut risks = Vec::new();
    for stage in flow.stages.iter().filter(|s| !s.automated) {
        let risk = |kind, message: String, advice: String| Risk {
            stage: stage.name.clone(),
            kind,
            message,
            advice,
        };
        if let [owner] = stage.owners.as_slice() {
            risks.push(risk(
                RiskKind::SingleOwner,
                format!("only {owner} can perform `{}`: bus factor one", stage.name),
                format!(
                    "add a second person to `owners` of `{}` and have them perform it once, with {owner} at hand",
                    stage.name
                ),
            ));
        }
        if stage.runbook.is_none() {
            risks.push(risk(
                RiskKind::NoRunbook,
                format!(
                    "`{}` has no runbook: how it is done lives in someone's head",
                    stage.name
                ),
                format!(
                    "write its steps down and link them: runbook = \"https://…\" in the stage `{}`",
                    stage.name
                ),
            ));
        }
        if !latest.is_empty() && !performed_in(stage, history, &latest) {
            let which = match latest.len() < recent {
                true => format!("any of the {} releases so far", latest.len()),
                false => format!("the last {} releases", latest.len()),
            };
            let last = match history.performed(&stage.name).last() {
                Some(p) => format!("; it was last recorded for {} by {}", p.release, p.by),
                None => "; it was never recorded".to_string(),
            };
            risks.push(risk(
                RiskKind::NotPerformed,
                format!(
                    "nobody recorded performing `{}` in {which} ({}){last}",
                    stage.name,
                    latest
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!(
                    "record it when it is done: gate flow done {} --release VERSION --by NAME; if it is no longer done, remove the stage, or mark it automated-by-gate = true when gate does it now",
                    stage.name
                ),
            ));
        }
    }
    risks
}

fn performed_in(stage: &Stage, history: &History, releases: &[&String]) -> bool {
    history
        .performed(&stage.name)
        .any(|p| releases.iter().any(|r| **r == p.release))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Performance;
    use crate::model::{Automated, StageDecl, StageKind};

    fn manual(name: &str, owners: &[&str], runbook: bool) -> StageDecl {
        StageDecl {
            owners: owners.iter().map(|o| o.to_string()).collect(),
            runbook: runbook.then(|| format!("https://wiki.example.com/{name}")),
            ..StageDecl::automated(name, StageKind::Manual)
        }
    }

    fn done(stage: &str, release: &str) -> Performance {
        Performance {
            stage: stage.into(),
            release: release.into(),
            by: "ana".into(),
            at_ms: 0,
            duration_ms: None,
            note: None,
        }
    }

    fn kinds(risks: &[Risk]) -> Vec<(&str, RiskKind)> {
        risks.iter().map(|r| (r.stage.as_str(), r.kind)).collect()
    }

    #[test]
    fn each_risk_is_found_on_the_stage_that_has_it() {
        let declared = [
            StageDecl::automated("tests", StageKind::Gate),
            manual("sign-off", &["ana"], true),
            manual("changelog", &["ana", "bo"], false),
            manual("smoke", &["ana", "bo"], true),
            manual("press", &["cy"], false),
        ];
        let flow = Flow::new(Some(&declared), &Automated::default());
        let history = History {
            releases: ["v4", "v3", "v2", "v1"].map(String::from).to_vec(),
            performances: vec![
                done("sign-off", "v3"),
                done("changelog", "v4"),
                done("smoke", "v1"),
                done("press", "v2"),
            ],
            ..History::default()
        };
        let found = risks(&flow, &history, 2);
        use RiskKind::*;
        assert_eq!(
            kinds(&found),
            [
                ("sign-off", SingleOwner),
                ("changelog", NoRunbook),
                ("smoke", NotPerformed),
                ("press", SingleOwner),
                ("press", NoRunbook),
                ("press", NotPerformed),
            ]
        );
        let smoke = &found[2];
        assert!(
            smoke.message.contains("the last 2 releases (v4, v3)"),
            "{}",
            smoke.message
        );
        assert!(
            smoke.message.contains("last recorded for v1 by ana"),
            "{}",
            smoke.message
        );
        assert!(
            smoke.advice.contains("gate flow done smoke --release"),
            "{}",
            smoke.advice
        );
    }

    #[test]
    fn automated_stages_and_a_history_without_releases_carry_no_such_risk() {
        let declared = [
            StageDecl {
                automated_by_gate: true,
                ..manual("changelog", &["bo"], false)
            },
            manual("sign-off", &["ana", "bo"], true),
        ];
        let flow = Flow::new(Some(&declared), &Automated::default());
        assert!(risks(&flow, &History::default(), 5).is_empty());
        let history = History {
            releases: vec!["v1".into()],
            ..History::default()
        };
        let found = risks(&flow, &history, 5);
        assert_eq!(kinds(&found), [("sign-off", RiskKind::NotPerformed)]);
        assert!(
            found[0]
                .message
                .contains("any of the 1 releases so far (v1); it was never recorded"),
            "{}",
            found[0].message
        );
    }
}
