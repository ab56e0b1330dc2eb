/**
 * The one training loop of posterlab, for any network: the genre CNN (lib/genre/) and the DCGAN
 * (lib/gan/) are tasks that plug into it, as models plug into minGPT's trainer.
 *
 * The loop owns what every run shares:
 * - the run folder's lock (one process trains in it at a time), its resume policy (lib/training/run.ts)
 *   and the check that a resumed run is the same run (its identity, apart from the settings the task
 *   lets change);
 * - one position record (step, epoch, step in the epoch, seconds of training steps);
 * - a seeded batch order with one steps-per-epoch rule and one per-step seed (batches.ts);
 * - one learning-rate schedule hook, set before every step;
 * - stopping by `AbortSignal`: answered before the next step, after a checkpoint, with
 *   {@linkcode TrainingInterrupted};
 * - timing and a progress bar;
 * - checkpoints every `checkpointEvery` steps and at every epoch end, through lib/training/checkpoint.ts;
 * - divergence: a non-finite loss a step reports, a {@linkcode NotFinite} a task throws, or non-finite
 *   weights (looked for at every epoch end and before every checkpoint, so a checkpoint never holds
 *   them) end the run with {@linkcode TrainingDiverged}, keeping the last good checkpoint.
 *
 * A task does one step on a batch, and whatever it does at step and epoch ends (validation and early
 * stopping, sample grids, quality figures), and says what its checkpoint holds.
 *
 * @example A task that counts the examples it sees
 * ```ts
 * import { trainLoop, type TrainingTask } from "./loop.ts";
 * let seen = 0;
 * const counter: TrainingTask = {
 *   step: ({ indices }) => {
 *     seen += indices.length;
 *     return Promise.resolve({ status: `${seen} seen` });
 *   },
 *   checkpointParts: () => ({ models: {}, optimizers: {} }),
 *   taskState: () => ({ seen }),
 *   dispose: () => {},
 * };
 * await trainLoop({ epochs: 2, batchSize: 4, count: 10, seed: 1, progress: false }, () => counter);
 * console.log(seen); // 16: two epochs of two full batches
 * ```
 *
 * @module
 */
import { dirname } from "node:path";
import { batchIndices, epochOrder, stepSeed, stepsPerEpoch } from "./batches.ts";
import {
  type CheckpointParts,
  loadCheckpoint,
  type LoadedCheckpoint,
  type Position,
  readCheckpointState,
  saveCheckpoint,
} from "./checkpoint.ts";
import type * as tf from "@tensorflow/tfjs";
import { checkResumable, checkResumePolicy, lockRun, type RunLock, TrainingInterrupted } from "./run.ts";
import { Progress } from "../util/progress.ts";

/** One step's inputs. */
export interface StepInput {
  /** The batch's example indices. */
  indices: Uint32Array;
  /** The position before this step. */
  position: Readonly<Position>;
  /** The seed of this step's own random draws (augmentation, noise). */
  seed: number;
  /** The learning rate the schedule set for this step, when there is a schedule. */
  learningRate?: number;
}

/** What a step reports. */
export interface StepReport {
  /** Text after the progress bar (e.g. the running loss). */
  status: string;
  /** The step's losses by name: one that is not finite ends the run with {@linkcode TrainingDiverged}. */
  losses?: Record<string, number>;
}

/**
 * Thrown by a task's hook when a value it computed is not finite (a loss, validation outputs); the
 * message says what (`the loss is NaN`), and the loop ends the run with {@linkcode TrainingDiverged}.
 */
export class NotFinite extends Error {
  override name = "NotFinite";
}

/**
 * Thrown when a run diverged (a loss, an output or a weight became NaN or infinite): the message names
 * the run, the step and what to do. No checkpoint is written with such weights: the last good one stays.
 */
export class TrainingDiverged extends Error {
  override name = "TrainingDiverged";
  /** The step (1-based) where it was found. */
  readonly step: number;
  /** The checkpoint folder, when it holds the last good checkpoint. */
  readonly checkpointDir?: string;
  constructor(message: string, step: number, checkpointDir?: string) {
    super(message);
    this.step = step;
    this.checkpointDir = checkpointDir;
  }
}

