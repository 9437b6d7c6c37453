/* The plain C loops a competent programmer writes for mixup, bit-exact
 * with the library (two rounded products and a rounded add, no FMA: built
 * with -ffp-contract=off). In place walks each cycle of the permutation
 * once with one sample of scratch, as the library does. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void c_mix_into(float *restrict out, const float *restrict x, size_t n, size_t len,
                const uint32_t *perm, float ws, float wp) {
    for (size_t i = 0; i < n; i++) {
        const float *a = x + i * len, *b = x + (size_t)perm[i] * len;
        float *o = out + i * len;
        for (size_t k = 0; k < len; k++) o[k] = ws * a[k] + wp * b[k];
    }
}

static void blend_in_place(float *restrict x, const float *restrict b, size_t len, float ws, float wp) {
    for (size_t k = 0; k < len; k++) x[k] = ws * x[k] + wp * b[k];
}

/* `seen` holds n bytes, all 0 on entry and on return. */
void c_mix_in_place(float *x, size_t n, size_t len, const uint32_t *perm, float ws, float wp,
                    float *restrict saved, uint8_t *restrict seen) {
    for (size_t start = 0; start < n; start++) {
        if (seen[start]) continue;
        memcpy(saved, x + start * len, len * sizeof(float));
        size_t k = start;
        for (;;) {
            seen[k] = 1;
            size_t next = perm[k];
            if (next == start) {
                blend_in_place(x + k * len, saved, len, ws, wp);
                break;
            }
            blend_in_place(x + k * len, x + next * len, len, ws, wp);
            k = next;
        }
    }
    memset(seen, 0, n);
}

void c_mix_into_u8(uint8_t *restrict out, const uint8_t *restrict x, size_t n, size_t len,
                   const uint32_t *perm, float ws, float wp) {
    for (size_t i = 0; i < n; i++) {
        const uint8_t *a = x + i * len, *b = x + (size_t)perm[i] * len;
        uint8_t *o = out + i * len;
        for (size_t k = 0; k < len; k++) {
            float v = nearbyintf(ws * (float)a[k] + wp * (float)b[k]);
            o[k] = (uint8_t)(v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v);
        }
    }
}

/* CutMix in place, for any element type: each sample takes its partner's
 * box, a set of runs of `run_bytes` bytes, one per plane and row (HWC: one
 * plane; CHW: one per channel). Each cycle of the permutation is walked
 * once: the first sample's box is saved, then every sample copies its
 * partner's box rows, the last from the saved copy. `seen` holds n bytes,
 * all 0 on entry and on return. */
typedef struct {
    size_t planes, plane_bytes, rows, row_bytes, first, run_bytes;
} box_runs;

static void copy_box(uint8_t *restrict dst, const uint8_t *restrict src, const box_runs *b) {
    for (size_t p = 0; p < b->planes; p++)
        for (size_t y = 0; y < b->rows; y++) {
            size_t at = b->first + p * b->plane_bytes + y * b->row_bytes;
            memcpy(dst + at, src + at, b->run_bytes);
        }
}

void c_cutmix_in_place(uint8_t *x, size_t n, size_t sample_bytes, const uint32_t *perm,
                       const box_runs *box, uint8_t *restrict saved, uint8_t *restrict seen) {
    for (size_t start = 0; start < n; start++) {
        if (seen[start]) continue;
        copy_box(saved, x + start * sample_bytes, box); /* at the box's own offsets */
        size_t k = start;
        for (;;) {
            seen[k] = 1;
            size_t next = perm[k];
            if (next == start) {
                copy_box(x + k * sample_bytes, saved, box);
                break;
            }
            copy_box(x + k * sample_bytes, x + next * sample_bytes, box);
            k = next;
        }
    }
    memset(seen, 0, n);
}

/* One thread's share of an in-place batch split by whole cycles: the
 * cycles that start at `starts` (as the library's documented split gives
 * them to this part), each walked once with one sample of scratch. */
void c_mix_cycles(float *x, size_t len, const uint32_t *perm, const uint32_t *starts,
                  size_t count, float ws, float wp, float *restrict saved) {
    for (size_t c = 0; c < count; c++) {
        size_t start = starts[c];
        memcpy(saved, x + start * len, len * sizeof(float));
        size_t k = start;
        for (;;) {
            size_t next = perm[k];
            if (next == start) {
                blend_in_place(x + k * len, saved, len, ws, wp);
                break;
            }
            blend_in_place(x + k * len, x + next * len, len, ws, wp);
            k = next;
        }
    }
}

/* One thread's share of an out-of-place batch: samples first to last - 1. */
void c_mix_into_range(float *restrict out, const float *restrict x, size_t len,
                      const uint32_t *perm, size_t first, size_t last, float ws, float wp) {
    for (size_t i = first; i < last; i++) {
        const float *a = x + i * len, *b = x + (size_t)perm[i] * len;
        float *o = out + i * len;
        for (size_t k = 0; k < len; k++) o[k] = ws * a[k] + wp * b[k];
    }
}
