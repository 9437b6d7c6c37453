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
