/*
 * What the C test programs share: a failure count and CHECK, which reports
 * a failed condition with its place and carries on, so that one run lists
 * every failure; main returns 1 when `failures` is not 0.
 */
#ifndef MIXUP_FFI_TESTS_CHECK_H
#define MIXUP_FFI_TESTS_CHECK_H

#include <stdio.h>

static int failures = 0;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                    \
        }                                                                  \
    } while (0)

#endif
