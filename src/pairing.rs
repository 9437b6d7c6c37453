//! Pairings: who each sample is mixed with.

use crate::error::{Error, Result};
use crate::rng::MixRng;

/// How partners are chosen. The partner of sample `i` is written at index
/// `i` of a caller slice of `u32`.
///
/// | pairing | partner of `i` | used by |
/// | --- | --- | --- |
/// | `Roll(k)` | `(i - k) mod n` | torchvision (`k = 1`), FFCV |
/// | `Flip` | `n - 1 - i` | timm, TF Model Garden |
/// | `Permutation` | uniform random permutation (Fisher-Yates) | mmpretrain, kornia, Keras |
/// | `Cycle` | uniform random n-cycle (Sattolo): never itself when `n > 1` | DALI's `no_fixed_points` |
/// | `Given` | the caller's own array, left as is and checked to be in range | Composer, DALI |
///
/// Every pairing but `Given` is a permutation, as in-place mixing needs;
/// `n = 1` (the sample is its own partner) and odd `n` are legal for all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Pairing {
    /// `(i - k) mod n`, which is `batch.roll(k, 0)`; any `k`, negative too.
    Roll(i64),
    /// `n - 1 - i`.
    Flip,
    /// A uniform random permutation, by Fisher-Yates.
    #[default]
    Permutation,
    /// A uniform random cyclic permutation, by Sattolo: no fixed point.
    Cycle,
    /// Partners supplied by the caller in the output slice.
    Given,
}

impl Pairing {
    /// torchvision's pairing: `Roll(1)`.
    pub const TORCHVISION: Pairing = Pairing::Roll(1);

    /// Whether the pairing draws from the generator.
    pub fn is_random(self) -> bool {
        matches!(self, Pairing::Permutation | Pairing::Cycle)
    }

    /// Writes the partner of every sample into `partners` (`n = partners.len()`).
    ///
    /// `Permutation` draws `below(i + 1)` for `i = n-1` down to 1 and swaps;
    /// `Cycle` draws `below(i)` for the same `i`. Other pairings draw nothing.
    /// For `Given`, `partners` is only checked.
    ///
    /// # Errors
    /// - [`Error::SizeOverflow`] when `n` exceeds `2^32`, the reach of a `u32` index.
    /// - [`Error::IndexOutOfRange`] for a `Given` partner not below `n`.
    pub fn fill(self, rng: &mut MixRng, partners: &mut [u32]) -> Result<()> {
        let n = partners.len();
        if n as u64 > u64::from(u32::MAX) + 1 {
            return Err(Error::SizeOverflow);
        }
        match self {
            Pairing::Roll(k) => {
                let shift = k.rem_euclid(n.max(1) as i64) as usize;
                for (i, p) in partners.iter_mut().enumerate() {
                    // (i - shift) mod n, kept in usize
                    *p = ((i + n - shift) % n) as u32;
                }
            }
            Pairing::Flip => {
                for (i, p) in partners.iter_mut().enumerate() {
                    *p = (n - 1 - i) as u32;
                }
            }
            Pairing::Permutation | Pairing::Cycle => {
                for (i, p) in partners.iter_mut().enumerate() {
                    *p = i as u32;
                }
                let sattolo = self == Pairing::Cycle;
                for i in (1..n).rev() {
                    let range = if sattolo { i } else { i + 1 };
                    let j = rng.below(range as u64) as usize;
                    partners.swap(i, j);
                }
            }
            Pairing::Given => check_in_range(partners, n)?,
        }
        Ok(())
    }
}

/// Checks that every index is below `n`.
pub(crate) fn check_in_range(partners: &[u32], n: usize) -> Result<()> {
    if partners.iter().all(|&p| (p as usize) < n) {
        Ok(())
    } else {
        Err(Error::IndexOutOfRange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;
    use std::vec;

    fn filled(pairing: Pairing, n: usize, seed: u64) -> Vec<u32> {
        let mut p = vec![0; n];
        pairing
            .fill(&mut MixRng::seed_from_u64(seed), &mut p)
            .unwrap();
        p
    }

    fn is_perm(p: &[u32]) -> bool {
        let mut marks = vec![0; crate::walk::mark_bytes(p.len())];
        crate::walk::check_permutation(p, &mut marks).is_ok()
    }

    #[test]
    fn roll_matches_torch_roll() {
        // torch.arange(5).roll(1, 0) == [4, 0, 1, 2, 3]
        assert_eq!(filled(Pairing::Roll(1), 5, 0), [4, 0, 1, 2, 3]);
        assert_eq!(filled(Pairing::Roll(-1), 5, 0), [1, 2, 3, 4, 0]);
        assert_eq!(filled(Pairing::Roll(7), 5, 0), [3, 4, 0, 1, 2]);
        assert_eq!(
            filled(Pairing::Roll(i64::MIN), 3, 0),
            filled(Pairing::Roll(i64::MIN % 3), 3, 0)
        );
        assert_eq!(filled(Pairing::Roll(1), 1, 0), [0]);
        assert!(filled(Pairing::Roll(1), 0, 0).is_empty());
    }

    #[test]
    fn flip_reverses() {
        assert_eq!(filled(Pairing::Flip, 5, 0), [4, 3, 2, 1, 0]);
        assert_eq!(filled(Pairing::Flip, 1, 0), [0]);
    }

    #[test]
    fn random_pairings_are_permutations() {
        for n in [1, 2, 3, 7, 64, 1001] {
            for seed in 0..5 {
                assert!(is_perm(&filled(Pairing::Permutation, n, seed)));
                let cycle = filled(Pairing::Cycle, n, seed);
                assert!(is_perm(&cycle));
                // one single cycle through all n samples
                let (mut k, mut len) = (0usize, 0);
                loop {
                    k = cycle[k] as usize;
                    len += 1;
                    if k == 0 {
                        break;
                    }
                }
                assert_eq!(len, n);
            }
        }
    }

    #[test]
    fn permutation_is_uniform_over_3() {
        let mut rng = MixRng::seed_from_u64(11);
        let mut counts = std::collections::HashMap::new();
        let mut p = [0u32; 3];
        for _ in 0..60_000 {
            Pairing::Permutation.fill(&mut rng, &mut p).unwrap();
            *counts.entry(p).or_insert(0) += 1;
        }
        assert_eq!(counts.len(), 6);
        for &c in counts.values() {
            assert!((c - 10_000i32).abs() < 500, "{counts:?}");
        }
    }

    #[test]
    fn cycle_is_uniform_over_the_two_3_cycles() {
        let mut rng = MixRng::seed_from_u64(12);
        let mut first = 0;
        let mut p = [0u32; 3];
        for _ in 0..20_000 {
            Pairing::Cycle.fill(&mut rng, &mut p).unwrap();
            assert!(p == [1, 2, 0] || p == [2, 0, 1]);
            first += (p == [1, 2, 0]) as i32;
        }
        assert!((first - 10_000).abs() < 400);
    }

    #[test]
    fn given_is_checked_not_changed() {
        let mut rng = MixRng::seed_from_u64(0);
        let mut p = [2, 2, 0];
        Pairing::Given.fill(&mut rng, &mut p).unwrap();
        assert_eq!(p, [2, 2, 0]);
        let mut bad = [0, 3, 1];
        assert_eq!(
            Pairing::Given.fill(&mut rng, &mut bad),
            Err(Error::IndexOutOfRange)
        );
    }
}
