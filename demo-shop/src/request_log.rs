//! The `log_requests` switch: one `request METHOD PATH` line on stdout as each request starts.
//! Tests and the demo read these lines to know how far a browser has got (for example, that it
//! is waiting for `/products`), so the line is flushed at once rather than left in a buffer.

use std::io::Write;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Middleware printing the request line before handing the request on.
pub async fn print_request(request: Request, next: Next) -> Response {
    print_line(&request_line(
        request.method().as_str(),
        request.uri().path(),
    ));
    next.run(request).await
}

fn print_line(line: &str) {
    let mut stdout = std::io::stdout().lock();
    // Losing a log line (stdout closed) must not fail the request.
    let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
}

fn request_line(method: &str, path: &str) -> String {
    format!("request {method} {path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format() {
        assert_eq!(request_line("GET", "/products"), "request GET /products");
    }
}
