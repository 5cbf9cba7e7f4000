//! The pictures of a deployment page, as small inline SVG drawn on the server (no script): the
//! traffic split between the versions, and both versions' error rates side by side. Each has
//! a `<title>` that says in words what it shows (screen readers, and anyone who would rather
//! read), and every label is text that maud escapes. Colours come from the page's style.

use gate_wire::Decision;
use maud::{Markup, html};

/// Width of a chart's drawing area, in SVG units.
const WIDTH: f64 = 320.0;

/// `7.28%`, or `no requests`.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or("no requests".into(), |r| format!("{:.2}%", r * 100.0))
}

/// The traffic split: one bar, the canary's share on the left.
pub fn traffic_split(canary: &str, stable: &str, weight: u8) -> Markup {
    let weight = weight.min(100);
    let canary_width = WIDTH * f64::from(weight) / 100.0;
    let title = format!(
        "{weight}% of traffic on {canary}, {}% on {stable}",
        100 - weight
    );
    html! {
        svg #traffic-split .chart role="img" aria-labelledby="traffic-split-title"
            width="320" height="28" viewBox="0 0 320 28" xmlns="http://www.w3.org/2000/svg" {
            title #traffic-split-title { (title) }
            rect .split-stable x="0" y="0" width=(WIDTH) height="28" {}
            rect .split-canary x="0" y="0" width=(format!("{canary_width:.1}")) height="28" {}
        }
        p #traffic-split-text .muted {
            strong { (canary) } " " (weight) "% · " strong { (stable) } " " (100 - weight) "%"
        }
    }
}

/// Both versions' error rates in the decision's window, the larger one across the whole width.
pub fn error_rates(canary: &str, stable: &str, decision: &Decision) -> Markup {
    let rows = [
        (canary, "rate-canary", decision.canary.error_rate),
        (stable, "rate-stable", decision.stable.error_rate),
    ];
    let top = rows
        .iter()
        .filter_map(|(_, _, r)| *r)
        .fold(0.0_f64, f64::max);
    let title = format!(
        "Error rate of {canary}: {}; of {stable}: {}",
        percent(decision.canary.error_rate),
        percent(decision.stable.error_rate)
    );
    // Label column, then the bars.
    let left = 110.0;
    let room = WIDTH - left - 60.0;
    html! {
        svg #error-rates .chart role="img" aria-labelledby="error-rates-title"
            width="320" height="52" viewBox="0 0 320 52" xmlns="http://www.w3.org/2000/svg" {
            title #error-rates-title { (title) }
            @for (i, (version, class, rate)) in rows.iter().enumerate() {
                @let y = 4.0 + 24.0 * i as f64;
                @let width = match rate {
                    Some(r) if top > 0.0 => room * r / top,
                    _ => 0.0,
                };
                text x="0" y=(format!("{:.0}", y + 14.0)) { (version) }
                rect .chart-frame x=(left) y=(y) width=(room) height="18" {}
                rect class=(class) x=(left) y=(y) width=(format!("{width:.1}")) height="18" {}
                text x=(format!("{:.0}", left + room + 6.0)) y=(format!("{:.0}", y + 14.0)) { (percent(*rate)) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gate_wire::TrafficCounts;

    fn counts(requests: u64, errors: u64) -> TrafficCounts {
        TrafficCounts {
            requests,
            errors,
            error_rate: (requests > 0).then(|| errors as f64 / requests as f64),
            p95_ms: None,
        }
    }

    #[test]
    fn the_split_is_drawn_and_said() {
        let svg = traffic_split("v2", "v1", 25).into_string();
        assert!(svg.contains(r#"width="80.0""#), "{svg}");
        assert!(svg.contains("25% of traffic on v2, 75% on v1"), "{svg}");
        // Foreign content: a rect must be closed, or what follows becomes its child.
        assert_eq!(svg.matches("<rect").count(), svg.matches("</rect>").count());
    }

    #[test]
    fn the_larger_error_rate_takes_the_width_and_labels_are_escaped() {
        let decision = Decision {
            judgement: "failing".into(),
            summary: "s".into(),
            canary: counts(100, 10),
            stable: counts(100, 1),
            at_ms: 0,
        };
        let svg = error_rates("<b>v2</b>", "v1", &decision).into_string();
        assert!(svg.contains(r#"width="150.0""#), "{svg}");
        assert!(svg.contains(r#"width="15.0""#), "{svg}");
        assert!(svg.contains("10.00%") && svg.contains("1.00%"), "{svg}");
        assert!(!svg.contains("<b>") && svg.contains("&lt;b&gt;"), "{svg}");
        let quiet = Decision {
            canary: counts(0, 0),
            stable: counts(0, 0),
            ..decision
        };
        assert!(
            error_rates("v2", "v1", &quiet)
                .into_string()
                .contains("no requests")
        );
    }
}
