//! mixup against the plain C loops, side by side in one process: for each
//! batch, the library's time over the C loop's (below 1.00 the library is
//! faster), after checking that both give the same bits.
//!
//! Run with `cargo run --release --manifest-path examples/versus_c/Cargo.toml`
//! (`-- --quick` for a short run, `-- --backend avx2` to force a backend,
//! `-- --control` to time the C loop against itself: the noise floor,
//! `-- --lengths` to add in place by sample length, in cache and out).

use mixup::{
    ChannelOrder, CutBox, Cuts, ImageShape, MixRng, Mixer, Op, Pairing, Part, Plan, Sample,
    in_place_scratch_len,
};
use std::cell::RefCell;
use std::hint::black_box;
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::time::Instant;

unsafe extern "C" {
    fn c_mix_into(
        out: *mut f32,
        x: *const f32,
        n: usize,
        len: usize,
        perm: *const u32,
        ws: f32,
        wp: f32,
    );
    fn c_mix_in_place(
        x: *mut f32,
        n: usize,
        len: usize,
        perm: *const u32,
        ws: f32,
        wp: f32,
        saved: *mut f32,
        seen: *mut u8,
    );
    fn c_cutmix_in_place(
        x: *mut u8,
        n: usize,
        sample_bytes: usize,
        perm: *const u32,
        runs: *const BoxRuns,
        saved: *mut u8,
        seen: *mut u8,
    );
    fn c_mix_cycles(
        x: *mut f32,
        len: usize,
        perm: *const u32,
        starts: *const u32,
        count: usize,
        ws: f32,
        wp: f32,
        saved: *mut f32,
    );
    fn c_mix_into_range(
        out: *mut f32,
        x: *const f32,
        len: usize,
        perm: *const u32,
        first: usize,
        last: usize,
        ws: f32,
        wp: f32,
    );
    fn c_mix_into_u8(
        out: *mut u8,
        x: *const u8,
        n: usize,
        len: usize,
        perm: *const u32,
        ws: f32,
        wp: f32,
    );
}

const LAM: f64 = 0.37;

/// `len` elements from a 64-byte boundary, as PyTorch's CPU allocator and
/// `posix_memalign` give them, wherever the allocator's block starts: so
/// that no run, of either side, splits cache lines by chance. Every batch,
/// output and scratch buffer here is one.
struct Aligned<T> {
    buf: Vec<T>,
    at: usize,
    len: usize,
}

impl<T: Copy + Default> Aligned<T> {
    /// Element `k` is `f(k)`.
    fn from_fn(len: usize, mut f: impl FnMut(usize) -> T) -> Self {
        let pad = 64 / size_of::<T>();
        let mut buf = vec![T::default(); len + pad];
        let at = buf.as_ptr().align_offset(64);
        assert!(at < pad, "no 64-byte boundary in the first {pad} elements");
        for (k, v) in buf[at..at + len].iter_mut().enumerate() {
            *v = f(k);
        }
        Aligned { buf, at, len }
    }

    /// `len` copies of `value`.
    fn filled(len: usize, value: T) -> Self {
        Self::from_fn(len, |_| value)
    }
}

impl<T: Copy + Default> Clone for Aligned<T> {
    fn clone(&self) -> Self {
        Self::from_fn(self.len, |k| self[k])
    }
}

impl<T> Deref for Aligned<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.buf[self.at..][..self.len]
    }
}

impl<T> DerefMut for Aligned<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.buf[self.at..][..self.len]
    }
}

/// The scratch of an in-place call, `len + n` elements: the library's
/// (it needs less), and the same memory serves the C loop as its saved
/// sample (the first `len`) and its `n` bytes of marks (after them), so
/// that neither side gains from where its scratch happens to lie.
fn scratch<T: Copy + Default>(n: usize, len: usize) -> RefCell<Aligned<T>> {
    RefCell::new(Aligned::filled(len + n, T::default()))
}

/// The C loop's saved sample and marks, in the scratch of [`scratch`].
fn c_scratch<T>(scratch: &mut [T], len: usize) -> (*mut T, *mut u8) {
    let (saved, seen) = scratch.split_at_mut(len);
    (saved.as_mut_ptr(), seen.as_mut_ptr().cast())
}

/// The runs of a box in one sample, in bytes, as `loops.c` walks them.
#[repr(C)]
struct BoxRuns {
    planes: usize,
    plane_bytes: usize,
    rows: usize,
    row_bytes: usize,
    first: usize,
    run_bytes: usize,
}

