//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`: every API route of the router
//! ([`crate::app::endpoints`]) with its path parameters, body, answers and the scope its
//! bearer token needs, and the schemas of the [`gate_wire`] types they carry. Routes come from
//! the router itself, so a new route cannot be left out; what each one means is described
//! here, in [`describe`], which names the Rust types of bodies and answers; the schemas
//! (nested ones included) are generated from those types, so no schema is named by hand.

use std::borrow::Cow;

use gate_wire as wire;
use utoipa::openapi::path::{OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, KnownFormat, ObjectBuilder, OpenApiBuilder,
    Paths, Ref, RefOr, Required, ResponseBuilder, Schema, SchemaFormat, Type,
};
use utoipa::{PartialSchema, ToSchema};

use crate::app::{Access, Endpoint, Surface, Verb};

/// A schema named by its Rust type: its name in the document, and how to add it (and the
/// schemas it refers to) to the components.
#[derive(Clone)]
pub struct SchemaOf {
    pub name: Cow<'static, str>,
    add: fn(&mut Vec<(String, RefOr<Schema>)>),
}

/// The schema of `T`.
pub fn schema<T: ToSchema>() -> SchemaOf {
    SchemaOf {
        name: T::name(),
        add: |all| {
            all.push((T::name().into_owned(), <T as PartialSchema>::schema()));
            T::schemas(all);
        },
    }
}

/// What a route does: summary, request body schema, success status and its schema (or media
/// type for non-JSON answers).
pub struct Doc {
    pub summary: &'static str,
    pub request: Option<SchemaOf>,
    pub status: &'static str,
    pub response: Answer,
}

