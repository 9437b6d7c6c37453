//! The orders in which batch operations visit samples: cycles for in-place
//! mixing, partner chains for out-of-place mixing. Both keep each partner in
//! cache from the moment it is read until its own turn. One bit per sample
//! marks what has been visited; the same bitmap checks a permutation.

use crate::error::{Error, Result};
use crate::pairing::check_in_range;

/// Up to this many samples, [`chains`] follows the partner chains, keeping
/// a bitmap of this many bits (512 bytes) on the stack; beyond, it goes in
/// index order.
const CHAIN_LIMIT: usize = 4096;

/// Sample `k` mutably and a different sample `j` shared.
fn two_samples<T>(batch: &mut [T], len: usize, k: usize, j: usize) -> (&mut [T], &[T]) {
    if k < j {
        let (lo, hi) = batch.split_at_mut(j * len);
        (&mut lo[k * len..][..len], &hi[..len])
    } else {
        let (lo, hi) = batch.split_at_mut(k * len);
        (&mut hi[..len], &lo[j * len..][..len])
    }
}

/// Two different samples `k` and `j`, both mutably.
fn pair_of_samples<T>(batch: &mut [T], len: usize, k: usize, j: usize) -> (&mut [T], &mut [T]) {
    let (lo, hi) = batch.split_at_mut(k.max(j) * len);
    let (low, high) = (&mut lo[k.min(j) * len..][..len], &mut hi[..len]);
    if k < j { (low, high) } else { (high, low) }
}

/// Where the partner of one step of a cycle walk is.
pub(crate) enum Partner<'a, T> {
    /// A later sample of the cycle, still original: the whole sample.
    Sample(&'a [T]),
    /// The cycle's first sample, as `save` left it in the saved buffer.
    Saved(&'a [T]),
}

/// Walks each cycle of the permutation `partners` once, calling
/// `step(k, x[k], partner)` with the partner still original: for a cycle
/// `c0 -> c1 -> ... -> c_last`, `save(c_last, x[c0], saved)` first keeps
/// what the last step will need of `x[c0]`; then each `x[c_k]` steps with
/// `x[c_{k+1}]`, and the last with the saved buffer. Without `find_last`,
/// `save` gets `c0` in place of `c_last` (for a `save` that does not look).
///
/// A cycle of two, `k <-> j` (timm's flip pairs every sample so), first
/// goes to `swap((k, j), (x[k], x[j]), saved)`, which may mix both samples in
/// one pass and return `true`; on `false` it is walked as any cycle.
///
/// `partners` must be a checked permutation of `0..n`, `batch` hold
/// `n * len` elements, `saved` `len`, and `marks` at least `ceil(n / 8)`
/// zeroed bytes; `marks` is zeroed again on return.
pub(crate) fn cycles_in_place<T: Copy>(
    (batch, len): (&mut [T], usize),
    partners: &[u32],
    (saved, marks): (&mut [T], &mut [u8]),
    find_last: bool,
    mut save: impl FnMut(usize, &[T], &mut [T]),
    mut step: impl FnMut(usize, &mut [T], Partner<'_, T>),
    mut swap: impl FnMut((usize, usize), (&mut [T], &mut [T]), &mut [T]) -> bool,
) {
    let saved = &mut saved[..len];
    for start in 0..partners.len() {
        if is_marked(marks, start) {
            continue;
        }
        let next = partners[start] as usize;
        if next != start && partners[next] as usize == start {
            let (x, y) = pair_of_samples(batch, len, start, next);
            if swap((start, next), (x, y), saved) {
                mark(marks, start);
                mark(marks, next);
                continue;
            }
        }
        let mut last = start;
        while find_last && partners[last] as usize != start {
            last = partners[last] as usize;
        }
        save(last, &batch[start * len..][..len], saved);
        let mut k = start;
        loop {
            mark(marks, k);
            let next = partners[k] as usize;
            if next == start {
                step(k, &mut batch[k * len..][..len], Partner::Saved(saved));
                break;
            }
            let (x, partner) = two_samples(batch, len, k, next);
            step(k, x, Partner::Sample(partner));
            k = next;
        }
    }
    marks[..partners.len().div_ceil(8)].fill(0);
}

/// Calls `visit(k)` once for every sample `k` of an index map into
/// `0..partners.len()`, following the chains `k, partners[k], ...` so that
/// the partner read for one sample is the next sample visited.
pub(crate) fn chains(partners: &[u32], mut visit: impl FnMut(usize)) {
    let n = partners.len();
    if n > CHAIN_LIMIT {
        (0..n).for_each(visit);
        return;
    }
    let mut seen = [0u8; CHAIN_LIMIT / 8];
    for start in 0..n {
        let mut k = start;
        while !is_marked(&seen, k) {
            mark(&mut seen, k);
            visit(k);
            k = partners[k] as usize;
        }
    }
}

/// Bytes of marks needed for `n` samples: one bit each.
pub(crate) const fn mark_bytes(n: usize) -> usize {
    n.div_ceil(8)
}

/// Whether sample `k` is marked in the bitmap.
#[inline]
pub(crate) fn is_marked(marks: &[u8], k: usize) -> bool {
    marks[k / 8] & (1 << (k % 8)) != 0
}

/// Marks sample `k` in the bitmap.
#[inline]
pub(crate) fn mark(marks: &mut [u8], k: usize) {
    marks[k / 8] |= 1 << (k % 8);
}

/// Checks that `partners` is a permutation of `0..n`, using `marks`
/// (at least [`mark_bytes`]`(n)` bytes) as a bitmap. Leaves `marks` zeroed.
pub(crate) fn check_permutation(partners: &[u32], marks: &mut [u8]) -> Result<()> {
    let n = partners.len();
    check_in_range(partners, n)?;
    let marks = marks
        .get_mut(..mark_bytes(n))
        .ok_or(Error::BufferTooSmall)?;
    marks.fill(0);
    let mut result = Ok(());
    for &p in partners {
        if is_marked(marks, p as usize) {
            result = Err(Error::BadPermutation);
            break;
        }
        mark(marks, p as usize);
    }
    marks.fill(0);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_check_finds_duplicates_and_range() {
        let mut marks = [0u8; 1];
        assert_eq!(
            check_permutation(&[0, 0, 1], &mut marks),
            Err(Error::BadPermutation)
        );
        assert_eq!(
            check_permutation(&[0, 3, 1], &mut marks),
            Err(Error::IndexOutOfRange)
        );
        assert_eq!(check_permutation(&[2, 0, 1], &mut marks), Ok(()));
        assert_eq!(marks, [0]);
    }
}
