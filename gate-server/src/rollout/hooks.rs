//! Deploy hooks: the shell commands a service names to bring a version up (`up`), take one
//! down (`down`), and react to a rollback (`rollback`). Each runs in the configuration file's
//! directory with `{version}`, `{commit}` and `{service}` replaced (and the same values in
//! `GATE_VERSION`, `GATE_COMMIT`, `GATE_SERVICE`), under a time limit, its output captured
//! for the deployment's log with the server's secrets redacted. An `up` hook says where the version answers by printing its URL
//! as the last line of its output.
//!
//! A hook that starts a server in the background must send that server's output elsewhere;
//! gate stops reading a hook's output shortly after the hook itself exits, so a background
//! process holding the pipe cannot hang the deployment.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use gate_runner::Redactor;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::time::Instant;

/// Lines of output kept per hook (the last ones).
const MAX_LINES: usize = 200;
/// How long output is still read after the hook exited (what it printed last).
const DRAIN: Duration = Duration::from_millis(300);

/// The values a hook's placeholders stand for.
#[derive(Debug, Clone)]
pub struct HookVars<'a> {
    pub service: &'a str,
    pub version: &'a str,
    pub commit: &'a str,
}

/// How a hook went.
#[derive(Debug, Clone, PartialEq)]
pub struct HookRun {
    /// The command as run.
    pub command: String,
    /// `None`: it did not exit by itself (timed out and killed) or could not start.
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    /// Why it could not start, if it could not.
    pub spawn_error: Option<String>,
    /// Output (stdout and stderr interleaved as read), the last [`MAX_LINES`] lines.
    pub output: Vec<String>,
    /// The last non-empty line the hook wrote to its standard output.
    pub last_stdout: Option<String>,
    pub duration: Duration,
}

impl HookRun {
    pub fn succeeded(&self) -> bool {
        self.exit_code == Some(0)
    }

    /// The URL the hook printed last, if its last line of standard output is one (what it
    /// logs to stderr does not count).
    pub fn url(&self) -> Option<String> {
        let last = self.last_stdout.as_deref()?.trim();
        crate::service::submit::is_http_url(last).then(|| last.trim_end_matches('/').to_string())
    }

    /// One line for logs and errors: "`scripts/up v2` exited with 1 after 2.1s".
    pub fn summary(&self) -> String {
        let took =
            humantime::format_duration(Duration::from_millis(self.duration.as_millis() as u64));
        match (&self.spawn_error, self.exit_code, self.timed_out) {
            (Some(err), _, _) => format!("`{}` could not start: {err}", self.command),
            (None, _, true) => format!(
                "`{}` did not finish within {took} and was killed",
                self.command
            ),
            (None, Some(0), _) => format!("`{}` succeeded in {took}", self.command),
            (None, Some(code), _) => format!("`{}` exited with {code} after {took}", self.command),
            (None, None, false) => {
                format!("`{}` was killed by a signal after {took}", self.command)
            }
        }
    }
}

/// The command with its placeholders replaced.
pub fn render(template: &str, vars: &HookVars<'_>) -> String {
    template
        .replace("{version}", vars.version)
        .replace("{commit}", vars.commit)
        .replace("{service}", vars.service)
}

