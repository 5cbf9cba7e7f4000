//! `gate run`: check the scenarios, run them, show progress, write reports, pick the exit code.

use std::path::PathBuf;

use gate_runner::RunConfig;
use gate_runner::result::{Outcome, RunResult};
use gate_scenarios::Suite;
use tokio_util::sync::CancellationToken;

use crate::backend_args::check_isolation;
use crate::cli::{RunArgs, RunOptions, ScenarioInput};
use crate::load::{self, InputError, Sources};
use crate::progress::{self, Mode};
use crate::{exit, summary};

/// A run's inputs once checked: the suite, what to run, variables and secrets.
pub struct Prepared {
    pub suite: Suite,
    pub selected: Vec<usize>,
    pub vars: std::collections::BTreeMap<String, String>,
    pub secrets: std::collections::BTreeMap<String, String>,
}

pub async fn run(args: RunArgs) -> u8 {
    let prepared = match prepare(&args.input, &args.options) {
        Ok(p) => p,
        Err(code) => return code,
    };
    execute(prepared, args.base_url, &args.options).await
}

/// Reads and checks the scenario files and applies `--tags`/`--grep`. Prints problems.
pub fn prepare(input: &ScenarioInput, options: &RunOptions) -> Result<Prepared, u8> {
    let fail = |e: InputError| {
        eprintln!("error: {}", e.0);
        exit::INVALID
    };
    let sources = Sources::read(&input.paths).map_err(fail)?;
    prepare_sources(sources, input, options, Default::default())
}

/// Like [`prepare`] for sources already in memory; `extra_secrets` are added to the resolvable
/// secrets (the demo's shop password).
pub fn prepare_sources(
    sources: Sources,
    input: &ScenarioInput,
    options: &RunOptions,
    extra_secrets: std::collections::BTreeMap<String, String>,
) -> Result<Prepared, u8> {
    let vars = load::vars(input);
    let mut all_secrets = load::secrets(input).map_err(|e| {
        eprintln!("error: {}", e.0);
        exit::INVALID
    })?;
    all_secrets.extend(extra_secrets);
    let (suite, diagnostics) = sources.check(&load::check_options(&vars, &all_secrets));
    if !diagnostics.is_empty() {
        eprint!("{}", sources.render(&diagnostics));
    }
    // A secret that cannot be resolved would fail at run time: stop now instead.
    let blocking = diagnostics
        .iter()
        .filter(|d| d.is_error() || d.message.starts_with("secret"))
        .count();
    if blocking > 0 {
        eprintln!("error: {blocking} problem(s) in the scenario files; nothing was run");
        return Err(exit::INVALID);
    }
    let grep = match &options.grep {
        None => None,
        Some(g) => Some(regex::Regex::new(g).map_err(|e| {
            eprintln!("error: --grep: {e}");
            exit::INVALID
        })?),
    };
    let selected: Vec<usize> = suite
        .scenarios
        .iter()
        .enumerate()
        .filter(|(_, s)| options.tags.is_empty() || s.tags.iter().any(|t| options.tags.contains(t)))
        .filter(|(_, s)| grep.as_ref().is_none_or(|g| g.is_match(&s.name)))
        .map(|(i, _)| i)
        .collect();
    if selected.is_empty() {
        eprintln!(
            "error: no scenario matches the --tags/--grep filters ({} scenarios in the files)",
            suite.scenarios.len()
        );
        return Err(exit::INVALID);
    }
    let secrets = load::used_secrets(&sources, &all_secrets);
    Ok(Prepared {
        suite,
        selected,
        vars,
        secrets,
    })
}

/// Finds the browser: the flag/env, else PATH.
pub fn browser(options: &RunOptions) -> Result<PathBuf, u8> {
    match &options.browser {
        Some(path) if path.is_file() => Ok(path.clone()),
        Some(path) => {
            eprintln!("error: browser {} not found (check --browser / GATE_BROWSER)", path.display());
            Err(exit::INFRA)
        }
        None => gate_runner::browser::find_browser().ok_or_else(|| {
            eprintln!("error: no Chromium found on PATH: install it with `apt-get install chromium` or point --browser/GATE_BROWSER at it");
            exit::INFRA
        }),
    }
}

