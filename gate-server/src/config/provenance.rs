//! Where the configuration came from in git: the commit of the work tree holding `gate.toml`
//! and the scenario files, whether any of those files has changes git has not committed, and
//! who last committed a change to them. Recorded with every run, deployment and audit entry
//! (as [`Provenance::stamp`]) so that a pipeline's behaviour can be traced to a reviewed
//! commit; `require-committed-config` refuses to serve from a dirty tree.
//!
//! Also [`checkout`]: a configuration taken from a path in a git repository at a named ref
//! (`gate serve --config-repo … --config-ref …`), so a change to the pipeline is a pull request.
//!
//! The reading runs the `git` program (as git's own porcelain is the stable interface);
//! [`parse_status`] and [`parse_log`] are the pure halves, tested without git.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The git state of the files a server loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The work tree's HEAD commit (full SHA).
    pub commit: String,
    /// The loaded files (relative to the work tree) with uncommitted changes, or untracked.
    pub dirty: Vec<String>,
    /// The last commit that changed one of the loaded files: its author, SHA and subject.
    pub last_change: Option<Change>,
    /// Other work trees holding scenario paths, each at its commit.
    pub others: Vec<Tree>,
}

/// A work tree other than the configuration's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub top: PathBuf,
    pub commit: String,
}

/// A commit that changed the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub commit: String,
    /// `Name <email>`.
    pub author: String,
    pub subject: String,
}

impl Provenance {
    /// `<sha>`, or `<sha>-dirty` when a loaded file differs from that commit (as `git
    /// describe --dirty` writes it); scenario paths in other work trees add `+<sha>` each.
    pub fn stamp(&self) -> String {
        let mut stamp = self.commit.clone();
        for other in &self.others {
            stamp.push('+');
            stamp.push_str(&other.commit);
        }
        if !self.dirty.is_empty() {
            stamp.push_str("-dirty");
        }
        stamp
    }
}

/// The provenance of `files` (the configuration file and the scenario paths), or `None` when
/// the configuration file is not in a git work tree (or git is not installed). A scenario path
/// in another work tree adds that tree's commit ([`Provenance::others`]); one in no work tree
/// counts as uncommitted, as nothing records what it held.
pub fn observe(config: &Path, files: &[PathBuf]) -> Option<Provenance> {
    let top = toplevel(&directory_of(config))?;
    let commit = head(&top)?;
    let mut trees: Vec<(PathBuf, Vec<String>)> = vec![(top.clone(), Vec::new())];
    let mut outside: Vec<String> = Vec::new();
    for file in std::iter::once(config).chain(files.iter().map(PathBuf::as_path)) {
        let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        let tree = trees
            .iter()
            .position(|(t, _)| absolute.starts_with(t))
            .or_else(|| {
                let other = toplevel(&directory_of(&absolute))?;
                trees.push((other, Vec::new()));
                Some(trees.len() - 1)
            });
        match tree {
            Some(i) => {
                let relative = absolute.strip_prefix(&trees[i].0).unwrap_or(&absolute);
                trees[i].1.push(relative.display().to_string());
            }
            None => outside.push(format!("{} (not in a git work tree)", absolute.display())),
        }
    }
    let mut dirty = Vec::new();
    let mut others = Vec::new();
    for (i, (tree, paths)) in trees.iter().enumerate() {
        let changed = changed(tree, paths)?;
        if i == 0 {
            dirty.extend(changed);
        } else {
            dirty.extend(changed.iter().map(|p| tree.join(p).display().to_string()));
            others.push(Tree {
                top: tree.clone(),
                commit: head(tree)?,
            });
        }
    }
    dirty.extend(outside);
    let paths = &trees[0].1;
    let mut log = vec!["log", "-1", "--format=%H%x00%an <%ae>%x00%s", "--"];
    log.extend(paths.iter().map(String::as_str));
    let last_change = git(&top, &log).ok().and_then(|out| parse_log(&out));
    Some(Provenance {
        commit,
        dirty,
        last_change,
        others,
    })
}

