//! A deployment's timeline as Markdown, for a blameless postmortem: what was deployed and
//! replaced, each step, each decision with its numbers, the rollback, who did what and when.
//! Pure: the records in, the text out.

use gate_audit::Entry;

use super::rfc3339;
use crate::store::{DeploymentRecord, LogKind, LogLine};

/// `m:ss` or `h:mm:ss`.
pub fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub fn postmortem(record: &DeploymentRecord, log: &[LogLine], audit: &[Entry]) -> String {
    let mut out = String::new();
    let from = record
        .from
        .as_ref()
        .map_or("nothing".to_string(), |f| format!("`{}`", f.version));
    out.push_str(&format!(
        "# Deployment of {} `{}`\n\n",
        record.service, record.version
    ));
    out.push_str(&format!(
        "- **Outcome:** {}\n- **Commit:** `{}`\n- **Replacing:** {from}\n- **Asked for by:** {} at {}{}\n",
        record.phase,
        record.commit,
        record.actor,
        rfc3339(record.created_at),
        if record.forced {
            " (an override of the gate)"
        } else {
            ""
        }
    ));
    if let Some(reason) = &record.reason {
        out.push_str(&format!("- **Reason given:** {reason}\n"));
    }
    if let Some(finished) = record.finished_at {
        out.push_str(&format!(
            "- **Took:** {} (from the request to the end)\n",
            clock(finished - record.created_at)
        ));
    }
    out.push_str("\n## Timeline\n\n| time | + | what |\n|---|---|---|\n");
    for line in log
        .iter()
        .filter(|l| l.kind != LogKind::Hook || l.text.len() < 2000)
    {
        let first = line.text.lines().next().unwrap_or_default();
        out.push_str(&format!(
            "| {} | {} | {}{} |\n",
            rfc3339(line.at),
            clock(line.at - record.created_at),
            match line.kind {
                LogKind::Transition => "**",
                _ => "",
            },
            cell(first)
                + if line.kind == LogKind::Transition {
                    "**"
                } else {
                    ""
                }
        ));
    }
    out.push_str("\n## Who did what (audit log)\n\n| # | time | actor | action | versions | reason |\n|---|---|---|---|---|---|\n");
    for e in audit {
        let c = &e.content;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} → {} | {} |\n",
            e.seq,
            rfc3339(c.at_ms),
            cell(&c.actor),
            c.action,
            c.from_version.as_deref().unwrap_or("–"),
            c.to_version.as_deref().unwrap_or("–"),
            cell(c.reason.as_deref().unwrap_or(""))
        ));
    }
    out.push_str("\n## Questions for the review\n\n- What did the numbers show, and when was it clear?\n- Did the tests before merge have a chance to catch this?\n- What would have made detection or recovery faster?\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_like_a_stopwatch() {
        assert_eq!(clock(134_000), "2:14");
        assert_eq!(clock(3_725_000), "1:02:05");
        assert_eq!(clock(-5), "0:00");
    }
}
