//! What a page did while a scenario ran, gathered from DevTools events by a task that lives as
//! long as the page: console errors and failed requests (evidence for reports), requests in
//! flight (network idle, and what a page that does not finish loading still waits for) and the
//! main frame's navigations and load states (so steps wait for the page they started).
//!
//! Each kind of event arrives on its own channel, so the collector takes them in a fixed order
//! of precedence (`biased`): an event that causes another (a request being sent, its response;
//! a navigation starting, its commit) sits on an earlier channel than its effect and is applied
//! first even when both are waiting. The same order makes [`LogCollector::settled`] mean "every
//! event DevTools sent before now is in the log".

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::log::EventEntryAdded;
use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventLoadingFinished, EventRequestWillBeSent, EventResponseReceived,
};
use chromiumoxide::cdp::browser_protocol::page::{
    ClientNavigationDisposition, EventFrameNavigated, EventFrameRequestedNavigation,
    EventFrameStartedLoading, EventFrameStoppedLoading, EventLifecycleEvent,
    EventNavigatedWithinDocument, SetLifecycleEventsEnabledParams,
};
use chromiumoxide::cdp::js_protocol::runtime::{
    ConsoleApiCalledType, EventConsoleApiCalled, EventExceptionThrown,
};
use futures::StreamExt;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::frame::MainFrame;
use crate::result::FailedRequest;

/// Snapshot of page activity. Shared between the collector task and the step executor.
#[derive(Debug, Default, Clone)]
pub struct PageLog {
    pub console_errors: Vec<String>,
    pub failed_requests: Vec<FailedRequest>,
    /// Requests started and not yet finished, by request id.
    pub in_flight: HashMap<String, InFlight>,
    /// Bumped on every network event: waiters use it to tell "quiet" from "busy".
    pub network_epoch: u64,
    pub frame: MainFrame,
}

/// A request the page is still waiting for.
#[derive(Debug, Clone)]
pub struct InFlight {
    pub method: String,
    pub url: String,
    /// DevTools' resource type: `Document`, `Stylesheet`, `Image`, `Font`, `Script`, `XHR`…
    pub resource_type: String,
    /// When it was sent (redirects keep the first request's time).
    pub started: Instant,
}

/// Owns the collector task; aborts it when dropped.
pub struct LogCollector {
    pub log: Arc<Mutex<PageLog>>,
    pub changes: watch::Receiver<u64>,
    flushes: mpsc::UnboundedSender<oneshot::Sender<()>>,
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
        let mut navigated = page.event_listener::<EventFrameNavigated>().await?;
        let mut within = page
            .event_listener::<EventNavigatedWithinDocument>()
            .await?;
        let mut lifecycle = page.event_listener::<EventLifecycleEvent>().await?;
        // chromiumoxide turns lifecycle events on when it attaches; the waits depend on them.
        page.execute(SetLifecycleEventsEnabledParams::new(true))
            .await?;
        let main_frame = page.mainframe().await?.map(|f| f.inner().clone());

        let log = Arc::new(Mutex::new(PageLog {
            frame: MainFrame::new(main_frame),
            ..PageLog::default()
        }));
        let (tx, changes) = watch::channel(0u64);
        let (flushes, mut flush_requests) = mpsc::unbounded_channel::<oneshot::Sender<()>>();
        let shared = log.clone();
        let task = tokio::spawn(async move {
            loop {
                // Each arm turns one event into a change of the log; causes before effects.
                let apply: Box<dyn FnOnce(&mut PageLog) + Send> = tokio::select! {
                    biased;
                    Some(ev) = nav_requested.next() => {
                        if ev.disposition != ClientNavigationDisposition::CurrentTab { continue; }
                        let frame = ev.frame_id.inner().clone();
                        Box::new(move |l| if l.frame.is_main(&frame) { l.frame.navigation_started() })
                    }
                    Some(ev) = started.next() => {
                        let frame = ev.frame_id.inner().clone();
                        Box::new(move |l| if l.frame.is_main(&frame) { l.frame.navigation_started() })
                    }
                    Some(ev) = stopped.next() => {
                        let frame = ev.frame_id.inner().clone();
                        Box::new(move |l| if l.frame.is_main(&frame) { l.frame.stopped_loading() })
                    }
                    Some(ev) = navigated.next() => {
                        let f = &ev.frame;
                        if f.parent_id.is_some() { continue; }
                        let (frame, loader, url) = (f.id.inner().clone(), f.loader_id.inner().clone(), f.url.clone());
                        Box::new(move |l| l.frame.committed(frame, loader, url))
                    }
                    Some(ev) = within.next() => {
                        let frame = ev.frame_id.inner().clone();
                        Box::new(move |l| if l.frame.is_main(&frame) { l.frame.navigated_within_document() })
                    }
                    Some(ev) = lifecycle.next() => {
                        let (frame, loader, name) = (ev.frame_id.inner().clone(), ev.loader_id.inner().clone(), ev.name.clone());
                        Box::new(move |l| if l.frame.is_main(&frame) { l.frame.lifecycle(&loader, &name) })
                    }
                    Some(ev) = sent.next() => {
                        let id = ev.request_id.inner().clone();
                        let request = InFlight {
                            method: ev.request.method.clone(),
                            url: ev.request.url.clone(),
                            resource_type: ev.r#type.as_ref().map_or("Other", |t| t.as_ref()).to_string(),
                            started: Instant::now(),
                        };
                        Box::new(move |l| {
                            // A redirect is the same request going on to a new URL.
                            l.in_flight
                                .entry(id)
                                .and_modify(|r| r.url.clone_from(&request.url))
                                .or_insert(request);
                            l.network_epoch += 1;
                        })
                    }
                    Some(ev) = responses.next() => {
                        let status = ev.response.status;
                        if status < 400 { continue; }
                        let id = ev.request_id.inner().clone();
                        let url = ev.response.url.clone();
                        Box::new(move |l| {
                            let method = l.in_flight.get(&id).map(|r| r.method.clone()).unwrap_or_else(|| "GET".into());
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
                            if let Some(InFlight { method, url, .. }) = l.in_flight.remove(&id) {
                                if !canceled {
                                    push(&mut l.failed_requests, FailedRequest { method, url, status: None, error: Some(error) });
                                }
                            }
                            l.network_epoch += 1;
                        })
                    }
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
                    // Last: only answered when no event is waiting on any channel above.
                    Some(done) = flush_requests.recv() => {
                        let _ = done.send(());
                        continue;
                    }
                    else => break,
                };
                if let Ok(mut l) = shared.lock() {
                    apply(&mut l);
                }
                tx.send_modify(|n| *n += 1);
            }
        });
        Ok(LogCollector {
            log,
            changes,
            flushes,
            task,
        })
    }

    pub fn snapshot(&self) -> PageLog {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Reads the log without copying it.
    pub fn inspect<R>(&self, read: impl FnOnce(&PageLog) -> R) -> R {
        match self.log.lock() {
            Ok(log) => read(&log),
            Err(poisoned) => read(&poisoned.into_inner()),
        }
    }

    /// Returns once every event DevTools delivered before this call is in the log (or the
    /// collector has stopped).
    pub async fn settled(&self) {
        let (done, answered) = oneshot::channel();
        if self.flushes.send(done).is_ok() {
            let _ = answered.await;
        }
    }
}

fn push<T>(list: &mut Vec<T>, item: T) {
    if list.len() < MAX_ENTRIES {
        list.push(item);
    }
}