/// The directory holding `path` (itself when it is one).
fn directory_of(path: &Path) -> PathBuf {
    if path.is_dir() {
        return path.to_path_buf();
    }
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// The work tree holding `dir`, canonical.
fn toplevel(dir: &Path) -> Option<PathBuf> {
    let top = git(dir, &["rev-parse", "--show-toplevel"]).ok()?;
    std::fs::canonicalize(top.trim()).ok()
}

fn head(top: &Path) -> Option<String> {
    Some(
        git(top, &["rev-parse", "--verify", "HEAD"])
            .ok()?
            .trim()
            .to_string(),
    )
}

/// Which of `paths` (relative to `top`) git has not committed.
fn changed(top: &Path, paths: &[String]) -> Option<Vec<String>> {
    let mut status = vec!["status", "--porcelain", "--untracked-files=all", "--"];
    status.extend(paths.iter().map(String::as_str));
    Some(parse_status(&git(top, &status).ok()?))
}

/// The paths `git status --porcelain` lists.
pub fn parse_status(porcelain: &str) -> Vec<String> {
    porcelain
        .lines()
        .filter(|l| l.len() > 3)
        .map(|l| {
            let path = &l[3..];
            // A rename lists `old -> new`: the new name is what was loaded.
            path.rsplit(" -> ")
                .next()
                .unwrap_or(path)
                .trim_matches('"')
                .to_string()
        })
        .collect()
}

/// `%H\0%an <%ae>\0%s` as a [`Change`].
pub fn parse_log(out: &str) -> Option<Change> {
    let mut parts = out.trim_end_matches('\n').splitn(3, '\0');
    let commit = parts.next()?.trim();
    let author = parts.next()?;
    let subject = parts.next().unwrap_or_default();
    (commit.len() >= 40).then(|| Change {
        commit: commit.to_string(),
        author: author.to_string(),
        subject: subject.to_string(),
    })
}

/// Checks out `reference` of `repository` (a path or URL git can clone) into `into` (which
/// must not exist), detached; returns the commit checked out.
pub fn checkout(repository: &str, reference: &str, into: &Path) -> Result<String, String> {
    let parent = into.parent().unwrap_or(Path::new("."));
    let name = into.display().to_string();
    git(
        parent,
        &["clone", "--quiet", "--no-checkout", repository, &name],
    )
    .map_err(|e| format!("cannot clone {repository}: {e}"))?;
    git(into, &["checkout", "--quiet", "--detach", reference]).map_err(|e| {
        format!("{repository} has no ref `{reference}` (a branch, tag or commit): {e}")
    })?;
    Ok(git(into, &["rev-parse", "HEAD"])?.trim().to_string())
}

/// `git -C dir args…`: its standard output, or its error output as the error.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_give_the_changed_paths() {
        let out = " M gate.toml\n?? scenarios/new.toml\nR  old.toml -> scenarios/moved.toml\n";
        assert_eq!(
            parse_status(out),
            ["gate.toml", "scenarios/new.toml", "scenarios/moved.toml"]
        );
        assert!(parse_status("").is_empty());
    }

    #[test]
    fn the_log_line_gives_author_and_subject() {
        let sha = "a".repeat(40);
        let change = parse_log(&format!(
            "{sha}\0Ana <ana@example.com>\0Raise the canary to 10%\n"
        ))
        .unwrap();
        assert_eq!(change.author, "Ana <ana@example.com>");
        assert_eq!(change.subject, "Raise the canary to 10%");
        assert_eq!(parse_log(""), None);
    }

    #[test]
    fn a_dirty_tree_is_stamped() {
        let clean = Provenance {
            commit: "c".repeat(40),
            dirty: vec![],
            last_change: None,
            others: vec![],
        };
        assert_eq!(clean.stamp(), "c".repeat(40));
        let two = Provenance {
            others: vec![Tree {
                top: PathBuf::from("/srv/qa"),
                commit: "d".repeat(40),
            }],
            ..clean.clone()
        };
        assert_eq!(
            two.stamp(),
            format!("{}+{}", "c".repeat(40), "d".repeat(40))
        );
        let dirty = Provenance {
            dirty: vec!["gate.toml".into()],
            ..two
        };
        assert!(dirty.stamp().ends_with("-dirty"));
    }
}
