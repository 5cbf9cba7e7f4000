//! Recording history from outside gate: production deployments other tools made and
//! incidents, one at a time or in a batch that is stored all or nothing. Every value is checked
//! before anything is stored; an error names the field by its path in the request
//! (`deployments[3].finished_at`), so `gate import` can point at the CSV line.

use gate_wire as wire;
use sha2::{Digest, Sha256};

use super::submit::commit_id;
use super::{Service, ServiceError};
use crate::auth::Principal;
use crate::events::Event;
use crate::store::{CarriedCommit, ExternalDeployment, ExternalOutcome, Incident};

/// Rows one batch may hold.
pub const MAX_BATCH: usize = wire::MAX_HISTORY_ROWS;

impl Service {
    /// Records a batch: every row checked first, then one transaction.
    pub async fn record_history(
        &self,
        batch: wire::HistoryImport,
        who: &Principal,
    ) -> Result<wire::HistoryRecorded, ServiceError> {
        if batch.deployments.len() + batch.incidents.len() > MAX_BATCH {
            return Err(ServiceError::invalid(
                "deployments",
                format!("at most {MAX_BATCH} rows per request: split the import"),
            ));
        }
        let deployments = batch
            .deployments
            .iter()
            .enumerate()
            .map(|(i, d)| external_deployment(&format!("deployments[{i}]"), d))
            .collect::<Result<Vec<_>, _>>()?;
        let incidents = batch
            .incidents
            .iter()
            .enumerate()
            .map(|(i, d)| incident(&format!("incidents[{i}]"), d))
            .collect::<Result<Vec<_>, _>>()?;
        distinct("deployments", deployments.iter().map(|d| d.id.as_str()))?;
        distinct("incidents", incidents.iter().map(|i| i.id.as_str()))?;
        for (i, incident) in incidents.iter().enumerate() {
            let Some(cause) = &incident.caused_by else {
                continue;
            };
            let in_batch = deployments.iter().any(|d| &d.id == cause);
            if !in_batch && !self.store.deployment_exists(cause).await? {
                return Err(ServiceError::invalid(
                    &format!("incidents[{i}].caused_by"),
                    format!(
                        "no deployment `{cause}`: name one of gate's deployments (`gate deployments`) or an external one recorded before or in the same import"
                    ),
                ));
            }
        }
        let recorded = self
            .store
            .record_history(&deployments, &incidents, &who.name)
            .await?;
        self.events.emit(Event::HistoryRecorded {
            deployments: deployments.len() as u32,
            incidents: incidents.len() as u32,
        });
        let ids = deployments
            .iter()
            .map(|d| d.id.clone())
            .chain(incidents.iter().map(|i| i.id.clone()))
            .collect();
        Ok(wire::HistoryRecorded {
            created: recorded.created,
            replaced: recorded.replaced,
            ids,
        })
    }
}

/// Refuses a batch that names one id twice: the later row would silently replace the earlier.
fn distinct<'a>(list: &str, ids: impl Iterator<Item = &'a str>) -> Result<(), ServiceError> {
    let mut seen = std::collections::HashMap::new();
    for (i, id) in ids.enumerate() {
        if let Some(first) = seen.insert(id, i) {
            return Err(ServiceError::invalid(
                &format!("{list}[{i}].id"),
                format!("the same id (`{id}`) as {list}[{first}]: give each row its own id"),
            ));
        }
    }
    Ok(())
}

