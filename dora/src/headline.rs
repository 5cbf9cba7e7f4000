//! The one-line summary that opens the digest and the CLI's report:
//! `14 deploys last week, 13 successful, 1 auto-rolled-back, MTTR 2:14`.

use crate::duration::format_duration;
use crate::report::Report;

/// `N deploy(s) <period>, N successful, N auto-rolled-back`, then `, N rolled back by hand`,
/// `, N failed`, `, N aborted` when not zero, then `, MTTR <median recovery>`, or
/// `, no failures to recover from` when nothing failed, or `, recovery time not recorded` when
/// failures have no recovery time.
pub fn headline(report: &Report) -> String {
    let d = &report.deploys;
    let noun = if d.finished == 1 { "deploy" } else { "deploys" };
    let mut line = format!(
        "{} {noun} {}, {} successful, {} auto-rolled-back",
        d.finished, report.period.label, d.successful, d.auto_rolled_back
    );
    for (count, what) in [
        (d.rolled_back_by_hand, "rolled back by hand"),
        (d.failed, "failed"),
        (d.aborted, "aborted"),
    ] {
        if count > 0 {
            line.push_str(&format!(", {count} {what}"));
        }
    }
    match (report.recovery.failures, report.recovery.median_ms) {
        (0, _) => line.push_str(", no failures to recover from"),
        (_, Some(ms)) => line.push_str(&format!(", MTTR {}", format_duration(ms))),
        (_, None) => line.push_str(", recovery time not recorded"),
    }
    line
}
