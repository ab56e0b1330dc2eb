/**
 * Checkpoints of the training loop: every network, optimizer state and extra tensor list a task
 * names, with where the run stands, in one folder replaced atomically, so a crash while writing keeps
 * the previous checkpoint and `--resume` continues exactly where a run stopped.
 *
 * ```
 * <run>/checkpoint/
 *   <model>/model.json, <model>/weights.bin      each network (as in a saved model)
 *   <optimizer>.json, <optimizer>.bin            each optimizer's state (iteration count, moments)
 *   <tensors>.json, <tensors>.bin                each extra tensor list (e.g. the best epoch's weights)
 *   state.json                                   CheckpointState: position, the run's identity, the
 *                                                task's own state and the names of the parts above
 * ```
 *
 * `state.json` carries a `format` number; {@linkcode upgradeCheckpointState} reads every older format.
 *
 * A crash in the middle of replacing the folder leaves the complete copy beside it
 * (`checkpoint.tmp-<pid>/` or `checkpoint.old-<pid>/`): every read puts it back first
 * ({@linkcode recoverCheckpoint}) and says so.
 *
 * @example A round trip
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * declare const model: tf.LayersModel, optimizer: tf.Optimizer;
 * const position = { step: 10, epoch: 1, batchInEpoch: 0, trainSeconds: 3.2 };
 * await saveCheckpoint("runs/x/checkpoint", { models: { model }, optimizers: { optimizer } }, {
 *   position,
 *   identity: { seed: 1 },
 *   task: {},
 * });
 * const saved = await loadCheckpoint("runs/x/checkpoint");
 * console.log(saved?.state.position.step); // 10
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import {
  type FolderOptions,
  pathExists,
  readTextIfExists,
  recoverFolder,
  writeFolderAtomically,
} from "../util/files.ts";
import type { Log } from "../util/log.ts";
import { loadModelFiles, saveModelFiles } from "../models/saved.ts";
import {
  encodeOptimizerState,
  type NamedTensor,
  readOptimizerState,
  writeOptimizerState,
} from "./optimizer_state.ts";

/** The format of `state.json` this code writes. */
export const CHECKPOINT_FORMAT = 2;

/** The file of a checkpoint written last. */
const STATE_JSON = "state.json";

/** Where a run stands: the one position record of every training run. */
export interface Position {
  /** Steps done over the whole run. */
  step: number;
  /** Epochs fully done (for the genre CNN: trained and validated). */
  epoch: number;
  /** Steps done of the epoch in progress (0 at an epoch boundary). */
  batchInEpoch: number;
  /** Seconds spent in training steps over the whole run, resumed parts included. */
  trainSeconds: number;
}

/** What a task hands the loop to save. */
export interface CheckpointParts {
  /** Networks, each saved in a folder of its name. */
  models: Record<string, tf.LayersModel>;
  /** Optimizers whose state (iteration count, moments) resumes exactly. */
  optimizers: Record<string, tf.Optimizer>;
  /** Other tensor lists, e.g. the best epoch's weights; a list that is undefined is not written. */
  tensors?: Record<string, readonly tf.Tensor[] | undefined>;
}

/** `state.json`: the position, what must match to resume, the task's own state, the parts' names. */
export interface CheckpointState<TaskState = unknown> {
  format: number;
  position: Position;
  /** The settings a resume must match (apart from those the task lets change). */
  identity: unknown;
  /** The task's own state (e.g. the CNN's history and best epoch). */
  task: TaskState;
  parts: { models: string[]; optimizers: string[]; tensors: string[] };
  /** ISO time the checkpoint was written. */
  savedAt: string;
}

/** A checkpoint read back; the caller owns (and disposes) its models and tensors. */
export interface LoadedCheckpoint<TaskState = unknown> {
  models: Record<string, tf.LayersModel>;
  optimizers: Record<string, NamedTensor[]>;
  tensors: Record<string, tf.Tensor[]>;
  state: CheckpointState<TaskState>;
}

/** Writes a checkpoint into `dir`, replacing the previous one atomically. */
export async function saveCheckpoint(
  dir: string,
  parts: CheckpointParts,
  record: { position: Position; identity: unknown; task: unknown },
  log?: Log,
): Promise<void> {
  const optimizers = await Promise.all(
    Object.entries(parts.optimizers).map(async ([name, o]) => [name, await encodeOptimizerState(o)] as const),
  );
  const tensors = await Promise.all(
    Object.entries(parts.tensors ?? {}).filter(([, list]) => list !== undefined).map(async ([name, list]) => {
      const encoded = await tf.io.encodeWeights(list!.map((tensor, i) => ({ name: `${name}_${i}`, tensor })));
      return [name, { data: encoded.data as ArrayBuffer, specs: encoded.specs }] as const;
    }),
  );
  const state: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    position: { ...record.position },
    identity: record.identity,
    task: record.task,
    parts: {
      models: Object.keys(parts.models),
      optimizers: optimizers.map(([name]) => name),
      tensors: tensors.map(([name]) => name),
    },
    savedAt: new Date().toISOString(),
  };
  await writeFolderAtomically(dir, async (tmp) => {
    for (const [name, model] of Object.entries(parts.models)) await saveModelFiles(model, join(tmp, name));
    for (const [name, encoded] of [...optimizers, ...tensors]) await writeOptimizerState(tmp, name, encoded);
    await Deno.writeTextFile(join(tmp, STATE_JSON), JSON.stringify(state, null, 2));
  }, checkpointFolderOptions(log));
}