/// A deployment checked and read as it would be stored (its id derived when it has none), or
/// the first problem, named by its field under `at` (`deployments[3]`). Pure: `gate import`
/// checks its rows with it before sending them.
pub fn external_deployment(
    at: &str,
    d: &wire::ExternalDeployment,
) -> Result<ExternalDeployment, ServiceError> {
    let field = |name: &str| format!("{at}.{name}");
    let service = name(&field("service"), &d.service)?;
    let finished_at = time(&field("finished_at"), &d.finished_at)?;
    let started_at = match &d.started_at {
        Some(t) => time(&field("started_at"), t)?,
        None => finished_at,
    };
    if started_at > finished_at {
        return Err(ServiceError::invalid(
            &field("started_at"),
            "started_at is after finished_at",
        ));
    }
    let detected_at = optional_time(&field("detected_at"), d.detected_at.as_deref())?;
    let recovered_at = optional_time(&field("recovered_at"), d.recovered_at.as_deref())?;
    let outcome = match d.outcome {
        wire::ExternalOutcome::Success => ExternalOutcome::Success,
        wire::ExternalOutcome::RolledBack => ExternalOutcome::RolledBack,
        wire::ExternalOutcome::AutoRolledBack => ExternalOutcome::AutoRolledBack,
        wire::ExternalOutcome::Failed => ExternalOutcome::Failed,
    };
    if outcome == ExternalOutcome::Success && (detected_at.is_some() || recovered_at.is_some()) {
        return Err(ServiceError::invalid(
            &field("outcome"),
            "a successful deployment has no detected_at or recovered_at: set outcome to rolled_back, auto_rolled_back or failed",
        ));
    }
    if let (Some(detected), Some(recovered)) = (detected_at, recovered_at)
        && recovered < detected
    {
        return Err(ServiceError::invalid(
            &field("recovered_at"),
            "recovered_at is before detected_at",
        ));
    }
    if recovered_at.is_some() && detected_at.is_none() {
        return Err(ServiceError::invalid(
            &field("detected_at"),
            "recovered_at needs detected_at: recovery time runs from detection to recovery",
        ));
    }
    let mut commits: Vec<CarriedCommit> = Vec::new();
    for (i, c) in d.commits.iter().enumerate() {
        let sha = commit_id(&format!("{at}.commits[{i}].sha"), &c.sha)?;
        let committed_at = optional_time(
            &format!("{at}.commits[{i}].committed_at"),
            c.committed_at.as_deref(),
        )?;
        if !commits.iter().any(|known| known.sha == sha) {
            commits.push(CarriedCommit { sha, committed_at });
        }
    }
    let version = match &d.version {
        Some(v) if !crate::config::is_version_name(v) => {
            return Err(ServiceError::invalid(
                &field("version"),
                "a version label is letters, digits, `.`, `_` and `-`, e.g. v2",
            ));
        }
        other => other.clone(),
    };
    let id = match &d.id {
        Some(id) => identifier(&field("id"), id)?,
        None => derived("ext", &[&service, &finished_at.to_string()]),
    };
    Ok(ExternalDeployment {
        id,
        service,
        version,
        commits,
        started_at,
        finished_at,
        outcome,
        hotfix: d.hotfix,
        rollback: d.rollback,
        detected_at,
        recovered_at,
    })
}

/// An incident checked and read as it would be stored, as [`external_deployment`]; whether
/// `caused_by` names a known deployment needs the store, and is checked by
/// [`Service::record_history`].
pub fn incident(at: &str, i: &wire::Incident) -> Result<Incident, ServiceError> {
    let field = |name: &str| format!("{at}.{name}");
    let service = name(&field("service"), &i.service)?;
    let title = i.title.trim().to_string();
    if title.is_empty() || title.len() > 500 {
        return Err(ServiceError::invalid(
            &field("title"),
            "say in a few words what happened (1 to 500 characters)",
        ));
    }
    let started_at = time(&field("started_at"), &i.started_at)?;
    let resolved_at = optional_time(&field("resolved_at"), i.resolved_at.as_deref())?;
    if resolved_at.is_some_and(|r| r < started_at) {
        return Err(ServiceError::invalid(
            &field("resolved_at"),
            "resolved_at is before started_at",
        ));
    }
    let caused_by = match &i.caused_by {
        Some(id) => Some(identifier(&field("caused_by"), id)?),
        None => None,
    };
    let id = match &i.id {
        Some(id) => identifier(&field("id"), id)?,
        None => derived("inc", &[&service, &started_at.to_string(), &title]),
    };
    Ok(Incident {
        id,
        service,
        title,
        started_at,
        resolved_at,
        caused_by,
    })
}

fn name(field: &str, text: &str) -> Result<String, ServiceError> {
    if crate::config::is_version_name(text) && text.len() <= 128 {
        Ok(text.to_string())
    } else {
        Err(ServiceError::invalid(
            field,
            "a service name is letters, digits, `.`, `_` and `-`, e.g. shop",
        ))
    }
}

