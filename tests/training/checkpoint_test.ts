import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import {
  type CheckpointParts,
  loadCheckpoint,
  readCheckpointState,
  saveCheckpoint,
} from "../../lib/training/checkpoint.ts";
import { checkResumePolicy, hasCheckpoint } from "../../lib/training/run.ts";
import { createAdam } from "../../lib/training/adam.ts";
import { FOLDER_COMPLETE, folderSwapHooks, type FolderSwapStep } from "../../lib/util/files.ts";

await tf.setBackend("cpu");

function parts(): CheckpointParts {
  const input = tf.input({ shape: [2] });
  const model = tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor,
  });
  return { models: { net: model }, optimizers: { adam: createAdam(1e-3, 0.5) } };
}

/** Saves a checkpoint at `step`; a crash (a throw, nothing cleaned up) after `crashAfter`. */
async function save(
  dir: string,
  step: number,
  crashAfter?: FolderSwapStep,
  log: (line: string) => void = () => {},
) {
  folderSwapHooks.afterStep = (at) => {
    if (at === crashAfter) throw new Error(`crash after ${at}`);
  };
  const saved = parts();
  try {
    await saveCheckpoint(dir, saved, {
      position: { step, epoch: 0, batchInEpoch: step, trainSeconds: 1 },
      identity: { seed: 1 },
      task: {},
    }, log);
  } finally {
    folderSwapHooks.afterStep = undefined;
    Object.values(saved.models).forEach((m) => m.dispose());
  }
}

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("checkpoint: a crash between the two renames loses nothing; --resume finds it and says so", async () => {
  const runDir = await Deno.makeTempDir();
  const dir = join(runDir, "checkpoint");
  try {
    await save(dir, 3);
    await assert.rejects(save(dir, 6, "movedAside"), /crash after movedAside/);
    assert.deepEqual(names(runDir), [`checkpoint.old-${Deno.pid}`, `checkpoint.tmp-${Deno.pid}`]);
    // The resume policy sees the checkpoint: a fresh start is refused, --resume goes on.
    const lines: string[] = [];
    assert.equal(await hasCheckpoint(dir, (l) => lines.push(l)), true);
    assert.equal(lines.length, 1);
    assert.match(
      lines[0],
      new RegExp(`recovered ${dir} after an interrupted save: .*checkpoint\\.tmp-${Deno.pid}`),
    );
    await assert.rejects(checkResumePolicy(runDir, dir, false), /already holds a run: add --resume/);
    await checkResumePolicy(runDir, dir, true);
    const loaded = (await loadCheckpoint(dir))!;
    assert.equal(loaded.state.position.step, 6, "the newer, complete checkpoint");
    Object.values(loaded.models).forEach((m) => m.dispose());
    assert.deepEqual(names(runDir), ["checkpoint"]);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("checkpoint: reading it after a crash at any step of its swap gives a complete checkpoint", async () => {
  const runDir = await Deno.makeTempDir();
  try {
    for (const step of ["written", "movedAside", "renamed"] as const) {
      const dir = join(runDir, step);
      await save(dir, 3);
      await assert.rejects(save(dir, 6, step));
      const lines: string[] = [];
      const loaded = (await loadCheckpoint(dir, (l) => lines.push(l)))!;
      assert.equal(loaded.state.position.step, 6, step);
      Object.values(loaded.models).forEach((m) => m.dispose());
      assert.equal(lines.length, 1, step);
      assert.ok(lines[0].includes(dir), lines[0]);
    }
    assert.deepEqual(names(runDir), ["movedAside", "renamed", "written"]);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("checkpoint: the next save after a crash between the renames keeps a complete checkpoint", async () => {
  const runDir = await Deno.makeTempDir();
  const dir = join(runDir, "checkpoint");
  try {
    await save(dir, 3);
    await assert.rejects(save(dir, 6, "movedAside"));
    const failing = { save: () => Promise.reject(new Error("disk full")) } as unknown as tf.LayersModel;
    await assert.rejects(
      saveCheckpoint(dir, { models: { net: failing }, optimizers: {} }, {
        position: { step: 9, epoch: 0, batchInEpoch: 9, trainSeconds: 1 },
        identity: {},
        task: {},
      }, () => {}),
      /disk full/,
    );
    assert.equal((await readCheckpointState(dir))!.position.step, 6);
    await save(dir, 9);
    assert.equal((await readCheckpointState(dir))!.position.step, 9);
    assert.deepEqual(names(runDir), ["checkpoint"]);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("checkpoint: the two copies that an older posterlab's crash left are recovered, the newer one first", async () => {
  const runDir = await Deno.makeTempDir();
  const dir = join(runDir, "checkpoint");
  try {
    const child = new Deno.Command("true").spawn();
    await child.status; // its process id is one of an ended process
    await save(dir, 3);
    await Deno.rename(dir, `${dir}.old-${child.pid}`);
    await save(dir, 6);
    await Deno.rename(dir, `${dir}.tmp-${child.pid}`);
    await Deno.remove(join(`${dir}.tmp-${child.pid}`, FOLDER_COMPLETE)); // written before markers
    const lines: string[] = [];
    assert.equal((await readCheckpointState(dir, (l) => lines.push(l)))!.position.step, 6);
    assert.match(lines[0], /recovered .*checkpoint/);
    assert.deepEqual(names(runDir), ["checkpoint"]);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});
