//! The digest's content, format-free: the headline, one [`MetricLine`] per DORA metric, the
//! gate's figures, one line per service and the weekly trend. Numbers are put in words here,
//! once, for every format.

use crate::band::{BAND_TABLE, Band};
use crate::change::Change;
use crate::duration::format_duration;
use crate::headline::headline;
use crate::report::{Report, ServiceLine};
use crate::weekly::WeekPoint;

/// Everything a digest says.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub headline: String,
    pub metrics: Vec<MetricLine>,
    pub gate: MetricLine,
    /// `Most failing scenarios: checkout (3), login (1)` and the flaky one, when not empty.
    pub scenarios: Vec<String>,
    pub services: Vec<String>,
    /// `Deploys per week, Aug 17 to Nov 2: 3 5 2 ...`, when there are weeks.
    pub trend: Option<String>,
    /// `Bands: DORA 2023 ...`
    pub bands_note: String,
}

/// One figure in words.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricLine {
    pub name: &'static str,
    pub value: String,
    /// `elite`, ..., or `no band` when there is no data; `None` for figures without bands
    /// (rework, the gate).
    pub band: Option<String>,
    /// `▲ +27% vs the week before`.
    pub change: String,
    /// Whether the change is an improvement (green), a regression (red), or neither.
    pub better: Option<bool>,
}

impl Summary {
    pub fn of(report: &Report, weeks: &[WeekPoint]) -> Self {
        let before = report.period.previous_label.as_str();
        let f = &report.deployment_frequency;
        let in_period = if report.period.week {
            "this week"
        } else {
            "in the period"
        };
        let lt = &report.lead_time;
        let cf = &report.change_failure;
        let rc = &report.recovery;
        let rw = &report.rework;
        let g = &report.gate;

        let metrics = vec![
            metric(
                "Deployment frequency",
                format!("{:.1}/day ({} {in_period})", f.per_day, f.count),
                Some(f.band),
                &f.change,
                |v| format!("{v:.0}"),
                before,
            ),
            metric(
                "Lead time for changes",
                match (lt.median_ms, lt.p90_ms) {
                    (Some(median), Some(p90)) => format!(
                        "median {}, p90 {} ({}{})",
                        format_duration(median),
                        format_duration(p90),
                        count(lt.commits, "commit"),
                        left_out(lt.left_out)
                    ),
                    _ => format!("no commits promoted{}", left_out(lt.left_out)),
                },
                Some(lt.band),
                &lt.change,
                |v| format_duration(v as i64),
                before,
            ),
            metric(
                "Change failure rate",
                match cf.rate {
                    Some(rate) => format!(
                        "{} ({} of {})",
                        percent(rate),
                        cf.failed,
                        count(cf.changes, "change")
                    ),
                    None => "no changes".to_owned(),
                },
                Some(cf.band),
                &cf.change,
                percent,
                before,
            ),
            metric(
                "Failed deployment recovery time",
                match (rc.median_ms, rc.mean_ms) {
                    (Some(median), Some(mean)) => format!(
                        "median {}, mean {} ({})",
                        format_duration(median),
                        format_duration(mean),
                        count(rc.measured, "failure")
                    ),
                    _ if rc.failures > 0 => {
                        format!("not recorded ({})", count(rc.failures, "failure"))
                    }
                    _ => "no failures".to_owned(),
                },
                Some(rc.band),
                &rc.change,
                |v| format_duration(v as i64),
                before,
            ),
            metric(
                "Deployment rework rate",
                match rw.rate {
                    Some(rate) => format!(
                        "{} ({} of {}: {}, {} after a failure)",
                        percent(rate),
                        rw.rework,
                        count(rw.deployments, "change"),
                        count(rw.hotfixes, "hotfix"),
                        rw.after_failure
                    ),
                    None => "no changes".to_owned(),
                },
                None,
                &rw.change,
                percent,
                before,
            ),
        ];

        let gate = metric(
            "Gate",
            match g.pass_rate {
                Some(rate) => format!(
                    "{}, {} passed, pass rate {}, {:.1} runs/day{}{}",
                    count(g.runs, "run"),
                    g.passed,
                    percent(rate),
                    g.runs_per_day,
                    g.median_duration_ms
                        .map(|ms| format!(", median duration {}", format_duration(ms)))
                        .unwrap_or_default(),
                    g.median_time_to_verdict_ms
                        .map(|ms| format!(", median time to verdict {}", format_duration(ms)))
                        .unwrap_or_default(),
                ),
                None => format!("{}, no verdicts", count(g.runs, "run")),
            },
            None,
            &g.change,
            percent,
            before,
        );

        let mut scenarios = Vec::new();
        for (title, list) in [
            ("Most failing scenarios", &g.most_failing),
            ("Most flaky scenarios", &g.most_flaky),
        ] {
            if !list.is_empty() {
                let names: Vec<String> = list
                    .iter()
                    .map(|s| format!("{} ({})", s.name, s.count))
                    .collect();
                scenarios.push(format!("{title}: {}", names.join(", ")));
            }
        }

        Self {
            headline: headline(report),
            metrics,
            gate,
            scenarios,
            services: report.services.iter().map(service_line).collect(),
            trend: trend(weeks),
            bands_note: format!("Bands: {BAND_TABLE} (none for rework)"),
        }
    }
}

