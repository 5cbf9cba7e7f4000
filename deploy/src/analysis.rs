//! Judging a canary against stable on the counts of one step: [`judge`](fn@judge) turns a policy and a
//! [`Window`] into a [`Judgement`] with its [`Evidence`].
//!
//! Pure functions of their inputs: no clock, no I/O, no state between calls. The window is
//! cumulative since the step began, so the controller may call [`judge`](fn@judge) at every interval.
//!
//! # The error test
//!
//! Each version's errors are binomial: stable fails `x_s` of `n_s` requests at rate `s`, the
//! canary `x_c` of `n_c` at rate `s + d`. The question is one-sided: is the rise `d` above the
//! allowed `δ` (`max_increase`)? The test weighs two hypotheses,
//!
//! ```text
//! H0: d = δ    (the worst acceptable canary)      H1: d = δ₁  (broken: `broken_increase`)
//! ```
//!
//! with the stable rate `s` unknown in both. It is Wald's sequential probability ratio test
//! with the nuisance parameter `s` replaced by its maximum-likelihood fit under each
//! hypothesis (Bartlett 1946; Cox 1963), computed afresh from the cumulative counts at every
//! look:
//!
//! ```text
//! ℓ(s, d)  = x_s ln s + (n_s − x_s) ln(1 − s) + x_c ln(s + d) + (n_c − x_c) ln(1 − s − d)
//! ŝ_d      = argmax over s in [0, 1 − d] of ℓ(s, d)        (concave: bisection on ∂ℓ/∂s)
//! Λ        = ℓ(ŝ_δ₁, δ₁) − ℓ(ŝ_δ, δ)                       (the log-likelihood ratio)
//!
//! roll back  when Λ ≥ ln(1/α)        α = false_rollback_rate / judged steps
//! healthy    when Λ ≤ ln β           β = missed_failure_rate, and n_c ≥ min_requests
//! otherwise  inconclusive
//! ```
//!
//! Why these bounds hold at every look: with `s` known, `e^Λ` is a non-negative martingale
//! under H0 (and a supermartingale for any `d < δ`), so by Ville's inequality
//! `P(sup_t Λ_t ≥ ln 1/α) ≤ α` however often and however long it is looked at; symmetrically
//! `e^−Λ` under H1 gives `P(ever Λ ≤ ln β) ≤ β`. Fitting `s` keeps this true to first order
//! (Cox 1963) and, unlike plugging in stable's observed rate or an upper confidence bound,
//! it accounts for stable's own sampling error in proportion to how much of the traffic
//! stable has: at 5% canary weight it barely matters, at 50% it would double the false
//! rollbacks of a plug-in. The simulations in `tests/simulation.rs` check the level at the
//! boundary `d = δ` itself, at 5%, 25% and 50% canary weight, and at low traffic.
//!
//! The shape of the decision:
//! - A handful of errors cannot roll back: each error raises Λ by at most
//!   `ln((s + δ₁)/(s + δ))`, which is ln 3 with the defaults at `s = 0` (ln 1.67 at
//!   `s = 1%`), so at least 5 errors (10 at `s = 1%`) are needed even with no clean request
//!   between them, and more with any.
//! - A broken canary rolls back fast: 5% errors against a stable that never fails reaches
//!   ln 100 after about 100 canary requests (20 s at 5 requests/s).
//! - No traffic is never a pass: `Λ = 0` with no canary requests, and healthy needs both
//!   `min_requests` and `Λ ≤ ln β`; a clean canary beside a clean stable needs about
//!   `ln(1/β)/(δ₁ − δ)` = 300 requests for that.
//! - A zero stable rate is an ordinary value (`ŝ` may be 0: nothing is divided by it) and the
//!   margin carries the decision. A stable with no requests in the window cannot be fitted:
//!   `s` is then taken as 0, the canary is judged against the margin alone, and the evidence
//!   says so (`stable_rate: None`).
//!
//! # What it does, simulated
//!
//! `tests/simulation.rs`, with the default policy: 100 requests/s in total, 5% routed to the
//! canary (about 5 requests/s, 3,000 in the 10-minute hold), binomial errors, an observation
//! every 5 s, 1,000 seeded canaries a case driven through [`advance`](fn@crate::machine::advance). "Decided"
//! is the time to the final phase: a rollback, or the promotion, which waits for the end of the
//! hold; "healthy" is when the test first judged the canary healthy.
//!
//! | canary vs stable | rolled back | within the hold | decided, median / p90 | first healthy, median / p90 |
//! |---|---|---|---|---|
//! | 1% vs 1% (equally good) | 0.0% | 0.0% | promoted at 600 s | 115 s / 195 s |
//! | 3% vs 1% (2 points worse) | 100% | 99.6% | 165 s / 320 s | (0.3% ever) |
//! | 5% vs 0% (the demo's case) | 100% | 100% | 25 s / 40 s | never |
//! | 0% vs 0% | 0.0% | 0.0% | promoted at 600 s | 60 s / 65 s |
//! | 1.5% vs 1% (the limit: exactly +0.5 pt) | 0.8% by the test, 0.4% undecided | 0.8% | promoted at 600 s | 195 s / 460 s |
//! | 0.5% vs 0% (the limit) | 0.5% | 0.5% | promoted at 600 s | 105 s / 235 s |
//! | at 50% weight: 1.5% vs 1% (the limit) | 0.5% | 0.5% | promoted at 600 s | 30 s / 75 s |
//! | at 50% weight: 3% vs 1% | 100% | 100% | 35 s / 65 s | (0.2% ever) |
//!
//! So the false-rollback rate of equally good canaries is 0 in 1,000 (the 1% bound is spent on
//! the worst acceptable canary, where it is 0.5–0.8%), and a canary 2 points worse is caught
//! within the hold 99.6% of the time, in under 3 minutes typically.
//!
//! # The latency bound
//!
//! When the policy sets one: canary p95 ≤ stable p95 × factor, checked only once both sides
//! have `min_samples` requests ([`latency`]). A threshold, not a test: see its module.
//!
//! # Layout
//! - [`window`]: the counts judged. `likelihood`: the binomial log-likelihood and the fit
//!   of `s`. [`error_test`](mod@error_test): the test above. [`latency`]: the latency bound.
//! - [`judgement`]: [`Judgement`] and [`Evidence`]; `summary`: their readable line.
//! - [`judge`](mod@judge): the two checks combined.

pub mod error_test;
pub mod judge;
pub mod judgement;
pub mod latency;
mod likelihood;
mod summary;
pub mod window;

pub use error_test::{ErrorFinding, ErrorTest, error_test};
pub use judge::judge;
pub use judgement::{Evidence, Judgement};
pub use latency::{LatencyCheck, LatencyFinding, latency_check};
pub use window::{Counts, Window};
