//! Expectations: page and element checks (retried until the deadline, inside the page) and
//! response checks (a response does not change, so checked once).

use gate_scenarios::{Expect, JsonCheck, PageExpect, ResponseExpect, Step, TextMatch};
use serde_json::{Map, Value, json};

use super::action::{describe_state, text_match_json};
use super::{Deadline, Exec, Produced, locator_json, poll};
use crate::error::StepError;
use crate::page::script::{ElementState, PageState};

pub async fn verify(
    exec: &Exec<'_>,
    step: &Step,
    expect: &Expect,
    produced: &Produced,
    deadline: Deadline,
) -> Result<(), StepError> {
    match expect {
        Expect::Page(p) => {
            page_checks(exec, p, deadline).await?;
            element_checks(exec, p, deadline).await?;
            if !p.json.is_empty() {
                let Produced::Value(value) = produced else {
                    return Err(StepError::step(format!(
                        "`expect.json` needs a value, but `{}` produced none",
                        step.action.keyword()
                    )));
                };
                json_checks(exec, &p.json, value)?;
            }
            Ok(())
        }
        Expect::Response(r) => {
            let Produced::Response(response) = produced else {
                return Err(StepError::step(
                    "response expectations need a `request` step",
                ));
            };
            response_checks(exec, r, response)
        }
    }
}

async fn page_checks(exec: &Exec<'_>, p: &PageExpect, deadline: Deadline) -> Result<(), StepError> {
    if p.url.is_none() && p.title.is_none() {
        return Ok(());
    }
    let mut want = Map::new();
    if let Some(url) = &p.url {
        want.insert("url".into(), text_match_json(exec, url, true)?);
    }
    if let Some(title) = &p.title {
        want.insert("title".into(), text_match_json(exec, title, false)?);
    }
    let last: Option<PageState> = poll(
        exec,
        "page",
        json!({ "want": want }),
        deadline,
        |s: &PageState| s.ok,
    )
    .await?;
    match last {
        Some(s) if s.ok => Ok(()),
        last => {
            let last = last.unwrap_or_default();
            let (what, expected, actual) = match (&p.url, &p.title) {
                (Some(url), _) if !matches_text(&last.url, &want["url"]) => {
                    ("URL", url.to_string(), last.url)
                }
                (_, Some(title)) => ("title", title.to_string(), last.title),
                (Some(url), None) => ("URL", url.to_string(), last.url),
                (None, None) => ("page", String::new(), String::new()),
            };
            Err(StepError::assertion(
                format!("page {what} did not match {}", deadline.describe()),
                expected,
                actual,
            ))
        }
    }
}

fn matches_text(actual: &str, spec: &Value) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(e) = spec["equals"].as_str() {
        norm(actual) == norm(e)
    } else if let Some(c) = spec["contains"].as_str() {
        norm(actual).contains(&norm(c))
    } else {
        true
    }
}

async fn element_checks(
    exec: &Exec<'_>,
    p: &PageExpect,
    deadline: Deadline,
) -> Result<(), StepError> {
    let Some(target) = &p.target else {
        return Ok(());
    };
    let mut want = Map::new();
    let mut expected = Vec::new();
    match &p.text {
        Some(TextMatch::Equals(t)) => {
            let v = exec.scope.render(t)?;
            expected.push(format!("text \"{v}\""));
            want.insert("text_equals".into(), json!(v));
        }
        Some(TextMatch::Contains(t)) => {
            let v = exec.scope.render(t)?;
            expected.push(format!("text containing \"{v}\""));
            want.insert("text_contains".into(), json!(v));
        }
        None => {}
    }
    if let Some(v) = &p.value {
        let v = exec.scope.render(v)?;
        expected.push(format!("value \"{v}\""));
        want.insert("value".into(), json!(v));
    }
    if let Some(visible) = p.visible {
        expected.push(if visible {
            "visible".into()
        } else {
            "hidden or absent".into()
        });
        want.insert("visible".into(), json!(visible));
    }
    if let Some(count) = p.count {
        expected.push(format!("{count} matching elements"));
        want.insert("count".into(), json!(count));
    }
    let mut attributes = Map::new();
    for (name, value) in &p.attributes {
        let v = exec.scope.render(value)?;
        expected.push(format!("{name}=\"{v}\""));
        attributes.insert(name.clone(), json!(v));
    }
    let names: Vec<&String> = attributes.keys().collect();
    let args = json!({ "locator": locator_json(&exec.scope, target)?, "want": { "attributes": attributes.clone() }, "attributes": names });
    let mut args = args;
    if let Value::Object(w) = &mut args["want"] {
        w.extend(want);
    }
    let last: Option<ElementState> =
        poll(exec, "state", args, deadline, |s: &ElementState| s.ok).await?;
    match last {
        Some(s) if s.ok => Ok(()),
        last => {
            let actual = match &last {
                None => "no answer from the page".to_string(),
                Some(s) if p.count.is_some() => {
                    format!("{} matching elements", s.count)
                }
                Some(s) if p.value.is_some() && s.attached => {
                    format!("value \"{}\"", s.value.clone().unwrap_or_default())
                }
                Some(s) if !attributes.is_empty() && s.attached => s
                    .attributes
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{k}={}",
                            v.as_str().map_or("(none)".into(), |v| format!("\"{v}\""))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                Some(s) => describe_state(s),
            };
            Err(StepError::assertion(
                format!("{target} did not match {}", deadline.describe()),
                expected.join(", "),
                actual,
            ))
        }
    }
}

