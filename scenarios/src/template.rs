//! Templates: strings with `{{name}}` and `{{secret.NAME}}` placeholders.
//!
//! Parsing happens once when a scenario is read (so undefined variables are found by
//! `gate check`); rendering happens at run time against a [`Vars`] lookup that the runner owns.

use std::fmt;

/// A parsed template string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Literal(String),
    /// `{{name}}`: a scenario variable, capture, command-line or environment value.
    Var(String),
    /// `{{secret.NAME}}`: a secret; rendered values are redacted in all output.
    Secret(String),
}

/// A placeholder problem, with its byte range inside the template source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

/// Where template values come from at run time.
pub trait Vars {
    fn var(&self, name: &str) -> Option<String>;
    fn secret(&self, name: &str) -> Option<String>;
}

/// A placeholder that had no value at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub placeholder: String,
}

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{{{{{}}}}}` has no value", self.placeholder)
    }
}

impl Template {
    /// Parses `{{ … }}` placeholders. `{{` without a closing `}}`, an empty name or a name with
    /// characters outside `[A-Za-z0-9_.-]` is an error.
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = source;
        let mut offset = 0;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_string()));
            }
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                return Err(TemplateError {
                    message: "unclosed `{{`: add `}}` after the variable name".into(),
                    start: offset + open,
                    end: source.len(),
                });
            };
            let raw = &after[..close];
            let name = raw.trim();
            let start = offset + open;
            let end = start + 2 + close + 2;
            if name.is_empty() {
                return Err(TemplateError {
                    message: "empty placeholder `{{}}`".into(),
                    start,
                    end,
                });
            }
            if let Some(bad) = name
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            {
                return Err(TemplateError {
                    message: format!("invalid character `{bad}` in placeholder `{{{{{name}}}}}`"),
                    start,
                    end,
                });
            }
            match name.strip_prefix("secret.") {
                Some("") => {
                    return Err(TemplateError {
                        message: "`{{secret.}}` needs a secret name, e.g. `{{secret.PASSWORD}}`"
                            .into(),
                        start,
                        end,
                    });
                }
                Some(secret) => parts.push(Part::Secret(secret.to_string())),
                None => parts.push(Part::Var(name.to_string())),
            }
            rest = &after[close + 2..];
            offset = end;
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        Ok(Template {
            source: source.to_string(),
            parts,
        })
    }

    /// A template with no placeholders.
    pub fn literal(text: &str) -> Template {
        Template {
            source: text.to_string(),
            parts: if text.is_empty() {
                Vec::new()
            } else {
                vec![Part::Literal(text.to_string())]
            },
        }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Names of `{{name}}` variables used.
    pub fn vars(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v.as_str()),
            _ => None,
        })
    }

    /// Names of `{{secret.NAME}}` secrets used.
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Secret(v) => Some(v.as_str()),
            _ => None,
        })
    }

    /// Substitutes every placeholder.
    pub fn render(&self, vars: &dyn Vars) -> Result<String, Unresolved> {
        let mut out = String::with_capacity(self.source.len());
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Var(name) => out.push_str(&vars.var(name).ok_or_else(|| Unresolved {
                    placeholder: name.clone(),
                })?),
                Part::Secret(name) => {
                    out.push_str(&vars.secret(name).ok_or_else(|| Unresolved {
                        placeholder: format!("secret.{name}"),
                    })?)
                }
            }
        }
        Ok(out)
    }
}

/// Shows the template as written: secrets stay placeholders, so this is safe to print.
impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Renders string leaves of a JSON value as templates (used for JSON bodies and expected
/// values). Strings that fail to parse as templates are kept as written; the parser has already
/// reported them.
pub fn render_json(
    value: &serde_json::Value,
    vars: &dyn Vars,
) -> Result<serde_json::Value, Unresolved> {
    use serde_json::Value;
    Ok(match value {
        Value::String(s) => match Template::parse(s) {
            Ok(t) => Value::String(t.render(vars)?),
            Err(_) => Value::String(s.clone()),
        },
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_json(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render_json(v, vars)?)))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl Vars for Fixed {
        fn var(&self, name: &str) -> Option<String> {
            (name == "product").then(|| "Blue Mug".to_string())
        }
        fn secret(&self, name: &str) -> Option<String> {
            (name == "PW").then(|| "hunter2".to_string())
        }
    }

    #[test]
    fn renders_vars_and_secrets() {
        let t = Template::parse("buy {{ product }} with {{secret.PW}}!").expect("valid");
        assert_eq!(t.vars().collect::<Vec<_>>(), ["product"]);
        assert_eq!(t.secrets().collect::<Vec<_>>(), ["PW"]);
        assert_eq!(
            t.render(&Fixed).expect("all set"),
            "buy Blue Mug with hunter2!"
        );
        assert_eq!(t.to_string(), "buy {{ product }} with {{secret.PW}}!");
    }

    #[test]
    fn reports_unclosed_and_bad_names() {
        let e = Template::parse("a {{b").expect_err("unclosed");
        assert_eq!((e.start, e.end), (2, 5));
        let e = Template::parse("{{a b}}").expect_err("space");
        assert!(e.message.contains("invalid character ` `"), "{}", e.message);
        assert!(Template::parse("{{}}").is_err());
    }

    #[test]
    fn unresolved_names_the_placeholder() {
        let t = Template::parse("{{missing}}").expect("valid");
        assert_eq!(
            t.render(&Fixed).expect_err("unset").to_string(),
            "`{{missing}}` has no value"
        );
    }
}
