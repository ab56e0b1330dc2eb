import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { installLazyConvGradients } from "../../lib/backend/lazy_conv_gradients.ts";

await tf.setBackend("cpu");

/** A seeded conv layer with bias and the given activation, built on a [2, 6, 5, 3] input. */
function convLayer(activation: "linear" | "relu", seed: number): tf.layers.Layer {
  const layer = tf.layers.conv2d({
    filters: 4,
    kernelSize: 3,
    padding: "same",
    activation,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    biasInitializer: tf.initializers.randomNormal({ seed: seed + 1 }),
  });
  layer.apply(tf.zeros([2, 6, 5, 3]));
  return layer;
}

/** The layer's output, the input's gradient and the variables' gradients of a weighted sum of it. */
function results(layer: tf.layers.Layer): tf.Tensor[] {
  const x = tf.randomUniform([2, 6, 5, 3], -1, 1, "float32", 3);
  const weights = tf.randomUniform([2, 6, 5, 4], -1, 1, "float32", 4);
  const loss = (input: tf.Tensor) => (layer.apply(input) as tf.Tensor).mul(weights).sum() as tf.Scalar;
  const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => loss(x), variables);
  return [layer.apply(x) as tf.Tensor, tf.grad(loss)(x), ...variables.map((v) => grads[v.name])];
}

Deno.test("lazy conv gradients: same output and gradients as tfjs's fused layer", () => {
  for (const activation of ["linear", "relu"] as const) {
    const layer = convLayer(activation, 7);
    const before = results(layer).map((t) => t.dataSync());
    const restore = installLazyConvGradients();
    try {
      const after = results(layer).map((t) => t.dataSync());
      after.forEach((values, i) => {
        values.forEach((v, j) =>
          assert.ok(Math.abs(v - before[i][j]) <= 1e-5 * (1 + Math.abs(before[i][j])))
        );
      });
    } finally {
      restore();
    }
  }
});

Deno.test("lazy conv gradients: the input's gradient alone runs no filter gradient, and the reverse", async () => {
  const layer = convLayer("linear", 9);
  const x = tf.randomUniform([2, 6, 5, 3], -1, 1, "float32", 5);
  const kernelsOf = async (f: () => unknown) =>
    (await tf.profile(() => tf.dispose(f() as tf.Tensor))).kernelNames;
  const inputOnly = () => tf.grad((input: tf.Tensor) => (layer.apply(input) as tf.Tensor).sum())(x);
  const filterOnly = () => {
    const kernel = layer.trainableWeights[0].read() as tf.Variable;
    return tf.variableGrads(() => (layer.apply(x) as tf.Tensor).sum() as tf.Scalar, [kernel])
      .grads[kernel.name];
  };
  // tfjs's fused layer computes both gradients whichever is asked.
  assert.ok((await kernelsOf(inputOnly)).includes("Conv2DBackpropFilter"));
  const restore = installLazyConvGradients();
  try {
    const input = await kernelsOf(inputOnly), filter = await kernelsOf(filterOnly);
    assert.ok(input.includes("Conv2DBackpropInput") && !input.includes("Conv2DBackpropFilter"), input.join());
    assert.ok(
      filter.includes("Conv2DBackpropFilter") && !filter.includes("Conv2DBackpropInput"),
      filter.join(),
    );
    // Outside gradient recording the layer keeps tfjs's fused kernel.
    assert.ok((await kernelsOf(() => layer.apply(x))).includes("FusedConv2D"));
  } finally {
    restore();
  }
});
