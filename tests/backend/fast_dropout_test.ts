import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { dropoutMultiplier, installFastDropout } from "../../lib/backend/fast_dropout.ts";

await tf.setBackend("cpu");

Deno.test("dropoutMultiplier: values are 0 or 1/keep, the kept share is keep, a seed fixes the stream", () => {
  const n = 200_000;
  for (const keep of [0.5, 0.7, 0.75, 0.9, 0.999]) {
    const values = dropoutMultiplier(n, keep, 12345);
    let kept = 0;
    for (const v of values) {
      if (v !== 0) {
        assert.equal(v, Math.fround(1 / keep));
        kept++;
      }
    }
    // Four standard deviations of a binomial share.
    const sigma = Math.sqrt(keep * (1 - keep) / n);
    assert.ok(Math.abs(kept / n - keep) < 4 * sigma + 1e-9, `keep ${keep}: kept ${kept / n}`);
    assert.deepEqual(dropoutMultiplier(1000, keep, 12345), values.slice(0, 1000));
  }
  const a = dropoutMultiplier(1000, 0.5, 1), b = dropoutMultiplier(1000, 0.5, 2);
  assert.ok(a.some((v, i) => v !== b[i]), "seeds 1 and 2 gave the same mask");
  // Neighbouring elements are not correlated: runs of kept values are as long as chance makes them.
  const values = dropoutMultiplier(n, 0.5, 7);
  let same = 0;
  for (let i = 1; i < n; i++) if ((values[i] === 0) === (values[i - 1] === 0)) same++;
  assert.ok(Math.abs(same / (n - 1) - 0.5) < 0.01, `neighbours agree ${same / (n - 1)}`);
});

Deno.test("installFastDropout: a Dropout layer keeps tfjs's meaning (seeded, unseeded, inference, gradients, noiseShape)", () => {
  const x = tf.ones([8, 16, 16, 4]);
  const seeded = tf.layers.dropout({ rate: 0.25, seed: 9 });
  const unseeded = tf.layers.dropout({ rate: 0.25 });
  const broadcast = tf.layers.dropout({ rate: 0.25, seed: 9, noiseShape: [8, 1, 1, 4] });
  const apply = (layer: tf.layers.Layer, training = true) =>
    (layer.apply(x, { training }) as tf.Tensor).dataSync() as Float32Array;
  const tfjsBroadcast = apply(broadcast), tfjsSeeded = apply(seeded);
  const restore = installFastDropout();
  try {
    installFastDropout()(); // a second install, and its returned function, change nothing
    const first = apply(seeded);
    assert.notDeepEqual(first, tfjsSeeded, "the layer draws with the fast generator once installed");
    assert.deepEqual(apply(seeded), first, "a seeded layer draws the same mask each call, as tfjs's does");
    assert.notDeepEqual(apply(unseeded), apply(unseeded), "an unseeded layer draws a fresh mask");
    const zeros = first.filter((v) => v === 0).length / first.length;
    assert.ok(Math.abs(zeros - 0.25) < 0.03, `dropped ${zeros}`);
    assert.ok(first.every((v) => v === 0 || v === Math.fround(1 / 0.75)));
    assert.ok(apply(seeded, false).every((v) => v === 1), "inference passes the input through");
    assert.deepEqual(apply(broadcast), tfjsBroadcast, "a noiseShape layer runs tfjs's own dropout");
    // The gradient of sum(dropout(x)) is the multiplier itself.
    const grad = tf.grad((input: tf.Tensor) => (seeded.apply(input, { training: true }) as tf.Tensor).sum())(
      x,
    );
    assert.deepEqual(grad.dataSync(), first);
    const before = tf.memory().numTensors;
    tf.dispose(seeded.apply(x, { training: true }) as tf.Tensor);
    assert.equal(tf.memory().numTensors, before, "no tensor left behind");
  } finally {
    restore();
  }
  assert.deepEqual(apply(seeded), tfjsSeeded, "restore brings back tfjs's own masks");
});
