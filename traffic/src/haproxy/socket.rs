//! [`RuntimeSocket`]: HAProxy's runtime API, one command per connection (HAProxy answers and
//! closes), every command bounded by the deadline of the call it belongs to. Connection
//! failures and the refusals HAProxy words the same for every command become [`RouterError`]s
//! that say what to check; what an answer means is the caller's business.

use std::io;
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::time::{Instant, timeout_at};

use crate::error::{Action, RouterError, RouterErrorKind, humanize};

/// The socket as seen by one router call.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeSocket<'a> {
    pub path: &'a Path,
    /// The router's description, for errors.
    pub router: &'a str,
    pub action: Action,
    /// When the whole call must be over.
    pub deadline: Instant,
    /// The call's timeout, for messages.
    pub timeout: Duration,
}

impl RuntimeSocket<'_> {
    /// Sends `line` and returns HAProxy's whole answer.
    pub async fn command(&self, line: &str) -> Result<String, RouterError> {
        // A newline would start a second command, and HAProxy splits lines on `;`.
        if line.contains(['\n', '\r', ';']) {
            return Err(self.error(
                RouterErrorKind::Invalid,
                format!("`{}` would be more than one command", line.escape_debug()),
            ));
        }
        tracing::debug!(socket = %self.path.display(), command = line, "haproxy runtime API");
        let answer = match timeout_at(self.deadline, self.exchange(line)).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(error)) => return Err(error),
            Err(_) => {
                return Err(self.error(
                    RouterErrorKind::Unreachable,
                    format!(
                        "HAProxy did not answer `{line}` on {} within {}: check that haproxy is \
                         not stuck or overloaded",
                        self.path.display(),
                        humanize(self.timeout)
                    ),
                ));
            }
        };
        let first = answer.lines().next().unwrap_or("").trim();
        if first.starts_with("Permission denied") {
            return Err(self.error(
                RouterErrorKind::Refused,
                format!(
                    "the stats socket {} refused `{line}` ({first}): give it `level admin` on its \
                     `stats socket` line",
                    self.path.display()
                ),
            ));
        }
        if first.starts_with("Unknown command") {
            return Err(self.error(
                RouterErrorKind::Refused,
                format!(
                    "HAProxy does not know `{line}`: gate needs HAProxy 2.4 or newer and a stats \
                     socket at `level admin`"
                ),
            ));
        }
        Ok(answer)
    }

    async fn exchange(&self, line: &str) -> Result<String, RouterError> {
        let mut stream = UnixStream::connect(self.path)
            .await
            .map_err(|e| self.connect_error(&e))?;
        let io_error = |e: io::Error| {
            self.error(
                RouterErrorKind::Unreachable,
                format!(
                    "the connection to {} broke during `{line}`: {e}: check that haproxy did not \
                     stop",
                    self.path.display()
                ),
            )
        };
        stream
            .write_all(format!("{line}\n").as_bytes())
            .await
            .map_err(io_error)?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.map_err(io_error)?;
        String::from_utf8(answer).map_err(|_| {
            self.error(
                RouterErrorKind::BadAnswer,
                format!("HAProxy answered `{line}` with bytes that are not UTF-8"),
            )
        })
    }

    fn connect_error(&self, error: &io::Error) -> RouterError {
        let path = self.path.display();
        let detail = match error.kind() {
            io::ErrorKind::NotFound => format!(
                "no socket at {path}: check that haproxy runs and that its `global` section has \
                 `stats socket {path} mode 600 level admin`"
            ),
            io::ErrorKind::ConnectionRefused => format!(
                "nothing listens on {path}: haproxy stopped and left its socket behind, or is \
                 restarting"
            ),
            io::ErrorKind::PermissionDenied => format!(
                "no permission to open {path}: run gate as the user that owns the socket (`mode \
                 600`), or give the socket a `user` or `group` that gate runs as"
            ),
            _ => format!("cannot connect to {path}: {error}"),
        };
        self.error(RouterErrorKind::Unreachable, detail)
    }

    pub fn error(&self, kind: RouterErrorKind, detail: String) -> RouterError {
        RouterError::new(self.action, self.router, kind, detail)
    }
}
