/**
 * An optimizer's state (iteration count, moments, running averages) as two files in a checkpoint
 * folder, `<name>.json` (the weight specs) and `<name>.bin` (the values), in TensorFlow.js's weight
 * format. Used by the genre CNN's and the DCGAN's checkpoints.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";

/** A named tensor, as optimizers save and restore their state. */
export type NamedTensor = { name: string; tensor: tf.Tensor };

/** Encoded state of an optimizer, ready to be written by {@linkcode writeOptimizerState}. */
export type EncodedOptimizerState = { data: ArrayBuffer; specs: tf.io.WeightsManifestEntry[] };

/** Reads an optimizer's state into memory (do it before the training step changes it). */
export async function encodeOptimizerState(optimizer: tf.Optimizer): Promise<EncodedOptimizerState> {
  const { data, specs } = await tf.io.encodeWeights(await optimizer.getWeights());
  return { data: data as ArrayBuffer, specs };
}

/** Writes `<dir>/<name>.bin` and `<dir>/<name>.json`. */
export async function writeOptimizerState(
  dir: string,
  name: string,
  state: EncodedOptimizerState,
): Promise<void> {
  await Deno.writeFile(join(dir, `${name}.bin`), new Uint8Array(state.data));
  await Deno.writeTextFile(join(dir, `${name}.json`), JSON.stringify(state.specs));
}

/** Reads the state written by {@linkcode writeOptimizerState}, for `optimizer.setWeights`. */
export async function readOptimizerState(dir: string, name: string): Promise<NamedTensor[]> {
  const specs = JSON.parse(
    await Deno.readTextFile(join(dir, `${name}.json`)),
  ) as tf.io.WeightsManifestEntry[];
  const bytes = await Deno.readFile(join(dir, `${name}.bin`));
  const named = tf.io.decodeWeights(bytes.slice().buffer, specs);
  return specs.map((spec) => ({ name: spec.name, tensor: named[spec.name] }));
}
