//! The `{{unique}}` built-in: a value no other attempt shares, whichever scenario, worker, retry,
//! agent or concurrent run it belongs to. Scenarios put it into sign-up e-mail addresses, user
//! names and URLs, so it is short and made of lowercase letters and digits only.
//!
//! Each value is drawn from the thread's CSPRNG (ChaCha, seeded by the operating system), not
//! built from run, worker and attempt numbers or process ids and clocks: those repeat across
//! scenarios on one worker, across agents and across runs started together. 12 characters
//! carry about 61 bits: among a million values, the chance that any two are equal is below one
//! in six million.

use rand::Rng;

/// Characters in a value.
pub const LENGTH: usize = 12;

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const LETTERS_AND_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A fresh value, e.g. `k3x9q0m2c7fa`: a lowercase letter (some systems insist that user names
/// start with one), then lowercase letters and digits.
pub fn unique_value() -> String {
    let mut rng = rand::rng();
    let mut pick = |alphabet: &[u8]| char::from(alphabet[rng.random_range(0..alphabet.len())]);
    let first = pick(LETTERS);
    std::iter::once(first)
        .chain((1..LENGTH).map(|_| pick(LETTERS_AND_DIGITS)))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn short_lowercase_letters_and_digits_starting_with_a_letter() {
        for _ in 0..1000 {
            let value = unique_value();
            assert_eq!(value.len(), LENGTH, "{value}");
            assert!(
                value.starts_with(|c: char| c.is_ascii_lowercase()),
                "{value}"
            );
            assert!(
                value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "{value}"
            );
        }
    }

    #[test]
    fn every_value_is_new_and_the_whole_alphabet_is_used() {
        let values: Vec<String> = (0..5000).map(|_| unique_value()).collect();
        let distinct: HashSet<&String> = values.iter().collect();
        assert_eq!(distinct.len(), values.len());
        // Each of 36 characters is missed by 55,000 draws with a chance of about e^-1500: a
        // smaller alphabet (hex, digits only, no letters after the first) fails here.
        let used: HashSet<char> = values.iter().flat_map(|v| v.chars().skip(1)).collect();
        assert_eq!(used.len(), LETTERS_AND_DIGITS.len(), "{used:?}");
    }
}
