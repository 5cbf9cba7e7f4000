//! The JUnit report parsed back as XML: counts, elements and texts CI tools read.

use std::collections::BTreeMap;

use quick_xml::events::Event;

use super::*;
use crate::report::fixture;

/// Just enough DOM to assert on: element name, attributes, text (CDATA included), children.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn attr(&self, name: &str) -> &str {
        self.attributes
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("<{}> has no {name}: {self:?}", self.name))
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

fn parse(xml: &str) -> Element {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack = vec![Element::default()];
    let open = |e: &quick_xml::events::BytesStart| Element {
        name: String::from_utf8(e.name().as_ref().to_vec()).expect("UTF-8"),
        attributes: e
            .attributes()
            .map(|a| {
                let a = a.expect("a well-formed attribute");
                (
                    String::from_utf8(a.key.as_ref().to_vec()).expect("UTF-8"),
                    a.normalized_value(quick_xml::XmlVersion::default())
                        .expect("an attribute value")
                        .into_owned(),
                )
            })
            .collect(),
        ..Element::default()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => {
                let element = open(&e);
                stack
                    .last_mut()
                    .expect("an open element")
                    .children
                    .push(element);
            }
            Event::End(_) => {
                let element = stack.pop().expect("an open element");
                stack
                    .last_mut()
                    .expect("an open element")
                    .children
                    .push(element);
            }
            Event::Text(t) => stack
                .last_mut()
                .expect("an open element")
                .text
                .push_str(&t.decode().expect("UTF-8 text")),
            Event::CData(t) => stack
                .last_mut()
                .expect("an open element")
                .text
                .push_str(&t.decode().expect("UTF-8 text")),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().expect("a valid character reference") {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.decode().expect("UTF-8 text");
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .expect("a predefined entity")
                            .to_owned()
                    }
                };
                stack.last_mut().expect("an open element").text.push_str(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unbalanced XML");
    stack
        .pop()
        .expect("an open element")
        .children
        .pop()
        .expect("a root element")
}

fn suite(run: &RunResult) -> Element {
    let root = parse(&to_string(run).expect("render the report"));
    assert_eq!(root.name, "testsuites");
    let mut suites: Vec<Element> = root.children.into_iter().collect();
    assert_eq!(suites.len(), 1);
    suites.pop().expect("one testsuite")
}

fn case<'a>(suite: &'a Element, name: &str) -> &'a Element {
    suite
        .children("testcase")
        .find(|c| c.attr("name") == name)
        .unwrap_or_else(|| panic!("no testcase {name}"))
}

#[test]
fn one_suite_with_counts_matching_the_outcomes() {
    let suite = suite(&fixture::run());
    assert_eq!(suite.name, "testsuite");
    assert_eq!(suite.attr("name"), "gate");
    assert_eq!(suite.attr("tests"), "6");
    assert_eq!(suite.attr("failures"), "1");
    assert_eq!(suite.attr("errors"), "1");
    assert_eq!(
        suite
            .children("testcase")
            .filter(|c| c.child("skipped").is_some())
            .count(),
        1
    );
    assert_eq!(suite.attr("timestamp"), "2026-11-27T00:15:02Z");
}

#[test]
fn testcase_carries_name_path_and_duration() {
    let suite = suite(&fixture::run());
    let failed = case(&suite, fixture::FAILED);
    assert_eq!(failed.attr("classname"), "scenarios/checkout.toml");
    assert_eq!(failed.attr("file"), "scenarios/checkout.toml");
    let run = fixture::run();
    let ms = run
        .scenarios
        .iter()
        .find(|s| s.name == fixture::FAILED)
        .expect("the failed scenario in the fixture")
        .duration_ms;
    let seconds: f64 = failed.attr("time").parse().expect("time in seconds");
    assert!(
        (seconds * 1000.0 - ms as f64).abs() < 1.0,
        "{seconds} s vs {ms} ms"
    );
}

