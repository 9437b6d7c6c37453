/*
 * A data loader step in C: read photographs, make a batch, mix it with
 * mixup_batch_f32 (random permutation, label smoothing), write the mixed
 * images and print lambda, the pairs and the soft targets.
 *
 *   (README.md, "Use it from C and C++", has the install lines)
 *   cc -std=c99 -O2 ffi-tests/loader_example.c $(pkg-config --cflags --libs mixup) -o loader_example
 *   ./loader_example examples/data out
 */
#include "mixup.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIDE 224
#define LEN (3 * SIDE * SIDE) /* one CHW float sample */

static const char *const NAMES[] = {"astronaut", "chelsea", "coffee", "hubble", "retina", "rocket"};
#define N (sizeof NAMES / sizeof NAMES[0])

/* Reads the next header number of a PPM, skipping blanks and comments. */
static int ppm_number(FILE *f) {
    int c = fgetc(f), value = 0;
    while (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '#') {
        if (c == '#')
            while (c != '\n' && c != EOF) c = fgetc(f);
        c = fgetc(f);
    }
    if (c < '0' || c > '9') return -1;
    while (c >= '0' && c <= '9') {
        value = value * 10 + (c - '0');
        c = fgetc(f);
    }
    return value; /* the one blank after the number is consumed */
}

/* Reads a SIDE x SIDE binary PPM into CHW floats in [0, 1]. */
static int read_ppm(const char *path, float *chw) {
    static unsigned char rgb[SIDE * SIDE * 3];
    FILE *f = fopen(path, "rb");
    int ok = 0;
    size_t p;
    if (!f) return 0;
    if (fgetc(f) == 'P' && fgetc(f) == '6' && ppm_number(f) == SIDE && ppm_number(f) == SIDE &&
        ppm_number(f) == 255 && fread(rgb, 1, sizeof rgb, f) == sizeof rgb) {
        for (p = 0; p < SIDE * SIDE; p++) {
            chw[p] = rgb[3 * p] / 255.0f;
            chw[SIDE * SIDE + p] = rgb[3 * p + 1] / 255.0f;
            chw[2 * SIDE * SIDE + p] = rgb[3 * p + 2] / 255.0f;
        }
        ok = 1;
    }
    fclose(f);
    return ok;
}

static int write_ppm(const char *path, const float *chw) {
    static unsigned char rgb[SIDE * SIDE * 3];
    FILE *f = fopen(path, "wb");
    size_t p, c;
    if (!f) return 0;
    for (p = 0; p < SIDE * SIDE; p++)
        for (c = 0; c < 3; c++) {
            float v = chw[c * SIDE * SIDE + p];
            v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
            rgb[3 * p + c] = (unsigned char)(v * 255.0f + 0.5f);
        }
    fprintf(f, "P6\n%d %d\n255\n", SIDE, SIDE);
    p = fwrite(rgb, 1, sizeof rgb, f);
    return fclose(f) == 0 && p == sizeof rgb;
}

int main(int argc, char **argv) {
    const char *in_dir = argc > 1 ? argv[1] : "examples/data";
    const char *out_dir = argc > 2 ? argv[2] : ".";
    float *images = malloc(sizeof(float) * N * LEN);
    int64_t labels[N];
    float targets[N * N];
    double lam[N];
    uint32_t partners[N];
    char path[4096];
    size_t i, c, bytes;
    void *workspace;
    mixup_rng rng;
    mixup_config config = mixup_config_default();
    mixup_batch_outputs outputs;
    mixup_status status;

    if (!images) return 1;
    for (i = 0; i < N; i++) {
        snprintf(path, sizeof path, "%s/%s.ppm", in_dir, NAMES[i]);
        if (!read_ppm(path, images + i * LEN)) {
            fprintf(stderr, "cannot read %s\n", path);
            return 1;
        }
        labels[i] = (int64_t)i; /* one class per photograph */
    }

    /* Once per loader: the workspace and the configuration. */
    if (mixup_workspace_size(N, LEN, &bytes) != MIXUP_STATUS_OK || !(workspace = malloc(bytes))) return 1;
    config.alpha = config.beta = 1.0;
    config.pairing = MIXUP_PAIRING_PERMUTATION;
    config.granularity = MIXUP_GRANULARITY_ELEM;
    config.label_smoothing = 0.1;
    /* What the call writes besides the images: targets, lambdas, partners. */
    outputs = mixup_batch_outputs_default();
    outputs.targets = targets;
    outputs.targets_len = N * N;
    outputs.lambdas = lam;
    outputs.lambdas_len = N;
    outputs.partners = partners;
    outputs.partners_len = N;

    /* Per batch: the stream of (seed, batch index), then one call. */
    mixup_rng_stream(&rng, 2026, 0);
    status = mixup_batch_f32(&rng, &config, images, N, LEN, labels, N, N, workspace, bytes, &outputs);
    if (status != MIXUP_STATUS_OK) {
        fprintf(stderr, "mixup_batch_f32: %s\n", mixup_status_str(status));
        return 1;
    }

    printf("mixup %s, permutation pairing, one lambda per sample, smoothing 0.1\n", mixup_version());
    for (i = 0; i < N; i++) {
        printf("%9s <- %-9s lam = %.4f  target =", NAMES[i], NAMES[partners[i]], lam[i]);
        for (c = 0; c < N; c++) printf(" %.4f", targets[i * N + c]);
        printf("\n");
        snprintf(path, sizeof path, "%s/mixed_%s.ppm", out_dir, NAMES[i]);
        if (!write_ppm(path, images + i * LEN)) {
            fprintf(stderr, "cannot write %s\n", path);
            return 1;
        }
    }
    printf("wrote %zu mixed images to %s\n", (size_t)N, out_dir);
    free(workspace);
    free(images);
    return 0;
}
