//! The bundled scenarios against the healthy demo shop: everything passes, every report is
//! written, and the login secret appears in none of the output.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use common::*;

#[test]
fn bundled_scenarios_pass_and_reports_are_written_without_secrets() {
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let output = gate(tmp.path())
        .args(["run", "--base-url", &shop.base_url, "--workers", "2"])
        .arg(examples())
        .arg("--junit")
        .arg(out.join("junit.xml"))
        .arg("--json")
        .arg(out.join("result.json"))
        .arg("--report")
        .arg(out.join("report"))
        .output()
        .unwrap();
    let log = text(&output);
    assert_eq!(output.status.code(), Some(0), "{log}");

    let result = read_json(&out.join("result.json"));
    for name in ["login", "checkout", "api"] {
        let s = scenario(&result, name);
        assert_eq!(s["outcome"], "passed", "{name}: {s:#}");
        assert!(
            s["attempts"][0]["steps"]
                .as_array()
                .unwrap()
                .iter()
                .all(|st| st["outcome"] == "passed")
        );
    }
    // The checkout's screenshot step left a picture in the report.
    let checkout = scenario(&result, "checkout");
    let shot = checkout["attempts"][0]["artifacts"]["screenshots"][0]["path"]
        .as_str()
        .unwrap();
    let png = std::fs::read(out.join("report/artifacts").join(shot)).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");

    // The login ran once for the whole run, although checkout reuses its session.
    let logins = shop
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST /login"))
        .count();
    assert_eq!(
        logins,
        2,
        "one form login by `login` and one API login by `api`; saw {:?}",
        shop.requests()
    );

    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(
        junit.contains("<testcase") && junit.contains("name=\"checkout\""),
        "{junit}"
    );
    assert!(!junit.contains("<failure"), "{junit}");
    assert!(out.join("report/index.html").is_file());

    // The secret is nowhere: not in stdout/stderr, not in any report or artifact.
    assert!(
        !log.contains(PASSWORD),
        "secret leaked to the terminal:\n{log}"
    );
    for file in files_under(&out) {
        let bytes = std::fs::read(&file).unwrap();
        let hay = String::from_utf8_lossy(&bytes);
        assert!(
            !hay.contains(PASSWORD),
            "secret leaked into {}",
            file.display()
        );
    }
    assert!(log.contains("gate: 3 passed, 0 failed"), "{log}");
}

#[test]
fn failing_secrets_are_redacted_in_failure_messages() {
    // A scenario whose failing assertion would print the secret: the report shows *** instead.
    let shop = Shop::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("leak.toml");
    std::fs::write(
        &file,
        r#"name = "leak"
[[step]]
request = { url = "/api/health?token={{secret.SHOP_PASSWORD}}" }
expect = { status = 200, json = { "$.status" = "{{secret.SHOP_PASSWORD}}" } }
"#,
    )
    .unwrap();
    let json = tmp.path().join("r.json");
    let junit = tmp.path().join("j.xml");
    let output = gate(tmp.path())
        .args(["run", "--base-url", &shop.base_url, "--workers", "1"])
        .arg(&file)
        .arg("--json")
        .arg(&json)
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    let log = text(&output);
    assert_eq!(output.status.code(), Some(1), "{log}");
    let result = std::fs::read_to_string(&json).unwrap();
    assert!(
        result.contains("***"),
        "the expected value is shown redacted: {result}"
    );
    for hay in [
        log.as_str(),
        result.as_str(),
        &std::fs::read_to_string(&junit).unwrap(),
    ] {
        assert!(!hay.contains(PASSWORD), "secret leaked: {hay}");
    }
}
