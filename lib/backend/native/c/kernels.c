/*
 * posterlab's own C kernels for the native backend, where oneDNN and OpenBLAS have nothing that fits
 * or run slowly on these shapes: the fused optimizer steps (one pass over a variable's values,
 * gradient and moments) and the weight average's, nearest-neighbour upsampling, batch norm in
 * training, sums over leading or middle axes, convolutions with few output channels and the input's
 * gradient of depthwise convolutions. Vectorised by the compiler (and, where the compiler would not,
 * with 8-float vectors) and split over OpenMP's threads (the same libgomp oneDNN uses, so --threads
 * sets both). lib/backend/native/shim.ts compiles this file with the machine's C compiler on first
 * use; lib/training/adam.ts, rmsprop.ts and lib/gan/ema.ts call the steps and keep their JavaScript
 * loops, which compute the same float32 operations in the same order, for other backends; resize.ts,
 * batch_norm.ts, sum.ts, small_conv.ts and depthwise_backprop.ts call the others, which their tests
 * hold to the cpu backend within a tolerance.
 *
 * Exact float32 arithmetic (no -ffast-math, no contraction into fused multiply-adds) keeps the
 * optimizer steps bit-identical to the JavaScript loops: tests/backend/native/optimizer_steps_test.ts.
 * Only the small convolutions allow fused multiply-adds (FUSED below).
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
 * One step of a weight average (the DCGAN generator's): next = average * keep + value * take, as tfjs's
 * mul, mul and add compute it (each product rounded to float32, then their sum).
 */
