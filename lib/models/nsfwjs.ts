/**
 * Loading a network that the npm package `nsfwjs` 4.4 (MIT) bundles as JavaScript modules: the weights
 * install with the package, so nothing is downloaded. mobilenet_v2.ts and inception_v3.ts build feature
 * extractors from what this returns.
 *
 * ```ts
 * import { MobileNetV2Model } from "nsfwjs/models/mobilenet_v2";
 * import { loadNsfwjsNetwork } from "./nsfwjs.ts";
 * const model = await loadNsfwjsNetwork("MobileNetV2", MobileNetV2Model);
 * ```
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { load } from "nsfwjs/core";

/** The bundled network `name` with its model definition (from `nsfwjs/models/...`), as a layers model. */
export async function loadNsfwjsNetwork(name: string, definition: unknown): Promise<tf.LayersModel> {
  const info = console.info;
  console.info = () => {}; // nsfwjs announces the model it loads
  try {
    const loaded = await load(name, { modelDefinitions: [definition] } as never);
    return (loaded as unknown as { model: tf.LayersModel }).model;
  } finally {
    console.info = info;
  }
}

/**
 * What `build` makes from the loaded `networks` (a feature extractor, which holds its own copies of
 * the weights); the networks are disposed afterwards, whatever happens.
 */
export async function fromNetworks<T>(
  networks: Promise<tf.LayersModel>[],
  build: (...loaded: tf.LayersModel[]) => Promise<T>,
): Promise<T> {
  const settled = await Promise.allSettled(networks);
  const loaded = settled.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
  try {
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return await build(...loaded);
  } finally {
    for (const network of loaded) network.dispose();
  }
}