/// A caller's id: safe in URLs and logs.
fn identifier(field: &str, text: &str) -> Result<String, ServiceError> {
    let ok = !text.is_empty()
        && text.len() <= 128
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'));
    if ok {
        Ok(text.to_string())
    } else {
        Err(ServiceError::invalid(
            field,
            "an id is 1 to 128 letters, digits, `.`, `_`, `:` or `-`, e.g. deploy-2026-11-30-1",
        ))
    }
}

/// An id from the row's identifying values, so importing the same history twice replaces
/// rather than doubles it.
fn derived(prefix: &str, parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

fn time(field: &str, text: &str) -> Result<i64, ServiceError> {
    let parsed =
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .map_err(|_| {
                ServiceError::invalid(
                    field,
                    format!("`{text}` is not an RFC 3339 time, e.g. 2026-11-30T14:05:00Z"),
                )
            })?;
    Ok((parsed.unix_timestamp_nanos() / 1_000_000) as i64)
}

fn optional_time(field: &str, text: Option<&str>) -> Result<Option<i64>, ServiceError> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| time(field, t))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment() -> wire::ExternalDeployment {
        wire::ExternalDeployment {
            id: None,
            service: "shop".into(),
            version: Some("v7".into()),
            commits: vec![wire::CarriedCommit {
                sha: "A".repeat(40),
                committed_at: Some("2026-11-30T09:00:00Z".into()),
            }],
            started_at: None,
            finished_at: "2026-11-30T10:00:00+01:00".into(),
            outcome: wire::ExternalOutcome::Success,
            hotfix: false,
            rollback: false,
            detected_at: None,
            recovered_at: None,
        }
    }

    fn field_of(err: ServiceError) -> String {
        match err {
            ServiceError::Invalid { field, .. } => field.unwrap_or_default(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn a_valid_deployment_is_read_with_a_stable_derived_id() {
        let d = external_deployment("deployments[0]", &deployment()).unwrap();
        assert_eq!(d.finished_at, 1_796_029_200_000);
        assert_eq!(d.started_at, d.finished_at);
        assert_eq!(d.commits[0].sha, "a".repeat(40));
        assert_eq!(d.commits[0].committed_at, Some(1_796_029_200_000));
        let again = external_deployment("deployments[0]", &deployment()).unwrap();
        assert_eq!(d.id, again.id);
        assert!(d.id.starts_with("ext-"), "{}", d.id);
    }

    #[test]
    fn errors_name_the_field_by_its_path() {
        let mut d = deployment();
        d.finished_at = "yesterday".into();
        assert_eq!(
            field_of(external_deployment("deployments[3]", &d).unwrap_err()),
            "deployments[3].finished_at"
        );
        let mut d = deployment();
        d.commits[0].sha = "abc".into();
        assert_eq!(
            field_of(external_deployment("deployments[0]", &d).unwrap_err()),
            "deployments[0].commits[0].sha"
        );
        let mut d = deployment();
        d.detected_at = Some("2026-11-30T10:00:00Z".into());
        assert_eq!(
            field_of(external_deployment("deployments[0]", &d).unwrap_err()),
            "deployments[0].outcome"
        );
        d.outcome = wire::ExternalOutcome::RolledBack;
        d.recovered_at = Some("2026-11-30T09:00:00Z".into());
        assert_eq!(
            field_of(external_deployment("deployments[0]", &d).unwrap_err()),
            "deployments[0].recovered_at"
        );
        let mut d = deployment();
        d.id = Some("has space".into());
        assert_eq!(
            field_of(external_deployment("deployments[0]", &d).unwrap_err()),
            "deployments[0].id"
        );
    }

    #[test]
    fn an_incident_resolved_before_it_started_is_refused() {
        let i = wire::Incident {
            id: None,
            service: "shop".into(),
            title: "checkout down".into(),
            started_at: "2026-11-30T10:00:00Z".into(),
            resolved_at: Some("2026-11-30T09:00:00Z".into()),
            caused_by: None,
        };
        assert_eq!(
            field_of(incident("incidents[1]", &i).unwrap_err()),
            "incidents[1].resolved_at"
        );
    }
}
