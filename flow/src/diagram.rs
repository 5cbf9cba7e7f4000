//! The flow as an SVG diagram: one box per stage, top to bottom in release order, each
//! labelled with its kind, owners and figures. layout-rs places the boxes and routes the
//! arrows; nothing here positions anything. Automated stages are blue with rounded corners,
//! manual ones amber with square corners, and a stage with a risk gets a thick red border and
//! a "⚠" line naming its risks.
//!
//! The SVG is accessible on its own: `role="img"`, a `<title>` that names it and a `<desc>`
//! that says every stage and risk in words.

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::style::StyleAttr;
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;

use crate::report::{FlowReport, StageReport};

const FONT_SIZE: usize = 14;

/// An inline SVG element (no XML declaration), ready to put into a page, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    pub svg: String,
    /// The accessible name: "Release flow: 6 stages, 2 manual, 3 risks".
    pub title: String,
    /// Every stage and risk in words.
    pub description: String,
}

/// The diagram of `report`; `id` prefixes the ids of its title and description.
pub fn diagram(report: &FlowReport, id: &str) -> Diagram {
    let title = title(report);
    let description = description(report);
    let mut svg = String::new();
    let mut size = (10.0, 10.0);
    if !report.stages.is_empty() {
        let mut graph = VisualGraph::new(Orientation::TopToBottom);
        let mut previous = None;
        for stage in &report.stages {
            let node = graph.add_node(element(stage));
            if let Some(before) = previous {
                graph.add_edge(Arrow::simple(""), before, node);
            }
            previous = Some(node);
        }
        let mut writer = SVGWriter::new();
        graph.do_it(false, false, false, &mut writer);
        svg = writer.finalize();
        // The writer sizes its canvas by a guess at text extents (ten pixels per character,
        // downwards too), which leaves a tall blank area; the boxes' own extents are exact.
        size = graph.iter_nodes().fold((0.0_f64, 0.0_f64), |(w, h), node| {
            let pos = graph.pos(node);
            (w.max(pos.right(true)), h.max(pos.bottom(true)))
        });
    }
    Diagram {
        svg: accessible(&svg, size, id, &title, &description),
        title,
        description,
    }
}

fn title(report: &FlowReport) -> String {
    let manual = report.stages.iter().filter(|s| !s.stage.automated).count();
    let plural = |n: usize, word: &str| match n {
        1 => format!("1 {word}"),
        n => format!("{n} {word}s"),
    };
    format!(
        "Release flow: {}, {} manual, {}",
        plural(report.stages.len(), "stage"),
        manual,
        plural(report.risks.len(), "risk")
    )
}

fn description(report: &FlowReport) -> String {
    let mut lines: Vec<String> = report
        .stages
        .iter()
        .map(|s| format!("{}.", label(s).join("; ")))
        .collect();
    lines.extend(report.risks.iter().map(|r| format!("Risk: {}.", r.message)));
    if lines.is_empty() {
        lines.push("No stages.".into());
    }
    lines.join(" ")
}

/// The lines of a stage's box.
fn label(s: &StageReport) -> Vec<String> {
    let stage = &s.stage;
    let mut lines = vec![format!("{}. {}", stage.position, stage.name)];
    lines.push(match (stage.automated, stage.owners.as_slice()) {
        (true, _) if stage.kind == crate::StageKind::Manual => {
            "automated by gate (was manual)".to_string()
        }
        (true, _) => format!("automated: {}", stage.kind.as_str()),
        (false, owners) => format!("manual: {}", owners.join(", ")),
    });
    let median = match (s.stats.median_ms, s.stats.median_is_usual) {
        (Some(ms), false) => format!("median {}", gate_dora::format_duration(ms)),
        (Some(ms), true) => format!("usually {}", gate_dora::format_duration(ms)),
        (None, _) => "no duration yet".to_string(),
    };
    let failed = match s.stats.failure_share {
        Some(share) => format!(", {:.0}% failed", share * 100.0),
        None => String::new(),
    };
    let runs = match s.stats.runs {
        1 => "1 run".to_string(),
        n => format!("{n} runs"),
    };
    lines.push(format!("{runs}, {median}{failed}"));
    if !s.risks.is_empty() {
        let names: Vec<&str> = s.risks.iter().map(|r| r.label()).collect();
        lines.push(format!("⚠ {}", names.join(", ")));
    }
    lines
}

