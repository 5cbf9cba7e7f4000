//! The seven-gate review's evidence, gathered from the configuration and the store, and
//! judged by the pure [`crate::review`].

use super::ParityOutcome;
use super::{Service, ServiceError};
use crate::review::{Evidence, ParityLast, Review, ServiceEvidence};
use crate::store::now_ms;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

impl Service {
    /// The review of this server's pipeline now.
    pub async fn review(&self) -> Result<Review, ServiceError> {
        Ok(crate::review::review(&self.review_evidence().await?))
    }

    async fn review_evidence(&self) -> Result<Evidence, ServiceError> {
        let now = now_ms();
        let config = &self.config;
        let count = |tags: &[String]| {
            crate::suite::load(&config.scenarios, tags).map_or(0, |s| s.selected.len())
        };
        let flow = self.flow().await?;
        let runs = self.store.run_facts(now - 7 * DAY_MS, now + 1).await?;
        let deployments = self
            .store
            .deployments_finished(now - 30 * DAY_MS, now + 1)
            .await?;
        let last_recovery_ms = deployments
            .iter()
            .filter_map(|d| Some((d.finished_at?, d.recovered_at? - d.detected_at?)))
            .max_by_key(|(finished, _)| *finished)
            .map(|(_, ms)| ms);
        let (chain, entries) = self.verify_audit().await?;
        let last_digest_delivered = self
            .digests(200)
            .await?
            .iter()
            .filter_map(|d| d.delivered_at)
            .max()
            .map(crate::views::rfc3339);
        let week_ago = now - 7 * DAY_MS;
        let last_status_posted = self
            .store
            .last_status_delivered()
            .await?
            .filter(|at| *at >= week_ago)
            .map(crate::views::rfc3339);
        let status_readers = self
            .status_reads()
            .await?
            .into_iter()
            .filter(|r| r.at_ms >= week_ago)
            .map(|r| (r.reader, crate::views::rfc3339(r.at_ms)))
            .collect();
        let parity_last = self.last_parity().await?.map(|p| ParityLast {
            at: crate::views::rfc3339(p.checked_at_ms),
            trigger: match p.trigger {
                super::ParityTrigger::Schedule => "schedule",
                super::ParityTrigger::Deploy => "before a deploy",
                super::ParityTrigger::Review => "by gate review",
            }
            .to_string(),
            matches: match p.outcome {
                ParityOutcome::Matches => Some(true),
                ParityOutcome::Differs => Some(false),
                ParityOutcome::Unchecked => None,
            },
            summary: p.summary,
        });
        Ok(Evidence {
            scenarios: count(&[]),
            critical_scenarios: count(&["critical".to_string()]),
            statuses_published: config.publish.is_some(),
            last_status_posted,
            status_readers,
            runs_last_week: runs.len() as u64,
            flow_declared: flow.declared,
            flow_risks: flow
                .risks
                .iter()
                .map(|r| format!("{}: {}", r.stage, r.message))
                .collect(),
            config_in_git: config.provenance.as_ref().map(|p| p.dirty.is_empty()),
            require_committed_config: config.require_committed_config,
            parity_configured: config
                .parity
                .as_ref()
                .is_some_and(|p| p.staging.is_some() && p.production.is_some()),
            parity_holds_deploys: config.parity.as_ref().is_some_and(|p| p.hold_deploys),
            parity_last,
            services: config
                .services
                .iter()
                .map(|s| ServiceEvidence {
                    name: s.name.clone(),
                    router: s.router.describe(),
                    canary: steps(&crate::config::canary::policy(&s.canary)),
                    down_hook: s.hooks.down.is_some(),
                })
                .collect(),
            deployments_last_month: deployments.len() as u64,
            last_recovery_ms,
            audit_ok: chain.is_ok(),
            audit_entries: entries,
            digest_channels: config
                .digest
                .as_ref()
                .map(|d| d.channels().iter().map(|c| c.to_string()).collect())
                .unwrap_or_default(),
            last_digest_delivered,
        })
    }
}

/// `5% for 10m, 100%`.
fn steps(policy: &gate_deploy::CanaryPolicy) -> String {
    policy
        .steps
        .iter()
        .map(|s| match s.hold {
            Some(hold) => format!("{}% for {}", s.weight, humantime::format_duration(hold)),
            None => format!("{}%", s.weight),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
