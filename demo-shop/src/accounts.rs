//! Customer accounts made by signing up: an e-mail address, a password and a customer number.
//! The built-in `demo` user is not one of them. Plain data and rules, no HTTP; the store keeps
//! the accounts. Sign-up input is validated here, so the form and `POST /api/accounts` accept
//! and refuse exactly the same things.
//!
//! Passwords are kept as salted SHA-256 digests, never as typed. (A real shop would use a slow
//! password hash such as Argon2; the demo keeps its dependencies few.)

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::checkout::Problem;
use crate::token::{constant_time_eq, random_hex};

/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Longest accepted e-mail address (RFC 5321's limit for a path).
const MAX_EMAIL_LEN: usize = 254;

/// Every account, by normalised (lower-case) e-mail address.
#[derive(Debug, Default)]
pub struct Accounts {
    by_email: HashMap<String, Account>,
}

/// A customer who signed up.
#[derive(Debug, Clone)]
pub struct Account {
    /// Lower-case; the name the account signs in with.
    pub email: String,
    /// 1 for the first customer to sign up, counting up.
    pub customer_number: u64,
    salt: String,
    digest: String,
}

/// Why an account could not be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignUpError {
    /// What was typed is not acceptable: one problem per field, in form order.
    Invalid(Vec<Problem>),
    /// An account with this address exists already.
    EmailTaken,
}

impl Accounts {
    /// Creates an account for `email` (compared without regard to case) and `password`.
    pub fn sign_up(&mut self, email: &str, password: &str) -> Result<Account, SignUpError> {
        let email = validate(email, password).map_err(SignUpError::Invalid)?;
        if self.by_email.contains_key(&email) {
            return Err(SignUpError::EmailTaken);
        }
        let salt = random_hex(16);
        let account = Account {
            digest: digest(&salt, password),
            salt,
            email: email.clone(),
            // Accounts are never deleted, so the count is the last number handed out.
            customer_number: self.by_email.len() as u64 + 1,
        };
        self.by_email.insert(email, account.clone());
        Ok(account)
    }

    /// The account `email` names, if `password` is its password.
    pub fn authenticate(&self, email: &str, password: &str) -> Option<&Account> {
        self.get(email)
            .filter(|account| constant_time_eq(&digest(&account.salt, password), &account.digest))
    }

    pub fn get(&self, email: &str) -> Option<&Account> {
        self.by_email.get(&normalise(email))
    }
}

fn normalise(email: &str) -> String {
    email.trim().to_lowercase()
}

fn digest(salt: &str, password: &str) -> String {
    let hash = Sha256::new()
        .chain_update(salt.as_bytes())
        .chain_update(password.as_bytes())
        .finalize();
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// The normalised address, or every problem with the input.
fn validate(email: &str, password: &str) -> Result<String, Vec<Problem>> {
    let email = normalise(email);
    let mut problems = Vec::new();
    if !plausible_email(&email) {
        problems.push(Problem {
            field: "email",
            message: "Please enter a valid email address".to_owned(),
        });
    }
    if password.chars().count() < MIN_PASSWORD_LEN {
        problems.push(Problem {
            field: "password",
            message: format!("Please choose a password of at least {MIN_PASSWORD_LEN} characters"),
        });
    }
    if problems.is_empty() {
        Ok(email)
    } else {
        Err(problems)
    }
}

/// `local@domain.tld` with no spaces: the shop would send mail there, so it must look like an
/// address; whether it exists is the mail server's business.
fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= MAX_EMAIL_LEN
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_up_numbers_customers_and_refuses_a_taken_address() {
        let mut accounts = Accounts::default();
        let first = accounts
            .sign_up("Ada@Example.com", "correct-horse")
            .expect("first");
        assert_eq!(first.email, "ada@example.com");
        assert_eq!(first.customer_number, 1);
        assert_eq!(
            accounts
                .sign_up("ada@example.COM ", "another-password")
                .err(),
            Some(SignUpError::EmailTaken)
        );
        let second = accounts
            .sign_up("bob@example.com", "correct-horse")
            .expect("second");
        assert_eq!(second.customer_number, 2);
    }

    #[test]
    fn passwords_are_checked_not_stored() {
        let mut accounts = Accounts::default();
        let account = accounts
            .sign_up("ada@example.com", "correct-horse")
            .expect("account");
        assert!(!account.digest.contains("correct-horse"));
        assert!(
            accounts
                .authenticate("ADA@example.com", "correct-horse")
                .is_some()
        );
        assert!(
            accounts
                .authenticate("ada@example.com", "correct-hors")
                .is_none()
        );
        assert!(
            accounts
                .authenticate("bob@example.com", "correct-horse")
                .is_none()
        );
    }

    #[test]
    fn invalid_input_lists_every_problem() {
        let mut accounts = Accounts::default();
        let Err(SignUpError::Invalid(problems)) = accounts.sign_up("not an address", "short")
        else {
            panic!("invalid input was accepted");
        };
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["email", "password"]);
        for bad in [
            "",
            "@example.com",
            "ada@",
            "ada@example",
            "ada@.com",
            "a b@example.com",
        ] {
            assert!(!plausible_email(bad), "{bad:?}");
        }
        assert!(plausible_email("buyer-k3x9q0m2c7fa@example.com"));
    }
}
