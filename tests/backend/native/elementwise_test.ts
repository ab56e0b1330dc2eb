import * as tf from "@tensorflow/tfjs";
import { MIN_NATIVE_ELEMENTS } from "../../../lib/backend/native/elementwise.ts";
import { assertSameOnNative, randomTensor } from "../compare.ts";
import { nativeTest } from "./native_libs.ts";

// Big enough for oneDNN (the DCGAN's first discriminator layer, batch 2), and a small one for wasm.
const BIG = [2, 32, 32, 32];
const SMALL = [3, 5];

const BINARY = ["add", "sub", "mul", "div", "maximum", "minimum"] as const;
const BROADCASTS: [number[], number[]][] = [
  [BIG, BIG],
  [BIG, [32]], // a per-channel scale
  [[32], BIG], // first operand broadcast
  [BIG, [1, 32, 1, 1]],
  [[2, 1, 32, 32], [1, 32, 1, 32]], // both broadcast: wasm
  [BIG, []],
  [SMALL, SMALL],
];

nativeTest("the element-wise test shapes reach oneDNN", () => {
  if (BIG.reduce((a, b) => a * b) < MIN_NATIVE_ELEMENTS) throw new Error("BIG is below the native threshold");
});

for (const op of BINARY) {
  nativeTest(`native ${op} matches cpu for same shapes and broadcasts`, async () => {
    await assertSameOnNative(
      () =>
        BROADCASTS.map(([a, b], i) => {
          const y = randomTensor(b, 20 + i);
          // Keep divisors away from 0.
          return tf[op](randomTensor(a, 10 + i), op === "div" ? y.abs().add(0.5) : y);
        }),
      1e-5,
      op,
    );
  });
}

const UNARY: [string, (x: tf.Tensor) => tf.Tensor][] = [
  ["relu", (x) => tf.relu(x)],
  ["leakyRelu", (x) => tf.leakyRelu(x, 0.2)],
  ["elu", (x) => tf.elu(x)],
  ["tanh", (x) => tf.tanh(x)],
  ["sigmoid", (x) => tf.sigmoid(x)],
  ["exp", (x) => tf.exp(x)],
  ["log", (x) => tf.log(x.abs().add(0.1))],
  ["sqrt", (x) => tf.sqrt(x.abs())],
  ["square", (x) => tf.square(x)],
  ["abs", (x) => tf.abs(x)],
];

for (const [name, f] of UNARY) {
  nativeTest(`native ${name} matches cpu`, async () => {
    await assertSameOnNative(() => [f(randomTensor(BIG, 1).mul(3)), f(randomTensor(SMALL, 2))], 1e-5, name);
  });
}
