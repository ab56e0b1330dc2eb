/*
 * posterlab's fused optimizer steps for the native backend: one pass over a variable's values,
 * gradient and moments, vectorised by the compiler and split over OpenMP's threads (the same
 * libgomp oneDNN uses, so --threads sets both). lib/backend/native/shim.ts compiles this file with
 * the machine's C compiler on first use; lib/training/adam.ts and rmsprop.ts call it and keep their
 * JavaScript loops, which compute the same float32 operations in the same order, for other backends.
 *
 * Exact float32 arithmetic (no -ffast-math, no contraction into fused multiply-adds) keeps the
 * results bit-identical to the JavaScript loops: tests/backend/native/optimizer_steps_test.ts.
 */
#include <math.h>
#include <stdint.h>

/* Below this many values, waking the threads costs more than the loop. */
#define MIN_PARALLEL 32768

/* tf.train.rmsprop without centering: ms = decay ms + keep g^2; mom = momentum mom + lr g / sqrt(ms + eps). */
void posterlab_rmsprop(const float *value, const float *gradient, float *mean_square, float *moment,
                       float *next, int64_t n, float decay, float keep, float momentum, float lr,
                       float epsilon) {
#pragma omp parallel for schedule(static) if (n >= MIN_PARALLEL)
  for (int64_t j = 0; j < n; j++) {
    const float g = gradient[j];
    const float ms = mean_square[j] * decay + (g * g) * keep;
    const float mom = moment[j] * momentum + (g * lr) / sqrtf(ms + epsilon);
    mean_square[j] = ms;
    moment[j] = mom;
    next[j] = value[j] - mom;
  }
}

/* tf.train.adam: m and v, their bias corrections, then value + step * mHat / (sqrt(vHat) + eps). */
void posterlab_adam(const float *value, const float *gradient, float *first, float *second, float *next,
                    int64_t n, float beta1, float beta2, float keep1, float keep2, float correction1,
                    float correction2, float epsilon, float step) {
#pragma omp parallel for schedule(static) if (n >= MIN_PARALLEL)
  for (int64_t j = 0; j < n; j++) {
    const float g = gradient[j];
    const float m = first[j] * beta1 + g * keep1;
    const float v = second[j] * beta2 + (g * g) * keep2;
    first[j] = m;
    second[j] = v;
    const float m_hat = m / correction1, v_hat = v / correction2;
    next[j] = (m_hat / (sqrtf(v_hat) + epsilon)) * step + value[j];
  }
}
