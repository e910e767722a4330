//! A decoder for the .lzma ("alone") format, for the tables the Unicode
//! stand-ins (`crates/unicode-*-lite`) ship compressed: the
//! whole stream in memory, decoded into one `Vec` that is also the window
//! (the dictionary is never smaller than the data here, so no ring buffer).
//!
//! Follows the LZMA specification (lzma-specification.txt of the LZMA SDK):
//! a range decoder over adaptive bit probabilities, literals coded with
//! `lc`/`lp` context bits (against the byte at the last distance after a
//! match), lengths and distances with bit trees, four repeat distances.
//!
//! Invariants:
//! - Returns the exact bytes the stream encodes, or `None` for a stream it
//!   cannot decode (bad header, a distance before the start, a stream that
//!   ends early): never a partial table.
//! - No allocation beyond the output and the probability tables.

/// The probabilities start at one half (of 2^11).
const HALF: u16 = 1 << 10;
const STATES: usize = 12;
const POS_BITS_MAX: usize = 4;
const END_POS_MODEL_INDEX: u32 = 14;
const FULL_DISTANCES: usize = 128;
const MATCH_MIN_LEN: usize = 2;

struct RangeDecoder<'a> {
    input: &'a [u8],
    at: usize,
    range: u32,
    code: u32,
}

impl<'a> RangeDecoder<'a> {
    fn new(input: &'a [u8]) -> Option<Self> {
        let (&first, rest) = input.split_first()?;
        let code = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
        (first == 0).then_some(RangeDecoder { input, at: 5, range: u32::MAX, code })
    }

    /// Past the end of the input reads as zeros; `decode` checks the end.
    fn next_byte(&mut self) -> u8 {
        let byte = self.input.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        byte
    }

    fn normalize(&mut self) {
        if self.range < 1 << 24 {
            self.range <<= 8;
            self.code = (self.code << 8) | u32::from(self.next_byte());
        }
    }

    fn bit(&mut self, prob: &mut u16) -> u32 {
        let bound = (self.range >> 11) * u32::from(*prob);
        let bit = if self.code < bound {
            *prob += ((1 << 11) - *prob) >> 5;
            self.range = bound;
            0
        } else {
            *prob -= *prob >> 5;
            self.code -= bound;
            self.range -= bound;
            1
        };
        self.normalize();
        bit
    }

    fn direct_bits(&mut self, count: u32) -> u32 {
        let mut value = 0;
        for _ in 0..count {
            self.range >>= 1;
            let bit = u32::from(self.code >= self.range);
            if bit == 1 {
                self.code -= self.range;
            }
            self.normalize();
            value = (value << 1) | bit;
        }
        value
    }

    /// A bit tree of `probs.len()` = 2^bits entries, most significant bit first.
    fn tree(&mut self, probs: &mut [u16]) -> u32 {
        let mut m = 1;
        while m < probs.len() {
            m = (m << 1) | self.bit(&mut probs[m]) as usize;
        }
        (m - probs.len()) as u32
    }

    /// A bit tree read least significant bit first, `bits` deep.
    fn reverse_tree(&mut self, probs: &mut [u16], bits: u32) -> u32 {
        let (mut m, mut value) = (1, 0);
        for i in 0..bits {
            let bit = self.bit(&mut probs[m]);
            m = (m << 1) | bit as usize;
            value |= bit << i;
        }
        value
    }
}

struct LenDecoder {
    choice: u16,
    choice2: u16,
    low: [[u16; 8]; 1 << POS_BITS_MAX],
    mid: [[u16; 8]; 1 << POS_BITS_MAX],
    high: [u16; 256],
}

impl LenDecoder {
    fn new() -> Self {
        LenDecoder {
            choice: HALF,
            choice2: HALF,
            low: [[HALF; 8]; 1 << POS_BITS_MAX],
            mid: [[HALF; 8]; 1 << POS_BITS_MAX],
            high: [HALF; 256],
        }
    }

    /// The length less `MATCH_MIN_LEN`.
    fn decode(&mut self, rc: &mut RangeDecoder, pos_state: usize) -> usize {
        (if rc.bit(&mut self.choice) == 0 {
            rc.tree(&mut self.low[pos_state])
        } else if rc.bit(&mut self.choice2) == 0 {
            8 + rc.tree(&mut self.mid[pos_state])
        } else {
            16 + rc.tree(&mut self.high)
        }) as usize
    }
}

