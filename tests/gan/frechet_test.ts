import assert from "node:assert/strict";
import { type FeatureSet, frechetDistance, symmetricEigenvalues } from "../../lib/gan/frechet.ts";
import { seededRandom } from "../../lib/util/random.ts";

function gaussianSet(
  count: number,
  dim: number,
  seed: number,
  transform: (v: number[]) => number[],
): FeatureSet {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const values = new Float64Array(count * dim);
  for (let i = 0; i < count; i++) values.set(transform(Array.from({ length: dim }, normal)), i * dim);
  return { count, dim, values };
}

/** Mean and covariance of a 2-d set, computed directly. */
function stats2(set: FeatureSet) {
  const m = [0, 0];
  for (let i = 0; i < set.count; i++) for (let j = 0; j < 2; j++) m[j] += set.values[i * 2 + j] / set.count;
  const c = [0, 0, 0, 0];
  for (let i = 0; i < set.count; i++) {
    for (let j = 0; j < 2; j++) {
      for (let k = 0; k < 2; k++) {
        c[j * 2 + k] += (set.values[i * 2 + j] - m[j]) * (set.values[i * 2 + k] - m[k]) / (set.count - 1);
      }
    }
  }
  return { m, c };
}

Deno.test("eigenvalues of a symmetric matrix", () => {
  const values = Array.from(symmetricEigenvalues(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3)).sort();
  [1, 3, 5].forEach((expected, i) => assert.ok(Math.abs(values[i] - expected) < 1e-9, `${values}`));
});

Deno.test("Fréchet distance of a set with itself is 0, and a mean shift adds its squared length", () => {
  const x = gaussianSet(200, 6, 1, (v) => v);
  assert.ok(frechetDistance(x, x) < 1e-6);
  const shifted = { ...x, values: x.values.map((v, i) => v + (i % 6 === 0 ? 3 : 0)) };
  assert.ok(Math.abs(frechetDistance(x, shifted) - 9) < 1e-6);
});

Deno.test("Fréchet distance matches the 2-d closed form on sample statistics (different set sizes)", () => {
  const x = gaussianSet(300, 2, 2, ([a, b]) => [a + 1, 0.5 * a + b]);
  const y = gaussianSet(120, 2, 3, ([a, b]) => [2 * a, b - 1]);
  const sx = stats2(x);
  const sy = stats2(y);
  // For 2x2 matrices, tr sqrt(C1 C2) = sqrt(tr(C1 C2) + 2 sqrt(det(C1 C2))).
  const [a, b, , d] = sx.c;
  const [e, f, , h] = sy.c;
  const product = [a * e + b * f, a * f + b * h, b * e + d * f, b * f + d * h];
  const tr = product[0] + product[3];
  const det = product[0] * product[3] - product[1] * product[2];
  const expected = (sx.m[0] - sy.m[0]) ** 2 + (sx.m[1] - sy.m[1]) ** 2 + a + d + e + h -
    2 * Math.sqrt(tr + 2 * Math.sqrt(det));
  assert.ok(Math.abs(frechetDistance(x, y) - expected) < 1e-6, `${frechetDistance(x, y)} vs ${expected}`);
  assert.ok(Math.abs(frechetDistance(y, x) - expected) < 1e-6);
});

Deno.test("Fréchet distance rejects mismatched or too small sets", () => {
  assert.throws(
    () =>
      frechetDistance({ count: 3, dim: 2, values: new Float64Array(6) }, {
        count: 3,
        dim: 3,
        values: new Float64Array(9),
      }),
    /differ/,
  );
  assert.throws(
    () =>
      frechetDistance({ count: 1, dim: 2, values: new Float64Array(2) }, {
        count: 3,
        dim: 2,
        values: new Float64Array(6),
      }),
    /at least 2/,
  );
});

Deno.test("eigenvalues of a larger symmetric matrix keep its trace and its Frobenius norm", () => {
  const n = 60;
  const random = seededRandom(5);
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) matrix[i * n + j] = matrix[j * n + i] = random() - 0.5;
  }
  const trace = Array.from({ length: n }, (_, i) => matrix[i * n + i]).reduce((a, b) => a + b, 0);
  const frobenius = matrix.reduce((sum, v) => sum + v * v, 0);
  const values = symmetricEigenvalues(Float64Array.from(matrix), n);
  assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - trace) < 1e-9);
  assert.ok(Math.abs(values.reduce((sum, v) => sum + v * v, 0) - frobenius) < 1e-9);
  // A Gram matrix has no negative eigenvalue (beyond rounding) and its rank at most its inner size.
  const inner = 5;
  const x = Array.from({ length: n * inner }, () => random());
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < inner; k++) gram[i * n + j] += x[i * inner + k] * x[j * inner + k];
    }
  }
  const gramValues = Array.from(symmetricEigenvalues(gram, n)).sort((a, b) => b - a);
  assert.ok(gramValues.every((v) => v > -1e-9));
  assert.ok(gramValues.slice(inner).every((v) => Math.abs(v) < 1e-9 * gramValues[0]), `${gramValues}`);
});

Deno.test("symmetricEigenvalues: a block of zeros coupled by numbers near underflow splits off, as rank-deficient Gram matrices have", () => {
  for (const tiny of [1e-310, 5e-324]) {
    const n = 40;
    const a = new Float64Array(n * n);
    for (let i = 0; i + 1 < n; i++) a[i * n + i + 1] = a[(i + 1) * n + i] = tiny;
    a[0] = 2;
    const values = Array.from(symmetricEigenvalues(a, n)).sort((x, y) => y - x);
    assert.equal(values[0], 2);
    assert.ok(values.slice(1).every((v) => Math.abs(v) < 1e-300), `${values.slice(1, 4)}`);
  }
  assert.throws(() => symmetricEigenvalues(new Float64Array([1, NaN, NaN, 1]), 2), /not finite/);
});
