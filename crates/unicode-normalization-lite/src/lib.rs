//! `str::nfkc()`: Unicode Normalization Form KC (UAX #15), as
//! unicode-normalization 0.1.26 (Unicode 16.0) computes it — the one method
//! of that crate ruff_python_parser calls, to normalize non-ASCII
//! identifiers as Python does (PEP 3131).
//!
//! unicode-normalization's perfect-hash tables cost the app wasm ~55 KB of
//! gzip; the parser needs NFKC only, and only for identifiers that are not
//! ASCII. This crate carries the three mappings NFKC uses, sorted and
//! delta-coded (`tables.bin`), shipped LZMA-compressed (`tables.lzma`,
//! 10 KB; `tables.bin` under the site's gzip alone is 14 KB), and decodes
//! them on first use: the app wasm is 39 KB (gzip) smaller with it.
//!
//! Invariants:
//! - `nfkc()` yields what unicode-normalization 0.1.26's `nfkc()` yields for
//!   every string: checked against the real crate for every code point
//!   alone, for every code point's canonical decomposition, and for random
//!   sequences of combining marks, composable letters and Hangul jamo, when
//!   `tables.bin` was written (gen/, `cargo test --release` there).
//! - An ASCII string is returned as it is without touching the tables.
//!
//! `tables.bin`, three sections, each a u32 LE count N then columns of N
//! values (gzip, which serves the site, packs columns of like values
//! tighter than interleaved records); deltas are LEB128, from the previous
//! entry's code point (the first from 0):
//! 1. full compatibility decompositions (Hangul syllables excepted, they are
//!    computed): N code-point deltas, N lengths in characters (u8), then the
//!    decompositions as one UTF-8 string;
//! 2. canonical combining classes as runs: N deltas of the run's first code
//!    point, N classes (u8); before the first run the class is 0;
//! 3. canonical compositions (Hangul's are computed): N deltas of the
//!    composite, then its two parts for each, as one UTF-8 string.
//!
//! `tables.lzma` is `tables.bin` through Python's `lzma` module
//! (`FORMAT_ALONE`, LZMA1 preset 9 extreme, lc=2 lp=0 pb=0, 64 KiB
//! dictionary); a test checks that it decodes to `tables.bin`, so after gen/
//! writes a new `tables.bin`, write `tables.lzma` again.

use std::sync::OnceLock;

static PACKED: &[u8] = include_bytes!("tables.lzma");

const S_BASE: u32 = 0xAC00;
const L_BASE: u32 = 0x1100;
const V_BASE: u32 = 0x1161;
const T_BASE: u32 = 0x11A7;
const L_COUNT: u32 = 19;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;
const N_COUNT: u32 = V_COUNT * T_COUNT;
const S_COUNT: u32 = L_COUNT * N_COUNT;

struct Tables {
    /// Code points with a decomposition, ascending; `decomposed[i]` is the
    /// (start, length) of the i-th one's in `chars`.
    decomposable: Vec<u32>,
    decomposed: Vec<(u32, u8)>,
    chars: Vec<char>,
    /// First code point of each run of one combining class, ascending, and the class.
    class_starts: Vec<u32>,
    classes: Vec<u8>,
    /// (first, second) → composite, sorted by the pair.
    compositions: Vec<((char, char), char)>,
}

struct Reader {
    data: Vec<u8>,
    at: usize,
}

impl Reader {
    fn u32(&mut self) -> usize {
        let b = &self.data[self.at..self.at + 4];
        self.at += 4;
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
    }

    fn u8(&mut self) -> u8 {
        self.at += 1;
        self.data[self.at - 1]
    }

    /// `count` LEB128 deltas, summed into ascending code points.
    fn code_points(&mut self, count: usize) -> Vec<u32> {
        let mut out = Vec::with_capacity(count);
        let mut code = 0u32;
        for _ in 0..count {
            let (mut delta, mut shift) = (0u32, 0);
            loop {
                let byte = self.u8();
                delta |= u32::from(byte & 0x7f) << shift;
                shift += 7;
                if byte < 0x80 {
                    break;
                }
            }
            code += delta;
            out.push(code);
        }
        out
    }

