//! Prices. Amounts are whole cents so totals add up exactly; they become dollars only at the
//! edges (`$24.00` on pages, `24.0` in JSON).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Mul};

/// An amount of US dollars, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money {
    cents: u64,
}

impl Money {
    pub const fn from_cents(cents: u64) -> Self {
        Self { cents }
    }

    /// The amount in dollars, for JSON bodies.
    pub fn dollars(self) -> f64 {
        // Shop amounts stay far below 2^53 cents, so this is exact enough to print.
        self.cents as f64 / 100.0
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}.{:02}", self.cents / 100, self.cents % 100)
    }
}

impl Add for Money {
    type Output = Money;

    fn add(self, rhs: Money) -> Money {
        Money::from_cents(self.cents.saturating_add(rhs.cents))
    }
}

impl Mul<u32> for Money {
    type Output = Money;

    fn mul(self, quantity: u32) -> Money {
        Money::from_cents(self.cents.saturating_mul(u64::from(quantity)))
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::default(), Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_dollars() {
        assert_eq!(Money::from_cents(2400).to_string(), "$24.00");
        assert_eq!(Money::from_cents(325).to_string(), "$3.25");
        assert_eq!(Money::from_cents(5).to_string(), "$0.05");
    }

    #[test]
    fn arithmetic() {
        let total: Money = [Money::from_cents(1200) * 2, Money::from_cents(2850)]
            .into_iter()
            .sum();
        assert_eq!(total, Money::from_cents(5250));
        assert_eq!(total.dollars(), 52.5);
    }
}
