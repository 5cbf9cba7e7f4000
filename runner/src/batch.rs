//! `gate run`: one run of a suite on a pool of its own, results in file order.

use gate_scenarios::Suite;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::backend::BackendError;
use crate::config::RunConfig;
use crate::context::RunContext;
use crate::event::RunEvent;
use crate::pool::BrowserPool;
use crate::result::RunResult;
use crate::scenario_run::is_provider;

/// Runs `selected` (indices into `suite.scenarios`) and returns the results in file order.
/// Scenarios named by `session` need not be selected: they run as needed to make the session.
/// Fails before running anything when the browser backend cannot start.
pub async fn run(
    suite: Suite,
    selected: Vec<usize>,
    config: RunConfig,
    events: UnboundedSender<RunEvent>,
    cancel: CancellationToken,
) -> Result<RunResult, BackendError> {
    let started_at = OffsetDateTime::now_utc();
    let started = std::time::Instant::now();
    let workers = config.workers.clamp(1, selected.len().max(1));
    let pool = BrowserPool::start(config.browser.clone(), workers).await?;
    let _ = events.send(RunEvent::Started {
        total: selected.len(),
        workers,
    });
    let ctx = RunContext::new(suite, config, events);

    // Scenarios whose session others reuse go first, so the others find it ready.
    let mut order = selected;
    order.sort_by_key(|&i| (!is_provider(&ctx.suite, &ctx.suite.scenarios[i]), i));
    let jobs = order
        .iter()
        .map(|&i| pool.run(ctx.clone(), i, cancel.clone()));
    let results = futures::future::join_all(jobs).await;
    pool.shutdown().await;

    let mut scenarios: Vec<(usize, _)> = order.into_iter().zip(results).collect();
    scenarios.sort_by_key(|(i, _)| *i);
    let result = RunResult {
        run_id: ctx.config.run_id.clone(),
        started_at: started_at.format(&Rfc3339).unwrap_or_default(),
        duration_ms: started.elapsed().as_millis() as u64,
        base_url: ctx.config.base_url.clone(),
        workers,
        artifacts_dir: ctx.config.artifacts_dir.display().to_string(),
        interrupted: cancel.is_cancelled(),
        scenarios: scenarios.into_iter().map(|(_, r)| r).collect(),
    };
    let _ = ctx.events.send(RunEvent::Finished {
        result: Box::new(result.clone()),
    });
    Ok(result)
}
