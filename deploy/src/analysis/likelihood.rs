//! The binomial log-likelihood of both versions' errors, and the stable rate that fits them
//! best for a given rise of the canary over stable: the profile likelihood the error test is
//! built on (see [`crate::analysis`] for the formulas).

/// `x · ln(p)`, 0 when `x` is 0 (also for `p` = 0: no errors at a zero rate is certain).
fn x_ln(x: f64, p: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x * p.ln() }
}

/// ln P(`errors` of `requests` | rate `p`), without the binomial coefficient (it cancels in
/// every ratio we take).
pub(crate) fn log_likelihood(errors: u64, requests: u64, p: f64) -> f64 {
    let (x, n) = (errors as f64, requests as f64);
    x_ln(x, p) + x_ln(n - x, 1.0 - p)
}

/// The log-likelihood of both versions' counts when stable fails at rate `s` and the canary at
/// `s + rise`.
pub(crate) fn joint(canary: (u64, u64), stable: (u64, u64), s: f64, rise: f64) -> f64 {
    log_likelihood(stable.0, stable.1, s) + log_likelihood(canary.0, canary.1, s + rise)
}

/// The stable rate `s` in `[0, 1 - rise]` that maximises [`joint`]: its derivative in `s`,
///
/// ```text
/// x_s/s − (n_s − x_s)/(1 − s) + x_c/(s + rise) − (n_c − x_c)/(1 − s − rise),
/// ```
///
/// falls as `s` grows (the log-likelihood is concave), so the maximum is where it crosses
/// zero, found by bisection, or at an end of the interval when it does not. The stable rate is
/// never divided by where it is zero: with no stable errors the first term is left out and the
/// maximum may be `s = 0`.
pub(crate) fn fitted_stable_rate(canary: (u64, u64), stable: (u64, u64), rise: f64) -> f64 {
    let (xc, nc) = (canary.0 as f64, canary.1 as f64);
    let (xs, ns) = (stable.0 as f64, stable.1 as f64);
    let slope = |s: f64| {
        let p = s + rise;
        let stable_part = if xs == 0.0 {
            -ns / (1.0 - s)
        } else {
            xs / s - (ns - xs) / (1.0 - s)
        };
        let canary_part = if xc == 0.0 { 0.0 } else { xc / p }
            - if nc == xc { 0.0 } else { (nc - xc) / (1.0 - p) };
        stable_part + canary_part
    };
    let (mut low, mut high) = (0.0, 1.0 - rise);
    if slope(low) <= 0.0 {
        return low;
    }
    // 64 halvings of an interval at most 1 wide reach the precision of an f64.
    for _ in 0..64 {
        let middle = 0.5 * (low + high);
        if slope(middle) > 0.0 {
            low = middle;
        } else {
            high = middle;
        }
    }
    0.5 * (low + high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_no_canary_the_fit_is_stables_own_rate() {
        let s = fitted_stable_rate((0, 0), (30, 1000), 0.005);
        assert!((s - 0.03).abs() < 1e-9, "{s}");
    }

    #[test]
    fn a_clean_stable_and_a_canary_within_the_rise_fit_zero() {
        assert_eq!(fitted_stable_rate((1, 1000), (0, 10_000), 0.005), 0.0);
    }

    #[test]
    fn the_fit_lies_between_the_two_streams_evidence() {
        // Stable 1% of 10,000; canary 3% of 1,000 with a rise of 0.5 pt: the canary pulls the
        // fitted stable rate up a little from 1%.
        let s = fitted_stable_rate((30, 1000), (100, 10_000), 0.005);
        assert!(s > 0.01 && s < 0.012, "{s}");
    }

    #[test]
    fn all_errors_everywhere_stays_in_range() {
        let s = fitted_stable_rate((10, 10), (10, 10), 0.015);
        assert!((0.0..=0.985).contains(&s), "{s}");
        assert!(joint((10, 10), (10, 10), s, 0.015).is_finite());
    }
}
