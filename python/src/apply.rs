//! The two calls: mix a batch in place (f32 or u8), or mix u8 images into
//! f32 with ToTensor and Normalize fused. Each checks every argument (the
//! labels included), then takes its stream, draws its plan from `(seed,
//! stream)`, computes the soft targets, and only then writes the caller's
//! array, with the GIL released.

use mixup::{
    Batch, ChannelOrder, ClassId, Error, FusedBatch, FusedImage, ImageShape, Masks, MixConfig,
    MixRng, Mixable, Normalize, OwnedPlan, PixelTargets, Sample, Targets, TargetsOut,
    in_place_scratch_len_of, mask_scratch_len,
};
use numpy::ndarray::{Array, Dim, Dimension, IntoDimension};
use numpy::{
    Element, PyArray, PyArray1, PyArray2, PyArrayDyn, PyArrayMethods, PyReadonlyArray1,
    PyReadonlyArray2, PyReadonlyArrayDyn, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::arrays::{batch_dims, image, layout};
use crate::config::Config;
use crate::errors::{to_py, value_error};

/// The plan of every sample, as the Python `Plan` takes it: partners
/// (int64), `lam'` (float64), ops (uint8), boxes (int64 `[n, 4]`, `y1, y2,
/// x1, x2`, half-open), then the seed and the stream it was drawn from.
type PlanArrays<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray2<i64>>,
    u64,
    u64,
);

/// What the in-place call returns: the targets, the plan, the per-pixel
/// targets of the masks.
type InPlaceOutput<'py> = (
    Option<Bound<'py, PyArray2<f32>>>,
    PlanArrays<'py>,
    Option<Bound<'py, numpy::PyArray4<f32>>>,
);

/// What the fused call returns: the output, the targets, the plan.
type FusedOutput<'py> = (
    Bound<'py, PyAny>,
    Option<Bound<'py, PyArray2<f32>>>,
    PlanArrays<'py>,
);

/// A plan and the `(seed, stream)` it was drawn from.
struct Drawn {
    plan: OwnedPlan,
    seed: u64,
    stream: u64,
}

/// The plan as NumPy arrays, with its key.
fn plan_arrays(py: Python<'_>, Drawn { plan, seed, stream }: Drawn) -> PyResult<PlanArrays<'_>> {
    let n = plan.partners.len();
    let partners: Vec<i64> = plan.partners.iter().map(|&p| i64::from(p)).collect();
    let ops: Vec<u8> = plan.ops.iter().map(|&op| op as u8).collect();
    let boxes: Vec<i64> = (plan.boxes.iter())
        .flat_map(|b| [b.y1, b.y2, b.x1, b.x2].map(i64::from))
        .collect();
    Ok((
        PyArray1::from_vec(py, partners),
        PyArray1::from_vec(py, plan.lambdas),
        PyArray1::from_vec(py, ops),
        matrix(py, boxes, [n, 4])?,
        seed,
        stream,
    ))
}

/// `values` as a NumPy array of shape `dims`, made once (not as a vector
/// and then a reshaped view of it: this is on every call's path).
fn matrix<T: Element, const D: usize>(
    py: Python<'_>,
    values: Vec<T>,
    dims: [usize; D],
) -> PyResult<Bound<'_, PyArray<T, Dim<[usize; D]>>>>
where
    [usize; D]: IntoDimension<Dim = Dim<[usize; D]>>,
    Dim<[usize; D]>: Dimension,
{
    let array = Array::from_shape_vec(dims, values)
        .map_err(|e| value_error(format!("an output of shape {dims:?}: {e}")))?;
    Ok(PyArray::from_owned_array(py, array))
}

/// Where a call's plan comes from: the seed, and the stream (an int, or a
/// callable that returns it, as `Streams.next` does).
type Key<'a, 'py> = (u64, &'a Bound<'py, PyAny>);

/// The stream of a call, asked for only once every argument is checked,
/// so that a refused call uses none.
fn stream_of(stream: &Bound<'_, PyAny>) -> PyResult<u64> {
    if stream.is_callable() {
        stream.call0()?.extract()
    } else {
        stream.extract()
    }
}

/// The targets of a call: class ids (int64, 1-D) or dense rows (float32,
/// `[n, num_classes]`), checked for a batch of `n`; an error names the
/// argument `name`.
fn targets<'a>(
    (labels, dense): (
        &'a Option<PyReadonlyArray1<'_, i64>>,
        &'a Option<PyReadonlyArray2<'_, f32>>,
    ),
    num_classes: usize,
    smoothing: f64,
    n: usize,
    name: &str,
) -> PyResult<Option<Targets<'a>>> {
    let contiguous = |_| value_error(format!("{name} must be contiguous"));
    let targets = match (labels, dense) {
        (Some(labels), None) => Targets::Classes {
            labels: labels.as_slice().map_err(contiguous)?,
            num_classes,
            smoothing,
        },
        (None, Some(rows)) => Targets::Dense {
            num_classes: rows.shape()[1],
            rows: rows.as_slice().map_err(contiguous)?,
        },
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => {
            return Err(value_error(format!(
                "{name}: class ids or dense rows, not both"
            )));
        }
    };
    targets.check(n, 0).map_err(|e| match targets {
        Targets::Classes { labels, .. } if labels.len() != n => value_error(format!(
            "{name} has {} labels for a batch of {n}",
            labels.len()
        )),
        Targets::Classes { labels, .. } if e == Error::LabelOutOfRange => {
            let at = (labels.iter())
                .position(|&y| y < 0 || y as u64 >= num_classes as u64)
                .unwrap_or(0);
            value_error(format!(
                "{name}[{at}] = {} is not a class id in [0, {num_classes})",
                labels[at]
            ))
        }
        _ => to_py(e, name),
    })?;
    Ok(Some(targets))
}

