import * as tf from "@tensorflow/tfjs";
import { assertSameOnNative, randomTensor } from "../compare.ts";
import { nativeTest } from "./native_libs.ts";

type Pad = "same" | "valid" | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
  dilations?: [number, number];
}

/** Odd sizes, strides 1-3, same/valid/explicit padding, dilation, and the shapes of both networks. */
export const CONV_CASES: Case[] = [
  { x: [2, 8, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: "same" },
  { x: [2, 8, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: "valid" },
  { x: [3, 9, 7, 5], filter: [2, 4, 5, 3], strides: [1, 1], pad: "same" },
  { x: [1, 11, 5, 2], filter: [5, 3, 2, 6], strides: [1, 1], pad: "valid" },
  { x: [2, 9, 9, 4], filter: [4, 4, 4, 8], strides: [2, 2], pad: "same" },
  { x: [2, 10, 7, 3], filter: [3, 3, 3, 2], strides: [2, 2], pad: "valid" },
  { x: [2, 11, 8, 3], filter: [5, 5, 3, 4], strides: [2, 2], pad: "same" },
  { x: [2, 13, 10, 1], filter: [3, 2, 1, 3], strides: [3, 2], pad: "valid" },
  { x: [2, 14, 11, 3], filter: [3, 3, 3, 5], strides: [3, 3], pad: "same" },
  { x: [1, 7, 9, 2], filter: [1, 1, 2, 5], strides: [1, 1], pad: "valid" },
  { x: [2, 7, 6, 3], filter: [3, 3, 3, 2], strides: [1, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { x: [2, 12, 10, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: "same", dilations: [2, 2] },
  // genre CNN at ratio 30 (55x80), batch 2: both convs of each block
  { x: [2, 80, 55, 3], filter: [3, 3, 3, 32], strides: [1, 1], pad: "same" },
  { x: [2, 80, 55, 32], filter: [3, 3, 32, 32], strides: [1, 1], pad: "valid" },
  { x: [2, 39, 26, 32], filter: [3, 3, 32, 64], strides: [1, 1], pad: "same" },
  { x: [2, 39, 26, 64], filter: [3, 3, 64, 64], strides: [1, 1], pad: "valid" },
  // DCGAN discriminator at 64x64, 32 filters
  { x: [2, 64, 64, 3], filter: [4, 4, 3, 32], strides: [2, 2], pad: "same" },
  { x: [2, 16, 16, 64], filter: [4, 4, 64, 128], strides: [2, 2], pad: "same" },
  // few output channels on the C kernels (small_conv.ts): the generator's RGB convolution at 64x96,
  // batch 1, then other kernel sizes, paddings and channel counts
  { x: [1, 96, 64, 32], filter: [3, 3, 32, 3], strides: [1, 1], pad: "same" },
  { x: [2, 9, 7, 16], filter: [3, 2, 16, 1], strides: [1, 1], pad: "valid" },
  { x: [2, 7, 6, 8], filter: [3, 3, 8, 4], strides: [1, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { x: [1, 5, 4, 24], filter: [5, 5, 24, 2], strides: [1, 1], pad: "same" },
];

const label = (c: Case) =>
  `x ${c.x} filter ${c.filter} strides ${c.strides} pad ${JSON.stringify(c.pad)}${
    c.dilations ? ` dilations ${c.dilations}` : ""
  }`;

for (const [i, c] of CONV_CASES.entries()) {
  nativeTest(`native Conv2D matches cpu: ${label(c)}`, async () => {
    await assertSameOnNative(
      () => {
        const x = randomTensor(c.x, 10 + i) as tf.Tensor4D;
        const filter = randomTensor(c.filter, 50 + i) as tf.Tensor4D;
        return tf.conv2d(x, filter, c.strides, c.pad, "NHWC", c.dilations ?? 1);
      },
      1e-4,
      `case ${i}`,
    );
  });
}

const ACTIVATIONS = ["linear", "relu", "leakyrelu", "elu", "relu6", "sigmoid", "prelu"] as const;

for (const [i, activation] of ACTIVATIONS.entries()) {
  nativeTest(`native FusedConv2D with bias and ${activation} matches cpu`, async () => {
    await assertSameOnNative(
      () => {
        const x = randomTensor([2, 9, 8, 3], 200 + i).mul(3) as tf.Tensor4D;
        const filter = randomTensor([3, 3, 3, 5], 300 + i) as tf.Tensor4D;
        const bias = randomTensor([5], 400 + i) as tf.Tensor1D;
        const preluActivationWeights = activation === "prelu" ? randomTensor([5], 500) : undefined;
        return tf.fused.conv2d({
          x,
          filter,
          strides: i % 2 ? 2 : 1,
          pad: i % 3 ? "same" : "valid",
          bias,
          activation,
          leakyreluAlpha: 0.3,
          preluActivationWeights,
        });
      },
      1e-4,
      activation,
    );
  });
}

nativeTest("native FusedConv2D with bias and few output channels (C kernels) matches cpu", async () => {
  await assertSameOnNative(() =>
    tf.fused.conv2d({
      x: randomTensor([2, 12, 8, 32], 3).mul(3) as tf.Tensor4D,
      filter: randomTensor([3, 3, 32, 3], 4) as tf.Tensor4D,
      bias: randomTensor([3], 5) as tf.Tensor1D,
      strides: 1,
      pad: "same",
    }), 1e-4);
});

nativeTest("native FusedConv2D without bias matches cpu", async () => {
  await assertSameOnNative(() =>
    tf.fused.conv2d({
      x: randomTensor([1, 6, 7, 2], 1) as tf.Tensor4D,
      filter: randomTensor([2, 2, 2, 3], 2) as tf.Tensor4D,
      strides: 1,
      pad: "same",
      activation: "relu",
    })
  );
});
