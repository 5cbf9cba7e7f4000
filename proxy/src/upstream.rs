//! An upstream's address: the rule for a valid upstream URL and how a request's path maps onto
//! it. Owns no connections (the forwarder's pooled client does).

use http::uri::{PathAndQuery, Uri};

/// `http://host:port[/base-path]`, checked once when the table is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// As given (shown in the state and the metrics).
    url: String,
    /// `host:port`.
    authority: String,
    /// The base path without a trailing `/` (empty for `http://host:port/`).
    base_path: String,
}

impl Upstream {
    /// Checks `url`; the error is a sentence fragment for a 422 or a flag error.
    pub fn parse(url: &str) -> Result<Upstream, String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("`{url}` is not a URL ({e}); expected http://host:port"))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some(other) => {
                return Err(format!(
                    "`{url}`: only http:// upstreams are supported, not {other}://"
                ));
            }
            None => return Err(format!("`{url}` has no scheme; expected http://host:port")),
        }
        let authority = uri
            .authority()
            .ok_or_else(|| format!("`{url}` has no host; expected http://host:port"))?;
        if authority.as_str().contains('@') {
            return Err(format!(
                "`{url}`: user names and passwords are not supported"
            ));
        }
        if authority.host().is_empty() {
            return Err(format!("`{url}` has no host; expected http://host:port"));
        }
        if uri.query().is_some() {
            return Err(format!("`{url}`: an upstream URL cannot have a query"));
        }
        let base_path = uri.path().trim_end_matches('/').to_string();
        Ok(Upstream {
            url: url.to_string(),
            authority: authority.as_str().to_string(),
            base_path,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The upstream URI for a request to `path_and_query` (the base path comes first).
    pub fn uri_for(&self, path_and_query: Option<&PathAndQuery>) -> Result<Uri, http::Error> {
        let pq = path_and_query.map_or("/", PathAndQuery::as_str);
        let pq = if pq.starts_with('/') {
            format!("{}{pq}", self.base_path)
        } else {
            // An asterisk-form (`OPTIONS *`) or other odd target: send the base path.
            format!("{}/", self.base_path)
        };
        Uri::builder()
            .scheme("http")
            .authority(self.authority.as_str())
            .path_and_query(pq)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_http_with_a_host_and_keeps_the_base_path() {
        let up = Upstream::parse("http://127.0.0.1:9001/shop/").expect("valid");
        let pq = PathAndQuery::from_static("/cart?id=3");
        assert_eq!(
            up.uri_for(Some(&pq)).expect("uri").to_string(),
            "http://127.0.0.1:9001/shop/cart?id=3"
        );
        let root = Upstream::parse("http://localhost:9001").expect("valid");
        assert_eq!(
            root.uri_for(None).expect("uri").to_string(),
            "http://localhost:9001/"
        );
    }

    #[test]
    fn refuses_what_it_cannot_forward_to() {
        for (url, why) in [
            ("https://x:1", "only http://"),
            ("127.0.0.1:9001", "no scheme"),
            ("http://u:p@x:1", "user names"),
            ("http://x:1/?a=b", "query"),
            ("not a url", "not a URL"),
            ("/path", "no scheme"),
        ] {
            let err = Upstream::parse(url).expect_err(url);
            assert!(err.contains(why), "{url}: {err}");
        }
    }
}
