//! Mixes the sample photographs with torchvision's roll pairing, with a
//! random permutation, as u8 images the way timm's `FastCollateMixup`
//! does, with CutMix (timm's recipe, one box per sample) and switched
//! between mixup and CutMix, prints lambda and the pairs, and writes a PNG
//! grid: the originals on top, then one row of mixtures per way, the boxes
//! outlined and `lam'` written on each sample of the CutMix rows, and last
//! the switched batch's segmentation masks (synthetic: each photograph's
//! pixels brighter than its mean are its class, the rest background, the
//! border ignored), drawn as their dense per-pixel targets, one colour per
//! class, blended where mixup blends. It also writes a detection
//! mixup: two photographs of different sizes on one canvas, with the boxes
//! of both labelled by their weights (out/detection.png).
//!
//! Run with `cargo run --release --example demo`.

use mixup::{
    Batch, Beta, ChannelOrder, CutBox, Granularity, ImageShape, ImageSize, Masks, MixConfig,
    MixRng, Mixer, Op, OwnedPlan, Pairing, PixelTargets, Plan, Targets, TargetsOut, WeightedBox,
    in_place_scratch_len, in_place_scratch_len_u8, mask_scratch_len, mix_boxes,
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
const PIXELS: usize = SIDE * SIDE;
/// The synthetic masks' classes: the background, then one per photograph.
const CLASSES: usize = NAMES.len() + 1;
/// The masks' ignored id (their border).
const IGNORE: u8 = 255;
/// A colour per mask class, RGB in `[0, 1]`.
const PALETTE: [[f32; 3]; CLASSES] = [
    [0.15, 0.15, 0.35],
    [0.95, 0.3, 0.3],
    [0.3, 0.85, 0.35],
    [0.35, 0.5, 0.95],
    [0.95, 0.85, 0.25],
    [0.85, 0.4, 0.9],
    [0.3, 0.9, 0.9],
];

/// Reads a 224x224 8-bit RGB PNG as HWC bytes.
fn read_rgb(path: &Path) -> Result<Vec<u8>, Box<dyn Error>> {
    let decoder = png::Decoder::new(std::io::BufReader::new(File::open(path)?));
    let mut reader = decoder.read_info()?;
    let mut rgb = vec![0u8; reader.output_buffer_size().ok_or("image too large")?];
    let info = reader.next_frame(&mut rgb)?;
    if (info.width, info.height, info.color_type) != (SIDE as u32, SIDE as u32, png::ColorType::Rgb)
    {
        return Err(format!("{}: expected a {SIDE}x{SIDE} RGB PNG", path.display()).into());
    }
    rgb.truncate(SIDE * SIDE * 3);
    Ok(rgb)
}

/// Reads an 8-bit RGB PNG into CHW floats in [0, 1], as ToTensor does.
fn read_chw(path: &Path, out: &mut [f32]) -> Result<(), Box<dyn Error>> {
    let rgb = read_rgb(path)?;
    for (p, px) in rgb.chunks_exact(3).enumerate() {
        for c in 0..3 {
            out[c * SIDE * SIDE + p] = f32::from(px[c]) / 255.0;
        }
    }
    Ok(())
}

/// The top-left `height x width` crop of a SIDE x SIDE HWC image.
fn crop(rgb: &[u8], height: usize, width: usize) -> Vec<u8> {
    (0..height)
        .flat_map(|y| rgb[y * SIDE * 3..][..width * 3].iter().copied())
        .collect()
}

/// 3x5 glyphs for digits and the point, one row of 3 bits per entry.
fn glyph(ch: char) -> [u8; 5] {
    match ch {
        '0' => [7, 5, 5, 5, 7],
        '1' => [2, 6, 2, 2, 7],
        '2' => [7, 1, 7, 4, 7],
        '3' => [7, 1, 7, 1, 7],
        '4' => [5, 5, 7, 1, 1],
        '5' => [7, 4, 7, 1, 7],
        '6' => [7, 4, 7, 5, 7],
        '7' => [7, 1, 1, 1, 1],
        '8' => [7, 5, 7, 5, 7],
        '9' => [7, 5, 7, 1, 7],
        _ => [0, 0, 0, 0, 2],
    }
}

/// An HWC RGB picture to draw on.
struct Picture {
    rgb: Vec<u8>,
    width: usize,
    height: usize,
}

impl Picture {
    fn put(&mut self, x: usize, y: usize, color: [u8; 3]) {
        if x < self.width && y < self.height {
            self.rgb[(y * self.width + x) * 3..][..3].copy_from_slice(&color);
        }
    }

    /// A box outline, `thick` pixels wide.
    fn rectangle(&mut self, [x1, y1, x2, y2]: [usize; 4], thick: usize, color: [u8; 3]) {
        for t in 0..thick {
            for x in x1..=x2 {
                self.put(x, y1 + t, color);
                self.put(x, y2 - t, color);
            }
            for y in y1..=y2 {
                self.put(x1 + t, y, color);
                self.put(x2 - t, y, color);
            }
        }
    }

    /// Text in the 3x5 font, each dot `scale` pixels, on a dark backing.
    fn text(&mut self, x: usize, y: usize, text: &str, scale: usize, color: [u8; 3]) {
        let width = text.len() * 4 * scale + scale;
        for yy in y..y + 7 * scale {
            for xx in x..x + width {
                self.put(xx, yy, [0, 0, 0]);
            }
        }
        for (k, ch) in text.chars().enumerate() {
            for (row, bits) in glyph(ch).iter().enumerate() {
                for col in 0..3 {
                    if bits & (4 >> col) != 0 {
                        for dy in 0..scale {
                            for dx in 0..scale {
                                self.put(
                                    x + scale + (k * 4 + col) * scale + dx,
                                    y + scale + row * scale + dy,
                                    color,
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Detection mixup (Bag of Freebies): two photographs of different sizes
/// on one zero-padded canvas, with the boxes of both, labelled by weight.
fn detection(data: &Path, out_dir: &Path) -> Result<(), Box<dyn Error>> {
    let (size_a, size_b) = (
        ImageSize {
            height: 224,
            width: 168,
        },
        ImageSize {
            height: 150,
            width: 224,
        },
    );
    let a = crop(
        &read_rgb(&data.join("astronaut.png"))?,
        size_a.height,
        size_a.width,
    );
    let b = crop(
        &read_rgb(&data.join("chelsea.png"))?,
        size_b.height,
        size_b.width,
    );
    let boxes_a = [[62.0, 6.0, 132.0, 84.0], [118.0, 150.0, 166.0, 222.0]];
    let boxes_b = [[30.0, 52.0, 200.0, 118.0]];
    // GluonCV's alpha = 1.5; stream 3 of the demo's seed
    let lam = Beta::symmetric(1.5)?.sample(&mut MixRng::stream(2026, 3));
    let canvas = ImageSize::canvas(size_a, size_b);
    let mut mixed = vec![0u8; canvas.elements(3)?];
    Mixer::new().blend_canvas(
        &mut mixed,
        &a,
        size_a,
        &b,
        size_b,
        3,
        ChannelOrder::Hwc,
        lam,
    )?;
    let mut boxes = [WeightedBox::default(); 3];
    let count = mix_boxes(&boxes_a, &[0, 1], &boxes_b, &[2], lam, false, &mut boxes)?;

    // twice the size, so that the labels can be read
    let scale = 2;
    let (width, height) = (canvas.width * scale, canvas.height * scale);
    let mut picture = Picture {
        rgb: vec![0; width * height * 3],
        width,
        height,
    };
    for y in 0..height {
        for x in 0..width {
            let src = ((y / scale) * canvas.width + x / scale) * 3;
            picture.rgb[(y * width + x) * 3..][..3].copy_from_slice(&mixed[src..src + 3]);
        }
    }
    println!(
        "detection mixup: astronaut {}x{} + chelsea {}x{} on a {}x{} canvas, lam = {lam:.4}",
        size_a.height, size_a.width, size_b.height, size_b.width, canvas.height, canvas.width
    );
    for (k, bx) in boxes[..count].iter().enumerate() {
        let color = if k < boxes_a.len() {
            [255, 220, 0]
        } else {
            [0, 230, 255]
        };
        let corners = [bx.x1, bx.y1, bx.x2, bx.y2].map(|v| v as usize * scale);
        picture.rectangle(corners, 3, color);
        picture.text(
            corners[0] + 4,
            corners[1] + 4,
            &format!("{:.2}", bx.weight),
            3,
            color,
        );
        println!(
            "  box {:?} class {} weight {:.4}",
            [bx.x1, bx.y1, bx.x2, bx.y2],
            bx.class_id,
            bx.weight
        );
    }
    let path = out_dir.join("detection.png");
    write_png(&path, width, height, &picture.rgb)?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Rows of tiles of a grid, each pixel the mean of a 2x2 square.
fn half_size(grid: &Picture, rows: &[usize]) -> Picture {
    let (width, tile) = (grid.width / 2, SIDE / 2);
    let height = rows.len() * tile;
    let mut rgb = vec![0u8; width * height * 3];
    for (k, &row) in rows.iter().enumerate() {
        for y in 0..tile {
            for x in 0..width {
                for c in 0..3 {
                    let at = |dy: usize, dx: usize| {
                        let (gy, gx) = (row * SIDE + 2 * y + dy, 2 * x + dx);
                        u32::from(grid.rgb[(gy * grid.width + gx) * 3 + c])
                    };
                    let sum = at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1);
                    rgb[((k * tile + y) * width + x) * 3 + c] = ((sum + 2) / 4) as u8;
                }
            }
        }
    }
    Picture { rgb, width, height }
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

/// A batch mixed by one plan, and what the plan did to each sample.
struct Mixed {
    batch: Vec<f32>,
    ops: Vec<Op>,
    boxes: Vec<CutBox>,
    lambdas: Vec<f64>,
    /// `[n, CLASSES, SIDE, SIDE]`, the masks' dense targets.
    pixel_targets: Vec<f32>,
}

/// The synthetic segmentation mask of a CHW photograph, documented as
/// such: class `photo + 1` where a pixel is brighter than the photograph's
/// mean, class 0 elsewhere, and the ignored id 255 on a 4-pixel border.
fn synthetic_mask(photo: usize, sample: &[f32]) -> Vec<u8> {
    let plane = SIDE * SIDE;
    let luma: Vec<f32> = (0..plane)
        .map(|p| 0.299 * sample[p] + 0.587 * sample[plane + p] + 0.114 * sample[2 * plane + p])
        .collect();
    let mean = luma.iter().sum::<f32>() / plane as f32;
    (0..plane)
        .map(|p| {
            let (y, x) = (p / SIDE, p % SIDE);
            let border = y < 4 || x < 4 || y >= SIDE - 4 || x >= SIDE - 4;
            match () {
                _ if border => IGNORE,
                _ if luma[p] > mean => photo as u8 + 1,
                _ => 0,
            }
        })
        .collect()
}

/// Mixes a copy of the batch and its masks in place with one call (the
/// plan drawn, CutMix included; the soft targets and the dense per-pixel
/// targets of the masks written) and prints what happened to each sample.
fn mix(
    title: &str,
    config: &MixConfig,
    rng: &mut MixRng,
    originals: &[f32],
    labels: &[i64],
    masks: &[u8],
) -> Result<Mixed, Box<dyn Error>> {
    let n = labels.len();
    let mut batch = originals.to_vec();
    let mut scratch = vec![0.0f32; in_place_scratch_len(n, LEN)?];
    let mut maps = masks.to_vec();
    let mut map_scratch = vec![0u8; mask_scratch_len::<u8>(n, PIXELS)?];
    let mut pixel_targets = vec![0.0f32; n * CLASSES * PIXELS];
    let mut targets = vec![0.0f32; n * n];
    let image = ImageShape {
        channels: 3,
        height: SIDE,
        width: SIDE,
        layout: ChannelOrder::Chw,
    };
    let what = (
        Batch::InPlace {
            batch: &mut batch,
            len: LEN,
            scratch: &mut scratch,
        },
        Masks::InPlace {
            masks: &mut maps,
            pixels: PIXELS,
            scratch: &mut map_scratch,
        },
        PixelTargets {
            masks,
            pixels: PIXELS,
            num_classes: CLASSES,
            ignore_index: Some(i64::from(IGNORE)),
            out: &mut pixel_targets,
        },
    );
    let labels = Targets::Classes {
        labels,
        num_classes: n,
        smoothing: 0.0,
    };
    let out = TargetsOut {
        targets: labels,
        out: &mut targets,
    };
    let mut plan = OwnedPlan::new(n);
    config.mix_batch(rng, plan.bufs(), Some(image), what, Some(out))?;
    let OwnedPlan {
        partners,
        lambdas,
        ops,
        boxes,
    } = plan;

    println!("{title}");
    for i in 0..n {
        let p = partners[i] as usize;
        let what = match ops[i] {
            Op::Unmixed => "unmixed".to_string(),
            Op::Mixup => "mixup".to_string(),
            Op::CutMix => {
                let b = boxes[i];
                format!("cutmix y {}..{} x {}..{}", b.y1, b.y2, b.x1, b.x2)
            }
        };
        println!(
            "  {:>9} <- {:<9}  lam = {:.4}  {what:<28} target = {:?}",
            NAMES[i],
            NAMES[p],
            lambdas[i],
            &targets[i * n..][..n]
                .iter()
                .map(|v| (v * 1e4).round() / 1e4)
                .collect::<Vec<_>>()
        );
    }
    Ok(Mixed {
        batch,
        ops,
        boxes,
        lambdas,
        pixel_targets,
    })
}

/// The dense per-pixel targets of one sample as a CHW picture: each
/// class's colour weighed by its probability (the ignored pixels black).
fn colour_targets(targets: &[f32]) -> Vec<f32> {
    let mut rgb = vec![0.0f32; LEN];
    for (class, plane) in targets.chunks_exact(PIXELS).enumerate() {
        let colour = PALETTE[class];
        for (p, &t) in plane.iter().enumerate() {
            for c in 0..3 {
                rgb[c * PIXELS + p] += t * colour[c];
            }
        }
    }
    rgb
}

fn main() -> Result<(), Box<dyn Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let n = NAMES.len();
    let mut originals = vec![0.0f32; n * LEN];
    for (name, sample) in NAMES.iter().zip(originals.chunks_exact_mut(LEN)) {
        read_chw(&data.join(format!("{name}.png")), sample)?;
    }
    let labels: Vec<i64> = (0..n as i64).collect(); // one class per photograph
    let masks: Vec<u8> = (originals.chunks_exact(LEN).enumerate())
        .flat_map(|(photo, sample)| synthetic_mask(photo, sample))
        .collect();

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
        &masks,
    )?
    .batch;
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
        &masks,
    )?
    .batch;

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
    Mixer::new().mix_in_place(
        &mut bytes,
        LEN,
        Plan::new(&partners, &lambdas),
        &mut scratch,
    )?;
    println!("u8 images, flip pairing, one lambda per pair (timm FastCollateMixup):");
    for i in 0..n {
        println!(
            "  {:>9} <- {:<9}  lam = {:.4}",
            NAMES[i], NAMES[partners[i] as usize], lambdas[i]
        );
    }
    let from_u8: Vec<f32> = bytes.iter().map(|&b| f32::from(b) / 255.0).collect();

    // CutMix as timm's Mixup(mixup_alpha=0, cutmix_alpha=1, mode='elem')
    let cutmix = MixConfig {
        granularity: Granularity::Elem,
        ..MixConfig::timm(0.0, 1.0)
    };
    let cut = mix(
        "CutMix, timm recipe, one box per sample (flip pairing, lam' corrected):",
        &cutmix,
        &mut rng,
        &originals,
        &labels,
        &masks,
    )?;
    // timm's default recipe: Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, mode='elem')
    let switched = MixConfig {
        granularity: Granularity::Elem,
        ..MixConfig::timm(0.8, 1.0)
    };
    let switch = mix(
        "mixup or CutMix per sample, switch_prob 0.5 (timm Mixup(0.8, 1.0), elem):",
        &switched,
        &mut rng,
        &originals,
        &labels,
        &masks,
    )?;

    // the switched batch's masks: their dense per-pixel targets as colours
    let mask_row: Vec<f32> = (switch.pixel_targets.chunks_exact(CLASSES * PIXELS))
        .flat_map(colour_targets)
        .collect();
    let rows = [
        &originals,
        &rolled,
        &permuted,
        &from_u8,
        &cut.batch,
        &switch.batch,
        &mask_row,
    ];
    let (width, height) = (n * SIDE, rows.len() * SIDE);
    let mut grid = Picture {
        rgb: vec![0u8; width * height * 3],
        width,
        height,
    };
    for (row, batch) in rows.into_iter().enumerate() {
        for (col, sample) in batch.chunks_exact(LEN).enumerate() {
            paste(&mut grid.rgb, width, row, col, sample);
        }
    }
    // the boxes outlined, and lam' on every mixed sample of the CutMix rows
    for (row, mixed) in [(4, &cut), (5, &switch), (6, &switch)] {
        for col in 0..n {
            let (x0, y0) = (col * SIDE, row * SIDE);
            if mixed.ops[col] == Op::CutMix && mixed.boxes[col].area() > 0 {
                let b = mixed.boxes[col];
                let corners = [
                    x0 + b.x1 as usize,
                    y0 + b.y1 as usize,
                    x0 + b.x2 as usize - 1,
                    y0 + b.y2 as usize - 1,
                ];
                grid.rectangle(corners, 2, [255, 220, 0]);
            }
            let color = match mixed.ops[col] {
                Op::CutMix => [255, 220, 0],
                _ => [0, 230, 255],
            };
            let label = format!("{:.2}", mixed.lambdas[col]);
            grid.text(x0 + 4, y0 + 4, &label, 3, color);
        }
    }
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("out");
    std::fs::create_dir_all(&out_dir)?;
    let path = out_dir.join("demo.png");
    write_png(&path, width, height, &grid.rgb)?;
    println!(
        "wrote {} (originals, then roll, permutation and u8 flip mixtures, CutMix, switched, its masks)",
        path.display()
    );
    // the README's picture: originals, CutMix, switched and its masks, at half size
    let small = half_size(&grid, &[0, 4, 5, 6]);
    let path = out_dir.join("cutmix.png");
    write_png(&path, small.width, small.height, &small.rgb)?;
    println!(
        "wrote {} (originals, CutMix, switched, its masks)",
        path.display()
    );
    detection(&data, &out_dir)?;
    Ok(())
}
