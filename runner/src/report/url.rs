//! Artifact paths as URL paths, for the HTML report's links and the server's.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Bytes kept as they are in a URL path: the unreserved set and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// `path` with everything outside the unreserved set and `/` percent-encoded.
pub fn url_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reserved_and_non_ascii_bytes_are_encoded() {
        assert_eq!(super::url_path("a b/#1?.png"), "a%20b/%231%3F.png");
        assert_eq!(super::url_path("é~x_y-z"), "%C3%A9~x_y-z");
    }
}
