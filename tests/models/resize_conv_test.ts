import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { foldedKernel, ResizeConv2D } from "../../lib/models/resize_conv.ts";
import { buildGenerator, CONDITION_SIZE, portableGenerator } from "../../lib/models/dcgan.ts";
import { loadModelFiles, saveModelFiles } from "../../lib/models/saved.ts";

await tf.setBackend("cpu");

/** Nearest 2x then a 3x3 'same' convolution, written out with plain loops over the input. */
function reference(x: number[][][], kernel: number[][][][], bias: number[]): number[][][] {
  const [h, w, inputs] = [x.length, x[0].length, x[0][0].length];
  const out = bias.length;
  const resized = (r: number, c: number, k: number) =>
    r < 0 || c < 0 || r >= 2 * h || c >= 2 * w ? 0 : x[Math.floor(r / 2)][Math.floor(c / 2)][k];
  return Array.from(
    { length: 2 * h },
    (_, r) =>
      Array.from({ length: 2 * w }, (_, c) =>
        Array.from({ length: out }, (_, o) => {
          let sum = bias[o];
          for (let dr = 0; dr < 3; dr++) {
            for (let dc = 0; dc < 3; dc++) {
              for (let k = 0; k < inputs; k++) {
                sum += resized(r + dr - 1, c + dc - 1, k) * kernel[dr][dc][k][o];
              }
            }
          }
          return sum;
        })),
  );
}

const maxDifference = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

Deno.test("ResizeConv2D: nearest 2x then a 3x3 convolution, borders included", () => {
  const [h, w, inputs, out] = [3, 5, 2, 3];
  const x = tf.randomNormal([1, h, w, inputs], 0, 1, "float32", 1) as tf.Tensor4D;
  const layer = new ResizeConv2D({ filters: out });
  const y = layer.apply(x) as tf.Tensor4D;
  assert.deepEqual(y.shape, [1, 2 * h, 2 * w, out]);
  const kernel = tf.randomNormal([3, 3, inputs, out], 0, 1, "float32", 2);
  const bias = tf.tensor1d([0.5, -1, 2]);
  layer.setWeights([kernel, bias]);
  const expected = reference(
    (x.arraySync() as number[][][][])[0],
    kernel.arraySync() as number[][][][],
    bias.arraySync() as number[],
  );
  // Sums of at most 18 products of N(0, 1) values: float32 rounding stays far below 1e-4.
  assert.ok(maxDifference(layer.apply(x) as tf.Tensor, tf.tensor4d([expected])) < 1e-4);
  // Without a bias, its one weight is the kernel.
  const plain = new ResizeConv2D({ filters: 2, useBias: false });
  plain.apply(x);
  assert.deepEqual(plain.getWeights().map((weight) => weight.shape), [[3, 3, inputs, 2]]);
});

Deno.test("foldedKernel: one 3x3 tap lands on the 4x4 taps that see it", () => {
  // Tap (row 0, column 2) of [w0, w1, w2] goes to rows [3, 2] and columns [0, 1] of the folded kernel.
  const kernel = tf.buffer([3, 3, 1, 1]);
  kernel.set(1, 0, 2, 0, 0);
  const folded = (foldedKernel(kernel.toTensor() as tf.Tensor4D).arraySync() as number[][][][])
    .map((row) => row.map((column) => column[0][0]));
  assert.deepEqual(folded, [[0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0]]);
});

Deno.test("ResizeConv2D: its gradients match finite differences", () => {
  const x = tf.randomNormal([2, 2, 3, 2], 0, 1, "float32", 3) as tf.Tensor4D;
  const kernel = tf.randomNormal([3, 3, 2, 2], 0, 1, "float32", 4) as tf.Tensor4D;
  const weights = tf.randomNormal([2, 4, 6, 2], 0, 1, "float32", 5);
  const loss = (x: tf.Tensor4D, kernel: tf.Tensor4D) =>
    tf.sum(
      tf.mul(tf.conv2dTranspose(x, foldedKernel(kernel), [2, 4, 6, 2], 2, "same"), weights),
    ) as tf.Scalar;
  const [dx, dk] = tf.grads((x: tf.Tensor, k: tf.Tensor) => loss(x as tf.Tensor4D, k as tf.Tensor4D))([
    x,
    kernel,
  ]);
  const step = 1e-2;
  for (
    const [tensor, gradient, index, other] of [
      [x, dx, [1, 1, 2, 0], 0],
      [kernel, dk, [0, 2, 1, 1], 1],
    ] as const
  ) {
    const nudge = tf.buffer(tensor.shape);
    nudge.set(step, ...index);
    const at = (sign: number) => {
      const moved = tf.add(tensor, tf.mul(nudge.toTensor(), sign)) as tf.Tensor4D;
      return (other === 0 ? loss(moved, kernel) : loss(x, moved)).dataSync()[0];
    };
    // The loss is linear in each: the central difference is exact up to float32 rounding.
    const numeric = (at(1) - at(-1)) / (2 * step);
    const analytic = gradient.bufferSync().get(...index);
    assert.ok(
      Math.abs(numeric - analytic) < 1e-2 * Math.max(1, Math.abs(analytic)),
      `${numeric} ${analytic}`,
    );
  }
});

Deno.test("the generator's two layouts compute the same posters; the portable one has TF.js's layers only", async () => {
  const shape = { width: 16, height: 24, latentDim: 8, filters: 4, conditionSize: CONDITION_SIZE, seed: 3 };
  const fused = buildGenerator(shape);
  const portable = buildGenerator(shape, undefined, { portable: true });
  const classes = (model: tf.LayersModel) => new Set(model.layers.map((layer) => layer.getClassName()));
  assert.ok(classes(fused).has("ResizeConv2D") && !classes(fused).has("UpSampling2D"));
  assert.ok(!classes(portable).has("ResizeConv2D") && classes(portable).has("UpSampling2D"));
  // Same seeds, same weights: the layouts start alike, weight for weight.
  const [a, b] = [fused, portable].map((model) => model.getWeights());
  assert.equal(a.length, b.length);
  a.forEach((weight, i) => assert.equal(maxDifference(weight, b[i]), 0));
  const inputs = [
    tf.randomNormal([3, 8], 0, 1, "float32", 6),
    tf.oneHot(tf.tensor1d([0, 5, 14], "int32"), CONDITION_SIZE).toFloat(),
  ];
  const image = (model: tf.LayersModel) => model.predict(inputs) as tf.Tensor;
  assert.ok(maxDifference(image(fused), image(portable)) < 1e-5);

  // Weights trained in one layout carry over by name; the copy saves and loads without this project's class.
  fused.setWeights(a.map((weight) => tf.add(weight, tf.randomNormal(weight.shape, 0, 0.05, "float32", 7))));
  const copy = portableGenerator(fused, shape);
  assert.ok(maxDifference(image(fused), image(copy)) < 1e-5);
  assert.ok(maxDifference(image(fused), image(portable)) > 1e-2);
  const dir = await Deno.makeTempDir();
  try {
    await saveModelFiles(copy, dir);
    assert.doesNotMatch(await Deno.readTextFile(`${dir}/model.json`), /ResizeConv2D/);
    await saveModelFiles(fused, `${dir}/fused`);
    const loaded = await loadModelFiles(`${dir}/fused`);
    assert.ok(maxDifference(image(fused), image(loaded)) < 1e-6);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
