import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { BACKEND_ORDER, type BackendName, DEFAULT_THREADS } from "../../lib/config.ts";
import { initBackend } from "../../lib/backend/select.ts";

Deno.test("initBackend with a name uses exactly that backend and says so", async () => {
  const lines: string[] = [];
  const choice = await initBackend("cpu", { log: (line) => lines.push(line) });
  assert.deepEqual(choice, { name: "cpu", skipped: [] });
  assert.equal(tf.getBackend(), "cpu");
  assert.deepEqual(lines, ["backend: using cpu (forced by --backend)"]);
});

Deno.test("initBackend without a name takes the first that loads and explains each skip", async () => {
  const lines: string[] = [];
  const choice = await initBackend(undefined, { log: (line) => lines.push(line) });
  const order = BACKEND_ORDER as readonly BackendName[];
  assert.equal(tf.getBackend(), choice.name === "tensorflow-gpu" ? "tensorflow" : choice.name);
  assert.deepEqual(choice.skipped.map((s) => s.name), order.slice(0, order.indexOf(choice.name)));
  for (const skip of choice.skipped) {
    assert.ok(skip.reason.length > 10, `skipping ${skip.name} needs a reason`);
    assert.ok(lines.includes(`backend: skipped ${skip.name}: ${skip.reason}`));
  }
  const threads = choice.name === "native"
    ? `, ${DEFAULT_THREADS} thread${DEFAULT_THREADS === 1 ? "" : "s"}`
    : "";
  assert.equal(lines.at(-1), `backend: using ${choice.name}${threads}`);
});

Deno.test("initBackend rejects an unknown backend name", async () => {
  await assert.rejects(() => initBackend("tpu" as BackendName, { log: () => {} }), /Unknown backend 'tpu'/);
});

Deno.test("registering the wasm kernels makes Conv2DBackpropFilter available on wasm", async () => {
  await initBackend("wasm", { log: () => {} });
  assert.ok(tf.getKernel("Conv2DBackpropFilter", "wasm"));
});

Deno.test("native comes after libtensorflow and before webgpu and wasm in the automatic order", () => {
  const order = BACKEND_ORDER as readonly string[];
  assert.ok(order.indexOf("tensorflow") < order.indexOf("native"));
  assert.ok(order.indexOf("native") < order.indexOf("webgpu"));
  assert.ok(order.indexOf("native") < order.indexOf("wasm"));
});
