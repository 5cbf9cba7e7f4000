//! Server-rendered pages (no JavaScript build step): the run list, a run, a commit, and a
//! token login that sets a cookie. Every string is escaped by maud.

mod layout;
mod views;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use crate::app::extract::require;
use crate::auth::Scope;
use crate::state::AppState;
use crate::store::RunFilter;
use crate::verdict;
use crate::wire::RunState;

/// A page that needs a token: the page, or a way to log in.
fn guarded(state: &AppState, headers: &HeaderMap, next: &str) -> Result<(), Box<Response>> {
    match require(state, headers, Scope::Read) {
        Ok(_) => Ok(()),
        Err(e) if e.status == StatusCode::FORBIDDEN => {
            let page = layout::page("Forbidden", html! { p { (e.message) } });
            Err(Box::new((StatusCode::FORBIDDEN, page).into_response()))
        }
        Err(_) => Err(Box::new(
            Redirect::to(&format!("/login?next={}", urlencode(next))).into_response(),
        )),
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        layout::page(
            "Unavailable",
            html! { p { "The gate database is unavailable; try again." } },
        ),
    )
        .into_response()
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        layout::page(
            "Not found",
            html! { h1 { (what) " not found" } p { a href="/runs" { "All runs" } } },
        ),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct RunsQuery {
    branch: Option<String>,
    state: Option<RunState>,
    before: Option<String>,
}

pub async fn runs(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RunsQuery>,
) -> Response {
    if let Err(r) = guarded(&state, &headers, "/runs") {
        return *r;
    }
    let filter = RunFilter {
        branch: q.branch.clone(),
        state: q.state,
        before: q.before,
        limit: 51,
        ..Default::default()
    };
    let Ok(mut runs) = state.store.runs(&filter).await else {
        return unavailable();
    };
    let more = runs.len() > 50;
    runs.truncate(50);
    let next = if more {
        runs.last().map(|r| r.id.clone())
    } else {
        None
    };
    layout::page("Runs", views::run_list(&runs, next.as_deref())).into_response()
}

pub async fn run(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = guarded(&state, &headers, &format!("/runs/{id}")) {
        return *r;
    }
    let Ok(run) = state.store.run(&id).await else {
        return unavailable();
    };
    let Some(run) = run else {
        return not_found("Run");
    };
    let Ok(jobs) = state.store.jobs(&id).await else {
        return unavailable();
    };
    let view = verdict::run_view(&state.config, &run, &jobs);
    layout::page(
        &format!("Run {}", &run.commit[..run.commit.len().min(10)]),
        views::run_page(&view, &jobs),
    )
    .into_response()
}

pub async fn commit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> Response {
    if let Err(r) = guarded(&state, &headers, &format!("/commits/{sha}")) {
        return *r;
    }
    match verdict::commit_status(&state, &sha.to_ascii_lowercase()).await {
        Ok(Some(status)) => layout::page("Commit", views::commit_page(&status)).into_response(),
        Ok(None) => not_found("Commit"),
        Err(_) => unavailable(),
    }
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(Query(q): Query<NextQuery>) -> Response {
    layout::page(
        "Log in",
        views::login(q.next.as_deref().unwrap_or("/runs"), None),
    )
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
    next: Option<String>,
}

pub async fn login(State(state): State<AppState>, Form(form): Form<LoginForm>) -> Response {
    let next = form
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//"))
        .unwrap_or_else(|| "/runs".into());
    match state.tokens.authenticate(form.token.trim()) {
        Some(p) if p.allows(Scope::Read) => {
            let cookie = format!(
                "gate_token={}; HttpOnly; SameSite=Strict; Path=/",
                form.token.trim()
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        _ => (
            StatusCode::UNAUTHORIZED,
            layout::page(
                "Log in",
                views::login(&next, Some("That token is not valid here.")),
            ),
        )
            .into_response(),
    }
}

pub async fn logout() -> Response {
    (
        [(
            header::SET_COOKIE,
            "gate_token=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0".to_string(),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}