pub enum Answer {
    Json(SchemaOf),
    /// Server-Sent Events whose `data:` is this schema.
    Events(SchemaOf),
    Other(&'static str),
    Empty,
}

/// The description of each API route. `None` for a route nobody described yet (the tests
/// refuse that).
pub fn describe(verb: Verb, path: &str) -> Option<Doc> {
    use Answer::{Empty, Events, Json, Other};
    let doc = |summary, request, status, response| {
        Some(Doc {
            summary,
            request,
            status,
            response,
        })
    };
    match (verb, path) {
        (Verb::Post, "/api/v1/runs") => doc(
            "Submit a commit's deployed build: 201 with a new run, 200 with the existing run of the same commit and suite (unless `rerun`)",
            Some(schema::<wire::SubmitRun>()),
            "201",
            Json(schema::<wire::RunView>()),
        ),
        (Verb::Get, "/api/v1/runs") => doc(
            "List runs, newest first; filter by commit, branch and state; page with `before` (the previous answer's `next`)",
            None,
            "200",
            Json(schema::<wire::RunList>()),
        ),
        (Verb::Get, "/api/v1/runs/{id}") => {
            doc("Read a run", None, "200", Json(schema::<wire::RunView>()))
        }
        (Verb::Post, "/api/v1/runs/{id}/cancel") => doc(
            "Cancel a run: queued scenarios are dropped, running ones finish",
            None,
            "200",
            Json(schema::<wire::RunView>()),
        ),
        (Verb::Post, "/api/v1/runs/{id}/rerun-failed") => doc(
            "A new run of the run's failed, errored and cancelled scenarios (201; 200 with the run itself when none failed)",
            None,
            "201",
            Json(schema::<wire::RunView>()),
        ),
        (Verb::Get, "/api/v1/runs/{id}/junit.xml") => {
            doc("The run's JUnit XML", None, "200", Other("application/xml"))
        }
        (Verb::Get, "/api/v1/runs/{id}/report/") => doc(
            "The run's HTML report (artifacts linked below it)",
            None,
            "200",
            Other("text/html"),
        ),
        (Verb::Get, "/api/v1/runs/{id}/report/artifacts/{*path}") => doc(
            "A screenshot or page snapshot of the run (pages are served as text)",
            None,
            "200",
            Other("application/octet-stream"),
        ),
        (Verb::Get, "/api/v1/commits/{sha}/status") => doc(
            "The commit's combined verdict: pending, success, failure or error, like a combined commit status",
            None,
            "200",
            Json(schema::<wire::CommitStatus>()),
        ),
        (Verb::Get, "/api/v1/events") => doc(
            "The server's events as Server-Sent Events (`event:` is the type, `data:` the JSON): runs queued and finished, scenarios finished, verdicts changed. A client that falls behind gets a `lagged` event",
            None,
            "200",
            Events(schema::<wire::Event>()),
        ),
        (Verb::Post, "/api/v1/deployments/external") => doc(
            "Record a production deployment made outside gate, for the DORA metrics (the same id again replaces it)",
            Some(schema::<wire::ExternalDeployment>()),
            "201",
            Json(schema::<wire::HistoryRecorded>()),
        ),
        (Verb::Post, "/api/v1/incidents") => doc(
            "Record a production incident; `caused_by` names the deployment that caused it (a failed change)",
            Some(schema::<wire::Incident>()),
            "201",
            Json(schema::<wire::HistoryRecorded>()),
        ),
        (Verb::Post, "/api/v1/history") => doc(
            "Record many external deployments and incidents at once: all or nothing; an error's `field` names the row (`deployments[3].finished_at`)",
            Some(schema::<wire::HistoryImport>()),
            "201",
            Json(schema::<wire::HistoryRecorded>()),
        ),
        (Verb::Get, "/api/v1/report") => doc(
            "The DORA report (`gate report --json`): the last full week (`?week=last`, the default), this week so far (`?week=current`, as `/dashboard` shows it), or `?since=&until=` (RFC 3339), of all services or `?service=`: `{headline, text, report}`",
            None,
            "200",
            Other("application/json"),
        ),
        (Verb::Get, "/api/v1/digests") => doc(
            "The weekly digest's outbox, newest first (`?limit=`, 1 to 1000): each digest's week, channel, state (pending, delivered, failed), attempts, next try and last error",
            None,
            "200",
            Json(schema::<wire::DigestList>()),
        ),
        (Verb::Get, "/api/v1/digests/preview") => doc(
            "The digest of the last full week as it would be sent now (subject, text, HTML), not sent",
            None,
            "200",
            Json(schema::<wire::DigestPreview>()),
        ),
        (Verb::Post, "/api/v1/digests/send") => doc(
            "Compose the digest of the last full week and queue it for every configured channel at once (a manual send, even if that week's digest went out); 409 when no channel is configured",
            None,
            "201",
            Json(schema::<wire::DigestSent>()),
        ),
        (Verb::Get, "/api/v1/review") => doc(
            "The seven-gate review (`gate review --json`): each gate installed, partial or missing with its evidence and what to add: `{review: {gates, summary}, text, markdown}`",
            None,
            "200",
            Other("application/json"),
        ),
        (Verb::Get, "/api/v1/flow") => doc(
            "The release flow: its stages in order (gate's own and the manual ones `[release]` declares) with each stage's runs, median duration and failure share over 90 days, and the risks (single owner, no runbook, not performed in the latest releases) with what to do",
            None,
            "200",
            Json(schema::<wire::Flow>()),
        ),
        (Verb::Post, "/api/v1/flow/{stage}/done") => doc(
            "Record that a person performed a manual stage for a release (audited as `stage_performed`); 422 for a stage that is not a declared manual one",
            Some(schema::<wire::StageDone>()),
            "201",
            Json(schema::<wire::StagePerformed>()),
        ),
        (Verb::Post, "/api/v1/deployments") => doc(
            "Deploy a version of a service through its canary. Refused (409, audited) unless the commit's gate verdict is success; `force` with a `reason` overrides that and needs the `admin` scope (audited as an override)",
            Some(schema::<wire::DeployRequest>()),
            "201",
            Json(schema::<wire::DeploymentView>()),
        ),
        (Verb::Get, "/api/v1/deployments") => doc(
            "Deployments, newest first; `?service=`, `?before=` (the previous answer's `next`), `?limit=` (1 to 100)",
            None,
            "200",
            Json(schema::<wire::DeploymentList>()),
        ),
        (Verb::Get, "/api/v1/deployments/{id}") => doc(
            "A deployment: phase, step, weight, the latest decision with its numbers, and its log",
            None,
            "200",
            Json(schema::<wire::DeploymentView>()),
        ),
        (Verb::Post, "/api/v1/deployments/{id}/promote") => doc(
            "Promote the canary now: all traffic to the new version (audited)",
            None,
            "200",
            Json(schema::<wire::DeploymentView>()),
        ),
        (Verb::Post, "/api/v1/deployments/{id}/advance") => doc(
            "Move a canary held for a person on to its next step (audited)",
            None,
            "200",
            Json(schema::<wire::DeploymentView>()),
        ),
        (Verb::Post, "/api/v1/deployments/{id}/abort") => doc(
            "Stop the canary: traffic back to stable at once (a `reason` is required; audited)",
            Some(schema::<wire::ActionRequest>()),
            "200",
            Json(schema::<wire::DeploymentView>()),
        ),
        (Verb::Get, "/api/v1/deployments/{id}/postmortem") => doc(
            "The deployment's timeline as Markdown, for a blameless postmortem",
            None,
            "200",
            Other("text/markdown"),
        ),
        (Verb::Get, "/api/v1/services") => doc(
            "The configured services, the version serving each, and the deployment in progress",
            None,
            "200",
            Json(schema::<wire::ServiceList>()),
        ),
        (Verb::Post, "/api/v1/services/{name}/rollback") => doc(
            "All traffic at once to another version: the canary in progress rolled back, or the version before, a named one (`to_version`) or the one serving at a time (`to_time`); a `reason` is required; audited",
            Some(schema::<wire::RollbackRequest>()),
            "200",
            Json(schema::<wire::RollbackResult>()),
        ),
        (Verb::Get, "/api/v1/audit") => doc(
            "Audit entries, oldest first: `?since=` (RFC 3339 or HH:MM), `?service=`, `?deployment=`, `?after=` (the previous answer's `next`), `?limit=`",
            None,
            "200",
            Json(schema::<wire::AuditList>()),
        ),
        (Verb::Get, "/api/v1/audit/verify") => doc(
            "Check the audit log's hash chain: the first entry that does not hold, or the head hash to keep",
            None,
            "200",
            Json(schema::<wire::AuditVerification>()),
        ),
        (Verb::Post, "/api/v1/webhooks/github") => doc(
            "GitHub webhook (push, pull_request, merge_group; ping is ignored). Signed with X-Hub-Signature-256 (HMAC-SHA256 of the raw body); a missing or bad signature is 401 and nothing is queued. A repeated X-GitHub-Delivery is answered 200 without queuing",
            None,
            "201",
            Json(schema::<wire::RunView>()),
        ),
        (Verb::Post, "/api/v1/agent/lease") => doc(
            "Lease up to `capacity` jobs, waiting up to `wait_ms` (at most 30 s) for work",
            Some(schema::<wire::LeaseRequest>()),
            "200",
            Json(schema::<wire::LeaseGrant>()),
        ),
        (Verb::Post, "/api/v1/agent/jobs/{id}/heartbeat") => doc(
            "Keep a lease; 409 when it was lost (stop the job)",
            Some(schema::<wire::Heartbeat>()),
            "204",
            Empty,
        ),
        (Verb::Post, "/api/v1/agent/jobs/{id}/result") => doc(
            "Deliver a job's result and artifacts; 409 when the lease was lost (the result is dropped)",
            Some(schema::<wire::JobResult>()),
            "204",
            Empty,
        ),
        (Verb::Post, "/api/v1/agent/jobs/{id}/release") => doc(
            "Hand a leased job back to the queue",
            Some(schema::<wire::Heartbeat>()),
            "204",
            Empty,
        ),
        (Verb::Get, "/api/v1/openapi.json") => {
            doc("This document", None, "200", Other("application/json"))
        }
        (Verb::Get, "/healthz") => doc("Liveness: always 200", None, "200", Other("text/plain")),
        (Verb::Get, "/readyz") => doc(
            "Readiness: 200 when the database answers and the browser pool is up, else 503 with a reason",
            None,
            "200",
            Other("application/json"),
        ),
        (Verb::Get, "/metrics") => doc(
            "Prometheus metrics (queue depth, runs by outcome, scenario durations, browser pool, HTTP requests)",
            None,
            "200",
            Other("application/openmetrics-text"),
        ),
        _ => None,
    }
}

const DESCRIPTION: &str = "Merge gates: CI posts commits, the gate runs the scenario suite against each commit's staging build, merge checks read one verdict per commit. Every route except the health checks, this document and the signed webhook needs `Authorization: Bearer <token>`; each route says which scope (a token with `admin` may do everything; `submit` and `deploy` include `read`).";

/// An axum path as an OpenAPI path: `{*path}` becomes `{path}`.
pub fn openapi_path(path: &str) -> String {
    path.replace("{*", "{")
}

/// The names of a path's parameters.
fn parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|segment| {
        segment
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .map(|s| s.trim_start_matches('*'))
    })
}