function checkpointFolderOptions(log: Log | undefined): FolderOptions {
  // state.json is written last: a copy from before completion markers is whole when it has one.
  return { complete: (folder) => pathExists(join(folder, STATE_JSON)), log };
}

/**
 * Finishes a replacement of the checkpoint folder `dir` that a crash interrupted (see
 * {@linkcode recoverFolder}), saying what it did through `log`; returns that line, or undefined.
 */
export function recoverCheckpoint(dir: string, log?: Log): Promise<string | undefined> {
  return recoverFolder(dir, checkpointFolderOptions(log));
}

/** Reads the `state.json` of the checkpoint in `dir` (upgraded to the current format), or undefined. */
export async function readCheckpointState<TaskState = unknown>(
  dir: string,
  log?: Log,
): Promise<CheckpointState<TaskState> | undefined> {
  await recoverCheckpoint(dir, log);
  const text = await readTextIfExists(join(dir, STATE_JSON));
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw damaged(dir, error);
  }
  return await upgradeCheckpointState(dir, raw) as CheckpointState<TaskState>;
}

/** Reads the checkpoint in `dir`, or undefined when there is none. */
export async function loadCheckpoint<TaskState = unknown>(
  dir: string,
  log?: Log,
): Promise<LoadedCheckpoint<TaskState> | undefined> {
  const state = await readCheckpointState<TaskState>(dir, log);
  if (!state) return undefined;
  const models: Record<string, tf.LayersModel> = {};
  try {
    const optimizers: Record<string, NamedTensor[]> = {};
    for (const name of state.parts.optimizers) optimizers[name] = await readOptimizerState(dir, name);
    const tensors: Record<string, tf.Tensor[]> = {};
    for (const name of state.parts.tensors) {
      tensors[name] = (await readOptimizerState(dir, name)).map((w) => w.tensor);
    }
    for (const name of state.parts.models) models[name] = await loadModelFiles(join(dir, name));
    return { models, optimizers, tensors, state };
  } catch (error) {
    Object.values(models).forEach((m) => m.dispose());
    throw damaged(dir, error);
  }
}

/**
 * Brings a `state.json` of any format to the current one.
 *
 * - format 1 (no `format` key), written by the DCGAN before the loop was shared: the position's four
 *   numbers at the top level, the parts fixed by name (the weight average only when its folder exists).
 * - format 1 of the genre CNN (`epochsDone`): its batches were counted by another rule, so the position
 *   cannot be carried over; refused with what to do.
 */
export async function upgradeCheckpointState(dir: string, raw: unknown): Promise<CheckpointState> {
  const record = (raw ?? {}) as Record<string, unknown>;
  if (record.format === CHECKPOINT_FORMAT) return record as unknown as CheckpointState;
  if (record.format === undefined && typeof record.epochsDone === "number") {
    throw new Error(
      `Checkpoint ${dir} was written by an older posterlab whose epochs had another number of batches, ` +
        `so it cannot resume exactly: delete ${dir} and train without --resume.`,
    );
  }
  if (record.format === undefined && typeof record.step === "number") {
    const { step, epoch, batchInEpoch, trainSeconds } = record as unknown as Position;
    const average = await pathExists(join(dir, "generator_average", "model.json"));
    return {
      format: CHECKPOINT_FORMAT,
      position: { step, epoch, batchInEpoch, trainSeconds },
      identity: undefined,
      task: {},
      parts: {
        models: ["generator", "discriminator", ...(average ? ["generator_average"] : [])],
        optimizers: ["generator_adam", "discriminator_adam"],
        tensors: [],
      },
      savedAt: "",
    };
  }
  throw new Error(
    `Checkpoint ${dir} has format ${JSON.stringify(record.format)}, which this posterlab does not know ` +
      `(it reads formats 1 to ${CHECKPOINT_FORMAT}): update posterlab, or delete ${dir} and start over.`,
  );
}

/** Removes a run's folder with its checkpoint (the CNN's, once its model is saved). */
export async function removeCheckpoint(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

function damaged(dir: string, error: unknown): Error {
  return new Error(
    `Checkpoint ${dir} is damaged (${(error as Error).message}). Delete ${dir} and train without --resume.`,
  );
}
