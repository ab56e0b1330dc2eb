import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { augment } from "../../lib/gan/augment.ts";
import { seededRandom } from "../../lib/util/random.ts";

await tf.setBackend("cpu");

const batch = () => tf.randomUniform([6, 24, 16, 3], -1, 1, "float32", 5) as tf.Tensor4D;

Deno.test("augment: no policy returns the images untouched; an unknown transform is an error", () => {
  const x = batch();
  assert.equal(augment(x, [], 1), x);
  assert.throws(() => augment(x, ["flip" as never], 1), /Unknown augmentation "flip"/);
  x.dispose();
});

Deno.test("augment: the same seed repeats a step's draw, another seed draws differently", () => {
  const x = batch();
  const policy = ["color", "translation", "cutout"] as const;
  const a = augment(x, policy, 11).dataSync();
  const b = augment(x, policy, 11).dataSync();
  const c = augment(x, policy, 12).dataSync();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual(augment(x, policy, 11).shape, x.shape);
  x.dispose();
});

Deno.test("augment: translation moves a pixel by at most 1/8 of each side and keeps it whole", () => {
  // One bright pixel in the middle of each 24x16 image: it may move 3 rows and 2 columns.
  const values = new Float32Array(6 * 24 * 16 * 3);
  for (let b = 0; b < 6; b++) values[((b * 24 + 12) * 16 + 8) * 3] = 1;
  const x = tf.tensor4d(values, [6, 24, 16, 3]);
  let moved = 0;
  for (let seed = 0; seed < 5; seed++) {
    const y = augment(x, ["translation"], seed).arraySync() as number[][][][];
    for (let b = 0; b < 6; b++) {
      const hits: [number, number][] = [];
      y[b].forEach((row, i) => row.forEach((px, j) => px[0] !== 0 && hits.push([i, j])));
      assert.equal(hits.length, 1, "a shift moves the pixel, it does not smear it");
      const [i, j] = hits[0];
      assert.equal(y[b][i][j][0], 1);
      assert.ok(Math.abs(i - 12) <= 3 && Math.abs(j - 8) <= 2, `moved to ${i},${j}`);
      if (i !== 12 || j !== 8) moved++;
    }
  }
  assert.ok(moved > 10, `only ${moved} of 30 images moved`);
  x.dispose();
});

Deno.test("augment: cutout blanks between 1/16 and 1/4 of each image, in whole pixels", () => {
  const x = tf.ones([6, 24, 16, 3]) as tf.Tensor4D;
  const y = augment(x, ["cutout"], 3).arraySync() as number[][][][];
  for (const image of y) {
    const zeros = image.flat().filter((px) => px.every((v) => v === 0)).length;
    const partial = image.flat().filter((px) => px.some((v) => v === 0) && px.some((v) => v !== 0)).length;
    assert.equal(partial, 0);
    assert.ok(zeros >= (24 * 16) / 16 && zeros <= (24 * 16) / 4, `${zeros} blanked`);
  }
  x.dispose();
});

Deno.test("augment: colour changes brightness, saturation and contrast per image, within the paper's ranges", () => {
  const x = batch();
  const y = augment(x, ["color"], 9);
  const meanShift = y.mean([1, 2, 3]).sub(x.mean([1, 2, 3])).dataSync();
  // Brightness adds at most ±0.5; saturation and contrast keep an image's mean.
  for (const d of meanShift) assert.ok(Math.abs(d) <= 0.5 + 1e-5, `mean moved ${d}`);
  assert.ok(new Set(Array.from(meanShift, (d) => d.toFixed(3))).size > 1, "every image got the same draw");
  tf.dispose([x, y]);
});

Deno.test("augment: colour is brightness, then saturation about each pixel's grey, then contrast about the mean", () => {
  // The transform runs as one affine map per image; this spells out the paper's three steps instead.
  const x = batch();
  const random = seededRandom(21);
  const perImage = () => tf.tensor4d(Array.from({ length: 6 }, random), [6, 1, 1, 1]);
  const brightened = x.add(perImage().sub(0.5));
  const grey = brightened.mean(3, true);
  const saturated = brightened.sub(grey).mul(perImage().mul(2)).add(grey);
  const average = saturated.mean([1, 2, 3], true);
  const expected = saturated.sub(average).mul(perImage().add(0.5)).add(average).dataSync();
  const actual = augment(x, ["color"], 21).dataSync();
  const worst = Array.from(actual).reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
  assert.ok(worst < 1e-5, `differs by ${worst}`);
  x.dispose();
});

Deno.test("augment: gradients flow back through every transform to the images", () => {
  const x = batch();
  const grad = tf.grad((v: tf.Tensor) =>
    augment(v as tf.Tensor4D, ["color", "translation", "cutout"], 4).square().sum() as tf.Scalar
  )(x);
  const g = grad.dataSync();
  assert.ok(g.every(Number.isFinite));
  const nonzero = g.filter((v) => v !== 0).length;
  // Cutout and the shift's edge drop at most about a third of the pixels' gradient.
  assert.ok(nonzero > g.length / 2, `${nonzero} of ${g.length} pixels get a gradient`);
  tf.dispose([x, grad]);
});
