//! Stages as a team declares them and as the flow shows them.

use std::time::Duration;

/// What a stage is: one of those gate runs, or a manual one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageKind {
    /// The test gate: the scenario suite and the required check.
    Gate,
    /// The canary steps of each service.
    Canary,
    /// The new version on all traffic.
    Promotion,
    /// The weekly digest.
    Digest,
    /// Done by people.
    Manual,
}

impl StageKind {
    pub const ALL: [StageKind; 5] = [
        StageKind::Gate,
        StageKind::Canary,
        StageKind::Promotion,
        StageKind::Digest,
        StageKind::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Gate => "gate",
            StageKind::Canary => "canary",
            StageKind::Promotion => "promotion",
            StageKind::Digest => "digest",
            StageKind::Manual => "manual",
        }
    }

    pub fn parse(text: &str) -> Option<StageKind> {
        StageKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The name a stage gets when gate derives it (no `[release]`).
    fn default_name(self) -> &'static str {
        match self {
            StageKind::Gate => "test-gate",
            StageKind::Canary => "canary",
            StageKind::Promotion => "promotion",
            StageKind::Digest => "weekly-digest",
            StageKind::Manual => "manual",
        }
    }
}

/// A `[[release.stages]]` entry, as checked by the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageDecl {
    pub name: String,
    pub kind: StageKind,
    /// Manual stages: who can perform it (at least one).
    pub owners: Vec<String>,
    /// Manual stages: an absolute URL.
    pub runbook: Option<String>,
    /// Manual stages: how long it usually takes.
    pub usually: Option<Duration>,
    /// A manual stage gate does now (`automated-by-gate = true`).
    pub automated_by_gate: bool,
}

impl StageDecl {
    /// A stage gate runs, named `name`.
    pub fn automated(name: &str, kind: StageKind) -> StageDecl {
        StageDecl {
            name: name.to_string(),
            kind,
            owners: Vec::new(),
            runbook: None,
            usually: None,
            automated_by_gate: false,
        }
    }
}

/// What gate's configuration says it runs: one line per fact for each automated stage, and
/// `None` for a part that is not configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Automated {
    /// The test gate is always there (the scenarios); e.g. "3 scenario paths", "required
    /// check gate/scenarios".
    pub gate: Vec<String>,
    /// Per service, its steps: "shop: 5% for 10m, 25% for 10m, 100%". `None`: no services.
    pub canary: Option<Vec<String>>,
    /// `None`: no services.
    pub promotion: Option<Vec<String>>,
    /// `None`: no `[digest]`.
    pub digest: Option<Vec<String>>,
}

impl Automated {
    fn detail(&self, kind: StageKind) -> Option<&[String]> {
        match kind {
            StageKind::Gate => Some(&self.gate),
            StageKind::Canary => self.canary.as_deref(),
            StageKind::Promotion => self.promotion.as_deref(),
            StageKind::Digest => self.digest.as_deref(),
            StageKind::Manual => None,
        }
    }
}

/// A stage of the flow, as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// 1, 2, 3, … in order.
    pub position: u32,
    pub name: String,
    pub kind: StageKind,
    /// gate runs it (an automated kind, or a manual stage marked `automated-by-gate`).
    pub automated: bool,
    pub owners: Vec<String>,
    pub runbook: Option<String>,
    pub usually: Option<Duration>,
    /// What the configuration says about it ("shop: 5% for 10m, …").
    pub detail: Vec<String>,
    /// An automated stage the configuration does not set up (a canary without services).
    pub configured: bool,
}

/// The flow: its stages in order, whether a team declared it, and what to tell about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub stages: Vec<Stage>,
    /// `[release]` is in gate.toml.
    pub declared: bool,
    /// Remarks about the flow as a whole ("manual stages are not declared …").
    pub notes: Vec<String>,
}

