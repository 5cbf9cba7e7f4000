//! Summaries of samples: nearest-rank percentiles (so every median or p90 is a value that was
//! observed, never an average of two) and the mean. Sorting is the caller's O(n log n).

/// The nearest-rank percentile `p` (0 < p <= 100) of `values`: the value at rank
/// `ceil(p/100 * n)` in ascending order. The median is `percentile(values, 50)`; with an even
/// count it is the lower of the two middle values.
pub fn percentile(values: &mut [i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    let rank = (usize::try_from(p).unwrap_or(100) * n)
        .div_ceil(100)
        .clamp(1, n);
    Some(values[rank - 1])
}

/// The nearest-rank median.
pub fn median(values: &mut [i64]) -> Option<i64> {
    percentile(values, 50)
}

/// The arithmetic mean, rounded to the nearest integer.
pub fn mean(values: &[i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let sum: i128 = values.iter().map(|v| i128::from(*v)).sum();
    let n = i128::try_from(values.len()).unwrap_or(i128::MAX);
    let rounded = (2 * sum + n * sum.signum()) / (2 * n);
    i64::try_from(rounded).ok()
}

/// `part / whole`, or `None` when there is no whole.
pub fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_p90_of_ten_is_the_ninth() {
        let mut v: Vec<i64> = (1..=10).rev().collect();
        assert_eq!(percentile(&mut v, 90), Some(9));
    }

    #[test]
    fn nearest_rank_p90_of_eleven_is_the_tenth() {
        // ceil(0.9 * 11) = 10
        let mut v: Vec<i64> = (1..=11).collect();
        assert_eq!(percentile(&mut v, 90), Some(10));
    }

    #[test]
    fn nearest_rank_median_of_an_even_count_is_the_lower_middle() {
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2));
        assert_eq!(median(&mut [5]), Some(5));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn mean_rounds_to_nearest() {
        assert_eq!(mean(&[1, 2]), Some(2));
        assert_eq!(mean(&[1, 1, 2]), Some(1));
        assert_eq!(mean(&[-1, -2]), Some(-2));
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn ratio_of_nothing_is_none() {
        assert_eq!(ratio(1, 0), None);
        assert_eq!(ratio(1, 4), Some(0.25));
    }
}