/// A random permutation of `n` samples, the same in every run.
fn permutation(n: usize) -> Vec<u32> {
    let mut perm = vec![0u32; n];
    Pairing::Permutation
        .fill(&mut MixRng::seed_from_u64(3), &mut perm)
        .unwrap();
    perm
}

/// `n` samples of `len` f32 to mix.
fn batch(n: usize, len: usize) -> Aligned<f32> {
    Aligned::from_fn(n * len, |i| (i % 1013) as f32 * 0.01 - 3.0)
}

/// Mixup in place over `perm`, against the plain cycle walk.
fn in_place(
    mixer: Mixer,
    timing: Timing,
    x: &Aligned<f32>,
    len: usize,
    perm: &[u32],
) -> (f64, f64, f64) {
    let (n, (ws, wp)) = (perm.len(), (LAM as f32, (1.0 - LAM) as f32));
    let plan = Plan::new(perm, &[LAM]);
    let c_loop = |x: &mut [f32], saved, seen| {
        // SAFETY: every pointer is valid for the lengths given.
        unsafe { c_mix_in_place(x.as_mut_ptr(), n, len, perm.as_ptr(), ws, wp, saved, seen) }
    };
    in_place_against(mixer, timing, x, len, plan, c_loop)
}

/// The library's `mix_in_place` of `plan` against `c_loop(x, saved,
/// seen)`, both with the same scratch: the same bits once, then both time
/// the same buffer (each call mixes it again, the same work).
fn in_place_against<T: Sample + Bits>(
    mixer: Mixer,
    timing: Timing,
    x: &Aligned<T>,
    len: usize,
    plan: Plan<'_>,
    c_loop: impl Fn(&mut [T], *mut T, *mut u8),
) -> (f64, f64, f64) {
    let scratch = scratch::<T>(plan.len(), len);
    let ours = |x: &mut [T]| {
        mixer
            .mix_in_place(x, len, plan, &mut scratch.borrow_mut())
            .unwrap()
    };
    let theirs = |x: &mut [T]| {
        let (saved, seen) = c_scratch(&mut scratch.borrow_mut(), len);
        c_loop(x, saved, seen)
    };
    same_then_ratio(x, timing, ours, theirs, "in-place results differ")
}

/// With `--lengths`: in place by sample length, in cache and out of it,
/// the rows that chose where the AVX-512 loop goes from eight vectors an
/// iteration to four.
fn by_length(mixer: Mixer, timing: Timing) {
    println!();
    println!("| in place f32, by sample length | in cache (3 to 5 MB) | out of cache (77 MB) |");
    println!("| --- | ---: | ---: |");
    for (side, name) in [
        (32, "3x32x32 (12 KiB)"),
        (64, "3x64x64 (48 KiB)"),
        (128, "3x128x128 (192 KiB)"),
        (224, "3x224x224 (588 KiB)"),
    ] {
        let len = 3 * side * side;
        let cells = [3 << 20, 128 * 3 * 224 * 224 * 4].map(|bytes: usize| {
            let n = (bytes / (4 * len)).max(8);
            cell(in_place(
                mixer,
                timing,
                &batch(n, len),
                len,
                &permutation(n),
            ))
        });
        println!("| {name} | {} | {} |", cells[0], cells[1]);
    }
}

