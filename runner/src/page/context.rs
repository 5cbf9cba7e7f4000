//! A fresh incognito browser context with one page, for one scenario attempt.

use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::browser::BrowserContextId;
use chromiumoxide::cdp::browser_protocol::network::{
    Cookie, CookieParam, GetCookiesParams, SetCookiesParams, TimeSinceEpoch,
};
use chromiumoxide::cdp::browser_protocol::page::AddScriptToEvaluateOnNewDocumentParams;
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use chromiumoxide::{Browser, Page};
use tokio::sync::watch;

use super::log::{LogCollector, PageLog};
use crate::session::StorageState;

/// Limit for the set-up and tear-down calls of a context (not for steps, which have their own).
const CONTEXT_CALL_LIMIT: Duration = Duration::from_secs(10);

pub struct ScenarioPage {
    pub page: Page,
    context_id: BrowserContextId,
    log: LogCollector,
}

impl ScenarioPage {
    /// Creates the context and its page at `about:blank`, optionally starting from a saved
    /// session (cookies, local storage).
    pub async fn open(
        browser: &Browser,
        state: Option<&StorageState>,
    ) -> chromiumoxide::Result<ScenarioPage> {
        let setup = async {
            let context_id = browser
                .create_browser_context(CreateBrowserContextParams::default())
                .await?;
            let params = CreateTargetParams::builder()
                .url("about:blank")
                .browser_context_id(context_id.clone())
                .build()
                .map_err(chromiumoxide::error::CdpError::msg)?;
            let page = match browser.new_page(params).await {
                Ok(page) => page,
                Err(err) => {
                    let _ = browser.dispose_browser_context(context_id).await;
                    return Err(err);
                }
            };
            let log = LogCollector::start(&page).await?;
            let scenario_page = ScenarioPage {
                page,
                context_id,
                log,
            };
            if let Some(state) = state {
                scenario_page.restore(state).await?;
            }
            Ok(scenario_page)
        };
        tokio::time::timeout(CONTEXT_CALL_LIMIT, setup)
            .await
            .map_err(|_| chromiumoxide::error::CdpError::Timeout)?
    }

    pub async fn restore(&self, state: &StorageState) -> chromiumoxide::Result<()> {
        self.set_cookies(state.cookies.clone()).await?;
        if !state.local_storage.is_empty() {
            // Applied once per origin and tab, before the app's own scripts run.
            let source = format!(
                "(() => {{ const all = {}; const items = all[location.origin]; \
                 if (!items || sessionStorage.getItem('__gate_restored')) return; \
                 for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v); \
                 sessionStorage.setItem('__gate_restored', '1'); }})()",
                serde_json::to_string(&state.local_storage).unwrap_or_else(|_| "{}".into())
            );
            self.page
                .execute(AddScriptToEvaluateOnNewDocumentParams::new(source))
                .await?;
        }
        Ok(())
    }

    pub async fn set_cookies(&self, cookies: Vec<CookieParam>) -> chromiumoxide::Result<()> {
        if !cookies.is_empty() {
            self.page.execute(SetCookiesParams::new(cookies)).await?;
        }
        Ok(())
    }

    /// The cookies of this context that would be sent to any of `urls`.
    pub async fn cookies(&self, urls: Vec<String>) -> chromiumoxide::Result<Vec<Cookie>> {
        let params = GetCookiesParams::builder().urls(urls).build();
        Ok(self.page.execute(params).await?.result.cookies)
    }

    pub fn log(&self) -> PageLog {
        self.log.snapshot()
    }

    /// Where the main frame stands now, to tell later which navigations came after.
    pub fn mark(&self) -> super::Mark {
        self.inspect(|log| log.frame.mark())
    }

    /// Reads the page log without copying it.
    pub fn inspect<R>(&self, read: impl FnOnce(&PageLog) -> R) -> R {
        self.log.inspect(read)
    }

    /// Returns once every event the browser sent so far is in the page log.
    pub async fn settled(&self) {
        self.log.settled().await;
    }

    /// Changes whenever the page log changes (network, navigation, console).
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.log.changes.clone()
    }

    /// Disposes of the context, which closes its page. Errors are ignored: the browser may be
    /// gone.
    pub async fn close(self, browser: &Browser) {
        let ScenarioPage {
            page,
            context_id,
            log,
        } = self;
        drop(log);
        drop(page);
        let _ = tokio::time::timeout(
            CONTEXT_CALL_LIMIT,
            browser.dispose_browser_context(context_id),
        )
        .await;
    }
}

/// A cookie as read back, turned into the form that sets it again.
pub fn cookie_param(c: &Cookie) -> CookieParam {
    let mut p = CookieParam::new(c.name.clone(), c.value.clone());
    p.domain = Some(c.domain.clone());
    p.path = Some(c.path.clone());
    p.secure = Some(c.secure);
    p.http_only = Some(c.http_only);
    p.same_site = c.same_site.clone();
    if !c.session {
        p.expires = Some(TimeSinceEpoch::new(c.expires));
    }
    p
}
