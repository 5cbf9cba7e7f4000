//! One Chromium process owned by gate: its profile directory, its DevTools connection and the
//! task that drives that connection. Launched, health-checked and closed explicitly.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chromiumoxide::browser::BrowserConfig;
use chromiumoxide::error::CdpError;
use chromiumoxide::{Browser, Handler};
use futures::StreamExt;
use tokio::task::JoinHandle;

use crate::config::BrowserOptions;

/// Flags that make headless Chromium quiet and self-contained here (no network of its own).
const FLAGS: &[&str] = &[
    "disable-gpu",
    "disable-dev-shm-usage",
    "no-first-run",
    "disable-background-networking",
    "disable-component-update",
    "disable-sync",
    "disable-extensions",
    "disable-default-apps",
    "no-default-browser-check",
    // No initial tab: every page gate uses lives in a context it creates, and the default
    // new-tab page would load (and cost a renderer) for nothing while the first one opens.
    "no-startup-window",
    // The omnibox popups are web UI that new-headless Chromium loads, each in a renderer of its
    // own, for every window: one per browser context, never shown. About a fifth of a run's
    // time on 2 cores (benches/README.md).
    "disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,WebUIOmniboxPopup,WebUIOmniboxAimPopup",
];

/// A running browser. Dropping it kills the process; call [`BrowserProcess::close`] to end it
/// cleanly and remove its profile.
pub struct BrowserProcess {
    browser: Browser,
    driver: JoinHandle<()>,
    profile: PathBuf,
}

/// Why a browser could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("cannot create browser profile directory {path}: {source}")]
    Profile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot launch {executable}: {message}")]
    Launch { executable: String, message: String },
}

impl BrowserProcess {
    /// Starts Chromium with a fresh profile under `profile_root` and connects to it.
    pub async fn launch(
        options: &BrowserOptions,
        profile_root: &Path,
        name: &str,
    ) -> Result<BrowserProcess, LaunchError> {
        let profile = profile_root.join(name);
        // A leftover from a crashed predecessor with the same name would hold a stale lock.
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).map_err(|source| LaunchError::Profile {
            path: profile.clone(),
            source,
        })?;
        let mut builder = BrowserConfig::builder()
            .chrome_executable(&options.executable)
            .user_data_dir(&profile)
            .new_headless_mode()
            .no_sandbox()
            .window_size(options.window.0, options.window.1)
            .viewport(None)
            .launch_timeout(options.launch_timeout)
            // Each CDP call has its own deadline in gate; this is only the outer backstop.
            .request_timeout(Duration::from_secs(60));
        for flag in FLAGS.iter().copied().map(String::from).chain(
            options
                .extra_args
                .iter()
                .map(|a| a.trim_start_matches('-').to_string()),
        ) {
            builder = match flag.split_once('=') {
                Some((k, v)) => builder.arg((k, v)),
                None => builder.arg(flag),
            };
        }
        let launch_failed = |message: String| LaunchError::Launch {
            executable: options.executable.display().to_string(),
            message,
        };
        let config = builder.build().map_err(launch_failed)?;
        let (browser, handler) = Browser::launch(config)
            .await
            .map_err(|e| launch_failed(e.to_string()))?;
        let driver = tokio::spawn(drive(handler));
        Ok(BrowserProcess {
            browser,
            driver,
            profile,
        })
    }

    pub fn browser(&self) -> &Browser {
        &self.browser
    }

    /// The OS process id, for diagnostics.
    pub fn pid(&mut self) -> Option<u32> {
        self.browser.get_mut_child().and_then(|c| c.inner.id())
    }

    /// False once the DevTools connection ended.
    pub fn connected(&self) -> bool {
        !self.driver.is_finished()
    }

    /// False once the process exited or the DevTools connection ended.
    pub fn is_alive(&mut self) -> bool {
        !self.driver.is_finished() && matches!(self.browser.try_wait(), Ok(None))
    }

    /// Asks the browser to close, waits for the process (killing it if it does not go within a
    /// few seconds) and removes the profile directory.
    pub async fn close(mut self) {
        if self.is_alive() {
            let _ = tokio::time::timeout(Duration::from_secs(3), self.browser.close()).await;
        }
        if tokio::time::timeout(Duration::from_secs(5), self.browser.wait())
            .await
            .is_err()
        {
            let _ = self.browser.kill().await;
            let _ = self.browser.wait().await;
        }
        self.driver.abort();
        let _ = (&mut self.driver).await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Polls the DevTools connection for the browser's whole life. Ends when the connection does.
pub(crate) async fn drive(mut handler: Handler) {
    while let Some(event) = handler.next().await {
        if let Err(err) = event {
            if matches!(err, CdpError::Ws(_)) {
                tracing::debug!("browser connection closed: {err}");
                break;
            }
            tracing::trace!("devtools message ignored: {err}");
        }
    }
}

/// The directory under which this process keeps its browser profiles:
/// `$TMPDIR/gate-pool-<pid>`. Directories of gate processes that no longer run are removed, so a
/// killed run leaves nothing behind after the next start.
pub fn profile_root() -> PathBuf {
    let tmp = std::env::temp_dir();
    if let Ok(entries) = std::fs::read_dir(&tmp) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .and_then(|n| n.strip_prefix("gate-pool-"))
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                // Its owner was killed (SIGKILL leaves no chance to close): end the browsers it
                // left running, then remove their profiles.
                kill_browsers_using(&entry.path());
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    tmp.join(format!("gate-pool-{}", std::process::id()))
}

/// Sends SIGKILL to every process whose command line names `dir` (orphaned browsers of a dead
/// gate process; their profile directories live there).
fn kill_browsers_using(dir: &Path) {
    let needle = format!("--user-data-dir={}", dir.display());
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmdline).contains(&needle) {
            tracing::info!(pid, "ending a browser left behind by a killed gate process");
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

/// Finds a Chromium executable on PATH.
pub fn find_browser() -> Option<PathBuf> {
    const NAMES: &[&str] = &[
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
        "chrome",
    ];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| NAMES.iter().map(move |n| dir.join(n)))
        .find(|candidate| candidate.is_file())
}
