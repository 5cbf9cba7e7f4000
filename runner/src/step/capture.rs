//! Captures: values from a response, a script result, the page or its cookies, stored in
//! variables for later steps.

use gate_scenarios::{Capture, CaptureSource};
use serde_json::{Value, json};

use super::expect::query;
use super::{Deadline, Exec, Produced, locator_json, poll};
use crate::error::StepError;
use crate::page::script::{ElementState, PageState};

pub async fn take(
    exec: &mut Exec<'_>,
    capture: &Capture,
    produced: &Produced,
    deadline: Deadline,
) -> Result<(), StepError> {
    let value = match &capture.source {
        CaptureSource::Json(path) => {
            let source = match produced {
                Produced::Value(v) => v.clone(),
                Produced::Response(r) => r.json().map_err(|e| {
                    StepError::step(format!(
                        "cannot capture `{}`: the response is not JSON ({e})",
                        capture.var
                    ))
                })?,
                Produced::Nothing => {
                    return Err(StepError::step(format!(
                        "cannot capture `{}`: this step produced no value",
                        capture.var
                    )));
                }
            };
            match query(path, &source)? {
                Some(Value::String(s)) => s,
                Some(other) => other.to_string(),
                None => {
                    return Err(StepError::assertion(
                        format!("cannot capture `{}`: `{path}` selects nothing", capture.var),
                        format!("a value at {path}"),
                        "no value",
                    ));
                }
            }
        }
        CaptureSource::Header(name) => {
            let Produced::Response(r) = produced else {
                return Err(StepError::step(format!(
                    "cannot capture `{}`: header captures need a request step",
                    capture.var
                )));
            };
            r.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .ok_or_else(|| {
                    StepError::assertion(
                        format!("cannot capture `{}`: no `{name}` header", capture.var),
                        format!("a `{name}` header"),
                        "none",
                    )
                })?
        }
        CaptureSource::Cookie(name) => {
            let state: Option<PageState> =
                poll(exec, "page", json!({}), deadline, |_: &PageState| true).await?;
            let mut urls = vec![exec.config.base_url.clone()];
            if let Some(s) = state.filter(|s| s.url.starts_with("http")) {
                urls.push(s.url);
            }
            let cookies = exec.page.cookies(urls).await?;
            cookies
                .into_iter()
                .find(|c| &c.name == name)
                .map(|c| c.value)
                .ok_or_else(|| {
                    StepError::assertion(
                        format!("cannot capture `{}`: no cookie `{name}`", capture.var),
                        format!("a cookie `{name}`"),
                        "none",
                    )
                })?
        }
        CaptureSource::Url => {
            let state: Option<PageState> =
                poll(exec, "page", json!({}), deadline, |_: &PageState| true).await?;
            state.map(|s| s.url).unwrap_or_default()
        }
        CaptureSource::Element { target, attribute } => {
            let names: Vec<&String> = attribute.iter().collect();
            let args = json!({ "locator": locator_json(&exec.scope, target)?, "want": { "state": "attached" }, "attributes": names });
            let state: Option<ElementState> =
                poll(exec, "state", args, deadline, |s: &ElementState| s.ok).await?;
            let state = state.filter(|s| s.ok).ok_or_else(|| {
                StepError::assertion(
                    format!(
                        "cannot capture `{}`: {target} not found {}",
                        capture.var,
                        deadline.describe()
                    ),
                    format!("an element {target}"),
                    "none",
                )
            })?;
            match attribute {
                None => state.text,
                Some(name) => state
                    .attributes
                    .get(name)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| {
                        StepError::assertion(
                            format!(
                                "cannot capture `{}`: {target} has no `{name}` attribute",
                                capture.var
                            ),
                            format!("attribute `{name}`"),
                            "none",
                        )
                    })?,
            }
        }
    };
    exec.scope.capture(&capture.var, value);
    Ok(())
}
