//! A stage's figures over the window: how often it ran, its median duration and the share of
//! runs that failed.

use std::time::Duration;

use gate_dora::stats::{median, ratio};

use crate::history::Occurrence;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageStats {
    /// Runs that started in the window.
    pub runs: u32,
    /// The median of the known durations; for a manual stage with none recorded, `usually`.
    pub median_ms: Option<i64>,
    /// The median is the declared `usually`, not a measurement.
    pub median_is_usual: bool,
    /// `None` when there were no runs, or failures are not recorded (manual stages).
    pub failure_share: Option<f64>,
}

/// The figures of `occurrences` since `since_ms`. `usually` stands in for the median when no
/// duration is known; `failures_known` is false for stages whose failures nobody records.
pub fn stats(
    occurrences: &[Occurrence],
    since_ms: i64,
    usually: Option<Duration>,
    failures_known: bool,
) -> StageStats {
    let recent: Vec<&Occurrence> = occurrences.iter().filter(|o| o.at_ms >= since_ms).collect();
    let mut durations: Vec<i64> = recent
        .iter()
        .filter_map(|o| o.duration_ms)
        .filter(|d| *d >= 0)
        .collect();
    let runs = recent.len() as u64;
    let failed = recent.iter().filter(|o| o.failed).count() as u64;
    let measured = median(&mut durations);
    let usual = usually.map(|u| i64::try_from(u.as_millis()).unwrap_or(i64::MAX));
    StageStats {
        runs: u32::try_from(runs).unwrap_or(u32::MAX),
        median_ms: measured.or(usual),
        median_is_usual: measured.is_none() && usual.is_some(),
        failure_share: if failures_known {
            ratio(failed, runs)
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(at_ms: i64, duration_ms: Option<i64>, failed: bool) -> Occurrence {
        Occurrence {
            at_ms,
            duration_ms,
            failed,
        }
    }

    #[test]
    fn runs_median_and_failure_share_of_the_window() {
        let history = [
            ran(5, Some(1_000), true), // before the window
            ran(10, Some(3_000), false),
            ran(11, Some(1_000), true),
            ran(12, None, false),
            ran(13, Some(2_000), false),
        ];
        let s = stats(&history, 10, None, true);
        assert_eq!(s.runs, 4);
        assert_eq!(s.median_ms, Some(2_000));
        assert!(!s.median_is_usual);
        assert_eq!(s.failure_share, Some(0.25));
    }

    #[test]
    fn usually_stands_in_for_unrecorded_durations() {
        let usually = Some(Duration::from_secs(900));
        let s = stats(&[ran(10, None, false)], 0, usually, false);
        assert_eq!(
            (s.runs, s.median_ms, s.median_is_usual),
            (1, Some(900_000), true)
        );
        assert_eq!(
            s.failure_share, None,
            "nobody records a manual stage's failures"
        );
        let s = stats(&[], 0, usually, true);
        assert_eq!(
            (s.runs, s.median_ms, s.failure_share),
            (0, Some(900_000), None)
        );
        assert_eq!(stats(&[], 0, None, true).median_ms, None);
    }
}
