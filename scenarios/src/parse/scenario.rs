//! The top of a scenario file: TOML syntax, scenario settings, `[vars]`, the steps and
//! `[session_check]`.

use toml::de::{DeTable, DeValue};

use crate::model::{Isolation, Scenario};

use super::ParsedFile;
use super::capture;
use super::context::Ctx;
use super::fields::Fields;
use super::step;
use super::suggest;
use super::value::{self, Value};
use super::variables::Scope;

pub(super) const TOP_KEYS: [&str; 11] = [
    "name",
    "description",
    "tags",
    "timeout",
    "step_timeout",
    "retries",
    "session",
    "wait_until",
    "vars",
    "step",
    "session_check",
];

pub(super) fn parse(path: &str, text: &str) -> ParsedFile {
    let mut ctx = Ctx::new(path, text);
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    let root = root.into_inner();
    let header = |key: &str| {
        root.get_key_value(key)
            .and_then(|(_, v)| match v.get_ref() {
                DeValue::String(s) => Some((s.to_string(), v.span())),
                _ => None,
            })
    };
    let (name, session) = (header("name"), header("session"));
    let scenario = if syntax_errors.is_empty() {
        scenario(&mut ctx, &root)
    } else {
        // The recovered tree guesses at what was meant; checking it would pile guesses on
        // the syntax errors, so they are reported alone.
        for error in &syntax_errors {
            syntax_error(&mut ctx, error);
        }
        None
    };
    let Ctx { sink, symbols, .. } = ctx;
    let diagnostics = sink.into_diagnostics();
    ParsedFile {
        scenario: scenario.filter(|_| !diagnostics.iter().any(|d| d.is_error())),
        name,
        session,
        diagnostics,
        symbols,
    }
}

fn syntax_error(ctx: &mut Ctx<'_>, error: &toml::de::Error) {
    let message = error.message().trim_end_matches('.');
    let span = error.span().unwrap_or(0..0);
    let found = ctx.text.get(span.clone()).unwrap_or_default();
    let help = if message.starts_with("duplicate key") {
        Some("a key can appear once per table; for another step, start a new `[[step]]`".into())
    } else if found.starts_with('$') {
        Some("quote JSONPath keys: `\"$.items[0].name\" = …`".into())
    } else if matches!(found, "yes" | "no" | "on" | "off" | "True" | "False") {
        Some("booleans are written `true` or `false`".into())
    } else if message.contains("must be quoted") {
        Some(format!("put text values in quotes: `\"{found}\"`"))
    } else {
        None
    };
    let report = ctx
        .error(span, format!("invalid TOML: {message}"))
        .label("syntax error");
    if let Some(help) = help {
        report.help(help);
    }
}

fn scenario(ctx: &mut Ctx<'_>, root: &DeTable<'_>) -> Option<Scenario> {
    let (fields, unknown) = Fields::pick(root, 0..0, &TOP_KEYS);
    // A misspelled `[[steps]]` already explains the missing `step`.
    let misspelled: Vec<&str> = unknown
        .iter()
        .filter_map(|key| unknown_key(ctx, key))
        .collect();
    let name = match fields.get("name") {
        Some(v) => value::non_empty(ctx, "name", v).map(str::to_string),
        None => {
            if !misspelled.contains(&"name") {
                ctx.file_error("scenario has no `name`")
                    .help("add `name = \"…\"` at the top of the file; reports and `session = \"…\"` use it");
            }
            None
        }
    };
    let opt_string = |ctx: &mut Ctx<'_>, key: &str| match fields.get(key) {
        Some(v) => value::non_empty(ctx, key, v).map(|s| Some(s.to_string())),
        None => Some(None),
    };
    let description = opt_string(ctx, "description");
    let session = opt_string(ctx, "session");
    let (tags, isolation) = match fields.get("tags") {
        Some(v) => tags(ctx, v).map_or((None, None), |(t, i)| (Some(t), Some(i))),
        None => (Some(Vec::new()), Some(None)),
    };
    let opt_duration = |ctx: &mut Ctx<'_>, key: &str| match fields.get(key) {
        Some(v) => value::duration(ctx, key, v).map(Some),
        None => Some(None),
    };
    let timeout = opt_duration(ctx, "timeout");
    let step_timeout = opt_duration(ctx, "step_timeout");
    let retries = match fields.get("retries") {
        Some(v) => {
            let help = Some("`retries` re-runs a failed scenario: use 0 (never) up to 10");
            value::integer_with_help(ctx, "retries", v, (0, 10), help)
                .and_then(|n| u32::try_from(n).ok())
        }
        None => Some(0),
    };
    let wait_until = match fields.get("wait_until") {
        Some(v) => step::wait_until(ctx, v).map(Some),
        None => Some(None),
    };
    let vars = match fields.get("vars") {
        Some(v) => vars(ctx, v),
        None => Some(Vec::new()),
    };
    let steps = match fields.get("step") {
        None if misspelled.contains(&"step") => None,
        step => steps(ctx, step),
    };
    let session_check = match fields.get("session_check") {
        Some(v) => session_check(ctx, v).map(Some),
        None => Some(None),
    };
    Some(Scenario {
        name: name?,
        path: ctx.path.to_string(),
        description: description?,
        tags: tags?,
        isolation: isolation?,
        timeout: timeout?,
        step_timeout: step_timeout?,
        retries: retries?,
        session: session?,
        session_check: session_check?,
        vars: vars?,
        wait_until: wait_until?,
        steps: steps?,
    })
}

