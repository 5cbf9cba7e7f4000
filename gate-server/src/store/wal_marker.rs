//! A marker that changes whenever anything commits to an SQLite database in WAL mode, read
//! without a query: the header of the WAL index (the `-shm` file every connection to the
//! database, in any process, maps and updates at each commit; format:
//! <https://www.sqlite.org/walformat.html#the_wal_index_file_format>). Its change counter,
//! last frame and salts move with every write transaction and WAL reset; SQLite keeps two
//! copies, written in turn, and a reader that sees them differ is reading a header being
//! written. Reading it is two system calls on a file kept open (is it still linked, and the
//! header), where a query is a hand-off to SQLite's worker thread and back.
//!
//! The marker also carries how many connections this store has opened: SQLite may delete and
//! recreate the `-shm` file when every connection to the database closes, and a recreated
//! header could repeat an old one, so a marker taken before a (re)connection never matches one
//! taken after it. A marker that cannot be read (no file yet, a short or torn read) is `None`,
//! and the caller reads the database instead.

use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Size of one copy of the WAL-index header.
const HEADER: usize = 48;
/// The `isInit` byte of a header copy: 1 once the header is valid.
const IS_INIT: usize = 12;

/// The database's state as of one moment: equal markers mean no commit in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeMarker {
    header: [u8; HEADER],
    connections: u64,
}

/// Where a store's marker is read from.
#[derive(Debug, Clone)]
pub(super) struct WalMarker {
    shm: Arc<PathBuf>,
    /// The `-shm` file, kept open; opened again once it has been deleted (every connection
    /// closed) and made anew.
    file: Arc<Mutex<Option<File>>>,
    /// Connections this store has opened, bumped by each pool's `after_connect`.
    pub(super) connections: Arc<AtomicU64>,
}

impl WalMarker {
    /// The marker of the SQLite file at `database` (its `-shm` beside it).
    pub(super) fn new(database: &str, connections: Arc<AtomicU64>) -> WalMarker {
        WalMarker {
            shm: Arc::new(PathBuf::from(format!("{database}-shm"))),
            file: Arc::default(),
            connections,
        }
    }

    /// The marker now, or `None` when the header cannot be read whole and consistent.
    pub(super) fn read(&self) -> Option<ChangeMarker> {
        // Taken first: a connection opened while the header is read makes the marker older,
        // never newer, than the state it stands for.
        let connections = self.connections.load(Ordering::SeqCst);
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let live = |f: &File| f.metadata().is_ok_and(|m| m.nlink() > 0);
        if !file.as_ref().is_some_and(live) {
            *file = File::open(&*self.shm).ok();
        }
        let mut copies = [0u8; 2 * HEADER];
        file.as_ref()?.read_exact_at(&mut copies, 0).ok()?;
        let (first, second) = copies.split_at(HEADER);
        if first != second || first[IS_INIT] != 1 {
            return None;
        }
        Some(ChangeMarker {
            header: first.try_into().ok()?,
            connections,
        })
    }
}

/// The SQLite file a `sqlite:` URL names, when it is a plain file path that the `-shm` file can
/// be found beside (not in memory, no percent-encoding to second-guess).
pub(super) fn database_file(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split_once('?').map_or(rest, |(path, _)| path);
    let plain = !path.is_empty() && !path.starts_with(":memory:") && !path.contains('%');
    plain.then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_file_paths_are_used() {
        assert_eq!(
            database_file("sqlite:///var/lib/gate/gate.db?mode=rwc").as_deref(),
            Some("/var/lib/gate/gate.db")
        );
        assert_eq!(
            database_file("sqlite://gate.db").as_deref(),
            Some("gate.db")
        );
        assert_eq!(database_file("sqlite::memory:"), None);
        assert_eq!(database_file("sqlite://my%20gate.db"), None);
        assert_eq!(database_file("postgres://localhost/gate"), None);
    }

    #[test]
    fn a_missing_torn_or_uninitialised_header_is_no_marker() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("gate.db").display().to_string();
        let marker = WalMarker::new(&db, Arc::new(AtomicU64::new(1)));
        assert_eq!(marker.read(), None, "no -shm file");
        let mut header = [0u8; 2 * HEADER];
        header[IS_INIT] = 1;
        header[HEADER + IS_INIT] = 1;
        header[8] = 7; // iChange of the first copy only: being written.
        std::fs::write(format!("{db}-shm"), header).unwrap();
        assert_eq!(marker.read(), None, "copies differ");
        header[HEADER + 8] = 7;
        std::fs::write(format!("{db}-shm"), header).unwrap();
        let read = marker.read().unwrap();
        assert_eq!(marker.read(), Some(read));
        // A new connection: an older marker no longer matches.
        marker.connections.fetch_add(1, Ordering::SeqCst);
        assert_ne!(marker.read(), Some(read));
        // Deleted and made anew (as SQLite does once every connection closed): the new file
        // is read, not the one kept open.
        let now = marker.read().unwrap();
        std::fs::remove_file(format!("{db}-shm")).unwrap();
        header[8] = 8;
        header[HEADER + 8] = 8;
        std::fs::write(format!("{db}-shm"), header).unwrap();
        assert_ne!(marker.read(), Some(now), "the new file");
        std::fs::write(format!("{db}-shm"), [0u8; 2 * HEADER]).unwrap();
        assert_eq!(marker.read(), None, "not initialised");
    }
}
