"""Speed of the Python package next to what Python users run today.

Not a test: prints, for one 128x3x224x224 float32 batch (77 MB), the
median time of an in-place mixup by this package, torchvision v2's
``MixUp`` and timm's ``Mixup`` (when installed), NumPy's ``lam * x + (1 -
lam) * x[perm]``, and a plain copy of the batch; then timm's
``FastCollateMixup`` on uint8 samples against ours, with and without
ToTensor + Normalize fused; and whether other Python threads run while a
batch is mixed (the GIL is released).

    python python/benchmarks/bench.py [--repeat 15]
"""

import argparse
import os
import platform
import statistics
import threading
import time

import numpy as np

import mixup_exact as mixup

N, C, H, W = 128, 3, 224, 224


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def median_ms(run, repeat, warmup=3):
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def row(name, ms, base):
    print(f"  {name:<52} {ms:8.2f} ms  {ms / base:6.2f}x copy")


def optional(module):
    try:
        return __import__(module)
    except ImportError:
        return None


def float_batch(args, torch):
    print(f"\n{N}x{C}x{H}x{W} float32 ({N * C * H * W * 4 / 1e6:.0f} MB), median of {args.repeat}")
    x = np.random.default_rng(0).random((N, C, H, W), dtype=np.float32)
    dst = np.empty_like(x)
    labels = np.arange(N) % 1000
    base = median_ms(lambda: np.copyto(dst, x), args.repeat)
    row("plain copy (np.copyto)", base, base)

    ours = mixup.Mixup(mixup_alpha=1.0, num_classes=1000, seed=0)
    row("mixup.Mixup (timm recipe, in place, with targets)", median_ms(lambda: ours(x, labels), args.repeat), base)
    tv_ours = mixup.MixUp(alpha=1.0, num_classes=1000, seed=0)
    row("mixup.MixUp (torchvision recipe, in place)", median_ms(lambda: tv_ours(x, labels), args.repeat), base)

    perm = np.random.default_rng(1).permutation(N)
    lam = 0.3
    row("NumPy lam * x + (1 - lam) * x[perm]", median_ms(lambda: lam * x + (1 - lam) * x[perm], args.repeat), base)

    if torch is None:
        print("  (PyTorch not installed: torchvision and timm rows skipped)")
        return
    t = torch.from_numpy(x)
    t_labels = torch.from_numpy(labels)
    row("mixup.Mixup on a torch tensor (in place)", median_ms(lambda: ours(t, t_labels), args.repeat), base)
    v2 = optional("torchvision.transforms.v2")
    if v2 is not None:
        import torchvision.transforms.v2 as v2

        tv = v2.MixUp(alpha=1.0, num_classes=1000)
        row(f"torchvision v2 MixUp ({torch.get_num_threads()} torch threads)",
            median_ms(lambda: tv(t, t_labels), args.repeat), base)
    timm_mixup = optional("timm.data.mixup")
    if timm_mixup is not None:
        import timm.data.mixup as timm_mixup

        fn = timm_mixup.Mixup(mixup_alpha=1.0, num_classes=1000)
        row(f"timm Mixup, batch mode ({torch.get_num_threads()} torch threads)",
            median_ms(lambda: fn(t, t_labels), args.repeat), base)
        fn = timm_mixup.Mixup(mixup_alpha=1.0, num_classes=1000, mode="elem")
        elem = mixup.Mixup(mixup_alpha=1.0, num_classes=1000, mode="elem", seed=0)
        row("timm Mixup, elem mode", median_ms(lambda: fn(t, t_labels), args.repeat), base)
        row("mixup.Mixup, elem mode", median_ms(lambda: elem(t, t_labels), args.repeat), base)


def collate(args, torch):
    print(f"\ncollate {N} uint8 samples of {H}x{W}x{C} into a mixed batch, median of {args.repeat}")
    rng = np.random.default_rng(2)
    hwc = [(rng.integers(0, 256, size=(H, W, C), dtype=np.uint8), k) for k in range(N)]
    chw = [(np.ascontiguousarray(s.transpose(2, 0, 1)), k) for s, k in hwc]
    base = median_ms(lambda: np.stack([s for s, _ in chw]), args.repeat)
    print(f"  {'np.stack of the samples (uint8)':<52} {base:8.2f} ms")
    ours = mixup.FastCollateMixup(mixup_alpha=1.0, cutmix_alpha=1.0, mode="elem", num_classes=1000,
                                  seed=0)
    print(f"  {'mixup.FastCollateMixup, elem, uint8 CHW':<52} {median_ms(lambda: ours(chw), args.repeat):8.2f} ms")
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    fused = mixup.FastCollateMixup(mixup_alpha=1.0, cutmix_alpha=1.0, mode="elem",
                                   num_classes=1000, seed=0, layout="hwc", mean=mean, std=std)
    out = np.empty((N, C, H, W), dtype=np.float32)
    print(f"  {'mixup.FastCollateMixup, HWC uint8 -> normalized f32':<52} "
          f"{median_ms(lambda: fused(hwc, out=out), args.repeat):8.2f} ms")
    timm_mixup = optional("timm.data.mixup") if torch is not None else None
    if timm_mixup is not None:
        import timm.data.mixup as timm_mixup

        fn = timm_mixup.FastCollateMixup(mixup_alpha=1.0, cutmix_alpha=1.0, mode="elem",
                                         num_classes=1000)
        print(f"  {'timm FastCollateMixup, elem, uint8 CHW':<52} "
              f"{median_ms(lambda: fn(chw), args.repeat):8.2f} ms")


def gil(args):
    x = np.random.default_rng(0).random((N, C, H, W), dtype=np.float32)
    fn = mixup.Mixup(mixup_alpha=1.0, num_classes=1000, seed=0)
    calls = 20
    done = threading.Event()

    def mix():
        for _ in range(calls):
            fn(x, None)
        done.set()

    worker = threading.Thread(target=mix)
    ticks = 0
    start = time.perf_counter()
    worker.start()
    while not done.is_set():
        ticks += 1
    worker.join()
    seconds = time.perf_counter() - start
    print(f"\nGIL: the main thread counted to {ticks:,} while another thread mixed {calls} batches "
          f"in {seconds * 1e3:.0f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    torch = optional("torch")
    print(f"CPU: {cpu_name()}, {os.cpu_count()} logical CPUs; mixup backend {mixup.backend()}; "
          f"NumPy {np.__version__}" + (f"; torch {torch.__version__}" if torch else ""))
    float_batch(args, torch)
    collate(args, torch)
    gil(args)


if __name__ == "__main__":
    main()
