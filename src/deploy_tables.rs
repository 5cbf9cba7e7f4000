//! Deployments, services and audit entries as tables for people (`--json` is for programs).
//! Pure: the API's answers in, the table out.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use gate_wire::{AuditEntry, DeploymentView, ServiceView};

use crate::deploy_text::short_time;

fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    table
}

fn short_sha(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}

pub fn deployments(list: &[DeploymentView]) -> Table {
    let mut t = table(&[
        "id", "service", "version", "from", "phase", "weight", "created", "who",
    ]);
    for d in list {
        let who = if d.forced {
            format!("{} (override)", d.actor)
        } else {
            d.actor.clone()
        };
        t.add_row(vec![
            d.id.clone(),
            d.service.clone(),
            d.version.clone(),
            d.from_version.clone().unwrap_or_default(),
            d.phase.as_str().to_string(),
            format!("{}%", d.weight),
            short_time(&d.created_at),
            who,
        ]);
    }
    t
}

pub fn services(list: &[ServiceView]) -> Table {
    let mut t = table(&[
        "service",
        "serving",
        "url",
        "commit",
        "deployment in progress",
        "router",
    ]);
    for s in list {
        t.add_row(vec![
            s.name.clone(),
            s.version.clone().unwrap_or_else(|| "unknown".into()),
            s.url.clone().unwrap_or_default(),
            s.commit
                .as_deref()
                .map(short_sha)
                .unwrap_or_default()
                .to_string(),
            s.deployment.clone().unwrap_or_default(),
            s.router.clone(),
        ]);
    }
    t
}

pub fn audit(entries: &[AuditEntry]) -> Table {
    let mut t = table(&[
        "#",
        "time",
        "actor",
        "action",
        "service",
        "versions",
        "deployment",
        "reason",
    ]);
    for e in entries {
        let versions = match (&e.from_version, &e.to_version) {
            (None, None) => String::new(),
            (from, to) => format!(
                "{} → {}",
                from.as_deref().unwrap_or("–"),
                to.as_deref().unwrap_or("–")
            ),
        };
        t.add_row(vec![
            e.seq.to_string(),
            short_time(&e.at),
            e.actor.clone(),
            e.action.clone(),
            e.service.clone().unwrap_or_default(),
            versions,
            e.deployment.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
        ]);
    }
    t
}
