//! A webhook commit's staging URL, from the configured `base-url` template: `{pr}`, `{sha}`
//! and `{branch}` are replaced by the delivery's values.

use super::WebhookRun;

/// The template with every placeholder replaced; a placeholder the delivery has no value for
/// (`{pr}` on a push) becomes empty. [`staging_url`] refuses those instead.
pub fn base_url_for(template: &str, run: &WebhookRun) -> String {
    template
        .replace("{pr}", &run.pr.map(|p| p.to_string()).unwrap_or_default())
        .replace("{sha}", &run.commit)
        .replace("{branch}", run.branch.as_deref().unwrap_or_default())
}

/// The staging URL of `run`, or `None` when the template needs a value the delivery lacks
/// (a `{pr}` template and a push, a `{branch}` template and a tag): the caller should then
/// fall back to `default-base-url` rather than test a URL like `https://pr-.staging…`.
pub fn staging_url(template: &str, run: &WebhookRun) -> Option<String> {
    let lacks = |placeholder: &str, present: bool| template.contains(placeholder) && !present;
    if lacks("{pr}", run.pr.is_some()) || lacks("{branch}", run.branch.is_some()) {
        return None;
    }
    Some(base_url_for(template, run))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pr: Option<u64>, branch: Option<&str>) -> WebhookRun {
        WebhookRun {
            commit: "a".repeat(40),
            branch: branch.map(str::to_string),
            pr,
            committed_at: None,
            delivery_kind: "pull_request",
        }
    }

    #[test]
    fn placeholders_are_replaced() {
        let run = run(Some(7), Some("feature/x"));
        assert_eq!(
            base_url_for("https://pr-{pr}.staging.example.com", &run),
            "https://pr-7.staging.example.com"
        );
        assert_eq!(
            base_url_for("https://staging.example.com/{branch}/{sha}", &run),
            format!("https://staging.example.com/feature/x/{}", "a".repeat(40))
        );
    }

    #[test]
    fn a_missing_value_means_no_staging_url() {
        let push = run(None, Some("main"));
        assert_eq!(staging_url("https://pr-{pr}.example.com", &push), None);
        assert_eq!(
            staging_url("https://{branch}.example.com", &push).as_deref(),
            Some("https://main.example.com")
        );
        assert_eq!(
            staging_url("https://{branch}.example.com", &run(None, None)),
            None
        );
    }
}
