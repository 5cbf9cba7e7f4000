//! `GET /digests`: the weekly digest's schedule and channels, then its outbox newest first:
//! each digest's week, channel, whether it was sent by the schedule or on request, and its
//! state (delivered when; or the attempts, the next try and the last error; or given up).
//!
//! Ids: `#digest-schedule` (the schedule and channels, or that none is configured);
//! `#digests` (table) with one `tr.digest` per row (`data-testid="digest-<id>"`,
//! `data-state="pending|delivered|failed"`, `data-channel`), whose `.state` badge holds the
//! state, `.attempts` the attempts made and `.last-error` the last error; `#no-digests`.

use axum::extract::State;
use axum::response::Response;
use gate_wire::DigestView;
use maud::{Markup, html};

use super::layout::when_text;
use crate::state::AppState;
use crate::views::digests::digest_view;

const ROWS: u32 = 200;

pub async fn page(State(state): State<AppState>) -> Response {
    let digests = match state.service.digests(ROWS).await {
        Ok(d) => d,
        Err(err) => return super::failed(err),
    };
    let views: Vec<DigestView> = digests.iter().map(digest_view).collect();
    let schedule = state.config().digest.as_ref().map(|d| {
        (
            format!("{} ({})", d.schedule, d.time_zone_name),
            d.channels().join(", "),
        )
    });
    super::ok("Digests", None, view(schedule.as_ref(), &views))
}

/// The page, as a pure function of the schedule (text, channels) and the rows.
pub fn view(schedule: Option<&(String, String)>, digests: &[DigestView]) -> Markup {
    html! {
        h1 { "Weekly digest" }
        p #digest-schedule .muted {
            @match schedule {
                Some((when, channels)) if !channels.is_empty() => {
                    "Sent every " (when) " to " (channels) "."
                }
                Some((when, _)) => { "Scheduled every " (when) ", but no channel is configured: add [digest.email] or [digest.slack] to gate.toml." }
                None => { "No digest is configured: add a [digest] section to gate.toml." }
            }
        }
        @if digests.is_empty() {
            p #no-digests .muted { "No digest was queued yet." }
        } @else {
            table #digests {
                thead { tr { th { "Week" } th { "Channel" } th { "Sent by" } th { "State" } th { "Attempts" } th { "Next try" } th { "Last error" } } }
                tbody {
                    @for d in digests {
                        tr .digest data-testid={ "digest-" (d.id) } data-state=(d.state) data-channel=(d.channel) {
                            td { (when_text(&d.period_since)) " – " (when_text(&d.period_until)) }
                            td { (d.channel) }
                            td { @if d.manual { "request" } @else { "schedule" } }
                            td {
                                span class={ "state badge " (state_class(&d.state)) } { (d.state) }
                                @if let Some(at) = &d.delivered_at { " " span .muted { (when_text(at)) } }
                            }
                            td .attempts { (d.attempts) }
                            td { @if let Some(at) = &d.next_attempt_at { (when_text(at)) } }
                            td .last-error { @if let Some(e) = &d.last_error { code { (e) } } }
                        }
                    }
                }
            }
        }
    }
}

/// The badge colour of a state: delivered green, failed red, pending grey.
fn state_class(state: &str) -> &str {
    match state {
        "delivered" => "success",
        "failed" => "failure",
        _ => "pending",
    }
}