/**
 * What is not finite in the weights of `models` (e.g. `35 of 1214 weights of model are NaN or
 * infinite`), or undefined when every weight is finite. Reads every weight once.
 */
export async function nonFiniteWeights(models: Record<string, tf.LayersModel>): Promise<string | undefined> {
  const found: string[] = [];
  for (const [name, model] of Object.entries(models)) {
    let bad = 0, total = 0;
    for (const weight of model.weights) {
      const values = await weight.read().data();
      total += values.length;
      // x - x is 0 for every finite x, NaN for NaN and ±Infinity.
      for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) bad++;
    }
    if (bad > 0) found.push(`${bad} of ${total} weights of ${name}`);
  }
  return found.length ? `${found.join(", ")} are NaN or infinite` : undefined;
}

/** The model-specific part of a run; every hook but `step` is optional. */
export interface TrainingTask<TaskState = unknown> {
  /**
   * The schedule hook: sets the learning rate of step `step` (0-based over the run) on the task's
   * optimizers before the step, and returns it.
   */
  setLearningRate?(step: number): number;
  /**
   * Trains on one batch; throws to end the run ({@linkcode NotFinite} for a loss that is not finite, or
   * it reports its losses in `losses`).
   */
  step(input: StepInput): Promise<StepReport>;
  /** After each step, with the position after it (e.g. a sample grid every N steps). */
  afterStep?(position: Readonly<Position>): Promise<void>;
  /** After each epoch's last step, before its checkpoint (e.g. validation, quality figures). */
  endEpoch?(position: Readonly<Position>): Promise<void>;
  /** Whether the task ends the run before its epochs (early stopping); asked before each epoch. */
  stopsEarly?(position: Readonly<Position>): boolean;
  /** The networks, optimizer states and tensor lists a checkpoint holds. */
  checkpointParts(position: Readonly<Position>): CheckpointParts;
  /** The task's own state, saved beside the position (e.g. the history). */
  taskState(): TaskState;
  /** After each checkpoint (e.g. to write the run's record with the new position). */
  afterCheckpoint?(position: Readonly<Position>): Promise<void>;
  /** Releases the task's tensors when the run is interrupted (a finished run's task is the caller's). */
  dispose(): void;
}

/** How the loop runs. */
export interface LoopOptions {
  epochs: number;
  batchSize: number;
  /** Examples in the training set. */
  count: number;
  /** Seed of the batch order and of every step's own draws. */
  seed: number;
  /** The run's folder, named in messages and locked while the loop trains (default: checkpointDir's parent). */
  runDir?: string;
  /**
   * The run folder's lock when the caller holds it already (to keep it beyond the loop, e.g. while it
   * saves the result); without it the loop takes the lock of a run with a checkpoint folder and gives it
   * back when it ends (see lib/training/run.ts lockRun).
   */
  lock?: RunLock;
  /** The checkpoint folder; no checkpoints when undefined. */
  checkpointDir?: string;
  /**
   * Continue from the checkpoint in `checkpointDir`: an error when there is none; without it, an
   * existing checkpoint is an error (see lib/training/run.ts).
   */
  resume?: boolean;
  /** What a resumed run must match: the run's settings. */
  identity?: unknown;
  /** Keys of `identity` (dotted) a resume may change, e.g. `model.epochs`. */
  changeable?: readonly string[];
  /** Reads the identity of the saved run, when the checkpoint does not hold it (default: its state). */
  savedIdentity?: () => Promise<unknown>;
  /** Also checkpoint every this many steps (0: only at epoch ends). */
  checkpointEvery?: number;
  /** Stops the run before the next step, after a checkpoint. */
  signal?: AbortSignal;
  /** Progress: one bar per epoch (counting examples) or one for the whole run (counting steps). */
  progressPer?: "epoch" | "run";
  /** The label of the whole-run bar. */
  progressLabel?: string;
  /** Show progress (default true). */
  progress?: boolean;
  /** Where resume notes go. */
  log?: (line: string) => void;
  /** What the interruption message calls the run (default "Training"). */
  runLabel?: string;
}

/** What a finished loop returns. */
export interface LoopResult<T> {
  task: T;
  position: Position;
  stepsPerEpoch: number;
  /** The task ended the run before its epochs. */
  stoppedEarly: boolean;
}

