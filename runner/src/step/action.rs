//! The action half of a step: navigation, real input, waits, screenshots, scripts, requests.

use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::page::ScreenshotParams;
use gate_scenarios::{Action, Locator, Step, TextMatch, WaitFor};
use serde_json::{Value, json};

use super::{Deadline, Exec, Produced, load, locator_json, poll, request};
use crate::error::StepError;
use crate::page::script::{ActionPoint, ElementState, PageState};
use crate::page::{input, key_chord_events};

pub async fn perform(
    exec: &mut Exec<'_>,
    step: &Step,
    deadline: Deadline,
) -> Result<Produced, StepError> {
    let page = &exec.page.page;
    match &step.action {
        Action::Goto { url } => {
            let url = resolve_url(&exec.config.base_url, &exec.scope.render(url)?);
            load::goto(exec, &url, load::for_goto(step), deadline).await?;
        }
        Action::Click {
            target,
            button,
            click_count,
        } => {
            let point = clickable(exec, target, deadline).await?;
            let mark = exec.page.mark();
            input::click(page, point.x, point.y, *button, *click_count).await?;
            load::after_action(exec, mark, load::for_action(exec, step), deadline).await?;
        }
        Action::Fill { target, value } => {
            let value = exec.scope.render(value)?;
            actionable(exec, target, json!({ "need_enabled": true, "need_editable": true, "focus": true, "select_text": true }), deadline).await?;
            if value.is_empty() {
                for ev in key_chord_events("Delete").map_err(StepError::step)? {
                    input::send_key(page, &ev).await?;
                }
            } else {
                input::insert_text(page, &value).await?;
            }
        }
        Action::Select { target, options } => {
            actionable(exec, target, json!({ "need_enabled": true }), deadline).await?;
            let options = options
                .iter()
                .map(|o| exec.scope.render(o))
                .collect::<Result<Vec<_>, _>>()?;
            let args = json!({ "locator": locator_json(&exec.scope, target)?, "options": options });
            let mark = exec.page.mark();
            let answer: Value =
                crate::page::script::probe(page, "select", args, Duration::ZERO).await?;
            if answer["ok"] != json!(true) {
                let reason = answer["reason"]
                    .as_str()
                    .unwrap_or("cannot select")
                    .to_string();
                let available = answer["available"].as_array().map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                return Err(match available {
                    Some(list) => StepError::assertion(
                        format!("select {target}: {reason}"),
                        options.join(", "),
                        format!("options: {list}"),
                    ),
                    None => StepError::step(format!("select {target}: {reason}")),
                });
            }
            // A change handler may navigate (a country picker that reloads the page).
            load::after_action(exec, mark, load::for_action(exec, step), deadline).await?;
        }
        Action::Check { target } | Action::Uncheck { target } => {
            let want = matches!(step.action, Action::Check { .. });
            let point = clickable(exec, target, deadline).await?;
            if point.checked != Some(want) {
                let mark = exec.page.mark();
                input::click(page, point.x, point.y, Default::default(), 1).await?;
                load::after_action(exec, mark, load::for_action(exec, step), deadline).await?;
                let args = json!({ "locator": locator_json(&exec.scope, target)?, "want": { "checked": want } });
                let state: Option<ElementState> =
                    poll(exec, "state", args, deadline, |s: &ElementState| s.ok).await?;
                if !state.as_ref().is_some_and(|s| s.ok) {
                    let actual =
                        state
                            .and_then(|s| s.checked)
                            .map_or("not a checkbox".into(), |c| {
                                if c {
                                    "checked".to_string()
                                } else {
                                    "unchecked".to_string()
                                }
                            });
                    return Err(StepError::assertion(
                        format!(
                            "{target} did not become {}",
                            if want { "checked" } else { "unchecked" }
                        ),
                        if want { "checked" } else { "unchecked" },
                        actual,
                    ));
                }
            }
        }
        Action::Press { target, keys } => {
            if let Some(target) = target {
                actionable(exec, target, json!({ "focus": true }), deadline).await?;
            }
            let mark = exec.page.mark();
            for chord in keys {
                for ev in key_chord_events(chord).map_err(StepError::step)? {
                    input::send_key(page, &ev).await?;
                }
            }
            load::after_action(exec, mark, load::for_action(exec, step), deadline).await?;
        }
        Action::Hover { target } => {
            let point = actionable(exec, target, json!({ "need_stable": true }), deadline).await?;
            input::move_to(page, point.x, point.y).await?;
        }
        Action::WaitFor(wait) => wait_for(exec, wait, deadline).await?,
        Action::Screenshot { name, full_page } => {
            let params = ScreenshotParams::builder()
                .format(CaptureScreenshotFormat::Png)
                .full_page(*full_page)
                .build();
            let bytes = tokio::time::timeout(deadline.remaining(), page.screenshot(params))
                .await
                .map_err(|_| {
                    StepError::step(format!("screenshot did not finish {}", deadline.describe()))
                })??;
            let path = exec
                .artifacts
                .write(&format!("{name}.png"), &bytes)
                .map_err(|e| StepError::infra(format!("cannot write screenshot: {e}")))?;
            exec.screenshots.push(crate::result::NamedArtifact {
                name: name.clone(),
                path,
            });
        }
        Action::Eval { script } => {
            let script = exec.scope.render(script)?;
            let value = crate::page::script::evaluate(page, script, deadline.remaining())
                .await
                .map_err(|e| match e {
                    crate::page::ProbeError::Script(msg) => {
                        StepError::step(format!("script threw: {msg}"))
                    }
                    crate::page::ProbeError::Timeout => {
                        StepError::step(format!("script did not finish {}", deadline.describe()))
                    }
                    other => other.into(),
                })?;
            return Ok(Produced::Value(value));
        }
        Action::Request(req) => {
            return Ok(Produced::Response(
                request::send(exec, req, deadline).await?,
            ));
        }
        Action::None => {}
    }
    Ok(Produced::Nothing)
}