/// CutMix in place, one box for the batch and roll(1) pairing (as
/// torchvision's `CutMix`), against the plain C loop that copies the same
/// box rows: the ratio, after checking both give the same bytes.
fn cutmix_in_place<T: Sample + Bits>(
    mixer: Mixer,
    timing: Timing,
    image: ImageShape,
    n: usize,
    value: impl Fn(usize) -> T,
) -> (f64, f64, f64) {
    let len = image.elements().unwrap();
    let (side, at) = (158u32, 33u32);
    let cut = CutBox {
        y1: at,
        y2: at + side,
        x1: at,
        x2: at + side,
    };
    let perm: Vec<u32> = (0..n as u32)
        .map(|i| (i + n as u32 - 1) % n as u32)
        .collect();
    let (boxes, ops) = (vec![cut; n], vec![Op::CutMix; n]);
    let lam = [cut.corrected_lambda(image.height, image.width)];
    let plan = Plan::new(&perm, &lam).with_ops(&ops).with_cuts(Cuts {
        image,
        boxes: &boxes,
    });
    let size = size_of::<T>();
    let (w, c) = (image.width, image.channels);
    let (cols, rows) = ((cut.x2 - cut.x1) as usize, (cut.y2 - cut.y1) as usize);
    let runs_of = match image.layout {
        ChannelOrder::Hwc => BoxRuns {
            planes: 1,
            plane_bytes: 0,
            rows,
            row_bytes: w * c * size,
            first: (cut.y1 as usize * w + cut.x1 as usize) * c * size,
            run_bytes: cols * c * size,
        },
        ChannelOrder::Chw => BoxRuns {
            planes: c,
            plane_bytes: image.height * w * size,
            rows,
            row_bytes: w * size,
            first: (cut.y1 as usize * w + cut.x1 as usize) * size,
            run_bytes: cols * size,
        },
    };
    let x = Aligned::from_fn(n * len, value);
    let c_loop = |x: &mut [T], saved: *mut T, seen| {
        // SAFETY: every pointer is valid for the lengths given; the runs
        // lie inside one sample.
        unsafe {
            c_cutmix_in_place(
                x.as_mut_ptr().cast(),
                n,
                len * size,
                perm.as_ptr(),
                &runs_of,
                saved.cast(),
                seen,
            )
        }
    };
    in_place_against(mixer, timing, &x, len, plan, c_loop)
}

/// Each timed run repeats its call until it lasts at least this long, so
/// that a call of a few microseconds is not timed alone, against the
/// clock's own cost and jitter.
const RUN_SECONDS: f64 = 2e-3;

/// How a row is timed: `pairs` pairs of runs, one of each side, and
/// whether the C loop stands in for the library (`--control`: the C loop
/// timed against itself, so that every ratio shows the noise).
#[derive(Clone, Copy)]
struct Timing {
    pairs: usize,
    control: bool,
}

/// Times `ours` and `theirs` in pairs of runs, one right after the other,
/// the side that goes first alternating, each run [`RUN_SECONDS`] or more
/// of the C loop's calls. The ratio is the median of the pairs' ratios, so
/// that a machine that slows or speeds up between pairs (a VM's
/// neighbours) moves both sides of a pair alike. Returns it with the two
/// median times per call.
fn ratio(timing: Timing, mut ours: impl FnMut(), mut theirs: impl FnMut()) -> (f64, f64, f64) {
    let t = Instant::now();
    theirs();
    let reps = (RUN_SECONDS / t.elapsed().as_secs_f64()).ceil().max(1.0) as usize;
    // one run: of the library (for the control, of the C loop again), or of the C loop
    let mut run = |library: bool| {
        let f: &mut dyn FnMut() = if library && !timing.control {
            &mut ours
        } else {
            &mut theirs
        };
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        t.elapsed().as_secs_f64() / reps as f64
    };
    let (mut ratios, mut a, mut b) = (Vec::new(), Vec::new(), Vec::new());
    for pair in 0..timing.pairs {
        let (x, y) = if pair % 2 == 0 {
            let x = run(true);
            (x, run(false))
        } else {
            let y = run(false);
            (run(true), y)
        };
        ratios.push(x / y);
        a.push(x);
        b.push(y);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(ratios), median(a), median(b))
}

