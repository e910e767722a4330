//! `character(name)`: the character a Unicode name (or name alias) stands
//! for, as unicode_names2 1.3.0 (Unicode 16.0) answers it — the one function
//! of that crate ruff_python_parser calls, for Python's `\N{name}` escapes.
//!
//! unicode_names2 carries bidirectional tables (name ↔ character), about
//! 400 KB of the site's gzip transfer; the parser only looks names up. This
//! crate carries the names alone, in code-point order and front-coded, then
//! shipped LZMA-compressed (`names.lzma`, 83 KB; `names.bin`, the table
//! itself, is 101 KB under the site's gzip alone), and builds a lookup map
//! on first use (only a `\N{...}` escape needs it).
//!
//! Invariants:
//! - Same answers as unicode_names2 1.3.0's `character` for every name and
//!   alias it knows, case-insensitively (ASCII), with the same algorithmic
//!   names (`CJK UNIFIED IDEOGRAPH-XXXX` over the same ranges, `HANGUL
//!   SYLLABLE ...`). Checked against the real crate when `names.bin` was
//!   written; `tests` below pin samples.
//! - A string that is not a name is `None` (unicode_names2 could, on a
//!   perfect-hash collision, accept a string that merely starts with a name;
//!   CPython does not, and neither does this).
//!
//! `names.lzma` is `names.bin` through Python's `lzma` module
//! (`FORMAT_ALONE`, LZMA1 preset 9 extreme, lc=2 lp=0 pb=0, 512 KiB
//! dictionary: gen/Cargo.toml has the command); a test checks that it
//! decodes to `names.bin`.
//!
//! `names.bin`: u32 LE name count N, u32 LE alias count A, u32 LE byte
//! length of the first column; then the names in code-point order as three
//! columns (compressors pack columns of like values tighter than the same
//! fields interleaved): N LEB128 code-point deltas from
//! the previous name; N bytes, how many leading bytes a name shares with the
//! previous one; N rests of the names, each ending with 0. Then A aliases of
//! (name, 0, 3-byte LE code point). CJK unified ideographs and Hangul
//! syllables are not listed (their names are computed).

use std::collections::HashMap;
use std::sync::OnceLock;

static PACKED: &[u8] = include_bytes!("names.lzma");

/// The longest name (`MAX_NAME_LENGTH` of unicode_names2).
const MAX_NAME_LENGTH: usize = 88;
const HANGUL_SYLLABLE_PREFIX: &str = "HANGUL SYLLABLE ";
const CJK_UNIFIED_IDEOGRAPH_PREFIX: &str = "CJK UNIFIED IDEOGRAPH-";
/// Unicode 16.0's CJK unified ideograph blocks (unicode_names2's `CJK_IDEOGRAPH_RANGES`).
const CJK_IDEOGRAPH_RANGES: [(u32, u32); 10] = [
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B739),
    (0x2B740, 0x2B81D),
    (0x2B820, 0x2CEA1),
    (0x2CEB0, 0x2EBE0),
    (0x2EBF0, 0x2EE5D),
    (0x30000, 0x3134A),
    (0x31350, 0x323AF),
];
/// Jamo short names (Unicode's Jamo.txt): leading, vowel, trailing.
const CHOSEONG: [&str; 19] = ["G", "GG", "N", "D", "DD", "R", "M", "B", "BB", "S", "SS", "", "J", "JJ", "C", "K", "T", "P", "H"];
const JUNGSEONG: [&str; 21] = [
    "A", "AE", "YA", "YAE", "EO", "E", "YEO", "YE", "O", "WA", "WAE", "OE", "YO", "U", "WEO", "WE", "WI", "YU", "EU", "YI", "I",
];
const JONGSEONG: [&str; 28] = [
    "", "G", "GG", "GS", "N", "NJ", "NH", "D", "L", "LG", "LM", "LB", "LS", "LT", "LP", "LH", "M", "B", "BS", "S", "SS", "NG", "J",
    "C", "K", "T", "P", "H",
];

struct Tables {
    names: HashMap<Box<[u8]>, char>,
    aliases: HashMap<Box<[u8]>, char>,
}

/// The table, decompressed (once, by `tables()`).
fn unpack() -> Vec<u8> {
    lzma_alone::decode(PACKED).expect("names.lzma: a valid .lzma stream")
}

