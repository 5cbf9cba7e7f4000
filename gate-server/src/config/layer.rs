//! [`Layer`]: what one source of configuration (the file or the environment) sets.

use std::path::PathBuf;
use std::time::Duration;

use super::{
    DigestConfig, ParityConfig, PublishConfig, ReleaseConfig, ServiceConfig, TokenConfig,
    WebhookConfig,
};

/// The settings one source gives; `None` where it says nothing. Paths are as the source
/// wrote them: the file's are made relative to its directory when the layers are resolved.
#[derive(Default)]
pub(super) struct Layer {
    pub listen: Option<String>,
    pub database_url: Option<Located<String>>,
    pub public_url: Option<String>,
    pub scenarios: Option<Located<Vec<PathBuf>>>,
    pub default_base_url: Option<String>,
    pub workers: Option<usize>,
    pub browser: Option<PathBuf>,
    pub browser_args: Option<Vec<String>>,
    pub recycle_after: Option<u32>,
    pub step_timeout: Option<Duration>,
    pub scenario_timeout: Option<Duration>,
    pub lease: Option<Duration>,
    pub max_leases: Option<u32>,
    pub max_body: Option<usize>,
    pub request_timeout: Option<Duration>,
    pub tokens: Option<Vec<TokenConfig>>,
    pub webhook: Option<WebhookConfig>,
    pub publish: Option<PublishConfig>,
    pub services: Option<Vec<ServiceConfig>>,
    pub digest: Option<DigestConfig>,
    pub release: Option<ReleaseConfig>,
    pub parity: Option<ParityConfig>,
    pub digest_now: Option<jiff::Timestamp>,
    pub require_committed_config: Option<bool>,
}

/// A value holding paths, and what relative ones are relative to.
pub(super) struct Located<T> {
    pub value: T,
    /// Written in the file: relative to the file's directory. Otherwise (the environment)
    /// relative to the working directory, as the shell that set it would read it.
    pub in_file: bool,
}

impl Layer {
    /// This layer's settings, and `lower`'s where this one says nothing.
    pub fn over(self, lower: Layer) -> Layer {
        Layer {
            listen: self.listen.or(lower.listen),
            database_url: self.database_url.or(lower.database_url),
            public_url: self.public_url.or(lower.public_url),
            scenarios: self.scenarios.or(lower.scenarios),
            default_base_url: self.default_base_url.or(lower.default_base_url),
            workers: self.workers.or(lower.workers),
            browser: self.browser.or(lower.browser),
            browser_args: self.browser_args.or(lower.browser_args),
            recycle_after: self.recycle_after.or(lower.recycle_after),
            step_timeout: self.step_timeout.or(lower.step_timeout),
            scenario_timeout: self.scenario_timeout.or(lower.scenario_timeout),
            lease: self.lease.or(lower.lease),
            max_leases: self.max_leases.or(lower.max_leases),
            max_body: self.max_body.or(lower.max_body),
            request_timeout: self.request_timeout.or(lower.request_timeout),
            tokens: self.tokens.or(lower.tokens),
            require_committed_config: self
                .require_committed_config
                .or(lower.require_committed_config),
            webhook: self.webhook.or(lower.webhook),
            publish: self.publish.or(lower.publish),
            services: self.services.or(lower.services),
            digest: self.digest.or(lower.digest),
            release: self.release.or(lower.release),
            parity: self.parity.or(lower.parity),
            digest_now: self.digest_now.or(lower.digest_now),
        }
    }
}