/// Runs the core's batch step ([`MixConfig::mix_batch`]) with the GIL
/// released: the plan of `n` samples from `(seed, stream)`, `what` mixed,
/// the targets of the output rows. An error names `name`. Returns the
/// targets and the plan.
fn run(
    py: Python<'_>,
    mix: &MixConfig,
    (n, image): (usize, Option<ImageShape>),
    what: impl Mixable + Send,
    targets: Option<Targets<'_>>,
    (seed, stream): Key<'_, '_>,
    name: &str,
) -> PyResult<(Option<Vec<f32>>, Drawn)> {
    if image.is_none() && mix.cutmix_on() {
        return Err(value_error(format!(
            "{name}: CutMix needs a batch of images (4 dimensions)"
        )));
    }
    mix.check_image(image)
        .map_err(|e| to_py(e, "drawing the plan"))?;
    let stream = stream_of(stream)?;
    let mut plan = OwnedPlan::new(n);
    let rows = mix.output_rows(n);
    let mut out = targets.map(|t| vec![0.0f32; rows * t.num_classes()]);
    py.detach(|| {
        let targets = targets
            .zip(out.as_deref_mut())
            .map(|(targets, out)| TargetsOut { targets, out });
        let mut rng = MixRng::stream(seed, stream);
        mix.mix_batch(&mut rng, plan.bufs(), image, what, targets)
            .map(drop)
    })
    .map_err(|e| to_py(e, name))?;
    Ok((out, Drawn { plan, seed, stream }))
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
            matrix(py, t, [rows, num_classes])
        })
        .transpose()
}

/// What a call returns besides the output: the targets, the plan, and the
/// dense per-pixel targets of the masks.
type Done = (Option<Vec<f32>>, Drawn, Option<(Vec<f32>, [usize; 4])>);

/// The per-pixel targets wanted of the masks: `(num_classes, ignore_index)`.
type PixelWanted = Option<(usize, Option<i64>)>;

/// The masks of a call (`[n, H, W]` class ids, mixed in place with the
/// images) and the per-pixel targets wanted of them.
struct MaskArgs<'a, 'py> {
    masks: &'a Bound<'py, PyAny>,
    pixel_targets: PixelWanted,
}

