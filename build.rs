//! Precomputes the jump polynomials behind `MixRng::stream`: for each byte
//! `j` of a stream id and each value `v` of it, `x^(v * 2^(128 + 8j))`
//! modulo the characteristic polynomial of Xoshiro256's linear engine. A
//! stream is then at most eight jumps of 256 steps each, not a 256-bit
//! exponentiation. The polynomial is found from the generator itself
//! (Berlekamp-Massey) and checked against the reference `jump()` constant.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// A polynomial over GF(2) below degree 256: bit `b` of word `w` is the
/// coefficient of `x^(64w + b)`.
type Poly = [u64; 4];

/// The reference implementation's `jump()`: `x^(2^128)` mod the polynomial.
const JUMP_2_128: Poly = [
    0x180e_c6d3_3cfd_0aba,
    0xd5a6_1266_f0c9_392c,
    0xa958_2618_e03f_c9aa,
    0x39ab_dc45_29b1_661c,
];

/// One step of Xoshiro256's state (the `++` scrambler only reads it).
fn step(s: &mut [u64; 4]) {
    let t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3].rotate_left(45);
}

/// The characteristic polynomial of the engine, without its `x^256` term:
/// Berlekamp-Massey on one state bit, then the reciprocal.
fn characteristic() -> Poly {
    let mut s = [1u64, 2, 3, 4];
    let bits: Vec<u8> = (0..600)
        .map(|_| {
            step(&mut s);
            (s[0] & 1) as u8
        })
        .collect();
    let (mut c, mut b) = (vec![0u8; 601], vec![0u8; 601]);
    c[0] = 1;
    b[0] = 1;
    let (mut l, mut m) = (0usize, 1usize);
    for n in 0..bits.len() {
        let d = (0..=l).fold(0, |d, i| d ^ (c[i] & bits[n - i]));
        if d == 0 {
            m += 1;
        } else if 2 * l <= n {
            let t = c.clone();
            for i in 0..b.len() - m {
                c[i + m] ^= b[i];
            }
            l = n + 1 - l;
            b = t;
            m = 1;
        } else {
            for i in 0..b.len() - m {
                c[i + m] ^= b[i];
            }
            m += 1;
        }
    }
    assert_eq!(l, 256, "Xoshiro256's engine has degree 256");
    // P(x) = x^256 C(1/x): the coefficient of x^k is c[256 - k]
    let mut p = [0u64; 4];
    for k in 0..256 {
        if c[256 - k] == 1 {
            p[k / 64] |= 1 << (k % 64);
        }
    }
    p
}

/// `a * x` mod the polynomial whose low terms are `p`.
fn times_x(a: Poly, p: Poly) -> Poly {
    let carry = a[3] >> 63;
    let mut r = [
        a[0] << 1,
        (a[1] << 1) | (a[0] >> 63),
        (a[2] << 1) | (a[1] >> 63),
        (a[3] << 1) | (a[2] >> 63),
    ];
    if carry == 1 {
        for (r, p) in r.iter_mut().zip(p) {
            *r ^= p;
        }
    }
    r
}

/// `a * b` mod the polynomial, by shift and add from `b`'s top bit.
fn times(a: Poly, b: Poly, p: Poly) -> Poly {
    let mut r = [0u64; 4];
    for k in (0..256).rev() {
        r = times_x(r, p);
        if (b[k / 64] >> (k % 64)) & 1 == 1 {
            for (r, a) in r.iter_mut().zip(a) {
                *r ^= a;
            }
        }
    }
    r
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let p = characteristic();
    let mut base: Poly = [2, 0, 0, 0]; // x
    for _ in 0..128 {
        base = times(base, base, p);
    }
    assert_eq!(base, JUMP_2_128, "x^(2^128) must be the reference jump");
    let mut table = String::from(
        "/// `STREAM_JUMPS[j][v - 1]` is `x^(v * 2^(128 + 8j))` modulo Xoshiro256's\n\
         /// characteristic polynomial (written by build.rs).\n\
         static STREAM_JUMPS: [[[u64; 4]; 255]; 8] = [\n",
    );
    for _ in 0..8 {
        table.push_str("    [\n");
        let mut power = base;
        for _ in 1..=255 {
            let [a, b, c, d] = power;
            writeln!(
                table,
                "        [{a:#018x}, {b:#018x}, {c:#018x}, {d:#018x}],"
            )
            .unwrap();
            power = times(power, base, p);
        }
        table.push_str("    ],\n");
        for _ in 0..8 {
            base = times(base, base, p);
        }
    }
    table.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("stream_jumps.rs");
    fs::write(out, table).unwrap();
}
