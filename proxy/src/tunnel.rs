//! Upgraded connections (WebSocket and any other `Upgrade`): once both sides have switched
//! protocols, bytes are copied both ways until either side closes. Every tunnel is a tracked
//! task, cut when the proxy's drain time is over.

use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

#[derive(Debug, Clone)]
pub struct Tunnels {
    tasks: TaskTracker,
    /// Cancelled when draining is over: open tunnels are closed then.
    cut: CancellationToken,
}

impl Tunnels {
    pub fn new(tasks: TaskTracker, cut: CancellationToken) -> Self {
        Tunnels { tasks, cut }
    }

    /// Joins the client's and the upstream's upgraded connections. `client` completes once
    /// the 101 response has been written to the client, so this runs as its own task.
    pub fn open(&self, version: String, client: OnUpgrade, upstream: OnUpgrade) {
        let cut = self.cut.clone();
        self.tasks.spawn(async move {
            let (client, upstream) = match tokio::try_join!(client, upstream) {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::debug!("upgrade to version {version} did not complete: {e}");
                    return;
                }
            };
            let mut client = TokioIo::new(client);
            let mut upstream = TokioIo::new(upstream);
            tokio::select! {
                copied = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {
                    if let Err(e) = copied {
                        tracing::debug!("tunnel to version {version} ended: {e}");
                    }
                }
                () = cut.cancelled() => {
                    tracing::debug!("tunnel to version {version} cut at shutdown");
                }
            }
        });
    }
}
