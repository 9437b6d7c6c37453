"""The formulas, written in NumPy float32 as timm and torchvision evaluate
them, to check the extension bit for bit against."""

import numpy as np

import mixup_exact as mixup

F32 = np.float32


def weights(lam, f32_rule):
    """``(w_self, w_partner)``: a Python float (NumPy casts it to float32,
    as torch does with a scalar), or timm's float32 per-sample lambda."""
    if f32_rule:
        lam = F32(lam)
        return lam, F32(1) - lam
    lam = float(lam)
    return lam, 1.0 - lam


def paste(out, source, box, layout):
    """``out[..., y1:y2, x1:x2] = source[..., y1:y2, x1:x2]`` in either layout."""
    y1, y2, x1, x2 = (int(v) for v in box)
    if layout == "chw":
        out[:, y1:y2, x1:x2] = source[:, y1:y2, x1:x2]
    else:
        out[y1:y2, x1:x2, :] = source[y1:y2, x1:x2, :]


def mix_images(x0, plan, f32_rule, layout="chw", rows=None):
    """The mixed batch: ``x[i] * lam + x[p] * (1 - lam)`` per mixup sample
    (``np.rint`` for uint8, as timm's collate), a box paste per CutMix
    sample, the sample itself where unmixed."""
    n = len(x0)
    out = x0.copy()
    for i in range(n if rows is None else rows):
        p = int(plan.partners[i])
        if plan.ops[i] == mixup.OP_MIXUP:
            w_self, w_partner = weights(plan.lambdas[i], f32_rule)
            if x0.dtype == np.uint8:
                blend = x0[i].astype(F32) * w_self + x0[p].astype(F32) * w_partner
                out[i] = np.rint(blend).astype(np.uint8)
            else:
                out[i] = x0[i] * w_self + x0[p] * w_partner
        elif plan.ops[i] == mixup.OP_CUTMIX:
            paste(out[i], x0[p], plan.boxes[i], layout)
    return out if rows is None else out[:rows]


def mixup_target(labels, num_classes, plan, smoothing, f32_rule, rows=None):
    """timm's ``mixup_target``: smoothed one-hot rows ``y1``, the partners'
    ``y2``, then ``y1 * lam + y2 * (1 - lam)`` in float32."""
    n = len(labels)
    off = smoothing / num_classes
    on = 1.0 - smoothing + off
    y1 = np.full((n, num_classes), off, dtype=F32)
    y1[np.arange(n), labels] = on
    y2 = y1[plan.partners]
    if f32_rule:
        lam = plan.lambdas.astype(F32)[:, None]
        out = y1 * lam + y2 * (F32(1) - lam)
    else:
        # one Python-float lambda per batch in timm and torchvision; row by
        # row here, which is the same arithmetic
        out = np.empty_like(y1)
        for i in range(n):
            w_self, w_partner = weights(plan.lambdas[i], False)
            out[i] = y1[i] * w_self + y2[i] * w_partner
    return out if rows is None else out[:rows]


def to_tensor_normalize(u8, mean, std, layout):
    """torchvision's ``ToTensor()`` then ``Normalize(mean, std)``, CHW out."""
    chw = u8 if layout == "chw" else u8.transpose(0, 3, 1, 2)
    v = chw.astype(F32) / F32(255)
    mean = np.asarray(mean, dtype=F32)[None, :, None, None]
    std = np.asarray(std, dtype=F32)[None, :, None, None]
    return (v - mean) / std
