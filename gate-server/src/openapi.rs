//! The OpenAPI document served at `/api/v1/openapi.json`: the wire types as schemas and every
//! route with its scope, built from the same table the tests check the router against.

use utoipa::OpenApi;
use utoipa::openapi::path::{HttpMethod, OperationBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

use crate::wire;

/// One API route: method, path, required scope (`None`: no token), summary, request and
/// response schema names.
pub type Route = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

/// Every API route.
pub const ROUTES: &[Route] = &[
    (
        "post",
        "/api/v1/runs",
        Some("submit"),
        "Submit a commit's staging build (201 new, 200 existing)",
        Some("SubmitRun"),
        Some("RunView"),
    ),
    (
        "get",
        "/api/v1/runs",
        Some("read"),
        "List runs, newest first (?commit, branch, state, before, limit)",
        None,
        Some("RunList"),
    ),
    (
        "get",
        "/api/v1/runs/{id}",
        Some("read"),
        "Read a run",
        None,
        Some("RunView"),
    ),
    (
        "post",
        "/api/v1/runs/{id}/cancel",
        Some("submit"),
        "Cancel a run",
        None,
        Some("RunView"),
    ),
    (
        "post",
        "/api/v1/runs/{id}/rerun-failed",
        Some("submit"),
        "Re-run the failed scenarios of a run",
        None,
        Some("RunView"),
    ),
    (
        "get",
        "/api/v1/runs/{id}/junit.xml",
        Some("read"),
        "The run's JUnit XML",
        None,
        None,
    ),
    (
        "get",
        "/api/v1/runs/{id}/report/",
        Some("read"),
        "The run's HTML report",
        None,
        None,
    ),
    (
        "get",
        "/api/v1/runs/{id}/report/artifacts/{path}",
        Some("read"),
        "A screenshot or page snapshot of the run",
        None,
        None,
    ),
    (
        "get",
        "/api/v1/commits/{sha}/status",
        Some("read"),
        "The commit's combined verdict",
        None,
        Some("CommitStatus"),
    ),
    (
        "post",
        "/api/v1/webhooks/github",
        None,
        "GitHub webhook (push, pull_request, merge_group), signed with X-Hub-Signature-256",
        None,
        None,
    ),
    (
        "post",
        "/api/v1/agent/lease",
        Some("agent"),
        "Lease jobs (long poll)",
        Some("LeaseRequest"),
        Some("LeaseGrant"),
    ),
    (
        "post",
        "/api/v1/agent/jobs/{id}/heartbeat",
        Some("agent"),
        "Keep a lease (409: lost)",
        Some("Heartbeat"),
        None,
    ),
    (
        "post",
        "/api/v1/agent/jobs/{id}/result",
        Some("agent"),
        "Deliver a job's result and artifacts (409: lease lost)",
        Some("JobResult"),
        None,
    ),
    (
        "post",
        "/api/v1/agent/jobs/{id}/release",
        Some("agent"),
        "Hand a job back to the queue",
        Some("Heartbeat"),
        None,
    ),
    (
        "get",
        "/api/v1/openapi.json",
        None,
        "This document",
        None,
        None,
    ),
    ("get", "/healthz", None, "Liveness", None, None),
    (
        "get",
        "/readyz",
        None,
        "Readiness: store reachable, browser pool up",
        None,
        None,
    ),
    (
        "get",
        "/metrics",
        Some("read"),
        "Prometheus metrics",
        None,
        None,
    ),
];

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gate",
        description = "Merge gates: commits in, scenario runs, verdicts out."
    ),
    components(schemas(
        wire::SubmitRun,
        wire::RunView,
        wire::RunList,
        wire::RunState,
        wire::JobState,
        wire::JobView,
        wire::RunLinks,
        wire::CommitStatus,
        wire::RunSummary,
        wire::FailingScenario,
        wire::ErrorBody,
        wire::LeaseRequest,
        wire::Lease,
        wire::SourceFile,
        wire::LeaseGrant,
        wire::Heartbeat,
        wire::JobResult,
        wire::ArtifactUpload
    ))
)]
struct Base;

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Base::openapi();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    for (method, path, scope, summary, request, response) in ROUTES {
        let method = if *method == "post" {
            HttpMethod::Post
        } else {
            HttpMethod::Get
        };
        let description = match scope {
            Some(s) => format!("Needs a bearer token with the `{s}` scope (or `admin`)."),
            None => "No token.".to_string(),
        };
        let mut op = OperationBuilder::new()
            .summary(Some(*summary))
            .description(Some(description));
        if scope.is_some() {
            op = op.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
            op = op.response(
                "401",
                ResponseBuilder::new().description("No valid token").build(),
            );
            op = op.response(
                "403",
                ResponseBuilder::new()
                    .description("The token's scopes do not allow this")
                    .build(),
            );
        }
        if let Some(schema) = request {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(*schema)))
                .build();
            op = op.request_body(Some(
                RequestBodyBuilder::new()
                    .content("application/json", content)
                    .required(Some(utoipa::openapi::Required::True))
                    .build(),
            ));
            op = op.response(
                "400",
                error_response("The body is not valid: `error` says why, `field` names the field"),
            );
        }
        let ok = match response {
            Some(schema) => ResponseBuilder::new()
                .description("OK")
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name(*schema)))
                        .build(),
                )
                .build(),
            None => ResponseBuilder::new().description("OK").build(),
        };
        op = op.response("200", ok);
        doc.paths
            .add_path_operation(*path, vec![method], op.build());
    }
    doc
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}