#[test]
fn failure_has_kind_location_and_details() {
    let suite = suite(&fixture::run());
    let failure = case(&suite, fixture::FAILED)
        .child("failure")
        .expect("the child element");
    assert_eq!(failure.attr("type"), "assertion");
    assert_eq!(
        failure.attr("message"),
        "scenarios/checkout.toml:14: text of css=\"#total\" did not match within 5 s"
    );
    for needle in [
        "assertion failed in step 7: expect text css=\"#total\" equals \"$42.00\"",
        "expected: $42.00",
        "actual:   $0.00",
        "TypeError: Cannot read properties of undefined",
        "POST https://staging.shop.test/api/cart/total → 500",
        "net::ERR_NAME_NOT_RESOLVED",
        "gate-artifacts/20261127-001502-3f9a1c/checkout-with-saved-card/attempt-2/failure.png",
        "failed on all 2 attempts",
    ] {
        assert!(
            failure.text.contains(needle),
            "{needle:?} not in\n{}",
            failure.text
        );
    }
}

#[test]
fn error_and_cancelled_use_their_own_elements() {
    let suite = suite(&fixture::run());
    let error = case(&suite, fixture::ERROR)
        .child("error")
        .expect("the child element");
    assert_eq!(error.attr("type"), "infrastructure");
    assert!(
        error
            .attr("message")
            .starts_with("scenarios/login.toml:6: browser crashed")
    );
    let skipped = case(&suite, fixture::CANCELLED)
        .child("skipped")
        .expect("the child element");
    assert_eq!(skipped.attr("type"), "cancelled");
}

#[test]
fn flaky_passes_but_says_so_first_thing() {
    let suite = suite(&fixture::run());
    let flaky = case(&suite, fixture::FLAKY);
    assert!(flaky.child("failure").is_none() && flaky.child("error").is_none());
    let out = &flaky.child("system-out").expect("the child element").text;
    assert!(
        out.starts_with(
            "flaky: failed on attempt 1 (scenarios/search.toml:9: no element matched \
             css=\".suggestions li\" within 5 s), passed on attempt 2\n"
        ),
        "{out}"
    );
    let suite_out = &suite.child("system-out").expect("the child element").text;
    assert!(
        suite_out.contains("flaky: Search suggestions"),
        "{suite_out}"
    );
}

#[test]
fn every_testcase_lists_its_steps_and_artifacts() {
    let suite = suite(&fixture::run());
    let out = &case(&suite, fixture::PASSED)
        .child("system-out")
        .expect("system-out")
        .text;
    assert_eq!(
        out,
        "Home page shows featured products (scenarios/home.toml)
passed after 1 attempt in 1.2 s

attempt 1 of 1: passed on worker 0 in 1.2 s
  ✓  1. open \"/\"  (line 4, 612 ms)
  ✓  2. expect title contains \"Demo Shop\"  (line 5, 18 ms)
  ✓  3. expect visible css=\".product-card\"  (line 6, 41 ms)
  ✓  4. screenshot \"home\"  (line 7, 233 ms)
  artifacts:
    screenshot \"home\": gate-artifacts/20261127-001502-3f9a1c/\
home-page-shows-featured-products/attempt-1/home.png"
    );
    let out = &case(&suite, fixture::FAILED)
        .child("system-out")
        .expect("system-out")
        .text;
    assert!(out.contains("attempt 1 of 2: failed on worker 1"), "{out}");
    assert!(
        out.contains("-  8. click text=\"Pay now\"  (line 15, skipped)"),
        "{out}"
    );
}