void posterlab_average(const float *average, const float *value, float *next, int64_t n, float keep,
                       float take) {
#pragma omp parallel for schedule(static) if (n >= MIN_PARALLEL)
  for (int64_t j = 0; j < n; j++) next[j] = average[j] * keep + value[j] * take;
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

/*
 * Batch normalisation in training over the last axis of x, seen as m rows of c channels (NHWC with
 * m = n h w): each channel's batch mean and biased variance (sums in double, the variance from
 * deviations, not from x^2 - mean^2), then y = (x - mean) rsqrt(variance + epsilon) scale + shift.
 * oneDNN 2.6's kernel for this layout ran at a fraction of memory speed on small maps of many
 * channels (the DCGAN discriminator's 12x8x128). Each thread sums its own rows; the partial sums are
 * added in thread order, so one thread count gives the same numbers every time.
 */
#include <omp.h>
#include <stdlib.h>

/* Rows a float partial sum covers before it is added to the double one. */
#define ROW_BLOCK 64

/* Eight floats in one vector (GCC/Clang vector extension; AVX2 registers where the CPU has them). */
typedef float v8f __attribute__((vector_size(32)));

static inline v8f load8(const float *p) {
  v8f v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

/* Threads for a pass over m x c values: one below MIN_PARALLEL. */
static int threads_for(int64_t m, int64_t c) { return m * c >= MIN_PARALLEL ? omp_get_max_threads() : 1; }

/*
 * Per-channel sums over the rows, with d = a - centre[k] in float (centre NULL: 0). Without b:
 * out1[k] = sum d, out2[k] = sum d^2. With b: out1[k] = sum b, out2[k] = sum b d. Returns 0, or -1
 * when its scratch memory could not be allocated.
 */
static int channel_sums(const float *a, const float *b, const double *centre, double *out1, double *out2,
                        int64_t m, int64_t c) {
  const int nt = threads_for(m, c);
  double *part = calloc((size_t)(nt * 2 * c), sizeof(double));
  if (!part) return -1;
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num(), count = omp_get_num_threads();
    double *s1 = part + t * 2 * c, *s2 = s1 + c;
    const int64_t first = m * t / count, last = m * (t + 1) / count;
    /* Blocks of rows summed in float vectors of 8 channels (held in registers), then added in double. */
    for (int64_t i0 = first; i0 < last; i0 += ROW_BLOCK) {
      const int64_t i1 = i0 + ROW_BLOCK < last ? i0 + ROW_BLOCK : last;
      int64_t k0 = 0;
      for (; k0 + 8 <= c; k0 += 8) {
        v8f centre8, sum1 = {0}, sum2 = {0};
        for (int j = 0; j < 8; j++) centre8[j] = centre ? (float)centre[k0 + j] : 0.0f;
        for (int64_t i = i0; i < i1; i++) {
          const v8f d = load8(a + i * c + k0) - centre8;
          if (b) {
            const v8f other = load8(b + i * c + k0);
            sum1 += other;
            sum2 += other * d;
          } else {
            sum1 += d;
            sum2 += d * d;
          }
        }
        for (int j = 0; j < 8; j++) {
          s1[k0 + j] += sum1[j];
          s2[k0 + j] += sum2[j];
        }
      }
      for (int64_t i = i0; i < i1; i++) {
        for (int64_t k = k0; k < c; k++) {
          const float d = a[i * c + k] - (centre ? (float)centre[k] : 0.0f);
          s1[k] += b ? b[i * c + k] : d;
          s2[k] += b ? b[i * c + k] * d : d * d;
        }
      }
    }
  }
  for (int64_t k = 0; k < c; k++) out1[k] = out2[k] = 0.0;
  for (int t = 0; t < nt; t++) {
    for (int64_t k = 0; k < c; k++) {
      out1[k] += part[t * 2 * c + k];
      out2[k] += part[t * 2 * c + c + k];
    }
  }
  free(part);
  return 0;
}

/*
 * x as [outer, m, c]: out[o, k] = scale x the sum over the m rows of x[o, i, k]. A reduction over
 * leading axes (outer 1: a bias's gradient) or middle ones (over H and W of NHWC: a per-image,
 * per-channel gate's gradient), on every thread. Returns 0, or -1 out of memory.
 */
int posterlab_middle_sums(const float *x, float *out, int64_t outer, int64_t m, int64_t c, float scale) {
  double *sums = malloc((size_t)(2 * c) * sizeof(double));
  if (!sums) return -1;
  for (int64_t o = 0; o < outer; o++) {
    if (channel_sums(x + o * m * c, NULL, NULL, sums, sums + c, m, c) != 0) {
      free(sums);
      return -1;
    }
    for (int64_t k = 0; k < c; k++) out[o * c + k] = (float)(sums[k] * scale);
  }
  free(sums);
  return 0;
}

/* y[i, k] = x[i, k] gain[k] + bias[k], over m rows of c. */
static void scale_rows(const float *x, const float *gain, const float *bias, float *y, int64_t m, int64_t c) {
#pragma omp parallel for schedule(static) num_threads(threads_for(m, c))
  for (int64_t i = 0; i < m; i++) {
    const float *row = x + i * c;
    float *out = y + i * c;
    for (int64_t k = 0; k < c; k++) out[k] = row[k] * gain[k] + bias[k];
  }
}

/* Returns 0, or -1 when scratch memory could not be allocated. */
int posterlab_batch_norm_forward(const float *x, const float *scale, const float *shift, float *y,
                                 float *mean, float *variance, int64_t m, int64_t c, float epsilon) {
  double *sums = malloc((size_t)(4 * c) * sizeof(double));
  float *coefficients = malloc((size_t)(2 * c) * sizeof(float));
  if (!sums || !coefficients) {
    free(sums);
    free(coefficients);
    return -1;
  }
  double *total = sums, *unused = sums + c, *centre = sums + 2 * c, *squares = sums + 3 * c;
  float *gain = coefficients, *bias = coefficients + c;
  int status = -1;
  if (channel_sums(x, NULL, NULL, total, unused, m, c) != 0) goto done;
  for (int64_t k = 0; k < c; k++) centre[k] = total[k] / (double)m;
  if (channel_sums(x, NULL, centre, unused, squares, m, c) != 0) goto done;
  for (int64_t k = 0; k < c; k++) {
    mean[k] = (float)centre[k];
    variance[k] = (float)(squares[k] / (double)m);
    gain[k] = scale[k] / sqrtf(variance[k] + epsilon);
    bias[k] = shift[k] - mean[k] * gain[k];
  }
  scale_rows(x, gain, bias, y, m, c);
  status = 0;
done:
  free(sums);
  free(coefficients);
  return status;
}

/*
 * Its gradient with the batch statistics as functions of x: dshift = sum dy, dscale = sum dy xhat,
 * dx = scale rstd (dy - dshift / m - xhat dscale / m), with xhat = (x - mean) rstd. Returns 0, or -1
 * when scratch memory could not be allocated.
 */
int posterlab_batch_norm_backward(const float *x, const float *dy, const float *mean, const float *variance,
                                  const float *scale, float *dx, float *dscale, float *dshift, int64_t m,
                                  int64_t c, float epsilon) {
  double *sums = malloc((size_t)(3 * c) * sizeof(double));
  float *coefficients = malloc((size_t)(3 * c) * sizeof(float));
  if (!sums || !coefficients) {
    free(sums);
    free(coefficients);
    return -1;
  }
  double *centre = sums, *sum_dy = sums + c, *sum_dy_xc = sums + 2 * c;
  /* dx = a dy + b (x - mean) + d, per channel. */
  float *a = coefficients, *b = coefficients + c, *d = coefficients + 2 * c;
  int status = -1;
  for (int64_t k = 0; k < c; k++) centre[k] = mean[k];
  if (channel_sums(x, dy, centre, sum_dy, sum_dy_xc, m, c) != 0) goto done;
  for (int64_t k = 0; k < c; k++) {
    const double rstd = 1.0 / sqrt((double)(variance[k] + epsilon));
    dshift[k] = (float)sum_dy[k];
    dscale[k] = (float)(sum_dy_xc[k] * rstd);
    a[k] = (float)(scale[k] * rstd);
    b[k] = (float)(-scale[k] * rstd * rstd * rstd * sum_dy_xc[k] / (double)m);
    d[k] = (float)(-scale[k] * rstd * sum_dy[k] / (double)m);
  }
#pragma omp parallel for schedule(static) num_threads(threads_for(m, c))
  for (int64_t i = 0; i < m; i++) {
    const float *xr = x + i * c, *g = dy + i * c;
    float *out = dx + i * c;
    for (int64_t k = 0; k < c; k++) out[k] = a[k] * g[k] + b[k] * (xr[k] - mean[k]) + d[k];
  }
  status = 0;
done:
  free(sums);
  free(coefficients);
  return status;
}


/*
 * Stride-1 convolutions with few output channels (the generator's RGB convolution: 32 channels in,
 * 3 out, at full size), NHWC with HWIO filters, any kernel size and padding, for inputs of a
 * multiple of 8 channels: the forward pass and the filter's gradient, which oneDNN 2.6 ran 2.5 and
 * 3.5 times slower on that convolution (its input's gradient it runs as fast). The input channels
 * fill vector lanes; the forward pass keeps four pixels' sums in registers, and the filter's
 * gradient sums one output row in registers before adding it to a per-thread total.
 * Multiply-adds may fuse here (fp-contract=fast): these are convolutions, checked against tfjs's
 * cpu backend with a tolerance, not the optimizer steps' exact loops.
 */
#define SMALL_CONV_MAX_OUT 4
#define FUSED __attribute__((optimize("fp-contract=fast")))

/* Sum of a vector's lanes. */
static inline float lane_sum(v8f v) {
  return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}

/* The filter [kh, kw, c, oc] as [kh, kw, oc, c], so each output channel's weights are contiguous. */
static float *filter_by_output(const float *filter, int64_t taps, int64_t c, int64_t oc) {
  float *t = malloc((size_t)(taps * oc * c) * sizeof(float));
  if (!t) return NULL;
  for (int64_t tap = 0; tap < taps; tap++)
    for (int64_t k = 0; k < c; k++)
      for (int64_t o = 0; o < oc; o++) t[(tap * oc + o) * c + k] = filter[(tap * c + k) * oc + o];
  return t;
}

/* The sizes every small-convolution kernel takes. */
typedef struct {
  int64_t n, h, w, c, oh, ow, oc, kh, kw, pad_top, pad_left;
} conv_sizes;

/*
 * The loops below are written once for any oc (output channels), nv (vectors of 8 input channels
 * handled together) and px (pixels handled together), and inlined with them constant (ALWAYS_INLINE),
 * so every partial sum is a register of its own: independent chains the CPU overlaps, not one sum
 * in memory.
 */
#define ALWAYS_INLINE static inline __attribute__((always_inline))

/*
 * Output pixels [ox, ox + px) of row oy of image b: each pixel's oc sums over the taps and input
 * channels, px pixels at a time so that each weight vector loaded serves px of them. A tap outside
 * the input reads `zeros` (c floats of 0).
 */
ALWAYS_INLINE void forward_pixels(const float *x, const float *wt, const float *zeros, const conv_sizes *s,
                                  int64_t b, int64_t oy, int64_t ox, float *out, const int oc, const int px) {
  v8f acc[4][SMALL_CONV_MAX_OUT] = {{{0}}};
  for (int64_t ky = 0; ky < s->kh; ky++) {
    const int64_t iy = oy - s->pad_top + ky;
    if (iy < 0 || iy >= s->h) continue;
    const float *line = x + (b * s->h + iy) * s->w * s->c;
    for (int64_t kx = 0; kx < s->kw; kx++) {
      const float *in[4];
      for (int p = 0; p < px; p++) {
        const int64_t ix = ox + p - s->pad_left + kx;
        in[p] = ix >= 0 && ix < s->w ? line + ix * s->c : zeros;
      }
      const float *taps = wt + (ky * s->kw + kx) * oc * s->c;
      for (int64_t k = 0; k < s->c; k += 8) {
        v8f v[4];
        for (int p = 0; p < px; p++) v[p] = load8(in[p] + k);
        for (int o = 0; o < oc; o++) {
          const v8f weights = load8(taps + o * s->c + k);
          for (int p = 0; p < px; p++) acc[p][o] += v[p] * weights;
        }
      }
    }
  }
  for (int p = 0; p < px; p++)
    for (int o = 0; o < oc; o++) out[p * oc + o] += lane_sum(acc[p][o]);
}

/* Output row oy of image b. */
ALWAYS_INLINE void forward_row(const float *x, const float *wt, const float *zeros, const float *bias, float *y,
                               const conv_sizes *s, int64_t b, int64_t oy, const int oc) {
  float *out = y + (b * s->oh + oy) * s->ow * oc;
  for (int64_t i = 0; i < s->ow; i++)
    for (int o = 0; o < oc; o++) out[i * oc + o] = bias ? bias[o] : 0.0f;
  /* Four pixels at a time while their sums fit the registers (oc up to 3), else two. */
  const int px = oc <= 3 ? 4 : 2;
  int64_t ox = 0;
  for (; ox + px <= s->ow; ox += px) forward_pixels(x, wt, zeros, s, b, oy, ox, out + ox * oc, oc, px);
  for (; ox < s->ow; ox++) forward_pixels(x, wt, zeros, s, b, oy, ox, out + ox * oc, oc, 1);
}

/* One output row's contribution to the filter gradient of one tap, channels [k0, k0 + 8 nv). */
ALWAYS_INLINE void filter_row(const float *line, const float *g, const conv_sizes *s, int64_t kx, int64_t k0,
                              float *sums, const int oc, const int nv) {
  /* Output columns whose input column ox - pad_left + kx lies inside. */
  const int64_t first = s->pad_left - kx > 0 ? s->pad_left - kx : 0;
  const int64_t last = s->w + s->pad_left - kx < s->ow ? s->w + s->pad_left - kx : s->ow;
  v8f acc[SMALL_CONV_MAX_OUT][4] = {{{0}}};
  for (int64_t ox = first; ox < last; ox++) {
    const float *in = line + (ox - s->pad_left + kx) * s->c + k0;
    v8f v[4];
    for (int j = 0; j < nv; j++) v[j] = load8(in + 8 * j);
    for (int o = 0; o < oc; o++)
      for (int j = 0; j < nv; j++) acc[o][j] += v[j] * g[ox * oc + o];
  }
  for (int o = 0; o < oc; o++) {
    for (int j = 0; j < nv; j++) {
      float *at = sums + o * s->c + k0 + 8 * j;
      const v8f total = load8(at) + acc[o][j];
      __builtin_memcpy(at, &total, sizeof total);
    }
  }
}

/* Rows [first, last) of the output into total ([kh, kw, oc, c]). */
ALWAYS_INLINE void filter_rows(const float *x, const float *dy, float *total, const conv_sizes *s, int64_t first,
                               int64_t last, const int oc) {
  for (int64_t r = first; r < last; r++) {
    const int64_t b = r / s->oh, oy = r % s->oh;
    const float *g = dy + r * s->ow * oc;
    for (int64_t ky = 0; ky < s->kh; ky++) {
      const int64_t iy = oy - s->pad_top + ky;
      if (iy < 0 || iy >= s->h) continue;
      const float *line = x + (b * s->h + iy) * s->w * s->c;
      for (int64_t kx = 0; kx < s->kw; kx++) {
        float *sums = total + (ky * s->kw + kx) * oc * s->c;
        int64_t k0 = 0;
        for (; k0 + 32 <= s->c; k0 += 32) filter_row(line, g, s, kx, k0, sums, oc, 4);
        for (; k0 < s->c; k0 += 8) filter_row(line, g, s, kx, k0, sums, oc, 1);
      }
    }
  }
}

/* Calls BODY(oc) with oc a constant from 1 to SMALL_CONV_MAX_OUT. */
#define BY_OUTPUT_CHANNELS(oc, BODY) \
  switch (oc) {                      \
  case 1: BODY(1); break;            \
  case 2: BODY(2); break;            \
  case 3: BODY(3); break;            \
  default: BODY(4); break;           \
  }

#define SIZES_OF(...)                                                                                     \
  const conv_sizes sizes = {n, h, w, c, oh, ow, oc, kh, kw, pad_top, pad_left};                          \
  if (c % 8 != 0 || oc < 1 || oc > SMALL_CONV_MAX_OUT) return -2;

/* y = conv(x, filter) + bias (bias may be NULL). Returns 0, -1 out of memory, -2 unsupported shape. */
FUSED int posterlab_conv_small_forward(const float *x, const float *filter, const float *bias, float *y,
                                       int64_t n, int64_t h, int64_t w, int64_t c, int64_t oh, int64_t ow,
                                       int64_t oc, int64_t kh, int64_t kw, int64_t pad_top, int64_t pad_left) {
  SIZES_OF();
  float *wt = filter_by_output(filter, kh * kw, c, oc);
  float *zeros = calloc((size_t)c, sizeof(float));
  if (!wt || !zeros) {
    free(wt);
    free(zeros);
    return -1;
  }
  /* The rows' loop is here, not in an inlined function: OpenMP outlines its body before inlining. */
#pragma omp parallel for collapse(2) schedule(static) if (n * oh * ow * c >= MIN_PARALLEL)
  for (int64_t b = 0; b < n; b++) {
    for (int64_t oy = 0; oy < oh; oy++) {
#define FORWARD(OC) forward_row(x, wt, zeros, bias, y, &sizes, b, oy, OC)
      BY_OUTPUT_CHANNELS(oc, FORWARD)
    }
  }
  free(wt);
  free(zeros);
  return 0;
}

/*
 * dfilter [kh, kw, c, oc] from x and dy. Each thread sums its output rows into its own total, and
 * the totals are added in thread order. Returns 0, -1 out of memory, -2 unsupported shape.
 */
FUSED int posterlab_conv_small_backward_filter(const float *x, const float *dy, float *dfilter, int64_t n,
                                               int64_t h, int64_t w, int64_t c, int64_t oh, int64_t ow,
                                               int64_t oc, int64_t kh, int64_t kw, int64_t pad_top,
                                               int64_t pad_left) {
  SIZES_OF();
  const int64_t size = kh * kw * oc * c, rows = n * oh;
  const int nt = threads_for(rows * ow, c * kh * kw);
  float *part = calloc((size_t)(nt * size), sizeof(float));
  if (!part) return -1;
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num(), count = omp_get_num_threads();
    const int64_t first = rows * t / count, last = rows * (t + 1) / count;
#define ROWS(OC) filter_rows(x, dy, part + t * size, &sizes, first, last, OC)
    BY_OUTPUT_CHANNELS(oc, ROWS)
  }
  for (int64_t tap = 0; tap < kh * kw; tap++)
    for (int64_t k = 0; k < c; k++)
      for (int64_t o = 0; o < oc; o++) {
        float total = 0.0f;
        for (int ti = 0; ti < nt; ti++) total += part[ti * size + (tap * oc + o) * c + k];
        dfilter[(tap * c + k) * oc + o] = total;
      }
  free(part);
  return 0;
}

