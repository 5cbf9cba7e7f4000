//! The flags of the deploy commands (`gate deploy`, `promote`, `advance`, `abort`, `rollback`,
//! `deployments`, `services`, `audit`, `postmortem`) and the checks made when the command line
//! is read: a full commit SHA, a version label, a time. A bad value is a usage error (exit 2)
//! naming the flag, before the server is asked anything.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::cli::ServerArgs;

#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The service to deploy: a [[services]] entry of the server's gate.toml.
    #[arg(long)]
    pub service: String,
    /// The version label the deploy hooks know (letters, digits, `.`, `_`, `-`), e.g. v2.
    #[arg(long, value_parser = version_label)]
    pub version: String,
    /// The full commit SHA the version was built from (40 or 64 hex digits). Its gate verdict
    /// must be success, or the deploy is refused.
    #[arg(long, value_name = "SHA", value_parser = full_sha)]
    pub commit: String,
    /// Deploy although the commit's gate verdict is not success (a token with the `admin`
    /// scope; needs --reason; recorded in the audit log as an override).
    #[arg(long, requires = "reason")]
    pub force: bool,
    /// Why: required with --force, recorded in the audit log.
    #[arg(long, value_parser = non_blank)]
    pub reason: Option<String>,
    /// Made to fix a production problem: counts as rework in `gate report`.
    #[arg(long)]
    pub hotfix: bool,
    /// Other commits this version carries since the one serving (full SHAs, comma-separated,
    /// e.g. from `git rev-list`): each counts for lead time in `gate report`.
    #[arg(long, value_name = "SHA,...", value_delimiter = ',', value_parser = full_sha)]
    pub carries: Vec<String>,
    /// Return as soon as the deployment is created instead of following it to the end.
    #[arg(long)]
    pub detach: bool,
}

/// Which deployment a command means: one by id, or a service's deployment in progress.
#[derive(Debug, Args)]
#[group(id = "target", required = true, multiple = false)]
pub struct Target {
    /// The deployment's id (`gate deployments` lists them).
    #[arg(value_name = "DEPLOYMENT")]
    pub deployment: Option<String>,
    /// The deployment in progress of this service.
    #[arg(long)]
    pub service: Option<String>,
}

#[derive(Debug, Args)]
pub struct PromoteArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub target: Target,
}

#[derive(Debug, Args)]
pub struct AbortArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub target: Target,
    /// Why you stop it (recorded in the audit log).
    #[arg(long, value_parser = non_blank)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The service to roll back.
    #[arg(long)]
    pub service: String,
    /// A version that served the service before [default: the canary in progress is rolled
    /// back, else the version that served before the current one]
    #[arg(long, value_name = "VERSION", value_parser = version_label, conflicts_with = "to_time")]
    pub to: Option<String>,
    /// The version that served at this time: HH:MM today (UTC) or RFC 3339, e.g. 14:28 or
    /// 2026-12-02T14:28:00Z.
    #[arg(long, value_name = "TIME", value_parser = time_arg)]
    pub to_time: Option<String>,
    /// Why (recorded in the audit log).
    #[arg(long, value_parser = non_blank)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct DeploymentsArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// Only this service's deployments.
    #[arg(long)]
    pub service: Option<String>,
    /// How many, newest first.
    #[arg(long, default_value_t = 20, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,
    /// Print the API's JSON answer instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServicesArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// Print the API's JSON answer instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's hash chain (exit 0 when it holds, 1 naming the first bad entry).
    Verify(AuditVerifyArgs),
    /// The audit log as a table, oldest first.
    List(AuditListArgs),
    /// Every audit entry as a JSON line on stdout, for a SIEM.
    Export(AuditExportArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Which audit entries.
#[derive(Debug, Args)]
pub struct AuditFilter {
    /// Entries from this time on: HH:MM today (UTC) or RFC 3339.
    #[arg(long, value_name = "TIME", value_parser = time_arg)]
    pub since: Option<String>,
    /// Only this service's entries.
    #[arg(long)]
    pub service: Option<String>,
    /// Only this deployment's entries.
    #[arg(long, value_name = "ID")]
    pub deployment: Option<String>,
    /// Entries asked for per call (the tests make it small to page).
    #[arg(long, hide = true, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub page_size: u32,
}

#[derive(Debug, Args)]
pub struct AuditListArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub filter: AuditFilter,
    /// Print the entries as a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditExportArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub filter: AuditFilter,
}

