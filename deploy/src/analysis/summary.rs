//! The readable line of an [`Evidence`]: rates, counts, the threshold, the statistic and the
//! bound it crossed or not. [`Judgement::summary`](super::Judgement::summary) adds the verdict.

use super::error_test::{ErrorFinding, ErrorTest};
use super::judgement::Evidence;
use super::latency::{LatencyCheck, LatencyFinding};

impl Evidence {
    /// `canary 4.8% of 312 requests vs stable 0.9% of 5,931 (+0.5 pt allowed): log-likelihood
    /// ratio 5.1 ≥ 4.6`, then the latency bound's part when the policy sets one.
    pub fn summary(&self) -> String {
        let mut line = errors(&self.errors);
        if let Some(latency) = &self.latency {
            line.push_str("; ");
            line.push_str(&latency_part(latency));
        }
        line
    }
}

fn errors(t: &ErrorTest) -> String {
    let canary = format!(
        "canary {} of {} requests",
        percent(t.canary_rate),
        count(t.canary_requests)
    );
    let stable = match t.stable_rate {
        Some(rate) => format!(
            "vs stable {} of {} ({} allowed)",
            percent(rate),
            count(t.stable_requests),
            points(t.max_increase)
        ),
        None => format!(
            "with no stable requests to compare (judged against {} alone)",
            points(t.max_increase)
        ),
    };
    let llr = format!("log-likelihood ratio {:.1}", t.log_likelihood_ratio);
    let test = match t.finding {
        ErrorFinding::Failing => format!("{llr} ≥ {:.1}", t.rollback_at),
        ErrorFinding::Healthy => format!("{llr} ≤ {:.1}", t.healthy_at),
        ErrorFinding::Undecided => {
            format!(
                "{llr}, between {:.1} and {:.1}",
                t.healthy_at, t.rollback_at
            )
        }
        ErrorFinding::TooFewRequests => format!(
            "{llr} < {:.1}; {} of the {} canary requests a step needs",
            t.rollback_at,
            count(t.canary_requests),
            count(t.min_requests)
        ),
    };
    format!("{canary} {stable}: {test}")
}

fn latency_part(l: &LatencyCheck) -> String {
    let ms = |v: Option<f64>| v.map_or_else(|| "unknown".to_owned(), |v| format!("{v:.0} ms"));
    match (l.finding, l.limit_ms) {
        (LatencyFinding::Above, Some(limit)) => format!(
            "p95 {} > stable {} × {} = {limit:.0} ms",
            ms(l.canary_p95_ms),
            ms(l.stable_p95_ms),
            l.factor
        ),
        (LatencyFinding::Within, Some(limit)) => format!(
            "p95 {} ≤ stable {} × {} = {limit:.0} ms",
            ms(l.canary_p95_ms),
            ms(l.stable_p95_ms),
            l.factor
        ),
        _ => format!(
            "p95 {} vs stable {} not checked: each side needs {} requests",
            ms(l.canary_p95_ms),
            ms(l.stable_p95_ms),
            count(l.min_samples)
        ),
    }
}

/// `4.8%`; two decimals under 1% so that 0.05% does not read as 0.1%.
fn percent(rate: f64) -> String {
    let p = rate * 100.0;
    if p == 0.0 || p >= 1.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.2}%")
    }
}

/// `+0.5 pt`: a rise in percentage points.
fn points(rise: f64) -> String {
    let pt = format!("{:.2}", rise * 100.0);
    let pt = pt.trim_end_matches('0').trim_end_matches('.');
    format!("+{pt} pt")
}

/// `5,931`
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_a_person_writes_them() {
        assert_eq!(count(0), "0");
        assert_eq!(count(312), "312");
        assert_eq!(count(5_931), "5,931");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(percent(0.048), "4.8%");
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(percent(0.0005), "0.05%");
        assert_eq!(points(0.005), "+0.5 pt");
        assert_eq!(points(0.01), "+1 pt");
        assert_eq!(points(0.0025), "+0.25 pt");
    }
}
