//! Waiting for a page load to reach a state (`wait_until`): after `goto`, and after an action
//! (click, check, press, select) that started a navigation. The states come from DevTools'
//! lifecycle events in the page log; network idle is no request in flight for a while, the same
//! wait as `wait_for = { network_idle = true }`. A wait that runs out names the requests the
//! page was still loading.

use std::pin::pin;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::page::{NavigateParams, StopLoadingParams};
use gate_scenarios::{Step, WaitUntil};
use tokio::time::Instant;

use super::{Deadline, Exec};
use crate::error::StepError;
use crate::page::{InFlight, Mark, PageLog, ScenarioPage};

/// Actions wait, like Playwright's, only for the navigation they started to commit: the next
/// step's own waiting covers the rest, so a slow image or font cannot fail a click.
pub const ACTION_DEFAULT: WaitUntil = WaitUntil::Commit;
/// `goto` waits for `load`, like Playwright's `goto`.
pub const GOTO_DEFAULT: WaitUntil = WaitUntil::Load;
/// How long the network must stay quiet for `networkidle`.
const NETWORK_IDLE: Duration = Duration::from_millis(500);
/// How many of the requests still loading a failure lists (the slowest).
const LISTED: usize = 5;
/// Longer URLs are cut short in that list (a `data:` URL can be megabytes).
const URL_LIMIT: usize = 200;

/// The state an action step waits for: its own, else its scenario's, else the default.
pub fn for_action(exec: &Exec<'_>, step: &Step) -> WaitUntil {
    step.wait_until
        .or(exec.wait_until)
        .unwrap_or(ACTION_DEFAULT)
}

/// The state a `goto` step waits for. A scenario's `wait_until` is for its actions only.
pub fn for_goto(step: &Step) -> WaitUntil {
    step.wait_until.unwrap_or(GOTO_DEFAULT)
}

/// After input that may have started a navigation (`mark` taken before the input): waits until
/// that navigation commits and its document reaches `state`. With no navigation, the current
/// document only has to reach `state`, which it normally has.
pub async fn after_action(
    exec: &Exec<'_>,
    mark: Mark,
    state: WaitUntil,
    deadline: Deadline,
) -> Result<(), StepError> {
    let page = exec.page;
    // One cheap round trip lets the browser report a navigation the input just started, and
    // the log take it in.
    let _ = crate::page::script::evaluate(&page.page, "0".into(), Duration::from_secs(2)).await;
    let _ = tokio::time::timeout(deadline.remaining(), page.settled()).await;
    let settled = until(page, deadline, |log| log.frame.settled(mark, state)).await;
    if !settled || state == WaitUntil::NetworkIdle && !quiet(page, NETWORK_IDLE, deadline).await {
        return Err(not_loaded("the page", state, deadline, page));
    }
    Ok(())
}

/// How a navigation's first answer came.
enum First<T> {
    /// chromiumoxide's answer to `Page.navigate`, which it gives only at `load`.
    Answer(T),
    /// The page log saw the new document reach the state (or the deadline passed: `false`).
    Reached(bool),
}

/// Navigates to `url` and waits until the new document reaches `state`.
pub async fn goto(
    exec: &Exec<'_>,
    url: &str,
    state: WaitUntil,
    deadline: Deadline,
) -> Result<(), StepError> {
    let page = exec.page;
    let subject = format!("navigation to {url}");
    // A navigation an earlier action started would be cut off by this one: let it commit.
    until(page, deadline, |log| !log.frame.pending).await;
    // What the old page still loads stops when it is left anyway. Stopping it first also ends
    // chromiumoxide's wait for an earlier `goto` that returned before `load`, which would
    // otherwise hold this navigation back until then.
    if !page.inspect(|log| log.frame.reached(WaitUntil::Load)) {
        let stop = page.page.execute(StopLoadingParams::default());
        let _ = tokio::time::timeout(deadline.remaining(), stop).await;
    }
    loop {
        let mark = page.mark();
        let mut navigate = pin!(page.page.execute(NavigateParams::new(url)));
        let reached = until(page, deadline, |log| {
            log.frame.committed_since(mark) && log.frame.reached(state)
        });
        let first = tokio::select! {
            answer = &mut navigate => First::Answer(answer),
            reached = reached => First::Reached(reached),
        };
        let error = match first {
            First::Answer(answer) => answer?.result.error_text,
            First::Reached(false) => return Err(not_loaded(&subject, state, deadline, page)),
            First::Reached(true)
                if !page.inspect(|log| log.frame.url.starts_with("chrome-error:")) =>
            {
                None
            }
            // The browser shows its error page: the navigation's answer says why.
            First::Reached(true) => {
                match tokio::time::timeout(deadline.remaining(), navigate).await {
                    Ok(answer) => answer?.result.error_text,
                    Err(_) => None,
                }
                .or_else(|| Some("the browser showed an error page".into()))
            }
        };
        match error {
            None => break,
            // A navigation the page itself started (a form a click submitted just before) won
            // the race and cancelled ours: let it land, then go again.
            Some(text) if text.contains("ERR_ABORTED") && !deadline.passed() => {
                until(page, deadline, |log| !log.frame.pending).await;
            }
            Some(text) => return Err(StepError::step(format!("{subject} failed: {text}"))),
        }
    }
    if state == WaitUntil::NetworkIdle && !quiet(page, NETWORK_IDLE, deadline).await {
        return Err(not_loaded(&subject, state, deadline, page));
    }
    Ok(())
}