#[derive(Debug, Args)]
pub struct PostmortemArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// The deployment's id.
    #[arg(value_name = "DEPLOYMENT")]
    pub deployment: String,
    /// Write the Markdown here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// A full commit SHA: 40 (SHA-1) or 64 (SHA-256) hex digits, as the gate verdicts name them.
pub fn full_sha(text: &str) -> Result<String, String> {
    let hex = text.chars().all(|c| c.is_ascii_hexdigit());
    if hex && matches!(text.len(), 40 | 64) {
        Ok(text.to_ascii_lowercase())
    } else if hex && !text.is_empty() {
        Err(format!(
            "a commit is its full SHA, 40 or 64 hex digits, not {} (`git rev-parse HEAD` prints it)",
            text.len()
        ))
    } else {
        Err("a commit is its full SHA: 40 or 64 hex digits (`git rev-parse HEAD` prints it)".into())
    }
}

/// A version label: letters, digits, `.`, `_` and `-`, at most 64 characters.
pub fn version_label(text: &str) -> Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(text.to_string())
    } else {
        Err("a version label is up to 64 letters, digits, `.`, `_` and `-`, e.g. v2".into())
    }
}

/// A time as the server takes it: `HH:MM` (today, UTC) or RFC 3339.
pub fn time_arg(text: &str) -> Result<String, String> {
    use time::format_description::well_known::Rfc3339;
    let clock = text.split_once(':').is_some_and(|(h, m)| {
        h.len() <= 2
            && m.len() == 2
            && h.parse::<u8>().is_ok_and(|h| h < 24)
            && m.parse::<u8>().is_ok_and(|m| m < 60)
    });
    if clock || time::OffsetDateTime::parse(text, &Rfc3339).is_ok() {
        Ok(text.to_string())
    } else {
        Err("a time is HH:MM (today, UTC) or RFC 3339, e.g. 14:28 or 2026-12-02T14:28:00Z".into())
    }
}

/// A reason: something to read in the audit log.
fn non_blank(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err("say why: the reason goes into the audit log".into())
    } else {
        Ok(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_are_full_shas() {
        let sha1 = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(full_sha(sha1).as_deref(), Ok(sha1));
        assert_eq!(full_sha(&sha1.to_uppercase()).as_deref(), Ok(sha1));
        assert!(full_sha(&"a".repeat(64)).is_ok());
        let short = full_sha("0123456").unwrap_err();
        assert!(short.contains("not 7"), "{short}");
        assert!(full_sha("main").is_err());
        assert!(full_sha("").is_err());
        assert!(full_sha(&"g".repeat(40)).is_err());
    }

    #[test]
    fn versions_and_times_are_checked_when_read() {
        assert!(version_label("v2.1_rc-1").is_ok());
        assert!(version_label("v 2").is_err());
        assert!(version_label("<script>").is_err());
        for ok in [
            "14:28",
            "9:05",
            "2026-12-02T14:28:00Z",
            "2026-12-02T14:28:00+01:00",
        ] {
            assert_eq!(time_arg(ok).as_deref(), Ok(ok));
        }
        for bad in ["24:00", "14:60", "14", "14:5", "yesterday", "2026-12-02"] {
            assert!(time_arg(bad).is_err(), "{bad}");
        }
        assert!(non_blank("  ").is_err());
    }
}
