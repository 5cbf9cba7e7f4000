//! The `--state` file: the routing table, the fallbacks and whether the watchdog was armed,
//! so a restarted proxy routes as the last one did. Written atomically (a temporary file in
//! the same directory, synced, then renamed over the old one). Counters are not kept: a new
//! instance starts them at zero and says so with a new instance id.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::{Fallback, Routes};

/// Bumped on an incompatible change of [`Saved`].
const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Saved {
    pub format: u32,
    pub routes: Routes,
    pub fallbacks: Vec<Fallback>,
    /// The watchdog's timeout when it was armed: a restarted proxy re-arms it, so a canary
    /// stays watched across a restart (the controller's next heartbeat renews it).
    pub watchdog_timeout_ms: Option<u64>,
}

impl Saved {
    pub fn new(routes: Routes, fallbacks: Vec<Fallback>, watchdog_timeout_ms: Option<u64>) -> Self {
        Saved {
            format: FORMAT,
            routes,
            fallbacks,
            watchdog_timeout_ms,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a gate proxy state file: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path} has format {found}; this gate proxy reads format {FORMAT}")]
    Format { path: PathBuf, found: u32 },
}

#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    pub fn new(path: PathBuf) -> Self {
        StateFile { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state, or `None` when there is no file yet.
    pub fn load(&self) -> Result<Option<Saved>, StateFileError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateFileError::Read {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let saved: Saved = serde_json::from_str(&text).map_err(|source| StateFileError::Parse {
            path: self.path.clone(),
            source,
        })?;
        if saved.format != FORMAT {
            return Err(StateFileError::Format {
                path: self.path.clone(),
                found: saved.format,
            });
        }
        Ok(Some(saved))
    }

    /// Replaces the file with `saved`; a crash at any point leaves the old or the new file,
    /// never a torn one.
    pub async fn save(&self, saved: &Saved) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(saved).map_err(std::io::Error::other)?;
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || write_atomically(&path, &text))
            .await
            .map_err(std::io::Error::other)?
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().map_or_else(
        || "gate-proxy-state".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    // The rename itself is durable once the directory is synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::VersionRoute;

    #[tokio::test]
    async fn saves_and_loads_the_same_state() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = StateFile::new(dir.path().join("proxy.json"));
        assert!(file.load().expect("no file is fine").is_none());
        let saved = Saved::new(
            Routes {
                stable: "v1".into(),
                versions: vec![VersionRoute {
                    name: "v1".into(),
                    url: "http://127.0.0.1:1".into(),
                    weight: 100,
                }],
            },
            vec![Fallback {
                at_ms: 5,
                to: "v1".into(),
                reason: "test".into(),
            }],
            Some(5000),
        );
        file.save(&saved).await.expect("saved");
        assert_eq!(file.load().expect("readable"), Some(saved));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["proxy.json"], "no temporary file left behind");
    }

    #[test]
    fn a_foreign_file_is_refused_with_its_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.json");
        std::fs::write(&path, "{\"hello\": 1}").expect("write");
        let err = StateFile::new(path).load().expect_err("not ours");
        assert!(
            err.to_string()
                .contains("x.json is not a gate proxy state file"),
            "{err}"
        );
    }
}
