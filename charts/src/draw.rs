//! The plot itself, drawn by plotters' SVG backend: axes, grid, labels and the
//! series. It knows nothing of titles or accessibility; `document` wraps it.

use std::ops::Range;
use std::sync::Once;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;

use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::scale::{Scale, scale};
use crate::{Chart, Kind};

/// The drawing's own size; the SVG scales to its container from there.
pub(crate) const WIDTH: u32 = 560;
pub(crate) const HEIGHT: u32 = 300;

/// Label size in the drawing's pixels. Plotters writes `size / 1.24` as the
/// SVG font-size, so this is 16px: about 10px once a phone has scaled the
/// 560px drawing to its 360px screen.
const FONT_SIZE: f64 = 19.84;

/// The family plotters writes into every `font-family` attribute, and the
/// name the compiled-in font is registered under for measuring text. The
/// browser picks the first it has; Verdana's widths are close to DejaVu's.
const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";
static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans-subset.ttf");

/// Series blue: 4.6:1 on white, so bars and lines meet WCAG's 3:1 for graphics.
pub(crate) const SERIES: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
/// Label text: 12.6:1 on white.
const TEXT: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Axis lines: 5.7:1 on white.
const AXIS: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// Grid lines are decoration, so they stay faint.
const GRID: RGBColor = RGBColor(0xe3, 0xe3, 0xe3);

/// The largest magnitude drawn; twice it is still a finite axis span.
const LARGEST: f64 = 1e300;
const BAR_HALF_WIDTH: f64 = 0.35;
const LABEL_GAP: i32 = 6;

pub(crate) type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// Draws `chart` into `out` as a complete `<svg>` document.
pub(crate) fn plot(chart: &Chart, out: &mut String) -> DrawResult {
    register_font();
    // Non-finite values are as good as missing: they have no place on an axis.
    // Absurd ones are clamped so that the axis span stays finite.
    let values: Vec<Option<f64>> = chart
        .points
        .iter()
        .map(|p| {
            p.value
                .filter(|v| v.is_finite())
                .map(|v| v.clamp(-LARGEST, LARGEST))
        })
        .collect();
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let Scale { low, high, ticks } = scale(chart.unit, &present);
    let unit = chart.unit;

    let label_font = (FAMILY, FONT_SIZE).into_font().color(&TEXT);
    let tick_labels: Vec<String> = ticks.iter().map(|t| unit.format(*t)).collect();
    let y_area = (widest(&label_font.font, &tick_labels) + 2 * LABEL_GAP as u32 + 4).min(WIDTH / 3);

    // All point labels are shown; when they do not fit side by side they
    // stand upright instead of overlapping, and one too long even for that is
    // shortened (the description still holds it in full).
    const MARGIN_LEFT: u32 = 4;
    const MARGIN_RIGHT: u32 = 16;
    let n = chart.points.len().max(1);
    let slot = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT - y_area) as f64 / n as f64;
    let full_labels: Vec<String> = chart.points.iter().map(|p| p.label.clone()).collect();
    let upright = f64::from(widest(&label_font.font, &full_labels) + 8) > slot;
    let line_height = FONT_SIZE.ceil() as u32;
    let (labels, x_area) = if upright {
        let longest = HEIGHT * 2 / 5 - 2 * LABEL_GAP as u32;
        let labels: Vec<String> = full_labels
            .iter()
            .map(|l| shorten(&label_font.font, l, longest))
            .collect();
        let x_area = widest(&label_font.font, &labels) + 2 * LABEL_GAP as u32;
        (labels, x_area)
    } else {
        (full_labels, line_height + 2 * LABEL_GAP as u32)
    };

    let root = SVGBackend::with_string(out, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut plot = ChartBuilder::on(&root)
        .margin_top(line_height / 2 + 4)
        .margin_left(MARGIN_LEFT)
        .margin_right(MARGIN_RIGHT)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), ValueAxis::new(low..high, ticks))?;
    plot.configure_mesh()
        .disable_x_mesh()
        // Point labels are drawn below, so the mesh draws none on x.
        .x_labels(0)
        .y_label_formatter(&|v| unit.format(*v))
        .label_style(label_font.clone())
        .axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .draw()?;

    for (i, label) in labels.iter().enumerate() {
        let (x, y) = plot.backend_coord(&(i as f64, low));
        let style = if upright {
            label_font
                .pos(Pos::new(HPos::Right, VPos::Center))
                .transform(FontTransform::Rotate270)
        } else {
            label_font.pos(Pos::new(HPos::Center, VPos::Top))
        };
        root.draw(&Text::new(label.as_str(), (x, y + LABEL_GAP), style))?;
    }

    if present.is_empty() {
        let (x, y) = plot.backend_coord(&((n as f64 - 1.0) / 2.0, (low + high) / 2.0));
        let note = label_font.pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new("no data", (x, y), note))?;
    }

    let baseline = 0f64.clamp(low, high);
    let present_points = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i as f64, v)));
    match chart.kind {
        Kind::Bars => {
            plot.draw_series(present_points.map(|(x, v)| {
                Rectangle::new(
                    [(x - BAR_HALF_WIDTH, baseline), (x + BAR_HALF_WIDTH, v)],
                    SERIES.filled(),
                )
            }))?;
        }
        Kind::Line => {
            // One polyline per run of weeks with data: a missing week is a gap.
            for run in runs(&values) {
                plot.draw_series(LineSeries::new(run, SERIES.stroke_width(2)))?;
            }
            // A marker per value, so a week alone between gaps is still seen.
            plot.draw_series(present_points.map(|p| Circle::new(p, 3, SERIES.filled())))?;
        }
    }
    root.present()
}

