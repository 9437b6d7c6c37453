//! The two calls: mix a batch in place (f32 or u8), or mix u8 images into
//! f32 with ToTensor and Normalize fused. Each draws its plan from
//! `(seed, stream)`, checks every argument, computes the soft targets
//! (which checks the labels), and only then writes the caller's array,
//! with the GIL released.

use mixup::{
    CutBox, Cuts, ImageLayout, ImageShape, Layout, MixConfig, MixRng, Mixer, Normalize, Op, Plan,
    Sample, in_place_scratch_len_of, one_hot_targets,
};
use numpy::{
    Element, PyArray1, PyArray2, PyArrayDyn, PyArrayMethods, PyReadonlyArray1, PyReadonlyArrayDyn,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::arrays::{batch_dims, image, layout};
use crate::config::Config;
use crate::errors::{to_py, value_error};

/// The plan of every sample, as the Python `Plan` gets it: partners
/// (int64), `lam'` (float64), ops (uint8), boxes (int64 `[n, 4]`, `y1, y2,
/// x1, x2`, half-open).
type PlanArrays<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray2<i64>>,
);

/// What the fused call returns: the output, the targets, the plan.
type FusedOutput<'py> = (
    Bound<'py, PyAny>,
    Option<Bound<'py, PyArray2<f32>>>,
    PlanArrays<'py>,
);

/// What one call drew.
struct Drawn {
    partners: Vec<u32>,
    lambdas: Vec<f64>,
    ops: Vec<Op>,
    boxes: Vec<CutBox>,
    image: Option<ImageShape>,
}

impl Drawn {
    /// Draws the plan of `n` samples from stream `stream` of `seed`.
    fn draw(
        mix: &MixConfig,
        n: usize,
        image: Option<ImageShape>,
        seed: u64,
        stream: u64,
    ) -> PyResult<Drawn> {
        let mut drawn = Drawn {
            partners: vec![0; n],
            lambdas: vec![0.0; n],
            ops: vec![Op::Unmixed; n],
            boxes: vec![CutBox::default(); n],
            image,
        };
        let mut rng = MixRng::stream(seed, stream);
        let result = match image {
            Some(image) => mix.draw_with_boxes(
                &mut rng,
                (image.height, image.width),
                &mut drawn.partners,
                &mut drawn.lambdas,
                &mut drawn.ops,
                &mut drawn.boxes,
            ),
            None if mix.cutmix_on() => {
                return Err(value_error(
                    "x: CutMix needs a batch of images (4 dimensions)",
                ));
            }
            None => mix.draw(
                &mut rng,
                &mut drawn.partners,
                &mut drawn.lambdas,
                Some(&mut drawn.ops),
            ),
        };
        result.map_err(|e| to_py(e, "drawing the plan"))?;
        Ok(drawn)
    }

    fn plan(&self) -> Plan<'_> {
        let plan = Plan::new(&self.partners, &self.lambdas).with_ops(&self.ops);
        match self.image {
            Some(image) => plan.with_cuts(Cuts {
                image,
                boxes: &self.boxes,
            }),
            None => plan,
        }
    }

    /// How many samples the output holds: the first half in `half` mode.
    fn rows(&self, mix: &MixConfig) -> usize {
        match mix.granularity {
            mixup::Granularity::Half => self.partners.len() / 2,
            _ => self.partners.len(),
        }
    }

    fn into_py(self, py: Python<'_>) -> PyResult<PlanArrays<'_>> {
        let n = self.partners.len();
        let partners: Vec<i64> = self.partners.iter().map(|&p| i64::from(p)).collect();
        let ops: Vec<u8> = self.ops.iter().map(|&op| op as u8).collect();
        let boxes: Vec<i64> = (self.boxes.iter())
            .flat_map(|b| [b.y1, b.y2, b.x1, b.x2].map(i64::from))
            .collect();
        Ok((
            PyArray1::from_vec(py, partners),
            PyArray1::from_vec(py, self.lambdas),
            PyArray1::from_vec(py, ops),
            PyArray1::from_vec(py, boxes).reshape([n, 4])?,
        ))
    }
}

/// The labels and what the targets need, checked before anything is
/// written.
struct Targets<'a> {
    labels: &'a [i64],
    num_classes: usize,
    smoothing: f64,
}

