//! What autosave writes to localStorage and reads back: the files and the
//! database image of one playground.
//!
//! Invariants:
//! - Pure (no web types): compiles and is tested natively; the bridge does
//!   the storage calls.
//! - The format is versioned by its key (`alembic-playground:v1:<name>`); a
//!   value that does not decode is ignored, never half-applied.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The localStorage key of the playground named `name`.
pub fn storage_key(name: &str) -> String {
    format!("alembic-playground:v1:{name}")
}

/// One saved playground.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// `models.py`, `versions/<file>` and the project's modules → text
    /// (the `files()` shape).
    pub files: BTreeMap<String, String>,
    /// The SQLite database file, base64.
    pub database: String,
    /// The example it came from, if any.
    #[serde(default)]
    pub example: Option<String>,
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes [`base64_encode`]'s output; `None` for anything else.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for chunk in text.chunks(4) {
        let mut n = 0u32;
        let mut pad = 0;
        for (i, &c) in chunk.iter().enumerate() {
            let v = match c {
                b'=' if i >= 2 => {
                    pad += 1;
                    0
                }
                _ if pad > 0 => return None,
                _ => ALPHABET.iter().position(|&a| a == c)? as u32,
            };
            n = (n << 6) | v;
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = base64_encode(&bytes);
            assert_eq!(base64_decode(&text), Some(bytes));
        }
        assert_eq!(base64_encode(b"Man"), "TWFu");
        assert_eq!(base64_encode(b"Ma"), "TWE=");
        assert_eq!(base64_decode("TQ=="), Some(b"M".to_vec()));
        assert_eq!(base64_decode("T==="), None);
        assert_eq!(base64_decode("TQ=a"), None);
        assert_eq!(base64_decode("abc"), None);
    }

    #[test]
    fn saved_is_json() {
        let saved = Saved {
            files: BTreeMap::from([("models.py".to_string(), "x = 1\n".to_string())]),
            database: base64_encode(&[0, 1, 2]),
            example: Some("tag".into()),
        };
        let json = serde_json::to_string(&saved).unwrap();
        assert_eq!(serde_json::from_str::<Saved>(&json).unwrap(), saved);
        assert_eq!(storage_key("main"), "alembic-playground:v1:main");
    }
}
