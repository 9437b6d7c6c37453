/*
 * The whole plan in C, on two threads: draw a plan once (timm's recipe,
 * mixup and CutMix switched per sample), then apply it in place and out of
 * place, each as two parts on two pthreads, and compare with the bits of
 * the one-call mixup_batch_f32. Run by tests/ffi.rs under AddressSanitizer
 * and UBSan, then under valgrind.
 */
#include "mixup.h"
#include "check.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 12, C = 3, H = 10, W = 9, LEN = C * H * W, K = 5, PARTS = 2 };

/* One thread's share of a plan apply call. */
typedef struct {
    const mixup_plan *plan;
    float *batch;      /* in place, or the input out of place */
    float *out;        /* NULL: in place */
    size_t part;
    mixup_status status;
} job;

static void *run_part(void *arg) {
    job *j = (job *)arg;
    if (j->out == NULL) {
        size_t floats = 0;
        float *scratch;
        mixup_scratch_size(N, LEN, &floats);
        scratch = (float *)malloc(floats * sizeof *scratch); /* each thread its own */
        j->status = scratch ? mixup_plan_apply_f32(j->batch, LEN, j->plan, scratch, floats, j->part, PARTS)
                            : MIXUP_STATUS_INVALID_ARGUMENT;
        free(scratch);
    } else {
        j->status = mixup_plan_apply_into_f32(j->batch, LEN, j->plan, j->out, (size_t)N * LEN, j->part, PARTS);
    }
    return NULL;
}

/* Applies the plan as PARTS parts on PARTS threads at once. */
static void on_threads(const mixup_plan *plan, float *batch, float *out) {
    pthread_t threads[PARTS];
    job jobs[PARTS];
    size_t k;
    for (k = 0; k < PARTS; k++) {
        jobs[k].plan = plan;
        jobs[k].batch = batch;
        jobs[k].out = out;
        jobs[k].part = k;
        jobs[k].status = MIXUP_STATUS_INVALID_ARGUMENT;
        CHECK(pthread_create(&threads[k], NULL, run_part, &jobs[k]) == 0);
    }
    for (k = 0; k < PARTS; k++) {
        CHECK(pthread_join(threads[k], NULL) == 0);
        CHECK(jobs[k].status == MIXUP_STATUS_OK);
    }
}

static void fill(float *x) {
    size_t i;
    for (i = 0; i < (size_t)N * LEN; i++) x[i] = (float)(i % 97) * 0.25f - 9.0f;
}

int main(void) {
    static float original[N * LEN], want[N * LEN], in_place[N * LEN], out[N * LEN];
    int64_t labels[N];
    float targets[N * K], plan_targets[N * K];
    double lambdas[N];
    uint32_t partners[N];
    uint8_t ops[N];
    mixup_box boxes[N];
    mixup_config config = mixup_config_default();
    mixup_batch_outputs outputs = mixup_batch_outputs_default();
    mixup_plan plan = mixup_plan_default();
    mixup_rng rng;
    size_t bytes = 0, i, batch, cutmix = 0;
    uint8_t *workspace;

    for (i = 0; i < N; i++) labels[i] = (int64_t)(i % K);
    /* timm: Mixup(mixup_alpha=0.8, cutmix_alpha=1.0, mode='elem', prob=0.9) */
    config.alpha = config.beta = 0.8;
    config.cutmix_alpha = 1.0;
    config.prob = 0.9;
    config.label_smoothing = 0.1;
    config.pairing = MIXUP_PAIRING_CYCLE; /* long cycles: the parts split them */
    config.granularity = MIXUP_GRANULARITY_ELEM;
    config.recipe = MIXUP_RECIPE_TIMM;
    config.height = H;
    config.width = W;
    config.layout = MIXUP_LAYOUT_CHW;
    CHECK(mixup_workspace_size(N, LEN, &bytes) == MIXUP_STATUS_OK);
    workspace = (uint8_t *)malloc(bytes); /* at least mixup_workspace_size_u8_f32(N) */
    CHECK(workspace != NULL);

    for (batch = 0; batch < 8; batch++) {
        /* the one call */
        fill(original);
        memcpy(want, original, sizeof want);
        mixup_rng_stream(&rng, 2026, batch);
        outputs.targets = targets;
        outputs.targets_len = N * K;
        CHECK(mixup_batch_f32(&rng, &config, want, N, LEN, labels, N, K, workspace, bytes, &outputs) ==
              MIXUP_STATUS_OK);

        /* the plan, drawn once */
        mixup_rng_stream(&rng, 2026, batch);
        outputs.targets = plan_targets;
        share_plan_arrays(&outputs, &plan, N, lambdas, partners, ops, boxes);
        CHECK(mixup_plan_draw(&rng, &config, N, LEN, labels, N, K, workspace, bytes, &outputs) ==
              MIXUP_STATUS_OK);
        CHECK(memcmp(targets, plan_targets, sizeof targets) == 0);
        for (i = 0; i < N; i++) cutmix += ops[i] == MIXUP_OP_CUTMIX;
        plan.height = H;
        plan.width = W;
        plan.layout = MIXUP_LAYOUT_CHW;

        /* in place, two parts on two threads */
        memcpy(in_place, original, sizeof in_place);
        on_threads(&plan, in_place, NULL);
        CHECK(memcmp(in_place, want, sizeof want) == 0);
        /* out of place, two parts on two threads */
        memset(out, 0, sizeof out);
        on_threads(&plan, original, out);
        CHECK(memcmp(out, want, sizeof want) == 0);
    }
    CHECK(cutmix > 10);
    /* a bad plan is refused and writes nothing */
    plan.reserved = 1;
    memcpy(in_place, original, sizeof in_place);
    CHECK(mixup_plan_apply_into_f32(original, LEN, &plan, in_place, (size_t)N * LEN, 0, 1) ==
          MIXUP_STATUS_INVALID_ARGUMENT);
    CHECK(memcmp(in_place, original, sizeof original) == 0);
    free(workspace);
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_plan_threads: all checks passed\n");
    return 0;
}