#[test]
fn hostile_text_stays_well_formed() {
    let mut run = fixture::run();
    let failed = run
        .scenarios
        .iter_mut()
        .find(|s| s.name == fixture::FAILED)
        .expect("the failed scenario in the fixture");
    let attempt = failed.attempts.last_mut().expect("an attempt");
    attempt
        .console_errors
        .push("\u{1b}[31mred\u{1b}[0m and ]]> <![CDATA[ & </system-out>".into());
    attempt.failure.as_mut().expect("a failure").message = "bad ]]> \u{0} <tag> & \"q\"".into();

    let suite = suite(&run);
    let hostile = case(&suite, fixture::HOSTILE);
    assert_eq!(hostile.attr("classname"), "scenarios/<xss>.toml");
    let failure = case(&suite, fixture::FAILED)
        .child("failure")
        .expect("the child element");
    assert!(failure.attr("message").ends_with("bad ]]>  <tag> & \"q\""));
    assert!(
        failure
            .text
            .contains("[31mred[0m and ]]> <![CDATA[ & </system-out>"),
        "{}",
        failure.text
    );
}

#[test]
fn write_puts_the_same_text_on_disk() {
    let dir = tempfile::tempdir().expect("create a temp dir");
    let path = dir.path().join("junit.xml");
    let run = fixture::run();
    write(&run, &path).expect("write the file");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read the file back"),
        to_string(&run).expect("render the report")
    );
}

/// The testcase named `name` whose classname (scenario path) is `path`.
fn case_at<'a>(suite: &'a Element, name: &str, path: &str) -> &'a Element {
    suite
        .children("testcase")
        .find(|c| c.attr("name") == name && c.attr("classname") == path)
        .unwrap_or_else(|| panic!("no testcase {name} in {path}"))
}

/// The names of the flaky elements of `case`, in document order.
fn flaky_elements(case: &Element) -> Vec<&str> {
    case.children
        .iter()
        .map(|c| c.name.as_str())
        .filter(|&name| name == "flakyFailure" || name == "flakyError")
        .collect()
}

#[test]
fn flaky_testcase_holds_a_flaky_failure_for_the_failed_attempt() {
    let suite = suite(&fixture::run());
    let flaky = case(&suite, fixture::FLAKY);
    assert_eq!(flaky_elements(flaky), ["flakyFailure"]);
    // Surefire puts them before the testcase's own output.
    let rerun = &flaky.children[0];
    assert_eq!(rerun.name, "flakyFailure");
    assert_eq!(
        rerun.attr("message"),
        "scenarios/search.toml:9: no element matched css=\".suggestions li\" within 5 s"
    );
    assert_eq!(rerun.attr("type"), "step");
    let trace = &rerun.child("stackTrace").expect("a stackTrace").text;
    assert_eq!(
        trace,
        "step failed in step 3: expect visible css=\".suggestions li\"
  at scenarios/search.toml:9
no element matched css=\".suggestions li\" within 5 s"
    );
    let out = &rerun.child("system-out").expect("a system-out").text;
    for needle in [
        "attempt 1 of 2: failed on worker 1",
        "✗  3. expect visible css=\".suggestions li\"  (line 9, 5.0 s)",
        "gate-artifacts/20261127-001502-3f9a1c/search-suggestions/attempt-1/failure.png",
    ] {
        assert!(out.contains(needle), "{needle:?} not in\n{out}");
    }
    assert!(!out.contains("attempt 2"), "{out}");
    assert!(flaky.child("failure").is_none() && flaky.child("error").is_none());
}

#[test]
fn only_flaky_testcases_hold_flaky_elements() {
    let suite = suite(&fixture::run());
    for name in [
        fixture::PASSED,
        fixture::FAILED,
        fixture::ERROR,
        fixture::HOSTILE,
        fixture::CANCELLED,
    ] {
        assert!(flaky_elements(case(&suite, name)).is_empty(), "{name}");
    }
}

