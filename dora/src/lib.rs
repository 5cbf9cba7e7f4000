//! gate's DORA metrics, computed from a [`History`] of deployments (gate's own and imported
//! ones), incidents and gate runs. Pure: no I/O, no async, no clock (callers pass `now`).
//! Everything is O(n log n) in the size of the history: one `index` pass sorts and groups it,
//! and each figure is a binary-searched slice of that.
//!
//! # Layout
//!
//! Data flows one way: history → index → figures → report → headline / digest.
//!
//! - [`history`]: the input model (plain serde data, unix milliseconds).
//! - [`settings`]: the time zone and rework window; zone names resolve with a "did you mean".
//! - [`period`]: half-open periods, local weeks (DST weeks have 167 or 169 hours), the period
//!   before, the last N weeks.
//! - `local_time` (private): milliseconds to local calendar days; the only user of jiff.
//! - `index` (private): the sorted, grouped history and the facts that span records (failed
//!   change, recovery time, detection, first promotion of a commit).
//! - [`deploys`], [`frequency`], [`lead_time`], [`change_failure`], [`recovery`], [`rework`],
//!   [`gate_runs`]: one figure each.
//! - [`band`]: the band table; [`change`]: period-over-period change; [`stats`]: nearest-rank
//!   percentiles and the mean.
//! - [`report`](mod@report): [`report()`] and the [`Report`] (`gate report --json`); [`weekly`](mod@weekly): the
//!   weekly series.
//! - [`headline`](mod@headline) and [`duration`]: the one-line summary and `m:ss` durations.
//! - [`digest`]: the weekly digest as subject, text, HTML and Slack blocks.
//!
//! # Definitions
//!
//! - **Which period.** A deployment belongs to the period its `finished_at` falls in
//!   (`[since, until)`); in-progress deployments count nowhere, whatever their `finished_at`.
//!   Local days and weeks are those of [`Settings::time_zone`]; a week runs Monday 00:00 to
//!   Monday 00:00. A report for one service counts its deployments only; without one, all.
//! - **A change** is a deployment that reached users, is not a rollback deployment
//!   (`rollback = true`, a redeploy of an earlier version), and was not aborted (a person
//!   stopped the canary: neither a failure nor in the denominator).
//! - **Headline deploys.** `finished` counts the changes plus aborted deployments that reached
//!   users: successful (promoted) + auto-rolled-back + rolled back by hand + failed + aborted.
//! - **Deployment frequency.** Promoted, non-rollback deployments finished in the period:
//!   the count, per day (count over the local calendar days the period touches, 7 for any
//!   week), per week (per day × 7), the local calendar days with at least one, and their share.
//!   No deployment, no band.
//! - **Lead time for changes.** Per commit: `committed_at` to the `finished_at` of the first
//!   promoted, non-rollback deployment of that service that carried it, counted in the period
//!   that promotion finished in. A commit carried by several deployments counts once per
//!   service. Its commit time is the first promotion's, or another promotion's that knows it.
//!   Commits with no commit time or a value ≤ 0 are `left_out`. Median and p90 are
//!   nearest-rank (the value at rank ⌈p·n⌉, so always an observed value; with an even count
//!   the median is the lower middle value).
//! - **Change failure rate.** Failed changes over changes finished in the period. A change
//!   failed when it was rolled back (by gate or by hand), failed, or an incident's `caused_by`
//!   names it.
//! - **Failed deployment recovery time.** Per failed change in the period:
//!   `recovered_at - detected_at` when both are set, else its earliest linked incident's
//!   `resolved_at - started_at`; negative or unknown values are not measured. The headline
//!   MTTR is the nearest-rank **median**; the mean is reported too.
//! - **Deployment rework rate.** Of the changes finished in the period, the share that were
//!   unplanned: marked `hotfix`, or started within `rework_window_ms` (default 24 h) after a
//!   failed change of the same service was detected (`detected_at`, else its first incident's
//!   start) or after a rollback deployment of it started, at any time before. No bands.
//! - **Gate figures.** Runs by `submitted_at` in the period (for one service: runs of commits
//!   its deployments carry). Pass rate is passed over verdicts (passed + failed + error;
//!   cancelled and running runs are excluded). Durations (start → finish) and time to verdict
//!   (submission → finish) are nearest-rank medians over runs with a verdict. The top 5
//!   failing (failed or error results) and flaky scenarios, ties broken by name.
//! - **Bands** ([`BAND_TABLE`] = "DORA 2023", the 2023 State of DevOps cluster edges):
//!   frequency elite ≥ 7/week, high ≥ 1/week, medium ≥ 12/52 per week (monthly), else low;
//!   lead time (median) elite < 1 day, high < 1 week, medium < 30 days, else low; change
//!   failure elite ≤ 5%, high ≤ 10%, medium ≤ 15%, else low; recovery (median) elite < 1 hour,
//!   high < 1 day, medium < 1 week, else low. No data, no band.
//! - **Change.** Each figure against [`Period::previous`] (the previous local week, or the same
//!   length just before): previous value, difference, relative change in percent (none when
//!   the previous value is 0) and `better` (more deployments and a higher pass rate are
//!   better; less lead time, failure rate, recovery time and rework are better; `None` when
//!   unchanged or either side has no value). Frequency compares the count, lead time and
//!   recovery their medians, the others their rates.

pub mod band;
pub mod change;
pub mod change_failure;
pub mod deploys;
pub mod digest;
pub mod duration;
pub mod frequency;
pub mod gate_runs;
pub mod headline;
pub mod history;
mod index;
pub mod lead_time;
mod local_time;
pub mod period;
pub mod recovery;
pub mod report;
pub mod rework;
pub mod settings;
pub mod stats;
pub mod weekly;

pub use band::{BAND_TABLE, Band};
pub use change::{Better, Change};
pub use change_failure::ChangeFailure;
pub use deploys::Deploys;
pub use digest::{Digest, render};
pub use duration::format_duration;
pub use frequency::Frequency;
pub use gate_runs::{GateFigures, ScenarioCount};
pub use headline::headline;
pub use history::{
    Commit, Deployment, GateRun, History, Incident, Outcome, RunOutcome, ScenarioOutcome,
    ScenarioResult, Source,
};
pub use lead_time::LeadTime;
pub use period::{Period, weeks_ending};
pub use recovery::Recovery;
pub use report::{PeriodInfo, Report, ServiceLine, report};
pub use rework::Rework;
pub use settings::{Settings, UnknownTimeZone};
pub use weekly::{WeekPoint, weekly};
