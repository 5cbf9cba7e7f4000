//! The digest: subject, text lines, escaped HTML with colours, and the Slack message's shape.

use gate_dora::{Deployment, History, digest, headline, report, weekly};
use serde_json::Value;

use crate::builder::*;

/// Last week: 14 promoted (2 a day) and one automatic rollback recovered in 2:14; the week
/// before: 11 promoted.
fn busy_weeks() -> History {
    let mut deployments: Vec<Deployment> = (0..14)
        .map(|i| {
            let day = i8::try_from(23 + i / 2).expect("a day of November");
            promoted(
                &format!("l{i}"),
                "shop",
                at(2026, 11, day, 9 + 4 * (i % 2) as i8, 0),
            )
        })
        .collect();
    deployments.push(auto_rolled_back(
        "rb",
        "shop",
        at(2026, 11, 26, 15, 0),
        134_000,
    ));
    deployments.extend(
        (0..11).map(|i| promoted(&format!("p{i}"), "shop", at(2026, 11, 16, 9, 0) + i * HOUR)),
    );
    history(deployments)
}

const URL: &str = "https://gate.example/dora?week=47&service=shop";

#[test]
fn the_text_digest_has_the_headline_and_a_line_per_metric() {
    let h = busy_weeks();
    let r = report(&h, &last_week(), None, &settings());
    let weeks = weekly(&h, now(), 12, None, &settings());
    let d = digest::render(&r, &weeks, Some(URL));
    let head = "15 deploys last week, 14 successful, 1 auto-rolled-back, MTTR 2:14";
    assert_eq!(headline(&r), head);
    assert_eq!(d.subject, format!("gate weekly digest: {head}"));
    let lines: Vec<&str> = d.text.lines().collect();
    assert_eq!(lines[0], head);
    // 14 / 7 = 2.0 a day; 14 against 11 is +27%.
    assert!(
        lines.contains(
            &"Deployment frequency  2.0/day (14 this week)  elite  ▲ +27% vs the week before"
        ),
        "{}",
        d.text
    );
    // 1 of 15 against 0 of 11.
    assert!(
        lines.contains(
            &"Change failure rate  6.7% (1 of 15 changes)  high  ▲ from 0.0% the week before"
        ),
        "{}",
        d.text
    );
    assert!(lines.contains(
        &"Failed deployment recovery time  median 2:14, mean 2:14 (1 failure)  elite  no data for the week before"
    ));
    assert!(lines.contains(
        &"Lead time for changes  no commits promoted  no band  no data for the week before"
    ));
    assert!(lines.contains(&"Bands: DORA 2023 (none for rework)"));
    assert!(lines.contains(&"Gate  0 runs, no verdicts  no data for the week before"));
    assert!(lines.contains(&"  shop  15 deploys, 14 successful, CFR 6.7%, MTTR 2:14"));
    assert!(lines.contains(&"Deploys per week, Sep 14 to Nov 30: 0 0 0 0 0 0 0 0 0 11 15 0"));
    assert_eq!(lines.last(), Some(&format!("Dashboard: {URL}").as_str()));
}

#[test]
fn the_html_digest_is_escaped_and_coloured() {
    let h = busy_weeks();
    let period = last_week().with_label("week <b> & co");
    let r = report(&h, &period, None, &settings());
    let d = digest::render(&r, &[], Some(URL));
    assert!(d.html.starts_with("<!DOCTYPE html>"));
    assert!(
        d.html
            .contains("15 deploys week &lt;b&gt; &amp; co, 14 successful")
    );
    assert!(!d.html.contains("<b>"));
    assert!(
        d.html
            .contains("href=\"https://gate.example/dora?week=47&amp;service=shop\"")
    );
    // More deploys: green; a higher failure rate: red.
    assert!(d.html.contains("color:#1a7f37\">▲ +27% vs the week before"));
    assert!(
        d.html
            .contains("color:#cf222e\">▲ from 0.0% the week before")
    );
    assert!(!d.html.contains("<style"));
}

#[test]
fn the_slack_message_has_a_fallback_text_a_header_fields_and_a_link() {
    let h = busy_weeks();
    let r = report(&h, &last_week(), None, &settings());
    let d = digest::render(&r, &[], Some(URL));
    let s = &d.slack;
    assert_eq!(s["text"], headline(&r));
    let blocks = s["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 3);
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["type"], "plain_text");
    assert_eq!(blocks[0]["text"]["text"], "gate weekly digest");
    assert_eq!(blocks[1]["type"], "section");
    assert_eq!(blocks[1]["text"]["type"], "mrkdwn");
    let fields = blocks[1]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 6);
    assert!(fields.iter().all(|f| f["type"] == "mrkdwn"));
    assert_eq!(
        fields[0]["text"],
        "*Deployment frequency*\n2.0/day (14 this week) · elite\n▲ +27% vs the week before"
    );
    assert_eq!(blocks[2]["type"], "context");
    assert_eq!(
        blocks[2]["elements"][0]["text"],
        "<https://gate.example/dora?week=47&amp;service=shop|Open the dashboard> · Bands: DORA 2023 (none for rework)"
    );
}

#[test]
fn slack_mrkdwn_is_escaped() {
    let r = report(
        &busy_weeks(),
        &last_week().with_label("week <b> & co"),
        None,
        &settings(),
    );
    let d = digest::render(&r, &[], None);
    let section = d.slack["blocks"][1]["text"]["text"].as_str().unwrap();
    assert!(
        section.starts_with("15 deploys week &lt;b&gt; &amp; co,"),
        "{section}"
    );
    assert_eq!(
        d.slack["blocks"][2]["elements"][0]["text"],
        Value::from("Bands: DORA 2023 (none for rework)")
    );
    assert!(!d.text.contains("Dashboard"));
}

#[test]
fn an_empty_week_renders() {
    let r = report(&History::default(), &last_week(), None, &settings());
    let d = digest::render(&r, &[], None);
    assert!(d.text.starts_with(
        "0 deploys last week, 0 successful, 0 auto-rolled-back, no failures to recover from\n"
    ));
    assert!(d.text.contains(
        "Deployment frequency  0.0/day (0 this week)  no band  = same as the week before"
    ));
}
