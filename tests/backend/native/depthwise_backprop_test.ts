import * as tf from "@tensorflow/tfjs";
import { assertSameOnNative, randomTensor } from "../compare.ts";
import { DEPTHWISE_CASES } from "../depthwise_backprop_input_test.ts";
import { nativeTest } from "./native_libs.ts";

for (const [i, [x, filter, strides, pad, dilations]] of DEPTHWISE_CASES.entries()) {
  nativeTest(
    `native DepthwiseConv2dNativeBackpropInput matches cpu: x ${x} filter ${filter} strides ${strides} ${pad} dilation ${dilations}`,
    async () => {
      await assertSameOnNative(
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
    },
  );
}
