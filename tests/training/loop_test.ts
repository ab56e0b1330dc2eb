import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { TrainingDiverged, type TrainingTask, trainLoop } from "../../lib/training/loop.ts";
import { loadCheckpoint, saveCheckpoint } from "../../lib/training/checkpoint.ts";
import { TrainingInterrupted } from "../../lib/training/run.ts";
import { createAdam } from "../../lib/training/adam.ts";

await tf.setBackend("cpu");

/** A task that records the batches it sees, with a one-weight network whose value counts its steps. */
function countingTask(
  seen: string[],
  rates: number[] = [],
): TrainingTask<{ seen: number }> & { weight: tf.Variable } {
  const input = tf.input({ shape: [1] });
  const model = tf.model({
    inputs: input,
    outputs: tf.layers.dense({ units: 1, useBias: false, kernelInitializer: "zeros" }).apply(
      input,
    ) as tf.SymbolicTensor,
  });
  const weight = model.trainableWeights[0].read() as tf.Variable;
  const optimizer = createAdam(1e-3, 0.5);
  return {
    weight,
    setLearningRate: (step) => {
      rates.push(step);
      return 0.1 * step;
    },
    step: ({ indices, position, seed }) => {
      seen.push(`${position.epoch}:${position.batchInEpoch}:${Array.from(indices).join(",")}:${seed}`);
      weight.assign(tf.add(weight, 1));
      return Promise.resolve({ status: "" });
    },
    checkpointParts: () => ({ models: { counter: model }, optimizers: { adam: optimizer } }),
    taskState: () => ({ seen: seen.length }),
    dispose: () => model.dispose(),
  };
}

const settings = { epochs: 3, batchSize: 3, count: 10, seed: 5, progress: false } as const;

