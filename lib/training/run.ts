/**
 * The rules of a run folder that the training loop (loop.ts) applies to every task: where a run lives,
 * when it may start or resume, which config changes a resume accepts, and how a stop request ends it.
 *
 * ```
 * runs/<kind>/<name>/        kind: cnn or dcgan
 *   checkpoint/              the latest checkpoint, replaced atomically (checkpoint.ts)
 *   ...                      what the task writes besides (the DCGAN: grids, video, metadata.json)
 * ```
 *
 * One resume policy for both: with `resume`, a run without a checkpoint is an error (nothing is
 * started by mistake under a mistyped name); without `resume`, a run whose folder holds a checkpoint is
 * refused (an interrupted run is never overwritten by forgetting `--resume`). The CNN's result is its
 * saved model, so its run folder is removed once the model is saved; the DCGAN's run folder is its
 * result and keeps its checkpoint, so `--resume --epochs N` extends a finished run.
 *
 * A stop request is an `AbortSignal`: the loop writes a checkpoint before the next step and
 * throws {@linkcode TrainingInterrupted}.
 *
 * @example Where a DCGAN run lives
 * ```ts
 * import { checkpointFolder, runFolder } from "./run.ts";
 * const dir = runFolder("dcgan", "cdcgan64"); // runs/dcgan/cdcgan64
 * console.log(checkpointFolder(dir)); // runs/dcgan/cdcgan64/checkpoint
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { RUNS_DIR } from "../config.ts";
import { pathExists } from "../util/files.ts";
import type { Log } from "../util/log.ts";
import { recoverCheckpoint } from "./checkpoint.ts";

/** The kinds of training runs, each a folder under `runs/`. */
export type RunKind = "cnn" | "dcgan";

/** `runs/<kind>/<name>`. */
export function runFolder(kind: RunKind, name: string, runsDir: string = RUNS_DIR): string {
  return join(runsDir, kind, name);
}

/** The checkpoint folder of a run folder. */
export function checkpointFolder(runDir: string): string {
  return join(runDir, "checkpoint");
}

/** Thrown when a stop request (an aborted `AbortSignal`) ended a run after writing its checkpoint. */
export class TrainingInterrupted extends Error {
  override name = "TrainingInterrupted";
  /** The checkpoint that holds the progress, when the run writes checkpoints. */
  readonly checkpointDir?: string;
  constructor(message: string, checkpointDir?: string) {
    super(message);
    this.checkpointDir = checkpointDir;
  }
}

/**
 * Whether a checkpoint folder holds a checkpoint (its `state.json` is written last, atomically). A
 * replacement of the folder that a crash interrupted is finished first, said through `log`.
 */
export async function hasCheckpoint(checkpointDir: string, log?: Log): Promise<boolean> {
  await recoverCheckpoint(checkpointDir, log);
  return pathExists(join(checkpointDir, "state.json"));
}

/**
 * Applies the resume policy (see the module doc) before a run opens its checkpoint: throws a clear
 * error when `resume` finds no checkpoint, or a fresh start would overwrite one.
 */
export async function checkResumePolicy(
  runDir: string,
  checkpointDir: string,
  resume: boolean,
  log?: Log,
): Promise<void> {
  const exists = await hasCheckpoint(checkpointDir, log);
  if (resume && !exists) {
    throw new Error(`Nothing to resume in ${runDir}: it has no checkpoint. Train without --resume.`);
  }
  if (!resume && exists) {
    throw new Error(
      `${runDir} already holds a run: add --resume to continue it, or delete ${runDir} to start over.`,
    );
  }
}

/**
 * The leaves of two config records that differ, as `key: old → new` with dotted keys, leaving out
 * the keys in `allowed` (and everything under them).
 *
 * @example
 * ```ts
 * import { configChanges } from "./run.ts";
 * const changes = configChanges({ model: { epochs: 2, version: 1 } }, { model: { epochs: 5, version: 2 } }, [
 *   "model.epochs",
 * ]);
 * console.log(changes); // ["model.version: 1 → 2"]
 * ```
 */
export function configChanges(saved: unknown, wanted: unknown, allowed: readonly string[] = []): string[] {
  const changes: string[] = [];
  const walk = (a: unknown, b: unknown, key: string) => {
    if (allowed.includes(key)) return;
    if (isRecord(a) && isRecord(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const k of keys) walk(a[k], b[k], key ? `${key}.${k}` : k);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      changes.push(`${key}: ${JSON.stringify(a) ?? "unset"} → ${JSON.stringify(b) ?? "unset"}`);
    }
  };
  walk(saved, wanted, "");
  return changes;
}

/**
 * Throws when the run to resume was trained with another config than `wanted`, naming each change and
 * the keys that may change on resume.
 */
export function checkResumable(
  runDir: string,
  saved: unknown,
  wanted: unknown,
  allowed: readonly string[],
): void {
  const changes = configChanges(saved, wanted, allowed);
  if (changes.length === 0) return;
  throw new Error(
    `Cannot resume ${runDir}: ${changes.join(", ")}. Resume with the flags of the interrupted run ` +
      `(only ${allowed.join(", ")} may change), or delete ${runDir} to start over.`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
