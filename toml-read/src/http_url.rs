//! The one rule for URL-valued settings: an absolute `http://` or `https://` URL with a host.
//!
//! Parsing is `url`'s (WHATWG), so a port out of range or a bad host character is refused
//! here rather than on the first request. On top of it, the text must spell out
//! `scheme://host`: WHATWG would quietly read `https:/host` or `https:///host` as
//! `https://host/`, which is rarely what the writer meant.

use url::{ParseError, Url};

use crate::rule::Invalid;

/// `text` as an absolute http(s) URL with a host. `example` (an absolute URL fit for the
/// setting, e.g. `"https://staging.example.com"`) is shown in the help when the text itself
/// cannot be turned into one.
pub fn http_url(text: &str, example: &str) -> Result<Url, Invalid> {
    http_url_template(text, text, example)
}

/// [`http_url`] for a template: `filled` is `written` with each placeholder replaced by a
/// sample value. `filled` is checked; the help shows `written`, placeholders and all.
pub fn http_url_template(filled: &str, written: &str, example: &str) -> Result<Url, Invalid> {
    let write = |url: &str| format!("write an absolute URL, e.g. \"{url}\"");
    // "gate.example.com" or "ftp://x" become "https://gate.example.com", "https://x" when
    // that is a URL; otherwise the setting's example.
    let fixed = |filled_rest: &str, written_rest: &str| {
        let looks_like_a_host = written_rest.starts_with(|c: char| c.is_alphanumeric() || c == '[');
        let works = looks_like_a_host && parses(&format!("https://{filled_rest}"));
        write(&if works {
            format!("https://{written_rest}")
        } else {
            example.to_string()
        })
    };
    let not_http = |help: String| {
        Invalid::new(
            "must be an http:// or https:// URL",
            "not an http(s) URL",
            help,
        )
    };
    if filled.trim().is_empty() {
        return Err(Invalid::new(
            "must be an http:// or https:// URL",
            "empty",
            write(example),
        ));
    }
    if filled.contains(char::is_whitespace) {
        return Err(Invalid::new(
            "must not contain spaces",
            "space",
            write(example),
        ));
    }
    let Some((scheme, rest)) = filled.split_once("://") else {
        let bare = |s: &'_ str| {
            let s = strip_prefix_ignoring_case(s, "https:")
                .or_else(|| strip_prefix_ignoring_case(s, "http:"))
                .map_or(s, |rest| rest.trim_start_matches('/'));
            s.to_string()
        };
        return Err(not_http(fixed(&bare(filled), &bare(written))));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        let written_rest = written.split_once("://").map_or(written, |(_, rest)| rest);
        return Err(not_http(fixed(rest, written_rest)));
    }
    let no_host = || Invalid::new("must be a URL with a host", "no host", write(example));
    if rest.is_empty() || rest.starts_with('/') {
        return Err(no_host());
    }
    match Url::parse(filled) {
        Ok(url) if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(url),
        Ok(_) | Err(ParseError::EmptyHost) => Err(no_host()),
        Err(ParseError::InvalidPort) => Err(Invalid::new(
            "has an invalid port",
            "invalid port",
            format!(
                "a port is a number up to 65535, e.g. \"{}:8443\"",
                example.trim_end_matches('/')
            ),
        )),
        Err(
            ParseError::InvalidDomainCharacter
            | ParseError::IdnaError
            | ParseError::InvalidIpv4Address
            | ParseError::InvalidIpv6Address,
        ) => Err(Invalid::new(
            "has an invalid host",
            "invalid host",
            write(example),
        )),
        Err(other) => Err(Invalid::new(
            "is not a valid URL",
            other.to_string(),
            write(example),
        )),
    }
}

fn parses(text: &str) -> bool {
    Url::parse(text).is_ok_and(|url| url.host_str().is_some_and(|h| !h.is_empty()))
}

fn strip_prefix_ignoring_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "https://staging.example.com";

    fn refused(text: &str) -> (String, String) {
        let invalid = http_url(text, EXAMPLE).expect_err(text);
        (invalid.label, invalid.help)
    }

    #[test]
    fn accepts_absolute_http_urls_with_a_host() {
        for ok in [
            "https://gate.example.com",
            "http://127.0.0.1:8470/",
            "http://[::1]:3000/shop",
            "HTTPS://Staging.Example.com/a?b=c",
            "http://user:pw@host:1",
            "http://localhost",
        ] {
            assert!(http_url(ok, EXAMPLE).is_ok(), "{ok}");
        }
    }

    #[test]
    fn a_missing_scheme_is_added_in_the_help_when_that_makes_a_url() {
        let help = |url: &str| format!("write an absolute URL, e.g. \"{url}\"");
        let cases = [
            (
                "gate.example.com",
                "not an http(s) URL",
                help("https://gate.example.com"),
            ),
            (
                "localhost:3000",
                "not an http(s) URL",
                help("https://localhost:3000"),
            ),
            (
                "ftp://files.example.com",
                "not an http(s) URL",
                help("https://files.example.com"),
            ),
            (
                "http:example.com",
                "not an http(s) URL",
                help("https://example.com"),
            ),
            ("/gate", "not an http(s) URL", help(EXAMPLE)),
            ("", "empty", help(EXAMPLE)),
        ];
        for (text, label, want) in cases {
            assert_eq!(refused(text), (label.to_string(), want), "{text}");
        }
    }

    #[test]
    fn refuses_what_url_parsing_refuses_or_quietly_repairs() {
        assert_eq!(refused("https://").0, "no host");
        assert_eq!(refused("https:///path").0, "no host");
        assert_eq!(refused("http://:3000").0, "no host");
        assert_eq!(
            refused("https://staging.example.com:70000").0,
            "invalid port"
        );
        assert_eq!(refused("https://exa%mple.com").0, "invalid host");
        assert_eq!(refused("https://gate example.com").0, "space");
        assert_eq!(refused(" https://gate.example.com").0, "space");
    }

    #[test]
    fn templates_are_checked_filled_and_shown_as_written() {
        let written = "pr-{pr}.staging.example.com";
        let invalid =
            http_url_template("pr-1.staging.example.com", written, EXAMPLE).expect_err("no scheme");
        assert_eq!(
            invalid.help,
            "write an absolute URL, e.g. \"https://pr-{pr}.staging.example.com\""
        );
        assert!(
            http_url_template(
                "https://pr-1.example.com",
                "https://pr-{pr}.example.com",
                EXAMPLE
            )
            .is_ok()
        );
    }
}
