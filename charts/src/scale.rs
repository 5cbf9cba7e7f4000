//! The value axis: its range and where its ticks go, chosen per [`Unit`] so
//! ticks land on readable values (whole counts, quarters of 100 %, whole
//! minutes or hours).

use crate::Unit;

/// At most this many intervals between ticks, so labels stay legible on a phone.
const MAX_INTERVALS: f64 = 5.0;

/// The value axis of one chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scale {
    pub(crate) low: f64,
    pub(crate) high: f64,
    pub(crate) ticks: Vec<f64>,
}

/// The axis that holds every value in `values` (all finite) and zero.
pub(crate) fn scale(unit: Unit, values: &[f64]) -> Scale {
    let low = values.iter().copied().fold(0.0, f64::min);
    let high = values.iter().copied().fold(minimum_top(unit), f64::max);
    let Some(step) = steps(unit)
        .into_iter()
        .find(|step| (high / step).ceil() - (low / step).floor() <= MAX_INTERVALS)
    else {
        // Beyond every step we know (absurd values): five equal intervals,
        // interpolated so that no intermediate value overflows.
        let ticks = (0..=MAX_INTERVALS as usize)
            .map(|i| {
                let t = i as f64 / MAX_INTERVALS;
                low * (1.0 - t) + high * t
            })
            .collect();
        return Scale { low, high, ticks };
    };
    let first = (low / step).floor();
    let last = (high / step).ceil();
    let ticks = (0..=(last - first) as usize)
        .map(|i| (first + i as f64) * step)
        .collect();
    Scale {
        low: first * step,
        high: last * step,
        ticks,
    }
}

/// The smallest top of the axis, so a chart of zeros still has a scale.
fn minimum_top(unit: Unit) -> f64 {
    match unit {
        Unit::Count => 1.0,
        Unit::Ratio => 1.0,
        Unit::Millis => 60_000.0,
    }
}

/// Candidate tick steps, smallest first.
fn steps(unit: Unit) -> Vec<f64> {
    const SECOND: f64 = 1000.0;
    const MINUTE: f64 = 60.0 * SECOND;
    const HOUR: f64 = 60.0 * MINUTE;
    const DAY: f64 = 24.0 * HOUR;
    let decades = |base: f64| {
        (0..16).flat_map(move |k| {
            let scale = base * 10f64.powi(k);
            [scale, 2.0 * scale, 5.0 * scale]
        })
    };
    match unit {
        Unit::Count => decades(1.0).collect(),
        Unit::Ratio => [0.25, 0.5].into_iter().chain(decades(1.0)).collect(),
        Unit::Millis => [
            10.0 * SECOND,
            15.0 * SECOND,
            30.0 * SECOND,
            MINUTE,
            2.0 * MINUTE,
            5.0 * MINUTE,
            10.0 * MINUTE,
            15.0 * MINUTE,
            30.0 * MINUTE,
            HOUR,
            2.0 * HOUR,
            3.0 * HOUR,
            6.0 * HOUR,
            12.0 * HOUR,
            DAY,
            2.0 * DAY,
            7.0 * DAY,
            14.0 * DAY,
        ]
        .into_iter()
        .chain(decades(30.0 * DAY))
        .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tick_on_whole_numbers() {
        assert_eq!(scale(Unit::Count, &[]).ticks, [0.0, 1.0]);
        assert_eq!(scale(Unit::Count, &[3.0]).ticks, [0.0, 1.0, 2.0, 3.0]);
        assert_eq!(scale(Unit::Count, &[7.0]).ticks, [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(
            scale(Unit::Count, &[42.0]).ticks,
            [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
        );
    }

    #[test]
    fn ratios_tick_on_quarters_of_the_whole() {
        let s = scale(Unit::Ratio, &[0.1, 0.5]);
        assert_eq!(s.ticks, [0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!((s.low, s.high), (0.0, 1.0));
    }

    #[test]
    fn durations_tick_on_clock_values() {
        assert_eq!(
            scale(Unit::Millis, &[134_400.0]).ticks,
            [0.0, 30_000.0, 60_000.0, 90_000.0, 120_000.0, 150_000.0]
        );
        let hours = scale(Unit::Millis, &[4.5 * 3_600_000.0]).ticks;
        assert_eq!(hours.last(), Some(&(5.0 * 3_600_000.0)));
        assert!(hours.len() <= 6);
    }

    #[test]
    fn negative_values_extend_the_axis_below_zero() {
        let s = scale(Unit::Count, &[-3.0, 2.0]);
        assert_eq!(s.ticks, [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0]);
    }

    #[test]
    fn absurd_values_still_give_a_finite_axis() {
        for values in [[f64::MAX, 0.0], [-f64::MAX, f64::MAX]] {
            let s = scale(Unit::Count, &values);
            assert!(s.ticks.iter().all(|t| t.is_finite()), "{s:?}");
            assert!(s.low < s.high);
        }
    }
}
