//! Mixes the sample photographs with torchvision's roll pairing and with a
//! random permutation, prints lambda and the pairs, and writes a PNG grid:
//! the originals on top, roll mixtures in the middle, permutation mixtures
//! below.
//!
//! Run with `cargo run --release --example demo`.

use mixup::{
    Granularity, MixConfig, MixRng, Mixer, Pairing, in_place_scratch_len, one_hot_targets,
};
use std::error::Error;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

const NAMES: [&str; 6] = [
    "astronaut",
    "chelsea",
    "coffee",
    "hubble",
    "retina",
    "rocket",
];
const SIDE: usize = 224;
const LEN: usize = 3 * SIDE * SIDE;

/// Reads an 8-bit RGB PNG into CHW floats in [0, 1], as ToTensor does.
fn read_chw(path: &Path, out: &mut [f32]) -> Result<(), Box<dyn Error>> {
    let decoder = png::Decoder::new(std::io::BufReader::new(File::open(path)?));
    let mut reader = decoder.read_info()?;
    let mut rgb = vec![0u8; reader.output_buffer_size().ok_or("image too large")?];
    let info = reader.next_frame(&mut rgb)?;
    if (info.width, info.height, info.color_type) != (SIDE as u32, SIDE as u32, png::ColorType::Rgb)
    {
        return Err(format!("{}: expected a {SIDE}x{SIDE} RGB PNG", path.display()).into());
    }
    for (p, px) in rgb.chunks_exact(3).enumerate() {
        for c in 0..3 {
            out[c * SIDE * SIDE + p] = f32::from(px[c]) / 255.0;
        }
    }
    Ok(())
}

/// Copies a CHW sample into tile (`row`, `col`) of an RGB8 grid.
fn paste(grid: &mut [u8], grid_width: usize, row: usize, col: usize, sample: &[f32]) {
    for y in 0..SIDE {
        for x in 0..SIDE {
            let at = ((row * SIDE + y) * grid_width + col * SIDE + x) * 3;
            for c in 0..3 {
                let v = sample[c * SIDE * SIDE + y * SIDE + x];
                grid[at + c] = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            }
        }
    }
}

fn write_png(path: &Path, width: usize, height: usize, rgb: &[u8]) -> Result<(), Box<dyn Error>> {
    let mut encoder = png::Encoder::new(
        BufWriter::new(File::create(path)?),
        width as u32,
        height as u32,
    );
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(rgb)?;
    Ok(())
}

/// Draws a plan, mixes a copy of the batch in place and prints what happened.
fn mix(
    title: &str,
    config: &MixConfig,
    rng: &mut MixRng,
    originals: &[f32],
    labels: &[i64],
) -> Result<Vec<f32>, Box<dyn Error>> {
    let n = labels.len();
    let (mut partners, mut lambdas) = (vec![0u32; n], vec![0.0f64; n]);
    config.draw(rng, &mut partners, &mut lambdas, None)?;
    let mut batch = originals.to_vec();
    let mut scratch = vec![0.0f32; in_place_scratch_len(n, LEN)?];
    Mixer::new().mix_in_place(&mut batch, LEN, &partners, &lambdas, &mut scratch)?;
    let mut targets = vec![0.0f32; n * n];
    one_hot_targets(labels, n, &partners, &lambdas, 0.0, &mut targets)?;

    println!("{title}");
    for i in 0..n {
        let p = partners[i] as usize;
        println!(
            "  {:>9} <- {:<9}  lam = {:.4}  target = {:?}",
            NAMES[i],
            NAMES[p],
            lambdas[i],
            &targets[i * n..][..n]
                .iter()
                .map(|v| (v * 1e4).round() / 1e4)
                .collect::<Vec<_>>()
        );
    }
    Ok(batch)
}

fn main() -> Result<(), Box<dyn Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let n = NAMES.len();
    let mut originals = vec![0.0f32; n * LEN];
    for (name, sample) in NAMES.iter().zip(originals.chunks_exact_mut(LEN)) {
        read_chw(&data.join(format!("{name}.png")), sample)?;
    }
    let labels: Vec<i64> = (0..n as i64).collect(); // one class per photograph

    let mut rng = MixRng::stream(2026, 0);
    println!("backend: {}", Mixer::new().backend().name());
    let roll = MixConfig {
        alpha: 1.0,
        beta: 1.0,
        pairing: Pairing::Roll(1),
        ..MixConfig::default()
    };
    let rolled = mix(
        "roll(1), one lambda per batch (torchvision RandomMixup):",
        &roll,
        &mut rng,
        &originals,
        &labels,
    )?;
    let perm = MixConfig {
        alpha: 1.0,
        beta: 1.0,
        pairing: Pairing::Permutation,
        granularity: Granularity::Elem,
        ..MixConfig::default()
    };
    let permuted = mix(
        "random permutation, one lambda per sample (timm elem):",
        &perm,
        &mut rng,
        &originals,
        &labels,
    )?;

    let (width, height) = (n * SIDE, 3 * SIDE);
    let mut grid = vec![0u8; width * height * 3];
    for (row, batch) in [&originals, &rolled, &permuted].into_iter().enumerate() {
        for (col, sample) in batch.chunks_exact(LEN).enumerate() {
            paste(&mut grid, width, row, col, sample);
        }
    }
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("out");
    std::fs::create_dir_all(&out_dir)?;
    let path = out_dir.join("demo.png");
    write_png(&path, width, height, &grid)?;
    println!(
        "wrote {} (originals, roll mixtures, permutation mixtures)",
        path.display()
    );
    Ok(())
}
