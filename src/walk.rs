//! The orders in which batch operations visit samples: cycles for in-place
//! mixing, partner chains for out-of-place mixing. Both keep each partner in
//! cache from the moment it is read until its own turn. One bit per sample
//! marks what has been visited; the same bitmap checks a permutation.

use core::ops::Range;

use crate::error::{Error, Result};
use crate::pairing::check_in_range;

/// Up to this many samples, [`chains`] follows the partner chains, keeping
/// a bitmap of this many bits (512 bytes) on the stack; beyond, it goes in
/// index order.
const CHAIN_LIMIT: usize = 4096;

/// Where a cycle walk finds the samples of a batch: `n` samples of
/// [`len`](Self::len) elements, of which a walk asks only for samples of
/// the cycle it walks.
pub(crate) trait SampleView<T> {
    /// Elements per sample.
    fn len(&self) -> usize;

    /// Sample `k`.
    fn one(&mut self, k: usize) -> &mut [T];

    /// Sample `k` mutably and a different sample `j` shared.
    fn two(&mut self, k: usize, j: usize) -> (&mut [T], &[T]);

    /// Two different samples `k` and `j`, both mutably.
    fn pair(&mut self, k: usize, j: usize) -> (&mut [T], &mut [T]);
}

/// A whole batch, `n * len` elements: the view of one thread.
pub(crate) struct Slices<'a, T> {
    /// The batch.
    pub(crate) batch: &'a mut [T],
    /// Elements per sample.
    pub(crate) len: usize,
}

impl<T> SampleView<T> for Slices<'_, T> {
    fn len(&self) -> usize {
        self.len
    }

    fn one(&mut self, k: usize) -> &mut [T] {
        &mut self.batch[k * self.len..][..self.len]
    }

    fn two(&mut self, k: usize, j: usize) -> (&mut [T], &[T]) {
        let len = self.len;
        if k < j {
            let (lo, hi) = self.batch.split_at_mut(j * len);
            (&mut lo[k * len..][..len], &hi[..len])
        } else {
            let (lo, hi) = self.batch.split_at_mut(k * len);
            (&mut hi[..len], &lo[j * len..][..len])
        }
    }

    fn pair(&mut self, k: usize, j: usize) -> (&mut [T], &mut [T]) {
        let len = self.len;
        let (lo, hi) = self.batch.split_at_mut(k.max(j) * len);
        let (low, high) = (&mut lo[k.min(j) * len..][..len], &mut hi[..len]);
        if k < j { (low, high) } else { (high, low) }
    }
}

