//! The value-level transforms: keyed hash and last-four mask.

use crate::secret::Secret;
use ring::hmac;

/// HMAC-SHA256 with the run's PII key; the key never leaves `ring`.
pub(super) struct Hasher {
    key: hmac::Key,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher([redacted])")
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Hasher {
    /// Keyed with the bytes of `key` as given (the contract's definition).
    pub(super) fn new(key: &Secret) -> Self {
        Hasher {
            key: hmac::Key::new(hmac::HMAC_SHA256, key.expose().as_bytes()),
        }
    }

    /// Appends the 64 hex digits of HMAC-SHA256(key, value) to `out`.
    pub(super) fn hash_into(&self, value: &str, out: &mut String) {
        let tag = hmac::sign(&self.key, value.as_bytes());
        out.reserve(64);
        for b in tag.as_ref() {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

/// Keeps the last four characters and replaces each one before them with `*`.
pub(super) fn last4_into(value: &str, out: &mut String) {
    let chars = value.chars().count();
    let masked = chars.saturating_sub(4);
    out.extend(std::iter::repeat_n('*', masked));
    out.extend(value.chars().skip(masked));
}

/// Lower-case hex SHA-256, for the policy's fingerprint.
pub(super) fn sha256_hex(data: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = String::with_capacity(64);
    for b in digest.as_ref() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let h = Hasher::new(&Secret::new("Jefe"));
        let mut out = String::new();
        h.hash_into("what do ya want for nothing?", &mut out);
        assert_eq!(
            out,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn last4_keeps_exactly_the_last_four_characters() {
        let mut out = String::new();
        last4_into("+15551234567", &mut out);
        assert_eq!(out, "********4567");
        out.clear();
        last4_into("ünï€ode", &mut out);
        assert_eq!(out, "***€ode");
        assert_eq!(out.chars().count(), 7);
        out.clear();
        last4_into("abc", &mut out);
        assert_eq!(out, "abc");
    }

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
