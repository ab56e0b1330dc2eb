import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildGenreCnn, kernelSizes } from "../../lib/models/cnn.ts";
import { buildModernCnn } from "../../lib/models/cnn_v4.ts";

await tf.setBackend("cpu");

Deno.test("v4: one sigmoid per genre, 0.39M weights whatever the poster size, seeded builds equal", () => {
  const small = buildGenreCnn({ height: 27, width: 18, genres: 7, version: 4, seed: 5 });
  const large = buildModernCnn({ height: 161, width: 109, genres: 7, seed: 5 });
  assert.equal(small.name, "genre_cnn_v4");
  assert.equal(small.countParams(), large.countParams(), "global average pooling: size-independent");
  assert.ok(small.countParams() > 380_000 && small.countParams() < 400_000, `${small.countParams()}`);
  const out = small.predict(tf.randomUniform([3, 27, 18, 3], 0, 1, "float32", 1)) as tf.Tensor;
  assert.deepEqual(out.shape, [3, 7]);
  out.dataSync().forEach((p) => assert.ok(p > 0 && p < 1));
  const again = buildGenreCnn({ height: 27, width: 18, genres: 7, version: 4, seed: 5 });
  assert.deepEqual(again.getWeights()[0].dataSync(), small.getWeights()[0].dataSync());
  assert.throws(() => kernelSizes(4, 55), /4 is the modern recipe/);
  assert.equal(
    buildGenreCnn({ height: 27, width: 18, genres: 7, version: 4, dropout: 0.6 }).layers
      .find((l) => l.getClassName() === "Dropout")!.getConfig().rate,
    0.6,
  );
});

Deno.test("v4: a training forward pass updates batch-norm statistics, inference uses them", () => {
  const model = buildModernCnn({ height: 16, width: 12, genres: 3, seed: 1 });
  const bn = model.layers.find((l) => l.getClassName() === "BatchNormalization")!;
  const movingMean = () => Array.from(bn.getWeights()[2].dataSync());
  const before = movingMean();
  assert.ok(before.every((v) => v === 0));
  const x = tf.randomUniform([4, 16, 12, 3], 0.2, 1, "float32", 2);
  const p1 = (model.predict(x) as tf.Tensor).dataSync();
  tf.tidy(() => model.apply(x, { training: true }) as tf.Tensor);
  assert.ok(movingMean().some((v) => v !== 0), "moving mean moved");
  const p2 = (model.predict(x) as tf.Tensor).dataSync();
  assert.notDeepEqual(Array.from(p1), Array.from(p2), "inference reads the moving statistics");
});
