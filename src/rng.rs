//! The random number generator: Xoshiro256++ with seeding, streams and jumps.

use core::convert::Infallible;
use rand_core::{Rng, SeedableRng, TryRng};
use rand_xoshiro::Xoshiro256PlusPlus;

include!(concat!(env!("OUT_DIR"), "/stream_jumps.rs"));

/// One step of Xoshiro256's state, the linear engine under the `++`.
#[inline(always)]
fn step(s: &mut [u64; 4]) {
    let t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3].rotate_left(45);
}

/// The state `poly(T) s`, where `T` is one step: the sum of the states
/// `T^k s` whose coefficient `k` is set, over 256 steps.
fn jumped(poly: &[u64; 4], mut s: [u64; 4]) -> [u64; 4] {
    let mut sum = [0u64; 4];
    for word in poly {
        for bit in 0..64 {
            let mask = 0u64.wrapping_sub((word >> bit) & 1);
            for (acc, x) in sum.iter_mut().zip(s) {
                *acc ^= x & mask;
            }
            step(&mut s);
        }
    }
    sum
}

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
    ///
    /// It takes at most eight jumps of 256 steps each, one per non-zero
    /// byte of `stream_id`, with polynomials precomputed at build time.
    pub fn stream(seed: u64, stream_id: u64) -> MixRng {
        let mut state = MixRng::seed_from_u64(seed).state();
        for (window, jumps) in STREAM_JUMPS.iter().enumerate() {
            let byte = (stream_id >> (8 * window)) as u8;
            if byte != 0 {
                state = jumped(&jumps[usize::from(byte) - 1], state);
            }
        }
        MixRng::from_state(state)
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
    fn stream_equals_rand_xoshiro_jump_n() {
        // The slow reference: a 256-bit exponentiation in rand_xoshiro.
        let slow = |seed: u64, id: u64| {
            let mut inner = Xoshiro256PlusPlus::seed_from_u64(seed);
            inner.jump_n(&[0, 0, id, 0]);
            MixRng { inner }
        };
        let mut ids = std::vec![0, 1, 255, 256, 65535, 1 << 32, u64::MAX, u64::MAX - 1];
        // every byte value in every window
        ids.extend((0..8).flat_map(|w| (1..=255u64).step_by(17).map(move |v| v << (8 * w))));
        let mut rng = MixRng::seed_from_u64(77);
        ids.extend((0..40).map(|_| rng.next_u64()));
        for (k, &id) in ids.iter().enumerate() {
            let seed = k as u64 * 0x9e37_79b9;
            assert_eq!(MixRng::stream(seed, id), slow(seed, id), "id {id:#x}");
        }
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
