//! The policy's defaults proven by simulation: seeded, reproducible, a few seconds in debug.
//!
//! Traffic at 100 requests/s in total, the router sending each request to the canary with the
//! step's weight (5%), errors binomial on each side, an observation every 5 s, driven through
//! the real transition function from `Ready` to a final phase. 1,000 canaries a case.
//!
//! Run with `--nocapture` to see the table that gate's README quotes. The generator is rand's
//! `SmallRng` (xoshiro256++ on 64-bit targets): with `Cargo.lock` pinning rand, a seed gives
//! the same figures on every run, and it is fast enough in a debug build, where ChaCha is not.

use std::time::Duration;

use gate_deploy::{
    CanaryPolicy, Counts, Deployment, Input, Judgement, Phase, Step, SyntheticTally, Window,
    advance,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const REQUESTS_PER_SECOND: u64 = 100;
const INTERVAL_S: u64 = 5;
const HOLD_S: i64 = 600;
const CANARIES: usize = 1_000;

/// How one simulated deployment ended.
struct Run {
    phase: Phase,
    /// Seconds from the start of the canary to the final phase.
    decided_s: i64,
    /// Rolled back by the test (not by the inconclusive fail-safe).
    by_test: bool,
    /// Seconds to the first healthy judgement, if there was one.
    first_healthy_s: Option<i64>,
}

/// A number of successes in `n` trials of probability `p`, exactly: the gaps between
/// successes are geometric, so it takes about `n·p + 1` draws instead of `n`.
fn binomial(rng: &mut SmallRng, n: u64, p: f64) -> u64 {
    if p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let log_q = (1.0 - p).ln();
    let (mut successes, mut position) = (0, 0u64);
    loop {
        let u: f64 = 1.0 - rng.random::<f64>();
        let gap = (u.ln() / log_q).floor();
        // A gap past `n` ends the count; the cast saturates for huge gaps.
        position = position.saturating_add(gap as u64).saturating_add(1);
        if position > n {
            return successes;
        }
        successes += 1;
    }
}

/// One deployment from `Ready` to a final phase (or two hours, whichever first).
fn run(policy: &CanaryPolicy, canary_p: f64, stable_p: f64, rng: &mut SmallRng) -> Run {
    let started =
        advance(policy, &Deployment::new(0), &Input::Ready { at: 0 }).expect("ready is accepted");
    let mut state = started.deployment;
    let mut window = Window::default();
    let mut first_healthy_s = None;
    let mut by_test = false;
    let mut t_s = 0;
    while !state.phase.is_over() && t_s < 7_200 {
        let Phase::Canary { weight, .. } = state.phase else {
            unreachable!("a deployment in progress after ready is a canary");
        };
        t_s += INTERVAL_S as i64;
        let total = REQUESTS_PER_SECOND * INTERVAL_S;
        let to_canary = binomial(rng, total, f64::from(weight) / 100.0);
        add(
            &mut window.canary,
            to_canary,
            binomial(rng, to_canary, canary_p),
        );
        let to_stable = total - to_canary;
        add(
            &mut window.stable,
            to_stable,
            binomial(rng, to_stable, stable_p),
        );
        let input = Input::Observed {
            at: t_s * 1_000,
            window,
            synthetic: SyntheticTally::default(),
        };
        let out = advance(policy, &state, &input).expect("observations are accepted");
        if first_healthy_s.is_none() && matches!(out.judgement, Some(Judgement::Healthy(_))) {
            first_healthy_s = Some(t_s);
        }
        if let Some(transition) = &out.transition {
            by_test = transition.cause.starts_with("canary failing");
            window = Window::default();
        }
        state = out.deployment;
    }
    Run {
        phase: state.phase,
        decided_s: t_s,
        by_test,
        first_healthy_s,
    }
}

fn add(counts: &mut Counts, requests: u64, errors: u64) {
    counts.requests += requests;
    counts.errors += errors;
}

/// What a case's 1,000 canaries did.
struct Figures {
    rolled_back: usize,
    by_test: usize,
    rolled_back_within_hold: usize,
    promoted: usize,
    decide_median_s: i64,
    decide_p90_s: i64,
    ever_healthy: usize,
    healthy_median_s: Option<i64>,
    healthy_p90_s: Option<i64>,
}

fn case(name: &str, policy: &CanaryPolicy, canary_p: f64, stable_p: f64, seed: u64) -> Figures {
    let mut rng = SmallRng::seed_from_u64(seed);
    let runs: Vec<Run> = (0..CANARIES)
        .map(|_| run(policy, canary_p, stable_p, &mut rng))
        .collect();
    let rolled_back: Vec<&Run> = runs
        .iter()
        .filter(|r| r.phase == Phase::RolledBack)
        .collect();
    let mut decided: Vec<i64> = runs.iter().map(|r| r.decided_s).collect();
    let mut healthy: Vec<i64> = runs.iter().filter_map(|r| r.first_healthy_s).collect();
    let figures = Figures {
        rolled_back: rolled_back.len(),
        by_test: rolled_back.iter().filter(|r| r.by_test).count(),
        rolled_back_within_hold: rolled_back.iter().filter(|r| r.decided_s <= HOLD_S).count(),
        promoted: runs.iter().filter(|r| r.phase == Phase::Promoted).count(),
        decide_median_s: quantile(&mut decided, 0.5).unwrap_or(0),
        decide_p90_s: quantile(&mut decided, 0.9).unwrap_or(0),
        ever_healthy: healthy.len(),
        healthy_median_s: quantile(&mut healthy, 0.5),
        healthy_p90_s: quantile(&mut healthy, 0.9),
    };
    let seconds = |s: Option<i64>| s.map_or_else(|| "-".to_owned(), |s| format!("{s} s"));
    println!(
        "{name:<34} rolled back {:>5.1}% (by the test {:>5.1}%, within the hold {:>5.1}%), promoted {:>5.1}%; \
         decided: median {} s, p90 {} s; ever judged healthy {:>5.1}%, first: median {}, p90 {}",
        percent(figures.rolled_back),
        percent(figures.by_test),
        percent(figures.rolled_back_within_hold),
        percent(figures.promoted),
        figures.decide_median_s,
        figures.decide_p90_s,
        percent(figures.ever_healthy),
        seconds(figures.healthy_median_s),
        seconds(figures.healthy_p90_s),
    );
    figures
}

fn percent(count: usize) -> f64 {
    100.0 * count as f64 / CANARIES as f64
}

/// The `q` quantile (nearest rank) of `values`, `None` if there are none.
fn quantile(values: &mut [i64], q: f64) -> Option<i64> {
    values.sort_unstable();
    let rank = ((values.len() as f64 * q).ceil() as usize).max(1);
    values.get(rank - 1).copied()
}

/// The false-rollback rate may exceed α in a finite sample by chance: allow two standard
/// deviations of a binomial count at α over `CANARIES` runs (1.63% for α = 1%).
fn at_most_alpha(count: usize, alpha: f64) -> bool {
    let n = CANARIES as f64;
    let allowed = alpha * n + 2.0 * (alpha * (1.0 - alpha) * n).sqrt();
    (count as f64) <= allowed
}

#[test]
fn equally_good_canaries_are_rarely_rolled_back() {
    let policy = CanaryPolicy::default();
    let f = case("canary 1% vs stable 1%", &policy, 0.01, 0.01, 1);
    assert!(f.rolled_back as f64 <= policy.false_rollback_rate * CANARIES as f64);
    assert!(f.promoted >= 990, "{} promoted", f.promoted);
}

#[test]
fn a_canary_two_points_worse_is_rolled_back_within_the_window() {
    let f = case(
        "canary 3% vs stable 1%",
        &CanaryPolicy::default(),
        0.03,
        0.01,
        2,
    );
    assert!(
        f.rolled_back_within_hold >= 990,
        "{}",
        f.rolled_back_within_hold
    );
    assert_eq!(f.by_test, f.rolled_back);
}

#[test]
fn the_demo_canary_failing_5_percent_is_rolled_back_in_seconds() {
    let f = case(
        "canary 5% vs stable 0%",
        &CanaryPolicy::default(),
        0.05,
        0.0,
        3,
    );
    assert_eq!(f.rolled_back_within_hold, CANARIES);
    assert!(f.decide_p90_s <= 60, "p90 {} s", f.decide_p90_s);
}

#[test]
fn clean_canaries_beside_a_clean_stable_are_promoted() {
    let f = case(
        "canary 0% vs stable 0%",
        &CanaryPolicy::default(),
        0.0,
        0.0,
        4,
    );
    assert_eq!(f.promoted, CANARIES);
    assert!(f.healthy_p90_s.is_some_and(|s| s <= 120));
}

/// The guarantee is for every acceptable canary, the worst one included: exactly
/// `max_increase` above stable. Counted are the test's own rollbacks; a canary this close to
/// the limit may also run out of time undecided, which is the fail-safe, not the test.
#[test]
fn the_worst_acceptable_canary_keeps_the_false_rollback_rate() {
    let policy = CanaryPolicy::default();
    let alpha = policy.false_rollback_rate;
    let f = case("canary 1.5% vs stable 1% (limit)", &policy, 0.015, 0.01, 5);
    assert!(at_most_alpha(f.by_test, alpha), "{}", f.by_test);
    let f = case("canary 0.5% vs stable 0% (limit)", &policy, 0.005, 0.0, 6);
    assert!(at_most_alpha(f.by_test, alpha), "{}", f.by_test);
}

/// With half the traffic on the canary, stable's rate is as uncertain as the canary's: the
/// fit of stable's rate under each hypothesis keeps the level where a plug-in would not.
#[test]
fn the_level_holds_at_50_percent_weight_too() {
    let policy = CanaryPolicy {
        steps: vec![
            Step {
                weight: 50,
                hold: Some(Duration::from_secs(600)),
            },
            Step {
                weight: 100,
                hold: None,
            },
        ],
        ..CanaryPolicy::default()
    };
    let f = case("at 50%: canary 1.5% vs 1% (limit)", &policy, 0.015, 0.01, 7);
    assert!(
        at_most_alpha(f.by_test, policy.false_rollback_rate),
        "{}",
        f.by_test
    );
    let f = case("at 50%: canary 3% vs stable 1%", &policy, 0.03, 0.01, 8);
    assert_eq!(f.rolled_back_within_hold, CANARIES);
}