/// The state after a literal, a match, a repeated match, a one-byte repeat.
fn after_literal(state: usize) -> usize {
    match state {
        0..=3 => 0,
        4..=9 => state - 3,
        _ => state - 6,
    }
}
fn after(state: usize, below_seven: usize, otherwise: usize) -> usize {
    if state < 7 {
        below_seven
    } else {
        otherwise
    }
}

/// Decodes a whole .lzma stream (13-byte header, then the range-coded data).
pub fn decode(stream: &[u8]) -> Option<Vec<u8>> {
    let header = stream.get(..13)?;
    let props = u32::from(header[0]);
    if props >= 9 * 5 * 5 {
        return None;
    }
    let (lc, lp, pb) = (props % 9, props / 9 % 5, props / 45);
    let dict_size = u32::from_le_bytes(header[1..5].try_into().ok()?) as usize;
    let size = u64::from_le_bytes(header[5..13].try_into().ok()?);
    // Unknown (all ones): the stream ends with the end marker.
    let known_size = (size != u64::MAX).then(|| usize::try_from(size).ok()).flatten();

    let mut rc = RangeDecoder::new(&stream[13..])?;
    let mut out: Vec<u8> = Vec::with_capacity(known_size.unwrap_or(0));
    let mut literal = vec![HALF; 0x300 << (lc + lp)];
    let mut is_match = [HALF; STATES << POS_BITS_MAX];
    let mut is_rep0_long = [HALF; STATES << POS_BITS_MAX];
    let (mut is_rep, mut is_rep_g0, mut is_rep_g1, mut is_rep_g2) = ([HALF; STATES], [HALF; STATES], [HALF; STATES], [HALF; STATES]);
    let mut pos_slot = [[HALF; 64]; 4];
    let mut pos_special = [HALF; 1 + FULL_DISTANCES - END_POS_MODEL_INDEX as usize];
    let mut align = [HALF; 16];
    let (mut len_decoder, mut rep_len_decoder) = (LenDecoder::new(), LenDecoder::new());
    let (mut state, mut reps) = (0usize, [0usize; 4]);

    loop {
        if known_size == Some(out.len()) {
            break;
        }
        let pos_state = out.len() & ((1 << pb) - 1);
        if rc.bit(&mut is_match[(state << POS_BITS_MAX) + pos_state]) == 0 {
            let previous = out.last().copied().unwrap_or(0);
            let context = ((out.len() & ((1 << lp) - 1)) << lc) + (usize::from(previous) >> (8 - lc));
            let probs = &mut literal[0x300 * context..0x300 * (context + 1)];
            let mut symbol = 1usize;
            if state >= 7 {
                let mut match_byte = usize::from(*out.get(out.len().checked_sub(reps[0] + 1)?)?);
                while symbol < 0x100 {
                    let match_bit = (match_byte >> 7) & 1;
                    match_byte <<= 1;
                    let bit = rc.bit(&mut probs[((1 + match_bit) << 8) + symbol]) as usize;
                    symbol = (symbol << 1) | bit;
                    if match_bit != bit {
                        break;
                    }
                }
            }
            while symbol < 0x100 {
                symbol = (symbol << 1) | rc.bit(&mut probs[symbol]) as usize;
            }
            out.push((symbol - 0x100) as u8);
            state = after_literal(state);
            continue;
        }
        let len = if rc.bit(&mut is_rep[state]) == 1 {
            if out.is_empty() {
                return None;
            }
            if rc.bit(&mut is_rep_g0[state]) == 0 {
                if rc.bit(&mut is_rep0_long[(state << POS_BITS_MAX) + pos_state]) == 0 {
                    state = after(state, 9, 11);
                    out.push(out[out.len().checked_sub(reps[0] + 1)?]);
                    continue;
                }
            } else {
                let distance = if rc.bit(&mut is_rep_g1[state]) == 0 {
                    reps[1]
                } else {
                    let distance = if rc.bit(&mut is_rep_g2[state]) == 0 {
                        reps[2]
                    } else {
                        let d = reps[3];
                        reps[3] = reps[2];
                        d
                    };
                    reps[2] = reps[1];
                    distance
                };
                reps[1] = reps[0];
                reps[0] = distance;
            }
            state = after(state, 8, 11);
            rep_len_decoder.decode(&mut rc, pos_state)
        } else {
            reps = [0, reps[0], reps[1], reps[2]];
            let len = len_decoder.decode(&mut rc, pos_state);
            state = after(state, 7, 10);
            let slot = rc.tree(&mut pos_slot[len.min(3)]);
            let distance = if slot < 4 {
                slot
            } else {
                let direct = (slot >> 1) - 1;
                let base = (2 | (slot & 1)) << direct;
                if slot < END_POS_MODEL_INDEX {
                    base + rc.reverse_tree(&mut pos_special[(base - slot) as usize..], direct)
                } else {
                    base + (rc.direct_bits(direct - 4) << 4) + rc.reverse_tree(&mut align, 4)
                }
            };
            if distance == u32::MAX {
                // The end marker.
                return (known_size.is_none() && rc.code == 0).then_some(out);
            }
            reps[0] = distance as usize;
            if reps[0] >= dict_size {
                return None;
            }
            len
        };
        let start = out.len().checked_sub(reps[0] + 1)?;
        let len = len + MATCH_MIN_LEN;
        if known_size.is_some_and(|size| out.len() + len > size) {
            return None;
        }
        // Byte by byte: a match may overlap the bytes it writes.
        for i in 0..len {
            out.push(out[start + i]);
        }
    }
    (rc.at <= rc.input.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::decode;

    /// `(b"abracadabra, abracadabra! " * 20) + bytes(range(256))` through
    /// Python's `lzma.compress(format=FORMAT_ALONE, preset=6)` (lc=3 lp=0
    /// pb=2, unknown size, end marker): repeats, long matches, every byte.
    const STREAM: &[u8] = &[93, 0, 0, 128, 0, 255, 255, 255, 255, 255, 255, 255, 255, 0, 48, 152, 138, 170, 154, 89, 245, 17, 216, 64, 195, 133, 138, 220, 47, 165, 71, 45, 254, 72, 156, 11, 67, 49, 180, 230, 135, 212, 1, 74, 108, 1, 109, 194, 212, 227, 107, 22, 216, 161, 135, 163, 110, 207, 34, 84, 208, 62, 164, 8, 225, 11, 55, 220, 70, 7, 88, 23, 155, 181, 224, 236, 13, 14, 182, 132, 34, 164, 220, 181, 107, 198, 255, 8, 215, 203, 10, 128, 14, 55, 145, 223, 66, 7, 180, 43, 228, 244, 129, 185, 7, 136, 71, 53, 216, 252, 143, 112, 22, 70, 102, 178, 25, 17, 136, 93, 148, 147, 207, 76, 180, 131, 25, 115, 132, 62, 197, 39, 13, 147, 94, 57, 196, 119, 63, 157, 26, 208, 38, 114, 165, 54, 139, 198, 179, 57, 138, 70, 138, 193, 27, 120, 34, 221, 79, 91, 198, 130, 243, 32, 58, 114, 175, 205, 25, 210, 90, 15, 94, 1, 124, 169, 44, 145, 123, 95, 143, 195, 104, 251, 73, 232, 64, 198, 224, 79, 8, 123, 67, 8, 11, 6, 43, 117, 48, 94, 119, 210, 41, 84, 190, 177, 197, 161, 161, 203, 55, 231, 71, 243, 40, 34, 245, 150, 220, 53, 66, 75, 198, 177, 158, 121, 73, 101, 55, 116, 58, 230, 9, 128, 194, 102, 34, 181, 63, 96, 101, 241, 207, 58, 181, 33, 162, 131, 32, 204, 210, 159, 18, 197, 167, 237, 150, 150, 207, 174, 141, 63, 17, 164, 114, 122, 255, 254, 148, 192, 0];

    fn expected() -> Vec<u8> {
        let mut text = b"abracadabra, abracadabra! ".repeat(20);
        text.extend(0..=255u8);
        text
    }

    #[test]
    fn decodes_a_stream_with_an_end_marker() {
        assert_eq!(decode(STREAM), Some(expected()));
    }

    #[test]
    fn decodes_a_stream_of_known_size() {
        let mut stream = STREAM.to_vec();
        stream[5..13].copy_from_slice(&(expected().len() as u64).to_le_bytes());
        assert_eq!(decode(&stream), Some(expected()));
    }

    #[test]
    fn refuses_broken_streams_without_panicking() {
        assert_eq!(decode(&STREAM[..STREAM.len() - 8]), None, "truncated");
        assert_eq!(decode(&STREAM[..10]), None, "header only");
        let mut bad_props = STREAM.to_vec();
        bad_props[0] = 225;
        assert_eq!(decode(&bad_props), None);
        // Every single-byte corruption decodes to something else or nothing.
        for at in 13..STREAM.len() {
            let mut stream = STREAM.to_vec();
            stream[at] ^= 0x55;
            assert_ne!(decode(&stream), Some(expected()), "corrupted at {at}");
        }
    }
}