/// The CPU's model name and its vector extensions, from /proc/cpuinfo.
fn cpu() -> (String, String) {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        info.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split(':').nth(1))
            .unwrap_or("unknown")
            .trim()
            .to_string()
    };
    let flags = field("flags");
    let mut vector: Vec<&str> = flags
        .split_whitespace()
        .filter(|f| f.starts_with("avx") || *f == "fma" || f.starts_with("sse4"))
        .collect();
    vector.sort();
    vector.dedup();
    (field("model name"), vector.join(" "))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let timing = Timing {
        pairs: if flag("--quick") { 15 } else { 135 },
        control: flag("--control"),
    };
    let (model, vector) = cpu();
    // `--backend NAME` forces a backend, to compare them
    let forced = args
        .iter()
        .position(|a| a == "--backend")
        .and_then(|k| args.get(k + 1))
        .map(|name| {
            let b = mixup::Backend::ALL.into_iter().find(|b| b.name() == name);
            b.and_then(Mixer::with_backend)
                .expect("a backend this CPU has")
        });
    let mixer = forced.unwrap_or_default();
    println!("CPU: {model}");
    println!("vector extensions: {vector}");
    println!(
        "mixup backend: {}; C: gcc -O3 -march=native -ffp-contract=off",
        mixer.backend().name()
    );
    if timing.control {
        println!(
            "--control: the C loop timed against itself in every row, the noise of the measurement"
        );
    }
    println!(
        "library time / C loop time (below 1.00 the library is faster): the median ratio of {} pairs of runs, each run 2 ms or more of calls",
        timing.pairs
    );
    println!();
    println!("| batch | in place f32 | out of place f32 | u8 out of place |");
    println!("| --- | ---: | ---: | ---: |");
    let (ws, wp) = (LAM as f32, (1.0 - LAM) as f32);
    for (n, len, name) in [
        (256usize, 3 * 32 * 32, "256x3x32x32 (3 MB)"),
        (64, 3 * 32 * 32, "64x3x32x32 (0.8 MB)"),
        (128, 3 * 224 * 224, "128x3x224x224 (77 MB)"),
    ] {
        let perm = permutation(n);
        let x = batch(n, len);
        let plan = Plan::new(&perm, &[LAM]);
        let in_place = in_place(mixer, timing, &x, len, &perm);

        // out of place, f32 and u8: both write the same output buffer
        let out = RefCell::new(Aligned::filled(n * len, 0.0f32));
        let ours = |x: &[f32]| mixer.mix_into(&mut out.borrow_mut(), x, len, plan).unwrap();
        let theirs = |x: &[f32]| {
            let o = out.borrow_mut().as_mut_ptr();
            // SAFETY: as above.
            unsafe { c_mix_into(o, x.as_ptr(), n, len, perm.as_ptr(), ws, wp) }
        };
        let into = same_then_ratio_into(&x, &out, timing, ours, theirs, "f32 bits differ");

        let bytes = Aligned::from_fn(n * len, |i| (i * 7 % 251) as u8);
        let out_u8 = RefCell::new(Aligned::filled(n * len, 0u8));
        let ours = |x: &[u8]| {
            mixer
                .mix_into(&mut out_u8.borrow_mut(), x, len, plan)
                .unwrap()
        };
        let theirs = |x: &[u8]| {
            let o = out_u8.borrow_mut().as_mut_ptr();
            // SAFETY: as above.
            unsafe { c_mix_into_u8(o, x.as_ptr(), n, len, perm.as_ptr(), ws, wp) }
        };
        let u8_into =
            same_then_ratio_into(&bytes, &out_u8, timing, ours, theirs, "u8 bytes differ");
        println!(
            "| {name} | {} | {} | {} |",
            cell(in_place),
            cell(into),
            cell(u8_into)
        );
    }

    println!();
    println!("| CutMix in place, 128 samples, one 158x158 box, roll(1) | ratio |");
    println!("| --- | ---: |");
    let image = |channels, layout| ImageShape {
        channels,
        height: 224,
        width: 224,
        layout,
    };
    let u8_hwc = cutmix_in_place(mixer, timing, image(3, ChannelOrder::Hwc), 128, |i| {
        (i * 7 % 251) as u8
    });
    println!("| 224x224x3 u8 HWC (474-byte rows) | {} |", cell(u8_hwc));
    let f32_chw = cutmix_in_place(mixer, timing, image(3, ChannelOrder::Chw), 128, |i| {
        (i % 1013) as f32 * 0.01
    });
    println!("| 3x224x224 f32 CHW (632-byte rows) | {} |", cell(f32_chw));

    println!();
    println!("| two threads on one batch (a random permutation) | ratio |");
    println!("| --- | ---: |");
    let [in_place, into] = two_parts(mixer, timing);
    println!(
        "| in place, 256x3x32x32 f32 (3 MB), 2 parts | {} |",
        cell(in_place)
    );
    println!(
        "| out of place, 64x3x32x32 f32 (0.8 MB), 2 parts | {} |",
        cell(into)
    );
    if flag("--lengths") {
        by_length(mixer, timing);
    }
}

/// A raw pointer that two threads share, each touching its own samples.
#[derive(Clone, Copy)]
struct Shared(*mut f32);
// SAFETY: each thread writes only the samples of its own part.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

impl Shared {
    /// Element `k` (a method, so that closures take the whole `Shared`).
    fn at(self, k: usize) -> *mut f32 {
        self.0.wrapping_add(k)
    }
}

/// A second thread kept for a row's whole timing, as a loader keeps its
/// workers, so that the two-thread rows time the mixing and not a thread's
/// spawn (which moved one row's time per call from 104 to 282 µs between
/// runs). Between jobs it spins: no wake-up inside a timed call.
struct Helper {
    /// The job of the generation posted last: a `*const Job<'_>`.
    job: AtomicPtr<()>,
    /// The generation posted last.
    posted: AtomicUsize,
    /// The generation the helper finished last.
    done: AtomicUsize,
    /// Set when the helper's half of a job panicked.
    failed: AtomicBool,
    /// Set to make the helper return.
    stop: AtomicBool,
}

