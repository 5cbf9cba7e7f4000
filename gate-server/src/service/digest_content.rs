//! What the weekly digest says: [`DigestContent`], composed from the store for a period.
//!
//! This is the interface between the digest's delivery (which stores the composed content in
//! its outbox and sends those bytes, however often it retries) and the composer. The composer
//! here is minimal: the deployments that finished in the period, counted by phase, with a line
//! each. The DORA composer replaces [`Service::digest_content`]'s body and keeps the headline
//! as the first words.

use maud::html;
use serde::{Deserialize, Serialize};

use super::{Service, ServiceError};
use crate::model::DeployPhase;
use crate::store::DeploymentRecord;

/// One digest, ready for every channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigestContent {
    /// The e-mail's subject.
    pub subject: String,
    /// The plain-text body (the e-mail's text part).
    pub text: String,
    /// The HTML body (the e-mail's HTML part): a fragment, escaped.
    pub html: String,
    /// The Slack incoming-webhook payload: `{"text": …, "blocks": […]}`.
    pub slack: serde_json::Value,
}

impl Service {
    /// The digest of `[since_ms, until_ms)` (unix milliseconds).
    pub async fn digest_content(
        &self,
        since_ms: i64,
        until_ms: i64,
    ) -> Result<DigestContent, ServiceError> {
        let finished = self.store.deployments_finished(since_ms, until_ms).await?;
        Ok(compose(&finished, self.dashboard_url()))
    }

    fn dashboard_url(&self) -> Option<&str> {
        self.config.digest.as_ref()?.dashboard_url.as_deref()
    }
}

/// `n` and the noun, singular for one.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "3 deploys last week, 2 successful, 1 auto-rolled-back".
fn headline(finished: &[DeploymentRecord]) -> String {
    let of = |phase| finished.iter().filter(|d| d.phase == phase).count();
    format!(
        "{} last week, {} successful, {} auto-rolled-back",
        count(finished.len(), "deploy", "deploys"),
        of(DeployPhase::Promoted),
        of(DeployPhase::RolledBack),
    )
}

fn line(d: &DeploymentRecord) -> String {
    let from = d
        .from
        .as_ref()
        .map(|f| format!(" (from {})", f.version))
        .unwrap_or_default();
    format!("{} {}{from}: {}", d.service, d.version, d.phase)
}

fn compose(finished: &[DeploymentRecord], dashboard: Option<&str>) -> DigestContent {
    let headline = headline(finished);
    let lines: Vec<String> = finished.iter().map(line).collect();
    let mut text = format!("{headline}\n");
    if !lines.is_empty() {
        text.push('\n');
        for l in &lines {
            text.push_str(&format!("- {l}\n"));
        }
    }
    if let Some(url) = dashboard {
        text.push_str(&format!("\nDashboard: {url}\n"));
    }
    let html = html! {
        p { strong { (headline) } }
        @if !lines.is_empty() {
            ul { @for l in &lines { li { (l) } } }
        }
        @if let Some(url) = dashboard {
            p { a href=(url) { "Dashboard" } }
        }
    }
    .into_string();
    let slack = serde_json::json!({
        "text": headline,
        "blocks": [{ "type": "section", "text": { "type": "mrkdwn", "text": headline } }],
    });
    DigestContent {
        subject: format!("gate weekly digest: {headline}"),
        text,
        html,
        slack,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_week_has_the_zero_headline() {
        let c = compose(&[], None);
        assert_eq!(
            c.text,
            "0 deploys last week, 0 successful, 0 auto-rolled-back\n"
        );
        assert_eq!(
            c.slack["text"],
            "0 deploys last week, 0 successful, 0 auto-rolled-back"
        );
        assert_eq!(c.slack["blocks"][0]["text"]["type"], "mrkdwn");
        assert!(
            c.subject
                .ends_with("0 deploys last week, 0 successful, 0 auto-rolled-back")
        );
    }

    #[test]
    fn one_deploy_is_singular() {
        assert_eq!(count(1, "deploy", "deploys"), "1 deploy");
        assert_eq!(count(2, "deploy", "deploys"), "2 deploys");
    }
}
