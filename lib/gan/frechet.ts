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

/** Eigenvalues of a symmetric n x n matrix (row-major, overwritten) by cyclic Jacobi rotations. */
export function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  const a = matrix;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] ** 2;
      for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    }
    if (off <= 1e-22 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // Rotate rows/columns p and q (the matrix stays symmetric; both halves are updated).
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i * n + i]);
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
  const gram = new Float64Array(n2 * n2);
  for (let k = 0; k < n2; k++) {
    for (let l = k; l < n2; l++) {
      let sum = 0;
      for (let i = 0; i < n1; i++) sum += m[i * n2 + k] * m[i * n2 + l];
      gram[k * n2 + l] = sum;
      gram[l * n2 + k] = sum;
    }
  }
  const eigenvalues = symmetricEigenvalues(gram, n2);
  // Eigenvalues that are 0 in exact arithmetic come out as ±1e-16 x the largest; their square roots
  // (1e-8 each, hundreds of them) would add up, so rounding noise is cut off.
  const noise = 1e-10 * Math.max(...eigenvalues, 0);
  const traceSqrt = eigenvalues.reduce((sum, v) => sum + (v > noise ? Math.sqrt(v) : 0), 0);
  return Math.max(0, meanTerm + trace(first.scaled) + trace(second.scaled) - 2 * traceSqrt);
}
