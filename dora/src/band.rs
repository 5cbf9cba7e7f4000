//! The performance bands: one table, the 2023 State of DevOps report's cluster edges, named
//! [`BAND_TABLE`] in every output so nobody mistakes it for the 2024 clusters (whose change
//! failure figures are cluster centres, not edges). No data, no band.

use serde::Serialize;

/// The name of the table, printed next to every band.
pub const BAND_TABLE: &str = "DORA 2023";

const HOUR_MS: i64 = 60 * 60 * 1000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// A performance band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Elite,
    High,
    Medium,
    Low,
}

impl Band {
    /// `elite`, `high`, `medium`, `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Elite => "elite",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    /// Deployment frequency: elite at 7 or more a week (on demand, daily), high at 1 or more a
    /// week, medium at one a month or more (12/52 a week), low below.
    pub fn for_frequency(per_week: f64) -> Self {
        if per_week >= 7.0 {
            Self::Elite
        } else if per_week >= 1.0 {
            Self::High
        } else if per_week >= 12.0 / 52.0 {
            Self::Medium
        } else {
            Self::Low
        }
    }

    /// Lead time: elite under a day, high under a week, medium under 30 days, low beyond.
    pub fn for_lead_time(ms: i64) -> Self {
        if ms < DAY_MS {
            Self::Elite
        } else if ms < 7 * DAY_MS {
            Self::High
        } else if ms < 30 * DAY_MS {
            Self::Medium
        } else {
            Self::Low
        }
    }

    /// Change failure rate (a fraction): elite up to 5%, high up to 10%, medium up to 15%.
    pub fn for_change_failure(rate: f64) -> Self {
        // Compare in whole basis points so 1/20 is exactly 5%, not a hair above.
        let bp = (rate * 10_000.0).round();
        if bp <= 500.0 {
            Self::Elite
        } else if bp <= 1_000.0 {
            Self::High
        } else if bp <= 1_500.0 {
            Self::Medium
        } else {
            Self::Low
        }
    }

    /// Recovery time: elite under an hour, high under a day, medium under a week, low beyond.
    pub fn for_recovery(ms: i64) -> Self {
        if ms < HOUR_MS {
            Self::Elite
        } else if ms < DAY_MS {
            Self::High
        } else if ms < 7 * DAY_MS {
            Self::Medium
        } else {
            Self::Low
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequency_edges() {
        assert_eq!(Band::for_frequency(7.0), Band::Elite);
        assert_eq!(Band::for_frequency(6.99), Band::High);
        assert_eq!(Band::for_frequency(1.0), Band::High);
        assert_eq!(Band::for_frequency(0.99), Band::Medium);
        assert_eq!(Band::for_frequency(12.0 / 52.0), Band::Medium);
        assert_eq!(Band::for_frequency(0.23), Band::Low);
    }

    #[test]
    fn lead_time_edges() {
        assert_eq!(Band::for_lead_time(DAY_MS - 1), Band::Elite);
        assert_eq!(Band::for_lead_time(DAY_MS), Band::High);
        assert_eq!(Band::for_lead_time(7 * DAY_MS - 1), Band::High);
        assert_eq!(Band::for_lead_time(7 * DAY_MS), Band::Medium);
        assert_eq!(Band::for_lead_time(30 * DAY_MS - 1), Band::Medium);
        assert_eq!(Band::for_lead_time(30 * DAY_MS), Band::Low);
    }

    #[test]
    fn change_failure_edges() {
        assert_eq!(Band::for_change_failure(1.0 / 20.0), Band::Elite);
        assert_eq!(Band::for_change_failure(0.0501), Band::High);
        assert_eq!(Band::for_change_failure(1.0 / 10.0), Band::High);
        assert_eq!(Band::for_change_failure(0.1001), Band::Medium);
        assert_eq!(Band::for_change_failure(3.0 / 20.0), Band::Medium);
        assert_eq!(Band::for_change_failure(0.1501), Band::Low);
        assert_eq!(Band::for_change_failure(0.0), Band::Elite);
    }

    #[test]
    fn recovery_edges() {
        assert_eq!(Band::for_recovery(HOUR_MS - 1), Band::Elite);
        assert_eq!(Band::for_recovery(HOUR_MS), Band::High);
        assert_eq!(Band::for_recovery(DAY_MS - 1), Band::High);
        assert_eq!(Band::for_recovery(DAY_MS), Band::Medium);
        assert_eq!(Band::for_recovery(7 * DAY_MS - 1), Band::Medium);
        assert_eq!(Band::for_recovery(7 * DAY_MS), Band::Low);
    }
}
