//! Tests of the finished SVG, read back as XML the way a browser would.

use roxmltree::{Document, Node};

use crate::draw::SERIES;
use crate::{Chart, Kind, Point, Unit, describe, svg};

fn point(label: &str, value: Option<f64>) -> Point {
    Point {
        label: label.to_owned(),
        value,
    }
}

fn chart(kind: Kind, unit: Unit, points: Vec<Point>) -> Chart {
    Chart {
        id: "deploys".to_owned(),
        title: "Deploys per week".to_owned(),
        unit,
        kind,
        points,
    }
}

fn weeks(values: &[Option<f64>]) -> Vec<Point> {
    let labels = ["Sep 14", "Sep 21", "Sep 28", "Oct 5", "Oct 12", "Oct 19"];
    values
        .iter()
        .zip(labels.iter().cycle())
        .map(|(v, l)| point(l, *v))
        .collect()
}

fn series_colour() -> String {
    format!("#{:02X}{:02X}{:02X}", SERIES.0, SERIES.1, SERIES.2)
}

fn parse(svg: &str) -> Document<'_> {
    Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"))
}

fn elements<'a, 'i>(doc: &'a Document<'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
    doc.descendants().filter(move |n| n.has_tag_name(name))
}

fn bars<'a, 'i>(doc: &'a Document<'i>) -> Vec<Node<'a, 'i>> {
    let colour = series_colour();
    elements(doc, "rect")
        .filter(|r| r.attribute("fill") == Some(colour.as_str()))
        .collect()
}

fn texts(doc: &Document<'_>) -> Vec<String> {
    elements(doc, "text")
        .map(|t| t.text().unwrap_or_default().trim().to_owned())
        .collect()
}

#[test]
fn one_svg_root_that_scales_and_names_its_title_and_description() {
    let c = chart(
        Kind::Bars,
        Unit::Count,
        weeks(&[Some(3.0), None, Some(5.0)]),
    );
    let out = svg(&c);
    let doc = parse(&out);
    let root = doc.root_element();
    assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
    assert_eq!(elements(&doc, "svg").count(), 1);
    assert_eq!(root.attribute("viewBox"), Some("0 0 560 300"));
    assert_eq!(root.attribute("width"), Some("100%"));
    assert_eq!(root.attribute("height"), None);
    assert_eq!(root.attribute("style"), Some("max-width:100%;height:auto"));
    assert_eq!(root.attribute("role"), Some("img"));
    assert_eq!(root.attribute("id"), Some("deploys"));

    let labelled_by: Vec<&str> = root
        .attribute("aria-labelledby")
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(labelled_by, ["deploys-title", "deploys-desc"]);
    let by_id = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap()
    };
    let title = by_id(labelled_by[0]);
    assert!(title.has_tag_name("title"));
    assert_eq!(title.text(), Some("Deploys per week"));
    let desc = by_id(labelled_by[1]);
    assert!(desc.has_tag_name("desc"));
    assert_eq!(desc.text(), Some(describe(&c).as_str()));
    // The title is the page's heading, not part of the drawing.
    assert!(!texts(&doc).iter().any(|t| t.contains("Deploys")));
}

#[test]
fn describe_reads_every_point_in_its_unit() {
    let c = chart(
        Kind::Bars,
        Unit::Count,
        weeks(&[Some(3.0), None, Some(2.5)]),
    );
    assert_eq!(
        describe(&c),
        "Deploys per week, last 3 weeks: Sep 14 3, Sep 21 no data, Sep 28 2.5."
    );
    let mut rate = chart(Kind::Line, Unit::Ratio, weeks(&[Some(0.5), Some(f64::NAN)]));
    rate.title = "Change failure rate".to_owned();
    assert_eq!(
        describe(&rate),
        "Change failure rate, last 2 weeks: Sep 14 50%, Sep 21 no data."
    );
    let lead = chart(Kind::Line, Unit::Millis, weeks(&[Some(134_400.0)]));
    assert_eq!(describe(&lead), "Deploys per week, last week: Sep 14 2:14.");
    assert_eq!(
        describe(&chart(Kind::Bars, Unit::Count, vec![])),
        "Deploys per week: no data."
    );
}

#[test]
fn a_bar_for_every_present_value_and_none_for_a_missing_one() {
    let values = [Some(3.0), None, Some(5.0), Some(0.0), None, Some(f64::NAN)];
    let out = svg(&chart(Kind::Bars, Unit::Count, weeks(&values)));
    let doc = parse(&out);
    let bars = bars(&doc);
    assert_eq!(bars.len(), 3, "{out}");
    // Left to right, in the order of the points, tallest for the largest value.
    let x: Vec<f64> = bars
        .iter()
        .map(|b| b.attribute("x").unwrap().parse().unwrap())
        .collect();
    assert!(x.is_sorted(), "{x:?}");
    let height = |b: &Node<'_, '_>| b.attribute("height").unwrap().parse::<f64>().unwrap();
    assert!(height(&bars[1]) > height(&bars[0]));
    assert_eq!(height(&bars[2]), 0.0);
}