fn json_content(schema: &SchemaOf) -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(schema.name.clone())))
        .build()
}

fn error_answer(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            json_content(&schema::<wire::ErrorBody>()),
        )
        .build()
}

fn string_schema() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn list_query() -> Vec<utoipa::openapi::path::Parameter> {
    let param = |name: &str, description: &str, schema: ObjectBuilder| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(description))
            .schema(Some(schema.build()))
            .build()
    };
    vec![
        param(
            "commit",
            "Only runs of this commit (full SHA)",
            string_schema(),
        ),
        param("branch", "Only runs of this branch", string_schema()),
        param(
            "state",
            "queued, running, passed, failed, error or cancelled",
            string_schema(),
        ),
        param(
            "before",
            "Only runs older than this run id (the previous answer's `next`)",
            string_schema(),
        ),
        param(
            "limit",
            "Runs per page, 1 to 100 (default 20)",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32))),
        ),
    ]
}

fn operation(endpoint: &Endpoint, doc: &Doc) -> utoipa::openapi::path::Operation {
    let scope = endpoint.access.scope();
    let description = match (endpoint.access, scope) {
        (_, Some(s)) => format!("Needs a bearer token with the `{s}` scope (or `admin`)."),
        (Access::Signed, None) => "No token: the GitHub signature authenticates.".to_string(),
        _ => "No token.".to_string(),
    };
    let mut op = OperationBuilder::new()
        .summary(Some(doc.summary))
        .description(Some(description));
    for name in parameters(endpoint.path) {
        op = op.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(string_schema().build())),
        );
    }
    if endpoint.path == "/api/v1/runs" && endpoint.verb == Verb::Get {
        for p in list_query() {
            op = op.parameter(p);
        }
    }
    if let Some(schema) = &doc.request {
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .content("application/json", json_content(schema))
                .required(Some(Required::True))
                .build(),
        ));
        op = op
            .response(
                "400",
                error_answer("The body is not JSON of this shape: `error` says why, `field` names the field"),
            )
            .response(
                "422",
                error_answer("A value is not acceptable: `error` says why and what to send, `field` names it"),
            )
            .response("413", error_answer("The body is too large"))
            .response("415", error_answer("The body is not JSON"));
    }
    if scope.is_some() {
        op = op
            .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
            .response("401", error_answer("No valid token"))
            .response("403", error_answer("The token's scopes do not allow this"));
    }
    if ["{id}", "{sha}", "{name}"]
        .iter()
        .any(|p| endpoint.path.contains(p))
    {
        op = op.response(
            "404",
            error_answer("No such run, commit, deployment or service"),
        );
    }
    if endpoint.path.starts_with("/api/v1/deployments")
        || endpoint.path.contains("/rollback")
        || endpoint.path == "/api/v1/digests/send"
    {
        op = op.response(
            "409",
            error_answer("Refused by the state of things (a red commit, a deployment in progress, no digest channel): `error` says why and what to do"),
        );
    }
    let answer = match &doc.response {
        Answer::Json(schema) => ResponseBuilder::new()
            .description("OK")
            .content("application/json", json_content(schema)),
        Answer::Events(schema) => ResponseBuilder::new()
            .description("A stream of events, each `data:` of this schema")
            .content("text/event-stream", json_content(schema)),
        Answer::Other(media) => ResponseBuilder::new()
            .description("OK")
            .content(*media, ContentBuilder::new().build()),
        Answer::Empty => ResponseBuilder::new().description("Done"),
    };
    op.response(doc.status, answer.build()).build()
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut paths = Paths::new();
    // Every schema a route names, with the ones they refer to.
    let mut schemas = Vec::new();
    (schema::<wire::ErrorBody>().add)(&mut schemas);
    let api = crate::app::endpoints()
        .into_iter()
        .filter(|e| e.surface != Surface::Page);
    for endpoint in api {
        let described = describe(endpoint.verb, endpoint.path).unwrap_or(Doc {
            summary: "",
            request: None,
            status: "200",
            response: Answer::Empty,
        });
        let named = [
            described.request.as_ref(),
            match &described.response {
                Answer::Json(s) | Answer::Events(s) => Some(s),
                Answer::Other(_) | Answer::Empty => None,
            },
        ];
        for schema in named.into_iter().flatten() {
            (schema.add)(&mut schemas);
        }
        let method = match endpoint.verb {
            Verb::Get => utoipa::openapi::path::HttpMethod::Get,
            Verb::Post => utoipa::openapi::path::HttpMethod::Post,
        };
        paths.add_path_operation(
            openapi_path(endpoint.path),
            vec![method],
            operation(&endpoint, &described),
        );
    }
    let components = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from `gate token`; its scopes decide what it may do",
                    ))
                    .build(),
            ),
        )
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("gate")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(DESCRIPTION))
                .build(),
        )
        .paths(paths)
        .components(Some(components))
        .build()
}
