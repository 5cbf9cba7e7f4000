//! The frame of every page (head, style, header) and the response headers pages share. The
//! colours follow the runner's HTML report; there is no script anywhere, and the policy header
//! keeps it so.

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = r#"
:root{color-scheme:light dark;--bg:#f5f6f8;--card:#fff;--text:#1f2328;--muted:#59636e;--border:#d8dee4;--code-bg:#eff2f5;--link:#0969da;
--passed:#1a7f37;--flaky:#9a6700;--failed:#cf222e;--error:#8250df;--cancelled:#6e7781;--pending:#59636e}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--text:#e6edf3;--muted:#9198a1;--border:#30363d;--code-bg:#1f2630;--link:#4493f8;
--passed:#238636;--flaky:#9e6a03;--failed:#da3633;--error:#8957e5;--cancelled:#6e7681;--pending:#6e7681}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--text);background:var(--bg)}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
header{background:#1f2328;color:#fff;padding:.6rem 1.5rem;display:flex;gap:1.25rem;align-items:center}
header a{color:#fff;font-weight:600}header form{margin-left:auto}
main{max-width:1150px;margin:0 auto;padding:1.5rem}
h1{font-size:1.4rem;display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--border)}
th,td{text-align:left;padding:.5rem .75rem;border-bottom:1px solid var(--border);vertical-align:top}
th{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em}
code{background:var(--code-bg);padding:.1em .35em;border-radius:4px;overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0}
.badge{display:inline-block;padding:.1em .65em;border-radius:999px;font-size:.8rem;font-weight:700;color:#fff;background:var(--pending)}
.passed,.success{background:var(--passed)}.failed,.failure{background:var(--failed)}.error{background:var(--error)}
.flaky{background:var(--flaky)}.cancelled{background:var(--cancelled)}
.card{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
.muted{color:var(--muted)}.fail{color:var(--failed)}
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
                style { (PreEscaped(STYLE)) }
                @if let Some(head) = head { (head) }
            }
            body {
                header {
                    a href="/runs" { "gate" }
                    a #nav-runs href="/runs" { "Runs" }
                    a #nav-deployments href="/deployments" { "Deployments" }
                    a #nav-digests href="/digests" { "Digests" }
                    a #nav-flow href="/flow" { "Flow" }
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
    (
        status,
        [
            (header::CONTENT_SECURITY_POLICY, POLICY),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "same-origin"),
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
