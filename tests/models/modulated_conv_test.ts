import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ModulatedConv2D } from "../../lib/models/modulated_conv.ts";
import { buildGenerator, CONDITION_SIZE } from "../../lib/models/dcgan.ts";
import { loadModelFiles, saveModelFiles } from "../../lib/models/saved.ts";

await tf.setBackend("cpu");

function close(a: tf.Tensor, b: tf.Tensor, tol = 1e-4): void {
  const [x, y] = [a.dataSync(), b.dataSync()];
  assert.equal(x.length, y.length);
  for (let i = 0; i < x.length; i++) {
    assert.ok(Math.abs(x[i] - y[i]) <= tol * (1 + Math.abs(y[i])), `${i}: ${x[i]} ${y[i]}`);
  }
}

Deno.test("ModulatedConv2D: each sample's output is the convolution by its own scaled, demodulated weights", () => {
  const conv = new ModulatedConv2D({ filters: 5, kernelSize: 3, seed: 3 });
  const x = tf.randomNormal([2, 6, 4, 3], 0, 1, "float32", 1);
  const style = tf.randomNormal([2, 7], 0, 1, "float32", 2);
  const y = conv.apply([x, style]) as tf.Tensor;
  assert.deepEqual(y.shape, [2, 6, 4, 5]);
  const [kernel, styleKernel, styleBias, bias] = conv.getWeights();
  const weight = kernel.mul(1 / Math.sqrt(3 * 3 * 3));
  const scales = tf.matMul(style as tf.Tensor2D, styleKernel as tf.Tensor2D).add(styleBias);
  for (let n = 0; n < 2; n++) {
    const s = scales.slice([n, 0], [1, 3]).reshape([1, 1, 3, 1]);
    const own = weight.mul(s); // [3, 3, in, out], this sample's weights
    const demodulated = own.div(own.square().sum([0, 1, 2]).add(1e-8).sqrt());
    const expected = tf.conv2d(
      x.slice([n, 0, 0, 0], [1, 6, 4, 3]) as tf.Tensor4D,
      demodulated as tf.Tensor4D,
      1,
      "same",
    )
      .add(bias);
    close(y.slice([n, 0, 0, 0], [1, 6, 4, 5]), expected);
  }
});

Deno.test("ModulatedConv2D: demodulated, a style's overall scale changes nothing; without, it scales the output", () => {
  for (const demodulate of [true, false]) {
    const conv = new ModulatedConv2D({ filters: 4, kernelSize: 3, demodulate, seed: 5 });
    const x = tf.randomNormal([2, 5, 5, 6], 0, 1, "float32", 1);
    const style = tf.randomNormal([2, 8], 0, 1, "float32", 2);
    conv.apply([x, style]);
    const [kernel, styleKernel, , bias] = conv.getWeights();
    conv.setWeights([kernel, styleKernel, tf.zeros([6]), bias]); // scales linear in the style
    const once = conv.apply([x, style]) as tf.Tensor;
    const thrice = conv.apply([x, style.mul(3)]) as tf.Tensor;
    if (demodulate) close(thrice, once);
    else close(thrice, once.mul(3));
  }
});

Deno.test("the style generator: the DCGAN generator's inputs and output, saved and loaded with its custom layer", async () => {
  const shape = {
    width: 16,
    height: 24,
    latentDim: 8,
    filters: 4,
    conditionSize: CONDITION_SIZE,
    style: true,
  };
  const generator = buildGenerator(shape);
  assert.ok(generator.layers.some((l) => l.getClassName() === "ModulatedConv2D"));
  assert.ok(!generator.layers.some((l) => l.getClassName() === "BatchNormalization"), "no batch norm");
  const noise = tf.randomNormal([3, 8], 0, 1, "float32", 1);
  const condition = tf.zeros([3, CONDITION_SIZE]);
  const image = generator.predict([noise, condition]) as tf.Tensor;
  assert.deepEqual(image.shape, [3, 24, 16, 3]);
  const [low, high] = [image.min().dataSync()[0], image.max().dataSync()[0]];
  assert.ok(low >= -1 && high <= 1 && high > low);
  const dir = await Deno.makeTempDir();
  try {
    await saveModelFiles(generator, dir);
    const loaded = await loadModelFiles(dir);
    close(loaded.predict([noise, condition]) as tf.Tensor, image);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.throws(() => buildGenerator({ ...shape, fullSizeFilters: 8 }), /no full-size block/);
});
