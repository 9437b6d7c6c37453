"""CutMix box geometry against the real libraries' own functions: timm's
``cutmix_bbox_and_lam`` (``rand_bbox`` and ``rand_bbox_minmax``) of the
installed timm (1.0.29 or later: recipe ``'timm'``) and of timm 1.0.28
(recipe ``'timm-1.0.28'``), and torchvision v2's ``CutMix.make_params``,
each given the same lambda and the same drawn integers as ours (their
random draws are replaced by values we pick and record).

timm 1.0.28 is loaded from its own ``mixup.py`` in the folder that
``MIXUP_TIMM_1_0_28`` names (``pip install --no-deps --target DIR
timm==1.0.28``; ``.ci/run`` does this)."""

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the real box checks "
                            "skipped (pip install torch torchvision timm)")

import mixup_exact as mixup  # noqa: E402

CASES = 1500


def timm_module(recipe):
    """timm's ``timm.data.mixup`` for a recipe: the installed timm, or 1.0.28's file."""
    if recipe == "timm":
        timm = pytest.importorskip("timm", reason="timm is not installed")
        major_minor_patch = tuple(int(p) for p in timm.__version__.split(".")[:3])
        if major_minor_patch < (1, 0, 29):
            pytest.skip(f"recipe 'timm' is timm >= 1.0.29; installed: {timm.__version__}")
        import timm.data.mixup as module
        return module
    folder = os.environ.get("MIXUP_TIMM_1_0_28")
    path = Path(folder or ".") / "timm" / "data" / "mixup.py"
    if not folder or not path.is_file():
        pytest.skip("timm 1.0.28 not found: set MIXUP_TIMM_1_0_28 to a folder filled by "
                    "pip install --no-deps --target DIR timm==1.0.28")
    spec = importlib.util.spec_from_file_location("timm_1_0_28_mixup", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Draws:
    """Stands in for ``np.random.randint``: picks each value in ``[low, high)``
    (often an end), checks the bounds timm asks for, and records it."""

    def __init__(self, rng):
        self.rng, self.taken = rng, []

    def __call__(self, low, high=None, size=None):
        assert size is None
        if high is None:
            low, high = 0, low
        assert low < high, (low, high)
        pick = self.rng.integers(4)
        value = int(low if pick == 0 else high - 1 if pick == 1 else self.rng.integers(low, high))
        self.taken.append(value)
        return value


def lambdas(rng):
    edges = [0.0, 1.0, 0.5, 0.25, 0.75, 1e-12, 1 - 1e-12]
    return edges + list(rng.random(CASES - len(edges)))


@pytest.mark.parametrize("recipe", ["timm", "timm-1.0.28"])
@pytest.mark.parametrize("f32", [False, True])
@pytest.mark.parametrize("correct_lam", [True, False])
def test_rand_bbox_is_timms(recipe, f32, correct_lam, monkeypatch):
    module = timm_module(recipe)
    rng = np.random.default_rng(1 + f32 + 2 * correct_lam)
    draws = Draws(rng)
    monkeypatch.setattr(np.random, "randint", draws)
    differ = 0
    for lam in lambdas(rng):
        h, w = (int(v) for v in rng.integers(1, 65, 2))
        lam = np.float32(lam) if f32 else float(lam)
        draws.taken.clear()
        box, lam_t = module.cutmix_bbox_and_lam((3, h, w), lam, correct_lam=correct_lam)
        box = tuple(int(v) for v in box)
        if f32:
            lam_t = float(np.float32(lam_t))  # timm keeps per-sample lambdas in float32
        cy, cx = draws.taken
        ours = mixup.cutmix_box(h, w, float(lam), (cy, cx), recipe=recipe,
                                correct_lam=correct_lam, f32_lambdas=f32)
        assert ours == (box, float(lam_t)), (h, w, lam, cy, cx)
        other = "timm-1.0.28" if recipe == "timm" else "timm"
        differ += mixup.cutmix_box(h, w, float(lam), (cy, cx), recipe=other,
                                   correct_lam=correct_lam, f32_lambdas=f32)[0] != box
    assert differ > CASES // 10  # the two rules are told apart


@pytest.mark.parametrize("recipe", ["timm", "timm-1.0.28"])
def test_rand_bbox_minmax_is_timms(recipe, monkeypatch):
    module = timm_module(recipe)
    rng = np.random.default_rng(7)
    draws = Draws(rng)
    monkeypatch.setattr(np.random, "randint", draws)
    for _ in range(CASES):
        h, w = (int(v) for v in rng.integers(5, 65, 2))
        lo = float(rng.uniform(0.05, 0.5))
        minmax = (lo, float(rng.uniform(lo + 0.2, 1.0)))
        if int(h * minmax[0]) >= int(h * minmax[1]) or int(w * minmax[0]) >= int(w * minmax[1]):
            continue  # NumPy refuses an empty range, and so do we
        draws.taken.clear()
        box, lam_t = module.cutmix_bbox_and_lam((3, h, w), 0.5, ratio_minmax=minmax)
        cut_h, cut_w, yl, xl = draws.taken
        ours = mixup.cutmix_box_minmax(h, w, minmax, (cut_h, cut_w), (yl, xl), recipe=recipe)
        assert ours == (tuple(int(v) for v in box), float(lam_t)), (h, w, minmax, draws.taken)


def test_torchvision_cutmix_box_is_torchvisions(monkeypatch):
    from torchvision.transforms import v2

    rng = np.random.default_rng(3)
    for lam in lambdas(rng):
        h, w = (int(v) for v in rng.integers(1, 65, 2))
        cy, cx = int(rng.integers(h)), int(rng.integers(w))
        cutmix = v2.CutMix(alpha=1.0, num_classes=3)
        monkeypatch.setattr(cutmix._dist, "sample", lambda shape, lam=lam: torch.tensor(lam))
        picks = iter([cx, cy])  # torchvision draws r_x, then r_y
        monkeypatch.setattr(torch, "randint", lambda high, size: torch.tensor([next(picks)]))
        params = cutmix.make_params([torch.zeros(1, 3, h, w)])
        x1, y1, x2, y2 = params["box"]
        ours = mixup.cutmix_box(h, w, float(lam), (cy, cx), recipe="torchvision")
        assert ours == ((y1, y2, x1, x2), params["lam_adjusted"]), (h, w, lam, cy, cx)