/*
 * The input's gradient of a depthwise convolution (tfjs's DepthwiseConv2dNativeBackpropInput), NHWC with
 * [kh, kw, c, m] filters (m outputs per input channel), any stride, padding and dilation: each output
 * pixel's gradient is scattered back onto the input pixels its taps read, the channels innermost so the
 * compiler vectorises them. Images split over the threads, each writing only its own. oneDNN would run it
 * as a grouped convolution; it is cheap enough here that a loop beats building a primitive per shape.
 * Frozen pretrained networks (MobileNetV2) need it to pass a loss's gradient back to their input.
 */
FUSED int posterlab_depthwise_backward_input(const float *dy, const float *filter, float *dx, int64_t n,
                                             int64_t h, int64_t w, int64_t c, int64_t m, int64_t oh, int64_t ow,
                                             int64_t kh, int64_t kw, int64_t stride_h, int64_t stride_w,
                                             int64_t dilation_h, int64_t dilation_w, int64_t pad_top,
                                             int64_t pad_left) {
  if (n < 0 || h <= 0 || w <= 0 || c <= 0 || m <= 0 || stride_h <= 0 || stride_w <= 0) return 1;
  const int64_t oc = c * m;
#pragma omp parallel for schedule(static) if (n * h * w * c >= MIN_PARALLEL)
  for (int64_t b = 0; b < n; b++) {
    float *image = dx + b * h * w * c;
    for (int64_t i = 0; i < h * w * c; i++) image[i] = 0.0f;
    for (int64_t y = 0; y < oh; y++) {
      for (int64_t x = 0; x < ow; x++) {
        const float *g = dy + ((b * oh + y) * ow + x) * oc;
        for (int64_t ky = 0; ky < kh; ky++) {
          const int64_t iy = y * stride_h + ky * dilation_h - pad_top;
          if (iy < 0 || iy >= h) continue;
          for (int64_t kx = 0; kx < kw; kx++) {
            const int64_t ix = x * stride_w + kx * dilation_w - pad_left;
            if (ix < 0 || ix >= w) continue;
            float *out = image + (iy * w + ix) * c;
            const float *taps = filter + (ky * kw + kx) * oc;
            if (m == 1) {
              for (int64_t k = 0; k < c; k++) out[k] += g[k] * taps[k];
            } else {
              for (int64_t k = 0; k < c; k++)
                for (int64_t q = 0; q < m; q++) out[k] += g[k * m + q] * taps[k * m + q];
            }
          }
        }
      }
    }
  }
  return 0;
}