Deno.test("trainLoop: full batches of a seeded order, one step seed each, the schedule hook before each step", async () => {
  const seen: string[] = [];
  const rates: number[] = [];
  const { position, stepsPerEpoch } = await trainLoop(settings, () => countingTask(seen, rates));
  assert.equal(stepsPerEpoch, 3);
  assert.deepEqual(position, { ...position, step: 9, epoch: 3, batchInEpoch: 0 });
  assert.equal(seen.length, 9);
  assert.deepEqual(rates, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(new Set(seen.map((s) => s.split(":")[3])).size, 9, "a seed per step");
  await assert.rejects(
    () => trainLoop({ ...settings, count: 2 }, () => countingTask([])),
    /2 examples, fewer than one batch of 3/,
  );
});

Deno.test("trainLoop: a stop request checkpoints before the next step; the resumed run repeats what the whole one saw", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const whole: string[] = [];
    await trainLoop(settings, () => countingTask(whole));
    const stop = new AbortController();
    const first: string[] = [];
    const checkpointDir = join(dir, "checkpoint");
    await assert.rejects(
      () =>
        trainLoop({ ...settings, checkpointDir, signal: stop.signal, identity: { a: 1 } }, () => {
          const task = countingTask(first);
          const step = task.step;
          task.step = (input) => {
            if (input.position.step === 4) stop.abort();
            return step(input);
          };
          return task;
        }),
      (error) =>
        error instanceof TrainingInterrupted &&
        /stopped at step 5 \(epoch 2, after batch 2\)/.test(error.message),
    );
    await assert.rejects(
      () => trainLoop({ ...settings, checkpointDir, identity: { a: 1 } }, () => countingTask([])),
      /already holds a run: add --resume/,
    );
    await assert.rejects(
      () =>
        trainLoop({ ...settings, checkpointDir, resume: true, identity: { a: 2 } }, () => countingTask([])),
      /Cannot resume .*a: 1 → 2/,
    );
    const rest: string[] = [];
    let restored = 0;
    const { task } = await trainLoop(
      { ...settings, checkpointDir, resume: true, identity: { a: 1 }, log: () => {} },
      (saved) => {
        const task = countingTask(rest);
        restored = (saved!.models.counter.getWeights()[0].dataSync())[0];
        task.weight.assign(saved!.models.counter.getWeights()[0]);
        return task;
      },
    );
    assert.equal(restored, 5, "the checkpoint holds the weights after 5 steps");
    assert.deepEqual([...first, ...rest], whole);
    assert.equal(task.weight.dataSync()[0], 9);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkpoints: a DCGAN checkpoint of the first format reads; an old CNN one is refused with what to do", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const input = tf.input({ shape: [2] });
    const net = () =>
      tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor });
    const [generator, discriminator] = [net(), net()];
    const position = { step: 7, epoch: 1, batchInEpoch: 3, trainSeconds: 1.5 };
    await saveCheckpoint(dir, {
      models: { generator, discriminator },
      optimizers: { generator_adam: createAdam(1e-3, 0.5), discriminator_adam: createAdam(1e-3, 0.5) },
    }, { position, identity: undefined, task: {} });
    // The first format: the position's numbers at the top level, nothing else.
    await Deno.writeTextFile(join(dir, "state.json"), JSON.stringify(position));
    const saved = (await loadCheckpoint(dir))!;
    assert.deepEqual(saved.state.position, position);
    assert.deepEqual(Object.keys(saved.models).sort(), ["discriminator", "generator"]);
    assert.deepEqual(Object.keys(saved.optimizers).sort(), ["discriminator_adam", "generator_adam"]);
    Object.values(saved.models).forEach((m) => m.dispose());
    await Deno.writeTextFile(join(dir, "state.json"), JSON.stringify({ epochsDone: 1, batchesDone: 2 }));
    await assert.rejects(
      () => loadCheckpoint(dir),
      /older posterlab .* delete .* and train without --resume/,
    );
    await Deno.writeTextFile(join(dir, "state.json"), JSON.stringify({ format: 99 }));
    await assert.rejects(() => loadCheckpoint(dir), /format 99, which this posterlab does not know/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trainLoop: weights that turn NaN end the run naming its step; the last good checkpoint stays", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const runDir = join(dir, "run");
    const checkpointDir = join(runDir, "checkpoint");
    const poisoned = () => {
      const task = countingTask([]);
      const step = task.step;
      task.step = async (input) => {
        const report = await step(input);
        if (input.position.step === 4) task.weight.assign(tf.scalar(NaN, "float32").reshape([1, 1]));
        return report;
      };
      return task;
    };
    const options = { ...settings, runDir, checkpointDir, checkpointEvery: 1, identity: { a: 1 } };
    await assert.rejects(
      () => trainLoop(options, poisoned),
      (error) => {
        assert.ok(error instanceof TrainingDiverged);
        assert.equal(error.step, 5);
        assert.equal(error.checkpointDir, checkpointDir);
        assert.match(
          error.message,
          new RegExp(
            `^Training of ${runDir} diverged at step 5 \\(epoch 2, batch 2\\): 1 of 1 weights of counter are ` +
              `NaN or infinite\\. .*the last good checkpoint \\(step 4\\) is kept in ${checkpointDir}, but a ` +
              `resume keeps the learning rate: delete ${runDir} and train again with a lower --learning-rate\\.$`,
          ),
        );
        return true;
      },
    );
    const saved = (await loadCheckpoint(checkpointDir))!;
    assert.equal(saved.state.position.step, 4);
    assert.equal(
      saved.models.counter.getWeights()[0].dataSync()[0],
      4,
      "the checkpoint's weights are finite",
    );
    saved.models.counter.dispose();
    // Where a resume may change the learning rate, the message says to resume with a lower one.
    await Deno.remove(runDir, { recursive: true });
    await assert.rejects(
      () => trainLoop({ ...options, changeable: ["model.learningRate"] }, poisoned),
      /kept in .*checkpoint\. Lower --learning-rate and resume from it with --resume \(when the run went well until shortly before step 5\), or delete .*run and train again from the start\.$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trainLoop: a loss a step reports that is not finite ends the run at that step", async () => {
  const task = () => {
    const counting = countingTask([]);
    const step = counting.step;
    counting.step = async (input) => ({
      ...(await step(input)),
      losses: { "generator loss": input.position.step === 1 ? Infinity : 0.5, "discriminator loss": 0.7 },
    });
    return counting;
  };
  await assert.rejects(
    () => trainLoop({ ...settings, runLabel: "DCGAN training" }, task),
    /^TrainingDiverged: DCGAN training diverged at step 2 \(epoch 1, batch 2\): the generator loss is Infinity\. .*: train again with a lower --learning-rate\.$/,
  );
});
