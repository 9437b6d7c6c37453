/*
 * Segmentation masks in C: draw a plan once (timm's recipe, mixup and
 * CutMix switched per sample), mix the label maps by it in place (u8,
 * i64) and out of place (i32), and compute their per-pixel targets;
 * compare each with a plain C reference of docs/DESIGN.md §9. Run by
 * tests/ffi.rs under AddressSanitizer and UBSan, then under valgrind.
 */
#include "mixup.h"
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 10, C = 3, H = 9, W = 7, P = H * W, LEN = C * P, K = 4, IGNORE = 255 };

/* Whether pixel p of sample i lies in its CutMix box. */
static int inside(const uint8_t *ops, const mixup_box *boxes, size_t i, size_t p) {
    size_t y = p / W, x = p % W;
    return ops[i] == MIXUP_OP_CUTMIX && y >= boxes[i].y1 && y < boxes[i].y2 && x >= boxes[i].x1 &&
           x < boxes[i].x2;
}

int main(void) {
    static uint8_t maps8[N * P], mixed8[N * P], scratch8[P + N];
    static int32_t maps32[N * P], out32[N * P];
    static int64_t maps64[N * P], scratch64[P + N];
    static float dense[N * K * P];
    double lambdas[N];
    uint32_t partners[N];
    uint8_t ops[N];
    mixup_box boxes[N];
    mixup_config config = mixup_config_default();
    mixup_batch_outputs outputs = mixup_batch_outputs_default();
    mixup_plan plan = mixup_plan_default();
    mixup_rng rng;
    size_t bytes = 0, len = 0, i, p, c, batch, cutmix = 0, mixup = 0;
    uint8_t *workspace;

    config.alpha = config.beta = 0.8;
    config.cutmix_alpha = 1.0;
    config.prob = 0.9;
    config.pairing = MIXUP_PAIRING_CYCLE;
    config.granularity = MIXUP_GRANULARITY_ELEM;
    config.recipe = MIXUP_RECIPE_TIMM;
    config.height = H;
    config.width = W;
    config.layout = MIXUP_LAYOUT_CHW;
    CHECK(mixup_workspace_size_u8_f32(N, &bytes) == MIXUP_STATUS_OK);
    workspace = (uint8_t *)malloc(bytes);
    CHECK(workspace != NULL);
    CHECK(mixup_masks_scratch_size(N, P, 1, &len) == MIXUP_STATUS_OK && len <= sizeof scratch8);
    CHECK(mixup_masks_scratch_size(N, P, 8, &len) == MIXUP_STATUS_OK && len <= P + N);

    for (batch = 0; batch < 10; batch++) {
        mixup_rng_stream(&rng, 2026, batch);
        share_plan_arrays(&outputs, &plan, N, lambdas, partners, ops, boxes);
        CHECK(mixup_plan_draw(&rng, &config, N, LEN, NULL, 0, 0, workspace, bytes, &outputs) ==
              MIXUP_STATUS_OK);
        plan.height = H;
        plan.width = W;

        /* a drawn shape per sample, with an ignored border row */
        for (i = 0; i < N; i++)
            for (p = 0; p < P; p++) {
                uint8_t id = p < W ? IGNORE : (uint8_t)((i + p / 5) % K);
                maps8[i * P + p] = id;
                maps32[i * P + p] = id;
                maps64[i * P + p] = id;
            }
        memcpy(mixed8, maps8, sizeof maps8);
        CHECK(mixup_plan_apply_masks_u8(mixed8, P, &plan, scratch8, sizeof scratch8) == MIXUP_STATUS_OK);
        CHECK(mixup_plan_apply_masks_i64(maps64, P, &plan, scratch64, P + N) == MIXUP_STATUS_OK);
        CHECK(mixup_plan_apply_masks_into_i32(maps32, P, &plan, out32, N * P) == MIXUP_STATUS_OK);
        CHECK(mixup_plan_pixel_targets_u8(maps8, P, &plan, K, IGNORE, dense, N * K * P) ==
              MIXUP_STATUS_OK);
        for (i = 0; i < N; i++) {
            size_t j = partners[i];
            float ws = (float)lambdas[i], wp = (float)(1.0 - lambdas[i]);
            cutmix += ops[i] == MIXUP_OP_CUTMIX;
            mixup += ops[i] == MIXUP_OP_MIXUP;
            for (p = 0; p < P; p++) {
                uint8_t a = maps8[i * P + p], b = maps8[j * P + p];
                uint8_t want = inside(ops, boxes, i, p) ? b : a;
                CHECK(mixed8[i * P + p] == want);
                CHECK(maps64[i * P + p] == want);
                CHECK(out32[i * P + p] == want);
                for (c = 0; c < K; c++) {
                    float ha = (size_t)a == c ? 1.0f : 0.0f, hb = (size_t)b == c ? 1.0f : 0.0f, t;
                    if (ops[i] == MIXUP_OP_MIXUP) {
                        float va = ws * ha, vb = wp * hb;
                        t = va + vb;
                    } else {
                        t = (size_t)want == c ? 1.0f : 0.0f;
                    }
                    CHECK(memcmp(&dense[(i * K + c) * P + p], &t, sizeof t) == 0);
                }
            }
        }
    }
    CHECK(cutmix > 10 && mixup > 10);
    /* without an ignore index, 255 is no class: refused, nothing written */
    memset(dense, 0x7f, sizeof dense);
    CHECK(mixup_plan_pixel_targets_u8(maps8, P, &plan, K, MIXUP_NO_IGNORE_INDEX, dense, N * K * P) ==
          MIXUP_STATUS_LABEL_OUT_OF_RANGE);
    for (i = 0; i < N * K * P; i++) {
        uint32_t bits;
        memcpy(&bits, &dense[i], sizeof bits);
        CHECK(bits == 0x7f7f7f7fu);
    }
    free(workspace);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_masks: all checks passed\n");
    return 0;
}