/**
 * Opens the run (fresh, or resumed from its checkpoint), builds the task with `createTask` (which is
 * handed the checkpoint to resume and owns its tensors), and trains it to the end of its epochs.
 */
export async function trainLoop<T extends TrainingTask>(
  options: LoopOptions,
  createTask: (saved: LoadedCheckpoint | undefined, stepsPerEpoch: number) => T | Promise<T>,
): Promise<LoopResult<T>> {
  const steps = stepsPerEpoch(options.count, options.batchSize);
  if (steps < 1) {
    throw new Error(
      `The training set has ${options.count} examples, fewer than one batch of ${options.batchSize}: ` +
        `use a smaller --batch or a wider selection.`,
    );
  }
  const lock = options.lock ??
    (options.checkpointDir
      ? await lockRun(options.runDir ?? dirname(options.checkpointDir), options.log)
      : undefined);
  try {
    return await runLoop(options, createTask, steps);
  } finally {
    if (lock !== options.lock) await lock?.release();
  }
}

/** The loop itself, once the run folder is locked. */
async function runLoop<T extends TrainingTask>(
  options: LoopOptions,
  createTask: (saved: LoadedCheckpoint | undefined, stepsPerEpoch: number) => T | Promise<T>,
  steps: number,
): Promise<LoopResult<T>> {
  const saved = await openRun(options);
  const task = await createTask(saved, steps);
  const position: Position = saved
    ? { ...saved.state.position }
    : { step: 0, epoch: 0, batchInEpoch: 0, trainSeconds: 0 };
  const totalSteps = options.epochs * steps;
  let lastCheckpoint = saved?.state.position.step;
  // The step in progress, for messages: its number (1-based) and `step 7 (epoch 1, batch 7)`.
  let stepNumber = position.step;
  let where = `step ${position.step}`;
  const diverged = (what: string): TrainingDiverged => {
    task.dispose();
    return new TrainingDiverged(
      divergedMessage(options, where, what, lastCheckpoint),
      stepNumber,
      lastCheckpoint !== undefined ? options.checkpointDir : undefined,
    );
  };
  /** Runs a task hook, turning a {@linkcode NotFinite} into {@linkcode TrainingDiverged}. */
  const guard = async <R>(hook: () => Promise<R>): Promise<R> => {
    try {
      return await hook();
    } catch (error) {
      if (error instanceof NotFinite) throw diverged(error.message);
      throw error;
    }
  };
  const checkWeights = async () => {
    const what = await nonFiniteWeights(task.checkpointParts(position).models);
    if (what) throw diverged(what);
  };
  const checkpoint = async (checked = false) => {
    if (!options.checkpointDir) return;
    if (!checked) await checkWeights();
    await saveCheckpoint(options.checkpointDir, task.checkpointParts(position), {
      position,
      identity: options.identity,
      task: task.taskState(),
    }, options.log);
    lastCheckpoint = position.step;
    await task.afterCheckpoint?.(position);
  };
  const show = options.progress ?? true;
  const runBar = options.progressPer === "run"
    ? new Progress(options.progressLabel ?? "training", Math.max(1, totalSteps - position.step), {
      unit: "steps",
      ...(show ? {} : { sink: () => {} }),
    })
    : undefined;
  let stoppedEarly = false;
  while (position.epoch < options.epochs) {
    if (task.stopsEarly?.(position)) {
      stoppedEarly = true;
      break;
    }
    const order = epochOrder(options.count, options.seed, position.epoch);
    const epochBar = !runBar && show
      ? new Progress(
        `epoch ${position.epoch + 1}/${options.epochs}${position.batchInEpoch > 0 ? " (resumed)" : ""}`,
        (steps - position.batchInEpoch) * options.batchSize,
        { unit: "images" },
      )
      : undefined;
    for (let b = position.batchInEpoch; b < steps; b++) {
      // A macrotask turn, so signal listeners (Ctrl-C) can run: on wasm and native every await in a
      // step may resolve as a microtask, and without this a listener never fires during a run.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (options.signal?.aborted) {
        (runBar ?? epochBar)?.finish();
        await checkpoint();
        task.dispose();
        throw new TrainingInterrupted(
          `${options.runLabel ?? "Training"} stopped at step ${position.step} (epoch ${
            position.epoch + 1
          }, ` +
            `after batch ${position.batchInEpoch})` +
            (options.checkpointDir ? `; checkpoint in ${options.checkpointDir}: rerun with --resume` : ""),
          options.checkpointDir,
        );
      }
      const learningRate = task.setLearningRate?.(position.step);
      const indices = batchIndices(order, options.batchSize, b);
      const started = performance.now();
      stepNumber = position.step + 1;
      where = `step ${stepNumber} (epoch ${position.epoch + 1}, batch ${b + 1})`;
      const report = await guard(() =>
        task.step({
          indices,
          position: { ...position },
          seed: stepSeed(options.seed, position.step),
          learningRate,
        })
      );
      for (const [name, value] of Object.entries(report.losses ?? {})) {
        if (!Number.isFinite(value)) throw diverged(`the ${name} is ${value}`);
      }
      position.trainSeconds += (performance.now() - started) / 1000;
      position.step++;
      position.batchInEpoch = b + 1;
      runBar?.tick(1, report.status);
      epochBar?.tick(indices.length, report.status);
      await guard(async () => await task.afterStep?.(position));
      if (position.batchInEpoch === steps) {
        epochBar?.finish();
        await checkWeights();
        position.epoch++;
        position.batchInEpoch = 0;
        await guard(async () => await task.endEpoch?.(position));
        await checkpoint(true);
      } else if ((options.checkpointEvery ?? 0) > 0 && position.step % options.checkpointEvery! === 0) {
        await checkpoint();
      }
    }
  }
  runBar?.finish();
  return { task, position, stepsPerEpoch: steps, stoppedEarly };
}

