//! Durations written for people: `"500ms"`, `"90s"`, `"1m30s"` (humantime's units), longer
//! than zero. A bare number is refused with the fix (`5` → `"5s"`): a unit guessed for the
//! writer would be wrong half the time.

use std::time::Duration;

use toml::de::DeValue;

use crate::read::wrong_type;
use crate::sink::Sink;
use crate::span::Value;

/// The help of every duration problem but a missing unit.
pub const DURATION_HELP: &str = "use a duration like \"500ms\", \"5s\" or \"1m\"";

/// A positive duration written as a string; `what` as in [`crate::read`].
pub fn duration(sink: &mut Sink<'_>, what: &str, value: &Value<'_>) -> Option<Duration> {
    let DeValue::String(s) = value.get_ref() else {
        let help = match value.get_ref() {
            DeValue::Integer(n) => unit_help(n),
            _ => DURATION_HELP.to_string(),
        };
        wrong_type(sink, what, value, "a duration").help(help);
        return None;
    };
    match humantime::parse_duration(s.trim()) {
        Ok(d) if !d.is_zero() => Some(d),
        Ok(_) => {
            sink.error(value.span(), format!("{what} must be longer than zero"))
                .label("zero")
                .help(DURATION_HELP);
            None
        }
        Err(err) => {
            let help = match s.trim().parse::<u64>() {
                Ok(n) => unit_help(n),
                Err(_) => DURATION_HELP.to_string(),
            };
            sink.error(
                value.span(),
                format!("{what} is not a valid duration: \"{s}\""),
            )
            .label(problem(&err))
            .help(help);
            None
        }
    }
}

fn unit_help(n: impl std::fmt::Display) -> String {
    format!("durations need a unit: write \"{n}s\"")
}

/// humantime's error, short enough to fit under an underline.
fn problem(err: &humantime::DurationError) -> String {
    match err {
        humantime::DurationError::UnknownUnit { unit, .. } if unit.is_empty() => {
            "missing unit".into()
        }
        humantime::DurationError::UnknownUnit { unit, .. } => format!("unknown unit `{unit}`"),
        humantime::DurationError::NumberExpected(_) => "expected a number".into(),
        humantime::DurationError::Empty => "empty".into(),
        humantime::DurationError::NumberOverflow => "too large".into(),
        humantime::DurationError::InvalidCharacter(_) => "invalid character".into(),
    }
}

#[cfg(test)]
mod tests {
    use toml::de::DeTable;

    use super::*;
    use crate::suggest::KeyCase;

    fn read(sink: &mut Sink<'_>, text: &str) -> Option<Duration> {
        let (table, errors) = DeTable::parse_recoverable(text);
        assert!(errors.is_empty(), "{errors:?}");
        let value = table.get_ref().get("t").expect("t");
        duration(sink, "`t`", value)
    }

    #[test]
    fn reads_human_durations() {
        let mut sink = Sink::new("f", "", KeyCase::Snake);
        assert_eq!(
            read(&mut sink, "t = \"1m30s\""),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            read(&mut sink, "t = \" 500ms \""),
            Some(Duration::from_millis(500))
        );
        assert!(sink.diagnostics().is_empty());
    }

    #[test]
    fn explains_what_is_wrong() {
        let mut sink = Sink::new("f", "", KeyCase::Snake);
        for text in [
            "t = \"5 parsecs\"",
            "t = \"fast\"",
            "t = \"5\"",
            "t = \"0s\"",
            "t = 5",
            "t = true",
        ] {
            assert_eq!(read(&mut sink, text), None, "{text}");
        }
        let seen: Vec<_> = sink
            .diagnostics()
            .iter()
            .map(|d| {
                (
                    d.message.as_str(),
                    d.label.as_deref().unwrap_or_default(),
                    d.help.as_deref().unwrap_or_default(),
                )
            })
            .collect();
        let unit = "durations need a unit: write \"5s\"";
        assert_eq!(
            seen,
            [
                (
                    "`t` is not a valid duration: \"5 parsecs\"",
                    "unknown unit `parsecs`",
                    DURATION_HELP
                ),
                (
                    "`t` is not a valid duration: \"fast\"",
                    "expected a number",
                    DURATION_HELP
                ),
                ("`t` is not a valid duration: \"5\"", "missing unit", unit),
                ("`t` must be longer than zero", "zero", DURATION_HELP),
                (
                    "`t` must be a duration, found an integer",
                    "expected a duration",
                    unit
                ),
                (
                    "`t` must be a duration, found a boolean",
                    "expected a duration",
                    DURATION_HELP
                ),
            ]
        );
    }
}
