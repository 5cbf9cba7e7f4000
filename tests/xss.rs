//! Pages escape what users control. A real `gate serve` holds a run whose scenario's name,
//! description, step name and failure carry HTML, submitted for a branch named with HTML; a
//! forced deploy whose reason and hook output carry HTML; a release flow whose owner does. Then
//! gate's own runner walks every page in real Chromium (tests/xss-pages): each shows the
//! injected text as text, no element the markup would have made exists, and no script ran.
//! Names gate checks on the way in (services, versions) refuse markup outright.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod common;

use std::path::Path;

use common::server::*;
use common::*;

/// Markup that breaks out of an attribute value and makes an element `injected-<what>`, and
/// would set `window.__pwned` if it ever ran.
fn payload(what: &str) -> String {
    format!("\"><b id=injected-{what}>{what}</b><img src=x onerror=\"window.__pwned=1\">")
}

fn scenario(dir: &Path) -> std::path::PathBuf {
    let scenarios = dir.join("scenarios");
    std::fs::create_dir_all(&scenarios).unwrap();
    // TOML basic strings: the payload's quotes escaped.
    let toml = |s: String| s.replace('\\', "\\\\").replace('"', "\\\"");
    std::fs::write(
        scenarios.join("xss.toml"),
        format!(
            "name = \"{}\"\ndescription = \"{}\"\n\n[[step]]\ngoto = \"/\"\n\n[[step]]\nname = \"{}\"\nexpect = {{ selector = \"h1\", text = \"{}\" }}\ntimeout = \"1s\"\n",
            toml(format!("xss {}", payload("name"))),
            toml(payload("description")),
            toml(payload("step")),
            toml(payload("failure")),
        ),
    )
    .unwrap();
    scenarios
}

#[test]
fn injected_html_in_every_user_controlled_field_shows_as_text_on_every_page() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let shop = Shop::start(&[]);
    let extra = format!(
        "[[services]]\nname = \"shop\"\n\
         router = {{ kind = \"proxy\", admin-url = \"http://127.0.0.1:9\", token-env = \"XSS_PROXY_TOKEN\" }}\n\
         stable = {{ version = \"v1\", url = \"{}\" }}\n\
         hooks = {{ up = \"echo '{}' >&2; exit 3\" }}\n\n\
         [[release.stages]]\nname = \"qa-sign-off\"\nkind = \"manual\"\nowners = [\"{}\"]\n",
        shop.base_url,
        payload("hook").replace('"', "\\\""),
        payload("owner").replace('"', "\\\""),
    );
    let spec = ServerSpec {
        workers: 1,
        scenarios: scenario(dir),
        extra,
        ..ServerSpec::sqlite(dir)
    };
    let server = Server::start_with_env(dir, &spec, &[("XSS_PROXY_TOKEN", "not-used")]);

    let commit = sha("xss");
    let branch = payload("branch");
    let (code, said) = submit(&server, &commit, &shop.base_url, &["--branch", &branch]);
    assert_eq!(code, Some(0), "{said}");
    let (code, said) = wait(&server, &commit, "120s");
    assert_eq!(
        code,
        Some(1),
        "the scenario fails at its injected expectation: {said}"
    );
    let run = server.run_of(&commit)["id"].as_str().unwrap().to_string();

    let deploy = gate(dir)
        .args(["deploy", "--server", &server.url, "--token", ADMIN_TOKEN])
        .args(["--service", "shop", "--version", "v2", "--commit", &commit])
        .args(["--force", "--reason", &payload("reason")])
        .output()
        .unwrap();
    assert_eq!(deploy.status.code(), Some(1), "{}", text(&deploy));
    let (_, list) = server.get("/api/v1/deployments", READ_TOKEN);
    let deployment = list["deployments"][0]["id"].as_str().unwrap().to_string();

    // Names that become identifiers refuse markup on the way in.
    let bad_version = gate(dir)
        .args(["deploy", "--server", &server.url, "--token", ADMIN_TOKEN])
        .args([
            "--service",
            "shop",
            "--version",
            "<b>v3</b>",
            "--commit",
            &commit,
        ])
        .output()
        .unwrap();
    assert_eq!(bad_version.status.code(), Some(2), "{}", text(&bad_version));

    let pages = GateRun::new(dir, &server.url, repo().join("tests/xss-pages"))
        .workers(1)
        .env("GATE_TOKEN", READ_TOKEN)
        .json_at(&dir.join("pages.json"))
        .args(["--var", &format!("run={run}")])
        .args(["--var", &format!("commit={commit}")])
        .args(["--var", &format!("deployment={deployment}")])
        .output();
    assert_eq!(pages.code, Some(0), "{}\n{:#}", pages.log, pages.json);
}
