//! The shop's configuration: which version it claims to be, which faults are switched on, the
//! demo user's password and how long the timing faults last. Defaults live here and only here.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How a demo shop instance behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopConfig {
    /// Shown in every page footer (`#version`) and in `/api/health`, e.g. `"v1"` or `"v2"`.
    pub version: String,
    /// Deliberate breakages, see [`Fault`].
    pub faults: Vec<Fault>,
    /// The password of the single user `demo`.
    pub password: String,
    /// How long [`Fault::SlowProducts`] delays the products page.
    pub slow: Duration,
    /// How long after page load [`Fault::LateElement`] inserts the add-to-cart button.
    pub late: Duration,
    /// Print `request METHOD PATH` to stdout at the start of every request.
    pub log_requests: bool,
    /// The share of orders (0 to 1) that fail with a 500, chosen at random: a version that is
    /// a little broken, for canaries to catch. 0 by default.
    pub fail_rate: f64,
}

impl ShopConfig {
    /// Whether `fault` is switched on.
    pub fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }
}

impl Default for ShopConfig {
    fn default() -> Self {
        Self {
            version: "v1".to_owned(),
            faults: Vec::new(),
            password: "correct-horse-battery".to_owned(),
            slow: Duration::from_secs(3),
            late: Duration::from_secs(10),
            log_requests: false,
            fail_rate: 0.0,
        }
    }
}

/// A deliberate breakage, switched on per shop instance so a deploy gate has something to catch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Placing an order fails with a 500 (form and API).
    Checkout500,
    /// The products page answers only after [`ShopConfig::slow`].
    SlowProducts,
    /// The add-to-cart button is not in the product page's HTML; script inserts it after
    /// [`ShopConfig::late`].
    LateElement,
}

impl Fault {
    /// Every fault, in the order they are listed to users.
    pub const ALL: [Fault; 3] = [Fault::Checkout500, Fault::SlowProducts, Fault::LateElement];

    /// The kebab-case name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Checkout500 => "checkout-500",
            Fault::SlowProducts => "slow-products",
            Fault::LateElement => "late-element",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .into_iter()
            .find(|fault| fault.name() == s)
            .ok_or_else(|| UnknownFault(s.to_owned()))
    }
}

/// A fault name that is not one of [`Fault::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFault(pub String);

impl fmt::Display for UnknownFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown fault `{}`, expected one of: ", self.0)?;
        for (i, fault) in Fault::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{fault}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownFault {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_names_round_trip() {
        for fault in Fault::ALL {
            assert_eq!(fault.to_string().parse::<Fault>(), Ok(fault));
        }
    }

    #[test]
    fn unknown_fault_lists_valid_names() {
        let err = "checkout-404".parse::<Fault>().expect_err("not a fault");
        assert_eq!(
            err.to_string(),
            "unknown fault `checkout-404`, expected one of: checkout-500, slow-products, late-element"
        );
    }

    #[test]
    fn defaults() {
        let config = ShopConfig::default();
        assert_eq!(config.version, "v1");
        assert!(config.faults.is_empty());
        assert_eq!(config.password, "correct-horse-battery");
        assert_eq!(config.slow, Duration::from_secs(3));
        assert_eq!(config.late, Duration::from_secs(10));
        assert!(!config.log_requests);
    }
}
