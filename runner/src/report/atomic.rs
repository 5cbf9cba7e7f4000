//! Atomic file writes: the content goes to a temporary file next to the target, is flushed to
//! disk, then renamed over the target. Readers see the old file or the new one, never half of one.

use std::io::{self, Write};
use std::path::Path;

/// Writes `contents` to `path` atomically, replacing any existing file.
pub(crate) fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    // The temporary file must live on the same file system as the target for the rename to be
    // atomic, hence the same directory rather than the system temp dir.
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // tempfile creates files readable by the owner only; a report is meant to be shared (CI
    // artifact servers, colleagues on the same host), so ask for the usual mode minus umask.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut file = builder.tempfile_in(dir).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "failed to create a temporary file in {}: {e}",
                dir.display()
            ),
        )
    })?;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| {
        io::Error::new(
            e.error.kind(),
            format!("failed to rename into {}: {}", path.display(), e.error),
        )
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_existing_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().expect("create a temp dir");
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").expect("write the file");

        write(&path, b"new").expect("atomic write");

        assert_eq!(
            std::fs::read_to_string(&path).expect("read the file back"),
            "new"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list the directory")
            .map(|e| e.expect("a directory entry").file_name())
            .collect();
        assert_eq!(names, ["report.json"]);
    }

    #[test]
    fn missing_directory_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("create a temp dir");
        let path = dir.path().join("nope").join("report.json");
        let err = write(&path, b"x").expect_err("an error");
        assert!(err.to_string().contains("nope"), "{err}");
    }
}
