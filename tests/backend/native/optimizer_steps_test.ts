import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildCKernels, loadCKernels } from "../../../lib/backend/native/shim.ts";
import { initBackend } from "../../../lib/backend/select.ts";
import { createAdam } from "../../../lib/training/adam.ts";
import { AdamWOptimizer } from "../../../lib/training/adamw.ts";
import { createRmsprop } from "../../../lib/training/rmsprop.ts";
import { nativeSteps } from "../../../lib/training/wasm_heap.ts";
import { updateAverage } from "../../../lib/gan/ema.ts";
import { NATIVE_MISSING } from "./native_libs.ts";

const steps = NATIVE_MISSING ? NATIVE_MISSING : loadCKernels();
const ignore = typeof steps === "string" && !Deno.env.get("CI");
if (ignore) console.error(`compiled C kernels not tested: ${steps}`);

/** A variable's values after three steps of `optimizer` on `backend` (fixed gradients of every sign and size). */
async function train(backend: "wasm" | "native", optimizer: () => tf.Optimizer): Promise<Float32Array> {
  await initBackend(backend, { log: () => {} });
  const size = 100_003; // above the C loop's threshold for threads, and odd
  const variable = tf.variable(
    tf.randomNormal([size], 0, 1, "float32", 1),
    true,
    `w_${backend}_${Math.random()}`,
  );
  const kernel = tf.variable(
    tf.randomNormal([17, 3], 0, 1, "float32", 2),
    true,
    `dense/kernel_${backend}${Math.random()}`,
  );
  const opt = optimizer();
  for (let i = 0; i < 3; i++) {
    const gradient = tf.randomNormal([size], 0, 10 ** (i - 2), "float32", 10 + i);
    const kernelGradient = tf.randomNormal([17, 3], 0, 1, "float32", 20 + i);
    opt.applyGradients({ [variable.name]: gradient, [kernel.name]: kernelGradient });
    tf.dispose([gradient, kernelGradient]);
  }
  const values = new Float32Array([...await variable.data(), ...await kernel.data()]);
  tf.dispose([variable, kernel]);
  opt.dispose();
  return values;
}

const OPTIMIZERS: [string, () => tf.Optimizer][] = [
  ["RMSprop", () => createRmsprop(1e-3)],
  ["Adam", () => createAdam(2e-4, 0.5)],
  ["AdamW", () => new AdamWOptimizer(3e-3, 0.05)],
];

for (const [name, optimizer] of OPTIMIZERS) {
  Deno.test({
    name: `the compiled ${name} step gives the JavaScript loop's numbers bit for bit`,
    ignore,
    fn: async () => {
      await initBackend("native", { log: () => {} });
      assert.ok(
        nativeSteps(),
        `the C step is not in use on native: ${typeof steps === "string" ? steps : ""}`,
      );
      const native = await train("native", optimizer);
      await initBackend("wasm", { log: () => {} });
      assert.equal(nativeSteps(), undefined, "wasm must run the JavaScript loop");
      const wasm = await train("wasm", optimizer);
      assert.deepEqual(native, wasm);
    },
  });
}

/** A weight average after three updates on `backend`: a dense layer of 60,200 weights (past the threads' threshold). */
async function average(backend: "cpu" | "wasm" | "native"): Promise<Float32Array> {
  await initBackend(backend, { log: () => {} });
  const build = () => tf.sequential({ layers: [tf.layers.dense({ units: 200, inputShape: [300] })] });
  const [avg, model] = [build(), build()];
  const values = (seed: number) =>
    avg.weights.map((w, i) => tf.randomNormal(w.shape as number[], 0, 1, "float32", seed + i));
  avg.setWeights(values(1));
  for (let step = 0; step < 3; step++) {
    model.setWeights(values(10 * (step + 1)));
    updateAverage(avg, model, 0.999, step + 100);
  }
  const out = new Float32Array(
    (await Promise.all(avg.getWeights().map((w) => w.data()))).flatMap((d) => [...d]),
  );
  avg.dispose();
  model.dispose();
  return out;
}

Deno.test({
  name: "the weight average's step in C and in the JavaScript loop gives tfjs's ops' numbers bit for bit",
  ignore,
  fn: async () => {
    const ops = await average("cpu");
    await initBackend("native", { log: () => {} });
    assert.ok(nativeSteps(), "the C step is not in use on native");
    assert.deepEqual(await average("native"), ops);
    assert.deepEqual(await average("wasm"), ops);
  },
});

Deno.test({
  name: "buildCKernels compiles once into its cache folder, and says why without a compiler",
  ignore,
  fn: () => {
    const cache = Deno.makeTempDirSync();
    try {
      const dir = new URL(`file://${cache}/`);
      const first = buildCKernels(undefined, dir), second = buildCKernels(undefined, dir);
      assert.ok(typeof first === "object" && first.compiled, String(first));
      assert.ok(typeof second === "object" && !second.compiled && second.library === first.library);
      assert.deepEqual(Deno.readDirSync(cache).map((e) => e.name).toArray(), [
        first.library.split("/").pop(),
      ]);
      const missing = buildCKernels("no-such-cc-here", dir);
      assert.match(
        String(missing),
        /no-such-cc-here not found \(optimizer steps in JavaScript, upsampling on wasm, .*\): apt-get install gcc/,
      );
    } finally {
      Deno.removeSync(cache, { recursive: true });
    }
  },
});
