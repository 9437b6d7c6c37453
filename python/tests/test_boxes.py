"""``mixup.cutmix_box`` and the ``recipe`` choice of timm's classes, without
PyTorch: the two timm rules on timm's own example, plans that differ only
where timm 1.0.29 changed the boxes, and errors that name the argument."""

import numpy as np
import pytest

import mixup_exact as mixup


def test_timms_example_under_both_rules():
    # H = 7, W = 5, lam = 0.5, centre (3, 2): cut 4 x 3
    assert mixup.cutmix_box(7, 5, 0.5, (3, 2)) == ((1, 5, 1, 4), 1 - 12 / 35)
    assert mixup.cutmix_box(7, 5, 0.5, (3, 2), recipe="timm-1.0.28") == ((1, 5, 1, 3), 1 - 8 / 35)
    assert mixup.cutmix_box(7, 5, 0.5, (3, 2), correct_lam=False)[1] == 0.5
    # a corner at H - cut_h: today's timm only
    assert mixup.cutmix_box_minmax(10, 20, (0.2, 0.8), (5, 4), (5, 16)) == ((5, 10, 16, 20), 0.9)
    with pytest.raises(ValueError, match="cutmix_box_minmax"):
        mixup.cutmix_box_minmax(10, 20, (0.2, 0.8), (5, 4), (5, 16), recipe="timm-1.0.28")


@pytest.mark.parametrize("mode", ["batch", "elem", "pair"])
def test_the_old_rule_draws_the_same_plan_with_boxes_a_pixel_shorter(mode):
    x = np.zeros((16, 3, 31, 27), dtype=np.float32)
    labels = np.arange(16) % 5
    plans = {}
    for recipe in ("timm", "timm-1.0.28"):
        fn = mixup.Mixup(mixup_alpha=0.0, cutmix_alpha=1.0, mode=mode, num_classes=5, seed=11,
                         recipe=recipe)
        plans[recipe] = [fn(x, labels, batch_index=b, return_plan=True)[2] for b in range(20)]
    grew = 0
    for new, old in zip(plans["timm"], plans["timm-1.0.28"]):
        assert (new.ops == old.ops).all() and (new.partners == old.partners).all()
        cut = new.ops == mixup.OP_CUTMIX
        b_new, b_old = new.boxes[cut].astype(int), old.boxes[cut].astype(int)
        assert (b_new[:, [0, 2]] == b_old[:, [0, 2]]).all()  # the same upper-left corners
        reach = b_new[:, [1, 3]] - b_old[:, [1, 3]]
        assert np.isin(reach, [0, 1]).all()
        grew += int(reach.sum())
    assert grew > 0


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="recipe must be 'timm', 'timm-1.0.28' or 'torchvision'"):
        mixup.cutmix_box(7, 5, 0.5, (3, 2), recipe="timm-1.0.30")
    with pytest.raises(ValueError, match="height and width"):
        mixup.cutmix_box(0, 5, 0.5, (0, 0))
    with pytest.raises(ValueError, match="lam must be in"):
        mixup.cutmix_box(7, 5, float("nan"), (3, 2))
    with pytest.raises(ValueError, match="centre must lie in the image"):
        mixup.cutmix_box(7, 5, 0.5, (7, 2))
    with pytest.raises(ValueError, match="recipe"):
        mixup.cutmix_box_minmax(10, 20, (0.2, 0.8), (5, 4), (0, 0), recipe="torchvision")
    with pytest.raises(ValueError, match="recipe must be 'timm' or 'timm-1.0.28'"):
        mixup.Mixup(recipe="torchvision")
    with pytest.raises(ValueError, match="recipe must be 'timm' or 'timm-1.0.28'"):
        mixup.FastCollateMixup(recipe="timm-1.0.29")
