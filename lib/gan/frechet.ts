/**
 * The Fréchet distance between two sets of feature vectors, each seen as a Gaussian
 * (the measure behind FID): `|mu1 - mu2|² + tr(C1) + tr(C2) - 2 tr(sqrt(C1 C2))`.
 *
 * `tr(sqrt(C1 C2))` is computed in sample space, exactly: with `C1 = A Aᵀ` and `C2 = B Bᵀ`
 * (A, B the centred samples scaled by 1/sqrt(n-1)), the non-zero eigenvalues of `C1 C2` are those of
 * `M Mᵀ` with `M = Aᵀ B`, so the trace is the sum of the singular values of the small n1 x n2
 * matrix M. No d x d matrix square root is needed, which matters in plain JavaScript.
 *
 * @module
 */

/** Row-major samples: `count` vectors of `dim` values. */
export interface FeatureSet {
  count: number;
  dim: number;
  values: Float32Array | Float64Array;
}

/** Mean vector and the centred samples scaled by 1/sqrt(count-1). */
function centred(set: FeatureSet): { mean: Float64Array; scaled: Float64Array } {
  if (set.count < 2) {
    throw new Error(`A Fréchet distance needs at least 2 samples per set, got ${set.count}.`);
  }
  const { count, dim, values } = set;
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += values[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const scale = 1 / Math.sqrt(count - 1);
  const scaled = new Float64Array(count * dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) scaled[i * dim + j] = (values[i * dim + j] - mean[j]) * scale;
  }
  return { mean, scaled };
}

/**
 * Eigenvalues of a symmetric n x n matrix (row-major, overwritten): Householder reduction to a
 * tridiagonal matrix, then the implicit QL iteration (Numerical Recipes' tred2 and tqli, values only).
 * About (4/3) n³ operations: a 1000 x 1000 Gram matrix takes seconds, where cyclic Jacobi rotations
 * (2n³ a sweep, ten sweeps) took a minute.
 */
export function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  const a = matrix;
  if (!a.every(Number.isFinite)) {
    throw new Error("symmetricEigenvalues: the matrix has values that are not finite.");
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    const row = i * n;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) scale += Math.abs(a[row + k]);
      if (scale === 0) {
        e[i] = a[row + l];
      } else {
        for (let k = 0; k <= l; k++) {
          a[row + k] /= scale;
          h += a[row + k] * a[row + k];
        }
        let f = a[row + l];
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        a[row + l] = f - g;
        f = 0;
        for (let j = 0; j <= l; j++) {
          g = 0;
          for (let k = 0; k <= j; k++) g += a[j * n + k] * a[row + k];
          for (let k = j + 1; k <= l; k++) g += a[k * n + j] * a[row + k];
          e[j] = g / h;
          f += e[j] * a[row + j];
        }
        const hh = f / (h + h);
        for (let j = 0; j <= l; j++) {
          f = a[row + j];
          g = e[j] - hh * f;
          e[j] = g;
          for (let k = 0; k <= j; k++) a[j * n + k] -= f * e[k] + g * a[row + k];
        }
      }
    } else {
      e[i] = a[row + l];
    }
    d[i] = h;
  }
  for (let i = 0; i < n; i++) d[i] = a[i * n + i];
  // The sub-diagonal, shifted down for the QL iteration.
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  // An off-diagonal value below rounding of the whole matrix splits it there: a relative test alone never
  // splits between diagonal values that are themselves (nearly) zero, as a rank-deficient Gram matrix has
  // hundreds of, and the iteration can then underflow instead of converging.
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]));
  const negligible = Number.EPSILON * norm;
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const off = Math.abs(e[m]);
        if (off <= negligible || off <= Number.EPSILON * (Math.abs(d[m]) + Math.abs(d[m + 1]))) break;
      }
      if (m === l) break;
      if (iterations++ === 60) throw new Error("Eigenvalues did not converge in 60 QL iterations.");
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i: number;
      for (i = m - 1; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    } while (m !== l);
  }
  return d;
}

/** The Fréchet distance between the Gaussians fitted to two feature sets of the same dimension. */
export function frechetDistance(x: FeatureSet, y: FeatureSet): number {
  if (x.dim !== y.dim) throw new Error(`Feature sizes differ: ${x.dim} vs ${y.dim}.`);
  const dim = x.dim;
  // Put the smaller set second so the Gram matrix below is as small as possible.
  const [first, second] = x.count >= y.count ? [centred(x), centred(y)] : [centred(y), centred(x)];
  const n1 = first.scaled.length / dim;
  const n2 = second.scaled.length / dim;
  let meanTerm = 0;
  for (let j = 0; j < dim; j++) meanTerm += (first.mean[j] - second.mean[j]) ** 2;
  const trace = (s: Float64Array) => s.reduce((sum, v) => sum + v * v, 0);
  // M = Aᵀ B is n1 x n2; its singular values are the square roots of the eigenvalues of Mᵀ M (n2 x n2).
  const m = new Float64Array(n1 * n2);
  for (let i = 0; i < n1; i++) {
    for (let k = 0; k < n2; k++) {
      let sum = 0;
      for (let j = 0; j < dim; j++) sum += first.scaled[i * dim + j] * second.scaled[k * dim + j];
      m[i * n2 + k] = sum;
    }
  }
  // Mᵀ M row by row of M, so every loop runs along memory.
  const gram = new Float64Array(n2 * n2);
  for (let i = 0; i < n1; i++) {
    const row = i * n2;
    for (let k = 0; k < n2; k++) {
      const mk = m[row + k];
      if (mk === 0) continue;
      for (let l = k; l < n2; l++) gram[k * n2 + l] += mk * m[row + l];
    }
  }
  for (let k = 0; k < n2; k++) for (let l = 0; l < k; l++) gram[k * n2 + l] = gram[l * n2 + k];
  const eigenvalues = symmetricEigenvalues(gram, n2);
  // Eigenvalues that are 0 in exact arithmetic come out as ±1e-16 x the largest; their square roots
  // (1e-8 each, hundreds of them) would add up, so rounding noise is cut off.
  const noise = 1e-10 * Math.max(...eigenvalues, 0);
  const traceSqrt = eigenvalues.reduce((sum, v) => sum + (v > noise ? Math.sqrt(v) : 0), 0);
  return Math.max(0, meanTerm + trace(first.scaled) + trace(second.scaled) - 2 * traceSqrt);
}
