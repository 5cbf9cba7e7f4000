//! One pass over a [`History`] that sorts and groups it so every metric is a slice lookup: ended
//! deployments by end time (all, and per service), incidents by the deployment they blame, each
//! commit's first promotion per service, rework triggers per service, and gate runs by
//! submission. Building it is O(n log n); a [`Scope`] (a period and an optional service) then
//! finds its events by binary search, so a report over a million events never loops over pairs.
//!
//! The facts that need more than one record live here too: whether a change failed (its outcome
//! or a linked incident), how long its recovery took, and when its failure was detected.

use std::collections::{HashMap, HashSet};

use crate::history::{Deployment, GateRun, History, Incident, Outcome};
use crate::period::Period;
use crate::settings::Settings;

/// One commit's lead time, dated by the first promotion of its service that carried it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeadSample {
    pub promoted_at: i64,
    /// `None` when it has no commit time or the value is not positive (left out).
    pub lead_ms: Option<i64>,
}

/// `history`, sorted and grouped once.
pub(crate) struct Index<'h> {
    deployments: Vec<&'h Deployment>,
    deployments_by_service: HashMap<&'h str, Vec<&'h Deployment>>,
    incidents_by_cause: HashMap<&'h str, Vec<&'h Incident>>,
    lead: Vec<LeadSample>,
    lead_by_service: HashMap<&'h str, Vec<LeadSample>>,
    rework_triggers: HashMap<&'h str, Vec<i64>>,
    runs: Vec<&'h GateRun>,
    shas_by_service: HashMap<&'h str, HashSet<&'h str>>,
}

/// What one figure is computed over: a period, an optional service, the settings.
pub(crate) struct Scope<'a, 'h> {
    pub index: &'a Index<'h>,
    pub period: &'a Period,
    pub service: Option<&'a str>,
    pub settings: &'a Settings,
}

impl<'h> Index<'h> {
    pub fn new(history: &'h History) -> Self {
        let mut deployments: Vec<&Deployment> = history
            .deployments
            .iter()
            .filter(|d| d.ended_at().is_some())
            .collect();
        deployments.sort_by_key(|d| d.ended_at());
        let mut deployments_by_service: HashMap<&str, Vec<&Deployment>> = HashMap::new();
        for d in &deployments {
            deployments_by_service
                .entry(d.service.as_str())
                .or_default()
                .push(d);
        }

        let mut incidents_by_cause: HashMap<&str, Vec<&Incident>> = HashMap::new();
        for incident in &history.incidents {
            if let Some(cause) = &incident.caused_by {
                incidents_by_cause
                    .entry(cause.as_str())
                    .or_default()
                    .push(incident);
            }
        }
        for incidents in incidents_by_cause.values_mut() {
            incidents.sort_by_key(|i| i.started_at);
        }

        let (lead, lead_by_service) = lead_samples(&deployments);

        let mut shas_by_service: HashMap<&str, HashSet<&str>> = HashMap::new();
        for d in &history.deployments {
            shas_by_service
                .entry(d.service.as_str())
                .or_default()
                .extend(d.commits.iter().map(|c| c.sha.as_str()));
        }

        let mut runs: Vec<&GateRun> = history.runs.iter().collect();
        runs.sort_by_key(|r| r.submitted_at);

        let mut index = Self {
            deployments,
            deployments_by_service,
            incidents_by_cause,
            lead,
            lead_by_service,
            rework_triggers: HashMap::new(),
            runs,
            shas_by_service,
        };
        index.rework_triggers = index.collect_rework_triggers(history);
        index
    }

    /// Incidents that name this deployment as their cause, earliest first.
    pub fn incidents_caused_by(&self, deployment: &Deployment) -> &[&'h Incident] {
        self.incidents_by_cause
            .get(deployment.id.as_str())
            .map_or(&[], Vec::as_slice)
    }

    /// A change (see [`Deployment::is_change`]) that was rolled back, failed, or caused an
    /// incident.
    pub fn is_failed_change(&self, d: &Deployment) -> bool {
        d.is_change()
            && (matches!(d.outcome, Outcome::RolledBack { .. } | Outcome::Failed)
                || !self.incidents_caused_by(d).is_empty())
    }

    /// Detection to recovery when both are recorded; otherwise the first linked incident's
    /// start to its resolution. `None` when neither is known or the value is negative.
    pub fn recovery_ms(&self, d: &Deployment) -> Option<i64> {
        let value = match (d.detected_at, d.recovered_at) {
            (Some(detected), Some(recovered)) => Some(recovered - detected),
            _ => self
                .incidents_caused_by(d)
                .first()
                .and_then(|i| i.resolved_at.map(|resolved| resolved - i.started_at)),
        };
        value.filter(|ms| *ms >= 0)
    }

    /// When the failure of a failed change became known: `detected_at`, else the start of its
    /// first linked incident.
    pub fn detected_at(&self, d: &Deployment) -> Option<i64> {
        d.detected_at
            .or_else(|| self.incidents_caused_by(d).first().map(|i| i.started_at))
    }

