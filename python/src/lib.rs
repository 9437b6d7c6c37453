//! `mixup_exact._native`, the extension behind the `mixup-exact` Python package.
//!
//! It is thin on purpose: [`Config`] holds a checked [`mixup::MixConfig`],
//! and two calls convert their arguments for the core's one batch step
//! (`mixup::MixConfig::mix_batch`): a plan drawn from `(seed, stream)`, a
//! NumPy array mixed in place or u8 into f32, the soft targets (from class
//! ids or dense rows), with the GIL released. The Python package
//! (`python/python/mixup_exact/`) gives the timm and torchvision classes,
//! takes PyTorch tensors and derives the streams.

mod apply;
mod arrays;
mod boxes;
mod config;
mod errors;

use pyo3::prelude::*;

/// The extension module, imported as `mixup_exact._native`.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<config::Config>()?;
    m.add_function(wrap_pyfunction!(apply::mix_in_place, m)?)?;
    m.add_function(wrap_pyfunction!(apply::mix_u8_to_f32, m)?)?;
    m.add_function(wrap_pyfunction!(boxes::cutmix_box, m)?)?;
    m.add_function(wrap_pyfunction!(boxes::cutmix_box_minmax, m)?)?;
    m.add_function(wrap_pyfunction!(backend, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("OP_UNMIXED", mixup::Op::Unmixed as u8)?;
    m.add("OP_MIXUP", mixup::Op::Mixup as u8)?;
    m.add("OP_CUTMIX", mixup::Op::CutMix as u8)?;
    Ok(())
}

/// The SIMD backend this CPU gets, e.g. `"Avx512"`.
#[pyfunction]
fn backend() -> String {
    format!("{:?}", mixup::Mixer::new().backend())
}
