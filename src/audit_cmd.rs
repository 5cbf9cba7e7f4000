//! `gate audit verify`, `gate audit list`, `gate audit export` and `gate postmortem`: reading
//! the server's hash-chained audit log (every page of it, through `next`) and a deployment's
//! postmortem. Exit codes: 0 done (`verify`: the chain holds), 1 the chain is broken, 2 the
//! server refused (a bad filter, an unknown deployment), 3 the server could not be reached.

use std::io::Write;

use gate_wire::{AuditEntry, AuditList, AuditVerification};

use crate::api::{Api, Failure};
use crate::deploy_args::{
    AuditExportArgs, AuditFilter, AuditListArgs, AuditVerifyArgs, PostmortemArgs,
};
use crate::{deploy_tables, exit};

pub async fn verify(args: AuditVerifyArgs) -> u8 {
    let api = Api::new(&args.server);
    match api
        .get::<AuditVerification>(&["audit", "verify"], &[])
        .await
    {
        Ok(v) if v.ok => {
            println!(
                "the audit log holds: {} {}, head {}",
                v.entries,
                if v.entries == 1 { "entry" } else { "entries" },
                v.head
            );
            println!(
                "keep the head: a later verify whose chain does not contain it means entries were cut off the end"
            );
            exit::PASSED
        }
        Ok(v) => {
            eprintln!(
                "the audit log is broken at entry #{}: {} ({} entries in all)",
                v.broken_at.map_or("?".into(), |s| s.to_string()),
                v.problem.as_deref().unwrap_or("no reason given"),
                v.entries
            );
            eprintln!(
                "entries from there on cannot be trusted: compare them with an export kept elsewhere"
            );
            exit::FAILED
        }
        Err(failure) => failure.report("cannot verify the audit log"),
    }
}

/// Every entry `filter` selects, page by page; `each` gets a page as it arrives and may stop
/// the reading by returning `false`.
async fn pages(
    api: &Api,
    filter: &AuditFilter,
    mut each: impl FnMut(Vec<AuditEntry>) -> bool,
) -> Result<(), Failure> {
    let limit = filter.page_size.to_string();
    let mut after: Option<String> = None;
    loop {
        let mut query = vec![("limit", limit.as_str())];
        if let Some(since) = &filter.since {
            query.push(("since", since));
        }
        if let Some(service) = &filter.service {
            query.push(("service", service));
        }
        if let Some(deployment) = &filter.deployment {
            query.push(("deployment", deployment));
        }
        if let Some(after) = &after {
            query.push(("after", after));
        }
        let page: AuditList = api.get(&["audit"], &query).await?;
        if !each(page.entries) {
            return Ok(());
        }
        match page.next {
            Some(next) => after = Some(next.to_string()),
            None => return Ok(()),
        }
    }
}

pub async fn list(args: AuditListArgs) -> u8 {
    let api = Api::new(&args.server);
    let mut entries = Vec::new();
    if let Err(failure) = pages(&api, &args.filter, |page| {
        entries.extend(page);
        true
    })
    .await
    {
        return failure.report("cannot read the audit log");
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&entries).unwrap_or_default()
        );
    } else if entries.is_empty() {
        eprintln!("no audit entries match");
    } else {
        println!("{}", deploy_tables::audit(&entries));
    }
    exit::PASSED
}

pub async fn export(args: AuditExportArgs) -> u8 {
    let api = Api::new(&args.server);
    let stdout = std::io::stdout();
    let mut written = Ok(());
    let read = pages(&api, &args.filter, |page| {
        let mut out = stdout.lock();
        for entry in &page {
            let line = serde_json::to_string(entry).unwrap_or_default();
            written = writeln!(out, "{line}");
            if written.is_err() {
                return false;
            }
        }
        written = out.flush();
        written.is_ok()
    })
    .await;
    match (read, written) {
        // The reader went away (`| head`): nothing to complain about.
        (_, Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::PASSED,
        (_, Err(e)) => {
            eprintln!("error: cannot write the export: {e}");
            exit::INFRA
        }
        (Err(failure), _) => failure.report("cannot export the audit log"),
        (Ok(()), Ok(())) => exit::PASSED,
    }
}

pub async fn postmortem(args: PostmortemArgs) -> u8 {
    let api = Api::new(&args.server);
    let markdown = match api
        .get_text(&["deployments", &args.deployment, "postmortem"])
        .await
    {
        Ok(text) => text,
        Err(failure) if failure.is_not_found() => {
            eprintln!(
                "error: no deployment {} on {}: `gate deployments` lists them",
                args.deployment,
                api.server()
            );
            return exit::INVALID;
        }
        Err(failure) => return failure.report("cannot read the postmortem"),
    };
    match &args.output {
        Some(path) => match std::fs::write(path, &markdown) {
            Ok(()) => {
                eprintln!(
                    "wrote the postmortem of {} to {}",
                    args.deployment,
                    path.display()
                );
                exit::PASSED
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                exit::INVALID
            }
        },
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is no error of ours.
            let _ = out
                .write_all(markdown.as_bytes())
                .and_then(|()| out.flush());
            exit::PASSED
        }
    }
}