/// Mixes `images` and the masks (of id type `M`) in one call.
fn with_masks<M: ClassId + Element>(
    py: Python<'_>,
    mix: &MixConfig,
    (n, image): (usize, Option<ImageShape>),
    images: impl Mixable + Send,
    (masks, pixel_targets): (&Bound<'_, PyArrayDyn<M>>, PixelWanted),
    targets: Option<Targets<'_>>,
    key: Key<'_, '_>,
) -> PyResult<Done> {
    let shape = masks.shape();
    let sides_ok = image.is_none_or(|i| shape[1..] == [i.height, i.width]);
    if shape.len() != 3 || shape[0] != n || !sides_ok || !masks.is_c_contiguous() {
        return Err(value_error(format!(
            "masks must be C-contiguous [N, H, W] with the images' N, H and W, got shape {shape:?}"
        )));
    }
    let pixels = shape[1] * shape[2];
    let mut masks = masks
        .try_readwrite()
        .map_err(|_| value_error("masks is read-only (or already borrowed): nothing was mixed"))?;
    let masks = masks
        .as_slice_mut()
        .map_err(|_| value_error("masks must be C-contiguous"))?;
    let originals = pixel_targets.map(|_| masks.to_vec());
    let mut scratch =
        vec![M::default(); mask_scratch_len::<M>(n, pixels).map_err(|e| to_py(e, "masks"))?];
    let rows = mix.output_rows(n);
    let mut dense = match pixel_targets {
        Some((classes, _)) => {
            let size = (rows.checked_mul(classes))
                .and_then(|r| r.checked_mul(pixels))
                .ok_or_else(|| to_py(mixup::Error::SizeOverflow, "num_classes"))?;
            Some(vec![0.0f32; size])
        }
        None => None,
    };
    let pixels_what = pixel_targets
        .zip(originals.as_deref())
        .zip(dense.as_deref_mut())
        .map(|(((num_classes, ignore_index), masks), out)| PixelTargets {
            masks,
            pixels,
            num_classes,
            ignore_index,
            out,
        });
    let what = (
        images,
        Masks::InPlace {
            masks,
            pixels,
            scratch: &mut scratch,
        },
        pixels_what,
    );
    let (out, plan) = run(py, mix, (n, image), what, targets, key, "masks")?;
    let dims = |classes| [rows, classes, shape[1], shape[2]];
    let dense = dense
        .zip(pixel_targets)
        .map(|(d, (classes, _))| (d, dims(classes)));
    Ok((out, plan, dense))
}

/// Mixes one batch in place, f32 or u8, and its masks if given.
fn in_place<'py, T: Sample + Element + Send + Sync>(
    py: Python<'py>,
    mix: &MixConfig,
    x: &Bound<'py, PyArrayDyn<T>>,
    targets: Option<Targets<'_>>,
    shape: Option<(usize, usize, usize, String)>,
    masks: Option<MaskArgs<'_, 'py>>,
    key: Key<'_, '_>,
) -> PyResult<Done> {
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
    let scratch_len = in_place_scratch_len_of::<T>(n, len).map_err(|e| to_py(e, "x"))?;
    let mut scratch = vec![T::default(); scratch_len];
    let what = Batch::InPlace {
        batch,
        len,
        scratch: &mut scratch,
    };
    let shape = (n, image);
    let Some(MaskArgs {
        masks,
        pixel_targets,
    }) = masks
    else {
        let (out, plan) = run(py, mix, shape, what, targets, key, "x")?;
        return Ok((out, plan, None));
    };
    if let Ok(m) = masks.cast::<PyArrayDyn<u8>>() {
        with_masks(py, mix, shape, what, (m, pixel_targets), targets, key)
    } else if let Ok(m) = masks.cast::<PyArrayDyn<i32>>() {
        with_masks(py, mix, shape, what, (m, pixel_targets), targets, key)
    } else if let Ok(m) = masks.cast::<PyArrayDyn<i64>>() {
        with_masks(py, mix, shape, what, (m, pixel_targets), targets, key)
    } else {
        Err(PyTypeError::new_err(
            "masks must be a NumPy array of uint8, int32 or int64 class ids",
        ))
    }
}