fn u32_at(data: &[u8], at: usize) -> usize {
    u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]) as usize
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let data = unpack();
        let data = data.as_slice();
        let (count, alias_count, deltas_len) = (u32_at(data, 0), u32_at(data, 4), u32_at(data, 8));
        let mut names = HashMap::with_capacity(count + 11172);
        // One cursor per column: deltas, shared lengths, rests of names.
        let (mut delta_at, mut share_at) = (12, 12 + deltas_len);
        let mut at = share_at + count;
        let mut code = 0u32;
        let mut name: Vec<u8> = Vec::new();
        for _ in 0..count {
            let (mut delta, mut shift) = (0u32, 0);
            loop {
                let byte = data[delta_at];
                delta_at += 1;
                delta |= u32::from(byte & 0x7f) << shift;
                shift += 7;
                if byte < 0x80 {
                    break;
                }
            }
            code += delta;
            name.truncate(usize::from(data[share_at]));
            share_at += 1;
            let end = at + data[at..].iter().position(|&b| b == 0).expect("names.lzma: a name ends with 0");
            name.extend_from_slice(&data[at..end]);
            at = end + 1;
            if let Some(c) = char::from_u32(code) {
                names.insert(name.clone().into_boxed_slice(), c);
            }
        }
        for (i, l) in CHOSEONG.iter().enumerate() {
            for (j, v) in JUNGSEONG.iter().enumerate() {
                for (k, t) in JONGSEONG.iter().enumerate() {
                    let code = 0xAC00 + ((i * 21 + j) * 28 + k) as u32;
                    let name = format!("{HANGUL_SYLLABLE_PREFIX}{l}{v}{t}");
                    if let Some(c) = char::from_u32(code) {
                        names.insert(name.into_bytes().into_boxed_slice(), c);
                    }
                }
            }
        }
        let mut aliases = HashMap::with_capacity(alias_count);
        for _ in 0..alias_count {
            let end = at + data[at..].iter().position(|&b| b == 0).expect("names.lzma: an alias ends with 0");
            let name: Box<[u8]> = data[at..end].into();
            let code = u32::from(data[end + 1]) | u32::from(data[end + 2]) << 8 | u32::from(data[end + 3]) << 16;
            at = end + 4;
            if let Some(c) = char::from_u32(code) {
                aliases.insert(name, c);
            }
        }
        Tables { names, aliases }
    })
}

/// The character called `search_name` (a Unicode name or name alias,
/// ASCII case-insensitive), or `None`.
pub fn character(search_name: &str) -> Option<char> {
    if search_name.len() > MAX_NAME_LENGTH {
        return None;
    }
    let upper: Vec<u8> = search_name.bytes().map(|b| b.to_ascii_uppercase()).collect();
    if let Some(digits) = upper.strip_prefix(CJK_UNIFIED_IDEOGRAPH_PREFIX.as_bytes()) {
        if digits.len() > 5 {
            return None;
        }
        let mut v = 0u32;
        for &d in digits {
            v = match d {
                b'0'..=b'9' => (v << 4) | u32::from(d - b'0'),
                b'A'..=b'F' => (v << 4) | u32::from(d - b'A' + 10),
                _ => return None,
            };
        }
        return CJK_IDEOGRAPH_RANGES.iter().any(|&(lo, hi)| lo <= v && v <= hi).then(|| char::from_u32(v)).flatten();
    }
    let tables = tables();
    tables.names.get(upper.as_slice()).or_else(|| tables.aliases.get(upper.as_slice())).copied()
}

#[cfg(test)]
mod tests {
    use super::character;

    #[test]
    fn the_shipped_table_is_names_bin() {
        assert!(lzma_alone::decode(super::PACKED).as_deref() == Some(&include_bytes!("names.bin")[..]));
    }

    #[test]
    fn names_aliases_and_algorithmic_names() {
        assert_eq!(character("LATIN SMALL LETTER A"), Some('a'));
        assert_eq!(character("latin SMALL letter A"), Some('a'));
        assert_eq!(character("BLACK STAR"), Some('★'));
        assert_eq!(character("SNOWMAN"), Some('☃'));
        assert_eq!(character("BACKSPACE"), Some('\x08'));
        assert_eq!(character("NEW LINE"), Some('\n'));
        assert_eq!(character("SPACE"), Some(' '));
        assert_eq!(character("BULLET"), Some('•'));
        assert_eq!(character("HANGUL SYLLABLE GA"), Some('\u{ac00}'));
        assert_eq!(character("HANGUL SYLLABLE BWELG"), Some('\u{bdc1}'));
        assert_eq!(character("HANGUL SYLLABLE HIH"), Some('\u{d7a3}'));
        assert_eq!(character("CJK UNIFIED IDEOGRAPH-4E00"), Some('\u{4e00}'));
        assert_eq!(character("cjk unified ideograph-9fcc"), Some('\u{9fcc}'));
        assert_eq!(character("CJK UNIFIED IDEOGRAPH-20000"), Some('\u{20000}'));
        assert_eq!(character("CJK COMPATIBILITY IDEOGRAPH-F900"), Some('\u{f900}'));
        assert_eq!(character("ZERO WIDTH NO-BREAK SPACE"), Some('\u{feff}'));
        assert_eq!(character("ZWNBSP"), Some('\u{feff}'));
        // The first and last names, one between, the first and last aliases:
        // each column is read to its end.
        assert_eq!(character("EXCLAMATION MARK"), Some('!'));
        assert_eq!(character("SHARADA LETTER LLA"), Some('\u{111ad}'));
        assert_eq!(character("VARIATION SELECTOR-256"), Some('\u{e01ef}'));
        assert_eq!(character("ACK"), Some('\x06'));
        assert_eq!(character("ZWSP"), Some('\u{200b}'));
        assert_eq!(character("CJK UNIFIED IDEOGRAPH-3"), None);
        assert_eq!(character("HANGUL SYLLABLE X"), None);
        for bad in ["", "x", "öäå", "SPAACE", "SNOWMANX", &"x".repeat(100)] {
            assert_eq!(character(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_listed_name_and_alias_is_read() {
        let tables = super::tables();
        assert_eq!(tables.names.len(), 40_013 + 11_172, "listed names and Hangul syllables");
        assert_eq!(tables.aliases.len(), 477);
        assert_eq!(character("VARIATION SELECTOR-256"), Some('\u{E01EF}'), "the last name in the table");
    }
}
