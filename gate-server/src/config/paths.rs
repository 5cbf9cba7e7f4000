//! Paths written in the file are relative to the file's directory, not to wherever the server
//! was started: a `gate.toml` next to its `scenarios/` and `gate.db` works from anywhere.

use std::path::Path;

/// A SQLite URL whose relative file path is made relative to `dir`. Other URLs (PostgreSQL,
/// absolute paths, `sqlite::memory:`) are returned as they are.
pub(super) fn sqlite_beside(dir: &Path, url: &str) -> String {
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return url.to_string();
    };
    let (file, query) = rest.split_at(rest.find('?').unwrap_or(rest.len()));
    if dir.as_os_str().is_empty()
        || file.is_empty()
        || file.starts_with(':')
        || Path::new(file).is_absolute()
    {
        return url.to_string();
    }
    format!("sqlite://{}{query}", dir.join(file).display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_sqlite_files_move_next_to_the_configuration() {
        let dir = Path::new("/srv/gate");
        for (url, want) in [
            ("sqlite://gate.db", "sqlite:///srv/gate/gate.db"),
            ("sqlite:gate.db", "sqlite:///srv/gate/gate.db"),
            (
                "sqlite://data/gate.db?mode=rwc",
                "sqlite:///srv/gate/data/gate.db?mode=rwc",
            ),
            ("sqlite:///var/lib/gate.db", "sqlite:///var/lib/gate.db"),
            ("sqlite::memory:", "sqlite::memory:"),
            ("postgres://gate@db/gate", "postgres://gate@db/gate"),
        ] {
            assert_eq!(sqlite_beside(dir, url), want, "{url}");
        }
        assert_eq!(
            sqlite_beside(Path::new(""), "sqlite://gate.db"),
            "sqlite://gate.db"
        );
        assert_eq!(
            sqlite_beside(Path::new("conf"), "sqlite://gate.db"),
            "sqlite://conf/gate.db"
        );
    }
}
