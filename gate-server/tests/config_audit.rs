//! Configuration and token changes land in the audit log when the server next starts: the
//! first start, a changed section (named), added and removed tokens (named, never shown), and
//! nothing when nothing changed.

#![allow(
    clippy::unwrap_used,
    reason = "a failed unwrap is a clear test failure"
)]

mod api_support;

use api_support::{PUBLIC_URL, config};
use gate_server::auth::{Scope, hash_token};
use gate_server::config::{ServerConfig, TokenConfig};
use gate_server::state::AppState;
use gate_server::store::{AuditFilter, Store};
use tokio_util::sync::CancellationToken;

async fn start(config: ServerConfig) -> Vec<(String, Option<String>)> {
    let store = Store::connect(&config.database_url).await.unwrap();
    let state = AppState::new(config, store.clone(), CancellationToken::new()).unwrap();
    state.service.audit_configuration().await.unwrap();
    store
        .audit(&AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.content.action.as_str().to_string(), e.content.reason))
        .collect()
}

#[tokio::test]
async fn changes_of_configuration_and_tokens_are_audited_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let base = config(dir.path());
    assert_eq!(base.public_url, PUBLIC_URL);
    let first = start(base.clone()).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].0, "config_changed");

    // The same configuration again: nothing new.
    assert_eq!(start(base.clone()).await, first);

    let mut changed = base.clone();
    changed.workers = 3;
    changed.tokens.retain(|t| t.name != "agent");
    changed.tokens.push(TokenConfig {
        name: "deployer".into(),
        hash: hash_token("a-new-secret-token"),
        scopes: vec![Scope::Deploy],
        expires: None,
        revoked: false,
    });
    for token in &mut changed.tokens {
        match token.name.as_str() {
            "read" => token.revoked = true,
            "submit" => token.expires = Some("2030-01-01T00:00:00Z".parse().unwrap()),
            _ => {}
        }
    }
    let after = start(changed).await;
    let new: Vec<_> = after[first.len()..].to_vec();
    assert_eq!(new.len(), 2, "{new:?}");
    assert_eq!(new[0].0, "config_changed");
    assert!(new[0].1.as_deref().unwrap().contains("workers"), "{new:?}");
    assert_eq!(new[1].0, "tokens_changed");
    let reason = new[1].1.as_deref().unwrap();
    assert!(
        reason.contains("added deployer")
            && reason.contains("removed agent")
            && reason.contains("revoked read")
            && reason.contains("changed submit"),
        "{reason}"
    );
    assert!(
        !reason.contains("a-new-secret-token") && !reason.contains("sha256"),
        "{reason}"
    );
}
