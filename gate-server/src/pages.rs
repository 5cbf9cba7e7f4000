//! Server-rendered pages (HTML from maud; no JavaScript but the dashboard's live-update line):
//! the DORA dashboard, the run list, a run, a commit, the deployments with what each service
//! serves, a deployment, the weekly digest's outbox, the release flow, and a token log-in that
//! sets a cookie. Pages get their data from the service and are pure
//! functions of it; every string is escaped by maud. Who may see a page is decided by the
//! route table's access rules before a page runs; form posts are checked for their origin
//! before they get here. Pages know nothing of the HTTP API's handlers.
//!
//! Stable element ids for tests (and people's bookmarks) are listed in each page's module.

pub mod commit;
pub mod dashboard;
mod deploy_charts;
pub mod deployment;
pub mod deployments;
pub mod digests;
pub mod flow;
mod layout;
pub mod login;
pub mod review;
pub mod run;
pub mod runs;

use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::auth::{Denied, Refused};
use crate::service::ServiceError;
pub use crate::views::encode_path as encode;
pub use layout::Chrome;

/// A page with a title and one paragraph (errors, refusals).
pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    let body = html! {
        h1 #message-title { (title) }
        p #message { (text) }
        p { a href="/runs" { "All runs" } }
    };
    layout::respond(status, layout::page(title, Chrome::SignedIn, None, body))
}

/// A refused page: log in first (and come back, if it was a page), the log-in form saying
/// why when the cookie's token expired or was revoked, or a 403 page when the token is too
/// weak.
pub fn denied(denied: Denied, method: &Method, uri: &Uri) -> Response {
    let next = match uri.path_and_query() {
        Some(p) if *method == Method::GET => p.as_str(),
        // A form's target cannot be opened after logging in.
        _ => "/runs",
    };
    match denied {
        Denied::Unauthenticated(Refused::Unknown) => {
            Redirect::to(&format!("/login?next={}", encode(next))).into_response()
        }
        Denied::Unauthenticated(refused) => login::refused(&refused, next),
        Denied::Forbidden { needed, .. } => message(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!(
                "Your token may not do this: it needs the `{needed}` scope. Log out and log in with another token."
            ),
        ),
    }
}

/// 404 page for an unknown run or commit.
pub fn not_found(what: &str) -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!("There is no {what} here."),
    )
}

/// 503 page when the store fails (the detail is logged, not shown).
pub fn unavailable(err: &dyn std::fmt::Display) -> Response {
    tracing::error!("a page could not be built: {err}");
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Unavailable",
        "The gate database is unavailable; try again in a moment.",
    )
}

/// The page for a use case that refused or failed.
pub fn failed(err: ServiceError) -> Response {
    match err {
        ServiceError::NotFound(what) => not_found(what),
        ServiceError::Invalid { message: text, .. } => {
            message(StatusCode::BAD_REQUEST, "Cannot do that", &text)
        }
        ServiceError::Refused(text) => message(StatusCode::CONFLICT, "Refused", &text),
        ServiceError::Forbidden(text) => message(StatusCode::FORBIDDEN, "Forbidden", &text),
        ServiceError::Unreachable(text) => message(StatusCode::BAD_GATEWAY, "Unreachable", &text),
        ServiceError::LeaseLost => message(
            StatusCode::CONFLICT,
            "Conflict",
            "That job is no longer held.",
        ),
        ServiceError::Unavailable(err) => unavailable(&err),
        ServiceError::Internal(detail) => {
            tracing::error!("a page could not be built: {detail}");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Error",
                "The server cannot do this now; its log says why.",
            )
        }
    }
}

/// A page response (200).
pub fn ok(title: &str, head: Option<Markup>, body: Markup) -> Response {
    layout::respond(
        StatusCode::OK,
        layout::page(title, Chrome::SignedIn, head, body),
    )
}
