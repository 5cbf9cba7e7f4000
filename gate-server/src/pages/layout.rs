//! The frame of every page.

use axum::response::Html;
use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = r#"
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2430;background:#f5f6f8}
header{background:#1f2430;color:#fff;padding:.7rem 1.5rem;display:flex;gap:1.5rem;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:1100px;margin:0 auto;padding:1.5rem}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #e3e6ec;border-radius:8px}
th,td{text-align:left;padding:.5rem .75rem;border-bottom:1px solid #e3e6ec;vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;color:#5b6272}
code{font-size:.9em;background:#eef0f4;padding:.1em .3em;border-radius:4px}
.badge{display:inline-block;padding:.1em .6em;border-radius:999px;font-size:.8rem;font-weight:700;color:#fff}
.passed,.success{background:#1f7a3a}.failed,.failure{background:#c62834}.error{background:#7a3fc6}
.flaky{background:#b7791f}.queued,.pending,.running{background:#5b6272}.cancelled{background:#8a8f99}
.card{background:#fff;border:1px solid #e3e6ec;border-radius:8px;padding:1rem 1.25rem;margin:1rem 0}
.fail{color:#c62834}
img.shot{max-width:320px;border:1px solid #e3e6ec;border-radius:4px}
"#;

pub fn page(title: &str, body: Markup) -> Html<String> {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · gate" }
                link rel="icon" href="data:,";
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    a href="/runs" { "gate" }
                    a href="/runs" { "Runs" }
                    form method="post" action="/logout" style="margin-left:auto" { button type="submit" id="logout" { "Log out" } }
                }
                main { (body) }
            }
        }
    };
    Html(markup.into_string())
}
