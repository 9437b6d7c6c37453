//! `Config`: one checked recipe (mixup, CutMix, switching, granularity,
//! pairing), built once per Python `Mixup` / `MixUp` / `CutMix` object.

use mixup::{Granularity, MixConfig, Pairing, Recipe, TimmRule};
use pyo3::prelude::*;

use crate::errors::value_error;

/// A checked recipe. Every field is validated when it is built, with an
/// error that names the field, so a bad one never reaches a batch.
#[pyclass(frozen, module = "mixup_exact._native")]
pub struct Config {
    /// The recipe, checked by [`MixConfig::validate`].
    pub mix: MixConfig,
}

/// A finite number in `[0, 1]`, or an error naming `name`.
fn unit(name: &str, value: f64) -> PyResult<f64> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(value_error(format!(
            "{name} must be in [0, 1], got {value}"
        )))
    }
}

/// A finite shape `>= 0`, or an error naming `name`.
fn shape(name: &str, value: f64) -> PyResult<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(value_error(format!(
            "{name} must be finite and >= 0, got {value}"
        )))
    }
}

fn granularity(mode: &str) -> PyResult<Granularity> {
    match mode {
        "batch" => Ok(Granularity::Batch),
        "elem" => Ok(Granularity::Elem),
        "pair" => Ok(Granularity::Pair),
        "half" => Ok(Granularity::Half),
        _ => Err(value_error(format!(
            "mode must be 'batch', 'pair', 'elem' or 'half', got {mode:?}"
        ))),
    }
}

fn pairing(name: &str, roll: i64) -> PyResult<Pairing> {
    match name {
        "flip" => Ok(Pairing::Flip),
        "roll" => Ok(Pairing::Roll(roll)),
        "permutation" => Ok(Pairing::Permutation),
        "cycle" => Ok(Pairing::Cycle),
        _ => Err(value_error(format!(
            "pairing must be 'flip', 'roll', 'permutation' or 'cycle', got {name:?}"
        ))),
    }
}

fn recipe(name: &str, correct_lam: bool, minmax: Option<(f64, f64)>) -> PyResult<Recipe> {
    if let Some((lo, hi)) = minmax
        && !(lo > 0.0 && lo < hi && hi <= 1.0)
    {
        return Err(value_error(format!(
            "cutmix_minmax must be (lo, hi) with 0 < lo < hi <= 1, got ({lo}, {hi})"
        )));
    }
    let timm = |rule| {
        Ok(Recipe::Timm {
            correct_lam,
            minmax,
            rule,
        })
    };
    match (name, minmax) {
        ("timm", _) => timm(TimmRule::Since1_0_29),
        ("timm-1.0.28", _) => timm(TimmRule::UpTo1_0_28),
        ("torchvision", None) => Ok(Recipe::TorchVision),
        ("torchvision", Some(_)) => Err(value_error(
            "cutmix_minmax is timm's: the torchvision recipe has none",
        )),
        _ => Err(value_error(format!(
            "recipe must be 'timm', 'timm-1.0.28' or 'torchvision', got {name:?}"
        ))),
    }
}

#[pymethods]
impl Config {
    /// Checks and holds a recipe; every argument is keyword-only.
    #[new]
    #[pyo3(signature = (*, mixup_alpha, cutmix_alpha, prob, switch_prob, mode, pairing, recipe, correct_lam, cutmix_minmax=None, roll=1))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        mixup_alpha: f64,
        cutmix_alpha: f64,
        prob: f64,
        switch_prob: f64,
        mode: &str,
        pairing: &str,
        recipe: &str,
        correct_lam: bool,
        cutmix_minmax: Option<(f64, f64)>,
        roll: i64,
    ) -> PyResult<Config> {
        let mix = MixConfig {
            alpha: shape("mixup_alpha", mixup_alpha)?,
            beta: mixup_alpha,
            prob: unit("prob", prob)?,
            pairing: self::pairing(pairing, roll)?,
            granularity: granularity(mode)?,
            cutmix_alpha: shape("cutmix_alpha", cutmix_alpha)?,
            switch_prob: unit("switch_prob", switch_prob)?,
            recipe: self::recipe(recipe, correct_lam, cutmix_minmax)?,
        };
        mix.validate()
            .map_err(|e| crate::errors::to_py(e, "configuration"))?;
        Ok(Config { mix })
    }

    /// Whether CutMix is on (`cutmix_alpha > 0` or a `cutmix_minmax`).
    #[getter]
    fn cutmix(&self) -> bool {
        self.mix.cutmix_on()
    }

    /// How many samples a batch of `n` outputs: the first `n // 2` in
    /// timm's `half` mode, else all `n`.
    fn output_rows(&self, n: usize) -> usize {
        self.mix.output_rows(n)
    }

    fn __repr__(&self) -> String {
        format!("Config({:?})", self.mix)
    }
}
