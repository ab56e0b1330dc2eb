/**
 * DCGAN checkpoints: both networks, both Adam states, and where the run stands, in one folder that is
 * replaced atomically, so `--resume` continues exactly where an interrupted run stopped.
 *
 * ```
 * runs/dcgan/<name>/checkpoint/
 *   generator/model.json, generator/weights.bin
 *   discriminator/model.json, discriminator/weights.bin
 *   generator_average/model.json, .../weights.bin                 the weight average (runs that keep one)
 *   generator_adam.json + .bin, discriminator_adam.json + .bin   Adam moments and iteration count
 *   state.json                                                   GanState
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { readTextIfExists, writeFolderAtomically } from "../util/files.ts";
import { loadModelFiles, saveModelFiles } from "../models/saved.ts";
import {
  encodeOptimizerState,
  type NamedTensor,
  readOptimizerState,
  writeOptimizerState,
} from "../training/optimizer_state.ts";
import type { FusedAdamOptimizer } from "../training/adam.ts";

/** Where a DCGAN run stands; enough to continue it. */
export interface GanState {
  /** Gradient steps done (one discriminator and one generator update each). */
  step: number;
  /** Epochs fully done. */
  epoch: number;
  /** Batches done of the epoch in progress. */
  batchInEpoch: number;
  /** Seconds spent in training steps so far. */
  trainSeconds: number;
}

/** The networks and optimizers a run trains. */
export interface GanNetworks {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  /** Adam (createAdam), whose learning rate a schedule sets before each step. */
  generatorOptimizer: FusedAdamOptimizer;
  discriminatorOptimizer: FusedAdamOptimizer;
  /** The moving average of the generator's weights (ema.ts), which samples come from when present. */
  average?: tf.LayersModel;
}

/** A checkpoint read back (optimizer states are applied by {@linkcode restoreOptimizers}). */
export interface GanCheckpoint {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  optimizerWeights: { generator: NamedTensor[]; discriminator: NamedTensor[] };
  state: GanState;
  average?: tf.LayersModel;
}

const AVERAGE = "generator_average";

const PARTS = ["generator", "discriminator"] as const;

/** Writes a checkpoint into `dir`, replacing the previous one atomically. */
export async function saveGanCheckpoint(dir: string, nets: GanNetworks, state: GanState): Promise<void> {
  const optimizers = {
    generator: await encodeOptimizerState(nets.generatorOptimizer),
    discriminator: await encodeOptimizerState(nets.discriminatorOptimizer),
  };
  await writeFolderAtomically(dir, async (tmp) => {
    for (const part of PARTS) {
      await saveModelFiles(nets[part], join(tmp, part));
      await writeOptimizerState(tmp, `${part}_adam`, optimizers[part]);
    }
    if (nets.average) await saveModelFiles(nets.average, join(tmp, AVERAGE));
    await Deno.writeTextFile(join(tmp, "state.json"), JSON.stringify(state, null, 2));
  });
}

/** Reads the checkpoint in `dir`, or undefined when there is none. */
export async function loadGanCheckpoint(dir: string): Promise<GanCheckpoint | undefined> {
  const stateText = await readTextIfExists(join(dir, "state.json"));
  if (stateText === undefined) return undefined;
  try {
    const state = JSON.parse(stateText) as GanState;
    const optimizerWeights = { generator: [] as NamedTensor[], discriminator: [] as NamedTensor[] };
    for (const part of PARTS) optimizerWeights[part] = await readOptimizerState(dir, `${part}_adam`);
    const generator = await loadModelFiles(join(dir, "generator"));
    const discriminator = await loadModelFiles(join(dir, "discriminator"));
    const average = await exists(join(dir, AVERAGE, "model.json"))
      ? await loadModelFiles(join(dir, AVERAGE))
      : undefined;
    return { generator, discriminator, optimizerWeights, state, ...(average ? { average } : {}) };
  } catch (error) {
    throw new Error(
      `DCGAN checkpoint ${dir} is damaged (${(error as Error).message}). ` +
        `Delete it and train again without --resume.`,
    );
  }
}

/** Puts saved Adam states back into fresh optimizers (the moments are matched by variable order). */
export async function restoreOptimizers(nets: GanNetworks, checkpoint: GanCheckpoint): Promise<void> {
  await nets.generatorOptimizer.setWeights(checkpoint.optimizerWeights.generator);
  await nets.discriminatorOptimizer.setWeights(checkpoint.optimizerWeights.discriminator);
}

/** Loads the generator that samples come from: the weight average when the run keeps one. */
export async function loadGenerator(dir: string): Promise<tf.LayersModel> {
  const average = join(dir, AVERAGE);
  return loadModelFiles(await exists(join(average, "model.json")) ? average : join(dir, "generator"));
}

async function exists(path: string): Promise<boolean> {
  return (await readTextIfExists(path)) !== undefined;
}
