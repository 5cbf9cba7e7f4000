//! The digest as a small HTML e-mail: maud escapes every value, styles are inline (mail
//! clients drop style sheets), and a change is green when it is an improvement and red when
//! it is a regression.

use maud::{DOCTYPE, Markup, html};

use super::lines::{MetricLine, Summary};

const GREEN: &str = "#1a7f37";
const RED: &str = "#cf222e";
const GREY: &str = "#57606a";
const CELL: &str = "padding:4px 12px 4px 0;border-bottom:1px solid #d0d7de;vertical-align:top";

pub fn render(title: &str, summary: &Summary, dashboard_url: Option<&str>) -> String {
    let page = html! {
        (DOCTYPE)
        html {
            head { meta charset="utf-8"; title { (title) } }
            body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328;margin:16px" {
                h1 style="font-size:18px;margin:0 0 12px" { (summary.headline) }
                table style="border-collapse:collapse;margin-bottom:8px" {
                    @for metric in &summary.metrics { (row(metric)) }
                    (row(&summary.gate))
                }
                p style={"color:" (GREY) ";margin:4px 0 12px"} { (summary.bands_note) }
                @for line in &summary.scenarios { p style="margin:4px 0" { (line) } }
                @if !summary.services.is_empty() {
                    h2 style="font-size:15px;margin:16px 0 4px" { "Services" }
                    ul style="margin:0;padding-left:20px" {
                        @for line in &summary.services { li { (line) } }
                    }
                }
                @if let Some(trend) = &summary.trend {
                    p style="margin:12px 0 4px" { (trend) }
                }
                @if let Some(url) = dashboard_url {
                    p style="margin:12px 0" { a href=(url) style="color:#0969da" { "Open the dashboard" } }
                }
            }
        }
    };
    page.into_string()
}

fn row(m: &MetricLine) -> Markup {
    let colour = match m.better {
        Some(true) => GREEN,
        Some(false) => RED,
        None => GREY,
    };
    html! {
        tr {
            td style={(CELL) ";font-weight:600"} { (m.name) }
            td style=(CELL) { (m.value) }
            td style=(CELL) { @if let Some(band) = &m.band { (band) } }
            td style={(CELL) ";color:" (colour)} { (m.change) }
        }
    }
}
