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
 * One process trains in a run folder at a time: {@linkcode lockRun} writes `run.lock` (PID, host,
 * start) into it before training and removes it at the end, on an error, on Ctrl-C and on exit. A
 * second run of the same folder is refused with the PID that holds it; a lock left by a process that
 * no longer runs (killed) is reported and taken over.
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
import { join, resolve } from "node:path";
import { RUNS_DIR } from "../config.ts";
import { pathExists } from "../util/files.ts";
import { createLog, type Log } from "../util/log.ts";
import { recoverCheckpoint } from "./checkpoint.ts";

/** The kinds of training runs, each a folder under `runs/`. */
export type RunKind = "cnn" | "dcgan";

/**
 * What is wrong with `name` as the name of one folder (a run, a saved model), or undefined: it must be
 * a plain name (no slash or backslash, no `..`, no leading `.`), so it stays inside its parent folder.
 */
export function folderNameProblem(name: string): string | undefined {
  if (name.trim() === "") return "is empty";
  if (/[\/\\]/.test(name)) return "may not contain / or \\ (a plain folder name, not a path)";
  if (name.startsWith(".")) return "may not start with . (nor be . or ..)";
  if (name.includes("..")) return "may not contain ..";
  if ([...name].some((c) => c.charCodeAt(0) < 0x20)) return "may not contain control characters";
  return undefined;
}

/** `runs/<kind>/<name>`; a `name` that is not a plain folder name ({@linkcode folderNameProblem}) throws. */
export function runFolder(kind: RunKind, name: string, runsDir: string = RUNS_DIR): string {
  const problem = folderNameProblem(name);
  if (problem) throw new Error(`Run name "${name}" ${problem}.`);
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

/** The lock file of a run folder (see {@linkcode lockRun}). */
export const RUN_LOCK = "run.lock";

/** Who trains in a run folder: what `run.lock` holds. */
export interface RunLockOwner {
  pid: number;
  host: string;
  /** When the process started (Linux: `/proc/<pid>/stat`'s start time), so a reused PID is told apart. */
  processStart?: number;
  /** ISO time the lock was taken. */
  since: string;
}

/** A lock held on a run folder; {@linkcode RunLock.release} gives it back. */
export interface RunLock {
  readonly runDir: string;
  /** Removes the lock file (when it is still this lock's) and the run folder when it is left empty. */
  release(): Promise<void>;
}

/** Thrown when another process that still runs trains in the run folder. */
export class RunLockedError extends Error {
  override name = "RunLockedError";
}

/** The lock files this process holds (resolved paths): a second loop of this process is refused too. */
const heldLocks = new Set<string>();

/**
 * Takes the lock of `runDir` (creating the folder): `run.lock` with this process's PID and host, created
 * only when absent. A lock of a process that still runs (or of another host, which can't be checked)
 * throws a {@linkcode RunLockedError} naming its PID; a lock whose process is gone (killed, crashed) is
 * taken over, said through `log`. The lock file also goes when the process exits (`Deno.exit`, a second
 * Ctrl-C).
 */
export async function lockRun(runDir: string, log?: Log): Promise<RunLock> {
  const path = join(runDir, RUN_LOCK);
  const key = resolve(path);
  const me: RunLockOwner = {
    pid: Deno.pid,
    host: Deno.hostname(),
    ...optional("processStart", processStart(Deno.pid)),
    since: new Date().toISOString(),
  };
  const text = JSON.stringify(me, null, 2) + "\n";
  await Deno.mkdir(runDir, { recursive: true });
  for (let attempt = 0;; attempt++) {
    try {
      await Deno.writeTextFile(path, text, { createNew: true });
      break;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists) || attempt >= 3) throw error;
    }
    const found = await readLock(path);
    if (found === undefined) continue; // released meanwhile: try again
    const { owner, raw } = found;
    if (owner && lockIsLive(owner, key)) {
      const where = owner.host === me.host ? "" : ` on host ${owner.host}`;
      const self = owner.pid === Deno.pid && !where;
      throw new RunLockedError(
        `${runDir} is in use: process ${owner.pid}${self ? " (this one)" : where} has been training in it ` +
          `since ${owner.since}. ` +
          (self
            ? `Wait for that run to finish (a notebook cell, another call); if none runs, delete ${path}.`
            : `Wait for it to finish, or stop it (Ctrl-C there, or kill -INT ${owner.pid}: it writes a ` +
              `checkpoint) and then --resume.` +
              (where ? ` If nothing runs there any more, delete ${path}.` : "")),
      );
    }
    (log ?? createLog())(
      owner
        ? `run: ${path} was left by process ${owner.pid} (since ${owner.since}), which no longer runs: ` +
          `taking the lock over`
        : `run: ${path} is unreadable (${JSON.stringify(raw.slice(0, 40))}): taking the lock over`,
    );
    // Only the file read is removed: another process taking it over at once keeps its own.
    if ((await Deno.readTextFile(path).catch(() => undefined)) === raw) {
      await Deno.remove(path).catch(() => {});
    }
  }
  heldLocks.add(key);
  const removeOnExit = () => {
    try {
      if (Deno.readTextFileSync(path) === text) Deno.removeSync(path);
    } catch { /* gone already */ }
  };
  globalThis.addEventListener("unload", removeOnExit);
  let released = false;
  return {
    runDir,
    async release() {
      if (released) return;
      released = true;
      globalThis.removeEventListener("unload", removeOnExit);
      heldLocks.delete(key);
      if ((await Deno.readTextFile(path).catch(() => undefined)) === text) await Deno.remove(path);
      await Deno.remove(runDir).catch(() => {}); // only when empty: a run that wrote nothing leaves no folder
    },
  };
}

/** The lock file's owner (undefined `owner` when unreadable), or undefined when the file is gone. */
async function readLock(path: string): Promise<{ owner?: RunLockOwner; raw: string } | undefined> {
  for (let attempt = 0;; attempt++) {
    let raw: string;
    try {
      raw = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    try {
      const owner = JSON.parse(raw) as RunLockOwner;
      if (Number.isInteger(owner.pid) && typeof owner.host === "string") return { owner, raw };
    } catch { /* being written, or damaged */ }
    if (attempt >= 2) return { raw };
    await new Promise((r) => setTimeout(r, 100)); // a lock being written is whole a moment later
  }
}

/** Whether the process of a lock still runs (a lock of another host counts as live: it can't be checked). */
function lockIsLive(owner: RunLockOwner, key: string): boolean {
  if (owner.host !== Deno.hostname()) return true;
  const start = processStart(owner.pid);
  if (owner.processStart !== undefined && start !== undefined && start !== owner.processStart) {
    return false; // the PID now belongs to another process
  }
  if (owner.pid === Deno.pid) return heldLocks.has(key);
  return processAlive(owner.pid);
}

/** Whether process `pid` runs (one of another user counts as running). */
function processAlive(pid: number): boolean {
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return !(error instanceof Deno.errors.NotFound);
  }
}

/** When process `pid` started, in clock ticks since boot (Linux), or undefined. */
function processStart(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name (which may hold spaces) in parentheses; the start time is field 22.
    const start = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
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
