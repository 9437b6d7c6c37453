//! The checks every call makes on a caller's pointers and lengths, and
//! the checked views of its buffers.

use super::*;

/// A caller buffer that passed the checks: non-NULL unless empty, aligned,
/// at most `isize::MAX` bytes, not wrapping around the address space.
pub(crate) struct Buf<T> {
    pub(crate) ptr: *mut T,
    pub(crate) len: usize,
}

impl<T> Clone for Buf<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Buf<T> {}

impl<T> Buf<T> {
    pub(crate) fn new(ptr: *const T, len: usize) -> Result<Buf<T>> {
        if len == 0 {
            return Ok(Buf {
                ptr: NonNull::dangling().as_ptr(),
                len: 0,
            });
        }
        if ptr.is_null() {
            return Err(Error::NullPointer);
        }
        let bytes = len
            .checked_mul(size_of::<T>())
            .filter(|&b| b <= isize::MAX as usize)
            .ok_or(Error::SizeOverflow)?;
        let addr = ptr as usize;
        if addr.checked_add(bytes).is_none() {
            return Err(Error::SizeOverflow);
        }
        if !addr.is_multiple_of(align_of::<T>()) {
            return Err(Error::InvalidArgument);
        }
        Ok(Buf {
            ptr: ptr.cast_mut(),
            len,
        })
    }

    /// A required single object (`rng`, `config`, an out-value).
    pub(crate) fn one(ptr: *const T) -> Result<Buf<T>> {
        if ptr.is_null() {
            return Err(Error::NullPointer);
        }
        Buf::new(ptr, 1)
    }

    /// The first `needed` elements, or `BufferTooSmall`.
    pub(crate) fn first(self, needed: usize) -> Result<Buf<T>> {
        if self.len < needed {
            return Err(Error::BufferTooSmall);
        }
        Ok(Buf {
            ptr: self.ptr,
            len: needed,
        })
    }

    /// `len` elements of type `U` at byte `offset`, dangling when empty.
    ///
    /// # Safety
    /// `offset` plus the part's bytes must lie within the buffer, and the
    /// address at `offset` must be aligned for `U` when `len > 0`.
    pub(crate) unsafe fn part<U>(self, offset: usize, len: usize) -> Buf<U> {
        let ptr = if len == 0 {
            NonNull::dangling().as_ptr()
        } else {
            // SAFETY: within the buffer, by the caller's promise.
            unsafe { self.ptr.cast::<u8>().add(offset).cast::<U>() }
        };
        Buf { ptr, len }
    }

    /// Samples `share` of `len` elements each: the part of an output
    /// batch that one part of a split writes.
    ///
    /// # Safety
    /// `share.end * len` must not exceed the buffer's length.
    pub(crate) unsafe fn samples(self, share: core::ops::Range<usize>, len: usize) -> Buf<T> {
        // SAFETY: within the buffer by the caller's promise; the start of
        // a sample of a checked buffer is aligned for `T`.
        unsafe { self.part::<T>(share.start * len * size_of::<T>(), share.len() * len) }
    }

    /// The bytes it spans, as `(address, size)`.
    pub(crate) fn region(self) -> (usize, usize) {
        (self.ptr as usize, self.len * size_of::<T>())
    }

