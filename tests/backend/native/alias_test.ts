import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "../../../lib/backend/select.ts";
import { nativeTest } from "./native_libs.ts";

nativeTest(
  "native Identity and same-dtype Cast share the buffer, keep it alive, and free it last",
  async () => {
    await initBackend("native", { log: () => {} });
    const before = tf.engine().backend.numDataIds();
    const x = tf.tensor([1.5, -2, 3], [3]);
    const clone = x.clone();
    const same = tf.cast(x, "float32");
    assert.equal(tf.engine().backend.numDataIds(), before + 1, "no new buffer");
    x.dispose();
    assert.deepEqual([...await clone.data()], [1.5, -2, 3]);
    clone.dispose();
    assert.deepEqual([...await same.data()], [1.5, -2, 3]);
    same.dispose();
    assert.equal(tf.engine().backend.numDataIds(), before, "the buffer is freed with its last tensor");
  },
);

nativeTest("native Cast to another dtype converts", async () => {
  await initBackend("native", { log: () => {} });
  const ints = tf.tidy(() => tf.cast(tf.tensor([1.7, -2.2, 3]), "int32"));
  assert.equal(ints.dtype, "int32");
  assert.deepEqual([...await ints.data()], [1, -2, 3]);
  ints.dispose();
});
