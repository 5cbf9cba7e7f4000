//! The server's event stream (`GET /api/v1/events`, Server-Sent Events) as wake-ups for a
//! command that follows a deployment: a task holds the stream open, reconnects when it drops,
//! and notifies when an event concerns the deployment (or events were missed). The follower
//! re-reads the deployment then; the stream only says when, never what (events are not
//! stored, so a reconnect could have missed some). The task is owned by its [`Listener`] and
//! stopped with it.

use std::sync::Arc;
use std::time::Duration;

use gate_wire::Event;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::api::Api;

/// The server sends a keep-alive comment every 15 s: silence this long means a dead stream.
const SILENCE_LIMIT: Duration = Duration::from_secs(45);
/// The longest wait before reconnecting.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// A running listener for one deployment's events.
pub struct Listener {
    pub changed: Arc<Notify>,
    stop: CancellationToken,
    task: JoinHandle<()>,
}

impl Listener {
    pub fn start(api: Api, deployment: String) -> Listener {
        let changed = Arc::new(Notify::new());
        let stop = CancellationToken::new();
        let task = tokio::spawn(listen(api, deployment, changed.clone(), stop.clone()));
        Listener {
            changed,
            stop,
            task,
        }
    }

    /// Stops the task and waits for it.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}

async fn listen(api: Api, deployment: String, changed: Arc<Notify>, stop: CancellationToken) {
    let mut backoff = Duration::from_millis(250);
    loop {
        let read = async {
            let mut response = api.events().await.map_err(|e| e.to_string())?;
            let mut parser = SseParser::default();
            // Connected: whatever happened meanwhile is read again by the follower.
            changed.notify_one();
            loop {
                let chunk = tokio::time::timeout(SILENCE_LIMIT, response.chunk())
                    .await
                    .map_err(|_| "the event stream went silent".to_string())?
                    .map_err(|e| e.to_string())?;
                let Some(chunk) = chunk else {
                    return Err::<(), String>("the server ended the event stream".into());
                };
                for message in parser.push(&chunk) {
                    if concerns(&message.data, &deployment) {
                        changed.notify_one();
                    }
                }
            }
        };
        tokio::select! {
            () = stop.cancelled() => return,
            ended = read => {
                if let Err(why) = ended {
                    tracing::debug!("event stream: {why}; reconnecting");
                }
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Whether an event's JSON is news for `deployment`: a change of it, or missed events.
fn concerns(data: &str, deployment: &str) -> bool {
    match serde_json::from_str::<Event>(data) {
        Ok(Event::DeploymentChanged { deployment: d, .. }) => d == deployment,
        Ok(Event::Lagged { .. }) => true,
        // A newer server's event this gate does not know: read again to be sure.
        Err(_) => !data.is_empty(),
        Ok(_) => false,
    }
}

/// One Server-Sent Event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseMessage {
    pub event: String,
    pub data: String,
}

/// Splits a byte stream into Server-Sent Events: `field: value` lines, a blank line ends an
/// event, lines starting with `:` are comments.
#[derive(Debug, Default)]
pub struct SseParser {
    buffer: Vec<u8>,
    event: String,
    data: Vec<String>,
}

impl SseParser {
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseMessage> {
        self.buffer.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() || !self.event.is_empty() {
                    out.push(SseMessage {
                        event: std::mem::take(&mut self.event),
                        data: std::mem::take(&mut self.data).join("\n"),
                    });
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => self.event = value.to_string(),
                "data" => self.data.push(value.to_string()),
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_split_across_chunks_and_comments_skipped() {
        let mut parser = SseParser::default();
        assert!(
            parser
                .push(b": subscribed\n\nevent: deployment_changed\nda")
                .is_empty()
        );
        let got = parser.push(b"ta: {\"a\":1}\r\n\r\nevent: x\ndata: 1\ndata: 2\n\n");
        assert_eq!(
            got,
            vec![
                SseMessage {
                    event: "deployment_changed".into(),
                    data: "{\"a\":1}".into()
                },
                SseMessage {
                    event: "x".into(),
                    data: "1\n2".into()
                }
            ]
        );
    }

    #[test]
    fn only_news_of_the_deployment_wakes_the_follower() {
        let change = |id: &str| {
            serde_json::to_string(&Event::DeploymentChanged {
                deployment: id.into(),
                service: "shop".into(),
                version: "v2".into(),
                phase: gate_wire::DeployPhase::Canary,
                step: Some(0),
                weight: 5,
                summary: "s".into(),
            })
            .unwrap_or_default()
        };
        assert!(concerns(&change("d1"), "d1"));
        assert!(!concerns(&change("d2"), "d1"));
        assert!(concerns(r#"{"type":"lagged","missed":3}"#, "d1"));
        assert!(!concerns(
            r#"{"type":"serving_changed","service":"shop","version":"v1"}"#,
            "d1"
        ));
    }
}
