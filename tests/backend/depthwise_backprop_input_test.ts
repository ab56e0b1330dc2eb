import * as tf from "@tensorflow/tfjs";
import { assertSameOnWasm, randomTensor } from "./compare.ts";

/** Depthwise convolutions: input shape, filter shape [kh, kw, c, m], strides, pad, dilations. */
export const DEPTHWISE_CASES: [number[], number[], number | [number, number], "same" | "valid", number][] = [
  [[2, 8, 6, 5], [3, 3, 5, 1], 1, "same", 1], // MobileNetV2's stride-1 blocks
  [[2, 9, 7, 4], [3, 3, 4, 1], 2, "same", 1], // its stride-2 blocks, odd sizes
  [[1, 10, 9, 3], [3, 2, 3, 2], [2, 1], "valid", 1], // a channel multiplier of 2
  [[2, 11, 8, 2], [5, 5, 2, 1], 1, "same", 1], // a wider window (tfjs's gradient has no dilation)
  [[2, 32, 48, 16], [3, 3, 16, 1], 2, "same", 1], // a GAN poster's first block, 64x96 in
];

for (const [i, [x, filter, strides, pad, dilations]] of DEPTHWISE_CASES.entries()) {
  Deno.test(`DepthwiseConv2dNativeBackpropInput on wasm matches cpu: x ${x} filter ${filter} strides ${strides} ${pad} dilation ${dilations}`, async () => {
    await assertSameOnWasm(
      () => {
        const image = randomTensor(x, 40 + i) as tf.Tensor4D;
        const weights = randomTensor(filter, 50 + i) as tf.Tensor4D;
        const out = tf.depthwiseConv2d(image, weights, strides, pad, "NHWC", dilations);
        const dy = randomTensor(out.shape, 60 + i);
        return tf.grad((a: tf.Tensor) =>
          tf.depthwiseConv2d(a as tf.Tensor4D, weights, strides, pad, "NHWC", dilations).mul(dy).sum()
        )(image);
      },
      1e-5,
      `case ${i}`,
    );
  });
}