    /// # Safety
    /// The caller's memory must be valid for reads of `len` elements and not
    /// written through another reference while the slice lives.
    pub(crate) unsafe fn slice<'a>(self) -> &'a [T] {
        // SAFETY: non-NULL and aligned (checked in `new`, or dangling when
        // empty), within isize::MAX bytes; validity is the caller's promise.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// # Safety
    /// As [`Buf::slice`], for writes too, and no other live reference may
    /// cover these bytes: [`disjoint`] must have accepted the call's buffers.
    pub(crate) unsafe fn slice_mut<'a>(self) -> &'a mut [T] {
        // SAFETY: as in `slice`; uniqueness is the caller's promise.
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

/// Checks that the output regions overlap neither each other nor any input
/// region (inputs may share memory with each other: they are only read).
pub(crate) fn outputs_apart(outputs: &[(usize, usize)], inputs: &[(usize, usize)]) -> Result<()> {
    disjoint(outputs)?;
    for &input in inputs {
        for &output in outputs {
            disjoint(&[output, input])?;
        }
    }
    Ok(())
}

/// Checks that no two of the regions share a byte.
pub(crate) fn disjoint(regions: &[(usize, usize)]) -> Result<()> {
    for (k, &(a, a_len)) in regions.iter().enumerate() {
        for &(b, b_len) in regions.iter().skip(k + 1) {
            if a_len != 0 && b_len != 0 && a < b + b_len && b < a + a_len {
                return Err(Error::Overlap);
            }
        }
    }
    Ok(())
}

/// `lam` array of a batch call: 1 value for the batch, or `n`.
pub(crate) fn lambdas(lam: *const f64, lam_len: usize, n: usize) -> Result<Buf<f64>> {
    let buf = Buf::new(lam, lam_len)?;
    if lam_len == 1 || lam_len == n {
        Ok(buf)
    } else {
        Err(Error::InvalidArgument)
    }
}

/// `n * len` floats of a batch.
pub(crate) fn batch_buf<T>(ptr: *const T, n: usize, len: usize) -> Result<Buf<T>> {
    Buf::new(ptr, n.checked_mul(len).ok_or(Error::SizeOverflow)?)
}

/// An optional output: absent (length 0) or at least `needed` long.
pub(crate) fn optional<T>(ptr: *mut T, len: usize, needed: usize) -> Result<Buf<T>> {
    let buf = Buf::new(ptr, len)?;
    if len == 0 { Ok(buf) } else { buf.first(needed) }
}

/// A caller's struct that starts with its own size (`struct_size`, a
/// `size_t`), as every options struct of the ABI does: the bytes that size
/// covers are read over `defaults`, the rest keep their defaults, so a
/// caller built against an older, smaller version still works. Every
/// version's size is a multiple of 8 (docs/DESIGN.md §6), so any other
/// size, which would cut a field in two, is an error. Returns the struct
/// and the region it spans.
///
/// # Safety
/// `ptr` must be NULL or valid for reads of the `struct_size` bytes it
/// states, and every bit pattern must be a valid `T` (plain numbers and
/// raw pointers only).
pub(crate) unsafe fn read_sized<T: Copy>(
    ptr: *const T,
    defaults: T,
) -> Result<(T, (usize, usize))> {
    let head = Buf::one(ptr.cast::<usize>())?;
    if !(ptr as usize).is_multiple_of(align_of::<T>()) {
        return Err(Error::InvalidArgument);
    }
    // SAFETY: non-NULL and aligned; the caller promises at least the size field.
    let stated = unsafe { head.slice() }[0];
    if stated < size_of::<usize>() || !stated.is_multiple_of(8) {
        return Err(Error::InvalidArgument);
    }
    let bytes = Buf::new(ptr.cast::<u8>(), stated)?;
    let mut value = defaults;
    let known = stated.min(size_of::<T>());
    // SAFETY: `bytes` is valid for `stated >= known` bytes by the caller's
    // promise; `value` is a local T of `size_of::<T>() >= known` bytes; the
    // two do not overlap; every bit pattern is a valid T by the caller's
    // promise, so any prefix copied over `defaults` leaves a valid T.
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.ptr, (&raw mut value).cast::<u8>(), known);
    }
    Ok((value, bytes.region()))
}

/// Writes a size query's answer to `out`: the size, or nothing on an error.
///
/// # Safety
/// `out` must be NULL or valid and writable.
pub(crate) unsafe fn write_size(
    out: *mut usize,
    size: impl FnOnce() -> Result<usize>,
) -> mixup_status {
    status_of((|| {
        let out = Buf::one(out)?;
        let size = size()?;
        // SAFETY: checked non-NULL and aligned; writable by the caller's promise.
        let slot = unsafe { out.slice_mut() };
        slot[0] = size;
        Ok(())
    })())
}
