//! Stable sorts that share one compiled sort, and ordered collections built
//! without one.
//!
//! The standard library's sort is generic over the element and the
//! comparison: every `slice::sort_by` with its own closure compiles its own
//! copy of driftsort (~4 KB of wasm each): some thirty-five copies were ~40 KB
//! of the site's gzip transfer, and the call sites routed here saved 15 KB.
//! These functions sort a permutation of indices with one non-generic sort
//! (the comparison behind `dyn`), then move the elements into place: per
//! element type, only the small permutation step is compiled.
//!
//! A `collect()` into a BTreeSet or BTreeMap (and `BTreeMap::from` an array)
//! sorts its items with a copy of driftsort per item type, then bulk-builds
//! the tree (35 such copies were 30 KB of the gzip transfer): [`set_of`] and
//! [`map_of`] build the same collections by inserting one item at a time,
//! which compiles only the tree's `insert`.
//!
//! Invariants:
//! - Each sort orders exactly as its namesake on slices does (stable:
//!   equal elements keep their order), so a call site can switch between
//!   them without changing output.
//! - No allocation beyond one `Vec<usize>` of the slice's length.
//! - `set_of` and `map_of` hold what `collect()` holds: for a key given
//!   twice, the map keeps the last value; of two equal items the set keeps
//!   the first where `collect()` keeps the last, which differ only for types
//!   whose `Ord` calls different values equal (call sites use strings,
//!   numbers and derived `Ord`, where equal means identical).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// `items.collect::<BTreeSet<T>>()`, without a sort per item type.
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for item in items {
        set.insert(item);
    }
    set
}

/// `items.collect::<BTreeMap<K, V>>()`, without a sort per item type.
pub fn map_of<K: Ord, V>(items: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (key, value) in items {
        map.insert(key, value);
    }
    map
}

/// `slice::sort_by`: stable, by `compare`.
pub fn sort_by<T>(v: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    {
        let items: &[T] = v;
        sort_indices(&mut order, &mut |a, b| compare(&items[a], &items[b]));
    }
    permute(v, &mut order);
}

/// `slice::sort_by_key`: stable, by the key `f` gives (computed per comparison).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut f: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| f(a).cmp(&f(b)));
}

/// `slice::sort`: stable, by `Ord`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The one compiled sort: indices, stably, by a comparison of the elements
/// they stand for.
fn sort_indices(order: &mut [usize], compare: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| compare(a, b));
}

/// Puts `v[order[i]]` at `i` for every `i`, following each cycle of the
/// permutation with swaps; `order` is used up (each entry marked placed).
fn permute<T>(v: &mut [T], order: &mut [usize]) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start || from == at {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed linear congruential generator: deterministic inputs.
    fn numbers(seed: u64, len: usize, range: u64) -> Vec<u64> {
        let mut s = seed;
        (0..len)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (s >> 33) % range
            })
            .collect()
    }

    #[test]
    fn orders_as_the_slice_methods_do_and_stably() {
        for (seed, len, range) in [(1, 0, 1), (2, 1, 1), (3, 2, 2), (4, 7, 3), (5, 100, 10), (6, 1000, 1000), (7, 5000, 4), (8, 64, 1)] {
            // (key, original position): equal keys must keep their order.
            let items: Vec<(u64, usize)> = numbers(seed, len, range).into_iter().zip(0..).collect();
            let mut expected = items.clone();
            expected.sort_by_key(|p| p.0);
            let mut ours = items.clone();
            sort_by_key(&mut ours, |p| p.0);
            assert_eq!(ours, expected, "sort_by_key, seed {seed}");
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
            let mut expected = items.clone();
            expected.sort_by(|a, b| b.0.cmp(&a.0));
            assert_eq!(ours, expected, "sort_by, seed {seed}");
            let mut ours: Vec<String> = items.iter().map(|p| format!("{}-{}", p.0, p.1 % 3)).collect();
            let mut expected = ours.clone();
            expected.sort();
            sort(&mut ours);
            assert_eq!(ours, expected, "sort, seed {seed}");
        }
    }

    #[test]
    fn set_of_and_map_of_hold_what_collect_holds() {
        for (seed, len, range) in [(1, 0, 1), (2, 1, 1), (5, 100, 10), (6, 1000, 1000), (8, 64, 1)] {
            let items: Vec<String> = numbers(seed, len, range).into_iter().map(|n| n.to_string()).collect();
            assert_eq!(set_of(items.iter().cloned()), items.iter().cloned().collect::<BTreeSet<_>>(), "seed {seed}");
            // Keys given twice: the last value wins, as in collect().
            let pairs: Vec<(String, usize)> = items.iter().cloned().zip(0..).collect();
            assert_eq!(map_of(pairs.iter().cloned()), pairs.iter().cloned().collect::<BTreeMap<_, _>>(), "seed {seed}");
        }
    }

    #[test]
    fn moves_elements_without_cloning() {
        // Boxes: moved by swaps, each ends where the order puts it.
        let mut v: Vec<Box<u32>> = [5, 3, 9, 1, 3, 0].into_iter().map(Box::new).collect();
        sort_by_key(&mut v, |b| **b);
        assert_eq!(v.iter().map(|b| **b).collect::<Vec<_>>(), [0, 1, 3, 3, 5, 9]);
    }
}
