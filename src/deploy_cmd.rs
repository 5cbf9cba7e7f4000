//! `gate deploy`, `promote`, `advance`, `abort`, `rollback`, `deployments`, `services`: what a
//! person or a CD pipeline runs to ship a version through its canary. Each command is one or
//! two API calls with the shared wire types; the server decides, these commands show. Exit
//! codes: 0 done (a deploy: promoted), 1 a deploy that did not make it (rolled back, aborted,
//! failed), 2 refused or misused (the server's message says what to do), 3 the server could
//! not be reached.

use std::time::Instant;

use gate_wire::{
    ActionRequest, DeployPhase, DeployRequest, DeploymentList, DeploymentView, RollbackRequest,
    RollbackResult, ServiceList,
};

use crate::api::{Api, Failure};
use crate::deploy_args::{
    AbortArgs, DeployArgs, DeploymentsArgs, PromoteArgs, RollbackArgs, ServicesArgs, Target,
};
use crate::deploy_follow::{Followed, follow};
use crate::deploy_progress::{Mode, Progress};
use crate::deploy_text as text;
use crate::{deploy_tables, exit};

pub async fn deploy(args: DeployArgs) -> u8 {
    let api = Api::new(&args.server);
    let request = DeployRequest {
        service: args.service.clone(),
        version: args.version.clone(),
        commit: args.commit.clone(),
        force: args.force,
        reason: args.reason.clone(),
        hotfix: args.hotfix,
        commits: args.carries.clone(),
    };
    let created: DeploymentView = match api.post(&["deployments"], &request).await {
        Ok(view) => view,
        Err(failure) => {
            let doing = format!("cannot deploy {} of {}", args.version, args.service);
            return failure.report(&doing);
        }
    };
    println!(
        "deployment {} of {} {} (commit {}) replacing {}{}: {}",
        created.id,
        created.service,
        created.version,
        &created.commit[..created.commit.len().min(12)],
        created.from_version.as_deref().unwrap_or("nothing"),
        if created.forced {
            ", overriding the gate"
        } else {
            ""
        },
        created.html
    );
    if args.detach {
        return exit::PASSED;
    }
    let mut progress = Progress::new(Mode::detect());
    progress.show(&created, text::now_ms());
    match follow(&api, &created.id, &mut progress).await {
        Followed::Over(view) => {
            let lines = text::outcome(&view);
            if view.phase == DeployPhase::Promoted {
                lines.iter().for_each(|l| println!("{l}"));
                exit::PASSED
            } else {
                lines.iter().for_each(|l| eprintln!("{l}"));
                exit::FAILED
            }
        }
        Followed::Interrupted => {
            eprintln!(
                "stopped following; deployment {} goes on on the server ({}). \
                 `gate abort {} --reason …` stops it.",
                created.id, created.html, created.id
            );
            exit::INTERRUPTED
        }
        Followed::Lost(failure) => {
            let code = failure.report(&format!("cannot follow deployment {}", created.id));
            eprintln!(
                "the deployment goes on on the server: `gate deployments --service {}` shows where it is",
                created.service
            );
            code
        }
    }
}

/// The id of the deployment `target` means: as given, or the service's one in progress.
async fn resolve(api: &Api, target: &Target) -> Result<String, u8> {
    if let Some(id) = &target.deployment {
        return Ok(id.clone());
    }
    let service = target.service.as_deref().unwrap_or_default();
    let list: ServiceList = api
        .get(&["services"], &[])
        .await
        .map_err(|f| f.report("cannot read the services"))?;
    let Some(found) = list.services.iter().find(|s| s.name == service) else {
        let known: Vec<&str> = list.services.iter().map(|s| s.name.as_str()).collect();
        eprintln!(
            "error: --service {service}: the server deploys no such service{}",
            if known.is_empty() {
                " (it has no [[services]])".to_string()
            } else {
                format!("; it deploys {}", known.join(", "))
            }
        );
        return Err(exit::INVALID);
    };
    found.deployment.clone().ok_or_else(|| {
        eprintln!(
            "error: --service {service}: no deployment of {service} is in progress (it serves {}); \
             `gate deployments --service {service}` lists the earlier ones",
            found.version.as_deref().unwrap_or("no version gate knows")
        );
        exit::INVALID
    })
}

