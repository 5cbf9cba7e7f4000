//! The end of `gate demo`: this week's digest of what the demo just did — its deploys, the one
//! rolled back automatically and the recovery time — as the Monday digest would say it, and the
//! dashboard: saved next to the report as it stood, and live for as long as the demo's server
//! keeps serving (`--keep-serving`); last, the seven-gate review of the demo's own pipeline.

use std::path::Path;

use crate::demo_deploy::{Api, line};

/// Prints the digest of this week so far and saves the dashboard beside the report.
pub(crate) async fn finish(api: &Api, report: &Path) {
    eprintln!("\n── This week's digest: what the demo just did ──────────────────────────");
    match api
        .get::<serde_json::Value>("/api/v1/report?week=current")
        .await
    {
        Ok(answer) => {
            let text = answer["text"].as_str().unwrap_or_default();
            for l in text.lines() {
                line(l);
            }
        }
        Err(err) => line(&format!("the report is not available: {err}")),
    }
    let saved = report.join("dashboard.html");
    match api.text("/dashboard").await {
        Ok(page) if std::fs::write(&saved, snapshot(&page)).is_ok() => line(&format!(
            "the dashboard as it stood: {} (open it in a browser)",
            saved.display()
        )),
        Ok(_) => line(&format!("cannot write {}", saved.display())),
        Err(err) => line(&format!("the dashboard is not available: {err}")),
    }
    eprintln!("\n── The seven gates of this pipeline (`gate review`) ───────────────────");
    match api.get::<serde_json::Value>("/api/v1/review").await {
        Ok(answer) => {
            for l in answer["text"].as_str().unwrap_or_default().lines() {
                line(l);
            }
        }
        Err(err) => line(&format!("the review is not available: {err}")),
    }
}

/// The live page as a file: without its script, which only listens to the server for changes.
fn snapshot(page: &str) -> String {
    match (page.find("<script"), page.find("</script>")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{}", &page[..start], &page[end + "</script>".len()..])
        }
        _ => page.to_string(),
    }
}

/// Keeps the server up until Ctrl-C, saying where and how to log in.
pub(crate) async fn keep_serving(server_url: &str, viewer: &str) {
    line(&format!(
        "the gate server keeps serving: open {server_url}/dashboard and log in with the read-only token {viewer} (it lasts as long as this demo); Ctrl-C stops it"
    ));
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::snapshot;

    #[test]
    fn the_snapshot_drops_only_the_script() {
        let page = "<main>a</main><script>new EventSource('/x')</script><p>b</p>";
        assert_eq!(snapshot(page), "<main>a</main><p>b</p>");
        assert_eq!(snapshot("<p>no script</p>"), "<p>no script</p>");
    }
}
