//! What the fuzz targets share: one arena that holds every buffer of a C
//! call, laid out from the fuzzer's input with at most one fault (a NULL,
//! misaligned or overlapping pointer, or a length one short); a snapshot of
//! it, to check that an error wrote nothing; and the reference formulas, to
//! check a success.
//!
//! Stated lengths never pass the arena's end, so a call that accepts its
//! arguments may touch everything they describe.

pub use libfuzzer_sys::arbitrary::{self, Unstructured};

/// One buffer of a call: element size and alignment, and how many elements.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Bytes per element.
    pub size: usize,
    /// Alignment the type needs.
    pub align: usize,
    /// Elements.
    pub len: usize,
}

impl Spec {
    /// `len` elements of `T`.
    pub fn of<T>(len: usize) -> Spec {
        Spec {
            size: size_of::<T>(),
            align: align_of::<T>(),
            len,
        }
    }
}

/// Where a buffer lies in the arena and what the call is told of it.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    at: usize,
    len: usize,
    size: usize,
    /// The bytes of the buffer as specified, before any fault.
    room: usize,
    null: bool,
}

/// Every buffer of one call, in one allocation.
pub struct Arena {
    words: Vec<u64>,
    slots: Vec<Slot>,
}

impl Arena {
    /// Lays the buffers out one after another, each 16-byte aligned, fills
    /// them with the input's bytes, then applies one fault or none.
    pub fn new(u: &mut Unstructured<'_>, specs: &[Spec]) -> Arena {
        let mut at = 0;
        let mut slots = Vec::with_capacity(specs.len());
        for s in specs {
            slots.push(Slot {
                at,
                len: s.len,
                size: s.size,
                room: s.len * s.size,
                null: false,
            });
            at += (s.len * s.size).next_multiple_of(16) + 16;
        }
        let largest = specs.iter().map(|s| s.len * s.size).max().unwrap_or(0);
        let mut arena = Arena {
            words: vec![0; (at + largest + 16).div_ceil(8)],
            slots,
        };
        let _ = u.fill_buffer(arena.bytes_mut());
        let fault: u8 = u.arbitrary().unwrap_or(0);
        let k = usize::from(u.arbitrary::<u8>().unwrap_or(0)) % specs.len().max(1);
        let j = usize::from(u.arbitrary::<u8>().unwrap_or(0)) % specs.len().max(1);
        let other = arena.slots.get(j).map_or(0, |s| s.at);
        if let Some(slot) = arena.slots.get_mut(k) {
            // 0 (as input that ran out reads) is no fault
            match fault % 10 {
                1 if slot.len > 0 => slot.null = true,
                2 if specs[k].align > 1 => {
                    slot.at += 1 + usize::from(fault / 16) % (specs[k].align - 1)
                }
                3 if slot.len > 0 => slot.len -= 1,
                4 => slot.at = other,
                _ => {}
            }
        }
        arena
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        let n = self.words.len() * 8;
        // SAFETY: the words are plain bytes, and the slice takes over the unique borrow.
        unsafe { std::slice::from_raw_parts_mut(self.words.as_mut_ptr().cast(), n) }
    }

    /// The arena's bytes.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: as in `bytes_mut`, shared.
        unsafe { std::slice::from_raw_parts(self.words.as_ptr().cast(), self.words.len() * 8) }
    }

    /// The pointer the call gets for buffer `k`.
    pub fn ptr<T>(&mut self, k: usize) -> *mut T {
        let s = self.slots[k];
        if s.null {
            std::ptr::null_mut()
        } else {
            self.bytes_mut()[s.at..].as_mut_ptr().cast()
        }
    }

    /// Where every buffer lies, for failure messages.
    pub fn layout(&self) -> String {
        format!("{:?}", self.slots)
    }

    /// The length the call is told for buffer `k`.
    pub fn len(&self, k: usize) -> usize {
        self.slots[k].len
    }

    /// The elements buffer `k` was given, whatever the call is told: what
    /// bounds a check of a buffer whose length the call infers.
    pub fn room(&self, k: usize) -> usize {
        self.slots[k].room / self.slots[k].size.max(1)
    }

    /// Element `i` of buffer `k`, wherever it lies.
    pub fn get<T: Copy>(&self, k: usize, i: usize) -> T {
        let at = self.slots[k].at + i * size_of::<T>();
        let bytes = &self.bytes()[at..at + size_of::<T>()];
        // SAFETY: `bytes` holds one T; every T used here is plain data.
        unsafe { bytes.as_ptr().cast::<T>().read_unaligned() }
    }

    /// Element `i` of buffer `k` as it was in `before`, a snapshot.
    pub fn was<T: Copy>(&self, before: &[u8], k: usize, i: usize) -> T {
        let at = self.slots[k].at + i * size_of::<T>();
        let bytes = &before[at..at + size_of::<T>()];
        // SAFETY: `bytes` holds one T; every T used here is plain data.
        unsafe { bytes.as_ptr().cast::<T>().read_unaligned() }
    }

    /// Sets element `i` of buffer `k` (before the call), if the buffer has it.
    pub fn set<T: Copy>(&mut self, k: usize, i: usize, value: T) {
        let s = self.slots[k];
        if (i + 1) * size_of::<T>() > s.room {
            return;
        }
        let at = s.at + i * size_of::<T>();
        let bytes = &mut self.bytes_mut()[at..at + size_of::<T>()];
        // SAFETY: `bytes` holds one T.
        unsafe { bytes.as_mut_ptr().cast::<T>().write_unaligned(value) }
    }

    /// A copy of every byte.
    pub fn snapshot(&self) -> Vec<u8> {
        self.bytes().to_vec()
    }

    /// Panics unless every byte is as in `before`, except those of the
    /// buffers in `scratch` (the library's to clobber on every return).
    pub fn assert_untouched(&self, before: &[u8], scratch: &[usize], status: i32) {
        let in_scratch = |b: usize| {
            scratch.iter().any(|&k| {
                let s = self.slots[k];
                !s.null && b >= s.at && b < s.at + s.len * s.size
            })
        };
        for (b, (now, was)) in self.bytes().iter().zip(before).enumerate() {
            assert!(
                now == was || in_scratch(b),
                "status {status}: byte {b} changed on error"
            );
        }
    }
}

