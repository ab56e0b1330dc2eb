/**
 * Training checkpoints: everything needed to continue an interrupted run where it stopped.
 *
 * ```
 * runs/cnn/<run name>/checkpoint/       (cnnRunName: the model name without _e<epochs>; run.ts)
 *   model.json, weights.bin            the model (as in a saved model)
 *   optimizer.json, optimizer.bin      RMSprop's state (iteration count, running averages)
 *   best_weights.json, .bin            the best epoch's weights, when the model has moved on from them
 *   state.json                         CheckpointState: position in the run, history, configs
 * ```
 *
 * Written with {@linkcode writeFolderAtomically}, so a crash while writing keeps the previous one.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import type { DatasetConfig, ModelConfig } from "../config.ts";
import { pathExists, readTextIfExists, writeFolderAtomically } from "../util/files.ts";
import { loadModelFiles, saveModelFiles } from "../models/saved.ts";
import type { EpochRecord } from "../models/metadata.ts";
import {
  encodeOptimizerState,
  type NamedTensor,
  readOptimizerState,
  writeOptimizerState,
} from "./optimizer_state.ts";

const BEST_WEIGHTS = "best_weights";

/** Where a run stands. */
export interface CheckpointState {
  dataset: DatasetConfig;
  model: ModelConfig;
  /** Epochs fully done (training and validation). */
  epochsDone: number;
  /** Batches done of the epoch in progress (0 at an epoch boundary). */
  batchesDone: number;
  /** Sum of batch losses × batch sizes and images seen in the epoch in progress. */
  epochLossSum: number;
  epochImages: number;
  /** Seconds of training steps in the epoch in progress, and over the whole run. */
  epochTrainSeconds: number;
  trainSeconds: number;
  history: EpochRecord[];
  /** The epoch with the lowest validation loss so far (1-based; 0 before the first epoch ends). */
  bestEpoch: number;
  /** ISO time the checkpoint was written. */
  savedAt: string;
}

/** A checkpoint read back. */
export interface Checkpoint {
  model: tf.LayersModel;
  optimizerWeights: NamedTensor[];
  /** The best epoch's weights in `model.getWeights()` order, when the checkpoint holds them. */
  bestWeights?: tf.Tensor[];
  state: CheckpointState;
}

/** Writes a checkpoint into `dir`, replacing the previous one atomically. */
export async function saveCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: CheckpointState,
  bestWeights?: readonly tf.Tensor[],
): Promise<void> {
  const optimizerState = await encodeOptimizerState(optimizer);
  const best = bestWeights &&
    await tf.io.encodeWeights(bestWeights.map((tensor, i) => ({ name: `best_${i}`, tensor })));
  await writeFolderAtomically(dir, async (tmp) => {
    await saveModelFiles(model, tmp);
    await writeOptimizerState(tmp, "optimizer", optimizerState);
    if (best) {
      await writeOptimizerState(tmp, BEST_WEIGHTS, { data: best.data as ArrayBuffer, specs: best.specs });
    }
    await Deno.writeTextFile(join(tmp, "state.json"), JSON.stringify(state, null, 2));
  });
}

/** Reads the checkpoint in `dir`, or undefined when there is none. */
export async function loadCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  const stateText = await readTextIfExists(join(dir, "state.json"));
  if (stateText === undefined) return undefined;
  try {
    const state = JSON.parse(stateText) as CheckpointState;
    state.bestEpoch ??= 0;
    const optimizerWeights = await readOptimizerState(dir, "optimizer");
    const bestWeights = await pathExists(join(dir, `${BEST_WEIGHTS}.json`))
      ? (await readOptimizerState(dir, BEST_WEIGHTS)).map((w) => w.tensor)
      : undefined;
    const model = await loadModelFiles(dir);
    return { model, optimizerWeights, bestWeights, state };
  } catch (error) {
    throw new Error(
      `Checkpoint ${dir} is damaged (${(error as Error).message}). Delete ${dir} and train without --resume.`,
    );
  }
}

/** Removes a run's folder with its checkpoint (the CNN's, once its model is saved). */
export async function removeCheckpoint(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}
