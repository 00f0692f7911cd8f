//! HMAC-SHA256 signatures for what we hand to browsers and must recognise later: embed tokens,
//! anonymous ids, and expiring upload and preview URLs. Each use has its own key, derived from the
//! cookie key under a label, so a signature made for one purpose is worthless for another, and every
//! instance that accepts the cookies accepts the rest.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signs and verifies byte strings for one purpose.
#[derive(Clone)]
pub struct Signer {
    key: [u8; 32],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([redacted])")
    }
}

impl Signer {
    /// A signer for `label`, keyed from `secret` (the cookie key's signing half).
    pub fn new(secret: &[u8], label: &str) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(label.as_bytes());
        Self {
            key: mac.finalize().into_bytes().into(),
        }
    }

    /// The signature of `payload`, base64url without padding.
    pub fn sign(&self, payload: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(payload).finalize().into_bytes())
    }

    /// Whether `signature` is ours for `payload` (constant-time comparison).
    pub fn verify(&self, payload: &[u8], signature: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(signature) {
            Ok(signature) => self.mac(payload).verify_slice(&signature).is_ok(),
            Err(_) => false,
        }
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(payload);
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_bound_to_the_key_the_label_and_the_payload() {
        let a = Signer::new(&[1; 32], "a");
        let signature = a.sign(b"payload");
        assert!(a.verify(b"payload", &signature));
        assert!(!a.verify(b"payload!", &signature));
        assert!(!Signer::new(&[1; 32], "b").verify(b"payload", &signature));
        assert!(!Signer::new(&[2; 32], "a").verify(b"payload", &signature));
        assert!(!a.verify(b"payload", "not base64 !"));
    }
}
