//! `gate` commands as the tests run them, and [`GateRun`]: `gate run` against a base URL, with
//! its JSON report in the test's temporary directory, run to the end ([`GateRun::output`]) or
//! started for a test to signal ([`GateRun::spawn`]).

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread::JoinHandle;

use super::{PASSWORD, process};

/// The `gate` binary under test: the one cargo built for the tests, or `GATE_TEST_BIN` (the
/// long load and soak runs take their figures from a release build this way).
pub fn gate_bin() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var("GATE_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_gate").to_string())
    })
}

/// A `gate` command with the environment the tests need: the secret set, a private TMPDIR so
/// browser profiles can be found and checked, no colour, and `tmp` as its working directory,
/// so whatever it writes by default (reports, artifacts) stays out of the repository.
pub fn gate(tmp: &Path) -> Command {
    let mut cmd = Command::new(gate_bin());
    cmd.current_dir(tmp)
        .env("SHOP_PASSWORD", PASSWORD)
        .env("TMPDIR", tmp)
        .env("NO_COLOR", "1")
        .env_remove("GATE_BASE_URL")
        .env_remove("GATE_WORKERS");
    cmd
}

/// A command's stdout and stderr, labelled, for assertion messages.
pub fn text(output: &Output) -> String {
    log(&output.stdout, &output.stderr)
}

fn log(stdout: &[u8], stderr: &[u8]) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(stdout),
        String::from_utf8_lossy(stderr)
    )
}

/// `gate run --base-url <url> [--workers n] [args…] --json <tmp>/result.json <suite>` in the
/// environment of [`gate`].
pub struct GateRun {
    command: Command,
    suite: OsString,
    json: Option<PathBuf>,
}

impl GateRun {
    /// A run of `suite` (a file or directory of scenarios) against `base_url`, working in `tmp`.
    pub fn new(tmp: &Path, base_url: &str, suite: impl AsRef<OsStr>) -> GateRun {
        let mut command = gate(tmp);
        command.args(["run", "--base-url", base_url]);
        GateRun {
            command,
            suite: suite.as_ref().to_owned(),
            json: Some(tmp.join("result.json")),
        }
    }

    pub fn workers(mut self, workers: u16) -> GateRun {
        self.command.args(["--workers", &workers.to_string()]);
        self
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> GateRun {
        self.command.arg(arg);
        self
    }

    pub fn args(mut self, args: impl IntoIterator<Item = impl AsRef<OsStr>>) -> GateRun {
        self.command.args(args);
        self
    }

    pub fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> GateRun {
        self.command.env(name, value);
        self
    }

    pub fn env_remove(mut self, name: &str) -> GateRun {
        self.command.env_remove(name);
        self
    }

    /// The JSON report goes to `path` instead of `<tmp>/result.json`.
    pub fn json_at(mut self, path: &Path) -> GateRun {
        self.json = Some(path.to_path_buf());
        self
    }

    /// No `--json`: for runs that must write nothing.
    pub fn without_json(mut self) -> GateRun {
        self.json = None;
        self
    }

    fn command(mut self) -> (Command, Option<PathBuf>) {
        if let Some(json) = &self.json {
            // A report left by an earlier run in the same directory must not pass for this one's.
            let _ = std::fs::remove_file(json);
            self.command.arg("--json").arg(json);
        }
        self.command.arg(&self.suite);
        (self.command, self.json)
    }

    /// Runs to the end.
    pub fn output(self) -> RunOutput {
        let (mut command, json) = self.command();
        let output = command.output().expect("run gate");
        RunOutput::new(output.status.code(), &output.stdout, &output.stderr, json)
    }

    /// Starts the run and returns at once, its output collected in the background.
    pub fn spawn(self) -> Running {
        let (mut command, json) = self.command();
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start gate run");
        let collect = |mut pipe: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = pipe.read_to_end(&mut bytes);
                bytes
            })
        };
        let stdout = collect(Box::new(child.stdout.take().unwrap()));
        let stderr = collect(Box::new(child.stderr.take().unwrap()));
        Running {
            pid: child.id(),
            child: Some(child),
            json,
            output: Some((stdout, stderr)),
        }
    }
}

/// How a `gate run` ended.
pub struct RunOutput {
    pub code: Option<i32>,
    /// The JSON report, parsed (`null` if the run wrote none).
    pub json: serde_json::Value,
    pub stdout: String,
    pub stderr: String,
    /// Both streams, labelled, for assertion messages.
    pub log: String,
}

impl RunOutput {
    fn new(code: Option<i32>, stdout: &[u8], stderr: &[u8], json: Option<PathBuf>) -> RunOutput {
        let json = json
            .filter(|path| path.exists())
            .map_or(serde_json::Value::Null, |path| super::read_json(&path));
        RunOutput {
            code,
            json,
            stdout: String::from_utf8_lossy(stdout).into_owned(),
            stderr: String::from_utf8_lossy(stderr).into_owned(),
            log: log(stdout, stderr),
        }
    }
}

/// A thread reading one of a child's pipes to its end.
type Collected = JoinHandle<Vec<u8>>;

/// A `gate run` in progress. Killed when dropped, unless waited for.
pub struct Running {
    pid: u32,
    child: Option<Child>,
    json: Option<PathBuf>,
    output: Option<(Collected, Collected)>,
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Sends `signal` (`-INT`, …) to the `gate` process.
    pub fn signal(&self, signal: &str) {
        process::signal(self.pid, signal);
    }

    /// SIGKILL: gate gets no chance to clean up. Returns once the process is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Waits for the run to end by itself.
    pub fn wait(mut self) -> RunOutput {
        let status = self.child.take().expect("not killed").wait().unwrap();
        let (stdout, stderr) = self.output.take().unwrap();
        let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
        RunOutput::new(status.code(), &stdout, &stderr, self.json.take())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
