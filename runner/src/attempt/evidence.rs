//! The last phase before closing: for a failed attempt, its failure and (when the page is at
//! fault rather than the browser) a screenshot and the page's HTML as it was; for a passing
//! attempt asked to keep it, the final browser state (cookies, local storage) that later
//! scenarios start from.

use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;
use serde_json::json;

use super::record::AttemptRecord;
use super::{AttemptEnv, AttemptPlan, failure_of};
use crate::config::RunConfig;
use crate::error::StepError;
use crate::page::ScenarioPage;
use crate::page::context::cookie_param;
use crate::result::Artifacts;
use crate::scope::Redactor;
use crate::session::StorageState;
use crate::step::ArtifactPlace;

/// Time allowed to collect evidence after a failure.
const EVIDENCE_LIMIT: Duration = Duration::from_secs(5);

/// Records the failure of step `failed` (index, error) with its evidence, or reads the final
/// state of a passing attempt if the plan asks for it.
pub(super) async fn conclude(
    env: &AttemptEnv<'_>,
    plan: &AttemptPlan<'_>,
    page: &ScenarioPage,
    place: &ArtifactPlace,
    failed: Option<(usize, StepError)>,
    record: &mut AttemptRecord,
) -> Option<StorageState> {
    let Some((index, err)) = failed else {
        return if plan.keep_state {
            storage_state(page, env.config).await
        } else {
            None
        };
    };
    if !err.is_infra() {
        collect_evidence(page, env.redactor, place, &mut record.artifacts).await;
    }
    let step = &plan.scenario.steps[index];
    record.failure = Some(failure_of(env, plan.scenario, Some(step), err));
    None
}

/// Screenshot and HTML of the page as it was when the step failed.
async fn collect_evidence(
    page: &ScenarioPage,
    redactor: &Redactor,
    place: &ArtifactPlace,
    artifacts: &mut Artifacts,
) {
    // A navigation that timed out is still pending and would hold the screenshot back: stop
    // it, so the evidence shows what the page displays now.
    let _ = tokio::time::timeout(
        EVIDENCE_LIMIT,
        page.page
            .execute(chromiumoxide::cdp::browser_protocol::page::StopLoadingParams::default()),
    )
    .await;
    let params = ScreenshotParams::builder()
        .format(CaptureScreenshotFormat::Png)
        .full_page(true)
        .build();
    if let Ok(Ok(png)) = tokio::time::timeout(EVIDENCE_LIMIT, page.page.screenshot(params)).await {
        artifacts.failure_screenshot = place.write("failure.png", &png).ok();
    }
    if let Ok(Ok(html)) = tokio::time::timeout(EVIDENCE_LIMIT, page.page.content()).await {
        artifacts.page_html = place
            .write("page.html", redactor.redact(&html).as_bytes())
            .ok();
    }
}

/// Cookies for the base URL and the current page, and the current origin's local storage.
async fn storage_state(page: &ScenarioPage, config: &RunConfig) -> Option<StorageState> {
    let storage: serde_json::Value =
        crate::page::script::probe(&page.page, "storage", json!({}), Duration::ZERO)
            .await
            .ok()?;
    let mut urls = vec![config.base_url.clone()];
    if let Some(origin) = storage["origin"].as_str().filter(|o| o.starts_with("http")) {
        urls.push(origin.to_string());
    }
    let cookies = page.cookies(urls).await.ok()?;
    let mut state = StorageState {
        cookies: cookies.iter().map(cookie_param).collect(),
        ..StorageState::default()
    };
    if let (Some(origin), Some(items)) = (storage["origin"].as_str(), storage["items"].as_object())
    {
        if !items.is_empty() {
            let items = items
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect();
            state.local_storage.insert(origin.to_string(), items);
        }
    }
    Some(state)
}
