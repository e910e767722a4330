//! Writes ../src/tables.bin (format: ../src/lib.rs) from unicode-normalization
//! 0.1.26; `cargo test --release` checks ../src/lib.rs against that crate.
use std::io::Write;
use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical, decompose_compatible};
use unicode_normalization::UnicodeNormalization;

fn is_hangul(c: u32) -> bool {
    (0xAC00..0xAC00 + 11172).contains(&c)
}

fn leb128(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn chars() -> impl Iterator<Item = char> {
    (0..=0x10FFFFu32).filter_map(char::from_u32)
}

/// Every canonical composition outside Hangul: each composite is found by
/// splitting its canonical decomposition in two parts that are each one
/// character once composed.
fn compositions() -> Vec<(char, char, char)> {
    let mut found = Vec::new();
    for c in chars() {
        if is_hangul(c as u32) {
            continue;
        }
        let mut d = Vec::new();
        decompose_canonical(c, |x| d.push(x));
        for k in 1..d.len() {
            let a: Vec<char> = d[..k].iter().copied().nfc().collect();
            let b: Vec<char> = d[k..].iter().copied().nfc().collect();
            if let ([a], [b]) = (a.as_slice(), b.as_slice()) {
                if compose(*a, *b) == Some(c) {
                    found.push((c, *a, *b));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn main() {
    let mut out = Vec::new();

    let (mut deltas, mut lengths, mut text, mut count, mut prev) = (Vec::new(), Vec::new(), String::new(), 0u32, 0u32);
    for c in chars() {
        if is_hangul(c as u32) {
            continue;
        }
        let mut d = Vec::new();
        decompose_compatible(c, |x| d.push(x));
        if d != [c] {
            leb128(&mut deltas, c as u32 - prev);
            prev = c as u32;
            lengths.push(u8::try_from(d.len()).unwrap());
            text.extend(d);
            count += 1;
        }
    }
    out.extend_from_slice(&count.to_le_bytes());
    out.extend(deltas);
    out.extend(lengths);
    out.extend_from_slice(text.as_bytes());

    let (mut deltas, mut classes, mut count, mut prev, mut class) = (Vec::new(), Vec::new(), 0u32, 0u32, 0u8);
    for c in chars() {
        let k = canonical_combining_class(c);
        if k != class {
            leb128(&mut deltas, c as u32 - prev);
            prev = c as u32;
            classes.push(k);
            class = k;
            count += 1;
        }
    }
    out.extend_from_slice(&count.to_le_bytes());
    out.extend(deltas);
    out.extend(classes);

    let comps = compositions();
    // unicode-normalization 0.1.26's table: 928 pairs in the BMP, 33 astral.
    assert_eq!(comps.len(), 961, "compositions found");
    let (mut deltas, mut text, mut prev) = (Vec::new(), String::new(), 0u32);
    for &(c, a, b) in &comps {
        leb128(&mut deltas, c as u32 - prev);
        prev = c as u32;
        text.push(a);
        text.push(b);
    }
    out.extend_from_slice(&(comps.len() as u32).to_le_bytes());
    out.extend(deltas);
    out.extend_from_slice(text.as_bytes());

    std::fs::File::create("../src/tables.bin").unwrap().write_all(&out).unwrap();
    eprintln!("{} bytes", out.len());
}

#[cfg(test)]
#[path = "../../src/lib.rs"]
mod lite;

#[cfg(test)]
mod tests {
    use unicode_normalization::UnicodeNormalization as _;

    fn same(s: &str) {
        let real: String = unicode_normalization::UnicodeNormalization::nfkc(s).collect();
        let lite: String = super::lite::UnicodeNormalization::nfkc(s).collect();
        assert_eq!(lite, real, "{:?}", s.chars().map(|c| format!("{:04X}", c as u32)).collect::<Vec<_>>());
    }

    #[test]
    fn every_code_point_alone_and_decomposed() {
        for c in super::chars() {
            same(&c.to_string());
            let nfd: String = c.to_string().nfd().collect();
            same(&nfd);
            let nfkd: String = c.to_string().nfkd().collect();
            same(&nfkd);
            // After a letter and before a combining mark.
            same(&format!("a{c}\u{301}"));
        }
    }

    #[test]
    fn random_sequences() {
        // Characters that take part in composition, reordering or
        // decomposition: every non-starter, every part and composite of a
        // composition, Hangul jamo and syllables, some with compatibility
        // decompositions.
        let mut pool: Vec<char> = super::chars().filter(|&c| unicode_normalization::char::canonical_combining_class(c) != 0).collect();
        for (c, a, b) in super::compositions() {
            pool.extend([c, a, b]);
        }
        pool.extend((0x1100..0x1113).chain(0x1161..0x1176).chain(0x11A7..0x11C3).filter_map(char::from_u32));
        pool.extend(['\u{AC00}', '\u{AC01}', '\u{AC1C}', '\u{D7A3}', 'ﬁ', '²', '\u{212B}', '\u{2126}', 'ｶ', 'ﾞ', '\u{FB2C}', '\u{1E9B}', '\u{0344}', '\u{0F73}']);
        pool.sort();
        pool.dedup();
        // A fixed linear congruential generator: deterministic.
        let mut seed = 0x2545F4914F6CDD1Du64;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        for _ in 0..2_000_000 {
            let len = 1 + next(6);
            let s: String = (0..len).map(|_| pool[next(pool.len())]).collect();
            same(&s);
        }
    }
}