/// No request in flight for `idle`, measured from the last network event; `false` if the
/// deadline comes first.
pub async fn quiet(page: &ScenarioPage, idle: Duration, deadline: Deadline) -> bool {
    let mut changes = page.changes();
    loop {
        let (busy, epoch) = page.inspect(|log| (log.in_flight.len(), log.network_epoch));
        if deadline.remaining() < idle && busy > 0 || deadline.passed() {
            return false;
        }
        let quiet = tokio::time::timeout(idle.min(deadline.remaining()), async {
            loop {
                if changes.changed().await.is_err() {
                    return;
                }
                if page.inspect(|log| log.network_epoch) != epoch {
                    return;
                }
            }
        })
        .await
        .is_err();
        if quiet && busy == 0 {
            return true;
        }
    }
}

/// Waits until `done` holds for the page log, checking again at every change of the log;
/// `false` if the deadline passes first.
async fn until(page: &ScenarioPage, deadline: Deadline, done: impl Fn(&PageLog) -> bool) -> bool {
    let mut changes = page.changes();
    loop {
        if page.inspect(&done) {
            return true;
        }
        if deadline.passed() {
            return false;
        }
        match tokio::time::timeout(deadline.remaining(), changes.changed()).await {
            Ok(Ok(())) => {}
            // Time is up, or the collector stopped (the page is closing).
            Ok(Err(_)) | Err(_) => return page.inspect(&done),
        }
    }
}

/// "navigation to … did not finish loading (load) within 5s; still loading: GET … (Font, 4.9s)".
fn not_loaded(
    subject: &str,
    state: WaitUntil,
    deadline: Deadline,
    page: &ScenarioPage,
) -> StepError {
    let loading = page.inspect(|log| still_loading(log.in_flight.values(), Instant::now()));
    StepError::step(format!(
        "{subject} did not finish loading ({state}) {}; {loading}",
        deadline.describe()
    ))
}

/// The requests in flight, slowest first, at most [`LISTED`].
fn still_loading<'a>(requests: impl Iterator<Item = &'a InFlight>, now: Instant) -> String {
    let mut requests: Vec<&InFlight> = requests.collect();
    if requests.is_empty() {
        return "no request was in flight".into();
    }
    requests.sort_by(|a, b| a.started.cmp(&b.started).then_with(|| a.url.cmp(&b.url)));
    let listed: Vec<String> = requests
        .iter()
        .take(LISTED)
        .map(|r| {
            let elapsed = now.saturating_duration_since(r.started).as_secs_f64();
            format!(
                "{} {} ({}, {elapsed:.1}s)",
                r.method,
                cut(&r.url),
                r.resource_type
            )
        })
        .collect();
    let more = match requests.len().saturating_sub(LISTED) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!("still loading: {}{more}", listed.join(", "))
}

fn cut(url: &str) -> String {
    match url.char_indices().nth(URL_LIMIT) {
        Some((at, _)) => format!("{}…", &url[..at]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(url: &str, kind: &str, age_ms: u64, now: Instant) -> InFlight {
        InFlight {
            method: "GET".into(),
            url: url.into(),
            resource_type: kind.into(),
            started: now - Duration::from_millis(age_ms),
        }
    }

    #[test]
    fn lists_the_slowest_requests_first_and_counts_the_rest() {
        let now = Instant::now();
        let requests = [
            request("http://a/font.woff2", "Font", 1200, now),
            request("http://a/slow.css", "Stylesheet", 4900, now),
            request("http://a/1.png", "Image", 300, now),
            request("http://a/2.png", "Image", 200, now),
            request("http://a/3.png", "Image", 100, now),
            request("http://a/4.png", "Image", 50, now),
            request("http://a/5.png", "Image", 10, now),
        ];
        assert_eq!(
            still_loading(requests.iter(), now),
            "still loading: GET http://a/slow.css (Stylesheet, 4.9s), \
             GET http://a/font.woff2 (Font, 1.2s), GET http://a/1.png (Image, 0.3s), \
             GET http://a/2.png (Image, 0.2s), GET http://a/3.png (Image, 0.1s) and 2 more"
        );
        assert_eq!(still_loading([].iter(), now), "no request was in flight");
    }

    #[test]
    fn long_urls_are_cut() {
        let now = Instant::now();
        let long = format!("data:text/html,{}", "x".repeat(1000));
        let listed = still_loading([request(&long, "Document", 0, now)].iter(), now);
        assert!(listed.len() < 260, "{listed}");
        assert!(listed.contains("xxx… (Document, 0.0s)"), "{listed}");
    }
}
