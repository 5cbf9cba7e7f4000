//! The digest as a Slack Block Kit message for an incoming webhook: `text` is the headline
//! (the notification fallback), then a header, a section with one mrkdwn field per figure and
//! a context line with the dashboard link. Slack's mrkdwn needs `&`, `<` and `>` escaped.

use serde_json::{Value, json};

use super::lines::{MetricLine, Summary};

/// Slack allows at most 10 fields in a section.
const MAX_FIELDS: usize = 10;

pub fn render(title: &str, summary: &Summary, dashboard_url: Option<&str>) -> Value {
    let fields: Vec<Value> = summary
        .metrics
        .iter()
        .chain(std::iter::once(&summary.gate))
        .take(MAX_FIELDS)
        .map(field)
        .collect();
    let context = match dashboard_url {
        Some(url) => format!(
            "<{}|Open the dashboard> · {}",
            link_target(url),
            escape(&summary.bands_note)
        ),
        None => escape(&summary.bands_note),
    };
    json!({
        "text": escape(&summary.headline),
        "blocks": [
            { "type": "header", "text": { "type": "plain_text", "text": title, "emoji": false } },
            {
                "type": "section",
                "text": { "type": "mrkdwn", "text": escape(&summary.headline) },
                "fields": fields,
            },
            { "type": "context", "elements": [ { "type": "mrkdwn", "text": context } ] },
        ],
    })
}

fn field(m: &MetricLine) -> Value {
    let band = m
        .band
        .as_ref()
        .map(|band| format!(" · {band}"))
        .unwrap_or_default();
    json!({
        "type": "mrkdwn",
        "text": format!("*{}*\n{}{}\n{}", escape(m.name), escape(&m.value), escape(&band), escape(&m.change)),
    })
}

/// Escapes the three characters Slack's mrkdwn reserves.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A URL inside `<url|label>`: `&`, `<`, `>` escaped like text, and `|` encoded so it cannot
/// end the URL early.
fn link_target(url: &str) -> String {
    escape(url).replace('|', "%7C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_reserved_characters() {
        assert_eq!(escape("a & <b>"), "a &amp; &lt;b&gt;");
        assert_eq!(
            link_target("https://x.test/?a=1&b=2|3"),
            "https://x.test/?a=1&amp;b=2%7C3"
        );
    }
}
