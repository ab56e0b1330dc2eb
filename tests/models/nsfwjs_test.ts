import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { fromNetworks } from "../../lib/models/nsfwjs.ts";

await tf.setBackend("cpu");

function tinyNetwork(): tf.LayersModel {
  const input = tf.input({ shape: [2] });
  return tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor,
  });
}

Deno.test("fromNetworks disposes what it loaded: after building, after a failed build, after a failed load", async () => {
  const before = tf.memory().numTensors;
  const built = await fromNetworks(
    [Promise.resolve(tinyNetwork()), Promise.resolve(tinyNetwork())],
    (a, b) => Promise.resolve(a.layers.length + b.layers.length),
  );
  assert.equal(built, 4);
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(
    () => fromNetworks([Promise.resolve(tinyNetwork())], () => Promise.reject(new Error("no build"))),
    /no build/,
  );
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(
    () =>
      fromNetworks(
        [Promise.resolve(tinyNetwork()), Promise.reject(new Error("no load"))],
        () => Promise.resolve(0),
      ),
    /no load/,
  );
  assert.equal(tf.memory().numTensors, before);
});
