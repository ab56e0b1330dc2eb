import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { groupSizeFor, MinibatchStd } from "../../lib/models/minibatch_std.ts";
import { buildDiscriminator, CONDITION_SIZE, conditionVector } from "../../lib/models/dcgan.ts";
import type { DcganShape } from "../../lib/config.ts";
import { loadModelFiles, saveModelFiles } from "../../lib/models/saved.ts";

await tf.setBackend("cpu");

/** The group deviation written out with plain numbers: population deviation per feature, averaged. */
function expectedSpread(values: number[][]): number {
  const features = values[0].length;
  let sum = 0;
  for (let f = 0; f < features; f++) {
    const column = values.map((poster) => poster[f]);
    const mean = column.reduce((a, b) => a + b, 0) / column.length;
    const variance = column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length;
    sum += Math.sqrt(variance + 1e-8);
  }
  return sum / features;
}

Deno.test("groupSizeFor: the largest divisor of the batch up to the group size", () => {
  assert.deepEqual([32, 8, 6, 5, 3, 2, 1].map((batch) => groupSizeFor(batch, 4)), [4, 4, 3, 1, 3, 2, 1]);
  assert.equal(groupSizeFor(12, 1), 1);
});

Deno.test("MinibatchStd: one more channel, each group's mean deviation, groups taken a stride apart", () => {
  const batch = 8, height = 2, width = 3, channels = 2;
  const data = Array.from(
    { length: batch },
    (_, b) =>
      Array.from({ length: height * width * channels }, (_, i) => Math.sin(b * 7.1 + i * 1.3) * (b + 1)),
  );
  const x = tf.tensor4d(data.flat(), [batch, height, width, channels]);
  const out = new MinibatchStd({ groupSize: 4 }).apply(x) as tf.Tensor4D;
  assert.deepEqual(out.shape, [batch, height, width, channels + 1]);
  const values = out.arraySync();
  // The input channels pass through unchanged.
  assert.deepEqual(out.slice([0, 0, 0, 0], [batch, height, width, channels]).dataSync(), x.dataSync());
  // Two groups of 4: posters 0, 2, 4, 6 and 1, 3, 5, 7.
  for (const group of [[0, 2, 4, 6], [1, 3, 5, 7]]) {
    const spread = expectedSpread(group.map((b) => data[b]));
    for (const b of group) {
      for (let y = 0; y < height; y++) {
        for (let x2 = 0; x2 < width; x2++) {
          assert.ok(Math.abs(values[b][y][x2][channels] - spread) < 1e-5, `poster ${b}: ${spread}`);
        }
      }
    }
  }
  // Posters alike give about 0; a batch of 5 is five groups of one.
  const alike = new MinibatchStd().apply(tf.ones([4, 2, 2, 3])) as tf.Tensor;
  assert.ok(alike.slice([0, 0, 0, 3], [4, 2, 2, 1]).max().dataSync()[0] < 1e-3);
  const five = new MinibatchStd().apply(tf.randomNormal([5, 2, 2, 3], 0, 1, "float32", 1)) as tf.Tensor;
  assert.ok(five.slice([0, 0, 0, 3], [5, 2, 2, 1]).max().dataSync()[0] < 1e-3);
  assert.throws(() => new MinibatchStd({ groupSize: 0 }), /whole number from 1/);
});

Deno.test("MinibatchStd: the gradient reaches every poster of a group, and matches a finite difference", () => {
  const layer = new MinibatchStd({ groupSize: 4 });
  const x = tf.randomNormal([4, 2, 2, 2], 0, 1, "float32", 5) as tf.Tensor4D;
  const last = (t: tf.Tensor) => (layer.apply(t) as tf.Tensor).slice([0, 0, 0, 2], [1, 1, 1, 1]).sum();
  const gradient = tf.grad(last)(x);
  const g = gradient.arraySync() as number[][][][];
  for (let b = 0; b < 4; b++) assert.ok(Math.abs(g[b][1][0][1]) > 1e-4, `poster ${b} has a gradient`);
  const h = 1e-2;
  const bump = tf.buffer([4, 2, 2, 2]);
  bump.set(h, 2, 1, 0, 1);
  const numeric = (last(x.add(bump.toTensor())).dataSync()[0] -
    last(x.sub(bump.toTensor())).dataSync()[0]) / (2 * h);
  assert.ok(Math.abs(numeric - g[2][1][0][1]) < 1e-3, `${numeric} against ${g[2][1][0][1]}`);
});

const shape: DcganShape = {
  width: 32,
  height: 48,
  latentDim: 8,
  filters: 4,
  conditionSize: CONDITION_SIZE,
  seed: 3,
  minibatchStd: true,
};

Deno.test("a discriminator with minibatch deviation: a poster's verdict depends on its group, and it saves", async () => {
  const d = buildDiscriminator(shape);
  const plain = buildDiscriminator({ ...shape, minibatchStd: false });
  // Before the last block: the last convolution reads one more channel, nothing else changes.
  assert.ok(d.getLayer("minibatch_std"));
  assert.equal(
    d.getLayer("down4").getWeights()[0].shape[2],
    plain.getLayer("down4").getWeights()[0].shape[2]! + 1,
  );
  const condition = tf.tensor2d(
    Array.from({ length: 4 }, () => Array.from(conditionVector(["Drama"], 1990))).flat(),
    [4, CONDITION_SIZE],
  );
  const varied = tf.randomUniform([4, 48, 32, 3], -1, 1, "float32", 9);
  const first = varied.slice([0, 0, 0, 0], [1, 48, 32, 3]);
  const same = tf.concat([first, first, first, first]);
  const logit = (images: tf.Tensor) => ((d.predict([images, condition]) as tf.Tensor[])[0].dataSync())[0];
  // The first poster is the same in both batches; only its group-mates differ.
  assert.ok(Math.abs(logit(varied) - logit(same)) > 1e-6);
  const plainLogit = (images: tf.Tensor) =>
    ((plain.predict([images, condition]) as tf.Tensor[])[0].dataSync())[0];
  assert.ok(Math.abs(plainLogit(varied) - plainLogit(same)) < 1e-5, "without it, posters are judged alone");
  const dir = await Deno.makeTempDir();
  try {
    await saveModelFiles(d, dir);
    const loaded = await loadModelFiles(dir);
    const again = (loaded.predict([varied, condition]) as tf.Tensor[])[0].dataSync()[0];
    assert.ok(Math.abs(again - logit(varied)) < 1e-6);
    loaded.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  d.dispose();
  plain.dispose();
});
