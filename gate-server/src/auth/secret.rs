//! Making tokens and hashing them. A token is `gate_` and 32 random bytes in hex; what the
//! configuration keeps is `sha256:` and the SHA-256 of the token in hex.

use sha2::{Digest, Sha256};

const HASH_PREFIX: &str = "sha256:";

/// A new random token: `gate_` and 64 hex digits (256 bits from the thread-local CSPRNG,
/// seeded by the operating system).
pub fn generate_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("gate_{}", hex::encode(bytes))
}

/// `sha256:<hex>` of a token: what goes into `gate.toml`.
pub fn hash_token(plain: &str) -> String {
    format!("{HASH_PREFIX}{}", hex::encode(digest(plain)))
}

/// The digest in a configured `sha256:<64 hex digits>` hash, or `None` if it is malformed.
pub fn parse_token_hash(hash: &str) -> Option<[u8; 32]> {
    let hex_digits = hash.strip_prefix(HASH_PREFIX)?;
    let bytes = hex::decode(hex_digits).ok()?;
    <[u8; 32]>::try_from(bytes).ok()
}

/// SHA-256 of a presented token.
pub(super) fn digest(plain: &str) -> [u8; 32] {
    Sha256::digest(plain.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_their_hashes_parse_back() {
        let (a, b) = (generate_token(), generate_token());
        assert_ne!(a, b);
        assert!(a.starts_with("gate_") && a.len() == 5 + 64, "{a}");
        let hash = hash_token(&a);
        assert_eq!(parse_token_hash(&hash), Some(digest(&a)));
    }

    #[test]
    fn the_hash_is_sha256_hex() {
        // `printf %s abc | sha256sum`
        assert_eq!(
            hash_token("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn malformed_hashes_are_refused() {
        let good = hash_token("x");
        for bad in [
            "",
            "sha256:",
            "sha256:00",
            &good.replacen("sha256:", "sha1:", 1),
            &good.replacen("sha256:", "", 1),
            &format!("{good}00"),
            &good.replace('a', "g"),
        ] {
            assert_eq!(parse_token_hash(bad), None, "{bad}");
        }
        assert!(parse_token_hash(&good.to_uppercase().replacen("SHA256:", "sha256:", 1)).is_some());
    }
}
