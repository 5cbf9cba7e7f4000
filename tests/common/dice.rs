//! Seeded randomness for the chaos tests: which fault, where, after how many requests. The seed
//! is printed; `GATE_CHAOS_SEED=N` replays the same choices (the processes' own timing still
//! varies, so a replay makes the same decisions, not the same interleaving).

use std::time::{SystemTime, UNIX_EPOCH};

/// A splitmix64 stream: small, seedable, good enough to pick faults.
pub struct Dice {
    pub seed: u64,
    state: u64,
}

impl Dice {
    /// From `GATE_CHAOS_SEED`, or from the clock; prints the seed and how to replay it.
    pub fn from_env(test: &str) -> Dice {
        let seed = match std::env::var("GATE_CHAOS_SEED") {
            Ok(text) => text
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("GATE_CHAOS_SEED={text} is not a number")),
            Err(_) => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64),
        };
        eprintln!("chaos: {test}: seed {seed} (replay with GATE_CHAOS_SEED={seed})");
        Dice { seed, state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    /// True once in `n` throws.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.next() % n == 0
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// `GATE_CHAOS_RUNS`, or `default` (the suite's short version).
pub fn runs_wanted(default: usize) -> usize {
    std::env::var("GATE_CHAOS_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}
