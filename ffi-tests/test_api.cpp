// The header from C++17: a data loader step with std::vector, timm-style
// flip pairing with one lambda per mirrored pair and label smoothing,
// checked against a plain reference loop bit for bit.
//
// Built by tests/ffi.rs with: g++ -std=c++17 -Wall -Wextra -Werror -pedantic.
#include "mixup.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const char *what) {
    if (!ok) {
        std::fprintf(stderr, "CHECK failed: %s\n", what);
        ++failures;
    }
}

float reference(double lam, float a, float b) {
    const float ws = static_cast<float>(lam);
    const float wp = static_cast<float>(1.0 - lam);
    return ws * a + wp * b;
}

// The optional outputs of a one-call batch.
const mixup_batch_outputs *outs(float *targets, std::size_t targets_len, double *lambdas, std::size_t lambdas_len,
                                std::uint32_t *partners, std::size_t partners_len, std::uint8_t *applied,
                                std::size_t applied_len) {
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

}  // namespace

int main() {
    constexpr std::size_t n = 7, len = 3 * 8 * 8, classes = 5;
    std::vector<float> images(n * len);
    for (std::size_t i = 0; i < images.size(); ++i) images[i] = static_cast<float>(i % 251) / 251.0f;
    const std::vector<float> original = images;
    std::vector<std::int64_t> labels = {0, 1, 2, 3, 4, 0, 1};
    std::vector<float> targets(n * classes);

    mixup_config config = mixup_config_default();
    config.alpha = config.beta = 1.0;
    config.pairing = MIXUP_PAIRING_FLIP;
    config.granularity = MIXUP_GRANULARITY_PAIR;
    config.label_smoothing = 0.1;

    std::size_t bytes = 0;
    check(mixup_workspace_size(n, len, &bytes) == MIXUP_STATUS_OK, "workspace size");
    std::vector<std::uint64_t> workspace((bytes + 7) / 8);  // 8-byte aligned
    std::vector<double> lam(n);
    std::vector<std::uint32_t> partners(n);
    std::vector<std::uint8_t> applied(n);

    mixup_rng rng;
    check(mixup_rng_stream(&rng, 7, 0) == MIXUP_STATUS_OK, "stream");
    const mixup_status status = mixup_batch_f32(&rng, &config, images.data(), n, len, labels.data(), labels.size(), classes, reinterpret_cast<std::uint8_t *>(workspace.data()), bytes, outs(targets.data(), targets.size(), lam.data(), lam.size(), partners.data(), partners.size(), applied.data(), applied.size()));
    check(status == MIXUP_STATUS_OK, mixup_status_str(status));

    for (std::size_t i = 0; i < n; ++i) {
        check(partners[i] == n - 1 - i, "flip pairing");
        check(lam[i] == lam[n - 1 - i], "pair granularity shares lambda");
        for (std::size_t k = 0; k < len; ++k) {
            const float want = reference(lam[i], original[i * len + k], original[partners[i] * len + k]);
            check(std::memcmp(&images[i * len + k], &want, sizeof want) == 0, "image bits");
        }
        float sum = 0.0f;
        for (std::size_t c = 0; c < classes; ++c) sum += targets[i * classes + c];
        check(sum > 0.9999f && sum < 1.0001f, "targets sum to one");
    }

    // An error leaves everything as it was.
    const std::vector<float> before = images;
    labels[3] = 99;
    check(mixup_batch_f32(&rng, &config, images.data(), n, len, labels.data(), labels.size(), classes, reinterpret_cast<std::uint8_t *>(workspace.data()), bytes, outs(targets.data(), targets.size(), nullptr, 0, nullptr, 0, nullptr, 0)) == MIXUP_STATUS_LABEL_OUT_OF_RANGE,
          "label out of range");
    check(images == before, "images untouched on error");

    if (failures != 0) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    std::printf("test_api.cpp: all checks passed\n");
    return 0;
}
