import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { quantizeFolderToFloat16, toFloat16Bits } from "../../lib/models/float16.ts";
import { loadModelFiles, savedModelProblems, saveModelFiles } from "../../lib/models/saved.ts";

await tf.setBackend("cpu");

/** What TensorFlow.js's own loader makes of float16 bits (the decoder the browser runs too). */
function decodeWithTfjs(values: number[]): Float32Array {
  const halves = Uint16Array.from(values.map(toFloat16Bits));
  const spec = {
    name: "w",
    shape: [values.length],
    dtype: "float32" as const,
    quantization: { dtype: "float16" as const },
  };
  const decoded = tf.io.decodeWeights(halves.buffer, [spec]);
  return decoded.w.dataSync() as Float32Array;
}

Deno.test("float16 bits round to the nearest half, with tfjs's decoder reading them back", () => {
  const cases: [number, number][] = [
    [0, 0],
    [1, 1],
    [-2.5, -2.5],
    [0.1, 0.0999755859375],
    [65504, 65504],
    [65520, Infinity], // the tie rounds to even: 65536, beyond the largest half
    [-1e6, -Infinity],
    [2 ** -24, 2 ** -24], // the smallest subnormal
    [3 * 2 ** -26, 2 ** -24], // rounds up to it
    [2 ** -26, 0], // rounds down to zero
    [1e-5, 1.0013580322265625e-5],
    [Infinity, Infinity],
  ];
  const decoded = decodeWithTfjs(cases.map(([value]) => value));
  cases.forEach(([value, expected], i) => assert.equal(decoded[i], expected, `${value}`));
  assert.ok(Number.isNaN(decodeWithTfjs([NaN])[0]));
  assert.equal(toFloat16Bits(-0), 0x8000);
  // Normal numbers keep 11 significant bits: relative error at most 2^-11.
  const values = Array.from(tf.randomNormal([2000], 0, 0.05, "float32", 4).dataSync());
  const back = decodeWithTfjs(values);
  values.forEach((v, i) =>
    assert.ok(Math.abs(back[i] - v) <= Math.abs(v) * 2 ** -11 + 2 ** -25, `${v} → ${back[i]}`)
  );
});

Deno.test("a model folder rewritten as float16 is half the bytes, healthy, and loads close to the original", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const input = tf.input({ shape: [6] });
    const output = tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) })
      .apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    await saveModelFiles(model, dir);
    const { before, after } = await quantizeFolderToFloat16(dir);
    assert.equal(before, (6 * 5 + 5) * 4);
    assert.equal(after, before / 2);
    assert.equal((await Deno.stat(join(dir, "weights.bin"))).size, after);
    assert.deepEqual(await savedModelProblems(dir), []);
    const loaded = await loadModelFiles(dir);
    const [kernel, back] = [model.getWeights()[0].dataSync(), loaded.getWeights()[0].dataSync()];
    kernel.forEach((v, i) => assert.ok(Math.abs(back[i] - v) <= Math.abs(v) * 2 ** -11, `${v} → ${back[i]}`));
    // A cut-short float16 file is still found damaged.
    await Deno.truncate(join(dir, "weights.bin"), after - 2);
    assert.match(
      (await savedModelProblems(dir))[0],
      new RegExp(`holds ${after - 2} bytes where model\\.json needs ${after}`),
    );
    model.dispose();
    loaded.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
