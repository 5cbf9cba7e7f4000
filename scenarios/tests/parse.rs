//! Valid scenarios parse into the expected model: every action, expectation and capture form.

use std::time::Duration;

use gate_scenarios::{
    Action, Body, CaptureSource, CheckOptions, ElementState, Expect, LocatorKind, MouseButton,
    SourceFile, TextMatch, WaitFor, WaitUntil, check_suite, parse_scenario,
};

const EVERYTHING: &str = r##"
name = "everything"
description = "uses every construct once"
tags = ["smoke", "demo"]
timeout = "1m30s"
step_timeout = "5s"
retries = 2
session = "login"
wait_until = "domcontentloaded"

[vars]
product = "Blue Mug"
search = "/search?q={{product}}&env={{env}}"

[[step]]
goto = "{{search}}"
name = "search for it"
timeout = "10s"

[[step]]
click = { role = "link", name = "{{product}}", exact = true, nth = 0 }
wait_until = "load"

[[step]]
click = { text = "Options", button = "right", count = 2 }

[[step]]
fill = { label = "Quantity", value = "2" }

[[step]]
select = { test_id = "colour", options = ["blue", "red"] }

[[step]]
check = "#terms"

[[step]]
uncheck = { label = "Newsletter" }

[[step]]
hover = { selector = ".menu" }

[[step]]
press = ["Control+A", "Shift++", "Backspace"]

[[step]]
press = { keys = "Enter", role = "searchbox" }

[[step]]
wait_for = { text = "Saved", state = "hidden" }

[[step]]
wait_for = { url_contains = "/cart" }

[[step]]
wait_for = { network_idle = true }

[[step]]
screenshot = { name = "cart_page-1", full_page = true }

[[step]]
eval = "document.querySelectorAll('.item').length"
expect = { json = { "$" = 2 } }
capture = { items = "$" }

[[step]]
request = { method = "post", url = "/api/orders", headers = { X-Items = "{{items}}" }, json = { sku = "MUG-1", qty = 2, gift = false, price = 12.5 } }
expect = { status = [200, 201], headers = { Content-Type = "application/json" }, json = { "$.items[0].name" = "{{product}}" }, body_contains = "ok", max_duration = "2s" }
capture = { order_id = "$.id", location = { header = "Location" }, sid = { cookie = "sid" } }

[[step]]
request = { method = "PUT", url = "/api/orders/{{order_id}}", form = { note = "gift" } }
expect = { status = 204 }

[[step]]
request = { url = "/raw", body = "hello {{secret.TOKEN}}" }
expect = { status = 200 }

[[step]]
goto = "/orders/{{order_id}}"
expect = { selector = "h1", text = "Order {{order_id}}" }
capture = { here = { url = true }, total = { test_id = "total" }, link = { role = "link", name = "Invoice", attribute = "href" } }

[[step]]
expect = { text = "Thank you", visible = true }

[[step]]
expect = { selector = ".item", count = 2, attributes = { data-state = "ready" } }

[[step]]
expect = { label = "Email", value = "qa@example.com", nth = 1 }

[[step]]
expect = { url = "/orders/{{order_id}}", title_contains = "Order" }

[[step]]
expect = { role = "status", contains = "Paid" }

[session_check]
goto = "/account"
expect = { text = "Log out", visible = true }
"##;

