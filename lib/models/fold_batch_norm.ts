/**
 * Folding a frozen network's batch normalisations into the convolutions before them, for inference.
 * At inference a batch norm is a fixed per-channel affine map, `y = a·x + b` with
 * `a = γ / √(σ² + ε)` and `b = β − a·μ`, so a convolution followed by one is a convolution with its
 * kernel's output channels scaled by `a` and a bias of `a·bias + b`. The folded network gives the
 * same outputs (to float rounding) without a pass over every activation per batch norm: in
 * MobileNetV2 at poster size those passes took more time than the convolutions.
 *
 * It works on a Keras functional topology (what `LayersModel.toJSON` gives) and the weights of its
 * layers, so the folded network is again a plain layers model: saved, served and loaded in the
 * browser as any other.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { foldBatchNorms, type KerasTopology } from "./fold_batch_norm.ts";
 * const input = tf.input({ shape: [8, 8, 3] });
 * const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, useBias: false }).apply(input);
 * const model = tf.model({ inputs: input, outputs: tf.layers.batchNormalization().apply(conv) as tf.SymbolicTensor });
 * const topology = model.toJSON(undefined, false) as unknown as KerasTopology;
 * const folded = foldBatchNorms(topology, (name) => model.getLayer(name).getWeights());
 * console.log(folded.topology.config.layers.length); // 2: the input and the convolution
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** A layer of a Keras functional topology. */
export interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  /** Per call: `[layer name, node index, tensor index, kwargs]` of each input. */
  inbound_nodes: [string, number, number, unknown][][];
}

/** A Keras functional model's topology (`LayersModel.toJSON(undefined, false)`). */
export interface KerasTopology {
  class_name: string;
  config: {
    name?: string;
    layers: KerasLayer[];
    input_layers: unknown[];
    output_layers: [string, number, number][];
  };
}

/** What {@linkcode foldBatchNorms} returns: the topology without the folded batch norms, and weights. */
export interface FoldedNetwork {
  topology: KerasTopology;
  /** The weights of each layer that has any, by name, in the layer's order (the caller disposes them). */
  weights: Map<string, tf.Tensor[]>;
}

const FOLDABLE = new Set(["Conv2D", "DepthwiseConv2D"]);

/**
 * Folds every BatchNormalization (over the last axis) whose only input is a Conv2D or DepthwiseConv2D
 * read by nothing else; other layers keep their weights. `weightsOf(name)` gives a layer's weights as
 * `getWeights()` does (kernel then bias; gamma, beta, moving mean, moving variance).
 */
export function foldBatchNorms(
  topology: KerasTopology,
  weightsOf: (name: string) => tf.Tensor[],
): FoldedNetwork {
  const layers = topology.config.layers;
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const readers = new Map<string, number>();
  for (const layer of layers) {
    for (const node of layer.inbound_nodes) {
      for (const [from] of node) readers.set(from, (readers.get(from) ?? 0) + 1);
    }
  }
  // Each folded batch norm's name → the convolution that takes its place.
  const replaced = new Map<string, string>();
  const weights = new Map<string, tf.Tensor[]>();
  for (const layer of layers) {
    if (layer.class_name !== "BatchNormalization" || layer.inbound_nodes.length !== 1) continue;
    const inputs = layer.inbound_nodes[0];
    const conv = inputs.length === 1 ? byName.get(inputs[0][0]) : undefined;
    const axis = layer.config.axis;
    if (!conv || !FOLDABLE.has(conv.class_name) || readers.get(conv.name) !== 1) continue;
    if (!(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && axis[0] === -1))) {
      continue;
    }
    weights.set(conv.name, foldInto(conv, layer, weightsOf(conv.name), weightsOf(layer.name)));
    conv.config.use_bias = true;
    replaced.set(layer.name, conv.name);
  }
  const kept = layers.filter((layer) => !replaced.has(layer.name));
  for (const layer of kept) {
    for (const node of layer.inbound_nodes) {
      for (const input of node) input[0] = replaced.get(input[0]) ?? input[0];
    }
    if (!weights.has(layer.name)) {
      const own = weightsOf(layer.name);
      if (own.length) weights.set(layer.name, own.map((w) => w.clone()));
    }
  }
  for (const output of topology.config.output_layers) output[0] = replaced.get(output[0]) ?? output[0];
  topology.config.layers = kept;
  return { topology, weights };
}

/** The kernel and bias of `conv` with the batch norm `bn` after it folded in. */
function foldInto(
  conv: KerasLayer,
  bn: KerasLayer,
  convWeights: tf.Tensor[],
  bnWeights: tf.Tensor[],
): tf.Tensor[] {
  return tf.tidy(() => {
    const [kernel, bias] = convWeights;
    const center = bn.config.center !== false, scale = bn.config.scale !== false;
    let k = 0;
    const channels = kernel.shape[3]! * (conv.class_name === "DepthwiseConv2D" ? kernel.shape[2]! : 1);
    const gamma = scale ? bnWeights[k++] : tf.ones([channels]);
    const beta = center ? bnWeights[k++] : tf.zeros([channels]);
    const [mean, variance] = [bnWeights[k++], bnWeights[k++]];
    const a = gamma.div(variance.add(Number(bn.config.epsilon ?? 1e-3)).sqrt());
    const b = beta.sub(a.mul(mean));
    // Output channel o of a Conv2D kernel is its last axis; of a depthwise kernel [h, w, in, m], in·m + j.
    const scaled = conv.class_name === "DepthwiseConv2D"
      ? kernel.mul(a.reshape([kernel.shape[2]!, kernel.shape[3]!]))
      : kernel.mul(a);
    const shifted = bias ? bias.mul(a).add(b) : b;
    return [scaled, shifted];
  });
}