fn metric(
    name: &'static str,
    value: String,
    band: Option<Option<Band>>,
    change: &Change,
    unit: impl Fn(f64) -> String,
    before: &str,
) -> MetricLine {
    MetricLine {
        name,
        value,
        band: band.map(|b| b.map_or("no band", Band::as_str).to_owned()),
        change: change_text(change, unit, before),
        better: change.better,
    }
}

/// `▲ +27% vs the week before`, `▼ -10% vs ...`, `= same as ...`, `▲ from 0 ...`,
/// `was 2:14 ...`, `no data for ...`.
pub fn change_text(change: &Change, unit: impl Fn(f64) -> String, before: &str) -> String {
    match (change.difference, change.relative_percent, change.previous) {
        (Some(0.0), _, _) => format!("= same as {before}"),
        (Some(d), Some(relative), _) => {
            format!("{} {relative:+.0}% vs {before}", arrow(d))
        }
        (Some(d), None, Some(previous)) => {
            format!("{} from {} {before}", arrow(d), unit(previous))
        }
        (_, _, Some(previous)) => format!("was {} {before}", unit(previous)),
        _ => format!("no data for {before}"),
    }
}

fn arrow(difference: f64) -> &'static str {
    if difference > 0.0 { "▲" } else { "▼" }
}

/// `7.1%`
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

fn count(n: u64, noun: &str) -> String {
    let plural = match noun {
        "hotfix" => "hotfixes",
        _ => "",
    };
    match (n, plural) {
        (1, _) => format!("1 {noun}"),
        (_, "") => format!("{n} {noun}s"),
        (_, plural) => format!("{n} {plural}"),
    }
}

fn left_out(n: u64) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(", {n} left out")
    }
}

fn service_line(s: &ServiceLine) -> String {
    let mut line = format!(
        "{}  {}, {} successful",
        s.service,
        count(s.deploys.finished, "deploy"),
        s.deploys.successful
    );
    if let Some(rate) = s.change_failure_rate {
        line.push_str(&format!(", CFR {}", percent(rate)));
    }
    if let Some(ms) = s.lead_time_median_ms {
        line.push_str(&format!(", lead time {}", format_duration(ms)));
    }
    if let Some(ms) = s.recovery_median_ms {
        line.push_str(&format!(", MTTR {}", format_duration(ms)));
    }
    line
}

fn trend(weeks: &[WeekPoint]) -> Option<String> {
    let (first, last) = (weeks.first()?, weeks.last()?);
    let counts: Vec<String> = weeks.iter().map(|w| w.deploys.to_string()).collect();
    Some(format!(
        "Deploys per week, {} to {}: {}",
        first.label,
        last.label,
        counts.join(" ")
    ))
}
