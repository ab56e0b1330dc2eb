import * as tf from "@tensorflow/tfjs";
import { assertSameOnNative, randomTensor } from "../compare.ts";
import { CONV_CASES } from "./conv2d_test.ts";
import { nativeTest } from "./native_libs.ts";

// The gradients in tfjs have no dilation.
const CASES = CONV_CASES.filter((c) => !c.dilations);

for (const [i, c] of CASES.entries()) {
  const name = `x ${c.x} filter ${c.filter} strides ${c.strides} pad ${JSON.stringify(c.pad)}`;
  const dyShape = () => tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;

  // The filter gradient sums batch x height x width products: float error grows with its square root.
  const [n, h, w] = c.x;
  const filterTol = 1e-4 * Math.max(1, Math.sqrt(n * h * w) / 10);
  nativeTest(`native Conv2DBackpropFilter matches cpu: ${name}`, async () => {
    await assertSameOnNative(
      () => {
        const x = randomTensor(c.x, 10 + i);
        const dy = randomTensor(dyShape(), 100 + i);
        return tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
          strides: c.strides,
          pad: c.pad,
          dataFormat: "NHWC",
          filterShape: c.filter,
        }) as tf.Tensor;
      },
      filterTol,
      `case ${i}`,
    );
  });

  nativeTest(`native Conv2DBackpropInput matches cpu: ${name}`, async () => {
    await assertSameOnNative(
      () => {
        const filter = randomTensor(c.filter, 20 + i);
        const dy = randomTensor(dyShape(), 200 + i);
        return tf.engine().runKernel("Conv2DBackpropInput", { dy, filter }, {
          strides: c.strides,
          pad: c.pad,
          dataFormat: "NHWC",
          inputShape: c.x,
        }) as tf.Tensor;
      },
      1e-4,
      `case ${i}`,
    );
  });
}

// The DCGAN generator's transposed convolutions at 64x64 with 32 filters, batch 2.
const TRANSPOSED: [number[], number[], number[]][] = [
  [[2, 4, 4, 256], [4, 4, 128, 256], [2, 8, 8, 128]],
  [[2, 16, 16, 64], [4, 4, 32, 64], [2, 32, 32, 32]],
  [[2, 32, 32, 32], [4, 4, 3, 32], [2, 64, 64, 3]],
  [[1, 5, 3, 4], [3, 3, 2, 4], [1, 10, 6, 2]],
];

for (const [i, [x, filter, out]] of TRANSPOSED.entries()) {
  nativeTest(`native conv2dTranspose and its gradients match cpu: x ${x} filter ${filter}`, async () => {
    await assertSameOnNative(
      () => {
        const input = randomTensor(x, 30 + i) as tf.Tensor4D;
        const w = randomTensor(filter, 40 + i) as tf.Tensor4D;
        const target = randomTensor(out, 50 + i);
        const loss = (a: tf.Tensor, b: tf.Tensor) =>
          tf.conv2dTranspose(
            a as tf.Tensor4D,
            b as tf.Tensor4D,
            out as [number, number, number, number],
            2,
            "same",
          )
            .mul(target).sum();
        return [
          tf.conv2dTranspose(input, w, out as [number, number, number, number], 2, "same"),
          ...tf.grads(loss)([input, w]),
        ];
      },
      1e-4,
      `transposed ${i}`,
    );
  });
}