fn response_checks(
    exec: &Exec<'_>,
    r: &ResponseExpect,
    response: &super::Response,
) -> Result<(), StepError> {
    if !r.status.is_empty() && !r.status.contains(&response.status) {
        let expected = r
            .status
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" or ");
        return Err(StepError::assertion(
            format!(
                "{} {} answered {}",
                response.method, response.url, response.status
            ),
            format!("status {expected}"),
            format!(
                "status {}; body: {}",
                response.status,
                excerpt(&response.body)
            ),
        ));
    }
    for (name, value) in &r.headers {
        let want = exec.scope.render(value)?;
        let got = response
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone());
        if got.as_deref() != Some(want.as_str()) {
            return Err(StepError::assertion(
                format!("response header `{name}` did not match"),
                format!("{name}: {want}"),
                got.map_or_else(|| format!("no `{name}` header"), |g| format!("{name}: {g}")),
            ));
        }
    }
    if !r.json.is_empty() {
        let value = response.json().map_err(|e| {
            StepError::assertion(
                "the response body is not JSON",
                "a JSON body",
                format!("{e}; body: {}", excerpt(&response.body)),
            )
        })?;
        json_checks(exec, &r.json, &value)?;
    }
    if let Some(text) = &r.body_contains {
        let want = exec.scope.render(text)?;
        if !response.body.contains(&want) {
            return Err(StepError::assertion(
                "the response body did not contain the text",
                format!("body containing \"{want}\""),
                excerpt(&response.body),
            ));
        }
    }
    if let Some(max) = r.max_duration {
        if response.duration > max {
            return Err(StepError::assertion(
                "the response was too slow",
                format!("at most {}", humantime::format_duration(max)),
                format!("{} ms", response.duration.as_millis()),
            ));
        }
    }
    Ok(())
}

/// Each JSONPath must select a value equal to the expected one (numbers by value; a string
/// expectation also matches a number or boolean with the same text, since templates are text).
pub fn json_checks(exec: &Exec<'_>, checks: &[JsonCheck], value: &Value) -> Result<(), StepError> {
    for check in checks {
        let expected = exec.scope.render_json(&check.expected)?;
        let actual = query(&check.path, value)?;
        match actual {
            None => {
                return Err(StepError::assertion(
                    format!("`{}` selects nothing", check.path),
                    expected.to_string(),
                    "no value",
                ));
            }
            Some(actual) if !json_equal(&expected, &actual) => {
                return Err(StepError::assertion(
                    format!("`{}` did not match", check.path),
                    expected.to_string(),
                    actual.to_string(),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The first value a JSONPath selects.
pub fn query(path: &str, value: &Value) -> Result<Option<Value>, StepError> {
    let path = serde_json_path::JsonPath::parse(path)
        .map_err(|e| StepError::step(format!("bad JSONPath `{path}`: {e}")))?;
    Ok(path.query(value).first().cloned())
}

fn json_equal(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::Number(_) | Value::Bool(_)) => a == &actual.to_string(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_equal(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => expected == actual,
    }
}

fn excerpt(body: &str) -> String {
    const MAX: usize = 300;
    let trimmed = body.trim();
    if trimmed.len() <= MAX {
        return trimmed.to_string();
    }
    let mut end = MAX;
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &trimmed[..end])
}

#[cfg(test)]
mod tests {
    use super::json_equal;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value_and_strings_match_scalars() {
        assert!(json_equal(&json!(24), &json!(24.0)));
        assert!(json_equal(&json!("1001"), &json!(1001)));
        assert!(!json_equal(&json!("1002"), &json!(1001)));
        assert!(json_equal(
            &json!({"a": [1, "x"]}),
            &json!({"a": [1.0, "x"]})
        ));
    }
}
