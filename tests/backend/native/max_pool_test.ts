import * as tf from "@tensorflow/tfjs";
import { assertSameOnNative, randomTensor } from "../compare.ts";
import { nativeTest } from "./native_libs.ts";

const CASES: [number[], number | [number, number], number | [number, number], "same" | "valid"][] = [
  [[2, 8, 6, 3], 2, 2, "valid"],
  [[2, 9, 7, 5], 2, 2, "valid"], // odd sizes: last row/column unused
  [[2, 9, 7, 5], 2, 2, "same"],
  [[1, 10, 9, 4], 3, 2, "same"], // overlapping windows
  [[3, 7, 7, 2], [3, 2], [1, 2], "valid"],
  [[2, 11, 10, 3], 3, 3, "same"],
  [[2, 78, 53, 32], 2, 2, "valid"], // the genre CNN at ratio 30, both pools
  [[2, 37, 24, 64], 2, 2, "valid"],
];

for (const [i, [shape, filterSize, strides, pad]] of CASES.entries()) {
  const name = `[${shape}] window ${filterSize} strides ${strides} ${pad}`;
  nativeTest(`native MaxPool and MaxPoolGrad match cpu: ${name}`, async () => {
    await assertSameOnNative(
      () => {
        const x = randomTensor(shape, 30 + i) as tf.Tensor4D;
        const grad = tf.grad((a: tf.Tensor) =>
          tf.maxPool(a as tf.Tensor4D, filterSize, strides, pad).square().sum()
        );
        return [tf.maxPool(x, filterSize, strides, pad), grad(x)];
      },
      1e-5,
      `case ${i}`,
    );
  });
}

nativeTest("native MaxPoolGrad sends ties (ReLU zeros) where cpu does", async () => {
  await assertSameOnNative(() => {
    const x = tf.relu(randomTensor([2, 6, 6, 3], 9)).round() as tf.Tensor4D; // many equal values
    const dy = randomTensor([2, 3, 3, 3], 10);
    return tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, "valid").mul(dy).sum())(x);
  }, 1e-5);
});
