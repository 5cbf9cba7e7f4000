//! How values read, on the axis and in the text alternative: one formatter per
//! [`Unit`], so the picture and its description never disagree.

use crate::Unit;

/// A duration in milliseconds as a clock reading, rounded to the second:
/// `m:ss` under an hour, `h:mm:ss` under a day, then `Nd h:mm:ss` (or just
/// `Nd` for whole days). Negative durations get a leading `-`; a value that is
/// not finite reads `–`.
///
/// ```
/// assert_eq!(gate_charts::format_millis(134_400.0), "2:14");
/// assert_eq!(gate_charts::format_millis(3_723_000.0), "1:02:03");
/// assert_eq!(gate_charts::format_millis(2.0 * 86_400_000.0), "2d");
/// ```
pub fn format_millis(ms: f64) -> String {
    if !ms.is_finite() {
        return "–".to_owned();
    }
    // `as` saturates, so a duration beyond u64 seconds reads as the largest one.
    let total = (ms.abs() / 1000.0).round() as u64;
    let sign = if ms < 0.0 && total > 0 { "-" } else { "" };
    let (days, hours, minutes, seconds) = (
        total / 86_400,
        total / 3600 % 24,
        total / 60 % 60,
        total % 60,
    );
    match (days, hours) {
        (0, 0) => format!("{sign}{minutes}:{seconds:02}"),
        (0, _) => format!("{sign}{hours}:{minutes:02}:{seconds:02}"),
        _ if total % 86_400 == 0 => format!("{sign}{days}d"),
        _ => format!("{sign}{days}d {hours}:{minutes:02}:{seconds:02}"),
    }
}

impl Unit {
    /// `value` as this unit shows it: a count as an integer (one decimal when
    /// it has a fraction), a ratio as a percentage, milliseconds as
    /// [`format_millis`].
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Count => with_at_most_one_decimal(value, ""),
            Unit::Ratio => with_at_most_one_decimal(value * 100.0, "%"),
            Unit::Millis => format_millis(value),
        }
    }
}

fn with_at_most_one_decimal(value: f64, suffix: &str) -> String {
    if value.abs() >= 1e15 {
        // Beyond any real count; keeps the label short and the rounding below finite.
        return format!("{value:.1e}{suffix}");
    }
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        // `+ 0.0` turns -0 into 0, so a tiny negative value does not read "-0".
        format!("{:.0}{suffix}", rounded + 0.0)
    } else {
        format!("{rounded:.1}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_read_as_a_clock() {
        assert_eq!(format_millis(0.0), "0:00");
        assert_eq!(format_millis(499.0), "0:00");
        assert_eq!(format_millis(59_600.0), "1:00");
        assert_eq!(format_millis(134_400.0), "2:14");
        assert_eq!(format_millis(3_599_000.0), "59:59");
        assert_eq!(format_millis(3_600_000.0), "1:00:00");
        assert_eq!(format_millis(86_399_000.0), "23:59:59");
        assert_eq!(format_millis(86_400_000.0), "1d");
        assert_eq!(format_millis(90_061_000.0), "1d 1:01:01");
        assert_eq!(format_millis(-134_400.0), "-2:14");
        assert_eq!(format_millis(-1.0), "0:00");
        assert_eq!(format_millis(f64::NAN), "–");
        assert_eq!(format_millis(f64::INFINITY), "–");
        // Saturates instead of panicking.
        assert!(format_millis(f64::MAX).ends_with('d') || format_millis(f64::MAX).contains("d "));
    }

    #[test]
    fn each_unit_has_its_own_reading() {
        assert_eq!(Unit::Count.format(3.0), "3");
        assert_eq!(Unit::Count.format(2.5), "2.5");
        assert_eq!(Unit::Count.format(-0.01), "0");
        assert_eq!(Unit::Count.format(f64::MAX), "1.8e308");
        assert_eq!(Unit::Ratio.format(0.5), "50%");
        assert_eq!(Unit::Ratio.format(1.0 / 3.0), "33.3%");
        assert_eq!(Unit::Ratio.format(0.25), "25%");
        assert_eq!(Unit::Millis.format(134_400.0), "2:14");
    }
}
