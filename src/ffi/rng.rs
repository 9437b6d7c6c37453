//! The generator, Beta draws and pairings.

use super::*;

/// Xoshiro256++ state, owned by the caller. Seed it with `mixup_rng_seed`
/// or `mixup_rng_stream`; an all-zero state acts as seed 0.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct mixup_rng {
    /// The four state words.
    pub s: [u64; 4],
}

/// Pairings, for `mixup_pairing_fill` and `mixup_config.pairing`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum mixup_pairing {
    /// Partner of `i` is `(i - shift) mod n`; shift 1 is torchvision's `roll(1, 0)`.
    Roll = 0,
    /// Partner of `i` is `n - 1 - i` (timm).
    Flip = 1,
    /// A uniform random permutation, by Fisher-Yates (mmpretrain).
    Permutation = 2,
    /// A uniform random n-cycle, by Sattolo: nobody is their own partner,
    /// except the one sample of a batch of 1.
    Cycle = 3,
}

/// Seeds `rng` from `seed` (SplitMix64, as `rand_xoshiro` does).
///
/// # Safety
/// `rng` must be NULL or point to a writable `mixup_rng`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_rng_seed(rng: *mut mixup_rng, seed: u64) -> mixup_status {
    // SAFETY: the caller's promise on `rng`.
    unsafe { write_rng(rng, MixRng::seed_from_u64(seed)) }
}

/// Seeds `rng` as stream `stream_id` of `seed`: the generator of `seed`
/// jumped `stream_id` times. A batch's draws then depend only on the seed
/// and the batch index, never on the number of workers.
///
/// # Safety
/// `rng` must be NULL or point to a writable `mixup_rng`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_rng_stream(
    rng: *mut mixup_rng,
    seed: u64,
    stream_id: u64,
) -> mixup_status {
    // SAFETY: the caller's promise on `rng`.
    unsafe { write_rng(rng, MixRng::stream(seed, stream_id)) }
}

/// Advances `rng` by 2^128 draws: a new independent stream.
///
/// # Safety
/// `rng` must be NULL or point to a readable and writable `mixup_rng`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_rng_jump(rng: *mut mixup_rng) -> mixup_status {
    status_of((|| {
        let buf = Buf::one(rng)?;
        // SAFETY: checked non-NULL and aligned; valid by the caller's promise.
        let state = unsafe { buf.slice_mut() };
        let mut r = MixRng::from_state(state[0].s);
        r.jump();
        state[0].s = r.state();
        Ok(())
    })())
}

/// # Safety
/// `rng` must be NULL or point to a writable `mixup_rng`.
pub(crate) unsafe fn write_rng(rng: *mut mixup_rng, value: MixRng) -> mixup_status {
    status_of((|| {
        let buf = Buf::one(rng)?;
        // SAFETY: checked non-NULL and aligned; writable by the caller's promise.
        let state = unsafe { buf.slice_mut() };
        state[0].s = value.state();
        Ok(())
    })())
}

/// One draw of `lam ~ Beta(alpha, beta)` into `*lam_out`.
///
/// Shapes must be finite and not negative; `alpha = beta = 0` gives 1.
///
/// # Safety
/// `rng` and `lam_out` must be NULL or point to valid, writable objects.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_beta(
    rng: *mut mixup_rng,
    alpha: f64,
    beta: f64,
    lam_out: *mut f64,
) -> mixup_status {
    status_of((|| {
        let dist = crate::Beta::new(alpha, beta)?;
        let (rng, out) = (Buf::one(rng)?, Buf::one(lam_out)?);
        disjoint(&[rng.region(), out.region()])?;
        // SAFETY: both checked and disjoint; valid by the caller's promise.
        let (state, out) = unsafe { (rng.slice_mut(), out.slice_mut()) };
        let mut r = MixRng::from_state(state[0].s);
        out[0] = dist.sample(&mut r);
        state[0].s = r.state();
        Ok(())
    })())
}

pub(crate) fn pairing_of(pairing: u32, shift: i64) -> Result<Pairing> {
    match pairing {
        0 => Ok(Pairing::Roll(shift)),
        1 => Ok(Pairing::Flip),
        2 => Ok(Pairing::Permutation),
        3 => Ok(Pairing::Cycle),
        _ => Err(Error::InvalidArgument),
    }
}

/// Writes the partner of each of `n` samples into `partners`.
///
/// `pairing` is a `mixup_pairing`; `shift` is used by `MIXUP_PAIRING_ROLL`
/// only. `rng` may be NULL for the pairings that draw nothing (roll, flip).
/// `n` may be at most 2^32.
///
/// # Safety
/// `rng` must be NULL or valid and writable; `partners` must be NULL (with
/// `n` 0) or valid for `n` writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mixup_pairing_fill(
    rng: *mut mixup_rng,
    pairing: u32,
    shift: i64,
    partners: *mut u32,
    n: usize,
) -> mixup_status {
    status_of((|| {
        let pairing = pairing_of(pairing, shift)?;
        let rng = if pairing.is_random() {
            Some(Buf::one(rng)?)
        } else {
            None
        };
        let out = Buf::new(partners, n)?;
        if n as u64 > u64::from(u32::MAX) + 1 {
            return Err(Error::SizeOverflow);
        }
        if let Some(rng) = rng {
            disjoint(&[rng.region(), out.region()])?;
        }
        // SAFETY: checked and disjoint; valid by the caller's promise.
        let (out, state) = unsafe { (out.slice_mut(), rng.map(|r| r.slice_mut())) };
        let mut r = state
            .as_ref()
            .map_or(MixRng::seed_from_u64(0), |s| MixRng::from_state(s[0].s));
        pairing.fill(&mut r, out)?;
        if let Some(state) = state {
            state[0].s = r.state();
        }
        Ok(())
    })())
}
