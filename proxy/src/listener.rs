//! The traffic side's accept loop and connections: a bounded number of client connections,
//! each an HTTP/1.1 keep-alive connection (with upgrades) served by the forwarder. On stop the
//! loop stops accepting and every connection finishes its in-flight request and closes; at
//! the cut, whatever is left is dropped.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::forward::Forwarder;

/// Pause after a failed accept (out of file descriptors, say) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

pub struct Listener {
    pub listener: TcpListener,
    pub forwarder: Arc<Forwarder>,
    pub tasks: TaskTracker,
    pub stop: CancellationToken,
    pub cut: CancellationToken,
    pub max_connections: usize,
    pub client_headers: Duration,
}

impl Listener {
    pub async fn run(self) {
        let limit = Arc::new(Semaphore::new(self.max_connections.max(1)));
        loop {
            let permit = tokio::select! {
                () = self.stop.cancelled() => return,
                permit = limit.clone().acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => return,
                },
            };
            let accepted = tokio::select! {
                () = self.stop.cancelled() => return,
                accepted = self.listener.accept() => accepted,
            };
            match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    self.tasks.spawn(self.connection(stream, peer, permit));
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::select! {
                        () = self.stop.cancelled() => return,
                        () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                    }
                }
            }
        }
    }

    fn connection(
        &self,
        stream: TcpStream,
        peer: SocketAddr,
        permit: OwnedSemaphorePermit,
    ) -> impl Future<Output = ()> + Send + 'static {
        let forwarder = self.forwarder.clone();
        let (stop, cut) = (self.stop.clone(), self.cut.clone());
        let client_headers = self.client_headers;
        async move {
            let _permit = permit;
            let service = service_fn(move |req| {
                let forwarder = forwarder.clone();
                async move { Ok::<_, Infallible>(forwarder.handle(req, peer).await) }
            });
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(client_headers)
                .keep_alive(true);
            let conn = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(conn);
            tokio::select! {
                served = conn.as_mut() => {
                    if let Err(e) = served {
                        tracing::debug!("connection from {peer}: {e}");
                    }
                    return;
                }
                () = stop.cancelled() => {}
            }
            // Stop: finish the request in flight (if any), then close.
            conn.as_mut().graceful_shutdown();
            tokio::select! {
                _ = conn.as_mut() => {}
                () = cut.cancelled() => {}
            }
        }
    }
}
