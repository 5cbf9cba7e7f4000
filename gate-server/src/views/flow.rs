//! The release flow as the API shows it.

use gate_flow::{FlowReport, StageReport};
use gate_wire as wire;

use super::rfc3339;
use crate::store::StagePerformance;

fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

pub fn flow_view(report: &FlowReport) -> wire::Flow {
    wire::Flow {
        stages: report.stages.iter().map(stage_view).collect(),
        risks: report
            .risks
            .iter()
            .map(|r| wire::FlowRisk {
                stage: r.stage.clone(),
                kind: r.kind.as_str().to_string(),
                message: r.message.clone(),
                advice: r.advice.clone(),
            })
            .collect(),
        notes: report.notes.clone(),
        declared: report.declared,
        window_days: u32::try_from(report.window_days).unwrap_or(u32::MAX),
        recent_releases: report.recent_releases,
        releases: report.releases.clone(),
    }
}

fn stage_view(s: &StageReport) -> wire::FlowStage {
    let stage = &s.stage;
    wire::FlowStage {
        position: stage.position,
        name: stage.name.clone(),
        kind: stage.kind.as_str().to_string(),
        automated: stage.automated,
        owners: stage.owners.clone(),
        runbook: stage.runbook.clone(),
        usually_seconds: stage.usually.map(|u| u.as_secs_f64()),
        detail: stage.detail.clone(),
        runs: s.stats.runs,
        median_seconds: s.stats.median_ms.map(seconds),
        median: s.stats.median_ms.map(gate_dora::format_duration),
        median_is_usual: s.stats.median_is_usual,
        failure_share: s.stats.failure_share,
        last_performed: s.last.as_ref().map(|p| wire::StagePerformed {
            stage: p.stage.clone(),
            release: p.release.clone(),
            by: p.by.clone(),
            recorded_by: String::new(),
            at: rfc3339(p.at_ms),
            note: p.note.clone(),
            took_seconds: p.duration_ms.map(seconds),
        }),
        risks: s.risks.iter().map(|r| r.as_str().to_string()).collect(),
    }
}

pub fn performed_view(p: &StagePerformance) -> wire::StagePerformed {
    wire::StagePerformed {
        stage: p.stage.clone(),
        release: p.release.clone(),
        by: p.performed_by.clone(),
        recorded_by: p.recorded_by.clone(),
        at: rfc3339(p.at_ms),
        note: p.note.clone(),
        took_seconds: p.duration_ms.map(seconds),
    }
}
