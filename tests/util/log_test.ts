import assert from "node:assert/strict";
import { compactLines, createLog } from "../../lib/util/log.ts";
import type { JupyterDisplay } from "../../lib/util/jupyter.ts";

type Call = { text: string; id?: string; update?: boolean };

function fakeKernel(calls: Call[]): JupyterDisplay {
  return {
    display(obj, options) {
      calls.push({
        text: (obj as Record<string, string>)["text/plain"],
        id: options?.display_id,
        update: options?.update,
      });
      return Promise.resolve();
    },
  };
}

Deno.test("createLog in a notebook keeps one output, updated in place, without terminal newlines", () => {
  const calls: Call[] = [];
  const log = createLog({ jupyter: fakeKernel(calls) });
  log("dcgan: 64 posters");
  log("\ndcgan: epoch 1 quality: Fréchet distance 2.1");
  assert.equal(calls.length, 2);
  assert.equal(calls[0].update, false, "the first line must create the output");
  assert.equal(calls[1].update, true, "later lines must replace it");
  assert.equal(calls[0].id, calls[1].id);
  assert.equal(calls[1].text, "dcgan: 64 posters\ndcgan: epoch 1 quality: Fréchet distance 2.1");
  // A second operation gets its own output, so its lines land in the cell that runs it.
  const other = createLog({ jupyter: fakeKernel(calls) });
  other("backend: using wasm");
  assert.notEqual(calls[2].id, calls[0].id);
  assert.equal(calls[2].update, false);
});

Deno.test("createLog in a notebook elides the middle of a long log", () => {
  const calls: Call[] = [];
  const log = createLog({ jupyter: fakeKernel(calls), maxLines: 7 });
  for (let i = 1; i <= 50; i++) log(`epoch ${i}`);
  const shown = calls.at(-1)!.text.split("\n");
  assert.equal(shown.length, 7);
  assert.equal(shown[0], "epoch 1");
  assert.equal(shown.at(-1), "epoch 50");
  assert.match(shown.join("\n"), /… 44 more lines …/);
});

Deno.test("compactLines keeps short logs whole", () => {
  assert.deepEqual(compactLines(["a", "b"], 5), ["a", "b"]);
  assert.deepEqual(compactLines(["1", "2", "3", "4", "5", "6"], 4), ["1", "… 3 more lines …", "5", "6"]);
});

Deno.test("createLog outside a notebook writes each line to stderr", () => {
  const printed: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    const log = createLog();
    log("backend: using wasm");
  } finally {
    console.error = original;
  }
  assert.deepEqual(printed, ["backend: using wasm"]);
});
