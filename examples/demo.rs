//! Mixes the sample photographs with torchvision's roll pairing, with a
//! random permutation, and as u8 images the way timm's `FastCollateMixup`
//! does, prints lambda and the pairs, and writes a PNG grid: the originals
//! on top, then one row of mixtures per way.
//!
//! Run with `cargo run --release --example demo`.

use mixup::{
    Granularity, MixConfig, MixRng, Mixer, Pairing, in_place_scratch_len, in_place_scratch_len_u8,
    one_hot_targets,
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

    // u8 to u8, as timm's FastCollateMixup: flip pairing, one lambda per pair
    let flip = MixConfig {
        alpha: 1.0,
        beta: 1.0,
        pairing: Pairing::Flip,
        granularity: Granularity::Pair,
        ..MixConfig::default()
    };
    let (mut partners, mut lambdas) = (vec![0u32; n], vec![0.0f64; n]);
    flip.draw(&mut rng, &mut partners, &mut lambdas, None)?;
    let mut bytes: Vec<u8> = originals
        .iter()
        .map(|v| (v * 255.0).round() as u8)
        .collect();
    let mut scratch = vec![0u8; in_place_scratch_len_u8(n, LEN)?];
    Mixer::new().mix_u8_in_place(&mut bytes, LEN, &partners, &lambdas, &mut scratch)?;
    println!("u8 images, flip pairing, one lambda per pair (timm FastCollateMixup):");
    for i in 0..n {
        println!(
            "  {:>9} <- {:<9}  lam = {:.4}",
            NAMES[i], NAMES[partners[i] as usize], lambdas[i]
        );
    }
    let from_u8: Vec<f32> = bytes.iter().map(|&b| f32::from(b) / 255.0).collect();

    let rows = [&originals, &rolled, &permuted, &from_u8];
    let (width, height) = (n * SIDE, rows.len() * SIDE);
    let mut grid = vec![0u8; width * height * 3];
    for (row, batch) in rows.into_iter().enumerate() {
        for (col, sample) in batch.chunks_exact(LEN).enumerate() {
            paste(&mut grid, width, row, col, sample);
        }
    }
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("out");
    std::fs::create_dir_all(&out_dir)?;
    let path = out_dir.join("demo.png");
    write_png(&path, width, height, &grid)?;
    println!(
        "wrote {} (originals, then roll, permutation and u8 flip mixtures)",
        path.display()
    );
    Ok(())
}