/// The value axis as plotters sees it: linear, with the ticks `scale` chose.
/// (Plotters' own picks decimal steps, which would put durations on
/// 50-second marks; its `WithKeyPoints` needs a default formatter that `f64`
/// ranges lack.)
struct ValueAxis {
    linear: RangedCoordf64,
    ticks: Vec<f64>,
}

impl ValueAxis {
    fn new(range: Range<f64>, ticks: Vec<f64>) -> Self {
        Self {
            linear: range.into(),
            ticks,
        }
    }
}

impl Ranged for ValueAxis {
    // Labels come from `Unit::format` through the mesh's formatter.
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.linear.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            // No minor grid lines between the ticks.
            vec![]
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.linear.range()
    }
}

/// Consecutive present values as (x, value) runs.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut runs = vec![];
    let mut current = vec![];
    for (i, value) in values.iter().enumerate() {
        match value {
            Some(v) => current.push((i as f64, *v)),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// `text`, cut short with an ellipsis if it is wider than `max_width` pixels.
fn shorten(font: &FontDesc<'_>, text: &str, max_width: u32) -> String {
    let fits = |t: &str| width(font, t) <= max_width;
    if fits(text) {
        return text.to_owned();
    }
    // No label that needs shortening fits more than this, and it bounds the
    // work for absurd ones.
    let mut shortened: String = text.chars().take(100).collect();
    while shortened.pop().is_some() {
        let candidate = format!("{}…", shortened.trim_end());
        if fits(&candidate) {
            return candidate;
        }
    }
    "…".to_owned()
}

/// The width in pixels of the widest of `texts`.
fn widest(font: &FontDesc<'_>, texts: &[String]) -> u32 {
    texts.iter().map(|t| width(font, t)).max().unwrap_or(0)
}

/// The width in pixels of `text`.
fn width(font: &FontDesc<'_>, text: &str) -> u32 {
    font.box_size(text)
        .map(|(w, _)| w)
        // Without metrics, assume a generous average advance.
        .unwrap_or_else(|_| (text.chars().count() as f64 * FONT_SIZE * 0.65) as u32)
}

fn register_font() {
    static REGISTERED: Once = Once::new();
    REGISTERED.call_once(|| {
        // A font that fails to load makes drawing fail, and `svg` then falls
        // back to an empty, still labelled, chart; the tests load this one.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_at_missing_values() {
        let values = [
            Some(1.0),
            Some(2.0),
            None,
            None,
            Some(3.0),
            None,
            Some(4.0),
            Some(5.0),
        ];
        assert_eq!(
            runs(&values),
            [
                vec![(0.0, 1.0), (1.0, 2.0)],
                vec![(4.0, 3.0)],
                vec![(6.0, 4.0), (7.0, 5.0)]
            ]
        );
        assert!(runs(&[None, None]).is_empty());
    }

    #[test]
    fn labels_too_long_are_shortened_with_an_ellipsis() {
        register_font();
        let font = (FAMILY, FONT_SIZE).into_font();
        assert_eq!(shorten(&font, "Nov 30", 80), "Nov 30");
        let short = shorten(&font, "Oct 5 – a rather long label", 80);
        assert!(short.starts_with("Oct") && short.ends_with('…'), "{short}");
        assert!(width(&font, &short) <= 80);
        assert_eq!(shorten(&font, "WWWW", 1), "…");
    }

    #[test]
    fn the_compiled_in_font_measures_text() {
        register_font();
        let font = (FAMILY, FONT_SIZE).into_font();
        let narrow = font.box_size("ii").unwrap().0;
        let wide = font.box_size("WW").unwrap().0;
        assert!(0 < narrow && narrow < wide, "{narrow} {wide}");
    }
}