impl<'a> Targets<'a> {
    fn new(
        labels: &'a Option<PyReadonlyArray1<'_, i64>>,
        num_classes: usize,
        smoothing: f64,
        n: usize,
    ) -> PyResult<Option<Targets<'a>>> {
        let Some(labels) = labels else {
            return Ok(None);
        };
        let labels = labels
            .as_slice()
            .map_err(|_| value_error("target must be contiguous"))?;
        if labels.len() != n {
            return Err(value_error(format!(
                "target has {} labels for a batch of {n}",
                labels.len()
            )));
        }
        if num_classes == 0 {
            return Err(value_error("num_classes must be at least 1"));
        }
        if !(0.0..=1.0).contains(&smoothing) {
            return Err(value_error(format!(
                "label_smoothing must be in [0, 1], got {smoothing}"
            )));
        }
        let out_of_range = |&y: &i64| y < 0 || y as u64 >= num_classes as u64;
        if let Some(at) = labels.iter().position(out_of_range) {
            return Err(value_error(format!(
                "target[{at}] = {} is not a class id in [0, {num_classes})",
                labels[at]
            )));
        }
        n.checked_mul(num_classes)
            .ok_or_else(|| value_error("target: n * num_classes overflows"))?;
        Ok(Some(Targets {
            labels,
            num_classes,
            smoothing,
        }))
    }

    /// The soft targets of the first `rows` samples, `[rows, num_classes]`.
    fn compute(&self, plan: Plan<'_>, rows: usize) -> mixup::Result<Vec<f32>> {
        let mut out = vec![0.0f32; self.labels.len() * self.num_classes];
        one_hot_targets(
            self.labels,
            self.num_classes,
            plan.partners,
            plan.lambdas,
            self.smoothing,
            &mut out,
        )?;
        out.truncate(rows * self.num_classes);
        Ok(out)
    }
}

/// `[rows, num_classes]` targets as a NumPy array.
fn targets_array<'py>(
    py: Python<'py>,
    targets: Option<Vec<f32>>,
    num_classes: usize,
) -> PyResult<Option<Bound<'py, PyArray2<f32>>>> {
    targets
        .map(|t| {
            let rows = t.len() / num_classes.max(1);
            PyArray1::from_vec(py, t).reshape([rows, num_classes])
        })
        .transpose()
}

/// Mixes one batch in place, f32 or u8.
fn in_place<'py, T: Sample + Element + Send + Sync>(
    py: Python<'py>,
    mix: &MixConfig,
    x: &Bound<'py, PyArrayDyn<T>>,
    targets: Option<Targets<'_>>,
    shape: Option<(usize, usize, usize, String)>,
    (seed, stream): (u64, u64),
) -> PyResult<(Option<Vec<f32>>, Drawn)> {
    let (n, len) = batch_dims("x", x.shape())?;
    let image = shape.map(|s| image("x", s, len)).transpose()?;
    if !x.is_c_contiguous() {
        return Err(value_error("x must be C-contiguous"));
    }
    let mut x = x
        .try_readwrite()
        .map_err(|_| value_error("x is read-only (or already borrowed): nothing was mixed"))?;
    let batch = x
        .as_slice_mut()
        .map_err(|_| value_error("x must be C-contiguous"))?;
    let drawn = Drawn::draw(mix, n, image, seed, stream)?;
    let rows = drawn.rows(mix);
    let scratch_len = in_place_scratch_len_of::<T>(n, len).map_err(|e| to_py(e, "x"))?;
    let mixer = Mixer::new();
    let plan = drawn.plan();
    let targets = py
        .detach(|| -> mixup::Result<Option<Vec<f32>>> {
            let targets = targets.map(|t| t.compute(plan, rows)).transpose()?;
            let mut scratch = vec![T::default(); scratch_len];
            mixer.mix_in_place(batch, len, plan, &mut scratch)?;
            Ok(targets)
        })
        .map_err(|e| to_py(e, "x"))?;
    Ok((targets, drawn))
}

/// Mixes the batch `x` in place (float32 or uint8, C-contiguous, samples
/// along the first axis) by a plan drawn from `(seed, stream)`, and
/// returns `(targets, partners, lambdas, ops, boxes)`. `image` is
/// `(channels, height, width, "chw" | "hwc")` of one sample (needed for
/// CutMix); `labels` (int64) gives the `[rows, num_classes]` soft targets,
/// `rows` being the first half in `half` mode. Nothing is written on an error.
#[pyfunction]
#[pyo3(signature = (config, x, labels, num_classes, smoothing, image, seed, stream))]
#[allow(clippy::too_many_arguments)]
pub fn mix_in_place<'py>(
    py: Python<'py>,
    config: &Bound<'py, Config>,
    x: &Bound<'py, PyAny>,
    labels: Option<PyReadonlyArray1<'py, i64>>,
    num_classes: usize,
    smoothing: f64,
    image: Option<(usize, usize, usize, String)>,
    seed: u64,
    stream: u64,
) -> PyResult<(Option<Bound<'py, PyArray2<f32>>>, PlanArrays<'py>)> {
    let mix = &config.get().mix;
    let n = match x.cast::<numpy::PyUntypedArray>() {
        Ok(array) => batch_dims("x", array.shape())?.0,
        Err(_) => return Err(PyTypeError::new_err("x must be a NumPy array")),
    };
    let targets = Targets::new(&labels, num_classes, smoothing, n)?;
    let key = (seed, stream);
    let (targets, drawn) = if let Ok(x) = x.cast::<PyArrayDyn<f32>>() {
        in_place(py, mix, x, targets, image, key)?
    } else if let Ok(x) = x.cast::<PyArrayDyn<u8>>() {
        in_place(py, mix, x, targets, image, key)?
    } else {
        let dtype = x.getattr("dtype")?;
        return Err(PyTypeError::new_err(format!(
            "x must be float32 or uint8, got {dtype}"
        )));
    };
    Ok((targets_array(py, targets, num_classes)?, drawn.into_py(py)?))
}