#[test]
fn each_failed_or_errored_attempt_of_a_flaky_scenario_is_a_flaky_element() {
    let suite = suite(&fixture::retried());
    let checkout = case(&suite, fixture::FAILED);
    assert!(checkout.child("failure").is_none());
    assert_eq!(flaky_elements(checkout), ["flakyFailure", "flakyError"]);
    let failure = checkout.child("flakyFailure").expect("a flakyFailure");
    assert_eq!(failure.attr("type"), "assertion");
    let trace = &failure.child("stackTrace").expect("a stackTrace").text;
    for needle in [
        "assertion failed in step 7: expect text css=\"#total\" equals \"$42.00\"",
        "at scenarios/checkout.toml:14",
        "expected: $42.00",
        "actual:   $0.00",
    ] {
        assert!(trace.contains(needle), "{needle:?} not in\n{trace}");
    }
    let error = checkout.child("flakyError").expect("a flakyError");
    assert_eq!(error.attr("type"), "infrastructure");
    assert_eq!(
        error.attr("message"),
        "scenarios/checkout.toml:6: browser crashed: DevTools connection closed"
    );
    assert!(
        error
            .child("system-out")
            .expect("a system-out")
            .text
            .starts_with("attempt 2 of 3: error on worker 0")
    );

    // A retry after a browser crash is a plain pass: the crash says nothing about the code.
    let login = case(&suite, fixture::ERROR);
    assert!(flaky_elements(login).is_empty(), "{login:?}");
    assert!(login.child("error").is_none());
}

#[test]
fn flaky_testcase_is_found_by_escaped_name_and_path() {
    let mut run = fixture::run();
    let name = "Search <b>&amp;</b> \"suggestions\"\u{7}";
    let path = "scenarios/<search> & \"co\".toml";
    let flaky = run
        .scenarios
        .iter_mut()
        .find(|s| s.name == fixture::FLAKY)
        .expect("the flaky scenario in the fixture");
    flaky.name = name.into();
    flaky.path = path.into();
    let failure = flaky.attempts[0].failure.as_mut().expect("a failure");
    failure.message = "gone \u{1b}[31m]]> </stackTrace> & \u{0}".into();
    failure.location = Some(format!("{path}:9"));
    // Same name in another file, passed: must not be taken for the flaky one.
    let mut namesake = run.scenarios[0].clone();
    namesake.name = name.into();
    run.scenarios.insert(0, namesake);

    let suite = suite(&run);
    let shown = "Search <b>&amp;</b> \"suggestions\"";
    assert!(flaky_elements(case_at(&suite, shown, "scenarios/home.toml")).is_empty());
    let flaky = case_at(&suite, shown, path);
    assert_eq!(flaky_elements(flaky), ["flakyFailure"]);
    let rerun = flaky.child("flakyFailure").expect("a flakyFailure");
    let message = format!("{path}:9: gone [31m]]> </stackTrace> & ");
    assert_eq!(rerun.attr("message"), message);
    let trace = &rerun.child("stackTrace").expect("a stackTrace").text;
    for needle in [
        format!("at {path}:9"),
        "gone [31m]]> </stackTrace> & ".into(),
    ] {
        assert!(trace.contains(&needle), "{needle:?} not in\n{trace}");
    }
}

#[test]
fn a_self_closed_testcase_is_opened_for_its_flaky_elements() {
    let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites><testsuite name=\"gate\">\
               <testcase name=\"Search suggestions\" time=\"7.7\" \
               classname=\"scenarios/search.toml\"/>\
               <testcase name=\"Login with SSO\" time=\"3.1\" classname=\"scenarios/login.toml\"/>\
               </testsuite></testsuites>";
    let out = flaky::insert_reruns(xml, &fixture::run()).expect("a well-formed input");
    let suite = parse(&out).children.pop().expect("a testsuite");
    let cases: Vec<_> = suite.children("testcase").map(flaky_elements).collect();
    assert_eq!(cases, [vec!["flakyFailure"], vec![]]);
    assert!(
        out.contains(
            "<testcase name=\"Login with SSO\" time=\"3.1\" classname=\"scenarios/login.toml\"/>"
        ),
        "{out}"
    );
}

#[test]
fn without_flaky_scenarios_the_xml_is_junit_reports_own() {
    let mut run = fixture::run();
    run.scenarios.retain(|s| s.outcome != Outcome::Flaky);
    assert_eq!(
        to_string(&run).expect("render the report"),
        junit_report_xml(&run).expect("render the report")
    );
}
