//! The frame of every page (head, style, header) and the response headers pages share. The
//! palette, type and code styles are the HTML report's own sheet ([`BASE_STYLE`]); this adds
//! the pages' layout. No page runs a script but the dashboard's one live-update line, which
//! the policy allows by its hash on that page alone.

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use gate_runner::report::html::BASE_STYLE;
use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = r#"
header{background:#1f2328;color:#fff;padding:.6rem 1.5rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center}
header a{color:#fff;font-weight:600}header form{margin-left:auto}
main{max-width:1150px;margin:0 auto;padding:1.5rem}
h1{font-size:1.4rem;display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--border)}
th,td{text-align:left;padding:.5rem .75rem;border-bottom:1px solid var(--border);vertical-align:top}
th{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
pre{margin:.2rem 0}
.badge{display:inline-block;padding:.1em .65em;border-radius:999px;font-size:.8rem;font-weight:700;color:#fff;background:var(--pending)}
.passed,.success{background:var(--passed)}.failed,.failure{background:var(--failed)}.error{background:var(--error)}
.flaky{background:var(--flaky)}.cancelled{background:var(--cancelled)}
.card{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
.fail{color:var(--failed)}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;align-items:center}
.filters{display:flex;gap:.75rem;flex-wrap:wrap;align-items:end;margin-bottom:1rem}
.filters label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted)}
button{font:inherit;padding:.3rem .9rem;border-radius:6px;border:1px solid var(--border);background:var(--card);color:var(--text);cursor:pointer}
input,select{font:inherit;padding:.3rem .5rem;border-radius:6px;border:1px solid var(--border);background:var(--card);color:var(--text)}
img.shot{max-width:320px;border:1px solid var(--border);border-radius:4px;display:block;margin:.4rem 0}
.canary{background:var(--link)}.promoted,.healthy{background:var(--passed)}.rolled_back,.failing{background:var(--failed)}
.aborted{background:var(--cancelled)}.inconclusive{background:var(--flaky)}
tr.current{background:var(--code-bg)}tr.current td:first-child{font-weight:700}
svg.chart{display:block;margin:.4rem 0;max-width:100%}svg.chart text{font:12px system-ui,sans-serif;fill:var(--text)}
.split-stable{fill:var(--cancelled)}.split-canary{fill:var(--link)}.rate-canary{fill:var(--link)}.rate-stable{fill:var(--cancelled)}
.chart-frame{fill:none;stroke:var(--border)}
ol.log{list-style:none;padding:0;margin:0}ol.log li{padding:.3rem 0;border-bottom:1px solid var(--border)}ol.log li.transition{font-weight:600}
.big{font-size:3rem;font-weight:800;line-height:1.1;margin:.2rem 0}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,230px),1fr));gap:.75rem;margin:1rem 0}
.tile{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:.75rem 1rem}
.tile h3{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:0 0 .3rem}.tile p{margin:.2rem 0}
.tile .value{font-weight:600}.change{color:var(--muted);font-size:.85rem}.change.better{color:var(--passed)}.change.worse{color:var(--failed)}
.band-elite{background:var(--passed)}.band-high{background:var(--link)}.band-medium{background:var(--flaky)}.band-low{background:var(--failed)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr));gap:0 1rem}
.charts figure{margin:0 0 1rem}.charts h2{font-size:1rem;margin:0 0 .4rem}.charts details{font-size:.85rem;color:var(--muted)}
@media (max-width:600px){main{padding:.75rem}.big{font-size:2.4rem}}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
"#;

/// No scripts, no foreign resources, no framing, forms only to us.
const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                      form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Whether the header offers to log out (not on the log-in page itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chrome {
    SignedIn,
    SignedOut,
}

/// A whole page.
pub fn page(title: &str, chrome: Chrome, head: Option<Markup>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · gate" }
                link rel="icon" href="data:,";
                style { (PreEscaped(BASE_STYLE)) (PreEscaped(STYLE)) }
                @if let Some(head) = head { (head) }
            }
            body {
                header {
                    a href="/runs" { "gate" }
                    a #nav-dashboard href="/dashboard" { "Dashboard" }
                    a #nav-runs href="/runs" { "Runs" }
                    a #nav-deployments href="/deployments" { "Deployments" }
                    a #nav-digests href="/digests" { "Digests" }
                    a #nav-flow href="/flow" { "Flow" }
                    a #nav-review href="/review" { "Review" }
                    @if chrome == Chrome::SignedIn {
                        form method="post" action="/logout" {
                            button #logout type="submit" { "Log out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page as a response, with the pages' security and caching headers.
pub fn respond(status: StatusCode, page: Markup) -> Response {
    with_policy(status, page, POLICY.to_string())
}

/// A page with one inline script, allowed by its hash (`'sha256-…'`), which may open event
/// streams to this server; nothing else is allowed to run.
pub fn respond_scripted(status: StatusCode, page: Markup, script_hash: &str) -> Response {
    with_policy(
        status,
        page,
        format!("{POLICY}; script-src {script_hash}; connect-src 'self'"),
    )
}

fn with_policy(status: StatusCode, page: Markup, policy: String) -> Response {
    (
        status,
        [
            (header::CONTENT_SECURITY_POLICY, policy),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::REFERRER_POLICY, "same-origin".to_string()),
        ],
        Html(page.into_string()),
    )
        .into_response()
}

/// A coloured badge for a run state, job outcome, commit verdict, deployment phase or
/// judgement.
pub fn badge(label: &str) -> Markup {
    html! { span class={ "badge " (label) } { (label) } }
}

/// The first ten characters of a commit SHA.
pub fn short(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}

/// Unix milliseconds as `2026-11-27 10:00:00 UTC`.
pub fn when(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

/// An RFC 3339 time (as the API writes it) as `2026-11-27 10:00:00 UTC`; as given if it is not
/// one.
pub fn when_text(rfc3339: &str) -> String {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(|t| when((t.unix_timestamp_nanos() / 1_000_000) as i64))
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// Milliseconds as `1.5s`, `2m 05s`.
pub fn duration(ms: u64) -> String {
    if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        format!("{}m {:02}s", ms / 60_000, (ms % 60_000) / 1000)
    }
}
