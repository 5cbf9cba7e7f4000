//! The report's pictures, as inline SVG: a stacked bar of outcomes and a bar chart of scenario
//! durations. Geometry is in percentages of the chart's width with text in pixels, so the charts
//! stretch with the page without stretching their labels. Colours come from the page's CSS
//! (`fill-<outcome>` classes), which is what lets them follow dark mode.

use maud::{Markup, html};

use crate::report::text;
use crate::result::{Outcome, RunResult};

/// Outcomes in the order charts and legends show them: good to bad, then not run.
pub(super) const OUTCOMES: [Outcome; 5] = [
    Outcome::Passed,
    Outcome::Flaky,
    Outcome::Failed,
    Outcome::Error,
    Outcome::Cancelled,
];

/// Slowest scenarios shown in the duration chart; past this a chart stops being a picture.
const MAX_DURATION_ROWS: usize = 30;

/// One bar split by outcome, with a count in each segment wide enough to hold it, and a legend.
pub(super) fn outcome_bar(result: &RunResult) -> Markup {
    let total = result.scenarios.len();
    let counts: Vec<(Outcome, usize)> = OUTCOMES.iter().map(|&o| (o, result.count(o))).collect();
    let description = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(o, n)| format!("{n} {}", o.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let description = if description.is_empty() {
        "no scenarios".to_owned()
    } else {
        description
    };
    let mut x = 0.0;
    let segments: Vec<(Outcome, usize, f64, f64)> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|&(outcome, count)| {
            let width = percent(count as f64, total as f64);
            let start = x;
            x += width;
            (outcome, count, start, width)
        })
        .collect();
    html! {
        svg.outcome-bar xmlns="http://www.w3.org/2000/svg" width="100%" height="36" role="img"
            aria-label={ "Outcomes: " (description) } {
            title { "Outcomes: " (description) }
            defs {
                clipPath #outcome-bar-clip { rect width="100%" height="36" rx="8" {} }
            }
            g clip-path="url(#outcome-bar-clip)" {
                rect.fill-track width="100%" height="36" {}
                @for &(outcome, count, x, width) in &segments {
                    rect class={ "fill-" (outcome.as_str()) } x={ (fmt(x)) "%" } width={ (fmt(width)) "%" } height="36" {
                        title { (count) " " (outcome.as_str()) }
                    }
                    @if width >= 4.0 {
                        text.segment-label x={ (fmt(x + width / 2.0)) "%" } y="23" text-anchor="middle" { (count) }
                    }
                }
            }
        }
        ul.legend {
            @for &(outcome, count) in &counts {
                li.zero[count == 0] {
                    svg.swatch width="12" height="12" aria-hidden="true" {
                        rect class={ "fill-" (outcome.as_str()) } width="12" height="12" rx="3" {}
                    }
                    span.legend-name { (outcome.as_str()) }
                    " "
                    strong { (count) }
                    @if total > 0 && count > 0 {
                        " " span.muted { "(" (fmt_whole(percent(count as f64, total as f64))) "%)" }
                    }
                }
            }
        }
    }
}

/// Horizontal bars of the scenarios that ran, slowest first, coloured by outcome, each a link
/// to the scenario's section (`#scenario-<index>`).
pub(super) fn duration_bars(result: &RunResult) -> Markup {
    let mut rows: Vec<(usize, &crate::result::ScenarioResult)> = result
        .scenarios
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.attempts.is_empty())
        .collect();
    if rows.is_empty() {
        return html! { p.muted { "No scenario ran." } };
    }
    rows.sort_by(|a, b| b.1.duration_ms.cmp(&a.1.duration_ms).then(a.0.cmp(&b.0)));
    let ran = rows.len();
    rows.truncate(MAX_DURATION_ROWS);

    const ROW: u32 = 26;
    const TOP: u32 = 6;
    const LABEL_END: f64 = 34.0;
    const BAR_START: f64 = 35.5;
    const BAR_SPAN: f64 = 54.0;
    let rows_height = TOP + ROW * rows.len() as u32;
    let height = rows_height + 24;
    let step = tick_step(rows[0].1.duration_ms);
    let max = rows[0].1.duration_ms.max(1).max(step);
    let ticks: Vec<u64> = (0..).map(|k| k * step).take_while(|&t| t <= max).collect();
    let scale = |ms: u64| BAR_START + percent(ms as f64, max as f64) * BAR_SPAN / 100.0;
    html! {
        @if ran > rows.len() {
            p.muted.chart-note { "The " (rows.len()) " slowest of " (ran) " scenarios." }
        }
        svg.duration-chart xmlns="http://www.w3.org/2000/svg" width="100%" height=(height) role="img"
            aria-label="Scenario durations, slowest first" {
            title { "Scenario durations, slowest first" }
            @for &tick in &ticks {
                line.grid x1={ (fmt(scale(tick))) "%" } x2={ (fmt(scale(tick))) "%" } y1="0" y2=(rows_height) {}
                text.tick x={ (fmt(scale(tick))) "%" } y=(rows_height + 16) text-anchor="middle" {
                    @if tick == 0 { "0" } @else { (text::duration(tick)) }
                }
            }
            @for (i, &(index, scenario)) in rows.iter().enumerate() {
                @let y = TOP + ROW * i as u32;
                @let end = scale(scenario.duration_ms);
                a href={ "#scenario-" (index) } {
                    title {
                        (scenario.name) " — " (scenario.outcome.as_str()) ", " (text::duration(scenario.duration_ms))
                        @if scenario.attempts.len() > 1 { ", " (scenario.attempts.len()) " attempts" }
                    }
                    text.row-label x={ (fmt(LABEL_END)) "%" } y=(y + 17) text-anchor="end" { (shorten(&scenario.name, 48)) }
                    rect class={ "fill-" (scenario.outcome.as_str()) } x={ (fmt(BAR_START)) "%" } y=(y + 4)
                        width={ (fmt((end - BAR_START).max(0.3))) "%" } height="18" rx="3" {}
                    text.row-value x={ (fmt(end + 0.8)) "%" } y=(y + 17) { (text::duration(scenario.duration_ms)) }
                }
            }
        }
    }
}

/// A round tick interval (1, 2 or 5 times a power of ten, in ms) giving about four ticks.
fn tick_step(max_ms: u64) -> u64 {
    let raw = max_ms.div_ceil(4).max(1);
    let mut magnitude = 1;
    while magnitude * 10 <= raw {
        magnitude *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&step| step >= raw)
        .unwrap_or(10 * magnitude)
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole <= 0.0 {
        0.0
    } else {
        part * 100.0 / whole
    }
}

/// SVG coordinates need no more precision than this, and short numbers keep the page small.
fn fmt(value: f64) -> String {
    format!("{value:.2}")
}

fn fmt_whole(value: f64) -> String {
    format!("{value:.0}")
}

/// Keeps chart labels on one line; the full name is in the row's tooltip and the table.
fn shorten(name: &str, max_chars: usize) -> String {
    if name.chars().count() <= max_chars {
        name.to_owned()
    } else {
        let mut short: String = name.chars().take(max_chars - 1).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(tick_step(17_000), 5_000);
        assert_eq!(tick_step(800), 200);
        assert_eq!(tick_step(0), 1);
        assert_eq!(tick_step(40_000), 10_000);
    }

    #[test]
    fn long_names_are_shortened_on_a_char_boundary() {
        assert_eq!(shorten("ééééé", 4), "ééé…");
        assert_eq!(shorten("short", 10), "short");
    }
}
