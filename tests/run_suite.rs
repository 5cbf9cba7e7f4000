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
    let run = GateRun::new(tmp.path(), &shop.base_url, examples())
        .workers(2)
        .arg("--junit")
        .arg(out.join("junit.xml"))
        .json_at(&out.join("result.json"))
        .arg("--report")
        .arg(out.join("report"))
        .output();
    let log = &run.log;
    assert_eq!(run.code, Some(0), "{log}");

    let result = &run.json;
    for name in ["login", "checkout", "api"] {
        let s = scenario(result, name);
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
    let checkout = scenario(result, "checkout");
    let shot = checkout["attempts"][0]["artifacts"]["screenshots"][0]["path"]
        .as_str()
        .unwrap();
    let png = std::fs::read(out.join("report/artifacts").join(shot)).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");

    // The login ran once for the whole run, although checkout reuses its session.
    assert_eq!(
        shop.count(|r| r.starts_with("POST /login")),
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
    let junit = tmp.path().join("j.xml");
    let json = tmp.path().join("r.json");
    let run = GateRun::new(tmp.path(), &shop.base_url, &file)
        .workers(1)
        .json_at(&json)
        .arg("--junit")
        .arg(&junit)
        .output();
    let log = run.log;
    assert_eq!(run.code, Some(1), "{log}");
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