/// Reports an unknown top-level key; returns the key it is probably a misspelling of.
fn unknown_key(ctx: &mut Ctx<'_>, key: &value::Key<'_>) -> Option<&'static str> {
    let name = key.get_ref().as_ref();
    let closest = suggest::closest(name, TOP_KEYS);
    let help = match closest {
        Some(c) => ctx.sink.key_case().hint(name, c),
        None if step::KEYS.contains(&name) => {
            format!("`{name}` belongs to a step: put it under a `[[step]]` header")
        }
        None => format!("valid keys here: {}", suggest::one_of(&TOP_KEYS)),
    };
    ctx.error(
        key.span(),
        format!("unknown key `{name}` at the top of the scenario"),
    )
    .label("unknown key")
    .help(help);
    closest
}

/// The tags, and the isolation level an `isolation:<level>` tag asks for.
fn tags(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<(Vec<String>, Option<Isolation>)> {
    let items = value::array(ctx, "tags", value)?;
    let mut isolation = Some(None);
    let tags: Vec<_> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let tag = value::non_empty(ctx, &format!("tags[{i}]"), item)?;
            if let Some(level) = tag.strip_prefix(Isolation::TAG_PREFIX) {
                match Isolation::from_name(level) {
                    Some(level) => isolation = isolation.map(|had: Option<Isolation>| had.max(Some(level))),
                    None => {
                        ctx.error(item.span(), format!("unknown isolation level `{level}`"))
                            .help("use `isolation:context`, `isolation:browser` or `isolation:container`");
                        isolation = None;
                    }
                }
            }
            Some(tag.to_string())
        })
        .collect();
    tags.into_iter().collect::<Option<Vec<_>>>().zip(isolation)
}

fn vars(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<Vec<(String, crate::Template)>> {
    let table = value::table(ctx, "vars", value)?;
    let mut vars = Some(Vec::new());
    for (index, (key, item)) in table.iter().enumerate() {
        let name = capture::var_name(ctx, key);
        if let Some(name) = &name {
            let line = ctx.location(key.span().start).line;
            ctx.symbols.vars.push((name.clone(), line));
        }
        ctx.scope = Scope::Vars(index);
        let template = value::template(ctx, key.get_ref(), item);
        vars = vars.zip(name.zip(template)).map(|(mut vars, var)| {
            vars.push(var);
            vars
        });
    }
    vars
}

fn steps(ctx: &mut Ctx<'_>, value: Option<&Value<'_>>) -> Option<Vec<crate::Step>> {
    let help = "add a step: a `[[step]]` line followed by an action, e.g. `goto = \"/\"`";
    let Some(value) = value else {
        ctx.file_error("scenario has no steps").help(help);
        return None;
    };
    let DeValue::Array(items) = value.get_ref() else {
        value::wrong_type(ctx, "step", value, "an array of tables")
            .help("write each step as a `[[step]]` table (double brackets)");
        return None;
    };
    if items.is_empty() {
        ctx.error(value.span(), "scenario has no steps")
            .label("empty")
            .help(help);
        return None;
    }
    let mut steps = Some(Vec::new());
    for (index, item) in items.iter().enumerate() {
        ctx.scope = Scope::Step(index);
        let step = if let DeValue::Table(table) = item.get_ref() {
            step::parse(ctx, index, (table, item.span()), "step")
        } else {
            value::wrong_type(ctx, "step", item, "a table")
                .help("write each step as a `[[step]]` table, or inline as `{ goto = \"/\" }`");
            None
        };
        steps = steps.zip(step).map(|(mut steps, step)| {
            steps.push(step);
            steps
        });
    }
    steps
}

fn session_check(ctx: &mut Ctx<'_>, value: &Value<'_>) -> Option<crate::Step> {
    let DeValue::Table(table) = value.get_ref() else {
        let report = value::wrong_type(ctx, "session_check", value, "a table");
        if let DeValue::Array(_) = value.get_ref() {
            report.help(
                "write `[session_check]` (single brackets): a scenario has one session check",
            );
        }
        return None;
    };
    ctx.scope = Scope::SessionCheck;
    let captures_before = ctx.symbols.captures.len();
    let step = step::parse(ctx, 0, (table, value.span()), "`session_check`");
    // Its captures would count as the first step's; they are an error anyway.
    ctx.symbols.captures.truncate(captures_before);
    if let Some((key, _)) = table.get_key_value("capture") {
        ctx.error(key.span(), "`session_check` cannot capture")
            .label("not allowed here")
            .help("the session check only verifies that the session is still valid, e.g. `expect = { text = \"Log out\", visible = true }`");
        return None;
    }
    step
}
