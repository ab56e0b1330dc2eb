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
import { fromNetworks, loadNsfwjsNetwork } from "./nsfwjs.ts";
import { pooledFeatures } from "./pooled_features.ts";
import { MobileNetV2Model } from "nsfwjs/models/mobilenet_v2";

/** Features per poster: the channels of MobileNetV2's last convolution. */
export const MOBILENET_V2_FEATURES = 1280;

/** The layer whose output is pooled into the features. */
export const LAST_CONV_OUTPUT = "out_relu";

/** The bundled MobileNetV2 as nsfwjs loads it (224x224; the caller disposes it). */
export function loadMobileNetV2(): Promise<tf.LayersModel> {
  return loadNsfwjsNetwork("MobileNetV2", MobileNetV2Model);
}

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
  // Everything up to the last convolution's ReLU: the pooling and dense head are sized for 224x224.
  // Frozen, so its batch norms fold into the convolutions: the same features, in a third of the time.
  return await fromNetworks(
    [loadMobileNetV2()],
    (network) => pooledFeatures([{ network, layers: [LAST_CONV_OUTPUT] }], size, "mobilenet_v2_features"),
  );
}
