//! The weekly digest: one [`Report`] (and its weekly series) rendered as an e-mail subject, a
//! plain-text body, an HTML body and a Slack Block Kit message. Pure rendering: sending is the
//! caller's job. All three bodies read the same summary lines from [`lines`], so they never
//! disagree.
//!
//! - [`lines`]: each figure as a name, a value, a band and a change, in words.
//! - [`text`], [`html`], [`slack`]: one format each.

pub mod html;
pub mod lines;
pub mod slack;
pub mod text;

use serde::Serialize;

use crate::headline::headline;
use crate::report::Report;
use crate::weekly::WeekPoint;

/// A rendered digest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `{"text": headline, "blocks": [...]}`, ready to post to a Slack incoming webhook.
    pub slack: serde_json::Value,
}

/// Renders `report` (with `weeks`, oldest first, for the trend) and an optional dashboard link.
pub fn render(report: &Report, weeks: &[WeekPoint], dashboard_url: Option<&str>) -> Digest {
    let summary = lines::Summary::of(report, weeks);
    let title = if report.period.week {
        "gate weekly digest"
    } else {
        "gate digest"
    };
    Digest {
        subject: format!("{title}: {}", headline(report)),
        text: text::render(&summary, dashboard_url),
        html: html::render(title, &summary, dashboard_url),
        slack: slack::render(title, &summary, dashboard_url),
    }
}