#[test]
fn a_line_breaks_where_a_value_is_missing() {
    let values = [Some(1.0), Some(2.0), None, Some(4.0), Some(3.0), Some(5.0)];
    let out = svg(&chart(Kind::Line, Unit::Count, weeks(&values)));
    let doc = parse(&out);
    let colour = series_colour();
    let lines: Vec<Vec<(f64, f64)>> = elements(&doc, "polyline")
        .filter(|p| p.attribute("stroke") == Some(colour.as_str()))
        .map(|p| {
            p.attribute("points")
                .unwrap()
                .split_whitespace()
                .map(|xy| {
                    let (x, y) = xy.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect();
    assert_eq!(
        lines.iter().map(Vec::len).collect::<Vec<_>>(),
        [2, 3],
        "{out}"
    );
    // The gap spans the missing week: more than one week's step between runs.
    let step = lines[0][1].0 - lines[0][0].0;
    let gap = lines[1][0].0 - lines[0][1].0;
    assert!((gap - 2.0 * step).abs() <= 1.0, "step {step}, gap {gap}");
    // Every present value has a marker, so a lone week would still show.
    let markers = elements(&doc, "circle")
        .filter(|c| c.attribute("fill") == Some(colour.as_str()))
        .count();
    assert_eq!(markers, 5);
    assert!(bars(&doc).is_empty());
}

#[test]
fn axes_label_every_point_and_format_values_per_unit() {
    let labels = ["Sep 14", "Sep 21", "Sep 28"];
    for (unit, values, expected) in [
        (
            Unit::Ratio,
            [Some(0.5), None, Some(0.1)],
            vec!["0%", "25%", "50%", "75%", "100%"],
        ),
        (
            Unit::Millis,
            [Some(134_400.0), None, Some(20_000.0)],
            vec!["0:00", "0:30", "1:00", "1:30", "2:00", "2:30"],
        ),
        (
            Unit::Count,
            [Some(3.0), Some(1.0), None],
            vec!["0", "1", "2", "3"],
        ),
    ] {
        let out = svg(&chart(Kind::Bars, unit, weeks(&values)));
        let texts = texts(&parse(&out));
        for label in labels.iter().chain(expected.iter()) {
            assert!(
                texts.iter().any(|t| t == label),
                "{unit:?}: no {label:?} in {texts:?}"
            );
        }
        // Nothing else: no decimals on a count axis, no stray tick labels.
        assert_eq!(
            texts.len(),
            labels.len() + expected.len(),
            "{unit:?}: {texts:?}"
        );
    }
    let hours = svg(&chart(
        Kind::Line,
        Unit::Millis,
        weeks(&[Some(4.5 * 3_600_000.0)]),
    ));
    assert!(texts(&parse(&hours)).iter().any(|t| t == "5:00:00"));
}

#[test]
fn crowded_labels_stand_upright_instead_of_overlapping() {
    let few = svg(&chart(Kind::Bars, Unit::Count, weeks(&[Some(1.0); 4])));
    let many = svg(&chart(Kind::Bars, Unit::Count, weeks(&[Some(1.0); 12])));
    let rotated = |out: &str| {
        let doc = parse(out);
        elements(&doc, "text")
            .filter(|t| {
                t.attribute("transform")
                    .is_some_and(|r| r.starts_with("rotate(270"))
            })
            .count()
    };
    assert_eq!(rotated(&few), 0);
    assert_eq!(rotated(&many), 12);
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let hostile = r#"<script>alert("x")</script>&'"#;
    let hostile_label = r#"<script>&"'"#;
    let mut c = chart(
        Kind::Line,
        Unit::Count,
        vec![point(hostile_label, Some(1.0)), point("b", None)],
    );
    c.title = hostile.to_owned();
    c.id = r#"x" onload="alert(1)"#.to_owned();
    let out = svg(&c);
    let doc = parse(&out);
    assert!(!out.contains("<script"), "{out}");
    assert_eq!(elements(&doc, "script").count(), 0);
    assert_eq!(
        elements(&doc, "title").next().unwrap().text(),
        Some(hostile)
    );
    assert!(
        elements(&doc, "desc")
            .next()
            .unwrap()
            .text()
            .unwrap()
            .starts_with(hostile)
    );
    assert!(texts(&doc).iter().any(|t| t == hostile_label));
    let root = doc.root_element();
    assert_eq!(root.attribute("id"), Some("x--onload--alert-1-"));
    assert_eq!(root.attribute("onload"), None);
}

#[test]
fn charts_without_data_draw_axes_and_say_so() {
    let cases = [
        vec![],
        weeks(&[None, None, None]),
        weeks(&[Some(f64::NAN), Some(f64::INFINITY), Some(f64::NEG_INFINITY)]),
    ];
    for kind in [Kind::Bars, Kind::Line] {
        for unit in [Unit::Count, Unit::Ratio, Unit::Millis] {
            for points in &cases {
                let out = svg(&chart(kind, unit, points.clone()));
                let doc = parse(&out);
                assert!(texts(&doc).iter().any(|t| t == "no data"), "{out}");
                assert!(elements(&doc, "line").count() >= 2, "no axes: {out}");
                assert!(bars(&doc).is_empty());
                assert!(elements(&doc, "title").next().is_some());
            }
        }
    }
}

#[test]
fn extreme_values_do_not_panic() {
    for values in [
        [Some(f64::MAX), Some(-f64::MAX)],
        [Some(1e-300), Some(-1e-300)],
        [Some(-5.0), Some(3.0)],
    ] {
        for kind in [Kind::Bars, Kind::Line] {
            for unit in [Unit::Count, Unit::Ratio, Unit::Millis] {
                let out = svg(&chart(kind, unit, weeks(&values)));
                let doc = parse(&out);
                let texts = texts(&doc);
                assert!(
                    !texts.iter().any(|t| t.contains("inf") || t.contains("NaN")),
                    "{texts:?}"
                );
                // The ticks stay apart: the axis did not collapse.
                let grid: std::collections::HashSet<&str> = elements(&doc, "line")
                    .filter_map(|l| l.attribute("y1"))
                    .collect();
                assert!(grid.len() > 1, "{unit:?} {values:?}: {out}");
            }
        }
    }
}

#[test]
fn ids_inside_two_charts_do_not_collide() {
    let mut a = chart(Kind::Bars, Unit::Count, weeks(&[Some(1.0)]));
    a.id = "deploys".to_owned();
    let mut b = chart(Kind::Line, Unit::Ratio, weeks(&[Some(0.5)]));
    b.id = "failure-rate".to_owned();
    let page = format!("<div>{}{}</div>", svg(&a), svg(&b));
    let doc = parse(&page);
    let ids: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
    assert_eq!(ids.len(), 6);
    for svg in elements(&doc, "svg") {
        let own = svg.attribute("id").unwrap();
        for id in svg.descendants().filter_map(|n| n.attribute("id")) {
            assert!(id.starts_with(own), "{id} in {own}");
        }
    }
}

/// Writes sample charts where a person can look at them:
/// `GATE_CHARTS_SAMPLES=/tmp/charts cargo test -p gate-charts samples`
/// (a temporary folder otherwise), then e.g.
/// `chromium --headless --screenshot=chart.png --window-size=560,300 bars.svg`.
#[test]
fn samples_are_written_as_files() {
    let dir = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("GATE_CHARTS_SAMPLES").map_or(dir.path().to_owned(), Into::into);
    std::fs::create_dir_all(&dir).unwrap();
    let labels = [
        "Sep 14", "Sep 21", "Sep 28", "Oct 5", "Oct 12", "Oct 19", "Oct 26", "Nov 2", "Nov 9",
        "Nov 16", "Nov 23", "Nov 30",
    ];
    let sample = |id: &str, title: &str, unit, kind, values: [Option<f64>; 12]| Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        unit,
        kind,
        points: labels
            .iter()
            .zip(values)
            .map(|(l, v)| point(l, v))
            .collect(),
    };
    let charts = [
        sample(
            "bars",
            "Deploys per week",
            Unit::Count,
            Kind::Bars,
            [3., 5., 0., 7., 4., 9., 6., 2., 8., 11., 5., 7.].map(Some),
        ),
        sample(
            "line",
            "Median lead time",
            Unit::Millis,
            Kind::Line,
            [
                134., 150., 98., 0., 201., 260., 188., 120., 0., 90., 140., 175.,
            ]
            .map(|s| if s == 0. { None } else { Some(s * 1000.) }),
        ),
        sample(
            "ratio",
            "Change failure rate",
            Unit::Ratio,
            Kind::Line,
            [
                0.1, 0.25, 0.0, 0.5, 0.2, 0.0, 0.1, 0.33, 0.0, 0.0, 0.15, 0.05,
            ]
            .map(Some),
        ),
        sample(
            "empty",
            "Deploys per week",
            Unit::Count,
            Kind::Bars,
            [None; 12],
        ),
    ];
    let mut few = charts[0].clone();
    few.id = "few".to_owned();
    few.points.truncate(4);
    few.points[3].label = "Oct 5 – a rather long label".to_owned();
    let charts = [charts.as_slice(), &[few]].concat();
    for c in &charts {
        let path = dir.join(format!("{}.svg", c.id));
        std::fs::write(&path, svg(c)).unwrap();
        parse(&std::fs::read_to_string(&path).unwrap());
    }
    let page: String = charts
        .iter()
        .map(|c| format!("<h2>{}</h2>{}", c.title, svg(c)))
        .collect();
    std::fs::write(dir.join("page.html"), format!("<!doctype html><meta name=viewport content='width=device-width'><body style='margin:8px;font-family:sans-serif'>{page}</body>")).unwrap();
}

#[test]
fn very_long_labels_do_not_panic() {
    let long = "a very long label for one week ".repeat(20);
    for n in [1, 3, 12] {
        let points: Vec<_> = (0..n)
            .map(|i| point(&format!("{long}{i}"), Some(f64::from(i))))
            .collect();
        for kind in [Kind::Bars, Kind::Line] {
            parse(&svg(&chart(kind, Unit::Count, points.clone())));
        }
    }
}
