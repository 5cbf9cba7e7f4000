//! What a page did while a scenario ran, gathered from DevTools events by a task that lives as
//! long as the page: console errors and failed requests (evidence for reports), requests in
//! flight (network idle) and navigations (so actions wait for the page they started).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::log::EventEntryAdded;
use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent, EventResponseReceived,
};
use chromiumoxide::cdp::browser_protocol::page::{
    EventFrameRequestedNavigation, EventFrameStartedLoading, EventFrameStoppedLoading,
};
use chromiumoxide::cdp::js_protocol::runtime::{
    ConsoleApiCalledType, EventConsoleApiCalled, EventExceptionThrown,
};
use futures::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::result::FailedRequest;

/// Snapshot of page activity. Shared between the collector task and the step executor.
#[derive(Debug, Default, Clone)]
pub struct PageLog {
    pub console_errors: Vec<String>,
    pub failed_requests: Vec<FailedRequest>,
    /// Requests started and not yet finished, by request id.
    pub in_flight: HashMap<String, (String, String)>,
    /// Bumped on every main-frame navigation request or load start.
    pub navigations: u64,
    /// True between a main-frame load start and stop.
    pub loading: bool,
    /// Bumped on every network event: waiters use it to tell "quiet" from "busy".
    pub network_epoch: u64,
}

/// Owns the collector task; aborts it when dropped.
pub struct LogCollector {
    pub log: Arc<Mutex<PageLog>>,
    pub changes: watch::Receiver<u64>,
    task: JoinHandle<()>,
}

impl Drop for LogCollector {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const MAX_ENTRIES: usize = 200;

impl LogCollector {
    /// Subscribes to the page's events. Must be called before the page navigates.
    pub async fn start(page: &Page) -> chromiumoxide::Result<LogCollector> {
        let mut console = page.event_listener::<EventConsoleApiCalled>().await?;
        let mut exceptions = page.event_listener::<EventExceptionThrown>().await?;
        let mut entries = page.event_listener::<EventEntryAdded>().await?;
        let mut sent = page.event_listener::<EventRequestWillBeSent>().await?;
        let mut responses = page.event_listener::<EventResponseReceived>().await?;
        let mut finished = page.event_listener::<EventLoadingFinished>().await?;
        let mut failed = page.event_listener::<EventLoadingFailed>().await?;
        let mut nav_requested = page
            .event_listener::<EventFrameRequestedNavigation>()
            .await?;
        let mut started = page.event_listener::<EventFrameStartedLoading>().await?;
        let mut stopped = page.event_listener::<EventFrameStoppedLoading>().await?;
        let main_frame = page.mainframe().await?.map(|f| f.inner().clone());

        let log = Arc::new(Mutex::new(PageLog::default()));
        let (tx, changes) = watch::channel(0u64);
        let shared = log.clone();
        let task = tokio::spawn(async move {
            let is_main = |frame: &str| main_frame.as_deref().is_none_or(|m| m == frame);
            loop {
                // Each arm turns one event into a change of the log.
                let apply: Box<dyn FnOnce(&mut PageLog) + Send> = tokio::select! {
                    Some(ev) = console.next() => {
                        if !matches!(ev.r#type, ConsoleApiCalledType::Error | ConsoleApiCalledType::Assert) { continue; }
                        let text = ev.args.iter().map(|a| {
                            a.value.as_ref().map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
                                .or_else(|| a.description.clone()).unwrap_or_default()
                        }).collect::<Vec<_>>().join(" ");
                        Box::new(move |l| push(&mut l.console_errors, format!("console.error: {text}")))
                    }
                    Some(ev) = exceptions.next() => {
                        let d = &ev.exception_details;
                        let text = d.exception.as_ref().and_then(|e| e.description.clone()).unwrap_or_else(|| d.text.clone());
                        Box::new(move |l| push(&mut l.console_errors, format!("uncaught: {text}")))
                    }
                    Some(ev) = entries.next() => {
                        let entry = &ev.entry;
                        if !matches!(entry.level, chromiumoxide::cdp::browser_protocol::log::LogEntryLevel::Error) { continue; }
                        let text = match &entry.url { Some(url) => format!("{} ({url})", entry.text), None => entry.text.clone() };
                        Box::new(move |l| push(&mut l.console_errors, text))
                    }
                    Some(ev) = sent.next() => {
                        let id = ev.request_id.inner().clone();
                        let (method, url) = (ev.request.method.clone(), ev.request.url.clone());
                        Box::new(move |l| { l.in_flight.insert(id, (method, url)); l.network_epoch += 1; })
                    }
                    Some(ev) = responses.next() => {
                        let status = ev.response.status;
                        if status < 400 { continue; }
                        let id = ev.request_id.inner().clone();
                        let url = ev.response.url.clone();
                        Box::new(move |l| {
                            let method = l.in_flight.get(&id).map(|(m, _)| m.clone()).unwrap_or_else(|| "GET".into());
                            push(&mut l.failed_requests, FailedRequest { method, url, status: u16::try_from(status).ok(), error: None });
                        })
                    }
                    Some(ev) = finished.next() => {
                        let id = ev.request_id.inner().clone();
                        Box::new(move |l| { l.in_flight.remove(&id); l.network_epoch += 1; })
                    }
                    Some(ev) = failed.next() => {
                        let id = ev.request_id.inner().clone();
                        let error = ev.error_text.clone();
                        let canceled = ev.canceled.unwrap_or(false);
                        Box::new(move |l| {
                            if let Some((method, url)) = l.in_flight.remove(&id) {
                                if !canceled {
                                    push(&mut l.failed_requests, FailedRequest { method, url, status: None, error: Some(error) });
                                }
                            }
                            l.network_epoch += 1;
                        })
                    }
                    Some(ev) = nav_requested.next() => {
                        if !is_main(ev.frame_id.inner()) { continue; }
                        Box::new(|l| l.navigations += 1)
                    }
                    Some(ev) = started.next() => {
                        if !is_main(ev.frame_id.inner()) { continue; }
                        Box::new(|l| { l.navigations += 1; l.loading = true; })
                    }
                    Some(ev) = stopped.next() => {
                        if !is_main(ev.frame_id.inner()) { continue; }
                        Box::new(|l| l.loading = false)
                    }
                    else => break,
                };
                if let Ok(mut l) = shared.lock() {
                    apply(&mut l);
                }
                tx.send_modify(|n| *n += 1);
            }
        });
        Ok(LogCollector { log, changes, task })
    }

    pub fn snapshot(&self) -> PageLog {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

fn push<T>(list: &mut Vec<T>, item: T) {
    if list.len() < MAX_ENTRIES {
        list.push(item);
    }
}