impl Flow {
    /// The flow of `declared` (the `[release]` stages), or, without it, the stages gate runs
    /// as `automated` configures them, in release order.
    pub fn new(declared: Option<&[StageDecl]>, automated: &Automated) -> Flow {
        let mut notes = Vec::new();
        let decls: Vec<StageDecl> = match declared {
            Some(stages) => stages.to_vec(),
            None => {
                notes.push(
                    "manual stages are not declared: add [release] with [[release.stages]] \
                     kind = \"manual\" (owners, runbook, usually) for the steps people do"
                        .to_string(),
                );
                [
                    StageKind::Gate,
                    StageKind::Canary,
                    StageKind::Promotion,
                    StageKind::Digest,
                ]
                .into_iter()
                .filter(|k| automated.detail(*k).is_some())
                .map(|k| StageDecl::automated(k.default_name(), k))
                .collect()
            }
        };
        let stages = decls
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                let detail = automated.detail(d.kind);
                let configured = d.kind == StageKind::Manual || detail.is_some();
                if !configured {
                    notes.push(format!(
                        "stage `{}` is a {} stage, but gate.toml does not set it up: {}",
                        d.name,
                        d.kind.as_str(),
                        match d.kind {
                            StageKind::Digest => "add [digest]",
                            _ => "add [[services]] with a canary policy",
                        }
                    ));
                }
                Stage {
                    position: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    automated: d.kind != StageKind::Manual || d.automated_by_gate,
                    detail: detail.map(<[String]>::to_vec).unwrap_or_default(),
                    configured,
                    name: d.name,
                    kind: d.kind,
                    owners: d.owners,
                    runbook: d.runbook,
                    usually: d.usually,
                }
            })
            .collect();
        Flow {
            stages,
            declared: declared.is_some(),
            notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manual(name: &str, owners: &[&str]) -> StageDecl {
        StageDecl {
            owners: owners.iter().map(|o| o.to_string()).collect(),
            ..StageDecl::automated(name, StageKind::Manual)
        }
    }

    #[test]
    fn without_a_declaration_gate_derives_what_it_runs_and_says_manual_stages_are_missing() {
        let automated = Automated {
            gate: vec!["1 scenario path".into()],
            digest: Some(vec!["Monday 09:00 UTC".into()]),
            ..Automated::default()
        };
        let flow = Flow::new(None, &automated);
        let names: Vec<&str> = flow.stages.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["test-gate", "weekly-digest"]);
        assert!(flow.stages.iter().all(|s| s.automated && s.configured));
        assert_eq!(flow.stages[1].position, 2);
        assert!(!flow.declared);
        assert!(flow.notes[0].starts_with("manual stages are not declared"));
    }

    #[test]
    fn a_declared_flow_keeps_its_order_and_fills_in_gate_s_stages() {
        let automated = Automated {
            gate: vec!["2 scenario paths".into()],
            canary: Some(vec!["shop: 5% for 10m, 100%".into()]),
            promotion: Some(vec!["shop".into()]),
            digest: None,
        };
        let declared = [
            StageDecl::automated("tests", StageKind::Gate),
            manual("qa", &["ana"]),
            StageDecl::automated("canary", StageKind::Canary),
            StageDecl {
                automated_by_gate: true,
                ..manual("changelog", &["bo"])
            },
            StageDecl::automated("digest", StageKind::Digest),
        ];
        let flow = Flow::new(Some(&declared), &automated);
        assert!(flow.declared);
        let s = &flow.stages;
        assert_eq!(s[0].detail, ["2 scenario paths"]);
        assert!(!s[1].automated);
        assert_eq!(s[2].detail, ["shop: 5% for 10m, 100%"]);
        assert!(
            s[3].automated,
            "automated-by-gate makes a manual stage gate's"
        );
        assert!(!s[4].configured);
        assert_eq!(flow.notes.len(), 1);
        assert!(flow.notes[0].contains("add [digest]"), "{:?}", flow.notes);
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in StageKind::ALL {
            assert_eq!(StageKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(StageKind::parse("Manual"), None);
    }
}
