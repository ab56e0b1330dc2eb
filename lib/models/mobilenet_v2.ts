/**
 * A frozen MobileNetV2 feature extractor, for measuring transfer learning against training from scratch.
 *
 * The weights are the ones the npm package `nsfwjs` 4.4 (MIT) bundles as JavaScript modules under
 * `dist/models/mobilenet_v2/`: a TF.js layers MobileNetV2 (width 1.0, 224x224 input), ImageNet-initialised
 * and then fine-tuned by nsfwjs's authors on a 5-class content task (drawing, hentai, neutral, porn,
 * sexy), weights uint8-quantised (~3.6 MB). They install with the package; nothing is downloaded.
 *
 * The network is fully convolutional up to its last ReLU (`out_relu`, 1280 channels), so it is rebuilt
 * here for the posters' own size and ends with a global average pooling instead of nsfwjs's fixed 7x7
 * pooling and dense head: a poster in [0, 1] (as nsfwjs scales its input) gives 1280 features.
 *
 * ```ts
 * import type * as tf from "@tensorflow/tfjs";
 * import { loadMobileNetV2Features } from "./mobilenet_v2.ts";
 * declare const images: tf.Tensor4D; // [n, 80, 55, 3]
 * const extractor = await loadMobileNetV2Features({ height: 80, width: 55 });
 * const features = extractor.predict(images) as tf.Tensor2D; // [n, 1280]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { foldBatchNorms, type KerasTopology } from "./fold_batch_norm.ts";
import { loadNsfwjsNetwork } from "./nsfwjs.ts";
import { MobileNetV2Model } from "nsfwjs/models/mobilenet_v2";

/** Features per poster: the channels of MobileNetV2's last convolution. */
export const MOBILENET_V2_FEATURES = 1280;

/** The layer whose output is pooled into the features. */
const LAST_CONV_OUTPUT = "out_relu";

/** Loads the bundled MobileNetV2 rebuilt for `height` x `width` inputs, frozen, ending in 1280 features. */
export async function loadMobileNetV2Features(
  size: { height: number; width: number },
): Promise<tf.LayersModel> {
  if (size.height < 32 || size.width < 32) {
    throw new Error(
      `MobileNetV2 needs images of at least 32x32 pixels (it strides by 32), got ${size.width}x${size.height}: ` +
        `use --ratio 18 or more.`,
    );
  }
  const original = await loadNsfwjsNetwork("MobileNetV2", MobileNetV2Model);
  try {
    const topology = original.toJSON(undefined, false) as unknown as KerasTopology;
    // Everything up to the last convolution's ReLU: the pooling and dense head are sized for 224x224.
    const { config } = topology;
    config.layers = config.layers.slice(0, config.layers.findIndex((l) => l.name === LAST_CONV_OUTPUT) + 1);
    config.output_layers = [[LAST_CONV_OUTPUT, 0, 0]];
    config.layers[0].config.batch_input_shape = [null, size.height, size.width, 3];
    // Frozen, so its batch norms fold into the convolutions: the same features, in a third of the time.
    const folded = foldBatchNorms(topology, (name) => original.getLayer(name).getWeights());
    for (const layer of folded.topology.config.layers) {
      if (layer.class_name === "ReLU" && layer.config.max_value === 6) {
        layer.class_name = "Activation";
        layer.config = { name: layer.name, trainable: false, activation: "relu6" };
      }
    }
    const resized = await tf.models.modelFromJSON(
      { modelTopology: folded.topology as unknown as tf.io.ModelJSON["modelTopology"] } as never,
    );
    for (const [name, weights] of folded.weights) {
      resized.getLayer(name).setWeights(weights);
      tf.dispose(weights);
    }
    const pooled = tf.layers.globalAveragePooling2d({}).apply(resized.outputs[0]) as tf.SymbolicTensor;
    const extractor = tf.model({ inputs: resized.inputs, outputs: pooled, name: "mobilenet_v2_features" });
    extractor.trainable = false;
    return extractor;
  } finally {
    original.dispose();
  }
}
