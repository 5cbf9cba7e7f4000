//! Which `{{name}}` each template may use.
//!
//! The walk records every variable definition (`[vars]`, captures) and every use with its
//! scope; [`check`] then decides, knowing the run's `--var`s and secrets. A name is defined
//! where it is used if it is built in, given on the command line, a `[vars]` key (earlier keys
//! only, inside `[vars]`), or captured by an earlier step.

use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;
use crate::suite::CheckOptions;

use super::context::Span;
use super::suggest;

/// Variables the runner always sets.
pub(crate) const BUILTINS: [&str; 4] = ["base_url", "scenario", "unique", "run_id"];

/// Where a template is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The value of the n-th `[vars]` entry.
    Vars(usize),
    /// The step with this index.
    Step(usize),
    /// `[session_check]`, run inside the scenarios that reuse this one's session.
    SessionCheck,
}

#[derive(Debug, Clone)]
pub(crate) struct VarUse {
    pub name: String,
    /// `{{secret.NAME}}` rather than `{{name}}`.
    pub secret: bool,
    /// The placeholder, braces included.
    pub span: Span,
    pub scope: Scope,
}

#[derive(Debug, Clone)]
pub(crate) struct CaptureDef {
    pub var: String,
    pub step: usize,
    /// Line of the capturing step's table.
    pub line: u32,
}

/// Definitions and uses of one file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Symbols {
    /// `[vars]` keys, in file order, with the line they are on.
    pub vars: Vec<(String, u32)>,
    /// In step order.
    pub captures: Vec<CaptureDef>,
    pub uses: Vec<VarUse>,
}

pub(super) fn check(path: &str, symbols: &Symbols, options: &CheckOptions) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut warned = BTreeSet::new();
    for use_ in &symbols.uses {
        if use_.secret {
            let missing = options
                .known_secrets
                .as_ref()
                .is_some_and(|known| !known.contains(&use_.name));
            // One warning per secret and file is enough to act on.
            if missing && warned.insert(use_.name.as_str()) {
                diagnostics.push(missing_secret(path, use_));
            }
        } else if !defined(symbols, options, use_) {
            diagnostics.push(undefined(path, symbols, options, use_));
        }
    }
    diagnostics
}

fn missing_secret(path: &str, use_: &VarUse) -> Diagnostic {
    let name = &use_.name;
    Diagnostic::warning(
        path,
        Some(use_.span.clone()),
        format!("secret `{name}` is not set"),
    )
    .with_label("no value for this secret")
    .with_help(format!(
        "set the environment variable {name} or put it in the secrets file (--secrets FILE)"
    ))
}

/// Names visible at `use_`, builtins and external vars included.
fn visible<'s>(
    symbols: &'s Symbols,
    options: &'s CheckOptions,
    scope: Scope,
) -> impl Iterator<Item = &'s str> {
    let vars = match scope {
        Scope::Vars(i) => &symbols.vars[..i.min(symbols.vars.len())],
        Scope::Step(_) | Scope::SessionCheck => &symbols.vars[..],
    };
    let captures = symbols.captures.iter().filter(move |c| match scope {
        Scope::Step(i) => c.step < i,
        Scope::Vars(_) | Scope::SessionCheck => false,
    });
    BUILTINS
        .into_iter()
        .chain(options.external_vars.iter().map(String::as_str))
        .chain(vars.iter().map(|(name, _)| name.as_str()))
        .chain(captures.map(|c| c.var.as_str()))
}

fn defined(symbols: &Symbols, options: &CheckOptions, use_: &VarUse) -> bool {
    visible(symbols, options, use_.scope).any(|name| name == use_.name)
}