/// Mixes the batch `x` in place (float32 or uint8, C-contiguous, samples
/// along the first axis) by a plan drawn from `(seed, stream)`, and
/// returns `(targets, (partners, lambdas, ops, boxes, seed, stream),
/// pixel_targets)`. `stream` is an int, or a callable that returns it,
/// called once every argument is checked.
/// `image` is `(channels, height, width, "chw" | "hwc")` of one sample
/// (needed for CutMix); `labels` (int64) or `dense` (float32 rows) give the
/// `[rows, num_classes]` soft targets, `rows` being the first half in
/// `half` mode. `masks` (`[n, H, W]` uint8, int32 or int64) are mixed in
/// place by the same plan; `pixel_targets = (num_classes, ignore_index)`
/// asks for their dense `[rows, num_classes, H, W]` targets. Errors in the
/// labels name `labels_name`. Nothing is written on an error.
#[pyfunction]
#[pyo3(signature = (config, x, labels, dense, num_classes, smoothing, image, seed, stream, masks=None, pixel_targets=None, labels_name="target"))]
#[allow(clippy::too_many_arguments)]
pub fn mix_in_place<'py>(
    py: Python<'py>,
    config: &Bound<'py, Config>,
    x: &Bound<'py, PyAny>,
    labels: Option<PyReadonlyArray1<'py, i64>>,
    dense: Option<PyReadonlyArray2<'py, f32>>,
    num_classes: usize,
    smoothing: f64,
    image: Option<(usize, usize, usize, String)>,
    seed: u64,
    stream: Bound<'py, PyAny>,
    masks: Option<Bound<'py, PyAny>>,
    pixel_targets: PixelWanted,
    labels_name: &str,
) -> PyResult<InPlaceOutput<'py>> {
    let mix = &config.get().mix;
    let n = match x.cast::<numpy::PyUntypedArray>() {
        Ok(array) => batch_dims("x", array.shape())?.0,
        Err(_) => return Err(PyTypeError::new_err("x must be a NumPy array")),
    };
    let targets = targets((&labels, &dense), num_classes, smoothing, n, labels_name)?;
    let masks = match (&masks, pixel_targets) {
        (Some(masks), _) => Some(MaskArgs {
            masks,
            pixel_targets,
        }),
        (None, Some(_)) => return Err(value_error("pixel_targets needs masks")),
        (None, None) => None,
    };
    let key = (seed, &stream);
    let (out, plan, dense) = if let Ok(x) = x.cast::<PyArrayDyn<f32>>() {
        in_place(py, mix, x, targets, image, masks, key)?
    } else if let Ok(x) = x.cast::<PyArrayDyn<u8>>() {
        in_place(py, mix, x, targets, image, masks, key)?
    } else {
        let dtype = x.getattr("dtype")?;
        return Err(PyTypeError::new_err(format!(
            "x must be float32 or uint8, got {dtype}"
        )));
    };
    let classes = targets.map_or(1, |t| t.num_classes());
    let pixel = (dense.map(|(d, dims)| matrix(py, d, dims))).transpose()?;
    Ok((
        targets_array(py, out, classes)?,
        plan_arrays(py, plan)?,
        pixel,
    ))
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
/// `out_layout` may transpose. Returns `(out, targets, (partners, lambdas,
/// ops, boxes, seed, stream))`; `out` is allocated unless given (float32,
/// C-contiguous, `rows` samples). `stream` and `labels_name` are as for
/// [`mix_in_place`]. Nothing is written on an error.
#[pyfunction]
#[pyo3(signature = (config, x, out, labels, num_classes, smoothing, image, out_layout, mean, std, seed, stream, labels_name="target"))]
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
    stream: Bound<'py, PyAny>,
    labels_name: &str,
) -> PyResult<FusedOutput<'py>> {
    let mix = &config.get().mix;
    let (n, len) = batch_dims("x", x.shape())?;
    let shape = self::image("x", image, len)?;
    let output = layout("out_layout", out_layout)?;
    let fused = FusedImage {
        channels: shape.channels,
        pixels: shape.height * shape.width,
        input: shape.layout,
        output,
    };
    let normalize = normalize(&mean, &std, shape.channels)?;
    let targets = targets((&labels, &None), num_classes, smoothing, n, labels_name)?;
    let batch = x
        .as_slice()
        .map_err(|_| value_error("x must be C-contiguous"))?;
    let rows = mix.output_rows(n);
    let dims = match output {
        ChannelOrder::Chw => [rows, shape.channels, shape.height, shape.width],
        ChannelOrder::Hwc => [rows, shape.height, shape.width, shape.channels],
    };
    let key = (seed, &stream);
    let fused = |out| FusedBatch {
        out,
        batch,
        image: fused,
        normalize,
    };
    // a fresh output comes from NumPy's allocator: lazily zeroed pages,
    // which cost a third of a Vec handed over afterwards
    let out = match out {
        Some(out) if out.shape() != dims => {
            return Err(value_error(format!(
                "out must have shape {dims:?}, got {:?}",
                out.shape()
            )));
        }
        Some(out) => out,
        None => PyArrayDyn::<f32>::zeros(py, numpy::IxDyn(&dims), false),
    };
    let (targets, plan) = {
        let mut view = out
            .try_readwrite()
            .map_err(|_| value_error("out is read-only, overlaps x or is already borrowed"))?;
        let slice = view
            .as_slice_mut()
            .map_err(|_| value_error("out must be C-contiguous"))?;
        run(py, mix, (n, Some(shape)), fused(slice), targets, key, "x")?
    };
    let out = out.into_any();
    Ok((
        out,
        targets_array(py, targets, num_classes)?,
        plan_arrays(py, plan)?,
    ))
}
