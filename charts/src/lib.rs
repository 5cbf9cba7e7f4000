//! Server-side SVG charts of weekly figures (deploys per week, change failure
//! rate, lead time), drawn with plotters' SVG backend.
//!
//! Plain data in, a string of SVG out: [`svg`] and [`describe`] are pure
//! functions of a [`Chart`]. The only side effect is registering the
//! compiled-in font (a subset of DejaVu Sans, used to measure labels) with
//! plotters, once per process. This crate knows nothing of where the figures
//! come from or of the page around the chart.
//!
//! Layout:
//! - `format`: how values read per [`Unit`] ([`format_millis`], [`Unit::format`]);
//! - `scale`: the value axis range and its ticks;
//! - `draw`: the plot, through plotters;
//! - `document`: the accessible `<svg>` root, `<title>`, `<desc>` and ids.

mod document;
mod draw;
mod format;
mod scale;

pub use format::format_millis;

/// What the values measure, which decides how they read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A number of things, shown as an integer.
    Count,
    /// A fraction from 0 to 1, shown as a percentage.
    Ratio,
    /// A duration in milliseconds, shown as `m:ss`, `h:mm:ss` or `Nd h:mm:ss`.
    Millis,
}

/// How the series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One bar per point; a point without a value has no bar.
    Bars,
    /// A line through the points with a marker on each; a point without a
    /// value leaves a gap.
    Line,
}

/// One point on the x axis, usually a week.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The x axis label, e.g. `Nov 30`.
    pub label: String,
    /// `None` when there is no data for this point; a value that is not
    /// finite counts as none.
    pub value: Option<f64>,
}

/// One chart: a single series over labelled points.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The HTML id of the `<svg>`, and the prefix of the ids inside it, so
    /// several charts on a page do not clash. Kept to `[a-z0-9-]`: other
    /// characters become `-`, letters are lowercased.
    pub id: String,
    /// What the chart shows, e.g. `Deploys per week`. It labels the SVG (its
    /// `<title>`) but is not drawn: the page shows it as a heading.
    pub title: String,
    pub unit: Unit,
    pub kind: Kind,
    pub points: Vec<Point>,
}

/// The chart as one `<svg>` element, scaled to the width of its container,
/// labelled by its title and by [`describe`]'s text.
pub fn svg(chart: &Chart) -> String {
    let id = document::html_id(&chart.id);
    let description = describe(chart);
    let mut plotted = String::new();
    let wrapped = match draw::plot(chart, &mut plotted) {
        Ok(()) => document::wrap(&plotted, &id, &chart.title, &description),
        Err(_) => None,
    };
    wrapped.unwrap_or_else(|| document::unplotted(&id, &chart.title, &description))
}

/// The chart as a sentence, its text alternative: `Deploys per week, last 12
/// weeks: Sep 14 3, Sep 21 no data, …`.
pub fn describe(chart: &Chart) -> String {
    let points: Vec<String> = chart
        .points
        .iter()
        .map(|p| match p.value.filter(|v| v.is_finite()) {
            Some(v) => format!("{} {}", p.label, chart.unit.format(v)),
            None => format!("{} no data", p.label),
        })
        .collect();
    match points.len() {
        0 => format!("{}: no data.", chart.title),
        1 => format!("{}, last week: {}.", chart.title, points.join(", ")),
        n => format!("{}, last {n} weeks: {}.", chart.title, points.join(", ")),
    }
}

#[cfg(test)]
mod tests;
