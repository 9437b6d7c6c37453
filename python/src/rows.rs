//! Dense targets (probabilities, multi-label rows) mixed by a plan that a
//! call drew: every row that mixes is blended with its partner's by
//! `lam'`, CutMix rows too, since labels are weighed, never pasted.

use mixup::{Mixer, Op, Plan};
use numpy::{
    PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::prelude::*;

use crate::errors::{to_py, value_error};

/// `out[i] = w_self_i * rows[i] + w_partner_i * rows[partners[i]]` where
/// sample `i` mixes (its op is not unmixed), `rows[i]` where it does not,
/// into a new float32 array of `rows`' shape, with the arithmetic of the
/// images (`w_self = f32(lam)`, `w_partner = f32(1 - lam)`). The plan is
/// one call's: partners (int64), lambdas (float64), ops (uint8).
#[pyfunction]
pub fn blend_rows<'py>(
    py: Python<'py>,
    rows: PyReadonlyArray2<'py, f32>,
    partners: PyReadonlyArray1<'py, i64>,
    lambdas: PyReadonlyArray1<'py, f64>,
    ops: PyReadonlyArray1<'py, u8>,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let [n, classes] = [rows.shape()[0], rows.shape()[1]];
    let (Ok(partners), Ok(lambdas), Ok(ops)) =
        (partners.as_slice(), lambdas.as_slice(), ops.as_slice())
    else {
        return Err(value_error("partners, lambdas and ops must be contiguous"));
    };
    if partners.len() != n || lambdas.len() != n || ops.len() != n {
        return Err(value_error(format!(
            "partners, lambdas and ops need one entry per row ({n})"
        )));
    }
    let partners: Vec<u32> = partners
        .iter()
        .map(|&p| u32::try_from(p).ok().filter(|&p| (p as usize) < n))
        .collect::<Option<_>>()
        .ok_or_else(|| value_error("partners must be row indices"))?;
    let ops: Vec<Op> = ops
        .iter()
        .map(|&op| match op {
            0 => Some(Op::Unmixed),
            1 | 2 => Some(Op::Mixup),
            _ => None,
        })
        .collect::<Option<_>>()
        .ok_or_else(|| value_error("ops must be OP_UNMIXED, OP_MIXUP or OP_CUTMIX"))?;
    let source = rows
        .as_slice()
        .map_err(|_| value_error("target must be contiguous"))?;
    let mut out = vec![0.0f32; source.len()];
    let plan = Plan::new(&partners, lambdas).with_ops(&ops);
    py.detach(|| Mixer::new().mix_into(&mut out, source, classes, plan))
        .map_err(|e| to_py(e, "target"))?;
    PyArray1::from_vec(py, out).reshape([n, classes])
}