/// What both threads run, with the thread's index.
type Job<'f> = &'f (dyn Fn(usize) + Sync);

impl Helper {
    fn new() -> Helper {
        Helper {
            job: AtomicPtr::new(std::ptr::null_mut()),
            posted: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            failed: AtomicBool::new(false),
            stop: AtomicBool::new(false),
        }
    }

    /// The second thread's loop: each posted job with index 1, until `stop`.
    fn serve(&self) {
        let mut seen = 0;
        loop {
            let generation = loop {
                if self.stop.load(Ordering::Acquire) {
                    return;
                }
                let g = self.posted.load(Ordering::Acquire);
                if g != seen {
                    break g;
                }
                std::hint::spin_loop();
            };
            seen = generation;
            // SAFETY: `run` posted a pointer to its `Job`, which it keeps
            // alive until it sees `done` reach this generation.
            let job = unsafe { *self.job.load(Ordering::Acquire).cast::<Job<'_>>() };
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(1))).is_err() {
                self.failed.store(true, Ordering::Release);
            }
            self.done.store(generation, Ordering::Release);
        }
    }

    /// Runs `f(0)` here and `f(1)` on the helper, as a loader splits one
    /// batch between two cores; returns when both are done.
    fn run(&self, f: impl Fn(usize) + Sync) {
        let job: Job<'_> = &f;
        self.job
            .store((&raw const job).cast_mut().cast(), Ordering::Release);
        let generation = self.posted.load(Ordering::Relaxed) + 1;
        self.posted.store(generation, Ordering::Release);
        // `job` must outlive the helper's half, even if this half panics
        let here = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(0)));
        while self.done.load(Ordering::Acquire) != generation {
            std::hint::spin_loop();
        }
        if let Err(panic) = here {
            std::panic::resume_unwind(panic);
        }
        assert!(
            !self.failed.load(Ordering::Acquire),
            "the helper's half panicked"
        );
    }
}

/// Runs `body` with a [`Helper`] serving on a second thread, which stops
/// when `body` returns or panics.
fn with_helper<R>(body: impl FnOnce(&Helper) -> R) -> R {
    struct StopOnDrop<'h>(&'h Helper);
    impl Drop for StopOnDrop<'_> {
        fn drop(&mut self) {
            self.0.stop.store(true, Ordering::Release);
        }
    }
    let helper = Helper::new();
    std::thread::scope(|s| {
        s.spawn(|| helper.serve());
        let _stop = StopOnDrop(&helper);
        body(&helper)
    })
}

/// The cycle starts of each of two parts, by the library's documented
/// split: a cycle, taken in order of its first sample, belongs to the part
/// whose share of samples holds the count of samples before it.
fn cycle_starts(perm: &[u32]) -> [Vec<u32>; 2] {
    let n = perm.len();
    let (mut seen, mut before, mut parts) = (vec![false; n], 0, [Vec::new(), Vec::new()]);
    for start in 0..n {
        if seen[start] {
            continue;
        }
        let (mut k, mut length) = (start, 0);
        while !seen[k] {
            seen[k] = true;
            length += 1;
            k = perm[k] as usize;
        }
        let part = usize::from(
            !Part { index: 0, count: 2 }
                .samples(n)
                .unwrap()
                .contains(&before),
        );
        parts[part].push(start as u32);
        before += length;
    }
    parts
}

/// Two threads on one batch, in place (256x3x32x32, a random permutation)
/// and out of place (64x3x32x32), against the plain loops on two threads
/// given the same shares.
fn two_parts(mixer: Mixer, timing: Timing) -> [(f64, f64, f64); 2] {
    with_helper(|helper| two_parts_with(mixer, timing, helper))
}

