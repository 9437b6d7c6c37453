"""What a real loader gains: images per second of a whole DataLoader.

Not a test: one DataLoader (2 workers, batch 128 by default) decodes JPEG
(the sample photographs, encoded here), applies RandomResizedCrop(224) and
a flip in the workers, then gets a normalized, mixed float32 batch in one
of four ways:

- torchvision: ``ToTensor`` + ``Normalize`` per sample, the default
  collate, v2 ``RandomChoice([CutMix, MixUp])`` in the collate;
- timm: uint8 CHW samples, timm's ``FastCollateMixup`` (elem, mixup 0.8,
  CutMix 1.0), then the batch normalized on the CPU in the main process;
- mixup-exact: uint8 HWC samples (``np.asarray`` of the PIL image), our
  ``FastCollateMixup`` with ToTensor and Normalize fused into the mix, in
  the workers, which then hand 77 MB of float32 per batch to the main
  process;
- mixup-exact in main: the same samples, the default collate in the
  workers (19 MB of uint8 to hand over), then our ``FastCollateMixup``'s
  ``mix_collated`` in the main process, into one output it reuses
  (``out=``): the main process owns that buffer, so reusing it is safe,
  and no batch pays the first touch of fresh memory.

It prints images/s per path, five rounds, each round running every path
once (the order rotating from round to round), and each of ours over
timm's and torchvision's as the median of the ratios within a round; then,
in one process, the time per batch after the crop: each path's collate on
the same 128 cropped samples, and what a worker pays to hand one batch
over through shared memory (float32 and uint8), with /dev/shm's huge-page
setting (docs/PYTHON.md, "Shared memory").

    python python/benchmarks/loader.py [--batches N] [--batch-size 128] [--workers 2] [--rounds 5]
    python python/benchmarks/loader.py --quick      # a short run: that it all works
    python python/benchmarks/loader.py --decoded    # without the JPEG decode
"""

import argparse
import io
import os
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset, default_collate
from torchvision.transforms import v2

import mixup_exact as mixup
from bench import cpu_name  # the sibling script, on sys.path as this one's folder

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
CLASSES = 1000
DATA = Path(__file__).resolve().parents[2] / "examples" / "data"


def jpegs():
    """The sample photographs as JPEG bytes (quality 90), upscaled to
    448x448 so that the crop has something to crop."""
    out = []
    for path in sorted(DATA.glob("*.png")):
        image = Image.open(path).convert("RGB").resize((448, 448), Image.BICUBIC)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        out.append(buffer.getvalue())
    return out


CROP = v2.Compose([v2.RandomResizedCrop(224, antialias=True), v2.RandomHorizontalFlip()])
TO_TENSOR = v2.Compose([v2.PILToTensor(), v2.ToDtype(torch.float32, scale=True),
                        v2.Normalize(MEAN, STD)])


class Photos(Dataset):
    """``length`` samples cycling over the JPEGs: decode, crop, flip, then
    the path's own conversion; with ``decoded``, each photograph's sample is
    made once, up front, and handed out again at each turn."""

    def __init__(self, length, path, decoded=False):
        self.jpegs, self.length, self.path = jpegs(), length, path
        self.ready = [self.sample(i) for i in range(len(self.jpegs))] if decoded else None

    def __len__(self):
        return self.length

    def sample(self, i):
        image = CROP(Image.open(io.BytesIO(self.jpegs[i % len(self.jpegs)])).convert("RGB"))
        return convert(image, self.path)

    def __getitem__(self, i):
        image = self.sample(i) if self.ready is None else self.ready[i % len(self.ready)]
        return image, i % CLASSES


def convert(image, path):
    if path == "torchvision":
        return TO_TENSOR(image)
    if path == "mixup-exact in main":
        return np.array(image)  # writable: the default collate makes a tensor of it
    hwc = np.asarray(image)
    return np.ascontiguousarray(hwc.transpose(2, 0, 1)) if path == "timm" else hwc


def collates(batch_size):
    """Each path's collate (run in the workers) and the step after it (run
    in the main process)."""
    choice = v2.RandomChoice([v2.CutMix(num_classes=CLASSES), v2.MixUp(num_classes=CLASSES)])

    def torchvision_collate(batch):
        return choice(*default_collate(batch))

    from timm.data import FastCollateMixup as TimmCollate

    timm_collate = TimmCollate(mixup_alpha=0.8, cutmix_alpha=1.0, mode="elem",
                               num_classes=CLASSES)
    mean = torch.tensor(MEAN).view(1, 3, 1, 1) * 255
    std = torch.tensor(STD).view(1, 3, 1, 1) * 255

    def timm_after(batch):
        x, y = batch
        return x.float().sub_(mean).div_(std), y

    ours = mixup.FastCollateMixup(mixup_alpha=0.8, cutmix_alpha=1.0, mode="elem",
                                  num_classes=CLASSES, layout="hwc", mean=MEAN, std=STD,
                                  seed=0)
    reused = {}

    def ours_in_main(batch):  # the main process's step after the default collate
        x, y = batch
        out = reused.get(x.shape)
        if out is None:
            n, h, w, c = x.shape
            out = reused[x.shape] = torch.empty(n, c, h, w)
        return ours.mix_collated(x, y, out=out)

    return {
        "torchvision": (torchvision_collate, None),
        "timm": (timm_collate, timm_after),
        "mixup-exact": (ours, None),
        "mixup-exact in main": (default_collate, ours_in_main),
    }