/// Where the partner of one step of a cycle walk is.
pub(crate) enum Partner<'a, T> {
    /// A later sample of the cycle, still original: the whole sample.
    Sample(&'a [T]),
    /// The cycle's first sample, as [`CycleSteps::save`] left it in the saved buffer.
    Saved(&'a [T]),
}

/// What a cycle walk does at each step: the images' blends and boxes, or
/// the masks' boxes.
pub(crate) trait CycleSteps<T> {
    /// Whether [`save`](Self::save) needs the cycle's last sample (else it
    /// gets the first in its place).
    fn needs_last(&self) -> bool;

    /// Keeps in `saved` what the last step of a cycle `first -> ... ->
    /// last` will need of sample `first`.
    fn save(&self, last: usize, first: &[T], saved: &mut [T]);

    /// Sample `k` becomes its mix with its partner.
    fn step(&self, k: usize, x: &mut [T], partner: Partner<'_, T>);

    /// A cycle of two, `k <-> j`, in one pass: `true` if done, `false`
    /// (having written nothing) to walk it as any cycle.
    fn swap(&self, pair: (usize, usize), samples: (&mut [T], &mut [T]), saved: &mut [T]) -> bool;
}

/// The scratch of an in-place walk: one saved sample and one bit per
/// sample, zeroed.
pub(crate) struct Scratch<'s, T> {
    /// What the last step of a cycle needs of its first sample.
    pub(crate) saved: &'s mut [T],
    /// One bit per sample, at least [`mark_bytes`]`(n)` bytes, zeroed.
    pub(crate) marks: &'s mut [u8],
}

/// Walks the cycle of the permutation `partners` that starts at `start`,
/// calling `steps.step(k, x[k], partner)` with the partner still original:
/// for a cycle `c0 -> c1 -> ... -> c_last`, `steps.save(c_last, x[c0],
/// saved)` first keeps what the last step will need of `x[c0]`; then each
/// `x[c_k]` steps with `x[c_{k+1}]`, and the last with `saved`. A cycle of
/// two (timm's flip pairs every sample so) first goes to `steps.swap`.
/// `visited(k)` is called once for each sample of the cycle.
pub(crate) fn walk_cycle<T>(
    view: &mut impl SampleView<T>,
    partners: &[u32],
    start: usize,
    saved: &mut [T],
    steps: &impl CycleSteps<T>,
    mut visited: impl FnMut(usize),
) {
    let saved = &mut saved[..view.len()];
    let next = partners[start] as usize;
    if next != start && partners[next] as usize == start {
        let samples = view.pair(start, next);
        if steps.swap((start, next), samples, saved) {
            visited(start);
            visited(next);
            return;
        }
    }
    let mut last = start;
    while steps.needs_last() && partners[last] as usize != start {
        last = partners[last] as usize;
    }
    steps.save(last, view.one(start), saved);
    let mut k = start;
    loop {
        visited(k);
        let next = partners[k] as usize;
        if next == start {
            steps.step(k, view.one(k), Partner::Saved(saved));
            return;
        }
        let (x, partner) = view.two(k, next);
        steps.step(k, x, Partner::Sample(partner));
        k = next;
    }
}

/// Calls `visit(start, length)` for each cycle of the permutation
/// `partners`, in order of its first sample, marking its samples in
/// `marks` (at least [`mark_bytes`]`(n)` zeroed bytes, zeroed again on
/// return) before the visit.
pub(crate) fn for_each_cycle(
    partners: &[u32],
    marks: &mut [u8],
    mut visit: impl FnMut(usize, usize),
) {
    for start in 0..partners.len() {
        if is_marked(marks, start) {
            continue;
        }
        let (mut k, mut length) = (start, 0);
        loop {
            mark(marks, k);
            length += 1;
            k = partners[k] as usize;
            if k == start {
                break;
            }
        }
        visit(start, length);
    }
    marks[..mark_bytes(partners.len())].fill(0);
}

/// Walks every cycle of the checked permutation `partners` once, in place
/// ([`walk_cycle`]), with one thread's view of the batch: in order of
/// their first sample, marking the samples as the walk steps them (one
/// pass over the permutation, not a second to find the cycles first).
pub(crate) fn cycles_in_place<T>(
    view: &mut impl SampleView<T>,
    partners: &[u32],
    scratch: Scratch<'_, T>,
    steps: &impl CycleSteps<T>,
) {
    let Scratch { saved, marks } = scratch;
    for start in 0..partners.len() {
        if !is_marked(marks, start) {
            walk_cycle(view, partners, start, saved, steps, |k| mark(marks, k));
        }
    }
    marks[..mark_bytes(partners.len())].fill(0);
}

/// Calls `visit(k)` once for every sample `k` in `samples`, where
/// `partners` maps every sample into `0..partners.len()`, following the
/// chains `k, partners[k], ...` while they stay in `samples`, so that the
/// partner read for one sample is the next sample visited. Beyond
/// [`CHAIN_LIMIT`] samples, in index order.
pub(crate) fn chains(partners: &[u32], samples: Range<usize>, mut visit: impl FnMut(usize)) {
    if samples.len() > CHAIN_LIMIT {
        samples.for_each(visit);
        return;
    }
    let mut seen = [0u8; CHAIN_LIMIT / 8];
    let first = samples.start;
    for start in samples.clone() {
        let mut k = start;
        while samples.contains(&k) && !is_marked(&seen, k - first) {
            mark(&mut seen, k - first);
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
fn is_marked(marks: &[u8], k: usize) -> bool {
    marks[k / 8] & (1 << (k % 8)) != 0
}

/// Marks sample `k` in the bitmap.
#[inline]
fn mark(marks: &mut [u8], k: usize) {
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

    /// The samples `chains` visits, in order.
    fn visits(partners: &[u32], samples: Range<usize>) -> ([usize; 16], usize) {
        let (mut order, mut count) = ([usize::MAX; 16], 0);
        chains(partners, samples, |k| {
            order[count] = k;
            count += 1;
        });
        (order, count)
    }

    #[test]
    fn chains_visit_each_sample_of_the_range_once_following_partners() {
        // 0 -> 5 -> 2 -> 7 -> 1 -> 6 -> 3 -> 4 -> 0, and 8 -> 8
        let partners = [5, 6, 7, 4, 0, 2, 3, 1, 8];
        let (order, count) = visits(&partners, 0..9);
        assert_eq!(order[..count], [0, 5, 2, 7, 1, 6, 3, 4, 8]);
        // a part: a chain stops where it leaves the range or meets a visited sample
        let (order, count) = visits(&partners, 1..8);
        assert_eq!(order[..count], [1, 6, 3, 4, 2, 7, 5]);
        let (order, count) = visits(&partners, 2..6);
        assert_eq!(order[..count], [2, 3, 4, 5]);
    }
}