/// Waits until the element can take a click at its centre: enabled, and still.
async fn clickable(
    exec: &Exec<'_>,
    target: &Locator,
    deadline: Deadline,
) -> Result<ActionPoint, StepError> {
    let opts = json!({ "need_enabled": true, "need_stable": true });
    actionable(exec, target, opts, deadline).await
}

/// Waits until the element is ready for real input and returns where to send it.
async fn actionable(
    exec: &Exec<'_>,
    target: &Locator,
    mut opts: Value,
    deadline: Deadline,
) -> Result<ActionPoint, StepError> {
    if let Value::Object(map) = &mut opts {
        map.insert("locator".into(), locator_json(&exec.scope, target)?);
    }
    let point: Option<ActionPoint> = poll(exec, "actionable", opts, deadline, |p: &ActionPoint| {
        p.ok || p.fatal
    })
    .await?;
    match point {
        Some(p) if p.ok => Ok(p),
        Some(p) if p.fatal => Err(StepError::step(format!(
            "{target} {}: {}; add `nth = 0` or use a more specific locator",
            p.reason.unwrap_or_default(),
            p.candidates.join(", ")
        ))),
        Some(p) => {
            let reason = p.reason.unwrap_or_else(|| "not ready".into());
            let element = p.element.map(|e| format!(" ({e})")).unwrap_or_default();
            Err(StepError::step(format!(
                "{target}{element} was not ready for input {}: {reason}",
                deadline.describe()
            )))
        }
        None => Err(StepError::step(format!(
            "{target} was not ready for input {}: the page never answered",
            deadline.describe()
        ))),
    }
}

async fn wait_for(exec: &Exec<'_>, wait: &WaitFor, deadline: Deadline) -> Result<(), StepError> {
    match wait {
        WaitFor::Element { target, state } => {
            let args = json!({ "locator": locator_json(&exec.scope, target)?, "want": { "state": state.as_str() } });
            let last: Option<ElementState> =
                poll(exec, "state", args, deadline, |s: &ElementState| s.ok).await?;
            if last.as_ref().is_some_and(|s| s.ok) {
                return Ok(());
            }
            let actual =
                last.map_or_else(|| "no answer from the page".into(), |s| describe_state(&s));
            Err(StepError::assertion(
                format!(
                    "{target} did not become {} {}",
                    state.as_str(),
                    deadline.describe()
                ),
                state.as_str(),
                actual,
            ))
        }
        WaitFor::Url(m) => {
            let want = text_match_json(exec, m, true)?;
            let last: Option<PageState> = poll(
                exec,
                "page",
                json!({ "want": { "url": want } }),
                deadline,
                |s: &PageState| s.ok,
            )
            .await?;
            match last {
                Some(s) if s.ok => Ok(()),
                other => Err(StepError::assertion(
                    format!("the URL did not match {}", deadline.describe()),
                    m.to_string(),
                    other.map(|s| s.url).unwrap_or_default(),
                )),
            }
        }
        WaitFor::NetworkIdle { idle } => {
            if load::quiet(exec.page, *idle, deadline).await {
                return Ok(());
            }
            let busy = exec.page.inspect(|log| log.in_flight.len());
            Err(StepError::assertion(
                format!("the network did not become idle {}", deadline.describe()),
                "no requests in flight",
                format!("{busy} requests in flight"),
            ))
        }
    }
}

/// `{equals}` or `{contains}` with the template rendered; relative URLs made absolute.
pub fn text_match_json(exec: &Exec<'_>, m: &TextMatch, is_url: bool) -> Result<Value, StepError> {
    Ok(match m {
        TextMatch::Equals(t) => {
            let mut v = exec.scope.render(t)?;
            if is_url {
                v = resolve_url(&exec.config.base_url, &v);
            }
            json!({ "equals": v })
        }
        TextMatch::Contains(t) => json!({ "contains": exec.scope.render(t)? }),
    })
}

/// A short account of an element's state for "actual" in failures.
pub fn describe_state(s: &ElementState) -> String {
    if s.ambiguous {
        return format!("{} elements match ({})", s.count, s.candidates.join(", "));
    }
    if !s.attached {
        return "no element matches".into();
    }
    let visibility = if s.visible { "visible" } else { "hidden" };
    format!(
        "{} {visibility}, text \"{}\"",
        s.element.clone().unwrap_or_default(),
        s.text
    )
}

/// Absolute URLs are kept; others are joined to the base URL.
pub fn resolve_url(base: &str, url: &str) -> String {
    if url.contains("://") || url.starts_with("about:") || url.starts_with("data:") {
        return url.to_string();
    }
    match reqwest::Url::parse(base).and_then(|b| b.join(url)) {
        Ok(joined) => joined.to_string(),
        Err(_) => format!(
            "{}/{}",
            base.trim_end_matches('/'),
            url.trim_start_matches('/')
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::resolve_url;

    #[test]
    fn relative_urls_join_the_base() {
        assert_eq!(
            resolve_url("http://127.0.0.1:8080", "/cart"),
            "http://127.0.0.1:8080/cart"
        );
        assert_eq!(
            resolve_url("http://127.0.0.1:8080/app/", "cart"),
            "http://127.0.0.1:8080/app/cart"
        );
        assert_eq!(resolve_url("http://a", "http://b/x"), "http://b/x");
    }
}
