//! TCP forwarders that let browsers in containers reach services on the host's loopback: each
//! listens on the Docker bridge's gateway address and copies bytes to one loopback port. The
//! container side (socat in the image) listens on the same loopback port inside the container,
//! so URLs such as `http://127.0.0.1:8080` mean the same thing to the browser as to the host.

use std::net::{IpAddr, SocketAddr};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// Running forwarders. Dropping them stops them (their tasks are aborted).
#[derive(Default)]
pub(crate) struct Forwarders {
    tasks: JoinSet<()>,
    /// `(loopback port, gateway port)` pairs, for the containers' `GATE_FORWARD`.
    pub rules: Vec<(u16, u16)>,
}

impl Forwarders {
    /// Starts one forwarder per target on `listen_ip` (an ephemeral port each).
    pub async fn start(listen_ip: IpAddr, targets: &[SocketAddr]) -> std::io::Result<Forwarders> {
        let mut forwarders = Forwarders::default();
        for target in targets {
            let listener = TcpListener::bind((listen_ip, 0)).await?;
            let port = listener.local_addr()?.port();
            forwarders.rules.push((target.port(), port));
            forwarders.tasks.spawn(serve(listener, *target));
        }
        Ok(forwarders)
    }

    /// The container's `GATE_FORWARD` value: `loopback-port=host:gateway-port ...`.
    pub fn env(&self, host: &str) -> String {
        self.rules
            .iter()
            .map(|(inside, outside)| format!("{inside}={host}:{outside}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

async fn serve(listener: TcpListener, target: SocketAddr) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((mut inbound, _)) => {
                    connections.spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(target).await {
                            let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                }
                Err(err) => tracing::debug!("forwarder to {target}: {err}"),
            },
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}