/// Runs `template` (through `sh -c`) in `dir`, killing it (and its process group) after
/// `timeout`. Every secret the server holds is replaced by `***` in what it printed (a hook
/// runs with the server's environment, secrets included, and may echo one).
pub async fn run(
    template: &str,
    vars: &HookVars<'_>,
    dir: &Path,
    timeout: Duration,
    redactor: &Redactor,
) -> HookRun {
    let command = render(template, vars);
    let started = Instant::now();
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(&command)
        .current_dir(dir)
        .env("GATE_SERVICE", vars.service)
        .env("GATE_VERSION", vars.version)
        .env("GATE_COMMIT", vars.commit)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(err) => {
            return HookRun {
                command,
                exit_code: None,
                timed_out: false,
                spawn_error: Some(err.to_string()),
                output: Vec::new(),
                last_stdout: None,
                duration: started.elapsed(),
            };
        }
    };
    // Each line, and whether it came from stdout.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, bool)>();
    type Stream = Box<dyn tokio::io::AsyncRead + Unpin + Send>;
    let streams: [Option<(Stream, bool)>; 2] = [
        child.stdout.take().map(|s| (Box::new(s) as Stream, true)),
        child.stderr.take().map(|s| (Box::new(s) as Stream, false)),
    ];
    for (stream, from_stdout) in streams.into_iter().flatten() {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stream).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if tx.send((line, from_stdout)).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let mut output = Vec::new();
    let mut last_stdout = None;
    let mut keep = |output: &mut Vec<String>, (line, stdout): (String, bool)| {
        let line = redactor.redact(&line);
        if stdout && !line.trim().is_empty() {
            last_stdout = Some(line.clone());
        }
        if output.len() == MAX_LINES {
            output.remove(0);
        }
        output.push(line);
    };
    let deadline = started + timeout;
    let status = loop {
        tokio::select! {
            status = child.wait() => break status.ok(),
            Some(item) = rx.recv() => keep(&mut output, item),
            () = tokio::time::sleep_until(deadline) => break None,
        }
    };
    let timed_out = status.is_none();
    if timed_out {
        if let Some(pid) = child.id() {
            // The whole group: the shell and whatever it started.
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = child.wait().await;
    }
    // What the hook printed just before it exited.
    let drain_until = Instant::now() + DRAIN;
    while let Ok(Some(item)) = tokio::time::timeout_at(drain_until, rx.recv()).await {
        keep(&mut output, item);
    }
    HookRun {
        command,
        exit_code: status.and_then(|s| s.code()),
        timed_out,
        spawn_error: None,
        output,
        last_stdout,
        duration: started.elapsed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> HookVars<'static> {
        HookVars {
            service: "shop",
            version: "v2",
            commit: "abc123",
        }
    }

    #[tokio::test]
    async fn a_hook_gets_its_values_and_its_url_is_its_last_line() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let run = run(
            "echo starting {service} {version} at $GATE_COMMIT >&2; echo http://127.0.0.1:9002/",
            &vars(),
            dir.path(),
            Duration::from_secs(10),
            &Redactor::default(),
        )
        .await;
        assert!(run.succeeded(), "{run:?}");
        assert!(
            run.output
                .contains(&"starting shop v2 at abc123".to_string()),
            "{run:?}"
        );
        assert_eq!(run.url().as_deref(), Some("http://127.0.0.1:9002"));
        assert!(run.summary().contains("succeeded"), "{}", run.summary());
    }

    #[tokio::test]
    async fn secrets_the_hook_prints_are_redacted() {
        let secrets = [("TOKEN".to_string(), "s3cr3t-value".to_string())].into();
        let run = run(
            "echo token s3cr3t-value; echo http://127.0.0.1:9/s3cr3t-value",
            &vars(),
            Path::new(""),
            Duration::from_secs(10),
            &Redactor::new(&secrets),
        )
        .await;
        assert_eq!(run.output, ["token ***", "http://127.0.0.1:9/***"]);
        assert_eq!(run.last_stdout.as_deref(), Some("http://127.0.0.1:9/***"));
    }

    #[tokio::test]
    async fn a_failing_hook_reports_its_exit_code_and_no_url() {
        let run = run(
            "echo nope; exit 3",
            &vars(),
            Path::new(""),
            Duration::from_secs(10),
            &Redactor::default(),
        )
        .await;
        assert_eq!(run.exit_code, Some(3));
        assert_eq!(run.url(), None);
        assert!(run.summary().contains("exited with 3"), "{}", run.summary());
    }

    #[tokio::test]
    async fn a_hook_past_its_limit_is_killed_with_what_it_started() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let marker = dir.path().join("child.pid");
        let started = Instant::now();
        let run = run(
            &format!(
                "sleep 30 & echo $! > {}; echo waiting; wait",
                marker.display()
            ),
            &vars(),
            dir.path(),
            Duration::from_millis(500),
            &Redactor::default(),
        )
        .await;
        assert!(run.timed_out, "{run:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(run.output, ["waiting"]);
        let pid = std::fs::read_to_string(&marker).unwrap_or_default();
        // Gone, or a zombie waiting for whoever inherited it to reap it (a SIGKILL takes
        // effect a moment after it is sent).
        let dead = || {
            let stat =
                std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
            let state = stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().next());
            matches!(state, None | Some("Z" | "X"))
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !dead() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(dead(), "the hook's own child was killed too");
    }

    #[tokio::test]
    async fn a_background_process_holding_the_output_does_not_hang_the_hook() {
        let started = Instant::now();
        let run = run(
            "sleep 20 & echo http://127.0.0.1:9003",
            &vars(),
            Path::new(""),
            Duration::from_secs(15),
            &Redactor::default(),
        )
        .await;
        assert!(run.succeeded(), "{run:?}");
        assert_eq!(run.url().as_deref(), Some("http://127.0.0.1:9003"));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
}
