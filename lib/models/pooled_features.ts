/**
 * One frozen feature extractor from one or more networks that read the same poster: each network is
 * rebuilt for the poster's size and cut after the last layer it contributes, its batch norms are folded
 * into the convolutions before them (fold_batch_norm.ts), ReLU(6) layers become relu6 activations, and
 * each contributing layer's output is averaged over its map. The averages are concatenated in the order
 * given. The result is one plain layers model, so it is saved, served to the page and loaded there as
 * any other, and one pass computes every network.
 *
 * Layers of every network but the first get a prefix, so that names from different networks cannot
 * collide; the first network's input becomes the shared input.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pooledFeatures } from "./pooled_features.ts";
 * const input = tf.input({ shape: [32, 32, 3] });
 * const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: "conv" }).apply(input) as tf.SymbolicTensor;
 * const network = tf.model({ inputs: input, outputs: conv });
 * const extractor = await pooledFeatures([{ network, layers: ["conv"] }], { height: 40, width: 24 }, "features");
 * console.log(extractor.outputs[0].shape); // [null, 4]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { foldBatchNorms, type KerasLayer, type KerasTopology } from "./fold_batch_norm.ts";

/** A network that contributes to a {@linkcode pooledFeatures} extractor. */
export interface FeatureSource {
  /** The network as loaded (not changed; the caller disposes it). */
  network: tf.LayersModel;
  /** The layers whose outputs are averaged into features, in this order. */
  layers: readonly string[];
  /** Prefix of this network's layer names in the extractor (default none). */
  prefix?: string;
}

/**
 * The extractor, named `name`, from `[n, size.height, size.width, channels]` images to the concatenated
 * averages of every source's layers.
 */
export async function pooledFeatures(
  sources: readonly FeatureSource[],
  size: { height: number; width: number },
  name: string,
): Promise<tf.LayersModel> {
  const layers: KerasLayer[] = [];
  const weights = new Map<string, tf.Tensor[]>();
  const pooled: string[] = [];
  let input: KerasLayer | undefined;
  let inputLayers: unknown[] = [];
  try {
    for (const source of sources) {
      const part = rebuilt(source, size);
      const prefix = source.prefix ?? "";
      const [own, ...rest] = part.topology.config.layers;
      const rename = (layer: string) => layer === own.name ? (input ?? own).name : prefix + layer;
      if (!input) {
        input = own;
        inputLayers = part.topology.config.input_layers;
        layers.push(own);
      }
      for (const layer of rest) {
        layer.name = prefix + layer.name;
        layer.config.name = layer.name;
        for (const node of layer.inbound_nodes) for (const from of node) from[0] = rename(from[0]);
        layers.push(layer);
      }
      for (const [layer, values] of part.weights) weights.set(prefix + layer, values);
      for (const [layer] of part.topology.config.output_layers) {
        const pool = `${rename(layer)}_pool`;
        layers.push(poolingLayer(pool, rename(layer)));
        pooled.push(pool);
      }
    }
    const output = pooled.length === 1 ? pooled[0] : "features";
    if (pooled.length > 1) layers.push(concatenateLayer(output, pooled));
    const topology: KerasTopology = {
      class_name: "Model",
      config: { name, layers, input_layers: inputLayers, output_layers: [[output, 0, 0]] },
    };
    const model = await tf.models.modelFromJSON(
      { modelTopology: topology as unknown as tf.io.ModelJSON["modelTopology"] } as never,
    );
    for (const [layer, values] of weights) model.getLayer(layer).setWeights(values);
    model.trainable = false;
    return model;
  } finally {
    for (const values of weights.values()) tf.dispose(values);
  }
}

/**
 * One network's layers' outputs as they are, not averaged: a frozen model from `[n, size.height,
 * size.width, channels]` images to one map per layer, in the order given (the discriminator on
 * pretrained features, projected_discriminator.ts, reads maps at several scales).
 */
export async function featureMaps(
  source: FeatureSource,
  size: { height: number; width: number },
): Promise<tf.LayersModel> {
  const part = rebuilt(source, size);
  try {
    const model = await tf.models.modelFromJSON(
      { modelTopology: part.topology as unknown as tf.io.ModelJSON["modelTopology"] } as never,
    );
    for (const [layer, values] of part.weights) model.getLayer(layer).setWeights(values);
    model.trainable = false;
    return model;
  } finally {
    for (const values of part.weights.values()) tf.dispose(values);
  }
}

/** A source's network cut after its last contributing layer, rebuilt for `size`, batch norms folded. */
function rebuilt(source: FeatureSource, size: { height: number; width: number }) {
  const topology = source.network.toJSON(undefined, false) as unknown as KerasTopology;
  const { config } = topology;
  const positions = source.layers.map((layer) => {
    const position = config.layers.findIndex((l) => l.name === layer);
    if (position < 0) throw new Error(`The network ${source.network.name} has no layer ${layer}.`);
    return position;
  });
  config.layers = config.layers.slice(0, Math.max(...positions) + 1);
  if (config.layers[0].class_name !== "InputLayer") {
    throw new Error(`The network ${source.network.name} does not start with its input layer.`);
  }
  config.output_layers = source.layers.map((layer) => [layer, 0, 0]);
  const shape = config.layers[0].config.batch_input_shape as number[];
  config.layers[0].config.batch_input_shape = [null, size.height, size.width, shape[3]];
  const folded = foldBatchNorms(topology, (layer) => source.network.getLayer(layer).getWeights());
  for (const layer of folded.topology.config.layers) {
    if (layer.class_name === "ReLU" && layer.config.max_value === 6) {
      layer.class_name = "Activation";
      layer.config = { name: layer.name, trainable: false, activation: "relu6" };
    }
  }
  return folded;
}

function poolingLayer(name: string, from: string): KerasLayer {
  return {
    name,
    class_name: "GlobalAveragePooling2D",
    config: { name, trainable: false, data_format: "channels_last" },
    inbound_nodes: [[[from, 0, 0, {}]]],
  };
}

function concatenateLayer(name: string, from: readonly string[]): KerasLayer {
  return {
    name,
    class_name: "Concatenate",
    config: { name, trainable: false, axis: -1 },
    inbound_nodes: [from.map((layer): [string, number, number, unknown] => [layer, 0, 0, {}])],
  };
}
