//! GitHub webhooks: signature verification (HMAC-SHA256 over the raw body, constant time) and
//! the events that start runs: `push`, `pull_request`, `merge_group`.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// A commit a webhook asks to test.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookRun {
    pub commit: String,
    pub branch: Option<String>,
    pub pr: Option<u64>,
    pub committed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WebhookAction {
    Submit(WebhookRun),
    /// Valid but nothing to do (a ping, a closed PR, a deleted branch).
    Ignore(String),
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WebhookError {
    #[error("missing X-Hub-Signature-256 header")]
    MissingSignature,
    #[error("the signature does not match the body")]
    BadSignature,
    #[error("the payload is not valid JSON: {0}")]
    BadJson(String),
    #[error("the {event} payload lacks `{field}`")]
    Missing { event: String, field: &'static str },
}

/// Checks `X-Hub-Signature-256: sha256=<hex>` against the raw body.
pub fn verify_signature(
    secret: &[u8],
    body: &[u8],
    header: Option<&str>,
) -> Result<(), WebhookError> {
    let header = header.ok_or(WebhookError::MissingSignature)?;
    let hex_sig = header
        .strip_prefix("sha256=")
        .ok_or(WebhookError::BadSignature)?;
    let signature = hex::decode(hex_sig).map_err(|_| WebhookError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| WebhookError::BadSignature)?;
    mac.update(body);
    // verify_slice compares in constant time.
    mac.verify_slice(&signature)
        .map_err(|_| WebhookError::BadSignature)
}

/// What a (verified) delivery asks for.
pub fn parse_event(event: &str, body: &[u8]) -> Result<WebhookAction, WebhookError> {
    let payload: Value =
        serde_json::from_slice(body).map_err(|e| WebhookError::BadJson(e.to_string()))?;
    let missing = |field| WebhookError::Missing {
        event: event.to_string(),
        field,
    };
    let text = |v: &Value| v.as_str().map(str::to_string);
    match event {
        "ping" => Ok(WebhookAction::Ignore("ping".into())),
        "push" => {
            let after = payload["after"].as_str().ok_or_else(|| missing("after"))?;
            if payload["deleted"].as_bool() == Some(true) || after.bytes().all(|b| b == b'0') {
                return Ok(WebhookAction::Ignore("branch deleted".into()));
            }
            Ok(WebhookAction::Submit(WebhookRun {
                commit: after.to_string(),
                branch: payload["ref"]
                    .as_str()
                    .map(|r| r.strip_prefix("refs/heads/").unwrap_or(r).to_string()),
                pr: None,
                committed_at: text(&payload["head_commit"]["timestamp"]),
            }))
        }
        "pull_request" => {
            let action = payload["action"].as_str().unwrap_or_default();
            if !matches!(
                action,
                "opened" | "synchronize" | "reopened" | "ready_for_review"
            ) {
                return Ok(WebhookAction::Ignore(format!("pull_request {action}")));
            }
            let pr = &payload["pull_request"];
            Ok(WebhookAction::Submit(WebhookRun {
                commit: pr["head"]["sha"]
                    .as_str()
                    .ok_or_else(|| missing("pull_request.head.sha"))?
                    .to_string(),
                branch: text(&pr["head"]["ref"]),
                pr: payload["number"].as_u64().or_else(|| pr["number"].as_u64()),
                committed_at: None,
            }))
        }
        "merge_group" => {
            let action = payload["action"].as_str().unwrap_or_default();
            if action != "checks_requested" {
                return Ok(WebhookAction::Ignore(format!("merge_group {action}")));
            }
            let group = &payload["merge_group"];
            Ok(WebhookAction::Submit(WebhookRun {
                commit: group["head_sha"]
                    .as_str()
                    .ok_or_else(|| missing("merge_group.head_sha"))?
                    .to_string(),
                branch: group["head_ref"]
                    .as_str()
                    .map(|r| r.strip_prefix("refs/heads/").unwrap_or(r).to_string()),
                pr: None,
                committed_at: None,
            }))
        }
        other => Ok(WebhookAction::Ignore(format!(
            "event `{other}` is not used"
        ))),
    }
}

/// The staging URL of a webhook's commit: `{pr}`, `{sha}`, `{branch}` replaced.
pub fn base_url_for(template: &str, run: &WebhookRun) -> String {
    template
        .replace("{pr}", &run.pr.map(|p| p.to_string()).unwrap_or_default())
        .replace("{sha}", &run.commit)
        .replace("{branch}", run.branch.as_deref().unwrap_or_default())
}

/// The signature header a body gets with `secret` (for tests and tools).
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked() {
        let body = br#"{"zen":"hi"}"#;
        let sig = sign(b"s3cret", body);
        assert_eq!(verify_signature(b"s3cret", body, Some(&sig)), Ok(()));
        assert_eq!(
            verify_signature(b"other", body, Some(&sig)),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_signature(b"s3cret", b"tampered", Some(&sig)),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_signature(b"s3cret", body, None),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify_signature(b"s3cret", body, Some("sha1=abc")),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn events_become_runs() {
        let sha = "a".repeat(40);
        let push = format!(
            r#"{{"ref":"refs/heads/main","after":"{sha}","deleted":false,"head_commit":{{"timestamp":"2026-11-26T10:00:00Z"}}}}"#
        );
        let WebhookAction::Submit(run) = parse_event("push", push.as_bytes()).unwrap() else {
            panic!()
        };
        assert_eq!(
            (run.branch.as_deref(), run.committed_at.as_deref()),
            (Some("main"), Some("2026-11-26T10:00:00Z"))
        );
        let pr = format!(
            r#"{{"action":"synchronize","number":7,"pull_request":{{"head":{{"sha":"{sha}","ref":"feature"}}}}}}"#
        );
        let WebhookAction::Submit(run) = parse_event("pull_request", pr.as_bytes()).unwrap() else {
            panic!()
        };
        assert_eq!(run.pr, Some(7));
        assert_eq!(
            base_url_for("https://pr-{pr}.example.com", &run),
            "https://pr-7.example.com"
        );
        let mg = format!(
            r#"{{"action":"checks_requested","merge_group":{{"head_sha":"{sha}","head_ref":"refs/heads/gh-readonly-queue/main/pr-7"}}}}"#
        );
        assert!(matches!(
            parse_event("merge_group", mg.as_bytes()).unwrap(),
            WebhookAction::Submit(_)
        ));
        assert!(matches!(
            parse_event("pull_request", br#"{"action":"closed"}"#).unwrap(),
            WebhookAction::Ignore(_)
        ));
        assert!(matches!(
            parse_event("ping", b"{}").unwrap(),
            WebhookAction::Ignore(_)
        ));
        assert!(parse_event("push", b"not json").is_err());
    }
}
