import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { appliedWith } from "../../lib/models/applied_layer.ts";

await tf.setBackend("cpu");

Deno.test("appliedWith: a layer of a name already built is that one, so its weights are shared", () => {
  const layers = new Map<string, tf.layers.Layer>();
  const applied = appliedWith(layers);
  const x = tf.input({ shape: [3] });
  const first = tf.layers.dense({ units: 2, name: "shared_dense" });
  applied(first)(x);
  const again = tf.layers.dense({ units: 2, name: "shared_dense" });
  const y = applied(again)(x);
  assert.equal(layers.size, 1);
  assert.equal(layers.get("shared_dense"), first);
  assert.equal(y.sourceLayer, first);
});

Deno.test("appliedWith: without a cache every layer is applied as given", () => {
  const applied = appliedWith();
  const x = tf.input({ shape: [3] });
  const a = tf.layers.dense({ units: 2, name: "plain_a" });
  const b = tf.layers.dense({ units: 2, name: "plain_a_again" });
  assert.equal(applied(a)(x).sourceLayer, a);
  assert.equal(applied(b)(x).sourceLayer, b);
});
