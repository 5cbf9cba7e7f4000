//! [`serve`]: runs the shop on a listener the caller bound, until the caller's shutdown future
//! completes. Binding and signal handling stay with the caller (the `gate` CLI, or a test on port
//! 0), so the shop can run anywhere and be stopped by anything.

use std::future::{Future, IntoFuture};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::ShopConfig;
use crate::routes::app;

/// How long open requests may take to finish once shutdown has begun.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves the shop on `listener` until `shutdown` completes, then stops accepting connections
/// and lets open requests finish for up to five seconds.
pub async fn serve(
    listener: TcpListener,
    config: ShopConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, version = %config.version, faults = ?config.faults, "demo shop listening");
    }
    let (began_tx, mut began_rx) = watch::channel(false);
    let signal = async move {
        shutdown.await;
        let _ = began_tx.send(true);
    };
    let server = axum::serve(listener, app(config))
        .with_graceful_shutdown(signal)
        .into_future();
    let drain_deadline = async move {
        if began_rx.wait_for(|began| *began).await.is_err() {
            // The signal future was dropped without firing: the server has already stopped.
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(DRAIN_TIMEOUT).await;
    };
    tokio::select! {
        result = server => result,
        () = drain_deadline => {
            tracing::warn!(timeout = ?DRAIN_TIMEOUT, "demo shop stopped with requests still open");
            Ok(())
        }
    }
}