fn element(s: &StageReport) -> Element {
    let color = |c: &str| Color::from_name(c).unwrap_or_else(Color::transparent);
    let at_risk = !s.risks.is_empty();
    let (fill, line, rounded) = if s.stage.automated {
        ("#e6f0fa", "#2b6cb0", 10)
    } else {
        ("#fff4dc", "#b7791f", 0)
    };
    let (line, width) = if at_risk { ("#c53030", 4) } else { (line, 2) };
    let look = StyleAttr::new(color(line), width, Some(color(fill)), rounded, FONT_SIZE);
    let shape = ShapeKind::new_box(&label(s).join("\n"));
    let size = get_shape_size(Orientation::TopToBottom, &shape, FONT_SIZE, false);
    // The properties go into the SVG as written: only fixed words and the stage's name,
    // which the configuration allows letters, digits, `-` and `_` only.
    let class = match (s.stage.automated, at_risk) {
        (true, false) => "stage automated",
        (true, true) => "stage automated at-risk",
        (false, false) => "stage manual",
        (false, true) => "stage manual at-risk",
    };
    let name: String = s
        .stage
        .name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    Element::create_with_properties(
        shape,
        look,
        Orientation::TopToBottom,
        size,
        format!("class=\"{class}\" data-stage=\"{name}\""),
    )
}

/// layout-rs's document as an inline, accessible `<svg>` of `size` (width, height): without
/// the XML declaration, with `role="img"`, the title and the description (escaped by maud),
/// and a width that shrinks to its container.
fn accessible(svg: &str, size: (f64, f64), id: &str, title: &str, description: &str) -> String {
    let body = svg
        .find("<svg")
        .map_or("", |at| &svg[at..])
        .trim_end_matches("</svg>");
    let rest = body.find('>').map_or("", |end| &body[end + 1..]);
    let (width, height) = ((size.0 + 5.0).ceil(), (size.1 + 5.0).ceil());
    let label = maud::html! {
        title id={ (id) "-title" } { (title) }
        desc id={ (id) "-desc" } { (description) }
    };
    format!(
        "<svg role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" \
         class=\"flow-diagram\" style=\"max-width:100%;height:auto\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
         xmlns=\"http://www.w3.org/2000/svg\">{}{rest}</svg>",
        label.into_string()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::History;
    use crate::model::{Automated, Flow, StageDecl, StageKind};
    use crate::report::report;

    fn flow_report() -> FlowReport {
        let declared = [
            StageDecl::automated("tests", StageKind::Gate),
            StageDecl {
                owners: vec!["ana".into()],
                ..StageDecl::automated("sign-off", StageKind::Manual)
            },
            StageDecl::automated("canary", StageKind::Canary),
        ];
        let automated = Automated {
            gate: vec!["1 scenario path".into()],
            canary: Some(vec!["shop".into()]),
            ..Automated::default()
        };
        report(
            Flow::new(Some(&declared), &automated),
            &History::default(),
            5,
        )
    }

    #[test]
    fn every_stage_is_a_labelled_box_and_the_svg_is_accessible() {
        let d = diagram(&flow_report(), "flow");
        assert_eq!(d.title, "Release flow: 3 stages, 1 manual, 2 risks");
        assert!(
            d.svg
                .starts_with("<svg role=\"img\" aria-labelledby=\"flow-title\""),
            "{}",
            &d.svg[..200]
        );
        assert!(!d.svg.contains("<?xml"));
        assert!(
            d.svg
                .contains("<title id=\"flow-title\">Release flow: 3 stages")
        );
        assert!(
            d.svg
                .contains("<desc id=\"flow-desc\">1. tests; automated: gate;")
        );
        assert_eq!(d.svg.matches("<rect").count(), 3, "{}", d.svg);
        assert_eq!(
            d.svg
                .matches("class=\"stage manual at-risk\" data-stage=\"sign-off\"")
                .count(),
            1
        );
        assert_eq!(d.svg.matches("class=\"stage automated\"").count(), 2);
        assert!(d.svg.contains("⚠ bus factor one, no runbook"));
        assert!(d.svg.contains("<path"), "the stages are joined by arrows");
        assert!(d.svg.ends_with("</svg>"));
        let height: f64 = d
            .svg
            .split("height=\"")
            .nth(1)
            .and_then(|h| h.split('"').next())
            .and_then(|h| h.parse().ok())
            .unwrap_or(0.0);
        assert!(
            height > 100.0 && height < 600.0,
            "three boxes fit their own height: {height}"
        );
        assert!(
            d.description
                .contains("Risk: only ana can perform `sign-off`")
        );
    }

    #[test]
    fn text_in_the_svg_is_escaped() {
        let mut r = flow_report();
        r.stages[0].stage.name = "<b>&".into();
        r.risks[0].message = "<script>".into();
        let d = diagram(&r, "flow");
        assert!(
            !d.svg.contains("<b>&") && !d.svg.contains("<script>"),
            "{}",
            d.svg
        );
        assert!(d.svg.contains("&lt;script&gt;"));
    }

    #[test]
    fn an_empty_flow_is_still_a_named_image() {
        let mut r = flow_report();
        r.stages.clear();
        r.risks.clear();
        let d = diagram(&r, "x");
        assert!(
            d.svg
                .starts_with("<svg role=\"img\" aria-labelledby=\"x-title\"")
        );
        assert!(d.svg.contains("No stages."));
    }
}