/// [`two_parts`], with the second thread.
fn two_parts_with(mixer: Mixer, timing: Timing, helper: &Helper) -> [(f64, f64, f64); 2] {
    let (ws, wp) = (LAM as f32, (1.0 - LAM) as f32);
    let len = 3 * 32 * 32;
    let row = |n: usize, in_place: bool| {
        let mut perm = vec![0u32; n];
        Pairing::Permutation
            .fill(&mut MixRng::seed_from_u64(5), &mut perm)
            .unwrap();
        let plan = Plan::new(&perm, &[LAM]);
        let x = Aligned::from_fn(n * len, |i| (i % 1013) as f32 * 0.01 - 3.0);
        let starts = cycle_starts(&perm);
        let shares = [0, 1].map(|k| Part { index: k, count: 2 }.samples(n).unwrap());
        // each thread's scratch, the same for the library and the C loop
        let scratch_len = in_place_scratch_len(n, len).unwrap();
        let scratch = [0, 1].map(|_| Mutex::new(Aligned::filled(scratch_len, 0.0f32)));
        let ours = |buffer: &mut [f32]| {
            let p = Shared(buffer.as_mut_ptr());
            if in_place {
                let parts = mixer.in_place_parts(buffer, len, plan).unwrap();
                helper.run(|k| {
                    let mut s = scratch[k].lock().unwrap();
                    parts.run(Part { index: k, count: 2 }, &mut s).unwrap()
                });
            } else {
                helper.run(|k| {
                    let r = shares[k].clone();
                    // SAFETY: each thread writes only its share of the output.
                    let out = unsafe {
                        std::slice::from_raw_parts_mut(p.at(r.start * len), r.len() * len)
                    };
                    mixer
                        .mix_into_part(out, &x, len, plan, Part { index: k, count: 2 })
                        .unwrap()
                });
            }
        };
        let theirs = |buffer: &mut [f32]| {
            let p = Shared(buffer.as_mut_ptr());
            helper.run(|k| {
                let mut saved = scratch[k].lock().unwrap();
                // SAFETY: each thread touches only the samples of its share.
                unsafe {
                    if in_place {
                        c_mix_cycles(
                            p.at(0),
                            len,
                            perm.as_ptr(),
                            starts[k].as_ptr(),
                            starts[k].len(),
                            ws,
                            wp,
                            saved.as_mut_ptr(),
                        )
                    } else {
                        let r = &shares[k];
                        c_mix_into_range(
                            p.at(0),
                            x.as_ptr(),
                            len,
                            perm.as_ptr(),
                            r.start,
                            r.end,
                            ws,
                            wp,
                        )
                    }
                }
            });
        };
        same_then_ratio(&x, timing, ours, theirs, "parts differ")
    };
    [row(256, true), row(64, false)]
}

/// In place: checks that `ours` and `theirs` leave the same bits in two
/// copies of `x`, then times both on one more copy (each call mixes it
/// again: the same work, in the same memory).
fn same_then_ratio<T: Copy + Default + Bits>(
    x: &Aligned<T>,
    timing: Timing,
    ours: impl Fn(&mut [T]),
    theirs: impl Fn(&mut [T]),
    differ: &str,
) -> (f64, f64, f64) {
    let (mut a, mut b) = (x.clone(), x.clone());
    ours(&mut a);
    theirs(&mut b);
    assert!(same_bits(&a, &b), "{differ}");
    let shared = RefCell::new(x.clone());
    ratio(
        timing,
        || ours(black_box(&mut shared.borrow_mut())),
        || theirs(&mut shared.borrow_mut()),
    )
}

/// Out of place, into `out`: checks that `ours` and `theirs` write the
/// same bits (each into a zeroed `out`, so that one that writes nothing
/// is seen), then times both.
fn same_then_ratio_into<T: Copy + Default + Bits>(
    x: &[T],
    out: &RefCell<Aligned<T>>,
    timing: Timing,
    ours: impl Fn(&[T]),
    theirs: impl Fn(&[T]),
    differ: &str,
) -> (f64, f64, f64) {
    out.borrow_mut().fill(T::default());
    ours(x);
    let first = out.borrow().clone();
    out.borrow_mut().fill(T::default());
    theirs(x);
    assert!(same_bits(&first, &out.borrow()), "{differ}");
    ratio(timing, || ours(black_box(x)), || theirs(x))
}

/// Elements compared by their bits (a NaN equals itself, `-0` is not `+0`).
trait Bits {
    fn bits(self) -> u32;
}

impl Bits for f32 {
    fn bits(self) -> u32 {
        self.to_bits()
    }
}

impl Bits for u8 {
    fn bits(self) -> u32 {
        self.into()
    }
}

fn same_bits<T: Copy + Bits>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(p, q)| p.bits() == q.bits())
}

/// A ratio and both times, for the table.
fn cell((r, a, b): (f64, f64, f64)) -> String {
    format!("{r:.2} ({:.0} / {:.0} µs)", a * 1e6, b * 1e6)
}
