import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { chain, predictViews } from "../../lib/models/test_views.ts";
import { tinyCnn } from "../gan/quality_fixture.ts";

await tf.setBackend("cpu");

const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
};

Deno.test("predictViews: with mirror, each output is the mean of the poster's and its mirror image's", () => {
  // Three outputs, from dense layers on the pixels: they tell left from right.
  const net = tinyCnn(true).model;
  const images = tf.randomUniform([5, 8, 8, 3], 0, 1, "float32", 9) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const plain = predictViews(tf, net, images, false);
  const mirrored = predictViews(tf, net, images, true);
  assert.equal(tf.memory().numTensors, before + 6, "only the returned outputs are left");
  const byHand = tf.tidy(() => {
    const a = net.predict(images) as tf.Tensor[];
    const b = net.predict(tf.reverse(images, 2)) as tf.Tensor[];
    return { plain: a.map((t) => t.dataSync()), mirror: b.map((t) => t.dataSync()) };
  });
  for (let k = 0; k < 3; k++) {
    assert.deepEqual(mirrored[k].shape, plain[k].shape);
    close(plain[k].dataSync(), byHand.plain[k], `plain output ${k}`);
    const mean = byHand.plain[k].map((x, i) => (x + byHand.mirror[k][i]) / 2);
    close(mirrored[k].dataSync(), mean, `mirrored output ${k}`);
  }
  // The net sees left from right, so the views differ: the test could fail.
  assert.ok(byHand.plain[0].some((x, i) => Math.abs(x - byHand.mirror[0][i]) > 1e-3));
  tf.dispose([...plain, ...mirrored, images]);
  net.dispose();
});

Deno.test("chain runs the second network on what the first gives, views and all", () => {
  const input = tf.input({ shape: [6, 4, 3] });
  const features = tf.model({
    inputs: input,
    outputs: tf.layers.globalAveragePooling2d({}).apply(
      tf.layers.conv2d({
        filters: 4,
        kernelSize: 3,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
      })
        .apply(input),
    ) as tf.SymbolicTensor,
  });
  const headInput = tf.input({ shape: [4] });
  const head = tf.model({
    inputs: headInput,
    outputs: tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })
      .apply(headInput) as tf.SymbolicTensor,
  });
  const images = tf.randomUniform([3, 6, 4, 3], 0, 1, "float32", 8) as tf.Tensor4D;
  const [out] = predictViews(tf, chain(features, head), images, true);
  const byHand = tf.tidy(() => {
    const a = head.predict(features.predict(images)) as tf.Tensor;
    const b = head.predict(features.predict(tf.reverse(images, 2))) as tf.Tensor;
    return a.add(b).div(2).dataSync();
  });
  close(out.dataSync(), byHand, "chained");
  tf.dispose([out, images]);
  features.dispose();
  head.dispose();
});
