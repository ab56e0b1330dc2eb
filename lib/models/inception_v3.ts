/**
 * A frozen InceptionV3 feature extractor: the network behind FID (Heusel et al., 2017), as close to it as
 * this project can get offline, to judge generated posters with features that are not our own.
 *
 * The weights are the ones the npm package `nsfwjs` 4.4 (MIT) bundles as JavaScript modules under
 * `dist/models/inception_v3/`: a TF.js layers InceptionV3 (Szegedy et al., 2016; 299x299 input),
 * ImageNet-initialised and then fine-tuned by nsfwjs's authors on a 5-class content task (drawing,
 * hentai, neutral, porn, sexy), weights uint8-quantised (~29 MB of JavaScript). They install with the
 * package; nothing is downloaded. So its features have seen ImageNet's photographs and then web images
 * sorted into those five classes; they have never been taught movie genres (unlike the genre CNN of
 * lib/gan/quality_cnn.ts), and they are NOT the features of the reference FID network (the TF-slim
 * ImageNet InceptionV3 of pytorch-fid and TTUR): distances here are comparable only with each other.
 *
 * The features are FID's: the 2048 channels of the last mixed block (`mixed10`, 8x8 at 299x299),
 * averaged over the whole map. Input is nsfwjs's: RGB scaled to [0, 1] (pixels / 255), 299x299.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { inceptionV3Input, loadInceptionV3Features } from "./inception_v3.ts";
 * declare const pixels: tf.Tensor4D; // [n, 96, 64, 3], 0..255
 * const extractor = await loadInceptionV3Features();
 * const features = extractor.predict(inceptionV3Input(pixels)) as tf.Tensor2D; // [n, 2048]
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fromNetworks, loadNsfwjsNetwork } from "./nsfwjs.ts";
import { pooledFeatures } from "./pooled_features.ts";
import { InceptionV3Model } from "nsfwjs/models/inception_v3";

/** Features per image: the channels of InceptionV3's last mixed block. */
export const INCEPTION_V3_FEATURES = 2048;

/** The side of the square images the network was trained on. */
export const INCEPTION_V3_SIZE = 299;

/** The last mixed block, whose output is pooled into the features. */
const LAST_MIXED_BLOCK = "mixed10";

/**
 * The blocks a genre model's pretrained branch averages (768 channels each, at a sixteenth of the
 * poster's side): after the first grid reduction, before the second.
 */
export const INCEPTION_V3_BRANCH_BLOCKS: readonly string[] = ["mixed4", "mixed5", "mixed6", "mixed7"];

/** The smallest side the network reads: its valid convolutions and pools need 75 pixels. */
export const INCEPTION_V3_MIN_SIDE = 75;

/** The bundled InceptionV3 as nsfwjs loads it (299x299; the caller disposes it). */
export function loadInceptionV3(): Promise<tf.LayersModel> {
  return loadNsfwjsNetwork("InceptionV3", InceptionV3Model);
}

/**
 * Loads the bundled InceptionV3 as a frozen model from [n, 299, 299, 3] images in [0, 1] to their
 * [n, 2048] features.
 */
export async function loadInceptionV3Features(): Promise<tf.LayersModel> {
  // nsfwjs's own head pools mixed10 8x8 (all of it) and flattens: the same means. Frozen, so its
  // batch norms fold into the convolutions, which makes a batch about a third faster.
  const size = { height: INCEPTION_V3_SIZE, width: INCEPTION_V3_SIZE };
  return await fromNetworks(
    [loadInceptionV3()],
    (network) => pooledFeatures([{ network, layers: [LAST_MIXED_BLOCK] }], size, "inception_v3_features"),
  );
}

/**
 * RGB pixels (0..255, any size) as the network's input, the way nsfwjs prepares an image: scaled to
 * [0, 1], then resized bilinearly (corners aligned) to 299x299, aspect ratio not kept.
 */
export function inceptionV3Input(pixels: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const unit = pixels.toFloat().div(255) as tf.Tensor4D;
    const [, height, width] = pixels.shape;
    if (height === INCEPTION_V3_SIZE && width === INCEPTION_V3_SIZE) return unit;
    return tf.image.resizeBilinear(unit, [INCEPTION_V3_SIZE, INCEPTION_V3_SIZE], true);
  });
}
