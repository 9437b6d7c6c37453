/*
 * What the C test programs share: a failure count and CHECK, which reports
 * a failed condition with its place and carries on, so that one run lists
 * every failure (main returns 1 when `failures` is not 0); and
 * share_plan_arrays, which makes a drawn plan the plan to apply.
 */
#ifndef MIXUP_FFI_TESTS_CHECK_H
#define MIXUP_FFI_TESTS_CHECK_H

#include <stdio.h>

#include "mixup.h"

static int failures = 0;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                    \
        }                                                                  \
    } while (0)

/* Points the plan outputs of `outputs` and the arrays of `plan` at the same
 * n-long arrays, so that what mixup_plan_draw reports through `outputs` is
 * the plan the apply calls take. */
static void share_plan_arrays(mixup_batch_outputs *outputs, mixup_plan *plan, size_t n,
                              double *lambdas, uint32_t *partners, uint8_t *ops,
                              mixup_box *boxes) {
    outputs->lambdas = lambdas;
    outputs->lambdas_len = n;
    outputs->partners = partners;
    outputs->partners_len = n;
    outputs->ops = ops;
    outputs->ops_len = n;
    outputs->boxes = boxes;
    outputs->boxes_len = n;
    plan->n = n;
    plan->partners = partners;
    plan->lambdas = lambdas;
    plan->ops = ops;
    plan->boxes = boxes;
}

#endif
