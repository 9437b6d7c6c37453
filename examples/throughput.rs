//! Prints mixing throughput on this machine: GB/s per backend and per
//! operation, next to `memcpy` of the same batch, as medians of repeated
//! runs. Bytes counted are twice the batch (read once, written once), so
//! `vs memcpy` is the ratio of times (lower is faster).
//!
//! ```sh
//! cargo run --release --example throughput                  # the two standard shapes
//! cargo run --release --example throughput -- --n 64 --len 150528
//! ```

use mixup::{Backend, MixRng, Mixer, Pairing, Plan, Stores, in_place_scratch_len};
use std::hint::black_box;
use std::time::{Duration, Instant};

const LAM: f64 = 0.37;

/// The median time of `runs` calls, after one warm-up call.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn report(n: usize, len: usize) {
    let bytes = 2.0 * 4.0 * (n * len) as f64;
    let runs = (2e9 / bytes).clamp(5.0, 51.0) as usize;
    let mut x: Vec<f32> = (0..n * len).map(|i| (i % 977) as f32 * 1e-3).collect();
    let mut out = vec![0.0f32; n * len];
    let mut scratch = vec![0.0f32; in_place_scratch_len(n, len).unwrap()];
    let (mut roll, mut perm) = (vec![0u32; n], vec![0u32; n]);
    let mut rng = MixRng::seed_from_u64(1);
    Pairing::Roll(1).fill(&mut rng, &mut roll).unwrap();
    Pairing::Permutation.fill(&mut rng, &mut perm).unwrap();

    println!(
        "\n{n} samples x {len} f32 ({:.1} MB), median of {runs} runs",
        (n * len * 4) as f64 / 1e6
    );
    println!(
        "{:<10} {:<26} {:>9} {:>11}",
        "backend", "operation", "GB/s", "vs memcpy"
    );
    let base = median(runs, || out.copy_from_slice(black_box(&x)));
    let line = |backend: &str, op: &str, t: Duration| {
        println!(
            "{backend:<10} {op:<26} {:>9.2} {:>11.2}",
            bytes / t.as_secs_f64() / 1e9,
            t.as_secs_f64() / base.as_secs_f64()
        );
    };
    line("-", "memcpy", base);
    for backend in Backend::ALL {
        let Some(mixer) = Mixer::with_backend(backend) else {
            continue;
        };
        let name = backend.name();
        line(
            name,
            "in place, roll",
            median(runs, || {
                mixer
                    .mix_in_place(
                        black_box(&mut x),
                        len,
                        Plan::new(&roll, &[LAM]),
                        &mut scratch,
                    )
                    .unwrap()
            }),
        );
        line(
            name,
            "in place, permutation",
            median(runs, || {
                mixer
                    .mix_in_place(
                        black_box(&mut x),
                        len,
                        Plan::new(&perm, &[LAM]),
                        &mut scratch,
                    )
                    .unwrap()
            }),
        );
        for (stores, op) in [
            (Stores::Auto, "out of place, permutation"),
            (Stores::Cached, "  ... cached stores"),
            (Stores::Streaming, "  ... streaming stores"),
        ] {
            let mixer = mixer.with_stores(stores);
            line(
                name,
                op,
                median(runs, || {
                    mixer
                        .mix_into(black_box(&mut out), &x, len, Plan::new(&perm, &[LAM]))
                        .unwrap()
                }),
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| -> Option<usize> {
        let at = args.iter().position(|a| a == flag)?;
        match args.get(at + 1).and_then(|v| v.parse().ok()) {
            Some(v) => Some(v),
            None => {
                eprintln!("{flag} needs a positive number");
                std::process::exit(2);
            }
        }
    };
    println!(
        "mixup throughput, best backend here: {}",
        Backend::detect().name()
    );
    match (value("--n"), value("--len")) {
        (None, None) => {
            report(128, 3 * 224 * 224);
            report(256, 3 * 32 * 32);
        }
        (n, len) => report(n.unwrap_or(128), len.unwrap_or(3 * 224 * 224)),
    }
}
