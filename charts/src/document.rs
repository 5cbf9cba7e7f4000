//! The accessible `<svg>` around the plot: a responsive root element, the
//! `<title>` and `<desc>` it is labelled by, and ids that are the chart's own.

use crate::draw::{HEIGHT, WIDTH};

/// `plotted` (a complete `<svg>` document from plotters) with its root element
/// replaced by one that scales to its container and names its title and
/// description; `None` if `plotted` does not start with an `<svg>` element.
pub(crate) fn wrap(plotted: &str, id: &str, title: &str, description: &str) -> Option<String> {
    let body = plotted.strip_prefix("<svg ")?;
    let body = &body[body.find('>')? + 1..];
    let mut out = open(id, title, description);
    out.push_str(body.trim_start());
    Some(out)
}

/// An `<svg>` with only its title and description, for the (unexpected) case
/// that plotting failed: the page still tells its reader what was meant.
pub(crate) fn unplotted(id: &str, title: &str, description: &str) -> String {
    let mut out = open(id, title, description);
    out.push_str("</svg>\n");
    out
}

fn open(id: &str, title: &str, description: &str) -> String {
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" id="{id}" class="gate-chart" "#,
            r#"viewBox="0 0 {w} {h}" width="100%" style="max-width:100%;height:auto" "#,
            r#"role="img" aria-labelledby="{id}-title {id}-desc">"#,
            "\n",
            r#"<title id="{id}-title">{title}</title>"#,
            "\n",
            r#"<desc id="{id}-desc">{description}</desc>"#,
            "\n",
        ),
        id = id,
        w = WIDTH,
        h = HEIGHT,
        title = escape(title),
        description = escape(description),
    )
}

/// `id` as an HTML id of `[a-z0-9-]`: letters lowercased, anything else a
/// `-`; `chart` if nothing is left.
pub(crate) fn html_id(id: &str) -> String {
    let id: String = id
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '-') => c,
            _ => '-',
        })
        .collect();
    if id.is_empty() {
        "chart".to_owned()
    } else {
        id
    }
}

/// Text escaped for XML content and attribute values alike.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines are not allowed in XML 1.0.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_to_lowercase_letters_digits_and_dashes() {
        assert_eq!(html_id("deploys-per-week"), "deploys-per-week");
        assert_eq!(html_id("Lead Time\"><x"), "lead-time---x");
        assert_eq!(html_id(""), "chart");
    }

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape(r#"<a href='x'>&"#),
            "&lt;a href=&apos;x&apos;&gt;&amp;"
        );
        assert_eq!(escape("a\u{0}b"), "a\u{fffd}b");
    }

    #[test]
    fn wrap_rejects_what_is_not_an_svg_document() {
        assert_eq!(wrap("<html>", "c", "t", "d"), None);
    }
}
