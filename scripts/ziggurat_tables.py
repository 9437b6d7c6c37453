#!/usr/bin/env python3
"""Writes src/ziggurat_tables.rs: the layer tables of the 256-layer ziggurats
for the standard normal and the standard exponential (Marsaglia and Tsang,
"The Ziggurat Method for Generating Random Variables", 2000).

For a decreasing density f on [0, inf) (unnormalized), the ziggurat is 256
layers of equal area v: the base layer [0, r] x [0, f(r)] plus the tail
beyond r, then rectangles up to f(0). x[0] = v / f(r) is the base layer's
virtual width, x[1] = r, and x[i + 1] = f^-1(f(x[i]) + v / x[i]) down to
x[256] = 0. r is found by bisection so that the top layer closes at f(0).

The tables are committed, so that every build, on every machine, samples
from the same constants. Run: python3 scripts/ziggurat_tables.py
"""
import math
import os

LAYERS = 256


def build(f, f_inv, tail_area, lo, hi):
    def top_gap(r):
        v = r * f(r) + tail_area(r)
        x = r
        for _ in range(LAYERS - 2):
            y = f(x) + v / x
            if y >= f(0.0):
                return 1.0  # closed too early: r too small
            x = f_inv(y)
        return f(x) + v / x - f(0.0)

    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if top_gap(mid) > 0:
            lo = mid
        else:
            hi = mid
    r = 0.5 * (lo + hi)
    v = r * f(r) + tail_area(r)
    xs = [v / f(r), r]
    for _ in range(LAYERS - 2):
        xs.append(f_inv(f(xs[-1]) + v / xs[-1]))
    xs.append(0.0)
    return r, v, xs, [f(x) for x in xs]


def normal():
    f = lambda x: math.exp(-0.5 * x * x)
    f_inv = lambda y: math.sqrt(-2.0 * math.log(y))
    tail = lambda r: math.sqrt(math.pi / 2.0) * math.erfc(r / math.sqrt(2.0))
    return build(f, f_inv, tail, 2.0, 5.0)


def exponential():
    f = lambda x: math.exp(-x)
    f_inv = lambda y: -math.log(y)
    tail = lambda r: math.exp(-r)
    return build(f, f_inv, tail, 4.0, 10.0)


def table(name, values, doc):
    lines = [f"/// {doc}", f"pub(crate) const {name}: [f64; {len(values)}] = ["]
    lines += [f"    {repr(v)}," for v in values]
    lines.append("];")
    return "\n".join(lines)


def main():
    out = [
        "//! Ziggurat layer tables, written by `scripts/ziggurat_tables.py`; do not edit.",
        "//! `X[i]` are the layer edges (`X[0]` the base layer's virtual width,",
        "//! `X[1]` the tail start, `X[256] = 0`) and `F[i] = f(X[i])`.",
        "",
    ]
    for prefix, (r, v, xs, fs), density in [
        ("NORMAL", normal(), "exp(-x^2 / 2)"),
        ("EXP", exponential(), "exp(-x)"),
    ]:
        out.append(f"/// The normal's ziggurat starts its tail at r = {r!r}; layer area {v!r}." if prefix == "NORMAL"
                   else f"/// The exponential's ziggurat starts its tail at r = {r!r}; layer area {v!r}.")
        out.append(f"pub(crate) const {prefix}_R: f64 = {r!r};")
        out.append("")
        out.append(table(f"{prefix}_X", xs, f"Layer edges for f(x) = {density}."))
        out.append("")
        out.append(table(f"{prefix}_F", fs, f"f at the layer edges, f(x) = {density}."))
        out.append("")
    path = os.path.join(os.path.dirname(__file__), "..", "src", "ziggurat_tables.rs")
    with open(path, "w") as fh:
        fh.write("\n".join(out))


if __name__ == "__main__":
    main()
