//! Checkout validation: turns what a shopper typed into shipping details and a card the shop
//! accepts, or into one problem per field that is wrong. Shared by the checkout form and
//! `POST /api/orders`, so both surfaces accept and reject exactly the same input.

/// Countries the shop ships to: ISO code and display name, in display order.
pub const COUNTRIES: [(&str, &str); 4] = [
    ("US", "United States"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("NL", "Netherlands"),
];

/// Longest accepted name, address or city, in characters.
const MAX_TEXT_LEN: usize = 200;

/// What a shopper submitted, unvalidated.
#[derive(Debug, Clone, Default)]
pub struct CheckoutInput {
    pub name: String,
    pub address: String,
    pub city: String,
    pub country: String,
    pub card: String,
    pub terms_accepted: bool,
}

/// Where an order goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipping {
    pub name: String,
    pub address: String,
    pub city: String,
    /// ISO code, one of [`COUNTRIES`].
    pub country: &'static str,
}

impl Shipping {
    /// The country's display name.
    pub fn country_name(&self) -> &'static str {
        country_name(self.country).unwrap_or(self.country)
    }
}

/// A checkout that passed validation. Only the card's last four digits survive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCheckout {
    pub shipping: Shipping,
    pub card_last4: String,
}

/// One thing wrong with what a shopper typed (a checkout, a sign-up), with the field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

/// The display name of a country the shop ships to.
pub fn country_name(code: &str) -> Option<&'static str> {
    COUNTRIES
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, name)| *name)
}

/// Checks every field and reports every problem at once, in form order.
pub fn validate(input: &CheckoutInput) -> Result<ValidCheckout, Vec<Problem>> {
    let mut problems = Vec::new();
    let name = required_text(&input.name, "name", "Full name", &mut problems);
    let address = required_text(&input.address, "address", "Address", &mut problems);
    let city = required_text(&input.city, "city", "City", &mut problems);

    let country = COUNTRIES
        .iter()
        .find(|(code, _)| *code == input.country.trim())
        .map(|(code, _)| *code);
    if country.is_none() {
        problems.push(Problem {
            field: "country",
            message: "Please choose a country we ship to".to_owned(),
        });
    }

    let card_last4 = match card_digits(&input.card) {
        Err(message) => {
            problems.push(Problem {
                field: "card",
                message: message.to_owned(),
            });
            None
        }
        Ok(digits) => Some(digits[digits.len() - 4..].to_owned()),
    };

    if !input.terms_accepted {
        problems.push(Problem {
            field: "terms",
            message: "You must accept the terms".to_owned(),
        });
    }

    match (name, address, city, country, card_last4) {
        (Some(name), Some(address), Some(city), Some(country), Some(card_last4))
            if problems.is_empty() =>
        {
            Ok(ValidCheckout {
                shipping: Shipping {
                    name,
                    address,
                    city,
                    country,
                },
                card_last4,
            })
        }
        _ => Err(problems),
    }
}

fn required_text(
    value: &str,
    field: &'static str,
    label: &str,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let value = value.trim();
    let message = if value.is_empty() {
        format!("{label} is required")
    } else if value.chars().count() > MAX_TEXT_LEN {
        format!("{label} is too long (at most {MAX_TEXT_LEN} characters)")
    } else {
        return Some(value.to_owned());
    };
    problems.push(Problem { field, message });
    None
}

/// The card's 16 digits with spaces removed, or why they are not acceptable.
fn card_digits(card: &str) -> Result<String, &'static str> {
    let digits: String = card.chars().filter(|c| *c != ' ').collect();
    if digits.is_empty() {
        return Err("Card number is required");
    }
    if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Card number must be 16 digits");
    }
    if !luhn_valid(&digits) {
        return Err("Card number is not valid");
    }
    Ok(digits)
}

/// The Luhn checksum every real card number satisfies; `digits` must be ASCII digits.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good_input() -> CheckoutInput {
        CheckoutInput {
            name: "Ada Lovelace".to_owned(),
            address: "12 Analytical Row".to_owned(),
            city: "London".to_owned(),
            country: "NL".to_owned(),
            card: "4242 4242 4242 4242".to_owned(),
            terms_accepted: true,
        }
    }

    fn fields(problems: &[Problem]) -> Vec<&'static str> {
        problems.iter().map(|p| p.field).collect()
    }

    #[test]
    fn accepts_a_good_checkout_and_keeps_only_the_last_four() {
        let valid = validate(&good_input()).expect("valid");
        assert_eq!(valid.card_last4, "4242");
        assert_eq!(valid.shipping.country, "NL");
        assert_eq!(valid.shipping.country_name(), "Netherlands");
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("4242424242424242"));
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4242424242424241"));
    }

    #[test]
    fn card_problems() {
        let cases = [
            ("", "Card number is required"),
            ("4242 4242 4242", "Card number must be 16 digits"),
            ("4242-4242-4242-4242", "Card number must be 16 digits"),
            ("4242 4242 4242 4241", "Card number is not valid"),
        ];
        for (card, expected) in cases {
            let input = CheckoutInput {
                card: card.to_owned(),
                ..good_input()
            };
            let problems = validate(&input).expect_err(card);
            assert_eq!(problems.len(), 1, "{card}");
            assert_eq!(problems[0].message, expected, "{card}");
        }
    }

    #[test]
    fn reports_every_problem_in_form_order() {
        let problems = validate(&CheckoutInput::default()).expect_err("empty");
        assert_eq!(
            fields(&problems),
            ["name", "address", "city", "country", "card", "terms"]
        );
    }

    #[test]
    fn whitespace_is_not_a_name() {
        let input = CheckoutInput {
            name: "   ".to_owned(),
            ..good_input()
        };
        let problems = validate(&input).expect_err("blank name");
        assert_eq!(problems[0].message, "Full name is required");
    }
}
