"""Mixes the six sample photographs with the Python package, NumPy only.

Collates them as a DataLoader would (uint8 HWC samples), with timm's
recipe per sample (mixup 0.8 or CutMix 1.0, switched), once as uint8 and
once fused into normalized float32, prints each sample's plan and targets,
and writes a grid (originals on top, then the uint8 mix) to
``out/python.png``.

    python python/examples/mix_photographs.py
"""

import pathlib
import struct
import zlib

import numpy as np

import mixup_exact as mixup

ROOT = pathlib.Path(__file__).resolve().parents[2]
NAMES = ["astronaut", "chelsea", "coffee", "hubble", "retina", "rocket"]


def read_ppm(path):
    """A binary PPM (P6, 8 bits) as a uint8 ``(H, W, 3)`` array."""
    data = path.read_bytes()
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P6" and fields[3] == b"255", f"{path}: not an 8-bit P6 PPM"
    width, height = int(fields[1]), int(fields[2])
    pixels = np.frombuffer(fields[4], dtype=np.uint8, count=width * height * 3)
    return pixels.reshape(height, width, 3)


def write_png(path, image):
    """A uint8 ``(H, W, 3)`` array as an 8-bit RGB PNG."""
    height, width, _ = image.shape
    rows = b"".join(b"\x00" + image[y].tobytes() for y in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


def main():
    batch = [(read_ppm(ROOT / "examples/data" / f"{name}.ppm"), k) for k, name in enumerate(NAMES)]
    recipe = dict(mixup_alpha=0.8, cutmix_alpha=1.0, mode="elem", label_smoothing=0.1,
                  num_classes=len(NAMES), seed=7, layout="hwc", return_plan=True)

    images, targets, plan = mixup.FastCollateMixup(**recipe)(batch)
    print(f"mixup {mixup.__version__}, backend {mixup.backend()}, seed {plan.seed}, stream {plan.stream}")
    for i, name in enumerate(NAMES):
        y1, y2, x1, x2 = plan.boxes[i]
        box = f" box rows {y1}:{y2} cols {x1}:{x2}" if plan.ops[i] == mixup.OP_CUTMIX else ""
        print(f"{name:>9} + {NAMES[plan.partners[i]]:<9} {plan.op_names[i]:<7} "
              f"lam' {plan.lambdas[i]:.4f}{box}  target {np.round(targets[i], 3)}")

    # the same plan, fused: ToTensor + Normalize + mix into float32 CHW
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    fused, _, again = mixup.FastCollateMixup(**recipe, mean=mean, std=std)(batch)
    assert fused.dtype == np.float32 and fused.shape == (6, 3, 224, 224)
    assert (again.lambdas == plan.lambdas).all()
    print(f"fused float32 batch {fused.shape}: mean {fused.mean():+.4f}, std {fused.std():.4f}")

    grid = np.concatenate([np.concatenate([s for s, _ in batch], axis=1),
                           np.concatenate(list(images), axis=1)], axis=0)
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    write_png(out / "python.png", grid)
    print(f"wrote {out / 'python.png'} ({grid.shape[1]}x{grid.shape[0]})")


if __name__ == "__main__":
    main()
