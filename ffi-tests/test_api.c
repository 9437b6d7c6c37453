/*
 * Calls every function of include/mixup.h on its success paths, compares
 * the results with plain C reference loops bit for bit, reaches every error
 * status and checks that no buffer changed on error.
 *
 * Built by tests/ffi.rs with: gcc -std=c99 -Wall -Wextra -Werror -pedantic,
 * once with -fsanitize=address,undefined and once plain under valgrind.
 */
#include "mixup.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                      \
            failures++;                                                    \
        }                                                                  \
    } while (0)

#define EXPECT(call, status)                                               \
    do {                                                                   \
        mixup_status got_ = (call);                                        \
        if (got_ != (status)) {                                            \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d\n",   \
                    __FILE__, __LINE__, #call, (int)got_,                  \
                    mixup_status_str((int)got_), (int)(status));           \
            failures++;                                                    \
        }                                                                  \
    } while (0)

/* A deterministic stream of finite floats for test data. */
/* The optional outputs of a one-call batch, from positional arguments. */
static const mixup_batch_outputs *outs(float *targets, size_t targets_len, double *lambdas, size_t lambdas_len,
                                       uint32_t *partners, size_t partners_len, uint8_t *applied,
                                       size_t applied_len) {
    static mixup_batch_outputs o;
    o = mixup_batch_outputs_default();
    o.targets = targets;
    o.targets_len = targets_len;
    o.lambdas = lambdas;
    o.lambdas_len = lambdas_len;
    o.partners = partners;
    o.partners_len = partners_len;
    o.applied = applied;
    o.applied_len = applied_len;
    return &o;
}

/* A detection batch's layout and outputs, from positional arguments. */
static const mixup_detection_layout *det_layout(size_t n, const mixup_size *sizes, const size_t *image_offsets,
                                                const float *boxes, const int64_t *classes, size_t num_boxes,
                                                const size_t *box_offsets, size_t channels, uint32_t layout) {
    static mixup_detection_layout l;
    l = mixup_detection_layout_default();
    l.n = n;
    l.sizes = sizes;
    l.image_offsets = image_offsets;
    l.boxes = boxes;
    l.classes = classes;
    l.num_boxes = num_boxes;
    l.box_offsets = box_offsets;
    l.channels = channels;
    l.layout = layout;
    return &l;
}

static const mixup_detection_outputs *det_outs(size_t *canvas_offsets, mixup_size *canvas_sizes,
                                               mixup_weighted_box *boxes, size_t boxes_len, size_t *box_offsets) {
    static mixup_detection_outputs o;
    o = mixup_detection_outputs_default();
    o.canvas_offsets = canvas_offsets;
    o.canvas_sizes = canvas_sizes;
    o.boxes = boxes;
    o.boxes_len = boxes_len;
    o.box_offsets = box_offsets;
    return &o;
}

static uint32_t lcg_state = 12345u;
static float next_float(void) {
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return ((float)(lcg_state >> 8) / 16777216.0f) * 200.0f - 100.0f;
}
static void fill(float *x, size_t count) {
    size_t i;
    for (i = 0; i < count; i++) x[i] = next_float();
}

/* The formula of docs/DESIGN.md §2, at every lambda. */
static float reference(double lam, float a, float b) {
    float ws = (float)lam, wp = (float)(1.0 - lam);
    return ws * a + wp * b;
}

/* timm's FastCollateMixup: rint (half to even) and saturate. */
static uint8_t reference_u8(double lam, uint8_t a, uint8_t b) {
    float ws = (float)lam, wp = (float)(1.0 - lam);
    float v = nearbyintf((float)a * ws + (float)b * wp);
    return (uint8_t)(v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v);
}

/* torchvision's ToTensor then Normalize, in float. */
static float to_tensor(uint8_t u, float mean, float std) {
    return ((float)u / 255.0f - mean) / std;
}

static int same_bits(const float *x, const float *y, size_t count) {
    return memcmp(x, y, count * sizeof(float)) == 0;
}

static void test_version_and_status_strings(void) {
    int s;
    const char *v = mixup_version();
    CHECK(v != NULL && strchr(v, '.') != NULL);
    for (s = 0; s <= 8; s++) {
        CHECK(mixup_status_str(s) != NULL);
        CHECK(strcmp(mixup_status_str(s), "unknown status") != 0);
    }
    CHECK(strcmp(mixup_status_str(-1), "unknown status") == 0);
    CHECK(strcmp(mixup_status_str(9), "unknown status") == 0);
    CHECK(strcmp(mixup_status_str(MIXUP_STATUS_OK), "success") == 0);
}

static void test_rng_and_beta(void) {
    mixup_rng a, b, c;
    double lam = -1.0;
    int i;
    EXPECT(mixup_rng_seed(&a, 42), MIXUP_STATUS_OK);
    EXPECT(mixup_rng_seed(&b, 42), MIXUP_STATUS_OK);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    EXPECT(mixup_rng_jump(&b), MIXUP_STATUS_OK);
    EXPECT(mixup_rng_jump(&b), MIXUP_STATUS_OK);
    EXPECT(mixup_rng_stream(&c, 42, 2), MIXUP_STATUS_OK);
    CHECK(memcmp(&b, &c, sizeof b) == 0);
    CHECK(memcmp(&a, &c, sizeof a) != 0);
    for (i = 0; i < 1000; i++) {
        mixup_rng before = a;
        EXPECT(mixup_beta(&a, 0.4, 0.4, &lam), MIXUP_STATUS_OK);
        CHECK(lam >= 0.0 && lam <= 1.0);
        CHECK(memcmp(&before, &a, sizeof a) != 0);
    }
    EXPECT(mixup_beta(&a, 0.0, 0.0, &lam), MIXUP_STATUS_OK);
    CHECK(lam == 1.0);
}

static void test_pairings(void) {
    uint32_t p[7], seen[7];
    mixup_rng rng;
    size_t i;
    EXPECT(mixup_pairing_fill(NULL, MIXUP_PAIRING_ROLL, 1, p, 5), MIXUP_STATUS_OK);
    CHECK(p[0] == 4 && p[1] == 0 && p[2] == 1 && p[3] == 2 && p[4] == 3);
    EXPECT(mixup_pairing_fill(NULL, MIXUP_PAIRING_FLIP, 0, p, 7), MIXUP_STATUS_OK);
    for (i = 0; i < 7; i++) CHECK(p[i] == 6 - i);
    mixup_rng_seed(&rng, 1);
    EXPECT(mixup_pairing_fill(&rng, MIXUP_PAIRING_PERMUTATION, 0, p, 7), MIXUP_STATUS_OK);
    memset(seen, 0, sizeof seen);
    for (i = 0; i < 7; i++) seen[p[i]]++;
    for (i = 0; i < 7; i++) CHECK(seen[i] == 1);
    EXPECT(mixup_pairing_fill(&rng, MIXUP_PAIRING_CYCLE, 0, p, 7), MIXUP_STATUS_OK);
    for (i = 0; i < 7; i++) CHECK(p[i] != i);
    EXPECT(mixup_pairing_fill(&rng, MIXUP_PAIRING_CYCLE, 0, p, 1), MIXUP_STATUS_OK);
    CHECK(p[0] == 0);
    EXPECT(mixup_pairing_fill(&rng, MIXUP_PAIRING_PERMUTATION, 0, NULL, 0), MIXUP_STATUS_OK);
}

static void test_blend(void) {
    enum { LEN = 1027 };
    static float a[LEN], b[LEN], out[LEN], want[LEN], x[LEN];
    const double lams[] = {0.0, 1.0, 0.3, 0.77, 1.0 / 3.0, 1e-9};
    size_t k, i;
    fill(a, LEN);
    fill(b, LEN);
    for (k = 0; k < sizeof lams / sizeof lams[0]; k++) {
        double lam = lams[k];
        for (i = 0; i < LEN; i++) want[i] = reference(lam, a[i], b[i]);
        EXPECT(mixup_blend_f32(a, LEN, b, LEN, lam, out, LEN), MIXUP_STATUS_OK);
        CHECK(same_bits(out, want, LEN));
        memcpy(x, a, sizeof x); /* out is exactly a */
        EXPECT(mixup_blend_f32(x, LEN, b, LEN, lam, x, LEN), MIXUP_STATUS_OK);
        CHECK(same_bits(x, want, LEN));
        memcpy(x, b, sizeof x); /* out is exactly b */
        EXPECT(mixup_blend_f32(a, LEN, x, LEN, lam, x, LEN), MIXUP_STATUS_OK);
        CHECK(same_bits(x, want, LEN));
    }
    /* unaligned starts and odd lengths */
    for (i = 1; i < 9; i++) {
        size_t len = LEN - 2 * i, j;
        EXPECT(mixup_blend_f32(a + i, len, b + 1, len, 0.6, out + 2, LEN - 2), MIXUP_STATUS_OK);
        for (j = 0; j < len; j++) CHECK(out[2 + j] == reference(0.6, a[i + j], b[1 + j]));
    }
    EXPECT(mixup_blend_f32(NULL, 0, NULL, 0, 0.5, NULL, 0), MIXUP_STATUS_OK);
}

/* Reference batch mix, out of place, from plain loops. */
static void reference_batch(const float *x, size_t n, size_t len, const uint32_t *p,
                            const double *lam, size_t lam_len, float *out) {
    size_t i, k;
    for (i = 0; i < n; i++)
        for (k = 0; k < len; k++)
            out[i * len + k] = reference(lam[lam_len == 1 ? 0 : i], x[i * len + k], x[p[i] * len + k]);
}

static void test_apply(void) {
    enum { N = 9, LEN = 301 };
    static float x[N * LEN], original[N * LEN], want[N * LEN], out[N * LEN];
    float scratch[LEN + 1];
    uint32_t perm[N], map[N];
    double lam[N];
    mixup_rng rng;
    size_t i;
    size_t scratch_floats = 0, scratch_bytes = 0;
    mixup_rng_seed(&rng, 7);
    /* the scratch sizes the library asks for: one sample and one bit per sample */
    EXPECT(mixup_scratch_size(N, LEN, &scratch_floats), MIXUP_STATUS_OK);
    CHECK(scratch_floats == LEN + 1 && scratch_floats <= sizeof scratch / sizeof scratch[0]);
    EXPECT(mixup_scratch_size_u8(N, LEN, &scratch_bytes), MIXUP_STATUS_OK);
    CHECK(scratch_bytes == LEN + 2);
    EXPECT(mixup_scratch_size(N, (size_t)-1, &scratch_floats), MIXUP_STATUS_SIZE_OVERFLOW);
    EXPECT(mixup_scratch_size(N, LEN, NULL), MIXUP_STATUS_NULL_POINTER);
    fill(original, N * LEN);
    for (i = 0; i < N; i++) lam[i] = (double)i / (N - 1);
    EXPECT(mixup_pairing_fill(&rng, MIXUP_PAIRING_PERMUTATION, 0, perm, N), MIXUP_STATUS_OK);

    /* one lambda for the batch, then one per sample */
    memcpy(x, original, sizeof x);
    reference_batch(original, N, LEN, perm, lam + 3, 1, want);
    EXPECT(mixup_apply_f32(x, N, LEN, perm, N, lam + 3, 1, scratch, scratch_floats), MIXUP_STATUS_OK);
    CHECK(same_bits(x, want, N * LEN));
    memcpy(x, original, sizeof x);
    reference_batch(original, N, LEN, perm, lam, N, want);
    EXPECT(mixup_apply_f32(x, N, LEN, perm, N, lam, N, scratch, LEN + 1), MIXUP_STATUS_OK);
    CHECK(same_bits(x, want, N * LEN));

    /* out of place, same bits; then any index map with repeats */
    EXPECT(mixup_apply_into_f32(original, N, LEN, perm, N, lam, N, out, N * LEN), MIXUP_STATUS_OK);
    CHECK(same_bits(out, want, N * LEN));
    for (i = 0; i < N; i++) map[i] = (uint32_t)((i * 5) % 4);
    reference_batch(original, N, LEN, map, lam, N, want);
    EXPECT(mixup_apply_into_f32(original, N, LEN, map, N, lam, N, out, N * LEN), MIXUP_STATUS_OK);
    CHECK(same_bits(out, want, N * LEN));
}

static void test_labels(void) {
    enum { N = 4, K = 6 };
    const int64_t labels[N] = {0, 5, 2, 2};
    const uint32_t partners[N] = {3, 0, 1, 2};
    const double lam[N] = {0.25, 0.5, 0.9, 0.0};
    const double s = 0.1;
    float targets[N * K], want[N * K];
    mixup_sparse_target sparse[N];
    float off = (float)(s / K), on = (float)(1.0 - s + s / K);
    size_t i, c;
    for (i = 0; i < N; i++) {
        int64_t ya = labels[i], yb = labels[partners[i]];
        for (c = 0; c < K; c++)
            want[i * K + c] = reference(lam[i], (int64_t)c == ya ? on : off, (int64_t)c == yb ? on : off);
    }
    EXPECT(mixup_labels_f32(labels, N, K, partners, N, lam, N, s, targets, N * K), MIXUP_STATUS_OK);
    CHECK(same_bits(targets, want, N * K));
    EXPECT(mixup_labels_sparse(labels, N, K, partners, N, lam, N, sparse, N), MIXUP_STATUS_OK);
    for (i = 0; i < N; i++) {
        CHECK(sparse[i].y_a == labels[i]);
        CHECK(sparse[i].y_b == labels[partners[i]]);
        CHECK(sparse[i].lam == lam[i]);
    }
}

static void test_batch(void) {
    enum { N = 6, LEN = 3 * 17 * 13, K = 4 };
    static float images[N * LEN], original[N * LEN], want[N * LEN];
    float targets[N * K], want_targets[N * K];
    int64_t labels[N] = {0, 1, 2, 3, 0, 1};
    double lam[N];
    uint32_t partners[N];
    uint8_t applied[N];
    mixup_config config = mixup_config_default();
    mixup_rng rng, replay;
    size_t bytes = 0, i;
    void *workspace;

    CHECK(config.alpha == 1.0 && config.beta == 1.0 && config.prob == 1.0);
    CHECK(config.pairing == MIXUP_PAIRING_PERMUTATION && config.granularity == MIXUP_GRANULARITY_BATCH);
    EXPECT(mixup_workspace_size(N, LEN, &bytes), MIXUP_STATUS_OK);
    CHECK(bytes >= N * 12 + LEN * 4);
    workspace = malloc(bytes);
    CHECK(workspace != NULL);

    config.alpha = config.beta = 0.4;
    config.label_smoothing = 0.1;
    config.granularity = MIXUP_GRANULARITY_ELEM;
    fill(original, N * LEN);
    memcpy(images, original, sizeof images);
    mixup_rng_stream(&rng, 2026, 5);
    replay = rng;
    EXPECT(mixup_batch_f32(&rng, &config, images, N, LEN, labels, N, K, workspace, bytes, outs(targets, N * K, lam, N, partners, N, applied, N)),
           MIXUP_STATUS_OK);
    CHECK(memcmp(&rng, &replay, sizeof rng) != 0);
    reference_batch(original, N, LEN, partners, lam, N, want);
    CHECK(same_bits(images, want, N * LEN));
    EXPECT(mixup_labels_f32(labels, N, K, partners, N, lam, N, 0.1, want_targets, N * K), MIXUP_STATUS_OK);
    CHECK(same_bits(targets, want_targets, N * K));
    for (i = 0; i < N; i++) CHECK(applied[i] == 1);

    /* the same seed gives the same batch; images only, no outputs */
    memcpy(images, original, sizeof images);
    EXPECT(mixup_batch_f32(&replay, &config, images, N, LEN, NULL, 0, 0, workspace, bytes, outs(NULL, 0, NULL, 0, NULL, 0, NULL, 0)),
           MIXUP_STATUS_OK);
    CHECK(same_bits(images, want, N * LEN));
    CHECK(memcmp(&rng, &replay, sizeof rng) == 0);

    /* torchvision's RandomMixup: roll(1), one lambda, prob 0 never mixes */
    config.pairing = MIXUP_PAIRING_ROLL;
    config.roll_shift = 1;
    config.granularity = MIXUP_GRANULARITY_BATCH;
    config.prob = 0.0;
    memcpy(images, original, sizeof images);
    EXPECT(mixup_batch_f32(&rng, &config, images, N, LEN, labels, N, K, workspace, bytes, outs(targets, N * K, lam, 1, partners, N, applied, N)),
           MIXUP_STATUS_OK);
    CHECK(same_bits(images, original, N * LEN));
    CHECK(lam[0] == 1.0 && partners[0] == N - 1 && partners[1] == 0 && applied[0] == 0);
    free(workspace);
}

/* Every error status, with every buffer left as it was. */
static void test_errors(void) {
    enum { N = 3, LEN = 4 };
    float x[N * LEN], saved[N * LEN], out[N * LEN], saved_out[N * LEN];
    float scratch[LEN + 1], targets[N * 2], saved_targets[N * 2];
    uint32_t perm_dup[N] = {0, 0, 1}, perm[N] = {1, 2, 0}, bad_index[N] = {0, 5, 1};
    int64_t labels[N] = {0, 1, 2}, bad_labels[N] = {0, 1, 7};
    double lam = 0.5, lam2[2] = {0.5, 0.5}, beta_out = 42.0;
    mixup_config config = mixup_config_default();
    mixup_rng rng, saved_rng;
    size_t bytes;
    uint8_t *workspace;

    fill(x, N * LEN);
    memcpy(saved, x, sizeof x);
    fill(out, N * LEN);
    memcpy(saved_out, out, sizeof out);
    fill(targets, N * 2);
    memcpy(saved_targets, targets, sizeof targets);
    mixup_rng_seed(&rng, 3);
    saved_rng = rng;
    mixup_workspace_size(N, LEN, &bytes);
    workspace = (uint8_t *)malloc(bytes + 8); /* room for a misaligned start */

    EXPECT(mixup_apply_f32(NULL, N, LEN, perm, N, &lam, 1, scratch, LEN + 1), MIXUP_STATUS_NULL_POINTER);
    EXPECT(mixup_apply_f32(x, N, LEN, NULL, N, &lam, 1, scratch, LEN + 1), MIXUP_STATUS_NULL_POINTER);
    EXPECT(mixup_rng_seed(NULL, 1), MIXUP_STATUS_NULL_POINTER);
    EXPECT(mixup_beta(&rng, 1.0, 1.0, NULL), MIXUP_STATUS_NULL_POINTER);

    EXPECT(mixup_blend_f32(x, LEN, x + LEN, LEN, NAN, out, LEN), MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_blend_f32(x, LEN, x + LEN, LEN, 1.5, out, LEN), MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_blend_f32(x, LEN, x + LEN, LEN - 1, 0.5, out, LEN), MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_beta(&rng, -1.0, 1.0, &beta_out), MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_beta(&rng, INFINITY, 1.0, &beta_out), MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_apply_f32(x, N, LEN, perm, N, lam2, 2, scratch, LEN + 1), MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_pairing_fill(&rng, 99, 0, perm_dup, N), MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_labels_f32(labels, N, 2, perm, N, &lam, 1, -0.1, targets, N * 2), MIXUP_STATUS_INVALID_ARGUMENT);
    config.prob = 2.0;
    EXPECT(mixup_batch_f32(&rng, &config, x, N, LEN, NULL, 0, 0, workspace, bytes, outs(NULL, 0, NULL, 0, NULL, 0, NULL, 0)),
           MIXUP_STATUS_INVALID_ARGUMENT);
    config = mixup_config_default();
    config.granularity = 7;
    EXPECT(mixup_batch_f32(&rng, &config, x, N, LEN, NULL, 0, 0, workspace, bytes, outs(NULL, 0, NULL, 0, NULL, 0, NULL, 0)),
           MIXUP_STATUS_INVALID_ARGUMENT);
    config = mixup_config_default();
    EXPECT(mixup_batch_f32(&rng, &config, x, N, LEN, NULL, 0, 0, workspace + 1, bytes, outs(NULL, 0, NULL, 0, NULL, 0, NULL, 0)),
           MIXUP_STATUS_INVALID_ARGUMENT);

    EXPECT(mixup_apply_into_f32(x, SIZE_MAX / 2, LEN, perm, N, &lam, 1, out, N * LEN), MIXUP_STATUS_SIZE_OVERFLOW);
    EXPECT(mixup_workspace_size(SIZE_MAX / 4, 1, &bytes), MIXUP_STATUS_SIZE_OVERFLOW);

    EXPECT(mixup_apply_f32(x, N, LEN, perm_dup, N, &lam, 1, scratch, LEN + 1), MIXUP_STATUS_BAD_PERMUTATION);
    EXPECT(mixup_apply_f32(x, N, LEN, bad_index, N, &lam, 1, scratch, LEN + 1), MIXUP_STATUS_INDEX_OUT_OF_RANGE);
    EXPECT(mixup_apply_into_f32(x, N, LEN, bad_index, N, &lam, 1, out, N * LEN), MIXUP_STATUS_INDEX_OUT_OF_RANGE);

    EXPECT(mixup_labels_f32(bad_labels, N, 2, perm, N, &lam, 1, 0.0, targets, N * 2), MIXUP_STATUS_LABEL_OUT_OF_RANGE);
    EXPECT(mixup_batch_f32(&rng, &config, x, N, LEN, bad_labels, N, 2, workspace, bytes, outs(targets, N * 2, NULL, 0, NULL, 0, NULL, 0)),
           MIXUP_STATUS_LABEL_OUT_OF_RANGE);

    EXPECT(mixup_apply_into_f32(x, N, LEN, perm, N, &lam, 1, x + 1, N * LEN), MIXUP_STATUS_OVERLAP);
    EXPECT(mixup_blend_f32(x, LEN, x + LEN, LEN, 0.5, x + 2, LEN), MIXUP_STATUS_OVERLAP);
    EXPECT(mixup_blend_f32(x, LEN, x, LEN, 0.5, x, LEN), MIXUP_STATUS_OVERLAP);
    EXPECT(mixup_apply_f32(x, N, LEN, perm, N, &lam, 1, x + 2, LEN + 1), MIXUP_STATUS_OVERLAP);

    EXPECT(mixup_apply_f32(x, N, LEN, perm, N, &lam, 1, scratch, LEN), MIXUP_STATUS_BUFFER_TOO_SMALL);
    EXPECT(mixup_apply_into_f32(x, N, LEN, perm, N, &lam, 1, out, N * LEN - 1), MIXUP_STATUS_BUFFER_TOO_SMALL);
    EXPECT(mixup_apply_f32(x, N, LEN, perm, N - 1, &lam, 1, scratch, LEN + 1), MIXUP_STATUS_BUFFER_TOO_SMALL);
    EXPECT(mixup_batch_f32(&rng, &config, x, N, LEN, labels, N, 2, workspace, bytes - 1, outs(targets, N * 2, NULL, 0, NULL, 0, NULL, 0)),
           MIXUP_STATUS_BUFFER_TOO_SMALL);

    CHECK(same_bits(x, saved, N * LEN));
    CHECK(same_bits(out, saved_out, N * LEN));
    CHECK(same_bits(targets, saved_targets, N * 2));
    CHECK(memcmp(&rng, &saved_rng, sizeof rng) == 0);
    CHECK(beta_out == 42.0);
    free(workspace);
}

static void test_u8(void) {
    enum { N = 5, H = 7, W = 9, C = 3, P = H * W, LEN = P * C, K = 3 };
    static uint8_t hwc[N * LEN], x[N * LEN], out_u8[N * LEN], want_u8[N * LEN], saved[N * LEN];
    static float out[N * LEN], want[N * LEN], tensors[N * LEN];
    uint8_t scratch[LEN + 1];
    const float mean[C] = {0.485f, 0.456f, 0.406f}, std_[C] = {0.229f, 0.224f, 0.225f};
    const float zero_std[C] = {0.229f, 0.0f, 0.225f};
    const mixup_image image = {sizeof(mixup_image), C, P, MIXUP_LAYOUT_HWC, MIXUP_LAYOUT_CHW};
    mixup_image bad_image = image;
    uint32_t perm[N], partners[N];
    double lam[N];
    int64_t labels[N] = {0, 1, 2, 0, 1};
    float targets[N * K], saved_targets[N * K];
    mixup_config config = mixup_config_default();
    mixup_rng rng;
    size_t i, k, c, p, bytes;
    void *workspace;

    for (i = 0; i < N * LEN; i++) hwc[i] = (uint8_t)((i * 37 + i / 11) & 0xff);
    for (i = 0; i < N; i++) lam[i] = 0.15 + 0.17 * (double)i;
    mixup_rng_seed(&rng, 9);
    EXPECT(mixup_pairing_fill(&rng, MIXUP_PAIRING_CYCLE, 0, perm, N), MIXUP_STATUS_OK);

    /* u8 to u8, in place and out of place */
    for (i = 0; i < N; i++)
        for (k = 0; k < LEN; k++) want_u8[i * LEN + k] = reference_u8(lam[i], hwc[i * LEN + k], hwc[perm[i] * LEN + k]);
    memcpy(x, hwc, sizeof x);
    EXPECT(mixup_apply_u8(x, N, LEN, perm, N, lam, N, scratch, LEN + 1), MIXUP_STATUS_OK);
    CHECK(memcmp(x, want_u8, sizeof x) == 0);
    EXPECT(mixup_apply_into_u8(hwc, N, LEN, perm, N, lam, N, out_u8, N * LEN), MIXUP_STATUS_OK);
    CHECK(memcmp(out_u8, want_u8, sizeof out_u8) == 0);

    /* u8 HWC to normalized f32 CHW, fused */
    for (i = 0; i < N; i++)
        for (c = 0; c < C; c++)
            for (p = 0; p < P; p++) tensors[i * LEN + c * P + p] = to_tensor(hwc[i * LEN + p * C + c], mean[c], std_[c]);
    for (i = 0; i < N; i++)
        for (k = 0; k < LEN; k++) want[i * LEN + k] = reference(lam[i], tensors[i * LEN + k], tensors[perm[i] * LEN + k]);
    EXPECT(mixup_apply_into_u8_f32(hwc, N, &image, perm, N, lam, N, mean, C, std_, C, out, N * LEN), MIXUP_STATUS_OK);
    CHECK(same_bits(out, want, N * LEN));

    /* the one-call forms */
    config.granularity = MIXUP_GRANULARITY_ELEM;
    config.label_smoothing = 0.1;
    EXPECT(mixup_workspace_size_u8(N, LEN, &bytes), MIXUP_STATUS_OK);
    workspace = malloc(bytes);
    memcpy(x, hwc, sizeof x);
    EXPECT(mixup_batch_u8(&rng, &config, x, N, LEN, labels, N, K, workspace, bytes, outs(targets, N * K, lam, N, partners, N, NULL, 0)),
           MIXUP_STATUS_OK);
    for (i = 0; i < N; i++)
        for (k = 0; k < LEN; k++) CHECK(x[i * LEN + k] == reference_u8(lam[i], hwc[i * LEN + k], hwc[partners[i] * LEN + k]));
    free(workspace);
    EXPECT(mixup_workspace_size_u8_f32(N, &bytes), MIXUP_STATUS_OK);
    workspace = malloc(bytes);
    EXPECT(mixup_batch_u8_f32(&rng, &config, hwc, N, &image, mean, C, std_, C, out, N * LEN, labels, N, K, workspace, bytes, outs(targets, N * K, lam, N, partners, N, NULL, 0)),
           MIXUP_STATUS_OK);
    for (i = 0; i < N; i++)
        for (k = 0; k < LEN; k++) want[i * LEN + k] = reference(lam[i], tensors[i * LEN + k], tensors[partners[i] * LEN + k]);
    CHECK(same_bits(out, want, N * LEN));

    /* errors leave everything as it was */
    memcpy(saved, x, sizeof x);
    memcpy(want, out, sizeof out);
    memcpy(saved_targets, targets, sizeof targets);
    EXPECT(mixup_apply_u8(x, N, LEN, perm, N, lam, N, scratch, LEN), MIXUP_STATUS_BUFFER_TOO_SMALL);
    EXPECT(mixup_apply_into_u8_f32(hwc, N, &image, perm, N, lam, N, mean, C, zero_std, C, out, N * LEN),
           MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_apply_into_u8_f32(hwc, N, &image, perm, N, lam, N, mean, C, std_, C - 1, out, N * LEN),
           MIXUP_STATUS_INVALID_ARGUMENT);
    bad_image.output_layout = 2;
    EXPECT(mixup_apply_into_u8_f32(hwc, N, &bad_image, perm, N, lam, N, NULL, 0, NULL, 0, out, N * LEN),
           MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_apply_into_u8(hwc, N, LEN, perm, N, lam, N, hwc + 3, N * LEN), MIXUP_STATUS_OVERLAP);
    EXPECT(mixup_batch_u8_f32(&rng, &config, hwc, N, &image, mean, C, zero_std, C, out, N * LEN, labels, N, K, workspace, bytes, outs(targets, N * K, NULL, 0, NULL, 0, NULL, 0)),
           MIXUP_STATUS_INVALID_ARGUMENT);
    CHECK(memcmp(x, saved, sizeof x) == 0);
    CHECK(same_bits(out, want, N * LEN));
    CHECK(same_bits(targets, saved_targets, N * K));
    free(workspace);
}

static void test_detection(void) {
    enum { H1 = 3, W1 = 5, H2 = 4, W2 = 2, C = 3 };
    float a[H1 * W1 * C], b[H2 * W2 * C], out[4 * 5 * C + 1], want[4 * 5 * C];
    uint8_t a8[H1 * W1 * C], b8[H2 * W2 * C], out8[4 * 5 * C];
    const float boxes_a[2 * 4] = {0, 0, 4, 2, 1, 1, 2, 2}, boxes_b[4] = {0, 1, 1, 3};
    const float bad_box[4] = {3, 0, 1, 2};
    const int64_t classes_a[2] = {5, 6}, classes_b[1] = {7};
    mixup_weighted_box boxes[3];
    size_t h = 0, w = 0, count = 0, y, x, c;
    const double lam = 0.35;
    for (x = 0; x < H1 * W1 * C; x++) { a[x] = (float)x * 0.5f; a8[x] = (uint8_t)(x * 7); }
    for (x = 0; x < H2 * W2 * C; x++) { b[x] = 9.0f - (float)x; b8[x] = (uint8_t)(250 - x); }

    EXPECT(mixup_canvas_size(H1, W1, H2, W2, &h, &w), MIXUP_STATUS_OK);
    CHECK(h == 4 && w == 5);
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
            for (c = 0; c < C; c++) {
                float pa = (y < H1 && x < W1) ? a[(y * W1 + x) * C + c] : 0.0f;
                float pb = (y < H2 && x < W2) ? b[(y * W2 + x) * C + c] : 0.0f;
                uint8_t ua = (y < H1 && x < W1) ? a8[(y * W1 + x) * C + c] : 0;
                uint8_t ub = (y < H2 && x < W2) ? b8[(y * W2 + x) * C + c] : 0;
                want[(y * w + x) * C + c] = reference(lam, pa, pb);
                out8[(y * w + x) * C + c] = reference_u8(lam, ua, ub);
            }
    out[4 * 5 * C] = 42.0f;
    EXPECT(mixup_blend_canvas_f32(a, H1, W1, b, H2, W2, C, MIXUP_LAYOUT_HWC, lam, out, 4 * 5 * C + 1), MIXUP_STATUS_OK);
    CHECK(same_bits(out, want, 4 * 5 * C));
    CHECK(out[4 * 5 * C] == 42.0f);
    {
        uint8_t got8[4 * 5 * C];
        EXPECT(mixup_blend_canvas_u8(a8, H1, W1, b8, H2, W2, C, MIXUP_LAYOUT_HWC, lam, got8, 4 * 5 * C), MIXUP_STATUS_OK);
        CHECK(memcmp(got8, out8, sizeof got8) == 0);
    }
    EXPECT(mixup_blend_canvas_f32(a, H1, W1, b, H2, W2, C, MIXUP_LAYOUT_HWC, lam, out, 4 * 5 * C - 1), MIXUP_STATUS_BUFFER_TOO_SMALL);
    EXPECT(mixup_blend_canvas_f32(a, H1, W1, b, H2, W2, C, 9, lam, out, 4 * 5 * C), MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_blend_canvas_f32(a, H1, W1, b, H2, W2, C, MIXUP_LAYOUT_CHW, lam, a, H1 * W1 * C), MIXUP_STATUS_BUFFER_TOO_SMALL);
    CHECK(same_bits(out, want, 4 * 5 * C));

    EXPECT(mixup_mix_boxes(boxes_a, classes_a, 2, boxes_b, classes_b, 1, lam, 0, boxes, 3, &count), MIXUP_STATUS_OK);
    CHECK(count == 3);
    CHECK(boxes[0].class_id == 5 && boxes[0].weight == (float)lam && boxes[0].x2 == 4.0f);
    CHECK(boxes[2].class_id == 7 && boxes[2].weight == (float)(1.0 - lam) && boxes[2].y2 == 3.0f);
    EXPECT(mixup_mix_boxes(boxes_a, classes_a, 2, boxes_b, classes_b, 1, 1.0, 1, boxes, 2, &count), MIXUP_STATUS_OK);
    CHECK(count == 2);
    count = 99;
    EXPECT(mixup_mix_boxes(bad_box, classes_a, 1, NULL, NULL, 0, lam, 0, boxes, 3, &count), MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_mix_boxes(boxes_a, classes_a, 2, boxes_b, classes_b, 1, lam, 0, boxes, 2, &count), MIXUP_STATUS_BUFFER_TOO_SMALL);
    EXPECT(mixup_mix_boxes(boxes_a, NULL, 2, NULL, NULL, 0, lam, 0, boxes, 3, &count), MIXUP_STATUS_NULL_POINTER);
    CHECK(count == 99);

    /* the batch form: images a (3x5) and b (4x2) in one buffer, mixed both ways */
    {
        float images[H1 * W1 * C + H2 * W2 * C], canvases[2 * 4 * 5 * C], one[4 * 5 * C];
        uint8_t images8[H1 * W1 * C + H2 * W2 * C], canvases8[2 * 4 * 5 * C];
        const size_t image_offsets[2] = {0, H1 * W1 * C}, box_offsets[3] = {0, 2, 3};
        const mixup_size sizes[2] = {{H1, W1}, {H2, W2}};
        const float all_boxes[3 * 4] = {0, 0, 4, 2, 1, 1, 2, 2, 0, 1, 1, 3};
        const int64_t all_classes[3] = {5, 6, 7};
        const uint32_t pairs[2] = {1, 0};
        const double lams[2] = {0.35, 0.8};
        size_t canvas_offsets[2], out_box_offsets[3], elements = 0, box_total = 0, i;
        mixup_size canvas_sizes[2];
        mixup_weighted_box out_boxes[6];
        memcpy(images, a, sizeof a);
        memcpy(images + H1 * W1 * C, b, sizeof b);
        memcpy(images8, a8, sizeof a8);
        memcpy(images8 + H1 * W1 * C, b8, sizeof b8);
        EXPECT(mixup_detection_sizes(det_layout(2, sizes, NULL, NULL, NULL, 0, box_offsets, C, MIXUP_LAYOUT_HWC), pairs, 2, &elements, &box_total), MIXUP_STATUS_OK);
        CHECK(elements == 2 * 4 * 5 * C && box_total == 6);
        EXPECT(mixup_mix_detection_f32(images, sizeof images / sizeof images[0], det_layout(2, sizes, image_offsets, all_boxes, all_classes, 3, box_offsets, C, MIXUP_LAYOUT_HWC), pairs, 2, lams, 2, canvases, elements, det_outs(canvas_offsets, canvas_sizes, out_boxes, box_total, out_box_offsets)),
               MIXUP_STATUS_OK);
        CHECK(canvas_sizes[0].height == 4 && canvas_sizes[0].width == 5 && canvas_offsets[1] == 4 * 5 * C);
        CHECK(same_bits(canvases, want, 4 * 5 * C)); /* a with b at lam 0.35, as above */
        EXPECT(mixup_blend_canvas_f32(b, H2, W2, a, H1, W1, C, MIXUP_LAYOUT_HWC, 0.8, one, 4 * 5 * C), MIXUP_STATUS_OK);
        CHECK(same_bits(canvases + 4 * 5 * C, one, 4 * 5 * C));
        CHECK(out_box_offsets[0] == 0 && out_box_offsets[1] == 3 && out_box_offsets[2] == 6);
        CHECK(out_boxes[3].class_id == 7 && out_boxes[3].weight == 0.8f);
        CHECK(out_boxes[4].class_id == 5 && out_boxes[4].weight == (float)(1.0 - 0.8));
        EXPECT(mixup_mix_detection_u8(images8, sizeof images8, det_layout(2, sizes, image_offsets, all_boxes, all_classes, 3, box_offsets, C, MIXUP_LAYOUT_HWC), pairs, 2, lams, 2, canvases8, elements, det_outs(canvas_offsets, canvas_sizes, out_boxes, box_total, out_box_offsets)),
               MIXUP_STATUS_OK);
        CHECK(memcmp(canvases8, out8, 4 * 5 * C) == 0);
        for (i = 0; i < elements; i++) canvases[i] = -1.0f;
        EXPECT(mixup_mix_detection_f32(images, sizeof images / sizeof images[0], det_layout(2, sizes, image_offsets, all_boxes, all_classes, 3, box_offsets, C, MIXUP_LAYOUT_HWC), pairs, 2, lams, 2, canvases, elements - 1, det_outs(canvas_offsets, canvas_sizes, out_boxes, box_total, out_box_offsets)),
               MIXUP_STATUS_BUFFER_TOO_SMALL);
        EXPECT(mixup_mix_detection_f32(images, sizeof images / sizeof images[0], det_layout(2, sizes, image_offsets, all_boxes, all_classes, 3, box_offsets, C, MIXUP_LAYOUT_HWC), pairs, 2, lams, 2, canvases, elements, det_outs(canvas_offsets, canvas_sizes, out_boxes, box_total, canvas_offsets)),
               MIXUP_STATUS_OVERLAP);
        for (i = 0; i < elements; i++) CHECK(canvases[i] == -1.0f);
    }
}

/* CutMix: the box functions, then timm's recipe in one call, checked
 * element by element against the reported ops, partners and boxes. */
static void test_cutmix(void) {
    enum { N = 6, C = 3, H = 17, W = 13, LEN = C * H * W, K = 4 };
    static float images[N * LEN], original[N * LEN];
    float targets[N * K];
    int64_t labels[N] = {0, 1, 2, 3, 0, 1};
    double lam[N], l = -1.0;
    uint32_t partners[N];
    uint8_t ops[N];
    mixup_box boxes[N], b = {7, 7, 7, 7};
    mixup_config config = mixup_config_default();
    mixup_batch_outputs o = mixup_batch_outputs_default();
    mixup_rng rng;
    size_t bytes = 0, i, e, cutmix = 0;
    void *workspace;

    EXPECT(mixup_cutmix_box(MIXUP_RECIPE_TORCHVISION, 1, 0, 224, 224, 0.5, 100, 200, &b, &l), MIXUP_STATUS_OK);
    CHECK(b.y1 == 21 && b.y2 == 179 && b.x1 == 121 && b.x2 == 224);
    CHECK(l == 1.0 - (158.0 * 103.0) / (224.0 * 224.0));
    EXPECT(mixup_cutmix_box(MIXUP_RECIPE_TIMM, 1, 0, 32, 32, 0.75, 3, 20, &b, &l), MIXUP_STATUS_OK);
    CHECK(b.y1 == 0 && b.y2 == 11 && b.x1 == 12 && b.x2 == 28 && l == 1.0 - 176.0 / 1024.0);
    /* timm's own example, H = 7, W = 5, lam = 0.5, centre (3, 2): x in [1, 4) today, [1, 3) up to 1.0.28 */
    EXPECT(mixup_cutmix_box(MIXUP_RECIPE_TIMM, 1, 0, 7, 5, 0.5, 3, 2, &b, &l), MIXUP_STATUS_OK);
    CHECK(b.y1 == 1 && b.y2 == 5 && b.x1 == 1 && b.x2 == 4 && l == 1.0 - 12.0 / 35.0);
    EXPECT(mixup_cutmix_box(MIXUP_RECIPE_TIMM_1_0_28, 1, 0, 7, 5, 0.5, 3, 2, &b, &l), MIXUP_STATUS_OK);
    CHECK(b.y1 == 1 && b.y2 == 5 && b.x1 == 1 && b.x2 == 3 && l == 1.0 - 8.0 / 35.0);
    /* a corner at H - cut_h is today's timm's only */
    EXPECT(mixup_cutmix_box_minmax(MIXUP_RECIPE_TIMM, 10, 20, 0.2, 0.8, 5, 4, 5, 16, &b, &l), MIXUP_STATUS_OK);
    CHECK(b.y1 == 5 && b.y2 == 10 && b.x1 == 16 && b.x2 == 20 && l == 0.9);
    EXPECT(mixup_cutmix_box_minmax(MIXUP_RECIPE_TIMM_1_0_28, 10, 20, 0.2, 0.8, 5, 4, 5, 16, &b, &l),
           MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_cutmix_box_minmax(MIXUP_RECIPE_TIMM_1_0_28, 10, 20, 0.2, 0.8, 5, 4, 2, 15, &b, &l), MIXUP_STATUS_OK);
    CHECK(b.y1 == 2 && b.y2 == 7 && b.x1 == 15 && b.x2 == 19 && l == 0.9);
    EXPECT(mixup_cutmix_box(3, 1, 0, 32, 32, 0.5, 0, 0, &b, &l), MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_cutmix_box_minmax(MIXUP_RECIPE_TORCHVISION, 10, 20, 0.2, 0.8, 5, 4, 2, 15, &b, &l),
           MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_cutmix_box(MIXUP_RECIPE_TIMM, 1, 0, 32, 32, 0.5, 32, 0, &b, &l), MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_cutmix_box_minmax(MIXUP_RECIPE_TIMM, 10, 20, 0.5, 0.5, 5, 4, 2, 15, &b, &l),
           MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_cutmix_box(MIXUP_RECIPE_TIMM, 1, 0, 32, 32, 0.5, 0, 0, NULL, &l), MIXUP_STATUS_NULL_POINTER);
    CHECK(b.y1 == 2 && l == 0.9);

    /* timm: Mixup(mixup_alpha=0, cutmix_alpha=1, mode='elem', label_smoothing=0.1) */
    config.alpha = config.beta = 0.0;
    config.cutmix_alpha = 1.0;
    config.label_smoothing = 0.1;
    config.pairing = MIXUP_PAIRING_FLIP;
    config.granularity = MIXUP_GRANULARITY_ELEM;
    config.recipe = MIXUP_RECIPE_TIMM;
    config.height = H;
    config.width = W;
    config.layout = MIXUP_LAYOUT_CHW;
    o.targets = targets;   o.targets_len = N * K;
    o.lambdas = lam;       o.lambdas_len = N;
    o.partners = partners; o.partners_len = N;
    o.ops = ops;           o.ops_len = N;
    o.boxes = boxes;       o.boxes_len = N;
    EXPECT(mixup_workspace_size(N, LEN, &bytes), MIXUP_STATUS_OK);
    workspace = malloc(bytes);
    CHECK(workspace != NULL);
    fill(original, N * LEN);
    memcpy(images, original, sizeof images);
    mixup_rng_stream(&rng, 2026, 7);
    EXPECT(mixup_batch_f32(&rng, &config, images, N, LEN, labels, N, K, workspace, bytes, &o), MIXUP_STATUS_OK);
    for (i = 0; i < N; i++) {
        double area = (double)(boxes[i].y2 - boxes[i].y1) * (double)(boxes[i].x2 - boxes[i].x1);
        CHECK(partners[i] == N - 1 - i);
        CHECK(ops[i] == MIXUP_OP_CUTMIX || ops[i] == MIXUP_OP_UNMIXED);
        if (ops[i] == MIXUP_OP_CUTMIX) {
            cutmix++;
            CHECK(lam[i] == (double)(float)(1.0 - area / (H * W)));
        }
        for (e = 0; e < LEN; e++) {
            size_t y = e / W % H, x = e % W;
            int inside = ops[i] == MIXUP_OP_CUTMIX && y >= boxes[i].y1 && y < boxes[i].y2 && x >= boxes[i].x1 &&
                         x < boxes[i].x2;
            size_t from = inside ? partners[i] : i;
            CHECK(same_bits(images + i * LEN + e, original + from * LEN + e, 1));
        }
    }
    CHECK(cutmix == N);
    /* a layout that does not fit: len is not channels * height * width */
    config.width = W + 1;
    EXPECT(mixup_batch_f32(&rng, &config, images, N, LEN, labels, N, K, workspace, bytes, &o),
           MIXUP_STATUS_INVALID_ARGUMENT);
    free(workspace);
}

/* One batch in parts: run one after another here, each part once; the
 * parts give the one-call bits. */
static void test_parts(void) {
    enum { N = 9, LEN = 7, PARTS = 3 };
    float original[N * LEN], whole[N * LEN], parted[N * LEN], out[N * LEN], into[N * LEN];
    const uint32_t perm[N] = {3, 0, 1, 2, 8, 4, 5, 6, 7};
    const double lam[1] = {0.35};
    size_t floats = 0, k;
    float *scratch;
    fill(original, N * LEN);
    memcpy(whole, original, sizeof whole);
    memcpy(parted, original, sizeof parted);
    EXPECT(mixup_scratch_size(N, LEN, &floats), MIXUP_STATUS_OK);
    scratch = (float *)malloc(floats * sizeof(float));
    CHECK(scratch != NULL);
    EXPECT(mixup_apply_f32(whole, N, LEN, perm, N, lam, 1, scratch, floats), MIXUP_STATUS_OK);
    EXPECT(mixup_apply_into_f32(original, N, LEN, perm, N, lam, 1, into, N * LEN), MIXUP_STATUS_OK);
    for (k = 0; k < PARTS; k++) {
        EXPECT(mixup_apply_f32_part(parted, N, LEN, perm, N, lam, 1, scratch, floats, k, PARTS), MIXUP_STATUS_OK);
        EXPECT(mixup_apply_into_f32_part(original, N, LEN, perm, N, lam, 1, out, N * LEN, k, PARTS), MIXUP_STATUS_OK);
    }
    CHECK(same_bits(parted, whole, N * LEN));
    CHECK(same_bits(out, into, N * LEN));
    EXPECT(mixup_apply_f32_part(parted, N, LEN, perm, N, lam, 1, scratch, floats, PARTS, PARTS),
           MIXUP_STATUS_INVALID_ARGUMENT);
    EXPECT(mixup_apply_into_f32_part(original, N, LEN, perm, N, lam, 1, out, N * LEN - 1, 0, PARTS),
           MIXUP_STATUS_BUFFER_TOO_SMALL);
    free(scratch);
}

int main(void) {
    test_version_and_status_strings();
    test_rng_and_beta();
    test_pairings();
    test_blend();
    test_apply();
    test_labels();
    test_batch();
    test_errors();
    test_u8();
    test_detection();
    test_cutmix();
    test_parts();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("test_api: all checks passed\n");
    return 0;
}
