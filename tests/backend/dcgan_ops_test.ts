// The DCGAN's building blocks (lib/models/dcgan.ts) on wasm: every forward and backward kernel they
// need exists there and matches cpu.
import * as tf from "@tensorflow/tfjs";
import { assertSameOnWasm, randomTensor } from "./compare.ts";

Deno.test("upsampling block (conv2dTranspose stride 2, batch norm, relu, tanh) and its gradients match cpu", async () => {
  await assertSameOnWasm(() => {
    const x = randomTensor([4, 4, 4, 16], 1) as tf.Tensor4D;
    const w = randomTensor([4, 4, 8, 16], 2) as tf.Tensor4D;
    const scale = randomTensor([8], 3), offset = randomTensor([8], 4);
    const block = (a: tf.Tensor, b: tf.Tensor, g: tf.Tensor, o: tf.Tensor) => {
      const up = tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [4, 8, 8, 8], 2, "same");
      const { mean, variance } = tf.moments(up, [0, 1, 2]);
      return tf.batchNorm(up, mean, variance, o, g, 1e-5).relu().tanh().square().sum();
    };
    return tf.grads(block)([x, w, scale, offset]);
  }, 2e-4);
});

Deno.test("downsampling block (conv2d stride 2, leaky relu, dense sigmoid) and its gradients match cpu", async () => {
  await assertSameOnWasm(() => {
    const x = randomTensor([4, 16, 16, 3], 5) as tf.Tensor4D;
    const w = randomTensor([4, 4, 3, 8], 6) as tf.Tensor4D;
    const dense = randomTensor([8 * 8 * 8, 1], 7) as tf.Tensor2D;
    const block = (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => {
      const down = tf.leakyRelu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same"), 0.2);
      return tf.sigmoid(tf.matMul(down.reshape([4, -1]), d as tf.Tensor2D)).sum();
    };
    return tf.grads(block)([x, w, dense]);
  }, 2e-4);
});
