//! Writes ../src/names.bin (format: ../src/lib.rs) from unicode_names2 1.3.0, and checks
//! that the CJK ranges and Hangul syllables lib.rs computes are the ones it names.
use std::io::Write;

fn is_hangul(c: u32) -> bool { (0xAC00..=0xD7A3).contains(&c) }

fn main() {
    let cjk: Vec<(u32, u32)> = vec![(0x3400,0x4DBF),(0x4E00,0x9FFF),(0x20000,0x2A6DF),(0x2A700,0x2B739),(0x2B740,0x2B81D),(0x2B820,0x2CEA1),(0x2CEB0,0x2EBE0),(0x2EBF0,0x2EE5D),(0x30000,0x3134A),(0x31350,0x323AF)];
    // The three columns of the names (deltas, shared lengths, rests).
    let (mut deltas, mut shares, mut rests) = (Vec::new(), Vec::new(), Vec::new());
    let mut prev_cp = 0u32;
    let mut prev_name: Vec<u8> = Vec::new();
    let mut n = 0;
    for c in 0..=0x10FFFFu32 {
        let Some(ch) = char::from_u32(c) else { continue };
        if cjk.iter().any(|&(lo, hi)| lo <= c && c <= hi) || is_hangul(c) { continue; }
        let Some(name) = unicode_names2::name(ch) else { continue };
        let name = name.to_string().into_bytes();
        assert!(name.iter().all(|b| (0x20..0x7f).contains(b)));
        let delta = c - prev_cp;
        // varint delta
        let mut d = delta;
        loop { let b = (d & 0x7f) as u8; d >>= 7; if d == 0 { deltas.push(b); break } else { deltas.push(b | 0x80) } }
        let common = prev_name.iter().zip(&name).take_while(|(a, b)| a == b).count().min(255);
        shares.push(common as u8);
        rests.extend_from_slice(&name[common..]);
        rests.push(0);
        prev_cp = c; prev_name = name; n += 1;
    }
    // check the CJK ranges and Hangul against the real crate
    for c in 0..=0x10FFFFu32 {
        let Some(ch) = char::from_u32(c) else { continue };
        let in_cjk = cjk.iter().any(|&(lo, hi)| lo <= c && c <= hi);
        let real = unicode_names2::name(ch).map(|n| n.to_string());
        if in_cjk { assert_eq!(real, Some(format!("CJK UNIFIED IDEOGRAPH-{c:X}")), "{c:X}"); }
        if let Some(r) = &real { if r.starts_with("CJK UNIFIED IDEOGRAPH-") { assert!(in_cjk, "{c:X}"); } if r.starts_with("HANGUL SYLLABLE ") { assert!(is_hangul(c)); } }
    }
    let body = std::fs::read_to_string(std::env::args().nth(1).expect("the path of unicode_names2's generated_alias.rs")).unwrap();
    let mut aliases = Vec::new();
    for line in body.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("(b\"") {
            let (name, rest) = rest.split_once("\", '\\u{").unwrap();
            let hex = rest.split('}').next().unwrap();
            aliases.push((name.to_string(), u32::from_str_radix(hex, 16).unwrap()));
        }
    }
    aliases.sort();
    let mut out = Vec::new();
    out.extend_from_slice(&deltas);
    out.extend_from_slice(&shares);
    out.extend_from_slice(&rests);
    for (name, c) in &aliases {
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(&c.to_le_bytes()[..3]);
    }
    let mut file = Vec::new();
    file.extend_from_slice(&(n as u32).to_le_bytes());
    file.extend_from_slice(&(aliases.len() as u32).to_le_bytes());
    file.extend_from_slice(&(deltas.len() as u32).to_le_bytes());
    file.extend_from_slice(&out);
    let out = file;
    std::fs::File::create("../src/names.bin").unwrap().write_all(&out).unwrap();
    eprintln!("{n} names, {} aliases, {} bytes", aliases.len(), out.len());
}
