//! Staging parity with a `[parity]` section's settings: both environments observed at once
//! (the `gate-parity` driver) and compared (its pure core). `gate parity` runs it from the
//! command line; the service runs it before each canary (holding the deploy when
//! `hold-deploys` is set) and, in [`schedule`], every `[parity] every`.

pub mod schedule;

use gate_parity::observe::{self, ObserveError, Options, Probe, Trust, TrustError};
use gate_parity::{Comparison, Observation, Rules};

use crate::config::ParityConfig;

/// Both observations and their comparison.
pub struct Checked {
    pub staging: Observation,
    pub production: Observation,
    pub comparison: Comparison,
}

/// Why parity could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum Unchecked {
    /// No URL for `staging` or `production`.
    #[error("no {0} URL")]
    NoUrl(&'static str),
    #[error("{0}")]
    Trust(#[from] TrustError),
    /// One environment or both could not be observed.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Unobserved(Vec<ObserveError>),
}

/// The observer's options for `config`.
pub fn options(config: &ParityConfig) -> Options {
    Options {
        path: config.path.clone(),
        version_path: config.version_path.clone(),
        timeout: config.timeout,
        probes: config
            .probes
            .iter()
            .map(|p| Probe {
                name: p.name.clone(),
                command: p.command.clone(),
                timeout: p.timeout,
            })
            .collect(),
        probe_dir: config.dir.clone(),
    }
}

/// Observes staging and production at once and compares them.
pub async fn check(config: &ParityConfig) -> Result<Checked, Unchecked> {
    let url = |text: Option<&String>, name: &'static str| {
        text.and_then(|t| url::Url::parse(t).ok())
            .ok_or(Unchecked::NoUrl(name))
    };
    let staging = url(config.staging.as_ref(), gate_parity::STAGING)?;
    let production = url(config.production.as_ref(), gate_parity::PRODUCTION)?;
    let trust = Trust::load(config.ca_file.as_deref(), config.insecure_skip_verify)?;
    let options = options(config);
    let (staging, production) = tokio::join!(
        observe::observe(gate_parity::STAGING, &staging, &trust, &options),
        observe::observe(gate_parity::PRODUCTION, &production, &trust, &options),
    );
    let (staging, production) = match (staging, production) {
        (Ok(s), Ok(p)) => (s, p),
        (s, p) => {
            let errors = [s.err(), p.err()].into_iter().flatten().collect();
            return Err(Unchecked::Unobserved(errors));
        }
    };
    let comparison =
        gate_parity::compare(&staging, &production, &Rules::new(config.ignore.clone()));
    Ok(Checked {
        staging,
        production,
        comparison,
    })
}
