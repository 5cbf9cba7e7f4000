//! JSON in scenarios: TOML values turned into JSON (request bodies, expected values) and
//! JSONPath checks (`"$.items[0].name" = "Blue Mug"`).

use toml::de::DeValue;

use crate::model::JsonCheck;

use super::context::Ctx;
use super::value::{self, Key, Value};

pub(super) const PATH_HELP: &str =
    "a JSONPath starts at `$`, e.g. `$.id`, `$.items[0].name` or `$.items.length`";

/// A TOML value as JSON. String leaves are templates: they are checked here and rendered at
/// run time.
pub(super) fn to_json(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<serde_json::Value> {
    use serde_json::Value as Json;
    Some(match value.get_ref() {
        DeValue::String(s) => {
            value::template_str(ctx, s, &value.span())?;
            Json::String(s.to_string())
        }
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Json::from(n),
            Err(_) => {
                ctx.error(value.span(), format!("integer `{i}` is too large for JSON"))
                    .label("too large");
                return None;
            }
        },
        DeValue::Float(f) => {
            let number = f
                .as_str()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64);
            match number {
                Some(n) => Json::Number(n),
                None => {
                    ctx.error(value.span(), format!("`{f}` cannot be written in JSON"))
                        .label("not a finite number");
                    return None;
                }
            }
        }
        DeValue::Boolean(b) => Json::Bool(*b),
        DeValue::Datetime(d) => Json::String(d.to_string()),
        DeValue::Array(items) => {
            let items: Vec<_> = items.iter().map(|item| to_json(ctx, item)).collect();
            Json::Array(items.into_iter().collect::<Option<_>>()?)
        }
        DeValue::Table(table) => {
            let mut map = serde_json::Map::new();
            let mut ok = true;
            for (key, item) in table.iter() {
                match to_json(ctx, item) {
                    Some(v) => {
                        map.insert(key.get_ref().to_string(), v);
                    }
                    None => ok = false,
                }
            }
            if !ok {
                return None;
            }
            Json::Object(map)
        }
    })
}

/// A table of JSONPath → expected value. `what` is the key holding it (`json`).
pub(super) fn checks(ctx: &mut Ctx<'_>, what: &str, value: &Value<'_>) -> Option<Vec<JsonCheck>> {
    let table = value::table(ctx, what, value)?;
    if table.is_empty() {
        ctx.error(value.span(), format!("`{what}` has no checks"))
            .label("empty")
            .help("add `\"$.path\" = expected`, e.g. `\"$.items[0].name\" = \"Blue Mug\"`");
        return None;
    }
    let mut checks = Some(Vec::new());
    for (key, expected) in table.iter() {
        let path = path(ctx, key.get_ref(), key);
        let expected = to_json(ctx, expected);
        checks = checks
            .zip(path.zip(expected))
            .map(|(mut checks, (path, expected))| {
                checks.push(JsonCheck { path, expected });
                checks
            });
    }
    checks
}

/// Checks that `path`, written at `at` (a key or a string value), is a JSONPath.
pub(super) fn path(ctx: &mut Ctx<'_>, path: &str, at: &Key<'_>) -> Option<String> {
    match serde_json_path::JsonPath::parse(path) {
        Ok(_) => Some(path.to_string()),
        Err(err) => {
            let position = err.position().min(path.len());
            let end = path[position..]
                .chars()
                .next()
                .map_or(position, |c| position + c.len_utf8());
            let span = ctx.inner_span(&at.span(), path, position..end);
            ctx.error(span, format!("invalid JSONPath `{path}`"))
                .label(err.message().to_string())
                .help(PATH_HELP);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use toml::de::DeTable;

    use super::*;

    #[test]
    fn converts_toml_to_json() {
        let text = "v = { a = 1, b = [true, 1.5, \"x {{y}}\"], c = { d = 1979-05-27 } }";
        let (table, _) = DeTable::parse_recoverable(text);
        let mut ctx = Ctx::new("f", text);
        let json = to_json(&mut ctx, table.get_ref().get("v").expect("v")).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"a": 1, "b": [true, 1.5, "x {{y}}"], "c": {"d": "1979-05-27"}})
        );
        assert_eq!(ctx.symbols.uses.len(), 1);
    }

    #[test]
    fn points_into_bad_paths() {
        let text = "json = { \"$.items[\" = 1, \"$.ok\" = 2 }";
        let (table, _) = DeTable::parse_recoverable(text);
        let mut ctx = Ctx::new("f", text);
        assert!(checks(&mut ctx, "json", table.get_ref().get("json").expect("json")).is_none());
        assert_eq!(ctx.sink.diagnostics().len(), 1);
        assert_eq!(
            ctx.sink.diagnostics()[0].message,
            "invalid JSONPath `$.items[`"
        );
        assert_eq!(ctx.sink.diagnostics()[0].span, Some(17..18));
    }
}
