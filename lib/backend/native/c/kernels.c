/*
 * posterlab's own C kernels for the native backend, where oneDNN and OpenBLAS have nothing that fits:
 * the fused optimizer steps (one pass over a variable's values, gradient and moments) and
 * nearest-neighbour upsampling. Vectorised by the compiler and split over OpenMP's threads (the same
 * libgomp oneDNN uses, so --threads sets both). lib/backend/native/shim.ts compiles this file with
 * the machine's C compiler on first use; lib/training/adam.ts and rmsprop.ts call the steps and keep
 * their JavaScript loops, which compute the same float32 operations in the same order, for other
 * backends; lib/backend/native/resize.ts calls the upsampling.
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

/*
 * Nearest-neighbour upsampling of an NHWC tensor by whole factors (fh, fw): output pixel (oy, ox)
 * copies input pixel (oy / fh, ox / fw), as tfjs's ResizeNearestNeighbor does without align-corners
 * or half-pixel centres. (oneDNN 2.6's resampling primitive crashed on this machine for outputs of
 * more than about half a million values, in its JIT code on a worker thread.)
 */
void posterlab_upsample_nearest(const float *x, float *y, int64_t n, int64_t h, int64_t w, int64_t c,
                                int64_t fh, int64_t fw) {
  const int64_t oh = h * fh, ow = w * fw;
#pragma omp parallel for collapse(2) schedule(static) if (n * oh * ow * c >= MIN_PARALLEL)
  for (int64_t b = 0; b < n; b++) {
    for (int64_t oy = 0; oy < oh; oy++) {
      const float *row = x + (b * h + oy / fh) * w * c;
      float *out = y + (b * oh + oy) * ow * c;
      for (int64_t ox = 0; ox < ow; ox++) {
        const float *pixel = row + (ox / fw) * c;
        for (int64_t k = 0; k < c; k++) out[ox * c + k] = pixel[k];
      }
    }
  }
}

/*
 * Its gradient: each input pixel's gradient is the sum of its fh x fw output pixels' gradients,
 * added row by row from 0 as tfjs's wasm kernel adds them.
 */
void posterlab_upsample_nearest_grad(const float *dy, float *dx, int64_t n, int64_t h, int64_t w, int64_t c,
                                     int64_t fh, int64_t fw) {
  const int64_t oh = h * fh, ow = w * fw;
#pragma omp parallel for collapse(2) schedule(static) if (n * oh * ow * c >= MIN_PARALLEL)
  for (int64_t b = 0; b < n; b++) {
    for (int64_t iy = 0; iy < h; iy++) {
      float *out = dx + (b * h + iy) * w * c;
      for (int64_t k = 0; k < w * c; k++) out[k] = 0.0f;
      for (int64_t i = 0; i < fh; i++) {
        const float *row = dy + (b * oh + iy * fh + i) * ow * c;
        for (int64_t ix = 0; ix < w; ix++) {
          for (int64_t j = 0; j < fw; j++) {
            const float *pixel = row + (ix * fw + j) * c;
            for (int64_t k = 0; k < c; k++) out[ix * c + k] += pixel[k];
          }
        }
      }
    }
  }
}