pub async fn execute(prepared: Prepared, base_url: String, options: &RunOptions) -> u8 {
    let mut browser = match options
        .backend
        .browser_options(&base_url, || browser(options))
    {
        Ok(b) => b,
        Err(code) => return code,
    };
    if let Err(code) = check_isolation(&browser, &prepared.suite, &prepared.selected) {
        return code;
    }
    browser.extra_args = options.browser_args.clone();
    let mut config = RunConfig::new(base_url, browser);
    if let gate_runner::Backend::Docker(docker) = &mut config.browser.backend {
        let label = gate_runner::backend::docker::LABEL_RUN.to_string();
        docker.labels.push((label, config.run_id.clone()));
    }
    if let Some(w) = options.workers {
        config.workers = usize::from(w);
    }
    config.step_timeout = options.step_timeout;
    config.scenario_timeout = options.scenario_timeout;
    config.vars = prepared.vars;
    config.secrets = prepared.secrets;
    config.artifacts_dir = match (&options.artifacts, &options.report) {
        (Some(dir), _) => dir.clone(),
        (None, Some(report)) => report.join("artifacts"),
        (None, None) => PathBuf::from("gate-artifacts").join(&config.run_id),
    };
    if let Ok(abs) = std::path::absolute(&config.artifacts_dir) {
        config.artifacts_dir = abs;
    }

    let cancel = CancellationToken::new();
    let signals = tokio::spawn(stop_on_signal(cancel.clone()));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mode = Mode::detect(options.quiet);
    let display = tokio::spawn(progress::show(mode, rx));
    let result = gate_runner::run(
        prepared.suite,
        prepared.selected,
        config,
        tx,
        cancel.clone(),
    )
    .await;
    let _ = display.await;
    signals.abort();
    let result = match result {
        Ok(result) => result,
        Err(err) => {
            eprintln!("error: {err}");
            return exit::INFRA;
        }
    };

    let reports = write_reports(&result, options);
    summary::print(&result, &reports, mode);
    exit_code(&result, options.fail_on_flaky)
}

/// Cancels the run on Ctrl-C or SIGTERM; a second signal ends the process at once.
async fn stop_on_signal(cancel: CancellationToken) {
    let term = async {
        #[cfg(unix)]
        {
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                s.recv().await;
                return;
            }
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
    eprintln!(
        "\ninterrupted: stopping browsers and writing partial reports (press Ctrl-C again to quit at once)"
    );
    cancel.cancel();
    let _ = tokio::signal::ctrl_c().await;
    std::process::exit(i32::from(exit::INTERRUPTED));
}

/// Writes the requested reports; returns what was written, for the summary.
fn write_reports(result: &RunResult, options: &RunOptions) -> Vec<(String, String)> {
    use gate_runner::report::{html, json, junit};
    let mut written = Vec::new();
    let mut note = |what: &str, path: &std::path::Path, outcome: Result<(), String>| match outcome {
        Ok(()) => written.push((what.to_string(), path.display().to_string())),
        Err(e) => eprintln!(
            "error: cannot write the {what} report {}: {e}",
            path.display()
        ),
    };
    for path in [&options.junit, &options.json].into_iter().flatten() {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(parent);
        }
    }
    if let Some(path) = &options.junit {
        note(
            "JUnit",
            path,
            junit::write(result, path).map_err(|e| e.to_string()),
        );
    }
    if let Some(path) = &options.json {
        note(
            "JSON",
            path,
            json::write(result, path).map_err(|e| e.to_string()),
        );
    }
    if let Some(dir) = &options.report {
        match html::write_dir(result, dir) {
            Ok(index) => written.push(("HTML".to_string(), index.display().to_string())),
            Err(e) => eprintln!("error: cannot write the HTML report {}: {e}", dir.display()),
        }
    }
    written
}

pub fn exit_code(result: &RunResult, fail_on_flaky: bool) -> u8 {
    if result.interrupted {
        return exit::INTERRUPTED;
    }
    let has = |o: Outcome| result.count(o) > 0;
    if has(Outcome::Failed) || (fail_on_flaky && has(Outcome::Flaky)) {
        exit::FAILED
    } else if has(Outcome::Error) || has(Outcome::Cancelled) {
        exit::INFRA
    } else {
        exit::PASSED
    }
}