    /// `count` characters of UTF-8.
    fn chars(&mut self, count: usize) -> Vec<char> {
        let mut out = Vec::with_capacity(count);
        let mut end = self.at;
        while out.len() < count {
            end += 1;
            // A whole character is read when the next byte is not a continuation byte.
            if end == self.data.len() || self.data[end] & 0xC0 != 0x80 {
                let text = std::str::from_utf8(&self.data[self.at..end]).expect("tables.bin: UTF-8");
                out.extend(text.chars());
                self.at = end;
            }
        }
        out
    }
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let data = lzma_alone::decode(PACKED).expect("tables.lzma: a valid .lzma stream");
        let mut r = Reader { data, at: 0 };
        let count = r.u32();
        let decomposable = r.code_points(count);
        let lengths: Vec<u8> = (0..count).map(|_| r.u8()).collect();
        let total = lengths.iter().map(|&l| usize::from(l)).sum();
        let chars = r.chars(total);
        let mut start = 0u32;
        let decomposed = lengths
            .iter()
            .map(|&l| {
                start += u32::from(l);
                (start - u32::from(l), l)
            })
            .collect();
        let runs = r.u32();
        let class_starts = r.code_points(runs);
        let classes = (0..runs).map(|_| r.u8()).collect();
        let count = r.u32();
        let composites = r.code_points(count);
        let parts = r.chars(2 * count);
        assert_eq!(r.at, r.data.len(), "tables.bin: read to its end");
        let mut compositions: Vec<((char, char), char)> = composites
            .iter()
            .zip(parts.chunks(2))
            .map(|(&c, p)| ((p[0], p[1]), char::from_u32(c).expect("tables.bin: a composite is a char")))
            .collect();
        compositions.sort_unstable();
        Tables { decomposable, decomposed, chars, class_starts, classes, compositions }
    })
}

fn combining_class(t: &Tables, c: char) -> u8 {
    match t.class_starts.partition_point(|&s| s <= c as u32) {
        0 => 0,
        i => t.classes[i - 1],
    }
}

/// Appends the full compatibility decomposition of `c`.
fn decompose(t: &Tables, c: char, out: &mut Vec<char>) {
    let code = c as u32;
    if (S_BASE..S_BASE + S_COUNT).contains(&code) {
        let s = code - S_BASE;
        let jamo = [L_BASE + s / N_COUNT, V_BASE + (s % N_COUNT) / T_COUNT, T_BASE + s % T_COUNT];
        let len = if s % T_COUNT == 0 { 2 } else { 3 };
        out.extend(jamo[..len].iter().map(|&j| char::from_u32(j).expect("a Hangul jamo")));
        return;
    }
    match t.decomposable.binary_search(&code) {
        Ok(i) => {
            let (start, len) = t.decomposed[i];
            out.extend_from_slice(&t.chars[start as usize..start as usize + usize::from(len)]);
        }
        Err(_) => out.push(c),
    }
}

/// The primary composite of `a` followed by `b`, if there is one.
fn compose(t: &Tables, a: char, b: char) -> Option<char> {
    let (x, y) = (a as u32, b as u32);
    if (L_BASE..L_BASE + L_COUNT).contains(&x) && (V_BASE..V_BASE + V_COUNT).contains(&y) {
        return char::from_u32(S_BASE + (x - L_BASE) * N_COUNT + (y - V_BASE) * T_COUNT);
    }
    if (S_BASE..S_BASE + S_COUNT).contains(&x) && (x - S_BASE) % T_COUNT == 0 && (T_BASE + 1..T_BASE + T_COUNT).contains(&y) {
        return char::from_u32(x + (y - T_BASE));
    }
    t.compositions.binary_search_by(|probe| probe.0.cmp(&(a, b))).ok().map(|i| t.compositions[i].1)
}