/**
 * The message of a diverged run: the run, where (`step 7 (epoch 1, batch 7)`), what is not finite, and
 * what to do: lower the learning rate, resuming from the last good checkpoint when a resume may change
 * it.
 */
function divergedMessage(
  options: LoopOptions,
  where: string,
  what: string,
  lastCheckpoint: number | undefined,
): string {
  const run = options.runDir ?? options.checkpointDir;
  const head = `${options.runLabel ?? "Training"}${run ? ` of ${run}` : ""} diverged at ${where}: ${what}. ` +
    `The learning rate is too high for it (or the data holds NaNs)`;
  if (lastCheckpoint === undefined || !options.checkpointDir) {
    return `${head}: train again with a lower --learning-rate.`;
  }
  const kept = `the last good checkpoint (step ${lastCheckpoint}) is kept in ${options.checkpointDir}`;
  const rateMayChange = (options.changeable ?? []).some((key) => key.split(".").at(-1) === "learningRate");
  return rateMayChange
    ? `${head}; ${kept}. Lower --learning-rate and resume from it with --resume (when the run went well ` +
      `until shortly before ${where.split(" (")[0]}), or delete ${run} and train again from the start.`
    : `${head}; ${kept}, but a resume keeps the learning rate: delete ${run} and train again with a ` +
      `lower --learning-rate.`;
}

/** Applies the resume policy and, for a resume, checks the run's identity and loads its checkpoint. */
async function openRun(options: LoopOptions): Promise<LoadedCheckpoint | undefined> {
  if (!options.checkpointDir) {
    if (options.resume) throw new Error("resume needs a checkpoint folder (checkpointDir) to continue from.");
    return undefined;
  }
  const runDir = options.runDir ?? options.checkpointDir;
  await checkResumePolicy(runDir, options.checkpointDir, options.resume ?? false, options.log);
  if (!options.resume) return undefined;
  const savedIdentity = options.savedIdentity
    ? await options.savedIdentity()
    : (await readCheckpointState(options.checkpointDir, options.log))!.identity;
  checkResumable(runDir, savedIdentity, options.identity, options.changeable ?? []);
  const saved = (await loadCheckpoint(options.checkpointDir, options.log))!;
  const { position } = saved.state;
  options.log?.(
    `resume: continuing ${runDir} at step ${position.step} (` +
      (position.batchInEpoch > 0
        ? `in epoch ${position.epoch + 1} after batch ${position.batchInEpoch})`
        : `after epoch ${position.epoch})`),
  );
  return saved;
}