/// A person's move on a deployment (`promote`, `advance`, `abort`): the call, then where the
/// deployment is now.
async fn steer(api: &Api, target: &Target, verb: &str, body: &ActionRequest) -> u8 {
    let id = match resolve(api, target).await {
        Ok(id) => id,
        Err(code) => return code,
    };
    match api
        .post::<_, DeploymentView>(&["deployments", &id, verb], body)
        .await
    {
        // The server answers a move on a deployment that is over with the deployment as it
        // is: a promote that finds it aborted did nothing.
        Ok(view) if !moved_as_asked(verb, view.phase) => {
            eprintln!(
                "error: cannot {verb} deployment {}: it is over ({}); nothing was changed{}",
                view.id,
                view.phase.as_str(),
                if verb == "abort" {
                    format!(
                        ". `gate rollback --service {} --reason …` moves its traffic back",
                        view.service
                    )
                } else {
                    String::new()
                }
            );
            exit::INVALID
        }
        Ok(view) => {
            let now = match view.phase {
                DeployPhase::Pending | DeployPhase::Canary => {
                    format!(
                        "{}{}",
                        text::where_it_is(&view),
                        text::countdown(&view, text::now_ms())
                    )
                }
                _ => text::outcome(&view).remove(0),
            };
            println!(
                "{verb}: deployment {} of {} {}: {now}",
                view.id, view.service, view.version
            );
            exit::PASSED
        }
        Err(failure) => failure.report(&format!("cannot {verb} deployment {id}")),
    }
}

/// Whether a deployment in `phase` is where `verb` takes one.
fn moved_as_asked(verb: &str, phase: DeployPhase) -> bool {
    match verb {
        "promote" => phase == DeployPhase::Promoted,
        "advance" => matches!(phase, DeployPhase::Canary | DeployPhase::Promoted),
        _ => phase == DeployPhase::Aborted,
    }
}

pub async fn promote(args: PromoteArgs) -> u8 {
    let api = Api::new(&args.server);
    steer(&api, &args.target, "promote", &ActionRequest::default()).await
}

pub async fn advance(args: PromoteArgs) -> u8 {
    let api = Api::new(&args.server);
    steer(&api, &args.target, "advance", &ActionRequest::default()).await
}

pub async fn abort(args: AbortArgs) -> u8 {
    let api = Api::new(&args.server);
    let body = ActionRequest {
        reason: Some(args.reason),
    };
    steer(&api, &args.target, "abort", &body).await
}

pub async fn rollback(args: RollbackArgs) -> u8 {
    let api = Api::new(&args.server);
    let body = RollbackRequest {
        to_version: args.to.clone(),
        to_time: args.to_time.clone(),
        reason: args.reason.clone(),
    };
    let started = Instant::now();
    let result: Result<RollbackResult, Failure> = api
        .post(&["services", &args.service, "rollback"], &body)
        .await;
    let took = started.elapsed();
    match result {
        Ok(done) => {
            println!(
                "rolled back {}: {} serves now (was {}); the call took {} ms",
                done.service,
                done.to_version,
                done.from_version,
                took.as_millis()
            );
            if let Some(d) = &done.deployment {
                println!(
                    "  the canary {} of {} is {}: {}",
                    d.id,
                    d.version,
                    d.phase.as_str(),
                    d.html
                );
            }
            exit::PASSED
        }
        Err(failure) => failure.report(&format!("cannot roll {} back", args.service)),
    }
}

pub async fn deployments(args: DeploymentsArgs) -> u8 {
    let api = Api::new(&args.server);
    let limit = args.limit.to_string();
    let mut query = vec![("limit", limit.as_str())];
    if let Some(service) = &args.service {
        query.push(("service", service));
    }
    match api.get::<DeploymentList>(&["deployments"], &query).await {
        Ok(list) if args.json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            );
            exit::PASSED
        }
        Ok(list) => {
            if list.deployments.is_empty() {
                eprintln!("no deployments yet: `gate deploy` starts one");
            } else {
                println!("{}", deploy_tables::deployments(&list.deployments));
            }
            exit::PASSED
        }
        Err(failure) => failure.report("cannot list the deployments"),
    }
}

pub async fn services(args: ServicesArgs) -> u8 {
    let api = Api::new(&args.server);
    match api.get::<ServiceList>(&["services"], &[]).await {
        Ok(list) if args.json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            );
            exit::PASSED
        }
        Ok(list) => {
            if list.services.is_empty() {
                eprintln!("the server deploys no services: add [[services]] to its gate.toml");
            } else {
                println!("{}", deploy_tables::services(&list.services));
            }
            exit::PASSED
        }
        Err(failure) => failure.report("cannot list the services"),
    }
}