fn normalize(s: &str) -> Vec<char> {
    if s.is_ascii() {
        return s.chars().collect();
    }
    let t = tables();
    let mut chars = Vec::with_capacity(s.len());
    for c in s.chars() {
        decompose(t, c, &mut chars);
    }
    let classes: Vec<u8> = chars.iter().map(|&c| combining_class(t, c)).collect();
    // Canonical ordering: each run of non-starters sorted by class, stably.
    let mut order: Vec<usize> = (0..chars.len()).collect();
    let mut i = 0;
    while i < order.len() {
        if classes[i] == 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < order.len() && classes[i] != 0 {
            i += 1;
        }
        // Insertion sort (stable; runs are a few marks long): a slice sort
        // would compile a copy of the standard library's sort into the app.
        for j in start + 1..i {
            let mut k = j;
            while k > start && classes[order[k - 1]] > classes[order[k]] {
                order.swap(k - 1, k);
                k -= 1;
            }
        }
    }
    // Canonical composition: a character joins the last starter unless a
    // character left between them is a starter or has a class not lower.
    let mut out: Vec<char> = Vec::with_capacity(order.len());
    let mut starter: Option<usize> = None;
    let mut last_class: Option<u8> = None;
    for k in order {
        let (c, class) = (chars[k], classes[k]);
        if let Some(at) = starter {
            if last_class.is_none_or(|last| last != 0 && last < class) {
                if let Some(composite) = compose(t, out[at], c) {
                    out[at] = composite;
                    continue;
                }
            }
        }
        if class == 0 {
            starter = Some(out.len());
            last_class = None;
        } else {
            last_class = Some(class);
        }
        out.push(c);
    }
    out
}

/// The NFKC form of a string, as an iterator of characters.
pub struct Recompositions {
    chars: std::vec::IntoIter<char>,
}

impl Iterator for Recompositions {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        self.chars.next()
    }
}

/// The normalization unicode-normalization's trait of this name offers that
/// this crate keeps: NFKC of a string.
pub trait UnicodeNormalization {
    /// Unicode Normalization Form KC: compatibility decomposition, then
    /// canonical composition.
    fn nfkc(self) -> Recompositions;
}

impl UnicodeNormalization for &str {
    fn nfkc(self) -> Recompositions {
        Recompositions { chars: normalize(self).into_iter() }
    }
}

#[cfg(test)]
mod tests {
    use super::UnicodeNormalization;

    fn nfkc(s: &str) -> String {
        s.nfkc().collect()
    }

    #[test]
    fn nfkc_samples() {
        assert_eq!(nfkc("abc_1"), "abc_1");
        // Compatibility mappings: ligature, full-width, superscript, math letters.
        assert_eq!(nfkc("ﬁle"), "file");
        assert_eq!(nfkc("ＡＢｃ"), "ABc");
        assert_eq!(nfkc("x²"), "x2");
        assert_eq!(nfkc("𝐱𝔶"), "xy");
        assert_eq!(nfkc("µ"), "μ");
        assert_eq!(nfkc("ſ"), "s");
        // Composition, with canonical reordering and blocking.
        assert_eq!(nfkc("e\u{301}"), "é");
        assert_eq!(nfkc("a\u{323}\u{302}"), "ậ");
        assert_eq!(nfkc("a\u{302}\u{323}"), "ậ");
        assert_eq!(nfkc("\u{212b}"), "Å");
        assert_eq!(nfkc("e\u{301}\u{301}"), "é\u{301}");
        assert_eq!(nfkc("\u{301}e"), "\u{301}e");
        // Hangul: decomposed and composed algorithmically.
        assert_eq!(nfkc("\u{1100}\u{1161}\u{11a8}"), "\u{ac01}");
        assert_eq!(nfkc("\u{ac01}"), "\u{ac01}");
        assert_eq!(nfkc("\u{3131}"), "\u{1100}");
        // The astral compositions.
        assert_eq!(nfkc("\u{11099}\u{110ba}"), "\u{1109a}");
        assert_eq!(nfkc("\u{1611e}\u{1611e}\u{1611f}"), "\u{16126}");
        // Already normalized non-ASCII stays.
        assert_eq!(nfkc("naïve_число_名前"), "naïve_число_名前");
    }

    #[test]
    fn the_shipped_tables_are_tables_bin() {
        assert!(lzma_alone::decode(super::PACKED).as_deref() == Some(&include_bytes!("tables.bin")[..]));
    }

    #[test]
    fn every_table_is_read() {
        let t = super::tables();
        assert!(t.decomposable.len() > 5000, "{}", t.decomposable.len());
        assert!(t.class_starts.len() > 500, "{}", t.class_starts.len());
        // unicode-normalization 0.1.26: 928 compositions in the BMP, 33 astral.
        assert_eq!(t.compositions.len(), 961);
    }
}
