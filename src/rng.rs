//! The random number generator: Xoshiro256++ with seeding, streams and jumps.

use core::convert::Infallible;
use rand_core::{Rng, SeedableRng, TryRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every random decision of the crate: Xoshiro256++.
///
/// It is seeded from a `u64` through SplitMix64, can [`jump`](MixRng::jump)
/// 2^128 steps ahead for independent worker streams, and can be derived from
/// `(seed, stream_id)` so that a batch's draws depend only on the seed and
/// the batch index, never on the number of workers.
///
/// ```
/// use mixup::MixRng;
/// let mut a = MixRng::stream(42, 7);
/// let mut b = MixRng::seed_from_u64(42);
/// for _ in 0..7 { b.jump(); }
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MixRng {
    inner: Xoshiro256PlusPlus,
}

impl MixRng {
    /// A generator seeded from `seed` through SplitMix64.
    pub fn seed_from_u64(seed: u64) -> MixRng {
        MixRng {
            inner: Xoshiro256PlusPlus::seed_from_u64(seed),
        }
    }

    /// Stream `stream_id` of `seed`: the generator of `seed` jumped
    /// `stream_id` times, that is `stream_id * 2^128` steps ahead.
    ///
    /// Streams of one seed never overlap for fewer than 2^128 draws each.
    pub fn stream(seed: u64, stream_id: u64) -> MixRng {
        let mut rng = MixRng::seed_from_u64(seed);
        // jump_n takes the distance as a little-endian 256-bit count;
        // stream_id * 2^128 puts stream_id in the third word.
        rng.inner.jump_n(&[0, 0, stream_id, 0]);
        rng
    }

    /// Advances the generator by 2^128 steps.
    pub fn jump(&mut self) {
        self.inner.jump();
    }

    /// A generator with this exact state (the C ABI's four words).
    ///
    /// The all-zero state, which Xoshiro cannot leave, is mapped to
    /// `seed_from_u64(0)`.
    pub fn from_state(state: [u64; 4]) -> MixRng {
        let mut bytes = [0u8; 32];
        for (chunk, word) in bytes.chunks_exact_mut(8).zip(state) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        MixRng {
            inner: Xoshiro256PlusPlus::from_seed(bytes),
        }
    }

    /// The state as four words, such that `from_state(s.state()) == s`.
    pub fn state(&self) -> [u64; 4] {
        let bytes = self.inner.state();
        let mut words = [0u64; 4];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut le = [0u8; 8];
            le.copy_from_slice(chunk);
            *word = u64::from_le_bytes(le);
        }
        words
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform draw from `[0, 1)`: `(next_u64 >> 11) * 2^-53`.
    #[inline]
    pub fn uniform_f64(&mut self) -> f64 {
        const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
        (self.next_u64() >> 11) as f64 * SCALE
    }

    /// An unbiased uniform integer in `0..range` (Lemire's multiply and
    /// reject). `range = 0` returns 0 without drawing.
    #[inline]
    pub fn below(&mut self, range: u64) -> u64 {
        if range == 0 {
            return 0;
        }
        let mut m = u128::from(self.next_u64()) * u128::from(range);
        if (m as u64) < range {
            // 2^64 mod range: the low products below it are the biased ones.
            let threshold = range.wrapping_neg() % range;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(range);
            }
        }
        (m >> 64) as u64
    }
}

/// `MixRng` is a `rand_core` generator, so the wider `rand` ecosystem can use it.
impl TryRng for MixRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> core::result::Result<u32, Infallible> {
        self.inner.try_next_u32()
    }

    #[inline]
    fn try_next_u64(&mut self) -> core::result::Result<u64, Infallible> {
        self.inner.try_next_u64()
    }

    #[inline]
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Infallible> {
        self.inner.try_fill_bytes(dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips() {
        let mut rng = MixRng::seed_from_u64(9);
        rng.next_u64();
        let copy = MixRng::from_state(rng.state());
        assert_eq!(copy, rng);
    }

    #[test]
    fn zero_state_is_remapped() {
        assert_eq!(MixRng::from_state([0; 4]), MixRng::seed_from_u64(0));
    }

    #[test]
    fn stream_is_repeated_jumps() {
        let mut jumped = MixRng::seed_from_u64(5);
        for id in 0..4 {
            assert_eq!(MixRng::stream(5, id), jumped);
            jumped.jump();
        }
        assert_ne!(MixRng::stream(5, 1), MixRng::stream(6, 1));
    }

    #[test]
    fn uniform_is_in_unit_interval() {
        let mut rng = MixRng::seed_from_u64(1);
        let mut sum = 0.0;
        for _ in 0..100_000 {
            let u = rng.uniform_f64();
            assert!((0.0..1.0).contains(&u));
            sum += u;
        }
        assert!((sum / 100_000.0 - 0.5).abs() < 0.005);
    }

    #[test]
    fn below_is_unbiased_and_in_range() {
        let mut rng = MixRng::seed_from_u64(2);
        let mut counts = [0u32; 3];
        for _ in 0..300_000 {
            counts[rng.below(3) as usize] += 1;
        }
        for c in counts {
            assert!((c as i64 - 100_000).abs() < 1_500, "{counts:?}");
        }
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.below(1), 0);
        for _ in 0..1000 {
            assert!(rng.below(u64::MAX) < u64::MAX);
        }
    }
}
