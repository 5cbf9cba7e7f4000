//! What the scenarios of one run share: the suite, the run's settings, the HTTP client of API
//! steps, secret redaction, sessions made by `session` providers, and where events go.

use std::sync::Arc;

use gate_scenarios::Suite;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::attempt::AttemptEnv;
use crate::config::RunConfig;
use crate::event::RunEvent;
use crate::scope::Redactor;
use crate::session::SessionCache;

pub struct RunContext {
    pub(crate) suite: Suite,
    pub(crate) config: RunConfig,
    pub(crate) http: reqwest::Client,
    pub(crate) redactor: Redactor,
    pub(crate) sessions: SessionCache,
    pub(crate) events: UnboundedSender<RunEvent>,
}

impl RunContext {
    pub fn new(
        suite: Suite,
        config: RunConfig,
        events: UnboundedSender<RunEvent>,
    ) -> Arc<RunContext> {
        let http = reqwest::Client::builder()
            // Redirects are followed by the request step itself, so cookies set on every hop
            // reach the browser context.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("gate/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Arc::new(RunContext {
            redactor: Redactor::new(&config.secrets),
            suite,
            config,
            http,
            sessions: SessionCache::default(),
            events,
        })
    }

    pub fn suite(&self) -> &Suite {
        &self.suite
    }

    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    pub(crate) fn env<'a>(&'a self, cancel: &'a CancellationToken) -> AttemptEnv<'a> {
        AttemptEnv {
            config: &self.config,
            http: &self.http,
            redactor: &self.redactor,
            events: &self.events,
            cancel,
        }
    }
}
