//! Calls into the in-page probe (`probe.js`): element and page state, actionability and
//! `<select>` handling, each as one `Runtime.evaluate` that waits inside the page (frame by frame)
//! for up to a budget, so a passing check costs one round trip.

use std::time::Duration;

use chromiumoxide::Page;
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::error::CdpError;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const PROBE: &str = include_str!("probe.js");

/// Why a probe call did not return a value.
#[derive(Debug)]
pub enum ProbeError {
    /// The page navigated while the call ran; try again on the new document.
    ContextGone,
    /// The script threw (bad selector, user script error): the message, for the user.
    Script(String),
    /// The DevTools call itself failed.
    Cdp(CdpError),
    /// No answer within the allowed time: the page is busy or hung.
    Timeout,
}

/// State of the element a locator points at.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ElementState {
    /// The wanted state was reached.
    #[serde(default)]
    pub ok: bool,
    pub count: usize,
    #[serde(default)]
    pub ambiguous: bool,
    #[serde(default)]
    pub candidates: Vec<String>,
    #[serde(default)]
    pub attached: bool,
    #[serde(default)]
    pub visible: bool,
    #[serde(default)]
    pub text: String,
    pub value: Option<String>,
    pub checked: Option<bool>,
    #[serde(default)]
    pub attributes: serde_json::Map<String, Value>,
    pub element: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageState {
    #[serde(default)]
    pub ok: bool,
    pub url: String,
    pub title: String,
}

/// Where to send input for an element, or why it is not ready.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionPoint {
    pub ok: bool,
    #[serde(default)]
    pub x: f64,
    #[serde(default)]
    pub y: f64,
    pub reason: Option<String>,
    pub element: Option<String>,
    #[serde(default)]
    pub candidates: Vec<String>,
    /// Ambiguous locators never become actionable by waiting.
    #[serde(default)]
    pub fatal: bool,
    pub checked: Option<bool>,
}

/// Runs `op` of the probe with `args`, waiting inside the page for up to `budget`.
pub async fn probe<T: DeserializeOwned>(
    page: &Page,
    op: &str,
    mut args: Value,
    budget: Duration,
) -> Result<T, ProbeError> {
    if let Value::Object(map) = &mut args {
        map.insert("budget".into(), json!(budget.as_millis() as u64));
    }
    let expression = format!("({PROBE})({}, {})", json!(op), args);
    let value = evaluate(page, expression, budget + Duration::from_secs(2)).await?;
    serde_json::from_value(value)
        .map_err(|e| ProbeError::Script(format!("unexpected probe answer: {e}")))
}

/// Evaluates a user's JavaScript expression (awaiting promises) and returns its JSON value.
pub async fn evaluate(
    page: &Page,
    expression: String,
    limit: Duration,
) -> Result<Value, ProbeError> {
    let params = EvaluateParams::builder()
        .expression(expression)
        .await_promise(true)
        .return_by_value(true)
        .build()
        .map_err(ProbeError::Script)?;
    match tokio::time::timeout(limit, page.evaluate_expression(params)).await {
        Err(_) => Err(ProbeError::Timeout),
        Ok(Ok(result)) => Ok(result.value().cloned().unwrap_or(Value::Null)),
        Ok(Err(CdpError::JavascriptException(details))) => {
            let text = details
                .exception
                .as_ref()
                .and_then(|e| e.description.clone())
                .unwrap_or_else(|| details.text.clone());
            if is_context_gone(&text) {
                Err(ProbeError::ContextGone)
            } else {
                Err(ProbeError::Script(first_line(&text)))
            }
        }
        Ok(Err(CdpError::Chrome(err))) if is_context_gone(&err.message) => {
            Err(ProbeError::ContextGone)
        }
        Ok(Err(err)) => Err(ProbeError::Cdp(err)),
    }
}

fn is_context_gone(message: &str) -> bool {
    [
        "Execution context was destroyed",
        "Cannot find context with specified id",
        "Inspected target navigated or closed",
        "Promise was collected",
        "Cannot find default execution context",
    ]
    .iter()
    .any(|m| message.contains(m))
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}