    /// Sorted instants after which a deployment of the service is rework: failed changes'
    /// detection and rollback deployments' starts, over all of history.
    pub fn rework_triggers(&self, service: &str) -> &[i64] {
        self.rework_triggers.get(service).map_or(&[], Vec::as_slice)
    }

    fn collect_rework_triggers(&self, history: &'h History) -> HashMap<&'h str, Vec<i64>> {
        let mut triggers: HashMap<&str, Vec<i64>> = HashMap::new();
        for d in &history.deployments {
            let at = if d.rollback {
                Some(d.started_at)
            } else if d.ended_at().is_some() && self.is_failed_change(d) {
                self.detected_at(d)
            } else {
                None
            };
            if let Some(at) = at {
                triggers.entry(d.service.as_str()).or_default().push(at);
            }
        }
        for list in triggers.values_mut() {
            list.sort_unstable();
        }
        triggers
    }

    /// The services with a deployment that ended in the period, by name.
    pub fn services_in(&self, period: &Period) -> Vec<&'h str> {
        let mut services: Vec<&str> = self
            .deployments_by_service
            .iter()
            .filter(|(_, list)| !within(list, period, end_of).is_empty())
            .map(|(service, _)| *service)
            .collect();
        services.sort_unstable();
        services
    }
}

impl<'h> Scope<'_, 'h> {
    /// Deployments (any outcome but in progress) that ended in the period.
    pub fn deployments(&self) -> &[&'h Deployment] {
        let all = match self.service {
            None => &self.index.deployments,
            Some(service) => match self.index.deployments_by_service.get(service) {
                Some(list) => list,
                None => return &[],
            },
        };
        within(all, self.period, end_of)
    }

    /// Lead-time samples whose first promotion finished in the period.
    pub fn lead_samples(&self) -> &[LeadSample] {
        let all = match self.service {
            None => &self.index.lead,
            Some(service) => match self.index.lead_by_service.get(service) {
                Some(list) => list,
                None => return &[],
            },
        };
        within(all, self.period, |s| s.promoted_at)
    }

    /// Gate runs submitted in the period; for one service, those whose commit one of its
    /// deployments carries.
    pub fn runs(&self) -> Vec<&'h GateRun> {
        let runs = within(&self.index.runs, self.period, |r| r.submitted_at);
        match self.service {
            None => runs.to_vec(),
            Some(service) => match self.index.shas_by_service.get(service) {
                Some(shas) => runs
                    .iter()
                    .filter(|r| shas.contains(r.commit.as_str()))
                    .copied()
                    .collect(),
                None => Vec::new(),
            },
        }
    }

    /// The same service and settings over another period.
    pub fn with_period<'b>(&'b self, period: &'b Period) -> Scope<'b, 'h> {
        Scope {
            index: self.index,
            period,
            service: self.service,
            settings: self.settings,
        }
    }
}

fn end_of(d: &&Deployment) -> i64 {
    d.ended_at().unwrap_or(i64::MAX)
}

/// The part of `sorted` (ascending by `at`) that lies in the period.
fn within<'a, T>(sorted: &'a [T], period: &Period, at: impl Fn(&T) -> i64) -> &'a [T] {
    let start = sorted.partition_point(|x| at(x) < period.since);
    let end = sorted.partition_point(|x| at(x) < period.until);
    &sorted[start..end.max(start)]
}

/// Each (service, commit) once, at the first promoted non-rollback deployment of the service
/// that carried it. The commit time comes from that deployment, or from another promotion that
/// carried the same commit when that one does not know it.
fn lead_samples<'h>(
    ended: &[&'h Deployment],
) -> (Vec<LeadSample>, HashMap<&'h str, Vec<LeadSample>>) {
    // `ended` is sorted by end, so the first promotion seen is the first one.
    let mut first: HashMap<(&str, &str), (i64, Option<i64>)> = HashMap::new();
    let mut order: Vec<(&str, &str)> = Vec::new();
    for d in ended.iter().filter(|d| d.is_successful_change()) {
        let Some(promoted_at) = d.ended_at() else {
            continue;
        };
        for commit in &d.commits {
            let key = (d.service.as_str(), commit.sha.as_str());
            match first.get_mut(&key) {
                Some((_, committed_at)) => {
                    if committed_at.is_none() {
                        *committed_at = commit.committed_at;
                    }
                }
                None => {
                    first.insert(key, (promoted_at, commit.committed_at));
                    order.push(key);
                }
            }
        }
    }
    let mut all = Vec::with_capacity(order.len());
    let mut by_service: HashMap<&str, Vec<LeadSample>> = HashMap::new();
    for key in order {
        let Some(&(promoted_at, committed_at)) = first.get(&key) else {
            continue;
        };
        let sample = LeadSample {
            promoted_at,
            lead_ms: committed_at.map(|c| promoted_at - c).filter(|ms| *ms > 0),
        };
        all.push(sample);
        by_service.entry(key.0).or_default().push(sample);
    }
    // Already in promotion order, since `order` followed `ended`.
    (all, by_service)
}