#[test]
fn parses_every_construct() {
    let options = CheckOptions {
        external_vars: ["env".to_string()].into(),
        known_secrets: Some(["TOKEN".to_string()].into()),
    };
    let file = SourceFile {
        path: "everything.toml",
        text: EVERYTHING,
    };
    let login = SourceFile {
        path: "login.toml",
        text: "name = \"login\"\n[[step]]\ngoto = \"/login\"\n",
    };
    let (suite, diagnostics) = check_suite(&[file, login], &options);
    let rendered: Vec<String> = diagnostics
        .iter()
        .map(|d| d.render(EVERYTHING, false))
        .collect();
    assert!(diagnostics.is_empty(), "{}", rendered.join("\n\n"));
    let s = suite.get("everything").expect("parsed");

    assert_eq!(s.path, "everything.toml");
    assert_eq!(s.tags, ["smoke", "demo"]);
    assert_eq!(s.timeout, Some(Duration::from_secs(90)));
    assert_eq!(s.step_timeout, Some(Duration::from_secs(5)));
    assert_eq!(s.retries, 2);
    assert_eq!(s.session.as_deref(), Some("login"));
    assert_eq!(s.vars.len(), 2);
    assert_eq!(s.steps.len(), 24);
    assert!(s.session_check.is_some());
    assert_eq!(s.wait_until, Some(WaitUntil::DomContentLoaded));
    assert_eq!(s.steps[0].wait_until, None);
    assert_eq!(s.steps[1].wait_until, Some(WaitUntil::Load));

    let first = &s.steps[0];
    assert_eq!((first.location.line, first.location.column), (15, 1));
    assert_eq!(first.name.as_deref(), Some("search for it"));
    assert_eq!(first.timeout, Some(Duration::from_secs(10)));
    assert_eq!(s.steps[23].index, 23);

    match &s.steps[2].action {
        Action::Click {
            target,
            button,
            click_count,
        } => {
            assert!(matches!(
                target.kind,
                LocatorKind::Text { exact: false, .. }
            ));
            assert_eq!((*button, *click_count), (MouseButton::Right, 2));
        }
        other => panic!("{other:?}"),
    }
    match &s.steps[8].action {
        Action::Press { target, keys } => {
            assert!(target.is_none());
            assert_eq!(keys, &["Control+A", "Shift++", "Backspace"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        &s.steps[10].action,
        Action::WaitFor(WaitFor::Element {
            state: ElementState::Hidden,
            ..
        })
    ));
    assert!(matches!(
        &s.steps[12].action,
        Action::WaitFor(WaitFor::NetworkIdle { idle }) if *idle == Duration::from_millis(500)
    ));
    assert!(matches!(
        &s.steps[13].action,
        Action::Screenshot { name, full_page: true } if name == "cart_page-1"
    ));

    let request = &s.steps[15];
    match &request.action {
        Action::Request(r) => {
            assert_eq!(r.method, "POST");
            assert_eq!(r.headers[0].0, "X-Items");
            assert!(matches!(&r.body, Some(Body::Json(j)) if j["qty"] == 2 && j["price"] == 12.5));
        }
        other => panic!("{other:?}"),
    }
    match &request.expect {
        Some(Expect::Response(r)) => {
            assert_eq!(r.status, [200, 201]);
            assert_eq!(r.headers[0].0, "content-type");
            assert_eq!(r.json[0].path, "$.items[0].name");
            assert_eq!(r.max_duration, Some(Duration::from_secs(2)));
        }
        other => panic!("{other:?}"),
    }
    let sources: Vec<_> = request.captures.iter().map(|c| &c.source).collect();
    assert_eq!(
        sources,
        [
            &CaptureSource::Json("$.id".into()),
            &CaptureSource::Header("location".into()),
            &CaptureSource::Cookie("sid".into()),
        ]
    );

    match &s.steps[18].expect {
        Some(Expect::Page(p)) => {
            assert!(matches!(
                p.target.as_ref().map(|t| &t.kind),
                Some(LocatorKind::Css(css)) if css.source() == "h1"
            ));
            assert!(
                matches!(&p.text, Some(TextMatch::Equals(t)) if t.source() == "Order {{order_id}}")
            );
        }
        other => panic!("{other:?}"),
    }
    match &s.steps[19].expect {
        Some(Expect::Page(p)) => {
            assert!(matches!(
                p.target.as_ref().map(|t| &t.kind),
                Some(LocatorKind::Text { .. })
            ));
            assert!(p.text.is_none());
            assert_eq!(p.visible, Some(true));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        &s.steps[18].captures[2].source,
        CaptureSource::Element { attribute: Some(a), .. } if a == "href"
    ));
    assert_eq!(s.steps[19].action, Action::None);
}

#[test]
fn parse_scenario_reports_everything_in_order() {
    let text = "name = 3\nretries = 11\n\n[[step]]\nclik = \"#b\"\n";
    let errors = parse_scenario("f.toml", text).expect_err("broken");
    let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`name` must be a string, found an integer",
            "`retries` must be between 0 and 10, found 11",
            "unknown key `clik` in step",
        ]
    );
}

#[test]
fn parse_scenario_does_not_know_external_vars() {
    let text = "name = \"a\"\n[[step]]\ngoto = \"{{host}}/\"\n";
    let errors = parse_scenario("f.toml", text).expect_err("undefined");
    assert_eq!(errors[0].message, "undefined variable `host`");
    let options = CheckOptions {
        external_vars: ["host".to_string()].into(),
        known_secrets: None,
    };
    let (suite, diagnostics) = check_suite(&[SourceFile { path: "f", text }], &options);
    assert!(diagnostics.is_empty());
    assert_eq!(suite.scenarios.len(), 1);
}

/// Arbitrary bytes never panic the parser or the renderer.
#[test]
fn survives_garbage() {
    let inputs = [
        "",
        "\u{feff}",
        "[[step]]\n[[step]]\nstep = 1",
        "step = [[], {}, 1, \"\", [1]]",
        "name = \"é\"\n[[step]]\ngoto = \"\\u00e9{{\"\n",
        "name = \"x\"\n[session_check]\n[[step]]\nexpect = {}\ncapture = {}\n",
        "[step]\ngoto = 1\n[step.expect]\nx = 1",
        "name = 'x'\nstep = [{ press = { keys = [] } }, { press = \"+\" }, { press = \"++\" }]",
        "a = \"\"\"\n{{x\"\"\"\nb.c.d = 1\n\"$.x\" = 2",
        "name = \"x\"\n[[step]]\nrequest = { json = { a = nan, b = inf }, url = \"/\" }\n",
        "name = \"x\"\n[[step]]\nexpect = { count = 99999999999999999999 }\n",
    ];
    for text in inputs {
        for diagnostic in parse_scenario("g.toml", text).err().unwrap_or_default() {
            let _ = diagnostic.render(text, true);
            let _ = diagnostic.render(text, false);
        }
    }
}