/// torchvision's `Normalize`, checked per channel.
fn normalize<'a>(
    mean: &'a Option<Vec<f32>>,
    std: &'a Option<Vec<f32>>,
    channels: usize,
) -> PyResult<Option<Normalize<'a>>> {
    match (mean, std) {
        (None, None) => Ok(None),
        (Some(mean), Some(std)) => {
            if mean.len() != channels || std.len() != channels {
                return Err(value_error(format!(
                    "mean and std need one value per channel ({channels}), got {} and {}",
                    mean.len(),
                    std.len()
                )));
            }
            if !mean.iter().all(|m| m.is_finite()) {
                return Err(value_error("mean must be finite"));
            }
            if !std.iter().all(|s| s.is_finite() && *s != 0.0) {
                return Err(value_error("std must be finite and non-zero"));
            }
            Ok(Some(Normalize { mean, std }))
        }
        _ => Err(value_error(
            "mean and std go together: pass both or neither",
        )),
    }
}

/// Mixes uint8 images `x` into float32: `((u / 255) - mean) / std` per
/// channel (without mean and std, `u / 255`), then the blend, in one pass;
/// `out_layout` may transpose. Returns `(out, targets, partners, lambdas,
/// ops, boxes)`; `out` is allocated unless given (float32, C-contiguous,
/// `rows` samples). Nothing is written on an error.
#[pyfunction]
#[pyo3(signature = (config, x, out, labels, num_classes, smoothing, image, out_layout, mean, std, seed, stream))]
#[allow(clippy::too_many_arguments)]
pub fn mix_u8_to_f32<'py>(
    py: Python<'py>,
    config: &Bound<'py, Config>,
    x: PyReadonlyArrayDyn<'py, u8>,
    out: Option<Bound<'py, PyArrayDyn<f32>>>,
    labels: Option<PyReadonlyArray1<'py, i64>>,
    num_classes: usize,
    smoothing: f64,
    image: (usize, usize, usize, String),
    out_layout: &str,
    mean: Option<Vec<f32>>,
    std: Option<Vec<f32>>,
    seed: u64,
    stream: u64,
) -> PyResult<FusedOutput<'py>> {
    let mix = &config.get().mix;
    let (n, len) = batch_dims("x", x.shape())?;
    let shape = self::image("x", image, len)?;
    let output = layout("out_layout", out_layout)?;
    let fused = ImageLayout {
        channels: shape.channels,
        pixels: shape.height * shape.width,
        input: shape.layout,
        output,
    };
    let normalize = normalize(&mean, &std, shape.channels)?;
    let targets = Targets::new(&labels, num_classes, smoothing, n)?;
    let batch = x
        .as_slice()
        .map_err(|_| value_error("x must be C-contiguous"))?;
    let drawn = Drawn::draw(mix, n, Some(shape), seed, stream)?;
    let rows = drawn.rows(mix);
    let dims = match output {
        Layout::Chw => [rows, shape.channels, shape.height, shape.width],
        Layout::Hwc => [rows, shape.height, shape.width, shape.channels],
    };
    let mixer = Mixer::new();
    let plan = drawn.plan();
    let run = |out: &mut [f32]| -> mixup::Result<Option<Vec<f32>>> {
        let targets = targets.map(|t| t.compute(plan, rows)).transpose()?;
        mixer.mix_u8_to_f32(out, batch, fused, plan, normalize)?;
        Ok(targets)
    };
    let (out, targets) = match out {
        Some(out) => {
            if out.shape() != dims {
                return Err(value_error(format!(
                    "out must have shape {dims:?}, got {:?}",
                    out.shape()
                )));
            }
            let targets = {
                let mut view = out.try_readwrite().map_err(|_| {
                    value_error("out is read-only, overlaps x or is already borrowed")
                })?;
                let slice = view
                    .as_slice_mut()
                    .map_err(|_| value_error("out must be C-contiguous"))?;
                py.detach(|| run(slice)).map_err(|e| to_py(e, "x"))?
            };
            (out.into_any(), targets)
        }
        None => {
            let mut buffer = vec![0.0f32; rows * len];
            let targets = py.detach(|| run(&mut buffer)).map_err(|e| to_py(e, "x"))?;
            (
                PyArray1::from_vec(py, buffer).reshape(dims)?.into_any(),
                targets,
            )
        }
    };
    Ok((
        out,
        targets_array(py, targets, num_classes)?,
        drawn.into_py(py)?,
    ))
}