/// A side no harness could walk: `2^33`. An empty shape with such a side is
/// valid (it has no elements), so a call may accept it; a check that loops
/// over a dimension rather than over the elements touched would then hang.
pub const HUGE: usize = 1 << 33;

/// The most elements a harness allocates for one buffer (the arena is
/// copied and compared on every run: keep it small). A call that needs
/// more (a shape with a [`HUGE`] side and a nonzero other one) is given
/// this many, and must refuse it.
pub const MOST: usize = 1 << 12;

/// One side of a shape: at most `most`, or one time in 16 [`HUGE`].
pub fn side(u: &mut Unstructured<'_>, most: usize) -> usize {
    match u.arbitrary::<u8>().unwrap_or(0) % 16 {
        15 => HUGE,
        _ => u.int_in_range(0..=most).unwrap_or(0),
    }
}

/// Two sides of a shape: one time in 16 each the empty `[0, HUGE]` and
/// `[HUGE, 0]`, otherwise each at most `most[k]`.
pub fn sides(u: &mut Unstructured<'_>, most: [usize; 2]) -> [usize; 2] {
    match u.arbitrary::<u8>().unwrap_or(0) % 16 {
        14 => [0, HUGE],
        15 => [HUGE, 0],
        _ => most.map(|m| u.int_in_range(0..=m).unwrap_or(0)),
    }
}

/// `len`, or [`MOST`] where `len` is more: what a buffer gets.
pub fn room(len: usize) -> usize {
    len.min(MOST)
}

/// Every `(sample, element)` of `n` samples of `len` elements, which a call
/// accepted for a buffer of `room` elements (and so must fit there): a
/// check walks these, so it is bounded by the elements touched, never by
/// one side.
pub fn samples(n: usize, len: usize, room: usize) -> impl Iterator<Item = (usize, usize)> {
    let total = n.checked_mul(len).filter(|&t| t <= room);
    let total = total.unwrap_or_else(|| panic!("accepted {n} x {len} for {room} elements"));
    (0..total).map(move |t| (t / len, t % len))
}

/// A lambda from the input: mostly in `[0, 1]`, with the ends, sometimes
/// anything at all.
pub fn lambda(u: &mut Unstructured<'_>) -> f64 {
    match u.arbitrary::<u8>().unwrap_or(0) % 8 {
        0 => 0.0,
        1 => 1.0,
        2 => f64::from_bits(u.arbitrary().unwrap_or(0)),
        _ => f64::from(u.arbitrary::<u32>().unwrap_or(0)) / f64::from(u32::MAX),
    }
}

/// The weights of docs/DESIGN.md §2: `(f32) lam` and `(f32) (1 - lam)`, in f64.
pub fn weights(lam: f64) -> (f32, f32) {
    (lam as f32, (1.0 - lam) as f32)
}

/// The f32 blend: two rounded products and a rounded add.
pub fn blend(lam: f64, x: f32, y: f32) -> f32 {
    let (ws, wp) = weights(lam);
    ws * x + wp * y
}

/// timm's u8 blend: `sat(rint(f32(a) * ws + f32(b) * wp))`, ties to even.
pub fn blend_u8(lam: f64, a: u8, b: u8) -> u8 {
    let (ws, wp) = weights(lam);
    (f32::from(a) * ws + f32::from(b) * wp)
        .round_ties_even()
        .clamp(0.0, 255.0) as u8
}

/// Bit equality, any NaN equal to any NaN (payloads are not fixed).
pub fn same(x: f32, y: f32) -> bool {
    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
}

/// Partner `i` of `n`: mostly in range, sometimes not.
pub fn partner(u: &mut Unstructured<'_>, n: usize) -> u32 {
    let raw: u32 = u.arbitrary().unwrap_or(0);
    if raw % 64 == 0 {
        raw
    } else {
        (raw as usize % n.max(1)) as u32
    }
}

/// A permutation of `0..n` (Fisher-Yates from the input), sometimes with
/// one entry broken.
pub fn permutation(u: &mut Unstructured<'_>, n: usize) -> Vec<u32> {
    let mut p: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        let j = u.arbitrary::<u32>().unwrap_or(0) as usize % (i + 1);
        p.swap(i, j);
    }
    if n > 0 && u.arbitrary::<u8>().unwrap_or(0) % 16 == 0 {
        p[0] = partner(u, n + 2);
    }
    p
}

/// A CutMix box mostly inside a `height x width` image: corners ordered,
/// each at most 8 and at most the side.
pub fn cut_box(u: &mut Unstructured<'_>, height: usize, width: usize) -> mixup::ffi::mixup_box {
    let corner = |u: &mut Unstructured<'_>, side: usize| {
        (u.int_in_range(0..=side.min(8)).unwrap_or(0) as u32).min(side as u32)
    };
    let (y1, x1) = (corner(u, height), corner(u, width));
    let (y2, x2) = (corner(u, height).max(y1), corner(u, width).max(x1));
    mixup::ffi::mixup_box { y1, y2, x1, x2 }
}