fn undefined(path: &str, symbols: &Symbols, options: &CheckOptions, use_: &VarUse) -> Diagnostic {
    let name = use_.name.as_str();
    let error = |message: String, label: &str, help: String| {
        Diagnostic::error(path, Some(use_.span.clone()), message)
            .with_label(label)
            .with_help(help)
    };
    let var = symbols.vars.iter().position(|(v, _)| v == name);
    if let (Scope::Vars(i), Some(at)) = (use_.scope, var) {
        if i == at {
            return error(
                format!("variable `{name}` refers to itself"),
                "self-reference",
                format!("give `{name}` a value that does not use `{{{{{name}}}}}`"),
            );
        }
        let line = symbols.vars[at].1;
        return error(
            format!("variable `{name}` is used before it is defined"),
            "defined further down",
            format!("`{name}` is defined on line {line}; move it above this one"),
        );
    }
    if let Some(capture) = symbols.captures.iter().find(|c| c.var == name) {
        let line = capture.line;
        return match use_.scope {
            Scope::Step(i) if i == capture.step => error(
                format!("`{name}` is used in the step that captures it"),
                "not captured yet",
                format!(
                    "captures are stored after the step (line {line}) has run; \
                     use `{{{{{name}}}}}` in a later step"
                ),
            ),
            Scope::Step(_) => error(
                format!("`{name}` is used before it is captured"),
                "captured later",
                format!(
                    "`{name}` is captured by the step on line {line}; \
                     move this use after that step"
                ),
            ),
            Scope::Vars(_) => error(
                format!("`[vars]` cannot use the captured variable `{name}`"),
                "captured by a step",
                format!(
                    "vars are set before the first step; use `{{{{{name}}}}}` directly in \
                     the steps after line {line}"
                ),
            ),
            Scope::SessionCheck => error(
                format!("`session_check` cannot use the captured variable `{name}`"),
                "captured by a step",
                "the session check runs in the scenarios that reuse this session, where \
                 nothing has been captured; use `[vars]` or `--var` values"
                    .to_string(),
            ),
        };
    }
    let help =
        suggest::did_you_mean(name, visible(symbols, options, use_.scope)).unwrap_or_else(|| {
            format!(
                "define it under [vars], capture it in an earlier step, or pass --var {name}=VALUE"
            )
        });
    error(format!("undefined variable `{name}`"), "not defined", help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn use_(name: &str, scope: Scope) -> VarUse {
        VarUse {
            name: name.into(),
            secret: false,
            span: 0..1,
            scope,
        }
    }

    fn symbols() -> Symbols {
        Symbols {
            vars: vec![("product".into(), 2), ("sku".into(), 3)],
            captures: vec![CaptureDef {
                var: "order_id".into(),
                step: 2,
                line: 20,
            }],
            uses: Vec::new(),
        }
    }

    fn messages(symbols: &Symbols, options: &CheckOptions) -> Vec<String> {
        check("f", symbols, options)
            .into_iter()
            .map(|d| format!("{} / {}", d.message, d.help.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn captures_are_visible_after_their_step_only() {
        let mut s = symbols();
        s.uses = vec![
            use_("order_id", Scope::Step(3)),
            use_("order_id", Scope::Step(2)),
            use_("order_id", Scope::Step(0)),
        ];
        let m = messages(&s, &CheckOptions::default());
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].starts_with("`order_id` is used in the step that captures it"));
        assert!(m[1].contains("captured by the step on line 20"), "{m:?}");
    }

    #[test]
    fn vars_see_earlier_vars_builtins_and_external_vars() {
        let mut s = symbols();
        s.uses = vec![
            use_("product", Scope::Vars(1)),
            use_("sku", Scope::Vars(0)),
            use_("base_url", Scope::Vars(0)),
            use_("env", Scope::Vars(0)),
            use_("prodct", Scope::Step(0)),
            use_("nothing_like_it", Scope::SessionCheck),
        ];
        let options = CheckOptions {
            external_vars: ["env".to_string()].into(),
            known_secrets: None,
        };
        let m = messages(&s, &options);
        assert_eq!(
            m,
            [
                "variable `sku` is used before it is defined / `sku` is defined on line 3; move it above this one",
                "undefined variable `prodct` / did you mean `product`?",
                "undefined variable `nothing_like_it` / define it under [vars], capture it in an earlier step, or pass --var nothing_like_it=VALUE",
            ]
        );
    }

    #[test]
    fn missing_secrets_warn_once() {
        let mut s = symbols();
        let secret = VarUse {
            secret: true,
            ..use_("PW", Scope::Step(0))
        };
        s.uses = vec![secret.clone(), secret];
        assert!(check("f", &s, &CheckOptions::default()).is_empty());
        let options = CheckOptions {
            known_secrets: Some(BTreeSet::new()),
            ..CheckOptions::default()
        };
        let d = check("f", &s, &options);
        assert_eq!(d.len(), 1);
        assert!(!d[0].is_error());
    }
}
