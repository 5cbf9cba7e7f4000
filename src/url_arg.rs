//! URL-valued flags (`--base-url`, `--server`) checked when the command line is read, with the
//! same rule as `gate.toml`'s URL keys: an absolute `http`/`https` URL with a host. A typo is
//! a usage error (exit 2) naming the flag, never a run whose every scenario "fails".

/// A clap value parser for a URL flag whose example is `example`.
pub fn http_url(example: &'static str) -> impl Fn(&str) -> Result<String, String> + Clone {
    move |text: &str| {
        gate_toml::http_url::http_url(text, example)
            .map(|_| text.to_string())
            .map_err(|invalid| format!("the URL {}: {}", invalid.problem, invalid.help))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn absolute_http_urls_pass_and_others_say_what_to_write() {
        let parse = super::http_url("https://staging.example.com");
        assert_eq!(
            parse("http://127.0.0.1:8080/shop").as_deref(),
            Ok("http://127.0.0.1:8080/shop")
        );
        for bad in [
            "not-a-url",
            "/relative",
            "ftp://x",
            "http://",
            "https:///x",
            "",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains("e.g. \"https://"), "{bad}: {err}");
        }
    }
}
