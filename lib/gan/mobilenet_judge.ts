/**
 * A second independent judge for `deno task fid --network mobilenet_v2`: the MobileNetV2 that nsfwjs
 * bundles, rebuilt for the images' own size and reading them there, with no resize: 1,280 features of
 * its last convolution, averaged over the map. InceptionV3 (inception_distance.ts) blows a 64x96 poster
 * up to 299x299 first, which favours smooth images (docs/dcgan.md, "What the independent judge rewards");
 * this one reads the pixels as they are. It needs images of at least 32x32 (MobileNetV2 strides by 32).
 *
 * ```ts
 * import { loadMobileNetJudge } from "./mobilenet_judge.ts";
 * const judge = await loadMobileNetJudge({ width: 64, height: 96 });
 * judge.dispose();
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { loadMobileNetV2Features, MOBILENET_V2_FEATURES } from "../models/mobilenet_v2.ts";
import type { ImageJudge } from "./inception_distance.ts";

/** How reports name this judge, with what its features have seen. */
export const MOBILENET_JUDGE_NAME =
  "MobileNetV2 (nsfwjs 4.4: ImageNet, fine-tuned on 5 content classes), at the images' own size";

/** What `fid` prints of its features. */
export const MOBILENET_JUDGE_FEATURES = `${MOBILENET_V2_FEATURES} features of its last convolution, averaged`;

/** The judge for images of `size` (pixels 0..255, scaled to [0, 1] as nsfwjs feeds it). */
export async function loadMobileNetJudge(size: { width: number; height: number }): Promise<ImageJudge> {
  const model = await loadMobileNetV2Features(size);
  return {
    name: MOBILENET_JUDGE_NAME,
    features: (pixels) => tf.tidy(() => model.predict(pixels.toFloat().div(255)) as tf.Tensor2D),
    dispose: () => model.dispose(),
  };
}
