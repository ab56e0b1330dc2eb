/** One process trains in a run folder at a time: lib/training/run.ts lockRun, taken by the loop. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { type TrainingTask, trainLoop } from "../../lib/training/loop.ts";
import {
  folderNameProblem,
  lockRun,
  RUN_LOCK,
  runFolder,
  RunLockedError,
  TrainingInterrupted,
} from "../../lib/training/run.ts";

await tf.setBackend("cpu");

/** A task of one weight; `gate` (when given) holds its first step until resolved. */
function task(gate?: Promise<void>): TrainingTask {
  const input = tf.input({ shape: [1] });
  const model = tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 1, useBias: false }).apply(input) as tf.SymbolicTensor,
  });
  return {
    step: async () => {
      await gate;
      return { status: "" };
    },
    checkpointParts: () => ({ models: { model }, optimizers: {} }),
    taskState: () => ({}),
    dispose: () => model.dispose(),
  };
}

const settings = { epochs: 1, batchSize: 2, count: 4, seed: 1, progress: false } as const;
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("two loops on one run folder: the second is refused while the first trains, naming its PID", async () => {
  const runDir = join(await Deno.makeTempDir(), "run");
  const checkpointDir = join(runDir, "checkpoint");
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const first = trainLoop({ ...settings, runDir, checkpointDir }, () => task(gate));
  while (!(await exists(join(runDir, RUN_LOCK)))) await new Promise((r) => setTimeout(r, 5));
  const lock = JSON.parse(await Deno.readTextFile(join(runDir, RUN_LOCK)));
  assert.equal(lock.pid, Deno.pid);
  assert.equal(lock.host, Deno.hostname());

  // A fresh start and a resume alike: both would write the same checkpoint folder.
  for (const resume of [false, true]) {
    await assert.rejects(
      trainLoop({ ...settings, runDir, checkpointDir, resume }, () => task()),
      (error: Error) => {
        assert.ok(error instanceof RunLockedError, String(error));
        assert.match(
          error.message,
          new RegExp(`^${runDir} is in use: process ${Deno.pid} \\(this one\\) has been training`),
        );
        assert.match(error.message, /Wait for that run to finish/);
        return true;
      },
    );
  }
  open();
  await first;
  assert.equal(await exists(join(runDir, RUN_LOCK)), false, "the lock goes with the run's end");
  // Now the folder is free: the finished run resumes (nothing left to do) without a word about locks.
  const notes: string[] = [];
  await trainLoop(
    { ...settings, runDir, checkpointDir, resume: true, log: (l) => notes.push(l) },
    () => task(),
  );
  assert.ok(!notes.some((n) => /lock/.test(n)), notes.join("\n"));
  await Deno.remove(join(runDir, ".."), { recursive: true });
});

Deno.test("a lock left by a process that no longer runs is reported and taken over", async () => {
  const runDir = join(await Deno.makeTempDir(), "run");
  await Deno.mkdir(runDir);
  // Above any pid_max (2^22): no process has this PID.
  const stale = { pid: 999_999_999, host: Deno.hostname(), since: "2024-01-01T00:00:00.000Z" };
  await Deno.writeTextFile(join(runDir, RUN_LOCK), JSON.stringify(stale));
  const notes: string[] = [];
  await trainLoop(
    { ...settings, runDir, checkpointDir: join(runDir, "checkpoint"), log: (l) => notes.push(l) },
    () => task(),
  );
  assert.ok(
    notes.some((n) =>
      n.includes(`${join(runDir, RUN_LOCK)} was left by process 999999999`) &&
      n.includes("no longer runs: taking the lock over")
    ),
    notes.join("\n"),
  );
  assert.equal(await exists(join(runDir, RUN_LOCK)), false);
  await Deno.remove(join(runDir, ".."), { recursive: true });
});

Deno.test("a lock of another live process, or of another host, refuses; an interrupted run gives its lock back", async () => {
  const runDir = join(await Deno.makeTempDir(), "run");
  await Deno.mkdir(runDir);
  const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const owner = { pid: sleeper.pid, host: Deno.hostname(), since: new Date().toISOString() };
    await Deno.writeTextFile(join(runDir, RUN_LOCK), JSON.stringify(owner));
    await assert.rejects(lockRun(runDir, () => {}), new RegExp(`in use: process ${sleeper.pid} has been`));
  } finally {
    sleeper.kill();
    await sleeper.status;
  }
  const elsewhere = { pid: 1, host: "another-host", since: new Date().toISOString() };
  await Deno.writeTextFile(join(runDir, RUN_LOCK), JSON.stringify(elsewhere));
  await assert.rejects(
    lockRun(runDir, () => {}),
    new RegExp(
      `process 1 on host another-host .*If nothing runs there any more, delete ${join(runDir, RUN_LOCK)}`,
    ),
  );
  await Deno.remove(join(runDir, RUN_LOCK));

  const stop = new AbortController();
  stop.abort();
  await assert.rejects(
    trainLoop(
      { ...settings, runDir, checkpointDir: join(runDir, "checkpoint"), signal: stop.signal },
      () => task(),
    ),
    TrainingInterrupted,
  );
  assert.equal(await exists(join(runDir, RUN_LOCK)), false, "Ctrl-C gives the lock back");
  assert.ok(await exists(join(runDir, "checkpoint", "state.json")), "and leaves the checkpoint");
  // A held lock released twice, and a run that wrote nothing leaves no empty folder behind.
  const empty = join(runDir, "..", "empty");
  const lock = await lockRun(empty);
  await lock.release();
  await lock.release();
  assert.equal(await exists(empty), false);
  await Deno.remove(join(runDir, ".."), { recursive: true });
});

Deno.test("run names are plain folder names: a path never leaves runs/", () => {
  assert.equal(runFolder("dcgan", "cdcgan64x96_seed7"), join("runs", "dcgan", "cdcgan64x96_seed7"));
  for (const bad of ["../../x", "a/b", "..", ".x", "a\\b", " "]) {
    assert.ok(folderNameProblem(bad), bad);
    assert.throws(() => runFolder("dcgan", bad), /Run name .* may not|is empty/);
  }
});
