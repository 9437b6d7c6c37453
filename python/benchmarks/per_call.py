"""The fixed cost of one call from Python, next to the kernel's time.

Not a test: on small float32 batches (4 and 64 samples of 3x32x32), the
best time per call of

- ``mixup_exact.Mixup`` (timm's recipe, mixup only, batch mode) and
  ``mixup_exact.MixUp`` (torchvision's), on NumPy arrays and on PyTorch
  CPU tensors;
- the extension's call alone, on NumPy arrays, with the stream given;
- what PyTorch charges to share memory both ways (``Tensor.numpy()`` of the
  batch and the labels, ``torch.from_numpy`` of the targets);
- timm's ``Mixup`` and torchvision v2's ``MixUp`` on the same tensors, when
  installed.

The fixed cost is the time at 4 samples; the blend of 60 more samples is
what the 64-sample call adds. Each number is the best of ``--rounds``
rounds of ``--calls`` calls, the statements taking turns, so that a slow
moment of the machine hits all of them.

    python python/benchmarks/per_call.py [--rounds 15] [--calls 5000]
    python python/benchmarks/per_call.py --quick    # a short run: that it all works
"""

import argparse
import importlib
import os
import timeit

import numpy as np

import mixup_exact as mixup
from mixup_exact import _native
from bench import cpu_name, optional  # the sibling script, on sys.path as this one's folder

CLASSES = 10


def submodule(name):
    """``name`` imported, or ``None`` where its package is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def batches(n, torch):
    """``{name: object}`` of one batch of ``n`` samples: NumPy, and tensors
    when PyTorch is installed."""
    x = np.random.default_rng(0).standard_normal((n, 3, 32, 32), dtype=np.float32)
    y = np.arange(n) % CLASSES
    found = {f"x{n}": x, f"y{n}": y}
    if torch is not None:
        found.update({f"xt{n}": torch.from_numpy(x.copy()), f"yt{n}": torch.from_numpy(y.copy())})
    return found


def statements(torch, timm, v2):
    """``[(label, statement)]``, the statements over ``batches``' names."""
    rows = []
    for n in (4, 64):
        rows += [
            (f"Mixup, NumPy, {n} samples", f"ours(x{n}, y{n})"),
            (f"native call alone, NumPy, {n} samples",
             f"_native.mix_in_place(ours._config, x{n}, y{n}, None, {CLASSES}, 0.1, "
             f"(3, 32, 32, 'chw'), 0, 5)"),
        ]
        if torch is not None:
            rows += [
                (f"Mixup, tensors, {n} samples", f"ours(xt{n}, yt{n})"),
                (f"MixUp (torchvision's), tensors, {n} samples", f"ours_tv(xt{n}, yt{n})"),
            ]
        if timm is not None:
            rows.append((f"timm's Mixup, tensors, {n} samples", f"timm_mixup(xt{n}, yt{n})"))
        if v2 is not None:
            rows.append((f"torchvision's v2.MixUp, tensors, {n} samples", f"tv_mixup(xt{n}, yt{n})"))
    if torch is not None:
        rows.append(("PyTorch's sharing: x.numpy(), y.numpy(), from_numpy(targets)",
                     "xt4.numpy(); yt4.numpy(); torch.from_numpy(targets4)"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="2 rounds of 50 calls")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.calls = 2, 50
    torch = optional("torch")
    timm_data = submodule("timm.data") if torch is not None else None
    v2 = submodule("torchvision.transforms.v2") if torch is not None else None
    if torch is not None:
        torch.set_num_threads(1)
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores); backend {mixup.backend()}")
    if torch is None:
        print("PyTorch is not installed: the tensor rows are skipped")
    names = {"_native": _native, "torch": torch}  # what the statements use
    names["ours"] = mixup.Mixup(mixup_alpha=1.0, num_classes=CLASSES, seed=0)
    names["ours_tv"] = mixup.MixUp(alpha=1.0, num_classes=CLASSES, seed=0)
    if timm_data is not None:
        names["timm_mixup"] = timm_data.Mixup(mixup_alpha=1.0, num_classes=CLASSES)
    if v2 is not None:
        names["tv_mixup"] = v2.MixUp(alpha=1.0, num_classes=CLASSES)
    names["targets4"] = np.zeros((4, CLASSES), dtype=np.float32)
    names.update(batches(4, torch))
    names.update(batches(64, torch))
    rows = statements(torch, timm_data, v2)
    best = {label: float("inf") for label, _ in rows}
    for _ in range(args.rounds):
        for label, statement in rows:
            seconds = timeit.timeit(statement, number=args.calls, globals=names)
            best[label] = min(best[label], seconds / args.calls * 1e6)
    print(f"\nbest of {args.rounds} rounds of {args.calls} calls, us per call:\n")
    print("| call | us |")
    print("| --- | ---: |")
    for label, _ in rows:
        print(f"| {label} | {best[label]:.1f} |")
    for kind in ("NumPy", "tensors"):
        small, big = best.get(f"Mixup, {kind}, 4 samples"), best.get(f"Mixup, {kind}, 64 samples")
        if small is not None:
            print(f"\nMixup on {kind}: {small:.1f} us fixed per call; the blend of 60 more "
                  f"samples adds {big - small:.1f} us")


if __name__ == "__main__":
    main()