def images_per_second(path, collate, after, args):
    dataset = Photos(args.batch_size * (args.batches + 1), path, args.decoded)
    loader = DataLoader(dataset, batch_size=args.batch_size, num_workers=args.workers,
                        collate_fn=collate, drop_last=True, persistent_workers=False)
    seen, start = 0, None
    for k, (x, y) in enumerate(loader):
        if after is not None:
            x, y = after((x, y))
        assert x.dtype == torch.float32 and x.shape[1:] == (3, 224, 224), (path, x.shape)
        if k == 0:
            start = time.perf_counter()  # the first batch pays the workers' start
            continue
        seen += len(x)
    return seen / (time.perf_counter() - start)


def after_crop_ms(path, collate, after, batch_size, repeat):
    """One process: the collate (and the step after it) on cropped samples."""
    dataset = Photos(batch_size, path)
    samples = [dataset[i] for i in range(batch_size)]
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        batch = collate(samples)
        if after is not None:
            batch = after(batch)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:]) * 1e3


def decode_crop_ms(batch_size, repeat):
    """One process: JPEG decode, crop and flip of one batch, which every
    path pays in its workers before its collate."""
    dataset = Photos(batch_size, "mixup-exact")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for i in range(batch_size):
            dataset[i]
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def handover_ms(batch_size, repeat):
    """One process: moving one fresh batch into shared memory, as a worker
    does to hand it over (``share_memory_``), float32 and uint8."""
    times = {}
    for dtype in (torch.float32, torch.uint8):
        runs = []
        for _ in range(repeat + 1):
            batch = torch.ones((batch_size, 3, 224, 224), dtype=dtype)
            start = time.perf_counter()
            batch.share_memory_()
            runs.append(time.perf_counter() - start)
        times[dtype] = statistics.median(runs[1:]) * 1e3
    return times[torch.float32], times[torch.uint8]


def shm_huge():
    """The ``huge=`` option of the tmpfs at /dev/shm (Linux), which decides
    whether shared memory gets 2 MiB pages."""
    found = "not a Linux tmpfs"
    try:
        with open("/proc/mounts") as mounts:
            for line in mounts:  # the last mount on /dev/shm is the one in effect
                fields = line.split()
                if fields[1] == "/dev/shm" and fields[2] == "tmpfs":
                    options = dict(o.partition("=")[::2] for o in fields[3].split(","))
                    found = "huge=" + options.get("huge", "never")
    except OSError:
        pass
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int,
                        help="timed batches per loader: 10, or 60 with --decoded")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2 batches of 16, one round")
    parser.add_argument("--decoded", action="store_true",
                        help="samples decoded and cropped once, up front: the loader without "
                             "the JPEG decode, to show what each path costs beyond it")
    args = parser.parse_args()
    if args.batches is None:
        args.batches = 60 if args.decoded else 10
    if args.quick:
        args.batches, args.batch_size, args.rounds = 2, 16, 1
    torch.set_num_threads(1)  # the workers are the parallelism, as in training
    print(f"CPU: {cpu_name()} ({os.cpu_count()} logical cores); backend {mixup.backend()}")
    print(f"torch {torch.__version__}; {args.workers} workers, batch {args.batch_size}, "
          f"{args.batches} timed batches, "
          + ("samples decoded up front\n" if args.decoded
             else "JPEG decode + RandomResizedCrop(224) + flip\n"))
    paths = collates(args.batch_size)
    rates = rounds_of_paths(paths, args)
    print("| path | images/s, median | each round | after the crop, per batch |")
    print("| --- | ---: | ---: | ---: |")
    for name, (collate, after) in paths.items():
        ms = after_crop_ms(name, collate, after, args.batch_size, 3 if args.quick else 7)
        shown = " / ".join(f"{r:,.0f}" for r in rates[name])
        print(f"| {name} | {statistics.median(rates[name]):,.0f} | {shown} | {ms:.1f} ms |")
    decode = decode_crop_ms(args.batch_size, 1 if args.quick else 3)
    print(f"\nJPEG decode + crop + flip of one batch, one process: {decode:.0f} ms "
          f"(what every path pays in its workers first)")
    f32, u8 = handover_ms(args.batch_size, 1 if args.quick else 5)
    print(f"A worker's handover, one fresh batch into shared memory: float32 {f32:.1f} ms, "
          f"uint8 {u8:.1f} ms (/dev/shm: {shm_huge()})")
    for ours in ("mixup-exact", "mixup-exact in main"):
        print(f"{ours} / timm: {ratio_line(rates[ours], rates['timm'])}; "
              f"{ours} / torchvision: {ratio_line(rates[ours], rates['torchvision'])}")


def rounds_of_paths(paths, args):
    """Images/s of every path in each of ``args.rounds`` rounds. Each round
    runs every path once, starting one path later than the round before, so
    that paths compared within a round saw the same machine (a shared VM's
    speed drifts over minutes) and none always goes first."""
    names = list(paths)
    rates = {name: [] for name in names}
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            collate, after = paths[name]
            rates[name].append(images_per_second(name, collate, after, args))
    return rates


def ratio_line(ours, theirs):
    """The median over rounds of the ratio within each round, and its range."""
    ratios = sorted(a / b for a, b in zip(ours, theirs))
    return (f"{statistics.median(ratios):.2f}x "
            f"(rounds {ratios[0]:.2f} to {ratios[-1]:.2f})")


if __name__ == "__main__":
    main()
